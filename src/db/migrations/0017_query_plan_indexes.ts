// Indexes found missing by test/store/query-plans.test.ts (DESIGN 7: no request may scan a range that grows with
// the data), in four groups:
//
// 1. Foreign keys whose child column had no index. Deleting (or re-keying) a parent makes the database look for
//    its children: SQLite scans the whole child table for each parent row, PostgreSQL does a sequential scan.
//    Only where the service deletes the parent:
//    - po_lines: PUT /api/v2/purchase_orders/:id removes a draft's products (store/purchase-order-lifecycle.ts
//      replaceDraft), so receipts, status_events, shipment_lines and supplier_order_lines are indexed by line_id
//      (the last two had it only as the second column of their primary key; replaceDraft also asks them "is this
//      line covered?" by line_id, and deletes the line's status_events by it);
//    - inventory_locations: PUT /api/v2/warehouses/:id removes locations (store/warehouses.ts), asking first
//      which of them receipts name, so receipts are indexed by inventory_location_id.
//    Not indexed, because the service never deletes the parent nor changes its id (an INSERT's child look-up
//    runs only while deferred violations are outstanding, which immediate constraints never leave): every
//    `retailer_id` (retailers), applied_supplier_updates.po_id and the other po_id columns' parent
//    purchase_orders, shipments.supplier_order_pk (supplier_orders), invoices.document_id (documents), the
//    supplier_id and warehouse_id columns (suppliers and warehouses are updated, never deleted). Each index
//    costs every write of its table; if one of these parents ever becomes deletable, index its children then.
//
// 2. GET /api/v2/purchase_orders filtered by a selective column and ordered by (created_at, id): with an index on
//    (retailer_id, column) only, SQLite (no statistics) prefers purchase_orders_by_created, which avoids the sort,
//    and walks every PO of the retailer testing the filter. With the order's columns after the filter's the
//    planner seeks the filter's range, already in page order, on both stores. Partial (column is not null):
//    the filter is an equality, and POs without the value (most have no reference_number) stay out of them.
//    `status` and `warehouse_id` get none: a retailer has a handful of each, so a filter on one matches a large
//    share of its POs and walking the list order to fill a page costs about what the filtered range would.
//    GET /api/v2/supplier_documents filtered by status likewise: processing and failed are rare, and finding them
//    walked every document of the retailer; (retailer_id, status, received_at, id) seeks them in the list's order
//    (documents are written a file at a time, so the index costs little). `format` (x12 or csv) gets none.
//
// 3. Held supplier updates by (retailer_id, expired_at): GET /api/v2/supplier_updates/held first brings expiry up
//    to date, deleting the retailer's updates expired more than 30 days ago (store/held-supplier-updates.ts); by
//    retailer_id alone that walked every update the retailer holds (up to HELD_UPDATE_LIMIT, 100,000) on each
//    request. Partial, expired rows only: with the unexpired ones in it too, SQLite took `expired_at is null` for
//    the better key and read "this batch's fingerprints, unexpired" as a walk of every unexpired update.
//
// 4. An endpoint's deliveries, newest first by id (GET /api/v2/webhook_endpoints/:id/deliveries, paged by
//    `before`): webhook_deliveries_endpoint was (endpoint_id, created_at, id), so each page read and sorted all of
//    the endpoint's deliveries (30 days of them) to return 20. It is replaced by (endpoint_id, id), which seeks the
//    page in order; its other users (an endpoint's delete) name endpoint_id only, so no write pays for two.
import { sql, type Kysely } from 'kysely';

/** [index, table, columns]: foreign-key children of parents the service deletes. */
const FOREIGN_KEY_INDEXES: [string, string, string[]][] = [
  ['receipts_line', 'receipts', ['line_id']],
  ['receipts_location', 'receipts', ['inventory_location_id']],
  ['status_events_line', 'status_events', ['line_id']],
  ['shipment_lines_line', 'shipment_lines', ['line_id']],
  ['supplier_order_lines_line', 'supplier_order_lines', ['line_id']],
];

/** [index, filter column] of the PO list, each followed by the list's order (created_at, id). */
const PO_LIST_INDEXES: [string, string][] = [
  ['purchase_orders_list_order_number', 'order_number'],
  ['purchase_orders_list_reference', 'reference_number'],
  ['purchase_orders_list_supplier', 'supplier_id'],
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('webhook_deliveries_endpoint').execute();
  await db.schema.createIndex('webhook_deliveries_by_endpoint').on('webhook_deliveries').columns(['endpoint_id', 'id']).execute();
  for (const [name, table, columns] of FOREIGN_KEY_INDEXES) {
    await db.schema.createIndex(name).on(table).columns(columns).execute();
  }
  await db.schema.createIndex('supplier_documents_by_status').on('supplier_documents')
    .columns(['retailer_id', 'status', 'received_at', 'id']).execute();
  await db.schema.createIndex('held_supplier_updates_expired').on('held_supplier_updates').columns(['retailer_id', 'expired_at'])
    .where(sql.ref('expired_at'), 'is not', null).execute();
  for (const [name, column] of PO_LIST_INDEXES) {
    await db.schema.createIndex(name).on('purchase_orders').columns(['retailer_id', column, 'created_at', 'id'])
      .where(sql.ref(column), 'is not', null).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of [...PO_LIST_INDEXES].reverse()) await db.schema.dropIndex(name).execute();
  await db.schema.dropIndex('held_supplier_updates_expired').execute();
  await db.schema.dropIndex('supplier_documents_by_status').execute();
  for (const [name] of [...FOREIGN_KEY_INDEXES].reverse()) await db.schema.dropIndex(name).execute();
  await db.schema.dropIndex('webhook_deliveries_by_endpoint').execute();
  await db.schema.createIndex('webhook_deliveries_endpoint').on('webhook_deliveries').columns(['endpoint_id', 'created_at', 'id']).execute();
}

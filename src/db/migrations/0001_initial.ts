// The data model of DESIGN section 1: tenants, keys, parties, purchase orders and what suppliers report on them.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('retailers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull().unique())
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_retailer').on('api_keys').column('retailer_id').execute();

  await db.schema
    .createTable('suppliers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('contact_name', 'text')
    .addColumn('contact_email', 'text')
    .addColumn('phone', 'text')
    .addColumn('address', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('suppliers_retailer_name', ['retailer_id', 'name'])
    .execute();

  await db.schema
    .createTable('warehouses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('warehouses_retailer').on('warehouses').column('retailer_id').execute();

  await db.schema
    .createTable('inventory_locations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('warehouse_id', 'text', (c) => c.notNull().references('warehouses.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inventory_locations_warehouse').on('inventory_locations').column('warehouse_id').execute();

  await db.schema
    .createTable('purchase_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('po_number', 'text', (c) => c.notNull())
    .addColumn('order_number', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('order_date', 'text', (c) => c.notNull())
    .addColumn('request_date', 'text')
    .addColumn('expected_delivery_date', 'text')
    .addColumn('ship_to', 'text')
    .addColumn('drop_ship', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('customer_name', 'text')
    .addColumn('customer_email', 'text')
    .addColumn('supplier_id', 'text', (c) => c.references('suppliers.id'))
    .addColumn('warehouse_id', 'text', (c) => c.references('warehouses.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('payment_terms', 'text', (c) => c.notNull())
    .addColumn('payment_status', 'text', (c) => c.notNull())
    .addColumn('reference_number', 'text')
    .addColumn('note_to_supplier', 'text')
    .addColumn('shipping_carrier', 'text')
    .addColumn('tracking_number', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('view_v2', 'text', (c) => c.notNull())
    .addUniqueConstraint('purchase_orders_retailer_po_number', ['retailer_id', 'po_number'])
    .execute();
  // by-date: range on order_date within a retailer, ordered by (order_date, id).
  await db.schema.createIndex('purchase_orders_by_date').on('purchase_orders').columns(['retailer_id', 'order_date', 'id']).execute();

  await db.schema
    .createTable('po_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('supplier_id', 'text', (c) => c.references('suppliers.id'))
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('supplier_sku', 'text')
    .addColumn('product_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('unit_cost_cents', 'bigint', (c) => c.notNull())
    .addColumn('received_quantity', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rejected_quantity', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('fulfilment_status', 'text', (c) => c.notNull())
    .addColumn('estimated_delivery_date', 'text')
    .addColumn('view_v1', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('po_lines_po').on('po_lines').columns(['po_id', 'line_no']).execute();

  await db.schema
    .createTable('supplier_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('supplier_id', 'text', (c) => c.references('suppliers.id'))
    .addColumn('supplier_order_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('supplier_orders_by_id').on('supplier_orders').columns(['retailer_id', 'supplier_order_id']).execute();
  await db.schema.createIndex('supplier_orders_po').on('supplier_orders').column('po_id').execute();

  await db.schema
    .createTable('supplier_order_lines')
    .addColumn('supplier_order_pk', 'text', (c) => c.notNull().references('supplier_orders.id'))
    .addColumn('line_id', 'text', (c) => c.notNull().references('po_lines.id'))
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('supplier_order_lines_pk', ['supplier_order_pk', 'line_id'])
    .execute();

  await db.schema
    .createTable('shipments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('supplier_order_pk', 'text', (c) => c.references('supplier_orders.id'))
    .addColumn('carrier', 'text')
    .addColumn('carrier_source', 'text')
    .addColumn('tracking_number', 'text', (c) => c.notNull())
    .addColumn('tracking_url', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('shipped_at', 'text')
    .addColumn('estimated_delivery_date', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('shipments_po').on('shipments').column('po_id').execute();
  await db.schema.createIndex('shipments_tracking').on('shipments').columns(['retailer_id', 'tracking_number']).execute();

  await db.schema
    .createTable('shipment_lines')
    .addColumn('shipment_id', 'text', (c) => c.notNull().references('shipments.id'))
    .addColumn('line_id', 'text', (c) => c.notNull().references('po_lines.id'))
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('shipment_lines_pk', ['shipment_id', 'line_id'])
    .execute();

  await db.schema
    .createTable('checkpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('shipment_id', 'text', (c) => c.notNull().references('shipments.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('location', 'text')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('checkpoints_shipment').on('checkpoints').columns(['shipment_id', 'occurred_at']).execute();

  await db.schema
    .createTable('invoices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('supplier_id', 'text', (c) => c.references('suppliers.id'))
    .addColumn('supplier_order_id', 'text')
    .addColumn('invoice_number', 'text', (c) => c.notNull())
    .addColumn('invoice_date', 'text')
    .addColumn('due_date', 'text')
    .addColumn('payment_terms', 'text')
    .addColumn('subtotal_cents', 'bigint', (c) => c.notNull())
    .addColumn('tax_cents', 'bigint', (c) => c.notNull())
    .addColumn('shipping_cents', 'bigint', (c) => c.notNull())
    .addColumn('total_cents', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('invoices_po').on('invoices').column('po_id').execute();

  await db.schema
    .createTable('status_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('line_id', 'text', (c) => c.references('po_lines.id'))
    .addColumn('axis', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_events_po').on('status_events').columns(['po_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'status_events', 'invoices', 'checkpoints', 'shipment_lines', 'shipments', 'supplier_order_lines',
    'supplier_orders', 'po_lines', 'purchase_orders', 'inventory_locations', 'warehouses', 'suppliers',
    'api_keys', 'retailers',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}

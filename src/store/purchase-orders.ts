// A purchase order as one aggregate: its header, lines, supplier orders, shipments with checkpoints,
// invoices and status events. Writes go through here so the stored read renderings stay current.
import type { Insertable, Selectable } from 'kysely';
import type { Address } from '../domain/address.ts';
import { renderV1LinesOf, renderV2Record, type PoState } from '../domain/render.ts';
import type { V2Record } from '../domain/events.ts';
import type { FulfilmentStatus } from '../domain/statuses.ts';
import type { Db } from '../db/database.ts';
import { insertRows } from './bulk-insert.ts';
import { updateManyById } from './cached-statements.ts';
import { recordPoChange, recordPoChanges, recordPoCreations, type PoViewChange } from './events.ts';
import type {
  CheckpointsTable, InvoicesTable, PoLinesTable, PurchaseOrdersTable, ShipmentsTable, StatusEventsTable, SupplierOrdersTable,
} from '../db/schema.ts';

type Row<T> = Selectable<T>;
type LineCover = { line_id: string; quantity: number };

export interface PoAggregate {
  po: Omit<Row<PurchaseOrdersTable>, 'view_v2'>;
  /** source_line_id: set on synced lines only (optional, so POs built elsewhere need not mention it). */
  lines: (Omit<Row<PoLinesTable>, 'view_v1' | 'source_line_id'> & { source_line_id?: string | null })[];
  supplierOrders: { order: Row<SupplierOrdersTable>; lines: LineCover[] }[];
  shipments: { shipment: Row<ShipmentsTable>; lines: LineCover[]; checkpoints: Row<CheckpointsTable>[] }[];
  invoices: Row<InvoicesTable>[];
  events: Row<StatusEventsTable>[];
}

/** Supplier names by id, for rendering. */
export type SupplierNames = ReadonlyMap<string, string>;

const byText = <T>(key: (item: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** The aggregate as the renderers see it. */
export function toPoState(aggregate: PoAggregate, supplierNames: SupplierNames): PoState {
  const { po } = aggregate;
  const nameOf = (id: string | null) => (id ? supplierNames.get(id) ?? null : null);
  const latestEvent = new Map<string, string>();
  for (const event of [...aggregate.events].sort(byText((e) => e.id))) {
    if (event.line_id) latestEvent.set(event.line_id, event.id);
  }
  const supplierOrderIdByPk = new Map(aggregate.supplierOrders.map(({ order }) => [order.id, order.supplier_order_id]));
  // Covers in the PO's line order: the order rows come back in depends on the query plan (and on PostgreSQL on
  // the join chosen), and a batch of supplier updates renders rows it applied in memory (supplier-update-writes.ts).
  const lineNo = new Map(aggregate.lines.map((line) => [line.id, line.line_no]));
  const inLineOrder = (covers: readonly LineCover[]) => [...covers].sort((a, b) =>
    (lineNo.get(a.line_id) ?? 0) - (lineNo.get(b.line_id) ?? 0) || (a.line_id < b.line_id ? -1 : a.line_id > b.line_id ? 1 : 0));
  return {
    po: {
      id: po.id,
      po_number: po.po_number,
      order_date: po.order_date,
      request_date: po.request_date,
      ship_to: po.ship_to ? (JSON.parse(po.ship_to) as Address) : null,
      drop_ship: po.drop_ship === 1,
      customer_name: po.customer_name,
      customer_email: po.customer_email,
      supplier_name: nameOf(po.supplier_id),
      currency: po.currency,
      updated_at: po.updated_at,
    },
    lines: [...aggregate.lines].sort((a, b) => a.line_no - b.line_no).map((line) => ({
      id: line.id,
      sku: line.sku,
      supplier_sku: line.supplier_sku,
      product_name: line.product_name,
      description: line.description,
      quantity: line.quantity,
      unit_cost_cents: line.unit_cost_cents,
      fulfilment_status: line.fulfilment_status as FulfilmentStatus,
      estimated_delivery_date: line.estimated_delivery_date,
      supplier_name: nameOf(line.supplier_id ?? po.supplier_id),
      latest_event_id: latestEvent.get(line.id) ?? null,
    })),
    supplierOrders: [...aggregate.supplierOrders].sort(byText((s) => s.order.created_at + s.order.id))
      .map(({ order, lines }) => ({ supplier_order_id: order.supplier_order_id, lines: inLineOrder(lines) })),
    shipments: [...aggregate.shipments].sort(byText((s) => (s.shipment.shipped_at ?? s.shipment.created_at) + s.shipment.id))
      .map(({ shipment, lines, checkpoints }) => {
        const latest = [...checkpoints].sort(byText((c) => c.occurred_at + c.id)).at(-1);
        return {
          supplier_order_id: shipment.supplier_order_pk ? supplierOrderIdByPk.get(shipment.supplier_order_pk) ?? null : null,
          carrier: shipment.carrier,
          tracking_number: shipment.tracking_number,
          tracking_url: shipment.tracking_url,
          status: shipment.status,
          shipped_at: shipment.shipped_at,
          estimated_delivery_date: shipment.estimated_delivery_date,
          delivered_at: shipment.delivered_at,
          lines: inLineOrder(lines),
          latest_checkpoint: latest ? { message: latest.message, location: latest.location, occurred_at: latest.occurred_at } : null,
        };
      }),
    invoices: [...aggregate.invoices].sort(byText((i) => (i.invoice_date ?? '') + i.id)).map((invoice) => ({
      invoice_number: invoice.invoice_number,
      supplier_order_id: invoice.supplier_order_id,
      invoice_date: invoice.invoice_date,
      due_date: invoice.due_date,
      payment_terms: invoice.payment_terms,
      subtotal_cents: invoice.subtotal_cents,
      tax_cents: invoice.tax_cents,
      shipping_cents: invoice.shipping_cents,
      total_cents: invoice.total_cents,
      currency: invoice.currency,
      status: invoice.status,
      supplier_name: nameOf(invoice.supplier_id),
      updated_at: invoice.updated_at,
      document_id: invoice.document_id,
    })),
  };
}

/**
 * Rows ready to insert: the aggregate plus its renderings. `onlyLines`: render the v1 records of these lines only
 * (the others are left out of `lines`), for a writer that knows the rest cannot have changed.
 */
function withViews(aggregate: PoAggregate, supplierNames: SupplierNames, onlyLines?: ReadonlySet<string>) {
  const state = toPoState(aggregate, supplierNames);
  const rendered = onlyLines ? state.lines.filter((line) => onlyLines.has(line.id)) : state.lines;
  const v1 = renderV1LinesOf(state, rendered);
  const v1ById = new Map(rendered.map((line, i) => [line.id, v1[i]]));
  const record = renderV2Record(state);
  return {
    po: { ...aggregate.po, view_v2: JSON.stringify(record) } satisfies Insertable<PurchaseOrdersTable>,
    lines: aggregate.lines.filter((line) => v1ById.has(line.id)).map((line) => ({ ...line, view_v1: v1ById.get(line.id)! })),
    record: record as V2Record,
  };
}

/**
 * Inserts whole new POs (with everything attached) and their renderings, each PO rendered once, and a
 * `purchase_order.created` event for each (DESIGN 4b; `events: false` for the seed's bulk load of made-up history,
 * which is no change anyone waits to hear of). Callers wrap it in a transaction; many POs per call keeps a bulk
 * load (the seed, a sync page) to a few statements per table.
 */
export async function insertPurchaseOrders(
  db: Db, aggregates: PoAggregate[], supplierNames: SupplierNames, options: { events?: boolean } = {},
): Promise<void> {
  const rendered = aggregates.map((aggregate) => withViews(aggregate, supplierNames));
  if (options.events !== false) await recordPoCreations(db, rendered.map((r) => r.po));
  await insertRows(db, 'purchase_orders', rendered.map((r) => r.po));
  await insertRows(db, 'po_lines', rendered.flatMap((r) => r.lines));
  await insertRows(db, 'supplier_orders', aggregates.flatMap((a) => a.supplierOrders.map((s) => s.order)));
  await insertRows(db, 'supplier_order_lines',
    aggregates.flatMap((a) => a.supplierOrders.flatMap((s) => s.lines.map((l) => ({ supplier_order_pk: s.order.id, ...l })))));
  await insertRows(db, 'shipments', aggregates.flatMap((a) => a.shipments.map((s) => s.shipment)));
  await insertRows(db, 'shipment_lines',
    aggregates.flatMap((a) => a.shipments.flatMap((s) => s.lines.map((l) => ({ shipment_id: s.shipment.id, ...l })))));
  await insertRows(db, 'checkpoints', aggregates.flatMap((a) => a.shipments.flatMap((s) => s.checkpoints)));
  await insertRows(db, 'invoices', aggregates.flatMap((a) => a.invoices));
  await insertRows(db, 'status_events', aggregates.flatMap((a) => a.events));
}

/** Everything stored about one PO of this retailer, or undefined. */
export async function loadPoAggregate(db: Db, retailerId: string, poId: string): Promise<PoAggregate | undefined> {
  return (await loadPoAggregates(db, retailerId, [poId])).get(poId);
}

/** po_lines without its rendering (the largest column, never needed to render anew). */
const LINE_COLUMNS = [
  'id', 'retailer_id', 'po_id', 'line_no', 'supplier_id', 'sku', 'supplier_sku', 'product_name', 'description', 'quantity',
  'unit_cost_cents', 'received_quantity', 'rejected_quantity', 'fulfilment_status', 'estimated_delivery_date', 'source_line_id',
] as const;
/** purchase_orders without its rendering. */
const HEADER_COLUMNS = [
  'id', 'retailer_id', 'po_number', 'order_number', 'source', 'source_id', 'status', 'order_date', 'request_date',
  'expected_delivery_date', 'ship_to', 'drop_ship', 'customer_name', 'customer_email', 'supplier_id', 'warehouse_id', 'currency',
  'payment_terms', 'payment_status', 'reference_number', 'note_to_supplier', 'shipping_carrier', 'tracking_number', 'created_at',
  'updated_at',
] as const;
/** Ids per statement: far under both databases' parameter limits. */
const LOAD_CHUNK = 500;

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/**
 * Everything stored about each of the retailer's POs `poIds` (ids of other retailers, or none, are left out), by
 * id: one statement per table per 500 POs, so a batch of writes loads its POs in a few statements.
 */
export async function loadPoAggregates(db: Db, retailerId: string, poIds: readonly string[]): Promise<Map<string, PoAggregate>> {
  const result = new Map<string, PoAggregate>();
  const unique = [...new Set(poIds)];
  for (let i = 0; i < unique.length; i += LOAD_CHUNK) {
    const ids = unique.slice(i, i + LOAD_CHUNK);
    // Found by id alone, the retailer checked on the rows: with `retailer_id = ?` in the statement SQLite's planner
    // (no statistics) walks the retailer's index, every PO of the retailer, instead of seeking each id.
    const headers = (await db.selectFrom('purchase_orders').select(HEADER_COLUMNS).where('id', 'in', ids).execute())
      .filter((header) => header.retailer_id === retailerId);
    const found = headers.map((h) => h.id);
    if (found.length === 0) continue;
    const [lines, orders, orderLines, shipments, shipmentLines, checkpoints, invoices, events] = await Promise.all([
      db.selectFrom('po_lines').select(LINE_COLUMNS).where('po_id', 'in', found).orderBy('po_id').orderBy('line_no').execute(),
      db.selectFrom('supplier_orders').selectAll().where('po_id', 'in', found).execute(),
      db.selectFrom('supplier_order_lines as sol').innerJoin('supplier_orders as so', 'so.id', 'sol.supplier_order_pk')
        .select(['sol.supplier_order_pk', 'sol.line_id', 'sol.quantity']).where('so.po_id', 'in', found).execute(),
      db.selectFrom('shipments').selectAll().where('po_id', 'in', found).execute(),
      db.selectFrom('shipment_lines as sl').innerJoin('shipments as s', 's.id', 'sl.shipment_id')
        .select(['sl.shipment_id', 'sl.line_id', 'sl.quantity']).where('s.po_id', 'in', found).execute(),
      db.selectFrom('checkpoints as c').innerJoin('shipments as s', 's.id', 'c.shipment_id')
        .selectAll('c').select('s.po_id as po_id_of_shipment').where('s.po_id', 'in', found).execute(),
      db.selectFrom('invoices').selectAll().where('po_id', 'in', found).execute(),
      db.selectFrom('status_events').selectAll().where('po_id', 'in', found).execute(),
    ]);
    const linesByPo = groupBy(lines, (l) => l.po_id);
    const ordersByPo = groupBy(orders, (o) => o.po_id);
    const orderLinesByOrder = groupBy(orderLines, (l) => l.supplier_order_pk);
    const shipmentsByPo = groupBy(shipments, (s) => s.po_id);
    const shipmentLinesByShipment = groupBy(shipmentLines, (l) => l.shipment_id);
    const checkpointsByShipment = groupBy(checkpoints, (c) => c.shipment_id);
    const invoicesByPo = groupBy(invoices, (inv) => inv.po_id);
    const eventsByPo = groupBy(events, (e) => e.po_id);
    const cover = ({ line_id, quantity }: LineCover) => ({ line_id, quantity });
    for (const po of headers) {
      result.set(po.id, {
        po,
        lines: linesByPo.get(po.id) ?? [],
        supplierOrders: (ordersByPo.get(po.id) ?? []).map((order) => ({ order, lines: (orderLinesByOrder.get(order.id) ?? []).map(cover) })),
        shipments: (shipmentsByPo.get(po.id) ?? []).map((shipment) => ({
          shipment,
          lines: (shipmentLinesByShipment.get(shipment.id) ?? []).map(cover),
          checkpoints: (checkpointsByShipment.get(shipment.id) ?? []).map(({ po_id_of_shipment: _po, ...c }) => c),
        })),
        invoices: invoicesByPo.get(po.id) ?? [],
        events: eventsByPo.get(po.id) ?? [],
      });
    }
  }
  return result;
}

export async function supplierNamesOf(db: Db, retailerId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('suppliers').select(['id', 'name']).where('retailer_id', '=', retailerId).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * Re-renders one PO's stored read records from its current state, and records the events the write caused by
 * comparing the v2 record before and after (store/events.ts recordPoChange: one place for every writer, so no
 * write path can change what a reader sees without its event). Call inside the writing transaction.
 * `supplierNames` (the retailer's, current in this transaction) saves reading them again when many POs are done.
 */
export async function refreshPoViews(db: Db, retailerId: string, poId: string, supplierNames?: SupplierNames): Promise<void> {
  await refreshManyPoViews(db, retailerId, [poId], supplierNames);
}

/**
 * refreshPoViews for many POs of the retailer at once (a batch of supplier updates): their state loaded in a few
 * statements (loadPoAggregates), then refreshViewsOf. `options.updatedAt` (stored instant) is set as the POs'
 * `updated_at` in the same statement.
 */
export async function refreshManyPoViews(
  db: Db, retailerId: string, poIds: readonly string[], supplierNames?: SupplierNames, options: { updatedAt?: string } = {},
): Promise<void> {
  if (poIds.length === 0) return;
  await refreshViewsOf(db, retailerId, await loadPoAggregates(db, retailerId, poIds), supplierNames, options);
}

/**
 * Re-renders the stored read records of the retailer's POs whose current state `aggregates` holds (as
 * loadPoAggregates gives it, after the transaction's writes), each rendered once, the renderings written with one
 * prepared statement per table, and the events of all of them written together (recordPoChanges). `options` as
 * refreshManyPoViews, and `changedLines`: the only lines whose v1 records can have changed (the writer knows what it
 * wrote: supplier-update-writes.ts applyNetRows); the others are neither rendered nor written. Call inside the
 * writing transaction.
 */
export async function refreshViewsOf(
  db: Db, retailerId: string, aggregates: ReadonlyMap<string, PoAggregate>, supplierNames?: SupplierNames,
  options: { updatedAt?: string; changedLines?: ReadonlySet<string> } = {},
): Promise<void> {
  if (aggregates.size === 0) return;
  const names = supplierNames ?? await supplierNamesOf(db, retailerId);
  const ids = [...aggregates.keys()];
  const before = new Map<string, string>();
  for (let i = 0; i < ids.length; i += LOAD_CHUNK) {
    const rows = await db.selectFrom('purchase_orders').select(['id', 'view_v2']).where('id', 'in', ids.slice(i, i + LOAD_CHUNK)).execute();
    for (const row of rows) before.set(row.id, row.view_v2);
  }
  const changes: PoViewChange[] = [];
  const poRows: [string, Record<string, string>][] = [];
  const lineRows: [string, Record<string, string>][] = [];
  for (const [poId, aggregate] of aggregates) {
    if (options.updatedAt !== undefined) aggregate.po.updated_at = options.updatedAt;
    const { po, lines, record } = withViews(aggregate, names, options.changedLines);
    poRows.push([poId, options.updatedAt === undefined ? { view_v2: po.view_v2 } : { view_v2: po.view_v2, updated_at: options.updatedAt }]);
    changes.push({ poId, before: before.get(poId) ?? null, after: po.view_v2, afterRecord: record });
    for (const line of lines) lineRows.push([line.id, { view_v1: line.view_v1 }]);
  }
  await updateManyById(db, 'purchase_orders', poRows);
  await updateManyById(db, 'po_lines', lineRows, { onlyIfChanged: true });
  await recordPoChanges(db, retailerId, changes);
}

// A purchase order as one aggregate: its header, lines, supplier orders, shipments with checkpoints,
// invoices and status events. Writes go through here so the stored read renderings stay current.
import type { Insertable, Selectable } from 'kysely';
import type { Address } from '../domain/address.ts';
import { renderV1Lines, renderV2, type PoState } from '../domain/render.ts';
import type { FulfilmentStatus } from '../domain/statuses.ts';
import type { Db } from '../db/database.ts';
import { insertRows } from './bulk-insert.ts';
import { recordPoChange, recordPoCreations } from './events.ts';
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
      .map(({ order, lines }) => ({ supplier_order_id: order.supplier_order_id, lines })),
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
          lines,
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

/** Rows ready to insert: the aggregate plus its renderings. */
function withViews(aggregate: PoAggregate, supplierNames: SupplierNames) {
  const state = toPoState(aggregate, supplierNames);
  const v1 = renderV1Lines(state);
  const v1ById = new Map(state.lines.map((line, i) => [line.id, v1[i]]));
  return {
    po: { ...aggregate.po, view_v2: renderV2(state) } satisfies Insertable<PurchaseOrdersTable>,
    lines: aggregate.lines.map((line) => ({ ...line, view_v1: v1ById.get(line.id)! })),
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
  const po = await db.selectFrom('purchase_orders').selectAll().where('retailer_id', '=', retailerId).where('id', '=', poId)
    .executeTakeFirst();
  if (!po) return undefined;
  const { view_v2: _view, ...header } = po;
  const [lines, orders, orderLines, shipments, shipmentLines, checkpoints, invoices, events] = await Promise.all([
    db.selectFrom('po_lines').selectAll().where('po_id', '=', poId).orderBy('line_no').execute(),
    db.selectFrom('supplier_orders').selectAll().where('po_id', '=', poId).execute(),
    db.selectFrom('supplier_order_lines as sol').innerJoin('supplier_orders as so', 'so.id', 'sol.supplier_order_pk')
      .select(['sol.supplier_order_pk', 'sol.line_id', 'sol.quantity']).where('so.po_id', '=', poId).execute(),
    db.selectFrom('shipments').selectAll().where('po_id', '=', poId).execute(),
    db.selectFrom('shipment_lines as sl').innerJoin('shipments as s', 's.id', 'sl.shipment_id')
      .select(['sl.shipment_id', 'sl.line_id', 'sl.quantity']).where('s.po_id', '=', poId).execute(),
    db.selectFrom('checkpoints as c').innerJoin('shipments as s', 's.id', 'c.shipment_id')
      .selectAll('c').where('s.po_id', '=', poId).execute(),
    db.selectFrom('invoices').selectAll().where('po_id', '=', poId).execute(),
    db.selectFrom('status_events').selectAll().where('po_id', '=', poId).execute(),
  ]);
  return {
    po: header,
    lines: lines.map(({ view_v1: _v, ...line }) => line),
    supplierOrders: orders.map((order) => ({
      order,
      lines: orderLines.filter((l) => l.supplier_order_pk === order.id).map(({ line_id, quantity }) => ({ line_id, quantity })),
    })),
    shipments: shipments.map((shipment) => ({
      shipment,
      lines: shipmentLines.filter((l) => l.shipment_id === shipment.id).map(({ line_id, quantity }) => ({ line_id, quantity })),
      checkpoints: checkpoints.filter((c) => c.shipment_id === shipment.id),
    })),
    invoices,
    events,
  };
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
  const aggregate = await loadPoAggregate(db, retailerId, poId);
  if (!aggregate) return;
  const { po, lines } = withViews(aggregate, supplierNames ?? await supplierNamesOf(db, retailerId));
  const before = await db.selectFrom('purchase_orders').select('view_v2').where('id', '=', poId).executeTakeFirst();
  await db.updateTable('purchase_orders').set({ view_v2: po.view_v2 }).where('id', '=', poId).execute();
  await recordPoChange(db, retailerId, poId, before?.view_v2 ?? null, po.view_v2);
  for (const line of lines) {
    await db.updateTable('po_lines').set({ view_v1: line.view_v1 }).where('id', '=', line.id).execute();
  }
}

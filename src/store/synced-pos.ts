// What the sync engine writes: upstream POs (already mapped to our model by a connector) become purchase orders,
// keyed by (connection, upstream id) in synced_records; the engine's resume state in connections.sync_state.
// The engine calls these inside one transaction per page. New POs go in with insertPurchaseOrders (a few statements
// for the whole page); changed ones are diffed against their stored aggregate, status changes recorded as events,
// and their read renderings refreshed, like every other write.
import { newId } from '../domain/ids.ts';
import type { LifecycleStatus } from '../domain/lifecycle.ts';
import type { FulfilmentStatus } from '../domain/statuses.ts';
import { mergeShipmentStatus, mergeSyncedLineStatus } from '../domain/synced-lines.ts';
import type { Db } from '../db/database.ts';
import type { SyncedPo, StoredRecord } from '../sync/connectors/types.ts';
import { insertRows } from './bulk-insert.ts';
import { insertPurchaseOrders, loadPoAggregates, refreshPoViews, type PoAggregate } from './purchase-orders.ts';
import { changeLifecycleStatus, changeLineStatuses, type LineStatusChange } from './status-events.ts';
import { applyHeldSupplierUpdates } from './supplier-updates.ts';
import { ensureSupplier } from './suppliers.ts';

const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface StoredSyncedRecord extends StoredRecord {
  po_id: string;
}

/** The stored records of this connection among `upstreamIds`. */
export async function findSyncedRecords(db: Db, connectionId: string, upstreamIds: readonly string[]):
  Promise<Map<string, StoredSyncedRecord>> {
  const found = new Map<string, StoredSyncedRecord>();
  for (const part of chunks([...new Set(upstreamIds)])) {
    const rows = await db.selectFrom('synced_records')
      .select(['upstream_id', 'po_id', 'content_hash', 'upstream_modified', 'listed_sweep'])
      .where('connection_id', '=', connectionId).where('upstream_id', 'in', part).execute();
    for (const row of rows) found.set(row.upstream_id, row);
  }
  return found;
}

/** Marks records as listed in `sweep` (seen current, nothing to write). */
export async function markListed(db: Db, connectionId: string, upstreamIds: readonly string[], sweep: string, now: string): Promise<void> {
  for (const part of chunks(upstreamIds)) {
    await db.updateTable('synced_records').set({ listed_sweep: sweep, synced_at: now })
      .where('connection_id', '=', connectionId).where('upstream_id', 'in', part).execute();
  }
}

/** Records the upstream no longer has (404): no longer open, so no sweep re-checks them. */
export async function markGone(db: Db, connectionId: string, upstreamIds: readonly string[], sweep: string, now: string): Promise<void> {
  for (const part of chunks(upstreamIds)) {
    await db.updateTable('synced_records').set({ listed_sweep: sweep, open: 0, upstream_status: 'gone', synced_at: now })
      .where('connection_id', '=', connectionId).where('upstream_id', 'in', part).execute();
  }
}

/** Open records of the connection that `sweep` has not listed, after `afterId` in id order. */
export async function unlistedOpenRecords(db: Db, connectionId: string, sweep: string, afterId: string | null, limit: number):
  Promise<string[]> {
  let query = db.selectFrom('synced_records').select('upstream_id')
    .where('connection_id', '=', connectionId).where('open', '=', 1)
    .where((eb) => eb.or([eb('listed_sweep', 'is', null), eb('listed_sweep', '!=', sweep)]));
  if (afterId !== null) query = query.where('upstream_id', '>', afterId);
  const rows = await query.orderBy('upstream_id').limit(limit).execute();
  return rows.map((r) => r.upstream_id);
}

/** The engine's resume state; written inside the page's transaction so that both commit together. */
export async function saveSyncState(db: Db, connectionId: string, state: string): Promise<void> {
  await db.updateTable('connections').set({ sync_state: state }).where('id', '=', connectionId).execute();
}

export async function loadSyncState(db: Db, connectionId: string): Promise<string | null> {
  const row = await db.selectFrom('connections').select('sync_state').where('id', '=', connectionId).executeTakeFirst();
  return row?.sync_state ?? null;
}

/** What one run remembers across its pages: supplier and warehouse ids by name. Drop it if a page fails. */
export class SyncWriteCache {
  readonly suppliers = new Map<string, string>();
  readonly warehouses = new Map<string, string>();
  readonly supplierNames = new Map<string, string>();

  clear(): void {
    this.suppliers.clear();
    this.warehouses.clear();
    this.supplierNames.clear();
  }
}

export interface SyncWriteContext {
  retailerId: string;
  connectionId: string;
  /** The connection's kind: purchase_orders.source and the status events' source. */
  source: string;
  sweep: string;
  now: Date;
  cache: SyncWriteCache;
}

export interface PageRecord {
  po: SyncedPo;
  hash: string;
}

export interface PageWriteResult {
  created: number;
  updated: number;
  unchanged: number;
  failures: { upstream_id: string; message: string }[];
}

async function supplierIdFor(trx: Db, ctx: SyncWriteContext, name: string | null): Promise<string | null> {
  if (!name) return null;
  let id = ctx.cache.suppliers.get(name);
  if (!id) {
    id = await ensureSupplier(trx, ctx.retailerId, { name });
    ctx.cache.suppliers.set(name, id);
    ctx.cache.supplierNames.set(id, name);
  }
  return id;
}

async function warehouseIdFor(trx: Db, ctx: SyncWriteContext, name: string | null): Promise<string | null> {
  if (!name) return null;
  let id = ctx.cache.warehouses.get(name);
  if (!id) {
    const existing = await trx.selectFrom('warehouses').select('id')
      .where('retailer_id', '=', ctx.retailerId).where('name', '=', name).orderBy('id').executeTakeFirst();
    id = existing?.id;
    if (!id) {
      id = newId('wh');
      const stamp = ctx.now.toISOString();
      await trx.insertInto('warehouses').values({
        id, retailer_id: ctx.retailerId, name, address: null, created_at: stamp, updated_at: stamp,
      }).execute();
    }
    ctx.cache.warehouses.set(name, id);
  }
  return id;
}

/** Supplier names by id for rendering: those this run has met, plus any the POs refer to that it has not. */
async function supplierNames(trx: Db, ctx: SyncWriteContext, ids: Iterable<string | null>): Promise<Map<string, string>> {
  const missing = [...new Set([...ids].filter((id): id is string => id !== null && !ctx.cache.supplierNames.has(id)))];
  for (const part of chunks(missing)) {
    const rows = await trx.selectFrom('suppliers').select(['id', 'name']).where('id', 'in', part).execute();
    for (const row of rows) ctx.cache.supplierNames.set(row.id, row.name);
  }
  return ctx.cache.supplierNames;
}

/** Which of these PO numbers the retailer already uses, and by which source. */
async function takenNumbers(trx: Db, retailerId: string, numbers: readonly string[]): Promise<Map<string, { id: string; source: string }>> {
  const taken = new Map<string, { id: string; source: string }>();
  for (const part of chunks([...new Set(numbers)])) {
    const rows = await trx.selectFrom('purchase_orders').select(['id', 'po_number', 'source'])
      .where('retailer_id', '=', retailerId).where('po_number', 'in', part).execute();
    for (const row of rows) taken.set(row.po_number, { id: row.id, source: row.source });
  }
  return taken;
}

function conflictMessage(po: SyncedPo, holder: { id: string; source: string }, source: string): string {
  const by = holder.source === source ? `another ${source} record` : `a purchase order from ${holder.source}`;
  return `PO number ${po.po_number} (upstream ${po.upstream_id}) is already used by ${by} (${holder.id}); not synced, nothing overwritten.`;
}

/** Applies the supplier updates held for these numbers (one look-up for the page, then one call per number held). */
async function applyHeld(trx: Db, retailerId: string, numbers: readonly string[]): Promise<void> {
  for (const part of chunks([...new Set(numbers)])) {
    const rows = await trx.selectFrom('held_supplier_updates').select('po_number').distinct()
      .where('retailer_id', '=', retailerId).where('po_number', 'in', part).execute();
    for (const row of rows.sort((a, b) => (a.po_number < b.po_number ? -1 : 1))) {
      await applyHeldSupplierUpdates(trx, retailerId, row.po_number);
    }
  }
}

function syncedRow(ctx: SyncWriteContext, record: PageRecord, poId: string) {
  return {
    connection_id: ctx.connectionId, upstream_id: record.po.upstream_id, retailer_id: ctx.retailerId, po_id: poId,
    content_hash: record.hash, upstream_modified: record.po.upstream_modified, upstream_status: record.po.upstream_status,
    open: record.po.open ? 1 : 0, listed_sweep: ctx.sweep, synced_at: ctx.now.toISOString(),
  };
}

/** Header columns of a synced PO (supplier and warehouse resolved). */
function headerOf(po: SyncedPo, supplierId: string | null, warehouseId: string | null) {
  return {
    po_number: po.po_number, order_number: po.order_number, order_date: po.order_date,
    expected_delivery_date: po.expected_delivery_date, supplier_id: supplierId, warehouse_id: warehouseId,
    currency: po.currency, payment_terms: po.payment_terms, payment_status: po.payment_status,
    reference_number: po.reference_number, note_to_supplier: po.note_to_supplier,
    shipping_carrier: po.shipping_carrier, tracking_number: po.tracking_number,
  };
}

async function buildNewAggregate(trx: Db, ctx: SyncWriteContext, po: SyncedPo): Promise<PoAggregate> {
  const stamp = ctx.now.toISOString();
  const supplierId = await supplierIdFor(trx, ctx, po.supplier_name ?? null);
  const warehouseId = await warehouseIdFor(trx, ctx, po.warehouse_name);
  const poId = newId('po');
  const lines = po.lines.map((line, i) => ({
    id: newId('ln'), retailer_id: ctx.retailerId, po_id: poId, line_no: i + 1, supplier_id: null,
    sku: line.sku, supplier_sku: line.supplier_sku, product_name: line.product_name, description: line.description,
    quantity: line.quantity, unit_cost_cents: line.unit_cost_cents, received_quantity: line.received_quantity,
    rejected_quantity: line.rejected_quantity, fulfilment_status: line.fulfilment_status, estimated_delivery_date: null,
    source_line_id: line.source_line_id,
  }));
  const event = (lineId: string | null, axis: string, to: string) => ({
    id: newId('evt'), retailer_id: ctx.retailerId, po_id: poId, line_id: lineId, axis, from_status: null, to_status: to,
    source: ctx.source, occurred_at: stamp,
  });
  // What the upstream says shipped stays visible: a shipment carries every line, whatever its status (a PO
  // cancelled or closed short after shipping keeps its tracking).
  const shipments: PoAggregate['shipments'] = po.shipments.map((shipment) => ({
    shipment: {
      id: newId('shp'), retailer_id: ctx.retailerId, po_id: poId, supplier_order_pk: null, carrier: shipment.carrier,
      carrier_source: shipment.carrier_source, tracking_number: shipment.tracking_number,
      tracking_url: shipment.tracking_url, status: shipment.status, shipped_at: null, estimated_delivery_date: null,
      delivered_at: null, created_at: stamp, updated_at: stamp,
    },
    lines: lines.map((l) => ({ line_id: l.id, quantity: l.quantity })),
    checkpoints: [],
  }));
  const invoices: PoAggregate['invoices'] = po.invoice ? [{
    id: newId('inv'), retailer_id: ctx.retailerId, po_id: poId, supplier_id: supplierId, supplier_order_id: null,
    ...po.invoice, document_id: null, created_at: stamp, updated_at: stamp,
  }] : [];
  return {
    po: {
      id: poId, retailer_id: ctx.retailerId, source: ctx.source, source_id: po.upstream_id, status: po.status,
      request_date: null, ship_to: null, drop_ship: 0, customer_name: null, customer_email: null,
      ...headerOf(po, supplierId, warehouseId), created_at: stamp, updated_at: stamp,
    },
    lines,
    supplierOrders: [],
    shipments,
    invoices,
    events: [event(null, 'lifecycle', po.status), ...lines.map((l) => event(l.id, 'fulfilment', l.fulfilment_status))],
  };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Brings a stored PO (`aggregate`: everything stored about it, loaded for the page) to the upstream's latest word: header, lifecycle status (with its event), lines by
 * source_line_id (added, changed, or cancelled when the upstream dropped them), line statuses merged forward
 * (events for each change), the upstream's shipment and invoice. Returns an error sentence instead of writing when
 * the PO's new number belongs to another PO.
 */
async function updateSyncedPo(trx: Db, ctx: SyncWriteContext, poId: string, po: SyncedPo, aggregate: PoAggregate | undefined): Promise<string | null> {
  if (!aggregate) return `The purchase order ${poId} that upstream ${po.upstream_id} synced to is gone; not synced.`;
  const stamp = ctx.now.toISOString();
  const renumbered = po.po_number !== aggregate.po.po_number;
  if (renumbered) {
    const holder = (await takenNumbers(trx, ctx.retailerId, [po.po_number])).get(po.po_number);
    if (holder && holder.id !== poId) return conflictMessage(po, holder, ctx.source);
  }
  const supplierId = po.supplier_name === undefined ? aggregate.po.supplier_id : await supplierIdFor(trx, ctx, po.supplier_name);
  const warehouseId = await warehouseIdFor(trx, ctx, po.warehouse_name);
  const header = headerOf(po, supplierId, warehouseId);
  const before = Object.fromEntries(Object.keys(header).map((k) => [k, aggregate.po[k as keyof typeof aggregate.po]]));
  if (!sameJson(before, header)) {
    await trx.updateTable('purchase_orders').set({ ...header, updated_at: stamp }).where('id', '=', poId).execute();
  }
  if (po.status !== aggregate.po.status) {
    await changeLifecycleStatus(trx, ctx.retailerId, poId, aggregate.po.status as LifecycleStatus, po.status, ctx.source, ctx.now);
  }

  // Lines, matched by the upstream's line id.
  const bySource = new Map(aggregate.lines.filter((l) => l.source_line_id).map((l) => [l.source_line_id!, l]));
  const statusChanges: LineStatusChange[] = [];
  /** Every line the upstream lists, whatever its status: what a shipment of the upstream's carries. */
  const shipLines: { id: string; quantity: number }[] = [];
  let lineNo = Math.max(0, ...aggregate.lines.map((l) => l.line_no));
  for (const line of po.lines) {
    const fields = {
      sku: line.sku, supplier_sku: line.supplier_sku, product_name: line.product_name, description: line.description,
      quantity: line.quantity, unit_cost_cents: line.unit_cost_cents, received_quantity: line.received_quantity,
      rejected_quantity: line.rejected_quantity,
    };
    const stored = bySource.get(line.source_line_id);
    if (!stored) {
      const id = newId('ln');
      await trx.insertInto('po_lines').values({
        id, retailer_id: ctx.retailerId, po_id: poId, line_no: ++lineNo, supplier_id: null, ...fields,
        fulfilment_status: line.fulfilment_status, estimated_delivery_date: null, source_line_id: line.source_line_id, view_v1: '{}',
      }).execute();
      await trx.insertInto('status_events').values({
        id: newId('evt'), retailer_id: ctx.retailerId, po_id: poId, line_id: id, axis: 'fulfilment', from_status: null,
        to_status: line.fulfilment_status, source: ctx.source, occurred_at: stamp,
      }).execute();
      shipLines.push({ id, quantity: line.quantity });
      continue;
    }
    bySource.delete(line.source_line_id);
    const current = Object.fromEntries(Object.keys(fields).map((k) => [k, (stored as Record<string, unknown>)[k]]));
    if (!sameJson(current, fields)) await trx.updateTable('po_lines').set(fields).where('id', '=', stored.id).execute();
    const next = mergeSyncedLineStatus(stored.fulfilment_status as FulfilmentStatus, line.fulfilment_status);
    if (next !== stored.fulfilment_status) statusChanges.push({ lineId: stored.id, from: stored.fulfilment_status, to: next });
    shipLines.push({ id: stored.id, quantity: line.quantity });
  }
  for (const dropped of bySource.values()) {
    // The upstream no longer has this line: cancelled here (history and what suppliers reported stay).
    if (dropped.fulfilment_status !== 'cancelled') statusChanges.push({ lineId: dropped.id, from: dropped.fulfilment_status, to: 'cancelled' });
  }
  await changeLineStatuses(trx, ctx.retailerId, poId, statusChanges, ctx.source, ctx.now);

  let addedShipment = false;
  for (const synced of po.shipments) {
    const known = aggregate.shipments.find((s) => s.shipment.tracking_number === synced.tracking_number);
    addedShipment ||= !known;
    const existing = known?.shipment;
    const shipmentId = existing?.id ?? newId('shp');
    if (!existing) {
      await trx.insertInto('shipments').values({
        id: shipmentId, retailer_id: ctx.retailerId, po_id: poId, supplier_order_pk: null, carrier: synced.carrier,
        carrier_source: synced.carrier_source, tracking_number: synced.tracking_number,
        tracking_url: synced.tracking_url, status: synced.status, shipped_at: null, estimated_delivery_date: null,
        delivered_at: null, created_at: stamp, updated_at: stamp,
      }).execute();
    } else {
      const status = mergeShipmentStatus(existing.status, synced.status);
      const carrier = existing.carrier ?? synced.carrier;
      if (status !== existing.status || carrier !== existing.carrier) {
        await trx.updateTable('shipments').set({
          status, carrier, carrier_source: existing.carrier ? existing.carrier_source : synced.carrier_source,
          tracking_url: existing.tracking_url ?? synced.tracking_url, updated_at: stamp,
        }).where('id', '=', existing.id).execute();
      }
    }
    // A new shipment, or one recorded for no line (before cancelled lines were carried too), gets every line.
    if ((!known || known.lines.length === 0) && shipLines.length > 0) {
      await trx.insertInto('shipment_lines').values(shipLines.map((l) => ({ shipment_id: shipmentId, line_id: l.id, quantity: l.quantity })))
        .execute();
    }
  }

  if (po.invoice) {
    const existing = aggregate.invoices.find((i) => i.invoice_number === po.invoice!.invoice_number);
    if (!existing) {
      await trx.insertInto('invoices').values({
        id: newId('inv'), retailer_id: ctx.retailerId, po_id: poId, supplier_id: supplierId, supplier_order_id: null,
        ...po.invoice, document_id: null, created_at: stamp, updated_at: stamp,
      }).execute();
    } else {
      const current = Object.fromEntries(Object.keys(po.invoice).map((k) => [k, existing[k as keyof typeof existing]]));
      const wanted = { ...po.invoice };
      if (!sameJson(current, wanted)) {
        await trx.updateTable('invoices').set({ ...wanted, updated_at: stamp }).where('id', '=', existing.id).execute();
      }
    }
  }

  await trx.updateTable('purchase_orders').set({ updated_at: stamp }).where('id', '=', poId).execute();
  await refreshPoViews(trx, ctx.retailerId, poId);
  // A new PO number, or a new shipment a held update was waiting for (its tracking event): replay what is held.
  if (renumbered || addedShipment) await applyHeld(trx, ctx.retailerId, [po.po_number]);
  return null;
}

/**
 * One page of upstream records, inside the caller's transaction: unchanged ones (same content hash) only marked
 * as listed, new ones inserted in bulk, changed ones updated one by one. A record whose PO number another PO of the
 * retailer already has is reported in `failures` and not written.
 */
export async function writeSyncedPage(
  trx: Db, ctx: SyncWriteContext, records: readonly PageRecord[], stored: ReadonlyMap<string, StoredSyncedRecord>,
): Promise<PageWriteResult> {
  const result: PageWriteResult = { created: 0, updated: 0, unchanged: 0, failures: [] };
  const latest = new Map(records.map((r) => [r.po.upstream_id, r])); // one write per upstream id, its last version
  const unchanged: PageRecord[] = [];
  const changed: PageRecord[] = [];
  const fresh: PageRecord[] = [];
  for (const record of latest.values()) {
    const known = stored.get(record.po.upstream_id);
    if (!known) fresh.push(record);
    else if (known.content_hash === record.hash) unchanged.push(record);
    else changed.push(record);
  }
  const stamp = ctx.now.toISOString();

  // Unchanged: nothing but the bookkeeping.
  result.unchanged = unchanged.length;
  const sameStamp = new Set(unchanged.filter((r) => stored.get(r.po.upstream_id)!.upstream_modified === r.po.upstream_modified));
  await markListed(trx, ctx.connectionId, [...sameStamp].map((r) => r.po.upstream_id), ctx.sweep, stamp);
  for (const record of unchanged) {
    if (sameStamp.has(record)) continue;
    await trx.updateTable('synced_records').set({
      upstream_modified: record.po.upstream_modified, upstream_status: record.po.upstream_status, open: record.po.open ? 1 : 0,
      listed_sweep: ctx.sweep, synced_at: stamp,
    }).where('connection_id', '=', ctx.connectionId).where('upstream_id', '=', record.po.upstream_id).execute();
  }

  // New: refuse numbers already taken, insert the rest in bulk, then apply what suppliers sent before they existed.
  if (fresh.length > 0) {
    const taken = await takenNumbers(trx, ctx.retailerId, fresh.map((r) => r.po.po_number));
    const accepted: PageRecord[] = [];
    const claimed = new Set<string>();
    for (const record of fresh) {
      const holder = taken.get(record.po.po_number);
      if (holder) {
        result.failures.push({ upstream_id: record.po.upstream_id, message: conflictMessage(record.po, holder, ctx.source) });
      } else if (claimed.has(record.po.po_number)) {
        result.failures.push({
          upstream_id: record.po.upstream_id,
          message: `PO number ${record.po.po_number} (upstream ${record.po.upstream_id}) appears twice upstream; only the first is synced.`,
        });
      } else {
        claimed.add(record.po.po_number);
        accepted.push(record);
      }
    }
    const aggregates: PoAggregate[] = [];
    for (const record of accepted) aggregates.push(await buildNewAggregate(trx, ctx, record.po));
    await insertPurchaseOrders(trx, aggregates, await supplierNames(trx, ctx, aggregates.map((a) => a.po.supplier_id)));
    const rows = accepted.map((record, i) => syncedRow(ctx, record, aggregates[i].po.id));
    await insertRows(trx, 'synced_records', rows);
    await applyHeld(trx, ctx.retailerId, accepted.map((r) => r.po.po_number));
    result.created = accepted.length;
  }

  // Changed: their stored state loaded for the page in a few statements (loadPoAggregates: one per table, where one
  // PO at a time took nine per PO), after the new POs above and before any of them is written: a changed PO's update
  // writes only its own rows (and what suppliers sent for its own number), so what is loaded for one PO is what it
  // would find just before its turn. Then diffed and written one PO at a time.
  const aggregates = changed.length === 0 ? new Map<string, PoAggregate>()
    : await loadPoAggregates(trx, ctx.retailerId, changed.map((r) => stored.get(r.po.upstream_id)!.po_id));
  for (const record of changed) {
    const known = stored.get(record.po.upstream_id)!;
    const error = await updateSyncedPo(trx, ctx, known.po_id, record.po, aggregates.get(known.po_id));
    if (error) {
      result.failures.push({ upstream_id: record.po.upstream_id, message: error });
      continue;
    }
    const { connection_id: _c, upstream_id: _u, retailer_id: _r, ...fields } = syncedRow(ctx, record, known.po_id);
    await trx.updateTable('synced_records').set(fields)
      .where('connection_id', '=', ctx.connectionId).where('upstream_id', '=', record.po.upstream_id).execute();
    result.updated++;
  }
  return result;
}

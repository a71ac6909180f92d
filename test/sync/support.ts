// Shared by the sync engine tests: a retailer with a connection row, sandboxes listening on a free port, a run
// with test tuning (no rate limit, quick retries), and a snapshot of everything a sync writes with our own ids
// and timestamps left out, so two databases can be compared PO by PO.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../src/db/database.ts';
import { newId } from '../../src/domain/ids.ts';
import { SHIPSTATION_DEFAULT_API_KEY, createShipStationSandbox, type ShipStationSandbox, type ShipStationSandboxOptions } from '../../src/sandbox/shipstation.ts';
import {
  STOCKY_DEFAULT_API_KEY, STOCKY_DEFAULT_STORE_NAME, createStockySandbox, type StockySandbox, type StockySandboxOptions,
} from '../../src/sandbox/stocky.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { executeSyncRun, type ExtendedSyncRunOptions, type SyncTuning } from '../../src/sync/engine.ts';
import type { ConnectionKind, SyncConnection, SyncResult } from '../../src/sync/types.ts';

/** Sandbox data is "as of" this instant; the sandboxes' clock (churn, edits) runs from just after it. */
export const ANCHOR = Date.parse('2026-11-01T00:00:00Z');

export async function listen<T extends FastifyInstance>(app: T): Promise<{ app: T; url: string; close: () => Promise<void> }> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: address, close: () => app.close() };
}

/** A clock that moves one second per call: deterministic timestamps for churn and edits. */
export function steppingClock(start = ANCHOR + 3_600_000): () => number {
  let t = start;
  return () => (t += 1000);
}

export async function shipStation(options: ShipStationSandboxOptions = {}) {
  return listen<ShipStationSandbox>(createShipStationSandbox({ rateLimit: 0, pos: 50, seed: 7, now: steppingClock(), ...options }));
}

export async function stocky(options: StockySandboxOptions = {}) {
  return listen<StockySandbox>(createStockySandbox({ rateLimit: 0, pos: 50, seed: 7, now: steppingClock(), ...options }));
}

/** A retailer (by name) and a connection row for it; returns what the engine gets. */
export async function makeConnection(db: Db, kind: ConnectionKind, baseUrl: string, retailer = 'sync-retailer'): Promise<SyncConnection> {
  const { retailer: row } = await ensureRetailer(db, retailer);
  const id = newId('po').replace(/^po_/, 'conn_');
  const stamp = new Date().toISOString();
  await db.insertInto('connections').values({
    id, retailer_id: row.id, kind, name: `${kind}-${id}`, base_url: baseUrl, credentials_encrypted: 'test', schedule_minutes: 15,
    enabled: 1, sync_state: null, next_run_at: stamp, created_at: stamp, updated_at: stamp,
  }).execute();
  const credentials = kind === 'shipstation'
    ? { api_key: SHIPSTATION_DEFAULT_API_KEY }
    : { store_name: STOCKY_DEFAULT_STORE_NAME, api_key: STOCKY_DEFAULT_API_KEY };
  return { id, retailer_id: row.id, kind, name: `${kind}-${id}`, base_url: baseUrl, credentials, sync_state: null };
}

/** Quick retries, no rate limit: what tests run with unless they say otherwise. */
export const FAST: Partial<SyncTuning> = {
  requestsPerMinute: 0, backoffBaseMs: 5, backoffCapMs: 50, timeoutMs: 2_000, maxAttempts: 8, concurrency: 4,
};

export function run(db: Db, connection: SyncConnection, options: Partial<ExtendedSyncRunOptions> = {}): Promise<SyncResult> {
  return executeSyncRun(db, connection, {
    runId: 'run_test', full: false, ...options, tuning: { ...FAST, ...options.tuning },
  });
}

/**
 * Everything a connection's syncs wrote for a retailer, keyed by PO number, without our ids and clocks: header,
 * lines, shipments, invoices, the status events (axis, line sku, from → to, source) in order, and the
 * synced_records rows. Two runs that converge give equal snapshots.
 */
export async function snapshot(db: Db, retailerId: string) {
  const pos = await db.selectFrom('purchase_orders as po')
    .leftJoin('suppliers as s', 's.id', 'po.supplier_id')
    .leftJoin('warehouses as w', 'w.id', 'po.warehouse_id')
    .select(['po.id', 'po.po_number', 'po.order_number', 'po.source', 'po.source_id', 'po.status', 'po.order_date',
      'po.expected_delivery_date', 'po.currency', 'po.payment_terms', 'po.payment_status', 'po.reference_number',
      'po.note_to_supplier', 'po.shipping_carrier', 'po.tracking_number', 's.name as supplier', 'w.name as warehouse'])
    .where('po.retailer_id', '=', retailerId).orderBy('po.po_number').execute();
  const lines = await db.selectFrom('po_lines')
    .select(['id', 'po_id', 'line_no', 'sku', 'supplier_sku', 'product_name', 'description', 'quantity', 'unit_cost_cents',
      'received_quantity', 'rejected_quantity', 'fulfilment_status', 'source_line_id'])
    .where('retailer_id', '=', retailerId).orderBy('po_id').orderBy('line_no').execute();
  const shipments = await db.selectFrom('shipments').select(['po_id', 'tracking_number', 'carrier', 'status', 'tracking_url'])
    .where('retailer_id', '=', retailerId).orderBy('po_id').orderBy('tracking_number').execute();
  const invoices = await db.selectFrom('invoices')
    .select(['po_id', 'invoice_number', 'invoice_date', 'due_date', 'subtotal_cents', 'shipping_cents', 'total_cents', 'currency', 'status'])
    .where('retailer_id', '=', retailerId).orderBy('po_id').orderBy('invoice_number').execute();
  const events = await db.selectFrom('status_events').select(['po_id', 'line_id', 'axis', 'from_status', 'to_status', 'source'])
    .where('retailer_id', '=', retailerId).orderBy('po_id').orderBy('id').execute();
  const synced = await db.selectFrom('synced_records').select(['upstream_id', 'po_id', 'content_hash', 'upstream_modified', 'upstream_status', 'open'])
    .where('retailer_id', '=', retailerId).orderBy('upstream_id').execute();
  const skuOf = new Map(lines.map((l) => [l.id, l.sku]));
  const numberOf = new Map(pos.map((p) => [p.id, p.po_number]));
  const group = <T extends { po_id: string }>(rows: T[]) => {
    const out = new Map<string, Omit<T, 'po_id'>[]>();
    for (const { po_id, ...rest } of rows) {
      const list = out.get(po_id) ?? [];
      list.push(rest);
      out.set(po_id, list);
    }
    return out;
  };
  const linesByPo = group(lines.map(({ id: _id, ...l }) => l));
  const shipmentsByPo = group(shipments);
  const invoicesByPo = group(invoices);
  const eventsByPo = group(events.map(({ line_id, ...e }) => ({ ...e, line: line_id ? skuOf.get(line_id) ?? '?' : null })));
  const result: Record<string, unknown> = {};
  for (const { id, ...po } of pos) {
    result[po.po_number] = {
      ...po, lines: linesByPo.get(id) ?? [], shipments: shipmentsByPo.get(id) ?? [], invoices: invoicesByPo.get(id) ?? [],
      events: eventsByPo.get(id) ?? [],
    };
  }
  return { pos: result, synced: synced.map(({ po_id, ...s }) => ({ ...s, po: numberOf.get(po_id) ?? '?' })) };
}

export async function countPos(db: Db, retailerId: string): Promise<number> {
  const row = await db.selectFrom('purchase_orders').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('retailer_id', '=', retailerId).executeTakeFirstOrThrow();
  return Number(row.n);
}

// The sync engine against the ShipStation and Stocky sandboxes, on SQLite and PostgreSQL: full, incremental and
// churned runs end with every upstream PO stored as the upstream has it; a run with no upstream change reports all
// unchanged and writes nothing; every injected fault is recovered; PO numbers taken by another source fail the
// record, not the run; supplier updates held for a number are applied when the PO syncs.
import { afterAll, describe, expect, it } from 'vitest';
import { parseSupplierUpdates } from '../../src/domain/supplier-updates.ts';
import { stageOf } from '../../src/sandbox/stocky-data.ts';
import { createPurchaseOrder } from '../../src/store/purchase-order-lifecycle.ts';
import { ingestSupplierUpdates } from '../../src/store/supplier-updates.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { stockyLifecycle } from '../../src/sync/connectors/stocky-mapping.ts';
import type { Db } from '../../src/db/database.ts';
import { TestDatabases } from '../support/test-database.ts';
import { countPos, makeConnection, run, shipStation, snapshot, stocky } from './support.ts';

const databases = TestDatabases.create();

async function storedByUpstream(db: Db, connectionId: string) {
  const rows = await db.selectFrom('synced_records as r').innerJoin('purchase_orders as po', 'po.id', 'r.po_id')
    .select(['r.upstream_id', 'po.status', 'po.po_number']).where('r.connection_id', '=', connectionId).execute();
  return new Map(rows.map((r) => [r.upstream_id, r]));
}

async function eventCount(db: Db, retailerId: string): Promise<number> {
  const row = await db.selectFrom('status_events').select((eb) => eb.fn.countAll<number>().as('n')).where('retailer_id', '=', retailerId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Snapshot without the status-event histories (a fresh full sync has no history to compare) and without content
 * hashes (a PO found by the re-check is mapped without its supplier's name, which only the list shows).
 */
const withoutEvents = (s: Awaited<ReturnType<typeof snapshot>>) => ({
  pos: Object.fromEntries(Object.entries(s.pos).map(([k, v]) => [k, { ...(v as object), events: undefined }])),
  synced: s.synced.map(({ upstream_modified: _m, content_hash: _h, ...rest }) => rest),
});

describe.each(databases.eachSupportedId())('sync engine on %s', (databaseId) => {
  describe('ShipStation', () => {
    it('full sync: every PO with its lines, supplier, warehouse and tracking; a second run finds all unchanged', async () => {
      const { db } = await databases.init(databaseId);
      const sandbox = await shipStation({ pos: 120 });
      afterAll(sandbox.close);
      const connection = await makeConnection(db, 'shipstation', sandbox.url);
      const first = await run(db, connection);
      expect(first).toEqual({ counts: { fetched: 120, created: 120, updated: 0, unchanged: 0, failed: 0 }, error: null });

      const upstream = sandbox.app.sandbox.state.all();
      const stored = await storedByUpstream(db, connection.id);
      for (const po of upstream) expect(stored.get(po.purchase_order_id)).toMatchObject({ status: po.status, po_number: po.order_number });
      const sample = upstream.find((po) => po.tracking_number && po.products.length > 1)!;
      const row = await db.selectFrom('purchase_orders as po').innerJoin('suppliers as s', 's.id', 'po.supplier_id')
        .innerJoin('warehouses as w', 'w.id', 'po.warehouse_id').select(['po.id', 's.name as supplier', 'w.name as warehouse', 'po.view_v2', 'po.source', 'po.source_id'])
        .where('po.po_number', '=', sample.order_number).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ supplier: sample.supplier_name, warehouse: `ShipStation warehouse ${sample.warehouse_id}`, source: 'shipstation', source_id: sample.purchase_order_id });
      const lines = await db.selectFrom('po_lines').select(['sku', 'quantity', 'unit_cost_cents', 'source_line_id']).where('po_id', '=', row.id).orderBy('line_no').execute();
      expect(lines).toEqual(sample.products.map((p) => ({ sku: p.sku, quantity: p.quantity, unit_cost_cents: Math.round(p.cost * 100), source_line_id: p.sku })));
      const shipments = await db.selectFrom('shipments').select(['tracking_number', 'carrier']).where('po_id', '=', row.id).execute();
      expect(shipments).toEqual([{ tracking_number: sample.tracking_number!.toUpperCase(), carrier: sample.shipping_carrier!.toLowerCase() }]);
      const view = JSON.parse(row.view_v2);
      expect(view).toMatchObject({ po_number: sample.order_number, suppliers: [sample.supplier_name] });
      expect(view.items).toHaveLength(sample.products.length);

      const events = await eventCount(db, connection.retailer_id);
      const requestsBefore = sandbox.app.sandbox.stats.requests;
      const second = await run(db, connection);
      expect(second.counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
      expect(second.counts.unchanged).toBe(second.counts.fetched);
      expect(second.counts.fetched).toBeGreaterThan(0);
      expect(await eventCount(db, connection.retailer_id)).toBe(events);
      // Headers only: no PO was fetched by id.
      const listRequests = sandbox.app.sandbox.stats.requests - requestsBefore;
      expect(listRequests).toBeLessThanOrEqual(6);

      const full = await run(db, connection, { full: true });
      expect(full.counts).toEqual({ fetched: 120, created: 0, updated: 0, unchanged: 120, failed: 0 });
    });

    it('incremental with churn: new and advanced POs (also those that left the open statuses) end as upstream has them', async () => {
      const { db } = await databases.init(databaseId);
      const sandbox = await shipStation({ pos: 150, churnCreate: 4, churnAdvance: 12 });
      afterAll(sandbox.close);
      const connection = await makeConnection(db, 'shipstation', sandbox.url);
      await run(db, connection);
      const upstream = sandbox.app.sandbox;
      let created = 0;
      let advanced = 0;
      for (let i = 0; i < 5; i++) {
        const step = upstream.churn();
        created += step.created;
        advanced += step.advanced;
      }
      // A received PO closed upstream leaves every status listing: only the re-check finds it.
      const received = upstream.state.all().find((po) => po.status === 'received')!;
      upstream.state.update(received.purchase_order_id, (po) => { po.status = 'closed'; });
      const result = await run(db, connection);
      expect(result.counts.created).toBe(created);
      expect(result.counts.updated).toBeGreaterThan(0);
      expect(result.counts.updated).toBeLessThanOrEqual(advanced + 1);
      expect(result.counts.failed).toBe(0);
      const stored = await storedByUpstream(db, connection.id);
      expect(stored.size).toBe(150 + created);
      for (const po of upstream.state.all()) expect(stored.get(po.purchase_order_id)?.status).toBe(po.status);

      // The same as syncing everything afresh (history aside).
      const fresh = await databases.init(databaseId);
      const freshConnection = await makeConnection(fresh.db, 'shipstation', sandbox.url);
      await run(fresh.db, freshConnection);
      expect(withoutEvents(await snapshot(db, connection.retailer_id))).toEqual(withoutEvents(await snapshot(fresh.db, freshConnection.retailer_id)));

      const again = await run(db, connection);
      expect(again.counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
    });

    it.each([
      ['429 with Retry-After', { '429': 0.04 }],
      ['500', { '500': 0.15 }],
      ['timeout', { timeout: 0.08 }],
      ['truncated JSON', { truncated: 0.15 }],
    ])('recovers from %s', async (_name, faults) => {
      const { db } = await databases.init(databaseId);
      const sandbox = await shipStation({ pos: 60, faults, timeoutHangMs: 5_000 });
      afterAll(sandbox.close);
      const connection = await makeConnection(db, 'shipstation', sandbox.url);
      const result = await run(db, connection, { tuning: { timeoutMs: 300 } });
      expect(result.counts).toMatchObject({ fetched: 60, created: 60, failed: 0 });
      const injected = Object.values(sandbox.app.sandbox.stats.faults).reduce((a, b) => a + b, 0);
      expect(injected).toBeGreaterThan(0);
      const stored = await storedByUpstream(db, connection.id);
      for (const po of sandbox.app.sandbox.state.all()) expect(stored.get(po.purchase_order_id)?.status).toBe(po.status);
    });

    it('a run that gives up fails with the upstream message, and the next run resumes', async () => {
      const { db } = await databases.init(databaseId);
      const sandbox = await shipStation({ pos: 30, faults: { '500': 1 } });
      afterAll(sandbox.close);
      const connection = await makeConnection(db, 'shipstation', sandbox.url);
      await expect(run(db, connection, { tuning: { maxAttempts: 2 } }))
        .rejects.toThrow('ShipStation: An unexpected error occurred. Please try again. (HTTP 500) (gave up after 2 attempts)');
      sandbox.app.sandbox.options.faults['500'] = 0;
      expect((await run(db, connection)).counts.created).toBe(30);
    });

    it('a PO number another source already uses fails that record (the run goes on), and is not overwritten', async () => {
      const { db } = await databases.init(databaseId);
      const sandbox = await shipStation({ pos: 20 });
      afterAll(sandbox.close);
      const connection = await makeConnection(db, 'shipstation', sandbox.url);
      const taken = sandbox.app.sandbox.state.all()[3];
      const supplierId = await ensureSupplier(db, connection.retailer_id, { name: 'Own supplier' });
      const warehouseId = await ensureWarehouse(db, connection.retailer_id, { name: 'Own warehouse', address: null, locations: [] });
      await createPurchaseOrder(db, { id: connection.retailer_id, timezone: 'UTC' }, {
        supplier_id: supplierId, warehouse_id: warehouseId, po_number: taken.order_number,
        products: [{ sku: 'OWN-1', supplier_sku: null, quantity: 1, cost_cents: 100, product_name: null, description: null }],
      }, async () => {});
      const result = await run(db, connection);
      expect(result.counts).toMatchObject({ fetched: 20, created: 19, failed: 1 });
      expect(result.error).toContain(`PO number ${taken.order_number}`);
      expect(result.error).toContain('a purchase order from ordersync');
      const own = await db.selectFrom('purchase_orders').select(['source', 'status']).where('po_number', '=', taken.order_number).execute();
      expect(own).toEqual([{ source: 'ordersync', status: 'draft' }]);
      // It stays failed on the next run, with the same error.
      const again = await run(db, connection, { full: true });
      expect(again.counts).toMatchObject({ failed: 1, created: 0 });
    });

    it('supplier updates held for a PO number are applied when the PO syncs', async () => {
      const { db } = await databases.init(databaseId);
      const sandbox = await shipStation({ pos: 20 });
      afterAll(sandbox.close);
      const connection = await makeConnection(db, 'shipstation', sandbox.url);
      const target = sandbox.app.sandbox.state.all().find((po) => po.status === 'open' && !po.tracking_number)
        ?? sandbox.app.sandbox.state.all().find((po) => po.status === 'draft')!;
      const parsed = parseSupplierUpdates([{
        type: 'order', po_number: target.order_number, supplier_order_id: 'SO-777', supplier_name: target.supplier_name, status: 'confirmed',
      }]);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
      const [held] = await ingestSupplierUpdates(db, connection.retailer_id, parsed.updates);
      expect(held.result).toBe('unmatched');
      await run(db, connection);
      const po = await db.selectFrom('purchase_orders').select(['id', 'view_v2']).where('po_number', '=', target.order_number).executeTakeFirstOrThrow();
      const orders = await db.selectFrom('supplier_orders').select('supplier_order_id').where('po_id', '=', po.id).execute();
      expect(orders).toEqual([{ supplier_order_id: 'SO-777' }]);
      expect(JSON.parse(po.view_v2).items[0].supplier_order_id).toBe('SO-777');
      expect(await db.selectFrom('held_supplier_updates').selectAll().execute()).toEqual([]);
    });
  });

  describe('Stocky', () => {
    it('full sync, an unchanged second run, and churn: every PO as Stocky has it, with its invoice', async () => {
      const { db } = await databases.init(databaseId);
      const sandbox = await stocky({ pos: 300, churnCreate: 3, churnAdvance: 10 });
      afterAll(sandbox.close);
      const connection = await makeConnection(db, 'stocky', sandbox.url);
      const first = await run(db, connection);
      expect(first.counts).toEqual({ fetched: 300, created: 300, updated: 0, unchanged: 0, failed: 0 });
      const check = async () => {
        const stored = await storedByUpstream(db, connection.id);
        expect(stored.size).toBe(sandbox.app.sandbox.state.size);
        for (const po of sandbox.app.sandbox.state.all()) {
          expect(stored.get(String(po.id))).toMatchObject({ status: stockyLifecycle(po), po_number: String(po.number) });
        }
      };
      await check();
      expect(stageOf(sandbox.app.sandbox.state.all()[0])).toBeDefined();
      const invoiced = sandbox.app.sandbox.state.all().find((po) => po.invoice_number)!;
      const invoice = await db.selectFrom('invoices as i').innerJoin('purchase_orders as po', 'po.id', 'i.po_id')
        .select(['i.invoice_number', 'i.currency', 'i.status']).where('po.po_number', '=', String(invoiced.number)).executeTakeFirstOrThrow();
      expect(invoice).toEqual({ invoice_number: invoiced.invoice_number, currency: invoiced.currency, status: invoiced.paid ? 'paid' : 'open' });

      const events = await eventCount(db, connection.retailer_id);
      const second = await run(db, connection);
      expect(second.counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
      expect(second.counts.unchanged).toBe(second.counts.fetched);
      expect(await eventCount(db, connection.retailer_id)).toBe(events);

      let created = 0;
      for (let i = 0; i < 4; i++) created += sandbox.app.sandbox.churn().created;
      const third = await run(db, connection);
      expect(third.counts.created).toBe(created);
      expect(third.counts.updated).toBeGreaterThan(0);
      await check();
      expect(await countPos(db, connection.retailer_id)).toBe(300 + created);
    });

    it.each([
      ['429 with Retry-After', { '429': 0.1 }],
      ['500', { '500': 0.2 }],
      ['timeout', { timeout: 0.15 }],
      ['truncated JSON', { truncated: 0.2 }],
    ])('recovers from %s', async (_name, faults) => {
      const { db } = await databases.init(databaseId);
      const sandbox = await stocky({ pos: 120, faults, timeoutHangMs: 5_000 });
      afterAll(sandbox.close);
      const connection = await makeConnection(db, 'stocky', sandbox.url);
      const result = await run(db, connection, { tuning: { timeoutMs: 300, pageSize: 20 } });
      expect(result.counts).toMatchObject({ fetched: 120, created: 120, failed: 0 });
      expect(Object.values(sandbox.app.sandbox.stats.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    });
  });
});

// The per-day PO and line counts behind by-date (migration 0009, DESIGN 7), and each PO's line count (0020),
// equal a count(*) of the stored rows after every kind of write: seeding, the lifecycle API (create, replace,
// re-date, cancel), supplier updates, a sync run and its re-run, a connection deleted, a PO re-dated and deleted
// with its lines. And by-date pages read through the counts are, at every depth, the slices of the full ordered
// list, also where many POs share one order date (the tie broken by PO id) and a PO's lines straddle pages.
// Each PO's suppliers (0022, the console list's supplier filter) likewise equal the rows after every such write,
// and after a PO's or a line's supplier changes, a line moves to another PO and a PO's status changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { dayRange } from '../../src/domain/dates.ts';
import { locateLine } from '../../src/store/orders-by-date.ts';
import { TestDatabases } from '../support/test-database.ts';
import { insertPurchaseOrders, supplierNamesOf } from '../../src/store/purchase-orders.ts';
import { buildPo } from '../support/fixtures.ts';
import { createWorld, type World } from '../support/world.ts';
import { makeConnection, run, stocky } from '../sync/support.ts';

const databases = TestDatabases.create();

/** What the counts should be, from the rows themselves; days with nothing left are left out. */
async function countedFromRows(db: Db) {
  const rows = await sql<{ retailer_id: string; day: string; pos: number; lines: number }>`
    select po.retailer_id, substr(po.order_date, 1, 10) as day, count(*) as pos, coalesce(sum(l.n), 0) as lines
    from purchase_orders po left join (select po_id, count(*) as n from po_lines group by po_id) l on l.po_id = po.id
    group by po.retailer_id, substr(po.order_date, 1, 10) order by 1, 2`.execute(db);
  return rows.rows.map((r) => ({ ...r, pos: Number(r.pos), lines: Number(r.lines) }));
}

/** Each PO's line count (migration 0020), from the rows; POs without lines are left out. */
async function lineCountsFromRows(db: Db) {
  const rows = await sql<{ retailer_id: string; order_date: string; po_id: string; lines: number }>`
    select po.retailer_id, po.order_date, po.id as po_id, count(*) as lines
    from purchase_orders po join po_lines l on l.po_id = po.id
    group by po.retailer_id, po.order_date, po.id order by 1, 2, 3`.execute(db);
  return rows.rows.map((r) => ({ ...r, lines: Number(r.lines) }));
}

async function keptLineCounts(db: Db) {
  const rows = await db.selectFrom('po_line_counts').selectAll().where('lines', '<>', 0)
    .orderBy('retailer_id').orderBy('order_date').orderBy('po_id').execute();
  return rows.map((r) => ({ ...r, lines: Number(r.lines) }));
}

/** Each PO's suppliers (migration 0022) from the rows: its header's and its lines', with the counts and its v2 status. */
async function suppliersFromRows(db: Db) {
  const rows = await db.selectFrom('purchase_orders as po').leftJoin('po_lines as l', 'l.po_id', 'po.id')
    .select(['po.id', 'po.retailer_id', 'po.order_date', 'po.supplier_id', 'po.view_v2', 'l.supplier_id as line_supplier']).execute();
  const pairs = new Map<string, { retailer_id: string; supplier_id: string; po_id: string; order_date: string; v2_status: string; on_header: number; lines: number }>();
  const pair = (row: (typeof rows)[number], supplier: string) => {
    const key = `${row.id} ${supplier}`;
    if (!pairs.has(key)) {
      pairs.set(key, { retailer_id: row.retailer_id, supplier_id: supplier, po_id: row.id, order_date: row.order_date,
        v2_status: JSON.parse(row.view_v2).status, on_header: 0, lines: 0 });
    }
    return pairs.get(key)!;
  };
  for (const row of rows) {
    if (row.supplier_id !== null) pair(row, row.supplier_id).on_header = 1;
    if (row.line_supplier !== null) pair(row, row.line_supplier).lines++;
  }
  return [...pairs.values()].sort((a, b) => (a.po_id === b.po_id ? (a.supplier_id < b.supplier_id ? -1 : 1) : a.po_id < b.po_id ? -1 : 1));
}

async function keptSuppliers(db: Db) {
  const rows = await db.selectFrom('po_suppliers').selectAll().orderBy('po_id').orderBy('supplier_id').execute();
  return rows.map((r) => ({ ...r, on_header: Number(r.on_header), lines: Number(r.lines) }));
}

async function keptCounts(db: Db) {
  const rows = await db.selectFrom('po_day_counts').selectAll()
    .where((eb) => eb.or([eb('pos', '<>', 0), eb('lines', '<>', 0)])).orderBy('retailer_id').orderBy('day').execute();
  return rows.map((r) => ({ ...r, pos: Number(r.pos), lines: Number(r.lines) }));
}

describe.each(databases.eachSupportedId())('per-day counts on %s', (databaseId) => {
  let world: World;
  let db: Db;
  let writeKey: string;
  let adminKey: string;
  let supplierId: string;
  let warehouseId: string;
  const expectCountsKept = async () => {
    const expected = await countedFromRows(db);
    expect(expected.length).toBeGreaterThan(0);
    expect(await keptCounts(db)).toEqual(expected);
    const perPo = await lineCountsFromRows(db);
    expect(perPo.length).toBeGreaterThan(0);
    expect(await keptLineCounts(db)).toEqual(perPo);
    const suppliers = await suppliersFromRows(db);
    expect(suppliers.length).toBeGreaterThan(0);
    expect(await keptSuppliers(db)).toEqual(suppliers);
  };
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, key = writeKey) =>
    world.app.inject({ method, url, payload: body as object, headers: { 'x-api-key': key } });

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    world = await createWorld(db, { seedA: 40, seedB: 10 });
    writeKey = (await createApiKey(db, world.retailerA, 'writer', ['read', 'write'])).secret;
    supplierId = await ensureSupplier(db, world.retailerA, { name: 'Acushnet' });
    warehouseId = await ensureWarehouse(db, world.retailerA, { name: 'Main', address: null, locations: ['Dock'] });
  });
  afterAll(async () => {
    await world?.app.close();
  });

  it('after seeding (and the migration\'s own back-fill)', async () => {
    await expectCountsKept();
  });

  it('after the lifecycle API: create, replace lines, re-date an open PO, cancel', async () => {
    const product = (sku: string, quantity: number) => ({ sku, supplier_sku: `S-${sku}`, quantity, cost: 10 });
    const created = await call('POST', '/api/v2/purchase_orders', {
      supplier_id: supplierId, warehouse_id: warehouseId, products: [product('A', 1), product('B', 2)],
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().purchase_order_id;
    await expectCountsKept();
    const replaced = await call('PUT', `/api/v2/purchase_orders/${id}`, {
      supplier_id: supplierId, warehouse_id: warehouseId, products: [product('B', 1), product('C', 1), product('D', 4)],
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    await expectCountsKept();
    expect((await call('POST', `/api/v2/purchase_orders/${id}/status`, { status: 'open' })).statusCode).toBe(200);
    const redated = await call('POST', `/api/v2/purchase_orders/${id}/shipping_details`, { order_date: '2019-03-04T05:06:07Z' });
    expect(redated.statusCode, redated.body).toBe(200);
    const stored = await db.selectFrom('purchase_orders').select('order_date').where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.order_date).toBe('2019-03-04T05:06:07.000Z');
    await expectCountsKept();
    expect((await call('POST', `/api/v2/purchase_orders/${id}/status`, { status: 'cancelled' })).statusCode).toBe(200);
    await expectCountsKept();
  });

  it('after supplier updates, held and applied', async () => {
    const response = await call('POST', '/api/v2/supplier_updates', { updates: [
      { type: 'order', po_number: 'PO-A1002', supplier_order_id: 'SO-COUNT-1', supplier_name: 'Acushnet', status: 'confirmed' },
      { type: 'order', po_number: 'PO-NOT-YET', supplier_order_id: 'SO-COUNT-2', supplier_name: 'Acushnet', status: 'confirmed' },
    ] });
    expect(response.statusCode, response.body).toBeLessThan(300);
    await expectCountsKept();
  });

  it('after a sync, a re-sync with changes upstream, and deleting the connection', async () => {
    const sandbox = await stocky({ pos: 30 });
    try {
      const connection = await makeConnection(db, 'stocky', sandbox.url, 'acme-golf');
      const first = await run(db, connection);
      expect(first.counts.created).toBe(30);
      await expectCountsKept();
      sandbox.app.sandbox.churn();
      const second = await run(db, connection, { full: true });
      expect(second.counts.created + second.counts.updated).toBeGreaterThan(0);
      await expectCountsKept();
      adminKey = (await createApiKey(db, world.retailerA, 'admin', ['read', 'admin'])).secret;
      const deleted = await call('DELETE', `/api/v2/connections/${connection.id}`, undefined, adminKey);
      expect(deleted.statusCode, deleted.body).toBeLessThan(300);
      await expectCountsKept();
    } finally {
      await sandbox.close();
    }
  });

  it('after a PO\'s supplier and its lines\' suppliers change, a line moves to another PO, and its status changes', async () => {
    const { cobra, acushnet, taylormade } = world.suppliers;
    const po = buildPo({
      retailer_id: world.retailerA, po_number: 'PO-SUPPLIERS', order_date: '2027-06-23T12:00:00.000Z', supplier_id: cobra,
      lines: [1, 2, 3].map((n) => ({ product_name: `Part ${n}`, sku: `P-${n}`, quantity: n, unit_cost_cents: 100, status: 'pending' as const,
        supplier_id: n === 3 ? taylormade : cobra })),
    });
    await insertPurchaseOrders(db, [po], await supplierNamesOf(db, world.retailerA));
    await expectCountsKept();
    // The header's supplier moves to one a line has, then to one no line has, then to none.
    for (const supplier of [taylormade, acushnet, null, cobra]) {
      await db.updateTable('purchase_orders').set({ supplier_id: supplier }).where('id', '=', po.po.id).execute();
      await expectCountsKept();
    }
    // A line's supplier changes (to another, to none, back); a line moves to another PO; the PO's rendering changes status.
    const [first, , third] = po.lines;
    for (const supplier of [acushnet, null, taylormade]) {
      await db.updateTable('po_lines').set({ supplier_id: supplier }).where('id', '=', first.id).execute();
      await expectCountsKept();
    }
    await db.updateTable('po_lines').set({ po_id: world.po.a2.po.id }).where('id', '=', third.id).execute();
    await expectCountsKept();
    const view = JSON.parse((await db.selectFrom('purchase_orders').select('view_v2').where('id', '=', po.po.id).executeTakeFirstOrThrow()).view_v2);
    await db.updateTable('purchase_orders').set({ view_v2: JSON.stringify({ ...view, status: 'cancelled' }), order_date: '2027-06-24T00:00:00.000Z' })
      .where('id', '=', po.po.id).execute();
    await expectCountsKept();
  });

  it('after a PO is re-dated, its lines deleted one by one, then the PO deleted', async () => {
    const po = buildPo({
      retailer_id: world.retailerA, po_number: 'PO-TO-DELETE', order_date: '2027-06-22T12:00:00.000Z',
      lines: [1, 2, 3].map((n) => ({ product_name: `Thing ${n}`, sku: `T-${n}`, quantity: n, unit_cost_cents: 100, status: 'pending' as const })),
    });
    await insertPurchaseOrders(db, [po], await supplierNamesOf(db, world.retailerA));
    await expectCountsKept();
    await db.updateTable('purchase_orders').set({ order_date: '2031-01-01T23:59:59.999Z' }).where('id', '=', po.po.id).execute();
    await expectCountsKept();
    await db.deleteFrom('status_events').where('po_id', '=', po.po.id).execute();
    for (const line of po.lines) {
      await db.deleteFrom('po_lines').where('id', '=', line.id).execute();
      await expectCountsKept();
    }
    await db.deleteFrom('purchase_orders').where('id', '=', po.po.id).execute();
    await expectCountsKept();
  });
});

describe.each(databases.eachSupportedId())('by-date pages at depth on %s', (databaseId) => {
  let world: World;
  beforeAll(async () => {
    const { db } = await databases.init(databaseId);
    world = await createWorld(db, { seedA: 120 });
  });
  afterAll(async () => {
    await world?.app.close();
  });

  /** Every record of a range, straight from the tables, in the documented order. */
  async function everyRecord(version: 'v1' | 'v2', start: string, end: string) {
    const range = dayRange(start, end, 'America/Los_Angeles');
    const base = world.db.selectFrom('purchase_orders as po').where('po.retailer_id', '=', world.retailerA)
      .where('po.order_date', '>=', range.from).where('po.order_date', '<', range.to);
    if (version === 'v2') {
      return (await base.select('po.po_number as key').orderBy('po.order_date').orderBy('po.id').execute()).map((r) => r.key);
    }
    return (await base.innerJoin('po_lines as l', 'l.po_id', 'po.id').select('l.id as key')
      .orderBy('po.order_date').orderBy('po.id').orderBy('l.line_no').execute()).map((r) => r.key);
  }

  /** Pages `limit` records at a time through a range; each must be its slice of everyRecord, with the right meta. */
  async function expectSlices(version: 'v1' | 'v2', start: string, end: string, limit: number) {
    const all = await everyRecord(version, start, end);
    const seen: string[] = [];
    for (let page = 1; page <= Math.ceil(all.length / limit) + 1; page++) {
      const response = await world.app.inject({
        method: 'GET', url: `/api/${version}/orders/by-date?start_date=${start}&end_date=${end}&page=${page}&limit=${limit}`,
        headers: { 'x-api-key': world.keys.a },
      });
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body.meta).toEqual({ total: all.length, page, limit, has_more: page * limit < all.length });
      seen.push(...body.data.map((r: any) => (version === 'v2' ? r.po_number : r.order_id)));
    }
    expect(seen).toEqual(all);
    return all.length;
  }

  // Ranges whose ends fall inside UTC days (Los Angeles midnight is 07:00Z or 08:00Z), one day, and years.
  it.each([
    ['v2', '2024-10-01', '2026-11-30'], ['v1', '2024-10-01', '2026-11-30'],
    ['v2', '2025-03-01', '2025-09-30'], ['v1', '2025-11-02', '2026-03-08'],
    ['v2', '2027-06-15', '2027-06-15'], ['v1', '2027-06-14', '2027-06-16'],
    ['v2', '2000-01-01', '2099-12-31'],
  ] as const)('%s %s..%s: every page is its slice of the whole, and total its length', async (version, start, end) => {
    await expectSlices(version, start, end, 7);
  });

  // 25 POs at one instant (and 3 a millisecond either side), with 0 to 4 lines: the page's first PO is found among
  // equal order dates by PO id, and a PO's lines are split between pages at every limit.
  it.each([
    ['v1', 1], ['v1', 2], ['v1', 3], ['v1', 5], ['v1', 8], ['v2', 1], ['v2', 4],
  ] as const)('%s, limit %i: POs sharing one order date page in PO id order, lines split across pages', async (version, limit) => {
    const sharedInstant = '2028-02-10T18:30:00.000Z';
    const existing = await world.db.selectFrom('purchase_orders').select('id').where('po_number', 'like', 'PO-TIE-%').execute();
    if (existing.length === 0) {
      const instants = [...Array.from({ length: 25 }, () => sharedInstant),
        '2028-02-10T18:29:59.999Z', '2028-02-10T18:30:00.001Z', '2028-02-10T18:30:00.001Z'];
      const pos = instants.map((order_date, i) => buildPo({
        retailer_id: world.retailerA, po_number: `PO-TIE-${String(i).padStart(2, '0')}`, order_date,
        lines: Array.from({ length: i % 5 }, (_, n) => ({
          product_name: `Tie ${i}.${n}`, sku: `TIE-${i}-${n}`, quantity: 1, unit_cost_cents: 100, status: 'pending' as const,
        })),
      }));
      await insertPurchaseOrders(world.db, pos, await supplierNamesOf(world.db, world.retailerA));
    }
    expect(await expectSlices(version, '2028-02-10', '2028-02-10', limit)).toBe(version === 'v2' ? 28 : 53);
    await expectSlices(version, '2028-02-01', '2028-02-29', limit + 2);
  });

  // The PO a v1 page starts at is found by summing per-PO line counts a chunk at a time (2,048 POs in the service);
  // small chunks here put chunk ends at every place: inside a run of POs sharing one instant, at POs without lines.
  it.each([2, 5, 64])('v1: the line at every depth is found with chunks of %i POs', async (chunk) => {
    if ((await world.db.selectFrom('purchase_orders').select('id').where('po_number', 'like', 'PO-TIE-%').execute()).length === 0) {
      await expectSlices('v1', '2028-02-10', '2028-02-10', 3); // inserts the POs sharing one order date
    }
    const range = dayRange('2024-10-01', '2028-12-31', 'America/Los_Angeles');
    const lines = await world.db.selectFrom('purchase_orders as po').innerJoin('po_lines as l', 'l.po_id', 'po.id')
      .select(['po.order_date', 'po.id', 'l.line_no'])
      .where('po.retailer_id', '=', world.retailerA).where('po.order_date', '>=', range.from).where('po.order_date', '<', range.to)
      .orderBy('po.order_date').orderBy('po.id').orderBy('l.line_no').execute();
    expect(lines.length).toBeGreaterThan(100);
    let offset = 0;
    for (let skip = 0; skip <= lines.length; skip++) {
      const found = await locateLine(world.db, world.retailerA, range.from, range.to, skip, chunk);
      if (skip === lines.length) {
        expect(found).toBeNull();
        break;
      }
      offset = skip > 0 && lines[skip].id === lines[skip - 1].id ? offset + 1 : 0;
      expect(found, `skip ${skip}`).toEqual({ orderDate: lines[skip].order_date, poId: lines[skip].id, offset });
    }
  });
});

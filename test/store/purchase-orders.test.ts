// The PO aggregate in the database: it reads back as written on both databases, its stored renderings stay
// current when it changes (refreshPoViews), and the seed writes the same data every time and resumes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPoAggregate, refreshPoViews, supplierNamesOf, type PoAggregate } from '../../src/store/purchase-orders.ts';
import { seedDatabase } from '../../src/seed/seed.ts';
import { poNumberFor } from '../../src/seed/generate.ts';
import { endpoints, expectEnvelope } from '../support/contract.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, type World } from '../support/world.ts';

const databases = TestDatabases.create();

/** The aggregate with its lists in a canonical order, for comparing. */
function canonical(aggregate: PoAggregate) {
  const byId = <T>(key: (item: T) => string) => (a: T, b: T) => key(a).localeCompare(key(b));
  return {
    po: aggregate.po,
    // source_line_id is optional in the aggregate (synced lines only) and reads back as null.
    lines: [...aggregate.lines].sort((a, b) => a.line_no - b.line_no).map((line) => ({ source_line_id: null, ...line })),
    supplierOrders: [...aggregate.supplierOrders].sort(byId((s) => s.order.id))
      .map((s) => ({ order: s.order, lines: [...s.lines].sort(byId((l) => l.line_id)) })),
    shipments: [...aggregate.shipments].sort(byId((s) => s.shipment.id)).map((s) => ({
      shipment: s.shipment, lines: [...s.lines].sort(byId((l) => l.line_id)), checkpoints: [...s.checkpoints].sort(byId((c) => c.id)),
    })),
    invoices: [...aggregate.invoices].sort(byId((i) => i.id)),
    events: [...aggregate.events].sort(byId((e) => e.id)),
  };
}

describe.each(databases.eachSupportedId())('purchase orders on %s', (databaseId) => {
  let world: World;

  beforeAll(async () => {
    const { db } = await databases.init(databaseId);
    world = await createWorld(db);
  });
  afterAll(async () => {
    await world?.app.close();
  });

  it('a PO reads back exactly as it was written (types included)', async () => {
    for (const po of [world.po.a1, world.po.a2, world.po.late]) {
      const loaded = await loadPoAggregate(world.db, world.retailerA, po.po.id);
      expect(loaded).toBeDefined();
      expect(canonical(loaded!)).toEqual(canonical(po));
    }
  });

  it("another retailer's PO is not loaded", async () => {
    expect(await loadPoAggregate(world.db, world.retailerB, world.po.a1.po.id)).toBeUndefined();
  });

  it('re-rendering an unchanged PO gives the stored renderings back', async () => {
    const views = async () => ({
      v2: (await world.db.selectFrom('purchase_orders').select('view_v2').where('id', '=', world.po.a1.po.id).executeTakeFirstOrThrow()).view_v2,
      v1: (await world.db.selectFrom('po_lines').select('view_v1').where('po_id', '=', world.po.a1.po.id).orderBy('line_no').execute()).map((r) => r.view_v1),
    });
    const before = await views();
    await refreshPoViews(world.db, world.retailerA, world.po.a1.po.id);
    expect(await views()).toEqual(before);
  });

  it('after a change, refreshPoViews brings both versions up to date', async () => {
    const { a2 } = world.po;
    await world.db.transaction().execute(async (trx) => {
      await trx.updateTable('po_lines').set({ fulfilment_status: 'submitted' }).where('id', '=', a2.lines[0].id).execute();
      await refreshPoViews(trx, world.retailerA, a2.po.id);
    });
    const v2 = expectEnvelope(await endpoints(world.app, 'v2', world.keys.a).byPo('PO-A1002'), 'v2');
    expect(v2.data[0].status).toBe('submitted');
    expect(v2.data[0].items.map((i: { status: string }) => i.status)).toEqual(['submitted', 'confirmed', 'processing']);
    const v1 = expectEnvelope(await endpoints(world.app, 'v1', world.keys.a).byPo('PO-A1002'), 'v1');
    expect(v1.data.map((r) => r.status)).toEqual(['submitted', 'submitted', 'submitted']);
  });
});

describe.each(databases.eachSupportedId())('seedDatabase on %s', (databaseId) => {
  it('resumes where it stopped and writes the same POs in any database', async () => {
    const first = await databases.init(databaseId);
    const second = await databases.init(databaseId);
    expect(await seedDatabase(first.db, { retailer: 'demo', pos: 10, seed: 5 })).toEqual({ created: 10, skipped: 0 });
    expect(await seedDatabase(first.db, { retailer: 'demo', pos: 25, seed: 5, batchSize: 7 })).toEqual({ created: 15, skipped: 10 });
    expect(await seedDatabase(first.db, { retailer: 'demo', pos: 25, seed: 5 })).toEqual({ created: 0, skipped: 25 });
    expect(await seedDatabase(second.db, { retailer: 'demo', pos: 25, seed: 5 })).toEqual({ created: 25, skipped: 0 });

    const views = (db: typeof first.db) => db.selectFrom('purchase_orders').select(['po_number', 'view_v2']).orderBy('po_number').execute();
    const a = await views(first.db);
    expect(a.map((r) => r.po_number)).toEqual(Array.from({ length: 25 }, (_, i) => poNumberFor(5, i)));
    expect(await views(second.db)).toEqual(a);
    const names = await supplierNamesOf(first.db, (await first.db.selectFrom('retailers').select('id').executeTakeFirstOrThrow()).id);
    expect([...names.values()].sort()).toEqual(['Acushnet', 'Callaway', 'Cobra Puma Golf', 'Ping', 'TaylorMade']);
  });
});

// Contract: a key sees its own retailer's records only, through every one of the eight read endpoints; another
// retailer's PO is indistinguishable from one that does not exist (DESIGN 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poNumberFor } from '../../src/seed/generate.ts';
import { endpoints, expectEnvelope, expectError, VERSIONS } from '../support/contract.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, SEED_A, SEED_B, type World } from '../support/world.ts';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('retailer isolation on %s', (databaseId) => {
  let world: World;

  beforeAll(async () => {
    const { db } = await databases.init(databaseId);
    world = await createWorld(db, { seedA: 30, seedB: 30 });
  });
  afterAll(async () => {
    await world?.app.close();
  });

  describe.each(VERSIONS)('/api/%s', (version) => {
    const asA = () => endpoints(world.app, version, world.keys.a);
    const asB = () => endpoints(world.app, version, world.keys.b);

    it("by-po: the other retailer's PO is a 404 like a PO that does not exist", async () => {
      const foreign = expectError(await asB().byPo('PO-A1001'), 404, 'not_found');
      const missing = expectError(await asB().byPo('PO-A9999'), 404, 'not_found');
      expect(foreign.message.replace('PO-A1001', '#')).toBe(missing.message.replace('PO-A9999', '#'));
      expectError(await asA().byPo('PO-B0001'), 404, 'not_found');
      expectError(await asA().byPo(poNumberFor(SEED_B, 0)), 404, 'not_found');
      expectError(await asB().byPo(poNumberFor(SEED_A, 0)), 404, 'not_found');
      // Each still sees its own.
      expectEnvelope(await asA().byPo(poNumberFor(SEED_A, 0)), version);
      expectEnvelope(await asB().byPo(poNumberFor(SEED_B, 0)), version);
    });

    it('by-po: the same PO number at two retailers gives each its own', async () => {
      const a = expectEnvelope(await asA().byPo('PO-SHARED'), version);
      const b = expectEnvelope(await asB().byPo('PO-SHARED'), version);
      const customer = (r: Record<string, unknown>) => (version === 'v1' ? r.customer : r.customer_name);
      expect(a.data.map(customer)).toEqual(['Alice A']);
      expect(b.data.map(customer)).toEqual(['Bob B']);
    });

    it("by-po-numbers: the other retailer's POs are reported not found", async () => {
      const body = expectEnvelope(await asB().bulk(['PO-A1001', 'PO-B0001', 'PO-A1002', poNumberFor(SEED_A, 1), 'PO-SHARED']), version);
      expect(new Set(body.data.map((r) => r.po_number))).toEqual(new Set(['PO-B0001', 'PO-SHARED']));
      expect(body.meta.not_found).toEqual(['PO-A1001', 'PO-A1002', poNumberFor(SEED_A, 1)]);
      const shared = body.data.filter((r) => r.po_number === 'PO-SHARED');
      expect(shared.map((r) => (version === 'v1' ? r.customer : r.customer_name))).toEqual(['Bob B']);

      const none = expectEnvelope(await asA().bulk(['PO-B0001', poNumberFor(SEED_B, 2)]), version);
      expect(none.data).toEqual([]);
      expect(none.meta).toMatchObject({ total: 0, not_found: ['PO-B0001', poNumberFor(SEED_B, 2)] });
    });

    it("by-supplier-order: the other retailer's supplier order is a 404", async () => {
      expectError(await asB().bySupplierOrder('FXT-100001'), 404, 'not_found');
      expectError(await asB().bySupplierOrder('FXT-300003'), 404, 'not_found');
      expectError(await asA().bySupplierOrder('FXT-B00001'), 404, 'not_found');
      expectEnvelope(await asB().bySupplierOrder('FXT-B00001'), version);
    });

    it('by-supplier-order: a supplier order id both retailers have gives each only its own POs', async () => {
      const a = expectEnvelope(await asA().bySupplierOrder('FXT-777777'), version);
      const b = expectEnvelope(await asB().bySupplierOrder('FXT-777777'), version);
      expect(a.data.map((r) => r.po_number)).toEqual(['PO-A-LATE', 'PO-A-MIDNIGHT']);
      expect(b.data.map((r) => r.po_number)).toEqual(['PO-SHARED']);
      expect(b.data.map((r) => (version === 'v1' ? r.customer : r.customer_name))).toEqual(['Bob B']);
    });

    it('by-date: a day shows only the own retailer\'s POs', async () => {
      const b = expectEnvelope(await asB().byDate({ start_date: '2027-06-15' }), version);
      expect(new Set(b.data.map((r) => r.po_number))).toEqual(new Set(['PO-B0001']));
      const a = expectEnvelope(await asA().byDate({ start_date: '2027-06-10', end_date: '2027-06-30', limit: 100 }), version);
      expect(a.data.some((r) => r.po_number === 'PO-B0001')).toBe(false);
      expect(a.data.filter((r) => r.po_number === 'PO-SHARED').map((r) => (version === 'v1' ? r.customer : r.customer_name))).toEqual(['Alice A']);
    });

    it('by-date: over the seeded years each retailer counts only its own POs', async () => {
      const range = { start_date: '2024-10-01', end_date: '2026-11-30', limit: 100 };
      const a = expectEnvelope(await asA().byDate(range), version);
      const b = expectEnvelope(await asB().byDate(range), version);
      expect(a.data.every((r) => r.po_number.startsWith(`PO-${SEED_A}`))).toBe(true);
      expect(b.data.every((r) => r.po_number.startsWith(`PO-${SEED_B}`))).toBe(true);
      if (version === 'v2') {
        expect(a.meta.total).toBe(30);
        expect(b.meta.total).toBe(30);
      }
    });
  });
});

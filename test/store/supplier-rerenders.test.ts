// A supplier rename's re-render of its POs' read records (store/supplier-rerenders.ts): bounded batches, each its own
// transaction, resumable after a stop, on SQLite and PostgreSQL. Reads go through the real read API.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { insertPurchaseOrders, supplierNamesOf } from '../../src/store/purchase-orders.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { finishSupplierRerenders, pendingSupplierRerenders } from '../../src/store/supplier-rerenders.ts';
import { createSupplier, updateSupplier } from '../../src/store/suppliers.ts';
import { buildPo } from '../support/fixtures.ts';
import { TestDatabases } from '../support/test-database.ts';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('supplier rename re-render on %s', (databaseId) => {
  let app: FastifyInstance;
  let db: Db;
  let retailerId: string;
  let key: string;
  let run = 0;

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    app = await buildApp({ config: { publicUrl: 'http://localhost:8080', logLevel: 'silent', secret: 'x'.repeat(40) }, db, logger: false });
    ({ retailer: { id: retailerId } } = await ensureRetailer(db, 'Fairway Pro Shop'));
    key = (await createApiKey(db, retailerId, 'rw', ['read', 'write'])).secret;
  });
  afterAll(async () => {
    await app?.close();
  });

  const supplier = async (name: string) => {
    const made = await createSupplier(db, retailerId, { name });
    if (!made.ok) throw new Error(made.reason);
    return made.supplier.id;
  };

  /**
   * Seven POs: three with the supplier on the header, two on a line only, one on an invoice only (six showing it, in
   * id order), and one of another supplier.
   */
  async function world() {
    run++;
    const named = await supplier(`Acme ${run}`);
    const other = await supplier(`Other ${run}`);
    const line = (supplierId: string | null = null) =>
      ({ product_name: 'Pro V1', sku: 'PV1', quantity: 1, unit_cost_cents: 5000, status: 'submitted' as const, supplier_id: supplierId });
    const invoice = {
      invoice_number: `INV-${run}`, supplier_id: named, supplier_order_id: null, invoice_date: '2026-11-03', due_date: null,
      payment_terms: null, subtotal_cents: 5000, tax_cents: 0, shipping_cents: 0, total_cents: 5000, status: 'open' as const,
      updated_at: '2026-11-03T00:00:00.000Z',
    };
    const numbers = Array.from({ length: 7 }, (_, i) => `PO-R${run}-${i + 1}`);
    const base = { retailer_id: retailerId, order_date: '2026-11-02T10:00:00.000Z' };
    const pos = [
      buildPo({ ...base, po_number: numbers[0], supplier_id: named, lines: [line()] }),
      buildPo({ ...base, po_number: numbers[1], supplier_id: other, lines: [line(named)] }),
      buildPo({ ...base, po_number: numbers[2], supplier_id: named, lines: [line()] }),
      buildPo({ ...base, po_number: numbers[3], supplier_id: other, lines: [line()], invoices: [invoice] }),
      buildPo({ ...base, po_number: numbers[4], supplier_id: named, lines: [line(), line()] }),
      buildPo({ ...base, po_number: numbers[5], supplier_id: null, lines: [line(named)] }),
      buildPo({ ...base, po_number: numbers[6], supplier_id: other, lines: [line()] }),
    ];
    await db.transaction().execute(async (trx) => insertPurchaseOrders(trx, pos, await supplierNamesOf(trx, retailerId)));
    return { named, other, numbers, showing: numbers.slice(0, 6), untouched: numbers[6], ids: pos.map((p) => p.po.id) };
  }

  /** Every supplier name the v2 and v1 records of the PO show (header, items, invoices; v1 rows). */
  async function namesShown(poNumber: string): Promise<string[]> {
    const v2 = await app.inject({ method: 'GET', url: `/api/v2/orders/by-po/${poNumber}`, headers: { 'x-api-key': key } });
    const v1 = await app.inject({ method: 'GET', url: `/api/v1/orders/by-po/${poNumber}`, headers: { 'x-api-key': key } });
    expect(v2.statusCode).toBe(200);
    expect(v1.statusCode).toBe(200);
    const record = v2.json().data[0];
    return [...new Set<string>([
      ...record.suppliers, ...record.items.map((i: any) => i.supplier_name), ...record.invoices.map((i: any) => i.supplier_name),
      ...v1.json().data.map((r: any) => r.supplier),
    ].filter((n) => n !== null))].sort();
  }

  const rename = (supplierId: string, name: string, options: Parameters<typeof updateSupplier>[4] = {}) =>
    updateSupplier(db, retailerId, supplierId, { name }, options);

  it('re-renders every PO showing the supplier in several batches of the given size, each committed on its own', async () => {
    const w = await world();
    const committed: number[] = [];
    const written = await rename(w.named, `Acme ${run} Renamed`, {
      batchSize: 2,
      beforeCommit: async (batch) => {
        committed.push(batch);
      },
    });
    expect(written.ok).toBe(true);
    // Six POs by two: three full batches, then one that finds nothing left.
    expect(committed).toEqual([1, 2, 3, 4]);
    for (const number of w.showing) expect(await namesShown(number)).toContain(`Acme ${run} Renamed`);
    for (const number of w.showing) expect(await namesShown(number)).not.toContain(`Acme ${run}`);
    expect(await namesShown(w.untouched)).toEqual([`Other ${run}`]);
    expect(await pendingSupplierRerenders(db, retailerId)).toEqual([]);
  });

  async function interruptedRename(w: Awaited<ReturnType<typeof world>>, name: string) {
    await expect(rename(w.named, name, {
      batchSize: 2,
      beforeCommit: (batch) => {
        if (batch === 2) throw new Error('process stopped');
      },
    })).rejects.toThrow('process stopped');
  }

  it('leaves a durable marker when stopped mid-way; reads stay whole meanwhile; the next start finishes it', async () => {
    const w = await world();
    await interruptedRename(w, `Acme ${run} Two`);
    // Batch 1 (the first two POs in id order) committed; batch 2 rolled back.
    const inIdOrder = w.showing.map((n) => ({ n, id: w.ids[w.numbers.indexOf(n)] })).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(await pendingSupplierRerenders(db, retailerId)).toEqual([{ supplier_id: w.named, after_po_id: inIdOrder[1].id }]);
    for (const [i, { n }] of inIdOrder.entries()) {
      const shown = await namesShown(n);
      expect(shown).toContain(i < 2 ? `Acme ${run} Two` : `Acme ${run}`);
      expect(shown).not.toContain(i < 2 ? `Acme ${run}` : `Acme ${run} Two`);
    }
    expect(await namesShown(w.untouched)).toEqual([`Other ${run}`]);

    // What the service runs when it starts.
    const finished = await finishSupplierRerenders(db);
    expect(finished.pos).toBe(4);
    for (const number of w.showing) expect(await namesShown(number)).toContain(`Acme ${run} Two`);
    expect(await pendingSupplierRerenders(db, retailerId)).toEqual([]);
  });

  it('is finished by the next rename of any supplier of the retailer, through the API', async () => {
    const w = await world();
    await interruptedRename(w, `Acme ${run} Three`);
    expect(await pendingSupplierRerenders(db, retailerId)).toHaveLength(1);
    const response = await app.inject({
      method: 'PUT', url: `/api/v2/suppliers/${w.other}`, headers: { 'x-api-key': key }, payload: { name: `Other ${run} Three` },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(await pendingSupplierRerenders(db, retailerId)).toEqual([]);
    for (const number of w.showing) expect(await namesShown(number)).toContain(`Acme ${run} Three`);
    expect(await namesShown(w.untouched)).toEqual([`Other ${run} Three`]);
  });

  it('starts again from the first PO when the supplier is renamed again before its re-render finished', async () => {
    const w = await world();
    await interruptedRename(w, `Acme ${run} Interim`);
    expect((await rename(w.named, `Acme ${run} Final`, { batchSize: 4 })).ok).toBe(true);
    for (const number of w.showing) {
      const shown = await namesShown(number);
      expect(shown).toContain(`Acme ${run} Final`);
      expect(shown).not.toContain(`Acme ${run} Interim`);
    }
    expect(await pendingSupplierRerenders(db, retailerId)).toEqual([]);
  });
});

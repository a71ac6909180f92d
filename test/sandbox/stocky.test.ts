// The Stocky v2 sandbox against its reference: the two auth headers, the list's parameters (since_id: ids
// below it, newest first; offset ignored with since_id), the record shape, get by id and its 404, suppliers,
// determinism, churn seen through updated_since.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  STOCKY_DEFAULT_API_KEY, STOCKY_DEFAULT_STORE_NAME, createStockySandbox, type StockySandbox,
} from '../../src/sandbox/stocky.ts';
import { passesStatus, stageOf, type StockyPurchaseOrder } from '../../src/sandbox/stocky-data.ts';

const AUTH = { 'store-name': STOCKY_DEFAULT_STORE_NAME, authorization: `API KEY=${STOCKY_DEFAULT_API_KEY}` };
const START = Date.parse('2026-11-20T10:00:00Z');

async function list(app: StockySandbox, query: string): Promise<StockyPurchaseOrder[]> {
  const res = await app.inject({ url: `/api/v2/purchase_orders.json${query ? `?${query}` : ''}`, headers: AUTH });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().purchase_orders;
}

/** since_id paging as the reference says to page: limit + the smallest id seen, until an empty page. */
async function pageAll(app: StockySandbox, filters: string, limit: number): Promise<StockyPurchaseOrder[]> {
  const out: StockyPurchaseOrder[] = [];
  let sinceId: number | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await list(app, [filters, `limit=${limit}`, sinceId === null ? '' : `since_id=${sinceId}`].filter(Boolean).join('&'));
    if (page.length === 0) return out;
    out.push(...page);
    sinceId = page[page.length - 1].id;
  }
  throw new Error('paging does not end');
}

describe('Stocky sandbox', () => {
  let clock = START;
  const app = createStockySandbox({ seed: 9, pos: 420, rateLimit: 0, now: () => clock });
  beforeAll(() => app.ready());
  afterAll(() => app.close());
  const newestFirst = () => app.sandbox.state.all().reverse();

  describe('auth', () => {
    it('401 {"errors": …} without Store-Name, without or with a malformed Authorization, with a wrong key or shop', async () => {
      const cases: Record<string, string>[] = [
        {},
        { authorization: AUTH.authorization },
        { 'store-name': AUTH['store-name'] },
        { 'store-name': AUTH['store-name'], authorization: STOCKY_DEFAULT_API_KEY },
        { 'store-name': AUTH['store-name'], authorization: `Bearer ${STOCKY_DEFAULT_API_KEY}` },
        { 'store-name': AUTH['store-name'], authorization: 'API KEY=wrong' },
        { 'store-name': 'other.myshopify.com', authorization: AUTH.authorization },
      ];
      for (const headers of cases) {
        for (const url of ['/api/v2/purchase_orders.json', '/api/v2/purchase_orders/1000.json', '/api/v2/suppliers.json']) {
          const res = await app.inject({ url, headers });
          expect(res.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(401);
          expect(res.json()).toEqual({ errors: expect.any(String) });
        }
      }
    });

    it('takes the shop name in any case, and a store and key given in the options', async () => {
      expect((await app.inject({ url: '/api/v2/suppliers.json', headers: { ...AUTH, 'store-name': STOCKY_DEFAULT_STORE_NAME.toUpperCase() } })).statusCode).toBe(200);
      const other = createStockySandbox({ pos: 2, storeName: 'acme.myshopify.com', apiKey: 'abc123' });
      const ok = await other.inject({ url: '/api/v2/purchase_orders.json', headers: { 'store-name': 'acme.myshopify.com', authorization: 'API KEY=abc123' } });
      expect(ok.statusCode).toBe(200);
      expect((await other.inject({ url: '/api/v2/purchase_orders.json', headers: AUTH })).statusCode).toBe(401);
      await other.close();
    });
  });

  describe('list', () => {
    it('is newest first (id descending), 50 by default', async () => {
      const page = await list(app, '');
      expect(page).toHaveLength(50);
      expect(page.map((po) => po.id)).toEqual(newestFirst().slice(0, 50).map((po) => po.id));
      for (let i = 1; i < page.length; i++) expect(page[i].id).toBeLessThan(page[i - 1].id);
    });

    it('since_id returns ids below it, newest first; paging by it sees every PO once', async () => {
      const all = newestFirst();
      const pivot = all[100].id;
      const below = await list(app, `since_id=${pivot}&limit=10`);
      expect(below.map((po) => po.id)).toEqual(all.slice(101, 111).map((po) => po.id));
      // An id that no PO has (ids have gaps) works the same way.
      const gap = all.find((po, i) => i > 0 && all[i - 1].id - po.id > 1)!;
      const fromGap = await list(app, `since_id=${gap.id + 1}&limit=3`);
      expect(fromGap[0].id).toBe(gap.id);
      for (const limit of [1, 7, 50, 250]) {
        const paged = await pageAll(app, '', limit);
        expect(paged.map((po) => po.id), `limit ${limit}`).toEqual(all.map((po) => po.id));
      }
      expect(await list(app, `since_id=${all[all.length - 1].id}`)).toEqual([]);
      expect(await list(app, 'since_id=0')).toEqual([]);
    });

    it('offset skips matching POs; with since_id it is ignored', async () => {
      const all = newestFirst();
      expect((await list(app, 'offset=30&limit=5')).map((po) => po.id)).toEqual(all.slice(30, 35).map((po) => po.id));
      expect((await list(app, 'offset=10000'))).toEqual([]);
      const sinceId = all[20].id;
      expect((await list(app, `since_id=${sinceId}&offset=30&limit=5`)).map((po) => po.id)).toEqual(all.slice(21, 26).map((po) => po.id));
    });

    it('limit: 1 to 250; anything else, and non-integers, are 400 {"errors": …}', async () => {
      expect(await list(app, 'limit=1')).toHaveLength(1);
      expect(await list(app, 'limit=250')).toHaveLength(250);
      for (const query of ['limit=0', 'limit=251', 'limit=abc', 'offset=-1', 'offset=1.5', 'since_id=x', 'status=open', 'updated_since=yesterday']) {
        const res = await app.inject({ url: `/api/v2/purchase_orders.json?${query}`, headers: AUTH });
        expect(res.statusCode, query).toBe(400);
        expect(res.json()).toEqual({ errors: expect.stringContaining(query.split('=')[0]) });
      }
    });

    it('updated_since and confirmed_since are inclusive; status filters by ordered and archived', async () => {
      const all = newestFirst();
      const pivot = [...all].sort((a, b) => a.updated_at.localeCompare(b.updated_at))[200];
      const updated = await pageAll(app, `updated_since=${encodeURIComponent(pivot.updated_at)}`, 100);
      expect(updated.map((po) => po.id)).toEqual(all.filter((po) => po.updated_at >= pivot.updated_at).map((po) => po.id));
      expect(updated.some((po) => po.id === pivot.id)).toBe(true);
      // The same instant with an offset, as in the reference's example format.
      const shifted = new Date(Date.parse(pivot.updated_at) - 4 * 3_600_000).toISOString().slice(0, 19) + '-04:00';
      expect((await pageAll(app, `updated_since=${encodeURIComponent(shifted)}`, 250)).length).toBe(updated.length);

      const confirmedPivot = all.filter((po) => po.ordered_at !== null).sort((a, b) => a.ordered_at!.localeCompare(b.ordered_at!))[150];
      const confirmed = await pageAll(app, `confirmed_since=${confirmedPivot.ordered_at}`, 100);
      expect(confirmed.map((po) => po.id)).toEqual(all.filter((po) => po.ordered_at !== null && po.ordered_at >= confirmedPivot.ordered_at!).map((po) => po.id));

      for (const status of ['draft', 'draft-archived', 'draft-unarchived', 'confirmed', 'confirmed-archived', 'confirmed-unarchived', 'archived', 'unarchived'] as const) {
        const got = await pageAll(app, `status=${status}`, 250);
        const want = all.filter((po) => passesStatus(status, po.ordered_at !== null, po.archived));
        expect(got.map((po) => po.id), status).toEqual(want.map((po) => po.id));
      }
      expect((await pageAll(app, 'status=draft', 250)).every((po) => po.ordered_at === null)).toBe(true);
      expect((await pageAll(app, 'status=confirmed-unarchived', 250)).every((po) => po.ordered_at !== null && !po.archived)).toBe(true);
    });

    it('records have the reference\'s fields and shapes', async () => {
      const [po] = await list(app, 'limit=1&status=confirmed-archived');
      expect(Object.keys(po)).toEqual([
        'id', 'number', 'sequential_id', 'invoice_number', 'created_at', 'updated_at', 'generated_at', 'ordered_at', 'expected_on',
        'ship_on', 'payment_due_on', 'archived', 'supplier_name', 'supplier_id', 'currency', 'shopify_receive_location_id', 'paid',
        'adjustments', 'adjustments_local', 'shipping', 'shipping_local', 'shipping_tax_type', 'invoice_date', 'purchase_items',
      ]);
      const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
      const date = /^\d{4}-\d{2}-\d{2}$/;
      for (const record of app.sandbox.state.all()) {
        expect(record.created_at).toMatch(iso);
        expect(record.updated_at).toMatch(iso);
        expect(record.updated_at >= record.created_at).toBe(true);
        if (record.ordered_at) expect(record.ordered_at).toMatch(iso);
        for (const field of ['expected_on', 'ship_on', 'payment_due_on', 'invoice_date'] as const) if (record[field] !== null) expect(record[field]).toMatch(date);
        expect(typeof record.archived).toBe('boolean');
        expect(typeof record.paid).toBe('boolean');
        expect(typeof record.supplier_id).toBe('string');
        expect(['number', 'string']).toContain(typeof record.number);
        for (const item of record.purchase_items) {
          expect(Object.keys(item)).toEqual([
            'id', 'sku', 'inventory_item_id', 'product_title', 'variant_title', 'asin', 'quantity', 'status', 'retail_price',
            'cost_price', 'supplier_cost_price', 'account_code', 'tax_type_id', 'accounting_tax_type', 'received_at', 'updated_at',
          ]);
          expect(item.updated_at).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
          expect(item.retail_price).toMatch(/^\d+\.\d{2}$/);
          expect(['not delivered', 'delivered', 'cancelled']).toContain(item.status);
          expect(item.received_at === null).toBe(item.status !== 'delivered');
          if (item.received_at) expect(item.received_at).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
        }
      }
      // Every state a connector must infer is present.
      const stages = new Set(app.sandbox.state.all().map(stageOf));
      expect([...stages].sort()).toEqual(['archived', 'cancelled', 'draft', 'ordered', 'partial', 'received']);
    });
  });

  describe('get by id', () => {
    it('returns the PO itself (not wrapped)', async () => {
      const id = app.sandbox.state.ids()[17];
      const res = await app.inject({ url: `/api/v2/purchase_orders/${id}.json`, headers: AUTH });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(app.sandbox.state.get(id));
    });

    it('404 {"errors": "No purchase orders found"} for an unknown id; 400 for one that is not a number', async () => {
      for (const id of [1, 999_999_999, app.sandbox.state.ids()[0] + 1]) {
        if (app.sandbox.state.get(id)) continue;
        const res = await app.inject({ url: `/api/v2/purchase_orders/${id}.json`, headers: AUTH });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ errors: 'No purchase orders found' });
      }
      const bad = await app.inject({ url: '/api/v2/purchase_orders/abc.json', headers: AUTH });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors).toContain("'id'");
      expect((await app.inject({ url: '/api/v2/purchase_orders/12', headers: AUTH })).statusCode).toBe(404);
      const badUrl = await app.inject({ url: '/api/v2/purchase_orders/%E0%A4%A.json', headers: AUTH });
      expect(badUrl.statusCode).toBe(400);
      expect(badUrl.json()).toEqual({ errors: expect.any(String) });
      const unknown = await app.inject({ url: '/api/v2/stock_transfers.json', headers: AUTH });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toEqual({ errors: 'Not Found' });
    });
  });

  describe('suppliers', () => {
    it('lists suppliers in id order; since_id returns ids above it; one by id; 404', async () => {
      const res = await app.inject({ url: '/api/v2/suppliers.json', headers: AUTH });
      const { suppliers } = res.json();
      expect(suppliers.map((s: { name: string }) => s.name)).toEqual(['Acushnet', 'TaylorMade', 'Cobra Puma Golf', 'Callaway', 'Ping']);
      expect(Object.keys(suppliers[0])).toEqual([
        'id', 'name', 'created_at', 'updated_at', 'company_name', 'account_number', 'contact_name', 'contact_email', 'address1',
        'address2', 'city', 'province_code', 'country_name', 'zip', 'phone', 'phone_toll_free', 'fax', 'is_hidden',
      ]);
      const after = (await app.inject({ url: '/api/v2/suppliers.json?since_id=2&limit=2', headers: AUTH })).json().suppliers;
      expect(after.map((s: { id: number }) => s.id)).toEqual([3, 4]);
      const one = await app.inject({ url: '/api/v2/suppliers/3.json', headers: AUTH });
      expect(one.json()).toEqual(suppliers[2]);
      const missing = await app.inject({ url: '/api/v2/suppliers/99.json', headers: AUTH });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ errors: 'No supplier found' });
      // Every PO's supplier_id names one of them.
      const ids = new Set(suppliers.map((s: { id: number }) => String(s.id)));
      expect(app.sandbox.state.all().every((po) => ids.has(po.supplier_id!))).toBe(true);
    });
  });

  describe('churn', () => {
    it('new and advanced POs show up through updated_since, with their items\' updated_at bumped', async () => {
      clock = Date.parse('2026-11-22T09:30:00Z');
      const before = new Map(app.sandbox.state.all().map((po) => [po.id, po]));
      const result = app.sandbox.churn();
      const since = await pageAll(app, 'updated_since=2026-11-22T09:30:00Z', 50);
      expect(since).toHaveLength(result.created + result.advanced);
      const created = since.filter((po) => !before.has(po.id));
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({ ordered_at: null, archived: false, created_at: '2026-11-22T09:30:00.000Z' });
      expect(created[0].id).toBeGreaterThan(Math.max(...before.keys()));
      expect(since[0].id).toBe(created[0].id); // newest first
      const order = ['draft', 'ordered', 'partial', 'received', 'archived'];
      for (const po of since.filter((p) => before.has(p.id))) {
        const was = stageOf(before.get(po.id)!);
        const now = stageOf(po);
        expect(now === 'cancelled' || order.indexOf(now) > order.indexOf(was), `${was} → ${now}`).toBe(true);
        expect(po.updated_at).toBe('2026-11-22T09:30:00.000Z');
        const changedItems = po.purchase_items.filter((item, i) => item.status !== before.get(po.id)!.purchase_items[i].status);
        for (const item of changedItems) expect(item).toMatchObject({ updated_at: '22/11/2026 09:30', received_at: '22/11/2026' });
      }
    });

    it('the state accessor can change a PO and advance one step at a time', () => {
      clock = Date.parse('2026-11-22T10:00:00Z');
      const draft = app.sandbox.state.create();
      expect(stageOf(draft)).toBe('draft');
      let po = app.sandbox.state.advance(draft.id)!;
      expect(stageOf(po)).toMatch(/^(ordered|cancelled)$/);
      if (stageOf(po) === 'ordered') {
        while ((po = app.sandbox.state.advance(draft.id) ?? po) && !po.archived);
        expect(stageOf(po)).toBe('archived');
        expect(po.paid).toBe(true);
        expect(po.invoice_number).not.toBeNull();
      }
      const changed = app.sandbox.state.update(draft.id, (p) => { p.paid = false; }, { touch: false });
      expect(changed.paid).toBe(false);
    });
  });
});

describe('Stocky sandbox determinism', () => {
  it('the same seed gives the same POs, ids and suppliers; another seed other POs', async () => {
    const a = createStockySandbox({ seed: 4, pos: 120 });
    const b = createStockySandbox({ seed: 4, pos: 120 });
    const c = createStockySandbox({ seed: 5, pos: 120 });
    expect(a.sandbox.state.all()).toEqual(b.sandbox.state.all());
    expect(a.sandbox.state.ids()).not.toEqual(c.sandbox.state.ids());
    const listA = await a.inject({ url: '/api/v2/purchase_orders.json?limit=250', headers: AUTH });
    const listB = await b.inject({ url: '/api/v2/purchase_orders.json?limit=250', headers: AUTH });
    expect(listA.body).toBe(listB.body);
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

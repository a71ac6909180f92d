// The ShipStation v2 sandbox against its reference: auth, the list's filters and cursor paging (headers only),
// get by id, the write endpoints and their rules, ShipStation's error body, determinism, churn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SHIPSTATION_DEFAULT_API_KEY, createShipStationSandbox, type ShipStationSandbox,
} from '../../src/sandbox/shipstation.ts';
import { SS_HEADER_FIELDS, decodeCursor, type SsPurchaseOrder } from '../../src/sandbox/shipstation-data.ts';

const KEY = { 'api-key': SHIPSTATION_DEFAULT_API_KEY };
const START = Date.parse('2026-11-20T10:00:00Z');

function expectShipStationError(body: unknown, type: string, code: string) {
  expect(body).toMatchObject({
    request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    errors: [expect.objectContaining({ error_source: 'shipstation', error_type: type, error_code: code, message: expect.any(String) })],
  });
}

/** Path and query of an absolute link, for inject. */
const pathOf = (href: string) => {
  const url = new URL(href);
  return url.pathname + url.search;
};

async function listAll(app: ShipStationSandbox, first: string) {
  const seen: { purchase_order_id: string }[] = [];
  let url: string | null = first;
  let pages = 0;
  while (url) {
    const res: { statusCode: number; json: () => unknown } = await app.inject({ url, headers: KEY });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { purchase_orders: { purchase_order_id: string }[]; links: { next: { href: string } | null } };
    seen.push(...body.purchase_orders);
    url = body.links.next ? pathOf(body.links.next.href) : null;
    if (++pages > 1000) throw new Error('paging does not end');
  }
  return { seen, pages };
}

describe('ShipStation sandbox', () => {
  let clock = START;
  const app = createShipStationSandbox({ seed: 7, pos: 640, rateLimit: 0, now: () => clock });
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  describe('auth', () => {
    it('401 with ShipStation\'s error body without the api-key header', async () => {
      const res = await app.inject({ url: '/v2/purchase_orders' });
      expect(res.statusCode).toBe(401);
      expectShipStationError(res.json(), 'security', 'unauthorized');
    });

    it('401 with a wrong key, on every endpoint', async () => {
      for (const url of ['/v2/purchase_orders', '/v2/purchase_orders/se-100000']) {
        const res = await app.inject({ url, headers: { 'api-key': 'nope' } });
        expect(res.statusCode).toBe(401);
        expectShipStationError(res.json(), 'security', 'unauthorized');
      }
      const res = await app.inject({ method: 'POST', url: '/v2/purchase_orders/se-100000/status', headers: { 'api-key': 'x' }, payload: { status: 'open' } });
      expect(res.statusCode).toBe(401);
    });

    it('takes a key given in the options', async () => {
      const other = createShipStationSandbox({ pos: 3, apiKey: 'k-123' });
      expect((await other.inject({ url: '/v2/purchase_orders', headers: { 'api-key': 'k-123' } })).statusCode).toBe(200);
      expect((await other.inject({ url: '/v2/purchase_orders', headers: KEY })).statusCode).toBe(401);
      await other.close();
    });
  });

  describe('list', () => {
    it('pages through every PO with links.next.href, once each, in creation order', async () => {
      const { seen, pages } = await listAll(app, '/v2/purchase_orders?page_size=100');
      expect(pages).toBe(Math.ceil(app.sandbox.state.size / 100));
      const ids = seen.map((po) => po.purchase_order_id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(app.sandbox.state.ids());
    });

    it('answers {purchase_orders, total, page, pages, links} with headers only (no products)', async () => {
      const res = await app.inject({ url: '/v2/purchase_orders?page_size=50', headers: KEY });
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(['links', 'page', 'pages', 'purchase_orders', 'total']);
      expect(body.total).toBe(640);
      expect(body.page).toBe(1);
      expect(body.pages).toBe(13);
      expect(body.links.prev).toBeNull();
      expect(body.links.first.href).toMatch(/^http:\/\/localhost(:80)?\/v2\/purchase_orders\?cursor=[A-Za-z0-9_-]+$/);
      for (const po of body.purchase_orders) {
        expect(Object.keys(po).sort()).toEqual([...SS_HEADER_FIELDS].sort());
        expect(po).not.toHaveProperty('products');
        expect(po.purchase_order_id).toMatch(/^se-\d+$/);
        expect(po.order_number).toMatch(/^\d{8}-\d{2,}$/);
        expect(po.create_date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      }
    });

    it('the last page has links.next null and a prev link; the cursor is base64 of the page and filters', async () => {
      const first = (await app.inject({ url: '/v2/purchase_orders?page_size=20&status=closed', headers: KEY })).json();
      expect(first.pages).toBeGreaterThan(2);
      const state = decodeCursor(new URL(first.links.next.href).searchParams.get('cursor')!);
      expect(state).toEqual({ page: 2, pageSize: 20, orderNumber: null, status: 'closed', warehouseId: null, referenceNumber: null, createDateStart: null });
      const json = JSON.parse(Buffer.from(new URL(first.links.next.href).searchParams.get('cursor')!, 'base64url').toString());
      expect(Object.keys(json)).toEqual(['Page', 'PageSize', 'OrderNumber', 'Status', 'WarehouseId', 'ReferenceNumber', 'CreateDateStart']);
      const last = (await app.inject({ url: pathOf(first.links.last.href), headers: KEY })).json();
      expect(last.page).toBe(first.pages);
      expect(last.links.next).toBeNull();
      expect(last.links.prev).not.toBeNull();
      expect(last.purchase_orders.every((po: SsPurchaseOrder) => po.status === 'closed')).toBe(true);
    });

    it('page_size: default 50, 1 and 500 allowed, 0, 501 and non-numbers refused with ShipStation\'s body', async () => {
      expect((await app.inject({ url: '/v2/purchase_orders', headers: KEY })).json().purchase_orders).toHaveLength(50);
      expect((await app.inject({ url: '/v2/purchase_orders?page_size=1', headers: KEY })).json().purchase_orders).toHaveLength(1);
      expect((await app.inject({ url: '/v2/purchase_orders?page_size=500', headers: KEY })).json().purchase_orders).toHaveLength(500);
      for (const bad of ['0', '501', 'abc', '-1', '2.5']) {
        const res = await app.inject({ url: `/v2/purchase_orders?page_size=${bad}`, headers: KEY });
        expect(res.statusCode, bad).toBe(400);
        expectShipStationError(res.json(), 'validation', 'invalid_field_value');
        expect(res.json().errors[0].message).toContain('page_size');
      }
    });

    it('refuses a cursor it did not issue, a bad status and a bad create_date_start', async () => {
      for (const query of ['cursor=bm9wZQ', 'cursor=%%%', 'status=shipped', 'create_date_start=2026-02-30T00:00:00Z', 'create_date_start=yesterday']) {
        const res = await app.inject({ url: `/v2/purchase_orders?${query}`, headers: KEY });
        expect(res.statusCode, query).toBe(400);
        expectShipStationError(res.json(), 'validation', 'invalid_field_value');
      }
    });

    it('filters by status, warehouse_id and reference_number, alone and combined, over all pages', async () => {
      const all = app.sandbox.state.all();
      const warehouse = app.sandbox.state.warehouses[1].warehouse_id;
      const reference = all.find((po) => po.reference_number !== null)!.reference_number!;
      const cases: [string, (po: SsPurchaseOrder) => boolean][] = [
        ['status=open', (po) => po.status === 'open'],
        [`warehouse_id=${warehouse}`, (po) => po.warehouse_id === warehouse],
        [`status=received&warehouse_id=${warehouse}`, (po) => po.status === 'received' && po.warehouse_id === warehouse],
        [`reference_number=${reference}`, (po) => po.reference_number === reference],
        ['warehouse_id=se-999', () => false],
      ];
      for (const [query, keep] of cases) {
        const { seen } = await listAll(app, `/v2/purchase_orders?page_size=40&${query}`);
        expect(seen.map((po) => po.purchase_order_id), query).toEqual(all.filter(keep).map((po) => po.purchase_order_id));
        const total = (await app.inject({ url: `/v2/purchase_orders?page_size=40&${query}`, headers: KEY })).json().total;
        expect(total).toBe(seen.length);
      }
    });

    it('filters by order_number (exactly one PO) and by create_date_start (inclusive)', async () => {
      const all = app.sandbox.state.all();
      const target = all[321];
      const byNumber = (await app.inject({ url: `/v2/purchase_orders?order_number=${target.order_number}`, headers: KEY })).json();
      expect(byNumber.purchase_orders.map((po: SsPurchaseOrder) => po.purchase_order_id)).toEqual([target.purchase_order_id]);
      expect((await app.inject({ url: '/v2/purchase_orders?order_number=01012001-01', headers: KEY })).json().total).toBe(0);
      expect((await app.inject({ url: '/v2/purchase_orders?order_number=nonsense', headers: KEY })).json().total).toBe(0);

      const since = (await app.inject({ url: `/v2/purchase_orders?page_size=500&create_date_start=${target.create_date}`, headers: KEY })).json();
      const expected = all.filter((po) => po.create_date >= target.create_date);
      expect(since.total).toBe(expected.length);
      expect(since.purchase_orders[0].purchase_order_id).toBe(expected[0].purchase_order_id);
      expect(since.purchase_orders.some((po: SsPurchaseOrder) => po.purchase_order_id === target.purchase_order_id)).toBe(true);
    });

    it('order numbers are MMDDYYYY-NN of the creation day, numbered per day from 01', async () => {
      const all = app.sandbox.state.all();
      const byDay = new Map<string, SsPurchaseOrder[]>();
      for (const po of all) byDay.set(po.create_date.slice(0, 10), [...(byDay.get(po.create_date.slice(0, 10)) ?? []), po]);
      for (const [day, pos] of byDay) {
        const [y, m, d] = day.split('-');
        pos.forEach((po, i) => expect(po.order_number).toBe(`${m}${d}${y}-${String(i + 1).padStart(2, '0')}`));
      }
    });
  });

  describe('get by id', () => {
    it('returns the PO with its products and the reference\'s fields', async () => {
      const res = await app.inject({ url: '/v2/purchase_orders/se-100005', headers: KEY });
      expect(res.statusCode).toBe(200);
      const po = res.json();
      expect(Object.keys(po).sort()).toEqual([
        'create_date', 'currency_code', 'expected_delivery_date', 'modify_date', 'note_to_supplier', 'order_date', 'order_number',
        'payment_status', 'payment_terms', 'products', 'purchase_order_id', 'reference_number', 'shipping_carrier', 'status',
        'supplier_id', 'tracking_number', 'warehouse_id',
      ]);
      expect(po.products.length).toBeGreaterThan(0);
      for (const product of po.products) {
        expect(product).toEqual({
          sku: expect.any(String), supplier_sku: expect.any(String), quantity: expect.any(Number), cost: expect.any(Number),
          received_quantity: expect.any(Number), rejected_quantity: expect.any(Number),
        });
      }
      const header = (await app.inject({ url: `/v2/purchase_orders?order_number=${po.order_number}`, headers: KEY })).json().purchase_orders[0];
      for (const field of SS_HEADER_FIELDS.filter((f) => f !== 'supplier_name')) expect(header[field]).toEqual(po[field]);
    });

    it('404 with ShipStation\'s body for an unknown id, and for an unknown endpoint', async () => {
      for (const url of ['/v2/purchase_orders/se-1', '/v2/purchase_orders/se-999999999', '/v2/purchase_orders/abc']) {
        const res = await app.inject({ url, headers: KEY });
        expect(res.statusCode, url).toBe(404);
        expectShipStationError(res.json(), 'validation', 'invalid_identifier');
      }
      const res = await app.inject({ url: '/v2/nothing', headers: KEY });
      expect(res.statusCode).toBe(404);
      expect(res.json().errors[0].error_source).toBe('shipstation');
    });
  });

  describe('writes', () => {
    const supplier = 'se-567';
    const warehouse = 'se-123456';
    const products = [{ sku: 'TIT-PRO-V1', supplier_sku: 'TIT010000', quantity: 10, cost: 34.5 }, { sku: 'TIT-GT2', supplier_sku: 'TIT010074', quantity: 2, cost: 389 }];

    async function create(extra: Record<string, unknown> = {}) {
      const res = await app.inject({ method: 'POST', url: '/v2/purchase_orders', headers: KEY, payload: { supplier_id: supplier, warehouse_id: warehouse, products, ...extra } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    }

    it('create: always a draft, with a MMDDYYYY-NN order number of today and the next id', async () => {
      clock = Date.parse('2026-11-20T10:00:00Z');
      const sizeBefore = app.sandbox.state.size;
      const a = await create({ reference_number: 'REF-1', payment_terms: 'net_30', expected_delivery_date: '2026-12-01' });
      const b = await create();
      expect(a).toMatchObject({
        purchase_order_id: `se-${100_000 + sizeBefore}`, status: 'draft', order_number: '11202026-01', supplier_id: supplier,
        warehouse_id: warehouse, reference_number: 'REF-1', payment_terms: 'net_30', create_date: '2026-11-20T10:00:00Z',
        expected_delivery_date: '2026-12-01T00:00:00Z', currency_code: 'USD',
      });
      expect(a.products).toEqual(products.map((p) => ({ ...p, received_quantity: 0, rejected_quantity: 0 })));
      expect(b.order_number).toBe('11202026-02');
      // The new POs are listed last, and by create_date_start.
      const listed = (await app.inject({ url: '/v2/purchase_orders?create_date_start=2026-11-20T00:00:00Z', headers: KEY })).json();
      expect(listed.purchase_orders.map((po: SsPurchaseOrder) => po.purchase_order_id)).toEqual([a.purchase_order_id, b.purchase_order_id]);
    });

    it('create: 400 naming the field for a missing or bad field, an unknown supplier, a duplicate sku', async () => {
      const cases: [Record<string, unknown>, string, string][] = [
        [{ warehouse_id: warehouse, products }, 'field_value_required', 'supplier_id'],
        [{ supplier_id: supplier, warehouse_id: warehouse, products: [] }, 'invalid_field_value', 'products'],
        [{ supplier_id: supplier, warehouse_id: warehouse, products: [{ ...products[0], quantity: 0 }] }, 'invalid_field_value', 'products[0].quantity'],
        [{ supplier_id: supplier, warehouse_id: warehouse, products, payment_terms: 'net_90' }, 'invalid_field_value', 'payment_terms'],
        [{ supplier_id: 'se-1', warehouse_id: warehouse, products }, 'invalid_identifier', 'supplier_id'],
        [{ supplier_id: supplier, warehouse_id: warehouse, products: [products[0], products[0]] }, 'invalid_field_value', 'products[1].sku'],
      ];
      for (const [payload, code, field] of cases) {
        const res = await app.inject({ method: 'POST', url: '/v2/purchase_orders', headers: KEY, payload });
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expectShipStationError(res.json(), 'validation', code);
        expect(res.json().errors[0].message).toContain(field);
      }
      const noBody = await app.inject({ method: 'POST', url: '/v2/purchase_orders', headers: { ...KEY, 'content-type': 'application/json' }, payload: '' });
      expect(noBody.statusCode).toBe(400);
      expectShipStationError(noBody.json(), 'validation', 'request_body_required');
      const badJson = await app.inject({ method: 'POST', url: '/v2/purchase_orders', headers: { ...KEY, 'content-type': 'application/json' }, payload: '{"supplier_id":' });
      expect(badJson.statusCode).toBe(400);
      expectShipStationError(badJson.json(), 'validation', 'invalid_field_value');
      const badUrl = await app.inject({ url: '/v2/purchase_orders/%E0%A4%A', headers: KEY });
      expect(badUrl.statusCode).toBe(400);
      expectShipStationError(badUrl.json(), 'validation', 'invalid_field_value');
    });

    it('PUT replaces fields of a draft and bumps modify_date; 409 once the PO is not a draft', async () => {
      const po = await create();
      clock += 60_000;
      const res = await app.inject({ method: 'PUT', url: `/v2/purchase_orders/${po.purchase_order_id}`, headers: KEY, payload: { note_to_supplier: 'Rush', products: [products[1]] } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ note_to_supplier: 'Rush', order_number: po.order_number, modify_date: '2026-11-20T10:01:00Z' });
      expect(res.json().products).toHaveLength(1);
      const open = await app.inject({ method: 'POST', url: `/v2/purchase_orders/${po.purchase_order_id}/status`, headers: KEY, payload: { status: 'open' } });
      expect(open.json()).toEqual({ purchase_order_id: po.purchase_order_id, status: 'open' });
      const again = await app.inject({ method: 'PUT', url: `/v2/purchase_orders/${po.purchase_order_id}`, headers: KEY, payload: { note_to_supplier: 'x' } });
      expect(again.statusCode).toBe(409);
      expectShipStationError(again.json(), 'business_rules', 'invalid_status');
    });

    it('shipping_details: open only, and only the shipping fields', async () => {
      const po = await create();
      const url = `/v2/purchase_orders/${po.purchase_order_id}/shipping_details`;
      expect((await app.inject({ method: 'POST', url, headers: KEY, payload: { tracking_number: '1Z' } })).statusCode).toBe(409);
      await app.inject({ method: 'POST', url: `/v2/purchase_orders/${po.purchase_order_id}/status`, headers: KEY, payload: { status: 'open' } });
      const ok = await app.inject({ method: 'POST', url, headers: KEY, payload: { shipping_carrier: 'UPS', tracking_number: '1Z8A2V41031234567', payment_status: 'paid' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ shipping_carrier: 'UPS', tracking_number: '1Z8A2V41031234567', payment_status: 'paid', status: 'open' });
      const notAllowed = await app.inject({ method: 'POST', url, headers: KEY, payload: { supplier_id: 'se-568' } });
      expect(notAllowed.statusCode).toBe(400);
      expect(notAllowed.json().errors[0].message).toContain('supplier_id');
    });

    it('status: the legal moves only; 409 names the current status', async () => {
      const po = await create();
      const move = (status: string) => app.inject({ method: 'POST', url: `/v2/purchase_orders/${po.purchase_order_id}/status`, headers: KEY, payload: { status } });
      const bad = await move('received');
      expect(bad.statusCode).toBe(409);
      expect(bad.json().errors[0].message).toContain('draft');
      expect((await move('open')).statusCode).toBe(200);
      expect((await move('draft')).statusCode).toBe(409);
      expect((await move('cancelled')).statusCode).toBe(200);
      expect((await move('closed')).statusCode).toBe(409);
      expect((await move('bogus')).statusCode).toBe(400);
    });

    it('receives: partial → receiving, the rest → received; over-receipt and a draft are 409', async () => {
      const po = await create();
      const url = `/v2/purchase_orders/${po.purchase_order_id}/receives`;
      const receive = (product_receives: unknown[]) => app.inject({ method: 'POST', url, headers: KEY, payload: { product_receives } });
      expect((await receive([{ sku: 'TIT-PRO-V1', received_quantity: 1 }])).statusCode).toBe(409);
      await app.inject({ method: 'POST', url: `/v2/purchase_orders/${po.purchase_order_id}/status`, headers: KEY, payload: { status: 'open' } });
      const first = await receive([{ sku: 'TIT-PRO-V1', inventory_location_id: 'se-12345', received_quantity: 5, rejected_quantity: 1, lot: 'L1' }]);
      expect(first.json()).toEqual({ purchase_order_id: po.purchase_order_id, status: 'receiving' });
      expect((await receive([{ sku: 'TIT-GT2', received_quantity: 3 }])).statusCode).toBe(409);
      expect((await receive([{ sku: 'NOPE', received_quantity: 1 }])).statusCode).toBe(400);
      expect((await receive([{ sku: 'TIT-GT2', received_quantity: 0, rejected_quantity: 0 }])).statusCode).toBe(400);
      expect((await receive([{ sku: 'TIT-GT2', received_quantity: 1, inventory_location_id: 'se-1' }])).statusCode).toBe(400);
      const done = await receive([{ sku: 'TIT-PRO-V1', received_quantity: 4 }, { sku: 'TIT-GT2', received_quantity: 2 }]);
      expect(done.json().status).toBe('received');
      const stored = app.sandbox.state.get(po.purchase_order_id)!;
      expect(stored.products.map((p) => [p.received_quantity, p.rejected_quantity])).toEqual([[9, 1], [2, 0]]);
    });
  });

  describe('churn', () => {
    it('creates POs and moves others on, bumping modify_date: visible through create_date_start and status', async () => {
      clock = Date.parse('2026-11-21T08:00:00Z');
      const before = new Map(app.sandbox.state.all().map((po) => [po.purchase_order_id, po]));
      const result = app.sandbox.churn();
      expect(result.created).toBe(1);
      expect(result.advanced).toBeGreaterThan(0);
      const after = app.sandbox.state.all();
      const changed = after.filter((po) => before.has(po.purchase_order_id) && before.get(po.purchase_order_id)!.status !== po.status);
      expect(changed).toHaveLength(result.advanced);
      for (const po of changed) expect(po.modify_date).toBe('2026-11-21T08:00:00Z');
      const order = ['draft', 'open', 'receiving', 'received', 'closed'];
      for (const po of changed) {
        const was = before.get(po.purchase_order_id)!.status;
        expect(po.status === 'cancelled' || order.indexOf(po.status) > order.indexOf(was), `${was} → ${po.status}`).toBe(true);
      }
      const fresh = (await app.inject({ url: '/v2/purchase_orders?create_date_start=2026-11-21T08:00:00Z', headers: KEY })).json();
      expect(fresh.total).toBe(1);
      expect(fresh.purchase_orders[0]).toMatchObject({ status: 'draft', create_date: '2026-11-21T08:00:00Z', order_number: '11212026-01' });
      // A changed PO shows its new modify_date in the list (what an incremental sync compares).
      const id = changed[0].purchase_order_id;
      const header = (await app.inject({ url: `/v2/purchase_orders?order_number=${changed[0].order_number}`, headers: KEY })).json().purchase_orders[0];
      expect(header).toMatchObject({ purchase_order_id: id, modify_date: '2026-11-21T08:00:00Z', status: changed[0].status });
      expect(app.sandbox.stats.churn).toMatchObject({ steps: 1, created: 1, advanced: result.advanced });
    });

    it('churns every N requests when asked to', async () => {
      const small = createShipStationSandbox({ seed: 3, pos: 30, rateLimit: 0, churnEveryRequests: 5, churnCreate: 2, churnAdvance: 1 });
      for (let i = 0; i < 10; i++) await small.inject({ url: '/v2/purchase_orders?page_size=1', headers: KEY });
      expect(small.sandbox.stats.churn.steps).toBe(2);
      expect(small.sandbox.state.size).toBe(34);
      await small.close();
    });
  });
});

describe('ShipStation sandbox determinism', () => {
  it('the same seed gives the same POs; another seed other POs', async () => {
    const a = createShipStationSandbox({ seed: 11, pos: 150 });
    const b = createShipStationSandbox({ seed: 11, pos: 150 });
    const c = createShipStationSandbox({ seed: 12, pos: 150 });
    expect(a.sandbox.state.all()).toEqual(b.sandbox.state.all());
    expect(JSON.stringify(a.sandbox.state.all())).not.toEqual(JSON.stringify(c.sandbox.state.all()));
    const pageA = (await a.inject({ url: '/v2/purchase_orders?page_size=500', headers: KEY })).json();
    const pageB = (await b.inject({ url: '/v2/purchase_orders?page_size=500', headers: KEY })).json();
    expect(pageA.purchase_orders).toEqual(pageB.purchase_orders);
    // Churn is seeded too.
    a.sandbox.churn();
    b.sandbox.churn();
    expect(a.sandbox.state.all().map((po) => [po.status, po.products])).toEqual(b.sandbox.state.all().map((po) => [po.status, po.products]));
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('changing one PO leaves the others as generated, and only the changed one is held', () => {
    // PO i depends on (seed, i, count) only: generating it again, or after others changed, gives the same record.
    const a = createShipStationSandbox({ seed: 5, pos: 2000 });
    const first = a.sandbox.state.get('se-101234');
    a.sandbox.state.update('se-101233', (po) => { po.note_to_supplier = 'changed'; });
    expect(a.sandbox.state.get('se-101234')).toEqual(first);
    expect(a.sandbox.state.heldCount).toBe(1);
  });

  it('serves a large sandbox without holding its POs', async () => {
    const big = createShipStationSandbox({ seed: 1, pos: 200_000, rateLimit: 0 });
    const res = await big.inject({ url: '/v2/purchase_orders?page_size=500&status=receiving', headers: KEY });
    expect(res.json().total).toBeGreaterThan(0);
    const last = await big.inject({ url: '/v2/purchase_orders/se-299999', headers: KEY });
    expect(last.statusCode).toBe(200);
    expect(big.sandbox.state.heldCount).toBe(0);
    await big.close();
  });
});

// Contract tests of the PO lifecycle API (DESIGN section 3) on SQLite and PostgreSQL: every endpoint, every
// illegal move, the receive arithmetic, idempotent replays, concurrent creates, and the read API after each write.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { expectError, expectValidationError } from '../support/contract.ts';
import { TestDatabases } from '../support/test-database.ts';
import { buildTestApp, TEST_CONFIG } from '../support/world.ts';

const databases = TestDatabases.create();
const STATUSES = ['draft', 'open', 'receiving', 'received', 'closed', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];
const LEGAL: Record<Status, Status[]> = {
  draft: ['open', 'cancelled'], open: ['cancelled', 'closed'], receiving: ['closed'], received: ['closed'], closed: [], cancelled: [],
};

describe.each(databases.eachSupportedId())('PO lifecycle API on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let writeKey: string;
  let readKey: string;
  let otherKey: string;
  let supplierId: string;
  let warehouseId: string;
  let locationId: string;
  let otherLocationId: string;

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, headers: Record<string, string> = {}, key = writeKey) =>
    app.inject({ method, url, payload: body as object, headers: { 'x-api-key': key, ...headers } });
  const product = (sku: string, quantity: number, cost = 10) => ({ sku, supplier_sku: `S-${sku}`, quantity, cost });
  const newPo = (extra: Record<string, unknown> = {}) => ({
    supplier_id: supplierId, warehouse_id: warehouseId, products: [product('GT2-9', 10, 389.5), product('PROV1', 4, 34.5)], ...extra,
  });
  const create = async (extra: Record<string, unknown> = {}) => {
    const response = await call('POST', '/api/v2/purchase_orders', newPo(extra));
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const move = (id: string, status: string) => call('POST', `/api/v2/purchase_orders/${id}/status`, { status });
  const receive = (id: string, receives: object[]) => call('POST', `/api/v2/purchase_orders/${id}/receives`, { product_receives: receives });
  const readV2 = async (poNumber: string) => {
    const response = await app.inject({ method: 'GET', url: `/api/v2/orders/by-po/${poNumber}`, headers: { 'x-api-key': readKey } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().data[0];
  };
  const countRows = async (table: 'purchase_orders' | 'receipts' | 'po_lines') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  /** A PO brought to `status` through the API. */
  async function poIn(status: Status): Promise<string> {
    const { purchase_order_id: id } = await create();
    if (status === 'draft') return id;
    if (status === 'cancelled') {
      expect((await move(id, 'cancelled')).statusCode).toBe(200);
      return id;
    }
    expect((await move(id, 'open')).statusCode).toBe(200);
    if (status === 'receiving') expect((await receive(id, [{ sku: 'GT2-9', received_quantity: 1 }])).json().status).toBe('receiving');
    if (status === 'received' || status === 'closed') {
      const full = await receive(id, [{ sku: 'GT2-9', received_quantity: 10 }, { sku: 'PROV1', received_quantity: 4 }]);
      expect(full.json().status).toBe('received');
    }
    if (status === 'closed') expect((await move(id, 'closed')).statusCode).toBe(200);
    return id;
  }

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    const { retailer } = await ensureRetailer(db, 'fairway', 'America/New_York');
    writeKey = (await createApiKey(db, retailer.id, 'writer', ['read', 'write'])).secret;
    readKey = (await createApiKey(db, retailer.id, 'reader', ['read'])).secret;
    const { retailer: other } = await ensureRetailer(db, 'other');
    otherKey = (await createApiKey(db, other.id, 'other', ['read', 'write'])).secret;
    supplierId = await ensureSupplier(db, retailer.id, { name: 'Acushnet' });
    warehouseId = await ensureWarehouse(db, retailer.id, { name: 'Main', address: null, locations: ['Dock'] });
    locationId = (await db.selectFrom('inventory_locations').select('id').where('warehouse_id', '=', warehouseId).executeTakeFirstOrThrow()).id;
    const otherWarehouse = await ensureWarehouse(db, other.id, { name: 'Elsewhere', address: null, locations: ['Bin'] });
    otherLocationId = (await db.selectFrom('inventory_locations').select('id').where('warehouse_id', '=', otherWarehouse).executeTakeFirstOrThrow()).id;
    app = await buildTestApp(db);
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('POST /api/v2/purchase_orders', () => {
    it('creates a draft with a per-day order number, pending lines, and the read API shows it at once', async () => {
      const po = await create({ reference_number: 'REF-1', payment_terms: 'net_30', expected_delivery_date: '2026-12-01' });
      expect(po.purchase_order_id).toMatch(/^po_[0-9a-z]+$/);
      expect(po.status).toBe('draft');
      const day = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' })
        .format(new Date()).replace(/\//g, '');
      expect(po.order_number).toMatch(new RegExp(`^${day}-\\d{2,}$`));
      expect(po.po_number).toBe(po.order_number);
      expect(po.supplier_name).toBe('Acushnet');
      expect(po.expected_delivery_date).toBe('2026-12-01T00:00:00+00:00');
      expect(po.products).toEqual([
        expect.objectContaining({ sku: 'GT2-9', supplier_sku: 'S-GT2-9', quantity: 10, cost: 389.5, received_quantity: 0, rejected_quantity: 0, fulfilment_status: 'pending' }),
        expect.objectContaining({ sku: 'PROV1', quantity: 4, cost: 34.5 }),
      ]);
      const record = await readV2(po.po_number);
      expect(record.status).toBe('pending');
      expect(record.total).toBe(4033);
      expect(record.quantity).toBe(14);
      expect(record.suppliers).toEqual(['Acushnet']);
      const events = await db.selectFrom('status_events').selectAll().where('po_id', '=', po.purchase_order_id).execute();
      expect(events.filter((e) => e.axis === 'lifecycle').map((e) => e.to_status)).toEqual(['draft']);
      expect(events.filter((e) => e.axis === 'fulfilment')).toHaveLength(2);
    });

    it('keeps a given po_number and refuses a second PO with it (409)', async () => {
      await create({ po_number: 'PO-CUSTOM-1' });
      expectError(await call('POST', '/api/v2/purchase_orders', newPo({ po_number: 'PO-CUSTOM-1' })), 409, 'conflict');
    });

    it('gives concurrent creates distinct, consecutive order numbers', async () => {
      const responses = await Promise.all(Array.from({ length: 8 }, () => call('POST', '/api/v2/purchase_orders', newPo())));
      const numbers = responses.map((r) => r.json().order_number as string);
      expect(responses.every((r) => r.statusCode === 201)).toBe(true);
      expect(new Set(numbers).size).toBe(8);
      const sequences = numbers.map((n) => Number(n.split('-')[1])).sort((a, b) => a - b);
      expect(sequences.at(-1)! - sequences[0]).toBe(7);
    });

    const bad: [string, Record<string, unknown>, string][] = [
      ['no products', { products: [] }, 'body.products'],
      ['quantity 0', { products: [product('A', 0)] }, 'body.products[0].quantity'],
      ['negative cost', { products: [product('A', 1, -1)] }, 'body.products[0].cost'],
      ['cost with three decimals', { products: [product('A', 1, 1.005)] }, 'body.products[0].cost'],
      ['a sku twice', { products: [product('A', 1), product('A', 2)] }, 'body.products[1].sku'],
      ['a blank po_number', { po_number: '   ' }, 'body.po_number'],
      ['a JPY cost with decimals', { currency_code: 'JPY', products: [product('A', 1, 1.5)] }, 'body.products[0].cost'],
      ['an order_date in month 13', { order_date: '2026-13-01T00:00:00Z' }, 'body.order_date'],
      ['an unknown field', { color: 'red' }, 'body.color'],
      ['an unknown supplier', { supplier_id: 'sup_nope' }, 'body.supplier_id'],
      ['an unknown warehouse', { warehouse_id: 'wh_nope' }, 'body.warehouse_id'],
      ['a bad payment term', { payment_terms: 'net_90' }, 'body.payment_terms'],
      ['a lower-case currency', { currency_code: 'usd' }, 'body.currency_code'],
      ['an impossible expected date', { expected_delivery_date: '2026-02-30' }, 'body.expected_delivery_date'],
      ['a bad customer email', { customer_email: 'nope' }, 'body.customer_email'],
    ];
    it.each(bad)('refuses %s with a 400 naming the field, writing nothing', async (_, extra, field) => {
      const before = await countRows('purchase_orders');
      expectValidationError(await call('POST', '/api/v2/purchase_orders', newPo(extra)), field);
      expect(await countRows('purchase_orders')).toBe(before);
    });

    it('refuses a missing supplier_id and malformed JSON', async () => {
      const { supplier_id: _, ...body } = newPo();
      expectValidationError(await call('POST', '/api/v2/purchase_orders', body), 'body.supplier_id');
      const malformed = await app.inject({
        method: 'POST', url: '/api/v2/purchase_orders', payload: '{"supplier_id":', headers: { 'x-api-key': writeKey, 'content-type': 'application/json' },
      });
      expectError(malformed, 400, 'validation_failed');
    });

    it('applies a supplier update that arrived before the PO, as soon as the PO is created', async () => {
      const update = {
        type: 'order', po_number: 'PO-EARLY-BIRD', supplier_order_id: 'AC-900001', supplier_name: 'Acushnet', status: 'confirmed',
        lines: [{ sku: 'GT2-9', quantity: 10 }], estimated_delivery_date: '2026-12-24',
      };
      const held = await call('POST', '/api/v2/supplier_updates', { updates: [update] });
      expect(held.statusCode, held.body).toBe(200);
      expect(held.json().results[0].result).toBe('unmatched');
      await create({ po_number: 'PO-EARLY-BIRD' });
      const record = await readV2('PO-EARLY-BIRD');
      const item = record.items.find((i: any) => i.product_details.sku === 'GT2-9');
      expect(item).toMatchObject({ supplier_order_id: 'AC-900001', status: 'confirmed', estimated_delivery_date: '12/24/2026' });
      expect(record.items.find((i: any) => i.product_details.sku === 'PROV1').status).toBe('pending');
      const left = await db.selectFrom('held_supplier_updates').select('id').where('po_number', '=', 'PO-EARLY-BIRD').execute();
      expect(left).toEqual([]);
    });

    it('cannot use another retailer\'s supplier', async () => {
      expectValidationError(await call('POST', '/api/v2/purchase_orders', newPo(), {}, otherKey), 'body.supplier_id');
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for the same key and body, writing once', async () => {
      const before = await countRows('purchase_orders');
      const first = await call('POST', '/api/v2/purchase_orders', newPo(), { 'idempotency-key': 'create-1' });
      const again = await call('POST', '/api/v2/purchase_orders', newPo(), { 'idempotency-key': 'create-1' });
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
      expect(await countRows('purchase_orders')).toBe(before + 1);
    });

    it('answers 409 for the same key with another body', async () => {
      await call('POST', '/api/v2/purchase_orders', newPo(), { 'idempotency-key': 'create-2' });
      const other = await call('POST', '/api/v2/purchase_orders', newPo({ reference_number: 'X' }), { 'idempotency-key': 'create-2' });
      expectError(other, 409, 'conflict');
    });

    it('keeps keys apart per retailer and lets a key expire after 24 hours', async () => {
      await call('POST', '/api/v2/purchase_orders', newPo(), { 'idempotency-key': 'create-3' });
      await db.updateTable('idempotency_keys').set({ created_at: new Date(Date.now() - 25 * 3600_000).toISOString() })
        .where('key', '=', 'create-3').execute();
      const before = await countRows('purchase_orders');
      const fresh = await call('POST', '/api/v2/purchase_orders', newPo(), { 'idempotency-key': 'create-3' });
      expect(fresh.statusCode).toBe(201);
      expect(fresh.headers['idempotent-replayed']).toBeUndefined();
      expect(await countRows('purchase_orders')).toBe(before + 1);
    });

    it('replays a status move instead of applying it twice', async () => {
      const id = await poIn('draft');
      const first = await call('POST', `/api/v2/purchase_orders/${id}/status`, { status: 'open' }, { 'idempotency-key': 'open-1' });
      const again = await call('POST', `/api/v2/purchase_orders/${id}/status`, { status: 'open' }, { 'idempotency-key': 'open-1' });
      expect(first.statusCode).toBe(200);
      expect(again.statusCode).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
    });

    it('refuses a malformed key', async () => {
      expectValidationError(await call('POST', '/api/v2/purchase_orders', newPo(), { 'idempotency-key': 'x'.repeat(300) }), 'header.idempotency-key');
    });
  });

  describe('GET and PUT /api/v2/purchase_orders/:id', () => {
    it('returns the PO; unknown and another retailer\'s are 404', async () => {
      const id = await poIn('draft');
      const response = await call('GET', `/api/v2/purchase_orders/${id}`);
      expect(response.statusCode).toBe(200);
      expect(response.json().purchase_order_id).toBe(id);
      expectError(await call('GET', '/api/v2/purchase_orders/po_nope'), 404, 'not_found');
      expectError(await call('GET', `/api/v2/purchase_orders/${id}`, undefined, {}, otherKey), 404, 'not_found');
    });

    it('replaces a draft: products matched by sku, removed, added; the read API follows', async () => {
      const po = await create();
      const response = await call('PUT', `/api/v2/purchase_orders/${po.purchase_order_id}`,
        newPo({ products: [product('GT2-9', 3, 400), product('NEW-1', 2, 5)], po_number: 'PO-RENAMED', note_to_supplier: 'Rush' }));
      expect(response.statusCode, response.body).toBe(200);
      const updated = response.json();
      expect(updated.po_number).toBe('PO-RENAMED');
      expect(updated.note_to_supplier).toBe('Rush');
      expect(updated.products.map((p: any) => [p.sku, p.quantity, p.cost])).toEqual([['GT2-9', 3, 400], ['NEW-1', 2, 5]]);
      const record = await readV2('PO-RENAMED');
      expect(record.total).toBe(1210);
      expect(record.items.map((i: any) => i.product_details.sku)).toEqual(['GT2-9', 'NEW-1']);
    });

    it('refuses PUT once the PO is not a draft (409) and on bad input (400)', async () => {
      const id = await poIn('open');
      expectError(await call('PUT', `/api/v2/purchase_orders/${id}`, newPo()), 409, 'conflict');
      const draft = await poIn('draft');
      expectValidationError(await call('PUT', `/api/v2/purchase_orders/${draft}`, newPo({ products: [] })), 'body.products');
    });
  });

  describe('POST …/shipping_details', () => {
    it('changes the nine fields of an open PO only', async () => {
      const id = await poIn('open');
      const response = await call('POST', `/api/v2/purchase_orders/${id}/shipping_details`, {
        shipping_carrier: 'UPS', tracking_number: '1Z999AA10123456784', payment_status: 'paid', currency_code: 'CAD',
        expected_delivery_date: '2027-01-02T00:00:00Z', reference_number: 'R-9',
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ shipping_carrier: 'UPS', payment_status: 'paid', currency_code: 'CAD', expected_delivery_date: '2027-01-02T00:00:00+00:00' });
      expectValidationError(await call('POST', `/api/v2/purchase_orders/${id}/shipping_details`, { supplier_id: supplierId }), 'body.supplier_id');
      expectValidationError(await call('POST', `/api/v2/purchase_orders/${id}/shipping_details`, {}), 'body');
    });

    it.each([
      '1Z999AA10123456784 1Z999AA10123456791', '1Z999AA10123456784  9400111899223197428490', '1Z999AA10123456784\t1Z999AA10123456791',
      '1Z999AA10123456784, 1Z999AA10123456793', '1Z999AA10123456784 / 1Z999AA10123456793',
    ])('a tracking_number holding two numbers (%j) is a 400 naming the field, the PO unchanged', async (trackingNumber) => {
      const id = await poIn('open');
      const before = (await call('GET', `/api/v2/purchase_orders/${id}`)).json();
      const body = expectValidationError(await call('POST', `/api/v2/purchase_orders/${id}/shipping_details`, { tracking_number: trackingNumber }),
        'body.tracking_number');
      expect(body.details[0].message).toMatch(/holds 2 tracking numbers/);
      expect((await call('GET', `/api/v2/purchase_orders/${id}`)).json()).toEqual(before);
    });

    it.each(['1Z 999 AA1 01 2345 6784', '9400 1000 0000 0000 0000 00', '7489 4793 8820'])(
      'a tracking_number printed with spaces (%j) is one number, stored as sent', async (trackingNumber) => {
        const id = await poIn('open');
        const response = await call('POST', `/api/v2/purchase_orders/${id}/shipping_details`, { tracking_number: trackingNumber });
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json().tracking_number).toBe(trackingNumber);
      });

    it.each(['draft', 'receiving', 'cancelled'] as const)('is a 409 on a %s PO', async (status) => {
      const id = await poIn(status);
      const response = await call('POST', `/api/v2/purchase_orders/${id}/shipping_details`, { reference_number: 'X' });
      expect(expectError(response, 409, 'conflict').message).toContain(status);
    });
  });

  describe('POST …/status', () => {
    const moves = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));
    it.each(moves)('%s → %s follows the legal moves', async (from, to) => {
      const id = await poIn(from);
      const response = await move(id, to);
      if (LEGAL[from].includes(to)) {
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json()).toEqual({ purchase_order_id: id, status: to });
      } else {
        const body = expectError(response, 409, 'conflict');
        expect(body.message).toContain(from);
        expect(body.message).toContain(to);
        const stored = await db.selectFrom('purchase_orders').select('status').where('id', '=', id).executeTakeFirstOrThrow();
        expect(stored.status).toBe(from);
      }
    });

    it('opening submits pending lines; cancelling cancels them; both are status events the read API shows', async () => {
      const po = await create();
      await move(po.purchase_order_id, 'open');
      expect((await readV2(po.po_number)).status).toBe('submitted');
      await move(po.purchase_order_id, 'cancelled');
      const record = await readV2(po.po_number);
      expect(record.status).toBe('cancelled');
      expect(record.items.every((i: any) => i.status === 'cancelled')).toBe(true);
      expect(record.total).toBe(0);
      const events = await db.selectFrom('status_events').select(['axis', 'from_status', 'to_status', 'source'])
        .where('po_id', '=', po.purchase_order_id).where('line_id', 'is', null).execute();
      expect(events.map((e) => [e.from_status, e.to_status])).toEqual([[null, 'draft'], ['draft', 'open'], ['open', 'cancelled']]);
      expect(events.every((e) => e.source === 'api')).toBe(true);
    });

    it('refuses an unknown status (400) and an unknown PO (404)', async () => {
      const id = await poIn('draft');
      expectValidationError(await move(id, 'shipped'), 'body.status');
      expectError(await move('po_nope', 'open'), 404, 'not_found');
    });
  });

  describe('POST …/receives', () => {
    it('receives in parts: open → receiving → received, with rejects, lots and expiry kept', async () => {
      const po = await create();
      const id = po.purchase_order_id;
      await move(id, 'open');
      const first = await receive(id, [{ sku: 'GT2-9', inventory_location_id: locationId, received_quantity: 6, rejected_quantity: 1, lot: 'LOT-1', expiration_date: '2028-01-31' }]);
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toEqual({ purchase_order_id: id, status: 'receiving' });
      const second = await receive(id, [{ sku: 'GT2-9', received_quantity: 3 }, { sku: 'PROV1', received_quantity: 4 }]);
      expect(second.json()).toEqual({ purchase_order_id: id, status: 'received' });
      const stored = (await call('GET', `/api/v2/purchase_orders/${id}`)).json();
      expect(stored.status).toBe('received');
      expect(stored.products.map((p: any) => [p.sku, p.received_quantity, p.rejected_quantity])).toEqual([['GT2-9', 9, 1], ['PROV1', 4, 0]]);
      const receipts = await db.selectFrom('receipts').selectAll().where('po_id', '=', id).orderBy('received_at').execute();
      expect(receipts[0]).toMatchObject({ lot: 'LOT-1', expiration_date: '2028-01-31', inventory_location_id: locationId, received_quantity: 6, rejected_quantity: 1 });
      expect(receipts).toHaveLength(3);
    });

    it('refuses over-receipt with a 409 and writes nothing', async () => {
      const id = await poIn('receiving');
      const before = await countRows('receipts');
      const response = await receive(id, [{ sku: 'PROV1', received_quantity: 1 }, { sku: 'GT2-9', received_quantity: 5, rejected_quantity: 5 }]);
      expect(expectError(response, 409, 'conflict').message).toContain('GT2-9');
      expect(await countRows('receipts')).toBe(before);
      const stored = (await call('GET', `/api/v2/purchase_orders/${id}`)).json();
      expect(stored.products.find((p: any) => p.sku === 'PROV1').received_quantity).toBe(0);
    });

    it.each(['draft', 'cancelled', 'closed', 'received'] as const)('refuses receiving a %s PO (409)', async (status) => {
      const id = await poIn(status);
      expectError(await receive(id, [{ sku: 'GT2-9', received_quantity: 1 }]), 409, 'conflict');
    });

    const bad: [string, object[], string][] = [
      ['an unknown sku', [{ sku: 'NOPE', received_quantity: 1 }], 'body.product_receives[0].sku'],
      ['no quantity', [{ sku: 'GT2-9' }], 'body.product_receives[0]'],
      ['a negative quantity', [{ sku: 'GT2-9', received_quantity: -1 }], 'body.product_receives[0].received_quantity'],
      ['an unknown location', [{ sku: 'GT2-9', received_quantity: 1, inventory_location_id: 'loc_nope' }], 'body.product_receives[0].inventory_location_id'],
      ['another retailer\'s location', [{ sku: 'GT2-9', received_quantity: 1, inventory_location_id: 'OTHER' }], 'body.product_receives[0].inventory_location_id'],
      ['an impossible expiry', [{ sku: 'GT2-9', received_quantity: 1, expiration_date: '2027-13-01' }], 'body.product_receives[0].expiration_date'],
    ];
    it.each(bad)('refuses %s with a 400 naming the field', async (_, receives, field) => {
      const id = await poIn('open');
      const patched = receives.map((r: any) => (r.inventory_location_id === 'OTHER' ? { ...r, inventory_location_id: otherLocationId } : r));
      expectValidationError(await receive(id, patched), field);
      expectValidationError(await receive(id, []), 'body.product_receives');
    });
  });

  describe('GET /api/v2/purchase_orders (list)', () => {
    it('filters, pages with links whose cursor keeps the filters, and refuses altered cursors', async () => {
      for (let i = 0; i < 5; i++) await create({ reference_number: 'LIST-REF' });
      await create({ reference_number: 'OTHER-REF' });
      const seen: string[] = [];
      let response: LightMyRequestResponse = await call('GET', '/api/v2/purchase_orders?reference_number=LIST-REF&page_size=2');
      for (let page = 1; ; page++) {
        expect(response.statusCode, response.body).toBe(200);
        const body = response.json();
        expect(body).toMatchObject({ total: 5, page, pages: 3 });
        expect(body.links.first.href).toContain('cursor=');
        expect(body.purchase_orders.every((p: any) => p.reference_number === 'LIST-REF')).toBe(true);
        seen.push(...body.purchase_orders.map((p: any) => p.purchase_order_id));
        if (page === 1) expect(body.links.prev).toBeNull();
        if (!body.links.next) break;
        response = await call('GET', body.links.next.href.replace(TEST_CONFIG.publicUrl, ''));
      }
      expect(new Set(seen).size).toBe(5);

      const first = (await call('GET', '/api/v2/purchase_orders?reference_number=LIST-REF&page_size=2')).json();
      const cursor = new URL(first.links.next.href).searchParams.get('cursor')!;
      const tampered = Buffer.from(JSON.stringify({ filters: {}, page_size: 2, page: 2 })).toString('base64url') + '.' + cursor.split('.')[1];
      expectValidationError(await call('GET', `/api/v2/purchase_orders?cursor=${tampered}`), 'query.cursor');
      expectValidationError(await call('GET', `/api/v2/purchase_orders?cursor=${cursor}&status=open`), 'query.cursor');
    });

    it.each([['page_size=0', 'query.page_size'], ['page_size=501', 'query.page_size'], ['status=shipped', 'query.status'],
      ['create_date_start=yesterday', 'query.create_date_start'], ['colour=red', 'query.colour']])('refuses %s', async (query, field) => {
      expectValidationError(await call('GET', `/api/v2/purchase_orders?${query}`), field);
    });

    it('shows only the caller\'s POs', async () => {
      const body = (await call('GET', '/api/v2/purchase_orders', undefined, {}, otherKey)).json();
      expect(body.total).toBe(0);
      expect(body.purchase_orders).toEqual([]);
    });
  });

  describe('scopes', () => {
    it('needs the write scope (403 for a read-only key, 401 without a key)', async () => {
      const id = await poIn('draft');
      for (const [method, url, body] of [
        ['GET', '/api/v2/purchase_orders', undefined], ['POST', '/api/v2/purchase_orders', newPo()], ['GET', `/api/v2/purchase_orders/${id}`, undefined],
        ['PUT', `/api/v2/purchase_orders/${id}`, newPo()], ['POST', `/api/v2/purchase_orders/${id}/status`, { status: 'open' }],
        ['POST', `/api/v2/purchase_orders/${id}/receives`, { product_receives: [{ sku: 'GT2-9', received_quantity: 1 }] }],
        ['POST', `/api/v2/purchase_orders/${id}/shipping_details`, { reference_number: 'x' }],
      ] as const) {
        expectError(await call(method, url, body, {}, readKey), 403, 'forbidden');
        expectError(await app.inject({ method, url, payload: body as object }), 401, 'unauthorized');
      }
    });
  });
});

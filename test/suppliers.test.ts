// Contract tests of /api/v2/suppliers (DESIGN section 3) on SQLite and PostgreSQL.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import type { Db } from '../src/db/database.ts';
import { createApiKey } from '../src/store/api-keys.ts';
import { insertPurchaseOrders, supplierNamesOf } from '../src/store/purchase-orders.ts';
import { ensureRetailer } from '../src/store/retailers.ts';
import { buildPo } from './support/fixtures.ts';
import { TestDatabases } from './support/test-database.ts';

const databases = TestDatabases.create();
const PUBLIC_URL = 'http://localhost:8080';

interface Call {
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

describe.each(databases.eachSupportedId())('/api/v2/suppliers on %s', (databaseId) => {
  let app: FastifyInstance;
  let db: Db;
  let retailerId: string;
  let writeKey: string;
  let readKey: string;
  let otherKey: string;

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    app = await buildApp({ config: { publicUrl: PUBLIC_URL, logLevel: 'silent', secret: 'x'.repeat(40) }, db, logger: false });
    const { retailer } = await ensureRetailer(db, 'Fairway Pro Shop');
    retailerId = retailer.id;
    writeKey = (await createApiKey(db, retailer.id, 'writer', ['read', 'write'])).secret;
    readKey = (await createApiKey(db, retailer.id, 'reader', ['read'])).secret;
    const { retailer: other } = await ensureRetailer(db, 'Other Retailer');
    otherKey = (await createApiKey(db, other.id, 'other', ['read', 'write'])).secret;
  });
  afterAll(async () => {
    await app?.close();
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, { key = writeKey, body, headers = {} }: Call = {}) =>
    app.inject({
      method, url, headers: { 'x-api-key': key, ...headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  const path = (href: string) => href.slice(PUBLIC_URL.length);
  const create = async (body: object, key = writeKey) => {
    const response = await call('POST', '/api/v2/suppliers', { body, key });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const countNamed = async (name: string) => Number((await db.selectFrom('suppliers')
    .select((eb) => eb.fn.countAll<number>().as('n')).where('retailer_id', '=', retailerId).where('name', '=', name)
    .executeTakeFirstOrThrow()).n);

  function expectError(response: { statusCode: number; json: () => any; headers: Record<string, unknown> }, status: number, error: string) {
    expect(response.statusCode).toBe(status);
    const body = response.json();
    expect(body).toMatchObject({ error, errorCode: status, message: expect.any(String), request_id: response.headers['x-request-id'] });
    return body;
  }

  const acushnet = {
    name: 'Acushnet',
    contact_name: 'Sam Supplier',
    contact_email: 'orders@acushnet.example',
    phone: '+1 508 979 2000',
    address: { name: 'Acushnet Company', line1: '333 Bridge St', city: 'Fairhaven', state: 'MA', postal_code: '02719', country: 'US' },
  };

  describe('POST /api/v2/suppliers', () => {
    it('creates a supplier and returns it with 201', async () => {
      const response = await call('POST', '/api/v2/suppliers', { body: acushnet });
      expect(response.statusCode).toBe(201);
      const supplier = response.json();
      expect(supplier).toEqual({
        supplier_id: expect.stringMatching(/^sup_[0-9a-z]{22}$/),
        name: 'Acushnet',
        contact_name: 'Sam Supplier',
        contact_email: 'orders@acushnet.example',
        phone: '+1 508 979 2000',
        address: {
          name: 'Acushnet Company', company: null, line1: '333 Bridge St', line2: null, city: 'Fairhaven', state: 'MA',
          postal_code: '02719', country: 'US',
        },
        create_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/),
        modify_date: supplier.create_date,
      });
      expect(response.headers.location).toBe(`${PUBLIC_URL}/api/v2/suppliers/${supplier.supplier_id}`);
    });

    it('needs only a name; the rest is null', async () => {
      expect(await create({ name: 'Cobra Puma' })).toMatchObject({
        name: 'Cobra Puma', contact_name: null, contact_email: null, phone: null, address: null,
      });
    });

    it('refuses a name the retailer already uses with 409 and writes nothing', async () => {
      await create({ name: 'TaylorMade' });
      const body = expectError(await call('POST', '/api/v2/suppliers', { body: { name: 'TaylorMade', phone: '1' } }), 409, 'conflict');
      expect(body.message).toContain('TaylorMade');
      expect(await countNamed('TaylorMade')).toBe(1);
    });

    it('gives concurrent creates of one name one supplier and 409s, never a 500', async () => {
      const responses = await Promise.all(Array.from({ length: 5 }, () =>
        call('POST', '/api/v2/suppliers', { body: { name: 'Race Supplier' } })));
      expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
      expect(await countNamed('Race Supplier')).toBe(1);
    });

    it('lets another retailer use the same name', async () => {
      expect((await create({ name: 'Acushnet' }, otherKey)).name).toBe('Acushnet');
    });

    it('names an unknown field (400)', async () => {
      const body = expectError(await call('POST', '/api/v2/suppliers', { body: { name: 'X Co', fax: '123' } }), 400, 'validation_failed');
      expect(body.details).toEqual([{ field: 'body.fax', message: 'is not a known field' }]);
      const nested = expectError(await call('POST', '/api/v2/suppliers', {
        body: { name: 'X Co', address: { line1: '1 Main', zip: '1' } },
      }), 400, 'validation_failed');
      expect(nested.details).toEqual([{ field: 'body.address.zip', message: 'is not a known field' }]);
      expect(await countNamed('X Co')).toBe(0);
    });

    it('refuses a malformed contact_email (400 naming it)', async () => {
      const body = expectError(await call('POST', '/api/v2/suppliers', {
        body: { name: 'Bad Email Co', contact_email: 'not-an-email' },
      }), 400, 'validation_failed');
      expect(body.details).toEqual([{ field: 'body.contact_email', message: expect.stringContaining('email') }]);
      expect(await countNamed('Bad Email Co')).toBe(0);
    });

    it('requires a name that is not blank', async () => {
      expect(expectError(await call('POST', '/api/v2/suppliers', { body: { phone: '1' } }), 400, 'validation_failed').details)
        .toEqual([{ field: 'body.name', message: 'is required' }]);
      expect(expectError(await call('POST', '/api/v2/suppliers', { body: { name: '   ' } }), 400, 'validation_failed').details)
        .toEqual([{ field: 'body.name', message: 'must not be blank' }]);
      expect(expectError(await call('POST', '/api/v2/suppliers', { body: { name: 7 } }), 400, 'validation_failed').details)
        .toEqual([{ field: 'body.name', message: expect.stringContaining('string') }]);
    });

    it('refuses malformed JSON (400)', async () => {
      const response = await app.inject({
        method: 'POST', url: '/api/v2/suppliers', payload: '{"name": ',
        headers: { 'x-api-key': writeKey, 'content-type': 'application/json' },
      });
      expectError(response, 400, 'validation_failed');
    });
  });

  describe('Idempotency-Key on POST', () => {
    it('replays the first response for the same key and body, creating one supplier', async () => {
      const headers = { 'idempotency-key': 'create-mizuno-1' };
      const first = await call('POST', '/api/v2/suppliers', { body: { name: 'Mizuno' }, headers });
      const again = await call('POST', '/api/v2/suppliers', { body: { name: 'Mizuno' }, headers });
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(201);
      expect(again.body).toBe(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await countNamed('Mizuno')).toBe(1);
    });

    it('refuses the same key with a different body (409) and writes nothing', async () => {
      const headers = { 'idempotency-key': 'create-ping-1' };
      expect((await call('POST', '/api/v2/suppliers', { body: { name: 'Ping' }, headers })).statusCode).toBe(201);
      expectError(await call('POST', '/api/v2/suppliers', { body: { name: 'Ping Golf' }, headers }), 409, 'conflict');
      expect(await countNamed('Ping Golf')).toBe(0);
    });

    it('keeps keys per retailer', async () => {
      const headers = { 'idempotency-key': 'create-srixon' };
      expect((await call('POST', '/api/v2/suppliers', { body: { name: 'Srixon' }, headers })).statusCode).toBe(201);
      const other = await call('POST', '/api/v2/suppliers', { body: { name: 'Srixon' }, headers, key: otherKey });
      expect(other.statusCode).toBe(201);
      expect(other.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  describe('GET /api/v2/suppliers/:supplier_id', () => {
    it('returns the supplier', async () => {
      const created = await create({ ...acushnet, name: 'Titleist' });
      const response = await call('GET', `/api/v2/suppliers/${created.supplier_id}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(created);
    });

    it('answers 404 for an unknown id and for another retailer\'s supplier', async () => {
      expectError(await call('GET', '/api/v2/suppliers/sup_nope'), 404, 'not_found');
      const theirs = await create({ name: 'Theirs Only' }, otherKey);
      expectError(await call('GET', `/api/v2/suppliers/${theirs.supplier_id}`), 404, 'not_found');
    });
  });

  describe('PUT /api/v2/suppliers/:supplier_id', () => {
    it('replaces the fields and moves modify_date', async () => {
      const created = await create({ ...acushnet, name: 'Wilson' });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const response = await call('PUT', `/api/v2/suppliers/${created.supplier_id}`, {
        body: { name: 'Wilson Staff', contact_email: 'po@wilson.example' },
      });
      expect(response.statusCode).toBe(200);
      const updated = response.json();
      expect(updated).toEqual({
        ...created, name: 'Wilson Staff', contact_name: null, contact_email: 'po@wilson.example', phone: null, address: null,
        modify_date: expect.any(String),
      });
      expect(updated.modify_date > created.modify_date).toBe(true);
      expect((await call('GET', `/api/v2/suppliers/${created.supplier_id}`)).json()).toEqual(updated);
    });

    it('keeps its own name without a conflict', async () => {
      const created = await create({ name: 'Bridgestone' });
      const response = await call('PUT', `/api/v2/suppliers/${created.supplier_id}`, { body: { name: 'Bridgestone', phone: '555' } });
      expect(response.statusCode).toBe(200);
      expect(response.json().phone).toBe('555');
    });

    it('refuses renaming onto another supplier\'s name (409) and changes nothing', async () => {
      await create({ name: 'Callaway' });
      const odyssey = await create({ name: 'Odyssey', phone: '1' });
      expectError(await call('PUT', `/api/v2/suppliers/${odyssey.supplier_id}`, { body: { name: 'Callaway', phone: '2' } }), 409, 'conflict');
      expect((await call('GET', `/api/v2/suppliers/${odyssey.supplier_id}`)).json()).toEqual(odyssey);
    });

    it('validates like create: unknown field, bad email, missing name', async () => {
      const created = await create({ name: 'Cleveland' });
      const url = `/api/v2/suppliers/${created.supplier_id}`;
      expect(expectError(await call('PUT', url, { body: { name: 'Cleveland', colour: 'red' } }), 400, 'validation_failed').details)
        .toEqual([{ field: 'body.colour', message: 'is not a known field' }]);
      expect(expectError(await call('PUT', url, { body: { name: 'Cleveland', contact_email: 'x@' } }), 400, 'validation_failed').details)
        .toEqual([{ field: 'body.contact_email', message: expect.stringContaining('email') }]);
      expect(expectError(await call('PUT', url, { body: {} }), 400, 'validation_failed').details)
        .toEqual([{ field: 'body.name', message: 'is required' }]);
      expect((await call('GET', url)).json()).toEqual(created);
    });

    it('answers 404 for an unknown id and for another retailer\'s supplier, changing nothing', async () => {
      expectError(await call('PUT', '/api/v2/suppliers/sup_nope', { body: { name: 'Nope' } }), 404, 'not_found');
      const theirs = await create({ name: 'Their Supplier' }, otherKey);
      expectError(await call('PUT', `/api/v2/suppliers/${theirs.supplier_id}`, { body: { name: 'Hijacked' } }), 404, 'not_found');
      expect((await call('GET', `/api/v2/suppliers/${theirs.supplier_id}`, { key: otherKey })).json().name).toBe('Their Supplier');
    });

    it('shows a new name at once in the read API records of the supplier\'s POs', async () => {
      const supplier = await create({ name: 'Old Name Golf' });
      const lineSupplier = await create({ name: 'Line Supplier' });
      const po = buildPo({
        retailer_id: retailerId, po_number: 'PO-RENAME-1', order_date: '2026-11-02T10:00:00.000Z', supplier_id: supplier.supplier_id,
        lines: [
          { product_name: 'Pro V1', sku: 'PV1', quantity: 2, unit_cost_cents: 5000, status: 'submitted' },
          { product_name: 'Grip', sku: 'GR1', quantity: 1, unit_cost_cents: 900, status: 'submitted', supplier_id: lineSupplier.supplier_id },
        ],
        invoices: [{
          invoice_number: 'INV-1', supplier_id: supplier.supplier_id, supplier_order_id: null, invoice_date: '2026-11-03',
          due_date: null, payment_terms: null, subtotal_cents: 10000, tax_cents: 0, shipping_cents: 0, total_cents: 10000,
          status: 'open', updated_at: '2026-11-03T00:00:00.000Z',
        }],
      });
      await db.transaction().execute(async (trx) => insertPurchaseOrders(trx, [po], await supplierNamesOf(trx, retailerId)));

      const v2Before = (await call('GET', '/api/v2/orders/by-po/PO-RENAME-1', { key: readKey })).json().data[0];
      expect(v2Before.items.map((i: any) => i.supplier_name)).toEqual(['Old Name Golf', 'Line Supplier']);

      expect((await call('PUT', `/api/v2/suppliers/${supplier.supplier_id}`, { body: { name: 'New Name Golf' } })).statusCode).toBe(200);
      expect((await call('PUT', `/api/v2/suppliers/${lineSupplier.supplier_id}`, { body: { name: 'Renamed Line Supplier' } })).statusCode).toBe(200);

      const v2 = (await call('GET', '/api/v2/orders/by-po/PO-RENAME-1', { key: readKey })).json().data[0];
      expect(v2.suppliers).toEqual(expect.arrayContaining(['New Name Golf', 'Renamed Line Supplier']));
      expect(v2.suppliers).not.toContain('Old Name Golf');
      expect(v2.items.map((i: any) => i.supplier_name)).toEqual(['New Name Golf', 'Renamed Line Supplier']);
      expect(v2.invoices[0].supplier_name).toBe('New Name Golf');
      const v1 = (await call('GET', '/api/v1/orders/by-po/PO-RENAME-1', { key: readKey })).json().data;
      expect(v1.map((r: any) => r.supplier)).toEqual(['New Name Golf', 'Renamed Line Supplier']);
    });
  });

  describe('GET /api/v2/suppliers', () => {
    it('pages through the results by following links.next, the cursor keeping the name filter', async () => {
      const names = Array.from({ length: 7 }, (_, i) => `Paging Supplier ${String(i + 1).padStart(2, '0')}`);
      for (const name of names) await create({ name });
      await create({ name: 'Not In The Filter' });

      const seen: string[] = [];
      const pages: any[] = [];
      let url: string | null = '/api/v2/suppliers?name=paging%20SUPPLIER&page_size=3';
      while (url) {
        const response = await call('GET', url);
        expect(response.statusCode, response.body).toBe(200);
        const page = response.json();
        pages.push(page);
        seen.push(...page.suppliers.map((s: any) => s.name));
        url = page.links.next ? path(page.links.next.href) : null;
      }
      expect(seen).toEqual(names);
      expect(pages.map((p) => [p.page, p.pages, p.total, p.suppliers.length])).toEqual([[1, 3, 7, 3], [2, 3, 7, 3], [3, 3, 7, 1]]);
      expect(pages[0].links.prev).toBeNull();
      expect(pages[2].links.next).toBeNull();
      for (const page of pages) {
        for (const link of Object.values(page.links) as ({ href: string } | null)[]) {
          if (link) expect(link.href).toMatch(/^http:\/\/localhost:8080\/api\/v2\/suppliers\?cursor=[\w-]+\.[\w-]+$/);
        }
      }
      // prev of page 3 is page 2, last of page 1 is page 3, first is page 1
      expect((await call('GET', path(pages[2].links.prev.href))).json().suppliers).toEqual(pages[1].suppliers);
      expect((await call('GET', path(pages[0].links.last.href))).json().suppliers).toEqual(pages[2].suppliers);
      expect((await call('GET', path(pages[2].links.first.href))).json().suppliers).toEqual(pages[0].suppliers);
    });

    it('lists with page_size 50 by default and only the key\'s retailer', async () => {
      const theirs = await create({ name: 'Only For Them' }, otherKey);
      const response = await call('GET', '/api/v2/suppliers');
      expect(response.statusCode).toBe(200);
      const list = response.json();
      expect(list.page).toBe(1);
      expect(list.suppliers.length).toBe(Math.min(50, list.total));
      expect(list.pages).toBe(Math.ceil(list.total / 50));
      expect(list.suppliers.map((s: any) => s.supplier_id)).not.toContain(theirs.supplier_id);
      expect(list.links.first).not.toBeNull();
    });

    it('returns an empty page for a filter matching nothing', async () => {
      const list = (await call('GET', '/api/v2/suppliers?name=zzz-nothing')).json();
      expect(list).toMatchObject({ suppliers: [], total: 0, page: 1, pages: 0, links: { prev: null, next: null } });
    });

    it('treats % and _ in the name filter as text', async () => {
      await create({ name: '100% Golf_Co' });
      expect((await call('GET', '/api/v2/suppliers?name=0%25%20golf_')).json().suppliers.map((s: any) => s.name)).toEqual(['100% Golf_Co']);
      expect((await call('GET', '/api/v2/suppliers?name=%25')).json().suppliers.map((s: any) => s.name)).toEqual(['100% Golf_Co']);
    });

    it('refuses a tampered cursor (400)', async () => {
      const page = (await call('GET', '/api/v2/suppliers?page_size=1')).json();
      const cursor = new URL(page.links.next.href).searchParams.get('cursor')!;
      const [payload, signature] = cursor.split('.');
      const state = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = `${Buffer.from(JSON.stringify({ ...state, page_size: 500 })).toString('base64url')}.${signature}`;
      for (const bad of [forged, 'garbage', `${payload}.${signature}x`]) {
        const body = expectError(await call('GET', `/api/v2/suppliers?cursor=${encodeURIComponent(bad)}`), 400, 'validation_failed');
        expect(body.details).toEqual([{ field: 'query.cursor', message: expect.any(String) }]);
      }
    });

    it('refuses a warehouses cursor', async () => {
      const page = (await call('GET', '/api/v2/warehouses?page_size=1')).json();
      const cursor = new URL(page.links.first.href).searchParams.get('cursor')!;
      expectError(await call('GET', `/api/v2/suppliers?cursor=${cursor}`), 400, 'validation_failed');
    });

    it('refuses a cursor combined with page_size or name (400)', async () => {
      const page = (await call('GET', '/api/v2/suppliers?page_size=1')).json();
      const cursor = new URL(page.links.first.href).searchParams.get('cursor')!;
      const body = expectError(await call('GET', `/api/v2/suppliers?cursor=${cursor}&page_size=2&name=a`), 400, 'validation_failed');
      expect(body.details.map((d: any) => d.field)).toEqual(['query.page_size', 'query.name']);
    });

    it.each(['0', '501', 'abc', '2.5'])('refuses page_size=%s (400 naming it)', async (size) => {
      const body = expectError(await call('GET', `/api/v2/suppliers?page_size=${size}`), 400, 'validation_failed');
      expect(body.details).toEqual([{ field: 'query.page_size', message: expect.any(String) }]);
    });

    it('accepts page_size 1 and 500', async () => {
      expect((await call('GET', '/api/v2/suppliers?page_size=1')).json().suppliers).toHaveLength(1);
      expect((await call('GET', '/api/v2/suppliers?page_size=500')).statusCode).toBe(200);
    });

    it('refuses an unknown query parameter (400)', async () => {
      const body = expectError(await call('GET', '/api/v2/suppliers?colour=red'), 400, 'validation_failed');
      expect(body.details).toEqual([{ field: 'query.colour', message: 'is not a known field' }]);
    });
  });

  describe('keys and scopes', () => {
    it('refuses a read-only key on every route (403)', async () => {
      const created = await create({ name: 'Scope Check' });
      const url = `/api/v2/suppliers/${created.supplier_id}`;
      expectError(await call('GET', '/api/v2/suppliers', { key: readKey }), 403, 'forbidden');
      expectError(await call('POST', '/api/v2/suppliers', { key: readKey, body: { name: 'Read Only Co' } }), 403, 'forbidden');
      expectError(await call('GET', url, { key: readKey }), 403, 'forbidden');
      expectError(await call('PUT', url, { key: readKey, body: { name: 'Renamed By Reader' } }), 403, 'forbidden');
      expect(await countNamed('Read Only Co')).toBe(0);
      expect((await call('GET', url)).json().name).toBe('Scope Check');
    });

    it('refuses a request without a key (401)', async () => {
      const response = await app.inject({ method: 'GET', url: '/api/v2/suppliers' });
      expectError(response, 401, 'unauthorized');
    });
  });

  it('documents the routes in /openapi.json', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths['/api/v2/suppliers'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/api/v2/suppliers/{supplier_id}'])).toEqual(expect.arrayContaining(['get', 'put']));
    expect(doc.paths['/api/v2/suppliers'].post.tags).toEqual(['Suppliers']);
  });
});

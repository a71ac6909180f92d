// Contract tests of /api/v2/warehouses (DESIGN section 3) on SQLite and PostgreSQL.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import type { Db } from '../src/db/database.ts';
import { newId } from '../src/domain/ids.ts';
import { createApiKey } from '../src/store/api-keys.ts';
import { insertPurchaseOrders, supplierNamesOf } from '../src/store/purchase-orders.ts';
import { ensureRetailer } from '../src/store/retailers.ts';
import { ensureWarehouse } from '../src/store/warehouses.ts';
import { buildPo } from './support/fixtures.ts';
import { TestDatabases } from './support/test-database.ts';

const databases = TestDatabases.create();
const PUBLIC_URL = 'http://localhost:8080';

interface Call {
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

describe.each(databases.eachSupportedId())('/api/v2/warehouses on %s', (databaseId) => {
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
    const response = await call('POST', '/api/v2/warehouses', { body, key });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const countNamed = async (name: string) => Number((await db.selectFrom('warehouses')
    .select((eb) => eb.fn.countAll<number>().as('n')).where('retailer_id', '=', retailerId).where('name', '=', name)
    .executeTakeFirstOrThrow()).n);

  function expectError(response: { statusCode: number; json: () => any; headers: Record<string, unknown> }, status: number, error: string) {
    expect(response.statusCode).toBe(status);
    const body = response.json();
    expect(body).toMatchObject({ error, errorCode: status, message: expect.any(String), request_id: response.headers['x-request-id'] });
    return body;
  }

  const address = { name: 'Fairway Pro Shop', line1: '120 Links Dr', city: 'Scottsdale', state: 'AZ', postal_code: '85255', country: 'US' };

  describe('POST /api/v2/warehouses', () => {
    it('creates a warehouse with its inventory locations (201)', async () => {
      const response = await call('POST', '/api/v2/warehouses', {
        body: { name: 'Main Stockroom', address, inventory_locations: [{ name: 'Receiving' }, { name: 'Aisle A' }, { name: 'Aisle B' }] },
      });
      expect(response.statusCode).toBe(201);
      const warehouse = response.json();
      expect(warehouse).toEqual({
        warehouse_id: expect.stringMatching(/^wh_[0-9a-z]{22}$/),
        name: 'Main Stockroom',
        address: { ...address, company: null, line2: null },
        inventory_locations: [
          { inventory_location_id: expect.stringMatching(/^loc_[0-9a-z]{22}$/), name: 'Receiving' },
          { inventory_location_id: expect.stringMatching(/^loc_/), name: 'Aisle A' },
          { inventory_location_id: expect.stringMatching(/^loc_/), name: 'Aisle B' },
        ],
        create_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/),
        modify_date: warehouse.create_date,
      });
      expect(new Set(warehouse.inventory_locations.map((l: any) => l.inventory_location_id)).size).toBe(3);
      expect(response.headers.location).toBe(`${PUBLIC_URL}/api/v2/warehouses/${warehouse.warehouse_id}`);
    });

    it('needs only a name', async () => {
      expect(await create({ name: 'Bare Warehouse' })).toMatchObject({ name: 'Bare Warehouse', address: null, inventory_locations: [] });
    });

    it('refuses a name the retailer already uses (409) and writes nothing', async () => {
      await create({ name: 'East DC' });
      expectError(await call('POST', '/api/v2/warehouses', { body: { name: 'East DC', inventory_locations: [{ name: 'Bay 1' }] } }), 409, 'conflict');
      expect(await countNamed('East DC')).toBe(1);
    });

    it('gives concurrent creates of one name one warehouse', async () => {
      const responses = await Promise.all(Array.from({ length: 5 }, () =>
        call('POST', '/api/v2/warehouses', { body: { name: 'Race Warehouse' } })));
      expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
      expect(await countNamed('Race Warehouse')).toBe(1);
    });

    it('lets another retailer use the same name', async () => {
      await create({ name: 'Shared Name' });
      expect((await create({ name: 'Shared Name' }, otherKey)).name).toBe('Shared Name');
    });

    it('names an unknown field (400), also inside a location', async () => {
      expect(expectError(await call('POST', '/api/v2/warehouses', { body: { name: 'W1', colour: 'red' } }), 400, 'validation_failed').details)
        .toEqual([{ field: 'body.colour', message: 'is not a known field' }]);
      expect(expectError(await call('POST', '/api/v2/warehouses', {
        body: { name: 'W1', inventory_locations: [{ name: 'A' }, { name: 'B', inventory_location_id: 'loc_x' }] },
      }), 400, 'validation_failed').details).toEqual([{ field: 'body.inventory_locations[1].inventory_location_id', message: 'is not a known field' }]);
      expect(await countNamed('W1')).toBe(0);
    });

    it('refuses a missing or blank name, repeated or blank location names (400)', async () => {
      expect(expectError(await call('POST', '/api/v2/warehouses', { body: { address } }), 400, 'validation_failed').details)
        .toEqual([{ field: 'body.name', message: 'is required' }]);
      expect(expectError(await call('POST', '/api/v2/warehouses', { body: { name: ' ' } }), 400, 'validation_failed').details)
        .toEqual([{ field: 'body.name', message: 'must not be blank' }]);
      expect(expectError(await call('POST', '/api/v2/warehouses', {
        body: { name: 'W2', inventory_locations: [{ name: 'Bay' }, { name: '  ' }, { name: 'Bay' }] },
      }), 400, 'validation_failed').details).toEqual([
        { field: 'body.inventory_locations[1].name', message: 'must not be blank' },
        { field: 'body.inventory_locations[2].name', message: 'repeats the name of inventory_locations[0]' },
      ]);
      expect(expectError(await call('POST', '/api/v2/warehouses', { body: { name: 'W2', address: { line1: 5 } } }), 400, 'validation_failed').details)
        .toEqual([{ field: 'body.address.line1', message: expect.any(String) }]);
      expect(await countNamed('W2')).toBe(0);
    });
  });

  describe('Idempotency-Key on POST', () => {
    it('replays the first response for the same key and body, creating one warehouse', async () => {
      const headers = { 'idempotency-key': 'create-west-dc' };
      const body = { name: 'West DC', inventory_locations: [{ name: 'Dock' }] };
      const first = await call('POST', '/api/v2/warehouses', { body, headers });
      const again = await call('POST', '/api/v2/warehouses', { body, headers });
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(201);
      expect(again.body).toBe(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await countNamed('West DC')).toBe(1);
      const locations = await db.selectFrom('inventory_locations').select('id')
        .where('warehouse_id', '=', first.json().warehouse_id).execute();
      expect(locations).toHaveLength(1);
    });

    it('refuses the same key with a different body (409) and writes nothing', async () => {
      const headers = { 'idempotency-key': 'create-north-dc' };
      expect((await call('POST', '/api/v2/warehouses', { body: { name: 'North DC' }, headers })).statusCode).toBe(201);
      expectError(await call('POST', '/api/v2/warehouses', { body: { name: 'North DC 2' }, headers }), 409, 'conflict');
      expect(await countNamed('North DC 2')).toBe(0);
    });
  });

  describe('GET /api/v2/warehouses/:warehouse_id', () => {
    it('returns the warehouse with its locations', async () => {
      const created = await create({ name: 'Get Me', address, inventory_locations: [{ name: 'Shelf 1' }] });
      const response = await call('GET', `/api/v2/warehouses/${created.warehouse_id}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(created);
    });

    it('returns a warehouse the seed made with ensureWarehouse', async () => {
      const id = await ensureWarehouse(db, retailerId, { name: 'Seeded', address: null, locations: ['Receiving', 'Aisle A'] });
      expect(await ensureWarehouse(db, retailerId, { name: 'Seeded', address: null, locations: [] })).toBe(id);
      expect((await call('GET', `/api/v2/warehouses/${id}`)).json().inventory_locations.map((l: any) => l.name)).toEqual(['Receiving', 'Aisle A']);
    });

    it('answers 404 for an unknown id and for another retailer\'s warehouse', async () => {
      expectError(await call('GET', '/api/v2/warehouses/wh_nope'), 404, 'not_found');
      const theirs = await create({ name: 'Their Warehouse' }, otherKey);
      expectError(await call('GET', `/api/v2/warehouses/${theirs.warehouse_id}`), 404, 'not_found');
    });
  });

  describe('PUT /api/v2/warehouses/:warehouse_id', () => {
    it('renames, adds and removes locations, and replaces name and address', async () => {
      const created = await create({ name: 'Edit Me', address, inventory_locations: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] });
      const [a, b] = created.inventory_locations;
      await new Promise((resolve) => setTimeout(resolve, 5));
      const response = await call('PUT', `/api/v2/warehouses/${created.warehouse_id}`, {
        body: {
          name: 'Edited',
          inventory_locations: [{ name: 'New D' }, { inventory_location_id: b.inventory_location_id, name: 'B renamed' }, a],
        },
      });
      expect(response.statusCode, response.body).toBe(200);
      const updated = response.json();
      expect(updated).toMatchObject({ warehouse_id: created.warehouse_id, name: 'Edited', address: null, create_date: created.create_date });
      expect(updated.modify_date > created.modify_date).toBe(true);
      expect(updated.inventory_locations).toEqual([
        a,
        { inventory_location_id: b.inventory_location_id, name: 'B renamed' },
        { inventory_location_id: expect.stringMatching(/^loc_/), name: 'New D' },
      ]);
      expect((await call('GET', `/api/v2/warehouses/${created.warehouse_id}`)).json()).toEqual(updated);
    });

    it('swaps two location names', async () => {
      const created = await create({ name: 'Swap', inventory_locations: [{ name: 'X' }, { name: 'Y' }] });
      const [x, y] = created.inventory_locations;
      const updated = (await call('PUT', `/api/v2/warehouses/${created.warehouse_id}`, {
        body: { name: 'Swap', inventory_locations: [{ ...x, name: 'Y' }, { ...y, name: 'X' }] },
      })).json();
      expect(updated.inventory_locations).toEqual([{ ...x, name: 'Y' }, { ...y, name: 'X' }]);
    });

    it('keeps the locations when inventory_locations is left out', async () => {
      const created = await create({ name: 'Keep Locations', inventory_locations: [{ name: 'Bay 1' }] });
      const updated = (await call('PUT', `/api/v2/warehouses/${created.warehouse_id}`, { body: { name: 'Keep Locations', address } })).json();
      expect(updated.inventory_locations).toEqual(created.inventory_locations);
      expect(updated.address).toEqual({ ...address, company: null, line2: null });
    });

    it('refuses to remove a location that receipts refer to (409) and changes nothing', async () => {
      const created = await create({ name: 'Received Into', inventory_locations: [{ name: 'Dock' }, { name: 'Spare' }] });
      const [dock, spare] = created.inventory_locations;
      const po = buildPo({
        retailer_id: retailerId, po_number: 'PO-RECEIPT-1', order_date: '2026-11-02T10:00:00.000Z',
        lines: [{ product_name: 'Pro V1', sku: 'PV1', quantity: 2, unit_cost_cents: 5000, status: 'delivered' }],
      });
      await db.transaction().execute(async (trx) => insertPurchaseOrders(trx, [po], await supplierNamesOf(trx, retailerId)));
      await db.insertInto('receipts').values({
        id: newId('rcp'), retailer_id: retailerId, po_id: po.po.id, line_id: po.lines[0].id,
        inventory_location_id: dock.inventory_location_id, received_quantity: 1, rejected_quantity: 0, lot: null,
        expiration_date: null, received_at: '2026-11-10T10:00:00.000Z',
      }).execute();

      const url = `/api/v2/warehouses/${created.warehouse_id}`;
      const body = expectError(await call('PUT', url, { body: { name: 'Renamed Too', inventory_locations: [spare] } }), 409, 'conflict');
      expect(body.message).toContain(dock.inventory_location_id);
      expect(body.message).toContain('Dock');
      expect((await call('GET', url)).json()).toEqual(created);

      // Renaming it is fine, and removing the unreferenced one too.
      const updated = (await call('PUT', url, { body: { name: 'Received Into', inventory_locations: [{ ...dock, name: 'Dock 1' }] } })).json();
      expect(updated.inventory_locations).toEqual([{ ...dock, name: 'Dock 1' }]);
    });

    it('refuses a location id that is not this warehouse\'s (400 naming it)', async () => {
      const mine = await create({ name: 'Mine', inventory_locations: [{ name: 'M1' }] });
      const sibling = await create({ name: 'Sibling', inventory_locations: [{ name: 'S1' }] });
      const theirs = await create({ name: 'Theirs', inventory_locations: [{ name: 'T1' }] }, otherKey);
      const url = `/api/v2/warehouses/${mine.warehouse_id}`;
      for (const foreign of [sibling.inventory_locations[0], theirs.inventory_locations[0], { inventory_location_id: 'loc_nope', name: 'N' }]) {
        const body = expectError(await call('PUT', url, { body: { name: 'Mine', inventory_locations: [mine.inventory_locations[0], foreign] } }), 400, 'validation_failed');
        expect(body.details).toEqual([{ field: 'body.inventory_locations[1].inventory_location_id', message: 'is not a location of this warehouse' }]);
      }
      expect((await call('GET', url)).json()).toEqual(mine);
    });

    it('refuses a location id given twice (400)', async () => {
      const created = await create({ name: 'Twice', inventory_locations: [{ name: 'One' }] });
      const [one] = created.inventory_locations;
      const body = expectError(await call('PUT', `/api/v2/warehouses/${created.warehouse_id}`, {
        body: { name: 'Twice', inventory_locations: [one, { ...one, name: 'Other' }] },
      }), 400, 'validation_failed');
      expect(body.details).toEqual([{ field: 'body.inventory_locations[1].inventory_location_id', message: 'repeats inventory_locations[0]' }]);
    });

    it('refuses renaming onto another warehouse\'s name (409)', async () => {
      await create({ name: 'Taken Name' });
      const created = await create({ name: 'Free Name' });
      expectError(await call('PUT', `/api/v2/warehouses/${created.warehouse_id}`, { body: { name: 'Taken Name' } }), 409, 'conflict');
      expect((await call('GET', `/api/v2/warehouses/${created.warehouse_id}`)).json().name).toBe('Free Name');
    });

    it('names an unknown field (400)', async () => {
      const created = await create({ name: 'Strict' });
      expect(expectError(await call('PUT', `/api/v2/warehouses/${created.warehouse_id}`, { body: { name: 'Strict', size: 3 } }), 400, 'validation_failed').details)
        .toEqual([{ field: 'body.size', message: 'is not a known field' }]);
    });

    it('answers 404 for an unknown id and for another retailer\'s warehouse', async () => {
      expectError(await call('PUT', '/api/v2/warehouses/wh_nope', { body: { name: 'Nope' } }), 404, 'not_found');
      const theirs = await create({ name: 'Not Yours' }, otherKey);
      expectError(await call('PUT', `/api/v2/warehouses/${theirs.warehouse_id}`, { body: { name: 'Hijacked' } }), 404, 'not_found');
      expect((await call('GET', `/api/v2/warehouses/${theirs.warehouse_id}`, { key: otherKey })).json().name).toBe('Not Yours');
    });
  });

  describe('GET /api/v2/warehouses', () => {
    it('pages through the results by following links.next, the cursor keeping the name filter', async () => {
      const names = Array.from({ length: 8 }, (_, i) => `Paging Warehouse ${i + 1}`);
      for (const name of names) await create({ name, inventory_locations: [{ name: `${name} bay` }] });
      await create({ name: 'Outside The Filter' });

      const seen: string[] = [];
      const pages: any[] = [];
      let url: string | null = '/api/v2/warehouses?page_size=3&name=PAGING%20warehouse';
      while (url) {
        const response = await call('GET', url);
        expect(response.statusCode, response.body).toBe(200);
        const page = response.json();
        pages.push(page);
        seen.push(...page.warehouses.map((w: any) => w.name));
        for (const w of page.warehouses) expect(w.inventory_locations.map((l: any) => l.name)).toEqual([`${w.name} bay`]);
        url = page.links.next ? path(page.links.next.href) : null;
      }
      expect(seen).toEqual(names);
      expect(pages.map((p) => [p.page, p.pages, p.total, p.warehouses.length])).toEqual([[1, 3, 8, 3], [2, 3, 8, 3], [3, 3, 8, 2]]);
      expect(pages[0].links.prev).toBeNull();
      expect(pages[2].links.next).toBeNull();
      expect(pages[0].links.next.href).toMatch(/^http:\/\/localhost:8080\/api\/v2\/warehouses\?cursor=/);
      expect((await call('GET', path(pages[2].links.prev.href))).json().warehouses).toEqual(pages[1].warehouses);
      expect((await call('GET', path(pages[0].links.last.href))).json().warehouses).toEqual(pages[2].warehouses);
    });

    it('lists only the key\'s retailer, 50 a page by default', async () => {
      const theirs = await create({ name: 'Listed For Them' }, otherKey);
      const list = (await call('GET', '/api/v2/warehouses')).json();
      expect(list.page).toBe(1);
      expect(list.warehouses.length).toBe(Math.min(50, list.total));
      expect(list.warehouses.map((w: any) => w.warehouse_id)).not.toContain(theirs.warehouse_id);
    });

    it('refuses a tampered cursor (400)', async () => {
      const page = (await call('GET', '/api/v2/warehouses?page_size=1')).json();
      const cursor = new URL(page.links.next.href).searchParams.get('cursor')!;
      const [payload, signature] = cursor.split('.');
      const state = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = `${Buffer.from(JSON.stringify({ ...state, filters: { name: 'x' } })).toString('base64url')}.${signature}`;
      for (const bad of [forged, 'not-a-cursor']) {
        const body = expectError(await call('GET', `/api/v2/warehouses?cursor=${encodeURIComponent(bad)}`), 400, 'validation_failed');
        expect(body.details).toEqual([{ field: 'query.cursor', message: expect.any(String) }]);
      }
    });

    it('refuses a suppliers cursor', async () => {
      const page = (await call('GET', '/api/v2/suppliers?page_size=1')).json();
      const cursor = new URL(page.links.first.href).searchParams.get('cursor')!;
      expectError(await call('GET', `/api/v2/warehouses?cursor=${cursor}`), 400, 'validation_failed');
    });

    it.each(['0', '501', 'x'])('refuses page_size=%s (400 naming it)', async (size) => {
      const body = expectError(await call('GET', `/api/v2/warehouses?page_size=${size}`), 400, 'validation_failed');
      expect(body.details).toEqual([{ field: 'query.page_size', message: expect.any(String) }]);
    });
  });

  describe('keys and scopes', () => {
    it('refuses a read-only key on every route (403)', async () => {
      const created = await create({ name: 'Scoped' });
      const url = `/api/v2/warehouses/${created.warehouse_id}`;
      expectError(await call('GET', '/api/v2/warehouses', { key: readKey }), 403, 'forbidden');
      expectError(await call('POST', '/api/v2/warehouses', { key: readKey, body: { name: 'By Reader' } }), 403, 'forbidden');
      expectError(await call('GET', url, { key: readKey }), 403, 'forbidden');
      expectError(await call('PUT', url, { key: readKey, body: { name: 'Renamed By Reader' } }), 403, 'forbidden');
      expect(await countNamed('By Reader')).toBe(0);
      expect((await call('GET', url)).json().name).toBe('Scoped');
    });

    it('refuses a request without a key (401)', async () => {
      expectError(await app.inject({ method: 'POST', url: '/api/v2/warehouses', payload: { name: 'No Key' } }), 401, 'unauthorized');
    });
  });
});

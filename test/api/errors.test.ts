// Contract: every error case of DESIGN 2.2 on every read endpoint of both versions — the envelope
// {error, errorCode, message, request_id[, details]}, the field named in validation errors, authentication and
// scopes, unknown routes, malformed JSON, the body size limit, X-Request-Id, and 500s that leak nothing.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/domain/api-keys.ts';
import {
  endpoints, expectEnvelope, expectError, expectRequestIdHeader, expectValidationError, request, VERSIONS, type Version,
} from '../support/contract.ts';
import { TestDatabases } from '../support/test-database.ts';
import { buildTestApp, createWorld, type World } from '../support/world.ts';

const databases = TestDatabases.create();

/** One call to each of the four endpoints of a version, with a valid request. */
function everyEndpoint(world: World, version: Version, key: string | null) {
  const api = endpoints(world.app, version, key);
  return {
    'by-po': () => api.byPo('PO-A1001'),
    'by-po-numbers': () => api.bulk(['PO-A1001']),
    'by-supplier-order': () => api.bySupplierOrder('FXT-100001'),
    'by-date': () => api.byDate({ start_date: '2027-06-15' }),
  };
}
const ENDPOINT_NAMES = ['by-po', 'by-po-numbers', 'by-supplier-order', 'by-date'] as const;

describe.each(databases.eachSupportedId())('errors on %s', (databaseId) => {
  let world: World;

  beforeAll(async () => {
    const { db } = await databases.init(databaseId);
    world = await createWorld(db);
  });
  afterAll(async () => {
    await world?.app.close();
  });

  describe.each(VERSIONS)('/api/%s', (version) => {
    describe.each(ENDPOINT_NAMES)('%s', (name) => {
      const call = (key: string | null) => everyEndpoint(world, version, key)[name]();

      it('answers 200 with a valid read key', async () => {
        expectEnvelope(await call(world.keys.a), version);
        expectEnvelope(await call(world.keys.aAll), version);
      });

      it('answers 401 unauthorized without a key', async () => {
        const body = expectError(await call(null), 401, 'unauthorized');
        expect(body.message).toMatch(/X-API-Key/);
      });

      it('answers 401 unauthorized for an unknown, well-formed key', async () => {
        expectError(await call(generateKey().secret), 401, 'unauthorized');
      });

      it('answers 401 unauthorized for a revoked key', async () => {
        expectError(await call(world.keys.aRevoked), 401, 'unauthorized');
      });

      it('answers 401 unauthorized for malformed keys', async () => {
        for (const key of ['pk_live_short', 'not-a-key', `Bearer ${world.keys.a}`, `${world.keys.a}x`, world.keys.a.slice(0, -1)]) {
          expectError(await call(key), 401, 'unauthorized');
        }
      });

      it('answers 403 forbidden for a key without the read scope', async () => {
        const body = expectError(await call(world.keys.aWriteOnly), 403, 'forbidden');
        expect(body.message).toContain('read');
      });
    });

    describe('validation', () => {
      const api = () => endpoints(world.app, version, world.keys.a);
      const post = (payload: string, contentType = 'application/json') => request(world.app, world.keys.a, {
        method: 'POST', url: `/api/${version}/orders/by-po-numbers`, payload, headers: { 'content-type': contentType },
      });

      it('malformed JSON is a 400 naming the body', async () => {
        expectValidationError(await post('{"po_numbers": ["PO-A1001"'), 'body');
        expectValidationError(await post('{po_numbers: 1}'), 'body');
      });

      it('an unknown body field is a 400 naming it', async () => {
        expectValidationError(await post(JSON.stringify({ po_numbers: ['PO-A1001'], include: 'all' })), 'body.include');
      });

      it('a missing po_numbers is a 400 naming it', async () => {
        expectValidationError(await post('{}'), 'body.po_numbers');
      });

      it('a body that is not an object is a 400', async () => {
        expectError(await post('["PO-A1001"]'), 400, 'validation_failed');
        expectError(await post('"PO-A1001"'), 400, 'validation_failed');
      });

      it('a non-string PO number is a 400 naming its index', async () => {
        expectValidationError(await api().bulk(['PO-A1001', 7]), 'body.po_numbers[1]');
        expectValidationError(await api().bulk([null]), 'body.po_numbers[0]');
        expectValidationError(await api().bulk([{ po: 'PO-A1001' }]), 'body.po_numbers[0]');
        expectValidationError(await api().bulk('PO-A1001'), 'body.po_numbers');
      });

      it('an empty PO number is a 400', async () => {
        expectValidationError(await api().bulk(['']), 'body.po_numbers[0]');
      });

      it('a PO number of white space only is a 400 naming each, not a number "" reported not found', async () => {
        const body = expectValidationError(await api().bulk(['PO-A1001', ' ', '\t\n']), 'body.po_numbers[1]');
        expect(body.details).toEqual([
          { field: 'body.po_numbers[1]', message: 'must not be blank' }, { field: 'body.po_numbers[2]', message: 'must not be blank' },
        ]);
      });

      it('an empty po_numbers is a 400 naming it', async () => {
        expectValidationError(await api().bulk([]), 'body.po_numbers');
      });

      it('101 po_numbers is a 400 naming it', async () => {
        const numbers = Array.from({ length: 101 }, (_, i) => `PO-${i}`);
        expectValidationError(await api().bulk(numbers), 'body.po_numbers');
      });

      it('a body over the size limit is a 413 payload_too_large', async () => {
        const payload = JSON.stringify({ po_numbers: ['x'.repeat(1024 * 1024 + 16)] });
        expectError(await post(payload), 413, 'payload_too_large');
      });

      it('by-date without start_date is a 400 naming it', async () => {
        expectValidationError(await api().byDate({}), 'query.start_date');
        expectValidationError(await api().byDate({ end_date: '2027-06-15' }), 'query.start_date');
      });

      it.each([
        ['2027-6-15'], ['15/06/2027'], ['2027-06-15T00:00:00Z'], ['yesterday'], [''], ['2027-02-30'], ['2027-13-01'], ['2026-02-29'], ['2027-00-10'],
      ])('start_date %j is a 400 naming it', async (value) => {
        expectValidationError(await api().byDate({ start_date: value }), 'query.start_date');
      });

      it.each([['2027-6-16'], ['2027-04-31'], ['tomorrow']])('end_date %j is a 400 naming it', async (value) => {
        expectValidationError(await api().byDate({ start_date: '2027-06-15', end_date: value }), 'query.end_date');
      });

      it('accepts a real leap day', async () => {
        expectEnvelope(await api().byDate({ start_date: '2028-02-29' }), version);
      });

      it('end_date before start_date is a 400 naming end_date', async () => {
        expectValidationError(await api().byDate({ start_date: '2027-06-15', end_date: '2027-06-14' }), 'query.end_date');
      });

      it.each([[0], [500], [101], [-1], ['abc'], [1.5]])('limit %j is a 400 naming it', async (limit) => {
        expectValidationError(await api().byDate({ start_date: '2027-06-15', limit }), 'query.limit');
      });

      it.each([[0], ['abc'], [-1], [1.5]])('page %j is a 400 naming it', async (page) => {
        expectValidationError(await api().byDate({ start_date: '2027-06-15', page }), 'query.page');
      });

      it('an unknown query parameter is a 400 naming it', async () => {
        expectValidationError(await api().byDate({ start_date: '2027-06-15', sort: 'desc' }), 'query.sort');
      });

      it('a PO number or supplier order id longer than 100 characters is a 400 naming it', async () => {
        expectValidationError(await api().byPo('P'.repeat(101)), 'params.po_number');
        expectValidationError(await api().bySupplierOrder('S'.repeat(101)), 'params.supplier_order_id');
      });

      it('a very long path parameter is a 400 in the envelope', async () => {
        expectError(await api().byPo('P'.repeat(5000)), 400, 'validation_failed');
      });

      it('a malformed percent-encoding in the path is a 400 in the envelope', async () => {
        expectError(await request(world.app, world.keys.a, { method: 'GET', url: `/api/${version}/orders/by-po/%E0%A4%A` }), 400, 'validation_failed');
      });
    });

    it('an unknown route under the version is a 404 in the envelope', async () => {
      const body = expectError(await request(world.app, world.keys.a, { method: 'GET', url: `/api/${version}/orders/by-nothing/1` }), 404, 'not_found');
      expect(body.message).toContain(`/api/${version}/orders/by-nothing/1`);
      expectError(await request(world.app, world.keys.a, { method: 'DELETE', url: `/api/${version}/orders/by-po/PO-A1001` }), 404, 'not_found');
    });
  });

  it('an unknown route is a 404 in the envelope, with or without a key', async () => {
    expectError(await request(world.app, null, { method: 'GET', url: '/nowhere' }), 404, 'not_found');
    expectError(await request(world.app, world.keys.a, { method: 'POST', url: '/api/v3/orders/by-po-numbers', payload: {} }), 404, 'not_found');
  });

  describe('X-Request-Id', () => {
    it('is on every response, success or error, and different for each request', async () => {
      const responses = [
        await endpoints(world.app, 'v2', world.keys.a).byPo('PO-A1001'),
        await endpoints(world.app, 'v2', world.keys.a).byPo('PO-A1001'),
        await endpoints(world.app, 'v1', null).byPo('PO-A1001'),
        await request(world.app, null, { method: 'GET', url: '/healthz' }),
        await request(world.app, null, { method: 'GET', url: '/nowhere' }),
      ];
      const ids = responses.map(expectRequestIdHeader);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it("repeats a well-formed client X-Request-Id, in the header and in errors' request_id", async () => {
      const ok = await request(world.app, world.keys.a, { method: 'GET', url: '/api/v1/orders/by-po/PO-A1001', headers: { 'x-request-id': 'client-req.42' } });
      expect(ok.headers['x-request-id']).toBe('client-req.42');
      const failed = await request(world.app, null, { method: 'GET', url: '/api/v1/orders/by-po/PO-A1001', headers: { 'x-request-id': 'client-req.43' } });
      expect(expectError(failed, 401, 'unauthorized').request_id).toBe('client-req.43');
    });

    it('replaces a client X-Request-Id that is not a plain token', async () => {
      const response = await request(world.app, world.keys.a, {
        method: 'GET', url: '/api/v1/orders/by-po/PO-A1001', headers: { 'x-request-id': 'bad id <script>' },
      });
      expect(expectRequestIdHeader(response)).not.toBe('bad id <script>');
    });
  });

  it('GET /healthz and /readyz answer without a key', async () => {
    const health = await request(world.app, null, { method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await request(world.app, null, { method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ok' });
  });

  it('GET /openapi.json documents the eight read endpoints', async () => {
    const response = await request(world.app, null, { method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\.1/);
    for (const version of VERSIONS) {
      expect(document.paths[`/api/${version}/orders/by-po/{po_number}`]?.get).toBeDefined();
      expect(document.paths[`/api/${version}/orders/by-po-numbers`]?.post).toBeDefined();
      expect(document.paths[`/api/${version}/orders/by-supplier-order/{supplier_order_id}`]?.get).toBeDefined();
      expect(document.paths[`/api/${version}/orders/by-date`]?.get).toBeDefined();
    }
  });

  describe('a failure inside is a 500 internal_error that leaks nothing', () => {
    let broken: Awaited<ReturnType<typeof buildTestApp>>;
    let key: string;

    beforeAll(async () => {
      const { db } = await databases.init(databaseId);
      const other = await createWorld(db);
      await other.app.close();
      key = other.keys.a;
      // The read tables disappear from under the running app: every look-up fails in the database.
      await sql`alter table purchase_orders rename to purchase_orders_gone`.execute(db);
      await sql`alter table po_lines rename to po_lines_gone`.execute(db);
      broken = await buildTestApp(db);
    });
    afterAll(async () => {
      await broken?.close();
    });

    it.each(VERSIONS)('on /api/%s', async (version) => {
      const api = endpoints(broken, version, key);
      for (const response of [await api.byPo('PO-A1001'), await api.bulk(['PO-A1001']), await api.bySupplierOrder('FXT-100001'),
        await api.byDate({ start_date: '2027-06-15' })]) {
        const body = expectError(response, 500, 'internal_error');
        expect(Object.keys(body).sort()).toEqual(['error', 'errorCode', 'message', 'request_id']);
        expect(body.message).toMatch(/request_id/);
        for (const leak of [/purchase_orders|po_lines/i, /select|from|where/i, /sqlite|postgres|relation|kysely/i, /\bat .*\(/, /\.ts\b|\.js\b/, /Error:/]) {
          expect(response.body).not.toMatch(leak);
        }
      }
    });
  });
});

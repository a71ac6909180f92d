// Contract tests of /api/v2/connections and /api/v2/sync_runs (DESIGN section 4) on SQLite and PostgreSQL:
// every endpoint and its errors, admin scope, retailer isolation, runs recorded with counts, credentials absent
// from every response and from the logs; and one run end to end through the real engine against the sandbox.
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, loggerOptions } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { SHIPSTATION_DEFAULT_API_KEY } from '../../src/sandbox/shipstation.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { executeSyncRun } from '../../src/sync/engine.ts';
import { BackgroundSyncs, type ExecuteSyncRun } from '../../src/sync/runner.ts';
import { counts, deferred, eventually, fakeEngine, type FakeBehaviour } from '../support/engine-double.ts';
import { TestDatabases } from '../support/test-database.ts';
import { FAST, shipStation } from '../sync/support.ts';

const databases = TestDatabases.create();
const PUBLIC_URL = 'http://ordersync.test';
const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const API_KEY = 'ss_live_DO_NOT_LEAK_7f3a9c';
const STOCKY_KEY = 'stocky_DO_NOT_LEAK_55e1';
const STORE = 'leaky-golf.myshopify.com';
const SECRETS = [API_KEY, STOCKY_KEY, STORE, 'rotated_DO_NOT_LEAK_0b2d'];

/** Fails when any credential value appears in `text`. */
function expectNoCredentials(text: string, where: string) {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} contains a credential`).toBe(false);
}

describe.each(databases.eachSupportedId())('/api/v2/connections on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let syncs: BackgroundSyncs;
  let retailerId: string;
  let adminKey: string;
  let readKey: string;
  let writeKey: string;
  let otherAdminKey: string;
  const logLines: string[] = [];
  const responses: string[] = [];
  /** What the engine double does next; tests set it. */
  let behaviour: FakeBehaviour = {};
  let execute: ExecuteSyncRun = (...args) => fakeEngine(behaviour).execute(...args);

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    const { retailer } = await ensureRetailer(db, 'fairway');
    retailerId = retailer.id;
    adminKey = (await createApiKey(db, retailer.id, 'admin', ['read', 'write', 'admin'])).secret;
    readKey = (await createApiKey(db, retailer.id, 'reader', ['read'])).secret;
    writeKey = (await createApiKey(db, retailer.id, 'writer', ['read', 'write'])).secret;
    const { retailer: other } = await ensureRetailer(db, 'other-shop');
    otherAdminKey = (await createApiKey(db, other.id, 'admin', ['admin'])).secret;
    // The app's own logging configuration at its most verbose, written where the test can read it.
    const stream = new Writable({ write(chunk, _encoding, done) { logLines.push(String(chunk)); done(); } });
    const config = { publicUrl: PUBLIC_URL, logLevel: 'trace', secret: SECRET };
    app = await buildApp({ config, db, logger: { ...loggerOptions(config), stream }, syncs: { start: (id, full) => syncs.start(id, full) } });
    // Runs log their outcome through the app's logger, as the service's do.
    syncs = new BackgroundSyncs({ db, secret: SECRET, execute: (...args) => execute(...args), log: app.log });
    // Every response of this file is checked for credentials at the end.
    app.addHook('onSend', async (_request, _reply, payload) => {
      if (typeof payload === 'string') responses.push(payload);
      return payload;
    });
    await app.ready();
  });

  afterAll(async () => {
    await syncs?.close();
    await app?.close();
  });

  type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
  const call = (method: Method, url: string, body?: unknown, key = adminKey, headers: Record<string, string> = {}) =>
    app.inject({ method, url, headers: { 'x-api-key': key, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });

  function expectError(response: LightMyRequestResponse, status: number, error: string) {
    expect(response.statusCode, response.body).toBe(status);
    const body = response.json();
    expect(body).toMatchObject({ error, errorCode: status, message: expect.any(String), request_id: response.headers['x-request-id'] });
    return body;
  }

  function expectInvalid(response: LightMyRequestResponse, field: string, message?: RegExp) {
    const body = expectError(response, 400, 'validation_failed');
    const detail = body.details.find((d: { field: string }) => d.field === field);
    expect(detail, `${field} in ${JSON.stringify(body.details)}`).toBeDefined();
    if (message) expect(detail.message).toMatch(message);
    return body;
  }

  let serial = 0;
  const shipstationBody = (extra: object = {}) => ({
    kind: 'shipstation', name: `ShipStation ${++serial}`, credentials: { api_key: API_KEY }, ...extra,
  });
  async function create(body: object = shipstationBody(), key = adminKey) {
    const response = await call('POST', '/api/v2/connections', body, key);
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  const CONNECTION_FIELDS = ['id', 'kind', 'name', 'base_url', 'schedule_minutes', 'enabled', 'next_run_at', 'created_at', 'updated_at'];
  const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;

  describe('POST /api/v2/connections', () => {
    it('creates a ShipStation connection: 201, defaults, Location, no credentials', async () => {
      const response = await call('POST', '/api/v2/connections', { kind: 'shipstation', name: 'Main ShipStation', credentials: { api_key: API_KEY } });
      expect(response.statusCode).toBe(201);
      const body = response.json();
      expect(Object.keys(body).sort()).toEqual([...CONNECTION_FIELDS].sort());
      expect(body).toEqual({
        id: expect.stringMatching(/^conn_[0-9a-z]{22}$/), kind: 'shipstation', name: 'Main ShipStation',
        base_url: 'https://api.shipstation.com', schedule_minutes: 15, enabled: true,
        next_run_at: expect.stringMatching(INSTANT), created_at: expect.stringMatching(INSTANT), updated_at: expect.stringMatching(INSTANT),
      });
      expect(body.next_run_at).toBe(body.created_at); // the first run is due at once
      expect(response.headers.location).toBe(`${PUBLIC_URL}/api/v2/connections/${body.id}`);
      const row = await db.selectFrom('connections').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
      expect(row.credentials_encrypted).toMatch(/^v1\./);
      expectNoCredentials(JSON.stringify(row), 'the stored row');
    });

    it('creates a Stocky connection with its own default base URL, a schedule and a sandbox base URL', async () => {
      const stocky = await create({ kind: 'stocky', name: 'Stocky', credentials: { store_name: STORE, api_key: STOCKY_KEY }, schedule_minutes: 1440 });
      expect(stocky).toMatchObject({ kind: 'stocky', base_url: 'https://stocky.shopifyapps.com', schedule_minutes: 1440 });
      const sandbox = await create(shipstationBody({ base_url: 'http://127.0.0.1:8081/', schedule_minutes: 1, enabled: false }));
      expect(sandbox).toMatchObject({ base_url: 'http://127.0.0.1:8081', schedule_minutes: 1, enabled: false });
    });

    it.each([
      ['an unknown kind', { kind: 'netsuite', name: 'x', credentials: { api_key: 'k' } }, 'body.kind'],
      ['no kind', { name: 'x', credentials: { api_key: 'k' } }, 'body.kind'],
      ['no name', { kind: 'shipstation', credentials: { api_key: 'k' } }, 'body.name'],
      ['a blank name', { kind: 'shipstation', name: '   ', credentials: { api_key: 'k' } }, 'body.name'],
      ['a name of 201 characters', { kind: 'shipstation', name: 'n'.repeat(201), credentials: { api_key: 'k' } }, 'body.name'],
      ['no credentials', { kind: 'shipstation', name: 'x' }, 'body.credentials'],
      ['credentials that are not an object', { kind: 'shipstation', name: 'x', credentials: 'k' }, 'body.credentials'],
      ['ShipStation without api_key', { kind: 'shipstation', name: 'x', credentials: {} }, 'body.credentials.api_key'],
      ['Stocky without store_name', { kind: 'stocky', name: 'x', credentials: { api_key: 'k' } }, 'body.credentials.store_name'],
      ['Stocky without api_key', { kind: 'stocky', name: 'x', credentials: { store_name: STORE } }, 'body.credentials.api_key'],
      ['ShipStation with a store_name', { kind: 'shipstation', name: 'x', credentials: { api_key: 'k', store_name: STORE } }, 'body.credentials.store_name'],
      ['an unknown credentials field', { kind: 'shipstation', name: 'x', credentials: { api_key: 'k', password: 'p' } }, 'body.credentials.password'],
      ['an unknown field', { ...{ kind: 'shipstation', name: 'x', credentials: { api_key: 'k' } }, cursor_state: 'x' }, 'body.cursor_state'],
      ['schedule_minutes 0', { kind: 'shipstation', name: 'x', credentials: { api_key: 'k' }, schedule_minutes: 0 }, 'body.schedule_minutes'],
      ['schedule_minutes 1441', { kind: 'shipstation', name: 'x', credentials: { api_key: 'k' }, schedule_minutes: 1441 }, 'body.schedule_minutes'],
      ['schedule_minutes 1.5', { kind: 'shipstation', name: 'x', credentials: { api_key: 'k' }, schedule_minutes: 1.5 }, 'body.schedule_minutes'],
      ['schedule_minutes as text', { kind: 'shipstation', name: 'x', credentials: { api_key: 'k' }, schedule_minutes: '15' }, 'body.schedule_minutes'],
      ['a base_url that is not a URL', { kind: 'shipstation', name: 'x', credentials: { api_key: 'k' }, base_url: 'api.shipstation.com' }, 'body.base_url'],
      ['a base_url with a password in it', { kind: 'shipstation', name: 'x', credentials: { api_key: 'k' }, base_url: 'https://u:p@api.shipstation.com' }, 'body.base_url'],
      ['a base_url at the cloud metadata address (SSRF)', { kind: 'stocky', name: 'x', credentials: { store_name: 's.myshopify.com', api_key: 'k' }, base_url: 'http://169.254.169.254' }, 'body.base_url'],
      ['a base_url at a link-local IPv6 address (SSRF)', { kind: 'shipstation', name: 'x', credentials: { api_key: 'k' }, base_url: 'http://[fe80::1]:8080' }, 'body.base_url'],
      ['a base_url at the metadata address inside IPv4-compatible IPv6 (SSRF)', { kind: 'shipstation', name: 'x', credentials: { api_key: 'k' }, base_url: 'http://[::169.254.169.254]' }, 'body.base_url'],
      ['enabled as text', { kind: 'shipstation', name: 'x', credentials: { api_key: 'k' }, enabled: 'yes' }, 'body.enabled'],
    ])('400 for %s, naming the field', async (_case, body, field) => {
      expectInvalid(await call('POST', '/api/v2/connections', body), field);
    });

    it('400 messages never repeat a credential value', async () => {
      const body = await call('POST', '/api/v2/connections', {
        kind: 'stocky', name: 'bad', credentials: { store_name: `https://${STORE}/admin`, api_key: `${STOCKY_KEY} with spaces` },
      });
      expectInvalid(body, 'body.credentials.store_name');
      expectInvalid(body, 'body.credentials.api_key');
      expectNoCredentials(body.body, 'the 400');
    });

    it('400 for malformed JSON; 409 for a name the retailer already uses (another retailer may use it)', async () => {
      const malformed = await app.inject({ method: 'POST', url: '/api/v2/connections', headers: { 'x-api-key': adminKey, 'content-type': 'application/json' }, payload: '{"kind":' });
      expectError(malformed, 400, 'validation_failed');
      await create(shipstationBody({ name: 'Taken' }));
      expect(expectError(await call('POST', '/api/v2/connections', shipstationBody({ name: 'Taken' })), 409, 'conflict').message).toMatch(/Taken/);
      await create(shipstationBody({ name: 'Taken' }), otherAdminKey);
    });

    it('honours Idempotency-Key: a retry gets the first answer, not a second connection', async () => {
      const body = shipstationBody({ name: 'Idempotent' });
      const first = await call('POST', '/api/v2/connections', body, adminKey, { 'idempotency-key': 'conn-create-1' });
      const again = await call('POST', '/api/v2/connections', body, adminKey, { 'idempotency-key': 'conn-create-1' });
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(201);
      expect(again.json().id).toBe(first.json().id);
      expect(again.headers['idempotent-replayed']).toBe('true');
    });
  });

  describe('GET, PATCH, DELETE /api/v2/connections/:id', () => {
    it('lists the retailer\'s connections in creation order, paged with links', async () => {
      const all = await call('GET', '/api/v2/connections?page_size=500');
      expect(all.statusCode).toBe(200);
      const { connections, total, page, pages } = all.json();
      expect(total).toBe(connections.length);
      expect(total).toBeGreaterThanOrEqual(4);
      expect([page, pages]).toEqual([1, 1]);
      for (const c of connections) expect(Object.keys(c).sort()).toEqual([...CONNECTION_FIELDS].sort());
      const first = (await call('GET', '/api/v2/connections?page_size=2')).json();
      expect(first.connections.map((c: { id: string }) => c.id)).toEqual(connections.slice(0, 2).map((c: { id: string }) => c.id));
      const next = await call('GET', first.links.next.href.slice(PUBLIC_URL.length));
      expect(next.json().connections.map((c: { id: string }) => c.id)).toEqual(connections.slice(2, 4).map((c: { id: string }) => c.id));
      const others = (await call('GET', '/api/v2/connections', undefined, otherAdminKey)).json();
      expect(others.connections.every((c: { id: string }) => !connections.some((m: { id: string }) => m.id === c.id))).toBe(true);
      expectInvalid(await call('GET', '/api/v2/connections?page_size=0'), 'query.page_size');
      expectInvalid(await call('GET', '/api/v2/connections?cursor=forged'), 'query.cursor');
    });

    it('gets one connection; another retailer\'s is a 404 like a missing one', async () => {
      const created = await create();
      expect((await call('GET', `/api/v2/connections/${created.id}`)).json()).toEqual(created);
      expectError(await call('GET', `/api/v2/connections/${created.id}`, undefined, otherAdminKey), 404, 'not_found');
      expectError(await call('GET', '/api/v2/connections/conn_nope'), 404, 'not_found');
    });

    it('updates the fields given, checks new credentials against the kind, keeps the kind', async () => {
      const created = await create({ kind: 'stocky', name: 'Patched', credentials: { store_name: STORE, api_key: STOCKY_KEY } });
      const response = await call('PATCH', `/api/v2/connections/${created.id}`, {
        name: 'Patched again', schedule_minutes: 60, enabled: false, base_url: 'http://localhost:8082',
        credentials: { store_name: STORE, api_key: 'rotated_DO_NOT_LEAK_0b2d' },
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ ...created, name: 'Patched again', schedule_minutes: 60, enabled: false,
        base_url: 'http://localhost:8082', updated_at: expect.stringMatching(INSTANT) });
      expectInvalid(await call('PATCH', `/api/v2/connections/${created.id}`, { credentials: { api_key: 'only-key' } }), 'body.credentials.store_name', /stocky/);
      expectInvalid(await call('PATCH', `/api/v2/connections/${created.id}`, { kind: 'shipstation' }), 'body.kind', /not a known field/);
      expectInvalid(await call('PATCH', `/api/v2/connections/${created.id}`, { schedule_minutes: 0 }), 'body.schedule_minutes');
      expectInvalid(await call('PATCH', `/api/v2/connections/${created.id}`, { base_url: 'ftp://x' }), 'body.base_url');
      expectError(await call('PATCH', `/api/v2/connections/${created.id}`, {}), 400, 'validation_failed');
      expectError(await call('PATCH', `/api/v2/connections/${created.id}`, { name: 'Taken' }), 409, 'conflict');
      expectError(await call('PATCH', `/api/v2/connections/${created.id}`, { name: 'x' }, otherAdminKey), 404, 'not_found');
    });

    it('deletes a connection with its runs (204), refusing while a run is running (409)', async () => {
      const created = await create();
      const gate = deferred();
      behaviour = { gate: gate.promise };
      const started = await call('POST', `/api/v2/connections/${created.id}/sync`);
      expect(started.statusCode).toBe(202);
      const runId = started.json().run_id;
      expect(expectError(await call('DELETE', `/api/v2/connections/${created.id}`), 409, 'conflict').message).toMatch(runId);
      expectError(await call('DELETE', `/api/v2/connections/${created.id}`, undefined, otherAdminKey), 404, 'not_found');
      gate.resolve();
      await eventually(async () => (await call('GET', `/api/v2/sync_runs/${runId}`)).json().status !== 'running', 5000, 'the run to end');
      const deleted = await call('DELETE', `/api/v2/connections/${created.id}`);
      expect(deleted.statusCode).toBe(204);
      expect(deleted.body).toBe('');
      expectError(await call('GET', `/api/v2/connections/${created.id}`), 404, 'not_found');
      expectError(await call('GET', `/api/v2/sync_runs/${runId}`), 404, 'not_found');
      expectError(await call('DELETE', `/api/v2/connections/${created.id}`), 404, 'not_found');
    });
  });

  describe('runs', () => {
    it('POST …/sync starts a run (202 {run_id}); the run is recorded with its counts', async () => {
      const created = await create();
      behaviour = { pages: [counts(100, 100), counts(250, 200, 30, 20)], stepMs: 5 };
      const response = await call('POST', `/api/v2/connections/${created.id}/sync`, { full: true });
      expect(response.statusCode, response.body).toBe(202);
      const { run_id: runId, ...rest } = response.json();
      expect(runId).toMatch(/^run_[0-9a-z]{22}$/);
      expect(rest).toEqual({});
      expect(response.headers.location).toBe(`${PUBLIC_URL}/api/v2/sync_runs/${runId}`);
      await eventually(async () => (await call('GET', `/api/v2/sync_runs/${runId}`)).json().status === 'succeeded', 5000, 'the run to succeed');
      const run = (await call('GET', `/api/v2/sync_runs/${runId}`)).json();
      expect(run).toEqual({
        id: runId, connection_id: created.id, status: 'succeeded', full: true,
        started_at: expect.stringMatching(INSTANT), finished_at: expect.stringMatching(INSTANT),
        counts: { fetched: 250, created: 200, updated: 30, unchanged: 20, failed: 0 }, error: null,
      });
      // Another retailer cannot see it.
      expectError(await call('GET', `/api/v2/sync_runs/${runId}`, undefined, otherAdminKey), 404, 'not_found');
      expectError(await call('GET', '/api/v2/sync_runs/run_nope'), 404, 'not_found');
    });

    it('accepts a run-now without a body (full defaults to false), and answers 409 while one is running', async () => {
      const created = await create(shipstationBody({ enabled: false }));
      const gate = deferred();
      const seen: boolean[] = [];
      const previous = execute;
      execute = (d, c, o) => { seen.push(o.full); return fakeEngine({ gate: gate.promise }).execute(d, c, o); };
      try {
        const first = await app.inject({ method: 'POST', url: `/api/v2/connections/${created.id}/sync`, headers: { 'x-api-key': adminKey } });
        expect(first.statusCode, first.body).toBe(202);
        const running = (await call('GET', `/api/v2/sync_runs/${first.json().run_id}`)).json();
        expect(running).toMatchObject({ status: 'running', finished_at: null, counts: counts(0), error: null });
        const second = await call('POST', `/api/v2/connections/${created.id}/sync`, { full: true });
        expect(expectError(second, 409, 'conflict').message).toMatch(first.json().run_id);
        expectInvalid(await call('POST', `/api/v2/connections/${created.id}/sync`, { full: 'yes' }), 'body.full');
        expectInvalid(await call('POST', `/api/v2/connections/${created.id}/sync`, { fast: true }), 'body.fast');
        expectError(await call('POST', `/api/v2/connections/${created.id}/sync`, {}, otherAdminKey), 404, 'not_found');
        expectError(await call('POST', '/api/v2/connections/conn_nope/sync', {}), 404, 'not_found');
        gate.resolve();
        await eventually(async () => (await call('GET', `/api/v2/sync_runs/${first.json().run_id}`)).json().status === 'succeeded', 5000, 'the run');
        expect(seen).toEqual([false]);
      } finally {
        execute = previous;
      }
    });

    it('records a failed run with the upstream\'s message, credentials redacted', async () => {
      const created = await create();
      behaviour = { pages: [counts(500, 490, 0, 0, 10)], fail: `ShipStation answered 401 Unauthorized for api-key ${API_KEY}` };
      const runId = (await call('POST', `/api/v2/connections/${created.id}/sync`, {})).json().run_id;
      await eventually(async () => (await call('GET', `/api/v2/sync_runs/${runId}`)).json().status === 'failed', 5000, 'the run to fail');
      expect((await call('GET', `/api/v2/sync_runs/${runId}`)).json()).toMatchObject({
        status: 'failed', counts: counts(500, 490, 0, 0, 10), error: 'ShipStation answered 401 Unauthorized for api-key [redacted]',
      });
    });

    it('GET …/runs lists a connection\'s runs newest first, paged', async () => {
      const created = await create();
      behaviour = { pages: [counts(1, 1)] };
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const runId = (await call('POST', `/api/v2/connections/${created.id}/sync`, {})).json().run_id;
        ids.push(runId);
        await eventually(async () => (await call('GET', `/api/v2/sync_runs/${runId}`)).json().status === 'succeeded', 5000, 'a run');
      }
      const page1 = (await call('GET', `/api/v2/connections/${created.id}/runs?page_size=2`)).json();
      expect(page1).toMatchObject({ total: 3, page: 1, pages: 2 });
      expect(page1.runs.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
      expect(page1.runs[0]).toEqual((await call('GET', `/api/v2/sync_runs/${ids[2]}`)).json());
      const page2 = (await call('GET', page1.links.next.href.slice(PUBLIC_URL.length))).json();
      expect(page2.runs.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
      expect(page2.links.next).toBeNull();
      // A cursor of one connection's runs does not page another's.
      const other = await create();
      expectInvalid(await call('GET', `/api/v2/connections/${other.id}/runs?cursor=${new URL(page1.links.next.href).searchParams.get('cursor')}`), 'query.cursor');
      expectError(await call('GET', `/api/v2/connections/${created.id}/runs`, undefined, otherAdminKey), 404, 'not_found');
    });
  });

  describe('authorisation', () => {
    const routes: [Method, string, object?][] = [
      ['POST', '/api/v2/connections', { kind: 'shipstation', name: 'nope', credentials: { api_key: 'k' } }],
      ['GET', '/api/v2/connections'],
      ['GET', '/api/v2/connections/conn_x'],
      ['PATCH', '/api/v2/connections/conn_x', { name: 'y' }],
      ['DELETE', '/api/v2/connections/conn_x'],
      ['POST', '/api/v2/connections/conn_x/sync', {}],
      ['GET', '/api/v2/connections/conn_x/runs'],
      ['GET', '/api/v2/sync_runs/run_x'],
    ];
    it.each(routes)('%s %s needs the admin scope: 401 without a key, 403 for read and write keys', async (method, url, body) => {
      expectError(await app.inject({ method, url, ...(body ? { payload: body } : {}) }), 401, 'unauthorized');
      expectError(await call(method, url, body, 'pk_live_notakey'), 401, 'unauthorized');
      expect(expectError(await call(method, url, body, readKey), 403, 'forbidden').message).toMatch(/admin/);
      expectError(await call(method, url, body, writeKey), 403, 'forbidden');
    });
  });

  it('no response and no log line carries a credential', async () => {
    // One more request of each kind at trace level, then everything this file saw.
    const created = await create({ kind: 'stocky', name: 'Logged', credentials: { store_name: STORE, api_key: STOCKY_KEY } });
    await call('PATCH', `/api/v2/connections/${created.id}`, { credentials: { store_name: STORE, api_key: 'rotated_DO_NOT_LEAK_0b2d' } });
    await call('POST', '/api/v2/connections', { kind: 'stocky', name: 'Bad', credentials: { store_name: STORE, api_key: `${STOCKY_KEY}\n` } });
    expect(logLines.length).toBeGreaterThan(20);
    expect(logLines.some((line) => line.includes('/api/v2/connections'))).toBe(true);
    expect(logLines.some((line) => line.includes('sync run failed') && line.includes('[redacted]'))).toBe(true);
    // Should anything ever log a body or credentials, the logger redacts them.
    app.log.info({ credentials: { api_key: API_KEY }, req: { body: { credentials: { api_key: API_KEY } } }, connection: { credentials: { store_name: STORE } } }, 'careless');
    expect(logLines.at(-1)).toContain('careless');
    expectNoCredentials(logLines.join(''), 'the log');
    expect(responses.length).toBeGreaterThan(50);
    expectNoCredentials(responses.join('\n'), 'a response');
    // Nor does anything stored in plain text.
    const stored = await db.selectFrom('connections').selectAll().execute();
    expectNoCredentials(JSON.stringify(stored), 'the connections table');
    expectNoCredentials(JSON.stringify(await db.selectFrom('sync_runs').selectAll().execute()), 'the sync_runs table');
  });

  it('end to end: a connection to the ShipStation sandbox syncs through the engine; deleting it keeps the POs', async () => {
    const sandbox = await shipStation({ pos: 12 });
    const previous = execute;
    execute = (d, c, o) => executeSyncRun(d, c, { ...o, tuning: FAST });
    try {
      const created = await create({ kind: 'shipstation', name: 'Sandbox', base_url: sandbox.url, credentials: { api_key: SHIPSTATION_DEFAULT_API_KEY } });
      const runId = (await call('POST', `/api/v2/connections/${created.id}/sync`, {})).json().run_id;
      await eventually(async () => (await call('GET', `/api/v2/sync_runs/${runId}`)).json().status !== 'running', 15_000, 'the sandbox run');
      const run = (await call('GET', `/api/v2/sync_runs/${runId}`)).json();
      expect(run).toMatchObject({ status: 'succeeded', error: null });
      expect(run.counts.fetched).toBe(12);
      expect(run.counts.created).toBe(12);
      const poNumber = sandbox.app.sandbox.state.all()[0].order_number;
      const found = await call('GET', `/api/v2/orders/by-po/${encodeURIComponent(poNumber)}`);
      expect(found.json().data).toHaveLength(1);
      expect((await call('DELETE', `/api/v2/connections/${created.id}`)).statusCode).toBe(204);
      expect((await call('GET', `/api/v2/orders/by-po/${encodeURIComponent(poNumber)}`)).json().data).toHaveLength(1);
    } finally {
      execute = previous;
      await sandbox.close();
    }
  });
});

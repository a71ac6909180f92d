// Idempotency-Key crash safety (issue 9) on SQLite and PostgreSQL: the key, its response and the write commit
// together. A handler that fails after writing keeps nothing and frees the key; concurrent requests with one key
// write once and all get the response of the one that committed; a key held by another uncommitted transaction
// answers 409 after the lock timeout (PostgreSQL), never stuck; stores' own transactions nest as savepoints.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createAuthenticator } from '../../src/http/auth.ts';
import { conflict, registerErrorHandling } from '../../src/http/errors.ts';
import { registerIdempotency } from '../../src/http/idempotency.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { createSupplier } from '../../src/store/suppliers.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { TestDatabases } from '../support/test-database.ts';
import { buildTestApp } from '../support/world.ts';

const databases = TestDatabases.create();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(databases.eachSupportedId())('Idempotency-Key atomic with the write on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let real: FastifyInstance;
  let key: string;
  let retailerId: string;
  let supplierId: string;
  let warehouseId: string;

  const suppliersNamed = async (name: string) =>
    (await db.selectFrom('suppliers').select('id').where('retailer_id', '=', retailerId).where('name', '=', name).execute()).length;
  const post = (target: FastifyInstance, url: string, body: object, idempotencyKey?: string) => target.inject({
    method: 'POST', url, payload: body,
    headers: { 'x-api-key': key, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
  });

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    const { retailer } = await ensureRetailer(db, 'keys');
    retailerId = retailer.id;
    key = (await createApiKey(db, retailer.id, 'writer', ['read', 'write'])).secret;
    warehouseId = await ensureWarehouse(db, retailer.id, { name: 'Main', address: null, locations: [] });
    // Routes made for the test: a write followed by a failure, a write that takes a while, a store error.
    app = Fastify({ logger: process.env.DBG ? { level: "error" } : false });
    app.idempotencyLockTimeoutSeconds = 1;
    app.idempotencySecret = 'idempotency-test-secret-0123456789abcdef';
    registerErrorHandling(app);
    const requireScope = createAuthenticator(db);
    await app.register(async (plugin) => {
      plugin.addHook('onRequest', requireScope('write'));
      registerIdempotency(plugin, db);
      plugin.post('/write-then-fail', async (request) => {
        const { name } = request.body as { name: string };
        await createSupplier(db, request.auth.retailerId, { name });
        throw new Error('the process failed after the write');
      });
      plugin.post('/write-slowly', async (request) => {
        const { name, ms } = request.body as { name: string; ms: number };
        const result = await createSupplier(db, request.auth.retailerId, { name });
        await sleep(ms);
        return { ok: result.ok };
      });
      plugin.post('/write-any-slowly', async (request) => {
        const { ms } = request.query as { ms: string };
        const result = await createSupplier(db, request.auth.retailerId, { name: `Any ${Math.random()}` });
        await sleep(Number(ms));
        return { ok: result.ok };
      });
      plugin.post('/write-two', async (request) => {
        const { names } = request.body as { names: string[] };
        const results = [];
        for (const name of names) results.push(await createSupplier(db, request.auth.retailerId, { name }));
        if (results.some((r) => !r.ok)) throw conflict('a name was taken');
        return { created: results.length };
      });
    });
    await app.ready();
    real = await buildTestApp(db);
    supplierId = (await post(real, '/api/v2/suppliers', { name: 'Acushnet' })).json().supplier_id;
  });
  afterAll(async () => {
    await app?.close();
    await real?.close();
  });

  it('keeps nothing of a handler that fails after writing, and the retry with the key writes once', async () => {
    const failed = await post(app, '/write-then-fail', { name: 'Half' }, 'fail-1');
    expect(failed.statusCode).toBe(500);
    expect(await suppliersNamed('Half')).toBe(0);
    expect(await db.selectFrom('idempotency_keys').select('key').where('key', '=', 'fail-1').execute()).toEqual([]);
    // Without a key the same handler's write stays (it is the request transaction that undoes it).
    await post(app, '/write-then-fail', { name: 'Unguarded' });
    expect(await suppliersNamed('Unguarded')).toBe(1);
  });

  it('undoes a store write the handler then turns into a 4xx, and replays that 4xx', async () => {
    await post(real, '/api/v2/suppliers', { name: 'Taken' });
    const first = await post(app, '/write-two', { names: ['Fresh', 'Taken'] }, 'two-1');
    expect(first.statusCode).toBe(409);
    expect(await suppliersNamed('Fresh')).toBe(0);
    const again = await post(app, '/write-two', { names: ['Fresh', 'Taken'] }, 'two-1');
    expect(again.statusCode).toBe(409);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('stores the key in the same transaction as the write: both or neither', async () => {
    const response = await post(real, '/api/v2/suppliers', { name: 'Cobra' }, 'sup-1');
    expect(response.statusCode).toBe(201);
    const row = await db.selectFrom('idempotency_keys').selectAll().where('key', '=', 'sup-1').executeTakeFirstOrThrow();
    expect(row.status_code).toBe(201);
    // The body is stored encrypted (test/http/idempotency-secrets.test.ts), the Location header as it is.
    expect(row.response_body).toMatch(/^enc:v1\./);
    expect(row.response_body).not.toContain(response.json().supplier_id);
    expect(JSON.parse(row.response_headers!).location).toBe(response.headers.location);
    const replay = await post(real, '/api/v2/suppliers', { name: 'Cobra' }, 'sup-1');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers.location).toBe(response.headers.location);
    expect(replay.body).toBe(response.body);
  });

  it('writes once when concurrent requests carry the same key, and answers each with the first response', async () => {
    const body = { supplier_id: supplierId, warehouse_id: warehouseId, products: [{ sku: 'A', supplier_sku: 'S-A', quantity: 1, cost: 1 }], reference_number: 'SAME' };
    const responses = await Promise.all(Array.from({ length: 6 }, () => post(real, '/api/v2/purchase_orders', body, 'po-race')));
    expect(responses.map((r) => r.statusCode), responses[0].body).toEqual(Array(6).fill(201));
    expect(new Set(responses.map((r) => r.json().purchase_order_id)).size).toBe(1);
    const pos = await db.selectFrom('purchase_orders').select('id').where('reference_number', '=', 'SAME').execute();
    expect(pos).toHaveLength(1);
  });

  it('makes a request with a key still in progress wait for it, then replay it', async () => {
    const [first, second] = await Promise.all([
      post(app, '/write-slowly', { name: 'Slow', ms: 300 }, 'slow-1'),
      sleep(50).then(() => post(app, '/write-slowly', { name: 'Slow', ms: 300 }, 'slow-1')),
    ]);
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    expect(await suppliersNamed('Slow')).toBe(1);
  });

  it('writes once when a duplicate arrives while a slow request with the key is under way', async () => {
    // The query string is not part of the request's identity: both are the same request, one slower.
    const [slow, fast] = await Promise.all([
      post(app, '/write-any-slowly?ms=800', {}, 'slow-2'),
      sleep(100).then(() => post(app, '/write-any-slowly?ms=0', {}, 'slow-2')),
    ]);
    expect(slow.statusCode).toBe(200);
    expect(fast.statusCode).toBe(200);
    // PostgreSQL: the fast one commits first and the slow one is rolled back; SQLite: the slow one holds the
    // connection, and the fast one finds its key. Either way one answer is the other's, replayed.
    expect([slow, fast].filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(1);
    expect(slow.body).toBe(fast.body);
    const written = await db.selectFrom('suppliers').select('id').where('retailer_id', '=', retailerId).where('name', 'like', 'Any %').execute();
    expect(written).toHaveLength(1);
  });

  it.runIf(databaseId === 'POSTGRES')('answers 409 "still being handled" while another transaction holds the key, never stuck', async () => {
    // Another process's uncommitted request with this key (as a process that is dying would leave it).
    const other = await db.startTransaction().execute();
    await other.insertInto('idempotency_keys').values({
      retailer_id: retailerId, key: 'held-elsewhere', request_hash: 'x', status_code: 200, response_body: '{}', response_headers: '{}',
      created_at: new Date().toISOString(),
    }).execute();
    const started = Date.now();
    const blocked = await post(app, '/write-any-slowly?ms=0', {}, 'held-elsewhere');
    expect(blocked.statusCode, blocked.body).toBe(409);
    expect(blocked.json().message).toMatch(/still being handled/);
    expect(blocked.headers['retry-after']).toBe('1');
    expect(Date.now() - started).toBeLessThan(5_000);
    // Its connection goes (the process died): the retry performs the write, once.
    await other.rollback().execute();
    const before = await db.selectFrom('suppliers').select('id').where('name', 'like', 'Any %').execute();
    const retried = await post(app, '/write-any-slowly?ms=0', {}, 'held-elsewhere');
    expect(retried.statusCode).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await db.selectFrom('suppliers').select('id').where('name', 'like', 'Any %').execute()).toHaveLength(before.length + 1);
  });

  it('lets other requests through while a keyed request is open (PostgreSQL) or right after it (SQLite)', async () => {
    const slow = post(app, '/write-slowly', { name: 'Held', ms: 200 }, 'slow-3');
    const other = await post(real, '/api/v2/suppliers', { name: 'Meanwhile' }, 'other-3');
    expect(other.statusCode).toBe(201);
    expect((await slow).statusCode).toBe(200);
  });
});

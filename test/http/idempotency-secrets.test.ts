// Stored Idempotency-Key responses on SQLite and PostgreSQL (issue 9): the response of POST /webhook_endpoints
// carries the endpoint's signing secret, shown once; its replay must return it, yet the stored row must not
// hold it (nor any other response body) in plaintext. A stored response that no longer decrypts (the master
// secret changed) is a 409, never a second write. And the background purge deletes keys older than 24 hours.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import type { Resolve } from '../../src/events/url-guard.ts';
import { idempotencyPurgeTask } from '../../src/http/idempotency-purge.ts';
import { TestDatabases } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';
import { makeShop, type Shop } from '../events/support.ts';

const databases = TestDatabases.create();
const resolve: Resolve = async () => [{ address: '93.184.216.34', family: 4 }];
const HOUR = 3600_000;

describe.each(databases.eachSupportedId())('stored Idempotency-Key responses on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let shop: Shop;

  const post = (target: FastifyInstance, url: string, body: object, key: string) => target.inject({
    method: 'POST', url, payload: body, headers: { 'x-api-key': shop.adminKey, 'idempotency-key': key },
  });
  const keysOf = async () => (await db.selectFrom('idempotency_keys').select('key').where('retailer_id', '=', shop.retailerId).execute())
    .map((row) => row.key).sort();

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    shop = await makeShop(db, 'vault');
    app = await buildApp({ config: TEST_CONFIG, db, logger: false, webhooks: { allowPrivate: false, resolve } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps the webhook secret out of the stored row, and the replay still returns it', async () => {
    const body = { url: 'https://hooks.example.test/vault', enabled_events: ['*'] };
    const first = await post(app, '/api/v2/webhook_endpoints', body, 'we-secret');
    expect(first.statusCode, first.body).toBe(201);
    const secret: string = first.json().secret;
    expect(secret).toMatch(/^whsec_/);

    const row = await db.selectFrom('idempotency_keys').selectAll()
      .where('retailer_id', '=', shop.retailerId).where('key', '=', 'we-secret').executeTakeFirstOrThrow();
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(secret.slice('whsec_'.length));
    expect(stored).not.toContain('whsec_');
    // The whole body is encrypted, not only the secret (the Location header, replayed too, is kept as it is).
    expect(row.response_body).toMatch(/^enc:v1\./);
    expect(row.response_body).not.toContain(first.json().id);

    const again = await post(app, '/api/v2/webhook_endpoints', body, 'we-secret');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().secret).toBe(secret);
    expect(again.body).toBe(first.body);
    const endpoints = await db.selectFrom('webhook_endpoints').select('id').where('retailer_id', '=', shop.retailerId).execute();
    expect(endpoints).toHaveLength(1);
  });

  it('binds a stored response to its key: copied onto another key it does not decrypt, and answers 409, not a second write', async () => {
    const body = { url: 'https://hooks.example.test/copy', enabled_events: ['*'] };
    const first = await post(app, '/api/v2/webhook_endpoints', body, 'we-original');
    expect(first.statusCode).toBe(201);
    const row = await db.selectFrom('idempotency_keys').selectAll()
      .where('retailer_id', '=', shop.retailerId).where('key', '=', 'we-original').executeTakeFirstOrThrow();
    await db.insertInto('idempotency_keys').values({ ...row, key: 'we-copy' }).execute();
    const before = await db.selectFrom('webhook_endpoints').select('id').where('retailer_id', '=', shop.retailerId).execute();
    const copied = await post(app, '/api/v2/webhook_endpoints', body, 'we-copy');
    expect(copied.statusCode, copied.body).toBe(409);
    expect(copied.json().message).toMatch(/can no longer be read/);
    expect(copied.body).not.toContain('whsec_');
    expect(await db.selectFrom('webhook_endpoints').select('id').where('retailer_id', '=', shop.retailerId).execute()).toHaveLength(before.length);
  });

  it('does not replay with another master secret (409), and replays again with the right one', async () => {
    const body = { url: 'https://hooks.example.test/rotated', enabled_events: ['*'] };
    const first = await post(app, '/api/v2/webhook_endpoints', body, 'we-rotated');
    expect(first.statusCode).toBe(201);
    const rotated = await buildApp({ config: { ...TEST_CONFIG, secret: 'another-secret-0123456789abcdefghijklmnopqrstu' }, db, logger: false,
      webhooks: { allowPrivate: false, resolve } });
    try {
      const refused = await post(rotated, '/api/v2/webhook_endpoints', body, 'we-rotated');
      expect(refused.statusCode).toBe(409);
    } finally {
      await rotated.close();
    }
    const replayed = await post(app, '/api/v2/webhook_endpoints', body, 'we-rotated');
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toBe(first.body);
  });

  it('purges keys older than 24 hours in the background, keeps younger ones, and the purged key works as new', async () => {
    for (const key of ['old-1', 'old-2', 'young']) {
      const created = await post(app, '/api/v2/suppliers', { name: `Purge ${key}` }, key);
      expect(created.statusCode).toBe(201);
    }
    const aged = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
    await db.updateTable('idempotency_keys').set({ created_at: aged(25) })
      .where('retailer_id', '=', shop.retailerId).where('key', 'in', ['old-1', 'old-2']).execute();
    await db.updateTable('idempotency_keys').set({ created_at: aged(23) })
      .where('retailer_id', '=', shop.retailerId).where('key', '=', 'young').execute();
    const logged: unknown[] = [];
    const log = { info: (o: object) => logged.push(o), error: (o: object) => logged.push(o), warn: () => {}, debug: () => {} };
    const task = await idempotencyPurgeTask.start({ config: {} as never, db, log: log as never });
    try {
      const deadline = Date.now() + 10_000;
      while ((await keysOf()).includes('old-1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await task.stop();
    }
    const left = await keysOf();
    expect(left).not.toContain('old-1');
    expect(left).not.toContain('old-2');
    expect(left).toContain('young');
    expect(logged).toContainEqual({ purged: 2 });
    // The purged key is free: the same request with it is performed again (a new supplier name, so it succeeds).
    const reused = await post(app, '/api/v2/suppliers', { name: 'Purge old-1 again' }, 'old-1');
    expect(reused.statusCode).toBe(201);
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
  });
});

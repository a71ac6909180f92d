// Webhook delivery (DESIGN 4b) on SQLite (the in-process deliverer) and PostgreSQL (pg-boss drains, as `serve`
// and `ordersync worker` run them) against a real receiver verifying with the `standardwebhooks` verifier:
// retries with the same webhook-id after 500s and timeouts, 410 disables, a restart delivers what was pending,
// two workers never send one delivery at once, the per-endpoint bound holds across workers and a slow receiver
// does not hold up a fast one, rotated secrets overlap.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { webhookDeliveries } from '../../src/observability/metrics.ts';
import { recordEvent } from '../../src/store/events.ts';
import { TestDatabases } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';
import { call, dropBossSchema, makeShop, startReceiver, testDeliverer, type Receiver, type Shop, type TestDelivery } from './support.ts';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('webhook delivery on %s', (databaseId) => {
  let db: Db;
  let url: string;
  let schema: string | undefined;
  let app: FastifyInstance;
  let shop: Shop;
  let receiver: Receiver;
  let endpointId: string;
  const running: TestDelivery[] = [];
  const postgres = databaseId === 'POSTGRES';

  /** One delivering process (on PostgreSQL `on` is its own database handle, as a second worker's would be). */
  const start = (options: Parameters<typeof testDeliverer>[1] = {}, on = db) => {
    const deliverer = testDeliverer(on, options, postgres ? url : undefined).start();
    running.push(deliverer);
    return deliverer;
  };
  const stopAll = async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
  };
  const emit = (n = 1) => db.transaction().execute(async (trx) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await recordEvent(trx, shop.retailerId, 'sync_run.failed', { connection_id: 'conn_x', run_id: `run_${i}`, error: 'e' }));
    return ids;
  });
  const ok = (r: { answered: number }) => r.answered === 200;
  /** The endpoint's deliveries once the newest has reached `status`. */
  const settled = async (status = 'succeeded') => {
    await expect.poll(async () => (await deliveries())[0]?.status, { timeout: 8000 }).toBe(status);
    return deliveries();
  };
  const deliveries = async () => (await call(app, shop.adminKey, 'GET', `/api/v2/webhook_endpoints/${endpointId}/deliveries?limit=100`, undefined, 200)).data;

  beforeAll(async () => {
    ({ db, url, schema } = await databases.init(databaseId));
    shop = await makeShop(db, 'fairway');
    app = await buildApp({ config: TEST_CONFIG, db, logger: false, webhooks: { allowPrivate: true } });
  });
  beforeEach(async () => {
    await stopAll();
    await receiver?.close();
    receiver = await startReceiver();
    const endpoint = await call(app, shop.adminKey, 'POST', '/api/v2/webhook_endpoints',
      { url: receiver.url, enabled_events: ['sync_run.failed'] }, 201);
    await db.updateTable('webhook_endpoints').set({ enabled: 0 }).where('id', '!=', endpoint.id).execute();
    endpointId = endpoint.id;
    receiver.secrets = [endpoint.secret];
  });
  afterAll(async () => {
    await stopAll();
    await receiver?.close();
    await app?.close();
    if (postgres && db) await dropBossSchema(db, url);
  });

  it('a backlog refused before any network (a private address no longer allowed) leaves the event loop its turns', async () => {
    await emit(600);
    let takenWhenTimerRan: number | null = null;
    // Claimed (leased) or tried already: what the deliverer has taken from the backlog.
    const taken = async () => Number((await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) => eb.or([eb('lease_until', 'is not', null), eb('attempts', '>', 0)])).executeTakeFirstOrThrow()).n);
    // Every attempt is refused at once by the address guard: only the deliverer's own turns of the loop let a timer in
    // before it has taken the whole backlog (30 at a time for one endpoint).
    start({ allowPrivateUrls: false, retryDelaysSeconds: [3600] });
    await new Promise<void>((resolve) => setTimeout(() => {
      void taken().then((n) => { takenWhenTimerRan = n; resolve(); });
    }, 0));
    await expect.poll(async () => Number((await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.sum<number>('attempts').as('n'))
      .executeTakeFirstOrThrow()).n ?? 0), { timeout: 20_000 }).toBeGreaterThanOrEqual(600);
    expect(takenWhenTimerRan).not.toBeNull();
    expect(takenWhenTimerRan!).toBeLessThan(600);
    await stopAll();
  });

  it('retries a receiver answering 500 twice: the same webhook-id three times, each attempt listed', async () => {
    receiver.script = [500, 500];
    const [eventId] = await emit();
    start();
    const [delivery] = await settled();
    expect(receiver.unverified).toEqual([]);
    expect(receiver.received.map((r) => [r.id, r.answered])).toEqual([[eventId, 500], [eventId, 500], [eventId, 200]]);
    expect(delivery).toMatchObject({ event_id: eventId, type: 'sync_run.failed', status: 'succeeded', attempt: 3, response_status: 200 });
    expect(delivery.attempts.map((a: { response_status: number }) => a.response_status)).toEqual([500, 500, 200]);
    expect(delivery.attempts[0].next_attempt_at).toEqual(expect.any(String));
  });

  it('counts attempts by verdict in the metrics (DESIGN 4d)', async () => {
    const count = async (result: string) => (await webhookDeliveries.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
    const [retriesBefore, successesBefore] = [await count('retry'), await count('succeeded')];
    receiver.script = [500];
    await emit();
    start();
    await settled();
    await expect.poll(() => count('succeeded')).toBe(successesBefore + 1);
    expect(await count('retry')).toBe(retriesBefore + 1);
  });

  it('same webhook-id on every attempt, and a timeout is retried', async () => {
    receiver.script = [500, 1500];
    const [eventId] = await emit();
    start({ timeoutMs: 400 });
    const [delivery] = await settled();
    await receiver.waitFor(3);
    expect(delivery.attempts.map((a: { response_status: number | null; error: string | null }) => [a.response_status, a.error])).toEqual([
      [500, 'HTTP 500'], [null, 'timed out after 0.4 s'], [200, null],
    ]);
    expect(new Set(receiver.received.map((r) => r.id))).toEqual(new Set([eventId]));
    const timestamps = receiver.received.map((r) => Number(r.timestamp));
    expect(timestamps[2]).toBeGreaterThanOrEqual(timestamps[0]); // webhook-timestamp is each attempt's own
  });

  it('gives up after the schedule (failed), and 410 Gone disables the endpoint at once', async () => {
    receiver.script = [503, 503, 503, 503];
    await emit();
    start();
    await expect.poll(async () => (await deliveries())[0]?.status, { timeout: 5000 }).toBe('failed');
    expect((await deliveries())[0].attempt).toBe(4);
    receiver.script = [410];
    await emit();
    await expect.poll(async () => (await call(app, shop.adminKey, 'GET', `/api/v2/webhook_endpoints/${endpointId}`)).enabled, { timeout: 5000 })
      .toBe(false);
    const endpoint = await call(app, shop.adminKey, 'GET', `/api/v2/webhook_endpoints/${endpointId}`, undefined, 200);
    expect(endpoint.disabled_reason).toMatch(/410/);
    // A disabled endpoint is sent nothing (its events stay in the feed); enabled again, it gets new events, and
    // the retry route sends a failed delivery again.
    await emit();
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.received.filter(ok)).toHaveLength(0);
    await call(app, shop.adminKey, 'PATCH', `/api/v2/webhook_endpoints/${endpointId}`, { enabled: true }, 200);
    await emit();
    await receiver.waitFor(1, ok);
    const failed = (await deliveries()).find((d: { status: string }) => d.status === 'failed');
    await call(app, shop.adminKey, 'POST', `/api/v2/webhook_endpoints/${endpointId}/deliveries/${failed.id}/retry`, undefined, 202);
    await receiver.waitFor(2, ok);
    expect(receiver.received.filter(ok)[1].id).toBe(failed.event_id);
    await call(app, shop.adminKey, 'POST', `/api/v2/webhook_endpoints/${endpointId}/deliveries/whd_nope/retry`, undefined, 404);
  });

  it('disables an endpoint whose every attempt failed for 3 days', async () => {
    receiver.script = [500];
    await db.updateTable('webhook_endpoints').set({ failing_since: new Date(Date.now() - 3 * 24 * 3600 * 1000 - 1000).toISOString() })
      .where('id', '=', endpointId).execute();
    await emit();
    start();
    await expect.poll(async () => (await call(app, shop.adminKey, 'GET', `/api/v2/webhook_endpoints/${endpointId}`)).disabled_reason,
      { timeout: 5000 }).toMatch(/3 days/);
  });

  it('delivers after a restart what was pending while stopped, and what a stopped worker had in flight', async () => {
    receiver.delayMs = 300;
    await emit(1);
    const first = start();
    await expect.poll(() => receiver.maxConcurrent, { timeout: 5000 }).toBe(1); // the attempt is in flight now
    await first.stop(); // waits for it to be recorded: nothing is lost, nothing doubled
    const ids = await emit(5);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(1);
    receiver.delayMs = 0;
    start();
    const received = await receiver.waitFor(6);
    expect(new Set(received.map((r) => r.id)).size).toBe(6);
    for (const id of ids) expect(received.map((r) => r.id)).toContain(id);
  });

  it('two workers never send one delivery at once, and each event is delivered once', async () => {
    receiver.delayMs = 30;
    const second = postgres ? openDatabase({ kind: 'postgres', url }, { searchPath: schema }) : undefined;
    try {
      const ids = await emit(40);
      start({ perEndpoint: 4 });
      start({ perEndpoint: 4 }, second?.db ?? db);
      const received = await receiver.waitFor(40);
      await new Promise((r) => setTimeout(r, 200));
      expect(receiver.received).toHaveLength(40);
      expect(new Set(received.map((r) => r.id))).toEqual(new Set(ids));
      expect(receiver.maxConcurrentPerId).toBe(1);
      await stopAll();
    } finally {
      await second?.close();
    }
  });

  it('bounds requests per endpoint (across workers on PostgreSQL), and a slow receiver does not hold up a fast one', async () => {
    const fast = await startReceiver();
    const second = postgres ? openDatabase({ kind: 'postgres', url }, { searchPath: schema }) : undefined;
    try {
      const other = await call(app, shop.adminKey, 'POST', '/api/v2/webhook_endpoints', { url: fast.url, enabled_events: ['sync_run.failed'] }, 201);
      fast.secrets = [other.secret];
      receiver.delayMs = 250; // the slow one
      const ids = await emit(12);
      // Two workers on PostgreSQL (one SQLite process delivers: its bound is the process's).
      start({ perEndpoint: 2, drains: 2 });
      if (second) start({ perEndpoint: 2, drains: 2 }, second.db);
      await fast.waitFor(12);
      // The fast receiver had everything while the slow one had at most a few: they did not share slots.
      expect(receiver.received.length).toBeLessThan(12);
      await receiver.waitFor(12, undefined, 15_000);
      expect(receiver.maxConcurrent).toBeLessThanOrEqual(2);
      expect(receiver.maxConcurrent).toBe(2);
      for (const r of [receiver, fast]) {
        expect(new Set(r.received.map((x) => x.id))).toEqual(new Set(ids));
        expect(r.maxConcurrentPerId).toBe(1);
      }
      await stopAll();
    } finally {
      await fast.close();
      await second?.close();
    }
  });

  it('rotate_secret: both signatures for 24 hours; ping through test', async () => {
    const rotated = await call(app, shop.adminKey, 'POST', `/api/v2/webhook_endpoints/${endpointId}/rotate_secret`, undefined, 200);
    expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(rotated.secret).not.toBe(receiver.secrets[0]);
    receiver.secrets = [receiver.secrets[0], rotated.secret];
    const ping = await call(app, shop.adminKey, 'POST', `/api/v2/webhook_endpoints/${endpointId}/test`, undefined, 202);
    start();
    const [received] = await receiver.waitFor(1);
    expect(received.event).toMatchObject({ id: ping.event_id, type: 'ping' });
    expect(received.signatures).toHaveLength(2);
    expect(received.verifiedWith).toHaveLength(2);
    // After the overlap only the new secret signs.
    await db.updateTable('webhook_endpoints').set({ previous_secret_expires_at: new Date(Date.now() - 1).toISOString() }).where('id', '=', endpointId).execute();
    await emit();
    const [, later] = await receiver.waitFor(2);
    expect(later.signatures).toHaveLength(1);
    expect(later.verifiedWith).toEqual([rotated.secret]);
  });
});

// Scheduling: the in-process scheduler of the embedded default (due connections, one at a time, clean stop)
// on SQLite and PostgreSQL; and on PostgreSQL, pg-boss: two workers and two enqueuers on one database never
// run one connection twice at once.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createConnection, findConnection } from '../../src/store/connections.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { findRun } from '../../src/store/sync-runs.ts';
import { beginConnectionSync, type RunLog } from '../../src/sync/runner.ts';
import { bossSchemaFor, InProcessScheduler, startBoss, startWorkerProcess, SYNC_QUEUE } from '../../src/sync/scheduler.ts';
import { counts, deferred, eventually, fakeEngine, SECRET, secondHandle } from '../support/engine-double.ts';
import { TestDatabases, type TestDatabase } from '../support/test-database.ts';

const databases = TestDatabases.create();
const quiet: RunLog = { info() {}, warn() {}, error() {} };

async function newConnection(db: Db, retailerId: string, name: string, extra: { enabled?: boolean; createdAt?: Date } = {}) {
  const result = await createConnection(db, SECRET, retailerId, {
    kind: 'shipstation', name, base_url: 'http://127.0.0.1:1', credentials: { api_key: 'k_123456' },
    schedule_minutes: 15, enabled: extra.enabled ?? true,
  }, extra.createdAt);
  if (!result.ok) throw new Error(result.reason);
  return result.connection.id;
}

describe.each(databases.eachSupportedId())('in-process scheduler on %s', (databaseId) => {
  let db: Db;
  let retailerId: string;

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    retailerId = (await ensureRetailer(db, 'acme')).retailer.id;
  });

  it('runs the due connections, one at a time, and schedules each one\'s next run', async () => {
    const now = new Date();
    const older = await newConnection(db, retailerId, 'due, waiting longest', { createdAt: new Date(now.getTime() - 60_000) });
    const due = await newConnection(db, retailerId, 'due', { createdAt: new Date(now.getTime() - 1_000) });
    const disabled = await newConnection(db, retailerId, 'disabled', { enabled: false, createdAt: new Date(now.getTime() - 60_000) });
    const later = await newConnection(db, retailerId, 'not due yet', { createdAt: new Date(now.getTime() + 60_000) });
    const engine = fakeEngine({ pages: [counts(1, 1), counts(2, 2)], stepMs: 10 });
    const scheduler = new InProcessScheduler({ db, secret: SECRET, execute: engine.execute, log: quiet });
    expect(await scheduler.runDue()).toBe(2);
    expect(engine.calls.map((c) => c.connection.id)).toEqual([older, due]);
    expect(engine.calls.every((c) => c.options.full === false)).toBe(true);
    expect(engine.maxActive).toBe(1);
    for (const id of [older, due]) {
      expect(Date.parse((await findConnection(db, retailerId, id))!.next_run_at)).toBeGreaterThan(now.getTime() + 14 * 60_000);
    }
    expect(engine.calls.some((c) => [disabled, later].includes(c.connection.id))).toBe(false);
    // Nothing is due now.
    expect(await scheduler.runDue()).toBe(0);
    await scheduler.stop();
  });

  it('skips a connection that is running elsewhere (run-now, `ordersync sync`)', async () => {
    const id = await newConnection(db, retailerId, 'busy', { createdAt: new Date(Date.now() - 1000) });
    const gate = deferred();
    const elsewhere = fakeEngine({ gate: gate.promise });
    const begun = await beginConnectionSync(db, SECRET, id, { full: false, execute: elsewhere.execute });
    if (!begun.started) throw new Error('not started');
    // The run-now moved next_run_at on; make it due again as if the schedule had come round.
    await db.updateTable('connections').set({ next_run_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', id).execute();
    const engine = fakeEngine();
    const scheduler = new InProcessScheduler({ db, secret: SECRET, execute: engine.execute, log: quiet });
    await scheduler.runDue();
    expect(engine.calls.filter((c) => c.connection.id === id)).toHaveLength(0);
    gate.resolve();
    await begun.done;
    await scheduler.stop();
  });

  it('started, it picks up due connections on its own; stopped, it interrupts the run in progress and ends', async () => {
    const id = await newConnection(db, retailerId, 'picked up', { createdAt: new Date(Date.now() - 1000) });
    const engine = fakeEngine({ gate: new Promise(() => {}) });
    const scheduler = new InProcessScheduler({ db, secret: SECRET, execute: engine.execute, log: quiet, tickMs: 20 }).start();
    await eventually(() => engine.calls.some((c) => c.connection.id === id), 5000, 'the scheduler to start the run');
    const runId = engine.calls.find((c) => c.connection.id === id)!.options.runId;
    await scheduler.stop();
    expect(await findRun(db, retailerId, runId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^interrupted/) });
    expect(engine.calls.find((c) => c.connection.id === id)!.options.signal!.aborted).toBe(true);
    // Due now: the next start resumes it at once, not a schedule (15 min) later.
    expect(Date.parse((await findConnection(db, retailerId, id))!.next_run_at)).toBeLessThanOrEqual(Date.now());
  });
});

describe.each(databases.eachSupportedId().filter(([id]) => id === 'POSTGRES'))('pg-boss workers on %s', () => {
  let database: TestDatabase;
  let db: Db;
  let retailerId: string;
  let bossSchema: string;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    database = await databases.init('POSTGRES');
    db = database.db;
    retailerId = (await ensureRetailer(db, 'acme')).retailer.id;
    bossSchema = await bossSchemaFor(db);
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    if (!bossSchema) return;
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(`drop schema if exists ${bossSchema} cascade`);
    await client.end();
  });

  it('keeps pg-boss in a schema of its own beside the service\'s', () => {
    expect(bossSchema).toBe(`${database.schema}_pgboss`);
  });

  it('admits one queued-or-active job per connection (exclusive policy keyed by connection id)', async () => {
    const boss = await startBoss(database.url, { schema: bossSchema, log: quiet });
    stops.push(() => boss.stop({ graceful: false, timeout: 1000 }));
    const first = await boss.send(SYNC_QUEUE, { connection_id: 'conn_x', full: false }, { singletonKey: 'conn_x' });
    const second = await boss.send(SYNC_QUEUE, { connection_id: 'conn_x', full: false }, { singletonKey: 'conn_x' });
    const other = await boss.send(SYNC_QUEUE, { connection_id: 'conn_y', full: false }, { singletonKey: 'conn_y' });
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    expect(other).toEqual(expect.any(String));
    await boss.deleteQueuedJobs(SYNC_QUEUE);
  });

  it('two worker processes never run one connection twice at once, and every connection runs', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await newConnection(db, retailerId, `worked ${i}`, { createdAt: new Date(Date.now() - 1000) }));
    const engine = fakeEngine({ pages: [counts(1, 1), counts(2, 1, 1)], stepMs: 40 });
    const other = secondHandle(database);
    stops.push(() => other.close());
    // Two `ordersync worker` processes (each with its own pool), each taking jobs and queueing due runs.
    const workers = await Promise.all([db, other.db].map((handle) => startWorkerProcess(database.url, {
      db: handle, secret: SECRET, execute: engine.execute, log: quiet, concurrency: 2, pollingIntervalSeconds: 0.5, tickMs: 50,
    })));

    // For a while, keep every connection due: both queues of work and startRun's guard must hold.
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      await db.updateTable('connections').set({ next_run_at: new Date(Date.now() - 1000).toISOString() })
        .where('retailer_id', '=', retailerId).where('name', 'like', 'worked %').execute();
      await new Promise((r) => setTimeout(r, 25));
    }
    await eventually(() => ids.every((id) => engine.calls.some((c) => c.connection.id === id)), 10_000, 'every connection to run');
    await Promise.all(workers.map((w) => w.stop()));

    expect(engine.maxActivePerConnection).toBe(1);
    expect(engine.maxActive).toBeGreaterThan(1); // the workers did share the work
    // And the recorded runs of each connection never overlap.
    const runs = await db.selectFrom('sync_runs').select(['connection_id', 'started_at', 'finished_at', 'status'])
      .where('connection_id', 'in', ids).orderBy('connection_id').orderBy('started_at').execute();
    expect(runs.length).toBeGreaterThanOrEqual(ids.length);
    for (let i = 1; i < runs.length; i++) {
      if (runs[i].connection_id !== runs[i - 1].connection_id) continue;
      expect(runs[i].started_at >= runs[i - 1].finished_at!).toBe(true);
    }
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
  });
});

// runConnectionSync on SQLite and PostgreSQL, with a test double of the engine: runs recorded with counts,
// progress and heartbeats while running, failures with redacted messages, refusals, interruption, takeover.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createConnection, findConnection } from '../../src/store/connections.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { findRun, listRuns } from '../../src/store/sync-runs.ts';
import { BackgroundSyncs, beginConnectionSync, runConnectionSync, type ExecuteSyncRun, type RunLog } from '../../src/sync/runner.ts';
import { counts, deferred, eventually, fakeEngine, SECRET, secondHandle } from '../support/engine-double.ts';
import { TestDatabases, type TestDatabase } from '../support/test-database.ts';

const databases = TestDatabases.create();
const API_KEY = 'ss_live_TOPSECRET_0042';

function memoryLog(): RunLog & { lines: { level: string; fields: object; message: string }[] } {
  const lines: { level: string; fields: object; message: string }[] = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push({ level, fields, message });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

describe.each(databases.eachSupportedId())('runConnectionSync on %s', (databaseId) => {
  let database: TestDatabase;
  let db: Db;
  let retailerId: string;

  beforeAll(async () => {
    database = await databases.init(databaseId);
    db = database.db;
    retailerId = (await ensureRetailer(db, 'acme')).retailer.id;
  });

  let serial = 0;
  async function connection(schedule = 15): Promise<string> {
    const result = await createConnection(db, SECRET, retailerId, {
      kind: 'shipstation', name: `conn ${++serial}`, base_url: 'http://127.0.0.1:1', credentials: { api_key: API_KEY },
      schedule_minutes: schedule, enabled: true,
    });
    if (!result.ok) throw new Error(result.reason);
    return result.connection.id;
  }

  it('a full run that did not finish makes the next run full, whoever asks for an incremental one; a finished one does not', async () => {
    const id = await connection();
    const fullness = async (full: boolean, behaviour: { fail?: string } = {}) => {
      const engine = fakeEngine(behaviour);
      const outcome = await runConnectionSync(db, SECRET, id, { full, execute: engine.execute });
      const run = await findRun(db, retailerId, outcome.started ? outcome.runId : '');
      // What the engine was told and what the run shows agree.
      expect(engine.calls[0].options.full).toBe(run!.full);
      return { full: run!.full, status: run!.status };
    };
    expect(await fullness(false)).toEqual({ full: false, status: 'succeeded' });
    expect(await fullness(true, { fail: 'interrupted: the process is shutting down' })).toEqual({ full: true, status: 'failed' });
    // The scheduler's run after it (full: false) carries the full re-read on, also when it fails in turn.
    expect(await fullness(false, { fail: 'The upstream did not answer' })).toEqual({ full: true, status: 'failed' });
    expect(await fullness(false)).toEqual({ full: true, status: 'succeeded' });
    // Owed no more once a full run finished.
    expect(await fullness(false)).toEqual({ full: false, status: 'succeeded' });
    // An incremental run that failed owes nothing full.
    expect(await fullness(false, { fail: 'boom' })).toEqual({ full: false, status: 'failed' });
    expect(await fullness(false)).toEqual({ full: false, status: 'succeeded' });
  });

  it('runs the engine with the decrypted connection and records a succeeded run with its counts', async () => {
    const id = await connection(30);
    const engine = fakeEngine({ pages: [counts(500, 500), counts(800, 700, 50, 40, 10)] });
    const seen: unknown[] = [];
    const outcome = await runConnectionSync(db, SECRET, id, { full: true, execute: engine.execute, onProgress: (c) => seen.push(c) });
    expect(outcome).toEqual({ started: true, runId: expect.stringMatching(/^run_/), status: 'succeeded', counts: counts(800, 700, 50, 40, 10), error: null });
    expect(engine.calls).toHaveLength(1);
    const [{ connection: given, options }] = engine.calls;
    expect(given).toEqual({
      id, retailer_id: retailerId, kind: 'shipstation', name: expect.any(String), base_url: 'http://127.0.0.1:1',
      credentials: { api_key: API_KEY }, sync_state: null,
    });
    expect(options).toMatchObject({ runId: outcome.started && outcome.runId, full: true });
    expect(options.signal).toBeInstanceOf(AbortSignal);
    expect(seen).toEqual([counts(500, 500), counts(800, 700, 50, 40, 10)]);
    const run = await findRun(db, retailerId, outcome.started ? outcome.runId : '');
    expect(run).toMatchObject({ status: 'succeeded', full: true, counts: counts(800, 700, 50, 40, 10), error: null });
    expect(run!.finished_at! >= run!.started_at).toBe(true);
    const next = (await findConnection(db, retailerId, id))!.next_run_at;
    expect(Date.parse(next) - Date.parse(run!.finished_at!)).toBe(30 * 60_000);
  });

  it('stores the counts on the run after every page, while it runs', async () => {
    const id = await connection();
    const gate = deferred();
    let seenMidRun: Awaited<ReturnType<typeof findRun>>;
    // An engine that reads its own run between two pages: after the first page's progress has been stored.
    const execute: ExecuteSyncRun = async (_db, _connection, options) => {
      await gate.promise;
      await options.onProgress?.(counts(100, 100));
      seenMidRun = await findRun(db, retailerId, options.runId);
      await options.onProgress?.(counts(200, 150));
      return { counts: counts(200, 150) };
    };
    const begun = await beginConnectionSync(db, SECRET, id, { full: false, execute });
    if (!begun.started) throw new Error('not started');
    const runId = begun.runId;
    expect(await findRun(db, retailerId, runId)).toMatchObject({ status: 'running', counts: counts(0), finished_at: null });
    gate.resolve();
    expect(await begun.done).toMatchObject({ status: 'succeeded', counts: counts(200, 150) });
    expect(seenMidRun!).toMatchObject({ status: 'running', counts: counts(100, 100), finished_at: null });
  });

  it('records a failed run with the engine\'s message (credentials redacted) and the counts so far', async () => {
    const id = await connection();
    const engine = fakeEngine({ pages: [counts(500, 480, 0, 0, 20)], fail: `ShipStation answered 401: api-key ${API_KEY} is not valid` });
    const outcome = await runConnectionSync(db, SECRET, id, { full: false, execute: engine.execute });
    expect(outcome).toMatchObject({ started: true, status: 'failed', counts: counts(500, 480, 0, 0, 20),
      error: 'ShipStation answered 401: api-key [redacted] is not valid' });
    const run = await findRun(db, retailerId, outcome.started ? outcome.runId : '');
    expect(run).toMatchObject({ status: 'failed', error: 'ShipStation answered 401: api-key [redacted] is not valid', counts: counts(500, 480, 0, 0, 20) });
    expect(JSON.stringify(run)).not.toContain(API_KEY);
  });

  it('records a succeeded run that could not sync some records with the engine\'s sentence about them', async () => {
    const id = await connection();
    const engine = fakeEngine({ pages: [counts(10, 9, 0, 0, 1)], notSynced: '1 record not synced: PO number PO-7 belongs to another source.' });
    const outcome = await runConnectionSync(db, SECRET, id, { full: false, execute: engine.execute });
    expect(outcome).toMatchObject({ status: 'succeeded', counts: counts(10, 9, 0, 0, 1), error: '1 record not synced: PO number PO-7 belongs to another source.' });
    expect(await findRun(db, retailerId, outcome.started ? outcome.runId : '')).toMatchObject({ status: 'succeeded', error: expect.stringMatching(/^1 record not synced/) });
  });

  it('fails the run, without calling the engine, when the credentials no longer decrypt', async () => {
    const id = await connection();
    const engine = fakeEngine();
    const outcome = await runConnectionSync(db, 'a-different-secret-0123456789abcdefghijkl', id, { full: false, execute: engine.execute });
    expect(outcome).toMatchObject({ started: true, status: 'failed', error: expect.stringMatching(/ORDERSYNC_SECRET changed/) });
    expect(engine.calls).toHaveLength(0);
  });

  it('does not start a second run of a connection that is running, nor a run of a missing connection', async () => {
    const id = await connection();
    const gate = deferred();
    const engine = fakeEngine({ gate: gate.promise });
    const first = await beginConnectionSync(db, SECRET, id, { full: false, execute: engine.execute });
    if (!first.started) throw new Error('not started');
    expect(await runConnectionSync(db, SECRET, id, { full: true, execute: engine.execute })).toEqual({ started: false, reason: 'running', runId: first.runId });
    expect(await runConnectionSync(db, SECRET, 'conn_nope', { full: true, execute: engine.execute })).toEqual({ started: false, reason: 'not_found' });
    gate.resolve();
    await first.done;
    expect(engine.calls).toHaveLength(1);
    expect((await runConnectionSync(db, SECRET, id, { full: false, execute: engine.execute })).started).toBe(true);
  });

  it('two runners racing on one connection: one runs, the other is refused', async () => {
    const id = await connection();
    const other = databaseId === 'POSTGRES' ? secondHandle(database) : { db, close: async () => {} };
    try {
      // The run that starts holds until the three other runners have answered, so that none of them can come in
      // after it ended (a second pool's first connection can take longer than a short run); if two start, the
      // hold ends after 5 s and the assertions below say so.
      const gate = deferred();
      const hold = setTimeout(gate.resolve, 5000);
      const engine = fakeEngine({ pages: [counts(1, 1)], gate: gate.promise });
      let answered = 0;
      const outcomes = await Promise.all([db, other.db, db, other.db].map((handle) =>
        runConnectionSync(handle, SECRET, id, { full: false, execute: engine.execute })
          .finally(() => { answered += 1; if (answered === 3) gate.resolve(); })));
      clearTimeout(hold);
      expect(outcomes.filter((o) => o.started)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.started).every((o) => !o.started && o.reason === 'running')).toBe(true);
      expect(engine.calls).toHaveLength(1);
      expect(engine.maxActivePerConnection).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('beats the heartbeat while the engine works between pages', async () => {
    const id = await connection();
    const gate = deferred();
    const engine = fakeEngine({ gate: gate.promise });
    const begun = await beginConnectionSync(db, SECRET, id, { full: false, execute: engine.execute, heartbeatMs: 20 });
    if (!begun.started) throw new Error('not started');
    const first = (await findRun(db, retailerId, begun.runId))!.heartbeat_at;
    await eventually(async () => (await findRun(db, retailerId, begun.runId))!.heartbeat_at > first, 5000, 'a heartbeat');
    gate.resolve();
    expect((await begun.done).status).toBe('succeeded');
  });

  it('stops between requests when its signal aborts, and records the run as interrupted', async () => {
    const id = await connection();
    const controller = new AbortController();
    const engine = fakeEngine({ pages: [counts(10, 10), counts(20, 20), counts(30, 30)], stepMs: 50 });
    const running = runConnectionSync(db, SECRET, id, {
      full: false, execute: engine.execute, signal: controller.signal, onProgress: () => controller.abort(),
    });
    const outcome = await running;
    expect(outcome).toMatchObject({ started: true, status: 'failed', counts: counts(10, 10), error: expect.stringMatching(/^interrupted: the process is shutting down/) });
  });

  it('aborts a run another process took over after its heartbeat went stale', async () => {
    const id = await connection();
    const engine = fakeEngine({ pages: Array.from({ length: 200 }, (_, i) => counts(i + 1)), stepMs: 10 });
    const begun = await beginConnectionSync(db, SECRET, id, { full: false, execute: engine.execute, heartbeatMs: 20 });
    if (!begun.started) throw new Error('not started');
    // Another process judged the run dead (a stale sweep, e.g. after this process was paused) and marked it.
    await db.updateTable('sync_runs').set({ status: 'failed', error: 'interrupted: swept' }).where('id', '=', begun.runId).execute();
    const outcome = await begun.done;
    expect(outcome).toMatchObject({ status: 'failed', error: expect.stringMatching(/taken over/) });
    expect(engine.calls[0].options.signal!.aborted).toBe(true);
    expect(engine.calls[0].options.signal!.reason).toBeInstanceOf(Error);
    // The row keeps what the sweep wrote: a run is finished once.
    expect((await findRun(db, retailerId, begun.runId))!.error).toBe('interrupted: swept');
  });

  describe('BackgroundSyncs', () => {
    it('answers with the run id at once, carries on, logs the outcome and waits for runs on close', async () => {
      const id = await connection();
      const log = memoryLog();
      const gate = deferred();
      const engine = fakeEngine({ gate: gate.promise, pages: [counts(3, 3)] });
      const syncs = new BackgroundSyncs({ db, secret: SECRET, execute: engine.execute, log });
      const started = await syncs.start(id, true);
      expect(started).toEqual({ started: true, runId: expect.stringMatching(/^run_/) });
      expect(syncs.size).toBe(1);
      expect(await syncs.start(id, false)).toEqual({ started: false, reason: 'running', runId: started.started && started.runId });
      gate.resolve();
      await eventually(() => syncs.size === 0, 5000, 'the run to finish');
      expect(log.lines).toEqual([
        { level: 'info', message: 'sync run started', fields: expect.objectContaining({ connection_id: id, run_id: started.started && started.runId }) },
        { level: 'info', message: 'sync run succeeded', fields: expect.objectContaining({ connection_id: id, status: 'succeeded', counts: counts(3, 3) }) },
      ]);
      await syncs.close();
    });

    it('interrupts running runs on close and records them', async () => {
      const id = await connection();
      const engine = fakeEngine({ gate: new Promise(() => {}) });
      const syncs = new BackgroundSyncs({ db, secret: SECRET, execute: engine.execute, log: memoryLog() });
      const started = await syncs.start(id, false);
      await syncs.close();
      const run = await findRun(db, retailerId, started.started ? started.runId : '');
      expect(run).toMatchObject({ status: 'failed', error: expect.stringMatching(/^interrupted/) });
      await expect(syncs.start(id, false)).rejects.toThrow(/shutting down/);
      expect((await listRuns(db, retailerId, id, { limit: 10, offset: 0 })).total).toBe(1);
    });
  });
});


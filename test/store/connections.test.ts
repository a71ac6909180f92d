// Connections and sync runs in the store, on SQLite and PostgreSQL: retailer scoping, encrypted credentials,
// the one-running-run guard (also under racing processes), stale runs, due connections, delete rules.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { CredentialsDecryptionError } from '../../src/domain/credentials.ts';
import {
  createConnection, deleteConnection, dueConnectionIds, findConnection, listAllConnections, listConnections,
  loadSyncConnection, updateConnection, type ConnectionInput,
} from '../../src/store/connections.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import {
  failStaleRuns, findRun, finishRun, heartbeatRun, INTERRUPTED_ERROR, listRuns, recordRunProgress, startRun,
} from '../../src/store/sync-runs.ts';
import { counts, SECRET, secondHandle } from '../support/engine-double.ts';
import { TestDatabases, type TestDatabase } from '../support/test-database.ts';

const databases = TestDatabases.create();
const CHILD = resolve(import.meta.dirname, '../support/start-run-child.ts');

const shipstation = (name: string, extra: Partial<ConnectionInput> = {}): ConnectionInput => ({
  kind: 'shipstation', name, base_url: 'https://api.shipstation.com', credentials: { api_key: 'ss_live_SECRET_123456' },
  schedule_minutes: 15, enabled: true, ...extra,
});

describe.each(databases.eachSupportedId())('connections store on %s', (databaseId) => {
  let database: TestDatabase;
  let db: Db;
  let a: string;
  let b: string;

  beforeAll(async () => {
    database = await databases.init(databaseId);
    db = database.db;
    a = (await ensureRetailer(db, 'acme')).retailer.id;
    b = (await ensureRetailer(db, 'birdie')).retailer.id;
  });

  async function create(retailerId: string, input: ConnectionInput, now?: Date) {
    const result = await createConnection(db, SECRET, retailerId, input, now);
    if (!result.ok) throw new Error(result.reason);
    return result.connection;
  }

  it('creates a connection due now, stores the credentials encrypted, and never returns them', async () => {
    const now = new Date('2026-03-01T10:00:00.000Z');
    const connection = await create(a, shipstation('ShipStation main'), now);
    expect(connection).toEqual({
      id: expect.stringMatching(/^conn_[0-9a-z]{22}$/), retailer_id: a, kind: 'shipstation', name: 'ShipStation main',
      base_url: 'https://api.shipstation.com', schedule_minutes: 15, enabled: true, next_run_at: now.toISOString(),
      created_at: now.toISOString(), updated_at: now.toISOString(),
    });
    const row = await db.selectFrom('connections').selectAll().where('id', '=', connection.id).executeTakeFirstOrThrow();
    expect(row.credentials_encrypted).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain('SECRET_123456');
    expect(await findConnection(db, a, connection.id)).toEqual(connection);
    expect(JSON.stringify(await listConnections(db, a, { limit: 50, offset: 0 }))).not.toContain('v1.');
  });

  it('decrypts the credentials for the engine only, and fails loudly when they were altered', async () => {
    const connection = await create(a, {
      kind: 'stocky', name: 'Stocky', base_url: 'http://127.0.0.1:4011', credentials: { store_name: 'golf.myshopify.com', api_key: 'stk_987654' },
      schedule_minutes: 60, enabled: true,
    });
    expect(await loadSyncConnection(db, SECRET, connection.id)).toEqual({
      id: connection.id, retailer_id: a, kind: 'stocky', name: 'Stocky', base_url: 'http://127.0.0.1:4011',
      credentials: { store_name: 'golf.myshopify.com', api_key: 'stk_987654' }, sync_state: null,
    });
    await expect(loadSyncConnection(db, 'another-secret-0123456789abcdefghijklmnop', connection.id)).rejects.toThrow(CredentialsDecryptionError);
    // Another connection's ciphertext copied onto this row does not decrypt either.
    const other = await db.selectFrom('connections').select('credentials_encrypted').where('name', '=', 'ShipStation main').executeTakeFirstOrThrow();
    await db.updateTable('connections').set({ credentials_encrypted: other.credentials_encrypted }).where('id', '=', connection.id).execute();
    await expect(loadSyncConnection(db, SECRET, connection.id)).rejects.toThrow(CredentialsDecryptionError);
    expect(await loadSyncConnection(db, SECRET, 'conn_missing')).toBeUndefined();
  });

  it('scopes every look-up by retailer; names are unique per retailer', async () => {
    const mine = await create(b, shipstation('Shared name'));
    expect(await createConnection(db, SECRET, b, shipstation('Shared name'))).toEqual({ ok: false, reason: 'duplicate_name' });
    await create(a, shipstation('Shared name'));
    expect(await findConnection(db, a, mine.id)).toBeUndefined();
    expect(await updateConnection(db, SECRET, a, mine.id, { name: 'x' })).toEqual({ ok: false, reason: 'not_found' });
    expect(await deleteConnection(db, a, mine.id)).toEqual({ ok: false, reason: 'not_found' });
    const listed = await listConnections(db, b, { limit: 50, offset: 0 });
    expect(listed.connections.map((c) => c.id)).toEqual([mine.id]);
    expect(listed.total).toBe(1);
    const all = await listAllConnections(db);
    expect(all.find((c) => c.id === mine.id)?.retailer).toBe('birdie');
  });

  it('updates fields, re-encrypts new credentials, refuses a taken name and brings a sooner schedule forward', async () => {
    const created = new Date('2026-03-01T10:00:00.000Z');
    const connection = await create(b, shipstation('Updatable', { schedule_minutes: 600 }), created);
    await startRun(db, connection.id, { full: false, now: created }).then((r) => r.ok && finishRun(db, r.run.id, { status: 'succeeded', counts: counts(0) }, created));
    expect((await findConnection(db, b, connection.id))!.next_run_at).toBe('2026-03-01T20:00:00.000Z');

    const later = new Date('2026-03-01T11:00:00.000Z');
    const result = await updateConnection(db, SECRET, b, connection.id, {
      schedule_minutes: 30, base_url: 'http://localhost:4010', credentials: { api_key: 'rotated_key_42' }, enabled: false,
    }, later);
    expect(result).toEqual({ ok: true, connection: expect.objectContaining({
      schedule_minutes: 30, base_url: 'http://localhost:4010', enabled: false, next_run_at: '2026-03-01T11:30:00.000Z',
      updated_at: later.toISOString(), created_at: created.toISOString(),
    }) });
    expect((await loadSyncConnection(db, SECRET, connection.id))!.credentials).toEqual({ api_key: 'rotated_key_42' });
    // A longer schedule does not push a sooner run away.
    const longer = await updateConnection(db, SECRET, b, connection.id, { schedule_minutes: 1440 }, later);
    expect(longer.ok && longer.connection.next_run_at).toBe('2026-03-01T11:30:00.000Z');
    expect(await updateConnection(db, SECRET, b, connection.id, { name: 'Shared name' })).toEqual({ ok: false, reason: 'duplicate_name' });
    expect((await updateConnection(db, SECRET, b, connection.id, { name: 'Updatable' })).ok).toBe(true);
  });

  it('lists due connections: enabled and next_run_at passed, longest waiting first', async () => {
    const retailer = (await ensureRetailer(db, 'due-check')).retailer.id;
    const t0 = new Date('2030-01-01T00:00:00.000Z');
    const first = await create(retailer, shipstation('due first'), new Date('2029-12-31T23:00:00.000Z'));
    const second = await create(retailer, shipstation('due second'), t0);
    await create(retailer, shipstation('disabled', { enabled: false }), t0);
    await create(retailer, shipstation('not yet'), new Date('2030-01-01T00:00:01.000Z'));
    const due = await dueConnectionIds(db, t0, 1000);
    expect(due.filter((id) => [first.id, second.id].includes(id))).toEqual([first.id, second.id]);
    expect(due).toHaveLength(new Set(due).size);
    const names = (await listConnections(db, retailer, { limit: 10, offset: 0 })).connections
      .filter((c) => due.includes(c.id)).map((c) => c.name);
    expect(names).toEqual(['due first', 'due second']);
  });

  describe('runs', () => {
    let connectionId: string;
    beforeAll(async () => {
      connectionId = (await create(a, shipstation('Runs'))).id;
    });

    it('starts one run at a time per connection, records progress and the outcome, and reschedules', async () => {
      const t0 = new Date('2026-04-01T12:00:00.000Z');
      const started = await startRun(db, connectionId, { full: true, now: t0 });
      if (!started.ok) throw new Error('not started');
      expect(started.run).toEqual({
        id: expect.stringMatching(/^run_[0-9a-z]{22}$/), retailer_id: a, connection_id: connectionId, status: 'running', full: true,
        counts: counts(0), error: null, started_at: t0.toISOString(), finished_at: null, heartbeat_at: t0.toISOString(),
      });
      expect((await findConnection(db, a, connectionId))!.next_run_at).toBe('2026-04-01T12:15:00.000Z');
      expect(await startRun(db, connectionId, { full: false, now: t0 })).toEqual({ ok: false, reason: 'running', runId: started.run.id });

      const t1 = new Date('2026-04-01T12:00:30.000Z');
      expect(await recordRunProgress(db, started.run.id, counts(500, 400, 0, 100), t1)).toBe(true);
      expect(await findRun(db, a, started.run.id)).toMatchObject({ counts: counts(500, 400, 0, 100), heartbeat_at: t1.toISOString() });

      const t2 = new Date('2026-04-01T12:01:00.000Z');
      expect(await finishRun(db, started.run.id, { status: 'succeeded', counts: counts(900, 700, 0, 200) }, t2)).toBe(true);
      expect(await findRun(db, a, started.run.id)).toMatchObject({
        status: 'succeeded', counts: counts(900, 700, 0, 200), finished_at: t2.toISOString(), error: null,
      });
      expect((await findConnection(db, a, connectionId))!.next_run_at).toBe('2026-04-01T12:16:00.000Z');
      expect(await findRun(db, b, started.run.id)).toBeUndefined();
      expect(await recordRunProgress(db, started.run.id, counts(1))).toBe(false);
      expect(await finishRun(db, started.run.id, { status: 'failed', counts: counts(1), error: 'late' })).toBe(false);
    });

    it('marks a running run with a stale heartbeat interrupted and starts a new one', async () => {
      const t0 = new Date('2026-04-02T12:00:00.000Z');
      const stuck = await startRun(db, connectionId, { full: false, now: t0 });
      if (!stuck.ok) throw new Error('not started');
      // 59 s later the heartbeat is still fresh; at 61 s it is stale.
      expect((await startRun(db, connectionId, { full: false, now: new Date(t0.getTime() + 59_000) })).ok).toBe(false);
      const next = await startRun(db, connectionId, { full: false, now: new Date(t0.getTime() + 61_000) });
      expect(next.ok).toBe(true);
      expect(await findRun(db, a, stuck.run.id)).toMatchObject({ status: 'failed', error: INTERRUPTED_ERROR, finished_at: t0.toISOString() });
      expect(await heartbeatRun(db, stuck.run.id)).toBe(false);
      if (next.ok) await finishRun(db, next.run.id, { status: 'failed', counts: counts(3, 0, 0, 0, 3), error: 'HTTP 500' });
    });

    it('sweeps stale runs of every connection', async () => {
      const t0 = new Date('2026-04-03T12:00:00.000Z');
      const run = await startRun(db, connectionId, { full: false, now: t0 });
      expect(await failStaleRuns(db, { now: new Date(t0.getTime() + 30_000) })).toBe(0);
      expect(await failStaleRuns(db, { now: new Date(t0.getTime() + 120_000) })).toBeGreaterThanOrEqual(1);
      if (run.ok) expect((await findRun(db, a, run.run.id))!.status).toBe('failed');
    });

    it('lists a connection\'s runs newest first, paged', async () => {
      const page1 = await listRuns(db, a, connectionId, { limit: 2, offset: 0 });
      const page2 = await listRuns(db, a, connectionId, { limit: 2, offset: 2 });
      expect(page1.total).toBe(4);
      expect([...page1.runs, ...page2.runs].map((r) => r.started_at)).toEqual([
        '2026-04-03T12:00:00.000Z', '2026-04-02T12:01:01.000Z', '2026-04-02T12:00:00.000Z', '2026-04-01T12:00:00.000Z',
      ]);
      expect((await listRuns(db, b, connectionId, { limit: 10, offset: 0 })).total).toBe(0);
    });

    it('never admits two running runs for one connection, even from racing processes', async () => {
      const racing = (await create(a, shipstation('Racing'))).id;
      let attempts: Awaited<ReturnType<typeof startRun>>[];
      if (databaseId === 'SQLITE') {
        // SQLite connections in one thread cannot wait for each other's locks: race another process.
        attempts = await raceWithProcess(database.url.slice('sqlite:'.length), racing, () => startRun(db, racing, { full: false }));
      } else {
        const other = secondHandle(database);
        try {
          attempts = await Promise.all(Array.from({ length: 12 }, (_, i) => startRun(i % 2 === 0 ? db : other.db, racing, { full: false })));
        } finally {
          await other.close();
        }
      }
      {
        const winners = attempts.filter((r) => r.ok);
        expect(winners).toHaveLength(1);
        const winnerId = winners[0].ok ? winners[0].run.id : '';
        for (const loser of attempts.filter((r) => !r.ok)) expect(loser).toEqual({ ok: false, reason: 'running', runId: winnerId });
        const running = await db.selectFrom('sync_runs').select('id').where('connection_id', '=', racing).where('status', '=', 'running').execute();
        expect(running).toEqual([{ id: winnerId }]);
      }
    });

    it('refuses to start a run of a connection that does not exist', async () => {
      expect(await startRun(db, 'conn_missing', { full: false })).toEqual({ ok: false, reason: 'not_found' });
    });
  });

  describe('delete', () => {
    it('refuses while a run is running, then deletes the connection and its runs', async () => {
      const connection = await create(a, shipstation('Deletable'));
      const run = await startRun(db, connection.id, { full: false });
      if (!run.ok) throw new Error('not started');
      expect(await deleteConnection(db, a, connection.id)).toEqual({ ok: false, reason: 'running', runId: run.run.id });
      await finishRun(db, run.run.id, { status: 'succeeded', counts: counts(1, 1) });
      expect(await deleteConnection(db, a, connection.id)).toEqual({ ok: true });
      expect(await findConnection(db, a, connection.id)).toBeUndefined();
      expect(await findRun(db, a, run.run.id)).toBeUndefined();
      expect(await deleteConnection(db, a, connection.id)).toEqual({ ok: false, reason: 'not_found' });
    });

    it('is not blocked by a run whose process died', async () => {
      const connection = await create(a, shipstation('Deletable stale'));
      await startRun(db, connection.id, { full: false, now: new Date(Date.now() - 5 * 60_000) });
      expect(await deleteConnection(db, a, connection.id)).toEqual({ ok: true });
    });
  });
});

/** Starts a process on the SQLite file that tries startRun at the moment this one runs `mine`; both results. */
async function raceWithProcess(file: string, connectionId: string, mine: () => ReturnType<typeof startRun>) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, connectionId], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exited = new Promise((done) => child.once('exit', done));
  try {
    expect((await lines.next()).value).toBe('ready');
    child.stdin!.write('go\n');
    const [theirs, ours] = await Promise.all([lines.next().then((line) => JSON.parse(line.value as string)), mine()]);
    return [theirs, ours];
  } finally {
    child.stdin!.end();
    await exited;
  }
}

// Which processes' work a reap releases (src/process-owner.ts, domain/process-liveness.ts), on SQLite and
// PostgreSQL: a dead process's webhook claims are due again and its sync runs interrupted (with their event, the
// connection due now), at once; a live process's are never touched, however late its heartbeat on this machine,
// and a process on another machine only once it has been silent PROCESS_STALE_MS while this one kept beating. That
// is what keeps a healthy cluster from sending one delivery twice at once (claims-after-kill.test.ts kills for real).
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { deathOf, PROCESS_STALE_MS, type ProcessRow } from '../../src/domain/process-liveness.ts';
import { processOwner, type ProcessOwner } from '../../src/process-owner.ts';
import { createConnection } from '../../src/store/connections.ts';
import { recordEvent } from '../../src/store/events.ts';
import { startRun } from '../../src/store/sync-runs.ts';
import { TestDatabases } from '../support/test-database.ts';
import { SECRET } from '../support/engine-double.ts';
import { makeShop, type Shop } from '../events/support.ts';

const databases = TestDatabases.create();

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
}

describe('deathOf', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const row = (over: Partial<ProcessRow>): ProcessRow => ({
    id: 'proc_x', node: 'here', host: 'h', pid: 100, role: 'serve', started_at: iso(now - 60_000), heartbeat_at: iso(now - 500), ...over,
  });
  const judge = { node: 'here', pid: 200, startedAtMs: now - 10_000, beatingSinceMs: now - 60_000, nowMs: now,
    pidExists: (pid: number) => pid === 100 || pid === 200 };

  it('on this node: a pid gone is dead, a live pid is alive however old its heartbeat', () => {
    expect(deathOf(row({ pid: 101 }), judge)).toMatch(/serve process 101 on h has exited/);
    expect(deathOf(row({ heartbeat_at: iso(now - 3_600_000) }), judge)).toBeNull();
  });

  it('on this node: a live pid that started after the row was registered is another process (pid reuse)', () => {
    const started = (ms: number) => ({ ...judge, pidStartedAtMs: () => ms });
    expect(deathOf(row({}), started(now - 1_000))).toMatch(/has exited \(its pid is another process's now\)/);
    expect(deathOf(row({}), started(now - 120_000))).toBeNull();
    expect(deathOf(row({}), { ...judge, pidStartedAtMs: () => null })).toBeNull();
  });

  it('on this node: this pid registered before this process started is its previous incarnation', () => {
    expect(deathOf(row({ pid: 200 }), judge)).toMatch(/was restarted/);
    expect(deathOf(row({ pid: 200, started_at: iso(now - 5_000) }), judge)).toBeNull();
  });

  it('on another node: dead only when silent past PROCESS_STALE_MS, judged by a process beating as long', () => {
    const remote = { node: 'there', pid: 101 };
    expect(deathOf(row({ ...remote, heartbeat_at: iso(now - PROCESS_STALE_MS + 1000) }), judge)).toBeNull();
    expect(deathOf(row({ ...remote, heartbeat_at: iso(now - PROCESS_STALE_MS - 1000) }), judge)).toMatch(/not been heard from for 16 s/);
    // After a database outage no beat went through for anyone: nobody is judged by silence until this one has beaten.
    expect(deathOf(row({ ...remote, heartbeat_at: iso(now - 60_000) }), { ...judge, beatingSinceMs: now - 2_000 })).toBeNull();
    expect(deathOf(row({ ...remote, heartbeat_at: iso(now - 60_000) }), { ...judge, beatingSinceMs: null })).toBeNull();
  });
});

describe.each(databases.eachSupportedId())('reaping on %s', (databaseId) => {
  let db: Db;
  let shop: Shop;
  let owner: ProcessOwner;
  let node: string;

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    shop = await makeShop(db, 'reaper');
    owner = processOwner(db);
    await owner.ready;
    node = (await db.selectFrom('service_processes').select('node').where('id', '=', owner.id).executeTakeFirstOrThrow()).node;
    await db.insertInto('webhook_endpoints').values({
      id: 'we_reap', retailer_id: shop.retailerId, url: 'http://127.0.0.1:9/', description: null, enabled_events: '["*"]', enabled: 1,
      disabled_reason: null, secret_encrypted: 'x', previous_secret_encrypted: null, previous_secret_expires_at: null, failing_since: null,
      created_at: new Date().toISOString(), updated_at: new Date().toISOString(),
    }).execute();
  });
  afterAll(async () => {
    await db.deleteFrom('service_processes').where('id', '!=', owner.id).execute();
  });

  /** A registered process holding a claimed delivery and a running run. */
  async function holder(name: string, row: Partial<ProcessRow>) {
    const stamp = new Date().toISOString();
    const id = `proc_${name}`;
    await db.insertInto('service_processes').values({ id, node, host: 'h', pid: process.pid, role: 'worker', started_at: stamp, heartbeat_at: stamp, ...row })
      .execute();
    const eventId = await db.transaction().execute((trx) => recordEvent(trx, shop.retailerId, 'sync_run.failed', { connection_id: 'conn_x', run_id: `run_${name}`, error: 'e' }));
    const lease = new Date(Date.now() + 60_000).toISOString();
    await db.updateTable('webhook_deliveries').set({ lease_until: lease, claimed_by: id }).where('event_id', '=', eventId).execute();
    const made = await createConnection(db, SECRET, shop.retailerId, {
      kind: 'shipstation', name, base_url: 'http://127.0.0.1:1', credentials: { api_key: 'k_123456' }, schedule_minutes: 60, enabled: true,
    });
    if (!made.ok) throw new Error(made.reason);
    const run = await startRun(db, made.connection.id, { full: false, ownerId: id });
    if (!run.ok) throw new Error(run.reason);
    const state = async () => ({
      claim: (await db.selectFrom('webhook_deliveries').select(['lease_until', 'claimed_by']).where('event_id', '=', eventId).executeTakeFirstOrThrow()),
      run: (await db.selectFrom('sync_runs').select(['status', 'error']).where('id', '=', run.run.id).executeTakeFirstOrThrow()),
      nextRunAt: (await db.selectFrom('connections').select('next_run_at').where('id', '=', made.connection.id).executeTakeFirstOrThrow()).next_run_at,
      failedEvents: (await db.selectFrom('events').select('payload').where('type', '=', 'sync_run.failed').execute())
        .filter((e) => e.payload.includes(run.run.id)).length,
      registered: (await db.selectFrom('service_processes').select('id').where('id', '=', id).executeTakeFirst()) !== undefined,
    });
    return { id, state };
  }

  it('releases the claims and interrupts the runs of a dead process at once, and leaves a live one\'s alone', async () => {
    const old = new Date(Date.now() - 3_600_000).toISOString();
    const dead = await holder('dead', { pid: deadPid() });
    const previous = await holder('previous', { started_at: old, heartbeat_at: old }); // this pid, before this process began
    const busy = await holder('busy', { pid: process.ppid, heartbeat_at: old }); // alive, silent for an hour
    const remote = await holder('remote', { node: 'another machine', pid: 1 }); // beating
    // (The owner's own beat reaps every second too: the state is what counts, not which reap did it.)
    await owner.reap();
    for (const gone of [dead, previous]) {
      const state = await gone.state();
      expect(state.claim).toEqual({ lease_until: null, claimed_by: null });
      expect(state.run).toEqual({ status: 'failed', error: expect.stringMatching(/^interrupted: the process running it \(worker process \d+ on h (has exited|was restarted)/) });
      expect(state.failedEvents).toBe(1);
      expect(Date.parse(state.nextRunAt)).toBeLessThanOrEqual(Date.now()); // due now (the run had moved it an hour on)
      expect(state.registered).toBe(false);
    }
    for (const alive of [busy, remote]) {
      const state = await alive.state();
      expect(state.claim.claimed_by).toBe(alive.id);
      expect(state.claim.lease_until).not.toBeNull();
      expect(state.run).toEqual({ status: 'running', error: null });
      expect(state.registered).toBe(true);
    }
    // Reaping again changes nothing (no second event).
    await owner.reap();
    expect((await dead.state()).failedEvents).toBe(1);
  });

  it('releases what names a process no longer registered (removed by another reaper that stopped half-way)', async () => {
    const orphan = await holder('orphan', { pid: process.ppid });
    await db.deleteFrom('service_processes').where('id', '=', orphan.id).execute();
    await owner.reap();
    const state = await orphan.state();
    expect(state.claim).toEqual({ lease_until: null, claimed_by: null });
    expect(state.run.status).toBe('failed');
  });

  it('a process found dead while alive takes a new id and says so to its listeners', async () => {
    const lost: string[] = [];
    const off = owner.onLost((oldId) => lost.push(oldId));
    const first = owner.id;
    await db.deleteFrom('service_processes').where('id', '=', first).execute();
    await expect.poll(() => lost, { timeout: 5_000 }).toEqual([first]);
    expect(owner.id).not.toBe(first);
    expect(await db.selectFrom('service_processes').select('id').where('id', '=', owner.id).executeTakeFirst()).toBeDefined();
    off();
  });
});

// Crash safety: runs killed at many points — between pages (aborted), mid-page (the upstream failing part-way
// through a page's requests), inside a page's transaction before it commits, and after a commit before the next
// page — and started again until one finishes, end with exactly what one uninterrupted run stores: the same POs,
// lines, shipments, invoices, status events (in order) and synced records, and the same watermark. Once for a
// first (full) sync and once for an incremental sync after the upstream changed.
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import type { SyncHooks } from '../../src/sync/engine.ts';
import type { ConnectionKind, SyncConnection } from '../../src/sync/types.ts';
import { TestDatabases } from '../support/test-database.ts';
import { makeConnection, run, shipStation, snapshot, stocky } from './support.ts';

const databases = TestDatabases.create();
const PAGE_SIZE = 10;

type Kill = 'abort between pages' | 'upstream fails mid-page' | 'crash before commit' | 'crash after commit';
const KILLS: Kill[] = ['abort between pages', 'upstream fails mid-page', 'crash before commit', 'crash after commit'];

/** One run killed the `attempt`-th way; returns true when it finished anyway. */
async function killedRun(db: Db, connection: SyncConnection, attempt: number): Promise<{ finished: boolean; kill: Kill }> {
  const kill = KILLS[attempt % KILLS.length];
  const page = 1 + (attempt % 2);
  const controller = new AbortController();
  const hooks: SyncHooks = {};
  let fetchImpl: typeof fetch | undefined;
  if (kill === 'abort between pages') hooks.afterCommit = (n) => { if (n === page) controller.abort(new Error('killed')); };
  if (kill === 'crash before commit') hooks.beforeCommit = (n) => { if (n === page) throw new Error('killed before commit'); };
  if (kill === 'crash after commit') hooks.afterCommit = (n) => { if (n === page) throw new Error('killed after commit'); };
  if (kill === 'upstream fails mid-page') {
    let calls = 0;
    const failAt = 1 + ((attempt * 3) % 5);
    fetchImpl = (input, init) => (++calls === failAt ? Promise.reject(new TypeError('connection reset')) : fetch(input, init));
  }
  try {
    await run(db, connection, { signal: controller.signal, hooks, tuning: { pageSize: PAGE_SIZE, maxAttempts: 1, fetch: fetchImpl, concurrency: 3 } });
    return { finished: true, kill };
  } catch {
    return { finished: false, kill };
  }
}

async function runUntilDone(db: Db, connection: SyncConnection, start: number): Promise<{ kills: Record<string, number>; next: number }> {
  const kills: Record<string, number> = {};
  for (let attempt = start; attempt < start + 200; attempt++) {
    const { finished, kill } = await killedRun(db, connection, attempt);
    if (finished) return { kills, next: attempt + 1 };
    kills[kill] = (kills[kill] ?? 0) + 1;
  }
  throw new Error('never finished');
}

async function stateOf(db: Db, connectionId: string) {
  const row = await db.selectFrom('connections').select('sync_state').where('id', '=', connectionId).executeTakeFirstOrThrow();
  const state = JSON.parse(row.sync_state!);
  return { watermark: state.watermark, sweep: state.sweep };
}

describe.each(databases.eachSupportedId())('kill and resume on %s', (databaseId) => {
  it.each<[ConnectionKind]>([['shipstation'], ['stocky']])('%s: nothing lost, nothing doubled', async (kind) => {
    const sandbox = kind === 'shipstation' ? await shipStation({ pos: 100, churnCreate: 3, churnAdvance: 12 })
      : await stocky({ pos: 100, churnCreate: 3, churnAdvance: 12 });
    afterAll(sandbox.close);
    const calm = await databases.init(databaseId);
    const killed = await databases.init(databaseId);
    const calmConnection = await makeConnection(calm.db, kind, sandbox.url);
    const killedConnection = await makeConnection(killed.db, kind, sandbox.url);

    // A first sync: one run, against runs killed again and again until one finishes.
    const uninterrupted = await run(calm.db, calmConnection, { tuning: { pageSize: PAGE_SIZE } });
    expect(uninterrupted.counts.created).toBe(100);
    const first = await runUntilDone(killed.db, killedConnection, 0);
    if (process.env.SHOW_KILLS) console.log(kind, databaseId, "first", first.kills);
    expect(Object.values(first.kills).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(6);
    expect(Object.keys(first.kills).sort()).toEqual([...KILLS].sort());
    expect(await snapshot(killed.db, killedConnection.retailer_id)).toEqual(await snapshot(calm.db, calmConnection.retailer_id));
    expect(await stateOf(killed.db, killedConnection.id)).toEqual(await stateOf(calm.db, calmConnection.id));

    // The upstream moves on; an incremental sync, the same way.
    for (let i = 0; i < 4; i++) sandbox.app.sandbox.churn();
    const incremental = await run(calm.db, calmConnection, { tuning: { pageSize: PAGE_SIZE } });
    expect(incremental.counts.created).toBe(12);
    expect(incremental.counts.updated).toBeGreaterThan(0);
    const second = await runUntilDone(killed.db, killedConnection, first.next);
    if (process.env.SHOW_KILLS) console.log(kind, databaseId, "second", second.kills);
    expect(Object.values(second.kills).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    expect(await snapshot(killed.db, killedConnection.retailer_id)).toEqual(await snapshot(calm.db, calmConnection.retailer_id));
    expect(await stateOf(killed.db, killedConnection.id)).toEqual(await stateOf(calm.db, calmConnection.id));

    // And nothing doubled: one PO per upstream record, one synced record per PO.
    const pos = await killed.db.selectFrom('purchase_orders').select(['source_id']).where('retailer_id', '=', killedConnection.retailer_id).execute();
    expect(new Set(pos.map((p) => p.source_id)).size).toBe(pos.length);
    expect(pos.length).toBe(sandbox.app.sandbox.state.size);
  }, 120_000);
});

// Sync runs: one row per run of a connection, with its counts, error and heartbeat (DESIGN section 4).
// A connection never syncs twice at once: `startRun` is the only way a run begins, and the partial unique index
// sync_runs_one_running admits one running row per connection whatever process asks (server, workers, CLI).
// A run names the process carrying it on (owner_id, migration 0023): when that process is found dead
// (src/process-owner.ts: at a start, at a cluster worker's exit, within a heartbeat otherwise) the run is marked
// failed as interrupted at once (interruptRunsOf, interruptOrphanedRuns). A running row whose heartbeat is older
// than RUN_STALE_AFTER_MS (a run without an owner, or an owner alive but stuck) is marked so by the next start or
// sweep. Either way the connection is made due now: the next run resumes from the last committed page (DESIGN 4),
// so a crash never blocks a connection nor leaves a run shown as running.
import type { Selectable, UpdateQueryBuilder, UpdateResult } from 'kysely';
import { nextRunAt } from '../domain/connections.ts';
import { newId } from '../domain/ids.ts';
import type { Db } from '../db/database.ts';
import type { Database, SyncRunsTable } from '../db/schema.ts';
import type { SyncCounts } from '../sync/types.ts';
import { recordEvent } from './events.ts';

/** A running run is alive while its heartbeat is younger than this; runners beat far more often (runner.ts). */
export const RUN_STALE_AFTER_MS = 60_000;

export const INTERRUPTED_ERROR = 'interrupted: the process running it stopped before it finished';

export type RunStatus = 'running' | 'succeeded' | 'failed';

export interface SyncRun {
  id: string;
  retailer_id: string;
  connection_id: string;
  status: RunStatus;
  full: boolean;
  counts: SyncCounts;
  error: string | null;
  started_at: string;
  finished_at: string | null;
  heartbeat_at: string;
}

export type StartRunResult =
  | { ok: true; run: SyncRun }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'running'; runId: string };

export const ZERO_COUNTS: SyncCounts = Object.freeze({ fetched: 0, created: 0, updated: 0, unchanged: 0, failed: 0 });

function toRun(row: Selectable<SyncRunsTable>): SyncRun {
  return {
    id: row.id,
    retailer_id: row.retailer_id,
    connection_id: row.connection_id,
    status: row.status as RunStatus,
    full: Boolean(row.full),
    counts: { fetched: row.fetched, created: row.created, updated: row.updated, unchanged: row.unchanged, failed: row.failed },
    error: row.error,
    started_at: row.started_at,
    finished_at: row.finished_at,
    heartbeat_at: row.heartbeat_at,
  };
}

function countColumns(counts: SyncCounts) {
  return { fetched: counts.fetched, created: counts.created, updated: counts.updated, unchanged: counts.unchanged, failed: counts.failed };
}

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

const isUniqueViolation = (error: unknown) => errorCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' || errorCode(error) === '23505';
const isForeignKeyViolation = (error: unknown) => errorCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY' || errorCode(error) === '23503';

export interface StaleOptions {
  now?: Date;
  staleAfterMs?: number;
}

/**
 * Marks running runs whose heartbeat is stale as failed (interrupted), finished at their last heartbeat, and makes
 * their connections due now. All connections, or one (of one retailer). Returns how many it marked.
 */
export async function failStaleRuns(
  db: Db, { now = new Date(), staleAfterMs = RUN_STALE_AFTER_MS }: StaleOptions = {}, connectionId?: string, retailerId?: string,
): Promise<number> {
  const cutoff = new Date(now.getTime() - staleAfterMs).toISOString();
  return interruptRuns(db, now, INTERRUPTED_ERROR, (query) => {
    let stale = query.where('heartbeat_at', '<', cutoff);
    if (connectionId !== undefined) stale = stale.where('connection_id', '=', connectionId);
    if (retailerId !== undefined) stale = stale.where('retailer_id', '=', retailerId);
    return stale;
  });
}

/** Interrupted runs, for whoever resumes them (the schedulers wake at once). */
export interface InterruptedRun {
  id: string;
  connection_id: string;
}

/**
 * Marks the running runs of the process `ownerId` (found dead: `reason` says how) as failed, interrupted; see
 * failStaleRuns. Returns them.
 */
export async function interruptRunsOf(db: Db, ownerId: string, reason: string, now = new Date()): Promise<InterruptedRun[]> {
  return interruptRunsReturning(db, now, `interrupted: ${reason} before the run finished; the next run resumes`,
    (query) => query.where('owner_id', '=', ownerId));
}

/** Marks the running runs of processes no longer registered (found dead) as failed, interrupted; see failStaleRuns. */
export async function interruptOrphanedRuns(db: Db, now = new Date()): Promise<InterruptedRun[]> {
  // Looked for first: a read, where the update would take SQLite's write lock every beat for nothing.
  const orphaned = await db.selectFrom('sync_runs').select('id').where('status', '=', 'running').where('owner_id', 'is not', null)
    .where('owner_id', 'not in', db.selectFrom('service_processes').select('id')).limit(1).executeTakeFirst();
  if (!orphaned) return [];
  return interruptRunsReturning(db, now, INTERRUPTED_ERROR, (query) => query.where('owner_id', 'is not', null)
    .where('owner_id', 'not in', db.selectFrom('service_processes').select('id')));
}

type RunningQuery = UpdateQueryBuilder<Database, 'sync_runs', 'sync_runs', UpdateResult>;

async function interruptRuns(db: Db, now: Date, error: string, which: (query: RunningQuery) => RunningQuery): Promise<number> {
  return (await interruptRunsReturning(db, now, error, which)).length;
}

/**
 * The one way running runs become interrupted: failed with `error`, finished at their last heartbeat, each with its
 * `sync_run.failed` event, and their connections due now so that the next run resumes at once.
 */
async function interruptRunsReturning(db: Db, now: Date, error: string, which: (query: RunningQuery) => RunningQuery): Promise<InterruptedRun[]> {
  const work = async (trx: Db) => {
    const query = trx.updateTable('sync_runs')
      .set((eb) => ({ status: 'failed', error, finished_at: eb.ref('heartbeat_at') }))
      .where('status', '=', 'running');
    const failed = await which(query).returning(['id', 'retailer_id', 'connection_id']).execute();
    for (const run of failed) await recordRunFailed(trx, run.retailer_id, run.connection_id, run.id, error, now);
    if (failed.length > 0) {
      await trx.updateTable('connections').set({ next_run_at: now.toISOString() })
        .where('id', 'in', failed.map((run) => run.connection_id)).execute();
    }
    return failed.map(({ id, connection_id }) => ({ id, connection_id }));
  };
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** The `sync_run.failed` event (DESIGN 4b), inside the transaction that marks the run failed. */
function recordRunFailed(trx: Db, retailerId: string, connectionId: string, runId: string, error: string | null, now: Date) {
  return recordEvent(trx, retailerId, 'sync_run.failed', { connection_id: connectionId, run_id: runId, error }, now);
}

/** The id of the connection's running run (any heartbeat), or undefined. */
export async function runningRunId(db: Db, connectionId: string): Promise<string | undefined> {
  const row = await db.selectFrom('sync_runs').select('id')
    .where('connection_id', '=', connectionId).where('status', '=', 'running').executeTakeFirst();
  return row?.id;
}

/**
 * Whether the connection's latest run was a full one that did not finish (killed, stopped by a shutdown, given up):
 * then the run starting now is full as well, whoever asked for it (the schedulers and a restart ask for an
 * incremental one), so that an asked-for full re-read is completed, not dropped (DESIGN 4: a run killed at any
 * instant and started again ends as one uninterrupted run). The engine resumes the full sweep from its last
 * committed page when one was stored, and starts it when the kill came before its first page committed. One row,
 * read through sync_runs_connection (connection_id, started_at, id).
 */
async function fullRunOwed(trx: Db, connectionId: string): Promise<boolean> {
  const latest = await trx.selectFrom('sync_runs').select(['full', 'status'])
    .where('connection_id', '=', connectionId).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return latest !== undefined && Boolean(latest.full) && latest.status === 'failed';
}

/**
 * Begins a run of the connection: a new `running` row, unless the connection already has a running run with a
 * fresh heartbeat (`running`, with its id) or does not exist (`not_found`). A stale running run is marked
 * failed (interrupted) first. The run is full when asked, or when the connection's latest run was a full one that did
 * not finish (fullRunOwed); `run.full` says which. Also moves the connection's next scheduled run to a schedule from now, so
 * schedulers do not see it as due while it runs.
 */
export async function startRun(
  db: Db, connectionId: string, options: StaleOptions & { full: boolean; ownerId?: string | null },
): Promise<StartRunResult> {
  const now = options.now ?? new Date();
  const at = now.toISOString();
  try {
    return await db.transaction().execute(async (trx): Promise<StartRunResult> => {
      // A write first: SQLite takes the write lock here (waiting out another process's), so the reads below
      // cannot see a snapshot another process has moved past.
      await failStaleRuns(trx, { now, staleAfterMs: options.staleAfterMs }, connectionId);
      const connection = await trx.selectFrom('connections').select(['retailer_id', 'schedule_minutes'])
        .where('id', '=', connectionId).executeTakeFirst();
      if (!connection) return { ok: false, reason: 'not_found' };
      const running = await runningRunId(trx, connectionId);
      if (running) return { ok: false, reason: 'running', runId: running };
      const full = options.full || await fullRunOwed(trx, connectionId);
      const row: Selectable<SyncRunsTable> = {
        id: newId('run', now.getTime()), retailer_id: connection.retailer_id, connection_id: connectionId, status: 'running',
        full: full ? 1 : 0, ...countColumns(ZERO_COUNTS), error: null, started_at: at, finished_at: null, heartbeat_at: at,
        owner_id: options.ownerId ?? null,
      };
      // Another process inserting the running row for this connection at the same moment makes this insert
      // fail on sync_runs_one_running (PostgreSQL: after waiting for the other transaction to commit).
      await trx.insertInto('sync_runs').values(row).execute();
      await trx.updateTable('connections').set({ next_run_at: nextRunAt(now, connection.schedule_minutes) })
        .where('id', '=', connectionId).execute();
      return { ok: true, run: toRun(row) };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      const running = await runningRunId(db, connectionId);
      if (running) return { ok: false, reason: 'running', runId: running };
    }
    // The connection was deleted between the look-up and the insert.
    if (isForeignKeyViolation(error)) return { ok: false, reason: 'not_found' };
    throw error;
  }
}

/** Stores the counts so far and beats the heartbeat; false when the run is no longer running (marked stale). */
export async function recordRunProgress(db: Db, runId: string, counts: SyncCounts, now = new Date()): Promise<boolean> {
  const result = await db.updateTable('sync_runs').set({ ...countColumns(counts), heartbeat_at: now.toISOString() })
    .where('id', '=', runId).where('status', '=', 'running').executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Beats the heartbeat; false when the run is no longer running (another process marked it interrupted). */
export async function heartbeatRun(db: Db, runId: string, now = new Date()): Promise<boolean> {
  const result = await db.updateTable('sync_runs').set({ heartbeat_at: now.toISOString() })
    .where('id', '=', runId).where('status', '=', 'running').executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export interface RunOutcome {
  status: 'succeeded' | 'failed';
  counts: SyncCounts;
  error?: string | null;
  /** Interrupted (the process stopping): the connection is due now, so the next start resumes it at once. */
  resumeNow?: boolean;
}

/**
 * Ends a running run with its outcome and schedules the connection's next run a schedule after now (now, with
 * `resumeNow`).
 * False when the run was not running any more (it had been marked interrupted): its row is left as it is.
 */
export async function finishRun(db: Db, runId: string, outcome: RunOutcome, now = new Date()): Promise<boolean> {
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const result = await trx.updateTable('sync_runs')
      .set({ status: outcome.status, ...countColumns(outcome.counts), error: outcome.error ?? null, finished_at: at, heartbeat_at: at })
      .where('id', '=', runId).where('status', '=', 'running').executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    const run = await trx.selectFrom('sync_runs').innerJoin('connections', 'connections.id', 'sync_runs.connection_id')
      .select(['connections.id', 'connections.schedule_minutes', 'sync_runs.retailer_id']).where('sync_runs.id', '=', runId).executeTakeFirst();
    if (run && outcome.status === 'failed') await recordRunFailed(trx, run.retailer_id, run.id, runId, outcome.error ?? null, now);
    if (run) {
      const next = outcome.resumeNow ? at : nextRunAt(now, run.schedule_minutes);
      await trx.updateTable('connections').set({ next_run_at: next }).where('id', '=', run.id).execute();
    }
    return true;
  });
}

/** One run of this retailer, or undefined (also for another retailer's run). */
export async function findRun(db: Db, retailerId: string, runId: string): Promise<SyncRun | undefined> {
  const row = await db.selectFrom('sync_runs').selectAll()
    .where('retailer_id', '=', retailerId).where('id', '=', runId).executeTakeFirst();
  return row ? toRun(row) : undefined;
}

/** One page of a connection's runs, newest first, and how many it has in all. */
export async function listRuns(
  db: Db, retailerId: string, connectionId: string, page: { limit: number; offset: number },
): Promise<{ runs: SyncRun[]; total: number }> {
  const query = db.selectFrom('sync_runs').where('retailer_id', '=', retailerId).where('connection_id', '=', connectionId);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('started_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { runs: rows.map(toRun), total: Number(count.n) };
}

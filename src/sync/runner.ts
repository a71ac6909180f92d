// Runs one sync of one connection from start to finish, for every caller (the connections API, the in-process
// scheduler, pg-boss workers, `ordersync sync`): startRun → loadSyncConnection → the engine (progress stored on
// the run, a heartbeat while it works) → finishRun with the counts, or failed with the error's message.
//
// The engine is sync/engine.ts executeSyncRun; tests pass a double as `execute`.
import type { Db } from '../db/database.ts';
import { inRequestTransaction, outsideRequestTransaction, whenCommitted } from '../db/request-transaction.ts';
import { redactCredentials } from '../domain/connections.ts';
import { loadSyncConnection } from '../store/connections.ts';
import { finishRun, heartbeatRun, recordRunProgress, startRun, ZERO_COUNTS } from '../store/sync-runs.ts';
import { executeSyncRun } from './engine.ts';
import { processOwner } from '../process-owner.ts';
import { syncRecords, syncRuns } from '../observability/metrics.ts';
import type { Credentials, SyncConnection, SyncCounts, SyncResult, SyncRunOptions } from './types.ts';

export type ExecuteSyncRun = (db: Db, connection: SyncConnection, options: SyncRunOptions) => Promise<SyncResult>;

/** The parts of a pino logger the runners use. */
export interface RunLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** How often a running run's heartbeat is written; RUN_STALE_AFTER_MS (store/sync-runs.ts) is six of these. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** Errors are stored on the run and shown by the API: an upstream's HTML error page is cut to this. */
const MAX_ERROR_LENGTH = 2_000;

export interface RunSyncOptions {
  full: boolean;
  /** The sync engine (default executeSyncRun; tests pass a double). */
  execute?: ExecuteSyncRun;
  /** Stops the run between requests (shutdown); it is recorded as failed (interrupted) and the next run resumes. */
  signal?: AbortSignal;
  /** Counts so far, after every committed page (the CLI's progress bar). */
  onProgress?: (counts: SyncCounts) => void;
  heartbeatMs?: number;
  /** Stale-heartbeat threshold for startRun (tests). */
  staleAfterMs?: number;
  /** Where the "sync run started" line goes (the finish is logged by whoever awaits the run: logFinished). */
  log?: RunLog;
}

export interface FinishedRun {
  runId: string;
  status: 'succeeded' | 'failed';
  counts: SyncCounts;
  error: string | null;
}

export type Refusal = { started: false; reason: 'not_found' } | { started: false; reason: 'running'; runId: string };

export type BegunSync = Refusal | { started: true; runId: string; done: Promise<FinishedRun> };

export type SyncOutcome = Refusal | ({ started: true } & FinishedRun);

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/**
 * Writes the run's heartbeat every `intervalMs` until stopped. When a beat finds the run no longer running
 * (another process found it stale and marked it interrupted), it aborts the run: better to stop than to
 * keep syncing beside the run that replaced it.
 */
function startHeartbeat(db: Db, runId: string, intervalMs: number, lost: () => void) {
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const beat = () => {
    inFlight = heartbeatRun(db, runId).then((alive) => {
      if (!alive) lost();
    }, () => { /* a missed beat is retried at the next one */ }).finally(() => {
      if (!stopped) timer = setTimeout(beat, intervalMs).unref();
    });
  };
  timer = setTimeout(beat, intervalMs).unref();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await inFlight;
  };
}

async function carryOut(db: Db, secret: string, connectionId: string, runId: string, options: RunSyncOptions): Promise<FinishedRun> {
  const controller = new AbortController();
  const abort = (reason: string) => {
    if (!controller.signal.aborted) controller.abort(new Error(reason));
  };
  const onOuterAbort = () => abort('interrupted: the process is shutting down');
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const lostRun = () => abort('interrupted: the run was taken over after its heartbeat went stale');
  // This process taken for dead while alive: its runs were marked interrupted and may be resumed elsewhere.
  const unsubscribe = processOwner(db).onLost(() => abort('interrupted: this process was taken for dead (no heartbeat went through in time)'));
  const stopHeartbeat = startHeartbeat(db, runId, options.heartbeatMs ?? HEARTBEAT_INTERVAL_MS, lostRun);

  let counts: SyncCounts = ZERO_COUNTS;
  let credentials: Credentials | undefined;
  let kind = 'unknown';
  let outcome: FinishedRun;
  try {
    const connection = await loadSyncConnection(db, secret, connectionId);
    if (!connection) throw new Error('the connection was deleted');
    credentials = connection.credentials;
    kind = connection.kind;
    options.log?.info({ connection_id: connectionId, run_id: runId, kind, full: options.full }, 'sync run started');
    const execute = options.execute ?? executeSyncRun;
    const result = await execute(db, connection, {
      runId,
      full: options.full,
      signal: controller.signal,
      onProgress: async (progress) => {
        counts = { ...progress };
        if (!(await recordRunProgress(db, runId, counts))) lostRun();
        options.onProgress?.(counts);
      },
    });
    counts = { ...result.counts };
    // A run that succeeded may still name records it could not sync (counts.failed).
    const error = result.error ? redactCredentials(messageOf(result.error), credentials) : null;
    outcome = { runId, status: 'succeeded', counts, error };
  } catch (error) {
    let message = messageOf(error);
    // Whatever the engine threw on an abort, say why the run stopped.
    if (controller.signal.aborted) {
      const reason = messageOf(controller.signal.reason);
      if (!message.startsWith(reason)) message = `${reason} (${message})`;
    }
    outcome = { runId, status: 'failed', counts, error: credentials ? redactCredentials(message, credentials) : message };
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    unsubscribe();
    await stopHeartbeat();
  }
  // Stopped by a shutdown: resumed as soon as a process runs the connection's schedule again, as a run whose
  // process died is (store/sync-runs.ts interruptRunsOf), not a whole schedule later.
  const resumeNow = outcome.status === 'failed' && options.signal?.aborted === true;
  await finishRun(db, runId, { status: outcome.status, counts: outcome.counts, error: outcome.error, resumeNow });
  countRun(kind, outcome);
  return outcome;
}

/** The run in the metrics (DESIGN 4d): one run by kind and result, and its records by result. */
function countRun(kind: string, run: FinishedRun): void {
  syncRuns.inc({ kind, result: run.status });
  for (const result of ['created', 'updated', 'unchanged', 'failed'] as const) {
    const n = run.counts[result];
    if (n > 0) syncRecords.inc({ kind, result }, n);
  }
}

/**
 * Starts a run of the connection and returns as soon as its sync_runs row exists (`runId`), with `done` for
 * the rest; or a refusal when the connection does not exist or already has a running run. `done` never
 * rejects for the engine's failures (they become a failed run), only when the database itself fails.
 */
export async function beginConnectionSync(db: Db, secret: string, connectionId: string, options: RunSyncOptions): Promise<BegunSync> {
  // The run names this process (src/process-owner.ts): if it dies, the run is shown interrupted at once and resumed.
  // Processes register at their start (serve, worker, sync); inside a request's transaction the registration could
  // not be waited for (SQLite: it waits for that transaction's connection), so a process not registered yet starts
  // the run without an owner, which its heartbeat alone then guards (RUN_STALE_AFTER_MS).
  const owner = processOwner(db, { log: options.log });
  if (!inRequestTransaction()) await owner.ready;
  const started = await startRun(db, connectionId, {
    full: options.full, staleAfterMs: options.staleAfterMs, ownerId: owner.isRegistered ? owner.id : null,
  });
  if (!started.ok) return started.reason === 'running' ? { started: false, reason: 'running', runId: started.runId } : { started: false, reason: 'not_found' };
  const runId = started.run.id;
  // Started from a request with an Idempotency-Key, the run's row commits with the request's transaction: the
  // run carries on (on its own connections) once it has, and never if the request is rolled back.
  // The run's own `full`: a full run that did not finish makes the next one full too (store/sync-runs.ts fullRunOwed).
  const runOptions = { ...options, full: started.run.full };
  const done = whenCommitted().then(() => outsideRequestTransaction(() => carryOut(db, secret, connectionId, runId, runOptions)));
  return { started: true, runId, done };
}

/** One whole run of the connection: its outcome, or why it did not start. */
export async function runConnectionSync(db: Db, secret: string, connectionId: string, options: RunSyncOptions): Promise<SyncOutcome> {
  const begun = await beginConnectionSync(db, secret, connectionId, options);
  if (!begun.started) return begun;
  return { started: true, ...(await begun.done) };
}

/**
 * The runs a server started for `POST /api/v2/connections/:id/sync`: each carries on in the background after
 * the 202; `close()` (on shutdown) stops them between requests and waits for them to be recorded.
 */
export class BackgroundSyncs {
  private readonly running = new Set<Promise<unknown>>();
  private readonly controller = new AbortController();

  constructor(private readonly deps: { db: Db; secret: string; execute?: ExecuteSyncRun; log: RunLog; heartbeatMs?: number }) {}

  /** Begins a run; the caller answers with its id while it carries on. */
  async start(connectionId: string, full: boolean): Promise<Refusal | { started: true; runId: string }> {
    if (this.controller.signal.aborted) throw new Error('the service is shutting down');
    const { db, secret, execute, log, heartbeatMs } = this.deps;
    const begun = await beginConnectionSync(db, secret, connectionId, { full, execute, heartbeatMs, signal: this.controller.signal, log });
    if (!begun.started) return begun;
    const tracked = begun.done.then(
      (run) => logFinished(log, connectionId, run),
      (err) => log.error({ err, connection_id: connectionId, run_id: begun.runId }, 'sync run could not be recorded'),
    ).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    return { started: true, runId: begun.runId };
  }

  /** How many runs are carrying on. */
  get size(): number {
    return this.running.size;
  }

  async close(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.running]);
  }
}

/** One log line per finished run: ids, status, counts and (redacted) error; never the connection's credentials. */
export function logFinished(log: RunLog, connectionId: string, run: FinishedRun): void {
  const fields = { connection_id: connectionId, run_id: run.runId, status: run.status, counts: run.counts, error: run.error };
  if (run.status === 'succeeded') log.info(fields, 'sync run succeeded');
  else log.warn(fields, 'sync run failed');
}

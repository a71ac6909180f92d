// Scheduling of sync runs (DESIGN section 4). A connection is due when it is enabled and its next_run_at has
// passed; startRun moves next_run_at on by the schedule when a run starts and finishRun when it ends.
//
// Embedded default (SQLite): `InProcessScheduler`, started by `serve`, runs due connections one at a time
// in the server's process and stops cleanly on shutdown (the run in progress is interrupted between requests
// and recorded; the next run resumes).
//
// PostgreSQL: pg-boss over the same database. `SyncEnqueuer` (in `serve` and in every worker) sends one job
// per due connection to the queue SYNC_QUEUE; `startSyncWorker` (`ordersync worker`) takes jobs and runs them.
// The queue's `exclusive` policy with the connection id as singletonKey admits at most one queued-or-active job
// per connection across all processes, and startRun's running-row guard (one running run per connection, a
// unique index) covers runs started outside pg-boss (the API's run-now, `ordersync sync`).
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { PgBoss } from 'pg-boss';
import { gaugeFromReader } from '../observability/metrics.ts';
import type { DatabaseConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import { dueConnectionIds } from '../store/connections.ts';
import { failStaleRuns } from '../store/sync-runs.ts';
import { forgetOwnedJobs, noteOwnedJob, orphanedJobs } from '../store/service-processes.ts';
import { processOwner } from '../process-owner.ts';
import { logFinished, runConnectionSync, type ExecuteSyncRun, type RunLog } from './runner.ts';

/** How often schedulers look for due connections; schedules are whole minutes. */
export const TICK_MS = 15_000;
const DUE_BATCH = 100;

export interface RunnerDeps {
  db: Db;
  secret: string;
  /** The sync engine (default executeSyncRun; tests pass a double). */
  execute?: ExecuteSyncRun;
  log: RunLog;
  heartbeatMs?: number;
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal, ref: false });
  } catch {
    // aborted: stopping
  }
}

/**
 * A pause until `ms` pass, the loop stops, or `wake()` is called (runs of a dead process were just marked
 * interrupted and their connections made due: resumed now, not at the next tick).
 */
class Pauses {
  private wakeUp: (() => void) | undefined;
  private woken = false;

  async pause(ms: number, signal: AbortSignal): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    const early = new AbortController();
    this.wakeUp = () => early.abort();
    await pause(ms, AbortSignal.any([signal, early.signal]));
    this.wakeUp = undefined;
    this.woken = false;
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }
}

/** Runs due connections in this process, one at a time, until stopped. */
export class InProcessScheduler {
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: RunnerDeps & { tickMs?: number; now?: () => Date }) {}

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  private readonly pauses = new Pauses();

  private async run(): Promise<void> {
    const { signal } = this.controller;
    // Registered first: its first reap marks the runs of this service's previous incarnation interrupted, and
    // their connections due, before the first look for due connections.
    const owner = processOwner(this.deps.db, { log: this.deps.log });
    await Promise.race([owner.ready, new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
    const unsubscribe = owner.onReaped((reaped) => { if (reaped.runs.length > 0) this.pauses.wake(); });
    while (!signal.aborted) {
      let started = 0;
      try {
        started = await this.runDue();
      } catch (err) {
        this.deps.log.error({ err }, 'sync scheduler: could not look for due connections');
      }
      if (started < DUE_BATCH) await this.pauses.pause(this.deps.tickMs ?? TICK_MS, signal);
    }
    unsubscribe();
  }

  /**
   * One pass: marks runs whose process died as interrupted, then runs each due connection in turn. Returns how
   * many it looked at. A connection already running elsewhere (the API's run-now, `ordersync sync`) is skipped.
   */
  async runDue(): Promise<number> {
    const { db, secret, execute, log, heartbeatMs } = this.deps;
    const now = this.deps.now?.() ?? new Date();
    await failStaleRuns(db, { now });
    const due = await dueConnectionIds(db, now, DUE_BATCH);
    for (const connectionId of due) {
      if (this.controller.signal.aborted) break;
      const outcome = await runConnectionSync(db, secret, connectionId, { full: false, execute, heartbeatMs, signal: this.controller.signal, log });
      if (outcome.started) logFinished(log, connectionId, outcome);
    }
    return due.length;
  }

  /** Interrupts the run in progress (recorded as failed, resumed next time) and waits for the loop to end. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }
}

// ---- PostgreSQL: pg-boss ----------------------------------------------------------------------------------

export const SYNC_QUEUE = 'ordersync-sync';

export interface SyncJob {
  connection_id: string;
  full: boolean;
}

/** pg-boss heartbeat of an active job: a worker that dies frees its connection's slot after about this long. */
const JOB_HEARTBEAT_SECONDS = 30;
/** pg-boss's ceiling for one job (a very long first sync); runs that outlive it are stopped and resume. */
const JOB_EXPIRE_SECONDS = 24 * 60 * 60;

export interface BossOptions {
  /** The schema pg-boss keeps its tables in (default `pgboss`). */
  schema?: string;
  log: RunLog;
}

/**
 * pg-boss's schema for the service's: `pgboss` beside `public`, `<schema>_pgboss` beside any other, so two
 * OrderSyncs in schemas of one database (search_path in DATABASE_URL) never take each other's jobs.
 */
export async function bossSchemaFor(db: Db): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema ?? 'public';
  return schema === 'public' ? 'pgboss' : `${schema}_pgboss`;
}

/** A started pg-boss on the service's PostgreSQL database, with the sync queue created. */
export async function startBoss(url: string, { schema = 'pgboss', log }: BossOptions): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: url, schema, max: 4, application_name: 'ordersync', schedule: false });
  boss.on('error', (err) => log.error({ err }, 'pg-boss error'));
  await boss.start();
  await boss.createQueue(SYNC_QUEUE, {
    policy: 'exclusive', retryLimit: 0, heartbeatSeconds: JOB_HEARTBEAT_SECONDS, expireInSeconds: JOB_EXPIRE_SECONDS,
  });
  gaugeFromReader('ordersync_sync_queue_depth', 'Sync jobs queued in pg-boss and not yet started.',
    async () => (await boss.getQueue(SYNC_QUEUE))?.queuedCount ?? 0);
  return boss;
}

/** Sends a job for each due connection; the queue drops a job for a connection that already has one. */
export class SyncEnqueuer {
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: { db: Db; boss: PgBoss; log: RunLog; tickMs?: number; now?: () => Date }) {}

  private readonly pauses = new Pauses();

  start(): this {
    this.loop ??= (async () => {
      const { signal } = this.controller;
      const owner = processOwner(this.deps.db, { log: this.deps.log });
      await Promise.race([owner.ready, new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
      // A dead process's sync job holds its connection's place in the queue (policy exclusive) until pg-boss's
      // heartbeat monitor fails it: failed at once here, and the interrupted run resumed at once.
      const unsubscribe = [
        owner.onBeat(async () => { if ((await this.failOrphanedJobs()) > 0) this.pauses.wake(); }),
        owner.onReaped((reaped) => { if (reaped.runs.length > 0) this.pauses.wake(); }),
      ];
      await this.failOrphanedJobs();
      while (!signal.aborted) {
        try {
          await this.tick();
        } catch (err) {
          this.deps.log.error({ err }, 'sync scheduler: could not enqueue due connections');
        }
        await this.pauses.pause(this.deps.tickMs ?? TICK_MS, signal);
      }
      for (const off of unsubscribe) off();
    })();
    return this;
  }

  /** Fails the sync jobs of processes found dead (owned_jobs whose owner is no longer registered); how many. */
  private async failOrphanedJobs(): Promise<number> {
    const { db, boss, log } = this.deps;
    try {
      const orphaned = await orphanedJobs(db, SYNC_QUEUE);
      if (orphaned.length === 0) return 0;
      await boss.fail(SYNC_QUEUE, orphaned, { error: 'the process running this sync died' });
      await forgetOwnedJobs(db, SYNC_QUEUE, orphaned);
      return orphaned.length;
    } catch (err) {
      log.error({ err }, 'sync scheduler: could not fail the jobs of a process that died (pg-boss fails them later)');
      return 0;
    }
  }

  /** One tick; returns how many jobs it queued. */
  async tick(): Promise<number> {
    const { db, boss } = this.deps;
    const now = this.deps.now?.() ?? new Date();
    await failStaleRuns(db, { now });
    let queued = 0;
    for (const connectionId of await dueConnectionIds(db, now, 1000)) {
      const job: SyncJob = { connection_id: connectionId, full: false };
      if (await boss.send(SYNC_QUEUE, job, { singletonKey: connectionId })) queued++;
    }
    return queued;
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }
}

export interface WorkerOptions extends RunnerDeps {
  boss: PgBoss;
  /** Runs this process carries on at once (different connections). Default 2. */
  concurrency?: number;
  pollingIntervalSeconds?: number;
}

/**
 * Takes sync jobs from the queue and runs them. `stop()` interrupts the runs in progress (each is recorded as
 * failed and resumes next time) and waits for their jobs to settle.
 */
export async function startSyncWorker(options: WorkerOptions): Promise<{ stop(): Promise<void> }> {
  const { db, secret, execute, log, heartbeatMs, boss } = options;
  const controller = new AbortController();
  await boss.work<SyncJob>(SYNC_QUEUE, {
    localConcurrency: options.concurrency ?? 2, batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
  }, async ([job]) => {
    const { connection_id: connectionId, full } = job.data;
    const signal = AbortSignal.any([job.signal, controller.signal]);
    // Noted as this process's: if it dies, the job is failed at once (SyncEnqueuer) and the connection queued again.
    const owner = processOwner(db, { log });
    await owner.ready;
    await noteOwnedJob(db, SYNC_QUEUE, job.id, owner.id);
    try {
      const outcome = await runConnectionSync(db, secret, connectionId, { full, execute, heartbeatMs, signal, log });
      if (!outcome.started) {
        log.info({ connection_id: connectionId, reason: outcome.reason }, 'sync job skipped');
        return { skipped: outcome.reason };
      }
      logFinished(log, connectionId, outcome);
      return { run_id: outcome.runId, status: outcome.status };
    } finally {
      await forgetOwnedJobs(db, SYNC_QUEUE, [job.id]).catch((err) => log.error({ err }, 'sync job: could not forget its ownership'));
    }
  });
  return {
    async stop() {
      controller.abort();
      await boss.offWork(SYNC_QUEUE, { wait: true });
    },
  };
}

// ---- what the processes run ---------------------------------------------------------------------------------

export interface Scheduling {
  /** Stops scheduling; a run this process carries on is interrupted (recorded, resumed next time). */
  stop(): Promise<void>;
}

/**
 * Scheduling beside `serve`'s HTTP server: on SQLite the in-process scheduler runs due connections; on
 * PostgreSQL the server only queues due runs for `ordersync worker` processes.
 */
export async function startScheduling(database: DatabaseConfig, deps: RunnerDeps): Promise<Scheduling> {
  if (database.kind === 'sqlite') return new InProcessScheduler(deps).start();
  const boss = await startBoss(database.url, { schema: await bossSchemaFor(deps.db), log: deps.log });
  const enqueuer = new SyncEnqueuer({ db: deps.db, boss, log: deps.log }).start();
  return {
    async stop() {
      await enqueuer.stop();
      await boss.stop({ graceful: true, timeout: 5_000 });
    },
  };
}

/**
 * `ordersync worker`: takes sync jobs from the queue, and queues due runs too, so schedules keep running
 * with workers alone (the queue keeps one job per connection however many processes queue them).
 */
export async function startWorkerProcess(
  url: string, deps: RunnerDeps & { concurrency?: number; pollingIntervalSeconds?: number; tickMs?: number },
): Promise<Scheduling> {
  const boss = await startBoss(url, { schema: await bossSchemaFor(deps.db), log: deps.log });
  const worker = await startSyncWorker({ ...deps, boss });
  const enqueuer = new SyncEnqueuer({ db: deps.db, boss, log: deps.log, tickMs: deps.tickMs }).start();
  return {
    async stop() {
      await enqueuer.stop();
      await worker.stop();
      await boss.stop({ graceful: true, timeout: 5_000 });
    },
  };
}

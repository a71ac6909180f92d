// The primary of `serve --workers N` (DESIGN 4d, node:cluster): migrates once, forks N HTTP workers that share
// the port, runs the background work (src/background.ts) in this process only, restarts a worker that dies, and
// on SIGTERM/SIGINT lets every worker drain its requests before stopping the background work and exiting.
import cluster, { type Worker } from 'node:cluster';
import { pino } from 'pino';
import { loggerOptions } from './app.ts';
import { startBackgroundWork } from './background.ts';
import type { Config } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { bootstrapDemoKey } from './server.ts';
import { servePrimaryMetrics } from './observability/cluster-metrics.ts';
import { collectProcessMetrics } from './observability/metrics.ts';
import { processOwner } from './process-owner.ts';

/** A worker that dies sooner than this after its start is restarted after RESTART_DELAY_MS, not at once. */
const QUICK_DEATH_MS = 5_000;
const RESTART_DELAY_MS = 1_000;

export async function runPrimary(config: Config): Promise<void> {
  const log = pino({ ...loggerOptions(config), base: { pid: process.pid, role: 'primary' } });
  const database = openDatabase(config.database);
  await migrateToLatest(database.db);
  await bootstrapDemoKey(database.db);
  // The primary's own registration (src/process-owner.ts): its first reap releases the work of this service's
  // previous incarnation (its primary and workers, all gone), and it reaps again whenever a worker dies.
  const owner = processOwner(database.db, { log, role: 'serve (primary)' });

  let closing = false;
  const startedAt = new Map<Worker, number>();
  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    worker.once('online', () => log.info({ worker_pid: worker.process.pid }, 'worker started'));
  };
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (closing) return;
    log.error({ worker_pid: worker.process.pid, code, signal }, 'worker died; starting another');
    // Its sync runs are shown interrupted (and resumed) now, not after their heartbeat goes stale.
    void owner.reap().catch((err) => log.error({ err }, 'could not release the work of the worker that died'));
    if (lived < QUICK_DEATH_MS) setTimeout(() => { if (!closing) fork(); }, RESTART_DELAY_MS);
    else fork();
  });
  // GET /metrics on any worker reports every process, this one included (observability/cluster-metrics.ts).
  collectProcessMetrics();
  servePrimaryMetrics();
  // Said once every worker is accepting connections (cluster's 'listening'), not when they are forked: a worker
  // takes seconds to load, and a client that trusts the line before then has its connection refused.
  let listening = 0;
  const onListening = () => {
    if (++listening !== config.workers) return;
    cluster.off('listening', onListening);
    log.info({ workers: config.workers, port: config.port }, `listening on ${config.host}:${config.port} with ${config.workers} workers`);
  };
  cluster.on('listening', onListening);
  log.info({ workers: config.workers, port: config.port }, `starting ${config.workers} workers on ${config.host}:${config.port}`);
  for (let i = 0; i < config.workers; i++) fork();
  const background = await startBackgroundWork({ config, db: database.db, log });

  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: draining workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    const exited = workers.map((worker) => new Promise<void>((done) => {
      if (worker.isDead()) return done();
      // Each worker closes its stalled connections at SHUTDOWN_TIMEOUT_SECONDS itself (server.ts); this is the backstop.
      const force = setTimeout(() => worker.process.kill('SIGKILL'), (config.shutdownTimeoutSeconds + 5) * 1000);
      worker.once('exit', () => { clearTimeout(force); done(); });
      worker.process.kill(signal);
    }));
    try {
      await Promise.all([...exited, background.stop()]);
      await database.close();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

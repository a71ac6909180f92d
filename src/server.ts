// Runs the service: open the database, migrate, make the first key on an empty database, listen, run the
// background work (src/background.ts: the sync scheduler, webhook delivery, the inbox folder, …), and on SIGTERM/SIGINT drain requests, stop the
// background work and close the database. With several workers (DESIGN 4d) src/cluster.ts is the primary and
// each worker runs serveHttp without background work.
import cluster from 'node:cluster';
import type { Config } from './config.ts';
import { buildApp } from './app.ts';
import { registerBackgroundWork, startBackgroundWork } from './background.ts';
import { runPrimary } from './cluster.ts';
import { openDatabase, type Db } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createApiKey } from './store/api-keys.ts';
import { countRetailers, ensureRetailer } from './store/retailers.ts';
import { finishSupplierRerenders } from './store/supplier-rerenders.ts';
import { startScheduling } from './sync/scheduler.ts';
import { startWebhookDelivery } from './events/delivery-process.ts';
import { startInbox } from './ingest/inbox.ts';
import { resumeUnfinishedDocuments } from './ingest/pipeline.ts';
import { expireHeldSupplierUpdates } from './store/held-supplier-updates.ts';
import { idempotencyPurgeTask } from './http/idempotency-purge.ts';
import type { RateLimitStoreKind } from './http/rate-limit.ts';
import { setUpstreamLog } from './observability/upstream.ts';
import { observePool } from './observability/metrics.ts';
import { workerMetricsScrape } from './observability/cluster-metrics.ts';
import { processOwner } from './process-owner.ts';

registerBackgroundWork({
  name: 'sync scheduler',
  start: ({ config, db, log }) => {
    setUpstreamLog(log);
    return startScheduling(config.database, { db, secret: config.secret, log });
  },
});

registerBackgroundWork({
  name: 'webhook delivery',
  // SQLite: in this process; PostgreSQL: through pg-boss, shared with every `ordersync worker` (events/boss-delivery.ts).
  start: async ({ config, db, log }) => startWebhookDelivery(config, db, log),
});

registerBackgroundWork({
  name: 'unfinished supplier re-renders',
  // A supplier rename's re-render that a stopped process left unfinished completes in the background, batch by batch:
  // at start, and with `serve --workers N` each time an HTTP worker dies (the rename's request ran it there).
  start: async ({ db, log }) => {
    let finishing: Promise<void> = Promise.resolve();
    const finish = () => {
      finishing = finishing.then(() => finishSupplierRerenders(db))
        .then(() => undefined, (err) => log.error({ err }, 'finishing a supplier re-render failed'));
    };
    finish();
    cluster.on('exit', finish);
    return {
      stop: async () => {
        cluster.off('exit', finish);
        await finishing;
      },
    };
  },
});

registerBackgroundWork({
  name: 'unfinished supplier documents',
  // A supplier document whose apply a crash or a stop cut off is completed from where it stopped, batch by batch,
  // without waiting for its bytes to be sent again (ingest/pipeline.ts resumeUnfinishedDocuments): at start, and
  // with `serve --workers N` (this is the cluster's primary then) each time an HTTP worker dies, since a worker
  // killed mid-apply is restarted without this process starting again.
  start: async ({ config, db, log }) => {
    const stopping = new AbortController();
    let resuming: Promise<void> = Promise.resolve();
    const resume = () => {
      const before = new Date();
      resuming = resuming.then(() => resumeUnfinishedDocuments(db, before, {
        heldLimit: config.heldUpdateLimit, signal: stopping.signal,
        onError: (documentId, err) => log.error({ err, document_id: documentId }, 'completing an unfinished supplier document failed'),
      }))
        .then((finished) => { if (finished > 0) log.info({ documents: finished }, 'unfinished supplier documents completed'); })
        .catch((err) => log.error({ err }, 'completing unfinished supplier documents failed (the same bytes sent again complete them)'));
    };
    resume();
    const workerDied = () => { if (!stopping.signal.aborted) resume(); };
    cluster.on('exit', workerDied);
    return {
      stop: async () => {
        cluster.off('exit', workerDied);
        stopping.abort();
        await resuming;
      },
    };
  },
});

registerBackgroundWork({
  name: 'held supplier update expiry',
  // Held supplier updates expire after HELD_UPDATE_DAYS: swept at start and every hour (listing sweeps too).
  start: async ({ config, db, log }) => {
    const sweep = () => expireHeldSupplierUpdates(db, new Date(), config.heldUpdateDays)
      .catch((err) => log.error({ err }, 'expiring held supplier updates failed'));
    void sweep();
    const timer = setInterval(sweep, 60 * 60 * 1000).unref();
    return { stop: async () => clearInterval(timer) };
  },
});

// Idempotency keys older than 24 hours (and their encrypted responses) are deleted at start and hourly.
registerBackgroundWork(idempotencyPurgeTask);

registerBackgroundWork({
  name: 'inbox folder',
  // Supplier files dropped into INBOX_DIR/<retailer>/ (DESIGN 3, "Inbox folder"); nothing without INBOX_DIR.
  start: async ({ config, db, log }) => {
    if (!config.inboxDir) return { stop: async () => {} };
    const inbox = await startInbox({
      db, dir: config.inboxDir, log, heldLimit: config.heldUpdateLimit, stableMs: config.inboxStableSeconds * 1000,
      maxBytes: config.documentMaxBytes,
    });
    return { stop: () => inbox.close() };
  },
});

/** First start on an empty database: a `demo` retailer and one key with every scope, shown once. */
export async function bootstrapDemoKey(db: Db): Promise<void> {
  if ((await countRetailers(db)) > 0) return;
  const { retailer } = await ensureRetailer(db, 'demo');
  const key = await createApiKey(db, retailer.id, 'bootstrap', ['read', 'write', 'admin']);
  process.stdout.write(
    `\nCreated retailer "demo" and an API key with read, write and admin scopes:\n\n  ${key.secret}\n\n` +
    'Store it now: it will not be shown again (only its hash is kept). Make more with `npx ordersync keys create`.\n\n',
  );
}

/**
 * Where rate-limit counts live (DESIGN 4d): Redis when REDIS_URL is set; else the service's database when
 * other processes may share the counts (PostgreSQL: several servers; SQLite: `serve --workers N`); else this
 * process's memory, which is exact for a single process and costs nothing per request.
 */
export function rateLimitStoreFor(config: Pick<Config, 'database' | 'redisUrl'>, processes = 1): RateLimitStoreKind {
  if (config.redisUrl) return 'redis';
  return config.database.kind === 'postgres' || processes > 1 ? 'database' : 'memory';
}

/**
 * `ordersync serve`: `workers` HTTP processes on one port (config.workers, from --workers or WEB_CONCURRENCY;
 * default 1). With one, this process serves and runs the background work; with more, it is the cluster's primary.
 */
export async function serve(config: Config): Promise<void> {
  if (cluster.isWorker) return serveHttp(config, { primary: false });
  if (config.workers <= 1) return serveHttp(config, { primary: true });
  return runPrimary(config);
}

/**
 * One HTTP process. `primary`: the only process, which also migrates, bootstraps the first key and runs the
 * background work; a cluster worker leaves those to the primary.
 */
async function serveHttp(config: Config, { primary }: { primary: boolean }): Promise<void> {
  const database = openDatabase(config.database);
  if (primary) {
    await migrateToLatest(database.db);
    await bootstrapDemoKey(database.db);
  }
  const app = await buildApp({
    config, db: database.db,
    rateLimit: { perMinute: config.rateLimitPerMinute, store: rateLimitStoreFor(config, config.workers), redisUrl: config.redisUrl },
    metrics: { token: config.metricsToken, scrape: primary ? undefined : workerMetricsScrape() },
    webhooks: { allowPrivate: config.webhooks.allowPrivateUrls },
  });
  setUpstreamLog(app.log);
  // Registered now, before any request can start a sync run: what this process takes on names it, so that if it
  // dies its work is released at once (src/process-owner.ts); a primary's first reap releases its previous life's.
  processOwner(database.db, { log: app.log, role: primary ? 'serve' : 'serve (HTTP worker)' });
  if (database.pool) observePool(database.pool);
  let background: { stop(): Promise<void> } | undefined;

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: draining requests');
    // Requests get SHUTDOWN_TIMEOUT_SECONDS to finish; then the connections still open (a client stalled mid-body,
    // a slow download) are closed, so a stop never waits on a client. The cluster's primary does the same (cluster.ts).
    const deadline = setTimeout(() => {
      app.log.warn({ timeout_seconds: config.shutdownTimeoutSeconds }, 'shutting down: requests still in flight after the timeout; closing their connections');
      app.server.closeAllConnections();
    }, config.shutdownTimeoutSeconds * 1000);
    try {
      // Runs in progress (scheduled or started through the API) stop between requests and are recorded.
      await Promise.all([app.close(), background?.stop()]);
      clearTimeout(deadline);
      await database.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info(`OrderSync listening on ${config.publicUrl} (API reference at ${config.publicUrl}/docs)`);
  if (primary) background = await startBackgroundWork({ config, db: database.db, log: app.log });
}

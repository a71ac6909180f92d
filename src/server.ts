// Runs the service: open the database, migrate, make the first key on an empty database, listen, schedule
// syncs (sync/scheduler.ts), watch the inbox folder (ingest/inbox.ts, with INBOX_DIR), and on SIGTERM/SIGINT
// drain requests, stop syncs and the inbox, and close the database.
import type { Config } from './config.ts';
import { buildApp } from './app.ts';
import { openDatabase, type Db } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createApiKey } from './store/api-keys.ts';
import { expireHeldSupplierUpdates } from './store/held-supplier-updates.ts';
import { countRetailers, ensureRetailer } from './store/retailers.ts';
import { finishSupplierRerenders } from './store/supplier-rerenders.ts';
import { startScheduling, type Scheduling } from './sync/scheduler.ts';
import { startInbox, type Inbox } from './ingest/inbox.ts';
import { startWebhookDelivery, type DeliveryProcess } from './events/delivery-process.ts';
import type { RateLimitStoreKind } from './http/rate-limit.ts';
import { setUpstreamLog } from './observability/upstream.ts';
import { observePool } from './observability/metrics.ts';

/** First start on an empty database: a `demo` retailer and one key with every scope, shown once. */
async function bootstrapDemoKey(db: Db): Promise<void> {
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

export async function serve(config: Config): Promise<void> {
  const database = openDatabase(config.database);
  await migrateToLatest(database.db);
  await bootstrapDemoKey(database.db);
  const app = await buildApp({
    config, db: database.db,
    rateLimit: { perMinute: config.rateLimitPerMinute, store: rateLimitStoreFor(config), redisUrl: config.redisUrl },
    metrics: { token: config.metricsToken },
    webhooks: { allowPrivate: config.webhooks.allowPrivateUrls },
  });
  setUpstreamLog(app.log);
  if (database.pool) observePool(database.pool);
  let scheduling: Scheduling | undefined;
  let inbox: Inbox | undefined;
  let delivery: DeliveryProcess | undefined;
  // Held supplier updates expire after HELD_UPDATE_DAYS: swept at start and every hour (listing sweeps too).
  const sweep = () => expireHeldSupplierUpdates(database.db, new Date(), config.heldUpdateDays)
    .catch((err) => app.log.error({ err }, 'expiring held supplier updates failed'));
  const sweeper = setInterval(sweep, 60 * 60 * 1000).unref();

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    clearInterval(sweeper);
    app.log.info({ signal }, 'shutting down: draining requests');
    try {
      // Runs in progress (scheduled or started through the API) stop between requests and are recorded.
      await Promise.all([app.close(), scheduling?.stop(), delivery?.stop(), inbox?.close()]);
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
  // A supplier rename's re-render that a stopped process left unfinished completes in the background, batch by batch.
  void finishSupplierRerenders(database.db).catch((err) => app.log.error({ err }, 'finishing a supplier re-render failed'));
  app.log.info(`OrderSync listening on ${config.publicUrl} (API reference at ${config.publicUrl}/docs)`);
  void sweep();
  scheduling = await startScheduling(config.database, { db: database.db, secret: config.secret, log: app.log });
  // Supplier files dropped into INBOX_DIR/<retailer>/ (DESIGN 3, "Inbox folder").
  if (config.inboxDir) inbox = await startInbox({ db: database.db, dir: config.inboxDir, log: app.log });
  // SQLite: webhooks are delivered here; PostgreSQL: by `ordersync worker` processes.
  if (config.database.kind === 'sqlite') delivery = startWebhookDelivery(config, database.db, app.log);
}

// The sync commands of `ordersync` (DESIGN section 5): `connections add|list|remove`, `sync` (run now, in the
// foreground, with a progress line) and `worker` (PostgreSQL: take scheduled runs from the pg-boss queue).
import { createInterface } from 'node:readline';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { loggerOptions } from '../app.ts';
import { loadConfig } from '../config.ts';
import {
  CONNECTION_KINDS, credentialProblems, DEFAULT_BASE_URLS, normaliseBaseUrl, SCHEDULE_MINUTES, scheduleProblem, toCredentials,
  type ConnectionKind,
} from '../domain/connections.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import {
  connectionRetailer, createConnection, deleteConnection, listAllConnections, type Connection,
} from '../store/connections.ts';
import { ensureRetailer } from '../store/retailers.ts';
import { runConnectionSync, type SyncOutcome } from './runner.ts';
import { startWorkerProcess } from './scheduler.ts';
import { startWebhookDelivery } from '../events/delivery-process.ts';
import type { SyncCounts } from './types.ts';
import { withDatabase } from '../db/with-database.ts';

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

/** `-` reads the value from the first line of stdin, so a key need not appear in the shell's history. */
async function secretArgument(value: string | undefined): Promise<string | undefined> {
  if (value !== '-') return value;
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line.trim();
  }
  return '';
}

const describeCounts = (c: SyncCounts) =>
  `fetched ${c.fetched}, created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, failed ${c.failed}`;

interface AddOptions {
  retailer: string;
  kind: ConnectionKind;
  name: string;
  baseUrl?: string;
  apiKey?: string;
  storeName?: string;
  scheduleMinutes: number;
}

async function addConnection(options: AddOptions): Promise<void> {
  const credentials: Record<string, unknown> = {};
  const apiKey = await secretArgument(options.apiKey);
  if (apiKey !== undefined) credentials.api_key = apiKey;
  if (options.storeName !== undefined) credentials.store_name = options.storeName;
  const problems = credentialProblems(options.kind, credentials, 'credentials')
    .map((p) => `--${p.field.slice('credentials.'.length).replace('_', '-')} ${p.message}`);
  const schedule = scheduleProblem(options.scheduleMinutes, '--schedule-minutes');
  if (schedule) problems.push(`${schedule.field} ${schedule.message}`);
  const url = normaliseBaseUrl(options.baseUrl ?? DEFAULT_BASE_URLS[options.kind], '--base-url');
  if ('problem' in url) problems.push(`${url.problem.field} ${url.problem.message}`);
  if (problems.length > 0 || 'problem' in url) throw new Error(problems.join('; '));
  await withDatabase(async ({ db }, config) => {
    const { retailer } = await ensureRetailer(db, options.retailer);
    const result = await createConnection(db, config.secret, retailer.id, {
      kind: options.kind, name: options.name, base_url: url.url, credentials: toCredentials(options.kind, credentials),
      schedule_minutes: options.scheduleMinutes, enabled: true,
    });
    if (!result.ok) throw new Error(`retailer "${retailer.name}" already has a connection named "${options.name}"`);
    console.error(`Connection "${options.name}" (${options.kind}, ${url.url}) for retailer "${retailer.name}", `
      + `every ${options.scheduleMinutes} min; the first run is due now. Credentials are stored encrypted.`);
    console.log(result.connection.id);
  });
}

function listConnectionsTable(connections: (Connection & { retailer: string })[]): void {
  if (connections.length === 0) return console.log('No connections.');
  console.table(connections.map((c) => ({
    id: c.id, retailer: c.retailer, kind: c.kind, name: c.name, base_url: c.base_url,
    every_min: c.schedule_minutes, enabled: c.enabled, next_run: c.next_run_at,
  })));
}

/** `ordersync sync`: the named connection, or every enabled one, one after another in the foreground. */
async function syncNow(options: { connection?: string; full?: boolean }): Promise<void> {
  await withDatabase(async ({ db }, config) => {
    const all = await listAllConnections(db);
    const chosen = options.connection === undefined ? all.filter((c) => c.enabled) : all.filter((c) => c.id === options.connection);
    if (options.connection !== undefined && chosen.length === 0) throw new Error(`no connection with id "${options.connection}"`);
    if (chosen.length === 0) return console.log('No enabled connections to sync (add one with `ordersync connections add`).');

    const controller = new AbortController();
    const interrupt = () => controller.abort();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    let failures = 0;
    try {
      for (const connection of chosen) {
        if (controller.signal.aborted) break;
        const label = `${connection.name} (${connection.kind})`;
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar({
            format: `${label} | {duration_formatted} | fetched {fetched} · created {created} · updated {updated} · unchanged {unchanged} · failed {failed}`,
            hideCursor: true,
          })
          : null;
        bar?.start(0, 0, { fetched: 0, created: 0, updated: 0, unchanged: 0, failed: 0 });
        let outcome: SyncOutcome;
        try {
          outcome = await runConnectionSync(db, config.secret, connection.id, {
            full: options.full ?? false, signal: controller.signal, onProgress: (counts) => bar?.update(0, { ...counts }),
          });
        } finally {
          bar?.stop();
        }
        if (!outcome.started) {
          failures++;
          console.log(outcome.reason === 'running'
            ? `${connection.id} ${label}: already syncing (run ${outcome.runId}); skipped`
            : `${connection.id} ${label}: deleted meanwhile; skipped`);
          continue;
        }
        if (outcome.status === 'failed') failures++;
        console.log(`${connection.id} ${label}: ${outcome.status} (run ${outcome.runId}) — ${describeCounts(outcome.counts)}`);
        if (outcome.error) console.log(`  ${outcome.error}`);
      }
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
    if (failures > 0) throw new Error(`${failures} of ${chosen.length} connection${chosen.length === 1 ? '' : 's'} did not sync`);
  });
}

async function work(options: { concurrency: number }): Promise<void> {
  const config = loadConfig();
  if (config.database.kind !== 'postgres') {
    throw new Error('worker: needs PostgreSQL (DATABASE_URL=postgres://…); on SQLite `ordersync serve` runs scheduled syncs itself');
  }
  const database = openDatabase(config.database);
  await migrateToLatest(database.db);
  const log = pino(loggerOptions(config));
  const worker = await startWorkerProcess(config.database.url, {
    db: database.db, secret: config.secret, log, concurrency: options.concurrency,
  });
  const delivery = startWebhookDelivery(config, database.db, log);
  log.info({ concurrency: options.concurrency }, 'sync worker started (delivering webhooks too)');
  await new Promise<void>((resolve) => {
    const stop = async (signal: string) => {
      log.info({ signal }, 'sync worker stopping: interrupting runs in progress');
      try {
        await Promise.all([worker.stop(), delivery.stop()]);
      } finally {
        await database.close();
        resolve();
      }
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}

export function registerSyncCommands(program: Command): void {
  const connections = program.command('connections').description('manage sync connections (ShipStation, Stocky)');

  connections.command('add').description('add a connection to an upstream account (prints its id)')
    .requiredOption('--retailer <name>', 'retailer the connection belongs to (created when new)')
    .addOption(new Option('--kind <kind>', 'the upstream').choices(CONNECTION_KINDS).makeOptionMandatory())
    .requiredOption('--name <name>', 'a name, unique for the retailer')
    .option('--base-url <url>', `the upstream API (default ${DEFAULT_BASE_URLS.shipstation} / ${DEFAULT_BASE_URLS.stocky}; a sandbox's URL)`)
    .option('--api-key <key>', 'the upstream API key (`-`: read it from stdin)')
    .option('--store-name <shop>', 'stocky: the store, e.g. golf-shop.myshopify.com')
    .option('--schedule-minutes <m>', `minutes between scheduled runs, ${SCHEDULE_MINUTES.min}–${SCHEDULE_MINUTES.max}`,
      (value) => Number(value), SCHEDULE_MINUTES.default)
    .action((options: AddOptions) => addConnection(options));

  connections.command('list').description('list connections (never their credentials)')
    .action(() => withDatabase(async ({ db }) => listConnectionsTable(await listAllConnections(db))));

  connections.command('remove').description('delete a connection and its run history (its POs stay)').argument('<id>', 'conn_…')
    .action((id: string) => withDatabase(async ({ db }) => {
      const retailerId = await connectionRetailer(db, id);
      const result = retailerId === undefined ? { ok: false as const, reason: 'not_found' as const } : await deleteConnection(db, retailerId, id);
      if (!result.ok && result.reason === 'not_found') throw new Error(`no connection with id "${id}"`);
      if (!result.ok && result.reason === 'running') throw new Error(`connection "${id}" is syncing (run ${result.runId}); try again when it has finished`);
      console.log(`Removed ${id}.`);
    }));

  program.command('sync').description('sync now, in the foreground: one connection, or every enabled one')
    .option('--connection <id>', 'only this connection (also when disabled)')
    .option('--full', 'fetch everything, not only what changed since the last run')
    .action((options: { connection?: string; full?: boolean }) => syncNow(options));

  program.command('worker').description('run scheduled syncs from the queue (PostgreSQL); run as many as you like')
    .option('--concurrency <n>', 'connections this process syncs at once', wholeNumber, 2)
    .action((options: { concurrency: number }) => work(options));
}

// The `ordersync` command line: every command reads the same configuration (config.ts).
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, parseWorkers, type Config } from './config.ts';
import { openDatabase, type OpenDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { parseScopes } from './domain/api-keys.ts';
import { serve } from './server.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './store/api-keys.ts';
import { ensureRetailer } from './store/retailers.ts';
import { seedDatabase } from './seed/seed.ts';

class CliError extends Error {}

/** Runs `work` against the configured database (migrated first), closing it afterwards. */
async function withDatabase<T>(work: (database: OpenDatabase, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    return await work(database, config);
  } finally {
    await database.close();
  }
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

const program = new Command('ordersync')
  .description('OrderSync: one up-to-date record per purchase order.')
  .showHelpAfterError();

program.command('serve').description('run the HTTP service (migrates the database first)')
  .option('--workers <n>', 'HTTP worker processes on the one port (default: WEB_CONCURRENCY, else 1)')
  .action(async (options: { workers?: string }) => {
    const config = loadConfig();
    await serve({ ...config, workers: parseWorkers(options.workers, '--workers') ?? config.workers });
  });

program.command('migrate').description('apply pending database migrations')
  .action(() => withDatabase(async () => {
    console.log('Database is at the latest migration.');
  }));

const keys = program.command('keys').description('manage API keys');

keys.command('create').description('create an API key and print its secret (shown once)')
  .requiredOption('--retailer <name>', 'retailer the key belongs to (created when new)')
  .option('--name <label>', 'a label to recognise the key by', 'default')
  .option('--scope <scopes>', 'comma-separated scopes: read, write, admin', 'read')
  .action((options: { retailer: string; name: string; scope: string }) => withDatabase(async ({ db }) => {
    const scopes = parseScopes(options.scope);
    if (!scopes) throw new CliError(`--scope: expected a comma-separated list of read, write, admin; got "${options.scope}"`);
    const { retailer } = await ensureRetailer(db, options.retailer);
    const key = await createApiKey(db, retailer.id, options.name, scopes);
    console.error(`API key "${key.name}" for retailer "${retailer.name}" with scopes ${scopes.join(',')}. Store it now: it will not be shown again.`);
    console.log(key.secret);
  }));

keys.command('list').description('list API keys (prefix, retailer, name, scopes, created, last used, revoked)')
  .action(() => withDatabase(async ({ db }) => {
    const rows = await listApiKeys(db);
    if (rows.length === 0) return console.log('No API keys.');
    console.table(rows.map((k) => ({
      prefix: k.prefix, retailer: k.retailer, name: k.name, scopes: k.scopes,
      created: k.created_at, last_used: k.last_used_at ?? '-', revoked: k.revoked_at ?? '-',
    })));
  }));

keys.command('revoke').description('revoke the API key with this prefix').argument('<prefix>', 'e.g. pk_live_AbCd1234')
  .action((prefix: string) => withDatabase(async ({ db }) => {
    if (!(await revokeApiKey(db, prefix))) throw new CliError(`no active API key with prefix "${prefix}"`);
    console.log(`Revoked ${prefix}.`);
  }));

program.command('seed').description('generate realistic demo POs, deterministically from a seed')
  .requiredOption('--retailer <name>', 'retailer to seed (created when new)')
  .requiredOption('--pos <n>', 'number of purchase orders', positiveInteger)
  .option('--seed <s>', 'random seed; the same seed gives the same data', integer, 1)
  .action((options: { retailer: string; pos: number; seed: number }) => withDatabase(async ({ db }) => {
    await seedDatabase(db, { retailer: options.retailer, pos: options.pos, seed: options.seed, progress: process.stderr.isTTY });
  }));

(await import('./sandbox/cli.ts')).registerSandboxCommand(program);
(await import('./sync/cli.ts')).registerSyncCommands(program);
try {
  await program.parseAsync();
} catch (error) {
  const message = error instanceof ConfigError || error instanceof CliError
    ? error.message
    : error instanceof Error ? error.message : String(error);
  console.error(`ordersync: ${message}`);
  process.exit(1);
}

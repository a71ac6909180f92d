// The `ordersync` command line: every command reads the same configuration (config.ts).
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig, parseWorkers } from './config.ts';
import type { Db } from './db/database.ts';
import { displayPrefix, isWellFormedKey, parseScopes, unknownScopes } from './domain/api-keys.ts';
import { serve } from './server.ts';
import {
  createApiKey, listApiKeys, revocationRefusal, revokeApiKey, rotateApiKey, wholeKeyMatch, type KeyRefusal,
} from './store/api-keys.ts';
import { BackupError, backupSqlite, restoreSqlite } from './db/backup.ts';
import ms from 'ms';
import { ensureRetailer, findRetailerByName, listRetailerNames } from './store/retailers.ts';
import { textProblem } from './domain/plain-text.ts';
import { seedDatabase } from './seed/seed.ts';
import { withDatabase } from './db/with-database.ts';

class CliError extends Error {}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

/** A duration such as `90d`, `24h` or `30m` (the `ms` library's syntax), in milliseconds; at least one second. */
function duration(value: string): number {
  const parsed = /^\d+(\.\d+)?\s*[a-zA-Z]+$/.test(value.trim()) ? ms(value.trim() as ms.StringValue) : undefined;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 1000) {
    throw new InvalidArgumentError('expected a duration with a unit, e.g. 90d, 24h, 30m');
  }
  return parsed;
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

/** A name given on the command line: free text under the API's rule (domain/plain-text.ts), not blank. */
function cliText(option: string, value: string): string {
  const problem = value.trim() === '' ? 'must not be blank' : textProblem(value);
  if (problem) throw new CliError(`${option}: ${problem}`);
  return value;
}

keys.command('create').description('create an API key and print its secret (shown once)')
  .requiredOption('--retailer <name>', 'retailer the key belongs to (created when new, and said so on stderr)')
  .option('--existing', 'the retailer must exist already: an unknown name fails, listing the known ones (guards against typos)')
  .option('--name <label>', 'a label to recognise the key by', 'default')
  // Repeatable: each --scope adds to the list (a plain option keeps only the last one given).
  .option('--scope <scopes>', 'scopes: read, write, admin; comma-separated and/or repeated, e.g. --scope read --scope write (default: read)',
    (value: string, previous: string[] = []) => [...previous, value])
  .option('--expires-in <duration>', 'stop working after this long, e.g. 90d, 12h (default: never)', duration)
  .action((options: { retailer: string; existing?: boolean; name: string; scope?: string[]; expiresIn?: number }) => withDatabase(async ({ db }) => {
    // Every --scope given, as one comma-separated list: their union (the console's form sends its boxes the same way).
    // `read,,write` or `--scope ''`: an empty item is a slip (a scope left out, a stray comma), said rather than skipped.
    const withEmpty = (options.scope ?? []).find((value) => value.split(',').some((item) => item.trim() === ''));
    if (withEmpty !== undefined) throw new CliError(`--scope: "${withEmpty}" has an empty scope name; the scopes are read, write, admin`);
    const given = (options.scope ?? ['read']).join(',');
    const scopes = parseScopes(given);
    if (!scopes) {
      const unknown = unknownScopes(given);
      throw new CliError(unknown.length > 0
        ? `--scope: unknown scope${unknown.length === 1 ? '' : 's'} ${unknown.map((s) => `"${s}"`).join(', ')}; the scopes are read, write, admin`
        : `--scope: expected one or more of read, write, admin; got "${given}"`);
    }
    cliText('--retailer', options.retailer);
    cliText('--name', options.name);
    if (options.existing && !(await findRetailerByName(db, options.retailer))) {
      const known = await listRetailerNames(db);
      throw new CliError(`--retailer: no retailer "${options.retailer}" (--existing); known retailers: ${
        known.length === 0 ? 'none yet' : known.map((name) => `"${name}"`).join(', ')}`);
    }
    // DESIGN 5: a new name creates the retailer; said on stderr, so a typo does not pass unnoticed.
    const { retailer, created } = await ensureRetailer(db, options.retailer);
    if (created) console.error(`created retailer "${retailer.name}" (new)`);
    const expiresAt = options.expiresIn === undefined ? null : new Date(Date.now() + options.expiresIn);
    const key = await createApiKey(db, retailer.id, options.name, scopes, { expiresAt });
    const expiry = key.expiresAt ? ` It expires at ${key.expiresAt}.` : '';
    console.error(`API key "${key.name}" for retailer "${retailer.name}" with scopes ${scopes.join(',')}.${expiry} Store it now: it will not be shown again.`);
    console.log(key.secret);
  }));

/**
 * The key an operator names to `keys revoke` / `keys rotate`: its display prefix (`pk_live_` + 8), also when the
 * whole key was pasted (the usual case for a key that leaked); `shown` is what messages may print: never more of
 * the argument than a prefix's length, so a pasted secret does not end up in a terminal's scrollback or a CI log.
 */
async function namedKey(db: Db, argument: string): Promise<{ prefix: string; shown: string }> {
  const value = argument.trim();
  const whole = isWellFormedKey(value);
  const prefix = whole ? displayPrefix(value) : value;
  const length = displayPrefix('pk_live_00000000').length;
  const shown = prefix.length > length ? `${prefix.slice(0, length)}…` : prefix;
  // A whole key must be that key, not only share its prefix: a mistyped secret would otherwise revoke (or rotate)
  // the key whose first characters it happens to have. That key's state (revoked, rotated, expired) is said below.
  const match = whole ? await wholeKeyMatch(db, value) : 'that key';
  if (match === 'another key') {
    throw new CliError(`the key given is not the key with its prefix ${shown}: the rest does not match (a typo?); give the prefix alone to act on the key with that prefix`);
  }
  return { prefix, shown };
}

/** Why a key cannot be rotated or revoked, in one sentence naming it and what to do instead. */
function refusalMessage(shown: string, refusal: KeyRefusal, action: 'rotate' | 'revoke'): string {
  switch (refusal.reason) {
    case 'not_found':
      return `no API key with prefix "${shown}" (\`keys list\` shows them)`;
    case 'revoked':
      return `${shown} was revoked at ${refusal.revokedAt}: a revoked key never works again${action === 'rotate'
        ? ', so it has nothing to hand over; make a new key with `keys create`' : ''}`;
    case 'rotated': {
      const until = refusal.expiresAt === null ? '' : refusal.expiresAt <= new Date().toISOString()
        ? `; it stopped working at ${refusal.expiresAt}` : `; it keeps working until ${refusal.expiresAt}`;
      return `${shown} was already rotated at ${refusal.rotatedAt}: it was replaced by ${refusal.replacedBy}${until}. Rotate `
        + `${refusal.replacedBy} instead (rotating ${shown} again would make a second successor); \`keys revoke ${shown}\` ends it now`;
    }
    case 'expired':
      return `${shown} expired at ${refusal.expiredAt} and never works again: it cannot be rotated; make a new key with \`keys create\``;
  }
}

keys.command('rotate').description('make a new key with the same scopes; the old one keeps working for a grace period')
  .argument('<prefix>', 'the old key, e.g. pk_live_AbCd1234 (or the whole key)')
  .addOption(new Option('--grace <duration>', 'how long the old key keeps working, e.g. 24h, 7d').argParser(duration)
    .default(24 * 60 * 60 * 1000, '24h'))
  .action((argument: string, options: { grace: number }) => withDatabase(async ({ db }) => {
    const { prefix, shown } = await namedKey(db, argument);
    const result = await rotateApiKey(db, prefix, options.grace);
    if (!result.ok) throw new CliError(refusalMessage(shown, result, 'rotate'));
    const { key, oldExpiresAt } = result.rotated;
    console.error(`New key ${key.prefix} with scopes ${key.scopes.join(',')}; ${prefix} keeps working until ${oldExpiresAt}. Store the new key now: it will not be shown again.`);
    console.log(key.secret);
  }));

keys.command('list').description('list API keys (prefix, retailer, name, scopes, created, last used, revoked)')
  .action(() => withDatabase(async ({ db }) => {
    const rows = await listApiKeys(db);
    if (rows.length === 0) return console.log('No API keys.');
    console.table(rows.map((k) => ({
      prefix: k.prefix, retailer: k.retailer, name: k.name, scopes: k.scopes,
      created: k.created_at, last_used: k.last_used_at ?? '-', revoked: k.revoked_at ?? '-', expires: k.expires_at ?? '-',
      replaced_by: k.replaced_by ?? '-',
    })));
  }));

keys.command('revoke').description('revoke the API key with this prefix').argument('<prefix>', 'e.g. pk_live_AbCd1234 (or the whole key)')
  .action((argument: string) => withDatabase(async ({ db }) => {
    const { prefix, shown } = await namedKey(db, argument);
    if (!(await revokeApiKey(db, prefix))) throw new CliError(refusalMessage(shown, await revocationRefusal(db, prefix), 'revoke'));
    console.log(`Revoked ${prefix}.`);
  }));

program.command('backup').description('write a consistent copy of the SQLite database, also while the service runs')
  .argument('<file>', 'where to write the copy (must not exist)')
  .action(async (file: string) => {
    const config = loadConfig();
    if (config.database.kind !== 'sqlite') {
      throw new CliError('backup copies the embedded SQLite database; for PostgreSQL use pg_dump (see the README, "Running in production")');
    }
    const result = await backupSqlite(config.database.file, file);
    console.log(`Backed up ${config.database.file} to ${result.file} (${result.pages} pages, ${result.bytes} bytes).`);
  });

program.command('restore').description('replace the SQLite database with a backup (the service must be stopped)')
  .argument('<file>', 'a file written by `ordersync backup`')
  .action(async (file: string) => {
    const config = loadConfig();
    if (config.database.kind !== 'sqlite') {
      throw new CliError('restore replaces the embedded SQLite database; for PostgreSQL use pg_restore (see the README, "Running in production")');
    }
    const result = await restoreSqlite(file, config.database.file);
    // What the restored file itself says (read once it is in place), not what this OrderSync would make of it.
    const version = `schema version ${result.migrations.at(-1)}, ${result.migrations.length} migration${result.migrations.length === 1 ? '' : 's'}`;
    const pending = result.pending.length === 0 ? ' It is up to date with this OrderSync.'
      : ` This OrderSync applies ${result.pending.length} newer migration${result.pending.length === 1 ? '' : 's'} to it at the next start `
        + `(${result.pending.length === 1 ? result.pending[0] : `${result.pending[0]} to ${result.pending.at(-1)}`}).`;
    const kept = result.previous ? ` The database it replaced is kept at ${result.previous}.` : '';
    console.log(`Restored ${config.database.file} from ${file} (${version}).${pending}${kept}`);
  });

program.command('seed').description('generate realistic demo POs, deterministically from a seed')
  .requiredOption('--retailer <name>', 'retailer to seed (created when new)')
  .requiredOption('--pos <n>', 'number of purchase orders', positiveInteger)
  .option('--seed <s>', 'random seed; the same seed gives the same data', integer, 1)
  .action((options: { retailer: string; pos: number; seed: number }) => withDatabase(async ({ db }) => {
    const started = performance.now();
    const { created, skipped } = await seedDatabase(db, {
      retailer: options.retailer, pos: options.pos, seed: options.seed, progress: process.stderr.isTTY,
    });
    // A summary line whatever stdout is (a pipe, a file, CI): the progress bar shows only on a terminal.
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`Seeded ${options.retailer}: ${created} POs written, ${skipped} already there, in ${seconds} s.`);
  }));

(await import('./sandbox/cli.ts')).registerSandboxCommand(program);
(await import('./sync/cli.ts')).registerSyncCommands(program);
(await import('./ingest/cli.ts')).registerIngestCommand(program);
(await import('./events/cli.ts')).registerEventCommands(program);
try {
  await program.parseAsync();
} catch (error) {
  const message = error instanceof ConfigError || error instanceof CliError || error instanceof BackupError
    ? error.message
    : error instanceof Error ? error.message : String(error);
  console.error(`ordersync: ${message}`);
  process.exit(1);
}

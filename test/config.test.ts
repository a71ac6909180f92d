// Configuration from the environment (DESIGN 5): defaults, and every bad variable named in the error.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDatabaseUrl } from '../src/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 's'.repeat(40);
const sqliteIn = (name: string) => `sqlite:${join(dir, name, 'ordersync.db')}`;

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

/** An inbox folder of this file's own (INBOX_DIR is created when missing, and must be writable). */
const INBOX = join(mkdtempSync(join(tmpdir(), 'ordersync-config-')), 'inbox');
afterAll(() => rmSync(resolve(INBOX, '..'), { recursive: true, force: true }));
/** A file, so a folder "inside" it can never be made. */
const NOT_A_FOLDER = join(resolve(INBOX, '..'), 'a-file');
writeFileSync(NOT_A_FOLDER, '');

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({ ORDERSYNC_SECRET: SECRET });
    expect(config).toMatchObject({
      port: 8080, host: '0.0.0.0', database: { kind: 'sqlite', file: resolve('data/ordersync.db') },
      publicUrl: 'http://localhost:8080', logLevel: 'info', secret: SECRET, documentMaxBytes: 50 * 1024 * 1024, inboxDir: null,
      idempotencyLockTimeoutSeconds: 10, heldUpdateDays: 90, heldUpdateLimit: 100_000,
    });
    expect(config.database).toEqual({ kind: 'sqlite', file: resolve('data/ordersync.db'), synchronous: 'normal', cacheMb: 128 });
  });

  it('TRUST_PROXY: true, false, or addresses and CIDRs; anything else names the variable', () => {
    const trust = (value: string) => loadConfig({ ORDERSYNC_SECRET: SECRET, TRUST_PROXY: value }).trustProxy;
    expect(trust('true')).toBe(true);
    expect(trust('false')).toBe(false);
    expect(trust('10.0.0.0/8,::1, 192.168.1.1')).toEqual(['10.0.0.0/8', '::1', '192.168.1.1']);
    for (const bad of ['yes', '0', '2', '10.0.0.0/33', 'proxy.local', '10.0.0.1,', '::1/129']) {
      expect(configError({ ORDERSYNC_SECRET: SECRET, TRUST_PROXY: bad }).message, bad).toMatch(/^TRUST_PROXY: expected/);
    }
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9090', HOST: '127.0.0.1', DATABASE_URL: 'postgres://u:p@db:5432/os', ORDERSYNC_SECRET: SECRET,
      PUBLIC_URL: 'https://orders.example.com/', LOG_LEVEL: 'debug',
      RATE_LIMIT_PER_MINUTE: '120', REDIS_URL: 'redis://cache:6379', METRICS_TOKEN: 'scrape-me', DOCUMENT_MAX_BYTES: '1048576',
      INBOX_DIR: INBOX, WEBHOOKS_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_DELAYS: '1, 5,30',
      IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '3', HELD_UPDATE_DAYS: '30', HELD_UPDATE_LIMIT: '500', WEB_CONCURRENCY: '4',
      INBOX_STABLE_SECONDS: '10', SHUTDOWN_TIMEOUT_SECONDS: '5',
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
    });
    expect(config).toEqual({
      port: 9090, host: '127.0.0.1', database: { kind: 'postgres', url: 'postgres://u:p@db:5432/os' }, secret: SECRET,
      publicUrl: 'https://orders.example.com', logLevel: 'debug', workers: 4,
      rateLimitPerMinute: 120, redisUrl: 'redis://cache:6379', metricsToken: 'scrape-me', documentMaxBytes: 1048576,
      inboxDir: INBOX, inboxStableSeconds: 10, webhooks: { allowPrivateUrls: true, retryDelaysSeconds: [1, 5, 30] },
      idempotencyLockTimeoutSeconds: 3, heldUpdateDays: 30, heldUpdateLimit: 500, shutdownTimeoutSeconds: 5,
      trustProxy: ['10.0.0.0/8', '127.0.0.1'],
    });
    expect(loadConfig({ ORDERSYNC_SECRET: SECRET })).toMatchObject({ rateLimitPerMinute: 600, redisUrl: null, metricsToken: null, workers: 1, inboxStableSeconds: 2, shutdownTimeoutSeconds: 30, trustProxy: false });
    expect(loadConfig({ ORDERSYNC_SECRET: SECRET }).webhooks)
      .toEqual({ allowPrivateUrls: false, retryDelaysSeconds: [5, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 36000] });
    expect(loadConfig({ ORDERSYNC_SECRET: SECRET, SQLITE_SYNCHRONOUS: 'FULL' }).database).toMatchObject({ synchronous: 'full' });
    expect(loadConfig({ ORDERSYNC_SECRET: SECRET }).database).toMatchObject({ cacheMb: 128 });
    expect(loadConfig({ ORDERSYNC_SECRET: SECRET, SQLITE_CACHE_MB: '16' }).database).toMatchObject({ cacheMb: 16 });
    expect(loadConfig({ ORDERSYNC_SECRET: SECRET, PORT: '3000' }).publicUrl).toBe('http://localhost:3000');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '80.5' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DOCUMENT_MAX_BYTES: '50MB' }, 'DOCUMENT_MAX_BYTES'],
    [{ INBOX_DIR: join(NOT_A_FOLDER, 'inbox') }, 'INBOX_DIR'],
    [{ DOCUMENT_MAX_BYTES: '0' }, 'DOCUMENT_MAX_BYTES'],
    [{ WEB_CONCURRENCY: '0' }, 'WEB_CONCURRENCY'],
    [{ WEB_CONCURRENCY: '1.5' }, 'WEB_CONCURRENCY'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    [{ PUBLIC_URL: 'ftp://example.com' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ ORDERSYNC_SECRET: 'too-short' }, 'ORDERSYNC_SECRET'],
    [{ WEBHOOKS_ALLOW_PRIVATE_URLS: 'yes' }, 'WEBHOOKS_ALLOW_PRIVATE_URLS'],
    [{ WEBHOOK_RETRY_DELAYS: '5,,30' }, 'WEBHOOK_RETRY_DELAYS'],
    [{ WEBHOOK_RETRY_DELAYS: '5,-1' }, 'WEBHOOK_RETRY_DELAYS'],
    [{ WEBHOOK_RETRY_DELAYS: 'soon' }, 'WEBHOOK_RETRY_DELAYS'],
    [{ RATE_LIMIT_PER_MINUTE: 'lots' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ RATE_LIMIT_PER_MINUTE: '1.5' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x', ORDERSYNC_SECRET: '' }, 'ORDERSYNC_SECRET'],
    [{ SQLITE_SYNCHRONOUS: 'off' }, 'SQLITE_SYNCHRONOUS'],
    [{ SQLITE_CACHE_MB: '0' }, 'SQLITE_CACHE_MB'],
    [{ SQLITE_CACHE_MB: '1e3' }, 'SQLITE_CACHE_MB'],
    [{ IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '0' }, 'IDEMPOTENCY_LOCK_TIMEOUT_SECONDS'],
    [{ HELD_UPDATE_DAYS: 'soon' }, 'HELD_UPDATE_DAYS'],
    [{ HELD_UPDATE_LIMIT: '-5' }, 'HELD_UPDATE_LIMIT'],
    [{ INBOX_STABLE_SECONDS: '0' }, 'INBOX_STABLE_SECONDS'],
    [{ INBOX_STABLE_SECONDS: '1.5' }, 'INBOX_STABLE_SECONDS'],
  ])('%j is refused, naming %s', (bad, variable) => {
    const error = configError({ ORDERSYNC_SECRET: SECRET, ...bad });
    expect(error.message.startsWith(variable)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('on SQLite without ORDERSYNC_SECRET, generates one beside the database (mode 0600) and keeps it', () => {
    const first = loadConfig({ DATABASE_URL: sqliteIn('generated') });
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    const file = join(dir, 'generated', 'secret.key');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({ DATABASE_URL: sqliteIn('generated') }).secret).toBe(first.secret);
  });
});

describe('parseDatabaseUrl', () => {
  it('tells SQLite from PostgreSQL', () => {
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', file: ':memory:' });
    expect(parseDatabaseUrl('sqlite:./x.db')).toEqual({ kind: 'sqlite', file: resolve('x.db') });
    expect(parseDatabaseUrl('postgresql://h/db')).toEqual({ kind: 'postgres', url: 'postgresql://h/db' });
  });
});

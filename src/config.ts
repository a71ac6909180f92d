// Environment → typed configuration, validated once at start (DESIGN section 5).
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_RETRY_DELAYS_SECONDS, parseRetryDelays } from './domain/webhooks.ts';

/** SQLite's `synchronous` setting under WAL (README, "Durability"): NORMAL survives process crashes, FULL power loss too. */
export type SqliteSynchronous = 'normal' | 'full';

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string; synchronous?: SqliteSynchronous; cacheMb?: number }
  | { kind: 'postgres'; url: string };

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  /** Master secret for encrypting credentials and signing links. */
  secret: string;
  publicUrl: string;
  logLevel: string;
  /** Largest supplier document POST /api/v2/supplier_documents accepts, in bytes (DOCUMENT_MAX_BYTES). */
  documentMaxBytes: number;
  /** Folder watched for supplier documents, a subfolder per retailer name (INBOX_DIR); null: no inbox. */
  inboxDir: string | null;
  /** How long an inbox file's size must stay the same before it is read, in seconds (INBOX_STABLE_SECONDS, default 2). */
  inboxStableSeconds: number;
  /**
   * How long SIGTERM/SIGINT lets requests in flight finish before the connections still open are closed, in seconds
   * (SHUTDOWN_TIMEOUT_SECONDS, default 30: Kubernetes' default grace period; a stalled client cannot hold a stop).
   */
  shutdownTimeoutSeconds: number;
  /**
   * Which proxies in front of the service to believe about the client's address (TRUST_PROXY, Fastify's
   * trustProxy): false (default: the TCP peer is the client), true (any), or the proxies' addresses/CIDRs. Behind a
   * reverse proxy, without it every client has the proxy's address, so one client's failed keys
   * throttle everyone's (http/rate-limit.ts counts requests without a valid key per address).
   */
  trustProxy: boolean | string[];
  /** How long a request waits for another one holding the same Idempotency-Key before a 409 (seconds). */
  idempotencyLockTimeoutSeconds: number;
  /** Held supplier updates expire this many days after they arrived (HELD_UPDATE_DAYS). */
  heldUpdateDays: number;
  /** How many unexpired held supplier updates one retailer may have (HELD_UPDATE_LIMIT). */
  heldUpdateLimit: number;
  /** HTTP worker processes of `serve` (WEB_CONCURRENCY or --workers; default 1; DESIGN 4d). */
  workers: number;
  /** Requests per minute per API key (and per address without a valid key); 0 turns limiting off. DESIGN 4d. */
  rateLimitPerMinute: number;
  /** Redis for shared rate-limit counts; null: the service's own database (or memory in one process). */
  redisUrl: string | null;
  /** Bearer token GET /metrics requires; null: /metrics is open (keep it off the public network). */
  metricsToken: string | null;
  /** Webhook delivery (DESIGN 4b): WEBHOOKS_ALLOW_PRIVATE_URLS, WEBHOOK_RETRY_DELAYS. */
  webhooks: WebhookConfig;
}

export interface WebhookConfig {
  allowPrivateUrls: boolean;
  /** Seconds before each retry; the schedule of DESIGN 4b unless WEBHOOK_RETRY_DELAYS replaces it. */
  retryDelaysSeconds: readonly number[];
}

/** DOCUMENT_MAX_BYTES default: 50 MB (DESIGN 3, issue 7). */
export const DEFAULT_DOCUMENT_MAX_BYTES = 50 * 1024 * 1024;
/** An integer in [min, max] from the environment, or its default; a ConfigError naming the variable otherwise. */
function integerVariable(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}: expected an integer ${min}–${max}, got "${raw}"`);
  }
  return value;
}

export class ConfigError extends Error {}

/**
 * TRUST_PROXY: `false`/unset, `true`, or comma-separated IP addresses and CIDR ranges of the proxies. No hop count:
 * Fastify believes no one for a bare count (it cannot tell a proxy from a client claiming hops).
 */
export function parseTrustProxy(raw: string | undefined): boolean | string[] {
  const value = (raw ?? '').trim();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  const entries = value.split(',').map((e) => e.trim());
  const cidr = (e: string) => {
    const [address, bits, extra] = e.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) return false;
    return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  };
  if (entries.every(cidr)) return entries;
  throw new ConfigError(`TRUST_PROXY: expected true, false, or comma-separated addresses/CIDRs (10.0.0.0/8,127.0.0.1), got "${value}"`);
}

/** `dir`, created when missing; a ConfigError naming `variable` when it cannot be created or written to. */
function usableDirectory(dir: string, variable: string): string {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new ConfigError(`${variable}: the folder ${dir} cannot be created or written to (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return dir;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseDatabaseUrl(raw: string): DatabaseConfig {
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) return { kind: 'postgres', url: raw };
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length);
    if (!file) throw new ConfigError('DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/ordersync.db');
    return { kind: 'sqlite', file: file === ':memory:' ? file : resolve(file) };
  }
  throw new ConfigError(`DATABASE_URL: expected sqlite:<file> or postgres://…, got "${raw.split(':')[0]}:…"`);
}

/**
 * Reads and validates the environment. Every problem is reported with the variable's name;
 * on SQLite a missing ORDERSYNC_SECRET is generated into the data directory (mode 0600).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 8080 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT: expected an integer 0–65535, got "${env.PORT}"`);
  }
  const host = env.HOST || '0.0.0.0';
  const database = parseDatabaseUrl(env.DATABASE_URL || 'sqlite:./data/ordersync.db');
  const synchronous = (env.SQLITE_SYNCHRONOUS || 'normal').toLowerCase();
  if (synchronous !== 'normal' && synchronous !== 'full') {
    throw new ConfigError(`SQLITE_SYNCHRONOUS: expected normal or full, got "${env.SQLITE_SYNCHRONOUS}"`);
  }
  if (database.kind === 'sqlite') {
    database.synchronous = synchronous;
    database.cacheMb = integerVariable(env, 'SQLITE_CACHE_MB', 128, 1, 65_536);
  }
  const idempotencyLockTimeoutSeconds = integerVariable(env, 'IDEMPOTENCY_LOCK_TIMEOUT_SECONDS', 10, 1, 3600);
  const heldUpdateDays = integerVariable(env, 'HELD_UPDATE_DAYS', 90, 1, 36500);
  const heldUpdateLimit = integerVariable(env, 'HELD_UPDATE_LIMIT', 100_000, 1, 100_000_000);
  const inboxStableSeconds = integerVariable(env, 'INBOX_STABLE_SECONDS', 2, 1, 3600);
  const shutdownTimeoutSeconds = integerVariable(env, 'SHUTDOWN_TIMEOUT_SECONDS', 30, 1, 3600);
  const trustProxy = parseTrustProxy(env.TRUST_PROXY);
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  let publicUrl = env.PUBLIC_URL || `http://localhost:${port}`;
  try {
    const url = new URL(publicUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new ConfigError(`PUBLIC_URL: expected an http(s) URL, got "${publicUrl}"`);
  }
  publicUrl = publicUrl.replace(/\/+$/, '');
  const documentMaxBytes = env.DOCUMENT_MAX_BYTES === undefined || env.DOCUMENT_MAX_BYTES === ''
    ? DEFAULT_DOCUMENT_MAX_BYTES : Number(env.DOCUMENT_MAX_BYTES);
  if (!Number.isSafeInteger(documentMaxBytes) || documentMaxBytes < 1) {
    throw new ConfigError(`DOCUMENT_MAX_BYTES: expected a whole number of bytes ≥ 1, got "${env.DOCUMENT_MAX_BYTES}"`);
  }
  const inboxDir = env.INBOX_DIR ? usableDirectory(resolve(env.INBOX_DIR), 'INBOX_DIR') : null;
  const workers = parseWorkers(env.WEB_CONCURRENCY, 'WEB_CONCURRENCY') ?? 1;
  const secret = resolveSecret(env.ORDERSYNC_SECRET, database);
  const rateLimitPerMinute = env.RATE_LIMIT_PER_MINUTE === undefined || env.RATE_LIMIT_PER_MINUTE === ''
    ? 600 : Number(env.RATE_LIMIT_PER_MINUTE);
  if (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 0) {
    throw new ConfigError(`RATE_LIMIT_PER_MINUTE: expected a whole number ≥ 0 (0 turns limits off), got "${env.RATE_LIMIT_PER_MINUTE}"`);
  }
  const redisUrl = env.REDIS_URL || null;
  if (redisUrl !== null && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError(`REDIS_URL: expected redis://… or rediss://…, got "${redisUrl.split(':')[0]}:…"`);
  }
  const metricsToken = env.METRICS_TOKEN || null;
  return {
    port, host, database, secret, publicUrl, logLevel, workers, rateLimitPerMinute, redisUrl, metricsToken, documentMaxBytes,
    inboxDir, inboxStableSeconds, webhooks: loadWebhookConfig(env), idempotencyLockTimeoutSeconds, heldUpdateDays, heldUpdateLimit,
    shutdownTimeoutSeconds, trustProxy,
  };
}

/** WEBHOOKS_ALLOW_PRIVATE_URLS (true|false, default false) and WEBHOOK_RETRY_DELAYS (comma-separated seconds). */
export function loadWebhookConfig(env: NodeJS.ProcessEnv = process.env): WebhookConfig {
  const allow = env.WEBHOOKS_ALLOW_PRIVATE_URLS ?? '';
  if (!['', 'true', 'false'].includes(allow)) throw new ConfigError(`WEBHOOKS_ALLOW_PRIVATE_URLS: expected true or false, got "${allow}"`);
  let retryDelaysSeconds: readonly number[] = DEFAULT_RETRY_DELAYS_SECONDS;
  if (env.WEBHOOK_RETRY_DELAYS !== undefined && env.WEBHOOK_RETRY_DELAYS !== '') {
    const parsed = parseRetryDelays(env.WEBHOOK_RETRY_DELAYS);
    if (typeof parsed === 'string') throw new ConfigError(`WEBHOOK_RETRY_DELAYS: ${parsed}`);
    retryDelaysSeconds = parsed;
  }
  return { allowPrivateUrls: allow === 'true', retryDelaysSeconds };
}

/** A worker count (1–256) from `name` (WEB_CONCURRENCY, --workers); undefined when not given. */
export function parseWorkers(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 256) throw new ConfigError(`${name}: expected a whole number of workers 1–256, got "${raw}"`);
  return n;
}

function resolveSecret(given: string | undefined, database: DatabaseConfig): string {
  if (given !== undefined && given !== '') {
    if (given.length < 32) throw new ConfigError('ORDERSYNC_SECRET: must be at least 32 characters');
    return given;
  }
  if (database.kind === 'postgres') {
    throw new ConfigError('ORDERSYNC_SECRET: required with PostgreSQL (at least 32 random characters)');
  }
  // Embedded default: keep a generated secret beside the database file, readable by its owner only.
  const dir = database.file === ':memory:' ? resolve('data') : dirname(database.file);
  const file = join(dir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}

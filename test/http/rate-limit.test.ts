// Rate limits per API key (DESIGN 4d, 2.2) on SQLite and PostgreSQL: the limit and its 429 envelope with
// Retry-After, RateLimit-* headers on every limited response, another key unaffected, one count shared by two
// service instances on one database (and through Redis), addresses throttled for failed keys before their key
// is checked, and the probes exempt.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { openDatabase, type Db } from '../../src/db/database.ts';
import type { RateLimitOptions } from '../../src/http/rate-limit.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { TestDatabases, type TestDatabase } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';
import { ConsoleClient } from '../console/support.ts';

const databases = TestDatabases.create();
const LIMIT = 5;
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function appOn(db: Db, rateLimit: RateLimitOptions): Promise<FastifyInstance> {
  const app = await buildApp({ config: TEST_CONFIG, db, logger: false, rateLimit });
  await app.ready();
  return app;
}

/** A second connection to the same database, as another process of the service would have. */
function secondConnection(database: TestDatabase): { db: Db; close(): Promise<void> } {
  if (database.id === 'SQLITE') return openDatabase({ kind: 'sqlite', file: database.url.slice('sqlite:'.length) });
  return openDatabase({ kind: 'postgres', url: database.url }, { searchPath: database.schema, poolSize: 2 });
}

const lookUp = (app: FastifyInstance, key: string, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'GET', url: '/api/v2/orders/by-po/NOPE', headers: { 'x-api-key': key }, remoteAddress });

/**
 * The database store counts in fixed one-minute windows (store/rate-limits.ts), so a test whose requests straddle
 * a minute boundary sees its count start again: begin such a test at least `marginMs` before the boundary.
 */
async function clearOfWindowEdge(marginMs = 10_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

async function redisAvailable(): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

describe.each(databases.eachSupportedId())('rate limits on %s', (databaseId) => {
  let database: TestDatabase;
  let keyA: string;
  let keyB: string;
  let keyC: string;
  let keyD: string;
  let keyE: string;
  let memoryApp: FastifyInstance;
  let sharedApps: FastifyInstance[];
  let other: { db: Db; close(): Promise<void> };

  beforeAll(async () => {
    database = await databases.init(databaseId);
    const { retailer } = await ensureRetailer(database.db, 'limited-golf');
    [keyA, keyB, keyC, keyD, keyE] = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(async (name) =>
      (await createApiKey(database.db, retailer.id, name, ['read'])).secret));
    memoryApp = await appOn(database.db, { perMinute: LIMIT, store: 'memory' });
    other = secondConnection(database);
    sharedApps = [
      await appOn(database.db, { perMinute: LIMIT, store: 'database' }),
      await appOn(other.db, { perMinute: LIMIT, store: 'database' }),
    ];
  });
  afterAll(async () => {
    await Promise.all([memoryApp, ...sharedApps].map((app) => app.close()));
    await other.close();
  });

  it(`admits ${LIMIT} requests a minute per key with RateLimit headers, then 429 rate_limited with Retry-After`, async () => {
    for (let i = 1; i <= LIMIT; i++) {
      const response = await lookUp(memoryApp, keyA);
      expect(response.statusCode).toBe(404);
      expect(response.headers['ratelimit-limit']).toBe(String(LIMIT));
      expect(response.headers['ratelimit-remaining']).toBe(String(LIMIT - i));
      const reset = Number(response.headers['ratelimit-reset']);
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(60);
    }
    const refused = await lookUp(memoryApp, keyA);
    expect(refused.statusCode).toBe(429);
    const body = refused.json();
    expect(body).toMatchObject({ error: 'rate_limited', errorCode: 429, request_id: refused.headers['x-request-id'] });
    expect(body.message).toMatch(/retry in \d+ s/);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit-remaining']).toBe('0');
  });

  it('another key is unaffected by one key being over its limit', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await lookUp(memoryApp, keyB)).statusCode).toBe(404);
    expect((await lookUp(memoryApp, keyA)).statusCode).toBe(429);
    expect((await lookUp(memoryApp, keyB)).statusCode).toBe(429);
  });

  it('two service instances on one database share one count per key', async () => {
    await clearOfWindowEdge();
    const [first, second] = sharedApps;
    for (let i = 0; i < 3; i++) expect((await lookUp(first, keyC)).statusCode).toBe(404);
    const fourth = await lookUp(second, keyC);
    expect(fourth.statusCode).toBe(404);
    expect(fourth.headers['ratelimit-remaining']).toBe(String(LIMIT - 4));
    expect((await lookUp(second, keyC)).statusCode).toBe(404);
    expect((await lookUp(first, keyC)).statusCode).toBe(429);
    expect((await lookUp(second, keyC)).statusCode).toBe(429);
    // ...and the other key still has its whole allowance on both.
    expect((await lookUp(first, keyD)).headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
    expect((await lookUp(second, keyD)).headers['ratelimit-remaining']).toBe(String(LIMIT - 2));
  });

  it('a key over its limit is refused without counting: its burst writes nothing more to the shared store', async () => {
    await clearOfWindowEdge();
    const [first, second] = sharedApps;
    const counted = async () => Number((await database.db.selectFrom('rate_limit_counters').select('count')
      .where('bucket', 'like', '%key:%').orderBy('window_start', 'desc').execute())
      .reduce((sum, row) => sum + Number(row.count), 0));
    for (let i = 0; i < LIMIT; i++) expect((await lookUp(sharedApps[i % 2], keyE)).statusCode).toBe(404);
    expect((await lookUp(first, keyE)).statusCode).toBe(429);
    expect((await lookUp(second, keyE)).statusCode).toBe(429);
    const before = await counted();
    for (let i = 0; i < 20; i++) {
      const refused = await lookUp(sharedApps[i % 2], keyE);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['ratelimit-limit']).toBe(String(LIMIT));
      expect(refused.headers['ratelimit-remaining']).toBe('0');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['ratelimit-reset'])).toBe(Number(refused.headers['retry-after']));
    }
    expect(await counted()).toBe(before);
  });

  it('counts requests without a valid key per address, and then refuses that address before checking its key', async () => {
    const app = await appOn(database.db, { perMinute: LIMIT, store: 'memory' });
    try {
      const guesser = '203.0.113.7';
      for (let i = 0; i < LIMIT; i++) {
        const guess = await lookUp(app, `pk_live_${String(i).padStart(40, 'x')}`, guesser);
        expect(guess.statusCode).toBe(401);
      }
      const missing = await app.inject({ method: 'GET', url: '/api/v2/orders/by-po/NOPE', remoteAddress: guesser });
      expect(missing.statusCode).toBe(429);
      expect(missing.json().error).toBe('rate_limited');
      // Even a valid key from that address waits: the address is refused before any key look-up.
      const valid = await lookUp(app, keyD, guesser);
      expect(valid.statusCode).toBe(429);
      expect(Number(valid.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // Another address with a valid key is served.
      expect((await lookUp(app, keyD, '198.51.100.2')).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('the console sign-in counts wrong keys against the address too, and then refuses it with 429', async () => {
    const app = await appOn(database.db, { perMinute: LIMIT, store: 'memory' });
    try {
      const browser = new ConsoleClient(app);
      await browser.get('/console/sign-in');
      const csrf = browser.csrfToken();
      for (let i = 0; i < LIMIT; i++) {
        const wrong = await browser.post('/console/sign-in', { api_key: `pk_live_${String(i).padStart(40, 'y')}` }, csrf);
        expect(wrong.statusCode).toBe(401);
      }
      const refused = await browser.post('/console/sign-in', { api_key: 'pk_live_'.padEnd(48, 'z') }, csrf);
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.body).toMatch(/Too many requests/);
      // A right key from the same address waits as well: the address is refused before its key is looked up.
      expect((await browser.post('/console/sign-in', { api_key: keyD }, csrf)).statusCode).toBe(429);
    } finally {
      await app.close();
    }
  });

  it('the probes are never limited', async () => {
    for (let i = 0; i < LIMIT * 3; i++) {
      expect((await memoryApp.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await memoryApp.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    }
  });
});

describe('rate limits through Redis (REDIS_URL)', () => {
  const sqlite = TestDatabases.create({ ids: ['SQLITE'] });
  it('two service instances share one count per key', async (context) => {
    if (!(await redisAvailable())) {
      if (process.env.CI) throw new Error(`Redis is not reachable at ${REDIS_URL}`);
      context.skip();
    }
    const database = await sqlite.init('SQLITE');
    const { retailer } = await ensureRetailer(database.db, 'redis-golf');
    const { secret } = await createApiKey(database.db, retailer.id, 'r', ['read']);
    const options: RateLimitOptions = { perMinute: LIMIT, store: 'redis', redisUrl: REDIS_URL };
    const apps = [await appOn(database.db, options), await appOn(database.db, options)];
    try {
      for (let i = 0; i < LIMIT; i++) expect((await lookUp(apps[i % 2], secret)).statusCode).toBe(404);
      expect((await lookUp(apps[0], secret)).statusCode).toBe(429);
      expect((await lookUp(apps[1], secret)).statusCode).toBe(429);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
    }
  });
});

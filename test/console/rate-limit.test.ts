// The console counts against its key's rate limit (DESIGN 4d: RATE_LIMIT_PER_MINUTE shared by all of a key's
// requests). A session's pages were not counted at all, so a script holding a console cookie could read POs at any
// rate while the same key's API calls were refused. Now the API and the console share one count per key; over it
// the console shows its own 429 page with Retry-After, and another key is untouched.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, TEST_CONFIG, type World } from '../support/world.ts';
import { ConsoleClient, pageText } from './support.ts';

const databases = TestDatabases.create({ ids: ['SQLITE'] });
const LIMIT = 6;

describe('console requests and the key\'s rate limit', () => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = (await databases.init('SQLITE')).db;
    world = await createWorld(db);
    app = await buildApp({ config: TEST_CONFIG, db, logger: false, rateLimit: { perMinute: LIMIT, store: 'memory' } });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('the API and the console share one count per key; over it the console says so on a page', async () => {
    const c = new ConsoleClient(app);
    expect((await c.signIn(world.keys.a)).statusCode).toBe(303);
    const first = await c.get('/console/orders');
    expect(first.statusCode).toBe(200);
    expect(first.headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
    // Assets come with every page and are not counted.
    expect((await c.get('/console/assets/console.css')).headers['ratelimit-remaining']).toBeUndefined();
    const api = await app.inject({ method: 'GET', url: '/api/v2/orders/by-po/NOPE', headers: { 'x-api-key': world.keys.a } });
    expect(api.headers['ratelimit-remaining']).toBe(String(LIMIT - 2));
    for (let i = 0; i < LIMIT - 2; i++) expect((await c.get('/console/orders')).statusCode).toBe(200);
    const over = await c.get('/console/orders');
    expect(over.statusCode).toBe(429);
    expect(over.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(pageText(over.body)).toContain('Too many requests for this API key');
    const apiOver = await app.inject({ method: 'GET', url: '/api/v2/orders/by-po/NOPE', headers: { 'x-api-key': world.keys.a } });
    expect(apiOver.statusCode).toBe(429);
    // Another key of the same retailer keeps its whole allowance.
    const other = new ConsoleClient(app);
    await other.signIn(world.keys.aAll);
    expect((await other.get('/console/orders')).headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
  });
});

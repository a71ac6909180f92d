// Rate limits behind a reverse proxy (DESIGN 4d: one key's burst never slows another key; README "Running in
// production"). Requests without a valid key are counted per client address, and an address over its allowance is
// refused before its key is looked up. Behind a proxy every request came from the proxy's address, so one client's
// wrong keys (a guesser, an integration still sending a revoked key) got every other client's valid key a 429.
// TRUST_PROXY names the proxies whose X-Forwarded-For is believed; by default it is believed from no one, so a
// guesser cannot dodge its address count by making addresses up.
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { TestDatabases } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';

const databases = TestDatabases.create({ ids: ['SQLITE'] });
const LIMIT = 3;
const PROXY = '10.0.0.5';

describe('rate limits behind a reverse proxy', () => {
  let db: Db;
  let key: string;
  beforeAll(async () => {
    db = (await databases.init('SQLITE')).db;
    const { retailer } = await ensureRetailer(db, 'proxied-golf');
    key = (await createApiKey(db, retailer.id, 'erp', ['read'])).secret;
  });

  async function appTrusting(trustProxy: boolean | string[]): Promise<FastifyInstance> {
    const app = await buildApp({ config: { ...TEST_CONFIG, trustProxy }, db, logger: false, rateLimit: { perMinute: LIMIT, store: 'memory' } });
    await app.ready();
    return app;
  }
  const through = (app: FastifyInstance, client: string, apiKey: string) => app.inject({
    method: 'GET', url: '/api/v2/orders/by-po/NOPE', remoteAddress: PROXY,
    headers: { 'x-api-key': apiKey, 'x-forwarded-for': client },
  });

  it.each([[[`${PROXY}`]], [['10.0.0.0/8']], [true]])('TRUST_PROXY=%j: one client\'s wrong keys do not throttle another client\'s valid key', async (trust) => {
    const app = await appTrusting(trust);
    try {
      for (let i = 0; i <= LIMIT; i++) await through(app, '203.0.113.7', `pk_live_${String(i).padStart(40, 'x')}`);
      expect((await through(app, '203.0.113.7', key)).statusCode).toBe(429);
      expect((await through(app, '198.51.100.2', key)).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('without TRUST_PROXY, X-Forwarded-For is not believed: a guesser cannot dodge its count with made-up addresses', async () => {
    const app = await appTrusting(false);
    try {
      for (let i = 0; i <= LIMIT; i++) await through(app, `192.0.2.${i}`, `pk_live_${String(i).padStart(40, 'x')}`);
      expect((await through(app, '192.0.2.200', `pk_live_${'y'.repeat(40)}`)).statusCode).toBe(429);
    } finally {
      await app.close();
    }
  });
});

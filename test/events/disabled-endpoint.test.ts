// A disabled webhook endpoint is sent nothing (DESIGN 4b), so a manual retry or a test ping of it is a 409 that says
// so, not a 202 for a delivery that would wait unseen; once enabled, both work. rotate_secret answers with the
// endpoint as it is after the rotation.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { recordEvent } from '../../src/store/events.ts';
import { TestDatabases } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';
import { call, makeShop, type Shop } from './support.ts';

const databases = TestDatabases.create();
const PATH = '/api/v2/webhook_endpoints';

describe.each(databases.eachSupportedId())('a disabled webhook endpoint on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let shop: Shop;

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    shop = await makeShop(db, 'fairway');
    app = await buildApp({ config: TEST_CONFIG, db, logger: false, webhooks: { allowPrivate: true } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses a retry or a test of a disabled endpoint with 409 saying why; both work again once it is enabled', async () => {
    const endpoint = await call(app, shop.adminKey, 'POST', PATH, { url: 'http://127.0.0.1:9/hooks', enabled_events: ['*'] }, 201);
    await db.transaction().execute((trx) => recordEvent(trx, shop.retailerId, 'sync_run.failed', { connection_id: 'c', run_id: 'r', error: 'e' }));
    const [delivery] = (await call(app, shop.adminKey, 'GET', `${PATH}/${endpoint.id}/deliveries`, undefined, 200)).data;
    await db.updateTable('webhook_deliveries').set({ status: 'failed' }).where('id', '=', delivery.id).execute();
    // Disabled as a 410 Gone does it.
    await db.updateTable('webhook_endpoints').set({ enabled: 0, disabled_reason: 'The endpoint answered 410 Gone.' }).where('id', '=', endpoint.id).execute();

    const retried = await call(app, shop.adminKey, 'POST', `${PATH}/${endpoint.id}/deliveries/${delivery.id}/retry`, undefined, 409);
    expect(retried.error).toBe('conflict');
    expect(retried.message).toMatch(/is disabled \(The endpoint answered 410 Gone\.\).*PATCH \{"enabled": true\}/);
    const tested = await call(app, shop.adminKey, 'POST', `${PATH}/${endpoint.id}/test`, undefined, 409);
    expect(tested.message).toMatch(/is disabled/);
    const listed = (await call(app, shop.adminKey, 'GET', `${PATH}/${endpoint.id}/deliveries`, undefined, 200)).data;
    expect(listed.map((d: { id: string; status: string }) => [d.id, d.status])).toEqual([[delivery.id, 'failed']]);

    await call(app, shop.adminKey, 'PATCH', `${PATH}/${endpoint.id}`, { enabled: true }, 200);
    expect(await call(app, shop.adminKey, 'POST', `${PATH}/${endpoint.id}/deliveries/${delivery.id}/retry`, undefined, 202))
      .toEqual({ id: delivery.id, status: 'pending' });
    const ping = await call(app, shop.adminKey, 'POST', `${PATH}/${endpoint.id}/test`, undefined, 202);
    expect(ping.event_id).toMatch(/^evt_/);
  });

  it('rotate_secret answers with the endpoint as it is after the rotation', async () => {
    const endpoint = await call(app, shop.adminKey, 'POST', PATH, { url: 'http://127.0.0.1:9/rotated', enabled_events: ['*'] }, 201);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const rotated = await call(app, shop.adminKey, 'POST', `${PATH}/${endpoint.id}/rotate_secret`, undefined, 200);
    const now = await call(app, shop.adminKey, 'GET', `${PATH}/${endpoint.id}`, undefined, 200);
    expect(rotated.updated_at).toBe(now.updated_at);
    expect(rotated.updated_at).not.toBe(endpoint.updated_at);
    expect(rotated.secret).not.toBe(endpoint.secret);
  });
});

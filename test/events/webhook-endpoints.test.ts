// Contract tests of /api/v2/webhook_endpoints (DESIGN 4b) on SQLite and PostgreSQL: every route and error,
// admin scope, isolation, the secret shown once and stored encrypted, enabled_events validated, and the SSRF
// guard refusing every kind of address at create and change, and at delivery (DNS rebinding).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import type { Resolve } from '../../src/events/url-guard.ts';
import { recordEvent } from '../../src/store/events.ts';
import { TestDatabases } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';
import { call, dropBossSchema, makeShop, startReceiver, testDeliverer, type Shop } from './support.ts';

const databases = TestDatabases.create();
const PATH = '/api/v2/webhook_endpoints';

/** Names a test points anywhere: a public address at create, 127.0.0.1 later (DNS rebinding). */
const pointing = new Map<string, string>([['hooks.example.test', '93.184.216.34'], ['rebind.example.test', '93.184.216.34']]);
const resolve: Resolve = async (hostname) => {
  const address = pointing.get(hostname);
  if (address === undefined) throw new Error('ENOTFOUND');
  return [{ address, family: address.includes(':') ? 6 : 4 }];
};

describe.each(databases.eachSupportedId())('/api/v2/webhook_endpoints on %s', (databaseId) => {
  let db: Db;
  let url: string;
  let app: FastifyInstance;
  let permissive: FastifyInstance;
  let shop: Shop;
  let other: Shop;

  beforeAll(async () => {
    ({ db, url } = await databases.init(databaseId));
    shop = await makeShop(db, 'fairway');
    other = await makeShop(db, 'elsewhere');
    app = await buildApp({ config: TEST_CONFIG, db, logger: false, webhooks: { allowPrivate: false, resolve } });
    permissive = await buildApp({ config: TEST_CONFIG, db, logger: false, webhooks: { allowPrivate: true, resolve } });
  });
  afterAll(async () => {
    await app?.close();
    await permissive?.close();
    if (databaseId === 'POSTGRES' && db) await dropBossSchema(db, url);
  });

  it('create shows the secret once; list, get, patch, delete; the secret is stored encrypted', async () => {
    const created = await call(app, shop.adminKey, 'POST', PATH,
      { url: 'https://hooks.example.test/in', enabled_events: ['shipment.created', 'purchase_order.status_changed'], description: 'ERP' }, 201);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^we_/), url: 'https://hooks.example.test/in', enabled_events: ['shipment.created', 'purchase_order.status_changed'],
      description: 'ERP', enabled: true, disabled_reason: null, created_at: expect.stringMatching(/\+00:00$/),
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    const stored = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(created.secret.slice(6));

    const got = await call(app, shop.adminKey, 'GET', `${PATH}/${created.id}`, undefined, 200);
    expect(got.secret).toBeUndefined();
    const list = await call(app, shop.adminKey, 'GET', PATH, undefined, 200);
    expect(list.data.map((e: { id: string }) => e.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain('whsec_');

    const patched = await call(app, shop.adminKey, 'PATCH', `${PATH}/${created.id}`, { enabled_events: ['*'], description: null, enabled: false }, 200);
    expect(patched).toMatchObject({ enabled_events: ['*'], description: null, enabled: false, disabled_reason: expect.any(String) });
    expect((await call(app, shop.adminKey, 'PATCH', `${PATH}/${created.id}`, { enabled: true }, 200)).disabled_reason).toBeNull();
    await call(app, shop.adminKey, 'PATCH', `${PATH}/${created.id}`, {}, 400);

    await call(app, shop.adminKey, 'DELETE', `${PATH}/${created.id}`, undefined, 204);
    await call(app, shop.adminKey, 'GET', `${PATH}/${created.id}`, undefined, 404);
    await call(app, shop.adminKey, 'DELETE', `${PATH}/${created.id}`, undefined, 404);
  });

  it('honours Idempotency-Key on create: a retry replays the first response and makes no second endpoint', async () => {
    const body = JSON.stringify({ url: 'https://hooks.example.test/idem', enabled_events: ['*'] });
    const send = () => app.inject({
      method: 'POST', url: PATH, payload: body,
      headers: { 'x-api-key': shop.adminKey, 'content-type': 'application/json', 'idempotency-key': `we-${databaseId}` },
    });
    const first = await send();
    const again = await send();
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const rows = await db.selectFrom('webhook_endpoints').select('id').where('url', '=', 'https://hooks.example.test/idem').execute();
    expect(rows).toHaveLength(1);
  });

  it('validates enabled_events and the body, naming the field', async () => {
    const bad = async (body: object, field: string) => {
      const error = await call(app, shop.adminKey, 'POST', PATH, body, 400);
      expect(error.error).toBe('validation_failed');
      expect(error.details.map((d: { field: string }) => d.field)).toContain(field);
    };
    await bad({ url: 'https://hooks.example.test/', enabled_events: ['shipment.exploded'] }, 'body.enabled_events[0]');
    await bad({ url: 'https://hooks.example.test/', enabled_events: ['*', 'shipment.created'] }, 'body.enabled_events');
    await bad({ url: 'https://hooks.example.test/', enabled_events: [] }, 'body.enabled_events');
    await bad({ url: 'https://hooks.example.test/' }, 'body.enabled_events');
    await bad({ enabled_events: ['*'] }, 'body.url');
    await bad({ url: 'https://hooks.example.test/', enabled_events: ['*'], colour: 'red' }, 'body.colour');
  });

  it('refuses URLs it must not call (400 naming url), the private ones unless allowed, link-local never', async () => {
    const refused = async (target: FastifyInstance, url: string, reason: RegExp) => {
      const error = await call(target, shop.adminKey, 'POST', PATH, { url, enabled_events: ['*'] }, 400);
      expect(error.details[0].field).toBe('body.url');
      expect(error.details[0].message).toMatch(reason);
    };
    await refused(app, 'ftp://hooks.example.test/in', /scheme/);
    await refused(app, 'file:///etc/passwd', /scheme/);
    await refused(app, 'https://user:pw@hooks.example.test/in', /credentials/);
    await refused(app, 'not-a-url', /absolute/);
    await refused(app, 'not a url', /spaces/);
    await refused(app, 'http://127.0.0.1:9400/in', /loopback/);
    await refused(app, 'http://[::1]/in', /loopback/);
    await refused(app, 'http://10.1.2.3/in', /private/);
    await refused(app, 'http://192.168.0.10/in', /private/);
    await refused(app, 'http://[fc00::1]/in', /uniqueLocal/);
    await refused(app, 'http://[::ffff:127.0.0.1]/in', /loopback/);
    // IPv6 forms carrying an IPv4 address: IPv4-compatible (the WHATWG parser writes it ::7f00:1), NAT64, 6to4.
    await refused(app, 'http://[::127.0.0.1]:47091/ssrf', /127\.0\.0\.1 is a loopback/);
    await refused(app, 'http://[64:ff9b::127.0.0.1]/in', /loopback/);
    await refused(app, 'http://[2002:7f00:1::1]/in', /loopback/);
    await refused(app, 'http://no-such-host.example.test/in', /does not resolve/);
    // A name resolving to 127.0.0.1 (the system resolver's localhost).
    const local = await buildApp({ config: TEST_CONFIG, db, logger: false, webhooks: { allowPrivate: false } });
    await refused(local, 'http://localhost:9400/in', /resolves to a refused address: 127\.0\.0\.1 is a loopback/);
    await local.close();
    // Allowed private networks admit loopback and private ranges, never link-local or metadata.
    await call(permissive, shop.adminKey, 'POST', PATH, { url: 'http://127.0.0.1:9400/in', enabled_events: ['*'] }, 201);
    await call(permissive, shop.adminKey, 'POST', PATH, { url: 'http://10.1.2.3/in', enabled_events: ['*'] }, 201);
    await refused(permissive, 'http://169.254.169.254/latest/meta-data/', /linkLocal/);
    await refused(permissive, 'http://[fe80::1]/in', /linkLocal/);
    await refused(permissive, 'http://[fd00:ec2::254]/in', /metadata/);
    await refused(permissive, 'http://[::169.254.169.254]/x', /169\.254\.169\.254 is a linkLocal/);
    await refused(permissive, 'http://[::a9fe:a9fe]/x', /169\.254\.169\.254 is a linkLocal/);
    await refused(permissive, 'http://[::10.0.0.1]/x', /ipv4Compatible/);
    await refused(permissive, 'http://[::ffff:169.254.169.254]/x', /linkLocal/);
    await refused(permissive, 'http://[64:ff9b::169.254.169.254]/x', /169\.254\.169\.254 is a linkLocal/);
    await refused(permissive, 'http://[2002:a9fe:a9fe::1]/x', /169\.254\.169\.254 is a linkLocal/);
    await refused(permissive, 'http://[2001:0:4136:e378:8000:63bf:5601:5601]/x', /169\.254\.169\.254 is a linkLocal/);
    await refused(permissive, 'http://0.0.0.0/x', /unspecified/);
    // What the URL parser would drop without a word (a tab inside the host, a space before the scheme), a zone.
    await refused(permissive, 'https://hooks.exam\tple.test/in', /control characters/);
    await refused(permissive, ' https://hooks.example.test/in', /spaces/);
    await refused(permissive, 'http://[fe80::1%25eth0]/in', /IPv6 zone/);
    // PATCH is checked too.
    const endpoint = await call(app, shop.adminKey, 'POST', PATH, { url: 'https://hooks.example.test/in', enabled_events: ['*'] }, 201);
    const error = await call(app, shop.adminKey, 'PATCH', `${PATH}/${endpoint.id}`, { url: 'http://127.0.0.1/in' }, 400);
    expect(error.details[0].field).toBe('body.url');
  });

  it.each([
    ['127.0.0.1', 'rebind.example.test'],
    ['::7f00:1', 'rebind-compatible.example.test'], // IPv4-compatible ::127.0.0.1, as a resolver returns it
  ])('checks the address connected to at delivery: a name rebound to %s is refused', async (rebound, name) => {
    const receiver = await startReceiver();
    const port = new URL(receiver.url).port;
    await db.updateTable('webhook_endpoints').set({ enabled: 0 }).where('retailer_id', '=', shop.retailerId).execute();
    pointing.set(name, '93.184.216.34');
    const endpoint = await call(app, shop.adminKey, 'POST', PATH, { url: `http://${name}:${port}/hooks`, enabled_events: ['*'] }, 201);
    receiver.secrets = [endpoint.secret];
    pointing.set(name, rebound);
    const deliverer = testDeliverer(db, { allowPrivateUrls: false, resolve, retryDelaysSeconds: [] }, databaseId === 'POSTGRES' ? url : undefined).start();
    try {
      await db.transaction().execute((trx) => recordEvent(trx, shop.retailerId, 'sync_run.failed', { connection_id: 'c', run_id: 'r', error: 'e' }));
      await expect.poll(async () => (await call(app, shop.adminKey, 'GET', `${PATH}/${endpoint.id}/deliveries`)).data[0]?.status, { timeout: 5000 })
        .toBe('failed');
      const [delivery] = (await call(app, shop.adminKey, 'GET', `${PATH}/${endpoint.id}/deliveries`, undefined, 200)).data;
      expect(delivery.error).toMatch(/refused: .*127\.0\.0\.1 is a loopback/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await deliverer.stop();
      await receiver.close();
    }
  });

  it('admin scope only; another retailer\'s endpoint is a 404 on every route', async () => {
    const endpoint = await call(app, shop.adminKey, 'POST', PATH, { url: 'https://hooks.example.test/x', enabled_events: ['*'] }, 201);
    expect((await call(app, shop.readKey, 'GET', PATH, undefined, 403)).error).toBe('forbidden');
    await call(app, shop.readKey, 'POST', PATH, { url: 'https://hooks.example.test/x', enabled_events: ['*'] }, 403);
    const routes: [string, string, object?][] = [
      ['GET', `${PATH}/${endpoint.id}`], ['PATCH', `${PATH}/${endpoint.id}`, { description: 'x' }], ['DELETE', `${PATH}/${endpoint.id}`],
      ['POST', `${PATH}/${endpoint.id}/rotate_secret`], ['POST', `${PATH}/${endpoint.id}/test`], ['GET', `${PATH}/${endpoint.id}/deliveries`],
      ['POST', `${PATH}/${endpoint.id}/deliveries/whd_x/retry`],
    ];
    for (const [method, url, body] of routes) {
      expect((await call(app, other.adminKey, method as 'GET', url, body, 404)).error).toBe('not_found');
    }
    expect((await call(app, other.adminKey, 'GET', PATH, undefined, 200)).data).toEqual([]);
    await call(app, shop.adminKey, 'GET', `${PATH}/${endpoint.id}`, undefined, 200);
    await call(app, shop.adminKey, 'GET', `${PATH}/${endpoint.id}/deliveries?limit=0`, undefined, 400);
    // A `before` cursor must be one of this endpoint's deliveries.
    for (const before of ['garbage', 'whd_zzzz']) {
      const bad = await call(app, shop.adminKey, 'GET', `${PATH}/${endpoint.id}/deliveries?before=${before}`, undefined, 400);
      expect(bad.details).toEqual([{ field: 'query.before', message: `no delivery "${before}" of this endpoint (unknown, or older than 30 days)` }]);
    }
  });
});

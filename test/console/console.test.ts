// The web console over Fastify inject on SQLite and PostgreSQL (DESIGN 4c): sign-in and sessions (cookie flags,
// server-side rows, expiry, sign-out, revoked keys), CSRF refusal on every kind of form, scope gating, retailer
// isolation, search by each kind of id, the list's filters, lifecycle actions through the domain's rules, and
// the console's absence from the OpenAPI document. The browser walk is in browser.test.ts.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { displayPrefix } from '../../src/domain/api-keys.ts';
import { createApiKey, revokeApiKey, verifyApiKey } from '../../src/store/api-keys.ts';
import { createConsoleSession } from '../../src/store/console-sessions.ts';
import { createPurchaseOrder } from '../../src/store/purchase-order-lifecycle.ts';
import { createEndpoint } from '../../src/store/webhook-endpoints.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { TestDatabases } from '../support/test-database.ts';
import { buildTestApp, createWorld, TEST_CONFIG, TIMEZONE_A, type World } from '../support/world.ts';
import { ConsoleClient, pageText } from './support.ts';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('web console on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let world: World;

  beforeAll(async () => {
    db = (await databases.init(databaseId)).db;
    world = await createWorld(db);
    app = await buildTestApp(db);
  });
  afterAll(async () => {
    await app?.close();
  });

  const client = () => new ConsoleClient(app);
  const sessionRows = () => db.selectFrom('console_sessions').selectAll().execute();

  describe('sign-in', () => {
    it('offers a field labelled "API key" and sets only an HttpOnly, SameSite=Strict CSRF cookie', async () => {
      const c = client();
      const page = await c.get('/console/sign-in');
      expect(page.statusCode).toBe(200);
      expect(page.body).toMatch(/<label for="api-key">API key<\/label>/);
      expect(page.body).toMatch(/<input id="api-key" name="api_key" type="password"/);
      const csrfCookie = page.cookies.find((k) => k.name === 'ordersync_csrf');
      expect(csrfCookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    });

    it('refuses a wrong key with a clear message, sets no session and does not echo the key', async () => {
      const c = client();
      const wrong = 'pk_live_' + 'x'.repeat(40);
      const response = await c.signIn(wrong);
      expect(response.statusCode).toBe(401);
      expect(pageText(response.body)).toContain('That API key was not accepted: it is unknown, revoked or mistyped.');
      expect(response.body).not.toContain(wrong);
      expect(c.cookies.has('ordersync_console')).toBe(false);
      const revoked = await client().signIn(world.keys.aRevoked);
      expect(revoked.statusCode).toBe(401);
      const empty = await client().signIn('');
      expect(pageText(empty.body)).toContain('Paste your API key into the API key field.');
    });

    it('starts a server-side session in an HttpOnly, SameSite=Strict cookie that holds no key', async () => {
      const before = (await sessionRows()).length;
      const c = client();
      const response = await c.signIn(world.keys.aAll);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/console');
      expect((await c.get('/console')).headers.location).toBe('/console/orders');
      const cookie = response.cookies.find((k) => k.name === 'ordersync_console')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console', maxAge: 8 * 3600 });
      expect(cookie.value).not.toContain(world.keys.aAll);
      expect(cookie.value).not.toContain(displayPrefix(world.keys.aAll));
      const rows = await sessionRows();
      expect(rows.length).toBe(before + 1);
      // Only the token's hash is stored.
      expect(rows.some((row) => row.token_hash === cookie.value)).toBe(false);
      const page = await c.get('/console/orders');
      expect(page.statusCode).toBe(200);
      expect(page.body).toMatch(/<label for="site-search">Search<\/label>/);
    });

    it('a session survives a restart of the app (a new instance on the same database)', async () => {
      const c = client();
      await c.signIn(world.keys.a);
      const other = await buildTestApp(db);
      try {
        const response = await other.inject({ url: '/console/orders', headers: { cookie: c.cookieHeader() } });
        expect(response.statusCode).toBe(200);
      } finally {
        await other.close();
      }
    });

    it('starts a fresh session on every sign-in, ending the one the browser had', async () => {
      const c = client();
      await c.get('/console/sign-in');
      const token = c.csrfToken();
      await c.post('/console/sign-in', { api_key: world.keys.a });
      const first = c.cookies.get('ordersync_console')!;
      // The sign-in form again (a second tab opened before): the page itself now redirects a signed-in browser.
      const again = await c.post('/console/sign-in', { api_key: world.keys.aAll }, token);
      expect(again.statusCode).toBe(303);
      expect(c.cookies.get('ordersync_console')).not.toBe(first);
      const replay = await app.inject({ url: '/console/orders', headers: { cookie: `ordersync_console=${first}` } });
      expect(replay.statusCode).toBe(303);
    });

    it('sends a key without the read scope to the page it may use, and htmx requests to sign-in by HX-Redirect', async () => {
      const admin = await createApiKey(db, world.retailerA, 'admin only', ['admin']);
      const c = client();
      await c.signIn(admin.secret);
      expect((await c.get('/console')).headers.location).toBe('/console/keys');
      expect((await c.get('/console/orders')).statusCode).toBe(403);
      const polled = await app.inject({ url: '/console/connections/conn_x/runs', headers: { 'hx-request': 'true', cookie: 'ordersync_console=gone' } });
      expect(polled.statusCode).toBe(204);
      expect(polled.headers['hx-redirect']).toBe('/console/sign-in?expired=1');
    });

    it('refuses a key without the read or admin scope (write only), naming the scope it lacks; write and admin: the admin pages', async () => {
      const before = (await sessionRows()).length;
      const c = client();
      const response = await c.signIn(world.keys.aWriteOnly);
      expect(response.statusCode).toBe(403);
      const text = pageText(response.body);
      expect(text).toContain('This API key has only the "write" scope: the console needs a key with the "read" scope');
      expect(text).toContain('or the "admin" scope');
      expect(response.body).toMatch(/<input id="api-key" name="api_key" type="password"/);
      expect(response.body).not.toContain(world.keys.aWriteOnly);
      expect(c.cookies.has('ordersync_console')).toBe(false);
      expect((await sessionRows()).length).toBe(before);
      // A session such a key already had (started before this refusal) is told the same, with Sign out; no 500.
      const verified = (await verifyApiKey(db, world.keys.aWriteOnly))!;
      const { token } = await createConsoleSession(db, verified, 3_600_000);
      const home = await app.inject({ url: '/console', headers: { cookie: `ordersync_console=${token}` } });
      expect(home.statusCode).toBe(403);
      expect(pageText(home.body)).toContain('This API key has only the "write" scope');
      expect(home.body).toContain('action="/console/sign-out"');
      const orders = await app.inject({ url: '/console/orders', headers: { cookie: `ordersync_console=${token}` } });
      expect(orders.statusCode).toBe(403);
      expect(pageText(orders.body)).toContain('Your API key lacks the "read" scope this page needs.');
      // With admin beside write, the key signs in to the admin pages only.
      const writeAdmin = await createApiKey(db, world.retailerA, 'write and admin', ['write', 'admin']);
      const admin = client();
      expect((await admin.signIn(writeAdmin.secret)).statusCode).toBe(303);
      expect((await admin.get('/console')).headers.location).toBe('/console/keys');
      const keys = await admin.get('/console/keys');
      expect(keys.statusCode).toBe(200);
      const nav = /<nav aria-label="Console">([\s\S]*?)<\/nav>/.exec(keys.body)![1];
      expect(pageText(nav)).toBe('Connections Webhooks API keys');
      expect(keys.body).not.toContain('id="site-search"');
      for (const url of ['/console/orders', `/console/orders/${world.po.a1.po.id}`, '/console/search?q=PO-A1001', '/console/documents']) {
        const response = await admin.get(url);
        expect(response.statusCode, url).toBe(403);
        expect(pageText(response.body), url).toContain('lacks the "read" scope');
      }
    });

    it('a deep link survives signing in: the page asked for, not the home page; never a page off the console', async () => {
      const deep = `/console/orders/${world.po.a1.po.id}?done=open`;
      const c = client();
      const asked = await c.get(deep);
      expect(asked.headers.location).toBe(`/console/sign-in?expired=0&next=${encodeURIComponent(deep)}`);
      const form = await c.get(asked.headers.location as string);
      expect(form.body).toContain(`<input type="hidden" name="next" value="${deep.replace('&', '&amp;')}">`);
      const wrong = await c.post('/console/sign-in', { api_key: 'pk_live_wrong', next: deep });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.body).toContain('name="next"');
      const signedIn = await c.post('/console/sign-in', { api_key: world.keys.a, next: deep });
      expect(signedIn.statusCode).toBe(303);
      expect(signedIn.headers.location).toBe(deep);
      // Already signed in: the sign-in page passes straight on.
      expect((await c.get(`/console/sign-in?next=${encodeURIComponent('/console/documents')}`)).headers.location).toBe('/console/documents');
      // A POST (a form whose session ended) is not replayed, and htmx polls get no next.
      const poster = client();
      await poster.get('/console/sign-in');
      const post = await poster.post(`/console/orders/${world.po.a1.po.id}/status`, { status: 'open' });
      expect(post.headers.location).toBe('/console/sign-in?expired=0');
      const polled = await app.inject({ url: '/console/connections/conn_x/runs', headers: { 'hx-request': 'true' } });
      expect(polled.headers['hx-redirect']).toBe('/console/sign-in?expired=0');
      for (const evil of ['https://evil.example/console', '//evil.example/console', '/\\evil.example', '/console/../api/v2/orders',
        '/api/v2/orders', '/console/sign-out', '/consolex', 'javascript:alert(1)', '/console/%2e%2e/api']) {
        const other = client();
        await other.get('/console/sign-in');
        const response = await other.post('/console/sign-in', { api_key: world.keys.a, next: evil });
        expect(response.headers.location, evil).toBe('/console');
        expect((await client().get(`/console/sign-in?next=${encodeURIComponent(evil)}`)).body, evil).not.toContain('name="next"');
      }
    });

    it('sends pages that need a session to the sign-in page', async () => {
      for (const url of ['/console/orders', '/console/search?q=PO-A1001', '/console/keys', `/console/orders/${world.po.a1.po.id}`]) {
        const response = await client().get(url);
        expect(response.statusCode, url).toBe(303);
        expect(response.headers.location, url).toMatch(/^\/console\/sign-in/);
      }
    });
  });

  describe('sessions end', () => {
    it('when they expire', async () => {
      const c = client();
      await c.signIn(world.keys.a);
      expect((await c.get('/console/orders')).statusCode).toBe(200);
      await db.updateTable('console_sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('key_id', 'in', db.selectFrom('api_keys').select('id').where('prefix', '=', displayPrefix(world.keys.a))).execute();
      const response = await c.get('/console/orders');
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/console/sign-in?expired=1&next=%2Fconsole%2Forders');
      const signIn = await c.get(response.headers.location as string);
      expect(pageText(signIn.body)).toContain('Your session has ended');
    });

    it('when their key expires (DESIGN 4d key expiry and rotation)', async () => {
      const key = await createApiKey(db, world.retailerA, 'expiring', ['read'], { expiresAt: new Date(Date.now() + 3_600_000) });
      const c = client();
      await c.signIn(key.secret);
      expect((await c.get('/console/orders')).statusCode).toBe(200);
      await db.updateTable('api_keys').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('prefix', '=', key.prefix).execute();
      expect((await c.get('/console/orders')).statusCode).toBe(303);
      expect((await client().signIn(key.secret)).statusCode).toBe(401);
    });

    it('on sign-out, server-side: the old cookie no longer works', async () => {
      const c = client();
      await c.signIn(world.keys.a);
      await c.get('/console/orders');
      const copied = c.cookieHeader();
      const out = await c.post('/console/sign-out', {});
      expect(out.statusCode).toBe(303);
      expect(out.headers.location).toBe('/console/sign-in');
      const replay = await app.inject({ url: '/console/orders', headers: { cookie: copied } });
      expect(replay.statusCode).toBe(303);
    });

    it('when their key is revoked from anywhere (the CLI path: store revoke), and their rows are deleted', async () => {
      const { retailer_id: retailerId } = (await db.selectFrom('api_keys').select('retailer_id')
        .where('prefix', '=', displayPrefix(world.keys.a)).executeTakeFirstOrThrow());
      const key = await createApiKey(db, retailerId, 'to revoke', ['read']);
      const c = client();
      await c.signIn(key.secret);
      expect((await c.get('/console/orders')).statusCode).toBe(200);
      const keyId = (await db.selectFrom('api_keys').select('id').where('prefix', '=', key.prefix).executeTakeFirstOrThrow()).id;
      expect((await db.selectFrom('console_sessions').select('key_id').where('key_id', '=', keyId).execute()).length).toBe(1);
      expect(await revokeApiKey(db, key.prefix)).toBe(true);
      expect((await db.selectFrom('console_sessions').select('key_id').where('key_id', '=', keyId).execute()).length).toBe(0);
      expect((await c.get('/console/orders')).statusCode).toBe(303);
    });

    it('when an admin revokes their key in the console (never another retailer\'s key)', async () => {
      const admin = client();
      await admin.signIn(world.keys.aAll);
      await admin.get('/console/keys');
      const keysBefore = (await db.selectFrom('api_keys').select('id').execute()).length;
      const posted = await admin.post('/console/keys', { name: 'console-made', scope: ['read', 'write'] });
      // POST → 303 → GET: a refresh of the page shown never sends the form again.
      expect(posted.statusCode).toBe(303);
      const location = posted.headers.location as string;
      expect(location).toMatch(/^\/console\/keys\?created=pk_live_[0-9A-Za-z]{8}$/);
      const created = await admin.get(location);
      expect(created.statusCode).toBe(200);
      const secret = /id="new-key-secret" type="text" readonly value="([^"]+)"/.exec(created.body)![1];
      expect(secret).toMatch(/^pk_live_[0-9A-Za-z]{40}$/);
      expect(location).toBe(`/console/keys?created=${displayPrefix(secret)}`);
      expect(posted.body + JSON.stringify(posted.headers)).not.toContain(secret);
      // Shown once: the same page again (a refresh) says so, shows no secret and makes no key.
      const again = await admin.get(location);
      expect(again.statusCode).toBe(200);
      expect(again.body).not.toContain(secret);
      expect(again.body).not.toContain('id="new-key-secret"');
      expect(pageText(again.body)).toContain('Its secret was shown once, right after it was created, and is not shown again');
      expect((await db.selectFrom('api_keys').select('id').execute()).length).toBe(keysBefore + 1);
      // The cookie that carried it is this session's only: another admin session holding a copy reads nothing.
      const other = client();
      await other.signIn(world.keys.aAll);
      const copied = await admin.post('/console/keys', { name: 'console-made-2', scope: ['read'] });
      const cookie = admin.cookies.get('ordersync_created_key')!;
      other.cookies.set('ordersync_created_key', cookie);
      const stolen = await other.get(copied.headers.location as string);
      expect(stolen.body).not.toContain('id="new-key-secret"');
      expect(pageText(stolen.body)).toContain('is not shown again');
      expect((await admin.get('/console/keys?created=pk_live_nothere')).statusCode).toBe(400);
      const user = client();
      expect((await user.signIn(secret)).statusCode).toBe(303);
      expect((await user.get('/console/orders')).statusCode).toBe(200);
      // The secret is shown once: the list shows the prefix only.
      const list = await admin.get('/console/keys');
      expect(list.body).not.toContain(secret);
      const revoke = await admin.post(`/console/keys/${encodeURIComponent(displayPrefix(secret))}/revoke`, {});
      expect(revoke.statusCode).toBe(303);
      expect((await user.get('/console/orders')).statusCode).toBe(303);
      expect((await admin.get('/console/keys')).statusCode).toBe(200);
      // Another retailer's key cannot be revoked from here.
      await admin.get('/console/keys');
      const foreign = await admin.post(`/console/keys/${encodeURIComponent(displayPrefix(world.keys.b))}/revoke`, {});
      expect(foreign.statusCode).toBe(404);
      expect((await client().signIn(world.keys.b)).statusCode).toBe(303);
    });
  });

  // Found by sending what no browser form would: a NUL in a path (/console/orders/po_%00x) or a form field (a key's
  // name, an uploaded file's name) was a 500 on PostgreSQL, whose text cannot hold U+0000, and was stored as given
  // on SQLite. Every path parameter and form field is plain text now, as in the API: a 400 naming it, nothing written.
  it('a control character in a path parameter or a form field is a 400 naming it, and nothing is stored', async () => {
    const c = client();
    await c.signIn(world.keys.aAll);
    const problem = (code: string, at: number) => `must not contain control characters or noncharacters: ${code} at character ${at}`;
    for (const [url, field] of [['/console/orders/po_%00x', 'params.id'], ['/console/documents/sdoc_%00x', 'params.id'],
      ['/console/webhooks/we_%00x', 'params.id'], ['/console/connections/conn_%1Bx', 'params.id']]) {
      const response = await c.get(url);
      expect(response.statusCode, url).toBe(400);
      expect(pageText(response.body), url).toContain(`${field}: ${problem(url.includes('%1B') ? 'U+001B' : 'U+0000', url.indexOf('%') - url.lastIndexOf('/'))}`);
    }
    const keysBefore = (await db.selectFrom('api_keys').select('id').execute()).length;
    await c.get('/console/keys');
    const named = await c.post('/console/keys', { name: 'Warehouse\u0000scanner', scope: 'read' });
    expect(named.statusCode).toBe(400);
    expect(pageText(named.body)).toContain(`name: ${problem('U+0000', 10)}`);
    await c.get('/console/keys');
    const revoke = await c.post('/console/keys/pk_live_%00abcdefg/revoke', {});
    expect(revoke.statusCode).toBe(400);
    expect(pageText(revoke.body)).toContain(`params.prefix: ${problem('U+0000', 9)}`);
    expect((await db.selectFrom('api_keys').select('id').execute()).length).toBe(keysBefore);
    const documentsBefore = (await db.selectFrom('supplier_documents').select('id').execute()).length;
    const csv = 'PO #,Tracking #\r\nPO-A1001,1Z999AA10123456784\r\n';
    for (const [fields, filename, message] of [
      [{ supplier_name: 'Acu\u0000shnet' }, 'ship.csv', `supplier_name: ${problem('U+0000', 4)}`],
      [{}, 'ship\u0007.csv', `file: its name ${problem('U+0007', 5)}`],
    ] as const) {
      await c.get('/console/documents');
      const upload = await c.upload('/console/documents', { ...fields }, { field: 'file', filename, contentType: 'text/csv', bytes: csv });
      expect(upload.statusCode, message).toBe(400);
      expect(pageText(upload.body)).toContain(message);
    }
    expect((await db.selectFrom('supplier_documents').select('id').execute()).length).toBe(documentsBefore);
  });

  describe('CSRF', () => {
    it('refuses every kind of form without a valid token, and changes nothing', async () => {
      const c = client();
      await c.signIn(world.keys.aAll);
      await c.get('/console/orders');
      const poId = world.po.a2.po.id;
      const keysBefore = (await db.selectFrom('api_keys').select('id').execute()).length;
      const attempts: [string, Record<string, string>][] = [
        [`/console/orders/${poId}/status`, { status: 'cancelled' }],
        [`/console/orders/${poId}/receive`, { sku: 'TIT-GT2-9', received_quantity: '1' }],
        ['/console/keys', { name: 'forged', scope: 'admin' }],
        [`/console/keys/${encodeURIComponent(displayPrefix(world.keys.a))}/revoke`, {}],
        ['/console/sign-out', {}],
      ];
      for (const [url, fields] of attempts) {
        for (const token of [null, 'forged-token']) {
          const response = await c.post(url, fields, token);
          expect(response.statusCode, `${url} with ${token}`).toBe(403);
          expect(pageText(response.body)).toContain('This form was out of date or did not come from this console');
        }
      }
      const po = await db.selectFrom('purchase_orders').select('status').where('id', '=', poId).executeTakeFirstOrThrow();
      expect(po.status).toBe('open');
      expect((await db.selectFrom('api_keys').select('id').execute()).length).toBe(keysBefore);
      expect((await c.get('/console/orders')).statusCode).toBe(200);
    });

    it('refuses a sign-in without a token, and a token from another browser', async () => {
      const c = client();
      await c.get('/console/sign-in');
      expect((await c.post('/console/sign-in', { api_key: world.keys.a }, null)).statusCode).toBe(403);
      const other = client();
      await other.get('/console/sign-in');
      expect((await c.post('/console/sign-in', { api_key: world.keys.a }, other.csrfToken())).statusCode).toBe(403);
      expect(c.cookies.has('ordersync_console')).toBe(false);
    });
  });

  describe('search', () => {
    let c: ConsoleClient;
    beforeAll(async () => {
      c = client();
      await c.signIn(world.keys.a);
    });

    it('goes straight to the PO for one match: PO number, supplier order id, tracking number as typed by a person', async () => {
      const a1 = `/console/orders/${world.po.a1.po.id}`;
      const spaced = world.tracking.ups.toLowerCase().replace(/(.{4})/g, '$1 ');
      for (const q of ['PO-A1001', '  PO-A1001 ', 'FXT-100001', world.tracking.fedex, spaced]) {
        const response = await c.get(`/console/search?q=${encodeURIComponent(q)}`);
        expect(response.statusCode, q).toBe(303);
        expect(response.headers.location, q).toBe(a1);
      }
    });

    it('case does not matter (README "Console"): a PO number or supplier order id typed in lower or upper case', async () => {
      const a1 = `/console/orders/${world.po.a1.po.id}`;
      for (const q of ['po-a1001', 'pO-a1001', ' fxt-100001 ']) {
        const response = await c.get(`/console/search?q=${encodeURIComponent(q)}`);
        expect(response.statusCode, q).toBe(303);
        expect(response.headers.location, q).toBe(a1);
      }
      expect(pageText((await c.get('/console/search?q=po-b0001')).body)).toContain('No purchase order has');
    });

    it('lists several matches, and says when nothing matches', async () => {
      const several = await c.get('/console/search?q=FXT-777777');
      expect(several.statusCode).toBe(200);
      const text = pageText(several.body);
      expect(text).toContain('2 purchase orders match');
      expect(text).toContain('PO-A-LATE');
      expect(text).toContain('PO-A-MIDNIGHT');
      const none = await c.get('/console/search?q=NOPE-404');
      expect(pageText(none.body)).toContain('No purchase order has the PO number, supplier order id or tracking number “NOPE-404”');
    });

    it('never finds another retailer\'s PO', async () => {
      const response = await c.get('/console/search?q=PO-B0001');
      expect(pageText(response.body)).toContain('No purchase order has');
      const shared = await c.get('/console/search?q=PO-SHARED');
      expect(shared.headers.location).toBe(`/console/orders/${world.po.sharedA.po.id}`);
      expect((await c.get(`/console/orders/${world.po.b1.po.id}`)).statusCode).toBe(404);
    });
  });

  describe('PO list', () => {
    let c: ConsoleClient;
    beforeAll(async () => {
      c = client();
      await c.signIn(world.keys.a);
    });

    it('shows each PO with order date, suppliers, status, shipped/ordered and latest checkpoint', async () => {
      const response = await c.get('/console/orders');
      expect(response.statusCode).toBe(200);
      const row = /<tr>\s*<th scope="row"><a href="\/console\/orders\/[^"]+">PO-A1001<\/a><\/th>([\s\S]*?)<\/tr>/.exec(response.body);
      expect(row).not.toBeNull();
      const text = pageText(row![1]);
      expect(text).toContain('15 Jun 2027');
      expect(text).toContain('Cobra Puma Golf, Acushnet');
      expect(text).toContain('processing');
      // Shipped 2 + 1; ordered 2 + 1 + 4 (the cancelled cap excluded).
      expect(text).toContain('3 / 7');
      expect(text).toContain('Delivered, Carlsbad, CA');
      expect(pageText(response.body)).not.toContain('PO-B0001');
    });

    it('filters by v2 status, supplier and order dates in the retailer\'s days', async () => {
      const review = pageText((await c.get('/console/orders?status=review')).body);
      expect(review).toContain('PO-A1002');
      expect(review).not.toContain('PO-A1001');
      const acushnet = world.suppliers.acushnet;
      const bySupplier = pageText((await c.get(`/console/orders?supplier=${acushnet}`)).body);
      expect(bySupplier).toContain('PO-A1001'); // a line's supplier
      expect(bySupplier).toContain('PO-A1002'); // the PO's supplier
      expect(bySupplier).not.toContain('PO-A-LATE');
      // 2027-06-16T06:30Z is still 15 June in Los Angeles; 07:00Z is the 16th.
      expect(TIMEZONE_A).toBe('America/Los_Angeles');
      const day = pageText((await c.get('/console/orders?from=2027-06-15&to=2027-06-15')).body);
      expect(day).toContain('PO-A-LATE');
      expect(day).not.toContain('PO-A-MIDNIGHT');
      expect(day).not.toContain('PO-A-EARLY');
    });

    it('names the field of a bad filter (paging: po-list.test.ts)', async () => {
      for (const [query, field] of [['status=lost', 'status'], ['from=2027-13-01', 'from'], ['page=0', 'page'], ['supplier=sup_nope', 'supplier'],
        ['from=2027-06-20&to=2027-06-01', 'to'], ['page=50', 'page']]) {
        const response = await c.get(`/console/orders?${query}`);
        expect(response.statusCode, query).toBe(400);
        expect(pageText(response.body), query).toContain(`${field}:`);
      }
    });
  });

  describe('PO page and lifecycle actions', () => {
    it('shows the whole story of a PO to a read key, without write actions', async () => {
      const c = client();
      await c.signIn(world.keys.a);
      const response = await c.get(`/console/orders/${world.po.a1.po.id}`);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('<h1>PO PO-A1001</h1>');
      const text = pageText(response.body);
      for (const expected of ['Cobra DS Adapt Driver', 'delivered', 'in transit', 'processing (back-ordered)', 'cancelled',
        'Tom Thomas', '12 Fairway Ln', 'Out for delivery', 'Departed facility', '12345678', 'Net 60 Days', 'source: test']) {
        expect(text).toContain(expected);
      }
      expect(response.body).toContain(`href="https://www.ups.com/track?tracknum=${world.tracking.ups}"`);
      expect(response.body).not.toMatch(/action="[^"]*\/(status|receive)"/);
      expect(response.body).not.toContain('/documents/order_summary');
      const forbidden = await c.post(`/console/orders/${world.po.a1.po.id}/status`, { status: 'closed' });
      expect(forbidden.statusCode).toBe(403);
      expect((await c.get('/console/keys')).statusCode).toBe(403);
      expect((await c.get('/console/connections')).statusCode).toBe(403);
    });

    it('links an invoice\'s PDF by a signed link that works from the page', async () => {
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
      const sent = await app.inject({
        method: 'POST', url: '/api/v2/supplier_updates', headers: { 'x-api-key': world.keys.aAll },
        payload: { updates: [{
          type: 'invoice', po_number: 'PO-A1002', supplier_order_id: 'FXT-300003', invoice_number: 'INV-CONSOLE-1',
          invoice_date: '2027-06-20', due_date: '2027-07-20', payment_terms: 'Net 30 Days', subtotal_amount: 21.99, tax_amount: 0,
          shipping_amount: 0, total_amount: 21.99, currency: 'USD', status: 'open', document_pdf_base64: pdf.toString('base64'),
        }] },
      });
      expect(sent.statusCode).toBe(200);
      const c = client();
      await c.signIn(world.keys.a);
      const page = await c.get(`/console/orders/${world.po.a2.po.id}`);
      const href = /<a href="([^"]+)">Invoice INV-CONSOLE-1 \(PDF\)<\/a>/.exec(page.body)?.[1].replace(/&amp;/g, '&');
      expect(href).toMatch(/^\/api\/v2\/documents\/doc_[0-9a-z]+\?expires=\d+&signature=/);
      const download = await app.inject({ url: href! });
      expect(download.statusCode).toBe(200);
      expect(download.rawPayload.equals(pdf)).toBe(true);
    });

    it('offers exactly the legal moves and applies them through the store\'s rules', async () => {
      const retailerId = world.retailerA;
      const warehouse = await ensureWarehouse(db, retailerId, { name: 'Console WH', address: null, locations: ['A1'] });
      const id = await createPurchaseOrder(db, { id: retailerId, timezone: TIMEZONE_A }, {
        supplier_id: world.suppliers.cobra, warehouse_id: warehouse, po_number: `PO-CONSOLE-${databaseId}`,
        products: [{ sku: 'COB-X', supplier_sku: null, quantity: 3, cost_cents: 1000, product_name: 'Cobra X', description: null }],
      }, async () => undefined);
      const c = client();
      await c.signIn(world.keys.aAll);
      const actions = (body: string) => [...body.matchAll(/name="status" value="([a-z]+)"/g)].map((m) => m[1]).sort();
      let page = await c.get(`/console/orders/${id}`);
      expect(actions(page.body)).toEqual(['cancelled', 'open']);
      expect(page.body).not.toContain('/receive"');
      expect((await c.post(`/console/orders/${id}/status`, { status: 'open' })).headers.location).toBe(`/console/orders/${id}?done=open`);
      page = await c.get(`/console/orders/${id}`);
      expect(actions(page.body)).toEqual(['cancelled', 'closed']);
      expect(page.body).toContain(`/console/orders/${id}/documents/order_summary`);
      // A stale form asking for a move that is no longer legal gets the store's 409.
      const stale = await c.post(`/console/orders/${id}/status`, { status: 'open' });
      expect(stale.statusCode).toBe(409);
      expect(pageText(stale.body)).toContain('The purchase order is open; it cannot move to open');
      await c.get(`/console/orders/${id}`);
      expect((await c.post(`/console/orders/${id}/receive`, { sku: 'COB-X', received_quantity: '2' })).statusCode).toBe(303);
      page = await c.get(`/console/orders/${id}`);
      expect(pageText(page.body)).toContain('lifecycle receiving');
      expect(actions(page.body)).toEqual(['closed']);
      const pdf = await c.get(`/console/orders/${id}/documents/received_summary`);
      expect(pdf.statusCode).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      await c.get(`/console/orders/${id}`);
      const over = await c.post(`/console/orders/${id}/receive`, { sku: 'COB-X', received_quantity: '5' });
      expect(over.statusCode).toBe(409);
    });
  });

  describe('webhooks', () => {
    it('lists endpoints and their deliveries, queues a test event and retries a delivery (admin only, CSRF-checked)', async () => {
      const endpoint = await createEndpoint(db, TEST_CONFIG.secret, world.retailerA, {
        url: 'https://hooks.example.com/ordersync', enabled_events: ['invoice.created'], description: 'ERP bridge',
      });
      const other = await createEndpoint(db, TEST_CONFIG.secret, world.retailerB, {
        url: 'https://b.example.com/hook', enabled_events: ['*'], description: null,
      });
      const c = client();
      await c.signIn(world.keys.aAll);
      const list = await c.get('/console/webhooks');
      expect(list.statusCode).toBe(200);
      expect(pageText(list.body)).toContain('https://hooks.example.com/ordersync');
      expect(pageText(list.body)).not.toContain('b.example.com');
      const page = await c.get(`/console/webhooks/${endpoint.id}`);
      expect(pageText(page.body)).toContain('No deliveries yet.');
      expect(page.body).not.toContain(endpoint.secret);
      expect((await c.post(`/console/webhooks/${endpoint.id}/test`, {}, null)).statusCode).toBe(403);
      const queued = await c.post(`/console/webhooks/${endpoint.id}/test`, {});
      expect(queued.statusCode).toBe(303);
      const after = await c.get(queued.headers.location as string);
      expect(pageText(after.body)).toContain('A test event (ping) is queued');
      expect(pageText(after.body)).toMatch(/ping evt_\S+ .* pending/);
      // Pending: the section asks htmx to poll it.
      expect(after.body).toContain(`hx-get="/console/webhooks/${endpoint.id}/deliveries"`);
      const deliveryId = /\/deliveries\/(whd_[0-9a-z]+|[a-z]+_[0-9a-z]+)\/retry/.exec(after.body)?.[1];
      expect(deliveryId).toBeDefined();
      const retried = await c.post(`/console/webhooks/${endpoint.id}/deliveries/${deliveryId}/retry`, {});
      expect(retried.statusCode).toBe(303);
      await c.get(`/console/webhooks/${endpoint.id}`);
      expect((await c.post(`/console/webhooks/${endpoint.id}/deliveries/nope_1/retry`, {})).statusCode).toBe(404);
      expect((await c.get(`/console/webhooks/${other.id}`)).statusCode).toBe(404);
      const reader = client();
      await reader.signIn(world.keys.a);
      expect((await reader.get('/console/webhooks')).statusCode).toBe(403);
    });
  });

  it('marks its cookies Secure when the service is reached over https (PUBLIC_URL)', async () => {
    const secure = await buildApp({ config: { ...TEST_CONFIG, publicUrl: 'https://orders.example.com' }, db, logger: false });
    try {
      const c = new ConsoleClient(secure);
      await c.get('/console/sign-in');
      expect(c.last!.cookies.find((k) => k.name === 'ordersync_csrf')).toMatchObject({ secure: true, httpOnly: true });
      const signedIn = await c.post('/console/sign-in', { api_key: world.keys.a });
      expect(signedIn.cookies.find((k) => k.name === 'ordersync_console')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
    } finally {
      await secure.close();
    }
  });

  it('serves its own assets and htmx from node_modules, and nothing else from disk', async () => {
    const htmx = await app.inject({ url: '/console/assets/htmx.min.js' });
    expect(htmx.statusCode).toBe(200);
    expect(htmx.headers['content-type']).toContain('javascript');
    expect(htmx.body).toContain('htmx');
    expect((await app.inject({ url: '/console/assets/console.css' })).statusCode).toBe(200);
    for (const url of ['/console/assets/..%2F..%2Fpackage.json', '/console/assets/plugin.ts', '/console/assets/']) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
  });

  it('keeps the console out of the OpenAPI document', async () => {
    const spec = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths).filter((path) => path.startsWith('/console'))).toEqual([]);
    expect(Object.keys(spec.paths).length).toBeGreaterThan(5);
  });
});

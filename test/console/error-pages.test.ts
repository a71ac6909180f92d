// What a person sees when a console URL is wrong (DESIGN 4c, 2.2: a 4xx naming the field, never a 5xx, no raw
// JSON to a person). Found by hand-editing console URLs: a query field sent twice (`?page=1&page=2`) was a 500;
// a query string or path that is not valid percent-encoding, and a path segment over the router's limit, were
// answered with the API's JSON envelope (and a bad query string on a console page even with a JSON 500) instead of
// the console's error page; `?notice=constructor` on a webhook page showed Object's constructor; and a validation
// page printed each problem twice (in its sentence and in its list).
// Errors raised before the console's own handlers run were answered with JSON to a browser: headers over Node's
// limit (431), an address over it (414) and a malformed request (400), which Node's HTTP parser refuses before
// Fastify sees them, got Fastify's bare JSON (the API not even its envelope); a method a console page does not take
// (DELETE, OPTIONS) was a 404 saying the page was not there; a JSON body to a console form was read as JSON and its
// 415 named application/json; a failure on our side gave no request id to quote.
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { displayPrefix } from '../../src/domain/api-keys.ts';
import { createApiKey, revokeApiKey } from '../../src/store/api-keys.ts';
import { createConnection } from '../../src/store/connections.ts';
import { createEndpoint } from '../../src/store/webhook-endpoints.ts';
import { postDocument } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import { buildTestApp, createWorld, TEST_CONFIG, type World } from '../support/world.ts';
import { ConsoleClient, listenInRange, pageText } from './support.ts';

const databases = TestDatabases.create({ ids: ['SQLITE'] });

describe('console error pages for wrong URLs', () => {
  let db: Db;
  let app: FastifyInstance;
  let world: World;
  let c: ConsoleClient;

  beforeAll(async () => {
    db = (await databases.init('SQLITE')).db;
    world = await createWorld(db);
    app = await buildTestApp(db);
    c = new ConsoleClient(app);
    await c.signIn(world.keys.aAll);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A console error page: HTML with the console's headers, the title, and each problem exactly once. */
  function expectErrorPage(response: Awaited<ReturnType<ConsoleClient['get']>>, status: number, problems: string[]) {
    expect(response.statusCode, response.body.slice(0, 300)).toBe(status);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['x-request-id']).toMatch(/^req_/);
    expect(response.body).not.toContain('"errorCode"');
    expect(response.body).toContain('<h1>That did not work</h1>');
    const text = pageText(response.body);
    for (const problem of problems) expect(text.split(problem).length - 1, `${problem} in: ${text}`).toBe(1);
  }

  it.each(['status', 'supplier', 'from', 'to', 'page'])('the PO list with %s given twice: 400 naming it', async (field) => {
    const response = await c.get(`/console/orders?${field}=a&${field}=b`);
    expectErrorPage(response, 400, [`${field}: was given more than once: give one value`]);
  });

  it('a query string that is not valid percent-encoding: the console page, 400 naming the field', async () => {
    for (const url of ['/console/search?q=%FF%FE', '/console/orders?status=%E0%A4%A', '/console?x=%zz']) {
      const field = /\?([a-z]+)=/.exec(url)![1];
      expectErrorPage(await c.get(url), 400, [`query.${field}: is not valid percent-encoding`]);
    }
  });

  it('a path that is not valid percent-encoding, or over the length limit: the console page, 400 naming the parameter', async () => {
    expectErrorPage(await c.get('/console/orders/%E0%A4%A'), 400, ['params.id: is not valid percent-encoding']);
    expectErrorPage(await c.get(`/console/documents/${'d'.repeat(1001)}`), 400, ['params.id: is too long: at most 1000 characters']);
    // The API keeps its JSON envelope.
    const api = await app.inject({ method: 'GET', url: '/api/v2/orders/by-po/%E0%A4%A', headers: { 'x-api-key': world.keys.a } });
    expect(api.statusCode).toBe(400);
    expect(api.json()).toMatchObject({ error: 'validation_failed', details: [{ field: 'params.po_number' }] });
  });

  it('several problems are each listed once', async () => {
    expectErrorPage(await c.get('/console/orders?page=abc&from=2026-13-01'), 400,
      ['from: "2026-13-01" is not a date (YYYY-MM-DD)', 'page: must be a whole number from 1']);
  });

  it('a webhook page shows only its own notices; any other is a 400 naming notice', async () => {
    const endpoint = await createEndpoint(db, TEST_CONFIG.secret, world.retailerA, {
      url: 'https://hooks.example.com/errors', enabled_events: ['*'], description: null,
    });
    for (const notice of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const page = await c.get(`/console/webhooks/${endpoint.id}?notice=${notice}`);
      expectErrorPage(page, 400, [`notice: "${notice}" is not a notice of this page (one of test, retried)`]);
      expect(page.body).not.toMatch(/native code|\[object Object\]/);
    }
    expect((await c.get(`/console/webhooks/${endpoint.id}?notice=test`)).body).toContain('A test event (ping) is queued');
  });

  // Every console page, each parameter it takes given a value it cannot use, and a parameter it does not take:
  // each a 400 naming the parameter (pages used to show page 1, everything, or a notice made up by the link).
  describe('every page\'s parameters', () => {
    const ids = { po: '', document: '', connection: '', endpoint: '', revoked: '', active: '' };
    beforeAll(async () => {
      ids.po = world.po.a1.po.id;
      const csv = 'PO #,Order No.,Tracking #,Ship Via,Item #,Qty Shipped,Ship Date\r\nPO-A1001,SO-1,1Z999AA10123456784,UPS Ground,X,1,11/20/2026\r\n';
      ids.document = (await postDocument(app, world.keys.aAll, csv, { query: { filename: 'ship.csv', supplier_name: 'Acushnet' } })).json().document_id;
      const connection = await createConnection(db, TEST_CONFIG.secret, world.retailerA, {
        kind: 'shipstation', name: 'Params', base_url: 'http://127.0.0.1:9/', credentials: { api_key: 'k' }, schedule_minutes: 60, enabled: false,
      });
      if (!connection.ok) throw new Error(connection.reason);
      ids.connection = connection.connection.id;
      ids.endpoint = (await createEndpoint(db, TEST_CONFIG.secret, world.retailerA, { url: 'https://hooks.example.com/p', enabled_events: ['*'], description: null })).id;
      const revoked = await createApiKey(db, world.retailerA, 'old', ['read']);
      await revokeApiKey(db, revoked.prefix, world.retailerA);
      ids.revoked = revoked.prefix;
      ids.active = displayPrefix(world.keys.a);
    });

    const cases: [string, () => string, string][] = [
      ['home', () => '/console?tab=2', 'tab: is not a parameter of this page (it takes none)'],
      ['sign-in, expired', () => '/console/sign-in?expired=yes', 'expired: "yes" is not a sign-in state (one of 0, 1)'],
      ['sign-in, next off the console', () => `/console/sign-in?next=${encodeURIComponent('https://evil.example/console')}`,
        'next: must be a console page to open after signing in'],
      ['search, q twice', () => '/console/search?q=PO-A1001&q=PO-A1002', 'q: was given more than once: give one value'],
      ['search, q with a control character', () => '/console/search?q=PO%00A1001', 'q: must not contain control characters or noncharacters: U+0000 at character 3'],
      ['search, q too long', () => `/console/search?q=${'Q'.repeat(201)}`, 'q: is too long: at most 200 characters'],
      ['search, another parameter', () => '/console/search?po=PO-A1001', 'po: is not a parameter of this page (it takes q)'],
      ['PO list, a sort it does not have', () => '/console/orders?sort=supplier', 'sort: "supplier" is not an order'],
      ['PO list, another parameter', () => '/console/orders?q=PO-A1001', 'q: is not a parameter of this page (it takes status, supplier, from, to, sort, page, after, before)'],
      ['PO list, a date that is not one', () => '/console/orders?to=31%2F12%2F2026', 'to: "31/12/2026" is not a date (YYYY-MM-DD)'],
      ['PO page, done', () => `/console/orders/${ids.po}?done=paid%20in%20full`, 'done: "paid in full" is not an action of this page'],
      ['PO page, another parameter', () => `/console/orders/${ids.po}?tab=items`, 'tab: is not a parameter of this page (it takes done)'],
      ['PO summary PDF', () => `/console/orders/${ids.po}/documents/order_summary?download=1`, 'download: is not a parameter of this page (it takes none)'],
      ['documents, page', () => '/console/documents?page=two', 'page: must be a whole number from 1 to 999999'],
      ['documents, a page number without its place', () => '/console/documents?page=7', 'page: pages after the first are opened with the Next page link'],
      ['documents, a filter it does not have', () => '/console/documents?status=failed', 'status: is not a parameter of this page (it takes page, after, before)'],
      ['a document, page', () => `/console/documents/${ids.document}?page=0`, 'page: must be a whole number from 1 to 999999'],
      ['a document, past the last page', () => `/console/documents/${ids.document}?page=2`, 'page: is past the last page: there is 1 page'],
      ['a document\'s file', () => `/console/documents/${ids.document}/content?inline=1`, 'inline: is not a parameter of this page (it takes none)'],
      ['a document\'s 997', () => `/console/documents/${ids.document}/acknowledgement?x=1`, 'x: is not a parameter of this page (it takes none)'],
      ['connections', () => '/console/connections?kind=stocky', 'kind: is not a parameter of this page (it takes none)'],
      ['a connection, notice', () => `/console/connections/${ids.connection}?notice=done`, 'notice: "done" is not a notice of this page (one of running)'],
      ['a connection\'s runs', () => `/console/connections/${ids.connection}/runs?page=2`, 'page: is not a parameter of this page (it takes none)'],
      ['webhooks', () => '/console/webhooks?enabled=1', 'enabled: is not a parameter of this page (it takes none)'],
      ['a webhook\'s deliveries', () => `/console/webhooks/${ids.endpoint}/deliveries?before=x`, 'before: is not a parameter of this page (it takes none)'],
      ['keys, revoked naming no revoked key', () => '/console/keys?revoked=everything', 'revoked: is not a revoked key of yours'],
      ['keys, revoked naming an active key', () => `/console/keys?revoked=${ids.active}`, 'revoked: is not a revoked key of yours'],
    ];
    it.each(cases)('%s: 400 naming the parameter', async (_name, url, problem) => {
      expectErrorPage(await c.get(url()), 400, [problem]);
    });

    it('the values the pages take still work', async () => {
      for (const url of ['/console/search?q=PO-A1001', `/console/orders/${ids.po}?done=open`, '/console/documents?page=1',
        `/console/documents/${ids.document}?page=1`, `/console/connections/${ids.connection}?notice=running`,
        `/console/webhooks/${ids.endpoint}?notice=retried`, `/console/keys?revoked=${ids.revoked}`, '/console/orders?sort=oldest&status=&supplier=']) {
        expect((await c.get(url)).statusCode, url).toBeLessThan(400);
      }
      expect(pageText((await c.get(`/console/keys?revoked=${ids.revoked}`)).body)).toContain(`Revoked ${ids.revoked}; its console sessions have ended.`);
      // The search field holds no more than the search takes.
      expect((await c.get('/console/orders')).body).toMatch(/<input id="site-search" name="q"[^>]* maxlength="200">/);
    });
  });
});

/** A response read off a raw connection: status, headers (lower-case names) and body. */
interface RawResponse { status: number; headers: Record<string, string>; body: string }

function parseRaw(text: string): RawResponse {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}

/** Sends `parts` on one connection (a pause between them, so they arrive as separate reads) and reads until it closes. */
function rawExchange(base: string, parts: string[]): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(Number(port), hostname, async () => {
      for (const part of parts) {
        if (socket.destroyed) break;
        socket.write(part);
        await new Promise((done) => setTimeout(done, 50));
      }
    });
    socket.on('data', (chunk) => { received += chunk.toString('utf8'); });
    socket.on('close', () => resolve(received));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve(received) : reject(error)));
  });
}

describe('console error pages for errors raised before its own handlers', () => {
  let db: Db;
  let app: FastifyInstance;
  let world: World;
  let base: string;
  let c: ConsoleClient;

  beforeAll(async () => {
    db = (await databases.init('SQLITE')).db;
    world = await createWorld(db);
    app = await buildTestApp(db);
    base = await listenInRange(app);
    c = new ConsoleClient(app);
    await c.signIn(world.keys.aAll);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** The console's error page: HTML, the console's headers, a request id, the status's words; never JSON. */
  function expectConsolePage(response: { status: number; headers: Record<string, unknown>; body: string }, status: number, words: string) {
    expect(response.status, response.body.slice(0, 400)).toBe(status);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['x-request-id']).toMatch(/^req_/);
    expect(response.body).toMatch(/^<!doctype html>/);
    expect(response.body).toContain('<a href="/console">Back to the console</a>');
    expect(response.body).not.toMatch(/"error(Code)?"\s*:/);
    expect(pageText(response.body)).toContain(words);
  }
  const injected = (r: Awaited<ReturnType<ConsoleClient['get']>>) => ({ status: r.statusCode, headers: r.headers, body: r.body });

  const bigCookie = `ordersync_other=${'c'.repeat(20_000)}`;
  const requestHead = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n${extra}`;

  it('431: headers over the limit (a browser\'s cookies) on a console page: the console\'s page; the API: its envelope', async () => {
    for (const path of ['/console/orders', '/console', '/console/orders/po_x?done=open', '/console/nowhere']) {
      const response = parseRaw(await rawExchange(base, [`${requestHead(path, `Cookie: ${bigCookie}\r\n`)}\r\n`]));
      expectConsolePage(response, 431, 'headers are larger than this service reads: at most 16,384 bytes (16 KB)');
      expect(pageText(response.body)).toContain('clear them and try again');
    }
    const api = parseRaw(await rawExchange(base, [`${requestHead('/api/v2/orders/by-po/PO-1', `Cookie: ${bigCookie}\r\n`)}\r\n`]));
    expect(api.status).toBe(431);
    expect(api.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(api.body)).toMatchObject({ error: 'request_header_fields_too_large', errorCode: 431, request_id: api.headers['x-request-id'] });
  });

  it('414: an address over the limit on a console page: the console\'s page; the API: its envelope', async () => {
    const response = parseRaw(await rawExchange(base, [`${requestHead(`/console/search?q=${'Q'.repeat(20_000)}`)}\r\n`]));
    expectConsolePage(response, 414, 'The address (URL) is longer than this service reads');
    const api = parseRaw(await rawExchange(base, [`${requestHead(`/api/v2/orders/by-po/${'P'.repeat(20_000)}`)}\r\n`]));
    expect(api.status).toBe(414);
    expect(JSON.parse(api.body)).toMatchObject({ error: 'uri_too_long', errorCode: 414 });
  });

  it('400: a request Node cannot read (a malformed header) on a console page: the console\'s page', async () => {
    const response = parseRaw(await rawExchange(base, [`${requestHead('/console/orders', 'Not A Header\r\n')}\r\n`]));
    expectConsolePage(response, 400, 'The request could not be read');
    const api = parseRaw(await rawExchange(base, [`${requestHead('/api/v2/orders/by-po/PO-1', 'Not A Header\r\n')}\r\n`]));
    expect(JSON.parse(api.body)).toMatchObject({ error: 'bad_request', errorCode: 400 });
  });

  it('431 arriving in a later read of a connection that carried console pages: the console\'s page', async () => {
    // The refused bytes are then the cookie's middle, not the request line: the connection's earlier page tells.
    const first = `${requestHead('/console/sign-in')}\r\n`;
    const text = await rawExchange(base, [first, requestHead('/console/orders', `Cookie: ${bigCookie.slice(0, 9_000)}`), `${bigCookie.slice(9_000)}\r\n\r\n`]);
    const second = text.slice(text.indexOf('HTTP/1.1', 10));
    expectConsolePage(parseRaw(second), 431, 'headers are larger than this service reads');
  });

  it('503 while the service shuts down: a console page gets the console\'s page, the API its envelope (not Fastify\'s fixed JSON)', async () => {
    const closingApp = await buildTestApp(db);
    const closingBase = await listenInRange(closingApp);
    const { hostname, port } = new URL(closingBase);
    // A request whose head is still arriving when the close begins: its connection is not idle, so it is not
    // closed at once, and the request reaches the app while it is closing (as on a busy keep-alive connection).
    const during = (target: string) => new Promise<RawResponse>((resolve, reject) => {
      let received = '';
      const socket = connect(Number(port), hostname, () => socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n`));
      socket.on('data', (chunk) => { received += chunk.toString('utf8'); });
      socket.on('close', () => resolve(parseRaw(received)));
      socket.on('error', reject);
      setTimeout(() => socket.write(`Accept: text/html\r\nX-Api-Key: ${world.keys.a}\r\n\r\n`), 300);
    });
    const answers = Promise.all([during('/console/orders'), during('/console/nowhere'), during('/api/v2/orders/by-po/PO-A1001')]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = closingApp.close();
    const [page, missing, api] = await answers;
    await closed;
    for (const response of [page, missing]) {
      expectConsolePage(response, 503, 'The service is restarting: send the request again in a few seconds.');
      expect(response.headers['retry-after']).toBe('5');
    }
    expect(api.status).toBe(503);
    expect(api.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(api.body)).toEqual({
      error: 'unavailable', errorCode: 503, message: 'The service is restarting: send the request again in a few seconds.',
      request_id: api.headers['x-request-id'],
    });
  });

  it('405: a console page asked for with a method it does not take names the methods it takes', async () => {
    for (const [method, url, allow] of [['DELETE', '/console/orders', 'GET, HEAD'], ['OPTIONS', '/console/orders', 'GET, HEAD'],
      ['PUT', `/console/orders/${world.po.a1.po.id}`, 'GET, HEAD'], ['POST', '/console/search', 'GET, HEAD'],
      ['GET', `/console/orders/${world.po.a1.po.id}/status`, 'POST'], ['PATCH', '/console/sign-in', 'GET, HEAD, POST']] as const) {
      const response = await app.inject({ method, url, headers: { cookie: c.cookieHeader() } });
      expectConsolePage(injected(response), 405, `does not take ${method} requests: it takes ${allow}`);
      expect(response.headers.allow).toBe(allow);
    }
    // A path no console route has is still a 404.
    expectConsolePage(injected(await app.inject({ method: 'DELETE', url: '/console/nowhere' })), 404, 'There is no console page at /console/nowhere');
  });

  it('413 and 415: a form over the limit, or not sent as a form (JSON, XML): the console\'s page naming what it reads', async () => {
    await c.get('/console/orders');
    const big = await app.inject({ method: 'POST', url: `/console/orders/${world.po.a1.po.id}/status`,
      headers: { cookie: c.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' }, payload: `status=open&x=${'x'.repeat(70_000)}` });
    expectConsolePage(injected(big), 413, 'larger than this endpoint\'s limit of 65,536 bytes');
    for (const [type, payload] of [['application/json', '{"status":"open"}'], ['application/xml', '<status>open</status>']]) {
      const response = await app.inject({ method: 'POST', url: `/console/orders/${world.po.a1.po.id}/status`,
        headers: { cookie: c.cookieHeader(), 'content-type': type }, payload });
      expectConsolePage(injected(response), 415, `This was sent as ${type}: the console reads forms as a browser sends them`);
    }
    // The API still reads JSON.
    const api = await app.inject({ method: 'POST', url: '/api/v2/orders/by-po-numbers', headers: { 'x-api-key': world.keys.a }, payload: { po_numbers: ['PO-A1001'] } });
    expect(api.statusCode).toBe(200);
  });

  it('500: a failure on our side is the console\'s page with the request id to quote, nothing internal', async () => {
    const other = await databases.init('SQLITE');
    const broken = await createWorld(other.db);
    const brokenApp = await buildTestApp(other.db);
    try {
      const b = new ConsoleClient(brokenApp);
      await b.signIn(broken.keys.aAll);
      await sql`drop table webhook_endpoints`.execute(other.db);
      const response = await b.get('/console/webhooks');
      expectConsolePage(injected(response), 500, 'Something went wrong on our side');
      expect(pageText(response.body)).toContain(`Request id: ${response.headers['x-request-id']}`);
      expect(response.body).not.toMatch(/webhook_endpoints|SqliteError|no such table/);
    } finally {
      await brokenApp.close();
    }
  });
});

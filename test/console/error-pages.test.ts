// What a person sees when a console URL is wrong (DESIGN 4c, 2.2: a 4xx naming the field, never a 5xx, no raw
// JSON to a person). Found by hand-editing console URLs: a query field sent twice (`?page=1&page=2`) was a 500;
// a query string or path that is not valid percent-encoding, and a path segment over the router's limit, were
// answered with the API's JSON envelope (and a bad query string on a console page even with a JSON 500) instead of
// the console's error page; `?notice=constructor` on a webhook page showed Object's constructor; and a validation
// page printed each problem twice (in its sentence and in its list).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createEndpoint } from '../../src/store/webhook-endpoints.ts';
import { TestDatabases } from '../support/test-database.ts';
import { buildTestApp, createWorld, TEST_CONFIG, type World } from '../support/world.ts';
import { ConsoleClient, pageText } from './support.ts';

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

  it('a webhook page shows only its own notices', async () => {
    const endpoint = await createEndpoint(db, TEST_CONFIG.secret, world.retailerA, {
      url: 'https://hooks.example.com/errors', enabled_events: ['*'], description: null,
    });
    for (const notice of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const page = await c.get(`/console/webhooks/${endpoint.id}?notice=${notice}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toMatch(/native code|\[object Object\]/);
      expect(page.body).not.toContain('class="notice"');
    }
    expect((await c.get(`/console/webhooks/${endpoint.id}?notice=test`)).body).toContain('A test event (ping) is queued');
  });
});

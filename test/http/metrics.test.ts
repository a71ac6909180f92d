// GET /metrics (DESIGN 4d) on SQLite and PostgreSQL: Prometheus text with request-duration histograms by route
// pattern and status (never raw URLs, PO numbers or ids as label values), sync runs and records by kind and
// result, process metrics, and the METRICS_TOKEN bearer guard. Also the request log line's fields.
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, loggerOptions } from '../../src/app.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { createConnection } from '../../src/store/connections.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { runConnectionSync } from '../../src/sync/runner.ts';
import { counts, fakeEngine, SECRET } from '../support/engine-double.ts';
import { TestDatabases, type TestDatabase } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';

const databases = TestDatabases.create();
const TOKEN = 'metrics-token-for-tests-5f1c';
const SECRET_PO = 'PO-PRIVATE-778899';

/** The samples of `name` in a scrape, as [labels, value] pairs. */
function samples(scrape: string, name: string): { labels: Record<string, string>; value: number }[] {
  return scrape.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `)).map((line) => {
    const match = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line)!;
    const labels = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    return { labels, value: Number(match[2]) };
  });
}

describe.each(databases.eachSupportedId())('/metrics on %s', (databaseId) => {
  let database: TestDatabase;
  let open: FastifyInstance;
  let guarded: FastifyInstance;
  let key: string;
  let retailerId: string;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    database = await databases.init(databaseId);
    const { retailer } = await ensureRetailer(database.db, 'metered-golf');
    retailerId = retailer.id;
    key = (await createApiKey(database.db, retailer.id, 'm', ['read', 'admin'])).secret;
    const stream = new Writable({ write(chunk, _encoding, done) { logLines.push(JSON.parse(String(chunk))); done(); } });
    open = await buildApp({
      config: TEST_CONFIG, db: database.db, metrics: { token: null },
      logger: { ...loggerOptions({ logLevel: 'info' }, false), stream },
    });
    guarded = await buildApp({ config: TEST_CONFIG, db: database.db, logger: false, metrics: { token: TOKEN } });
    await Promise.all([open.ready(), guarded.ready()]);
  });
  afterAll(async () => {
    await Promise.all([open.close(), guarded.close()]);
  });

  it('histograms requests by route pattern and status, never by raw URL', async () => {
    for (let i = 0; i < 3; i++) {
      await open.inject({ method: 'GET', url: `/api/v2/orders/by-po/${SECRET_PO}-${i}`, headers: { 'x-api-key': key } });
    }
    await open.inject({ method: 'GET', url: '/api/v2/orders/by-po/anything' });
    await open.inject({ method: 'GET', url: `/no/such/${SECRET_PO}` });
    const response = await open.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const scrape = response.body;
    expect(scrape).toContain('# TYPE ordersync_http_request_duration_seconds histogram');
    const counted = samples(scrape, 'ordersync_http_request_duration_seconds_count');
    const byPo = (status: string) => counted.find((s) => s.labels.route === '/api/v2/orders/by-po/:po_number' && s.labels.status_code === status);
    expect(byPo('404')?.value).toBeGreaterThanOrEqual(3);
    expect(byPo('404')?.labels.method).toBe('GET');
    expect(byPo('401')?.value).toBeGreaterThanOrEqual(1);
    expect(counted.some((s) => s.labels.route === 'unmatched' && s.labels.status_code === '404')).toBe(true);
    const buckets = samples(scrape, 'ordersync_http_request_duration_seconds_bucket')
      .filter((s) => s.labels.route === '/api/v2/orders/by-po/:po_number' && s.labels.status_code === '404');
    expect(buckets.find((s) => s.labels.le === '+Inf')?.value).toBe(byPo('404')?.value);
    // No label value is a raw URL, a PO number, a key or an id.
    expect(scrape).not.toContain(SECRET_PO);
    expect(scrape).not.toContain(key.slice(0, 16));
    for (const line of scrape.split('\n').filter((l) => l.startsWith('ordersync_http_request_duration'))) {
      const route = /route="([^"]*)"/.exec(line)?.[1];
      expect(route === 'unmatched' || route?.startsWith('/'), line).toBe(true);
    }
  });

  it('counts sync runs and their records by connection kind and result', async () => {
    const before = await open.inject({ method: 'GET', url: '/metrics' });
    const runsBefore = samples(before.body, 'ordersync_sync_runs_total')
      .find((s) => s.labels.kind === 'stocky' && s.labels.result === 'succeeded')?.value ?? 0;
    const created = await createConnection(database.db, SECRET, retailerId, {
      kind: 'stocky', name: `metered-${databaseId}`, base_url: 'http://127.0.0.1:9',
      credentials: { store_name: 'metered.myshopify.com', api_key: 'k' }, schedule_minutes: 60, enabled: true,
    });
    if (!created.ok) throw new Error(created.reason);
    const engine = fakeEngine({ pages: [counts(7, 4, 2, 1, 0)] });
    const outcome = await runConnectionSync(database.db, SECRET, created.connection.id, { full: false, execute: engine.execute });
    expect(outcome.started).toBe(true);
    const scrape = (await open.inject({ method: 'GET', url: '/metrics' })).body;
    const runsAfter = samples(scrape, 'ordersync_sync_runs_total').find((s) => s.labels.kind === 'stocky' && s.labels.result === 'succeeded');
    expect(runsAfter?.value).toBe(runsBefore + 1);
    const records = samples(scrape, 'ordersync_sync_records_total').filter((s) => s.labels.kind === 'stocky');
    expect(records.find((s) => s.labels.result === 'created')?.value).toBeGreaterThanOrEqual(4);
    expect(records.find((s) => s.labels.result === 'updated')?.value).toBeGreaterThanOrEqual(2);
    expect(scrape).not.toContain(created.connection.id);
  });

  it('includes process metrics', async () => {
    const scrape = (await open.inject({ method: 'GET', url: '/metrics' })).body;
    expect(scrape).toContain('ordersync_process_resident_memory_bytes');
    expect(scrape).toContain('ordersync_nodejs_eventloop_lag_p99_seconds');
  });

  it('with METRICS_TOKEN, requires it as a bearer token', async () => {
    const missing = await guarded.inject({ method: 'GET', url: '/metrics' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ error: 'unauthorized', errorCode: 401 });
    expect(missing.json().message).toMatch(/METRICS_TOKEN/);
    const wrong = await guarded.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    const right = await guarded.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('ordersync_http_request_duration_seconds');
  });

  it('is not in the public OpenAPI document', async () => {
    const spec = (await open.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(spec.paths)).not.toContain('/metrics');
  });

  it('logs one line per request with id, route, status, duration and the key prefix, never the secret', async () => {
    logLines.length = 0;
    const response = await open.inject({ method: 'GET', url: '/api/v2/orders/by-po/PO-LOGGED?x=1', headers: { 'x-api-key': key } });
    const lines = logLines.filter((l) => l.reqId === response.headers['x-request-id']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request', method: 'GET', route: '/api/v2/orders/by-po/:po_number', url: '/api/v2/orders/by-po/PO-LOGGED',
      status: 404, key_prefix: key.slice(0, 16),
    });
    expect(typeof lines[0].duration_ms).toBe('number');
    expect(JSON.stringify(logLines)).not.toContain(key);
  });
});

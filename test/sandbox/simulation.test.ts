// The sandboxes' misbehaviour on a real loopback port: rate limit (429 + Retry-After), each injected fault,
// latency, counters, timed churn; and the pure parts (token bucket, fault spec, dates, lazy table).
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_ANCHOR_MS, ddmmyyyyHhmm, isoSeconds, mmddyyyy, parseIsoInstant } from '../../src/sandbox/random.ts';
import { SHIPSTATION_DEFAULT_API_KEY, createShipStationSandbox, type ShipStationSandboxOptions } from '../../src/sandbox/shipstation.ts';
import { TokenBucket, chooseFault, parseFaults, truncateBody } from '../../src/sandbox/simulation.ts';
import { STOCKY_DEFAULT_API_KEY, STOCKY_DEFAULT_STORE_NAME, createStockySandbox } from '../../src/sandbox/stocky.ts';
import { LazyTable } from '../../src/sandbox/table.ts';

const SS = { 'api-key': SHIPSTATION_DEFAULT_API_KEY };
const STOCKY = { 'store-name': STOCKY_DEFAULT_STORE_NAME, authorization: `API KEY=${STOCKY_DEFAULT_API_KEY}` };

const open: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

async function listen<T extends FastifyInstance>(app: T): Promise<{ app: T; base: string }> {
  open.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

const shipstation = (options: ShipStationSandboxOptions) => listen(createShipStationSandbox({ pos: 20, ...options }));

describe('pure parts', () => {
  it('token bucket: a burst of `capacity`, then one request per 60/perMinute seconds, Retry-After in whole seconds', () => {
    const bucket = new TokenBucket(60, 3); // one a second
    expect([0, 0, 0].map(() => bucket.take(1000).ok)).toEqual([true, true, true]);
    expect(bucket.take(1000)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(bucket.take(1500)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(bucket.take(2000).ok).toBe(true);
    const slow = new TokenBucket(2, 1); // one every 30 seconds
    expect(slow.take(0).ok).toBe(true);
    expect(slow.take(0)).toEqual({ ok: false, retryAfterSeconds: 30 });
    expect(slow.take(20_000)).toEqual({ ok: false, retryAfterSeconds: 10 });
    // Over a long stretch: perMinute a minute (plus the initial burst).
    const steady = new TokenBucket(200, 200);
    let allowed = 0;
    for (let ms = 0; ms < 600_000; ms += 10) if (steady.take(ms).ok) allowed++;
    expect(allowed).toBeGreaterThanOrEqual(200 * 10);
    expect(allowed).toBeLessThanOrEqual(200 * 10 + 200);
  });

  it('fault spec: kinds and probabilities, checked', () => {
    expect(parseFaults('429:0.05,500:0.02,timeout:0.01,truncated:0.01')).toEqual({ '429': 0.05, '500': 0.02, timeout: 0.01, truncated: 0.01 });
    expect(parseFaults('')).toEqual({});
    expect(parseFaults(' 500 : 1 ')).toEqual({ '500': 1 });
    for (const bad of ['600:0.1', '500', '500:2', '500:-0.1', '500:0.6,429:0.6', '500:0.1,500:0.1', 'timeout:x']) {
      expect(() => parseFaults(bad), bad).toThrow(RangeError);
    }
    const rates = { '429': 0.1, '500': 0.2, timeout: 0.3, truncated: 0.1 };
    expect([0, 0.05, 0.11, 0.29, 0.31, 0.59, 0.61, 0.69, 0.71, 0.99].map((r) => chooseFault(rates, r)))
      .toEqual(['429', '429', '500', '500', 'timeout', 'timeout', 'truncated', 'truncated', null, null]);
    expect(truncateBody('{"a":[1,2,3]}')).toBe('{"a":[');
    expect(() => JSON.parse(truncateBody('{}'))).toThrow();
  });

  it('dates as the upstreams write them', () => {
    const ms = Date.parse('2026-02-05T07:08:09.500Z');
    expect(isoSeconds(ms)).toBe('2026-02-05T07:08:09Z');
    expect(mmddyyyy(ms)).toBe('02052026');
    expect(ddmmyyyyHhmm(ms)).toBe('05/02/2026 07:08');
    expect(parseIsoInstant('2014-04-25T16:15:47-04:00')).toBe(Date.parse('2014-04-25T20:15:47Z'));
    expect(parseIsoInstant('2025-01-01')).toBe(Date.parse('2025-01-01T00:00:00Z'));
    expect(parseIsoInstant('2026-02-30T00:00:00Z')).toBeNull();
    expect(parseIsoInstant('tomorrow')).toBeNull();
    expect(DEFAULT_ANCHOR_MS).toBe(Date.parse('2026-11-01T00:00:00Z'));
  });

  it('lazy table: generates on demand, holds what changed, keeps columns current', () => {
    let generated = 0;
    const table = new LazyTable<{ n: number; v: string }, 'n'>(5, (i) => { generated++; return { n: i * 10, v: `g${i}` }; }, (r) => ({ n: r.n }), ['n'], (i) => ({ n: i * 10 }));
    expect(generated).toBe(0);
    expect(table.column('n')).toEqual([0, 10, 20, 30, 40]);
    expect(table.get(2)).toEqual({ n: 20, v: 'g2' });
    table.set(2, { n: 99, v: 'changed' });
    expect(table.push({ n: 7, v: 'new' })).toBe(5);
    expect(table.column('n')).toEqual([0, 10, 99, 30, 40, 7]);
    expect(table.get(2).v).toBe('changed');
    expect(table.heldAt(1)).toBeUndefined();
    expect(table.heldCount).toBe(2);
    expect(() => table.get(6)).toThrow(RangeError);
  });
});

describe('rate limit', () => {
  it('ShipStation: 200 a minute by default; 429 with Retry-After and ShipStation\'s body once the bucket is empty', async () => {
    const { app, base } = await shipstation({ rateLimit: 60, rateLimitBurst: 3 });
    const statuses: number[] = [];
    let refused: Response | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${base}/v2/purchase_orders/se-100000`, { headers: SS });
      statuses.push(res.status);
      if (res.status === 429) refused ??= res;
      else await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = await refused!.json();
    expect(body.errors[0]).toMatchObject({ error_source: 'shipstation', error_type: 'system', error_code: 'rate_limit_exceeded' });
    expect(app.sandbox.stats).toMatchObject({ requests: 5, rateLimited: 2, sent429: 2 });
    expect(createShipStationSandbox({ pos: 1 }).sandbox.options.rateLimit).toBe(200);
    // After Retry-After, requests go through again.
    await new Promise((resolve) => setTimeout(resolve, Number(refused!.headers.get('retry-after')) * 1000));
    expect((await fetch(`${base}/v2/purchase_orders/se-100000`, { headers: SS })).status).toBe(200);
  });

  it('Stocky: 429 with Retry-After and {"errors": …}; unauthenticated requests do not use the budget', async () => {
    const { app, base } = await listen(createStockySandbox({ pos: 5, rateLimit: 30, rateLimitBurst: 2 }));
    for (let i = 0; i < 5; i++) expect((await fetch(`${base}/api/v2/suppliers.json`)).status).toBe(401);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await fetch(`${base}/api/v2/suppliers.json`, { headers: STOCKY })).status);
    expect(codes).toEqual([200, 200, 429]);
    const res = await fetch(`${base}/api/v2/suppliers.json`, { headers: STOCKY });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBe(2);
    expect(await res.json()).toEqual({ errors: expect.stringMatching(/retry after 2 seconds/i) });
    expect(app.sandbox.stats.rateLimited).toBe(2);
  });
});

describe('injected faults', () => {
  it('429: answered like the rate limiter, with Retry-After', async () => {
    const { app, base } = await shipstation({ rateLimit: 0, faults: { '429': 1 } });
    const res = await fetch(`${base}/v2/purchase_orders`, { headers: SS });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await res.json()).errors[0].error_code).toBe('rate_limit_exceeded');
    expect(app.sandbox.stats.faults['429']).toBe(1);
    expect(app.sandbox.stats.sent429).toBe(1);
    expect(app.sandbox.stats.rateLimited).toBe(0);
  });

  it('500: the upstream\'s error body', async () => {
    const { base } = await shipstation({ rateLimit: 0, faults: '500:1' });
    const res = await fetch(`${base}/v2/purchase_orders`, { headers: SS });
    expect(res.status).toBe(500);
    expect((await res.json()).errors[0]).toMatchObject({ error_type: 'system', error_code: 'unspecified' });
    const stocky = await listen(createStockySandbox({ pos: 3, rateLimit: 0, faults: '500:1' }));
    const s = await fetch(`${stocky.base}/api/v2/purchase_orders.json`, { headers: STOCKY });
    expect(s.status).toBe(500);
    expect(await s.json()).toEqual({ errors: 'Internal Server Error' });
  });

  it('timeout: no answer; the client times out; the connection is dropped after the hang', async () => {
    const { app, base } = await shipstation({ rateLimit: 0, faults: { timeout: 1 }, timeoutHangMs: 800 });
    const started = Date.now();
    await expect(fetch(`${base}/v2/purchase_orders`, { headers: SS, signal: AbortSignal.timeout(300) })).rejects.toThrow(/timeout|abort/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // Without a client timeout, the sandbox drops the connection once the hang time is over.
    const second = Date.now();
    await expect(fetch(`${base}/v2/purchase_orders`, { headers: SS })).rejects.toThrow();
    expect(Date.now() - second).toBeGreaterThanOrEqual(700);
    expect(app.sandbox.stats.faults.timeout).toBe(2);
    expect(app.sandbox.stats.responses[200]).toBeUndefined();
  });

  it('timeout: closing the sandbox releases hanging requests at once', async () => {
    const { app, base } = await shipstation({ rateLimit: 0, faults: { timeout: 1 }, timeoutHangMs: 60_000 });
    const pending = fetch(`${base}/v2/purchase_orders`, { headers: SS }).then(() => 'answered', () => 'dropped');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await app.close();
    expect(await pending).toBe('dropped');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('truncated: 200 with a JSON body cut off mid-way', async () => {
    const { app, base } = await shipstation({ rateLimit: 0, faults: 'truncated:1' });
    const res = await fetch(`${base}/v2/purchase_orders?page_size=5`, { headers: SS });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const text = await res.text();
    expect(text.startsWith('{"purchase_orders":[')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(app.sandbox.stats.faults.truncated).toBe(1);
    const stocky = await listen(createStockySandbox({ pos: 3, rateLimit: 0, faults: 'truncated:1' }));
    const s = await fetch(`${stocky.base}/api/v2/purchase_orders.json`, { headers: STOCKY });
    await expect(s.json()).rejects.toThrow();
  });

  it('mixed probabilities hit about as often as asked, the same way for the same seed', async () => {
    const run = async () => {
      const app = createShipStationSandbox({ pos: 5, seed: 3, rateLimit: 0, faults: '429:0.1,500:0.2,truncated:0.1' });
      open.push(app);
      const codes: number[] = [];
      for (let i = 0; i < 400; i++) codes.push((await app.inject({ url: '/v2/purchase_orders/se-100001', headers: SS })).statusCode);
      return { codes, stats: app.sandbox.stats };
    };
    const a = await run();
    const b = await run();
    expect(a.codes).toEqual(b.codes);
    const share = (n: number) => n / 400;
    expect(share(a.stats.faults['429'])).toBeGreaterThan(0.05);
    expect(share(a.stats.faults['429'])).toBeLessThan(0.16);
    expect(share(a.stats.faults['500'])).toBeGreaterThan(0.13);
    expect(share(a.stats.faults['500'])).toBeLessThan(0.27);
    expect(a.stats.responses[500]).toBe(a.stats.faults['500']);
    expect(a.stats.requests).toBe(400);
  });
});

describe('latency and timed churn', () => {
  it('latency delays every answer', async () => {
    const { base } = await shipstation({ rateLimit: 0, latencyMs: 150 });
    const started = performance.now();
    expect((await fetch(`${base}/v2/purchase_orders/se-100000`, { headers: SS })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('churn every M ms while listening: new POs appear and modify_date moves', async () => {
    let clock = Date.parse('2026-11-23T12:00:00Z');
    const { app, base } = await shipstation({ rateLimit: 0, pos: 50, churnEveryMs: 40, churnCreate: 2, churnAdvance: 2, now: () => (clock += 1000) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const steps = app.sandbox.stats.churn.steps;
    expect(steps).toBeGreaterThanOrEqual(3);
    const res = await fetch(`${base}/v2/purchase_orders?create_date_start=2026-11-23T00:00:00Z&page_size=500`, { headers: SS });
    const body = await res.json();
    expect(body.total).toBeGreaterThanOrEqual(2 * steps);
    expect(app.sandbox.state.size).toBe(50 + app.sandbox.stats.churn.created);
    await app.close();
    const after = app.sandbox.stats.churn.steps;
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(app.sandbox.stats.churn.steps).toBe(after);
  });

  it('stats count requests and responses by status, and reset', async () => {
    const { app, base } = await shipstation({ rateLimit: 0 });
    await (await fetch(`${base}/v2/purchase_orders`, { headers: SS })).arrayBuffer();
    await (await fetch(`${base}/v2/purchase_orders/se-1`, { headers: SS })).arrayBuffer();
    await (await fetch(`${base}/v2/purchase_orders`)).arrayBuffer();
    expect(app.sandbox.stats).toMatchObject({ requests: 3, responses: { 200: 1, 401: 1, 404: 1 } });
    const stats = app.sandbox.stats;
    app.sandbox.resetStats();
    expect(app.sandbox.stats).toBe(stats);
    expect(stats).toMatchObject({ requests: 0, responses: {}, sent429: 0 });
  });
});

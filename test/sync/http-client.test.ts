// The upstream client: token-bucket arithmetic, full-jitter backoff, Retry-After, and against a scripted server:
// every retryable failure recovered, the upstream's own message when it gives up, the rate kept.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shipStationErrorMessage } from '../../src/sync/connectors/shipstation-mapping.ts';
import { stockyErrorMessage } from '../../src/sync/connectors/stocky-mapping.ts';
import { ClientTokenBucket, UpstreamClient, UpstreamError, backoffDelay, parseRetryAfter } from '../../src/sync/http-client.ts';

describe('token bucket', () => {
  it('lets a burst through, then one request per 60/rate seconds', () => {
    const bucket = new ClientTokenBucket(600, 3, 0); // 10 a second
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)]).toEqual([0, 0, 0]);
    expect(bucket.tryTake(0)).toBe(100);
    expect(bucket.tryTake(50)).toBe(50);
    expect(bucket.tryTake(100)).toBe(0);
  });

  it('a block empties it and holds everything until the upstream said', () => {
    const bucket = new ClientTokenBucket(600, 3, 0);
    bucket.block(0, 1000);
    expect(bucket.tryTake(10)).toBe(990);
    expect(bucket.tryTake(1000)).toBe(100); // empty when the block ends, refilling from then on
    expect(bucket.tryTake(1100)).toBe(0);
  });

  it('over a long stretch the rate is kept: N requests take (N − burst) × 60/rate', () => {
    const bucket = new ClientTokenBucket(3000, 100, 0);
    let t = 0;
    for (let n = 0; n < 5100; n++) {
      let wait;
      while ((wait = bucket.tryTake(t)) > 0) t += wait;
    }
    expect(t / 1000).toBeCloseTo((5100 - 100) / 50, 0);
  });

  it('retunes to an announced limit', () => {
    const bucket = new ClientTokenBucket(200, 1, 0);
    expect(bucket.tryTake(0)).toBe(0);
    bucket.retune(0, 6000, 1);
    expect(bucket.tryTake(0)).toBe(10);
  });
});

describe('backoff and Retry-After', () => {
  it('full jitter: uniform in [0, min(cap, base × 2^(n−1))]', () => {
    expect(backoffDelay(1, 500, 30_000, () => 0.999)).toBe(499);
    expect(backoffDelay(4, 500, 30_000, () => 0.5)).toBe(2000);
    expect(backoffDelay(20, 500, 30_000, () => 0.999)).toBe(29_970);
    expect(backoffDelay(3, 500, 30_000, () => 0)).toBe(0);
  });

  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

/** A server answering from a script: each request takes the next step, then `ok` forever. */
type Step = { status: number; body: string; headers?: Record<string, string> } | 'hang' | 'reset';
function scripted() {
  let script: Step[] = [];
  const seen: number[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(Date.now());
    const step = script.shift() ?? { status: 200, body: '{"ok":true}' };
    if (step === 'hang') return; // never answers: the client times out
    if (step === 'reset') return req.socket.destroy();
    res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
    res.end(step.body);
  });
  return {
    server, seen,
    set(steps: Step[]) {
      script = steps;
      seen.length = 0;
    },
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  };
}

describe('UpstreamClient against a scripted upstream', () => {
  const upstream = scripted();
  beforeAll(() => new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise<void>((resolve) => {
    upstream.server.closeAllConnections();
    upstream.server.close(() => resolve());
  }));
  const ssError = (message: string) => JSON.stringify({ request_id: 'r', errors: [{ error_source: 'shipstation', error_type: 'system', error_code: 'unspecified', message }] });
  const client = (extra: Partial<ConstructorParameters<typeof UpstreamClient>[0]> = {}) => new UpstreamClient({
    baseUrl: upstream.url(), headers: { 'api-key': 'k' }, requestsPerMinute: 0, describeError: shipStationErrorMessage,
    backoffBaseMs: 5, backoffCapMs: 20, timeoutMs: 300, maxAttempts: 5, ...extra,
  });
  // The process's first request loads the HTTP client's internals, which on a busy machine can outlast the 300 ms
  // timeout above and turn the first test's expected retry into a timeout: make it before the tests.
  beforeAll(async () => {
    const warm = client({ timeoutMs: 30_000 });
    await warm.getJson('/warm-up');
    warm.close();
  });

  it.each<[string, Step, keyof UpstreamClient['stats']['retries']]>([
    ['500', { status: 500, body: ssError('Internal.') }, 'server_error'],
    ['503', { status: 503, body: 'unavailable' }, 'server_error'],
    ['timeout', 'hang', 'timeout'],
    ['connection reset', 'reset', 'network'],
    ['truncated JSON', { status: 200, body: '{"purchase_orders": [{"purch' }, 'truncated'],
  ])('recovers from %s', async (_name, step, kind) => {
    upstream.set([step, step]);
    const c = client();
    const got = await c.getJson<{ ok: boolean }>('/v2/purchase_orders');
    expect(got!.body).toEqual({ ok: true });
    expect(c.stats.retries[kind]).toBe(2);
    expect(c.stats.requests).toBe(3);
  });

  it('refuses a metadata or link-local upstream address without connecting, and does not retry it (SSRF)', async () => {
    for (const baseUrl of [
      'http://169.254.169.254', 'http://[fe80::1]:8080', 'http://[::ffff:169.254.169.254]',
      'http://[::169.254.169.254]', 'http://[::a9fe:a9fe]', 'http://[::10.0.0.1]', 'http://[64:ff9b::169.254.169.254]',
    ]) {
      const refused = client({ baseUrl });
      const error = await refused.getJson('/v2/purchase_orders').catch((e: unknown) => e);
      expect(error, baseUrl).toBeInstanceOf(UpstreamError);
      expect(String((error as Error).message)).toMatch(/refused/);
      expect(refused.stats.requests).toBe(0); // nothing sent
      expect(Object.values(refused.stats.retries).every((n) => n === 0)).toBe(true);
      refused.close();
    }
    // Loopback stays allowed (sandboxes, self-hosted upstreams): this suite's upstream is on 127.0.0.1.
    const local = client();
    expect((await local.getJson('/ok'))?.status ?? 200).toBe(200);
    local.close();
  });

  it('judges the host of every URL it is given (a next link elsewhere), not only the first one it saw', async () => {
    const c = client();
    expect((await c.getJson('/ok'))?.status ?? 200).toBe(200);
    const port = new URL(upstream.url()).port;
    // Each URL's host is a metadata address, however much of the allowed URL's text comes before it.
    for (const next of ['http://169.254.169.254/v2/purchase_orders?page=2', `http://127.0.0.1:${port}@169.254.169.254/v2/purchase_orders`,
      'http://169.254.169.254\\@127.0.0.1/v2/purchase_orders', `http://169.254.169.254:${port}/v2/purchase_orders`]) {
      const error = await c.getJson(next).catch((e: unknown) => e);
      expect(error, next).toBeInstanceOf(UpstreamError);
      expect(String((error as Error).message), next).toMatch(/refused/);
    }
    expect(c.stats.requests).toBe(1); // only the first
    expect((await c.getJson(`${upstream.url()}/ok`))?.status ?? 200).toBe(200);
    c.close();
  });

  it('honours Retry-After on a 429, and holds other requests meanwhile', async () => {
    upstream.set([{ status: 429, body: ssError('Slow down.'), headers: { 'Retry-After': '1' } }]);
    const c = client({ requestsPerMinute: 60_000 });
    const started = Date.now();
    await Promise.all([c.getJson('/a'), c.getJson('/b'), c.getJson('/c')]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(c.stats.received429).toBe(1);
    expect(c.stats.most429sForOneRequest).toBe(1);
    // After the 429, nothing was sent before Retry-After passed.
    const afterFirst = upstream.seen.filter((t) => t - upstream.seen[0] < 900);
    expect(afterFirst.length).toBeLessThanOrEqual(3);
  });

  it('gives up after maxAttempts with the upstream message (ShipStation errors[0].message)', async () => {
    upstream.set(Array.from({ length: 3 }, () => ({ status: 500, body: ssError('Database unavailable.') })));
    const error = await client({ maxAttempts: 3 }).getJson('/x').catch((e) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toBe('ShipStation: Database unavailable. (HTTP 500) (gave up after 3 attempts)');
  });

  it("does not retry a 4xx; Stocky's body is the message", async () => {
    upstream.set([{ status: 401, body: '{"error":"Invalid API key or store name."}' }]);
    const error = await client({ describeError: stockyErrorMessage }).getJson('/x').catch((e) => e);
    expect(error.message).toBe('Stocky answered HTTP 401: Invalid API key or store name.');
    expect(upstream.seen.length).toBe(1);
  });

  it('404 is null when allowed', async () => {
    upstream.set([{ status: 404, body: '{}' }]);
    expect(await client().getJson('/x', { allowNotFound: true })).toBeNull();
  });

  it('the run signal stops it at once, without retrying', async () => {
    upstream.set(['hang']);
    const controller = new AbortController();
    const pending = client({ signal: controller.signal, timeoutMs: 10_000 }).getJson('/x');
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(pending).rejects.toThrow('stop');
  });

  it('keeps to the rate, and follows X-Rate-Limit-Limit', async () => {
    upstream.set(Array.from({ length: 30 }, () => ({ status: 200, body: '{}', headers: { 'X-Rate-Limit-Limit': '1200' } })));
    const c = client({ requestsPerMinute: 200, adaptToRateHeader: true });
    const started = Date.now();
    for (let i = 0; i < 30; i++) await c.getJson('/x');
    const elapsed = Date.now() - started;
    expect(c.requestsPerMinute).toBe(1200); // 20 a second from the first answer on, not 200 a minute (which takes 7 s)
    expect(elapsed).toBeLessThan(3000);
    const strict = client({ requestsPerMinute: 1200, burst: 1 });
    upstream.set([]);
    const t0 = Date.now();
    for (let i = 0; i < 11; i++) await strict.getJson('/x');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450); // 10 waits of 50 ms
  });
});

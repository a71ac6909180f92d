// ShipStation syncs whose upstream requests a worker thread makes (src/sync/worker-client.ts): the same stored result
// as the in-process client; 429 (Retry-After) and 5xx retried in the worker, counted in client.stats and in the
// metrics of this thread; the upstream's own message in the run's error; an aborted run ends its thread.
import { afterAll, describe, expect, it } from 'vitest';
import { upstreamRequests } from '../../src/observability/metrics.ts';
import type { ClientStats } from '../../src/sync/http-client.ts';
import { UpstreamError } from '../../src/sync/http-client.ts';
import { upstreamThreads } from '../../src/sync/upstream-threads.ts';
import { TestDatabases } from '../support/test-database.ts';
import { makeConnection, run, shipStation, snapshot } from './support.ts';

const databases = TestDatabases.create();

async function requestsCounted(outcome: string): Promise<number> {
  const metric = await upstreamRequests.get();
  return metric.values.filter((v) => v.labels.kind === 'shipstation' && v.labels.outcome === outcome).reduce((a, v) => a + v.value, 0);
}

/** Waits until no thread but the idle one is running (an ended run's thread may take a moment to exit). */
async function onlyIdleThreadsLeft(withinMs = 5_000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    const { live, idle } = upstreamThreads();
    if (live === idle) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

describe.each(databases.eachSupportedId())('ShipStation through the upstream worker on %s', (databaseId) => {
  it('stores what the in-process client stores, with the same requests', async () => {
    const { db } = await databases.init(databaseId);
    const sandbox = await shipStation({ pos: 130 });
    afterAll(sandbox.close);
    const viaWorker = await makeConnection(db, 'shipstation', sandbox.url, 'via-worker');
    const inProcess = await makeConnection(db, 'shipstation', sandbox.url, 'in-process');
    const stats: Record<string, ClientStats> = {};
    const started = upstreamThreads().live;
    const a = await run(db, viaWorker, { tuning: { upstreamWorker: true, pageSize: 40 }, hooks: { clientStats: (s) => { stats.worker = s; } } });
    expect(upstreamThreads().live).toBeGreaterThanOrEqual(Math.max(1, started)); // a thread did the work (kept idle now)
    const b = await run(db, inProcess, { tuning: { upstreamWorker: false, pageSize: 40 }, hooks: { clientStats: (s) => { stats.local = s; } } });
    expect(a).toEqual({ counts: { fetched: 130, created: 130, updated: 0, unchanged: 0, failed: 0 }, error: null });
    expect(b).toEqual(a);
    expect(await snapshot(db, viaWorker.retailer_id)).toEqual(await snapshot(db, inProcess.retailer_id));
    // 4 list pages and one GET per PO, through either client.
    expect(stats.worker.requests).toBe(134);
    expect(stats.worker).toEqual(stats.local);
    // A second run (the thread kept from the first) finds everything current.
    expect((await run(db, viaWorker, { tuning: { upstreamWorker: true, pageSize: 40 } })).counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
  });

  it('retries 429 (honouring Retry-After) and 5xx in the worker, and counts them here', async () => {
    const { db } = await databases.init(databaseId);
    const sandbox = await shipStation({ pos: 80, faults: { '429': 0.05, '500': 0.08 } });
    afterAll(sandbox.close);
    const connection = await makeConnection(db, 'shipstation', sandbox.url);
    const before = { tooMany: await requestsCounted('429'), failed: await requestsCounted('5xx'), ok: await requestsCounted('2xx') };
    let stats: ClientStats | undefined;
    const result = await run(db, connection, { tuning: { upstreamWorker: true }, hooks: { clientStats: (s) => { stats = s; } } });
    expect(result.counts).toMatchObject({ fetched: 80, created: 80, failed: 0 });
    const injected = sandbox.app.sandbox.stats.faults;
    expect(injected['429']).toBeGreaterThan(0);
    expect(injected['500']).toBeGreaterThan(0);
    expect(stats!.received429).toBe(injected['429']);
    expect(stats!.retries.rate_limited).toBe(injected['429']);
    expect(stats!.retries.server_error).toBe(injected['500']);
    expect(stats!.requests).toBe(81 + injected['429'] + injected['500']);
    // Every attempt's outcome reached this thread's metrics.
    expect(await requestsCounted('429') - before.tooMany).toBe(injected['429']);
    expect(await requestsCounted('5xx') - before.failed).toBe(injected['500']);
    expect(await requestsCounted('2xx') - before.ok).toBe(81);
  });

  it('a run that gives up fails with the upstream message, status and attempts', async () => {
    const { db } = await databases.init(databaseId);
    const sandbox = await shipStation({ pos: 20, faults: { '500': 1 } });
    afterAll(sandbox.close);
    const connection = await makeConnection(db, 'shipstation', sandbox.url);
    const error = await run(db, connection, { tuning: { upstreamWorker: true, maxAttempts: 2 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).message).toBe('ShipStation: An unexpected error occurred. Please try again. (HTTP 500) (gave up after 2 attempts)');
    expect(error).toMatchObject({ kind: 'server_error', status: 500, attempts: 2 });
    expect(await onlyIdleThreadsLeft()).toBe(true);
  });

  it('an aborted run fails with its reason at once and ends its thread', async () => {
    const { db } = await databases.init(databaseId);
    // Every request hangs: the run is waiting on the worker when it is aborted.
    const sandbox = await shipStation({ pos: 20, faults: { timeout: 1 }, timeoutHangMs: 20_000 });
    afterAll(sandbox.close);
    const connection = await makeConnection(db, 'shipstation', sandbox.url);
    const controller = new AbortController();
    const started = Date.now();
    const running = run(db, connection, { signal: controller.signal, tuning: { upstreamWorker: true, timeoutMs: 15_000 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(upstreamThreads().live - upstreamThreads().idle).toBe(1);
    controller.abort(new Error('stop now'));
    await expect(running).rejects.toThrow('stop now');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await onlyIdleThreadsLeft()).toBe(true);
  });
});

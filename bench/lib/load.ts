// Load with autocannon against one server; latency kept here in µs (autocannon's own histogram keeps whole ms),
// with the server's CPU time per request and, where the server keeps one, its event-loop delay during the load.
import { createHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { fmt, log } from './common.ts';
import type { EventLoopDelay, Server } from './servers.ts';

export interface Load {
  method?: 'GET' | 'POST';
  path: () => string;
  body?: () => string;
  headers?: Record<string, string>;
  connections: number;
}

export interface Measured {
  rps: number;
  /** CPU time the server spent per response, in µs (null for a server that cannot say). */
  cpuPerRequest: number | null;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  bytesPerResponse: number;
  eventLoopDelay: EventLoopDelay | null;
}

export async function runLoad(server: Server, load: Load, durationSeconds: number, label: string): Promise<Measured> {
  const histogram = createHistogram({ lowest: 1, highest: 120_000_000, figures: 3 });
  let responses = 0;
  let non2xx = 0;
  let bytes = 0;
  const cpuBefore = await server.cpu();
  await server.resetEventLoopDelay();
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<autocannon.Result>((resolveDone, rejectDone) => { finish = resolveDone; fail = rejectDone; });
  const instance = autocannon({
    url: server.url,
    connections: load.connections,
    duration: durationSeconds,
    timeout: 10,
    headers: { ...(load.body ? { 'content-type': 'application/json' } : {}), ...load.headers },
    method: load.method ?? 'GET',
    requests: [{
      setupRequest: (request) => {
        request.path = load.path();
        if (load.body) request.body = load.body();
        return request;
      },
    }],
  }, (error, result) => (error ? fail(error) : finish(result)));
  instance.on('response', (_client, statusCode, resBytes, responseTime) => {
    responses++;
    bytes += resBytes;
    if (statusCode < 200 || statusCode > 299) non2xx++;
    histogram.record(Math.max(1, Math.round(responseTime * 1000)));
  });
  const result = await done;
  const cpuAfter = await server.cpu();
  const eventLoopDelay = await server.eventLoopDelay();
  const measured: Measured = {
    rps: responses / result.duration,
    cpuPerRequest: cpuBefore !== null && cpuAfter !== null && responses ? (cpuAfter - cpuBefore) / responses : null,
    p50: histogram.percentile(50) / 1000,
    p99: histogram.percentile(99) / 1000,
    requests: responses,
    non2xx,
    errors: result.errors,
    bytesPerResponse: responses ? bytes / responses : 0,
    eventLoopDelay,
  };
  if (label) {
    log(`  ${label.padEnd(40)} ${fmt(measured.rps, 0).padStart(8)} req/s   p50 ${fmt(measured.p50, 2).padStart(7)} ms   p99 ${fmt(measured.p99, 2).padStart(7)} ms` +
      (measured.cpuPerRequest !== null ? `   CPU ${fmt(measured.cpuPerRequest, 0).padStart(5)} µs/req` : '') +
      (eventLoopDelay ? `   loop delay p99 ${fmt(eventLoopDelay.p99, 1)} ms, max ${fmt(eventLoopDelay.max, 1)} ms` : '') +
      `   (${measured.requests} responses, ${measured.non2xx} non-2xx, ${measured.errors} errors, ${Math.round(measured.bytesPerResponse)} B)`);
  }
  return measured;
}

export async function warmUpAndMeasure(server: Server, load: Load, warmupSeconds: number, durationSeconds: number, label: string): Promise<Measured> {
  await runLoad(server, load, warmupSeconds, '');
  return runLoad(server, load, durationSeconds, label);
}

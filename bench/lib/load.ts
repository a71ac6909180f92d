// Load with autocannon (or wrk, bench/lib/wrk.ts) against one server; latency kept here in µs (autocannon's own
// histogram keeps whole ms), with the server's CPU time per request and, where the server keeps one, its event-loop delay during the load.
// On a shared machine a pair (service, baseline) is measured in alternating rounds, so that both see the same
// mix of other work: measurePair.
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { fmt, intFromEnv, log } from './common.ts';
import type { EventLoopDelay, Server } from './servers.ts';
import { runWrk } from './wrk.ts';

/** Distinct request paths drawn for a wrk round (it cycles through them). */
const WRK_PATHS = intFromEnv('BENCH_WRK_PATHS', 50_000);

export interface Load {
  method?: 'GET' | 'POST';
  path: () => string;
  body?: () => string;
  headers?: Record<string, string>;
  connections: number;
  /**
   * Load with wrk instead of autocannon (bench/lib/wrk.ts), `pipelining` requests at a time on each connection:
   * for a row that needs the cores autocannon would take. GET only.
   */
  wrk?: { pipelining: number };
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
  /** The worst round's event-loop delay. */
  eventLoopDelay: EventLoopDelay | null;
  /**
   * Cores the load generator (autocannon in this process, or wrk) kept busy: its CPU seconds per second. Near 1 it is
   * the limit (it is single-threaded), not the server.
   */
  generatorCores: number;
  /** For a server of several processes: each one's CPU time per response, µs, by pid (null otherwise). */
  cpuPerRequestByProcess: Record<string, number> | null;
}

/** What one or more rounds against one server add up to. */
class Tally {
  readonly histogram: RecordableHistogram = createHistogram({ lowest: 1, highest: 120_000_000, figures: 3 });
  responses = 0;
  non2xx = 0;
  errors = 0;
  bytes = 0;
  seconds = 0;
  cpu: number | null = 0;
  generatorCpu = 0;
  cpuByProcess: Record<string, number> | null = null;
  eventLoopDelay: EventLoopDelay | null = null;

  measured(): Measured {
    return {
      rps: this.responses / this.seconds,
      cpuPerRequest: this.cpu !== null && this.responses ? this.cpu / this.responses : null,
      p50: this.histogram.percentile(50) / 1000,
      p99: this.histogram.percentile(99) / 1000,
      requests: this.responses,
      non2xx: this.non2xx,
      errors: this.errors,
      bytesPerResponse: this.responses ? this.bytes / this.responses : 0,
      eventLoopDelay: this.eventLoopDelay,
      generatorCores: this.seconds ? this.generatorCpu / 1e6 / this.seconds : 0,
      cpuPerRequestByProcess: this.cpuByProcess && this.responses
        ? Object.fromEntries(Object.entries(this.cpuByProcess).map(([pid, us]) => [pid, us / this.responses])) : null,
    };
  }
}

async function round(server: Server, load: Load, durationSeconds: number, tally: Tally): Promise<void> {
  const cpuBefore = await server.cpu();
  const partsBefore = await server.cpuByProcess?.();
  await server.resetEventLoopDelay();
  if (load.wrk) await wrkRound(server, load, durationSeconds, tally);
  else await autocannonRound(server, load, durationSeconds, tally);
  const cpuAfter = await server.cpu();
  tally.cpu = tally.cpu !== null && cpuBefore !== null && cpuAfter !== null ? tally.cpu + cpuAfter - cpuBefore : null;
  const partsAfter = await server.cpuByProcess?.();
  if (partsBefore && partsAfter) {
    tally.cpuByProcess ??= {};
    for (const [pid, us] of Object.entries(partsAfter)) tally.cpuByProcess[pid] = (tally.cpuByProcess[pid] ?? 0) + us - (partsBefore[pid] ?? us);
  }
  const delay = await server.eventLoopDelay();
  if (delay && (!tally.eventLoopDelay || delay.p99 > tally.eventLoopDelay.p99)) tally.eventLoopDelay = delay;
}

async function autocannonRound(server: Server, load: Load, durationSeconds: number, tally: Tally): Promise<void> {
  const generatorBefore = process.cpuUsage();
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
    tally.responses++;
    tally.bytes += resBytes;
    if (statusCode < 200 || statusCode > 299) tally.non2xx++;
    tally.histogram.record(Math.max(1, Math.round(responseTime * 1000)));
  });
  const result = await done;
  const generator = process.cpuUsage(generatorBefore);
  tally.generatorCpu += generator.user + generator.system;
  tally.seconds += result.duration;
  tally.errors += result.errors;
}

/** A round with wrk (bench/lib/wrk.ts): GET only; BENCH_WRK_PATHS paths drawn from load.path() for it. */
async function wrkRound(server: Server, load: Load, durationSeconds: number, tally: Tally): Promise<void> {
  if (load.body || (load.method ?? 'GET') !== 'GET') throw new Error('the wrk rounds send GET requests only');
  const paths = Array.from({ length: WRK_PATHS }, () => load.path());
  const result = await runWrk({
    url: server.url, paths, headers: load.headers ?? {}, connections: load.connections,
    pipelining: load.wrk!.pipelining, seconds: durationSeconds,
  });
  tally.responses += result.responses;
  tally.bytes += result.bytes;
  tally.non2xx += result.non2xx;
  tally.errors += result.errors;
  tally.seconds += result.seconds;
  tally.generatorCpu += result.cpuMicros;
  for (const [us, n] of result.latencies) for (let i = 0; i < n; i++) tally.histogram.record(Math.max(1, us));
}

function print(label: string, m: Measured): void {
  log(`  ${label.padEnd(44)} ${fmt(m.rps, 0).padStart(8)} req/s   p50 ${fmt(m.p50, 2).padStart(7)} ms   p99 ${fmt(m.p99, 2).padStart(7)} ms` +
    (m.cpuPerRequest !== null ? `   CPU ${fmt(m.cpuPerRequest, 0).padStart(5)} µs/req` : '') +
    (m.eventLoopDelay ? `   loop delay p99 ${fmt(m.eventLoopDelay.p99, 1)} ms, max ${fmt(m.eventLoopDelay.max, 1)} ms` : '') +
    `   load generator ${fmt(m.generatorCores, 2)} cores` +
    `   (${m.requests} responses, ${m.non2xx} non-2xx, ${m.errors} errors, ${Math.round(m.bytesPerResponse)} B)`);
}

/** `warmupSeconds` unmeasured, then `durationSeconds` measured in `rounds` rounds. */
export async function measure(server: Server, load: Load, warmupSeconds: number, durationSeconds: number, label: string, rounds = 1): Promise<Measured> {
  await round(server, load, warmupSeconds, new Tally());
  const tally = new Tally();
  for (let i = 0; i < rounds; i++) await round(server, load, Math.max(1, Math.round(durationSeconds / rounds)), tally);
  const m = tally.measured();
  print(label, m);
  return m;
}

/**
 * Several (server, load) entries in alternating rounds (1, 2, …, 1, 2, …) after a warm-up of each, so that other
 * work on the machine weighs on all alike; each gets `durationSeconds` in all.
 */
export async function measureAlternating(
  entries: { server: Server; load: Load; label: string }[], warmupSeconds: number, durationSeconds: number, rounds: number,
): Promise<Measured[]> {
  for (const e of entries) await round(e.server, e.load, warmupSeconds, new Tally());
  const tallies = entries.map(() => new Tally());
  const each = Math.max(1, Math.round(durationSeconds / rounds));
  for (let i = 0; i < rounds; i++) {
    for (const [k, e] of entries.entries()) await round(e.server, e.load, each, tallies[k]);
  }
  const result = tallies.map((t) => t.measured());
  entries.forEach((e, k) => print(e.label, result[k]));
  return result;
}

// `npm run bench`: every read row of DESIGN 7 in one run, each against its own baseline measured in the same run.
//
// 1. SQLite at data/bench/ordersync.db with BENCH_POS seeded POs (1,000,000 is the reference; seeding resumes),
//    and PostgreSQL (database ordersync_bench on BENCH_PG_URL, BENCH_PG_POS POs; BENCH_PG=0 skips it).
// 2. The service (buildApp, its own process) and bare Fastify routes sending bodies of the service's average sizes
//    (its own process); autocannon runs here, and wrk (when installed) loads the workers row (bench/lib/wrk.ts).
// 3. Rows: by-po v2 vs bare (50 connections); bulk by-po-numbers of 100 random POs vs bare with the same bytes (10
//    connections); by-date page 1 of one day, page 1 of 2000..2099, a page past 90% of it (20 connections), with
//    the service's event-loop delay (perf_hooks.monitorEventLoopDelay) during bulk and by-date; `ordersync serve
//    --workers 1` vs `--workers 2`; by-po on PostgreSQL vs the same bare route; bytes per PO on SQLite.
// 4. Writes bench/results.json and regenerates the README's performance table from it (bench/lib/readme.ts).
//
// Environment: BENCH_POS (1000000), BENCH_PG_POS (min(BENCH_POS, 50000)), BENCH_PG_URL
// (postgres://postgres@127.0.0.1:5432/postgres), BENCH_DURATION s (20), BENCH_WARMUP s (5), BENCH_LOG_LEVEL (warn),
// BENCH_CPU_PROF=1 (profile the service into data/bench/profiles), BENCH_PORT (9300: the workers rows use it),
// BENCH_PG=0, BENCH_WORKERS=0 (skip rows), BENCH_ROUNDS (4: each comparison alternates its sides in this many rounds).
// BENCH_WRK_PIPELINING (10) and BENCH_WRK_PATHS (50000): the workers row's wrk load (bench/lib/wrk.ts).
import { availableParallelism, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDatabaseUrl } from '../src/config.ts';
import { poNumberFor } from '../src/seed/generate.ts';
import { benchDir, fmt, intFromEnv, killChildren, log, mib, seconds } from './lib/common.ts';
import { ensurePostgresDatabase, prepareDatabase, SEED, SQLITE_FILE, sqliteBytes, warmPageCache } from './lib/database.ts';
import { measureAlternating, type Load, type Measured } from './lib/load.ts';
import { storeFloor } from './lib/store-floor.ts';
import { wrkInstalled } from './lib/wrk.ts';
import { regenerateReadme, RESULTS_FILE, type Results, type Row } from './lib/readme.ts';
import { startCli, startServer, type Server } from './lib/servers.ts';

const POS = intFromEnv('BENCH_POS', 1_000_000);
const PG_POS = intFromEnv('BENCH_PG_POS', Math.min(POS, 50_000));
const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DURATION = intFromEnv('BENCH_DURATION', 20);
const WARMUP = intFromEnv('BENCH_WARMUP', 5);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'warn';
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const PORT = intFromEnv('BENCH_PORT', 9300);
const WITH_PG = process.env.BENCH_PG !== '0';
const WITH_WORKERS = process.env.BENCH_WORKERS !== '0';
/** Alternating rounds per comparison (the machine may be shared: both sides see the same other work). */
const ROUNDS = intFromEnv('BENCH_ROUNDS', 4);
/** Requests a wrk connection writes before reading their responses (the workers row). */
const WRK_PIPELINING = intFromEnv('BENCH_WRK_PIPELINING', 10);
const LIMIT = 100;
/** The seeded order dates: the two years before this day (src/seed). */
const SEEDED_UNTIL = Date.parse('2026-11-01T00:00:00Z');
const DAY = 86_400_000;

const randomPo = (pos: number) => poNumberFor(SEED, Math.floor(Math.random() * pos));
/** Each entry measured for DURATION seconds in all, in ROUNDS alternating rounds. */
const compare = (...entries: { server: Server; load: Load; label: string }[]) => measureAlternating(entries, WARMUP, DURATION, ROUNDS);
/** The request rate a CPU-bound server would reach against the baseline: baseline CPU µs/request ÷ its own. */
const cpuShare = (m: Measured, baseline: Measured) => (baseline.cpuPerRequest ?? 0) / (m.cpuPerRequest ?? Infinity);
/** "49/51%": each worker's share of the CPU the workers of `serve --workers 2` spent (the primary left out). */
function workerSplit(m: Measured): string {
  const parts = Object.entries(m.cpuPerRequestByProcess ?? {}).filter(([name]) => name.startsWith('worker')).map(([, us]) => us);
  const sum = parts.reduce((a, b) => a + b, 0);
  return parts.length === 2 && sum > 0 ? parts.map((p) => `${fmt((100 * p) / sum, 0)}`).join('/') + '%' : 'unknown';
}
const ratioText = (r: number) => `${fmt(r * 100, 0)}%`;
const times = (r: number) => `${fmt(r, 2)}×`;

async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; bytes: number; body: any }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  return { status: response.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) };
}

/** Average response size of `count` requests, each of which must answer 200. */
async function averageBytes(count: number, request: () => Promise<{ status: number; bytes: number }>): Promise<number> {
  let total = 0;
  for (let i = 0; i < count; i++) {
    const { status, bytes } = await request();
    if (status !== 200) throw new Error(`a sample request answered ${status}`);
    total += bytes;
  }
  return Math.round(total / count);
}

async function main(): Promise<void> {
  const began = Date.now();
  const sqliteUrl = `sqlite:${SQLITE_FILE}`;
  const sqlite = await prepareDatabase(parseDatabaseUrl(sqliteUrl), sqliteUrl, POS);
  const dbBytes = sqliteBytes();
  log(`SQLite database: ${mib(dbBytes)}, ${fmt(dbBytes / POS, 0)} bytes per PO.`);
  const postgres = WITH_PG ? await prepareDatabase(parseDatabaseUrl(await ensurePostgresDatabase(PG_URL, 'ordersync_bench')),
    await ensurePostgresDatabase(PG_URL, 'ordersync_bench'), PG_POS) : null;
  log(`Read the SQLite file into the OS page cache in ${seconds(warmPageCache())}.`);
  const loadBefore = loadavg()[0];
  log(`Load average (1 min) before the load: ${loadBefore.toFixed(2)} on ${availableParallelism()} cores.`);
  const headers = { 'x-api-key': sqlite.secret };
  const profileDir = join(benchDir, 'profiles');
  if (CPU_PROF) mkdirSync(profileDir, { recursive: true });
  const rows: Row[] = [];
  const raw: Record<string, Measured | number> = {};

  const service = await startServer('ordersync', 'ordersync.ts', { BENCH_DATABASE_URL: sqliteUrl, BENCH_LOG_LEVEL: LOG_LEVEL },
    CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  let bare: Server | undefined;
  try {
    const byPoPath = () => `/api/v2/orders/by-po/${randomPo(POS)}`;
    const bulkBody = () => JSON.stringify({ po_numbers: Array.from({ length: 100 }, () => randomPo(POS)) });
    const byPoBytes = await averageBytes(500, () => getJson(service.url + byPoPath(), { headers }));
    const bulkBytes = await averageBytes(50, () => getJson(`${service.url}/api/v2/orders/by-po-numbers`,
      { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: bulkBody() }));
    log(`Average response: by-po ${byPoBytes} B, bulk of 100 ${bulkBytes} B. ${WARMUP} s warm-up, ${DURATION} s measured per line.`);
    bare = await startServer('bare', 'bare.ts', { BENCH_BODY_BYTES: String(byPoBytes), BENCH_BULK_BYTES: String(bulkBytes) });

    // by-po first, while the database file is freshest in the page cache, against its bare baseline.
    const [byPo, bareByPo] = await compare(
      { server: service, load: { path: byPoPath, headers, connections: 50 }, label: 'by-po v2 (SQLite), 50 conn' },
      { server: bare, load: { path: byPoPath, connections: 50 }, label: 'bare route, same bytes, 50 conn' });
    const byPoRatio = byPo.rps / bareByPo.rps;
    rows.push({
      what: `\`GET /api/v2/orders/by-po/:po\`, SQLite, 50 connections`,
      measured: `${fmt(byPo.rps, 0)} vs bare ${fmt(bareByPo.rps, 0)} req/s; p99 ${fmt(byPo.p99, 1)} ms (bare ${fmt(bareByPo.p99, 1)} ms); CPU ${fmt(byPo.cpuPerRequest ?? 0, 0)} vs ${fmt(bareByPo.cpuPerRequest ?? 0, 0)} µs/req = ${ratioText(cpuShare(byPo, bareByPo))} by CPU`,
      ratio: ratioText(byPoRatio), target: '≥ 50% of bare, p99 ≤ 10 ms', met: byPoRatio >= 0.5 && byPo.p99 <= 10,
    });

    // bulk: the same bytes from a bare route.
    const bulkLoad = { method: 'POST' as const, path: () => '/api/v2/orders/by-po-numbers', body: bulkBody, connections: 10 };
    const [bulk, bareBulk] = await compare(
      { server: service, load: { ...bulkLoad, headers }, label: 'bulk by-po-numbers, 100 POs, 10 conn' },
      { server: bare, load: bulkLoad, label: 'bare route, same bytes, 10 conn' });
    const bulkRatio = bulk.rps / bareBulk.rps;
    // The store's look-up alone (no HTTP): what the route cannot go under (bench/lib/store-floor.ts).
    const floor = await storeFloor(parseDatabaseUrl(sqliteUrl), () => randomPo(POS));
    log(`  store look-up alone (recordsByPoNumbers, 100 random POs, no HTTP): CPU ${fmt(floor.cpuPerLookup, 0)} µs per look-up, ${fmt(floor.recordsPerLookup, 1)} records each, ${fmt(floor.lookups, 0)} look-ups`);
    if (floor.seekOnlyPerLookup !== null) log(`  of which the index seeks alone (no row read): CPU ${fmt(floor.seekOnlyPerLookup, 0)} µs per look-up`);
    raw.bulkStoreFloorCpu = floor.cpuPerLookup;
    if (floor.seekOnlyPerLookup !== null) raw.bulkSeekOnlyCpu = floor.seekOnlyPerLookup;
    rows.push({
      what: 'bulk `by-po-numbers`, 100 random POs, 10 connections',
      measured: `${fmt(bulk.rps, 0)} vs bare ${fmt(bareBulk.rps, 0)} req/s (${fmt(bulkBytes / 1024, 0)} KiB each); CPU ${fmt(bulk.cpuPerRequest ?? 0, 0)} vs ${fmt(bareBulk.cpuPerRequest ?? 0, 0)} µs/req = ${ratioText(cpuShare(bulk, bareBulk))} by CPU; `
        + `the store's look-up alone (no HTTP) ${fmt(floor.cpuPerLookup, 0)} µs = ${times(floor.cpuPerLookup / (bareBulk.cpuPerRequest ?? Infinity))} the bare route's whole request`
        + (floor.seekOnlyPerLookup === null ? '' : `, its index seeks alone ${fmt(floor.seekOnlyPerLookup, 0)} µs`),
      ratio: ratioText(bulkRatio), target: '≥ 50% of bare with the same bytes', met: bulkRatio >= 0.5,
    });

    // by-date: one day, ten-plus years page 1, and a page past 90% of them.
    const oneDay = () => new Date(SEEDED_UNTIL - (1 + Math.floor(Math.random() * 728)) * DAY).toISOString().slice(0, 10);
    const wide = { start: '2000-01-01', end: '2099-12-31' };
    const { body: wideBody } = await getJson(`${service.url}/api/v2/orders/by-date?start_date=${wide.start}&end_date=${wide.end}&limit=${LIMIT}`, { headers });
    const lastPage = Math.ceil(wideBody.meta.total / LIMIT);
    const dateLoad = (path: () => string): Load => ({ path, headers, connections: 20 });
    // Pages past 90% but not the last one, so every page holds `LIMIT` records as page 1 does.
    const deepPage = () => lastPage - 1 - Math.floor(Math.random() * Math.max(1, Math.floor(lastPage * 0.1)));
    const [dayPage1, widePage1, wideDeep] = await compare(
      { server: service, load: dateLoad(() => `/api/v2/orders/by-date?start_date=${oneDay()}&limit=${LIMIT}`), label: 'by-date one day, page 1, 20 conn' },
      { server: service, load: dateLoad(() => `/api/v2/orders/by-date?start_date=${wide.start}&end_date=${wide.end}&limit=${LIMIT}`), label: 'by-date 2000..2099, page 1' },
      { server: service, load: dateLoad(() => `/api/v2/orders/by-date?start_date=${wide.start}&end_date=${wide.end}&limit=${LIMIT}&page=${deepPage()}`),
        label: `by-date 2000..2099, pages past 90% (~${Math.round(lastPage * 0.95)})` });
    const deepRatio = wideDeep.p99 / widePage1.p99;
    const wideRatio = widePage1.p99 / dayPage1.p99;
    const loopP99 = Math.max(...[dayPage1, widePage1, wideDeep].map((m) => m.eventLoopDelay?.p99 ?? 0));
    rows.push({
      what: `\`by-date\` deep page vs page 1 (2000-01-01..2099-12-31, ${fmt(wideBody.meta.total, 0)} POs, limit ${LIMIT}, 20 connections)`,
      measured: `p99 ${fmt(wideDeep.p99, 1)} vs ${fmt(widePage1.p99, 1)} ms; CPU ${fmt(wideDeep.cpuPerRequest ?? 0, 0)} vs ${fmt(widePage1.cpuPerRequest ?? 0, 0)} µs/req`,
      ratio: times(deepRatio), target: '≤ 2×', met: deepRatio <= 2,
    });
    rows.push({
      what: '`by-date` page 1, 2000..2099 vs one day',
      measured: `p99 ${fmt(widePage1.p99, 1)} vs ${fmt(dayPage1.p99, 1)} ms; CPU ${fmt(widePage1.cpuPerRequest ?? 0, 0)} vs ${fmt(dayPage1.cpuPerRequest ?? 0, 0)} µs/req`,
      ratio: times(wideRatio), target: '≤ 2×', met: wideRatio <= 2,
    });
    // What one request holds the event loop for: with one connection at a time each loop turn serves at most one
    // request, so the service's loop delay is that request's synchronous slice (plus what the machine adds: the
    // bare route's own delay under the same load is the control). Under 20 connections the delay also counts the
    // requests that arrived together and ran back to back in one turn, which is queueing, not one request's hold.
    // v1 counts lines: its pages past 90% fall in the seed's busiest days (tens of thousands of POs in one UTC day).
    const { body: wideV1 } = await getJson(`${service.url}/api/v1/orders/by-date?start_date=${wide.start}&end_date=${wide.end}&limit=${LIMIT}`, { headers });
    const lastV1Page = Math.ceil(wideV1.meta.total / LIMIT);
    const deepV1Page = () => lastV1Page - 1 - Math.floor(Math.random() * Math.max(1, Math.floor(lastV1Page * 0.1)));
    const [deepAlone, deepV1Alone, bulkAlone, bareAlone] = await compare(
      { server: service, load: { path: () => `/api/v2/orders/by-date?start_date=${wide.start}&end_date=${wide.end}&limit=${LIMIT}&page=${deepPage()}`, headers, connections: 1 },
        label: 'by-date deep pages, 1 connection' },
      { server: service, load: { path: () => `/api/v1/orders/by-date?start_date=${wide.start}&end_date=${wide.end}&limit=${LIMIT}&page=${deepV1Page()}`, headers, connections: 1 },
        label: 'by-date v1 (lines) deep pages, 1 connection' },
      { server: service, load: { ...bulkLoad, headers, connections: 1 }, label: 'bulk by-po-numbers, 1 connection' },
      { server: bare, load: { ...bulkLoad, connections: 1 }, label: 'bare route, bulk bytes, 1 connection' });
    const heldDate = deepAlone.eventLoopDelay?.p99 ?? 0;
    const heldV1 = deepV1Alone.eventLoopDelay?.p99 ?? 0;
    const heldBulk = bulkAlone.eventLoopDelay?.p99 ?? 0;
    const bulkLoop = bulk.eventLoopDelay?.p99 ?? 0;
    rows.push({
      what: 'event loop held by one request (`monitorEventLoopDelay` p99 in the service, one connection at a time)',
      measured: `by-date deep page ${fmt(heldDate, 1)} ms (CPU ${fmt((deepAlone.cpuPerRequest ?? 0) / 1000, 2)} ms/req), v1 deep page (of ${fmt(wideV1.meta.total, 0)} lines) ${fmt(heldV1, 1)} ms (CPU ${fmt((deepV1Alone.cpuPerRequest ?? 0) / 1000, 2)} ms/req), bulk ${fmt(heldBulk, 1)} ms (CPU ${fmt((bulkAlone.cpuPerRequest ?? 0) / 1000, 2)} ms/req); control, bare route same bytes: ${fmt(bareAlone.eventLoopDelay?.p99 ?? 0, 1)} ms. Under load (requests arriving together run back to back): by-date ${fmt(loopP99, 1)} ms at 20 connections, bulk ${fmt(bulkLoop, 1)} ms at 10; bare ${fmt(bareByPo.eventLoopDelay?.p99 ?? 0, 1)} ms at 50, ${fmt(bareBulk.eventLoopDelay?.p99 ?? 0, 1)} ms bulk`,
      ratio: '', target: '≤ 20 ms', met: heldDate <= 20 && heldV1 <= 20 && heldBulk <= 20,
    });
    Object.assign(raw, { deepAlone, deepV1Alone, bulkAlone, bareAlone });
    Object.assign(raw, { byPo, bareByPo, bulk, bareBulk, dayPage1, widePage1, wideDeep, byPoBytes, bulkBytes });
    await service.stop();

    if (WITH_PG && postgres) {
      const pgService = await startServer('ordersync-pg', 'ordersync.ts', { BENCH_DATABASE_URL: postgres.url, BENCH_LOG_LEVEL: LOG_LEVEL });
      try {
        const [pgByPo, pgBare] = await compare(
          { server: pgService, load: { path: () => `/api/v2/orders/by-po/${randomPo(PG_POS)}`, headers: { 'x-api-key': postgres.secret }, connections: 50 }, label: 'by-po v2 (PostgreSQL), 50 conn' },
          { server: bare, load: { path: byPoPath, connections: 50 }, label: 'bare route, same bytes, 50 conn' });
        const pgRatio = pgByPo.rps / pgBare.rps;
        rows.push({
          what: `\`by-po\` on PostgreSQL (${fmt(PG_POS, 0)} POs, pool of 10, named statements), 50 connections`,
          measured: `${fmt(pgByPo.rps, 0)} vs bare ${fmt(pgBare.rps, 0)} req/s, p99 ${fmt(pgByPo.p99, 1)} ms; service CPU ${fmt(pgByPo.cpuPerRequest ?? 0, 0)} µs/req (PostgreSQL's own not counted) = ${ratioText(cpuShare(pgByPo, pgBare))} by CPU; SQLite beside it: ${ratioText(byPoRatio)}`,
          ratio: ratioText(pgRatio), target: '≥ 35% of bare', met: pgRatio >= 0.35,
        });
        raw.pgByPo = pgByPo;
      } finally {
        await pgService.stop();
      }
    }

    if (WITH_WORKERS) {
      // No rate limit (as for the service above): the load is one key's, far over 600 requests a minute.
      const env = { DATABASE_URL: sqliteUrl, LOG_LEVEL, WEB_CONCURRENCY: '', RATE_LIMIT_PER_MINUTE: '0' };
      await bare.stop();
      const one = await startCli('serve-1', 1, PORT, env);
      const two = await startCli('serve-2', 2, PORT + 1, env);
      // wrk when installed: autocannon alone takes most of a core at these rates (see bench/lib/wrk.ts).
      const withWrk = wrkInstalled();
      if (!withWrk) log('  wrk is not installed (apt-get install -y wrk): autocannon loads the workers row and takes the cores a second worker needs.');
      const workersLoad: Load = { path: byPoPath, headers, connections: 50, ...(withWrk ? { wrk: { pipelining: WRK_PIPELINING } } : {}) };
      const generatorName = withWrk ? 'wrk' : 'autocannon';
      let perWorkers: Measured[];
      try {
        perWorkers = await compare(
          { server: one, load: workersLoad, label: `serve --workers 1, by-po (${generatorName})` },
          { server: two, load: workersLoad, label: `serve --workers 2, by-po (${generatorName})` });
      } finally {
        await one.stop();
        await two.stop();
      }
      const scale = perWorkers[1].rps / perWorkers[0].rps;
      rows.push({
        what: `\`serve --workers 2\` vs \`--workers 1\`, by-po, 50 connections (${withWrk ? `wrk, ${WRK_PIPELINING} pipelined requests a connection` : generatorName})`,
        measured: `${fmt(perWorkers[1].rps, 0)} vs ${fmt(perWorkers[0].rps, 0)} req/s; CPU ${fmt(perWorkers[1].cpuPerRequest ?? 0, 0)} vs ${fmt(perWorkers[0].cpuPerRequest ?? 0, 0)} µs/req (primary and workers), `
          + `split between the 2 workers ${workerSplit(perWorkers[1])}; ${generatorName} used ${fmt(perWorkers[1].generatorCores, 2)} vs ${fmt(perWorkers[0].generatorCores, 2)} cores of the ${availableParallelism()}`,
        ratio: times(scale), target: '≥ 1.5× on 2 cores', met: scale >= 1.5,
      });
      Object.assign(raw, { workers1: perWorkers[0], workers2: perWorkers[1] });
    }
    rows.push({
      what: 'storage, SQLite', measured: `${fmt(dbBytes / POS, 0)} bytes per PO (${mib(dbBytes)} for ${fmt(POS, 0)} POs)`,
      ratio: '', target: '(reported)', met: null,
    });
  } finally {
    await service.stop();
    await bare?.stop();
    await sqlite.revoke();
    await postgres?.revoke();
  }

  const results: Results = {
    when: new Date().toISOString(), node: process.version, pos: POS, pgPos: WITH_PG ? PG_POS : 0, cores: availableParallelism(),
    loadBefore, loadAfter: loadavg()[0], durationSeconds: DURATION, warmupSeconds: WARMUP, logLevel: LOG_LEVEL,
    databaseBytes: dbBytes, rows, raw,
  };
  writeFileSync(RESULTS_FILE, JSON.stringify(results, null, 2) + '\n');
  regenerateReadme(results);
  log();
  for (const row of rows) log(`${row.met === null ? '  ' : row.met ? 'ok' : '!!'}  ${row.what}: ${row.ratio} (${row.target}) — ${row.measured}`);
  log(`\nResults in ${RESULTS_FILE}; README.md's table regenerated. Whole run ${seconds(Date.now() - began)}.`);
  if (CPU_PROF) log(`CPU profile of the service in ${profileDir}`);
}

try {
  await main();
} finally {
  killChildren();
}

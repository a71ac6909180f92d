// `npm run bench`: the first benchmark (DESIGN section 7).
//
// 1. Seeds (or resumes seeding) a SQLite database of BENCH_POS purchase orders at data/bench/ordersync.db with the
//    project's own seedDatabase, and creates an API key for the bench retailer (revoked again at the end).
// 2. Starts the real service (buildApp) and a bare Fastify 5 route sending a JSON body of the average by-po size,
//    each in its own child process on a loopback port; the load generator (autocannon) runs in this process.
// 3. Loads GET /api/v2/orders/by-po/:po with random existing PO numbers (first, while the database file is freshest
//    in the OS page cache), then the same load on the bare route;
//    then, unless BENCH_EXTRAS=0, bulk by-po-numbers (100 POs) against single look-ups, and by-date page 1
//    against the last page.
// 4. Prints requests/s, p50/p99 and the ratios against the targets; writes them to data/bench/results-*.json.
//
// Environment: BENCH_POS (default 1000000), BENCH_DURATION seconds (20), BENCH_WARMUP seconds (5),
// BENCH_CONNECTIONS (50), BENCH_LOG_LEVEL (warn; `info` is the production default), BENCH_EXTRAS (1),
// BENCH_EXTRA_DURATION seconds (10), BENCH_CPU_PROF=1 (profile the service into data/bench/profiles),
// BENCH_WARM_CACHE=0 (skip reading the database file once before the load).
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { createHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { poNumberFor } from '../src/seed/generate.ts';
import { seedDatabase } from '../src/seed/seed.ts';
import { createApiKey, revokeApiKey } from '../src/store/api-keys.ts';
import { ensureRetailer } from '../src/store/retailers.ts';

function intFromEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}: expected a whole number ≥ ${min}, got "${raw}"`);
  return n;
}

const POS = intFromEnv('BENCH_POS', 1_000_000);
const DURATION = intFromEnv('BENCH_DURATION', 20);
const WARMUP = intFromEnv('BENCH_WARMUP', 5);
const CONNECTIONS = intFromEnv('BENCH_CONNECTIONS', 50);
const EXTRA_DURATION = intFromEnv('BENCH_EXTRA_DURATION', 10);
const EXTRAS = process.env.BENCH_EXTRAS !== '0';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'warn';
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const RETAILER = 'bench';
const SEED = 1;
const HOST = '127.0.0.1';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'data', 'bench');
const DB_FILE = join(benchDir, 'ordersync.db');

const children = new Set<ChildProcess>();
function killChildren(): void {
  for (const child of children) child.kill('SIGTERM');
}
process.once('SIGINT', () => { killChildren(); process.exit(130); });
process.once('SIGTERM', () => { killChildren(); process.exit(143); });
process.once('exit', killChildren);

const log = (line = '') => process.stdout.write(line + '\n');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

// ---------------------------------------------------------------------------------------------------------------
// 1. The database

function databaseBytes(): number {
  return ['', '-wal', '-shm'].reduce((sum, suffix) => sum + (existsSync(DB_FILE + suffix) ? statSync(DB_FILE + suffix).size : 0), 0);
}

async function prepareDatabase(): Promise<{ secret: string; prefix: string; seeded: { created: number; ms: number } }> {
  mkdirSync(benchDir, { recursive: true });
  const database = openDatabase({ kind: 'sqlite', file: DB_FILE });
  try {
    await migrateToLatest(database.db);
    log(`Database ${DB_FILE}: ensuring ${POS.toLocaleString('en-US')} POs of retailer "${RETAILER}" (seed ${SEED}); an interrupted seeding resumes.`);
    // cli-progress draws only on a terminal; elsewhere print a line every 30 s.
    const began = Date.now();
    const ticker = process.stderr.isTTY ? null : setInterval(() => {
      void sql<{ n: number }>`select max(rowid) as n from purchase_orders`.execute(database.db).then(({ rows }) =>
        process.stderr.write(`seeding: ${Number(rows[0]?.n ?? 0).toLocaleString('en-US')} POs stored after ${seconds(Date.now() - began)}\n`));
    }, 30_000);
    let result;
    try {
      result = await seedDatabase(database.db, { retailer: RETAILER, pos: POS, seed: SEED, progress: true });
    } finally {
      if (ticker) clearInterval(ticker);
    }
    const ms = Date.now() - began;
    if (result.created > 0) {
      log(`Seeded ${result.created.toLocaleString('en-US')} POs in ${seconds(ms)} (${Math.round(result.created / (ms / 1000))} POs/s); ${result.skipped.toLocaleString('en-US')} were already there.`);
    } else {
      log(`All ${POS.toLocaleString('en-US')} POs were already seeded.`);
    }
    const { retailer } = await ensureRetailer(database.db, RETAILER);
    const key = await createApiKey(database.db, retailer.id, 'bench', ['read']);
    return { secret: key.secret, prefix: key.prefix, seeded: { created: result.created, ms } };
  } finally {
    await database.close(); // checkpoints the WAL into the database file
  }
}

async function revokeBenchKey(prefix: string): Promise<void> {
  const database = openDatabase({ kind: 'sqlite', file: DB_FILE });
  try {
    await revokeApiKey(database.db, prefix);
  } finally {
    await database.close();
  }
}

/** Reads the database file once so the OS page cache holds it, as it would on a service that has been running. */
function warmPageCache(): number {
  const began = Date.now();
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  const fd = openSync(DB_FILE, 'r');
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0) { /* read through */ }
  } finally {
    closeSync(fd);
  }
  return Date.now() - began;
}

const pct = (share: number) => `${(share * 100).toFixed(0)}%`;

/**
 * The share of the database file held in the OS page cache (util-linux `fincore`), or null without it. Random
 * look-ups on a file that is not cached read the disk: on a VM that pages out cold memory the share drops fast.
 */
function pageCacheShare(): number | null {
  try {
    const [resident, size] = execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES,SIZE', DB_FILE], { timeout: 10_000, encoding: 'utf8' })
      .trim().split(/\s+/).map(Number);
    return size > 0 ? resident / size : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. The servers, each in its own process

interface Server {
  name: string;
  url: string;
  /** CPU time the server process has used so far, in µs (user + system). */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

function startServer(name: string, script: string, env: Record<string, string>, execArgv: string[] = []): Promise<Server> {
  const child = fork(join(root, 'bench', 'servers', script), [], {
    env: { ...process.env, ...env },
    execArgv: ['--import', 'tsx', ...execArgv],
    // The service's log lines (stdout) go to a file, as they would in production; its stderr shows here.
    stdio: ['ignore', openSync(join(benchDir, `${name}-server.log`), 'w'), 'inherit', 'ipc'],
  });
  children.add(child);
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${name} server did not start within 60 s`)); }, 60_000);
    child.once('exit', (code) => { clearTimeout(timer); children.delete(child); reject(new Error(`${name} server exited (code ${code}) before it was ready`)); });
    child.once('message', (message: { ready: boolean; port: number }) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.once('exit', () => children.delete(child));
      resolvePromise({
        name,
        url: `http://${HOST}:${message.port}`,
        cpu: () => new Promise<number>((done) => {
          child.once('message', (reply: { cpu: NodeJS.CpuUsage }) => done(reply.cpu.user + reply.cpu.system));
          child.send('cpu');
        }),
        stop: () => new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => { clearTimeout(force); done(); });
          child.send('stop');
        }),
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Load

interface Load {
  method?: 'GET' | 'POST';
  path: () => string;
  body?: () => string;
  headers?: Record<string, string>;
}

interface Measured {
  rps: number;
  /** CPU time the server spent per response, in µs: less sensitive than rps to other work on the machine. */
  cpuPerRequest: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerResponse: number;
}

/** Runs autocannon; latency is measured here in microseconds (autocannon's own histogram keeps whole ms). */
async function runLoad(server: Server, load: Load, durationSeconds: number, label: string): Promise<Measured> {
  const histogram = createHistogram({ lowest: 1, highest: 120_000_000, figures: 3 });
  let responses = 0;
  let non2xx = 0;
  let bytes = 0;
  const cpuBefore = await server.cpu();
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<autocannon.Result>((resolveDone, rejectDone) => { finish = resolveDone; fail = rejectDone; });
  const instance = autocannon({
    url: server.url,
    connections: CONNECTIONS,
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
  const measured: Measured = {
    rps: responses / result.duration,
    cpuPerRequest: responses ? (cpuAfter - cpuBefore) / responses : 0,
    p50: histogram.percentile(50) / 1000,
    p99: histogram.percentile(99) / 1000,
    requests: responses,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerResponse: responses ? bytes / responses : 0,
  };
  if (label) {
    log(`  ${label.padEnd(34)} ${fmt(measured.rps, 0).padStart(8)} req/s   p50 ${fmt(measured.p50, 2).padStart(6)} ms   p99 ${fmt(measured.p99, 2).padStart(6)} ms` +
      `   server CPU ${fmt(measured.cpuPerRequest, 0).padStart(4)} µs/request   (${measured.requests} responses, ${measured.non2xx} non-2xx, ${measured.errors} errors, ${Math.round(measured.bytesPerResponse)} B/response)`);
  }
  return measured;
}

async function warmUpAndMeasure(server: Server, load: Load, durationSeconds: number, label: string): Promise<Measured> {
  await runLoad(server, load, WARMUP, '');
  return runLoad(server, load, durationSeconds, label);
}

const fmt = (n: number, digits: number) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const randomPo = () => poNumberFor(SEED, Math.floor(Math.random() * POS));
const byPoPath = () => `/api/v2/orders/by-po/${randomPo()}`;

async function getJson(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; body: any }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) };
}

/** The average size of a by-po response over random POs; also checks they all answer 200 and auth refuses bad keys. */
async function sampleByPo(server: Server, headers: Record<string, string>, count: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < count; i++) {
    const { status, bytes } = await getJson(server.url + byPoPath(), headers);
    if (status !== 200) throw new Error(`by-po answered ${status} for a seeded PO`);
    total += bytes;
  }
  const unknownKey = await getJson(server.url + byPoPath(), { 'x-api-key': 'pk_live_' + '0'.repeat(40) });
  if (unknownKey.status !== 401) throw new Error(`an unknown key got ${unknownKey.status}, not 401`);
  return Math.round(total / count);
}

interface DateWindow { start: string; end: string; lastPage: number }

/** Random 30-day windows over the seeded two years, with the number of their last page at `limit`. */
async function dateWindows(server: Server, headers: Record<string, string>, limit: number): Promise<DateWindow[]> {
  const anchor = Date.parse('2026-11-01T00:00:00Z');
  const day = 86_400_000;
  const windows: DateWindow[] = [];
  for (let i = 0; i < 20; i++) {
    const from = anchor - (30 + Math.floor(Math.random() * 690)) * day;
    const start = new Date(from).toISOString().slice(0, 10);
    const end = new Date(from + 29 * day).toISOString().slice(0, 10);
    const { status, body } = await getJson(`${server.url}/api/v2/orders/by-date?start_date=${start}&end_date=${end}&limit=${limit}`, headers);
    if (status !== 200) throw new Error(`by-date answered ${status}`);
    if (body.meta.total > 0) windows.push({ start, end, lastPage: Math.ceil(body.meta.total / limit) });
  }
  return windows;
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = Date.now();
  const { secret, prefix, seeded } = await prepareDatabase();
  const dbBytes = databaseBytes();
  log(`Database size: ${mib(dbBytes)} (${dbBytes.toLocaleString('en-US')} bytes).`);
  if (process.env.BENCH_WARM_CACHE !== '0') log(`Read the database file into the OS page cache in ${seconds(warmPageCache())}.`);

  // Everything below is bounded: a watchdog ends the run if the load phase overruns.
  const loadBudgetSeconds = 120 + (WARMUP + DURATION) * 2 + (EXTRAS ? (WARMUP + EXTRA_DURATION) * 4 + 60 : 0);
  const watchdog = setTimeout(() => { log('bench: load phase overran its time budget; stopping.'); killChildren(); process.exit(2); }, loadBudgetSeconds * 1000);
  watchdog.unref();

  const loadBefore = loadavg()[0];
  // The set-up above (reading the file, seeding) counts in this figure too: ~1-1.5 comes from this run itself.
  log(`Machine load average (1 min) before the load: ${loadBefore.toFixed(2)} on ${availableParallelism()} cores${loadBefore > 2.5 ? ' (other work is running: figures will be lower and noisier)' : ''}.`);
  const headers = { 'x-api-key': secret };
  const profileDir = join(benchDir, 'profiles');
  if (CPU_PROF) mkdirSync(profileDir, { recursive: true });
  const service = await startServer('ordersync', 'ordersync.ts', { BENCH_DB: DB_FILE, BENCH_LOG_LEVEL: LOG_LEVEL },
    CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  const results: Record<string, unknown> = {};
  try {
    const averageBytes = await sampleByPo(service, headers, 1000);
    log(`Average GET /api/v2/orders/by-po/:po response over 1000 random POs: ${averageBytes} bytes.`);
    log();
    log(`Load: autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s measured, loopback, random PO numbers among ${POS.toLocaleString('en-US')}.`);
    log(`Service: buildApp on the bench database, log level "${LOG_LEVEL}"${LOG_LEVEL === 'info' ? ' (the production default)' : ' (the production default is "info")'}, its own process.`);
    log(`Bare: Fastify 5, no logger, one route on the same path sending a constant ${averageBytes}-byte JSON body, its own process.`);
    log();

    // by-po first, while the database file is freshest in the page cache.
    const cachedBefore = pageCacheShare();
    const byPo = await warmUpAndMeasure(service, { path: byPoPath, headers }, DURATION, 'GET /api/v2/orders/by-po/:po');
    const cachedAfter = pageCacheShare();
    if (cachedBefore !== null && cachedAfter !== null) {
      log(`  share of the database file in the OS page cache: ${pct(cachedBefore)} before by-po, ${pct(cachedAfter)} after`);
      Object.assign(results, { pageCacheBefore: cachedBefore, pageCacheAfter: cachedAfter });
    }
    const bare = await startServer('bare', 'bare.ts', { BENCH_BODY_BYTES: String(averageBytes) });
    let bareResult: Measured;
    try {
      bareResult = await warmUpAndMeasure(bare, { path: byPoPath }, DURATION, 'bare Fastify route');
    } finally {
      await bare.stop();
    }
    const ratio = byPo.rps / bareResult.rps;
    results.bare = bareResult;
    results.byPo = byPo;
    results.ratio = ratio;

    let bulkRatio: number | undefined;
    let depthRatio: number | undefined;
    if (EXTRAS) {
      log();
      log(`Extras (${WARMUP} s warm-up, ${EXTRA_DURATION} s measured each):`);
      const single = await warmUpAndMeasure(service, { path: byPoPath, headers }, EXTRA_DURATION, 'single by-po (for bulk)');
      const bulk = await warmUpAndMeasure(service, {
        method: 'POST',
        path: () => '/api/v2/orders/by-po-numbers',
        body: () => JSON.stringify({ po_numbers: Array.from({ length: 100 }, randomPo) }),
        headers,
      }, EXTRA_DURATION, 'POST by-po-numbers, 100 POs');
      bulkRatio = (bulk.rps * 100) / single.rps;
      log(`  bulk PO throughput: ${fmt(bulk.rps * 100, 0)} POs/s against ${fmt(single.rps, 0)} POs/s single = ${fmt(bulkRatio, 1)}×`);

      const limit = 50;
      const windows = await dateWindows(service, headers, limit);
      if (windows.length === 0) throw new Error('by-date: no POs in any of the sampled 30-day windows');
      const pick = () => windows[Math.floor(Math.random() * windows.length)];
      const averageLast = windows.reduce((sum, w) => sum + w.lastPage, 0) / windows.length;
      const firstPage = await warmUpAndMeasure(service, {
        path: () => { const w = pick(); return `/api/v2/orders/by-date?start_date=${w.start}&end_date=${w.end}&limit=${limit}&page=1`; },
        headers,
      }, EXTRA_DURATION, 'by-date 30 days, page 1');
      const lastPage = await warmUpAndMeasure(service, {
        path: () => { const w = pick(); return `/api/v2/orders/by-date?start_date=${w.start}&end_date=${w.end}&limit=${limit}&page=${w.lastPage}`; },
        headers,
      }, EXTRA_DURATION, `by-date 30 days, last page (~${Math.round(averageLast)})`);
      depthRatio = lastPage.p99 / firstPage.p99;
      log(`  by-date last page p99 / page 1 p99 = ${fmt(depthRatio, 2)}`);
      Object.assign(results, { single, bulk, bulkRatio, byDatePage1: firstPage, byDateLastPage: lastPage, depthRatio });
    }

    // The key is read on every request: revoked from another connection, it must be refused at once.
    await revokeBenchKey(prefix);
    const afterRevoke = await getJson(service.url + byPoPath(), headers);
    log();
    log(`Bench key revoked from another connection while the service runs: the next request got ${afterRevoke.status}${afterRevoke.status === 401 ? ' (as it must)' : ', EXPECTED 401'}.`);
    if (afterRevoke.status !== 401) process.exitCode = 1;
    results.statusAfterRevoke = afterRevoke.status;
    log();
    log('Summary');
    log(`  POs in the database        ${POS.toLocaleString('en-US')} (${mib(dbBytes)})${seeded.created > 0 ? `, seeded ${seeded.created.toLocaleString('en-US')} in ${seconds(seeded.ms)} this run` : ''}`);
    log(`  bare Fastify               ${fmt(bareResult.rps, 0)} req/s, p50 ${fmt(bareResult.p50, 2)} ms, p99 ${fmt(bareResult.p99, 2)} ms`);
    log(`  by-po (log level ${LOG_LEVEL.padEnd(5)})    ${fmt(byPo.rps, 0)} req/s, p50 ${fmt(byPo.p50, 2)} ms, p99 ${fmt(byPo.p99, 2)} ms`);
    log(`  by-po / bare               ${fmt(ratio * 100, 1)}%   target ≥ 50%: ${ratio >= 0.5 ? 'met' : 'NOT met'}`);
    log(`  server CPU per request     bare ${fmt(bareResult.cpuPerRequest, 0)} µs, by-po ${fmt(byPo.cpuPerRequest, 0)} µs: bare/by-po = ${fmt(100 * bareResult.cpuPerRequest / byPo.cpuPerRequest, 1)}% (the rps ratio a CPU-bound server would reach)`);
    log(`  by-po p99                  ${fmt(byPo.p99, 2)} ms   target ≤ 10 ms: ${byPo.p99 <= 10 ? 'met' : 'NOT met'}`);
    if (bulkRatio !== undefined) log(`  bulk(100) / single POs/s   ${fmt(bulkRatio, 1)}×   target ≥ 20×: ${bulkRatio >= 20 ? 'met' : 'NOT met'}`);
    if (depthRatio !== undefined) log(`  by-date last / first p99   ${fmt(depthRatio, 2)}×   target ≤ 2×: ${depthRatio <= 2 ? 'met' : 'NOT met'}`);
    const failures = [byPo, bareResult].reduce((n, m) => n + m.non2xx + m.errors, 0);
    if (failures > 0) log(`  WARNING: ${failures} non-2xx responses or errors during the main runs`);

    const loadAfter = loadavg()[0];
    log(`  load average (1 min)       ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (this run itself adds about 2)`);
    const file = join(benchDir, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({
      when: new Date().toISOString(), node: process.version, pos: POS, databaseBytes: dbBytes, seeded, connections: CONNECTIONS,
      durationSeconds: DURATION, warmupSeconds: WARMUP, logLevel: LOG_LEVEL, loadBefore, loadAfter, ...results,
    }, null, 2) + '\n');
    log(`  results written to ${file}; whole run ${seconds(Date.now() - began)}`);
  } finally {
    await service.stop();
    await revokeBenchKey(prefix);
    clearTimeout(watchdog);
  }
  if (CPU_PROF) log(`CPU profile of the service in ${profileDir}`);
}

await main();

// `npm run bench:sync`: the sync targets of DESIGN section 7, each upstream a sandbox in its own process.
//
// 1. Rate limited: a ShipStation sandbox of BENCH_SYNC_POS (5,000) POs limited to BENCH_SYNC_RATE (3,000) requests a
//    minute. The engine starts at ShipStation's documented 200 a minute and follows the sandbox's X-Rate-Limit-Limit.
//    Reports the requests sent a minute as a share of the allowed rate, the 429s received and retried, and the most
//    times any one request was answered 429.
// 2. No limit: the same size ShipStation sandbox (one GET per PO) and a Stocky sandbox (whole POs in the list) with no
//    rate limit, synced into a fresh SQLite database: POs/s ingested; then a second run with no upstream change
//    (incremental, as the scheduler runs it, and full) and its speed-up over the first.
//    Beside it, what the upstream alone costs: the same GETs by id (ShipStation) or list pages (Stocky) read with the
//    engine's HTTP client and nothing written, as requests/s and POs/s; and the engine's CPU per PO.
// 3. Memory: a Stocky sandbox of BENCH_SYNC_RSS_POS (100,000; 1,000,000 is the reference) POs synced into a fresh
//    SQLite database, the engine's RSS sampled as it goes: samples by POs synced, growth after warm-up (the first
//    quarter) and a verdict (flat: the last quarter's highest RSS within 10% of the second quarter's).
// Results are printed and written to data/bench/sync-results.json.
//
// Environment: BENCH_SYNC_POS (5000), BENCH_SYNC_RATE (3000), BENCH_SYNC_SKIP_LIMITED=1 (skip part 1),
// BENCH_SYNC_SKIP_NO_LIMIT=1 (skip part 2), BENCH_SYNC_RSS_POS (100000; 0 skips part 3), BENCH_SYNC_KINDS (part 2's
// upstreams: shipstation,stocky), BENCH_SYNC_RSS_PRINT_S (30: part 3 prints its RSS as it goes), BENCH_SYNC_OUT (the
// results file), BENCH_SYNC_CONCURRENCY (32: part 2's GETs in flight), BENCH_SYNC_SANDBOX_ARGS (node flags for the sandbox process, e.g. --cpu-prof),
// BENCH_SYNC_PROFILE=DIR (a CPU profile of part 2's first sync of each upstream, DIR/sync-<kind>.cpuprofile, for Chrome's DevTools).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type OpenDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { newId } from '../src/domain/ids.ts';
import { SHIPSTATION_DEFAULT_API_KEY } from '../src/sandbox/shipstation.ts';
import { STOCKY_DEFAULT_API_KEY, STOCKY_DEFAULT_STORE_NAME } from '../src/sandbox/stocky.ts';
import { ensureRetailer } from '../src/store/retailers.ts';
import { executeSyncRun, type SyncTuning } from '../src/sync/engine.ts';
import { UpstreamClient, mapConcurrent, type ClientStats } from '../src/sync/http-client.ts';
import type { ConnectionKind, SyncConnection, SyncResult } from '../src/sync/types.ts';
import { intFromEnv, profiled } from './lib/common.ts';

const here = dirname(fileURLToPath(import.meta.url));

const POS = intFromEnv('BENCH_SYNC_POS', 5000);
const RSS_POS = process.env.BENCH_SYNC_RSS_POS === '0' ? 0 : intFromEnv('BENCH_SYNC_RSS_POS', 100_000);
const RATE = intFromEnv('BENCH_SYNC_RATE', 3000);
const PROFILE_DIR = process.env.BENCH_SYNC_PROFILE || undefined;


interface Sandbox {
  url: string;
  stats(): Promise<{ requests: number; rateLimited: number; sent429: number }>;
  close(): Promise<void>;
}

async function startSandbox(kind: ConnectionKind, options: Record<string, unknown>): Promise<Sandbox> {
  const child: ChildProcess = fork(join(here, 'sync-sandbox.ts'), [JSON.stringify({ kind, options })], {
    // BENCH_SYNC_SANDBOX_ARGS: extra node flags for the sandbox (e.g. --cpu-prof to profile the upstream alone).
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_SYNC_SANDBOX_ARGS ?? '').split(' ').filter(Boolean)], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.once('message', (m) => resolveUrl((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  return {
    url,
    stats: () => new Promise((resolveStats) => {
      child.once('message', (m) => resolveStats((m as { stats: never }).stats));
      child.send('stats');
    }),
    close: () => new Promise((done) => {
      child.once('exit', () => done());
      child.send('close');
    }),
  };
}

async function freshDatabase(): Promise<OpenDatabase & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-bench-sync-'));
  const database = openDatabase({ kind: 'sqlite', file: join(dir, 'ordersync.db') });
  await migrateToLatest(database.db);
  return { ...database, dir };
}

async function connect(database: OpenDatabase, kind: ConnectionKind, baseUrl: string): Promise<SyncConnection> {
  const { retailer } = await ensureRetailer(database.db, 'bench-sync');
  const id = newId('po').replace(/^po_/, 'conn_');
  const stamp = new Date().toISOString();
  await database.db.insertInto('connections').values({
    id, retailer_id: retailer.id, kind, name: `bench-${kind}-${id}`, base_url: baseUrl, credentials_encrypted: 'bench',
    schedule_minutes: 15, enabled: 1, sync_state: null, next_run_at: stamp, created_at: stamp, updated_at: stamp,
  }).execute();
  const credentials = kind === 'shipstation' ? { api_key: SHIPSTATION_DEFAULT_API_KEY }
    : { store_name: STOCKY_DEFAULT_STORE_NAME, api_key: STOCKY_DEFAULT_API_KEY };
  return { id, retailer_id: retailer.id, kind, name: `bench-${kind}`, base_url: baseUrl, credentials, sync_state: null };
}

interface Timings { waitingForUpstreamMs: number; writingMs: number; pages: number }
interface RssSample { pos: number; seconds: number; rss_mb: number; heap_mb: number; anon_mb?: number; file_mb?: number }

/**
 * RSS split into anonymous memory (heap, buffers: what a leak grows) and file pages (SQLite's memory-mapped database,
 * up to mmap_size: reclaimable by the kernel), from /proc/self/status; {} where there is no /proc.
 */
function rssParts(): { anon_mb?: number; file_mb?: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { anon_mb: Math.round(kb('RssAnon') / 1000), file_mb: Math.round((kb('RssFile') + kb('RssShmem')) / 1000) };
  } catch {
    return {};
  }
}

async function timedRun(database: OpenDatabase, connection: SyncConnection, full: boolean, tuning: Partial<SyncTuning> = {},
  progress?: (sample: RssSample) => void):
  Promise<{ result: SyncResult; seconds: number; client: ClientStats; peakRssMb: number; timings: Timings; cpuSeconds: number;
    mainThreadCpuSeconds: number; samples: RssSample[] }> {
  let client: ClientStats | undefined;
  let timings: Timings | undefined;
  let peak = process.memoryUsage().rss;
  let synced = 0;
  const samples: RssSample[] = [];
  const started = performance.now();
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peak = Math.max(peak, rss);
    samples.push({ pos: synced, seconds: round((performance.now() - started) / 1000, 1), rss_mb: Math.round(rss / 1e6), heap_mb: Math.round(heapUsed / 1e6), ...rssParts() });
    progress?.(samples.at(-1)!);
  };
  const sampler = setInterval(sample, 250);
  const cpu = process.cpuUsage();
  // The run's own thread (the process's CPU above includes the upstream worker thread's and the GC's helpers).
  const threadCpu = process.threadCpuUsage();
  try {
    const result = await executeSyncRun(database.db, connection, {
      runId: 'run_bench', full, tuning, hooks: { clientStats: (stats) => { client = stats; }, timings: (t) => { timings = t; } },
      onProgress: (counts) => { synced = counts.created + counts.updated + counts.unchanged; },
    });
    const used = process.cpuUsage(cpu);
    const usedByThread = process.threadCpuUsage(threadCpu);
    sample();
    return { result, seconds: (performance.now() - started) / 1000, client: client!, peakRssMb: Math.round(peak / 1e6), timings: timings!,
      cpuSeconds: (used.user + used.system) / 1e6, mainThreadCpuSeconds: (usedByThread.user + usedByThread.system) / 1e6, samples };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * What the upstream alone costs: the first sync's requests again (ShipStation: every list page and one GET per PO;
 * Stocky: every list page) with the engine's HTTP client, nothing mapped or written. Returns seconds and requests.
 */
async function upstreamAlone(kind: ConnectionKind, baseUrl: string, concurrency: number): Promise<{ seconds: number; requests: number }> {
  const client = new UpstreamClient({
    baseUrl, requestsPerMinute: 0, describeError: (status, body) => `${status} ${body}`,
    headers: kind === 'shipstation' ? { 'api-key': SHIPSTATION_DEFAULT_API_KEY }
      : { 'Store-Name': STOCKY_DEFAULT_STORE_NAME, Authorization: `API KEY=${STOCKY_DEFAULT_API_KEY}` },
  });
  const started = performance.now();
  try {
    if (kind === 'shipstation') {
      let next: string | null = '/v2/purchase_orders?page_size=500';
      while (next) {
        const page: { purchase_orders?: { purchase_order_id: string }[]; links?: { next?: { href?: string } } } =
          (await client.getJson<typeof page>(next))!.body;
        await mapConcurrent(page.purchase_orders ?? [], concurrency,
          (h) => client.getJson(`/v2/purchase_orders/${encodeURIComponent(h.purchase_order_id)}`, { allowNotFound: true }));
        next = page.links?.next?.href ?? null;
      }
    } else {
      let sinceId: number | null = null;
      for (;;) {
        const query: string = `limit=250${sinceId === null ? '' : `&since_id=${sinceId}`}`;
        const pos = (await client.getJson<{ purchase_orders: { id: number }[] }>(`/api/v2/purchase_orders.json?${query}`))!.body.purchase_orders;
        if (pos.length < 250) break;
        sinceId = Math.min(...pos.map((po) => Number(po.id)));
      }
    }
    return { seconds: (performance.now() - started) / 1000, requests: client.stats.requests };
  } finally {
    client.close();
  }
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const results: Record<string, unknown> = { pos: POS, rate: RATE, at: new Date().toISOString(), loadavg_at_start: loadavg() };
console.log(`load average at start: ${loadavg().map((n) => n.toFixed(2)).join(' ')} on ${availableParallelism()} CPUs`);

// ---------------------------------------------------------------------------------------------- 1. rate limited
if (process.env.BENCH_SYNC_SKIP_LIMITED !== '1') {
  console.log(`\n1. ShipStation, ${POS} POs, sandbox limited to ${RATE} requests/minute (client starts at 200/min, follows X-Rate-Limit-Limit)`);
  const sandbox = await startSandbox('shipstation', { pos: POS, seed: 11, rateLimit: RATE });
  const database = await freshDatabase();
  try {
    const connection = await connect(database, 'shipstation', sandbox.url);
    const { result, seconds, client } = await timedRun(database, connection, false);
    const upstream = await sandbox.stats();
    const perMinute = (client.requests / seconds) * 60;
    const share = perMinute / RATE;
    const limited = {
      seconds: round(seconds), requests: client.requests, requests_per_minute: Math.round(perMinute),
      share_of_allowed_rate: round(share * 100, 1), received_429: client.received429, retried_429: client.retries.rate_limited,
      most_429s_for_one_request: client.most429sForOneRequest, sandbox_rate_limited: upstream.rateLimited,
      counts: result.counts, run_error: result.error ?? null,
    };
    results.rate_limited = limited;
    console.log(`   ${result.counts.created} POs in ${limited.seconds} s: ${client.requests} requests, ${limited.requests_per_minute}/min = ` +
      `${limited.share_of_allowed_rate}% of the allowed ${RATE}/min; 429s received ${client.received429}, ` +
      `at most ${client.most429sForOneRequest} for any one request`);
  } finally {
    await sandbox.close();
    await database.close();
    rmSync(database.dir, { recursive: true, force: true });
  }
}

// --------------------------------------------------------------------------------------------------- 2. no limit
const KINDS = (process.env.BENCH_SYNC_KINDS ?? 'shipstation,stocky').split(',').filter(Boolean) as ConnectionKind[];
for (const kind of process.env.BENCH_SYNC_SKIP_NO_LIMIT === '1' ? [] : KINDS) {
  console.log(`\n2. ${kind}, ${POS} POs, no rate limit, into SQLite`);
  const sandbox = await startSandbox(kind, { pos: POS, seed: 11, rateLimit: 0 });
  const database = await freshDatabase();
  try {
    const connection = await connect(database, kind, sandbox.url);
    // ShipStation's GETs by id in flight at once: more keeps the sandbox busy while a page's transaction holds the
    // event loop (48 vs 16: ~15% faster on the 2-core machine).
    const tuning: Partial<SyncTuning> = { requestsPerMinute: 0, concurrency: intFromEnv('BENCH_SYNC_CONCURRENCY', 32) };
    const firstRun = () => timedRun(database, connection, false, tuning);
    const first = PROFILE_DIR ? await profiled(resolve(PROFILE_DIR, `sync-${kind}.cpuprofile`), 'the first sync', firstRun) : await firstRun();
    const incremental = await timedRun(database, connection, false, tuning);
    const full = await timedRun(database, connection, true, tuning);
    const alone = await upstreamAlone(kind, sandbox.url, tuning.concurrency!);
    const entry = {
      // The machine may be shared: the load when this upstream's figures were taken, to read them against.
      loadavg: loadavg().map((n) => round(n, 2)),
      upstream_alone: { seconds: round(alone.seconds, 2), requests: alone.requests, requests_per_second: Math.round(alone.requests / alone.seconds),
        pos_per_second: Math.round(POS / alone.seconds) },
      engine_cpu_us_per_po: Math.round((first.cpuSeconds * 1e6) / first.result.counts.created),
      engine_main_thread_cpu_us_per_po: Math.round((first.mainThreadCpuSeconds * 1e6) / first.result.counts.created),
      first: { seconds: round(first.seconds, 2), requests: first.client.requests, pos_per_second: Math.round(first.result.counts.created / first.seconds),
        counts: first.result.counts, peak_rss_mb: first.peakRssMb,
        // The engine's own rate: POs per second of time spent in page transactions (mapping, hashing and writing).
        written_pos_per_second: Math.round(first.result.counts.created / (first.timings.writingMs / 1000)),
        waiting_for_upstream_s: round(first.timings.waitingForUpstreamMs / 1000, 2), writing_s: round(first.timings.writingMs / 1000, 2) },
      unchanged_incremental: { seconds: round(incremental.seconds, 3), requests: incremental.client.requests, counts: incremental.result.counts,
        speedup: round(first.seconds / incremental.seconds, 1) },
      unchanged_full: { seconds: round(full.seconds, 3), requests: full.client.requests, counts: full.result.counts,
        speedup: round(first.seconds / full.seconds, 1) },
    };
    results[`no_limit_${kind}`] = entry;
    console.log(`   first sync: ${first.result.counts.created} POs in ${entry.first.seconds} s = ${entry.first.pos_per_second} POs/s ` +
      `(${first.client.requests} requests, peak RSS ${first.peakRssMb} MB); writing ${entry.first.writing_s} s ` +
      `(${entry.first.written_pos_per_second} POs/s in the page transactions), waiting for the upstream ${entry.first.waiting_for_upstream_s} s`);
    console.log(`   the upstream alone (same requests, nothing written): ${entry.upstream_alone.seconds} s = ` +
      `${entry.upstream_alone.pos_per_second} POs/s (${entry.upstream_alone.requests_per_second} requests/s); ` +
      `engine CPU ${entry.engine_cpu_us_per_po} µs per PO synced (its main thread ${entry.engine_main_thread_cpu_us_per_po}); load average ${entry.loadavg.join(' ')}`);
    console.log(`   unchanged, incremental: ${entry.unchanged_incremental.seconds} s (${incremental.client.requests} requests; ` +
      `${incremental.result.counts.unchanged}/${incremental.result.counts.fetched} unchanged) → ${entry.unchanged_incremental.speedup}× faster`);
    console.log(`   unchanged, full: ${entry.unchanged_full.seconds} s (${full.client.requests} requests; ` +
      `${full.result.counts.unchanged}/${full.result.counts.fetched} unchanged) → ${entry.unchanged_full.speedup}× faster`);
  } finally {
    await sandbox.close();
    await database.close();
    rmSync(database.dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------------ 3. memory
if (RSS_POS > 0) {
  console.log(`\n3. stocky, ${RSS_POS} POs, no rate limit, into SQLite: RSS through the sync`);
  const sandbox = await startSandbox('stocky', { pos: RSS_POS, seed: 12, rateLimit: 0 });
  const database = await freshDatabase();
  try {
    const connection = await connect(database, 'stocky', sandbox.url);
    // A line every BENCH_SYNC_RSS_PRINT_S (30) seconds, so that a run stopped early still shows its RSS curve.
    const every = intFromEnv('BENCH_SYNC_RSS_PRINT_S', 30);
    let printed = 0;
    const run = await timedRun(database, connection, false, { requestsPerMinute: 0 }, (s) => {
      if (s.seconds < printed + every) return;
      printed = s.seconds;
      console.log(`   ${s.seconds} s: ${s.pos} POs, RSS ${s.rss_mb} MB (anonymous ${s.anon_mb ?? '?'}, file-backed ${s.file_mb ?? '?'}), ` +
        `heap ${s.heap_mb} MB, load ${loadavg()[0].toFixed(1)}`);
    });
    // One sample per 5% of the POs (the first sample past each mark), and the last.
    const marks: RssSample[] = [];
    for (const s of run.samples) if (marks.length === 0 || s.pos >= (marks.length * RSS_POS) / 20) marks.push(s);
    if (marks.at(-1) !== run.samples.at(-1)) marks.push(run.samples.at(-1)!);
    // Warm-up: the first quarter (SQLite's 128 MiB page cache alone fills over the first ~30,000 POs). Flat: the last
    // quarter's highest RSS within 10% of the second quarter's.
    const inRange = (from: number, to: number) => run.samples.filter((s) => s.pos >= from * RSS_POS && s.pos <= to * RSS_POS);
    const levelAtWarm = Math.max(...inRange(0.25, 0.5).map((s) => s.rss_mb));
    const tailMax = Math.max(...inRange(0.75, 1).map((s) => s.rss_mb));
    const growth = tailMax / levelAtWarm - 1;
    const verdict = growth <= 0.1 ? 'flat' : 'growing';
    // The same on anonymous memory alone (heap, buffers, SQLite's page cache: what a leak grows), without the file
    // pages of the database that SQLite's mmap maps in (up to mmap_size, db/database.ts), which grow with the file.
    const anonOf = (samples: RssSample[]) => samples.map((s) => s.anon_mb).filter((v): v is number => v !== undefined);
    const anonWarm = anonOf(inRange(0.25, 0.5));
    const anonTail = anonOf(inRange(0.75, 1));
    const anonGrowth = anonWarm.length > 0 && anonTail.length > 0 ? Math.max(...anonTail) / Math.max(...anonWarm) - 1 : null;
    const anonVerdict = anonGrowth === null ? null : anonGrowth <= 0.1 ? 'flat' : 'growing';
    // Least-squares slope of RSS over the POs synced after warm-up, in MB per 100,000 POs.
    const after = inRange(0.25, 1);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const mx = mean(after.map((s) => s.pos));
    const my = mean(after.map((s) => s.rss_mb));
    const slope = after.reduce((a, s) => a + (s.pos - mx) * (s.rss_mb - my), 0) / after.reduce((a, s) => a + (s.pos - mx) ** 2, 0);
    results.memory_stocky = {
      pos: RSS_POS, seconds: round(run.seconds, 1), pos_per_second: Math.round(run.result.counts.created / run.seconds), counts: run.result.counts,
      rss_mb_second_quarter_max: levelAtWarm, rss_mb_peak: run.peakRssMb, rss_mb_last_quarter_max: tailMax, growth_after_warm_up_percent: round(growth * 100, 1),
      rss_mb_at_start: run.samples[0]?.rss_mb, rss_mb_at_end: run.samples.at(-1)?.rss_mb, slope_mb_per_100k_pos_after_warm_up: round(slope * 100_000, 2),
      verdict, anonymous_growth_after_warm_up_percent: anonGrowth === null ? null : round(anonGrowth * 100, 1),
      anonymous_verdict: anonVerdict, samples: marks,
    };
    console.log(`   ${run.result.counts.created} POs in ${round(run.seconds, 1)} s = ${Math.round(run.result.counts.created / run.seconds)} POs/s`);
    console.log(`   RSS (MB) by POs synced: ${marks.map((s) => `${s.pos}:${s.rss_mb}`).join(' ')}`);
    console.log(`   after warm-up (the first quarter): at most ${levelAtWarm} MB in the second quarter, ${tailMax} MB in the last ` +
      `(${round(growth * 100, 1)}%): ${verdict}; slope after warm-up ${round(slope * 100_000, 2)} MB per 100,000 POs`);
    if (anonGrowth !== null) {
      console.log(`   anonymous memory alone (without the database file's pages mapped by SQLite's mmap): at most ` +
        `${Math.max(...anonWarm)} MB in the second quarter, ${Math.max(...anonTail)} MB in the last (${round(anonGrowth * 100, 1)}%): ${anonVerdict}`);
    }
  } finally {
    await sandbox.close();
    await database.close();
    rmSync(database.dir, { recursive: true, force: true });
  }
}

const out = resolve(process.env.BENCH_SYNC_OUT ?? resolve(here, '../data/bench/sync-results.json'));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwritten to ${out}`);

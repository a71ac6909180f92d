// `npm run bench:sync`: the sync targets of DESIGN section 7, each upstream a sandbox in its own process.
//
// 1. Rate limited: a ShipStation sandbox of BENCH_SYNC_POS (5,000) POs limited to BENCH_SYNC_RATE (3,000) requests a
//    minute. The engine starts at ShipStation's documented 200 a minute and follows the sandbox's X-Rate-Limit-Limit.
//    Reports the requests sent a minute as a share of the allowed rate, the 429s received and retried, and the most
//    times any one request was answered 429.
// 2. No limit: the same size ShipStation sandbox (one GET per PO) and a Stocky sandbox (whole POs in the list) with no
//    rate limit, synced into a fresh SQLite database: POs/s ingested; then a second run with no upstream change
//    (incremental, as the scheduler runs it, and full) and its speed-up over the first.
// Results are printed and written to data/bench/sync-results.json.
//
// Environment: BENCH_SYNC_POS (5000), BENCH_SYNC_RATE (3000), BENCH_SYNC_SKIP_LIMITED=1 (skip part 1).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
import type { ClientStats } from '../src/sync/http-client.ts';
import type { ConnectionKind, SyncConnection, SyncResult } from '../src/sync/types.ts';

const here = dirname(fileURLToPath(import.meta.url));

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a whole number ≥ 1, got "${raw}"`);
  return n;
}

const POS = intFromEnv('BENCH_SYNC_POS', 5000);
const RATE = intFromEnv('BENCH_SYNC_RATE', 3000);

interface Sandbox {
  url: string;
  stats(): Promise<{ requests: number; rateLimited: number; sent429: number }>;
  close(): Promise<void>;
}

async function startSandbox(kind: ConnectionKind, options: Record<string, unknown>): Promise<Sandbox> {
  const child: ChildProcess = fork(join(here, 'sync-sandbox.ts'), [JSON.stringify({ kind, options })], {
    execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
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

async function timedRun(database: OpenDatabase, connection: SyncConnection, full: boolean, tuning: Partial<SyncTuning> = {}):
  Promise<{ result: SyncResult; seconds: number; client: ClientStats; peakRssMb: number; timings: Timings }> {
  let client: ClientStats | undefined;
  let timings: Timings | undefined;
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 250);
  const started = performance.now();
  try {
    const result = await executeSyncRun(database.db, connection, {
      runId: 'run_bench', full, tuning, hooks: { clientStats: (stats) => { client = stats; }, timings: (t) => { timings = t; } },
    });
    return { result, seconds: (performance.now() - started) / 1000, client: client!, peakRssMb: Math.round(peak / 1e6), timings: timings! };
  } finally {
    clearInterval(sampler);
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
for (const kind of ['shipstation', 'stocky'] as const) {
  console.log(`\n2. ${kind}, ${POS} POs, no rate limit, into SQLite`);
  const sandbox = await startSandbox(kind, { pos: POS, seed: 11, rateLimit: 0 });
  const database = await freshDatabase();
  try {
    const connection = await connect(database, kind, sandbox.url);
    const tuning: Partial<SyncTuning> = { requestsPerMinute: 0, concurrency: 16 };
    const first = await timedRun(database, connection, false, tuning);
    const incremental = await timedRun(database, connection, false, tuning);
    const full = await timedRun(database, connection, true, tuning);
    const entry = {
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

const out = resolve(here, '../data/bench/sync-results.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwritten to ${out}`);

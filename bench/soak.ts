// `npm run soak [-- --minutes 30]`: a long mixed load against the real service, watching for leaks and stalls
// (issue 9). Not part of npm test.
//
// 1. Seeds a SQLite database of SOAK_POS purchase orders (default 20,000) in a temporary directory.
// 2. Starts the service (`node bin/ordersync.js serve`) as a child process with bench/soak-probe.mjs loaded, which
//    reports its RSS, V8 heap and event-loop delay p99 every 10 s.
// 3. Loads it in 10-second windows with autocannon, cycling a request list of 80% GET by-po (random existing
//    PO numbers), 5% by-date (a random day or week), 5% bulk by-po-numbers (100 POs), 10% writes (supplier
//    updates — a shipment with a new tracking number on a random PO — and PO creates with two products).
// 4. Prints one line per window and a verdict: after the warm-up (the first fifth, at least 30 s), memory is flat
//    when the least-squares growth over the run is within the noise (twice the residuals' standard deviation, or
//    5% of the mean, whichever is larger), and no request failed. Memory judged: the V8 heap and the anonymous
//    part of RSS (Linux RssAnon: heap, native allocations, SQLite's page cache). The file-backed part (RssFile) is
//    mostly the database file SQLite maps into memory (mmap_size, db/database.ts): it grows with the file, not
//    with a leak, so it is printed beside the file's own size and not judged. Where /proc is missing, total RSS
//    is judged instead.
//
// Writes carry an Idempotency-Key. Environment: SOAK_POS (20000), SOAK_CONNECTIONS (16), SOAK_PORT (9260),
// SOAK_SQLITE_CACHE_MB (16): the service's SQLite page cache (SQLITE_CACHE_MB). The soak's writes grow the database
// all the time, so a cache is filled only once the file has grown by its size: with the default 128 MiB that takes
// longer than a 30-minute soak, and its filling would look like a leak. 16 MiB fills during the warm-up, so growth
// after it is the process's own.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { intFromEnv } from './lib/common.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { poNumberFor } from '../src/seed/generate.ts';
import { seedDatabase } from '../src/seed/seed.ts';
import { createApiKey } from '../src/store/api-keys.ts';
import { ensureRetailer } from '../src/store/retailers.ts';
import { ensureWarehouse } from '../src/store/warehouses.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argIndex = process.argv.indexOf('--minutes');
const MINUTES = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 30;
if (!Number.isFinite(MINUTES) || MINUTES <= 0) throw new Error('--minutes: expected a positive number');
const POS = intFromEnv('SOAK_POS', 20_000);
const CONNECTIONS = intFromEnv('SOAK_CONNECTIONS', 16);
const PORT = intFromEnv('SOAK_PORT', 9260);
const CACHE_MB = intFromEnv('SOAK_SQLITE_CACHE_MB', 16);
const WINDOW_S = 10;
const SEED = 7;

interface Sample {
  atS: number;
  requests: number;
  errors: number;
  non2xx: number;
  rps: number;
  p99Ms: number;
  rssMb: number;
  rssAnonMb: number | null;
  rssFileMb: number | null;
  dbMb: number;
  heapMb: number;
  eventLoopP99Ms: number;
}

/** Least-squares slope per second and the residuals' standard deviation. */
function fit(xs: number[], ys: number[]): { slope: number; sd: number; mean: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const residuals = ys.map((y, i) => y - (my + slope * (xs[i] - mx)));
  const sd = Math.sqrt(residuals.reduce((a, r) => a + r * r, 0) / Math.max(1, n - 2));
  return { slope, sd, mean: my };
}

/** Bytes of the SQLite database with its write-ahead log (0 for a file not there yet). */
function databaseBytes(file: string): number {
  const size = (path: string) => { try { return statSync(path).size; } catch { return 0; } };
  return size(file) + size(`${file}-wal`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-soak-'));
  const file = join(dir, 'ordersync.db');
  console.log(`soak: ${MINUTES} min, ${POS} POs, ${CONNECTIONS} connections, SQLite page cache ${CACHE_MB} MiB, database ${file}`);
  const database = openDatabase({ kind: 'sqlite', file });
  await migrateToLatest(database.db);
  await seedDatabase(database.db, { retailer: 'soak', pos: POS, seed: SEED });
  const { retailer } = await ensureRetailer(database.db, 'soak');
  const apiKey = (await createApiKey(database.db, retailer.id, 'soak', ['read', 'write'])).secret;
  const supplier = await database.db.selectFrom('suppliers').select(['id']).where('retailer_id', '=', retailer.id).executeTakeFirstOrThrow();
  const warehouseId = await ensureWarehouse(database.db, retailer.id, { name: 'Soak', address: null, locations: [] });
  await database.close();

  const probes: { rss: number; heapUsed: number; rssAnon: number | null; rssFile: number | null; eventLoopP99Ms: number }[] = [];
  const child = fork(join(root, 'bin', 'ordersync.js'), ['serve'], {
    cwd: root,
    execArgv: ['--import', join(root, 'bench', 'soak-probe.mjs')],
    env: {
      ...process.env, DATABASE_URL: `sqlite:${file}`, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
      SOAK_SAMPLE_MS: String(WINDOW_S * 1000), RATE_LIMIT_PER_MINUTE: '0', // one key at full speed
      SQLITE_CACHE_MB: String(CACHE_MB),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  child.on('message', (message) => probes.push(message as (typeof probes)[number]));
  // The service stopping mid-soak (a port in use at start, a crash) ends the soak at once, saying so.
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`soak: the service exited (${signal ?? code}) — see its output above`);
    rmSync(dir, { recursive: true, force: true });
    process.exit(1);
  });
  let stopping = false;
  const stop = () => { stopping = true; child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); };
  process.once('SIGINT', () => { stop(); process.exit(130); });
  const base = `http://127.0.0.1:${PORT}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch { /* starting */ }
    if (i > 600) throw new Error('the service did not start');
    await new Promise((r) => setTimeout(r, 100));
  }

  let counter = 0;
  const randomPo = () => poNumberFor(SEED, Math.floor(Math.random() * POS));
  const headers = { 'x-api-key': apiKey, 'content-type': 'application/json' };
  const byPo: autocannon.Request = { method: 'GET', setupRequest: (r) => ({ ...r, path: `/api/v2/orders/by-po/${randomPo()}` }) };
  const byDate: autocannon.Request = {
    method: 'GET',
    setupRequest: (r) => {
      const start = new Date(Date.now() - Math.floor(Math.random() * 720) * 86_400_000).toISOString().slice(0, 10);
      const end = Math.random() < 0.5 ? start : new Date(Date.parse(start) + 6 * 86_400_000).toISOString().slice(0, 10);
      return { ...r, path: `/api/v2/orders/by-date?start_date=${start}&end_date=${end}&limit=50` };
    },
  };
  const bulk: autocannon.Request = {
    method: 'POST', path: '/api/v2/orders/by-po-numbers',
    setupRequest: (r) => ({ ...r, body: JSON.stringify({ po_numbers: Array.from({ length: 100 }, randomPo) }) }),
  };
  // Writes carry an Idempotency-Key, as careful clients send them: the key's row (its encrypted response) is
  // written with each one, so the soak watches that path too.
  const keyed = (r: autocannon.Request) => ({ ...r, headers: { ...headers, 'idempotency-key': `soak-${process.pid}-${++counter}` } });
  const supplierUpdate: autocannon.Request = {
    method: 'POST', path: '/api/v2/supplier_updates',
    setupRequest: (r) => ({
      ...keyed(r),
      body: JSON.stringify({ updates: [{ type: 'shipment', po_number: randomPo(), supplier_order_id: `SOAK-${counter}`,
        tracking_number: `SOAK${process.pid}X${++counter}`, carrier: 'ups', shipped_date: new Date().toISOString(), estimated_delivery_date: null }] }),
    }),
  };
  const create: autocannon.Request = {
    method: 'POST', path: '/api/v2/purchase_orders',
    setupRequest: (r) => ({
      ...keyed(r),
      body: JSON.stringify({ supplier_id: supplier.id, warehouse_id: warehouseId, reference_number: `soak-${++counter}`,
        products: [{ sku: 'SOAK-1', supplier_sku: 'S-1', quantity: 2, cost: 10 }, { sku: 'SOAK-2', supplier_sku: 'S-2', quantity: 1, cost: 4.5 }] }),
    }),
  };
  // 20 requests per cycle: 16 by-po, 1 by-date, 1 bulk, 2 writes (80/5/5/10 %).
  const cycle = [...Array(8).fill(byPo), byDate, ...Array(8).fill(byPo), bulk, supplierUpdate, create];

  const samples: Sample[] = [];
  const started = Date.now();
  const windows = Math.max(1, Math.round((MINUTES * 60) / WINDOW_S));
  console.log('   t(s)  req/s  p99(ms)  errors  non2xx  RSS(MB)  anon(MB)  file(MB)  db file(MB)  heap(MB)  loop p99(ms)');
  for (let w = 0; w < windows; w++) {
    const result = await autocannon({ url: base, connections: CONNECTIONS, duration: WINDOW_S, headers, requests: cycle });
    const probe = probes.at(-1) ?? { rss: 0, heapUsed: 0, rssAnon: null, rssFile: null, eventLoopP99Ms: 0 };
    const sample: Sample = {
      atS: Math.round((Date.now() - started) / 1000), requests: result.requests.total, errors: result.errors + result.timeouts,
      non2xx: result.non2xx, rps: Math.round(result.requests.average), p99Ms: result.latency.p99,
      rssMb: probe.rss / 2 ** 20, heapMb: probe.heapUsed / 2 ** 20, eventLoopP99Ms: probe.eventLoopP99Ms,
      rssAnonMb: probe.rssAnon === null ? null : probe.rssAnon / 2 ** 20,
      rssFileMb: probe.rssFile === null ? null : probe.rssFile / 2 ** 20,
      dbMb: databaseBytes(file) / 2 ** 20,
    };
    samples.push(sample);
    console.log(`${String(sample.atS).padStart(7)}  ${String(sample.rps).padStart(5)}  ${String(sample.p99Ms).padStart(7)}  `
      + `${String(sample.errors).padStart(6)}  ${String(sample.non2xx).padStart(6)}  ${sample.rssMb.toFixed(1).padStart(7)}  `
      + `${(sample.rssAnonMb?.toFixed(1) ?? '-').padStart(8)}  ${(sample.rssFileMb?.toFixed(1) ?? '-').padStart(8)}  `
      + `${sample.dbMb.toFixed(1).padStart(11)}  ${sample.heapMb.toFixed(1).padStart(8)}  ${sample.eventLoopP99Ms.toFixed(1).padStart(12)}`);
  }
  stop();

  const warm = Math.max(Math.ceil(samples.length / 5), Math.ceil(30 / WINDOW_S));
  const after = samples.slice(Math.min(warm, samples.length - 2));
  const span = after.at(-1)!.atS - after[0].atS;
  const split = after.every((s) => s.rssAnonMb !== null && s.rssFileMb !== null);
  const trend = (field: 'rssMb' | 'rssAnonMb' | 'rssFileMb' | 'dbMb' | 'heapMb') => {
    const { slope, sd, mean } = fit(after.map((s) => s.atS), after.map((s) => s[field] ?? 0));
    const growth = slope * span;
    const noise = Math.max(2 * sd, 0.05 * mean);
    return { field, growth, noise, mbPerHour: slope * 3600, flat: growth <= noise };
  };
  const verdicts = (split ? (['rssAnonMb', 'heapMb'] as const) : (['rssMb', 'heapMb'] as const)).map(trend);
  const reported = split ? (['rssMb', 'rssFileMb', 'dbMb'] as const).map(trend) : [];
  const failures = samples.reduce((n, s) => n + s.errors + s.non2xx, 0);
  const total = samples.reduce((n, s) => n + s.requests, 0);
  const loopP99 = Math.max(...after.map((s) => s.eventLoopP99Ms));
  console.log(`\nsoak: ${samples.length} windows of ${WINDOW_S} s, ${total} requests, ${failures} failed (errors + non-2xx); `
    + `event-loop p99 after warm-up at most ${loopP99.toFixed(1)} ms`);
  for (const v of verdicts) {
    console.log(`  ${v.field}: growth after warm-up ${v.growth.toFixed(1)} MB over ${span} s (${v.mbPerHour.toFixed(1)} MB/h), `
      + `noise ${v.noise.toFixed(1)} MB → ${v.flat ? 'flat' : 'GROWING'}`);
  }
  for (const v of reported) {
    console.log(`  (not judged) ${v.field}: growth after warm-up ${v.growth.toFixed(1)} MB over ${span} s (${v.mbPerHour.toFixed(1)} MB/h)`);
  }
  if (split) {
    console.log('  RSS = anon + file; the file-backed part is the database file mapped by SQLite (and shared libraries): '
      + 'it follows the file size, and the kernel reclaims it under memory pressure.');
  }
  const ok = verdicts.every((v) => v.flat) && failures === 0;
  console.log(`verdict: ${ok ? 'PASS (flat after warm-up, no error)' : 'FAIL'}`);
  process.exit(ok ? 0 : 1);
}

await main();

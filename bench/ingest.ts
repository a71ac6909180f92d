// `npm run bench:ingest`: supplier documents into SQLite (DESIGN 7: "a 10 MB 856 file (≈ 20,000 shipments)
// ingested in ≤ 10 s, memory flat (streamed)").
//
// 1. CSV: a generated portal-style shipment export of BENCH_INGEST_ROWS (100,000) rows for seeded POs, ingested through
//    the document pipeline (bytes stored, streamed, applied in batches). Baselines from the same run: csv-parse alone
//    reading the same bytes (the floor for reading), and the same updates applied through the JSON path
//    (ingestSupplierUpdates in batches of the same size) on a copy of the database.
// 2. X12: a generated 856 of BENCH_INGEST_SHIPMENTS (20,000) shipments (≈ 11 MB), each for an open PO holding every
//    product of the shipment's supplier, after a tenth-size 856 for the memory comparison.
// Memory: RSS sampled during each ingest; "flat" means the growth for the full file is close to the growth for a
// file a tenth its size.
// BENCH_INGEST_PROFILE=FILE writes a CPU profile (.cpuprofile, for Chrome's DevTools) of the full 856's pipeline run.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { openDatabase, type OpenDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { parseSupplierUpdate } from '../src/domain/supplier-updates.ts';
import { readCsv } from '../src/ingest/csv/reader.ts';
import { ingestDocument } from '../src/ingest/pipeline.ts';
import { generate856 } from '../src/ingest/x12/generate.ts';
import { readX12 } from '../src/ingest/x12/index.ts';
import { SUPPLIERS } from '../src/seed/catalog.ts';
import { ensureRetailer } from '../src/store/retailers.ts';
import { ingestSupplierUpdates } from '../src/store/supplier-updates.ts';
import { insertPurchaseOrders, supplierNamesOf } from '../src/store/purchase-orders.ts';
import { ensureSupplier } from '../src/store/suppliers.ts';
import { buildPo } from '../test/support/fixtures.ts';
import { intFromEnv, profiled } from './lib/common.ts';

const ROWS = intFromEnv('BENCH_INGEST_ROWS', 100_000);
const SHIPMENTS = intFromEnv('BENCH_INGEST_SHIPMENTS', 20_000);
const BATCH = 500;
const RETAILER = 'bench-ingest';
const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const PROFILE = process.env.BENCH_INGEST_PROFILE || undefined;


const collect = () => (globalThis as { gc?: () => void }).gc?.();

/**
 * CPU time of this process's main thread so far, in ms (Linux: /proc/self/task/<pid>/stat, in clock ticks of 10 ms);
 * null elsewhere. The apply runs on the main thread, so this is the part of a document's time that no other core
 * can take, and unlike the elapsed time it barely moves when other processes load the machine.
 */
function mainThreadCpuMs(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * The process's anonymous resident memory in bytes (Linux: RssAnon of /proc/self/status), or null elsewhere: the
 * JavaScript heap, native allocations and SQLite's page cache, but not the database file's pages that SQLite's mmap
 * maps in (those are file-backed: the kernel drops them under pressure, and they grow with the file, not the input).
 */
function anonRss(): number | null {
  try {
    const match = /RssAnon:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Runs `work`, sampling RSS every 10 ms (and between awaits): elapsed time, peak RSS growth over the start, and the
 * JavaScript heap still in use after a full collection (`--expose-gc`) compared with before: what the run retained.
 * RSS also holds SQLite's page cache (up to 128 MiB, see db/database.ts), which fills as pages are touched.
 */
async function measure<T>(work: () => Promise<T>):
  Promise<{ result: T; ms: number; mainCpuMs: number | null; rssGrowth: number; peakRss: number; anonGrowth: number | null; retained: number }> {
  collect();
  const cpuBefore = mainThreadCpuMs();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.memoryUsage().rss;
  let peak = start;
  const anonStart = anonRss();
  let anonPeak = anonStart;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
    const anon = anonRss();
    if (anon !== null && anonPeak !== null) anonPeak = Math.max(anonPeak, anon);
  };
  const timer = setInterval(sample, 10);
  const began = performance.now();
  const result = await work();
  const ms = performance.now() - began;
  const cpuAfter = mainThreadCpuMs();
  clearInterval(timer);
  sample();
  collect();
  const mainCpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  const anonGrowth = anonStart === null || anonPeak === null ? null : anonPeak - anonStart;
  return { result, ms, mainCpuMs, rssGrowth: peak - start, peakRss: peak, anonGrowth, retained: process.memoryUsage().heapUsed - heapBefore };
}

/**
 * The anonymous-memory line: RSS growth without the database file's pages that SQLite's mmap maps in (those grow with
 * the database, not with the input). What remains is bounded, not proportional to the file: SQLite's page cache
 * (up to 128 MiB, filled as the run touches pages) and the V8 heap's garbage between collections; what the run keeps
 * is the "heap retained" figure.
 */
function anonLine(run: { anonGrowth: number | null }, small: { anonGrowth: number | null }): string {
  if (run.anonGrowth === null || small.anonGrowth === null) return '';
  return `\n  anonymous RSS (without the database file's mapped pages) grew ${mb(run.anonGrowth)} for the full file, ` +
    `${mb(small.anonGrowth)} for the tenth-size one: SQLite's page cache (≤ 128 MiB) and uncollected garbage, both bounded`;
}

const poNumber = (n: number) => `BENCH-${String(n).padStart(7, '0')}`;
const LINES = [['TIT-GT2-9', 2], ['TIT-PRO-V1', 5]] as const;

/** `count` open POs with two submitted lines each, from one supplier. */
async function createPos(database: OpenDatabase, retailerId: string, count: number): Promise<void> {
  const supplierId = await ensureSupplier(database.db, retailerId, { name: 'Acushnet' });
  for (let start = 0; start < count; start += 2000) {
    const pos = Array.from({ length: Math.min(2000, count - start) }, (_, i) => buildPo({
      retailer_id: retailerId, po_number: poNumber(start + i), order_date: '2026-11-18T17:00:00.000Z', supplier_id: supplierId,
      lines: LINES.map(([sku, quantity]) => ({ product_name: sku, sku, quantity, unit_cost_cents: 1000, status: 'submitted' })),
    }));
    await database.db.transaction().execute(async (trx) => insertPurchaseOrders(trx, pos, await supplierNamesOf(trx, retailerId)));
  }
}

/** A shipment export as a portal writes it: one row per PO line, one tracking number per PO. */
function shipmentCsv(firstPo: number, rows: number): Buffer {
  const out = ['PO #,Order No.,Tracking #,Ship Via,Item #,Qty Shipped,Ship Date'];
  for (let row = 0; row < rows; row++) {
    const n = firstPo + Math.floor(row / 2);
    const [sku, quantity] = LINES[row % 2];
    out.push(`${poNumber(n)},SO-${n},1ZBENCH${String(n).padStart(9, '0')},UPS Ground,${sku},${quantity},11/20/2026`);
  }
  return Buffer.from(out.join('\r\n') + '\r\n');
}

/** POs for the generated 856: PO `first + i` from the supplier of shipment i, with every product of that supplier. */
async function createX12Pos(database: OpenDatabase, retailerId: string, first: number, count: number): Promise<void> {
  const supplierIds = new Map<string, string>();
  for (const supplier of SUPPLIERS) supplierIds.set(supplier.name, await ensureSupplier(database.db, retailerId, { name: supplier.name }));
  for (let start = 0; start < count; start += 1000) {
    const pos = Array.from({ length: Math.min(1000, count - start) }, (_, k) => {
      const i = start + k;
      const supplier = SUPPLIERS[i % SUPPLIERS.length];
      return buildPo({
        retailer_id: retailerId, po_number: poNumber(first + i), order_date: '2026-10-18T17:00:00.000Z',
        supplier_id: supplierIds.get(supplier.name)!,
        lines: supplier.products.map((p) => ({ product_name: p.name, sku: p.sku, quantity: 10, unit_cost_cents: p.costCents, status: 'submitted' })),
      });
    });
    await database.db.transaction().execute(async (trx) => insertPurchaseOrders(trx, pos, await supplierNamesOf(trx, retailerId)));
  }
}

/** The 856 part, on the database file after the CSV part; returns the lines to print. */
async function benchX12(file: string, retailerId: string, firstPo: number): Promise<string> {
  const database = openDatabase({ kind: 'sqlite', file });
  try {
    const smallCount = Math.ceil(SHIPMENTS / 10);
    process.stdout.write(`\ncreating ${SHIPMENTS + smallCount} open POs for the 856s… `);
    const created = await measure(() => createX12Pos(database, retailerId, firstPo, SHIPMENTS + smallCount));
    console.log(seconds(created.ms));
    const edi = Buffer.from(generate856(SHIPMENTS, { poNumber: (i) => poNumber(firstPo + i) }));
    const ediSmall = Buffer.from(generate856(smallCount, { poNumber: (i) => poNumber(firstPo + SHIPMENTS + i), seed: 2 }));
    const input = (bytes: Buffer) => ({ bytes, format: 'x12' as const, content_type: 'application/edi-x12' });
    const smallRun = await measure(() => ingestDocument(database.db, retailerId, input(ediSmall)));
    const ingest = () => ingestDocument(database.db, retailerId, input(edi));
    const run = await measure(() => (PROFILE ? profiled(PROFILE, 'the pipeline run', ingest) : ingest()));
    const floor = await measure(async () => {
      let n = 0;
      for await (const _ of readX12(edi).entries()) n++;
      return n;
    });
    const d = run.result.document;
    return `X12 856: ${SHIPMENTS} shipments, ${mb(edi.length)}\n` +
      `  document pipeline: ${seconds(run.ms)} (target ≤ 10 s: ${run.ms <= 10_000 ? 'met' : 'NOT met'}; ` +
      `${Math.round(SHIPMENTS / (run.ms / 1000))} shipments/s), status ${d.status}: applied ${d.applied}, unchanged ${d.unchanged}, ` +
      `unmatched ${d.unmatched}, rejected ${d.rejected}\n` +
      (run.mainCpuMs === null ? '' : `  main thread CPU: ${seconds(run.mainCpuMs)} (the applying thread; the rest of the elapsed time is waiting ` +
        `for the reader's first batch and for a core)\n`) +
      `  baseline, the X12 reader alone (no database): ${seconds(floor.ms)} → pipeline ${(run.ms / floor.ms).toFixed(1)}× the read floor\n` +
      `  memory: RSS grew ${mb(run.rssGrowth)} (peak ${mb(run.peakRss)}), ${mb(smallRun.rssGrowth)} for a tenth the shipments; heap ` +
      `retained ${mb(run.retained)} (tenth-size: ${mb(smallRun.retained)}), against the file's ${mb(edi.length)}` + anonLine(run, smallRun);
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-bench-ingest-'));
  const file = join(dir, 'ordersync.db');
  const copy = join(dir, 'baseline.db');
  try {
    console.log(`bench:ingest — ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} ` +
      '(the machine is shared: read the ratios, not the absolute figures)');
    let database = openDatabase({ kind: 'sqlite', file });
    await migrateToLatest(database.db);
    const retailerId = (await ensureRetailer(database.db, RETAILER)).retailer.id;
    // Two rows per PO: POs for the full file, then for the tenth-size file.
    const bigPos = Math.ceil(ROWS / 2);
    const smallRows = Math.ceil(ROWS / 10);
    process.stdout.write(`creating ${bigPos + Math.ceil(smallRows / 2)} open POs… `);
    const created = await measure(() => createPos(database, retailerId, bigPos + Math.ceil(smallRows / 2)));
    console.log(seconds(created.ms));
    const big = shipmentCsv(0, ROWS);
    const small = shipmentCsv(bigPos, smallRows);
    await database.close();
    copyFileSync(file, copy);
    database = openDatabase({ kind: 'sqlite', file });

    console.log(`\nCSV: ${ROWS} rows, ${mb(big.length)}; a tenth-size file of ${smallRows} rows, ${mb(small.length)}`);
    const floor = await measure(async () => {
      let n = 0;
      for await (const _ of Readable.from([big]).pipe(parse({ relax_column_count: true }))) n++;
      return n;
    });
    const smallRun = await measure(() => ingestDocument(database.db, retailerId, { bytes: small, format: 'csv', content_type: 'text/csv' }));
    const run = await measure(() => ingestDocument(database.db, retailerId, { bytes: big, format: 'csv', content_type: 'text/csv' }));
    const doc = run.result.document;
    await database.close();

    const baselineDb = openDatabase({ kind: 'sqlite', file: copy });
    const json = await measure(async () => {
      let batch = [];
      for await (const entry of readCsv(big)) {
        const parsed = entry.update ? parseSupplierUpdate(entry.update, entry.source, []) : undefined;
        if (parsed) batch.push(parsed);
        if (batch.length === BATCH) {
          await ingestSupplierUpdates(baselineDb.db, retailerId, batch);
          batch = [];
        }
      }
      if (batch.length > 0) await ingestSupplierUpdates(baselineDb.db, retailerId, batch);
    });
    await baselineDb.close();

    console.log(`  document pipeline: ${seconds(run.ms)} (${Math.round(ROWS / (run.ms / 1000))} rows/s), status ${doc.status}: ` +
      `applied ${doc.applied}, unchanged ${doc.unchanged}, unmatched ${doc.unmatched}, rejected ${doc.rejected}`);
    console.log(`  baseline, csv-parse alone: ${seconds(floor.ms)} → pipeline ${(run.ms / floor.ms).toFixed(1)}× the read floor`);
    console.log(`  baseline, the same updates through the JSON path: ${seconds(json.ms)} → pipeline ${(run.ms / json.ms).toFixed(2)}× the JSON path`);
    console.log(`  memory: RSS grew ${mb(run.rssGrowth)} for the full file (peak ${mb(run.peakRss)}), ${mb(smallRun.rssGrowth)} for the ` +
      `tenth-size file: ${(run.rssGrowth / Math.max(smallRun.rssGrowth, 1)).toFixed(1)}× for 10× the rows; heap retained after the ` +
      `run ${mb(run.retained)} (tenth-size: ${mb(smallRun.retained)}), against the file's ${mb(big.length)}` + anonLine(run, smallRun));

    const ediRun = await benchX12(file, retailerId, bigPos + Math.ceil(smallRows / 2));
    console.log(ediRun);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

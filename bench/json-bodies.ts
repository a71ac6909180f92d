// `node --import tsx bench/json-bodies.ts`: what reading JSON numbers as written costs the write path
// (domain/json-numbers.ts, http/json-body.ts). Per body, the time to parse it with Fastify's own parser (what the read
// API's bulk look-up keeps) and with parseJsonKeepingNumbers (every other JSON body), beside what a supplier-update
// batch costs anyway: its validation (parseSupplierUpdates) and the whole request on SQLite (POST
// /api/v2/supplier_updates of 1,000 updates for POs not there yet, held).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { buildApp } from '../src/app.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { parseJsonKeepingNumbers } from '../src/domain/json-numbers.ts';
import { parseSupplierUpdates } from '../src/domain/supplier-updates.ts';
import { createApiKey } from '../src/store/api-keys.ts';
import { ensureRetailer } from '../src/store/retailers.ts';

const update = (i: number) => (i % 2 === 0
  ? { type: 'shipment', po_number: `PO-B-${i}`, tracking_number: '1Z999AA10123456784', shipped_date: '2026-11-20T15:04:00Z',
    lines: [{ sku: 'TIT-GT2-9', quantity: 2 }, { sku: 'TIT-PRO-V1', quantity: 3 }] }
  : { type: 'invoice', po_number: `PO-B-${i}`, invoice_number: `INV-${i}`, invoice_date: '2026-11-20', subtotal_amount: 1000.25,
    tax_amount: 12.5, shipping_amount: 0, total_amount: 1012.75, currency: 'USD', status: 'open' });
const batch = JSON.stringify({ updates: Array.from({ length: 1000 }, (_, i) => update(i)) });
const po = JSON.stringify({ supplier_id: 'sup_x', warehouse_id: 'wh_x', products: Array.from({ length: 20 }, (_, i) => ({ sku: `S-${i}`, quantity: 2, cost: 10.5 })) });
const pdf = JSON.stringify({ updates: [{ ...update(1), document_pdf_base64: Buffer.alloc(10 * 1024 * 1024, 7).toString('base64') }] });

/** Microseconds per call of `fn`, the median of 7 timed rounds of `n` calls after a warm-up. */
function time(fn: () => unknown, n: number): number {
  for (let i = 0; i < Math.max(3, n / 10); i++) fn();
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / n);
  }
  return rounds.sort((a, b) => a - b)[3];
}

const fastifyParse = Fastify().getDefaultJsonParser('error', 'error');
const viaFastify = (text: string) => fastifyParse({} as never, text, (error: Error | null) => { if (error) throw error; });

const rows: string[] = [];
for (const [name, text, n] of [['supplier_updates, 1,000 updates', batch, 100], ['purchase order, 20 products', po, 20_000],
  ['supplier_updates, one 10 MB PDF', pdf, 10]] as const) {
  const plain = time(() => viaFastify(text), n);
  const exact = time(() => parseJsonKeepingNumbers(text), n);
  rows.push(`| ${name} (${(text.length / 1024).toFixed(0)} KB) | ${plain.toFixed(0)} µs | ${exact.toFixed(0)} µs | +${(exact - plain).toFixed(0)} µs |`);
}
const updates = (parseJsonKeepingNumbers(batch) as { updates: unknown[] }).updates;
const validation = time(() => parseSupplierUpdates(updates), 20);

const dir = mkdtempSync(join(tmpdir(), 'ordersync-json-bench-'));
const database = openDatabase({ kind: 'sqlite', file: join(dir, 'bench.db') });
await migrateToLatest(database.db);
const retailer = (await ensureRetailer(database.db, 'bench-retailer')).retailer.id;
const key = (await createApiKey(database.db, retailer, 'bench', ['read', 'write'])).secret;
const app = await buildApp({ config: { publicUrl: 'http://bench.test', logLevel: 'silent', secret: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz' },
  db: database.db, logger: false });
await app.ready();
const requests: number[] = [];
for (let i = 0; i < 7; i++) {
  const start = process.hrtime.bigint();
  const response = await app.inject({ method: 'POST', url: '/api/v2/supplier_updates', payload: batch,
    headers: { 'x-api-key': key, 'content-type': 'application/json' } });
  if (response.statusCode !== 200) throw new Error(`${response.statusCode} ${response.body}`);
  requests.push(Number(process.hrtime.bigint() - start) / 1000);
}
await app.close();
await database.close();
rmSync(dir, { recursive: true, force: true });

console.log('| body | Fastify\'s parser | numbers as written | difference |\n|---|---|---|---|');
console.log(rows.join('\n'));
console.log(`\nThe same 1,000 updates: validation (parseSupplierUpdates) ${validation.toFixed(0)} µs; ` +
  `the whole POST on SQLite (held) ${(requests.sort((a, b) => a - b)[3] / 1000).toFixed(1)} ms (median of 7).`);

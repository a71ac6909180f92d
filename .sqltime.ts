import SQLite from 'better-sqlite3';
const stats = new Map<string, { n: number; ms: number }>();
const origPrepare = (SQLite as any).prototype.prepare;
(SQLite as any).prototype.prepare = function (source: string) {
  const st = origPrepare.call(this, source);
  const key = source.replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*/g, '(…)').replace(/in \([?, ]+\)/g, 'in (…)').slice(0, 160);
  for (const m of ['all', 'run', 'get', 'iterate']) {
    const f = st[m].bind(st);
    st[m] = (...a: unknown[]) => { const t = performance.now(); try { return f(...a); } finally { const s = stats.get(key) ?? { n: 0, ms: 0 }; s.n++; s.ms += performance.now() - t; stats.set(key, s); } };
  }
  return st;
};
const { openDatabase } = await import('/work/wt/ingest/src/db/database.ts');
const { migrateToLatest } = await import('/work/wt/ingest/src/db/migrate.ts');
const { ingestDocument } = await import('/work/wt/ingest/src/ingest/pipeline.ts');
const { generate856 } = await import('/work/wt/ingest/src/ingest/x12/generate.ts');
const { SUPPLIERS } = await import('/work/wt/ingest/src/seed/catalog.ts');
const { ensureRetailer } = await import('/work/wt/ingest/src/store/retailers.ts');
const { insertPurchaseOrders, supplierNamesOf } = await import('/work/wt/ingest/src/store/purchase-orders.ts');
const { ensureSupplier } = await import('/work/wt/ingest/src/store/suppliers.ts');
const { buildPo } = await import('/work/wt/ingest/test/support/fixtures.ts');
const N = Number(process.env.N ?? 3000);
const { mkdtempSync } = await import('node:fs');
const dir = mkdtempSync('/tmp/ingest-sqltime-');
const database = openDatabase({ kind: 'sqlite', file: dir + '/db.sqlite' });
await migrateToLatest(database.db);
const retailerId = (await ensureRetailer(database.db, 'r')).retailer.id;
const poNumber = (n: number) => `BENCH-${String(n).padStart(7, '0')}`;
const ids = new Map<string, string>();
for (const s of SUPPLIERS) ids.set(s.name, await ensureSupplier(database.db, retailerId, { name: s.name }));
for (let start = 0; start < N; start += 1000) {
  const pos = Array.from({ length: Math.min(1000, N - start) }, (_, k) => { const i = start + k; const s = SUPPLIERS[i % SUPPLIERS.length];
    return buildPo({ retailer_id: retailerId, po_number: poNumber(i), order_date: '2026-10-18T17:00:00.000Z', supplier_id: ids.get(s.name)!,
      lines: s.products.map((p: any) => ({ product_name: p.name, sku: p.sku, quantity: 10, unit_cost_cents: p.costCents, status: 'submitted' })) }); });
  await database.db.transaction().execute(async (trx: any) => insertPurchaseOrders(trx, pos, await supplierNamesOf(trx, retailerId)));
}
stats.clear();
const edi = Buffer.from(generate856(N, { poNumber }));
const { readX12 } = await import('/work/wt/ingest/src/ingest/x12/index.ts');
const r0 = performance.now(); let n = 0; for await (const _ of readX12(edi).entries()) n++; const readerMs = performance.now() - r0;
const t = performance.now();
const out = await ingestDocument(database.db, retailerId, { bytes: edi, format: 'x12', content_type: 'application/edi-x12' });
const ms = performance.now() - t;
console.log(`reader ${readerMs.toFixed(0)} ms ratio ${(ms / readerMs).toFixed(1)}x load ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
console.log(`N=${N} ${ms.toFixed(0)} ms, ${(ms / N).toFixed(3)} ms/shipment`, out.document.status, out.document.applied, out.document.unchanged, out.document.rejected, out.document.unmatched);
let total = 0; for (const s of stats.values()) total += s.ms;
console.log('sql total', total.toFixed(0), 'ms', 'statements', [...stats.values()].reduce((a, s) => a + s.n, 0));
for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.env.TOP ?? 25))) console.log(s.ms.toFixed(0).padStart(6), String(s.n).padStart(7), k);
await database.close();

// `node --import tsx bench/supplier-rename.ts`: how long a supplier rename holds SQLite's write lock.
//
// Seeds BENCH_RENAME_POS (20,000) POs into a fresh SQLite database, then renames the supplier with the most POs twice:
// once with the whole re-render in one transaction (what a rename did before store/supplier-rerenders.ts: the
// baseline), once in batches of RERENDER_BATCH_SIZE. Reports, for each, the total time, the batches and the longest
// one (the longest time any other write, and on SQLite any read made while it runs, waits).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { seedDatabase } from '../src/seed/seed.ts';
import { RERENDER_BATCH_SIZE } from '../src/store/supplier-rerenders.ts';
import { updateSupplier } from '../src/store/suppliers.ts';

const POS = Number((process.env.BENCH_RENAME_POS ?? '20000').replace(/_/g, ''));
const dir = mkdtempSync(join(tmpdir(), 'ordersync-bench-rename-'));
const database = openDatabase({ kind: 'sqlite', file: join(dir, 'ordersync.db') });
try {
  await migrateToLatest(database.db);
  console.log(`load average at start: ${loadavg().map((n) => n.toFixed(2)).join(' ')}; seeding ${POS} POs`);
  await seedDatabase(database.db, { retailer: 'bench-rename', pos: POS, seed: 7 });
  const top = await database.db.selectFrom('purchase_orders').select(['retailer_id', 'supplier_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('supplier_id', 'is not', null).groupBy(['retailer_id', 'supplier_id']).orderBy('n', 'desc').limit(1).executeTakeFirstOrThrow();
  const { name } = await database.db.selectFrom('suppliers').select('name').where('id', '=', top.supplier_id!).executeTakeFirstOrThrow();
  console.log(`renaming ${name}: ${top.n} POs on the header (more through lines and invoices)`);

  for (const [label, batchSize, newName] of [
    ['one transaction (before)', Number.MAX_SAFE_INTEGER, `${name} (1)`],
    [`batches of ${RERENDER_BATCH_SIZE}`, RERENDER_BATCH_SIZE, `${name} (2)`],
  ] as const) {
    let longest = 0;
    let batches = 0;
    let last = performance.now();
    const started = last;
    // beforeCommit ends each batch: the time since the previous one is the batch (plus the turn between batches).
    await updateSupplier(database.db, top.retailer_id, top.supplier_id!, { name: newName }, {
      batchSize,
      beforeCommit: () => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        batches++;
        last = now;
      },
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`   ${label}: ${seconds.toFixed(2)} s in ${batches} transaction(s); the longest ${longest.toFixed(0)} ms`);
  }
} finally {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}

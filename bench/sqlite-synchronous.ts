// `npm run bench:durability`: what SQLITE_SYNCHRONOUS=full costs in writes per second (issue 9, README
// "Durability"). Starts the service twice on fresh SQLite databases — synchronous NORMAL (default) and FULL — and
// loads each with PO creates (POST /api/v2/purchase_orders, two products) from autocannon, alternating
// NORMAL, FULL, NORMAL, FULL so drift on a shared machine hits both; prints requests/s and the ratio FULL/NORMAL.
//
// Environment: DURABILITY_DURATION seconds per round (10), DURABILITY_CONNECTIONS (8), DURABILITY_PORT (9270).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createApiKey } from '../src/store/api-keys.ts';
import { ensureRetailer } from '../src/store/retailers.ts';
import { ensureSupplier } from '../src/store/suppliers.ts';
import { ensureWarehouse } from '../src/store/warehouses.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.DURABILITY_DURATION ?? 10);
const CONNECTIONS = Number(process.env.DURABILITY_CONNECTIONS ?? 8);
const PORT = Number(process.env.DURABILITY_PORT ?? 9270);
type Mode = 'normal' | 'full';

interface Target {
  mode: Mode;
  child: ChildProcess;
  url: string;
  key: string;
  body: string;
}

async function start(mode: Mode, port: number, dir: string): Promise<Target> {
  const file = join(dir, `${mode}.db`);
  const database = openDatabase({ kind: 'sqlite', file });
  await migrateToLatest(database.db);
  const { retailer } = await ensureRetailer(database.db, 'durability');
  const key = (await createApiKey(database.db, retailer.id, 'bench', ['write'])).secret;
  const supplierId = await ensureSupplier(database.db, retailer.id, { name: 'Acushnet' });
  const warehouseId = await ensureWarehouse(database.db, retailer.id, { name: 'Main', address: null, locations: [] });
  await database.close();
  const child = fork(join(root, 'bin', 'ordersync.js'), ['serve'], {
    cwd: root, stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      ...process.env, DATABASE_URL: `sqlite:${file}`, SQLITE_SYNCHRONOUS: mode, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0', // one key at full speed
    },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch { /* starting */ }
    if (i > 900) throw new Error(`the ${mode} service did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const body = JSON.stringify({ supplier_id: supplierId, warehouse_id: warehouseId,
    products: [{ sku: 'GT2-9', supplier_sku: 'S-1', quantity: 2, cost: 389.5 }, { sku: 'PROV1', supplier_sku: 'S-2', quantity: 4, cost: 34.5 }] });
  return { mode, child, url, key, body };
}

async function load(target: Target): Promise<{ rps: number; p99: number; non2xx: number }> {
  const result = await autocannon({
    url: `${target.url}/api/v2/purchase_orders`, method: 'POST', connections: CONNECTIONS, duration: DURATION,
    headers: { 'x-api-key': target.key, 'content-type': 'application/json' }, body: target.body,
  });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx + result.errors };
}

const dir = mkdtempSync(join(tmpdir(), 'ordersync-durability-'));
const targets = [await start('normal', PORT, dir), await start('full', PORT + 1, dir)];
try {
  const totals: Record<Mode, number[]> = { normal: [], full: [] };
  for (let round = 0; round < 2; round++) {
    for (const target of targets) {
      const { rps, p99, non2xx } = await load(target);
      totals[target.mode].push(rps);
      console.log(`round ${round + 1} ${target.mode.padEnd(6)}: ${rps.toFixed(0)} PO creates/s, p99 ${p99} ms, ${non2xx} failed`);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const normal = mean(totals.normal);
  const full = mean(totals.full);
  console.log(`\nsynchronous=NORMAL ${normal.toFixed(0)}/s, FULL ${full.toFixed(0)}/s: FULL = ${(full / normal).toFixed(2)} × NORMAL`);
} finally {
  for (const target of targets) target.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

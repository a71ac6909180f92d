// `ordersync seed`: writes generated POs in batches, one transaction each. Re-running with the same seed
// continues where an earlier run stopped (PO numbers are a function of seed and index).
import cliProgress from 'cli-progress';
import type { Db } from '../db/database.ts';
import { insertPurchaseOrders, supplierNamesOf, type PoAggregate } from '../store/purchase-orders.ts';
import { ensureRetailer } from '../store/retailers.ts';
import { ensureSupplier } from '../store/suppliers.ts';
import { ensureWarehouse } from '../store/warehouses.ts';
import { SUPPLIERS, WAREHOUSES } from './catalog.ts';
import { generatePo, poNumberFor, type SeedContext } from './generate.ts';

export interface SeedOptions {
  retailer: string;
  pos: number;
  seed: number;
  /** Show a progress bar on stderr. */
  progress?: boolean;
  batchSize?: number;
}

/** Fixed so that the same seed gives the same data on any day. */
const ANCHOR_MS = Date.parse('2026-11-01T00:00:00Z');

/** How many of this seed's POs are already stored (they are written in index order). */
async function alreadySeeded(db: Db, retailerId: string, seed: number, wanted: number): Promise<number> {
  let low = 0;
  let high = wanted;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const row = await db.selectFrom('purchase_orders').select('id')
      .where('retailer_id', '=', retailerId).where('po_number', '=', poNumberFor(seed, middle)).executeTakeFirst();
    if (row) low = middle + 1;
    else high = middle;
  }
  return low;
}

export async function seedDatabase(db: Db, options: SeedOptions): Promise<{ created: number; skipped: number }> {
  const { retailer } = await ensureRetailer(db, options.retailer);
  const suppliers = [];
  for (const spec of SUPPLIERS) {
    const id = await ensureSupplier(db, retailer.id, {
      name: spec.name, contact_name: spec.contactName, contact_email: spec.contactEmail, phone: spec.phone, address: spec.address,
    });
    suppliers.push({ id, spec });
  }
  const warehouses = [];
  for (const spec of WAREHOUSES) warehouses.push({ id: await ensureWarehouse(db, retailer.id, spec), address: spec.address });
  const supplierNames = await supplierNamesOf(db, retailer.id);
  const context: SeedContext = { retailerId: retailer.id, seed: options.seed, suppliers, warehouses, anchorMs: ANCHOR_MS };

  const start = await alreadySeeded(db, retailer.id, options.seed, options.pos);
  const batchSize = options.batchSize ?? 1000;
  const bar = options.progress
    ? new cliProgress.SingleBar({ format: 'seeding {bar} {value}/{total} POs | {percentage}% | ETA {eta_formatted} | {rate} POs/s', etaBuffer: 50 }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(options.pos, start, { rate: 0 });
  const began = Date.now();
  for (let from = start; from < options.pos; from += batchSize) {
    const to = Math.min(options.pos, from + batchSize);
    const batch: PoAggregate[] = [];
    for (let index = from; index < to; index++) batch.push(generatePo(context, index));
    await db.transaction().execute((trx) => insertPurchaseOrders(trx, batch, supplierNames, { events: false }));
    bar?.update(to, { rate: Math.round((to - start) / Math.max(0.001, (Date.now() - began) / 1000)) });
  }
  bar?.stop();
  return { created: options.pos - start, skipped: start };
}

// The floor under the bulk row: the store's own bulk look-up (store/orders.ts recordsByPoNumbers, the statement the
// route runs) timed in this process, without HTTP, JSON or sockets. When it alone costs more CPU than the bare
// route's whole request, no change above the store can bring bulk to half of bare: the row then needs a different
// store layout, not a faster route.
import type { DatabaseConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { recordsByPoNumbers } from '../../src/store/orders.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { RETAILER } from './database.ts';

export interface StoreFloor {
  /** CPU µs (user + system) per look-up of `size` random PO numbers. */
  cpuPerLookup: number;
  /** Records found per look-up (a check that the look-ups found what the route's do). */
  recordsPerLookup: number;
  lookups: number;
}

/**
 * `lookups` bulk look-ups of `size` numbers drawn by `poNumber()`, after `warmup` unmeasured ones, on a connection of
 * its own (the service's page cache is its own too: both start from the same OS page cache).
 */
export async function storeFloor(config: DatabaseConfig, poNumber: () => string, size = 100, lookups = 2000, warmup = 300): Promise<StoreFloor> {
  const database = openDatabase(config);
  try {
    const { retailer } = await ensureRetailer(database.db, RETAILER);
    const draw = () => Array.from(new Set(Array.from({ length: size }, poNumber)));
    for (let i = 0; i < warmup; i++) await recordsByPoNumbers(database.db, 'v2', retailer.id, draw());
    let found = 0;
    const before = process.cpuUsage();
    for (let i = 0; i < lookups; i++) {
      for (const records of (await recordsByPoNumbers(database.db, 'v2', retailer.id, draw())).values()) found += records.length;
    }
    const cpu = process.cpuUsage(before);
    return { cpuPerLookup: (cpu.user + cpu.system) / lookups, recordsPerLookup: found / lookups, lookups };
  } finally {
    await database.close();
  }
}

// The floor under the bulk row: the store's own bulk look-up (store/orders.ts recordsByPoNumbers, the statement the
// route runs) timed in this process, without HTTP, JSON or sockets. When it alone costs more CPU than the bare
// route's whole request, no change above the store can bring bulk to half of bare: the row then needs a different
// store layout, not a faster route.
import Database from 'better-sqlite3';
import type { DatabaseConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { recordsByPoNumbers } from '../../src/store/orders.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { RETAILER } from './database.ts';

export interface StoreFloor {
  /** CPU µs (user + system) per look-up of `size` random PO numbers. */
  cpuPerLookup: number;
  /**
   * SQLite only: CPU µs per look-up of the same `size` numbers in the unique index on (retailer_id, po_number)
   * alone, reading no row: the B-tree seeks every per-request SQLite design pays before it reads one byte of a
   * rendering. Null on PostgreSQL.
   */
  seekOnlyPerLookup: number | null;
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
    const seekOnlyPerLookup = config.kind === 'sqlite' ? seekOnly(config.file, retailer.id, draw, lookups, warmup) : null;
    return { cpuPerLookup: (cpu.user + cpu.system) / lookups, seekOnlyPerLookup, recordsPerLookup: found / lookups, lookups };
  } finally {
    await database.close();
  }
}

/** The index seeks alone (StoreFloor.seekOnlyPerLookup), on a read-only connection with the service's mmap size. */
function seekOnly(file: string, retailerId: string, draw: () => string[], lookups: number, warmup: number): number {
  const sqlite = new Database(file, { readonly: true });
  try {
    sqlite.pragma('mmap_size = 2147418112');
    const statements = new Map<number, Database.Statement>();
    const run = (numbers: string[]) => {
      let statement = statements.get(numbers.length);
      if (!statement) {
        const slots = numbers.map(() => '?').join(',');
        statement = sqlite.prepare(`select po_number from purchase_orders where retailer_id = ? and po_number in (${slots})`);
        statements.set(numbers.length, statement);
      }
      return statement.all(retailerId, ...numbers).length;
    };
    for (let i = 0; i < warmup; i++) run(draw());
    const before = process.cpuUsage();
    for (let i = 0; i < lookups; i++) run(draw());
    const cpu = process.cpuUsage(before);
    return (cpu.user + cpu.system) / lookups;
  } finally {
    sqlite.close();
  }
}

// Read queries of the OrderSync API. Each returns stored renderings (JSON text), scoped to one retailer.
import { sql, type Compilable } from 'kysely';
import { preparedQuery, type Db } from '../db/database.ts';
import { inRequestTransaction } from '../db/request-transaction.ts';
import { LookupBatcher } from './lookup-batcher.ts';

export type ApiVersion = 'v1' | 'v2';

export interface RecordsPage {
  records: string[];
  total: number;
}

/**
 * A column written as an expression (`column || ''`), which SQLite's planner cannot serve from an index. Without
 * ANALYZE statistics SQLite takes `retailer_id = ?` (or an index that also gives ORDER BY order_date) as the best
 * way in, and walks every PO of the retailer instead of seeking the few that match another key: on 1,000,000 POs
 * 100 bulk PO numbers took ~5 s and a supplier order ~1 s, blocking the event loop. Used for look-ups by PO
 * number and supplier order id; same values, same order, same collation on SQLite and PostgreSQL.
 */
const notIndexed = (column: 'order_date' | 'po.order_date' | 'retailer_id') => sql<string>`${sql.ref(column)} || ''`;

/** The most PO numbers one bulk call may ask for (DESIGN 2.1); the bulk statement has this many slots. */
export const BULK_PO_NUMBERS_MAX = 100;

/**
 * The look-up by PO number: one number (`=`) or several (`in`). v2 rows come in no particular order (one per
 * PO; the caller orders them): sorting them would copy every ~4 KB rendering through SQLite's sorter.
 * Rows of one PO come in line order (v1).
 */
function v2ByPoNumbers(db: Db, retailerId: string, numbers: string | string[]) {
  return db.selectFrom('purchase_orders')
    .select(['po_number', 'view_v2 as view'])
    .where('retailer_id', '=', retailerId)
    .where('po_number', typeof numbers === 'string' ? '=' : 'in', numbers);
}

function v1ByPoNumbers(db: Db, retailerId: string, numbers: string | string[]) {
  return db.selectFrom('po_lines')
    .innerJoin('purchase_orders as po', 'po.id', 'po_lines.po_id')
    .select(['po.po_number', 'po_lines.view_v1 as view'])
    .where('po.retailer_id', '=', retailerId)
    .where('po.po_number', typeof numbers === 'string' ? '=' : 'in', numbers)
    .orderBy(notIndexed('po.order_date')).orderBy('po.id').orderBy('po_lines.line_no');
}

/**
 * The look-ups prepared once per database (see preparedQuery): one PO number, and up to BULK_PO_NUMBERS_MAX
 * numbers in one statement whose unused slots repeat the first number (an `in` list ignores repeats).
 */
function preparedLookups(db: Db) {
  const bulk = <R>(lookup: (db: Db, retailerId: string, numbers: string[]) => Compilable<R>) => {
    const build = (retailerId: string, ...numbers: string[]) => lookup(db, retailerId, numbers);
    // preparedQuery makes one stand-in per declared parameter: the retailer and every slot.
    Object.defineProperty(build, 'length', { value: 1 + BULK_PO_NUMBERS_MAX });
    return preparedQuery(db, build);
  };
  return {
    one: {
      v1: preparedQuery(db, (retailerId: string, poNumber: string) => v1ByPoNumbers(db, retailerId, poNumber)),
      v2: preparedQuery(db, (retailerId: string, poNumber: string) => v2ByPoNumbers(db, retailerId, poNumber)),
    },
    bulk: { v1: bulk(v1ByPoNumbers), v2: bulk(v2ByPoNumbers) },
  };
}
const lookups = new WeakMap<Db, ReturnType<typeof preparedLookups>>();

function lookupsOf(db: Db): ReturnType<typeof preparedLookups> {
  let prepared = lookups.get(db);
  if (!prepared) lookups.set(db, prepared = preparedLookups(db));
  return prepared;
}

async function oneByPoNumber(db: Db, version: ApiVersion, retailerId: string, poNumber: string): Promise<string[]> {
  const rows = await lookupsOf(db).one[version](retailerId, poNumber);
  return rows.map((r) => r.view);
}

/** The by-po look-ups of one turn of the event loop, one query per retailer (lookup-batcher.ts). */
const batchers = new WeakMap<Db, Record<ApiVersion, LookupBatcher>>();

function batchersOf(db: Db): Record<ApiVersion, LookupBatcher> {
  let made = batchers.get(db);
  if (!made) {
    const of = (version: ApiVersion) => new LookupBatcher({
      one: (retailerId, poNumber) => oneByPoNumber(db, version, retailerId, poNumber),
      many: (retailerId, poNumbers) => recordsByPoNumbers(db, version, retailerId, poNumbers),
      max: BULK_PO_NUMBERS_MAX,
    });
    batchers.set(db, made = { v1: of('v1'), v2: of('v2') });
  }
  return made;
}

/**
 * The stored renderings (JSON text) for one PO number: one per PO (v2) or per line in line order (v1); [] when none.
 * Look-ups made in the same turn of the event loop share one query (lookup-batcher.ts says why), except inside a
 * request's transaction, which must see its own writes through its own connection.
 */
export async function recordsByPoNumber(db: Db, version: ApiVersion, retailerId: string, poNumber: string): Promise<string[]> {
  if (!inRequestTransaction()) return batchersOf(db)[version].lookup(retailerId, poNumber);
  return oneByPoNumber(db, version, retailerId, poNumber);
}

/**
 * The stored renderings for up to BULK_PO_NUMBERS_MAX distinct PO numbers, by PO number (v1: each PO's lines in
 * line order); numbers without a PO are absent. One prepared statement, whatever the count.
 */
export async function recordsByPoNumbers(
  db: Db, version: ApiVersion, retailerId: string, poNumbers: readonly string[],
): Promise<Map<string, string[]>> {
  const byNumber = new Map<string, string[]>();
  if (poNumbers.length === 0) return byNumber;
  if (poNumbers.length > BULK_PO_NUMBERS_MAX) throw new RangeError(`at most ${BULK_PO_NUMBERS_MAX} PO numbers`);
  const slots = poNumbers.slice();
  while (slots.length < BULK_PO_NUMBERS_MAX) slots.push(poNumbers[0]);
  for (const row of await lookupsOf(db).bulk[version](retailerId, ...slots)) {
    const records = byNumber.get(row.po_number);
    if (records) records.push(row.view);
    else byNumber.set(row.po_number, [row.view]);
  }
  return byNumber;
}

/** v2: POs with a supplier order of this id; v1: the lines that supplier order covers. */
export async function recordsBySupplierOrder(
  db: Db, version: ApiVersion, retailerId: string, supplierOrderId: string,
): Promise<string[]> {
  const orders = db.selectFrom('supplier_orders')
    .where('supplier_orders.retailer_id', '=', retailerId)
    .where('supplier_orders.supplier_order_id', '=', supplierOrderId);
  if (version === 'v2') {
    const rows = await db.selectFrom('purchase_orders')
      .select('view_v2')
      .where(notIndexed('retailer_id'), '=', retailerId)
      .where('id', 'in', orders.select('supplier_orders.po_id'))
      .orderBy('order_date').orderBy('id')
      .execute();
    return rows.map((r) => r.view_v2);
  }
  const rows = await db.selectFrom('po_lines')
    .innerJoin('purchase_orders as po', 'po.id', 'po_lines.po_id')
    .select('po_lines.view_v1')
    .where('po_lines.retailer_id', '=', retailerId)
    .where('po_lines.id', 'in', orders
      .innerJoin('supplier_order_lines as sol', 'sol.supplier_order_pk', 'supplier_orders.id')
      .select('sol.line_id'))
    .orderBy('po.order_date').orderBy('po.id').orderBy('po_lines.line_no')
    .execute();
  return rows.map((r) => r.view_v1);
}

/**
 * v2 records of the POs with a shipment of this tracking number (as stored: normalised by the caller with
 * domain/supplier-updates.ts normalizeTrackingNumber), newest order first; served by index shipments_tracking.
 */
export async function recordsByTrackingNumber(db: Db, retailerId: string, trackingNumber: string): Promise<string[]> {
  const rows = await db.selectFrom('purchase_orders')
    .select('view_v2')
    .where(notIndexed('retailer_id'), '=', retailerId)
    .where('id', 'in', db.selectFrom('shipments').select('po_id')
      .where('retailer_id', '=', retailerId).where('tracking_number', '=', trackingNumber))
    .orderBy('order_date', 'desc').orderBy('id', 'desc')
    .execute();
  return rows.map((r) => r.view_v2);
}

export { recordsByOrderDate } from './orders-by-date.ts';

// Read queries of the OrderSync API. Each returns stored renderings (JSON text), scoped to one retailer.
import { sql } from 'kysely';
import { preparedQuery, type Db } from '../db/database.ts';

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

/** The look-up by PO number: one number (`=`) or several (`in`). */
function v2ByPoNumbers(db: Db, retailerId: string, numbers: string | string[]) {
  return db.selectFrom('purchase_orders')
    .select(['po_number', 'view_v2'])
    .where('retailer_id', '=', retailerId)
    .where('po_number', typeof numbers === 'string' ? '=' : 'in', numbers)
    .orderBy(notIndexed('order_date')).orderBy('id');
}

function v1ByPoNumbers(db: Db, retailerId: string, numbers: string | string[]) {
  return db.selectFrom('po_lines')
    .innerJoin('purchase_orders as po', 'po.id', 'po_lines.po_id')
    .select(['po.po_number', 'po_lines.view_v1'])
    .where('po.retailer_id', '=', retailerId)
    .where('po.po_number', typeof numbers === 'string' ? '=' : 'in', numbers)
    .orderBy(notIndexed('po.order_date')).orderBy('po.id').orderBy('po_lines.line_no');
}

/** The same look-ups for one PO number (the by-po endpoints), prepared once per database: see preparedQuery. */
function preparedSingleLookups(db: Db) {
  return {
    v1: preparedQuery(db, (retailerId: string, poNumber: string) => v1ByPoNumbers(db, retailerId, poNumber)),
    v2: preparedQuery(db, (retailerId: string, poNumber: string) => v2ByPoNumbers(db, retailerId, poNumber)),
  };
}
const singleLookups = new WeakMap<Db, ReturnType<typeof preparedSingleLookups>>();

/** Records for these PO numbers, plus which of the numbers matched a PO. */
export async function recordsByPoNumbers(
  db: Db, version: ApiVersion, retailerId: string, poNumbers: string[],
): Promise<{ records: string[]; found: Set<string> }> {
  if (poNumbers.length === 0) return { records: [], found: new Set() };
  if (poNumbers.length === 1) {
    let lookups = singleLookups.get(db);
    if (!lookups) singleLookups.set(db, lookups = preparedSingleLookups(db));
    if (version === 'v2') {
      const rows = await lookups.v2(retailerId, poNumbers[0]);
      return { records: rows.map((r) => r.view_v2), found: new Set(rows.map((r) => r.po_number)) };
    }
    const rows = await lookups.v1(retailerId, poNumbers[0]);
    return { records: rows.map((r) => r.view_v1), found: new Set(rows.map((r) => r.po_number)) };
  }
  if (version === 'v2') {
    const rows = await v2ByPoNumbers(db, retailerId, poNumbers).execute();
    return { records: rows.map((r) => r.view_v2), found: new Set(rows.map((r) => r.po_number)) };
  }
  const rows = await v1ByPoNumbers(db, retailerId, poNumbers).execute();
  return { records: rows.map((r) => r.view_v1), found: new Set(rows.map((r) => r.po_number)) };
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

/** One page of records whose PO order date lies in [from, to), ordered by order date then id. */
export async function recordsByOrderDate(
  db: Db, version: ApiVersion, retailerId: string, range: { from: string; to: string }, page: number, limit: number,
): Promise<RecordsPage> {
  const offset = (page - 1) * limit;
  if (version === 'v2') {
    const inRange = db.selectFrom('purchase_orders')
      .where('retailer_id', '=', retailerId)
      .where('order_date', '>=', range.from)
      .where('order_date', '<', range.to);
    const [count, rows] = await Promise.all([
      inRange.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      inRange.select('view_v2').orderBy('order_date').orderBy('id').limit(limit).offset(offset).execute(),
    ]);
    return { records: rows.map((r) => r.view_v2), total: Number(count.n) };
  }
  const inRange = db.selectFrom('po_lines')
    .innerJoin('purchase_orders as po', 'po.id', 'po_lines.po_id')
    .where('po.retailer_id', '=', retailerId)
    .where('po.order_date', '>=', range.from)
    .where('po.order_date', '<', range.to);
  const [count, rows] = await Promise.all([
    inRange.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    inRange.select('po_lines.view_v1')
      .orderBy('po.order_date').orderBy('po.id').orderBy('po_lines.line_no')
      .limit(limit).offset(offset).execute(),
  ]);
  return { records: rows.map((r) => r.view_v1), total: Number(count.n) };
}

// The web console's reads of POs (DESIGN 4c): search by any id a person has at hand, the filtered PO list and
// everything one PO page shows. Records come back as the stored v2 renderings (DESIGN 2.5), the same text the
// read API serves, so the console and the API cannot disagree.
import { PostgresAdapter, sql, type RawBuilder, type SqlBool } from 'kysely';
import { normalizeTrackingNumber } from '../domain/tracking.ts';
import type { Db } from '../db/database.ts';
import { recordsByPoNumber, recordsBySupplierOrder, recordsByTrackingNumber } from './orders.ts';
import { loadPoAggregate, type PoAggregate } from './purchase-orders.ts';

/**
 * POs of this retailer whose PO number, supplier order id or tracking number is `text`: the read API's own
 * look-ups (store/orders.ts), each PO once, newest order first. PO numbers and supplier order ids are compared
 * trimmed, as typed or all upper or all lower case; tracking numbers normalised as supplier updates store them
 * (domain/tracking.ts normalizeTrackingNumber). v2 record texts.
 */
export async function searchPurchaseOrders(db: Db, retailerId: string, text: string): Promise<string[]> {
  const term = text.trim();
  if (term === '') return [];
  // Case does not matter to a person (README "Console"): the term as typed, upper-cased and lower-cased, each an
  // exact look-up on the (retailer, number) indexes, so `po-10000001` finds PO-10000001 without scanning every PO.
  const variants = [...new Set([term, term.toUpperCase(), term.toLowerCase()])];
  const [byPoNumber, bySupplierOrder, byTracking] = await Promise.all([
    Promise.all(variants.map((v) => recordsByPoNumber(db, 'v2', retailerId, v))),
    Promise.all(variants.map((v) => recordsBySupplierOrder(db, 'v2', retailerId, v))),
    recordsByTrackingNumber(db, retailerId, normalizeTrackingNumber(term)),
  ]);
  const found = new Map<string, { orderDate: string; text: string }>();
  for (const record of [...byPoNumber.flat(), ...bySupplierOrder.flat(), ...byTracking]) {
    const { id, order_date: orderDate } = JSON.parse(record) as { id: string; order_date: string };
    found.set(id, { orderDate: new Date(orderDate).toISOString(), text: record });
  }
  return [...found].sort(([idA, a], [idB, b]) => (a.orderDate === b.orderDate ? (idA < idB ? 1 : -1) : a.orderDate < b.orderDate ? 1 : -1))
    .map(([, r]) => r.text);
}

/** The ids of this retailer's POs with these PO numbers (unique per retailer), by PO number; unknown numbers are absent. */
export async function poIdsByNumber(db: Db, retailerId: string, poNumbers: readonly string[]): Promise<Map<string, string>> {
  const distinct = [...new Set(poNumbers)];
  if (distinct.length === 0) return new Map();
  const rows = await db.selectFrom('purchase_orders').select(['id', 'po_number'])
    .where('retailer_id', '=', retailerId).where('po_number', 'in', distinct).execute();
  return new Map(rows.map((r) => [r.po_number, r.id]));
}

export interface PoListFilters {
  /** A v2 status (DESIGN 2.3): the PO's derived status as its v2 record shows it. */
  status?: string;
  supplierId?: string;
  /** Order dates in [from, to): UTC instants (domain/dates.ts dayRange turns the retailer's days into these). */
  from?: string;
  to?: string;
}

/** A PO's place in the list: its order date (stored UTC instant text) and id, the list's order. */
export interface PoListCursor {
  orderDate: string;
  id: string;
}

export interface PoListRequest {
  filters: PoListFilters;
  /** `newest`: order date descending, then id descending; `oldest`: both ascending. */
  order: 'newest' | 'oldest';
  /** The page after this PO (the next page), or the page before it (the previous one); neither: the first page. */
  after?: PoListCursor;
  before?: PoListCursor;
  limit: number;
}

export interface PoListPage {
  /** v2 record texts with their places, in list order. */
  records: { view: string; cursor: PoListCursor }[];
  /** More POs follow the page. */
  hasNext: boolean;
  /** The page is the list's first: no position, or a `before` position with less than a page before it. */
  first: boolean;
}

/** The v2 status inside the stored record, in each dialect's JSON syntax: exactly the expression of the index
 * purchase_orders_v2_status (migration 0021), or the list walks every PO. */
function v2Status(db: Db) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql<string>`(view_v2::json ->> 'status')`
    : sql<string>`json_extract(view_v2, '$.status')`;
}

/**
 * Conditions placing a page in the list: the date filters, and the rows past `cursor` in the direction read.
 * On the cursor's side only the tighter of the cursor and the date filter is kept: given both, a planner may seek
 * by the date filter and walk from there to the cursor, a walk that grows with the page's depth.
 */
function placing(date: RawBuilder<string>, id: RawBuilder<string>, filters: PoListFilters, descending: boolean, cursor?: PoListCursor) {
  let { from, to } = filters;
  const conditions: RawBuilder<SqlBool>[] = [];
  if (cursor !== undefined) {
    if (descending && (to === undefined || cursor.orderDate < to)) {
      to = undefined;
      conditions.push(sql<SqlBool>`(${date}, ${id}) < (${cursor.orderDate}, ${cursor.id})`);
    } else if (!descending && (from === undefined || cursor.orderDate >= from)) {
      from = undefined;
      conditions.push(sql<SqlBool>`(${date}, ${id}) > (${cursor.orderDate}, ${cursor.id})`);
    }
  }
  if (from !== undefined) conditions.push(sql<SqlBool>`${date} >= ${from}`);
  if (to !== undefined) conditions.push(sql<SqlBool>`${date} < ${to}`);
  return conditions;
}

/**
 * Up to `limit` POs of the list in one direction from `cursor` (exclusive; none: from the list's end). Every
 * combination of filters seeks an index in the list's order and reads one page (DESIGN 7; test/store/query-plans):
 * by date on purchase_orders_by_date, by status on purchase_orders_v2_status, by supplier (with or without a
 * status) on po_suppliers (migration 0022), where a PO appears once per supplier of its header or lines.
 */
async function readList(db: Db, retailerId: string, filters: PoListFilters, descending: boolean, cursor: PoListCursor | undefined, limit: number) {
  const direction = descending ? 'desc' : 'asc';
  const supplierId = filters.supplierId;
  if (supplierId !== undefined) {
    const date = sql.ref<string>('k.order_date');
    const id = sql.ref<string>('k.po_id');
    let query = db.selectFrom('po_suppliers as k').innerJoin('purchase_orders as po', 'po.id', 'k.po_id')
      .select(['po.view_v2', 'k.order_date', 'k.po_id as id'])
      .where('k.retailer_id', '=', retailerId).where('k.supplier_id', '=', supplierId);
    if (filters.status !== undefined) query = query.where('k.v2_status', '=', filters.status);
    for (const condition of placing(date, id, filters, descending, cursor)) query = query.where(condition);
    return query.orderBy(date, direction).orderBy(id, direction).limit(limit).execute();
  }
  const date = sql.ref<string>('po.order_date');
  const id = sql.ref<string>('po.id');
  let query = db.selectFrom('purchase_orders as po').select(['po.view_v2', 'po.order_date', 'po.id']).where('po.retailer_id', '=', retailerId);
  if (filters.status !== undefined) query = query.where(v2Status(db), '=', filters.status);
  for (const condition of placing(date, id, filters, descending, cursor)) query = query.where(condition);
  return query.orderBy(date, direction).orderBy(id, direction).limit(limit).execute();
}

/**
 * One page of the retailer's POs as v2 record texts, newest or oldest order first, filtered. A PO matches a
 * supplier when it or one of its lines has that supplier. Pages are found by position (after or before a PO),
 * never by skipping, and `hasNext` comes from reading one record past the page: no page counts or skips the
 * matching POs, however deep it is.
 */
export async function listPoRecords(db: Db, retailerId: string, request: PoListRequest): Promise<PoListPage> {
  const { filters, limit } = request;
  const descending = request.order === 'newest';
  const record = (row: { view_v2: string; order_date: string; id: string }) =>
    ({ view: row.view_v2, cursor: { orderDate: row.order_date, id: row.id } });
  if (request.before !== undefined) {
    // The page before a position: read backwards from it and turn the rows round. With no more than a page
    // before it, that is the first page (POs added since would otherwise make a short page that is not the first).
    const rows = await readList(db, retailerId, filters, !descending, request.before, limit + 1);
    if (rows.length > limit) return { records: rows.slice(0, limit).reverse().map(record), hasNext: true, first: false };
  }
  const rows = await readList(db, retailerId, filters, descending, request.after, limit + 1);
  return { records: rows.slice(0, limit).map(record), hasNext: rows.length > limit, first: request.after === undefined };
}

export interface PoPage {
  aggregate: PoAggregate;
  /** The stored v2 record text. */
  view: string;
  supplierName: string | null;
  warehouseName: string | null;
  /** The connection a synced PO came from, when it still exists. */
  connection: { id: string; name: string; kind: string } | null;
}

/** Everything the console's PO page shows about one PO of this retailer, or undefined (another retailer's too). */
export async function loadPoPage(db: Db, retailerId: string, poId: string): Promise<PoPage | undefined> {
  const header = await db.selectFrom('purchase_orders as po')
    .leftJoin('suppliers as s', (join) => join.onRef('s.id', '=', 'po.supplier_id').onRef('s.retailer_id', '=', 'po.retailer_id'))
    .leftJoin('warehouses as w', (join) => join.onRef('w.id', '=', 'po.warehouse_id').onRef('w.retailer_id', '=', 'po.retailer_id'))
    .select(['po.view_v2', 's.name as supplier_name', 'w.name as warehouse_name'])
    .where('po.retailer_id', '=', retailerId).where('po.id', '=', poId)
    .executeTakeFirst();
  if (!header) return undefined;
  const [aggregate, connection] = await Promise.all([
    loadPoAggregate(db, retailerId, poId),
    db.selectFrom('synced_records as r').innerJoin('connections as c', 'c.id', 'r.connection_id')
      .select(['c.id', 'c.name', 'c.kind'])
      .where('r.retailer_id', '=', retailerId).where('r.po_id', '=', poId)
      .executeTakeFirst(),
  ]);
  if (!aggregate) return undefined;
  return {
    aggregate, view: header.view_v2, supplierName: header.supplier_name, warehouseName: header.warehouse_name,
    connection: connection ?? null,
  };
}

/** The retailer's suppliers by name, for the list's supplier filter. */
/**
 * Up to `limit` names of the retailer's suppliers that start with `prefix` in any case, in that order: the PO
 * list's supplier suggestions. Seeks suppliers_retailer_lower_name (migration 0025) from the lowered prefix and
 * reads at most `limit` rows, however many suppliers the retailer has (DESIGN 7).
 */
export async function supplierNameSuggestions(db: Db, retailerId: string, prefix: string, limit: number): Promise<string[]> {
  const lowered = sql<string>`lower(name)`;
  const rows = await db.selectFrom('suppliers').select(['name', lowered.as('key'), sql<string>`lower(cast(${prefix} as text))`.as('start')])
    .where('retailer_id', '=', retailerId).where(lowered, '>=', sql<string>`lower(cast(${prefix} as text))`)
    .orderBy(lowered).orderBy('name').limit(limit).execute();
  return rows.filter((row) => row.key.startsWith(row.start)).map((row) => row.name);
}

/**
 * One of the retailer's suppliers by its id, its exact name, or its name in another case when only one supplier
 * has it so (suppliers_retailer_lower_name); undefined otherwise.
 */
export async function findSupplierChoice(db: Db, retailerId: string, given: string): Promise<{ id: string; name: string } | undefined> {
  const query = db.selectFrom('suppliers').select(['id', 'name']).where('retailer_id', '=', retailerId);
  const exact = (await query.where('id', '=', given).executeTakeFirst()) ?? await query.where('name', '=', given).executeTakeFirst();
  if (exact) return exact;
  const alike = await query.where(sql<string>`lower(name)`, '=', sql<string>`lower(cast(${given} as text))`).limit(2).execute();
  return alike.length === 1 ? alike[0] : undefined;
}

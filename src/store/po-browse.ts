// The web console's reads of POs (DESIGN 4c): search by any id a person has at hand, the filtered PO list and
// everything one PO page shows. Records come back as the stored v2 renderings (DESIGN 2.5), the same text the
// read API serves, so the console and the API cannot disagree.
import { PostgresAdapter, sql } from 'kysely';
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

/** The v2 status inside the stored record, in each dialect's JSON syntax: exactly the expression of the index
 * purchase_orders_v2_status (migration 0021), or the list walks every PO. */
function v2Status(db: Db) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql<string>`(view_v2::json ->> 'status')`
    : sql<string>`json_extract(view_v2, '$.status')`;
}

/**
 * One page of the retailer's POs, newest order first, as v2 record texts. A PO matches a supplier when it or
 * one of its lines has that supplier. `hasMore` comes from reading one record past the page, so no page counts
 * every matching PO.
 */
export async function listPoRecords(
  db: Db, retailerId: string, filters: PoListFilters, page: number, limit: number,
): Promise<{ records: string[]; hasMore: boolean }> {
  let query = db.selectFrom('purchase_orders as po').select('po.view_v2').where('po.retailer_id', '=', retailerId);
  if (filters.from !== undefined) query = query.where('po.order_date', '>=', filters.from);
  if (filters.to !== undefined) query = query.where('po.order_date', '<', filters.to);
  if (filters.status !== undefined) query = query.where(v2Status(db), '=', filters.status);
  const supplierId = filters.supplierId;
  if (supplierId !== undefined) {
    query = query.where((eb) => eb.or([
      eb('po.supplier_id', '=', supplierId),
      eb.exists(eb.selectFrom('po_lines as l').select('l.id').whereRef('l.po_id', '=', 'po.id').where('l.supplier_id', '=', supplierId)),
    ]));
  }
  const rows = await query.orderBy('po.order_date', 'desc').orderBy('po.id', 'desc')
    .limit(limit + 1).offset((page - 1) * limit).execute();
  return { records: rows.slice(0, limit).map((r) => r.view_v2), hasMore: rows.length > limit };
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
export async function supplierChoices(db: Db, retailerId: string): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('suppliers').select(['id', 'name']).where('retailer_id', '=', retailerId).orderBy('name').execute();
}

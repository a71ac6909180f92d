// Warehouses of a retailer with their inventory locations: the seed's get-or-create, and the
// list/create/get/update behind /api/v2/warehouses. Every query is scoped by retailer_id.
// Names are unique per retailer, checked here (the table has no unique constraint on them): writes that set a
// name take a per-retailer lock first, so concurrent creates cannot both pass the check.
import { PostgresAdapter, sql, type Selectable } from 'kysely';
import type { Address } from '../domain/address.ts';
import { newId } from '../domain/ids.ts';
import type { Db } from '../db/database.ts';
import type { WarehousesTable } from '../db/schema.ts';
import { containsPattern, type PageRequest } from './suppliers.ts';

export interface InventoryLocation {
  id: string;
  name: string;
}

/** A stored warehouse with its address parsed and its locations in creation order. */
export interface Warehouse extends Omit<Selectable<WarehousesTable>, 'address'> {
  address: Address | null;
  locations: InventoryLocation[];
}

export interface WarehouseFilters {
  /** Case-insensitive substring of the name. */
  name?: string;
}

export interface WarehouseInput {
  name: string;
  address?: Address | null;
}

/** A location in an update: with an id it renames that location, without one it is added. */
export interface LocationChange {
  id?: string;
  name: string;
}

export type WarehouseWrite =
  | { ok: true; warehouse: Warehouse }
  | { ok: false; reason: 'duplicate_name' | 'not_found' }
  /** `index`: position in the given locations of an id that is not one of this warehouse's. */
  | { ok: false; reason: 'unknown_location'; index: number }
  /** Locations left out of the new list that receipts refer to: they cannot be removed. */
  | { ok: false; reason: 'location_in_use'; locations: InventoryLocation[] };

/** The retailer's warehouse with this name, created with its inventory locations when new; returns its id. */
export async function ensureWarehouse(
  db: Db, retailerId: string, input: { name: string; address: Address | null; locations: string[] },
): Promise<string> {
  const existing = await db.selectFrom('warehouses').select('id')
    .where('retailer_id', '=', retailerId).where('name', '=', input.name).executeTakeFirst();
  if (existing) return existing.id;
  const now = new Date().toISOString();
  const id = newId('wh');
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('warehouses').values({
      id, retailer_id: retailerId, name: input.name, address: input.address ? JSON.stringify(input.address) : null,
      created_at: now, updated_at: now,
    }).execute();
    await insertLocations(trx, retailerId, id, input.locations);
  });
  return id;
}

async function insertLocations(db: Db, retailerId: string, warehouseId: string, names: string[]): Promise<InventoryLocation[]> {
  const rows = names.map((name) => ({ id: newId('loc'), retailer_id: retailerId, warehouse_id: warehouseId, name }));
  if (rows.length > 0) await db.insertInto('inventory_locations').values(rows).execute();
  return rows.map(({ id, name }) => ({ id, name }));
}

/** Locations of these warehouses (all of the retailer's), by warehouse id, in creation order. */
async function locationsOf(db: Db, retailerId: string, warehouseIds: string[]): Promise<Map<string, InventoryLocation[]>> {
  const byWarehouse = new Map<string, InventoryLocation[]>(warehouseIds.map((id) => [id, []]));
  if (warehouseIds.length === 0) return byWarehouse;
  const rows = await db.selectFrom('inventory_locations').select(['id', 'name', 'warehouse_id'])
    .where('retailer_id', '=', retailerId).where('warehouse_id', 'in', warehouseIds).orderBy('id').execute();
  for (const row of rows) byWarehouse.get(row.warehouse_id)!.push({ id: row.id, name: row.name });
  return byWarehouse;
}

function toWarehouse(row: Selectable<WarehousesTable>, locations: InventoryLocation[]): Warehouse {
  return { ...row, address: row.address ? (JSON.parse(row.address) as Address) : null, locations };
}

/** One warehouse of this retailer with its locations, or undefined (also for another retailer's id). */
export async function findWarehouse(db: Db, retailerId: string, warehouseId: string): Promise<Warehouse | undefined> {
  const row = await db.selectFrom('warehouses').selectAll()
    .where('retailer_id', '=', retailerId).where('id', '=', warehouseId).executeTakeFirst();
  if (!row) return undefined;
  const locations = await locationsOf(db, retailerId, [row.id]);
  return toWarehouse(row, locations.get(row.id)!);
}

/** One page of the retailer's warehouses in creation order, and how many match in all. */
export async function listWarehouses(
  db: Db, retailerId: string, filters: WarehouseFilters, page: PageRequest,
): Promise<{ warehouses: Warehouse[]; total: number }> {
  let query = db.selectFrom('warehouses').where('retailer_id', '=', retailerId);
  if (filters.name !== undefined) {
    query = query.where(sql<boolean>`lower(${sql.ref('name')}) like ${containsPattern(filters.name)} escape '\\'`);
  }
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const locations = await locationsOf(db, retailerId, rows.map((r) => r.id));
  return { warehouses: rows.map((row) => toWarehouse(row, locations.get(row.id)!)), total: Number(count.n) };
}

/**
 * Serialises name-setting writes of one retailer until the transaction ends. PostgreSQL: an advisory lock.
 * SQLite: nothing to do, one writer at a time already (a second writer fails busy rather than interleaving).
 */
async function lockWarehouseNames(trx: Db, retailerId: string): Promise<void> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(hashtext(${`warehouse-names:${retailerId}`}))`.execute(trx);
  }
}

async function nameTaken(db: Db, retailerId: string, name: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('warehouses').select('id').where('retailer_id', '=', retailerId).where('name', '=', name);
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** A new warehouse with locations made from `locations` (names); `duplicate_name` when the name is taken. */
export async function createWarehouse(
  db: Db, retailerId: string, input: WarehouseInput & { locations: string[] },
): Promise<WarehouseWrite> {
  return db.transaction().execute(async (trx): Promise<WarehouseWrite> => {
    await lockWarehouseNames(trx, retailerId);
    if (await nameTaken(trx, retailerId, input.name)) return { ok: false, reason: 'duplicate_name' };
    const now = new Date().toISOString();
    const row = {
      id: newId('wh'), retailer_id: retailerId, name: input.name,
      address: input.address ? JSON.stringify(input.address) : null, created_at: now, updated_at: now,
    };
    await trx.insertInto('warehouses').values(row).execute();
    const locations = await insertLocations(trx, retailerId, row.id, input.locations);
    return { ok: true, warehouse: toWarehouse(row, locations) };
  });
}

/**
 * Replaces the warehouse's name and address (an omitted address becomes null). With `locations` given, they
 * become the warehouse's list: entries with an id rename that location, entries without one are added, and
 * locations left out are removed — unless a receipt refers to one, which refuses the whole update.
 * Without `locations` the locations stay as they are.
 */
export async function updateWarehouse(
  db: Db, retailerId: string, warehouseId: string, input: WarehouseInput & { locations?: LocationChange[] },
): Promise<WarehouseWrite> {
  return db.transaction().execute(async (trx): Promise<WarehouseWrite> => {
    const current = await trx.selectFrom('warehouses').selectAll()
      .where('retailer_id', '=', retailerId).where('id', '=', warehouseId).executeTakeFirst();
    if (!current) return { ok: false, reason: 'not_found' };
    if (current.name !== input.name) {
      await lockWarehouseNames(trx, retailerId);
      if (await nameTaken(trx, retailerId, input.name, warehouseId)) return { ok: false, reason: 'duplicate_name' };
    }

    const existing = (await locationsOf(trx, retailerId, [warehouseId])).get(warehouseId)!;
    let locations = existing;
    if (input.locations !== undefined) {
      const existingById = new Map(existing.map((l) => [l.id, l]));
      const unknown = input.locations.findIndex((l) => l.id !== undefined && !existingById.has(l.id));
      if (unknown >= 0) return { ok: false, reason: 'unknown_location', index: unknown };

      const kept = new Set(input.locations.flatMap((l) => (l.id === undefined ? [] : [l.id])));
      const dropped = existing.filter((l) => !kept.has(l.id));
      if (dropped.length > 0) {
        const referenced = new Set((await trx.selectFrom('receipts').select('inventory_location_id').distinct()
          .where('retailer_id', '=', retailerId).where('inventory_location_id', 'in', dropped.map((l) => l.id))
          .execute()).map((r) => r.inventory_location_id));
        const inUse = dropped.filter((l) => referenced.has(l.id));
        if (inUse.length > 0) return { ok: false, reason: 'location_in_use', locations: inUse };
        await trx.deleteFrom('inventory_locations')
          .where('retailer_id', '=', retailerId).where('warehouse_id', '=', warehouseId)
          .where('id', 'in', dropped.map((l) => l.id)).execute();
      }
      for (const change of input.locations) {
        if (change.id !== undefined && existingById.get(change.id)!.name !== change.name) {
          await trx.updateTable('inventory_locations').set({ name: change.name })
            .where('retailer_id', '=', retailerId).where('id', '=', change.id).execute();
        }
      }
      const added = await insertLocations(trx, retailerId, warehouseId,
        input.locations.filter((l) => l.id === undefined).map((l) => l.name));
      const renamed = input.locations.flatMap((l) => (l.id === undefined ? [] : [{ id: l.id, name: l.name }]));
      locations = [...renamed, ...added].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }

    const updated = {
      ...current, name: input.name, address: input.address ? JSON.stringify(input.address) : null,
      updated_at: new Date().toISOString(),
    };
    await trx.updateTable('warehouses').set({ name: updated.name, address: updated.address, updated_at: updated.updated_at })
      .where('retailer_id', '=', retailerId).where('id', '=', warehouseId).execute();
    return { ok: true, warehouse: toWarehouse(updated, locations) };
  });
}

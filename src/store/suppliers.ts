// Suppliers of a retailer: the seed's get-or-create, and the list/create/get/update behind /api/v2/suppliers.
// Every query is scoped by retailer_id. Names are unique per retailer (constraint suppliers_retailer_name).
import { sql, type Selectable } from 'kysely';
import type { Address } from '../domain/address.ts';
import { newId } from '../domain/ids.ts';
import type { Db } from '../db/database.ts';
import type { SuppliersTable } from '../db/schema.ts';
import { finishSupplierRerenders, requestSupplierRerender, type RerenderOptions } from './supplier-rerenders.ts';

export interface SupplierInput {
  name: string;
  contact_name?: string | null;
  contact_email?: string | null;
  phone?: string | null;
  address?: Address | null;
}

/** A stored supplier with its address parsed. */
export interface Supplier extends Omit<Selectable<SuppliersTable>, 'address'> {
  address: Address | null;
}

export interface SupplierFilters {
  /** Case-insensitive substring of the name. */
  name?: string;
}

export interface PageRequest {
  limit: number;
  offset: number;
}

export type SupplierWrite =
  | { ok: true; supplier: Supplier }
  | { ok: false; reason: 'duplicate_name' | 'not_found' };

function toSupplier(row: Selectable<SuppliersTable>): Supplier {
  return { ...row, address: row.address ? (JSON.parse(row.address) as Address) : null };
}

/** A unique-constraint violation on SQLite or PostgreSQL. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/** `%text%` for LIKE, with the pattern characters of `text` escaped by backslash. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The retailer's supplier with this name, created when new; returns its id. */
export async function ensureSupplier(db: Db, retailerId: string, input: SupplierInput): Promise<string> {
  const existing = await db.selectFrom('suppliers').select('id')
    .where('retailer_id', '=', retailerId).where('name', '=', input.name).executeTakeFirst();
  if (existing) return existing.id;
  const now = new Date().toISOString();
  const id = newId('sup');
  await db.insertInto('suppliers').values({
    id, retailer_id: retailerId, name: input.name, contact_name: input.contact_name ?? null,
    contact_email: input.contact_email ?? null, phone: input.phone ?? null,
    address: input.address ? JSON.stringify(input.address) : null, created_at: now, updated_at: now,
  }).execute();
  return id;
}

/** One supplier of this retailer, or undefined (also for another retailer's id). */
export async function findSupplier(db: Db, retailerId: string, supplierId: string): Promise<Supplier | undefined> {
  const row = await db.selectFrom('suppliers').selectAll()
    .where('retailer_id', '=', retailerId).where('id', '=', supplierId).executeTakeFirst();
  return row ? toSupplier(row) : undefined;
}

/** One page of the retailer's suppliers in creation order, and how many match in all. */
export async function listSuppliers(
  db: Db, retailerId: string, filters: SupplierFilters, page: PageRequest,
): Promise<{ suppliers: Supplier[]; total: number }> {
  let query = db.selectFrom('suppliers').where('retailer_id', '=', retailerId);
  if (filters.name !== undefined) {
    query = query.where(sql<boolean>`lower(${sql.ref('name')}) like ${containsPattern(filters.name)} escape '\\'`);
  }
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { suppliers: rows.map(toSupplier), total: Number(count.n) };
}

function columnsOf(input: SupplierInput) {
  return {
    name: input.name,
    contact_name: input.contact_name ?? null,
    contact_email: input.contact_email ?? null,
    phone: input.phone ?? null,
    address: input.address ? JSON.stringify(input.address) : null,
  };
}

/** A new supplier; `duplicate_name` when the retailer already has one by that name. */
export async function createSupplier(db: Db, retailerId: string, input: SupplierInput): Promise<SupplierWrite> {
  const taken = await db.selectFrom('suppliers').select('id')
    .where('retailer_id', '=', retailerId).where('name', '=', input.name).executeTakeFirst();
  if (taken) return { ok: false, reason: 'duplicate_name' };
  const now = new Date().toISOString();
  const row = { id: newId('sup'), retailer_id: retailerId, ...columnsOf(input), created_at: now, updated_at: now };
  try {
    // Its own (one-statement) transaction: inside a request transaction it is a savepoint, so a refused insert
    // leaves that transaction usable (PostgreSQL aborts a transaction on any failed statement).
    await db.transaction().execute((trx) => trx.insertInto('suppliers').values(row).execute());
  } catch (error) {
    // A concurrent create took the name between the check and the insert.
    if (isUniqueViolation(error)) return { ok: false, reason: 'duplicate_name' };
    throw error;
  }
  return { ok: true, supplier: toSupplier(row) };
}

/**
 * Replaces the supplier's fields (omitted optional fields become null). A new name is committed with a marker
 * that its POs' stored read records must be re-rendered; the re-render then runs in bounded batches, each its own
 * transaction (store/supplier-rerenders.ts), together with any re-render of this retailer a stopped process left
 * unfinished, and is done when this returns. Should it fail, the rename stands and the marker says what is left
 * (the error is thrown; the next start or rename finishes the work).
 */
export async function updateSupplier(
  db: Db, retailerId: string, supplierId: string, input: SupplierInput, rerender: RerenderOptions = {},
): Promise<SupplierWrite> {
  let written: SupplierWrite;
  try {
    written = await db.transaction().execute(async (trx): Promise<SupplierWrite> => {
      const current = await trx.selectFrom('suppliers').selectAll()
        .where('retailer_id', '=', retailerId).where('id', '=', supplierId).executeTakeFirst();
      if (!current) return { ok: false, reason: 'not_found' };
      const renamed = current.name !== input.name;
      if (renamed) {
        const taken = await trx.selectFrom('suppliers').select('id')
          .where('retailer_id', '=', retailerId).where('name', '=', input.name).where('id', '<>', supplierId)
          .executeTakeFirst();
        if (taken) return { ok: false, reason: 'duplicate_name' };
      }
      const updated = { ...current, ...columnsOf(input), updated_at: new Date().toISOString() };
      await trx.updateTable('suppliers').set({ ...columnsOf(input), updated_at: updated.updated_at })
        .where('retailer_id', '=', retailerId).where('id', '=', supplierId).execute();
      if (renamed) await requestSupplierRerender(trx, retailerId, supplierId, updated.updated_at);
      return { ok: true, supplier: toSupplier(updated) };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'duplicate_name' };
    throw error;
  }
  if (written.ok) await finishSupplierRerenders(db, { ...rerender, retailerId });
  return written;
}

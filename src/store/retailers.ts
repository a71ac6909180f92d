import { newId } from '../domain/ids.ts';
import type { Db } from '../db/database.ts';
import type { Retailer } from '../db/schema.ts';

export async function findRetailerByName(db: Db, name: string): Promise<Retailer | undefined> {
  return db.selectFrom('retailers').selectAll().where('name', '=', name).executeTakeFirst();
}

/** The retailer with this name, created (timezone UTC) when new. */
export async function ensureRetailer(db: Db, name: string, timezone = 'UTC'): Promise<{ retailer: Retailer; created: boolean }> {
  const existing = await findRetailerByName(db, name);
  if (existing) return { retailer: existing, created: false };
  const retailer: Retailer = { id: newId('ret'), name, timezone, created_at: new Date().toISOString() };
  await db.insertInto('retailers').values(retailer).onConflict((oc) => oc.column('name').doNothing()).execute();
  const stored = await findRetailerByName(db, name);
  return { retailer: stored!, created: stored!.id === retailer.id };
}

/** Every retailer's name, in name order (the CLI lists them when a name is not one of them). */
export async function listRetailerNames(db: Db): Promise<string[]> {
  return (await db.selectFrom('retailers').select('name').orderBy('name').execute()).map((row) => row.name);
}

export async function countRetailers(db: Db): Promise<number> {
  const row = await db.selectFrom('retailers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

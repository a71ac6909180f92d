import type { Address } from '../domain/address.ts';
import { newId } from '../domain/ids.ts';
import type { Db } from '../db/database.ts';

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
    if (input.locations.length > 0) {
      await trx.insertInto('inventory_locations')
        .values(input.locations.map((name) => ({ id: newId('loc'), retailer_id: retailerId, warehouse_id: id, name })))
        .execute();
    }
  });
  return id;
}

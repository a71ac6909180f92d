import type { Address } from '../domain/address.ts';
import { newId } from '../domain/ids.ts';
import type { Db } from '../db/database.ts';

export interface SupplierInput {
  name: string;
  contact_name?: string | null;
  contact_email?: string | null;
  phone?: string | null;
  address?: Address | null;
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

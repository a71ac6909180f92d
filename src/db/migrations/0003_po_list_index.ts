// The lifecycle API lists POs in creation order within a retailer.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('purchase_orders_by_created').on('purchase_orders').columns(['retailer_id', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('purchase_orders_by_created').execute();
}

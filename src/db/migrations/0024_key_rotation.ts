// API key rotation remembered (DESIGN 1, api_key; README "API keys"): a rotated key names the key that replaced it
// and when, so that rotating it again (or the console's listing) can say so instead of making a second successor.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('rotated_at', 'text').execute();
  await db.schema.alterTable('api_keys').addColumn('replaced_by', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('replaced_by').execute();
  await db.schema.alterTable('api_keys').dropColumn('rotated_at').execute();
}

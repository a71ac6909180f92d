// Web console sessions (DESIGN 4c): a server-side row per signed-in browser, so a session survives restarts,
// works across processes and ends on sign-out or when its key is revoked. The cookie holds a random token;
// only its SHA-256 is stored, so a copy of the database signs no one in.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('key_id', 'text', (c) => c.notNull().references('api_keys.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  // Revoking a key ends its sessions; sweeping removes expired ones.
  await db.schema.createIndex('console_sessions_key').on('console_sessions').column('key_id').execute();
  await db.schema.createIndex('console_sessions_expiry').on('console_sessions').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('console_sessions').execute();
}

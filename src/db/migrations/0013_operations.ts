// Running it (DESIGN 4d): fixed-window request counters shared by every process of the service (rate limits
// per API key and, for requests without a valid key, per client address), and API keys that expire (key
// expiry and rotation with a grace period).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('bucket', 'text', (c) => c.notNull())
    /** Start of the fixed window, milliseconds since the epoch. */
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_counters_pk', ['bucket', 'window_start'])
    .execute();
  await db.schema.alterTable('api_keys').addColumn('expires_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('expires_at').execute();
  await db.schema.dropTable('rate_limit_counters').execute();
}

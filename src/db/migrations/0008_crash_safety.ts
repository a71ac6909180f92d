// Crash safety (issue 9). Idempotency keys are now written only together with their response, in the write's
// own transaction: claims left without a response by the old three-transaction scheme (a crash between them)
// are freed, and the replayed response keeps its Location header. Held supplier updates can expire
// (HELD_UPDATE_DAYS): an expired one stays listed with the time it expired, and is no longer applied.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('status_code', 'is', null).execute();
  await db.schema.alterTable('idempotency_keys').addColumn('response_headers', 'text').execute();
  await db.schema.alterTable('held_supplier_updates').addColumn('expired_at', 'text').execute();
  await db.schema.createIndex('held_supplier_updates_received').on('held_supplier_updates')
    .columns(['retailer_id', 'received_at']).execute();
  await db.schema.createIndex('held_supplier_updates_received_all').on('held_supplier_updates').column('received_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('held_supplier_updates_received_all').execute();
  await db.schema.dropIndex('held_supplier_updates_received').execute();
  await db.schema.alterTable('held_supplier_updates').dropColumn('expired_at').execute();
  await db.schema.alterTable('idempotency_keys').dropColumn('response_headers').execute();
}

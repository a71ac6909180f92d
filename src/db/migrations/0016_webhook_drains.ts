// Webhook delivery per endpoint (DESIGN 4b): on PostgreSQL a pg-boss job drains one endpoint's due deliveries
// at a time, so the relay asks "which endpoints have due deliveries?" and a drain "which of this endpoint's are
// due?". Both read only pending rows: a partial index on them, by endpoint and due time, keeps the 30 days of
// delivered rows out of every look.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('webhook_deliveries_pending_endpoint').on('webhook_deliveries')
    .columns(['endpoint_id', 'next_attempt_at']).where(sql.ref('status'), '=', 'pending').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('webhook_deliveries_pending_endpoint').execute();
}

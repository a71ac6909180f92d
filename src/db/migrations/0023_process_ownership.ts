// Who holds what (DESIGN 4, 4b, 4d: a crash loses nothing and blocks nothing for long). Every process that takes
// work (serve, the cluster's primary and HTTP workers, `ordersync worker`, `ordersync sync`) registers a row in
// service_processes and beats it; a webhook delivery it claims names it (claimed_by), and so do the sync runs it
// carries on (owner_id) and the pg-boss jobs it holds (owned_jobs). When a process is known dead (its pid gone on
// the same machine, or no heartbeat), whatever names it is released at once instead of waiting out a lease.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('service_processes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** Machine and PID namespace: processes with the same node can see each other's pids. */
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('webhook_deliveries').addColumn('claimed_by', 'text').execute();
  // Only claimed rows: the release of a dead process's claims reads these, never the backlog.
  await db.schema.createIndex('webhook_deliveries_claimed_by').on('webhook_deliveries').column('claimed_by')
    .where(sql.ref('claimed_by'), 'is not', null).execute();
  await db.schema.alterTable('sync_runs').addColumn('owner_id', 'text').execute();
  await db.schema.createIndex('sync_runs_running_owner').on('sync_runs').column('owner_id')
    .where(sql.ref('status'), '=', 'running').execute();
  await db.schema.createTable('owned_jobs')
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('owned_jobs_pk', ['queue', 'job_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('owned_jobs').execute();
  await db.schema.dropIndex('sync_runs_running_owner').execute();
  await db.schema.alterTable('sync_runs').dropColumn('owner_id').execute();
  await db.schema.dropIndex('webhook_deliveries_claimed_by').execute();
  await db.schema.alterTable('webhook_deliveries').dropColumn('claimed_by').execute();
  await db.schema.dropTable('service_processes').execute();
}

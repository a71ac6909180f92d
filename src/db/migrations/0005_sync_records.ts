// What the sync engine keeps per connection: one row per upstream record it has synced (which PO it became, the
// content hash of its last mapping, the upstream's last-modified stamp, and which sweep last listed it), and the
// upstream's id of each synced PO line.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('synced_records')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('upstream_id', 'text', (c) => c.notNull())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('upstream_modified', 'text')
    .addColumn('upstream_status', 'text', (c) => c.notNull())
    /** 1 while the upstream may still change it in ways only a status listing shows (ShipStation: not closed/cancelled). */
    .addColumn('open', 'integer', (c) => c.notNull())
    .addColumn('listed_sweep', 'text')
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('synced_records_pk', ['connection_id', 'upstream_id'])
    .execute();
  await db.schema.createIndex('synced_records_po').on('synced_records').column('po_id').execute();
  await db.schema.createIndex('synced_records_open').on('synced_records').columns(['connection_id', 'open', 'upstream_id']).execute();
  await db.schema.alterTable('po_lines').addColumn('source_line_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('po_lines').dropColumn('source_line_id').execute();
  await db.schema.dropTable('synced_records').execute();
}

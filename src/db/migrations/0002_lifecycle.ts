// What the PO lifecycle API and the supplier-update ingest keep: receipts, documents, idempotency keys,
// held (unmatched) supplier updates, applied-update fingerprints and per-day order-number counters.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('receipts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('line_id', 'text', (c) => c.notNull().references('po_lines.id'))
    .addColumn('inventory_location_id', 'text', (c) => c.references('inventory_locations.id'))
    .addColumn('received_quantity', 'integer', (c) => c.notNull())
    .addColumn('rejected_quantity', 'integer', (c) => c.notNull())
    .addColumn('lot', 'text')
    .addColumn('expiration_date', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('receipts_po').on('receipts').columns(['po_id', 'received_at']).execute();

  // Documents are kept as base64 text so one column type serves SQLite and PostgreSQL.
  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('content_base64', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('invoices').addColumn('document_id', 'text', (c) => c.references('documents.id')).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['retailer_id', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();

  await db.schema
    .createTable('held_supplier_updates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('po_number', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('held_supplier_updates_fingerprint', ['retailer_id', 'fingerprint'])
    .execute();
  await db.schema.createIndex('held_supplier_updates_po').on('held_supplier_updates').columns(['retailer_id', 'po_number']).execute();

  await db.schema
    .createTable('applied_supplier_updates')
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('applied_supplier_updates_pk', ['retailer_id', 'fingerprint'])
    .execute();

  await db.schema
    .createTable('order_number_counters')
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('last_value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_number_counters_pk', ['retailer_id', 'day'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['order_number_counters', 'applied_supplier_updates', 'held_supplier_updates', 'idempotency_keys']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('invoices').dropColumn('document_id').execute();
  await db.schema.dropTable('documents').execute();
  await db.schema.dropTable('receipts').execute();
}

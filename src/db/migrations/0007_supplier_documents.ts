// Supplier documents (DESIGN 3, "Supplier documents (X12 EDI and CSV)"): each file as received, its bytes kept
// before anything is read; one result row per entry read from it; and the per-retailer sequence the 997
// acknowledgements take their interchange control numbers from.
import { PostgresAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Raw bytes: bytea on PostgreSQL, blob on SQLite (both read back as a Buffer).
  const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';
  await db.schema
    .createTable('supplier_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('supplier_name', 'text')
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('content', bytes as 'blob', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('next_entry', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('applied', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unmatched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rejected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('acknowledgement', 'text')
    .addColumn('error', 'text')
    .addColumn('processed_at', 'text')
    .addUniqueConstraint('supplier_documents_retailer_sha256', ['retailer_id', 'sha256'])
    .execute();
  await db.schema.createIndex('supplier_documents_list').on('supplier_documents')
    .columns(['retailer_id', 'received_at', 'id']).execute();

  await db.schema
    .createTable('supplier_document_results')
    .addColumn('document_id', 'text', (c) => c.notNull().references('supplier_documents.id').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('type', 'text')
    .addColumn('po_number', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addPrimaryKeyConstraint('supplier_document_results_pk', ['document_id', 'idx'])
    .execute();

  await db.schema
    .createTable('x12_control_numbers')
    .addColumn('retailer_id', 'text', (c) => c.primaryKey().references('retailers.id'))
    .addColumn('last_value', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('x12_control_numbers').execute();
  await db.schema.dropTable('supplier_document_results').execute();
  await db.schema.dropTable('supplier_documents').execute();
}

// Supplier documents, two changes:
// 1. A document's bytes move out of its row (supplier_documents.content) into a table of their own.
//
// Why: the row is updated at every batch of an apply (next_entry, the summary counts) and when it finishes. SQLite
// rewrites a whole row, blob overflow pages included, on any update of it, and writes them all to the WAL: a 10 MB
// file applied in 40 batches rewrote some 800 MB (bench/ingest.ts). Kept apart, the bytes are written once.
// 2. A held supplier update keeps what sent it (held_supplier_updates.source: `supplier_document:sdoc_…` or
// `supplier_update`), so the status events it makes when its PO appears name that document (DESIGN 3, issue 7 §9).
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';
  await db.schema
    .createTable('supplier_document_contents')
    .addColumn('document_id', 'text', (c) => c.primaryKey().references('supplier_documents.id').onDelete('cascade'))
    .addColumn('content', bytes as 'blob', (c) => c.notNull())
    .execute();
  await sql`insert into supplier_document_contents (document_id, content) select id, content from supplier_documents`.execute(db);
  await db.schema.alterTable('supplier_documents').dropColumn('content').execute();
  await db.schema.alterTable('held_supplier_updates').addColumn('source', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('held_supplier_updates').dropColumn('source').execute();
  const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';
  await db.schema.alterTable('supplier_documents').addColumn('content', bytes as 'blob').execute();
  await sql`update supplier_documents set content = (select c.content from supplier_document_contents c where c.document_id = supplier_documents.id)`
    .execute(db);
  await db.schema.dropTable('supplier_document_contents').execute();
}

// A supplier document's results say which X12 transaction set each entry came from (`unit`: the set's ordinal in
// the file) and, for a set OrderSync refused, the element at fault (`fault`: JSON of an X12Fault, ingest/types.ts).
// The 997 is written when the document is finished, possibly by a later process than the one that applied the
// set (an apply cut off and resumed), so what it answers is kept with the results, in the transaction that wrote them.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('supplier_document_results').addColumn('unit', 'integer').execute();
  await db.schema.alterTable('supplier_document_results').addColumn('fault', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('supplier_document_results').dropColumn('fault').execute();
  await db.schema.alterTable('supplier_document_results').dropColumn('unit').execute();
}

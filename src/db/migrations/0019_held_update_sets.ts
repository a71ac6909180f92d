// An update held for a PO not there yet keeps the X12 transaction set it came from (DESIGN 3: a set is applied
// whole or not at all), so the set's held updates are replayed together when the PO appears, and a set the PO
// refuses then ends refused, with why, instead of staying held:
// - document_set: `<document id>#<set ordinal in the file>`; null for an update held from JSON or a CSV row;
// - set_entry: JSON {source: "ST 0001 (856)", origin: the update field → X12 element map}, to word the refusal
//   as an immediate one is (`ST 0001 (856) rejected: LIN03 … (HL 6): …`);
// - rejected_at / reason: when and why its set was refused on replay (null while held or expired).
// An index on (retailer_id, rejected_at) of the rejected ones finds those past their retention without walking
// the retailer's held updates (as held_supplier_updates_expired does for expired ones, 0017).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('held_supplier_updates').addColumn('document_set', 'text').execute();
  await db.schema.alterTable('held_supplier_updates').addColumn('set_entry', 'text').execute();
  await db.schema.alterTable('held_supplier_updates').addColumn('rejected_at', 'text').execute();
  await db.schema.alterTable('held_supplier_updates').addColumn('reason', 'text').execute();
  await db.schema.createIndex('held_supplier_updates_rejected').on('held_supplier_updates').columns(['retailer_id', 'rejected_at'])
    .where(sql.ref('rejected_at'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('held_supplier_updates_rejected').execute();
  for (const column of ['reason', 'rejected_at', 'set_entry', 'document_set']) {
    await db.schema.alterTable('held_supplier_updates').dropColumn(column).execute();
  }
}

// Supplier documents (DESIGN 3, "Supplier documents (X12 EDI and CSV)"): the file as received, kept before it is
// read; its per-entry results, written batch by batch in the same transaction as the updates they report, with the
// position the next batch starts from (so an apply cut off by a crash resumes without doubling anything); and the
// per-retailer sequence of 997 interchange control numbers.
import type { Db } from '../db/database.ts';
import type { SupplierDocumentsTable } from '../db/schema.ts';
import { newId } from '../domain/ids.ts';
import type { ParsedUpdate } from '../domain/supplier-updates.ts';
import { insertRows } from './bulk-insert.ts';
import { recordEvent } from './events.ts';
import type { X12Fault } from '../ingest/types.ts';
import { ReplanWithout, refusalOf, refusedSetReason, type SetMember, type SetRefusal } from './supplier-document-sets.ts';
import { ingestSupplierUpdates, type UpdateResult, type UpdateResultKind } from './supplier-updates.ts';

export type DocumentFormat = 'x12' | 'csv';
export type DocumentStatus = 'processing' | 'processed' | 'failed';

export interface DocumentSummary {
  applied: number;
  unchanged: number;
  unmatched: number;
  rejected: number;
}

export interface DocumentResult {
  index: number;
  source: string;
  type: string | null;
  po_number: string | null;
  result: UpdateResultKind;
  reason: string | null;
}

/** PostgreSQL text cannot hold NUL: a file's bytes quoted in a reason or error are shown with U+FFFD there. */
const storableText = <T extends string | null>(text: T): T => (text === null ? text : text.replace(/\u0000/g, '\ufffd') as T);

/** A document's row without its bytes. */
export type DocumentRow = SupplierDocumentsTable;

const ROW_COLUMNS = [
  'id', 'retailer_id', 'format', 'content_type', 'filename', 'supplier_name', 'sha256', 'size_bytes', 'received_at', 'status',
  'next_entry', 'applied', 'unchanged', 'unmatched', 'rejected', 'acknowledgement', 'error', 'processed_at',
] as const;

export interface NewDocument {
  format: DocumentFormat;
  content_type: string;
  filename: string | null;
  supplier_name: string | null;
  sha256: string;
  bytes: Buffer;
}

/**
 * Stores the bytes as a new document (status `processing`) unless the retailer already has one with the same
 * SHA-256. Returns the document's id, whether this call created it, and for an existing one how it was sent
 * (its format and `supplier_name`: the caller compares them with this sending's, see ingest/pipeline.ts). Row and
 * bytes are written in one transaction, before anything is read: nothing a supplier sent is lost, whatever reading
 * it does.
 */
export async function storeDocument(db: Db, retailerId: string, input: NewDocument, now = new Date()):
  Promise<{ id: string; created: boolean; format: string; supplier_name: string | null }> {
  const id = newId('sdoc');
  return db.transaction().execute(async (trx) => {
    const inserted = await trx.insertInto('supplier_documents').values({
      id, retailer_id: retailerId, format: input.format, content_type: input.content_type, filename: input.filename,
      supplier_name: input.supplier_name, sha256: input.sha256, size_bytes: input.bytes.length,
      received_at: now.toISOString(), status: 'processing', next_entry: 0, applied: 0, unchanged: 0, unmatched: 0, rejected: 0,
      acknowledgement: null, error: null, processed_at: null,
    }).onConflict((oc) => oc.columns(['retailer_id', 'sha256']).doNothing()).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
      await trx.insertInto('supplier_document_contents').values({ document_id: id, content: input.bytes }).execute();
      return { id, created: true, format: input.format, supplier_name: input.supplier_name };
    }
    const existing = await trx.selectFrom('supplier_documents').select(['id', 'format', 'supplier_name'])
      .where('retailer_id', '=', retailerId).where('sha256', '=', input.sha256).executeTakeFirstOrThrow();
    return { ...existing, created: false };
  });
}

export async function findDocumentRow(db: Db, retailerId: string, id: string): Promise<DocumentRow | undefined> {
  return db.selectFrom('supplier_documents').select(ROW_COLUMNS)
    .where('retailer_id', '=', retailerId).where('id', '=', id).executeTakeFirst();
}

/**
 * Documents still `processing` that were received before `before` (ISO UTC): applies a stop or a crash cut off
 * (DESIGN 3, 4d: a restart leaves nothing half-applied for good), oldest first, every retailer. Read per retailer
 * through supplier_documents_by_status (migration 0017): the table itself is never scanned.
 */
export async function unfinishedDocuments(db: Db, before: string): Promise<{ id: string; retailer_id: string }[]> {
  const retailers = await db.selectFrom('retailers').select('id').orderBy('id').execute();
  const found: { id: string; retailer_id: string }[] = [];
  for (const { id } of retailers) {
    found.push(...await db.selectFrom('supplier_documents').select(['id', 'retailer_id'])
      .where('retailer_id', '=', id).where('status', '=', 'processing').where('received_at', '<', before)
      .orderBy('received_at').orderBy('id').execute());
  }
  return found;
}

/** The original bytes and content type, exactly as received; undefined for another retailer's id. */
export async function findDocumentContent(db: Db, retailerId: string, id: string):
  Promise<{ content: Buffer; content_type: string; format: string; filename: string | null } | undefined> {
  const row = await db.selectFrom('supplier_documents as d').innerJoin('supplier_document_contents as c', 'c.document_id', 'd.id')
    .select(['c.content', 'd.content_type', 'd.format', 'd.filename'])
    .where('d.retailer_id', '=', retailerId).where('d.id', '=', id).executeTakeFirst();
  return row && { ...row, content: Buffer.from(row.content) };
}

/** A stored result row as the API shows it. */
function toDocumentResult(r: { idx: number; source: string; type: string | null; po_number: string | null; result: string; reason: string | null }):
  DocumentResult {
  return { index: r.idx, source: r.source, type: r.type, po_number: r.po_number, result: r.result as UpdateResultKind, reason: r.reason };
}

/**
 * A document's per-entry results in file order; `range` limits them to entries [offset, offset + limit) (the
 * console pages them: a 10 MB 856 has some 20,000).
 */
export async function findDocumentResults(db: Db, documentId: string, range?: { offset: number; limit: number }): Promise<DocumentResult[]> {
  let query = db.selectFrom('supplier_document_results').selectAll().where('document_id', '=', documentId);
  if (range) query = query.where('idx', '>=', range.offset).where('idx', '<', range.offset + range.limit);
  const rows = await query.orderBy('idx').execute();
  return rows.map(toDocumentResult);
}

/** The first `limit` results of a document that were rejected, in file order (the CLI shows why). */
export async function findRejectedResults(db: Db, documentId: string, limit: number): Promise<DocumentResult[]> {
  const rows = await db.selectFrom('supplier_document_results').selectAll().where('document_id', '=', documentId)
    .where('result', '=', 'rejected').orderBy('idx').limit(limit).execute();
  return rows.map(toDocumentResult);
}

export interface ListFilters {
  status?: string;
  format?: string;
  /** Stored UTC instant text. */
  received_since?: string;
}

/** Newest first (received_at, then id), one page; `total` counts every match. */
export async function listDocuments(db: Db, retailerId: string, filters: ListFilters, page: number, pageSize: number):
  Promise<{ rows: DocumentRow[]; total: number }> {
  let query = db.selectFrom('supplier_documents').where('retailer_id', '=', retailerId);
  if (filters.status !== undefined) query = query.where('status', '=', filters.status);
  if (filters.format !== undefined) query = query.where('format', '=', filters.format);
  if (filters.received_since !== undefined) query = query.where('received_at', '>=', filters.received_since);
  const [count, rows] = await Promise.all([
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    query.select(ROW_COLUMNS).orderBy('received_at', 'desc').orderBy('id', 'desc')
      .limit(pageSize).offset((page - 1) * pageSize).execute(),
  ]);
  return { rows, total: Number(count.n) };
}

/** One entry of a batch: its parsed update, or the reason it was rejected before applying. */
export interface BatchEntry extends SetMember {
  type: string | null;
  po_number: string | null;
  parsed: ParsedUpdate | null;
  reason: string | null;
  /** X12, rejected before applying: the element at fault when known. */
  fault: X12Fault | null;
}

/**
 * Applies entries [`from`, `from` + entries.length) of a document in one transaction, through the same code as
 * POST /api/v2/supplier_updates (status events record `source`), and records their results and the new resume
 * position with them. `options.heldLimit`: HELD_UPDATE_LIMIT, as for the JSON path. Returns false, writing nothing, when the document has moved past `from` meanwhile (another
 * request or the inbox is applying it): the caller stops.
 *
 * An X12 set (entries sharing `set`; the batch holds all of them, read-batches.ts) is applied all or none: when
 * one of its entries is rejected, by the reader or by the PO's rules, none of its updates is written (not even an
 * update held for a PO not there yet) and each of its entries reports `rejected` with the set's reason. A set
 * refused after others of its entries were planned makes the batch be planned again from its start without it
 * (the transaction undone and run again), so later entries on the same PO see the state without that set: one
 * more plan of the batch per such set.
 * Updates of a set that are held for a PO not there yet keep the set (`<document id>#<set>`): when the PO appears
 * they are replayed together, all or none (store/held-update-replay.ts).
 * CSV rows (set null) stay each their own result.
 */
export async function applyDocumentBatch(
  db: Db, retailerId: string, documentId: string, from: number, entries: readonly BatchEntry[], source: string,
  options: { heldLimit?: number } = {},
): Promise<boolean> {
  const refused = new Map<number, SetRefusal>();
  for (const entry of entries) {
    if (entry.set !== null && !entry.parsed && !refused.has(entry.set)) {
      refused.set(entry.set, refusalOf(entry, entry.reason ?? 'The entry could not be read.', { fault: entry.fault }));
    }
  }
  for (;;) {
    try {
      return await applyBatchOnce(db, retailerId, documentId, from, entries, source, options, refused);
    } catch (error) {
      if (!(error instanceof ReplanWithout)) throw error;
      for (const [set, refusal] of error.refused) refused.set(set, refusal);
    }
  }
}

/** One attempt of applyDocumentBatch with the sets known to be refused left out; throws ReplanWithout to undo it. */
async function applyBatchOnce(
  db: Db, retailerId: string, documentId: string, from: number, entries: readonly BatchEntry[], source: string,
  options: { heldLimit?: number }, refused: ReadonlyMap<number, SetRefusal>,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // Claims the range first: on PostgreSQL the row lock makes a concurrent apply of the same document wait here.
    const claimed = await trx.updateTable('supplier_documents').set({ next_entry: from + entries.length })
      .where('id', '=', documentId).where('retailer_id', '=', retailerId).where('next_entry', '=', from)
      .where('status', '=', 'processing').executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return false;
    const taken = entries.filter((e) => e.parsed && (e.set === null || !refused.has(e.set)));
    // An X12 set's updates held for a PO not there yet keep their set, to be replayed whole (held-update-replay.ts).
    const sets = taken.map((e) => (e.set === null ? null : { set: `${documentId}#${e.set}`, source: e.source, origin: e.origin }));
    const applied = taken.length === 0 ? [] : await ingestSupplierUpdates(trx, retailerId, taken.map((e) => e.parsed!), source, { ...options, sets });
    const outcomes = new Map<BatchEntry, UpdateResult>(taken.map((entry, i) => [entry, applied[i]]));
    // Sets the PO's rules refused now: if another of their entries was planned, that plan is undone.
    const newly = new Map<number, SetRefusal>();
    const takenPerSet = new Map<number, number>();
    for (const entry of taken) {
      if (entry.set === null) continue;
      takenPerSet.set(entry.set, (takenPerSet.get(entry.set) ?? 0) + 1);
      const outcome = outcomes.get(entry)!;
      if (outcome.result === 'rejected' && !newly.has(entry.set)) {
        newly.set(entry.set, refusalOf(entry, outcome.reason ?? 'rejected', { field: outcome.at }));
      }
    }
    // Only the first such set is surely refused on its own: a later refusal may come from the first one's
    // half-planned changes (its shipment counted against the same line), so it is decided again by the next plan.
    const first = [...newly.keys()].find((set) => takenPerSet.get(set)! > 1);
    if (first !== undefined) throw new ReplanWithout(new Map([[first, newly.get(first)!]]));
    const refusals = new Map([...refused, ...newly]);

    const summary: DocumentSummary = { applied: 0, unchanged: 0, unmatched: 0, rejected: 0 };
    const rows = entries.map((entry, i) => {
      const refusal = entry.set === null ? undefined : refusals.get(entry.set);
      const outcome = refusal
        ? { result: 'rejected' as const, reason: refusedSetReason(entry, refusal) }
        : outcomes.get(entry) ?? { result: 'rejected' as const, reason: entry.reason };
      summary[outcome.result]++;
      return {
        document_id: documentId, idx: from + i, source: entry.source, type: entry.type, po_number: storableText(entry.po_number),
        result: outcome.result, reason: storableText(outcome.reason), unit: entry.set,
        fault: refusal?.fault ? storableText(JSON.stringify(refusal.fault)) : null,
      };
    });
    await insertRows(trx, 'supplier_document_results', rows);
    await trx.updateTable('supplier_documents').set((eb) => ({
      applied: eb('applied', '+', summary.applied), unchanged: eb('unchanged', '+', summary.unchanged),
      unmatched: eb('unmatched', '+', summary.unmatched), rejected: eb('rejected', '+', summary.rejected),
    })).where('id', '=', documentId).execute();
    return true;
  });
}

/** The X12 sets of a document refused for their content (results with a set, rejected) → the element at fault. */
async function refusedSets(trx: Db, documentId: string): Promise<Map<number, X12Fault | null>> {
  const rows = await trx.selectFrom('supplier_document_results').select(['unit', 'fault'])
    .where('document_id', '=', documentId).where('result', '=', 'rejected').where('unit', 'is not', null).execute();
  const sets = new Map<number, X12Fault | null>();
  for (const row of rows) {
    const set = Number(row.unit);
    if (!sets.has(set) || (sets.get(set) === null && row.fault)) sets.set(set, row.fault ? JSON.parse(row.fault) as X12Fault : null);
  }
  return sets;
}

/** ISA13 is nine digits: the sequence wraps from 999999999 to 1. */
const MAX_CONTROL_NUMBER = 999_999_999;

/**
 * Marks a document processed. For X12, takes `interchanges` numbers from the retailer's 997 control-number sequence
 * (ISA13) in the same transaction and stores `render(first, refused sets)`, so no two 997s of a retailer share a number.
 * Returns false, changing nothing, when the document was no longer `processing` (another apply finished it).
 */
export async function finishDocument(
  db: Db, retailerId: string, documentId: string,
  ack: { interchanges: number; render: (first: number, rejected: ReadonlyMap<number, X12Fault | null>) => string } | null,
  now = new Date(),
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    let acknowledgement: string | null = null;
    // A file of nothing but received 997s answers nothing (a 997 is never acknowledged): no numbers taken.
    if (ack && ack.interchanges > 0) {
      const count = ack.interchanges;
      await trx.insertInto('x12_control_numbers').values({ retailer_id: retailerId, last_value: 0 })
        .onConflict((oc) => oc.column('retailer_id').doNothing()).execute();
      const row = await trx.updateTable('x12_control_numbers')
        .set((eb) => ({ last_value: eb('last_value', '+', count) }))
        .where('retailer_id', '=', retailerId).returning('last_value').executeTakeFirstOrThrow();
      let first = Number(row.last_value) - count + 1;
      if (Number(row.last_value) > MAX_CONTROL_NUMBER) {
        first = 1;
        await trx.updateTable('x12_control_numbers').set({ last_value: count }).where('retailer_id', '=', retailerId).execute();
      }
      // Sets refused while mapped or applied are answered R too: their results were written batch by batch,
      // possibly by an earlier process (an apply resumed), so they are read back here.
      acknowledgement = ack.render(first, await refusedSets(trx, documentId));
    }
    const done = await trx.updateTable('supplier_documents')
      .set({ status: 'processed', acknowledgement, processed_at: now.toISOString() })
      .where('id', '=', documentId).where('retailer_id', '=', retailerId).where('status', '=', 'processing').executeTakeFirst();
    // Another apply finished it first: its numbers stay unused rather than two 997s for one document.
    if (Number(done.numUpdatedRows) !== 1) throw new AlreadyFinished();
    await recordProcessed(trx, retailerId, documentId, now);
    return true;
  }).catch((error) => {
    if (error instanceof AlreadyFinished) return false;
    throw error;
  });
}

class AlreadyFinished extends Error {}

/**
 * Opens a failed document again to be read another way (`format`, `content_type`, `supplier_name`: what the same
 * bytes were sent again with), when its failure applied nothing: status `processing` from its first entry, its
 * error, results and counts cleared. False, changing nothing, when it is not failed or something of it applied.
 */
export async function reopenFailedDocument(
  db: Db, retailerId: string, documentId: string, reading: { format: DocumentFormat; content_type: string; supplier_name: string | null },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const reopened = await trx.updateTable('supplier_documents')
      .set({ ...reading, status: 'processing', error: null, processed_at: null, next_entry: 0, applied: 0, unchanged: 0, unmatched: 0, rejected: 0 })
      .where('id', '=', documentId).where('retailer_id', '=', retailerId).where('status', '=', 'failed')
      .where('applied', '=', 0).where('unchanged', '=', 0).where('unmatched', '=', 0).executeTakeFirst();
    if (Number(reopened.numUpdatedRows) !== 1) return false;
    await trx.deleteFrom('supplier_document_results').where('document_id', '=', documentId).execute();
    return true;
  });
}

/** Marks a document that cannot be read as failed, with why (its bytes stay); false when it was no longer `processing`. */
export async function failDocument(db: Db, retailerId: string, documentId: string, error: string, now = new Date()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const done = await trx.updateTable('supplier_documents').set({ status: 'failed', error: storableText(error), processed_at: now.toISOString() })
      .where('id', '=', documentId).where('retailer_id', '=', retailerId).where('status', '=', 'processing').executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) return false;
    await recordProcessed(trx, retailerId, documentId, now);
    return true;
  });
}

/**
 * The `supplier_document.processed` event (DESIGN 4b: `document_id`, `summary`; `status` added: processed or
 * failed), in the transaction that finishes the document.
 */
async function recordProcessed(trx: Db, retailerId: string, documentId: string, now: Date): Promise<void> {
  const row = await trx.selectFrom('supplier_documents').select(['status', 'format', 'applied', 'unchanged', 'unmatched', 'rejected'])
    .where('id', '=', documentId).executeTakeFirstOrThrow();
  await recordEvent(trx, retailerId, 'supplier_document.processed', {
    document_id: documentId, status: row.status, format: row.format,
    summary: { applied: Number(row.applied), unchanged: Number(row.unchanged), unmatched: Number(row.unmatched), rejected: Number(row.rejected) },
  }, now);
}

// The console's list of supplier documents (console/routes/documents.ts), newest first, paged by position (DESIGN 7:
// no request scans a range that grows with the data). A page is read by seeking supplier_documents_list
// (retailer_id, received_at, id) from the place it continues from, one row past the page to know whether another
// follows; nothing counts the retailer's documents or skips over them (test/store/query-plans.test.ts).
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { StoredDocumentFields } from '../domain/supplier-document-resource.ts';

/** A document's place in the list: its received_at as stored and its id. */
export interface DocumentPlace {
  receivedAt: string;
  id: string;
}

/** What the list shows of a document (not its bytes, 997 or error text). */
export type DocumentListRow = Pick<StoredDocumentFields,
  'id' | 'filename' | 'format' | 'received_at' | 'status' | 'applied' | 'unchanged' | 'unmatched' | 'rejected'>;

export interface DocumentListPage {
  rows: DocumentListRow[];
  /** More documents follow the page. */
  hasNext: boolean;
  /** The page is the list's first: no place, or a `before` place with no more than a page before it. */
  first: boolean;
}

const LIST_COLUMNS = ['id', 'filename', 'format', 'received_at', 'status', 'applied', 'unchanged', 'unmatched', 'rejected'] as const;

/** Up to `limit` documents from `place` (exclusive; none: from the newest) towards older ones, or newer ones. */
function readDocuments(db: Db, retailerId: string, older: boolean, place: DocumentPlace | undefined, limit: number) {
  const direction = older ? 'desc' : 'asc';
  let query = db.selectFrom('supplier_documents').select(LIST_COLUMNS).where('retailer_id', '=', retailerId);
  if (place !== undefined) {
    query = query.where(older
      ? sql<boolean>`(received_at, id) < (${place.receivedAt}, ${place.id})`
      : sql<boolean>`(received_at, id) > (${place.receivedAt}, ${place.id})`);
  }
  return query.orderBy('received_at', direction).orderBy('id', direction).limit(limit).execute();
}

/**
 * One page of the retailer's supplier documents, newest first: the first, the one after `after` (Next) or the one
 * before `before` (Previous). Each document is counted in its numbers as stored (applied, unchanged, …).
 */
export async function listDocumentPage(
  db: Db, retailerId: string, request: { after?: DocumentPlace; before?: DocumentPlace; limit: number },
): Promise<DocumentListPage> {
  const { limit } = request;
  const toRow = (row: DocumentListRow) => ({
    ...row, applied: Number(row.applied), unchanged: Number(row.unchanged), unmatched: Number(row.unmatched), rejected: Number(row.rejected),
  });
  if (request.before !== undefined) {
    // Read back from the place and turn the rows round; with no more than a page before it, that is the first page.
    const rows = await readDocuments(db, retailerId, false, request.before, limit + 1);
    if (rows.length > limit) return { rows: rows.slice(0, limit).reverse().map(toRow), hasNext: true, first: false };
  }
  const rows = await readDocuments(db, retailerId, true, request.after, limit + 1);
  return { rows: rows.slice(0, limit).map(toRow), hasNext: rows.length > limit, first: request.after === undefined };
}

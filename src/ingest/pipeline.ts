// The supplier-document pipeline (DESIGN 3, "Supplier documents (X12 EDI and CSV)"), shared by the API, the inbox
// folder and `ordersync ingest`: store the bytes first, then read them as a stream of entries and apply them in
// bounded batches through the supplier-update code, each batch committed with its results and the position the
// next one starts from. The same bytes again from the same retailer are the same document: a finished one is
// returned as it is, one whose apply was cut off (a crash) is completed from where it stopped, doubling nothing.
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../db/database.ts';
import {
  applyDocumentBatch, failDocument, findDocumentContent, findDocumentResults, findDocumentRow, finishDocument, reopenFailedDocument,
  storeDocument, unfinishedDocuments, type DocumentFormat, type DocumentResult, type DocumentRow,
} from '../store/supplier-documents.ts';
import { supplierDocuments } from '../observability/metrics.ts';
import { readBatches } from './read-batches.ts';
import { UnreadableDocumentError } from './types.ts';

/** What status events record as the cause of a document's changes: `supplier_document:sdoc_…`. */
export const documentSource = (documentId: string) => `supplier_document:${documentId}`;

/** Entries applied per transaction: bounds memory and how long a write holds the database. */
export const DEFAULT_BATCH_SIZE = 500;

export interface IngestInput {
  bytes: Buffer;
  format: DocumentFormat;
  content_type: string;
  filename?: string | null;
  /** CSV: the supplier of every row when the file has no supplier column. */
  supplier_name?: string | null;
}

export interface IngestOptions {
  batchSize?: number;
  /** HELD_UPDATE_LIMIT: unexpired held updates a retailer may have (default DEFAULT_HELD_UPDATE_LIMIT), as for the JSON path. */
  heldLimit?: number;
  /** Read the document in a worker thread (default: when it is WORKER_THRESHOLD_BYTES or larger; read-batches.ts). */
  readInWorker?: boolean;
  /** Stops the apply between batches once aborted (shutdown): the document stays `processing`, and sending the same
   *  bytes again (or the inbox at its next start) completes it. */
  signal?: AbortSignal;
  /** Called before each batch is applied with its first entry's index (tests use it to cut an apply off). */
  beforeBatch?: (from: number) => void | Promise<void>;
}

export interface IngestOutcome {
  /** True when these bytes were new for the retailer. */
  created: boolean;
  /** True when they were not, but the first document's apply had been cut off and this call completed it. */
  resumed: boolean;
  document: DocumentRow;
  /**
   * Set when the retailer sent these bytes before with another meaning (another format, or another
   * `supplier_name`): why this sending was not taken. The first document is returned unchanged.
   */
  conflict: string | null;
}

function describeUnreadable(error: UnreadableDocumentError): string {
  const where = [error.line !== null ? `line ${error.line}` : null, error.column !== null ? `column ${error.column}` : null]
    .filter(Boolean).join(', ');
  // A reader that already put the place in its message (the X12 envelope: "line 4, column 7: …") is not repeated.
  // The place leads, as the X12 envelope's own does ("line 1: The CSV has no PO-number column …"): after the
  // message it would follow a full stop, or a later sentence than the one it belongs to.
  return where && !error.message.includes(where) ? `${where}: ${error.message}` : error.message;
}

/**
 * Applies a stored document from its resume position to its end, then marks it processed (X12: with its 997) or,
 * when it cannot be read, failed with the reason; returns which, or null when another apply moved the document on
 * meanwhile (this one then stops and leaves it to that one).
 */
async function applyDocument(db: Db, retailerId: string, row: DocumentRow, options: IngestOptions): Promise<'processed' | 'failed' | null> {
  const content = await findDocumentContent(db, retailerId, row.id);
  if (!content) return null;
  const reading = readBatches({
    format: row.format as DocumentFormat, bytes: content.content, supplierName: row.supplier_name, from: row.next_entry,
    batchSize: Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE),
  }, options.readInWorker);
  const source = documentSource(row.id);
  let from = row.next_entry;
  try {
    for await (const batch of reading.batches) {
      if (options.signal?.aborted) return null;
      await options.beforeBatch?.(from);
      if (!(await applyDocumentBatch(db, retailerId, row.id, from, batch, source, { heldLimit: options.heldLimit }))) return null;
      from += batch.length;
      // SQLite answers synchronously, so every await of a batch resolves at once and the whole document would run
      // in one turn of the event loop: no other request (nor a SIGTERM) would be seen until its end. Between
      // batches the loop takes its turn.
      await nextTurn();
    }
  } catch (error) {
    if (!(error instanceof UnreadableDocumentError)) throw error;
    // What was read before the break stays applied (read-batches.ts yields it first); the document says where
    // reading stopped.
    return (await failDocument(db, retailerId, row.id, describeUnreadable(error))) ? 'failed' : null;
  } finally {
    await reading.close();
  }
  return (await finishDocument(db, retailerId, row.id, reading.acknowledgement())) ? 'processed' : null;
}

/**
 * Why the same bytes sent again cannot be the first document, or null when they can: a document is identified by its
 * bytes, and its meaning also by what was said about them (the format they are read as, the supplier of a CSV
 * without a supplier column). Sent again with another meaning, they are refused rather than silently read the
 * first way (the caller answers 409 document_conflict); the filename and Content-Type change nothing read.
 */
function conflictWith(existing: { id: string; format: string; supplier_name: string | null }, input: IngestInput): string | null {
  const show = (value: string | null) => (value === null ? 'none' : `"${value}"`);
  const differences = [
    existing.format !== input.format ? `format ${show(existing.format)} (now ${show(input.format)})` : null,
    existing.supplier_name !== (input.supplier_name ?? null)
      ? `supplier_name ${show(existing.supplier_name)} (now ${show(input.supplier_name ?? null)})` : null,
  ].filter((d): d is string => d !== null);
  if (differences.length === 0) return null;
  return `These bytes were already received as document ${existing.id} with ${differences.join(' and ')}; the same file ` +
    'is one document. Send it as it was sent first, or change the file.';
}

/**
 * Stores `input` for the retailer (bytes first), reads and applies it, and returns the document. The same bytes
 * again return the first document (`created: false`); if its apply was cut off, this call completes it. The same
 * bytes with another format or supplier_name are not taken: `conflict` says why, and nothing is applied.
 * Errors other than an unreadable file (the database going away) propagate; the document then stays
 * `processing` and the next attempt with the same bytes resumes it.
 */
export async function ingestDocument(db: Db, retailerId: string, input: IngestInput, options: IngestOptions = {}): Promise<IngestOutcome> {
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const stored = await storeDocument(db, retailerId, {
    format: input.format, content_type: input.content_type, filename: input.filename ?? null,
    supplier_name: input.supplier_name ?? null, sha256, bytes: input.bytes,
  });
  const { id, created } = stored;
  let row = await findDocumentRow(db, retailerId, id);
  const conflict = created ? null : conflictWith(stored, input);
  if (conflict) {
    // A file that could not be read (sent as CSV when it is X12, say) and applied nothing may be read again the way
    // it is sent now: the same document, its bytes kept, its failure replaced by this reading.
    const reading = { format: input.format, content_type: input.content_type, supplier_name: input.supplier_name ?? null };
    if (!(row?.status === 'failed' && await reopenFailedDocument(db, retailerId, id, reading))) {
      return { created, resumed: false, document: row!, conflict };
    }
    row = await findDocumentRow(db, retailerId, id);
  }
  const resumed = !created && row?.status === 'processing';
  if (row?.status === 'processing') {
    const finished = await applyDocument(db, retailerId, row, options);
    // Counted once, by the call that finished it (DESIGN 4d: supplier documents by format and result).
    if (finished) supplierDocuments.inc({ format: row.format, result: finished });
    row = await findDocumentRow(db, retailerId, id);
  }
  return { created, resumed, document: row!, conflict: null };
}

/**
 * Completes, from where each stopped, every document whose apply a stop or a crash cut off before `before`, so a
 * document killed mid-apply does not stay `processing` (half applied) until someone sends its bytes again: the
 * service runs this at start (server.ts). Each batch is claimed by its position (applyDocumentBatch), so an apply
 * racing this one (the same bytes sent again, the inbox's rescan, another process) doubles nothing: the one that
 * loses the claim stops. Stops between batches once `options.signal` is aborted. Returns how many it finished.
 */
export async function resumeUnfinishedDocuments(
  db: Db, before: Date, options: IngestOptions & { onError?: (documentId: string, error: unknown) => void } = {},
): Promise<number> {
  let finished = 0;
  for (const { id, retailer_id: retailerId } of await unfinishedDocuments(db, before.toISOString())) {
    if (options.signal?.aborted) break;
    try {
      const row = await findDocumentRow(db, retailerId, id);
      if (row?.status !== 'processing') continue;
      const outcome = await applyDocument(db, retailerId, row, options);
      if (outcome) {
        supplierDocuments.inc({ format: row.format, result: outcome });
        finished++;
      }
    } catch (error) {
      // One document the database would not take (it stays processing) does not hold the others back.
      options.onError?.(id, error);
    }
  }
  return finished;
}

/** How long a request whose document another apply holds waits for that apply, in ms (then 503, send again). */
export const OTHER_APPLY_WAIT_MS = 30_000;

/**
 * `row` as it is once the other apply holding it ends: a document sent again while the start's resume (or another
 * request, or another process) applies it is answered with the finished document instead of a 503 asking for the
 * bytes once more. Polls every 100 ms, for at most `waitMs` or until `signal` aborts (a shutdown); returns the last
 * row read, still `processing` when the wait ran out.
 */
export async function awaitOtherApply(db: Db, retailerId: string, row: DocumentRow, signal?: AbortSignal,
  waitMs = OTHER_APPLY_WAIT_MS): Promise<DocumentRow> {
  const until = Date.now() + waitMs;
  let current = row;
  while (current.status === 'processing' && Date.now() < until && !signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    current = (await findDocumentRow(db, retailerId, row.id)) ?? current;
  }
  return current;
}

/** A document with its per-entry results, as the API shows it. */
export async function documentWithResults(db: Db, row: DocumentRow): Promise<{ row: DocumentRow; results: DocumentResult[] }> {
  return { row, results: await findDocumentResults(db, row.id) };
}

// The shape shared by the document readers (x12/, csv/) and the pipeline that stores and applies supplier
// documents (DESIGN 3, "Supplier documents (X12 EDI and CSV)"). A reader turns a file's bytes into entries,
// each one supplier update in the JSON API's wire shape; the pipeline applies them with the same code as
// POST /api/v2/supplier_updates, so idempotency, holding of unmatched updates and status rules are shared.

export type DocumentUpdateType = 'order' | 'shipment' | 'tracking_event' | 'invoice';

/** One supplier update read from a document, or the reason the reader could not make one. */
export interface DocumentEntry {
  /** Where in the file it came from, as the document's results show it: `ST 0002 (856)`, `row 7`. */
  source: string;
  /** The update's kind when the reader knows it. */
  type: DocumentUpdateType | null;
  /** The PO number the entry is for, when the reader found one (already trimmed). */
  po_number: string | null;
  /** The update as POST /api/v2/supplier_updates would receive it (DESIGN 3); null when rejected by the reader. */
  update: Record<string, unknown> | null;
  /** Why the reader rejected it, naming the segment and element or the column; null when `update` is set. */
  reason: string | null;
}

/**
 * A file that cannot be read at all: no ISA header, a broken envelope, a CSV without a PO-number column.
 * The document is still stored (status `failed`) and answered `422 unprocessable_document`.
 */
export class UnreadableDocumentError extends Error {
  /** `line` and `column` are 1-based positions in the file, when known. */
  constructor(message: string, readonly line: number | null = null, readonly column: number | null = null) {
    super(message);
    this.name = 'UnreadableDocumentError';
  }
}

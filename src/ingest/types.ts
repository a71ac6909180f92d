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
  /** X12: the ordinal of its transaction set in the file (from 0). Entries of one set are applied all or none. */
  set?: number;
  /** X12, `update` set: where each update field came from (`lines[0].quantity` → SN102 of HL 4), so a rejection of
   *  that field (by the update's rules or the PO's) names the segment and element in the 997. */
  origin?: Record<string, X12Place>;
  /** X12, rejected by the reader: the element at fault when known (null: the set as a whole). */
  fault?: X12Fault | null;
}

/** An element of an X12 transaction set, as the 997's AK3 (segment) and AK4 (element) name it (X12.6). */
export interface X12Place {
  /** AK301: the segment id. */
  segment: string;
  /** AK302: the segment's position in the set, ST being 1. */
  position: number;
  /** AK303: the loop it is in (its first segment's id: HL, PO1, IT1), '' at header level. */
  loop: string;
  /** AK401: the element's position in the segment (1-based); 0 when the fault is the segment as a whole (no AK4). */
  element: number;
  /** AK402: the data element reference number (382 quantity shipped, 234 product id, 610 amount, 100 currency). */
  reference: number;
  /** AK404: the value as received. */
  value: string;
  /** Where a person finds it in the set: `HL 4`, `PO1 2`; '' at header level. */
  label: string;
  /** AK304 (element 720) when the fault is the segment, not one element (`element` 0, no AK4): 3 mandatory
   *  segment missing (AK301/AK302 name the missing segment and the place it belongs), 8 the segment's data. */
  segmentCode?: number;
  /** A numeric element: its maximum length in digits (X12 dictionary), so a longer value is AK403 5. */
  maxDigits?: number;
}

/** The element at fault in a rejected set, with its AK403 code (element 723: 1 missing, 5 too long, 6 invalid
 *  character, 7 invalid code value, 8 invalid date). */
export interface X12Fault extends X12Place {
  /** AK403 (element 723); unused when `element` is 0. */
  code: number;
  /** Further elements at fault in the same set, in set order (each its own AK3/AK4): a set refused for several
   *  faults names them all, so the supplier corrects them in one resend. */
  others?: X12Fault[];
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

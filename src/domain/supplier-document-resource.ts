// The supplier document as the API shows it (DESIGN 3, "Supplier documents (X12 EDI and CSV)"): what was
// received, how reading it went, and one result per entry. Pure mapping from the stored row.
import { visible } from './plain-text.ts';
import { renderInstant } from './dates.ts';

export type DocumentFormat = 'x12' | 'csv';
export type DocumentStatus = 'processing' | 'processed' | 'failed';
export type EntryResult = 'applied' | 'unchanged' | 'unmatched' | 'rejected';

/** The stored columns of a supplier document that the API shows (the table, db/schema.ts, adds its retailer and resume point). */
export interface StoredDocumentFields {
  id: string;
  /** x12 | csv */
  format: string;
  content_type: string;
  filename: string | null;
  /** `?supplier_name=`: the supplier of a CSV without a supplier column (kept so a resumed read reads the same). */
  supplier_name: string | null;
  /** Hex SHA-256 of the bytes; unique per retailer (the same file again is the same document). */
  sha256: string;
  size_bytes: number;
  received_at: string;
  /** processing (being applied, or cut off and to be resumed) | processed | failed */
  status: string;
  applied: number;
  unchanged: number;
  unmatched: number;
  rejected: number;
  /** X12: the 997 text. */
  acknowledgement: string | null;
  error: string | null;
  processed_at: string | null;
}

export interface DocumentResultFields {
  index: number;
  source: string;
  type: string | null;
  po_number: string | null;
  result: string;
  reason: string | null;
}

/** The document resource; `results` left out (the list shows documents without them). */
export function toSupplierDocument(row: StoredDocumentFields) {
  return {
    document_id: row.id,
    format: row.format as DocumentFormat,
    filename: row.filename,
    content_type: row.content_type,
    size_bytes: Number(row.size_bytes),
    supplier_name: row.supplier_name,
    received_at: renderInstant(row.received_at),
    processed_at: renderInstant(row.processed_at),
    sha256: row.sha256,
    status: row.status as DocumentStatus,
    summary: { applied: Number(row.applied), unchanged: Number(row.unchanged), unmatched: Number(row.unmatched), rejected: Number(row.rejected) },
    acknowledgement: row.acknowledgement,
    // Reasons quote the file: shown with its control characters escaped whatever reader wrote them (plain-text.ts).
    error: row.error === null ? null : visible(row.error),
  };
}

export function toSupplierDocumentWithResults(row: StoredDocumentFields, results: readonly DocumentResultFields[]) {
  return {
    ...toSupplierDocument(row),
    results: results.map((r) => ({
      ...r, source: visible(r.source), po_number: r.po_number === null ? null : visible(r.po_number),
      reason: r.reason === null ? null : visible(r.reason), result: r.result as EntryResult,
    })),
  };
}

/** The file name a download carries when the sender gave none: `sdoc_….edi` / `.csv`. */
export function documentFilename(id: string, format: string, filename: string | null): string {
  return filename ?? `${id}.${format === 'x12' ? 'edi' : 'csv'}`;
}

/** Media types a supplier document may be posted with (DESIGN 3). */
export const X12_MEDIA_TYPES = ['application/edi-x12', 'application/edi'];
export const CSV_MEDIA_TYPES = ['text/csv', 'application/csv'];

/**
 * The format of a posted document: `?format=` when given, else by Content-Type — `application/edi-x12` or
 * `application/edi` → x12, `text/csv` → csv, `text/plain` → x12 when the bytes start with `ISA` (after white space
 * or a BOM). Null when none of these says (the API answers 415).
 */
export function documentFormatOf(override: 'x12' | 'csv' | undefined, contentType: string | undefined, bytes: Uint8Array):
  'x12' | 'csv' | null {
  if (override) return override;
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (X12_MEDIA_TYPES.includes(mediaType)) return 'x12';
  if (CSV_MEDIA_TYPES.includes(mediaType)) return 'csv';
  // Plain text, and bytes of no stated kind (what many SFTP bridges and scripts send), are X12 when they start with ISA.
  if (mediaType === 'text/plain' || mediaType === 'application/octet-stream') {
    const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1').replace(/^(\xef\xbb\xbf)?\s*/, '');
    if (head.startsWith('ISA')) return 'x12';
  }
  return null;
}

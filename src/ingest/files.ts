// Supplier documents arriving as files (the inbox folder and `ordersync ingest`): their format, and what became
// of each.
import { extname } from 'node:path';
import type { DocumentRow } from '../store/supplier-documents.ts';

const X12_EXTENSIONS = new Set(['.edi', '.x12', '.855', '.856', '.810', '.997']);

/**
 * X12 when the bytes start with `ISA` (after white space or a BOM) or the name ends in an EDI extension
 * (`.edi`, `.x12`, `.855`, `.856`, `.810`), else CSV.
 */
export function formatOfFile(file: string, bytes: Uint8Array): 'x12' | 'csv' {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1').replace(/^(\xef\xbb\xbf)?\s*/, '');
  if (head.startsWith('ISA')) return 'x12';
  return X12_EXTENSIONS.has(extname(file).toLowerCase()) ? 'x12' : 'csv';
}

export interface FileOutcome {
  file: string;
  /** processing: another process is applying the same bytes; the file stays. */
  status: 'processed' | 'failed' | 'processing';
  document: DocumentRow | null;
  error: string | null;
  /** Where the file was moved (processed/ or failed/), or null when it stayed. */
  movedTo: string | null;
  /** The same bytes were received before (`document` is that first document; nothing was applied again). */
  repeated?: boolean;
}

/**
 * `file.csv: processed (sdoc_…; applied 3, unchanged 0, unmatched 1, rejected 0)` — the CLI's line per file. When the
 * same bytes were received before (`repeated`), the line says so: the counts are that first document's, and nothing
 * was applied again.
 */
export function summaryLine(file: string, document: DocumentRow | null, error: string | null, options: { repeated?: boolean } = {}): string {
  if (!document) return `${file}: failed: ${error}`;
  const counts = `applied ${document.applied}, unchanged ${document.unchanged}, unmatched ${document.unmatched}, rejected ${document.rejected}`;
  const status = document.status === 'failed' ? `failed: ${document.error}` : document.status;
  if (options.repeated) return `${file}: already received as ${document.id} (${status}; its counts: ${counts}); nothing applied again`;
  return `${file}: ${status} (${document.id}; ${counts})`;
}

// Invoice download links: the stored v2 rendering holds the document id in `download_url`; on every read it
// becomes an absolute, signed link that expires, served by GET /api/v2/documents/:id without an API key.
import { signDocumentLink } from '../domain/signing.ts';

export const DOCUMENT_LINK_TTL_SECONDS = 24 * 60 * 60;

const DOCUMENT_REF = /"download_url":"(doc_[0-9a-z]+)"/g;
/** What a stored rendering holding a document id contains; as bytes, to test encoded records without decoding. */
export const DOCUMENT_REF_MARK = '"download_url":"doc_';
const DOCUMENT_REF_MARK_BYTES = Buffer.from(DOCUMENT_REF_MARK);

export function documentLink(publicUrl: string, secret: string, documentId: string, nowMs = Date.now()): string {
  const expires = Math.floor(nowMs / 1000) + DOCUMENT_LINK_TTL_SECONDS;
  const signature = signDocumentLink(secret, documentId, expires);
  return `${publicUrl}/api/v2/documents/${documentId}?expires=${expires}&signature=${signature}`;
}

/** Replaces document ids in a stored v2 record's text with signed links; most records have none. */
export function withDocumentLinks(record: string, publicUrl: string, secret: string): string {
  if (!record.includes(DOCUMENT_REF_MARK)) return record;
  return record.replace(DOCUMENT_REF, (_, id: string) => `"download_url":${JSON.stringify(documentLink(publicUrl, secret, id))}`);
}

/**
 * A stored v2 record as UTF-8 bytes for a response, its document ids replaced with signed links. The test for an
 * id runs on the bytes (a native search), so the ~4 KB of a record without one are neither searched as a string
 * nor rewritten: ~100 records a bulk or by-date response.
 */
export function recordBytesWithDocumentLinks(record: string, publicUrl: string, secret: string): Buffer {
  const bytes = Buffer.from(record);
  return bytes.includes(DOCUMENT_REF_MARK_BYTES) ? Buffer.from(withDocumentLinks(record, publicUrl, secret)) : bytes;
}

// Signed invoice links in v2 records sent as bytes (large bulk and by-date answers are assembled from Buffers):
// the same signed, verifiable link as the text path, and records without a document id passed on unchanged.
import { describe, expect, it } from 'vitest';
import { recordBytesWithDocumentLinks, withDocumentLinks } from '../../src/http/document-links.ts';
import { verifyDocumentLink } from '../../src/domain/signing.ts';

const PUBLIC_URL = 'https://orders.example.test';
const SECRET = 'test-secret-for-document-links';

describe('recordBytesWithDocumentLinks', () => {
  it('replaces each document id with a signed link that verifies, as the text path does', () => {
    const record = JSON.stringify({ po_number: 'PO-1', items: [{ invoice: { download_url: 'doc_01abc' } }, { invoice: { download_url: 'doc_02def' } }], note: 'ü' });
    const bytes = recordBytesWithDocumentLinks(record, PUBLIC_URL, SECRET);
    const parsed = JSON.parse(bytes.toString('utf8'));
    const urls = parsed.items.map((item: { invoice: { download_url: string } }) => new URL(item.invoice.download_url));
    expect(urls.map((u: URL) => u.pathname)).toEqual(['/api/v2/documents/doc_01abc', '/api/v2/documents/doc_02def']);
    for (const url of urls) {
      const id = url.pathname.split('/').at(-1)!;
      expect(verifyDocumentLink(SECRET, id, Number(url.searchParams.get('expires')), url.searchParams.get('signature')!)).toBe(true);
    }
    expect(parsed.note).toBe('ü');
    // Within the same second both paths sign alike.
    const unsigned = (text: string) => text.replace(/expires=\d+&signature=[\w-]+/g, 'signed');
    expect(unsigned(bytes.toString('utf8'))).toBe(unsigned(withDocumentLinks(record, PUBLIC_URL, SECRET)));
  });

  it('passes a record without a document id through as its UTF-8 bytes', () => {
    const record = JSON.stringify({ po_number: 'PO-2', items: [{ invoice: null, download_url: null }], name: 'Größe 9½' });
    expect(recordBytesWithDocumentLinks(record, PUBLIC_URL, SECRET).equals(Buffer.from(record, 'utf8'))).toBe(true);
  });
});

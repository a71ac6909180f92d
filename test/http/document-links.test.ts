// Signed invoice links in v2 records, and the envelope large answers (bulk, by-date) are sent in: the same bytes as
// the JSON text would give, whatever the records hold (non-ASCII, signed links), and records without a document id
// passed on unchanged.
import { describe, expect, it } from 'vitest';
import { withDocumentLinks } from '../../src/http/document-links.ts';
import { envelopeBody, STRING_ENVELOPE_MAX_CHARS } from '../../src/http/json-envelope.ts';
import { verifyDocumentLink } from '../../src/domain/signing.ts';

const PUBLIC_URL = 'https://orders.example.test';
const SECRET = 'test-secret-for-document-links';

describe('withDocumentLinks', () => {
  it('replaces each document id with a signed link that verifies', () => {
    const record = JSON.stringify({ po_number: 'PO-1', items: [{ invoice: { download_url: 'doc_01abc' } }, { invoice: { download_url: 'doc_02def' } }], note: 'ü' });
    const parsed = JSON.parse(withDocumentLinks(record, PUBLIC_URL, SECRET));
    const urls = parsed.items.map((item: { invoice: { download_url: string } }) => new URL(item.invoice.download_url));
    expect(urls.map((u: URL) => u.pathname)).toEqual(['/api/v2/documents/doc_01abc', '/api/v2/documents/doc_02def']);
    for (const url of urls) {
      const id = url.pathname.split('/').at(-1)!;
      expect(verifyDocumentLink(SECRET, id, Number(url.searchParams.get('expires')), url.searchParams.get('signature')!)).toBe(true);
    }
    expect(parsed.note).toBe('ü');
  });

  it('passes a record without a document id through as the same string', () => {
    const record = JSON.stringify({ po_number: 'PO-2', items: [{ invoice: null, download_url: null }], name: 'Größe 9½' });
    expect(withDocumentLinks(record, PUBLIC_URL, SECRET)).toBe(record);
  });
});

describe('envelopeBody', () => {
  const meta = { total: 3, page: 1, limit: 3, has_more: false, not_found: ['PO-ü'] };
  const asText = (records: string[]) => `{"data":[${records.join(',')}],"meta":${JSON.stringify(meta)}}`;

  it('is one string up to the string limit', () => {
    const records = [JSON.stringify({ a: 1 }), JSON.stringify({ b: 'ü' })];
    expect(envelopeBody(records, meta)).toBe(asText(records));
    expect(envelopeBody([], meta)).toBe(asText([]));
  });

  it('is a Buffer of exactly the UTF-8 bytes of the same text past it, with 1-, 2-, 3- and 4-byte characters', () => {
    const filler = 'x'.repeat(STRING_ENVELOPE_MAX_CHARS / 4);
    const records = [
      JSON.stringify({ po: 'A', note: filler }),
      JSON.stringify({ po: 'B', note: `Größe 9½ ${filler}` }),
      JSON.stringify({ po: 'C', note: `東京 📦 ${filler}` }),
      JSON.stringify({ po: 'D', note: `\u2028 "quoted" ${filler}` }),
      JSON.stringify({ po: 'E', note: filler }),
    ];
    const body = envelopeBody(records, meta);
    expect(Buffer.isBuffer(body)).toBe(true);
    expect((body as Buffer).equals(Buffer.from(asText(records), 'utf8'))).toBe(true);
    expect(JSON.parse((body as Buffer).toString('utf8')).data.map((r: { po: string }) => r.po)).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('holds a single large record without a comma', () => {
    const records = [JSON.stringify({ po: 'only', note: 'é'.repeat(STRING_ENVELOPE_MAX_CHARS + 1) })];
    const body = envelopeBody(records, meta) as Buffer;
    expect(body.equals(Buffer.from(asText(records), 'utf8'))).toBe(true);
  });
});

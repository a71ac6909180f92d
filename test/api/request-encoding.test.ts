// How a request's bytes are decoded before any route reads them, on SQLite and PostgreSQL: query strings must be
// valid percent-encoded UTF-8 (README input rules: text must be valid Unicode; a 400 naming query.<field> on every
// route), and a body sent with a Content-Encoding is decompressed (gzip, deflate, br) with the route's body limit
// applied to the decompressed bytes (DOCUMENT_MAX_BYTES for supplier documents), or refused: 415 for a coding we
// do not decode, 400 for corrupt data.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { buildApp } from '../../src/app.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { expectError, expectValidationError } from '../support/contract.ts';
import { addPo, postDocument, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, TEST_CONFIG, type World } from '../support/world.ts';

const databases = TestDatabases.create();
const UPS = '1Z999AA10123456784';

describe.each(databases.eachSupportedId())('request encodings on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;

  const postRaw = (url: string, body: Buffer, headers: Record<string, string> = {}) => app.inject({
    method: 'POST', url, payload: body, headers: { 'x-api-key': writeKey, 'content-type': 'text/csv', ...headers },
  });

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    world = await createWorld(db);
    app = world.app;
    writeKey = (await createApiKey(db, world.retailerA, 'supplier feed', ['read', 'write'])).secret;
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('query strings that are not valid percent-encoded UTF-8', () => {
    const csv = Buffer.from('PO #,Tracking #,SKU,Qty\r\nPO-ENC-1,1Z999AA10123456784,TIT-GT2-9,1\r\n');

    it.each([
      ['filename', '%ED%A0%80.csv'], ['filename', '%FF%FE.csv'], ['filename', '50%.csv'], ['filename', '%zz.csv'],
      ['supplier_name', '%ED%A0%80'], ['supplier_name', 'Caf%E9'],
    ])('POST /supplier_documents?%s=%s is a 400 naming the field, and nothing is stored', async (field, value) => {
      const before = await tableCounts(db);
      const response = await postRaw(`/api/v2/supplier_documents?${field}=${value}`, csv);
      expectValidationError(response, `query.${field}`);
      expect(response.json().message).toContain('percent-encoding');
      expect(await tableCounts(db)).toEqual(before);
    });

    it('on every route, reads included, and a bad name is named as sent', async () => {
      const headers = { 'x-api-key': world.keys.a };
      expectValidationError(await app.inject({ method: 'GET', url: '/api/v2/suppliers?name=%C0%AF', headers }), 'query.name');
      expectValidationError(await app.inject({ method: 'GET', url: '/api/v2/supplier_documents?cursor=%', headers }), 'query.cursor');
      expectValidationError(await app.inject({ method: 'GET', url: '/api/v2/orders/by-po/PO-1?x%FF=1', headers }), 'query.x%FF');
    });

    it('valid non-ASCII still works: ?supplier_name=Caf%C3%A9 is Café, ?filename=%E6%B3%A8%E6%96%87.csv is 注文.csv', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-ENC-1');
      const response = await postRaw('/api/v2/supplier_documents?supplier_name=Caf%C3%A9&filename=%E6%B3%A8%E6%96%87.csv', csv);
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ supplier_name: 'Café', filename: '注文.csv' });
    });
  });

  describe('Content-Encoding', () => {
    const shipment = (po: string) => `PO #,Tracking #,Item #,Qty\r\n${po},${UPS},TIT-GT2-9,1\r\n`;

    it.each([
      ['gzip', gzipSync], ['x-gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync],
    ] as const)('a %s body is decompressed and the decompressed bytes are the stored document', async (coding, compress) => {
      const po = `PO-GZ-${coding}`;
      await addPo(db, world.retailerA, world.suppliers.acushnet, po);
      const plain = shipment(po);
      const response = await postRaw('/api/v2/supplier_documents?filename=ship.csv', compress(Buffer.from(plain)), { 'content-encoding': coding });
      expect(response.statusCode, response.body).toBe(201);
      const document = response.json();
      expect(document).toMatchObject({ status: 'processed', size_bytes: plain.length, summary: { applied: 1, rejected: 0 } });
      const content = await app.inject({ method: 'GET', url: `/api/v2/supplier_documents/${document.document_id}/content`,
        headers: { 'x-api-key': world.keys.a } });
      expect(content.body).toBe(plain);
    });

    it('a JSON body may be compressed too', async () => {
      const response = await app.inject({ method: 'POST', url: '/api/v2/suppliers', payload: gzipSync(JSON.stringify({ name: 'Zipped Golf' })),
        headers: { 'x-api-key': world.keys.aAll, 'content-type': 'application/json', 'content-encoding': 'gzip' } });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json().name).toBe('Zipped Golf');
    });

    it('a zip bomb: a small gzip body whose decompressed size passes DOCUMENT_MAX_BYTES is a 413, nothing stored', async () => {
      const small = await buildApp({ config: { ...TEST_CONFIG, documentMaxBytes: 100_000 }, db, logger: false });
      try {
        const bomb = gzipSync(Buffer.concat([Buffer.from('PO #,Qty\r\n'), Buffer.alloc(50_000_000, 0x41)]));
        expect(bomb.length).toBeLessThan(100_000);
        const before = await tableCounts(db);
        const response = await small.inject({ method: 'POST', url: '/api/v2/supplier_documents', payload: bomb,
          headers: { 'x-api-key': writeKey, 'content-type': 'text/csv', 'content-encoding': 'gzip' } });
        const error = expectError(response, 413, 'payload_too_large');
        expect(error.message).toContain('once decompressed');
        expect(await tableCounts(db)).toEqual(before);
      } finally {
        await small.close();
      }
    });

    it.each([
      ['corrupt gzip', 'gzip', Buffer.from('this is not gzip at all')],
      ['gzip cut short', 'gzip', gzipSync(Buffer.from(shipment('PO-CUT').repeat(50))).subarray(0, 40)],
      ['corrupt br', 'br', Buffer.from([0xff, 0xff, 0xff, 0xff])],
    ])('%s is a 400 naming the body, nothing stored', async (_name, coding, body) => {
      const before = await tableCounts(db);
      const response = await postRaw('/api/v2/supplier_documents', body, { 'content-encoding': coding });
      const error = expectValidationError(response, 'body');
      expect(error.message).toContain(coding);
      expect(await tableCounts(db)).toEqual(before);
    });

    it('an encoding we do not decode (compress, zstd, two codings) is a 415 naming the header', async () => {
      for (const coding of ['compress', 'zstd', 'gzip, br', '\x1b[31m']) {
        const response = await postRaw('/api/v2/supplier_documents', Buffer.from(shipment('PO-X')), { 'content-encoding': coding });
        const error = expectError(response, 415, 'unsupported_media_type');
        expect(error.details).toEqual([expect.objectContaining({ field: 'headers.content-encoding' })]);
        expect(error.message).not.toMatch(/[\x00-\x1f]/);
      }
    });

    it('identity is no coding at all', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-IDENT');
      const response = await postRaw('/api/v2/supplier_documents', Buffer.from(shipment('PO-IDENT')), { 'content-encoding': 'identity' });
      expect(response.statusCode, response.body).toBe(201);
    });
  });
});

// Request body limits, route by route, on SQLite and PostgreSQL (README "Request body limits"): every route that
// takes a body reads one of exactly its limit and answers one byte more with 413 payload_too_large in the error
// envelope. The limits are 1 MB, except POST /api/v2/supplier_updates (20 MB: invoice PDFs as base64; one at the
// 10 MB PDF limit fits) and POST /api/v2/supplier_documents (DOCUMENT_MAX_BYTES). A compressed body is held to
// its route's limit once decompressed, however small it is on the wire.
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { expectError } from '../support/contract.ts';
import { addPo, tableCounts } from '../support/supplier-documents.ts';
import { ConsoleClient } from '../console/support.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, TEST_CONFIG, type World } from '../support/world.ts';

const databases = TestDatabases.create();

const MB = 1024 * 1024;
/** The README's numbers, written out here rather than imported: the test holds the code to the documentation. */
const DEFAULT_LIMIT = MB;
const SUPPLIER_UPDATES_LIMIT = 20 * MB;
const PDF_LIMIT = 10 * MB;
/** A DOCUMENT_MAX_BYTES unlike the other limits, so a route falling back to another limit is caught. */
const DOCUMENT_MAX_BYTES = 3 * MB + 17;
/** The routes whose limit is not 1 MB (README), by `METHOD path`. */
const LIMITS: Record<string, number> = {
  'POST /api/v2/supplier_updates': SUPPLIER_UPDATES_LIMIT,
  'POST /api/v2/supplier_documents': DOCUMENT_MAX_BYTES,
};

/** `head` + spaces + `tail`: JSON (or CSV) of exactly `size` bytes, white space being free in both. */
function padded(head: string, tail: string, size: number): Buffer {
  const fill = size - Buffer.byteLength(head) - Buffer.byteLength(tail);
  expect(fill).toBeGreaterThanOrEqual(0);
  return Buffer.concat([Buffer.from(head), Buffer.alloc(fill, 0x20), Buffer.from(tail)]);
}

/** A 413 in the envelope, stating the limit in its message and, as every 413 does, in details naming `body`. */
function expectTooLarge(response: LightMyRequestResponse, limit: number) {
  const body = expectError(response, 413, 'payload_too_large');
  expect(body.message).toContain(limit.toLocaleString('en-US'));
  expect(body.details, response.body).toEqual([{ field: 'body', message: `must be at most ${limit} bytes` }]);
  return body;
}

describe.each(databases.eachSupportedId())('request body limits on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    world = await createWorld(db);
    app = await buildApp({ config: { ...TEST_CONFIG, documentMaxBytes: DOCUMENT_MAX_BYTES }, db, logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await world?.app.close();
  });

  const send = (method: string, url: string, payload: Buffer, headers: Record<string, string> = {}) => app.inject({
    method: method as 'POST', url, payload,
    headers: { 'x-api-key': world.keys.aAll, 'content-type': url.includes('supplier_documents') ? 'text/csv' : 'application/json', ...headers },
  });

  describe('every route that takes a body', () => {
    /** Each documented route with a request body, from /openapi.json, path parameters filled in. */
    const bodyRoutes = async () => {
      const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
      const routes: { name: string; method: string; url: string }[] = [];
      for (const [path, operations] of Object.entries(spec.paths)) {
        for (const method of Object.keys(operations).filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))) {
          routes.push({ name: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, method: method.toUpperCase(),
            url: path.replace(/\{\w+\}/g, 'x_unknown') });
        }
      }
      return routes;
    };

    it('the documented exceptions exist, and the walk covers the write API', async () => {
      const names = (await bodyRoutes()).map((r) => r.name);
      for (const name of Object.keys(LIMITS)) expect(names).toContain(name);
      expect(names).toEqual(expect.arrayContaining(['POST /api/v2/purchase_orders', 'PUT /api/v2/suppliers/:supplier_id',
        'PATCH /api/v2/connections/:connection_id', 'POST /api/v1/orders/by-po-numbers', 'POST /api/v2/orders/by-po-numbers']));
      expect(names.length).toBeGreaterThan(20);
    });

    it('one byte over its limit is a 413 in the envelope naming the limit; exactly the limit is read', async () => {
      for (const route of await bodyRoutes()) {
        const limit = LIMITS[route.name] ?? DEFAULT_LIMIT;
        const over = await send(route.method, route.url, padded('{', '}', limit + 1));
        expect(over.statusCode, `${route.name} at ${limit + 1} bytes: ${over.body}`).toBe(413);
        expectTooLarge(over, limit);
        const at = await send(route.method, route.url, padded('{', '}', limit));
        expect(at.statusCode, `${route.name} at ${limit} bytes: ${at.body}`).not.toBe(413);
        expect(at.statusCode, `${route.name} at ${limit} bytes: ${at.body}`).toBeLessThan(500);
      }
    }, 120_000);

    it('a 1 MB route names its limit and the body field', async () => {
      const body = expectTooLarge(await send('POST', '/api/v2/suppliers', padded('{"name": "Big"', '}', DEFAULT_LIMIT + 1)), DEFAULT_LIMIT);
      expect(body.message).toBe('The request body is larger than this endpoint\'s limit of 1,048,576 bytes (1 MB).');
      expect(body.details).toEqual([{ field: 'body', message: 'must be at most 1048576 bytes' }]);
    });

    it('a gzip body held to 1 MB once decompressed: a 413 saying so, however small on the wire', async () => {
      const compressed = gzipSync(padded('{"name": "Zipped"', '}', DEFAULT_LIMIT + 1));
      expect(compressed.length).toBeLessThan(10_000);
      const body = expectTooLarge(await send('POST', '/api/v2/suppliers', compressed, { 'content-encoding': 'gzip' }), DEFAULT_LIMIT);
      expect(body.message).toContain('once decompressed');
    });
  });

  describe('POST /api/v2/supplier_documents: DOCUMENT_MAX_BYTES', () => {
    it('one byte over is a 413 with the others\' shape: its own message, details naming body; nothing is stored', async () => {
      const before = await tableCounts(db);
      const body = expectTooLarge(await send('POST', '/api/v2/supplier_documents', padded('PO #,Qty\r\n', '\r\n', DOCUMENT_MAX_BYTES + 1)),
        DOCUMENT_MAX_BYTES);
      expect(body.message).toBe('The document is larger than this endpoint accepts: at most 3,145,745 bytes (3 MB); DOCUMENT_MAX_BYTES.');
      expect((await tableCounts(db)).supplier_documents).toBe(before.supplier_documents);
    });

    it('gzip: decompressing one byte past DOCUMENT_MAX_BYTES is a 413 saying so, with the same details', async () => {
      const compressed = gzipSync(padded('PO #,Qty\r\n', '\r\n', DOCUMENT_MAX_BYTES + 1));
      const body = expectTooLarge(await send('POST', '/api/v2/supplier_documents', compressed, { 'content-encoding': 'gzip' }),
        DOCUMENT_MAX_BYTES);
      expect(body.message).toContain('once decompressed');
    });
  });

  describe('the console (outside the API): forms 64 KB, an upload\'s file DOCUMENT_MAX_BYTES', () => {
    const FORM_LIMIT = 64 * 1024;
    const form = (size: number) => app.inject({
      method: 'POST', url: '/console/sign-in', payload: padded('api_key=', '', size),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    it('a form body one byte over 64 KB is a 413 naming the limit; exactly 64 KB is read', async () => {
      const over = await form(FORM_LIMIT + 1);
      expect(over.statusCode, over.body).toBe(413);
      expect(over.body).toContain('larger than this endpoint&#39;s limit of 65,536 bytes (64 KB).');
      const at = await form(FORM_LIMIT);
      expect(at.statusCode, at.body).not.toBe(413);
      expect(at.statusCode, at.body).toBeLessThan(500);
    });

    it('an upload is held to DOCUMENT_MAX_BYTES, not to the forms\' 64 KB', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-LIMIT-CONSOLE');
      const c = new ConsoleClient(app);
      expect((await c.signIn(world.keys.aAll)).statusCode).toBe(303);
      await c.get('/console/documents');
      const csv = padded('PO #,Tracking #,Item #,Qty\r\nPO-LIMIT-CONSOLE,1Z999AA10123456784,TIT-GT2-9,1\r\n', '\r\n', FORM_LIMIT * 3);
      const posted = await c.upload('/console/documents', {}, { field: 'file', filename: 'big.csv', contentType: 'text/csv', bytes: csv });
      expect(posted.statusCode, posted.body).toBe(303);
      const tooBig = Buffer.concat([csv, Buffer.alloc(DOCUMENT_MAX_BYTES, 0x20)]);
      await c.get('/console/documents');
      const refused = await c.upload('/console/documents', {}, { field: 'file', filename: 'huge.csv', contentType: 'text/csv', bytes: tooBig });
      expect(refused.statusCode).toBe(413);
      expect(refused.body).toContain('DOCUMENT_MAX_BYTES');
    });
  });

  describe('POST /api/v2/supplier_updates: 20 MB, room for invoice PDFs as base64', () => {
    const PDF_HEAD = '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n';
    /** An invoice update with a PDF of `pdfBytes`, its JSON padded to exactly `size` bytes. */
    const batch = (po: string, invoiceNumber: string, pdfBytes: number, size: number) => {
      const pdf = Buffer.concat([Buffer.from(PDF_HEAD), Buffer.alloc(pdfBytes - PDF_HEAD.length, 0x20)]);
      const update = {
        type: 'invoice', po_number: po, invoice_number: invoiceNumber, invoice_date: '2026-11-20', subtotal_amount: 10,
        total_amount: 10, currency: 'USD', status: 'open', document_pdf_base64: pdf.toString('base64'),
      };
      const json = JSON.stringify({ updates: [update] });
      return padded(json.slice(0, -1), '}', size);
    };

    it('a body of exactly 20 MB carrying a PDF at the 10 MB limit is read and applied', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-LIMIT-1');
      const response = await send('POST', '/api/v2/supplier_updates', batch('PO-LIMIT-1', 'INV-AT-LIMIT', PDF_LIMIT, SUPPLIER_UPDATES_LIMIT));
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().results).toEqual([{ index: 0, result: 'applied', reason: null }]);
    }, 60_000);

    it('one byte over is a 413 in the envelope naming the limit, and nothing is written', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-LIMIT-2');
      const before = await tableCounts(db);
      const body = expectTooLarge(
        await send('POST', '/api/v2/supplier_updates', batch('PO-LIMIT-2', 'INV-OVER', MB, SUPPLIER_UPDATES_LIMIT + 1)), SUPPLIER_UPDATES_LIMIT);
      expect(body.message).toBe('The request body is larger than this endpoint\'s limit of 20,971,520 bytes (20 MB).');
      expect(body.details).toEqual([{ field: 'body', message: `must be at most ${SUPPLIER_UPDATES_LIMIT} bytes` }]);
      expect(await tableCounts(db)).toEqual(before);
    }, 60_000);

    it('gzip: decompressing one byte past 20 MB is a 413 saying so; exactly 20 MB is read', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-LIMIT-3');
      const before = await tableCounts(db);
      const over = gzipSync(batch('PO-LIMIT-3', 'INV-GZ-OVER', MB, SUPPLIER_UPDATES_LIMIT + 1));
      expect(over.length).toBeLessThan(DEFAULT_LIMIT);
      const body = expectTooLarge(await send('POST', '/api/v2/supplier_updates', over, { 'content-encoding': 'gzip' }), SUPPLIER_UPDATES_LIMIT);
      expect(body.message).toContain('once decompressed');
      expect(await tableCounts(db)).toEqual(before);
      const at = gzipSync(batch('PO-LIMIT-3', 'INV-GZ-AT', MB, SUPPLIER_UPDATES_LIMIT));
      const response = await send('POST', '/api/v2/supplier_updates', at, { 'content-encoding': 'gzip' });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().results).toEqual([{ index: 0, result: 'applied', reason: null }]);
    }, 60_000);
  });
});

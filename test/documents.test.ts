// Contract tests of the documents API on SQLite and PostgreSQL: the order summary and received summary PDFs
// of a PO (write scope, lifecycle status rules, retailer isolation) and stored documents served at signed,
// expiring links without an API key. Every PDF is read back with a PDF parser.
import type { FastifyInstance } from 'fastify';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.ts';
import { newId } from '../src/domain/ids.ts';
import { documentLink } from '../src/http/document-links.ts';
import { createApiKey } from '../src/store/api-keys.ts';
import { saveDocument } from '../src/store/documents.ts';
import { insertPurchaseOrders, supplierNamesOf, type PoAggregate } from '../src/store/purchase-orders.ts';
import { ensureRetailer } from '../src/store/retailers.ts';
import { ensureSupplier } from '../src/store/suppliers.ts';
import { ensureWarehouse } from '../src/store/warehouses.ts';
import { expectError } from './support/contract.ts';
import { buildPo } from './support/fixtures.ts';
import { pdfText } from './support/pdf.ts';
import { TestDatabases } from './support/test-database.ts';
import { buildTestApp, TEST_CONFIG } from './support/world.ts';

const databases = TestDatabases.create();

const STATUSES = ['draft', 'open', 'receiving', 'received', 'closed', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];

/** A small real PDF, as a supplier's invoice would be. */
function invoicePdf(text: string): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.text(text);
  doc.end();
  return done;
}

const pathOf = (link: string) => {
  expect(link.startsWith(`${TEST_CONFIG.publicUrl}/`)).toBe(true);
  return link.slice(TEST_CONFIG.publicUrl.length);
};

describe.each(databases.eachSupportedId())('documents API on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let writeKey: string;
  let readKey: string;
  let otherWriteKey: string;
  let retailerId: string;
  /** PO id by lifecycle status (retailer A), all with the same lines. */
  const poIds = {} as Record<Status, string>;
  let otherPoId: string;
  let invoiceDocumentId: string;
  let invoiceBytes: Buffer;
  let otherDocumentId: string;

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    const { retailer } = await ensureRetailer(db, 'Fairway Golf Outfitters', 'America/Los_Angeles');
    const { retailer: other } = await ensureRetailer(db, 'Birdie Shop');
    retailerId = retailer.id;
    writeKey = (await createApiKey(db, retailer.id, 'writer', ['read', 'write'])).secret;
    readKey = (await createApiKey(db, retailer.id, 'reader', ['read'])).secret;
    otherWriteKey = (await createApiKey(db, other.id, 'other', ['read', 'write'])).secret;

    const supplierId = await ensureSupplier(db, retailer.id, {
      name: 'Acushnet Company', contact_name: 'Jane Doe', contact_email: 'orders@acushnet.example', phone: '+1 508 979 2000',
      address: { line1: '333 Bridge Street', city: 'Fairhaven', state: 'MA', postal_code: '02719', country: 'US' },
    });
    const warehouseId = await ensureWarehouse(db, retailer.id, {
      name: 'Carlsbad DC', address: { line1: '5820 Avenida Encinas', city: 'Carlsbad', state: 'CA', postal_code: '92008', country: 'US' },
      locations: ['Aisle 3 / Bin 12', 'Returns cage'],
    });
    const locations = new Map((await db.selectFrom('inventory_locations').select(['id', 'name'])
      .where('warehouse_id', '=', warehouseId).execute()).map((l) => [l.name, l.id]));

    invoiceBytes = await invoicePdf('Invoice 12345678 from Acushnet Company, total USD 1,674.93');
    invoiceDocumentId = await saveDocument(db, retailer.id, {
      content_type: 'application/pdf', filename: 'Acushnet invoice 12345678.pdf', bytes: invoiceBytes,
    });

    const aggregates: PoAggregate[] = [];
    const receipts: { po: PoAggregate; line: number; location: string; received: number; rejected: number; lot: string | null; expires: string | null; at: string }[] = [];
    for (const status of STATUSES) {
      const po = buildPo({
        retailer_id: retailer.id, po_number: `PO-DOC-${status.toUpperCase()}`, order_date: '2026-11-21T05:30:00.000Z',
        supplier_id: supplierId,
        lines: [
          { product_name: 'Titleist GT2 Driver', sku: 'TIT-GT2-9', supplier_sku: 'ACU-GT2-09', quantity: 2, unit_cost_cents: 54999, status: 'submitted' },
          { product_name: 'Pro V1 Golf Balls (dozen)', sku: 'TIT-PROV1-DZ', supplier_sku: 'ACU-PV1', quantity: 12, unit_cost_cents: 4250, status: 'submitted' },
          { product_name: 'StaDry Glove M', sku: 'TIT-STADRY-M', quantity: 5, unit_cost_cents: 1299, status: 'submitted' },
        ],
        invoices: status === 'received' ? [{
          invoice_number: '12345678', supplier_id: supplierId, supplier_order_id: null, invoice_date: '2026-11-25', due_date: '2027-01-24',
          payment_terms: 'net_60', subtotal_cents: 167493, tax_cents: 0, shipping_cents: 0, total_cents: 167493, status: 'open',
          updated_at: '2026-11-25T12:00:00.000Z',
        }] : [],
      });
      Object.assign(po.po, {
        status, order_number: `11202026-0${STATUSES.indexOf(status) + 1}`, warehouse_id: warehouseId, payment_terms: 'net_60',
        expected_delivery_date: '2026-12-01', reference_number: 'REF-77', note_to_supplier: 'Deliver to dock 4 between 8am and 3pm.',
      });
      if (status === 'received') po.invoices[0].document_id = invoiceDocumentId;
      if (status === 'receiving' || status === 'closed') {
        receipts.push(
          { po, line: 0, location: 'Returns cage', received: 1, rejected: 1, lot: null, expires: null, at: '2026-11-23T16:00:00.000Z' },
          { po, line: 1, location: 'Aisle 3 / Bin 12', received: 6, rejected: 0, lot: 'LOT-2026-11A', expires: '2028-06-30', at: '2026-11-24T18:12:00.000Z' },
        );
      }
      if (status === 'received') {
        po.lines.forEach((line, i) => receipts.push({
          po, line: i, location: 'Aisle 3 / Bin 12', received: line.quantity, rejected: 0, lot: `LOT-R${i + 1}`, expires: '2029-01-31',
          at: '2026-11-26T17:00:00.000Z',
        }));
      }
      aggregates.push(po);
      poIds[status] = po.po.id;
    }
    for (const receipt of receipts) {
      const line = receipt.po.lines[receipt.line];
      line.received_quantity += receipt.received;
      line.rejected_quantity += receipt.rejected;
    }
    const otherSupplier = await ensureSupplier(db, other.id, { name: 'TaylorMade' });
    const otherPo = buildPo({
      retailer_id: other.id, po_number: 'PO-DOC-OPEN', order_date: '2026-11-21T05:30:00.000Z', supplier_id: otherSupplier,
      lines: [{ product_name: 'TP5 (dozen)', sku: 'TM-TP5', quantity: 6, unit_cost_cents: 3250, status: 'submitted' }],
    });
    otherPoId = otherPo.po.id;

    await db.transaction().execute(async (trx) => {
      await insertPurchaseOrders(trx, aggregates, await supplierNamesOf(trx, retailer.id));
      await insertPurchaseOrders(trx, [otherPo], await supplierNamesOf(trx, other.id));
      await trx.insertInto('receipts').values(receipts.map((r) => ({
        id: newId('rcp'), retailer_id: retailer.id, po_id: r.po.po.id, line_id: r.po.lines[r.line].id,
        inventory_location_id: locations.get(r.location)!, received_quantity: r.received, rejected_quantity: r.rejected,
        lot: r.lot, expiration_date: r.expires, received_at: r.at,
      }))).execute();
    });
    otherDocumentId = await saveDocument(db, other.id, {
      content_type: 'application/pdf', filename: 'other.pdf', bytes: await invoicePdf('Another retailer\'s invoice'),
    });

    app = await buildTestApp(db);
  });
  afterAll(async () => {
    await app?.close();
  });

  const get = (url: string, key: string | null = writeKey) =>
    app.inject({ method: 'GET', url, headers: key === null ? {} : { 'x-api-key': key } });
  const summary = (kind: 'order_summary' | 'received_summary', poId: string, key: string | null = writeKey) =>
    get(`/api/v2/purchase_orders/${poId}/documents/${kind}`, key);

  describe('GET /api/v2/purchase_orders/:id/documents/order_summary', () => {
    it('is a PDF with the retailer, supplier, warehouse, PO fields, lines, quantities, costs and total', async () => {
      const response = await summary('order_summary', poIds.open);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.headers['content-disposition']).toBe('attachment; filename="PO-DOC-OPEN-order-summary.pdf"');
      expect(response.headers['cache-control']).toBe('private, no-store');
      const { pages, text } = await pdfText(response.rawPayload);
      expect(pages).toHaveLength(1);
      for (const expected of [
        'Fairway Golf Outfitters', 'PURCHASE ORDER', 'PO number PO-DOC-OPEN', 'Order number 11202026-02', 'Status Open',
        // 05:30Z on 21 November is still 20 November in Los Angeles, the retailer's zone.
        'Order date 2026-11-20', 'Expected delivery 2026-12-01', 'Payment terms Net 60 Days', 'Currency USD', 'Reference REF-77',
        'Acushnet Company', 'Attn: Jane Doe', '333 Bridge Street', 'Fairhaven, MA 02719', 'Phone: +1 508 979 2000',
        'Email: orders@acushnet.example', 'Carlsbad DC', '5820 Avenida Encinas', 'Carlsbad, CA 92008',
        '1 TIT-GT2-9 ACU-GT2-09 Titleist GT2 Driver 2 549.99 1,099.98',
        '2 TIT-PROV1-DZ ACU-PV1 Pro V1 Golf Balls (dozen) 12 42.50 510.00',
        '3 TIT-STADRY-M — StaDry Glove M 5 12.99 64.95',
        'Total quantity 19', 'Total USD 1,674.93', 'Deliver to dock 4 between 8am and 3pm.',
      ]) expect(text).toContain(expected);
    });

    it.each(['open', 'receiving', 'received', 'closed'] as const)('is there for a %s PO', async (status) => {
      const response = await summary('order_summary', poIds[status]);
      expect(response.statusCode, response.body).toBe(200);
      const { text } = await pdfText(response.rawPayload);
      expect(text).toContain(`PO number PO-DOC-${status.toUpperCase()}`);
      expect(text).toContain(`Status ${status[0].toUpperCase()}${status.slice(1)}`);
    });

    it.each(['draft', 'cancelled'] as const)('is a 409 naming the status for a %s PO', async (status) => {
      const body = expectError(await summary('order_summary', poIds[status]), 409, 'conflict');
      expect(body.message).toContain(`The purchase order is ${status}`);
      expect(body.message).toContain('open, receiving, received or closed');
    });
  });

  describe('GET /api/v2/purchase_orders/:id/documents/received_summary', () => {
    it('is a PDF with each line received and rejected and each receipt with location, lot and expiry', async () => {
      const response = await summary('received_summary', poIds.receiving);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.headers['content-disposition']).toBe('attachment; filename="PO-DOC-RECEIVING-received-summary.pdf"');
      const { text } = await pdfText(response.rawPayload);
      for (const expected of [
        'Fairway Golf Outfitters', 'RECEIVED SUMMARY', 'PO number PO-DOC-RECEIVING', 'Status Receiving', 'Acushnet Company', 'Carlsbad DC',
        '1 TIT-GT2-9 Titleist GT2 Driver 2 1 1 0 549.99',
        '2 TIT-PROV1-DZ Pro V1 Golf Balls (dozen) 12 6 0 6 255.00',
        '3 TIT-STADRY-M StaDry Glove M 5 0 0 5 0.00',
        'Ordered 19', 'Received 7', 'Rejected 1', 'Outstanding 11', 'Order total USD 1,674.93', 'Value received USD 804.99',
        // Receipts oldest first, times in the retailer's zone.
        '2026-11-23 08:00 PST TIT-GT2-9 Returns cage 1 1 — —',
        '2026-11-24 10:12 PST TIT-PROV1-DZ Aisle 3 / Bin 12 6 0 LOT-2026-11A 2028-06-30',
      ]) expect(text).toContain(expected);
      expect(text.indexOf('Returns cage')).toBeLessThan(text.indexOf('LOT-2026-11A'));
    });

    it('shows a fully received PO with nothing outstanding', async () => {
      const response = await summary('received_summary', poIds.received);
      expect(response.statusCode, response.body).toBe(200);
      const { text } = await pdfText(response.rawPayload);
      for (const expected of [
        'Status Received', 'Received 19', 'Outstanding 0', 'Value received USD 1,674.93',
        '2026-11-26 09:00 PST TIT-STADRY-M Aisle 3 / Bin 12 5 0 LOT-R3 2029-01-31',
      ]) expect(text).toContain(expected);
    });

    it('is there for a closed PO', async () => {
      const response = await summary('received_summary', poIds.closed);
      expect(response.statusCode, response.body).toBe(200);
      expect((await pdfText(response.rawPayload)).text).toContain('Status Closed');
    });

    it.each(['draft', 'open', 'cancelled'] as const)('is a 409 naming the status for a %s PO', async (status) => {
      const body = expectError(await summary('received_summary', poIds[status]), 409, 'conflict');
      expect(body.message).toContain(`The purchase order is ${status}`);
      expect(body.message).toContain('receiving, received or closed');
    });
  });

  describe.each(['order_summary', 'received_summary'] as const)('%s access', (kind) => {
    it('is a 404 for another retailer\'s PO, exactly like an unknown one', async () => {
      const mine = expectError(await summary(kind, otherPoId), 404, 'not_found');
      const unknown = expectError(await summary(kind, 'po_doesnotexist'), 404, 'not_found');
      expect(mine.message).toBe(`No purchase order "${otherPoId}".`);
      expect(unknown.message).toBe('No purchase order "po_doesnotexist".');
      expectError(await summary(kind, poIds.closed, otherWriteKey), 404, 'not_found');
    });

    it('needs the write scope: 403 for a read-only key, 401 without a key', async () => {
      const body = expectError(await summary(kind, poIds.closed, readKey), 403, 'forbidden');
      expect(body.message).toContain('write');
      expectError(await summary(kind, poIds.closed, null), 401, 'unauthorized');
    });
  });

  describe('GET /api/v2/documents/:id (signed links)', () => {
    const link = (documentId: string, nowMs?: number) => pathOf(documentLink(TEST_CONFIG.publicUrl, TEST_CONFIG.secret, documentId, nowMs));
    const parts = (path: string) => {
      const url = new URL(path, 'http://x');
      return { id: url.pathname.split('/').at(-1)!, expires: url.searchParams.get('expires')!, signature: url.searchParams.get('signature')! };
    };
    const build = (p: { id: string; expires?: string; signature?: string }) => {
      const query = new URLSearchParams();
      if (p.expires !== undefined) query.set('expires', p.expires);
      if (p.signature !== undefined) query.set('signature', p.signature);
      return `/api/v2/documents/${p.id}${query.size ? `?${query}` : ''}`;
    };

    it('serves the stored bytes with the stored content type, without an API key', async () => {
      const response = await get(link(invoiceDocumentId), null);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.headers['content-disposition']).toBe('attachment; filename="Acushnet invoice 12345678.pdf"');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(Buffer.compare(response.rawPayload, invoiceBytes)).toBe(0);
      expect((await pdfText(response.rawPayload)).text).toContain('Invoice 12345678 from Acushnet Company, total USD 1,674.93');
    });

    it('is the download_url the read API gives for the invoice', async () => {
      const response = await get('/api/v2/orders/by-po/PO-DOC-RECEIVED', readKey);
      expect(response.statusCode, response.body).toBe(200);
      const url: string = response.json().data[0].invoices[0].download_url;
      expect(url).toMatch(new RegExp(`^${TEST_CONFIG.publicUrl}/api/v2/documents/${invoiceDocumentId}\\?expires=\\d+&signature=[A-Za-z0-9_-]+$`));
      const download = await get(pathOf(url), null);
      expect(download.statusCode).toBe(200);
      expect(Buffer.compare(download.rawPayload, invoiceBytes)).toBe(0);
    });

    it('is signed alike in a bulk answer', async () => {
      // Links are signed before the envelope chooses text or bytes (api/orders.ts sendEnvelope; the bytes path is
      // tested in test/http/document-links.test.ts).
      const response = await app.inject({ method: 'POST', url: '/api/v2/orders/by-po-numbers', headers: { 'x-api-key': readKey }, payload: { po_numbers: ['PO-NONE', 'PO-DOC-RECEIVED'] } });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().meta.not_found).toEqual(['PO-NONE']);
      const url: string = response.json().data[0].invoices[0].download_url;
      expect(url).toMatch(new RegExp(`^${TEST_CONFIG.publicUrl}/api/v2/documents/${invoiceDocumentId}\\?expires=\\d+&signature=[A-Za-z0-9_-]+$`));
      expect((await get(pathOf(url), null)).statusCode).toBe(200);
    });

    it('ignores an API key: a link is the whole permission', async () => {
      expect((await get(link(invoiceDocumentId), readKey)).statusCode).toBe(200);
      expect((await get(link(invoiceDocumentId), otherWriteKey)).statusCode).toBe(200);
    });

    it('is a 404 once expired', async () => {
      const expired = link(invoiceDocumentId, Date.now() - 25 * 60 * 60 * 1000);
      expect(Number(parts(expired).expires)).toBeLessThan(Date.now() / 1000);
      const body = expectError(await get(expired, null), 404, 'not_found');
      expect(body.message).toContain('expired');
    });

    it('is a 404 when the signature was altered', async () => {
      const valid = parts(link(invoiceDocumentId));
      const i = 10;
      const flipped = valid.signature.slice(0, i) + (valid.signature[i] === 'A' ? 'B' : 'A') + valid.signature.slice(i + 1);
      expectError(await get(build({ ...valid, signature: flipped }), null), 404, 'not_found');
      expectError(await get(build({ ...valid, signature: `${valid.signature}A` }), null), 404, 'not_found');
      expectError(await get(build({ ...valid, signature: valid.signature.slice(0, -1) }), null), 404, 'not_found');
      expectError(await get(build({ ...valid, signature: 'not a signature' }), null), 404, 'not_found');
    });

    it('is a 404 when the expiry was pushed back', async () => {
      const valid = parts(link(invoiceDocumentId));
      expectError(await get(build({ ...valid, expires: String(Number(valid.expires) + 3600) }), null), 404, 'not_found');
      expectError(await get(build({ ...valid, expires: `0${valid.expires}` }), null), 404, 'not_found');
    });

    it('is a 404 for another document id under a valid-looking signature', async () => {
      const valid = parts(link(invoiceDocumentId));
      expectError(await get(build({ ...valid, id: otherDocumentId }), null), 404, 'not_found');
      expectError(await get(build({ ...valid, id: 'doc_0000000000000000000000' }), null), 404, 'not_found');
    });

    it('is a 404 for a correctly signed link to a document that does not exist', async () => {
      const body = expectError(await get(link('doc_0000000000000000000000'), null), 404, 'not_found');
      expect(body.message).toContain('doc_0000000000000000000000');
    });

    it('is a 404 when expires or signature is missing or repeated', async () => {
      const valid = parts(link(invoiceDocumentId));
      expectError(await get(build({ id: valid.id }), null), 404, 'not_found');
      expectError(await get(build({ id: valid.id, expires: valid.expires }), null), 404, 'not_found');
      expectError(await get(build({ id: valid.id, signature: valid.signature }), null), 404, 'not_found');
      expectError(await get(`${build(valid)}&signature=${valid.signature}`, null), 404, 'not_found');
      expectError(await get(`${build(valid)}&expires=${valid.expires}`, null), 404, 'not_found');
    });

    it('names a stored file whose name is not plain ASCII in both filename forms', async () => {
      const id = await saveDocument(db, retailerId, { content_type: 'application/pdf', filename: 'Facture n°42 "été".pdf', bytes: invoiceBytes });
      const response = await get(link(id), null);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-disposition'])
        .toBe('attachment; filename="Facture n_42 __t__.pdf"; filename*=UTF-8\'\'Facture%20n%C2%B042%20%22%C3%A9t%C3%A9%22.pdf');
    });
  });
});

// Contract tests of POST /api/v2/supplier_updates (DESIGN section 3, "Supplier updates (ingest)") on SQLite and
// PostgreSQL: the DESIGN wire example end to end through the read API, whole-batch validation, idempotent replays,
// unmatched updates held and applied later, rejections, no backwards moves, scopes and retailer isolation.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.ts';
import { createApiKey } from '../src/store/api-keys.ts';
import { insertPurchaseOrders, supplierNamesOf } from '../src/store/purchase-orders.ts';
import { applyHeldSupplierUpdates } from '../src/store/supplier-updates.ts';
import { expectError, expectV1Record, expectV2Record, expectValidationError, instant } from './support/contract.ts';
import { buildPo, type LineInput } from './support/fixtures.ts';
import { TestDatabases } from './support/test-database.ts';
import { createWorld, type World } from './support/world.ts';

const databases = TestDatabases.create();

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
  'trailer<</Root 1 0 R>>\n%%EOF\n');
const UPS = '1Z999AA10123456784';

/** The DESIGN wire example, one update of each kind. */
const wireExample = (poNumber = 'PO-1001') => [
  { type: 'order', po_number: poNumber, supplier_order_id: 'FD123456', supplier_name: 'Acushnet', status: 'confirmed',
    lines: [{ sku: 'TIT-GT2-9', quantity: 2 }], estimated_delivery_date: '2026-12-01' },
  { type: 'shipment', po_number: poNumber, supplier_order_id: 'FD123456', tracking_number: UPS,
    carrier: null, shipped_date: '2026-11-20T15:04:00Z', estimated_delivery_date: '2026-11-25', lines: [{ sku: 'TIT-GT2-9', quantity: 2 }] },
  { type: 'tracking_event', po_number: poNumber, tracking_number: UPS, status: 'delivered',
    message: 'Delivered', location: 'Carlsbad, CA', timestamp: '2026-11-24T10:12:00-08:00' },
  { type: 'invoice', po_number: poNumber, supplier_order_id: 'FD123456', invoice_number: '12345678', invoice_date: '2026-11-20',
    due_date: '2027-01-19', payment_terms: 'Net 60 Days', subtotal_amount: 1000.00, tax_amount: 0, shipping_amount: 0,
    total_amount: 1000.00, currency: 'USD', status: 'open', document_pdf_base64: PDF.toString('base64') },
];

const TABLES = [
  'supplier_orders', 'supplier_order_lines', 'shipments', 'shipment_lines', 'checkpoints', 'invoices', 'documents',
  'status_events', 'held_supplier_updates', 'applied_supplier_updates', 'po_lines', 'purchase_orders',
] as const;

describe.each(databases.eachSupportedId())('POST /api/v2/supplier_updates on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;
  let writeKeyB: string;

  const post = (body: unknown, key: string | null = writeKey, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST', url: '/api/v2/supplier_updates', payload: body as object,
      headers: { ...(key === null ? {} : { 'x-api-key': key }), ...headers },
    });
  const send = async (updates: unknown[], key = writeKey) => {
    const response = await post({ updates }, key);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().results as { index: number; result: string; reason: string | null }[];
  };
  const read = async (version: 'v1' | 'v2', poNumber: string, key = world.keys.a) => {
    const response = await app.inject({ method: 'GET', url: `/api/${version}/orders/by-po/${encodeURIComponent(poNumber)}`, headers: { 'x-api-key': key } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().data as Record<string, any>[];
  };
  const counts = async () => {
    const result: Record<string, number> = {};
    for (const table of TABLES) {
      result[table] = Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    }
    return result;
  };
  const lineStatus = async (poNumber: string, sku: string, retailerId = world.retailerA) => (await db.selectFrom('po_lines as l')
    .innerJoin('purchase_orders as p', 'p.id', 'l.po_id').select('l.fulfilment_status')
    .where('p.retailer_id', '=', retailerId).where('p.po_number', '=', poNumber).where('l.sku', '=', sku)
    .executeTakeFirstOrThrow()).fulfilment_status;

  /** A PO of retailer A from Acushnet (lines default: TIT-GT2-9 × 2 at 500.00, submitted). */
  async function addPo(poNumber: string, lines?: LineInput[], retailer: 'a' | 'b' = 'a') {
    const retailerId = retailer === 'a' ? world.retailerA : world.retailerB;
    const po = buildPo({
      retailer_id: retailerId, po_number: poNumber, order_date: '2026-11-18T17:00:00.000Z',
      supplier_id: retailer === 'a' ? world.suppliers.acushnet : world.suppliers.taylormade,
      customer_name: 'Tom Thomas', customer_email: 'tt@example.com',
      lines: lines ?? [{ product_name: 'Titleist GT2 Driver 9', sku: 'TIT-GT2-9', quantity: 2, unit_cost_cents: 50000, status: 'submitted' }],
    });
    await db.transaction().execute(async (trx) => insertPurchaseOrders(trx, [po], await supplierNamesOf(trx, retailerId)));
    return po;
  }

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    world = await createWorld(db);
    app = world.app;
    writeKey = (await createApiKey(db, world.retailerA, 'supplier feed', ['write'])).secret;
    writeKeyB = (await createApiKey(db, world.retailerB, 'supplier feed', ['read', 'write'])).secret;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('the DESIGN wire example: applied, and the read API shows delivered, tracking, carrier and a working invoice link', async () => {
    await addPo('PO-1001');
    expect(await send(wireExample())).toEqual([0, 1, 2, 3].map((index) => ({ index, result: 'applied', reason: null })));

    const [record] = await read('v2', 'PO-1001');
    expectV2Record(record);
    expect(record.status).toBe('delivered');
    const tracking = {
      tracking_number: UPS, carrier: 'ups', tracking_url: `https://www.ups.com/track?tracknum=${UPS}`,
      shipped_date: instant('2026-11-20T15:04:00Z'), actual_delivery_date: instant('2026-11-24T18:12:00Z'),
      latest_checkpoint: { message: 'Delivered', location: 'Carlsbad, CA', timestamp: instant('2026-11-24T10:12:00-08:00') },
    };
    // The shipment's estimate (2026-11-25) is newer than the acknowledgement's (2026-12-01): v1 and v2 both show it.
    expect(record.items).toEqual([expect.objectContaining({
      supplier_order_id: 'FD123456', status: 'delivered', backordered: false, supplier_name: 'Acushnet', quantity: 2,
      estimated_delivery_date: '11/25/2026', tracking,
    })]);
    expect(record.fulfilled_items).toEqual([expect.objectContaining({ supplier_order_id: 'FD123456', quantity: 2, status: 'delivered', tracking })]);
    expect(record.invoices).toEqual([expect.objectContaining({
      invoice_number: '12345678', supplier_order_id: 'FD123456', invoice_date: instant('2026-11-20T00:00:00Z'),
      due_date: instant('2027-01-19T00:00:00Z'), payment_terms: 'Net 60 Days', subtotal_amount: 1000, tax_amount: 0, shipping_amount: 0,
      total_amount: 1000, currency: 'USD', status: 'open', supplier_name: 'Acushnet',
    })]);

    const [line] = await read('v1', 'PO-1001');
    expectV1Record(line);
    expect(line).toMatchObject({
      status: 'delivered', supplier_order_id: 'FD123456', carrier: 'ups', tracking_number: UPS,
      tracking_url: `https://www.ups.com/track?tracknum=${UPS}`, eta: '2026-11-25', delivery_date: instant('2026-11-24T18:12:00Z'),
      supplier: 'Acushnet',
    });

    // Carrier detected (not supplied), and each status change recorded as an event from the supplier update.
    const shipment = await db.selectFrom('shipments').select(['carrier', 'carrier_source', 'status']).where('tracking_number', '=', UPS)
      .where('retailer_id', '=', world.retailerA).executeTakeFirstOrThrow();
    expect(shipment).toEqual({ carrier: 'ups', carrier_source: 'detected', status: 'delivered' });
    const events = await db.selectFrom('status_events').select(['from_status', 'to_status', 'source']).where('line_id', '=', line.order_id)
      .orderBy('id').execute();
    expect(events).toEqual([
      { from_status: 'submitted', to_status: 'confirmed', source: 'supplier_update' },
      { from_status: 'confirmed', to_status: 'shipped', source: 'supplier_update' },
      { from_status: 'shipped', to_status: 'delivered', source: 'supplier_update' },
    ]);
    expect(line.order_status_id).toBe((await db.selectFrom('status_events').select('id').where('line_id', '=', line.order_id)
      .orderBy('id', 'desc').executeTakeFirstOrThrow()).id);

    // The invoice PDF: a signed link that needs no key and serves the bytes sent.
    const url = new URL(record.invoices[0].download_url);
    expect(url.pathname).toMatch(/^\/api\/v2\/documents\/doc_[0-9a-z]+$/);
    expect(url.searchParams.get('expires')).toMatch(/^\d+$/);
    expect(url.searchParams.get('signature')).toBeTruthy();
    const stored = await db.selectFrom('documents as d').innerJoin('invoices as i', 'i.document_id', 'd.id')
      .select(['d.content_base64', 'd.content_type']).where('i.invoice_number', '=', '12345678').executeTakeFirstOrThrow();
    expect(Buffer.from(stored.content_base64, 'base64').equals(PDF)).toBe(true);
    expect(stored.content_type).toBe('application/pdf');
    const download = await app.inject({ method: 'GET', url: `${url.pathname}${url.search}` }); // no X-API-Key
    expect(download.statusCode, download.body).toBe(200);
    expect(download.headers['content-type']).toMatch(/^application\/pdf/);
    expect(download.rawPayload.equals(PDF)).toBe(true);
  });

  it('replaying a batch changes nothing and reports every update unchanged', async () => {
    const before = await counts();
    const [recordBefore] = await read('v2', 'PO-1001');
    expect(await send(wireExample())).toEqual([0, 1, 2, 3].map((index) => ({ index, result: 'unchanged', reason: null })));
    // The same updates with keys in another order and numbers spelled differently are the same updates.
    const reordered = wireExample().map((u) => Object.fromEntries(Object.entries(u).reverse()));
    expect((await send(reordered)).map((r) => r.result)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(await counts()).toEqual(before);
    expect((await read('v2', 'PO-1001'))[0].updated_at).toBe(recordBefore.updated_at);
  });

  it('the latest word wins even when it repeats an earlier one: a date moved back, an invoice corrected back', async () => {
    await addPo('PO-LATEST');
    const ack = (date: string) => ({ type: 'order', po_number: 'PO-LATEST', supplier_order_id: 'BK1', supplier_name: 'Acushnet',
      status: 'confirmed', estimated_delivery_date: date });
    const invoice = (total: number) => ({ type: 'invoice', po_number: 'PO-LATEST', supplier_order_id: 'BK1', invoice_number: 'BK-INV',
      invoice_date: '2026-11-20', subtotal_amount: total, tax_amount: 0, shipping_amount: 0, total_amount: total, currency: 'USD', status: 'open' });
    const results = async (updates: unknown[]) => (await send(updates)).map((r) => r.result);
    expect(await results([ack('2026-12-01'), invoice(100)])).toEqual(['applied', 'applied']);
    expect(await results([ack('2026-12-15'), invoice(120)])).toEqual(['applied', 'applied']);
    // The first updates again, word for word: the supplier's latest statement, applied.
    expect(await results([ack('2026-12-01'), invoice(100)])).toEqual(['applied', 'applied']);
    const [record] = await read('v2', 'PO-LATEST');
    expect(record.items[0].estimated_delivery_date).toBe('12/01/2026');
    expect(record.invoices).toEqual([expect.objectContaining({ invoice_number: 'BK-INV', total_amount: 100 })]);
    // Sent once more, it is what the PO already says: unchanged.
    expect(await results([ack('2026-12-01'), invoice(100)])).toEqual(['unchanged', 'unchanged']);
  });

  it('an update already true changes nothing; the same update twice in one batch applies once', async () => {
    await addPo('PO-TWICE');
    const ack = { type: 'order', po_number: 'PO-TWICE', supplier_order_id: 'T1', supplier_name: 'Acushnet', status: 'processing' };
    expect(await send([ack, ack])).toEqual([
      { index: 0, result: 'applied', reason: null }, { index: 1, result: 'unchanged', reason: null },
    ]);
    expect(await send([{ ...ack, status: 'confirmed' }])).toEqual([{ index: 0, result: 'unchanged', reason: null }]);
    expect(await lineStatus('PO-TWICE', 'TIT-GT2-9')).toBe('processing');
  });

  it('honours an Idempotency-Key: the repeat gets the first response without writing', async () => {
    await addPo('PO-IDEM');
    const body = { updates: [{ type: 'order', po_number: 'PO-IDEM', supplier_order_id: 'I1', supplier_name: 'Acushnet', status: 'confirmed' }] };
    const first = await post(body, writeKey, { 'idempotency-key': 'supplier-batch-1' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().results[0].result).toBe('applied');
    const again = await post(body, writeKey, { 'idempotency-key': 'supplier-batch-1' });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expectError(await post({ updates: [{ ...body.updates[0], status: 'processing' }] }, writeKey, { 'idempotency-key': 'supplier-batch-1' }),
      409, 'conflict');
  });

  describe('a malformed batch is a 400 naming each bad index and field, and writes nothing', () => {
    const [order, shipment, event, invoice] = wireExample('PO-1001');
    const malformed: [string, unknown, string[]][] = [
      ['no body fields', {}, ['body.updates']],
      ['updates not an array', { updates: {} }, ['body.updates']],
      ['updates empty', { updates: [] }, ['body.updates']],
      ['1001 updates', { updates: Array.from({ length: 1001 }, () => order) }, ['body.updates']],
      ['an unknown body field', { updates: [order], dry_run: true }, ['body.dry_run']],
      ['a bad update among good ones', { updates: [order, shipment, event, { ...shipment, tracking_number: '' }] }, ['body.updates[3].tracking_number']],
      ['several bad updates', {
        updates: [{ ...order, status: 'shipped' }, shipment, { ...event, timestamp: '2026-11-24T25:00:00Z' }, { ...invoice, total_amount: 999 }, 7],
      }, ['body.updates[0].status', 'body.updates[2].timestamp', 'body.updates[3].total_amount', 'body.updates[4]']],
      ['an unknown type', { updates: [{ ...order, type: 'refund' }] }, ['body.updates[0].type']],
      ['a missing po_number', { updates: [{ ...order, po_number: undefined }] }, ['body.updates[0].po_number']],
      ['an unknown field in an update', { updates: [{ ...order, note: 'x' }] }, ['body.updates[0].note']],
      ['a line with quantity 0', { updates: [{ ...order, lines: [{ sku: 'TIT-GT2-9', quantity: 0 }] }] }, ['body.updates[0].lines[0].quantity']],
      ['a date that does not exist', { updates: [{ ...order, estimated_delivery_date: '2026-02-29' }] }, ['body.updates[0].estimated_delivery_date']],
      ['an instant that is not a time of day', { updates: [{ ...shipment, shipped_date: '2026-11-20T15:61:00' }] }, ['body.updates[0].shipped_date']],
      ['a tracking status not in the set', { updates: [{ ...event, status: 'lost' }] }, ['body.updates[0].status']],
      ['a negative amount', { updates: [{ ...invoice, tax_amount: -1, total_amount: 999 }] }, ['body.updates[0].tax_amount']],
      ['an amount with three decimals (USD)', { updates: [{ ...invoice, currency: 'USD', shipping_amount: 0.001 }] }, ['body.updates[0].shipping_amount']],
      ['a total that is not the sum', { updates: [{ ...invoice, total_amount: 1000.01 }] }, ['body.updates[0].total_amount']],
      ['an invoice status not in the set', { updates: [{ ...invoice, status: 'settled' }] }, ['body.updates[0].status']],
      ['a document that is not a PDF', { updates: [{ ...invoice, document_pdf_base64: Buffer.from('GIF89a').toString('base64') }] },
        ['body.updates[0].document_pdf_base64']],
      ['a document that is not base64', { updates: [{ ...invoice, document_pdf_base64: '%PDF-1.4' }] }, ['body.updates[0].document_pdf_base64']],
    ];

    it.each(malformed)('%s', async (_, body, fields) => {
      const before = await counts();
      const response = await post(body);
      for (const field of fields) expectValidationError(response, field);
      const details = response.json().details as { field: string }[];
      if (fields.some((f) => f.startsWith('body.updates['))) {
        expect(details.map((d) => d.field).filter((f) => f.startsWith('body.updates[')).map((f) => f.replace(/^(body\.updates\[\d+\]).*/, '$1')))
          .toEqual(fields.map((f) => f.replace(/^(body\.updates\[\d+\]).*/, '$1')));
      }
      expect(await counts()).toEqual(before);
    });

    it('one answer lists every fault: a schema fault and a bad date (or instant, amount, tracking number) in one update', async () => {
      const before = await counts();
      const response = await post({ updates: [
        { ...invoice, status: 'settled', invoice_date: '2026-02-30', currency: 'usd', shipping_amount: 0.001 },
        { ...shipment, carrier: 'U P S', shipped_date: '2026-11-20T15:61:00', tracking_number: `${UPS} 1Z999AA10123456785` },
        { ...event, status: 'lost', timestamp: 'yesterday' },
        { ...order, lines: [{ sku: 'TIT-GT2-9', quantity: 0 }], estimated_delivery_date: '2026-13-01', supplier_name: '' },
        { ...invoice, tax_amount: -1, total_amount: 5, due_date: '2026-11-19' },
      ] });
      const body = expectError(response, 400, 'validation_failed');
      const fields = (body.details as { field: string }[]).map((d) => d.field);
      expect(fields).toEqual([
        'body.updates[0].status', 'body.updates[0].invoice_date', 'body.updates[0].shipping_amount',
        'body.updates[1].carrier', 'body.updates[1].tracking_number', 'body.updates[1].shipped_date',
        'body.updates[2].status', 'body.updates[2].timestamp',
        'body.updates[3].supplier_name', 'body.updates[3].lines[0].quantity', 'body.updates[3].estimated_delivery_date',
        // The faulted tax_amount is not summed: total_amount is not blamed for it.
        'body.updates[4].tax_amount', 'body.updates[4].due_date',
      ]);
      expect(body.details).toContainEqual({ field: 'body.updates[0].invoice_date',
        message: '"2026-02-30" is not a calendar date (YYYY-MM-DD, years 0001–9999)' });
      expect(await counts()).toEqual(before);
      // Once the schema fault is mended, the same date fault is the whole answer: it was not held back a round.
      const mended = await post({ updates: [{ ...invoice, invoice_date: '2026-02-30' }] });
      expect((expectError(mended, 400, 'validation_failed').details as { field: string }[]).map((d) => d.field))
        .toEqual(['body.updates[0].invoice_date']);
      // Two dates that are not calendar dates are each named, and not also compared with each other.
      const twoBad = await post({ updates: [{ ...invoice, invoice_date: '2026-13-01', due_date: '2026-11-31' }] });
      expect((expectError(twoBad, 400, 'validation_failed').details as { field: string }[]).map((d) => d.field))
        .toEqual(['body.updates[0].invoice_date', 'body.updates[0].due_date']);
    });

    it('a body that is not JSON', async () => {
      const response = await app.inject({
        method: 'POST', url: '/api/v2/supplier_updates', payload: '{"updates": [', headers: { 'x-api-key': writeKey, 'content-type': 'application/json' },
      });
      expectValidationError(response, 'body');
    });

    it('room for PDFs: a 3 MB invoice is accepted; a body over 20 MB is a 413', async () => {
      await addPo('PO-BIG');
      const bigPdf = Buffer.concat([PDF, Buffer.alloc(3 * 1024 * 1024, 0x20)]);
      const results = await send([{ ...invoice, po_number: 'PO-BIG', invoice_number: 'BIG-1', document_pdf_base64: bigPdf.toString('base64') }]);
      expect(results).toEqual([{ index: 0, result: 'applied', reason: null }]);
      const before = await counts();
      const huge = Buffer.alloc(16 * 1024 * 1024, 0x20).toString('base64');
      expectError(await post({ updates: [{ ...invoice, po_number: 'PO-BIG', invoice_number: 'BIG-2', document_pdf_base64: huge }] }),
        413, 'payload_too_large');
      expect(await counts()).toEqual(before);
    });
  });

  it('an update for a PO number not (yet) known is held once, and applied when the PO appears', async () => {
    const updates = wireExample('PO-LATER').slice(0, 3);
    const before = await counts();
    const results = await send(updates);
    expect(results.map((r) => r.result)).toEqual(['unmatched', 'unmatched', 'unmatched']);
    expect(results[0].reason).toMatch(/PO-LATER/);
    expect((await send(updates)).map((r) => r.result)).toEqual(['unmatched', 'unmatched', 'unmatched']);
    const after = await counts();
    expect(after.held_supplier_updates).toBe(before.held_supplier_updates + 3);
    expect({ ...after, held_supplier_updates: 0 }).toEqual({ ...before, held_supplier_updates: 0 });

    // The PO is created, and the held updates applied inside the same transaction (as the lifecycle API and the sync do).
    const po = buildPo({
      retailer_id: world.retailerA, po_number: 'PO-LATER', order_date: '2026-11-18T17:00:00.000Z', supplier_id: world.suppliers.acushnet,
      lines: [{ product_name: 'Titleist GT2 Driver 9', sku: 'TIT-GT2-9', quantity: 2, unit_cost_cents: 50000, status: 'submitted' }],
    });
    const applied = await db.transaction().execute(async (trx) => {
      await insertPurchaseOrders(trx, [po], await supplierNamesOf(trx, world.retailerA));
      return applyHeldSupplierUpdates(trx, world.retailerA, 'PO-LATER');
    });
    expect(applied).toBe(3);
    const held = await db.selectFrom('held_supplier_updates').select('id').where('po_number', '=', 'PO-LATER').execute();
    expect(held).toEqual([]);
    const [record] = await read('v2', 'PO-LATER');
    expect(record.status).toBe('delivered');
    expect(record.items[0]).toMatchObject({ supplier_order_id: 'FD123456', tracking: { carrier: 'ups', tracking_number: UPS } });
    // Applied now, so a re-send is unchanged, and nothing is left to apply.
    expect((await send(updates)).map((r) => r.result)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(await applyHeldSupplierUpdates(db, world.retailerA, 'PO-LATER')).toBe(0);
  });

  it('applyHeldSupplierUpdates without a transaction opens its own; it leaves held what the PO cannot take', async () => {
    const results = await send([
      { type: 'order', po_number: 'PO-LATER-2', supplier_order_id: 'L2', supplier_name: 'Acushnet', status: 'backorder' },
      { type: 'order', po_number: 'PO-LATER-2', supplier_order_id: 'L3', supplier_name: 'Acushnet', status: 'confirmed',
        lines: [{ sku: 'NOT-ON-PO', quantity: 1 }] },
    ]);
    expect(results.map((r) => r.result)).toEqual(['unmatched', 'unmatched']);
    expect(await applyHeldSupplierUpdates(db, world.retailerA, 'PO-LATER-2')).toBe(0); // no such PO yet
    await addPo('PO-LATER-2');
    expect(await applyHeldSupplierUpdates(db, world.retailerA, 'PO-LATER-2')).toBe(1);
    expect(await lineStatus('PO-LATER-2', 'TIT-GT2-9')).toBe('backorder');
    const [record] = await read('v2', 'PO-LATER-2');
    expect(record.items[0]).toMatchObject({ status: 'processing', backordered: true, supplier_order_id: 'L2' });
    const left = await db.selectFrom('held_supplier_updates').select('payload').where('po_number', '=', 'PO-LATER-2').execute();
    expect(left.map((h) => JSON.parse(h.payload).supplier_order_id)).toEqual(['L3']);
  });

  it('a bare shipment ("PO X shipped, tracking T"): no order update, no lines — covers the unshipped lines and creates the supplier order', async () => {
    await addPo('PO-BARE', [
      { product_name: 'Titleist GT2 Driver 9', sku: 'TIT-GT2-9', quantity: 2, unit_cost_cents: 50000, status: 'submitted' },
      { product_name: 'Titleist Pro V1', sku: 'TIT-PRO-V1', quantity: 4, unit_cost_cents: 2550, status: 'submitted' },
      { product_name: 'Titleist Cap', sku: 'TIT-CAP', quantity: 1, unit_cost_cents: 1500, status: 'cancelled' },
    ]);
    const bare = { type: 'shipment', po_number: 'PO-BARE', supplier_order_id: 'SO-BARE', tracking_number: UPS };
    expect(await send([bare])).toEqual([{ index: 0, result: 'applied', reason: null }]);
    expect(await send([bare])).toEqual([{ index: 0, result: 'unchanged', reason: null }]);
    const [record] = await read('v2', 'PO-BARE');
    expectV2Record(record);
    expect(record.items.map((i: any) => [i.product_details.sku, i.status, i.supplier_order_id, i.tracking?.tracking_number ?? null])).toEqual([
      ['TIT-GT2-9', 'shipped', 'SO-BARE', UPS], ['TIT-PRO-V1', 'shipped', 'SO-BARE', UPS], ['TIT-CAP', 'cancelled', null, null],
    ]);
    const orders = await db.selectFrom('supplier_orders').select(['supplier_order_id', 'supplier_id'])
      .where('retailer_id', '=', world.retailerA).where('supplier_order_id', '=', 'SO-BARE').execute();
    expect(orders).toEqual([{ supplier_order_id: 'SO-BARE', supplier_id: world.suppliers.acushnet }]);
    // Nothing is left to ship: a second bare shipment is refused with its reason.
    const [again] = await send([{ ...bare, supplier_order_id: 'SO-BARE-2', tracking_number: '1Z999AA10123456793' }]);
    expect(again).toMatchObject({ result: 'rejected', reason: 'PO PO-BARE has nothing left to ship (every line is shipped or cancelled).' });
  });

  it('a shipment with lines for an unknown supplier order creates it; one with no supplier_order_id at all applies too', async () => {
    await addPo('PO-BARE-2', [
      { product_name: 'Titleist GT2 Driver 9', sku: 'TIT-GT2-9', quantity: 2, unit_cost_cents: 50000, status: 'submitted' },
      { product_name: 'Titleist Pro V1', sku: 'TIT-PRO-V1', quantity: 4, unit_cost_cents: 2550, status: 'submitted' },
    ]);
    expect((await send([
      { type: 'shipment', po_number: 'PO-BARE-2', supplier_order_id: 'SO-NEW', tracking_number: UPS, lines: [{ sku: 'TIT-GT2-9', quantity: 2 }] },
      { type: 'shipment', po_number: 'PO-BARE-2', tracking_number: '1Z999AA10123456793', shipped_date: '2026-11-21T09:00:00Z' },
    ])).map((r) => r.result)).toEqual(['applied', 'applied']);
    const [record] = await read('v2', 'PO-BARE-2');
    expect(record.items.map((i: any) => [i.product_details.sku, i.status, i.supplier_order_id, i.tracking?.tracking_number])).toEqual([
      ['TIT-GT2-9', 'shipped', 'SO-NEW', UPS], ['TIT-PRO-V1', 'shipped', null, '1Z999AA10123456793'],
    ]);
  });

  it('tracking numbers are one identity whatever their formatting: a shipment with dashes, its event without', async () => {
    await addPo('PO-DASH');
    expect((await send([
      { type: 'shipment', po_number: 'PO-DASH', supplier_order_id: 'D1', tracking_number: '1Z-999-AA1-01-2345-6784' },
      { type: 'tracking_event', po_number: 'PO-DASH', tracking_number: '1Z999AA10123456784', status: 'in transit', timestamp: '2026-11-21T08:00:00Z' },
      { type: 'tracking_event', po_number: 'PO-DASH', tracking_number: '1z 999a a101 2345 6784', status: 'delivered', timestamp: '2026-11-22T08:00:00+0000' },
    ])).map((r) => r.result)).toEqual(['applied', 'applied', 'applied']);
    const [record] = await read('v2', 'PO-DASH');
    expect(record.items[0].tracking).toMatchObject({ tracking_number: UPS, carrier: 'ups', tracking_url: `https://www.ups.com/track?tracknum=${UPS}` });
    expect(record.items[0].status).toBe('delivered');
  });

  it.each([
    '1Z999AA10123456784 1Z999AA10123456793', '1Z999AA10123456784 1Z999AA10123456791',
    '1Z999AA10123456784  9400111899223197428490', '1Z999AA10123456784\t1Z999AA10123456791',
  ])('two tracking numbers in one field (%j) are a 400 naming the field, never one glued shipment', async (trackingNumber) => {
    const poNumber = `PO-TWO-${trackingNumber.length}-${trackingNumber.slice(-2)}-${trackingNumber.includes('\t') ? 'TAB' : 'SP'}`;
    await addPo(poNumber);
    const before = await counts();
    const response = await post({ updates: [{ type: 'shipment', po_number: poNumber, supplier_order_id: 'T1', tracking_number: trackingNumber }] });
    const body = expectValidationError(response, 'body.updates[0].tracking_number');
    expect(body.details[0].message).toMatch(/holds 2 tracking numbers/);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['1Z 999 AA1 01 2345 6784', '1Z999AA10123456784'], ['9400 1000 0000 0000 0000 00', '9400100000000000000000'],
    ['7489 4793 8820', '748947938820'],
  ])('a number printed with spaces (%j) is one shipment of %s', async (trackingNumber, stored) => {
    const poNumber = `PO-SPACED-${stored}`;
    await addPo(poNumber);
    expect((await send([{ type: 'shipment', po_number: poNumber, supplier_order_id: 'S1', tracking_number: trackingNumber }]))
      .map((r) => r.result)).toEqual(['applied']);
    const [record] = await read('v2', poNumber);
    expect(record.items.map((i: any) => i.tracking?.tracking_number)).toEqual([stored]);
  });

  it('an invoice in a 3-decimal currency: 12.345 KWD is stored exactly and rendered with 3 decimals', async () => {
    await addPo('PO-KWD');
    const results = await send([{ type: 'invoice', po_number: 'PO-KWD', invoice_number: 'K-1', currency: 'KWD', subtotal_amount: 12.345,
      tax_amount: 0.5, shipping_amount: 0, total_amount: 12.845 }]);
    expect(results[0]).toEqual({ index: 0, result: 'applied', reason: null });
    const [record] = await read('v2', 'PO-KWD');
    expect(record.invoices[0]).toMatchObject({ subtotal_amount: 12.345, tax_amount: 0.5, total_amount: 12.845, currency: 'KWD' });
    const stored = await db.selectFrom('invoices').select(['subtotal_cents', 'total_cents']).where('invoice_number', '=', 'K-1').executeTakeFirstOrThrow();
    expect([Number(stored.subtotal_cents), Number(stored.total_cents)]).toEqual([12345, 12845]);
    // Without a currency the PO's (USD) applies: 3 decimals cannot be cents, so it is rejected with the reason.
    const [usd] = await send([{ type: 'invoice', po_number: 'PO-KWD', invoice_number: 'K-2', subtotal_amount: 12.345, total_amount: 12.345 }]);
    expect(usd).toMatchObject({ result: 'rejected', reason: 'subtotal_amount 12.345 must have at most 2 decimals (USD).' });
    // Amounts above 134 million are exact (no x*100 float check).
    const [big] = await send([{ type: 'invoice', po_number: 'PO-KWD', invoice_number: 'K-3', currency: 'USD', subtotal_amount: 134217728.07,
      total_amount: 134217728.07 }]);
    expect(big.result).toBe('applied');
  });

  it('held updates that depend on each other apply in dependency order: event, then its shipment, then the PO', async () => {
    const held = await send([
      { type: 'tracking_event', po_number: 'PO-DEPS', tracking_number: UPS, status: 'delivered', timestamp: '2026-11-24T10:12:00-08:00' },
      { type: 'invoice', po_number: 'PO-DEPS', invoice_number: 'DEP-1', supplier_order_id: 'DEP', subtotal_amount: 10, total_amount: 10 },
    ]);
    expect(held.map((r) => r.result)).toEqual(['unmatched', 'unmatched']);
    expect((await send([{ type: 'shipment', po_number: 'PO-DEPS', supplier_order_id: 'DEP', tracking_number: UPS }]))[0].result).toBe('unmatched');
    await addPo('PO-DEPS');
    expect(await applyHeldSupplierUpdates(db, world.retailerA, 'PO-DEPS')).toBe(3);
    const [record] = await read('v2', 'PO-DEPS');
    expect(record.items[0]).toMatchObject({ status: 'delivered', supplier_order_id: 'DEP' });
    expect(record.invoices.map((i: { invoice_number: string }) => i.invoice_number)).toEqual(['DEP-1']);
    expect(await db.selectFrom('held_supplier_updates').select('id').where('po_number', '=', 'PO-DEPS').execute()).toEqual([]);
  });

  it('a held update that could not apply is retried when what it needs arrives (a new shipment), not only at PO creation', async () => {
    await send([{ type: 'tracking_event', po_number: 'PO-LATE-SHIP', tracking_number: UPS, status: 'in transit', timestamp: '2026-11-21T08:00:00Z' }]);
    await addPo('PO-LATE-SHIP');
    // The PO appears; the event still has no shipment and stays held.
    expect(await applyHeldSupplierUpdates(db, world.retailerA, 'PO-LATE-SHIP')).toBe(0);
    expect(await db.selectFrom('held_supplier_updates').select('id').where('po_number', '=', 'PO-LATE-SHIP').execute()).toHaveLength(1);
    // Its shipment arrives: the held event applies in the same batch.
    expect((await send([{ type: 'shipment', po_number: 'PO-LATE-SHIP', tracking_number: UPS }]))[0].result).toBe('applied');
    expect(await lineStatus('PO-LATE-SHIP', 'TIT-GT2-9')).toBe('in transit');
    expect(await db.selectFrom('held_supplier_updates').select('id').where('po_number', '=', 'PO-LATE-SHIP').execute()).toEqual([]);
  });

  it('PO numbers are trimmed in supplier updates', async () => {
    await addPo('PO-TRIM');
    expect((await send([{ type: 'order', po_number: '  PO-TRIM ', supplier_order_id: 'TR1', supplier_name: 'Acushnet', status: 'confirmed' }]))[0].result)
      .toBe('applied');
  });

  it('rejects well-formed updates that cannot apply, with a reason, and applies the rest of the batch', async () => {
    await addPo('PO-REJ', [
      { product_name: 'Titleist GT2 Driver 9', sku: 'TIT-GT2-9', quantity: 2, unit_cost_cents: 50000, status: 'submitted' },
      { product_name: 'Titleist Pro V1', sku: 'TIT-PRO-V1', quantity: 4, unit_cost_cents: 2550, status: 'cancelled' },
    ]);
    const before = await counts();
    const results = await send([
      { type: 'order', po_number: 'PO-REJ', supplier_order_id: 'R1', supplier_name: 'Acushnet', status: 'confirmed',
        lines: [{ sku: 'NOT-ON-PO', quantity: 1 }] },
      { type: 'order', po_number: 'PO-REJ', supplier_order_id: 'R1', supplier_name: 'Acushnet', status: 'confirmed',
        lines: [{ sku: 'TIT-PRO-V1', quantity: 4 }] },
      { type: 'order', po_number: 'PO-REJ', supplier_order_id: 'R1', supplier_name: 'Acushnet', status: 'confirmed',
        lines: [{ sku: 'TIT-GT2-9', quantity: 2 }] },
      { type: 'shipment', po_number: 'PO-REJ', supplier_order_id: 'R1', tracking_number: '123456789012', carrier: 'fedex',
        lines: [{ sku: 'TIT-GT2-9', quantity: 3 }] },
      { type: 'tracking_event', po_number: 'PO-REJ', tracking_number: '1Z0000000000000000', status: 'in transit',
        timestamp: '2026-11-21T08:00:00Z' },
      { type: 'order', po_number: 'PO-REJ', supplier_order_id: 'R2', supplier_name: 'Cobra Puma Golf', status: 'confirmed' },
      { type: 'shipment', po_number: 'PO-REJ', supplier_order_id: 'R9', tracking_number: '123456789012',
        lines: [{ sku: 'TIT-PRO-V1', quantity: 1 }] },
    ]);
    expect(results.map((r) => r.result)).toEqual(['rejected', 'rejected', 'applied', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(results[0].reason).toBe('SKU "NOT-ON-PO" is not on PO PO-REJ.');
    expect(results[1].reason).toBe('SKU "TIT-PRO-V1" is cancelled on PO PO-REJ.');
    expect(results[2].reason).toBeNull();
    expect(results[3].reason).toBe('SKU "TIT-GT2-9": shipping 3 would make 3 shipped of the 2 ordered.');
    expect(results[4].reason).toBe('No shipment of PO PO-REJ has tracking number 1Z0000000000000000.');
    expect(results[5].reason).toMatch(/^Supplier "Cobra Puma Golf" supplies no line of PO PO-REJ/);
    expect(results[6].reason).toBe('SKU "TIT-PRO-V1" is cancelled on PO PO-REJ; it cannot ship.');
    const after = await counts();
    expect(after.supplier_orders - before.supplier_orders).toBe(1);
    expect(after.shipments).toBe(before.shipments);
    expect(after.applied_supplier_updates - before.applied_supplier_updates).toBe(1);
    expect(await lineStatus('PO-REJ', 'TIT-PRO-V1')).toBe('cancelled');
    // A rejected update is not remembered: once it can apply, it does.
    expect((await send([{ type: 'shipment', po_number: 'PO-REJ', supplier_order_id: 'R1', tracking_number: '123456789012', carrier: 'fedex',
      lines: [{ sku: 'TIT-GT2-9', quantity: 2 }] }])).map((r) => r.result)).toEqual(['applied']);
  });

  it('statuses never move backwards; cancelled lines stay cancelled', async () => {
    await addPo('PO-BACK', [
      { product_name: 'Titleist GT2 Driver 9', sku: 'TIT-GT2-9', quantity: 2, unit_cost_cents: 50000, status: 'submitted' },
      { product_name: 'Titleist Pro V1', sku: 'TIT-PRO-V1', quantity: 4, unit_cost_cents: 2550, status: 'submitted' },
    ]);
    const order = (status: string, extra: object = {}) =>
      ({ type: 'order', po_number: 'PO-BACK', supplier_order_id: 'B1', supplier_name: 'Acushnet', status, ...extra });
    await send([
      order('backorder', { lines: [{ sku: 'TIT-GT2-9', quantity: 2 }] }),
      order('cancelled', { supplier_order_id: 'B2', lines: [{ sku: 'TIT-PRO-V1', quantity: 4 }] }),
    ]);
    expect(await lineStatus('PO-BACK', 'TIT-GT2-9')).toBe('backorder');
    const eventsBefore = (await counts()).status_events;
    expect((await send([order('processing'), order('confirmed'), order('submitted')])).map((r) => r.result))
      .toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(await lineStatus('PO-BACK', 'TIT-GT2-9')).toBe('backorder');
    expect((await counts()).status_events).toBe(eventsBefore);

    // Shipped, then in transit, then delivered; a late acknowledgement and an older scan change no status.
    const results = await send([
      { type: 'shipment', po_number: 'PO-BACK', supplier_order_id: 'B1', tracking_number: UPS, shipped_date: '2026-11-20T15:04:00Z' },
      { type: 'tracking_event', po_number: 'PO-BACK', tracking_number: UPS, status: 'delivered', timestamp: '2026-11-24T10:00:00Z' },
      { type: 'tracking_event', po_number: 'PO-BACK', tracking_number: UPS, status: 'in transit', message: 'Arrival scan',
        timestamp: '2026-11-22T10:00:00Z' },
      order('confirmed', { supplier_order_id: 'B1', lines: [{ sku: 'TIT-GT2-9', quantity: 2 }], estimated_delivery_date: '2026-12-24' }),
      order('confirmed', { supplier_order_id: 'B2', lines: [{ sku: 'TIT-PRO-V1', quantity: 4 }] }),
    ]);
    expect(results.map((r) => r.result)).toEqual(['applied', 'applied', 'applied', 'unchanged', 'rejected']);
    expect(results[4].reason).toBe('SKU "TIT-PRO-V1" is cancelled on PO PO-BACK.');
    expect(await lineStatus('PO-BACK', 'TIT-GT2-9')).toBe('delivered');
    expect(await lineStatus('PO-BACK', 'TIT-PRO-V1')).toBe('cancelled');
    const [record] = await read('v2', 'PO-BACK');
    expect(record.status).toBe('delivered');
    expect(record.items[0].tracking.latest_checkpoint).toEqual({ message: null, location: null, timestamp: instant('2026-11-24T10:00:00Z') });
  });

  it('partial shipments show in fulfilled_items; the line ships when its full quantity has', async () => {
    await addPo('PO-PART', [{ product_name: 'Titleist Pro V1', sku: 'TIT-PRO-V1', quantity: 4, unit_cost_cents: 2550, status: 'submitted' }]);
    await send([
      { type: 'order', po_number: 'PO-PART', supplier_order_id: 'P1', supplier_name: 'Acushnet', status: 'confirmed' },
      { type: 'shipment', po_number: 'PO-PART', supplier_order_id: 'P1', tracking_number: 'PART-1', carrier: 'usps', lines: [{ sku: 'TIT-PRO-V1', quantity: 1 }] },
    ]);
    let [record] = await read('v2', 'PO-PART');
    expect(record.items[0].status).toBe('confirmed');
    expect(record.fulfilled_items).toEqual([expect.objectContaining({ quantity: 1, status: 'shipped',
      tracking: expect.objectContaining({ carrier: 'usps', tracking_number: 'PART1' }) })]);
    await send([{ type: 'shipment', po_number: 'PO-PART', supplier_order_id: 'P1', tracking_number: 'PART-2', carrier: 'usps' }]);
    [record] = await read('v2', 'PO-PART');
    expect(record.items[0].status).toBe('shipped');
    expect(record.fulfilled_items.map((f: { quantity: number }) => f.quantity)).toEqual([1, 3]);
    const carriers = await db.selectFrom('shipments').select(['tracking_number', 'carrier_source']).where('tracking_number', 'like', 'PART%')
      .orderBy('tracking_number').execute();
    // Dashes are formatting: stored as PART1, PART2 (one normaliser, domain/tracking.ts).
    expect(carriers).toEqual([{ tracking_number: 'PART1', carrier_source: 'supplied' }, { tracking_number: 'PART2', carrier_source: 'supplied' }]);
  });

  it('concurrent identical batches apply once', async () => {
    await addPo('PO-RACE');
    const batch = [
      { type: 'order', po_number: 'PO-RACE', supplier_order_id: 'C1', supplier_name: 'Acushnet', status: 'confirmed' },
      { type: 'shipment', po_number: 'PO-RACE', supplier_order_id: 'C1', tracking_number: UPS },
    ];
    const [a, b] = await Promise.all([post({ updates: batch }), post({ updates: batch })]);
    expect(a.statusCode, a.body).toBe(200);
    expect(b.statusCode, b.body).toBe(200);
    const outcomes = [a, b].map((r) => r.json().results.map((x: { result: string }) => x.result).join(',')).sort();
    expect(outcomes).toEqual(['applied,applied', 'unchanged,unchanged']);
    const po = await db.selectFrom('purchase_orders').select('id').where('po_number', '=', 'PO-RACE').executeTakeFirstOrThrow();
    expect(await db.selectFrom('shipments').select('id').where('po_id', '=', po.id).execute()).toHaveLength(1);
    expect(await db.selectFrom('supplier_orders').select('id').where('po_id', '=', po.id).execute()).toHaveLength(1);
  });

  it('needs an API key with the write scope', async () => {
    const body = { updates: wireExample() };
    expectError(await post(body, null), 401, 'unauthorized');
    expectError(await post(body, world.keys.a), 403, 'forbidden');
    expectError(await post(body, world.keys.aRevoked), 401, 'unauthorized');
    const response = await post(body, world.keys.aAll);
    expect(response.statusCode, response.body).toBe(200);
  });

  it("keeps retailers apart: B's update for A's PO number is unmatched for B and never touches A", async () => {
    await addPo('PO-ISO');
    await send(wireExample('PO-ISO').slice(0, 2));
    const [aBefore] = await read('v2', 'PO-ISO');
    const aEvents = (await counts()).status_events;
    const results = await send([
      { type: 'order', po_number: 'PO-ISO', supplier_order_id: 'B-FD1', supplier_name: 'TaylorMade', status: 'cancelled' },
      { type: 'tracking_event', po_number: 'PO-ISO', tracking_number: UPS, status: 'exception', timestamp: '2026-11-25T10:00:00Z' },
    ], writeKeyB);
    expect(results.map((r) => r.result)).toEqual(['unmatched', 'unmatched']);
    expect((await read('v2', 'PO-ISO'))[0]).toEqual(aBefore);
    expect((await counts()).status_events).toBe(aEvents);
    const held = await db.selectFrom('held_supplier_updates').select(['retailer_id']).where('po_number', '=', 'PO-ISO').execute();
    expect(held.map((h) => h.retailer_id)).toEqual([world.retailerB, world.retailerB]);
    // B's held updates are B's: A's PO with that number does not take them.
    expect(await applyHeldSupplierUpdates(db, world.retailerA, 'PO-ISO')).toBe(0);
    expect((await read('v2', 'PO-ISO'))[0]).toEqual(aBefore);
    // The same PO number at A and at B: each retailer's update reaches its own PO only.
    await addPo('PO-BOTH');
    await addPo('PO-BOTH', undefined, 'b');
    const ack = { type: 'order', po_number: 'PO-BOTH', supplier_order_id: 'B-S1', supplier_name: 'TaylorMade', status: 'confirmed' };
    expect(await send([ack], writeKeyB)).toEqual([{ index: 0, result: 'applied', reason: null }]);
    expect(await lineStatus('PO-BOTH', 'TIT-GT2-9', world.retailerB)).toBe('confirmed');
    expect(await lineStatus('PO-BOTH', 'TIT-GT2-9', world.retailerA)).toBe('submitted');
    // The same update sent by A is A's own (fingerprints are per retailer): A's PO has no TaylorMade line.
    const fromA = await send([ack]);
    expect(fromA[0]).toMatchObject({ result: 'rejected', reason: expect.stringMatching(/^Supplier "TaylorMade" supplies no line of PO PO-BOTH/) });
    expect((await read('v2', 'PO-BOTH', world.keys.b))[0].items[0].supplier_order_id).toBe('B-S1');
    expect((await read('v2', 'PO-BOTH'))[0].items[0].supplier_order_id).toBeNull();
  });

  it('is documented in the OpenAPI document: each update kind\'s wire shape, the schema every update is checked by', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const body = spec.paths['/api/v2/supplier_updates']?.post?.requestBody?.content?.['application/json']?.schema;
    const kinds = body.properties.updates.items.oneOf as { title: string; properties: Record<string, any>; required: string[]; additionalProperties: boolean }[];
    expect(kinds.map((k) => [k.title, k.properties.type])).toEqual([
      ['order', { enum: ['order'] }], ['shipment', { enum: ['shipment'] }], ['tracking_event', { enum: ['tracking_event'] }],
      ['invoice', { enum: ['invoice'] }],
    ]);
    const invoice = kinds.find((k) => k.title === 'invoice')!;
    expect(invoice.required).toEqual(expect.arrayContaining(['type', 'po_number', 'invoice_number', 'subtotal_amount', 'total_amount']));
    expect(invoice.additionalProperties).toBe(false);
    expect(Object.keys(kinds.find((k) => k.title === 'tracking_event')!.properties).sort())
      .toEqual(['location', 'message', 'po_number', 'status', 'timestamp', 'tracking_number', 'type']);
    expect(kinds.find((k) => k.title === 'shipment')!.properties.lines.items.properties.quantity).toMatchObject({ type: 'integer', minimum: 1 });
    // Documented only: the route still takes any items, so one 400 names every bad index and field in each kind's words.
    const bad = await post({ updates: [{ type: 'shipment', po_number: 'PO-DOC', tracking_number: 7 }, { type: 'invoice', po_number: 'PO-DOC' }] });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json().details.map((d: { field: string }) => d.field)).toEqual(['body.updates[0].tracking_number',
      'body.updates[1].invoice_number', 'body.updates[1].subtotal_amount', 'body.updates[1].total_amount']);
  });
});

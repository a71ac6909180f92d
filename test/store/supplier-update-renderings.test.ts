// A batch of supplier updates renders its POs from the state loaded at the start of the batch with the batch's rows
// applied in memory (store/supplier-update-writes.ts applyNetRows), not from a second load. This proves the two agree:
// after batches mixing every kind of update and every kind of write (inserts, updates of lines, supplier orders,
// shipments, their covers and invoices, checkpoints, a PDF, status events; several updates of one PO in one batch;
// held updates applied when their PO appears), every stored rendering equals a fresh render of the rows, on SQLite and
// PostgreSQL. A write applied in memory differently from the database (a column left out, a cover's quantity not
// updated, an event not appended) makes a stored rendering differ here.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { insertPurchaseOrders, supplierNamesOf } from '../../src/store/purchase-orders.ts';
import { INVARIANTS } from '../crash/invariants.ts';
import { buildPo } from '../support/fixtures.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, type World } from '../support/world.ts';

const databases = TestDatabases.create();
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const renderingsMatchRows = INVARIANTS.find((i) => i.name === 'stored renderings equal a fresh render of the rows')!;

describe.each(databases.eachSupportedId())('supplier-update batches render what they wrote, on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let key: string;

  const send = async (updates: unknown[]) => {
    const response = await app.inject({ method: 'POST', url: '/api/v2/supplier_updates', payload: { updates }, headers: { 'x-api-key': key } });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().results as { result: string; reason: string | null }[]).map((r) => r.result);
  };
  const addPo = async (poNumber: string) => {
    const po = buildPo({
      retailer_id: world.retailerA, po_number: poNumber, order_date: '2026-11-18T17:00:00.000Z', supplier_id: world.suppliers.acushnet,
      lines: [
        { product_name: 'Driver', sku: 'DRV', quantity: 2, unit_cost_cents: 50000, status: 'submitted' },
        { product_name: 'Irons', sku: 'IRN', quantity: 5, unit_cost_cents: 12000, status: 'submitted' },
        { product_name: 'Putter', sku: 'PUT', quantity: 1, unit_cost_cents: 30000, status: 'submitted' },
      ],
    });
    await db.transaction().execute(async (trx) => insertPurchaseOrders(trx, [po], await supplierNamesOf(trx, world.retailerA)));
  };
  const expectRenderingsMatchRows = async () => {
    // (The world's seeded POs have no lifecycle event: that part of the invariant is not this test's.)
    const problems = await renderingsMatchRows.check(db, world.retailerA);
    expect(problems.filter((p) => !p.endsWith('has no lifecycle status event'))).toEqual([]);
  };

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    world = await createWorld(db);
    app = world.app;
    key = (await createApiKey(db, world.retailerA, 'supplier feed', ['write'])).secret;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('every kind of write, several per PO per batch, held updates included', async () => {
    for (const n of ['R-1', 'R-2', 'R-3']) await addPo(n);
    const ups = '1Z999AA10123456784';
    const fedex = '449044304137821';
    // Batch 1: an acknowledgement with a backorder and an estimate, then a partial shipment of it, a bare shipment
    // of another PO (a new supplier order covering every line), and an update held for a PO not there yet.
    expect(await send([
      { type: 'order', po_number: 'R-1', supplier_order_id: 'SO-1', supplier_name: 'Acushnet', status: 'confirmed',
        lines: [{ sku: 'DRV', quantity: 2 }, { sku: 'IRN', quantity: 5 }], estimated_delivery_date: '2026-12-01' },
      { type: 'order', po_number: 'R-1', supplier_order_id: 'SO-1B', supplier_name: 'Acushnet', status: 'backorder', lines: [{ sku: 'PUT', quantity: 1 }] },
      { type: 'shipment', po_number: 'R-1', supplier_order_id: 'SO-1', tracking_number: ups, shipped_date: '2026-11-20T15:04:00Z',
        lines: [{ sku: 'DRV', quantity: 2 }, { sku: 'IRN', quantity: 3 }] },
      { type: 'shipment', po_number: 'R-2', tracking_number: fedex, carrier: 'fedex', shipped_date: '2026-11-21' },
      { type: 'shipment', po_number: 'R-4', tracking_number: '1Z999AA10123456791', shipped_date: '2026-11-21' },
    ])).toEqual(['applied', 'applied', 'applied', 'applied', 'unmatched']);
    await expectRenderingsMatchRows();

    // Batch 2: the same shipment again with more units (its cover's quantity updated), checkpoints, an invoice with a
    // PDF and then the same invoice paid, an estimate moved, and a cancellation of the back-ordered line.
    expect(await send([
      { type: 'shipment', po_number: 'R-1', supplier_order_id: 'SO-1', tracking_number: ups, shipped_date: '2026-11-20T15:04:00Z',
        estimated_delivery_date: '2026-11-26', lines: [{ sku: 'DRV', quantity: 2 }, { sku: 'IRN', quantity: 5 }] },
      { type: 'tracking_event', po_number: 'R-1', tracking_number: ups, status: 'in transit', message: 'Departed', location: 'Louisville, KY',
        timestamp: '2026-11-22T03:00:00Z' },
      { type: 'tracking_event', po_number: 'R-1', tracking_number: ups, status: 'delivered', message: 'Delivered', location: 'Carlsbad, CA',
        timestamp: '2026-11-24T10:12:00-08:00' },
      { type: 'invoice', po_number: 'R-1', supplier_order_id: 'SO-1', invoice_number: 'INV-1', invoice_date: '2026-11-20', due_date: '2027-01-19',
        payment_terms: 'Net 60 Days', subtotal_amount: 1600, tax_amount: 12.5, shipping_amount: 20, total_amount: 1632.5, currency: 'USD',
        status: 'open', document_pdf_base64: PDF.toString('base64') },
      { type: 'invoice', po_number: 'R-1', supplier_order_id: 'SO-1', invoice_number: 'INV-1', invoice_date: '2026-11-20', due_date: '2027-01-19',
        payment_terms: 'Net 60 Days', subtotal_amount: 1600, tax_amount: 12.5, shipping_amount: 20, total_amount: 1632.5, currency: 'USD',
        status: 'paid' },
      { type: 'order', po_number: 'R-1', supplier_order_id: 'SO-1B', supplier_name: 'Acushnet', status: 'cancelled', lines: [{ sku: 'PUT', quantity: 1 }] },
      { type: 'order', po_number: 'R-3', supplier_order_id: 'SO-3', supplier_name: 'Acushnet', status: 'processing', estimated_delivery_date: '2026-12-10' },
      { type: 'order', po_number: 'R-3', supplier_order_id: 'SO-3', supplier_name: 'Acushnet', status: 'confirmed', estimated_delivery_date: '2026-12-12' },
      { type: 'tracking_event', po_number: 'R-2', tracking_number: fedex, status: 'exception', message: 'Address issue', location: 'Memphis, TN',
        timestamp: '2026-11-22T08:00:00Z' },
    ])).toEqual(['applied', 'applied', 'applied', 'applied', 'applied', 'applied', 'applied', 'applied', 'applied']);
    await expectRenderingsMatchRows();

    // Batch 3: a shipment's own fields change (its estimate), nothing of its lines: the v1 records of the lines it
    // covers change all the same (their eta is the shipment's).
    expect(await send([
      { type: 'shipment', po_number: 'R-2', tracking_number: fedex, carrier: 'fedex', shipped_date: '2026-11-21', estimated_delivery_date: '2026-11-29' },
    ])).toEqual(['applied']);
    await expectRenderingsMatchRows();
    const { view_v1: v1 } = await db.selectFrom('po_lines as l').innerJoin('purchase_orders as p', 'p.id', 'l.po_id').select('l.view_v1')
      .where('p.retailer_id', '=', world.retailerA).where('p.po_number', '=', 'R-2').where('l.sku', '=', 'IRN').executeTakeFirstOrThrow();
    expect(JSON.parse(v1)).toMatchObject({ tracking_number: fedex, eta: '2026-11-29' });

    // The held shipment applies when its PO appears (its own session, in the creating transaction).
    await addPo('R-4');
    await expectRenderingsMatchRows();

    // And the batches did what they said (so the comparison above compared something).
    const { view_v2: text } = await db.selectFrom('purchase_orders').select('view_v2')
      .where('retailer_id', '=', world.retailerA).where('po_number', '=', 'R-1').executeTakeFirstOrThrow();
    const record = JSON.parse(text);
    expect(record.fulfilled_items.map((item: { sku: string; quantity: number }) => [item.sku, item.quantity])).toEqual([['DRV', 2], ['IRN', 5]]);
    expect(record.invoices[0]).toMatchObject({ invoice_number: 'INV-1', status: 'paid', shipping_amount: 20 });
    expect(record.invoices[0].download_url).toEqual(expect.any(String));
    expect(record.items.map((item: { status: string }) => item.status)).toEqual(['delivered', 'delivered', 'cancelled']);
  });
});

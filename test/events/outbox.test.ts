// Events as a transactional outbox (DESIGN 4b) on SQLite and PostgreSQL: every event type from a real change,
// delivered signed to a real receiver and listed by the feed in the same order; nothing from a rolled-back
// transaction or from a change that changes nothing; the feed's contract and retailer isolation.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { EVENT_TYPES } from '../../src/domain/events.ts';
import { pruneEvents, recordEvent } from '../../src/store/events.ts';
import { createPurchaseOrder } from '../../src/store/purchase-order-lifecycle.ts';
import { finishRun, startRun } from '../../src/store/sync-runs.ts';
import { createConnection } from '../../src/store/connections.ts';
import { postDocument } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';
import { call, dropBossSchema, makeShop, readFeed, startReceiver, testDeliverer, type Receiver, type Shop, type TestDelivery } from './support.ts';

const databases = TestDatabases.create();
const TRACKING = '1Z999AA10123456784';

describe.each(databases.eachSupportedId())('events outbox and feed on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let shop: Shop;
  let other: Shop;
  let receiver: Receiver;
  let deliverer: TestDelivery;
  let url: string;
  let poId: string;
  let poNumber: string;

  const supplierUpdates = (updates: object[]) => call(app, shop.adminKey, 'POST', '/api/v2/supplier_updates', { updates }, 200);
  const feedTypes = async (key = shop.readKey) => (await readFeed(app, key)).map((e) => e.type);

  beforeAll(async () => {
    ({ db, url } = await databases.init(databaseId));
    shop = await makeShop(db, 'fairway');
    other = await makeShop(db, 'elsewhere');
    app = await buildApp({ config: TEST_CONFIG, db, logger: false, webhooks: { allowPrivate: true } });
    receiver = await startReceiver();
    const endpoint = await call(app, shop.adminKey, 'POST', '/api/v2/webhook_endpoints', { url: receiver.url, enabled_events: ['*'] }, 201);
    receiver.secrets = [endpoint.secret];
    deliverer = testDeliverer(db, {}, databaseId === 'POSTGRES' ? url : undefined).start();
  });
  afterAll(async () => {
    await deliverer?.stop();
    await receiver?.close();
    await app?.close();
    if (databaseId === 'POSTGRES' && db) await dropBossSchema(db, url);
  });

  it('emits every event type from real changes, each delivered signed and listed by the feed in the same order', async () => {
    const created = await call(app, shop.adminKey, 'POST', '/api/v2/purchase_orders', {
      supplier_id: shop.supplierId, warehouse_id: shop.warehouseId, po_number: 'PO-1001',
      products: [{ sku: 'GT2-9', supplier_sku: 'S-GT2-9', quantity: 2, cost: 389.5 }, { sku: 'PROV1', supplier_sku: 'S-PROV1', quantity: 4, cost: 34.5 }],
    }, 201);
    poId = created.purchase_order_id;
    poNumber = created.po_number;
    await call(app, shop.adminKey, 'PUT', `/api/v2/purchase_orders/${poId}`, {
      supplier_id: shop.supplierId, warehouse_id: shop.warehouseId, po_number: 'PO-1001', customer_name: 'Pat Golfer', reference_number: 'REF-9',
      products: [{ sku: 'GT2-9', supplier_sku: 'S-GT2-9', quantity: 2, cost: 389.5 }, { sku: 'PROV1', supplier_sku: 'S-PROV1', quantity: 4, cost: 34.5 }],
    }, 200);
    await call(app, shop.adminKey, 'POST', `/api/v2/purchase_orders/${poId}/status`, { status: 'open' }, 200);
    // An X12 set held for PO-REJ (two packs, 4 shipped of 2 ordered), refused whole when PO-REJ is created.
    const held856 = ['ST*856*0001', 'BSN*00*REJ*20261121*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', 'PRF*PO-REJ',
      'HL*3*2*P', 'MAN*CP*1Z999AA10123456784', 'HL*4*3*I', 'LIN**BP*GT2-9', 'SN1**2*EA',
      'HL*5*2*P', 'MAN*CP*1Z999AA10123456793', 'HL*6*5*I', 'LIN**BP*GT2-9', 'SN1**2*EA', 'SE*17*0001'];
    const edi = 'ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*ACMEGOLF       *261120*1504*U*00401*000000951*0*P*:~'
      + `GS*SH*SUPPLIER*ACMEGOLF*20261120*1504*951*X*004010~${held856.join('~')}~GE*1*951~IEA*1*000000951~`;
    const posted = await postDocument(app, shop.adminKey, edi, { contentType: 'application/edi-x12' });
    expect(posted.statusCode, posted.body).toBe(201);
    await call(app, shop.adminKey, 'POST', '/api/v2/purchase_orders', {
      supplier_id: shop.supplierId, warehouse_id: shop.warehouseId, po_number: 'PO-REJ', products: [{ sku: 'GT2-9', quantity: 2, cost: 389.5 }],
    }, 201);
    await supplierUpdates([
      { type: 'order', po_number: 'PO-1001', supplier_order_id: 'FD123456', supplier_name: 'Acushnet', status: 'confirmed' },
    ]);
    await supplierUpdates([
      { type: 'shipment', po_number: 'PO-1001', supplier_order_id: 'FD123456', tracking_number: TRACKING, shipped_date: '2026-11-20T15:04:00Z' },
    ]);
    await supplierUpdates([{ type: 'tracking_event', po_number: 'PO-1001', tracking_number: TRACKING, status: 'delivered',
      message: 'Delivered', location: 'Carlsbad, CA', timestamp: '2026-11-24T10:12:00-08:00' }]);
    const invoice = { type: 'invoice', po_number: 'PO-1001', supplier_order_id: 'FD123456', invoice_number: '12345678',
      invoice_date: '2026-11-20', due_date: '2027-01-19', payment_terms: 'Net 60 Days', subtotal_amount: 917, tax_amount: 0,
      shipping_amount: 0, total_amount: 917, currency: 'USD', status: 'open' };
    await supplierUpdates([invoice]);
    await supplierUpdates([{ ...invoice, status: 'paid' }]);
    await supplierUpdates([{ type: 'order', po_number: 'PO-404', supplier_order_id: 'FD9', supplier_name: 'Acushnet', status: 'confirmed' }]);
    const connection = await createConnection(db, TEST_CONFIG.secret, shop.retailerId, {
      kind: 'shipstation', name: 'ss', base_url: 'http://127.0.0.1:9', credentials: { api_key: 'k' }, schedule_minutes: 15, enabled: true,
    });
    if (!connection.ok) throw new Error('connection');
    const started = await startRun(db, connection.connection.id, { full: false });
    if (!started.ok) throw new Error('run');
    const run = { runId: started.run.id };
    await finishRun(db, run.runId, { status: 'failed', counts: { fetched: 0, created: 0, updated: 0, unchanged: 0, failed: 0 }, error: 'upstream 503' });
    // Supplier documents call recordEvent in their transaction; the event is the same whoever writes it.
    await db.transaction().execute((trx) => recordEvent(trx, shop.retailerId, 'supplier_document.processed',
      { document_id: 'sdoc_1', summary: { applied: 1 } }));

    const feed = await readFeed(app, shop.readKey);
    const types = feed.map((e) => e.type);
    expect(new Set(types)).toEqual(new Set(EVENT_TYPES));
    expect(types.slice(0, 3)).toEqual(['purchase_order.created', 'purchase_order.updated', 'purchase_order.lifecycle_status_changed']);

    const byType = (type: string) => feed.filter((e) => e.type === type);
    expect(byType('purchase_order.updated')[0].data.changed_fields).toEqual(expect.arrayContaining(['customer_name', 'reference_number']));
    expect(byType('purchase_order.lifecycle_status_changed')[0].data).toMatchObject({ po_number: 'PO-1001', previous_status: 'draft', status: 'open' });
    expect(byType('shipment.created')[0].data.shipment).toMatchObject({ tracking_number: TRACKING, carrier: expect.any(String) });
    expect(byType('shipment.created')[0].data.shipment.items.length).toBeGreaterThan(0);
    expect(byType('shipment.updated')[0].data.shipment.latest_checkpoint).toMatchObject({ message: 'Delivered', location: 'Carlsbad, CA' });
    const statusChanges = byType('purchase_order.status_changed').map((e) => e.data.status);
    expect(statusChanges.at(-1)).toBe('delivered');
    expect(byType('item.status_changed')[0].data.item.product_details.sku).toBeDefined();
    expect(byType('invoice.created')[0].data.invoice).toMatchObject({ invoice_number: '12345678', status: 'open' });
    expect(byType('invoice.updated')[0].data.invoice).toMatchObject({ invoice_number: '12345678', status: 'paid' });
    expect(byType('supplier_update.unmatched').at(-1)!.data).toMatchObject({ po_number: 'PO-404', update: expect.objectContaining({ supplier_order_id: 'FD9' }) });
    expect(byType('sync_run.failed')[0].data).toEqual({ connection_id: connection.connection.id, run_id: run.runId, error: 'upstream 503' });
    expect(byType('supplier_document.processed').find((e) => e.data.document_id === 'sdoc_1')!.data)
      .toEqual({ document_id: 'sdoc_1', summary: { applied: 1 } });
    expect(byType('supplier_update.rejected').map((e) => e.data)).toEqual([1, 2].map(() => expect.objectContaining({
      po_number: 'PO-REJ', document_id: posted.json().document_id, reason: expect.stringMatching(/^ST 0001 \(856\) rejected: SN102 /),
    })));

    // data.purchase_order is the v2 record after the change, exactly as by-po returns it now (the last PO event).
    const byPo = await call(app, shop.readKey, 'GET', '/api/v2/orders/by-po/PO-1001', undefined, 200);
    const lastPoEvent = feed.filter((e) => e.data.purchase_order).at(-1);
    expect(lastPoEvent.data.purchase_order).toEqual(byPo.data[0]);
    expect(byType('purchase_order.created')[0].data.purchase_order.status).toBe('pending');
    for (const event of feed) {
      expect(event.id).toMatch(/^evt_/);
      expect(event.created_at).toMatch(/^\d{4}-\d\d-\d\dT.*\+00:00$/);
    }

    // The receiver got each one, verified with the endpoint's secret, webhook-id = event id; the same events.
    // (At least once: on a loaded machine an attempt can time out after the receiver got it, and is sent again.)
    await expect.poll(() => new Set(receiver.received.map((r) => r.id)).size, { timeout: 10_000 }).toBe(feed.length);
    const received = receiver.received;
    expect(receiver.unverified).toEqual([]);
    expect(new Set(received.map((r) => r.id))).toEqual(new Set(feed.map((e) => e.id)));
    for (const r of received) expect(r.event.id).toBe(r.id);
    expect(received.find((r) => r.event.type === 'purchase_order.created')!.event)
      .toEqual(feed.find((e) => e.type === 'purchase_order.created'));
  });

  it('GET /api/v2/events/:id gives one event; another retailer sees none of them', async () => {
    const [first] = await readFeed(app, shop.readKey);
    expect(await call(app, shop.readKey, 'GET', `/api/v2/events/${first.id}`, undefined, 200)).toEqual(first);
    const missing = await call(app, other.readKey, 'GET', `/api/v2/events/${first.id}`, undefined, 404);
    expect(missing.error).toBe('not_found');
    await call(app, shop.readKey, 'GET', '/api/v2/events/evt_nope', undefined, 404);
    expect(await readFeed(app, other.readKey)).toEqual([]);
    const afterTheirs = await call(app, other.readKey, 'GET', `/api/v2/events?after=${first.id}`, undefined, 400);
    expect(afterTheirs.details[0].field).toBe('query.after');
  });

  it('a rolled-back transaction leaves no event and no delivery; an unchanged update emits nothing', async () => {
    const countEvents = async () => Number((await db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const countDeliveries = async () =>
      Number((await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const [events, deliveries] = [await countEvents(), await countDeliveries()];
    await expect(createPurchaseOrder(db, { id: shop.retailerId, timezone: 'UTC' }, {
      supplier_id: shop.supplierId, warehouse_id: shop.warehouseId, po_number: 'PO-ROLLBACK',
      products: [{ sku: 'X', quantity: 1, cost_cents: 100 }],
    } as never, async () => {
      throw new Error('fails after the PO and its event were written');
    })).rejects.toThrow('fails after');
    expect(await countEvents()).toBe(events);
    expect(await countDeliveries()).toBe(deliveries);
    await call(app, shop.readKey, 'GET', '/api/v2/orders/by-po/PO-ROLLBACK', undefined, 404);

    const again = await call(app, shop.adminKey, 'POST', '/api/v2/supplier_updates', { updates: [
      { type: 'tracking_event', po_number: 'PO-1001', tracking_number: TRACKING, status: 'delivered',
        message: 'Delivered', location: 'Carlsbad, CA', timestamp: '2026-11-24T10:12:00-08:00' },
    ] }, 200);
    expect(again.results[0].result).toBe('unchanged');
    // The same header again through the lifecycle API: nothing a reader sees changes.
    await call(app, shop.adminKey, 'POST', `/api/v2/purchase_orders/${poId}/shipping_details`, { reference_number: 'REF-9' }, 200);
    expect(await countEvents()).toBe(events);
  });

  it('keeps events 30 days: the retention job prunes older ones and their finished deliveries', async () => {
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    const id = await db.transaction().execute((trx) =>
      recordEvent(trx, shop.retailerId, 'sync_run.failed', { connection_id: 'c', run_id: 'r-old', error: null }, old));
    await db.updateTable('webhook_deliveries').set({ status: 'succeeded' }).where('event_id', '=', id).execute();
    await call(app, shop.readKey, 'GET', `/api/v2/events/${id}`, undefined, 200);
    expect(await pruneEvents(db)).toBe(1);
    await call(app, shop.readKey, 'GET', `/api/v2/events/${id}`, undefined, 404);
    expect(await db.selectFrom('webhook_deliveries').select('id').where('event_id', '=', id).execute()).toEqual([]);
    expect(await pruneEvents(db)).toBe(0);
  });

  it('pages with after/limit, filters by type, and names the bad field', async () => {
    const all = await readFeed(app, shop.readKey, '', 500);
    expect(await readFeed(app, shop.readKey, '', 1)).toEqual(all);
    const shipments = await readFeed(app, shop.readKey, '&type=shipment.created,shipment.updated', 1);
    expect(shipments.map((e) => e.type)).toEqual(all.filter((e) => e.type.startsWith('shipment.')).map((e) => e.type));
    const bad = async (query: string, field: string) => {
      const body = await call(app, shop.readKey, 'GET', `/api/v2/events?${query}`, undefined, 400);
      expect(body.error).toBe('validation_failed');
      expect(body.details.map((d: { field: string }) => d.field)).toContain(field);
    };
    await bad('limit=0', 'query.limit');
    await bad('limit=501', 'query.limit');
    await bad('limit=abc', 'query.limit');
    await bad('type=purchase_order.exploded', 'query.type');
    await bad('type=ping', 'query.type');
    await bad('after=evt_unknown', 'query.after');
    await bad('colour=red', 'query.colour');
    await call(app, 'pk_live_nope', 'GET', '/api/v2/events', undefined, 401);
    expect(poNumber).toBe('PO-1001');
    expect(await feedTypes()).toEqual(all.map((e) => e.type));
  });
});

// Every change of a PO's v2 record that a reader would notice has its event (DESIGN 4b), including changes of an
// item that are not its status (a line replaced, renamed or repriced, an estimated delivery date from the supplier
// or the shipment) and a move between processing and backorder (v2 shows both as `processing`); a write that
// changes nothing has none. Each event's data.purchase_order is what by-po returns after the write.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { TestDatabases } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';
import { call, makeShop, readFeed, type Shop } from './support.ts';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('events for item changes on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let shop: Shop;

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    shop = await makeShop(db, 'fairway');
    app = await buildApp({ config: TEST_CONFIG, db, logger: false, webhooks: { allowPrivate: true } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a write that changes the record has an event naming what changed; one that changes nothing has none', async () => {
    const products = [{ sku: 'A', quantity: 2, cost: 10 }, { sku: 'B', quantity: 1, cost: 5 }];
    const header = { supplier_id: shop.supplierId, warehouse_id: shop.warehouseId, po_number: 'PO-ITEMS' };
    const { purchase_order_id: id } = await call(app, shop.adminKey, 'POST', '/api/v2/purchase_orders', { ...header, products }, 201);
    const supplier = (update: Record<string, unknown> & { type: string }) => call(app, shop.adminKey, 'POST', '/api/v2/supplier_updates', { updates: [{
      po_number: 'PO-ITEMS', supplier_order_id: 'SO1', ...(update.type === 'order' ? { supplier_name: 'Acushnet' } : {}), ...update,
    }] }, 200);
    const put = (lines: object[]) => call(app, shop.adminKey, 'PUT', `/api/v2/purchase_orders/${id}`, { ...header, products: lines }, 200);

    let seen = (await readFeed(app, shop.readKey, '', 500)).length;
    let record = (await call(app, shop.readKey, 'GET', '/api/v2/orders/by-po/PO-ITEMS', undefined, 200)).data[0];
    /** Runs a write; returns its events (and checks each carries the record by-po returns now). */
    const eventsOf = async (write: () => Promise<unknown>) => {
      await write();
      const feed = await readFeed(app, shop.readKey, '', 500);
      const events = feed.slice(seen);
      seen = feed.length;
      const now = (await call(app, shop.readKey, 'GET', '/api/v2/orders/by-po/PO-ITEMS', undefined, 200)).data[0];
      const strip = ({ updated_at: _u, ...rest }: Record<string, unknown>) => rest;
      // The whole kind: the record changed (beyond updated_at) exactly when the write has an event.
      expect(events.length > 0, JSON.stringify(events.map((e) => e.type))).toBe(JSON.stringify(strip(record)) !== JSON.stringify(strip(now)));
      for (const event of events) expect(event.data.purchase_order).toEqual(now);
      record = now;
      return events.map((e) => [e.type, e.data.changed_fields ?? [e.data.previous_status, e.data.status, e.data.backordered]]);
    };

    expect(await eventsOf(() => put(products))).toEqual([]);
    // A line replaced (same quantity and total), renamed, repriced with the same total: items changed.
    expect(await eventsOf(() => put([{ sku: 'A2', quantity: 2, cost: 10 }, products[1]]))).toEqual([['purchase_order.updated', ['items']]]);
    expect(await eventsOf(() => put([{ sku: 'A2', product_name: 'Driver', quantity: 2, cost: 10 }, products[1]])))
      .toEqual([['purchase_order.updated', ['items']]]);
    expect(await eventsOf(() => put([{ sku: 'A2', product_name: 'Driver', quantity: 1, cost: 20 }, { sku: 'B', quantity: 2, cost: 2.5 }])))
      .toEqual([['purchase_order.updated', ['items']]]);
    expect(await eventsOf(() => put([{ sku: 'A2', product_name: 'Driver', quantity: 1, cost: 20 }]))).toEqual([
      ['purchase_order.updated', ['total', 'quantity', 'items']]]);
    await call(app, shop.adminKey, 'POST', `/api/v2/purchase_orders/${id}/status`, { status: 'open' }, 200);
    seen = (await readFeed(app, shop.readKey, '', 500)).length;
    record = (await call(app, shop.readKey, 'GET', '/api/v2/orders/by-po/PO-ITEMS', undefined, 200)).data[0];

    expect(await eventsOf(() => supplier({ type: 'order', status: 'processing' }))).toEqual([
      ['purchase_order.status_changed', ['submitted', 'processing', undefined]],
      ['item.status_changed', ['submitted', 'processing', false]],
    ]);
    // The supplier's new estimated delivery date: the item changed, its status did not.
    expect(await eventsOf(() => supplier({ type: 'order', status: 'processing', estimated_delivery_date: '2026-12-20' })))
      .toEqual([['purchase_order.updated', ['items']]]);
    expect(await eventsOf(() => supplier({ type: 'order', status: 'processing', estimated_delivery_date: '2026-12-20' }))).toEqual([]);
    // Back-ordered: v2 says processing before and after, the line's fulfilment status moved.
    const backordered = await eventsOf(() => supplier({ type: 'order', status: 'backorder', estimated_delivery_date: '2026-12-20' }));
    expect(backordered).toContainEqual(['item.status_changed', ['processing', 'processing', true]]);
    expect(await eventsOf(() => supplier({ type: 'shipment', tracking_number: '1Z999AA10123456784', shipped_date: '2026-11-20T15:04:00Z' })))
      .toEqual(expect.arrayContaining([['shipment.created', [undefined, undefined, undefined]]]));
    // The shipment's new estimated delivery date shows on the item only.
    expect(await eventsOf(() => supplier({ type: 'shipment', tracking_number: '1Z999AA10123456784', shipped_date: '2026-11-20T15:04:00Z',
      estimated_delivery_date: '2026-11-28' }))).toEqual([['purchase_order.updated', ['items']]]);
  });
});

// Held supplier updates are bounded (issue 9) on SQLite and PostgreSQL: over HELD_UPDATE_LIMIT an update for an
// unknown PO number is rejected with the reason (nothing held is dropped to make room, the batch's other updates
// apply); after HELD_UPDATE_DAYS a held update expires, is listed as expired by GET /api/v2/supplier_updates/held
// and is no longer applied; sent again, it is held again.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import type { Db } from '../src/db/database.ts';
import { createApiKey } from '../src/store/api-keys.ts';
import { expireHeldSupplierUpdates } from '../src/store/held-supplier-updates.ts';
import { ensureRetailer } from '../src/store/retailers.ts';
import { ensureSupplier } from '../src/store/suppliers.ts';
import { ensureWarehouse } from '../src/store/warehouses.ts';
import { expectError, expectValidationError } from './support/contract.ts';
import { TestDatabases } from './support/test-database.ts';
import { TEST_CONFIG } from './support/world.ts';

const databases = TestDatabases.create();
const LIMIT = 3;
const DAYS = 10;

describe.each(databases.eachSupportedId())('held supplier updates: limit and expiry on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let writeKey: string;
  let readKey: string;
  let otherKey: string;
  let supplierId: string;
  let warehouseId: string;

  const order = (poNumber: string, status = 'confirmed') =>
    ({ type: 'order', po_number: poNumber, supplier_order_id: `SO-${poNumber}`, supplier_name: 'Acushnet', status });
  const send = async (updates: unknown[]) => {
    const response = await app.inject({ method: 'POST', url: '/api/v2/supplier_updates', payload: { updates }, headers: { 'x-api-key': writeKey } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().results as { result: string; reason: string | null }[];
  };
  const listHeld = async (query = '', key = readKey) => {
    const response = await app.inject({ method: 'GET', url: `/api/v2/supplier_updates/held${query}`, headers: { 'x-api-key': key } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const createPo = async (poNumber: string) => {
    const response = await app.inject({
      method: 'POST', url: '/api/v2/purchase_orders', headers: { 'x-api-key': writeKey },
      payload: { supplier_id: supplierId, warehouse_id: warehouseId, po_number: poNumber, products: [{ sku: 'A-1', supplier_sku: 'S-A-1', quantity: 1, cost: 5 }] },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().purchase_order_id as string;
  };
  const lineStatus = async (poId: string) =>
    (await db.selectFrom('po_lines').select('fulfilment_status').where('po_id', '=', poId).executeTakeFirstOrThrow()).fulfilment_status;

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    const { retailer } = await ensureRetailer(db, 'held');
    writeKey = (await createApiKey(db, retailer.id, 'writer', ['write'])).secret;
    readKey = (await createApiKey(db, retailer.id, 'reader', ['read'])).secret;
    const { retailer: other } = await ensureRetailer(db, 'other');
    otherKey = (await createApiKey(db, other.id, 'other', ['read', 'write'])).secret;
    supplierId = await ensureSupplier(db, retailer.id, { name: 'Acushnet' });
    warehouseId = await ensureWarehouse(db, retailer.id, { name: 'Main', address: null, locations: [] });
    app = await buildApp({ config: { ...TEST_CONFIG, heldUpdateLimit: LIMIT, heldUpdateDays: DAYS }, db, logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a held update sent again is the latest held: a correction back ends on the last word, sent apart or in one batch', async () => {
    const eta = (poNumber: string, date: string) => ({ ...order(poNumber), estimated_delivery_date: date });
    const etaOf = async (poId: string) =>
      (await db.selectFrom('po_lines').select('estimated_delivery_date').where('po_id', '=', poId).executeTakeFirstOrThrow()).estimated_delivery_date;
    // (Each PO is created before the next is held: HELD_UPDATE_LIMIT is 3 here.)
    for (const date of ['2026-12-01', '2026-12-15', '2026-12-01']) expect((await send([eta('BACK-1', date)]))[0].result).toBe('unmatched');
    expect(await etaOf(await createPo('BACK-1'))).toBe('2026-12-01');
    expect((await send([eta('BACK-2', '2026-12-01'), eta('BACK-2', '2026-12-15'), eta('BACK-2', '2026-12-01')])).map((r) => r.result))
      .toEqual(['unmatched', 'unmatched', 'unmatched']);
    expect(await etaOf(await createPo('BACK-2'))).toBe('2026-12-01');
  });

  it('rejects updates over HELD_UPDATE_LIMIT with the reason, keeps those held, and still applies matched ones', async () => {
    const known = await createPo('KNOWN-1');
    const results = await send([order('U-1'), order('U-2'), order('U-3'), order('U-4'), order('KNOWN-1')]);
    expect(results.map((r) => r.result)).toEqual(['unmatched', 'unmatched', 'unmatched', 'rejected', 'applied']);
    expect(results[3].reason).toMatch(/HELD_UPDATE_LIMIT/);
    expect(results[3].reason).toMatch(/3 updates/);
    expect(await lineStatus(known)).toBe('confirmed');
    const held = await listHeld();
    expect(held.data.map((u: any) => [u.po_number, u.status, u.type])).toEqual([['U-1', 'held', 'order'], ['U-2', 'held', 'order'], ['U-3', 'held', 'order']]);
    expect(held.meta).toEqual({ total: 3, page: 1, limit: 100, has_more: false });
    // Sending a held one again is no new hold; applying one makes room.
    expect((await send([order('U-1')]))[0].result).toBe('unmatched');
    await createPo('U-1');
    expect((await send([order('U-4')]))[0].result).toBe('unmatched');
    expect((await listHeld('?status=held')).data.map((u: any) => u.po_number)).toEqual(['U-2', 'U-3', 'U-4']);
  });

  it('a draft PO takes supplier updates; opening it later submits only its still-pending lines (README "Supplier updates")', async () => {
    const created = await app.inject({
      method: 'POST', url: '/api/v2/purchase_orders', headers: { 'x-api-key': writeKey },
      payload: { supplier_id: supplierId, warehouse_id: warehouseId, po_number: 'DRAFT-1',
        products: [{ sku: 'A-1', quantity: 1, cost: 5 }, { sku: 'B-2', quantity: 1, cost: 5 }] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const poId = created.json().purchase_order_id as string;
    const statuses = async () => Object.fromEntries((await db.selectFrom('po_lines').select(['sku', 'fulfilment_status'])
      .where('po_id', '=', poId).execute()).map((l) => [l.sku, l.fulfilment_status]));
    const results = await send([{ ...order('DRAFT-1'), lines: [{ sku: 'A-1', quantity: 1 }] }]);
    expect(results.map((r) => r.result)).toEqual(['applied']);
    expect(await statuses()).toEqual({ 'A-1': 'confirmed', 'B-2': 'pending' });
    const opened = await app.inject({ method: 'POST', url: `/api/v2/purchase_orders/${poId}/status`, headers: { 'x-api-key': writeKey }, payload: { status: 'open' } });
    expect(opened.statusCode, opened.body).toBe(200);
    expect(await statuses()).toEqual({ 'A-1': 'confirmed', 'B-2': 'submitted' });
  });

  it('expires a held update after HELD_UPDATE_DAYS: listed with the time, no longer applied, held again when resent', async () => {
    const longAgo = new Date(Date.now() - (DAYS + 1) * 86_400_000).toISOString();
    await db.updateTable('held_supplier_updates').set({ received_at: longAgo }).where('po_number', '=', 'U-2').execute();
    const expired = await listHeld('?status=expired');
    expect(expired.data).toHaveLength(1);
    expect(expired.data[0]).toMatchObject({ po_number: 'U-2', status: 'expired', update: order('U-2') });
    expect(Date.parse(expired.data[0].expired_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(Date.parse(expired.data[0].expires_at)).toBe(Date.parse(expired.data[0].expired_at));
    const stillHeld = (await listHeld('?status=held')).data;
    expect(stillHeld.map((u: any) => u.po_number)).toEqual(['U-3', 'U-4']);
    expect(Date.parse(stillHeld[0].expires_at) - Date.parse(stillHeld[0].received_at)).toBe(DAYS * 86_400_000);
    // The PO appears: the expired update is not applied, and stays listed as expired.
    const po = await createPo('U-2');
    expect(await lineStatus(po)).toBe('pending');
    expect((await listHeld('?po_number=U-2')).data.map((u: any) => u.status)).toEqual(['expired']);
    // It no longer counts against the limit; sent again for a number still unknown it is held afresh.
    await db.updateTable('held_supplier_updates').set({ received_at: longAgo }).where('po_number', '=', 'U-3').execute();
    await expireHeldSupplierUpdates(db, new Date(), DAYS);
    expect((await send([order('U-3')]))[0].result).toBe('unmatched');
    expect((await listHeld('?po_number=U-3')).data.map((u: any) => u.status)).toEqual(['held']);
    // Trimmed, as PO numbers are everywhere.
    expect((await listHeld('?po_number=%20U-3%20')).data.map((u: any) => u.status)).toEqual(['held']);
  });

  it('deletes expired updates 30 days after they expired', async () => {
    const old = new Date(Date.now() - 31 * 86_400_000).toISOString();
    await db.updateTable('held_supplier_updates').set({ expired_at: old }).where('po_number', '=', 'U-2').execute();
    await expireHeldSupplierUpdates(db, new Date(), DAYS);
    expect((await listHeld('?po_number=U-2')).data).toEqual([]);
  });

  it('lists only the caller\'s held updates, needs the read scope, and names bad query fields', async () => {
    expect((await listHeld('', otherKey)).data).toEqual([]);
    const response = await app.inject({ method: 'GET', url: '/api/v2/supplier_updates/held', headers: { 'x-api-key': writeKey } });
    expectError(response, 403, 'forbidden');
    const bad = await app.inject({ method: 'GET', url: '/api/v2/supplier_updates/held?status=gone', headers: { 'x-api-key': readKey } });
    const body = expectValidationError(bad, 'query.status');
    expect(body.details).toEqual([{ field: 'query.status', message: 'must be one of "held", "expired", "rejected"' }]);
    const page = await listHeld('?limit=1&page=2');
    expect(page.meta).toMatchObject({ page: 2, limit: 1, has_more: page.meta.total > 2 });
    expect(page.data).toHaveLength(1);
  });

  it('lists one PO number\'s held updates oldest first, paged, with their total and the status filter', async () => {
    // Another retailer, so this one's limit of 3 is free; one request per update, so each has its own received_at.
    const sendOther = async (update: unknown) => {
      const response = await app.inject({ method: 'POST', url: '/api/v2/supplier_updates', payload: { updates: [update] }, headers: { 'x-api-key': otherKey } });
      expect(response.json().results[0].result, response.body).toBe('unmatched');
    };
    await sendOther(order('MULTI-1', 'confirmed'));
    await sendOther(order('OTHER-1', 'confirmed'));
    await sendOther(order('MULTI-1', 'backorder'));
    const list = async (query: string) => {
      const response = await app.inject({ method: 'GET', url: `/api/v2/supplier_updates/held${query}`, headers: { 'x-api-key': otherKey } });
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    };
    const first = await list('?po_number=MULTI-1&limit=1');
    expect(first.meta).toEqual({ total: 2, page: 1, limit: 1, has_more: true });
    expect(first.data.map((u: any) => u.update.status)).toEqual(['confirmed']);
    const second = await list('?po_number=MULTI-1&limit=1&page=2');
    expect(second.meta).toEqual({ total: 2, page: 2, limit: 1, has_more: false });
    expect(second.data.map((u: any) => u.update.status)).toEqual(['backorder']);
    expect((await list('?po_number=MULTI-1&status=expired')).meta.total).toBe(0);
    expect((await list('?po_number=MULTI-1&status=held')).data.map((u: any) => u.update.status)).toEqual(['confirmed', 'backorder']);
  });
});

// Helpers of the supplier-document tests: posting a file as a supplier would, POs to apply it to, and counts of
// what applying wrote.
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { insertPurchaseOrders, supplierNamesOf } from '../../src/store/purchase-orders.ts';
import { buildPo, type LineInput } from './fixtures.ts';
import type { TestDatabaseId, TestDatabases } from './test-database.ts';
import { createWorld, type World } from './world.ts';

export interface PostOptions {
  contentType?: string | null;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

export function postDocument(app: FastifyInstance, key: string | null, body: string | Buffer, options: PostOptions = {}) {
  const contentType = options.contentType === undefined ? 'text/csv' : options.contentType;
  const query = new URLSearchParams(options.query ?? {}).toString();
  return app.inject({
    method: 'POST', url: `/api/v2/supplier_documents${query ? `?${query}` : ''}`,
    payload: typeof body === 'string' ? Buffer.from(body) : body,
    headers: {
      ...(key === null ? {} : { 'x-api-key': key }),
      ...(contentType === null ? {} : { 'content-type': contentType }),
      ...options.headers,
    },
  });
}

/** Posts an X12 file (`application/edi-x12`) as a supplier's feed does; expects a new document (201) and returns it. */
export async function postX12(app: FastifyInstance, key: string, body: string): Promise<Record<string, any>> {
  const response = await postDocument(app, key, body, { contentType: 'application/edi-x12' });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/** The 997 of a document as its text (`GET …/acknowledgement`: 200, `application/edi-x12`). */
export async function readAcknowledgement(app: FastifyInstance, key: string, documentId: string): Promise<string> {
  const response = await app.inject({ method: 'GET', url: `/api/v2/supplier_documents/${documentId}/acknowledgement`,
    headers: { 'x-api-key': key } });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/edi-x12/);
  return response.body;
}

/** A fresh database of `id` with the contract world, its app, and a write-only key of retailer A (a supplier's feed). */
export async function openDocumentWorld(databases: TestDatabases, id: TestDatabaseId):
  Promise<{ db: Db; world: World; app: FastifyInstance; writeKey: string }> {
  const { db } = await databases.init(id);
  const world = await createWorld(db);
  return { db, world, app: world.app, writeKey: (await createApiKey(db, world.retailerA, 'edi', ['write'])).secret };
}

/** A PO with the given lines (default: two SKUs from `supplierId`, submitted). */
export async function addPo(db: Db, retailerId: string, supplierId: string, poNumber: string, lines?: LineInput[]) {
  const po = buildPo({
    retailer_id: retailerId, po_number: poNumber, order_date: '2026-11-18T17:00:00.000Z', supplier_id: supplierId,
    lines: lines ?? [
      { product_name: 'Titleist GT2 Driver 9', sku: 'TIT-GT2-9', quantity: 2, unit_cost_cents: 50000, status: 'submitted' },
      { product_name: 'Titleist Pro V1 (dozen)', sku: 'TIT-PRO-V1', quantity: 5, unit_cost_cents: 5000, status: 'submitted' },
    ],
  });
  await db.transaction().execute(async (trx) => insertPurchaseOrders(trx, [po], await supplierNamesOf(trx, retailerId)));
  return po;
}

const COUNTED = ['shipments', 'shipment_lines', 'supplier_orders', 'invoices', 'status_events', 'held_supplier_updates',
  'applied_supplier_updates', 'supplier_documents', 'supplier_document_results'] as const;

export async function tableCounts(db: Db): Promise<Record<(typeof COUNTED)[number], number>> {
  const result = {} as Record<(typeof COUNTED)[number], number>;
  for (const table of COUNTED) {
    result[table] = Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  }
  return result;
}

export async function readV2(app: FastifyInstance, key: string, poNumber: string) {
  const response = await app.inject({ method: 'GET', url: `/api/v2/orders/by-po/${encodeURIComponent(poNumber)}`, headers: { 'x-api-key': key } });
  if (response.statusCode !== 200) throw new Error(`by-po ${poNumber}: ${response.statusCode} ${response.body}`);
  return response.json().data[0] as Record<string, any>;
}

// Every 400 for a value of the wrong form names the field in our words, never a schema's regex or Ajv's wording
// (DESIGN 2.2), on SQLite and PostgreSQL: dates in query strings (by-date on v1 and v2, the PO list, supplier
// documents), enums (statuses, formats, payment terms), formats (date-time, email, currency) and patterns in bodies.
// A table of bad values per route: each answer is a 400 naming the field, and no message holds `^`, `$`, `\d`,
// "must match pattern" or Ajv's `must match format`.
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { expectValidationError } from '../support/contract.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld } from '../support/world.ts';
import { supplierUpdateBodies } from '../support/supplier-update-bodies.ts';

const databases = TestDatabases.create();

/** Text a user should never be shown: a regex, or Ajv's own phrasing of a pattern or format. */
const RAW_SCHEMA_WORDING = [/must NOT have/, /properties$/, /\^/, /\$"?$/, /\\d/, /\\S/, /\{\d+(,\d*)?\}/, /must match pattern/, /must match format/, /must match "/,
  /must be a date-time$/, /must be an email$/];

describe.each(databases.eachSupportedId())('field messages on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let key: string;
  let supplierId: string;
  let warehouseId: string;

  const call = (options: InjectOptions) => app.inject({ ...options, headers: { 'x-api-key': key, ...options.headers } });
  const get = (url: string): InjectOptions => ({ method: 'GET', url });
  const post = (url: string, payload: unknown): InjectOptions => ({ method: 'POST', url, payload: payload as object });
  const poBody = (extra: Record<string, unknown> = {}) => ({
    supplier_id: supplierId, warehouse_id: warehouseId, products: [{ sku: 'SKU-1', quantity: 1, cost: 5 }], ...extra,
  });
  const { order, shipment, invoice } = supplierUpdateBodies('PO-MSG');

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    const world = await createWorld(db);
    app = world.app;
    key = world.keys.aAll;
    supplierId = (await call(post('/api/v2/suppliers', { name: 'Messages Supplier' }))).json().supplier_id;
    warehouseId = (await call(post('/api/v2/warehouses', { name: 'Messages Warehouse' }))).json().warehouse_id;
  });
  afterAll(async () => {
    await app?.close();
  });

  /** [route, field named in the 400, the request, what the message must say]. */
  const cases: [string, string, () => InjectOptions, RegExp][] = [
    ...(['v1', 'v2'] as const).flatMap((v): [string, string, () => InjectOptions, RegExp][] => [
      [`GET /api/${v}/orders/by-date`, 'query.start_date', () => get(`/api/${v}/orders/by-date?start_date=20261101`),
        /^"20261101" is not a calendar date \(YYYY-MM-DD\)$/],
      [`GET /api/${v}/orders/by-date`, 'query.start_date', () => get(`/api/${v}/orders/by-date?start_date=2026-11-01T00:00:00Z`),
        /is not a calendar date \(YYYY-MM-DD\)/],
      [`GET /api/${v}/orders/by-date`, 'query.start_date', () => get(`/api/${v}/orders/by-date?start_date=2026-02-30`),
        /^"2026-02-30" is not a calendar date \(YYYY-MM-DD\)$/],
      [`GET /api/${v}/orders/by-date`, 'query.end_date', () => get(`/api/${v}/orders/by-date?start_date=2026-11-01&end_date=11%2F30%2F2026`),
        /^"11\/30\/2026" is not a calendar date \(YYYY-MM-DD\)$/],
    ]),
    ['GET /api/v2/purchase_orders', 'query.create_date_start', () => get('/api/v2/purchase_orders?create_date_start=yesterday'), /RFC 3339/],
    ['GET /api/v2/purchase_orders', 'query.create_date_start', () => get('/api/v2/purchase_orders?create_date_start=20261101'), /RFC 3339/],
    ['GET /api/v2/purchase_orders', 'query.modify_date_start', () => get('/api/v2/purchase_orders?modify_date_start=2026-13-01'), /RFC 3339/],
    ['GET /api/v2/purchase_orders', 'query.status', () => get('/api/v2/purchase_orders?status=shipped'), /must be one of "draft"/],
    ['GET /api/v2/supplier_documents', 'query.received_since', () => get('/api/v2/supplier_documents?received_since=last%20week'), /RFC 3339/],
    ['GET /api/v2/supplier_documents', 'query.received_since', () => get('/api/v2/supplier_documents?received_since=2026-11-31'), /2026-11-31 is not a calendar date/],
    ['GET /api/v2/supplier_documents', 'query.received_since', () => get(`/api/v2/supplier_documents?received_since=${'x'.repeat(300)}%1B`),
      /^"x{60}… \(301 characters\)" is not an RFC 3339 date-time/],
    ['GET /api/v2/supplier_documents', 'query.status', () => get('/api/v2/supplier_documents?status=done'), /must be one of "processing", "processed", "failed"/],
    ['GET /api/v2/supplier_documents', 'query.format', () => get('/api/v2/supplier_documents?format=edi'), /must be one of "x12", "csv"/],
    ['POST /api/v2/supplier_documents', 'query.format', () => ({ method: 'POST', url: '/api/v2/supplier_documents?format=pdf',
      payload: 'PO #\r\n', headers: { 'content-type': 'text/csv' } }), /must be one of "x12", "csv"/],
    ['GET /api/v2/supplier_updates/held', 'query.status', () => get('/api/v2/supplier_updates/held?status=waiting'), /must be one of "held", "expired", "rejected"/],
    ['GET /api/v2/events', 'query.after', () => get('/api/v2/events?after=not-an-event'), /no event "not-an-event"/],
    ['GET /api/v2/events', 'query.type', () => get('/api/v2/events?type=po.nothing'), /unknown event type "po.nothing"/],
    ['POST /api/v2/purchase_orders', 'body.order_date', () => post('/api/v2/purchase_orders', poBody({ order_date: 'tomorrow' })), /RFC 3339/],
    ['POST /api/v2/purchase_orders', 'body.request_date', () => post('/api/v2/purchase_orders', poBody({ request_date: '2026-02-30T10:00:00Z' })), /RFC 3339|calendar date/],
    ['POST /api/v2/purchase_orders', 'body.expected_delivery_date', () => post('/api/v2/purchase_orders', poBody({ expected_delivery_date: '15/06/2027' })),
      /date/],
    ['POST /api/v2/purchase_orders', 'body.currency_code', () => post('/api/v2/purchase_orders', poBody({ currency_code: 'ZZZ' })), /ISO 4217/],
    ['POST /api/v2/purchase_orders', 'body.customer_email', () => post('/api/v2/purchase_orders', poBody({ customer_email: 'not an email' })),
      /email address/],
    ['POST /api/v2/purchase_orders', 'body.payment_terms', () => post('/api/v2/purchase_orders', poBody({ payment_terms: 'whenever' })), /must be one of/],
    ['POST /api/v2/purchase_orders', 'body.payment_status', () => post('/api/v2/purchase_orders', poBody({ payment_status: 'maybe' })), /must be one of "none"/],
    ['POST /api/v2/purchase_orders', 'body.po_number', () => post('/api/v2/purchase_orders', poBody({ po_number: '   ' })), /must not be blank/],
    ['POST /api/v2/purchase_orders/:id/status', 'body.status', () => post('/api/v2/purchase_orders/po_none/status', { status: 'shipped' }),
      /must be one of "draft"/],
    ['POST /api/v2/purchase_orders/:id/receives', 'body.product_receives[0].expiration_date',
      () => post('/api/v2/purchase_orders/po_none/receives', { product_receives: [{ sku: 'S', expiration_date: 'soon' }] }), /date/],
    ['POST /api/v2/suppliers', 'body.contact_email', () => post('/api/v2/suppliers', { name: 'Mail Co', contact_email: 'mail.co' }), /email address/],
    ['POST /api/v2/connections', 'body.kind', () => post('/api/v2/connections', { kind: 'amazon', name: 'C', credentials: {} }),
      /must be one of "shipstation", "stocky"/],
    ['PATCH /api/v2/connections/:id', 'body', () => ({ method: 'PATCH', url: '/api/v2/connections/conn_none', payload: {} }),
      /^must hold at least one field \(name, base_url, credentials, schedule_minutes, enabled\)$/],
    ['PATCH /api/v2/webhook_endpoints/:id', 'body', () => ({ method: 'PATCH', url: '/api/v2/webhook_endpoints/we_none', payload: {} }),
      /^must hold at least one field \(url, enabled_events, description, enabled\)$/],
    ['POST /api/v2/purchase_orders/:id/shipping_details', 'body', () => post('/api/v2/purchase_orders/po_none/shipping_details', {}),
      /^must hold at least one field \(shipping_carrier, payment_terms/],
    ['POST /api/v2/supplier_updates', 'body.updates[0].status', () => post('/api/v2/supplier_updates', order({ status: 'lost' })), /must be one of/],
    ['POST /api/v2/supplier_updates', 'body.updates[0].type', () => post('/api/v2/supplier_updates', order({ type: 'refund' })), /must be one of|type/],
    ['POST /api/v2/supplier_updates', 'body.updates[0].carrier', () => post('/api/v2/supplier_updates', shipment({ carrier: 'U P S!' })), /carrier code/],
    ['POST /api/v2/supplier_updates', 'body.updates[0].estimated_delivery_date',
      () => post('/api/v2/supplier_updates', shipment({ estimated_delivery_date: '2026/11/25' })), /date/],
    ['POST /api/v2/supplier_updates', 'body.updates[0].currency', () => post('/api/v2/supplier_updates', invoice({ currency: 'US$' })), /ISO 4217/],
    // The invoice's sum is checked exactly and shown with the decimals it has (at least two).
    ['POST /api/v2/supplier_updates', 'body.updates[0].total_amount',
      () => post('/api/v2/supplier_updates', invoice({ subtotal_amount: 10, tax_amount: 1.5, total_amount: 12 })),
      /^must equal subtotal_amount \+ tax_amount \+ shipping_amount \(11\.50\), not 12$/],
    // JSON numbers with hundreds of decimals (5e-324 is the smallest double): named, never a 500 (Number#toFixed
    // takes at most 100 digits and threw while the sum was shown), with a currency and with an unknown one.
    ...[5e-324, 1e-101, 1e-7].map((tiny): [string, string, () => InjectOptions, RegExp] => ['POST /api/v2/supplier_updates',
      'body.updates[0].tax_amount', () => post('/api/v2/supplier_updates', invoice({ tax_amount: tiny })), /at most 2 decimals \(USD\)/]),
    ['POST /api/v2/supplier_updates', 'body.updates[0].currency',
      () => post('/api/v2/supplier_updates', invoice({ tax_amount: 5e-324, currency: 'XYZ' })), /ISO 4217/],
    // Without a currency the decimals wait for the PO's, but what no currency can hold is refused at once, named
    // itself (the sum, which it would fault, is not checked: its message would blame total_amount).
    ['POST /api/v2/supplier_updates', 'body.updates[0].subtotal_amount',
      () => post('/api/v2/supplier_updates', invoice({ subtotal_amount: 5e-324, total_amount: 1, currency: undefined })),
      /^must have at most 3 decimals, the most any currency has$/],
  ];

  it.each(cases)('%s: a bad %s is a 400 naming it in words, no regex', async (_route, field, request, wording) => {
    const body = expectValidationError(await call(request()), field);
    const detail = (body.details as { field: string; message: string }[]).find((d) => d.field === field);
    expect(detail, JSON.stringify(body.details)).toBeDefined();
    expect(detail!.message).toMatch(wording);
    for (const text of [body.message, ...(body.details as { message: string }[]).map((d) => d.message)]) {
      for (const raw of RAW_SCHEMA_WORDING) expect(text, `raw schema wording in ${JSON.stringify(text)}`).not.toMatch(raw);
    }
  });

  it('by-date answers both versions with the same words, with every bad field at once', async () => {
    const messages = await Promise.all(['v1', 'v2'].map(async (v) =>
      expectValidationError(await call(get(`/api/${v}/orders/by-date?start_date=20261101&limit=0`)), 'query.start_date').details));
    expect(messages[0]).toEqual(messages[1]);
    expect(messages[0]).toContainEqual({ field: 'query.start_date', message: '"20261101" is not a calendar date (YYYY-MM-DD)' });
    expect(messages[0].map((d: { field: string }) => d.field).sort()).toEqual(['query.limit', 'query.start_date']);
  });

  it('received_since takes every timestamp the one parser reads (leap second, +hhmm, a bare date), never a 500', async () => {
    for (const value of ['2026-12-31T23:59:60Z', '2026-11-01T09:30:00+0530', '2026-11-01', '2026-11-01T09:30:00']) {
      const response = await call(get(`/api/v2/supplier_documents?received_since=${encodeURIComponent(value)}`));
      expect(response.statusCode, `${value}: ${response.body}`).toBe(200);
    }
  });
});

// The documented shapes of DESIGN 2.2, 2.4 and 2.5, written out from the document (not imported from src/),
// as assertions the contract tests apply to every record and every error they see.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

export const VERSIONS = ['v1', 'v2'] as const;
export type Version = (typeof VERSIONS)[number];

/** DESIGN 2.3: the statuses each version may render. */
export const V1_STATUS_VOCABULARY = [
  'pending', 'invalid', 'submitted', 'shipped', 'in transit', 'complete', 'delivered', 'internal review', 'backorder', 'cancelled',
];
export const V2_STATUS_VOCABULARY = [
  'pending', 'review', 'internal review', 'cancelled', 'invalid', 'submitted', 'confirmed', 'processing',
  'shipped', 'in transit', 'complete', 'delivered',
];

/** ISO 8601 with an explicit numeric offset (`2025-12-03T09:35:23.961116+00:00`). */
export const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}:\d{2}$/;
export const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const US_DATE = /^(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])\/\d{4}$/;
const CARRIER_CODE = /^[a-z0-9_]+$/;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export const V1_FIELDS = [
  'order_id', 'order_status_id', 'supplier_order_id', 'order_date', 'po_number', 'item', 'customer', 'customer_email',
  'supplier', 'status', 'carrier', 'tracking_number', 'tracking_url', 'eta', 'delivery_date',
];
export const V2_FIELDS = [
  'po_number', 'order_date', 'request_date', 'status', 'customer_name', 'customer_email', 'shipping_address', 'suppliers',
  'total', 'quantity', 'drop_ship', 'items', 'fulfilled_items', 'invoices',
];
export const V2_ITEM_FIELDS = [
  'supplier_order_id', 'product_name', 'product_details', 'quantity', 'status', 'backordered', 'supplier_name', 'price',
  'total', 'estimated_delivery_date', 'tracking',
];
export const V2_FULFILLED_FIELDS = ['supplier_order_id', 'product_name', 'quantity', 'status', 'tracking'];
export const TRACKING_FIELDS = ['tracking_number', 'tracking_url', 'carrier', 'shipped_date', 'actual_delivery_date', 'latest_checkpoint'];
export const INVOICE_FIELDS = [
  'invoice_number', 'supplier_order_id', 'invoice_date', 'due_date', 'payment_terms', 'subtotal_amount', 'tax_amount',
  'shipping_amount', 'total_amount', 'currency', 'status', 'supplier_name', 'updated_at', 'download_url',
];
const INVOICE_STATUSES = ['open', 'paid', 'partially_paid', 'overdue', 'void'];

type Json = Record<string, any>;

function expectFields(value: Json, fields: string[], where: string): void {
  expect(value, where).toBeTypeOf('object');
  expect(value, where).not.toBeNull();
  const missing = fields.filter((field) => !(field in value));
  expect(missing, `${where}: documented fields missing`).toEqual([]);
}

function expectNullableText(value: unknown, where: string): void {
  if (value !== null) expect(value, where).toBeTypeOf('string');
}

export function expectInstant(value: unknown, where: string): void {
  expect(value, where).toBeTypeOf('string');
  expect(value as string, where).toMatch(INSTANT);
  expect(Number.isNaN(Date.parse(value as string)), `${where} parses`).toBe(false);
}

function expectNullableInstant(value: unknown, where: string): void {
  if (value !== null) expectInstant(value, where);
}

/** A finite number with at most two decimals (money). */
export function expectAmount(value: unknown, where: string): void {
  expect(value, where).toBeTypeOf('number');
  const n = value as number;
  expect(Number.isFinite(n), where).toBe(true);
  expect(Math.abs(Math.round(n * 100) - n * 100), `${where} has at most two decimals`).toBeLessThan(1e-6);
}

function expectAbsoluteUrl(value: unknown, where: string): void {
  expect(value, where).toBeTypeOf('string');
  expect(() => new URL(value as string), where).not.toThrow();
  expect(new URL(value as string).protocol, where).toMatch(/^https?:$/);
}

export function expectV1Record(record: Json): void {
  const where = `v1 record ${record?.po_number}/${record?.order_id}`;
  expectFields(record, V1_FIELDS, where);
  expect(record.order_id, `${where} order_id`).toBeTypeOf('string');
  expectNullableText(record.order_status_id, `${where} order_status_id`);
  expectNullableText(record.supplier_order_id, `${where} supplier_order_id`);
  expectInstant(record.order_date, `${where} order_date`);
  expect(record.po_number, `${where} po_number`).toBeTypeOf('string');
  expect(record.item, `${where} item`).toBeTypeOf('string');
  expectNullableText(record.customer, `${where} customer`);
  expectNullableText(record.customer_email, `${where} customer_email`);
  expectNullableText(record.supplier, `${where} supplier`);
  expect(V1_STATUS_VOCABULARY, `${where} status "${record.status}"`).toContain(record.status);
  if (record.carrier !== null) expect(record.carrier, `${where} carrier`).toMatch(CARRIER_CODE);
  expectNullableText(record.tracking_number, `${where} tracking_number`);
  if (record.tracking_url !== null) expectAbsoluteUrl(record.tracking_url, `${where} tracking_url`);
  if (record.eta !== null) expect(record.eta, `${where} eta`).toMatch(CALENDAR_DATE);
  expectNullableInstant(record.delivery_date, `${where} delivery_date`);
  if (record.delivery_date !== null) {
    expect(['delivered', 'complete'], `${where}: delivery_date only once delivered`).toContain(record.status);
  }
}

function expectTracking(tracking: Json | null, where: string): void {
  if (tracking === null) return;
  expectFields(tracking, TRACKING_FIELDS, where);
  expect(tracking.tracking_number, `${where} tracking_number`).toBeTypeOf('string');
  if (tracking.tracking_url !== null) expectAbsoluteUrl(tracking.tracking_url, `${where} tracking_url`);
  if (tracking.carrier !== null) expect(tracking.carrier, `${where} carrier`).toMatch(CARRIER_CODE);
  expectNullableInstant(tracking.shipped_date, `${where} shipped_date`);
  expectNullableInstant(tracking.actual_delivery_date, `${where} actual_delivery_date`);
  if (tracking.latest_checkpoint !== null) {
    expectFields(tracking.latest_checkpoint, ['message', 'location', 'timestamp'], `${where} latest_checkpoint`);
    expectNullableText(tracking.latest_checkpoint.message, `${where} latest_checkpoint.message`);
    expectNullableText(tracking.latest_checkpoint.location, `${where} latest_checkpoint.location`);
    expectInstant(tracking.latest_checkpoint.timestamp, `${where} latest_checkpoint.timestamp`);
  }
}

export function expectV2Record(record: Json): void {
  const where = `v2 record ${record?.po_number}`;
  expectFields(record, V2_FIELDS, where);
  expect(record.po_number, `${where} po_number`).toBeTypeOf('string');
  expectInstant(record.order_date, `${where} order_date`);
  expectNullableInstant(record.request_date, `${where} request_date`);
  expect(V2_STATUS_VOCABULARY, `${where} status "${record.status}"`).toContain(record.status);
  expectNullableText(record.customer_name, `${where} customer_name`);
  expectNullableText(record.customer_email, `${where} customer_email`);
  expectNullableText(record.shipping_address, `${where} shipping_address`);
  expect(Array.isArray(record.suppliers), `${where} suppliers`).toBe(true);
  for (const name of record.suppliers) expect(name, `${where} suppliers[]`).toBeTypeOf('string');
  expect(new Set(record.suppliers).size, `${where} suppliers are distinct`).toBe(record.suppliers.length);
  expectAmount(record.total, `${where} total`);
  expect(Number.isInteger(record.quantity), `${where} quantity`).toBe(true);
  expect(record.drop_ship, `${where} drop_ship`).toBeTypeOf('boolean');

  expect(Array.isArray(record.items), `${where} items`).toBe(true);
  let totalCents = 0;
  let quantity = 0;
  record.items.forEach((item: Json, i: number) => {
    const at = `${where} items[${i}]`;
    expectFields(item, V2_ITEM_FIELDS, at);
    expectNullableText(item.supplier_order_id, `${at} supplier_order_id`);
    expect(item.product_name, `${at} product_name`).toBeTypeOf('string');
    expectFields(item.product_details, ['sku', 'supplier_sku', 'description'], `${at} product_details`);
    expect(item.product_details.sku, `${at} product_details.sku`).toBeTypeOf('string');
    expectNullableText(item.product_details.supplier_sku, `${at} product_details.supplier_sku`);
    expectNullableText(item.product_details.description, `${at} product_details.description`);
    expect(Number.isInteger(item.quantity), `${at} quantity`).toBe(true);
    expect(V2_STATUS_VOCABULARY, `${at} status "${item.status}"`).toContain(item.status);
    expect(item.backordered, `${at} backordered`).toBeTypeOf('boolean');
    if (item.backordered) expect(item.status, `${at}: a backordered item reads as processing`).toBe('processing');
    expectNullableText(item.supplier_name, `${at} supplier_name`);
    expectAmount(item.price, `${at} price`);
    expectAmount(item.total, `${at} total`);
    expect(Math.round(item.total * 100), `${at} total = price × quantity`).toBe(Math.round(item.price * 100) * item.quantity);
    if (item.estimated_delivery_date !== null) expect(item.estimated_delivery_date, `${at} estimated_delivery_date`).toMatch(US_DATE);
    expectTracking(item.tracking, `${at} tracking`);
    quantity += item.quantity;
    if (item.status !== 'cancelled') totalCents += Math.round(item.price * 100) * item.quantity;
  });
  expect(record.quantity, `${where} quantity = Σ item quantities`).toBe(quantity);
  expect(Math.round(record.total * 100), `${where} total = Σ price × quantity of items not cancelled`).toBe(totalCents);

  expect(Array.isArray(record.fulfilled_items), `${where} fulfilled_items`).toBe(true);
  record.fulfilled_items.forEach((item: Json, i: number) => {
    const at = `${where} fulfilled_items[${i}]`;
    expectFields(item, V2_FULFILLED_FIELDS, at);
    expectNullableText(item.supplier_order_id, `${at} supplier_order_id`);
    expect(item.product_name, `${at} product_name`).toBeTypeOf('string');
    expect(Number.isInteger(item.quantity) && item.quantity > 0, `${at} quantity`).toBe(true);
    expect(V2_STATUS_VOCABULARY, `${at} status "${item.status}"`).toContain(item.status);
    expectTracking(item.tracking, `${at} tracking`);
  });

  expect(Array.isArray(record.invoices), `${where} invoices`).toBe(true);
  record.invoices.forEach((invoice: Json, i: number) => {
    const at = `${where} invoices[${i}]`;
    expectFields(invoice, INVOICE_FIELDS, at);
    expect(invoice.invoice_number, `${at} invoice_number`).toBeTypeOf('string');
    expectNullableText(invoice.supplier_order_id, `${at} supplier_order_id`);
    expectNullableInstant(invoice.invoice_date, `${at} invoice_date`);
    expectNullableInstant(invoice.due_date, `${at} due_date`);
    expectNullableText(invoice.payment_terms, `${at} payment_terms`);
    for (const field of ['subtotal_amount', 'tax_amount', 'shipping_amount', 'total_amount']) expectAmount(invoice[field], `${at} ${field}`);
    expect(invoice.currency, `${at} currency`).toMatch(/^[A-Z]{3}$/);
    expect(INVOICE_STATUSES, `${at} status`).toContain(invoice.status);
    expectNullableText(invoice.supplier_name, `${at} supplier_name`);
    expectInstant(invoice.updated_at, `${at} updated_at`);
    if (invoice.download_url !== null) expectAbsoluteUrl(invoice.download_url, `${at} download_url`);
  });
}

export function expectRecord(version: Version, record: Json): void {
  if (version === 'v1') expectV1Record(record);
  else expectV2Record(record);
}

/** A successful envelope (DESIGN 2.2); returns the parsed body. */
export function expectEnvelope(response: LightMyRequestResponse, version: Version): { data: Json[]; meta: Json } {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expectRequestIdHeader(response);
  const body = response.json();
  expect(Object.keys(body).sort()).toEqual(['data', 'meta']);
  expect(Array.isArray(body.data)).toBe(true);
  for (const key of ['total', 'page', 'limit', 'has_more']) expect(body.meta, `meta.${key}`).toHaveProperty(key);
  expect(Number.isInteger(body.meta.total)).toBe(true);
  expect(Number.isInteger(body.meta.page)).toBe(true);
  expect(Number.isInteger(body.meta.limit)).toBe(true);
  expect(body.meta.has_more).toBeTypeOf('boolean');
  for (const record of body.data) expectRecord(version, record);
  return body;
}

export function expectRequestIdHeader(response: LightMyRequestResponse): string {
  const id = response.headers['x-request-id'];
  expect(id, 'X-Request-Id header').toBeTypeOf('string');
  expect(id as string).toMatch(REQUEST_ID);
  return id as string;
}

/** The error envelope (DESIGN 2.2); returns the parsed body. */
export function expectError(response: LightMyRequestResponse, status: number, name: string): Json {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const requestId = expectRequestIdHeader(response);
  const body = response.json();
  expect(body.error).toBe(name);
  expect(body.errorCode).toBe(status);
  expect(body.message).toBeTypeOf('string');
  expect(body.message.length).toBeGreaterThan(0);
  expect(body.request_id).toBe(requestId);
  if ('details' in body) {
    expect(Array.isArray(body.details)).toBe(true);
    for (const detail of body.details) {
      expect(detail.field).toBeTypeOf('string');
      expect(detail.message).toBeTypeOf('string');
    }
  }
  return body;
}

/** A 400 whose details (and message) name `field`. */
export function expectValidationError(response: LightMyRequestResponse, field: string): Json {
  const body = expectError(response, 400, 'validation_failed');
  expect(Array.isArray(body.details), 'validation errors carry details').toBe(true);
  const fields = (body.details as Json[]).map((d) => d.field);
  expect(fields.some((f) => f === field || f.startsWith(field)), `details name ${field}: ${JSON.stringify(body.details)}`).toBe(true);
  expect(body.message).toContain(field.replace(/^(query|body|params)\./, ''));
  return body;
}

export function request(app: FastifyInstance, key: string | null, options: InjectOptions) {
  return app.inject({ ...options, headers: { ...(key === null ? {} : { 'x-api-key': key }), ...options.headers } });
}

/** The four read endpoints of a version, each as "ask for this PO number / supplier order / date". */
export function endpoints(app: FastifyInstance, version: Version, key: string | null) {
  const base = `/api/${version}/orders`;
  return {
    byPo: (poNumber: string) => request(app, key, { method: 'GET', url: `${base}/by-po/${encodeURIComponent(poNumber)}` }),
    bulk: (poNumbers: unknown) => request(app, key, { method: 'POST', url: `${base}/by-po-numbers`, payload: { po_numbers: poNumbers } }),
    bySupplierOrder: (id: string) => request(app, key, { method: 'GET', url: `${base}/by-supplier-order/${encodeURIComponent(id)}` }),
    byDate: (query: Record<string, string | number>) => request(app, key, {
      method: 'GET', url: `${base}/by-date?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`,
    }),
  };
}

expect.extend({
  /** An ISO 8601 instant with a numeric offset, naming the same instant as `expected`. */
  sameInstantAs(received: unknown, expected: string) {
    const pass = typeof received === 'string' && INSTANT.test(received) && Date.parse(received) === Date.parse(expected);
    return {
      pass,
      message: () => `expected ${JSON.stringify(received)} ${pass ? 'not ' : ''}to be an ISO 8601 instant with offset equal to ${expected}`,
    };
  },
});

declare module 'vitest' {
  interface AsymmetricMatchersContaining {
    sameInstantAs(expected: string): unknown;
  }
}

/** Matches an ISO instant with offset that names the same instant as `iso` (any offset). */
export const instant = (iso: string): unknown => expect.sameInstantAs(iso);

// ShipStation v2 purchase orders as the sandbox holds them: the record shape, deterministic generation from
// the seed, the list query (filters and the base64 cursor), and the moves churn makes. Pure: no I/O, no clock.
import { LIFECYCLE_STATUSES, type LifecycleStatus } from '../domain/lifecycle.ts';
import { PAYMENT_TERMS } from '../domain/money.ts';
import { SUPPLIERS, WAREHOUSES, type SupplierSpec } from '../seed/catalog.ts';
import { fedexTrackingNumber, upsTrackingNumber, uspsTrackingNumber } from '../seed/tracking-numbers.ts';
import {
  DAY, between, centsToNumber, createdAt, hash32, isoSeconds, lowerBound, mmddyyyy, parseIsoInstant, pick,
  rngFor, startOfUtcDay, timeline, weighted, type Rng, type Timeline,
} from './random.ts';

export const SS_STATUSES = LIFECYCLE_STATUSES;
export type SsStatus = LifecycleStatus;
export const SS_PAYMENT_TERMS = PAYMENT_TERMS;
export const SS_PAYMENT_STATUSES = ['none', 'unpaid', 'partially_paid', 'paid', 'refunded', 'credit_issued', 'other'] as const;
export type SsPaymentStatus = (typeof SS_PAYMENT_STATUSES)[number];

export interface SsProduct {
  sku: string;
  supplier_sku: string | null;
  quantity: number;
  cost: number;
  received_quantity: number;
  rejected_quantity: number;
}

/** One PO with everything the sandbox knows; the list shows a header of it, get by id the rest. */
export interface SsPurchaseOrder {
  purchase_order_id: string;
  order_number: string;
  supplier_id: string;
  supplier_name: string;
  status: SsStatus;
  order_date: string | null;
  expected_delivery_date: string | null;
  create_date: string;
  modify_date: string;
  payment_terms: string;
  payment_status: SsPaymentStatus;
  currency_code: string;
  shipping_carrier: string | null;
  tracking_number: string | null;
  reference_number: string | null;
  warehouse_id: string;
  note_to_supplier: string | null;
  products: SsProduct[];
}

/** The list's headers carry these fields only (ShipStation's list table); products come from get by id. */
export const SS_HEADER_FIELDS = [
  'purchase_order_id', 'order_number', 'supplier_id', 'supplier_name', 'status', 'order_date', 'expected_delivery_date',
  'create_date', 'modify_date', 'reference_number', 'warehouse_id',
] as const;
export type SsHeader = Pick<SsPurchaseOrder, (typeof SS_HEADER_FIELDS)[number]>;

export function toHeader(po: SsPurchaseOrder): SsHeader {
  const header = {} as Record<string, unknown>;
  for (const field of SS_HEADER_FIELDS) header[field] = po[field];
  return header as SsHeader;
}

/** Get by id: every field of the reference's detail table (it has no supplier_name), products included. */
export function toDetail(po: SsPurchaseOrder): Omit<SsPurchaseOrder, 'supplier_name'> {
  const { supplier_name: _name, ...detail } = po;
  return { ...detail, products: po.products.map((p) => ({ ...p })) };
}

// ---------------------------------------------------------------------------------------------- ids

const PO_ID_BASE = 100_000;
export const poIdOf = (index: number) => `se-${PO_ID_BASE + index}`;
export function indexOfPoId(id: string): number | null {
  const match = /^se-(\d{1,15})$/.exec(id);
  if (!match) return null;
  const index = Number(match[1]) - PO_ID_BASE;
  return index >= 0 ? index : null;
}

export interface SsSupplier { supplier_id: string; name: string; spec: SupplierSpec }
export interface SsWarehouse { warehouse_id: string; name: string; inventory_locations: { inventory_location_id: string; name: string }[] }

export const SS_SUPPLIERS: SsSupplier[] = SUPPLIERS.map((spec, k) => ({ supplier_id: `se-${567 + k}`, name: spec.name, spec }));
export const SS_WAREHOUSES: SsWarehouse[] = (() => {
  let location = 12_345;
  return WAREHOUSES.map((w, k) => ({
    warehouse_id: `se-${123_456 + k}`,
    name: w.name,
    inventory_locations: w.locations.map((name) => ({ inventory_location_id: `se-${location++}`, name })),
  }));
})();

export const carrierName = (code: 'ups' | 'fedex' | 'usps') => ({ ups: 'UPS', fedex: 'FedEx', usps: 'USPS' })[code];

export function trackingFor(rng: Rng, spec: SupplierSpec): { carrier: string; number: string } {
  const code = pick(rng, spec.carriers);
  const number = code === 'ups' ? upsTrackingNumber(rng, spec.upsAccount) : code === 'fedex' ? fedexTrackingNumber(rng) : uspsTrackingNumber(rng);
  return { carrier: carrierName(code), number };
}

// ------------------------------------------------------------------------------------- generation

const SALT = 0x55_5354; // "SST"
type Weights<T> = readonly (readonly [T, number])[];
const RECENT: Weights<SsStatus> = [['draft', 25], ['open', 45], ['receiving', 15], ['received', 8], ['cancelled', 7]];
const MONTH_OLD: Weights<SsStatus> = [['draft', 3], ['open', 25], ['receiving', 25], ['received', 30], ['closed', 10], ['cancelled', 7]];
const OLD: Weights<SsStatus> = [['open', 2], ['receiving', 3], ['received', 20], ['closed', 67], ['cancelled', 8]];
const TERMS: Weights<string> = [['net_30', 40], ['net_60', 20], ['net_45', 10], ['net_15', 8], ['payment_in_advance', 5],
  ['payment_on_receipt', 5], ['cash_on_delivery', 3], ['net_7', 3], ['none', 6]];
const PAYMENT: Record<SsStatus, Weights<SsPaymentStatus>> = {
  draft: [['none', 60], ['unpaid', 40]],
  open: [['unpaid', 80], ['paid', 10], ['partially_paid', 5], ['none', 5]],
  receiving: [['unpaid', 60], ['partially_paid', 20], ['paid', 20]],
  received: [['paid', 50], ['unpaid', 35], ['partially_paid', 15]],
  closed: [['paid', 85], ['partially_paid', 5], ['credit_issued', 5], ['refunded', 3], ['other', 2]],
  cancelled: [['none', 60], ['refunded', 20], ['credit_issued', 20]],
};
/** How long after creation a PO in each status was last modified, at most. */
const MODIFIED_WITHIN: Record<SsStatus, number> = {
  draft: 1 * DAY, open: 10 * DAY, receiving: 20 * DAY, received: 30 * DAY, closed: 45 * DAY, cancelled: 10 * DAY,
};
const NOTES = ['Please ship complete.', 'Deliver to the receiving dock, 7am to 3pm.', 'Call before delivery.',
  'Back-orders: ship as available.', 'Use our UPS account for freight.', 'Include packing slip with PO number.'];

export interface SsHeaderDraw {
  rng: Rng;
  createdMs: number;
  status: SsStatus;
  modifiedMs: number;
  supplier: number;
  warehouse: number;
}

export interface SsGenerator {
  seed: number;
  anchorMs: number;
  timeline: Timeline;
}

export function ssGenerator(seed: number, anchorMs: number, count: number): SsGenerator {
  return { seed, anchorMs, timeline: timeline(seed, SALT, anchorMs, count) };
}

/** The first draws of PO i: enough for its list columns without generating its products. */
export function drawHeader(g: SsGenerator, index: number): SsHeaderDraw {
  const rng = rngFor(g.seed, SALT, index);
  const createdMs = createdAt(g.timeline, index);
  const ageDays = (g.anchorMs - createdMs) / DAY;
  const status = weighted(rng, ageDays < 7 ? RECENT : ageDays < 45 ? MONTH_OLD : OLD);
  const modifiedMs = createdMs + Math.floor((rng() * Math.min(g.anchorMs - createdMs, MODIFIED_WITHIN[status])) / 1000) * 1000;
  const supplier = Math.floor(rng() * SS_SUPPLIERS.length);
  const warehouse = Math.floor(rng() * SS_WAREHOUSES.length);
  return { rng, createdMs, status, modifiedMs, supplier, warehouse };
}

/** A generated PO's reference number: a pure function of the index, so filtering never generates POs. */
export function generatedReference(seed: number, index: number): string | null {
  const h = hash32(seed, SALT, index, 2);
  return h % 100 < 65 ? `FPS-${String(10_000 + (h >>> 8) % 90_000)}` : null;
}

/** `MMDDYYYY-NN`: the day of creation and the PO's place among that day's POs (2 digits at least). */
export function orderNumberFor(createdMs: number, sequence: number): string {
  return `${mmddyyyy(createdMs)}-${String(sequence).padStart(2, '0')}`;
}

/** Where an order number must be in creation order: its day (ms) and sequence, or null when malformed. */
export function parseOrderNumber(value: string): { dayMs: number; sequence: number } | null {
  const match = /^(\d{2})(\d{2})(\d{4})-(\d{2,})$/.exec(value);
  if (!match) return null;
  const [, mm, dd, yyyy, seq] = match;
  const dayMs = Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd));
  const d = new Date(dayMs);
  if (d.getUTCMonth() !== Number(mm) - 1 || d.getUTCDate() !== Number(dd)) return null;
  const sequence = Number(seq);
  return sequence >= 1 ? { dayMs, sequence } : null;
}

function productsFor(rng: Rng, spec: SupplierSpec, status: SsStatus): SsProduct[] {
  const lineCount = 1 + Math.floor(5 * rng() ** 2);
  const products: SsProduct[] = [];
  const used = new Set<string>();
  for (let n = 0; n < lineCount; n++) {
    const product = pick(rng, spec.products);
    if (used.has(product.sku)) continue;
    used.add(product.sku);
    const bulk = /ball|glove|cap/i.test(product.name);
    products.push({
      sku: product.sku, supplier_sku: product.supplierSku,
      quantity: bulk ? between(rng, 6, 60) : between(rng, 1, 12),
      cost: centsToNumber(product.costCents), received_quantity: 0, rejected_quantity: 0,
    });
  }
  if (status === 'receiving') {
    products[0].quantity = Math.max(2, products[0].quantity);
    products.forEach((p, i) => {
      p.received_quantity = i === 0 ? between(rng, 1, p.quantity - 1) : between(rng, 0, p.quantity);
    });
  } else if (status === 'received' || (status === 'closed' && rng() < 0.75)) {
    for (const p of products) {
      p.rejected_quantity = rng() < 0.08 ? Math.min(p.quantity, between(rng, 1, 2)) : 0;
      p.received_quantity = p.quantity - p.rejected_quantity;
    }
  } else if (status === 'closed') {
    for (const p of products) p.received_quantity = between(rng, 0, p.quantity);
  }
  return products;
}

/** The draws after the header's that the list's fields need (placing and expected dates). */
function drawDates(h: SsHeaderDraw): { orderMs: number | null; expectedMs: number | null } {
  const placed = h.status !== 'draft' || h.rng() < 0.5;
  const orderMs = placed ? startOfUtcDay(h.createdMs) : null;
  const days = between(h.rng, 5, 30);
  return { orderMs, expectedMs: orderMs === null ? null : orderMs + days * DAY };
}

function headerFrom(g: SsGenerator, index: number, firstOfDay: number, h: SsHeaderDraw, dates: ReturnType<typeof drawDates>): SsHeader {
  const supplier = SS_SUPPLIERS[h.supplier];
  return {
    purchase_order_id: poIdOf(index),
    order_number: orderNumberFor(h.createdMs, index - firstOfDay + 1),
    supplier_id: supplier.supplier_id,
    supplier_name: supplier.name,
    status: h.status,
    order_date: dates.orderMs === null ? null : isoSeconds(dates.orderMs),
    expected_delivery_date: dates.expectedMs === null ? null : isoSeconds(dates.expectedMs),
    create_date: isoSeconds(h.createdMs),
    modify_date: isoSeconds(h.modifiedMs),
    reference_number: generatedReference(g.seed, index),
    warehouse_id: SS_WAREHOUSES[h.warehouse].warehouse_id,
  };
}

/** The list header of generated PO i, without generating its products (the same as toHeader(generatePo(…))). */
export function generateHeader(g: SsGenerator, index: number, firstOfDay: number): SsHeader {
  const h = drawHeader(g, index);
  return headerFrom(g, index, firstOfDay, h, drawDates(h));
}

/** Generated PO i. `firstOfDay` is the index of the first PO created on PO i's day (for its order number). */
export function generatePo(g: SsGenerator, index: number, firstOfDay: number): SsPurchaseOrder {
  const h = drawHeader(g, index);
  const header = headerFrom(g, index, firstOfDay, h, drawDates(h));
  const { rng, status } = h;
  const spec = SS_SUPPLIERS[h.supplier].spec;
  const products = productsFor(rng, spec, status);
  const shipped = status === 'open' ? rng() < 0.4 : status !== 'draft' && status !== 'cancelled' && rng() < 0.9;
  const tracking = shipped ? trackingFor(rng, spec) : null;
  return {
    ...header,
    payment_terms: weighted(rng, TERMS),
    payment_status: weighted(rng, PAYMENT[status]),
    currency_code: rng() < 0.95 ? 'USD' : 'CAD',
    shipping_carrier: tracking?.carrier ?? null,
    tracking_number: tracking?.number ?? null,
    note_to_supplier: rng() < 0.25 ? pick(rng, NOTES) : null,
    products,
  };
}

export const statusCode = (status: SsStatus) => SS_STATUSES.indexOf(status);
export const isTerminal = (status: SsStatus) => status === 'closed' || status === 'cancelled';

/** Index of the first PO created on or after `ms`, given the creation column (non-decreasing). */
export function firstCreatedAtOrAfter(created: readonly number[], size: number, ms: number): number {
  return lowerBound(size, (i) => created[i], ms);
}

// ---------------------------------------------------------------------------------------- receipts

export interface SsReceive { sku: string; received_quantity: number; rejected_quantity: number }

/** All received or rejected (received + rejected ≥ ordered) on every product. */
export const fullyReceived = (products: SsProduct[]) =>
  products.every((p) => p.received_quantity + p.rejected_quantity >= p.quantity);

// ------------------------------------------------------------------------------------------ churn

/**
 * One step on for a PO: draft → open (a few are cancelled instead), open → receiving (part of one product
 * arrives; the supplier's tracking appears if it was missing), receiving → received, received → closed.
 * Returns the changed PO, or null when the PO is closed or cancelled.
 */
export function advancePo(po: SsPurchaseOrder, nowMs: number, rng: Rng): SsPurchaseOrder | null {
  if (isTerminal(po.status)) return null;
  const next: SsPurchaseOrder = { ...po, products: po.products.map((p) => ({ ...p })), modify_date: isoSeconds(nowMs) };
  const spec = SS_SUPPLIERS.find((s) => s.supplier_id === po.supplier_id)?.spec ?? SS_SUPPLIERS[0].spec;
  switch (po.status) {
    case 'draft': {
      if (rng() < 0.05) {
        next.status = 'cancelled';
        break;
      }
      next.status = 'open';
      const orderMs = startOfUtcDay(nowMs);
      next.order_date ??= isoSeconds(orderMs);
      next.expected_delivery_date ??= isoSeconds(orderMs + 14 * DAY);
      if (next.payment_status === 'none') next.payment_status = 'unpaid';
      break;
    }
    case 'open': {
      if (!next.tracking_number) {
        const tracking = trackingFor(rng, spec);
        next.shipping_carrier = tracking.carrier;
        next.tracking_number = tracking.number;
      }
      const line = next.products.find((p) => p.received_quantity + p.rejected_quantity < p.quantity) ?? next.products[0];
      const remaining = line.quantity - line.received_quantity - line.rejected_quantity;
      line.received_quantity += Math.max(1, Math.ceil(remaining / 2));
      next.status = fullyReceived(next.products) ? 'received' : 'receiving';
      break;
    }
    case 'receiving':
      for (const p of next.products) p.received_quantity = Math.max(p.received_quantity, p.quantity - p.rejected_quantity);
      next.status = 'received';
      break;
    case 'received':
      next.status = 'closed';
      if (next.payment_status === 'unpaid' || next.payment_status === 'partially_paid') next.payment_status = 'paid';
      break;
  }
  return next;
}

/** A new draft PO as churn makes them (what a buyer creating one in ShipStation would leave). */
export function churnDraft(rng: Rng, id: string, orderNumber: string, nowMs: number): SsPurchaseOrder {
  const supplier = pick(rng, SS_SUPPLIERS);
  const warehouse = pick(rng, SS_WAREHOUSES);
  return {
    purchase_order_id: id, order_number: orderNumber, supplier_id: supplier.supplier_id, supplier_name: supplier.name,
    status: 'draft', order_date: null, expected_delivery_date: null,
    create_date: isoSeconds(nowMs), modify_date: isoSeconds(nowMs),
    payment_terms: weighted(rng, TERMS), payment_status: 'none', currency_code: 'USD',
    shipping_carrier: null, tracking_number: null,
    reference_number: rng() < 0.65 ? `FPS-${between(rng, 10_000, 99_999)}` : null,
    warehouse_id: warehouse.warehouse_id, note_to_supplier: null,
    products: productsFor(rng, supplier.spec, 'draft'),
  };
}

// ------------------------------------------------------------------------------------- list query

export interface SsListState {
  page: number;
  pageSize: number;
  orderNumber: string | null;
  status: SsStatus | null;
  warehouseId: string | null;
  referenceNumber: string | null;
  createDateStart: string | null;
}

export interface SsProblem { field: string; message: string; code: 'invalid_field_value' | 'field_value_required' }

/** The cursor: base64url (no padding) of the page and the filters, in ShipStation's key names. */
export function encodeCursor(state: SsListState): string {
  const json = JSON.stringify({
    Page: state.page, PageSize: state.pageSize, OrderNumber: state.orderNumber, Status: state.status,
    WarehouseId: state.warehouseId, ReferenceNumber: state.referenceNumber, CreateDateStart: state.createDateStart,
  });
  return Buffer.from(json, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): SsListState | null {
  if (!/^[A-Za-z0-9_\-+/]+=*$/.test(cursor) || cursor.length > 4000) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Record<string, unknown>;
  const text = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : undefined);
  const page = o.Page;
  const pageSize = o.PageSize;
  if (!Number.isInteger(page) || (page as number) < 1) return null;
  if (!Number.isInteger(pageSize) || (pageSize as number) < 1 || (pageSize as number) > 500) return null;
  const state = {
    page: page as number, pageSize: pageSize as number,
    orderNumber: text(o.OrderNumber), status: text(o.Status), warehouseId: text(o.WarehouseId),
    referenceNumber: text(o.ReferenceNumber), createDateStart: text(o.CreateDateStart),
  };
  if (Object.values(state).some((v) => v === undefined)) return null;
  if (state.status !== null && !SS_STATUSES.includes(state.status as SsStatus)) return null;
  if (state.createDateStart != null && parseIsoInstant(state.createDateStart) === null) return null;
  return state as SsListState;
}

/** The list's query → its state (page 1 unless a cursor says otherwise), or the problems with it. */
export function parseListQuery(query: Record<string, unknown>): { ok: true; state: SsListState } | { ok: false; problems: SsProblem[] } {
  const one = (name: string): string | undefined => {
    const v = query[name];
    return Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v);
  };
  const problems: SsProblem[] = [];
  const cursor = one('cursor');
  if (cursor !== undefined) {
    // The cursor carries the filters and the page size; anything else sent with it is ignored.
    const state = decodeCursor(cursor);
    if (!state) return { ok: false, problems: [{ field: 'cursor', code: 'invalid_field_value', message: 'cursor is not valid: use links.*.href from a previous response unchanged.' }] };
    return { ok: true, state };
  }
  let pageSize = 50;
  const size = one('page_size');
  if (size !== undefined) {
    if (!/^\d+$/.test(size) || Number(size) < 1 || Number(size) > 500) {
      problems.push({ field: 'page_size', code: 'invalid_field_value', message: `page_size must be a whole number from 1 to 500, got "${size}".` });
    } else pageSize = Number(size);
  }
  const status = one('status');
  if (status !== undefined && !SS_STATUSES.includes(status as SsStatus)) {
    problems.push({ field: 'status', code: 'invalid_field_value', message: `status must be one of ${SS_STATUSES.join(', ')}; got "${status}".` });
  }
  let createDateStart: string | null = null;
  const start = one('create_date_start');
  if (start !== undefined) {
    const ms = parseIsoInstant(start);
    if (ms === null) {
      problems.push({ field: 'create_date_start', code: 'invalid_field_value', message: `create_date_start must be an ISO 8601 date-time (e.g. 2025-01-01T00:00:00Z); got "${start}".` });
    } else createDateStart = new Date(ms).toISOString();
  }
  if (problems.length > 0) return { ok: false, problems };
  const text = (name: string) => {
    const v = one(name);
    return v === undefined || v === '' ? null : v;
  };
  return {
    ok: true,
    state: {
      page: 1, pageSize, orderNumber: text('order_number'), status: (status as SsStatus | undefined) ?? null,
      warehouseId: text('warehouse_id'), referenceNumber: text('reference_number'), createDateStart,
    },
  };
}

// Stocky v2 purchase orders as the sandbox holds them (reference: stocky-v2-purchase-orders.txt): the record
// shape, deterministic generation from the seed, the list's query, and the moves churn makes. Pure: no I/O,
// no clock.
import { SUPPLIERS, WAREHOUSES, type Product, type SupplierSpec } from '../seed/catalog.ts';
import {
  DAY, HOUR, between, centsToNumber, centsToString, createdAt, ddmmyyyy, ddmmyyyyHhmm, hash32, isoDate, isoMillis,
  parseIsoInstant, pick, rngFor, timeline, weighted, type Rng, type Timeline,
} from './random.ts';

export type StockyItemStatus = 'not delivered' | 'delivered' | 'cancelled';

export interface StockyItem {
  id: number;
  sku: string;
  inventory_item_id: number;
  product_title: string;
  variant_title: string;
  asin: string;
  quantity: number;
  status: StockyItemStatus;
  retail_price: string;
  cost_price: string | null;
  supplier_cost_price: string | null;
  account_code: string | null;
  tax_type_id: number | null;
  accounting_tax_type: string | null;
  /** The merchant's date format (DD/MM/YYYY here), null until received. */
  received_at: string | null;
  /** `DD/MM/YYYY HH:MM`. */
  updated_at: string;
}

export interface StockyPurchaseOrder {
  id: number;
  /** sequential_id unless the merchant typed their own number (then a string such as "1042A"). */
  number: number | string;
  sequential_id: number;
  invoice_number: string | null;
  created_at: string;
  updated_at: string;
  generated_at: string;
  ordered_at: string | null;
  expected_on: string | null;
  ship_on: string | null;
  payment_due_on: string | null;
  archived: boolean;
  supplier_name: string;
  supplier_id: string | null;
  currency: string;
  shopify_receive_location_id: number;
  paid: boolean;
  adjustments: number;
  adjustments_local: number;
  shipping: number;
  shipping_local: number;
  shipping_tax_type: number | null;
  invoice_date: string | null;
  purchase_items: StockyItem[];
}

export interface StockySupplier {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
  company_name: string;
  account_number: string;
  contact_name: string;
  contact_email: string;
  address1: string;
  address2: string | null;
  city: string;
  province_code: string;
  country_name: string;
  zip: string;
  phone: string;
  phone_toll_free: string | null;
  fax: string | null;
  is_hidden: boolean;
}

const SALT = 0x57_4f43; // "STOC"
/** The merchant's own currency; POs in another currency carry *_local amounts converted to it. */
export const MERCHANT_CURRENCY = 'USD';
const TO_LOCAL: Record<string, number> = { USD: 1, CAD: 0.73 };
export const RECEIVE_LOCATION_IDS = WAREHOUSES.map((_, k) => 34_915_680_278 + k * 32_768);

export function stockySuppliers(anchorMs: number): StockySupplier[] {
  return SUPPLIERS.map((spec, k) => {
    const h = hash32(k, 0x5ab1);
    return {
      id: k + 1, name: spec.name,
      created_at: isoMillis(anchorMs - (900 - k * 17) * DAY), updated_at: isoMillis(anchorMs - (120 - k * 9) * DAY),
      company_name: `${spec.name} Inc.`, account_number: String(100_000 + (h % 900_000)),
      contact_name: spec.contactName, contact_email: spec.contactEmail,
      address1: spec.address.line1 ?? '', address2: null, city: spec.address.city ?? '', province_code: spec.address.state ?? '',
      country_name: 'United States', zip: spec.address.postal_code ?? '', phone: spec.phone,
      phone_toll_free: k % 2 === 0 ? `1-800-${String(200 + (h % 700)).padStart(3, '0')}-${String(1000 + (h % 9000)).padStart(4, '0')}` : null,
      fax: null, is_hidden: false,
    };
  });
}

// ---------------------------------------------------------------------------------------------- ids

/** Stocky ids grow with creation but are not contiguous (deleted POs leave gaps). */
export function poIdAt(seed: number, index: number): number {
  return 1000 + 3 * index + (hash32(seed, SALT, index, 3) % 3);
}

export function indexOfPoId(seed: number, id: number): number | null {
  if (!Number.isSafeInteger(id) || id < 1000) return null;
  const index = Math.floor((id - 1000) / 3);
  return poIdAt(seed, index) === id ? index : null;
}

const itemId = (poId: number, n: number) => poId * 100 + n + 1;
const skuHash = (sku: string) => {
  let h = 0;
  for (let i = 0; i < sku.length; i++) h = (Math.imul(h, 31) + sku.charCodeAt(i)) | 0;
  return h >>> 0;
};
const inventoryItemId = (sku: string) => 37_791_000_000_000 + (skuHash(sku) % 999_999_937);

// ------------------------------------------------------------------------------------- generation

/** Where a PO is in Stocky terms (there is no status field: it is read from ordered_at, items, archived). */
export type StockyStage = 'draft' | 'ordered' | 'partial' | 'received' | 'archived' | 'cancelled';
type Weights<T> = readonly (readonly [T, number])[];
const RECENT: Weights<StockyStage> = [['draft', 25], ['ordered', 45], ['partial', 15], ['received', 10], ['cancelled', 5]];
const MONTH_OLD: Weights<StockyStage> = [['draft', 4], ['ordered', 20], ['partial', 20], ['received', 30], ['archived', 21], ['cancelled', 5]];
const OLD: Weights<StockyStage> = [['ordered', 2], ['partial', 2], ['received', 10], ['archived', 80], ['cancelled', 6]];

export interface StockyGenerator {
  seed: number;
  anchorMs: number;
  timeline: Timeline;
}

export function stockyGenerator(seed: number, anchorMs: number, count: number): StockyGenerator {
  return { seed, anchorMs, timeline: timeline(seed, SALT, anchorMs, count) };
}

export interface StockyHeaderDraw {
  rng: Rng;
  createdMs: number;
  stage: StockyStage;
  orderedMs: number | null;
  updatedMs: number;
  supplier: number;
}

/** The first draws of PO i: enough for its list columns without generating its items. */
export function drawHeader(g: StockyGenerator, index: number): StockyHeaderDraw {
  const rng = rngFor(g.seed, SALT, index);
  const createdMs = createdAt(g.timeline, index);
  const room = g.anchorMs - createdMs;
  const ageDays = room / DAY;
  const stage = weighted(rng, ageDays < 7 ? RECENT : ageDays < 45 ? MONTH_OLD : OLD);
  const ordered = stage !== 'draft' && stage !== 'cancelled';
  const orderedMs = ordered ? createdMs + Math.floor(Math.min(room, rng() * 48 * HOUR) / 1000) * 1000 : null;
  const from = orderedMs ?? createdMs;
  const within = { draft: 2 * DAY, cancelled: 10 * DAY, ordered: 3 * DAY, partial: 15 * DAY, received: 30 * DAY, archived: 60 * DAY }[stage];
  const updatedMs = from + Math.floor(Math.min(g.anchorMs - from, rng() * within) / 1000) * 1000;
  const supplier = Math.floor(rng() * SUPPLIERS.length);
  return { rng, createdMs, stage, orderedMs, updatedMs, supplier };
}

function itemFor(rng: Rng, poId: number, n: number, product: Product, currency: string, createdMs: number): StockyItem {
  const bulk = /ball|glove|cap/i.test(product.name);
  const localCost = product.costCents;
  const supplierCost = Math.round(localCost / (TO_LOCAL[currency] ?? 1));
  const taxed = rng() < 0.3;
  return {
    id: itemId(poId, n), sku: product.sku, inventory_item_id: inventoryItemId(product.sku),
    product_title: product.name, variant_title: 'Default', asin: '',
    quantity: bulk ? between(rng, 6, 60) : between(rng, 1, 12),
    status: 'not delivered',
    retail_price: centsToString(Math.round(product.costCents * 1.45 / 100) * 100 - 1),
    cost_price: centsToString(localCost), supplier_cost_price: rng() < 0.8 ? centsToString(supplierCost) : null,
    account_code: rng() < 0.9 ? '300' : null,
    tax_type_id: taxed ? 427 : null, accounting_tax_type: taxed ? 'Sales Tax' : null,
    received_at: null, updated_at: ddmmyyyyHhmm(createdMs),
  };
}

function itemsFor(rng: Rng, poId: number, spec: SupplierSpec, currency: string, createdMs: number): StockyItem[] {
  const count = 1 + Math.floor(5 * rng() ** 2);
  const used = new Set<string>();
  const items: StockyItem[] = [];
  for (let n = 0; n < count; n++) {
    const product = pick(rng, spec.products);
    if (used.has(product.sku)) continue;
    used.add(product.sku);
    items.push(itemFor(rng, poId, items.length, product, currency, createdMs));
  }
  return items;
}

function deliver(item: StockyItem, atMs: number): void {
  item.status = 'delivered';
  item.received_at = ddmmyyyy(atMs);
  item.updated_at = ddmmyyyyHhmm(atMs);
}

function invoice(rng: Rng, po: StockyPurchaseOrder, atMs: number): void {
  po.invoice_number = rng() < 0.5 ? `INV-${between(rng, 100_000, 999_999)}` : String(between(rng, 10_000_000, 99_999_999));
  po.invoice_date = isoDate(atMs);
  po.payment_due_on = isoDate(atMs + pick(rng, [30, 45, 60]) * DAY);
}

/** Generated PO i. */
export function generatePo(g: StockyGenerator, index: number): StockyPurchaseOrder {
  const h = drawHeader(g, index);
  const { rng, stage } = h;
  const id = poIdAt(g.seed, index);
  const sequential = 1000 + index;
  const spec = SUPPLIERS[h.supplier];
  const currency = rng() < 0.92 ? 'USD' : 'CAD';
  const toLocal = TO_LOCAL[currency];
  const adjustmentsCents = rng() < 0.15 ? -between(rng, 500, 5000) : 0;
  const shippingCents = rng() < 0.6 ? between(rng, 10, 60) * 100 : 0;
  const items = itemsFor(rng, id, spec, currency, h.createdMs);
  const po: StockyPurchaseOrder = {
    id,
    number: rng() < 0.03 ? `${sequential}A` : sequential,
    sequential_id: sequential,
    invoice_number: null,
    created_at: isoMillis(h.createdMs),
    updated_at: isoMillis(h.updatedMs),
    generated_at: isoMillis(h.createdMs),
    ordered_at: h.orderedMs === null ? null : isoMillis(h.orderedMs),
    expected_on: h.orderedMs !== null || rng() < 0.7 ? isoDate((h.orderedMs ?? h.createdMs) + between(rng, 7, 30) * DAY) : null,
    ship_on: null,
    payment_due_on: null,
    archived: stage === 'archived' || stage === 'cancelled',
    supplier_name: spec.name,
    supplier_id: String(h.supplier + 1),
    currency,
    shopify_receive_location_id: pick(rng, RECEIVE_LOCATION_IDS),
    paid: false,
    adjustments: centsToNumber(adjustmentsCents),
    adjustments_local: centsToNumber(Math.round(adjustmentsCents * toLocal)),
    shipping: centsToNumber(shippingCents),
    shipping_local: centsToNumber(Math.round(shippingCents * toLocal)),
    shipping_tax_type: shippingCents > 0 && rng() < 0.5 ? 27 : null,
    invoice_date: null,
    purchase_items: items,
  };
  if (h.orderedMs !== null && stage !== 'ordered') {
    // Something arrived: the supplier shipped, and deliveries happened between shipping and the last update.
    const shipMs = Math.min(h.updatedMs, h.orderedMs + between(rng, 1, 10) * DAY);
    po.ship_on = isoDate(shipMs);
    const arrive = () => shipMs + Math.floor(rng() * Math.max(0, h.updatedMs - shipMs));
    if (stage === 'partial') {
      // Part delivered: the first item is still outstanding, some of the others have arrived (at least one).
      if (items.length === 1) items.push(itemFor(rng, id, 1, spec.products.find((p) => p.sku !== items[0].sku)!, currency, h.createdMs));
      items.forEach((item, n) => { if (n > 0 && rng() < 0.6) deliver(item, arrive()); });
      if (items.every((item) => item.status === 'not delivered')) deliver(items[items.length - 1], arrive());
    } else {
      for (const item of items) deliver(item, arrive());
      if (items.length > 2 && rng() < 0.05) {
        items[items.length - 1].status = 'cancelled';
        items[items.length - 1].received_at = null;
      }
    }
    if (rng() < 0.7) invoice(rng, po, Math.min(h.updatedMs, shipMs + DAY));
    po.paid = rng() < (stage === 'archived' ? 0.85 : stage === 'received' ? 0.5 : 0.2);
  }
  return po;
}

/** A PO's stage read back from its fields, the way a connector must infer it. */
export function stageOf(po: StockyPurchaseOrder): StockyStage {
  if (po.ordered_at === null) return po.archived ? 'cancelled' : 'draft';
  if (po.archived) return 'archived';
  const live = po.purchase_items.filter((item) => item.status !== 'cancelled');
  const delivered = live.filter((item) => item.status === 'delivered').length;
  return delivered === 0 ? 'ordered' : delivered === live.length ? 'received' : 'partial';
}

export const isTerminal = (po: StockyPurchaseOrder) => po.archived;

// ------------------------------------------------------------------------------------------ churn

/**
 * One step on for a PO: draft → ordered (a few drafts are archived unordered instead), ordered → one item
 * delivered, partial → every item delivered, received → archived (paid, invoiced). updated_at moves to now,
 * and so does the updated_at of every item that changed. Returns null for archived POs.
 */
export function advancePo(po: StockyPurchaseOrder, nowMs: number, rng: Rng): StockyPurchaseOrder | null {
  if (isTerminal(po)) return null;
  const next: StockyPurchaseOrder = { ...po, purchase_items: po.purchase_items.map((item) => ({ ...item })), updated_at: isoMillis(nowMs) };
  const stage = stageOf(po);
  switch (stage) {
    case 'draft':
      if (rng() < 0.05) {
        next.archived = true;
        break;
      }
      next.ordered_at = isoMillis(nowMs);
      next.expected_on ??= isoDate(nowMs + 14 * DAY);
      break;
    case 'ordered':
    case 'partial': {
      next.ship_on ??= isoDate(nowMs);
      const waiting = next.purchase_items.filter((item) => item.status === 'not delivered');
      for (const item of stage === 'ordered' ? waiting.slice(0, 1) : waiting) deliver(item, nowMs);
      if (stage === 'partial' && next.invoice_number === null) invoice(rng, next, nowMs);
      break;
    }
    case 'received':
      next.archived = true;
      next.paid = true;
      if (next.invoice_number === null) invoice(rng, next, nowMs);
      break;
  }
  return next;
}

/** A new draft as churn makes them. `id`, `index` and creation time are the store's. */
export function churnDraft(rng: Rng, id: number, index: number, nowMs: number): StockyPurchaseOrder {
  const supplier = Math.floor(rng() * SUPPLIERS.length);
  const spec = SUPPLIERS[supplier];
  return {
    id, number: 1000 + index, sequential_id: 1000 + index, invoice_number: null,
    created_at: isoMillis(nowMs), updated_at: isoMillis(nowMs), generated_at: isoMillis(nowMs),
    ordered_at: null, expected_on: isoDate(nowMs + 21 * DAY), ship_on: null, payment_due_on: null, archived: false,
    supplier_name: spec.name, supplier_id: String(supplier + 1), currency: MERCHANT_CURRENCY,
    shopify_receive_location_id: pick(rng, RECEIVE_LOCATION_IDS), paid: false,
    adjustments: 0, adjustments_local: 0, shipping: 0, shipping_local: 0, shipping_tax_type: null, invoice_date: null,
    purchase_items: itemsFor(rng, id, spec, MERCHANT_CURRENCY, nowMs),
  };
}

// ------------------------------------------------------------------------------------- list query

export const STOCKY_STATUS_FILTERS = [
  'draft', 'draft-archived', 'draft-unarchived', 'confirmed', 'confirmed-archived', 'confirmed-unarchived', 'archived', 'unarchived',
] as const;
export type StockyStatusFilter = (typeof STOCKY_STATUS_FILTERS)[number];

/** Does a PO (ordered or not, archived or not) pass a status filter? */
export function passesStatus(filter: StockyStatusFilter, ordered: boolean, archived: boolean): boolean {
  const [state, archive] = filter.includes('-') ? filter.split('-') : filter === 'archived' || filter === 'unarchived' ? [null, filter] : [filter, null];
  if (state === 'draft' && ordered) return false;
  if (state === 'confirmed' && !ordered) return false;
  if (archive === 'archived' && !archived) return false;
  if (archive === 'unarchived' && archived) return false;
  return true;
}

export interface StockyListQuery {
  confirmedSince: number | null;
  updatedSince: number | null;
  status: StockyStatusFilter | null;
  limit: number;
  offset: number;
  sinceId: number | null;
}

export const STOCKY_DEFAULT_LIMIT = 50;

type Query = Record<string, unknown>;
const one = (query: Query, name: string): string | undefined => {
  const v = query[name];
  return Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v);
};

/** The apipie-style message Stocky answers a bad parameter with. */
export const invalidParameter = (name: string, value: string, rule: string) => `Invalid parameter '${name}' value "${value}": ${rule}`;

function integerParam(query: Query, name: string, min: number, max: number): number | undefined | { error: string } {
  const text = one(query, name);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text.trim())) return { error: invalidParameter(name, text, 'Must be a Integer') };
  const n = Number(text);
  if (n < min || n > max) return { error: invalidParameter(name, text, `Must be a number from ${min} to ${max}`) };
  return n;
}

function instantParam(query: Query, name: string): number | null | { error: string } {
  const text = one(query, name);
  if (text === undefined || text === '') return null;
  const ms = parseIsoInstant(text);
  return ms === null ? { error: invalidParameter(name, text, 'Must be an ISO 8601 date-time (e.g. 2014-04-25T16:15:47-04:00)') } : ms;
}

const isError = (v: unknown): v is { error: string } => typeof v === 'object' && v !== null && 'error' in v;

export function parsePoListQuery(query: Query, maxLimit: number): { ok: true; query: StockyListQuery } | { ok: false; message: string } {
  const limit = integerParam(query, 'limit', 1, maxLimit);
  const offset = integerParam(query, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const sinceId = integerParam(query, 'since_id', 0, Number.MAX_SAFE_INTEGER);
  const confirmedSince = instantParam(query, 'confirmed_since');
  const updatedSince = instantParam(query, 'updated_since');
  for (const v of [confirmedSince, updatedSince, limit, offset, sinceId]) if (isError(v)) return { ok: false, message: v.error };
  const status = one(query, 'status');
  if (status !== undefined && status !== '' && !STOCKY_STATUS_FILTERS.includes(status as StockyStatusFilter)) {
    return { ok: false, message: invalidParameter('status', status, `Must be one of: ${STOCKY_STATUS_FILTERS.join(', ')}`) };
  }
  return {
    ok: true,
    query: {
      confirmedSince: confirmedSince as number | null,
      updatedSince: updatedSince as number | null,
      status: status ? (status as StockyStatusFilter) : null,
      limit: (limit as number | undefined) ?? STOCKY_DEFAULT_LIMIT,
      offset: (offset as number | undefined) ?? 0,
      sinceId: (sinceId as number | undefined) ?? null,
    },
  };
}

export interface SupplierListQuery { limit: number; sinceId: number | null; updatedSince: number | null }

export function parseSupplierListQuery(query: Query): { ok: true; query: SupplierListQuery } | { ok: false; message: string } {
  const limit = integerParam(query, 'limit', 1, 250);
  const sinceId = integerParam(query, 'since_id', 0, Number.MAX_SAFE_INTEGER);
  const updatedSince = instantParam(query, 'updated_since');
  for (const v of [limit, sinceId, updatedSince]) if (isError(v)) return { ok: false, message: v.error };
  return { ok: true, query: { limit: (limit as number | undefined) ?? 50, sinceId: (sinceId as number | undefined) ?? null, updatedSince: updatedSince as number | null } };
}

/** Suppliers in id order: ids greater than since_id (suppliers page the other way from purchase orders). */
export function listSuppliers(suppliers: readonly StockySupplier[], q: SupplierListQuery): StockySupplier[] {
  return suppliers
    .filter((s) => (q.sinceId === null || s.id > q.sinceId) && (q.updatedSince === null || Date.parse(s.updated_at) >= q.updatedSince))
    .slice(0, q.limit);
}

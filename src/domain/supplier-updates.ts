// Supplier updates (DESIGN section 3, "Supplier updates (ingest)"): what suppliers tell us about a PO —
// acknowledgements (order), shipments, carrier checkpoints (tracking_event) and invoices. Pure:
// - parseSupplierUpdates validates a whole batch and names every bad index and field;
// - planUpdate turns one update and a PO's current state (a PoSnapshot) into its next state, or a rejection;
// - diffSnapshots lists the writes between two states, which the store carries out.
// Rules: line statuses only move forward along pending < submitted < confirmed < processing < backorder < shipped
// < in transit < delivered < complete; cancelled lines stay cancelled; a line is shipped once its full quantity
// has shipped and delivered once every shipped part is delivered.
import { createHash } from 'node:crypto';
import { isCalendarDate } from './dates.ts';
import type { InvoiceFields } from './invoice.ts';
import { amountToCents, PAYMENT_TERMS } from './money.ts';
import { derivePoStatus, type FulfilmentStatus } from './statuses.ts';
import { detectCarrier, trackingUrl } from './tracking.ts';

export const UPDATE_TYPES = ['order', 'shipment', 'tracking_event', 'invoice'] as const;
export type UpdateType = (typeof UPDATE_TYPES)[number];
export const ORDER_STATUSES = ['submitted', 'confirmed', 'processing', 'backorder', 'cancelled', 'invalid'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const TRACKING_STATUSES = ['in transit', 'delivered', 'exception'] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];
export const INVOICE_STATUSES = ['open', 'paid', 'partially_paid', 'overdue', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const MAX_UPDATES = 1000;
export const MAX_LINES_PER_UPDATE = 1000;
/** Decoded size limit of one invoice PDF. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** Largest amount accepted (keeps cents exact in a double and in a bigint column). */
export const MAX_AMOUNT = 10_000_000_000;
const MAX_QUANTITY = 1_000_000;

export interface LineQuantity {
  sku: string;
  quantity: number;
}

export interface OrderUpdate {
  type: 'order';
  po_number: string;
  supplier_order_id: string;
  supplier_name: string;
  status: OrderStatus;
  /** Null: every not-yet-covered line of that supplier on the PO. */
  lines: LineQuantity[] | null;
  estimated_delivery_date: string | null;
}

export interface ShipmentUpdate {
  type: 'shipment';
  po_number: string;
  /** Null: the supplier did not say; the shipment joins its existing supplier order, or none. */
  supplier_order_id: string | null;
  /** Normalised: no white space, upper case. */
  tracking_number: string;
  /** Lower-case carrier code as supplied, or null to detect it from the number. */
  carrier: string | null;
  /** Stored instant (UTC ISO text). */
  shipped_at: string | null;
  estimated_delivery_date: string | null;
  /**
   * Null: every not-yet-shipped line of the supplier order, or, when the supplier order is not known (a bare
   * "PO X shipped, tracking T"), every not-yet-shipped line of the PO's supplier (DESIGN 3, note on `lines`).
   */
  lines: LineQuantity[] | null;
}

export interface TrackingEventUpdate {
  type: 'tracking_event';
  po_number: string;
  tracking_number: string;
  status: TrackingStatus;
  message: string | null;
  location: string | null;
  /** Stored instant (UTC ISO text). */
  occurred_at: string;
}

export interface InvoiceDocument {
  bytes: Buffer;
  sha256: string;
}

export interface InvoiceUpdate {
  type: 'invoice';
  po_number: string;
  supplier_order_id: string | null;
  supplier_name: string | null;
  invoice_number: string;
  invoice_date: string | null;
  due_date: string | null;
  /** A payment_terms code (`net_60`) when recognised, else the supplier's text. */
  payment_terms: string | null;
  subtotal_cents: number;
  tax_cents: number;
  shipping_cents: number;
  total_cents: number;
  currency: string | null;
  status: InvoiceStatus | null;
  document: InvoiceDocument | null;
}

export type SupplierUpdate = OrderUpdate | ShipmentUpdate | TrackingEventUpdate | InvoiceUpdate;

export interface ParsedUpdate {
  update: SupplierUpdate;
  /** Hex SHA-256 of `canonical`: the update's identity for idempotency. */
  fingerprint: string;
  /** The update as received, as canonical JSON (sorted keys): what is held while unmatched. */
  canonical: string;
}

export interface FieldProblem {
  field: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------------------
// Canonical JSON and fingerprints

/** JSON with object keys sorted at every level and no white space: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).filter((k) => record[k] !== undefined).sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function fingerprintOf(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}

// ---------------------------------------------------------------------------------------------------------
// Parsing and validation

/** White space out, upper case in: how tracking numbers are stored and compared. */
export function normalizeTrackingNumber(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

const INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2}))$/i;

/** An ISO 8601 instant with an offset (`2026-11-24T10:12:00-08:00`) as stored UTC text, or null. */
export function parseInstant(value: string): string | null {
  const match = INSTANT.exec(value);
  if (!match) return null;
  const [, date, hh, mm, ss, , zone, oh, om] = match;
  if (!isCalendarDate(date) || Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 59) return null;
  if (zone.toUpperCase() !== 'Z' && (Number(oh) > 23 || Number(om) > 59)) return null;
  // Date.parse takes at most millisecond precision: finer fractions are cut, not rounded.
  const ms = Date.parse(value.toUpperCase().replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** Payment terms as the read API shows them (`Net 60 Days`) or as codes (`net_60`) → code; other text kept. */
export function normalizePaymentTerms(value: string): string {
  const text = value.trim();
  const lower = text.toLowerCase();
  if ((PAYMENT_TERMS as readonly string[]).includes(lower)) return lower;
  const net = /^net\s*(\d{1,3})(\s*days?)?$/i.exec(text);
  if (net) return `net_${Number(net[1])}`;
  const words: Record<string, string> = {
    'cash on delivery': 'cash_on_delivery', 'payment on receipt': 'payment_on_receipt', 'payment in advance': 'payment_in_advance',
  };
  return words[lower.replace(/\s+/g, ' ')] ?? text;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const PDF_MAGIC = Buffer.from('%PDF-');
const CARRIER = /^[a-z0-9][a-z0-9_.-]{0,39}$/;
const TRACKING_NUMBER = /^[A-Z0-9-]{1,64}$/;
const CURRENCY = /^[A-Z]{3}$/;

const FIELDS: Record<UpdateType, readonly string[]> = {
  order: ['type', 'po_number', 'supplier_order_id', 'supplier_name', 'status', 'lines', 'estimated_delivery_date'],
  shipment: ['type', 'po_number', 'supplier_order_id', 'tracking_number', 'carrier', 'shipped_date', 'estimated_delivery_date', 'lines'],
  tracking_event: ['type', 'po_number', 'tracking_number', 'status', 'message', 'location', 'timestamp'],
  invoice: [
    'type', 'po_number', 'supplier_order_id', 'supplier_name', 'invoice_number', 'invoice_date', 'due_date', 'payment_terms',
    'subtotal_amount', 'tax_amount', 'shipping_amount', 'total_amount', 'currency', 'status', 'document_pdf_base64',
  ],
};

const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);

/** Reads the fields of one JSON object, collecting a problem per bad field. */
class FieldReader {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly path: string,
    private readonly problems: FieldProblem[],
  ) {}

  problem(name: string, message: string): void {
    this.problems.push({ field: name ? `${this.path}.${name}` : this.path, message });
  }

  private present(name: string, required: boolean): boolean {
    const value = this.raw[name];
    if (value === undefined || value === null) {
      if (required) this.problem(name, 'is required');
      return false;
    }
    return true;
  }

  text(name: string, required: true, max?: number): string | undefined;
  text(name: string, required: false, max?: number): string | null | undefined;
  /** A non-empty string (trimmed). Absent or null: null (or a problem when required); undefined when bad. */
  text(name: string, required: boolean, max = 100): string | null | undefined {
    if (!this.present(name, required)) return required ? undefined : null;
    const value = this.raw[name];
    if (typeof value !== 'string') return void this.problem(name, `must be a string, not ${kindOf(value)}`);
    const trimmed = value.trim();
    if (trimmed.length === 0) return void this.problem(name, 'must not be empty');
    if (trimmed.length > max) return void this.problem(name, `must be at most ${max} characters`);
    return trimmed;
  }

  oneOf<T extends string>(name: string, values: readonly T[], required: boolean): T | null | undefined {
    if (!this.present(name, required)) return required ? undefined : null;
    const value = this.raw[name];
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      return void this.problem(name, `must be one of ${values.map((v) => `"${v}"`).join(', ')}`);
    }
    return value as T;
  }

  calendarDate(name: string, required: boolean): string | null | undefined {
    const value = this.text(name, false, 40);
    if (value === undefined) return undefined;
    if (value === null) {
      if (required) this.problem(name, 'is required');
      return required ? undefined : null;
    }
    if (!isCalendarDate(value)) return void this.problem(name, `"${value}" is not a calendar date (YYYY-MM-DD)`);
    return value;
  }

  /** An instant with an offset; with `dateAllowed`, a calendar date is taken as midnight UTC. */
  instant(name: string, required: boolean, dateAllowed = false): string | null | undefined {
    const value = this.text(name, false, 40);
    if (value === undefined) return undefined;
    if (value === null) {
      if (required) this.problem(name, 'is required');
      return required ? undefined : null;
    }
    if (dateAllowed && isCalendarDate(value)) return `${value}T00:00:00.000Z`;
    const instant = parseInstant(value);
    if (instant === null) {
      return void this.problem(name, `"${value}" is not an ISO 8601 date-time with an offset (e.g. 2026-11-24T10:12:00-08:00)`);
    }
    return instant;
  }

  /** An amount ≥ 0 with at most two decimals, in cents. Absent: `fallback` (or a problem when required). */
  cents(name: string, required: boolean, fallback = 0): number | undefined {
    if (!this.present(name, required)) return required ? undefined : fallback;
    const value = this.raw[name];
    if (typeof value !== 'number') return void this.problem(name, `must be a number, not ${kindOf(value)}`);
    if (value < 0) return void this.problem(name, 'must not be negative');
    if (value > MAX_AMOUNT) return void this.problem(name, `must be at most ${MAX_AMOUNT}`);
    const cents = amountToCents(value);
    if (cents === null) return void this.problem(name, 'must have at most two decimals');
    return cents;
  }

  lines(name: string): LineQuantity[] | null | undefined {
    if (!this.present(name, false)) return null;
    const value = this.raw[name];
    if (!Array.isArray(value)) return void this.problem(name, `must be an array, not ${kindOf(value)}`);
    if (value.length === 0) return void this.problem(name, 'must have at least 1 item (omit it to mean every line)');
    if (value.length > MAX_LINES_PER_UPDATE) return void this.problem(name, `must have at most ${MAX_LINES_PER_UPDATE} items`);
    const lines: LineQuantity[] = [];
    let ok = true;
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const path = `${this.path}.${name}[${i}]`;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        this.problems.push({ field: path, message: `must be an object with sku and quantity, not ${kindOf(item)}` });
        ok = false;
        return;
      }
      const before = this.problems.length;
      const reader = new FieldReader(item as Record<string, unknown>, path, this.problems);
      reader.unknownFields(['sku', 'quantity']);
      const sku = reader.text('sku', true);
      const quantity = reader.quantity('quantity');
      if (sku !== undefined && seen.has(sku)) reader.problem('sku', `"${sku}" appears more than once in ${name}`);
      if (sku !== undefined) seen.add(sku);
      if (this.problems.length > before || sku === undefined || quantity === undefined) ok = false;
      else lines.push({ sku, quantity });
    });
    return ok ? lines : undefined;
  }

  quantity(name: string): number | undefined {
    if (!this.present(name, true)) return undefined;
    const value = this.raw[name];
    if (typeof value !== 'number' || !Number.isInteger(value)) return void this.problem(name, 'must be a whole number');
    if (value < 1) return void this.problem(name, 'must be at least 1');
    if (value > MAX_QUANTITY) return void this.problem(name, `must be at most ${MAX_QUANTITY}`);
    return value;
  }

  unknownFields(known: readonly string[]): void {
    for (const name of Object.keys(this.raw)) if (!known.includes(name)) this.problem(name, 'is not a known field');
  }
}

/** Decodes `document_pdf_base64`: base64 (line breaks allowed, an optional data: prefix) of a PDF file. */
function decodePdf(reader: FieldReader, raw: unknown): InvoiceDocument | null | undefined {
  const name = 'document_pdf_base64';
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string') return void reader.problem(name, `must be a base64 string, not ${kindOf(raw)}`);
  const text = raw.replace(/^data:application\/pdf;base64,/i, '').replace(/\s+/g, '');
  if (text.length === 0) return void reader.problem(name, 'must not be empty');
  if (text.length % 4 !== 0 || !BASE64.test(text)) return void reader.problem(name, 'is not valid base64');
  if ((text.length / 4) * 3 > MAX_DOCUMENT_BYTES + 2) {
    return void reader.problem(name, `decodes to more than ${MAX_DOCUMENT_BYTES / (1024 * 1024)} MB`);
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > MAX_DOCUMENT_BYTES) return void reader.problem(name, `decodes to more than ${MAX_DOCUMENT_BYTES / (1024 * 1024)} MB`);
  if (bytes.length < PDF_MAGIC.length || !bytes.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) {
    return void reader.problem(name, 'is not a PDF (the decoded bytes must start with %PDF-)');
  }
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function parseFields(type: UpdateType, r: FieldReader, raw: Record<string, unknown>, problemsBefore: number, problems: FieldProblem[]):
  SupplierUpdate | undefined {
  const po_number = r.text('po_number', true);
  const ok = () => problems.length === problemsBefore;
  switch (type) {
    case 'order': {
      const supplier_order_id = r.text('supplier_order_id', true);
      const supplier_name = r.text('supplier_name', true, 200);
      const status = r.oneOf('status', ORDER_STATUSES, true);
      const lines = r.lines('lines');
      const estimated_delivery_date = r.calendarDate('estimated_delivery_date', false);
      if (!ok()) return undefined;
      return {
        type, po_number: po_number!, supplier_order_id: supplier_order_id!, supplier_name: supplier_name!, status: status!,
        lines: lines!, estimated_delivery_date: estimated_delivery_date!,
      };
    }
    case 'shipment': {
      const supplier_order_id = r.text('supplier_order_id', false);
      const tracking_number = trackingNumber(r);
      let carrier = r.text('carrier', false, 40);
      if (carrier) {
        carrier = carrier.toLowerCase();
        if (!CARRIER.test(carrier)) {
          r.problem('carrier', 'must be a carrier code such as "ups", "fedex", "usps" or "dhl" (letters, digits, "_", "-", ".")');
        }
      }
      const shipped_at = r.instant('shipped_date', false, true);
      const estimated_delivery_date = r.calendarDate('estimated_delivery_date', false);
      const lines = r.lines('lines');
      if (!ok()) return undefined;
      return {
        type, po_number: po_number!, supplier_order_id: supplier_order_id ?? null, tracking_number: tracking_number!, carrier: carrier ?? null,
        shipped_at: shipped_at!, estimated_delivery_date: estimated_delivery_date!, lines: lines!,
      };
    }
    case 'tracking_event': {
      const tracking_number = trackingNumber(r);
      const status = r.oneOf('status', TRACKING_STATUSES, true);
      const message = r.text('message', false, 500);
      const location = r.text('location', false, 200);
      const occurred_at = r.instant('timestamp', true);
      if (!ok()) return undefined;
      return {
        type, po_number: po_number!, tracking_number: tracking_number!, status: status!, message: message!, location: location!,
        occurred_at: occurred_at!,
      };
    }
    case 'invoice': {
      const supplier_order_id = r.text('supplier_order_id', false);
      const supplier_name = r.text('supplier_name', false, 200);
      const invoice_number = r.text('invoice_number', true);
      const invoice_date = r.calendarDate('invoice_date', false);
      const due_date = r.calendarDate('due_date', false);
      if (invoice_date && due_date && due_date < invoice_date) r.problem('due_date', 'must not be before invoice_date');
      const terms = r.text('payment_terms', false);
      const subtotal_cents = r.cents('subtotal_amount', true);
      const tax_cents = r.cents('tax_amount', false);
      const shipping_cents = r.cents('shipping_amount', false);
      const total_cents = r.cents('total_amount', true);
      if (subtotal_cents !== undefined && tax_cents !== undefined && shipping_cents !== undefined && total_cents !== undefined) {
        const sum = subtotal_cents + tax_cents + shipping_cents;
        if (sum !== total_cents) {
          r.problem('total_amount', `must equal subtotal_amount + tax_amount + shipping_amount (${(sum / 100).toFixed(2)}), ` +
            `not ${(total_cents / 100).toFixed(2)}`);
        }
      }
      let currency = r.text('currency', false, 3);
      if (currency) {
        currency = currency.toUpperCase();
        if (!CURRENCY.test(currency)) r.problem('currency', 'must be a three-letter ISO 4217 code such as "USD"');
      }
      const status = r.oneOf('status', INVOICE_STATUSES, false);
      const document = decodePdf(r, raw.document_pdf_base64);
      if (!ok()) return undefined;
      return {
        type, po_number: po_number!, supplier_order_id: supplier_order_id!, supplier_name: supplier_name!, invoice_number: invoice_number!,
        invoice_date: invoice_date!, due_date: due_date!, payment_terms: terms ? normalizePaymentTerms(terms) : null,
        subtotal_cents: subtotal_cents!, tax_cents: tax_cents!, shipping_cents: shipping_cents!, total_cents: total_cents!,
        currency: currency ?? null, status: status ?? null, document: document!,
      };
    }
  }
}

function trackingNumber(r: FieldReader): string | undefined {
  const value = r.text('tracking_number', true, 80);
  if (value === undefined) return undefined;
  const normalized = normalizeTrackingNumber(value);
  if (!TRACKING_NUMBER.test(normalized)) {
    return void r.problem('tracking_number', 'must be 1–64 letters, digits or hyphens (spaces are ignored)');
  }
  return normalized;
}

/** One update (`path` names it in problems, e.g. `updates[3]`); undefined when it has problems. */
export function parseSupplierUpdate(raw: unknown, path: string, problems: FieldProblem[]): ParsedUpdate | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ field: path, message: `must be an object, not ${kindOf(raw)}` });
    return undefined;
  }
  const record = raw as Record<string, unknown>;
  const before = problems.length;
  const reader = new FieldReader(record, path, problems);
  const type = reader.oneOf('type', UPDATE_TYPES, true);
  if (!type) {
    reader.text('po_number', true);
    return undefined;
  }
  reader.unknownFields(FIELDS[type]);
  const update = parseFields(type, reader, record, before, problems);
  if (!update) return undefined;
  const canonical = canonicalJson(record);
  return { update, canonical, fingerprint: fingerprintOf(canonical) };
}

/** A whole batch: every update, or every problem (fields named `updates[i].field`). */
export function parseSupplierUpdates(raw: readonly unknown[]):
  { ok: true; updates: ParsedUpdate[] } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const updates: ParsedUpdate[] = [];
  raw.forEach((item, index) => {
    const parsed = parseSupplierUpdate(item, `updates[${index}]`, problems);
    if (parsed) updates.push(parsed);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, updates };
}

// ---------------------------------------------------------------------------------------------------------
// Status rules

/** The normal path; review, internal review and invalid are off it (a supplier's word moves them on). */
const PROGRESS_RANK: Partial<Record<FulfilmentStatus, number>> = {
  pending: 0, submitted: 1, confirmed: 2, processing: 3, backorder: 4, shipped: 5, 'in transit': 6, delivered: 7, complete: 8,
};
const SHIPPED_RANK = 5;

const rankOf = (status: FulfilmentStatus) => PROGRESS_RANK[status] ?? 0;

/**
 * Where a line goes when a supplier or carrier reports `target`: never backwards along the path, never out of
 * cancelled; cancelled and invalid apply only to lines that have not shipped.
 */
export function advanceStatus(current: FulfilmentStatus, target: FulfilmentStatus): FulfilmentStatus {
  if (current === 'cancelled' || current === target) return current;
  if (target === 'cancelled' || target === 'invalid') return rankOf(current) < SHIPPED_RANK ? target : current;
  const targetRank = PROGRESS_RANK[target];
  if (targetRank === undefined) return current; // review / internal review are the retailer's, not the supplier's
  if (PROGRESS_RANK[current] === undefined) return target; // off the path: any supplier progress moves it on
  return targetRank > rankOf(current) ? target : current;
}

/**
 * The status a line's shipments give it, or null while part of its quantity has not shipped: delivered when every
 * shipped part is delivered, in transit once the carrier reports any part moving, else shipped.
 */
export function statusFromShipments(quantity: number, parts: readonly { quantity: number; shipmentStatus: string }[]):
  FulfilmentStatus | null {
  const shipped = parts.reduce((sum, part) => sum + part.quantity, 0);
  if (parts.length === 0 || shipped < quantity) return null;
  if (parts.every((part) => part.shipmentStatus === 'delivered')) return 'delivered';
  if (parts.some((part) => part.shipmentStatus !== 'shipped')) return 'in transit';
  return 'shipped';
}

const SHIPMENT_RANK: Record<string, number> = { shipped: 0, 'in transit': 1, exception: 1, delivered: 2 };

/**
 * A shipment's status from its checkpoints, never moving back from where it is: any delivered checkpoint →
 * delivered (at the latest such checkpoint); else the latest in-transit or exception checkpoint; else as it was.
 */
export function shipmentStatusFromCheckpoints(
  current: { status: string; delivered_at: string | null },
  checkpoints: readonly { status: string; occurred_at: string }[],
): { status: string; delivered_at: string | null } {
  const byTime = [...checkpoints].sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : 0));
  const delivered = byTime.filter((c) => c.status === 'delivered').at(-1);
  if (delivered) return { status: 'delivered', delivered_at: delivered.occurred_at };
  if (current.status === 'delivered') return current;
  const moving = byTime.filter((c) => c.status === 'in transit' || c.status === 'exception').at(-1);
  if (!moving || (SHIPMENT_RANK[moving.status] ?? 0) < (SHIPMENT_RANK[current.status] ?? 0)) return current;
  return { status: moving.status, delivered_at: current.delivered_at };
}

// ---------------------------------------------------------------------------------------------------------
// A PO's state as the rules see it, and planning one update against it

export interface LineCover {
  line_id: string;
  quantity: number;
}

export interface SnapshotLine {
  id: string;
  sku: string;
  quantity: number;
  status: FulfilmentStatus;
  /** The line's supplier: its own, else the PO's; null when unknown. */
  supplier_id: string | null;
  estimated_delivery_date: string | null;
}

export interface SnapshotSupplierOrder {
  id: string;
  supplier_order_id: string;
  supplier_id: string | null;
  status: string;
  lines: LineCover[];
}

export interface SnapshotCheckpoint {
  id: string;
  status: string;
  message: string | null;
  location: string | null;
  occurred_at: string;
}

export interface SnapshotShipment {
  id: string;
  supplier_order_pk: string | null;
  tracking_number: string;
  carrier: string | null;
  carrier_source: string | null;
  tracking_url: string | null;
  status: string;
  shipped_at: string | null;
  estimated_delivery_date: string | null;
  delivered_at: string | null;
  lines: LineCover[];
  checkpoints: SnapshotCheckpoint[];
}

export interface SnapshotInvoice extends InvoiceFields {
  id: string;
  supplier_id: string | null;
  supplier_order_id: string | null;
  /** Null with a `document_sha256` set: a new document the store must save. */
  document_id: string | null;
  document_sha256: string | null;
}

export interface PoSnapshot {
  po_id: string;
  po_number: string;
  currency: string;
  /** The PO's supplier. */
  supplier_id: string | null;
  lines: SnapshotLine[];
  supplierOrders: SnapshotSupplierOrder[];
  shipments: SnapshotShipment[];
  invoices: SnapshotInvoice[];
}

export interface PlanContext {
  /** The retailer's suppliers: id → name. */
  supplierNames: ReadonlyMap<string, string>;
  newId: (prefix: 'so' | 'shp' | 'chk' | 'inv') => string;
}

export type Plan = { ok: true; next: PoSnapshot } | { ok: false; reason: string };

const reject = (reason: string): Plan => ({ ok: false, reason });
const sumOf = (covers: readonly LineCover[], lineId: string) =>
  covers.reduce((sum, cover) => (cover.line_id === lineId ? sum + cover.quantity : sum), 0);

function setCover(covers: LineCover[], lineId: string, quantity: number): void {
  const existing = covers.find((c) => c.line_id === lineId);
  if (existing) existing.quantity = quantity;
  else covers.push({ line_id: lineId, quantity });
}

/** Supplier ids whose name matches (case and surrounding space ignored). */
function suppliersNamed(name: string, ctx: PlanContext): string[] {
  const wanted = name.trim().toLowerCase();
  return [...ctx.supplierNames].filter(([, n]) => n.trim().toLowerCase() === wanted).map(([id]) => id);
}

function supplierLabel(id: string | null, ctx: PlanContext): string {
  return id === null ? 'an unknown supplier' : `"${ctx.supplierNames.get(id) ?? id}"`;
}

function poSuppliersText(s: PoSnapshot, ctx: PlanContext): string {
  const names = [...new Set(s.lines.map((l) => l.supplier_id).filter((id): id is string => id !== null))]
    .map((id) => `"${ctx.supplierNames.get(id) ?? id}"`);
  return names.length > 0 ? ` (its lines are supplied by ${names.join(', ')})` : '';
}

/** A copy the planner may change; checkpoints are never changed once made, so they are shared. */
const clone = (s: PoSnapshot): PoSnapshot => ({
  ...s,
  lines: s.lines.map((line) => ({ ...line })),
  supplierOrders: s.supplierOrders.map((order) => ({ ...order, lines: order.lines.map((c) => ({ ...c })) })),
  shipments: s.shipments.map((shipment) => ({
    ...shipment, lines: shipment.lines.map((c) => ({ ...c })), checkpoints: [...shipment.checkpoints],
  })),
  invoices: s.invoices.map((invoice) => ({ ...invoice })),
});

/** Lines whose status follows their shipments, recomputed after a shipment or checkpoint. */
function settleLines(s: PoSnapshot, lineIds: Iterable<string>): void {
  for (const lineId of new Set(lineIds)) {
    const line = s.lines.find((l) => l.id === lineId);
    if (!line) continue;
    const parts = s.shipments.flatMap((shipment) => shipment.lines.filter((c) => c.line_id === lineId)
      .map((c) => ({ quantity: c.quantity, shipmentStatus: shipment.status })));
    const target = statusFromShipments(line.quantity, parts);
    if (target) line.status = advanceStatus(line.status, target);
  }
}

/** Supplier orders show the state of the lines they cover; refreshed for those touching changed lines. */
function settleSupplierOrders(before: PoSnapshot, s: PoSnapshot, touched: ReadonlySet<string>): void {
  const changedLines = new Set(s.lines.filter((line) => before.lines.find((b) => b.id === line.id)?.status !== line.status)
    .map((line) => line.id));
  for (const order of s.supplierOrders) {
    if (!touched.has(order.id) && !order.lines.some((c) => changedLines.has(c.line_id))) continue;
    const statuses = order.lines.map((c) => s.lines.find((l) => l.id === c.line_id)?.status)
      .filter((status): status is FulfilmentStatus => status !== undefined);
    if (statuses.length > 0) order.status = derivePoStatus(statuses);
  }
}

function planOrder(s: PoSnapshot, u: OrderUpdate, ctx: PlanContext): Plan {
  const named = suppliersNamed(u.supplier_name, ctx);
  const fromSupplier = (line: SnapshotLine) => line.supplier_id === null || named.includes(line.supplier_id);
  if (!s.lines.some(fromSupplier)) {
    return reject(`Supplier "${u.supplier_name}" supplies no line of PO ${s.po_number}${poSuppliersText(s, ctx)}.`);
  }
  const existing = s.supplierOrders.find((o) => o.supplier_order_id === u.supplier_order_id);
  if (existing?.supplier_id && !named.includes(existing.supplier_id)) {
    return reject(`Supplier order ${u.supplier_order_id} on PO ${s.po_number} belongs to ${supplierLabel(existing.supplier_id, ctx)}, ` +
      `not "${u.supplier_name}".`);
  }
  const coveredByOthers = (lineId: string) =>
    s.supplierOrders.filter((o) => o !== existing).reduce((sum, o) => sum + sumOf(o.lines, lineId), 0);

  const targets: LineCover[] = [];
  if (u.lines) {
    for (const { sku, quantity } of u.lines) {
      const candidates = s.lines.filter((l) => l.sku === sku);
      if (candidates.length === 0) return reject(`SKU "${sku}" is not on PO ${s.po_number}.`);
      const line = candidates.find(fromSupplier);
      if (!line) {
        return reject(`SKU "${sku}" on PO ${s.po_number} is supplied by ${supplierLabel(candidates[0].supplier_id, ctx)}, ` +
          `not "${u.supplier_name}".`);
      }
      if (line.status === 'cancelled' && u.status !== 'cancelled') return reject(`SKU "${sku}" is cancelled on PO ${s.po_number}.`);
      const others = coveredByOthers(line.id);
      if (quantity + others > line.quantity) {
        return reject(`SKU "${sku}": ${quantity} exceeds the ${line.quantity - others} of ${line.quantity} ordered ` +
          'not covered by other supplier orders.');
      }
      targets.push({ line_id: line.id, quantity });
    }
  } else {
    for (const cover of existing?.lines ?? []) targets.push({ ...cover });
    for (const line of s.lines) {
      if (!fromSupplier(line) || line.status === 'cancelled' || targets.some((t) => t.line_id === line.id)) continue;
      const remaining = line.quantity - coveredByOthers(line.id);
      if (remaining > 0) targets.push({ line_id: line.id, quantity: remaining });
    }
    if (targets.length === 0) {
      return reject(`No line of supplier "${u.supplier_name}" on PO ${s.po_number} is left to cover ` +
        '(all are cancelled or covered by other supplier orders).');
    }
  }

  const next = clone(s);
  let order = next.supplierOrders.find((o) => o.supplier_order_id === u.supplier_order_id);
  if (!order) {
    const lineSuppliers = targets.map((t) => s.lines.find((l) => l.id === t.line_id)!.supplier_id);
    order = {
      id: ctx.newId('so'), supplier_order_id: u.supplier_order_id,
      supplier_id: named.find((id) => lineSuppliers.includes(id)) ?? named[0] ?? null, status: u.status, lines: [],
    };
    next.supplierOrders.push(order);
  }
  for (const target of targets) {
    setCover(order.lines, target.line_id, target.quantity);
    const line = next.lines.find((l) => l.id === target.line_id)!;
    line.status = advanceStatus(line.status, u.status);
    if (u.estimated_delivery_date && line.status !== 'cancelled' && rankOf(line.status) < 7) {
      line.estimated_delivery_date = u.estimated_delivery_date;
    }
  }
  settleSupplierOrders(s, next, new Set([order.id]));
  return { ok: true, next };
}

/**
 * The not-yet-shipped part of each line a bare shipment (no lines, no known supplier order) covers: the lines of
 * the PO's supplier (or, without one, of the PO's only supplier), less what other shipments carry. A string:
 * why there is no such set.
 */
function bareShipmentParts(s: PoSnapshot, shippedElsewhere: (lineId: string) => number): LineCover[] | string {
  const suppliers = new Set(s.lines.map((l) => l.supplier_id).filter((id) => id !== null));
  const supplier = s.supplier_id ?? (suppliers.size === 1 ? [...suppliers][0] : null);
  if (supplier === null && suppliers.size > 1) {
    return `PO ${s.po_number} has lines from several suppliers: name the supplier order (supplier_order_id) or list ` +
      'the lines this shipment carries.';
  }
  const parts: LineCover[] = [];
  for (const line of s.lines) {
    if (line.status === 'cancelled' || (supplier !== null && line.supplier_id !== null && line.supplier_id !== supplier)) continue;
    const remaining = line.quantity - shippedElsewhere(line.id);
    if (remaining > 0) parts.push({ line_id: line.id, quantity: remaining });
  }
  if (parts.length === 0) return `PO ${s.po_number} has nothing left to ship (every line is shipped or cancelled).`;
  return parts;
}

function planShipment(s: PoSnapshot, u: ShipmentUpdate, ctx: PlanContext): Plan {
  const existing = s.shipments.find((sh) => normalizeTrackingNumber(sh.tracking_number) === u.tracking_number);
  // Without a supplier order id, a known shipment keeps its own supplier order.
  const existingOrder = u.supplier_order_id !== null
    ? s.supplierOrders.find((o) => o.supplier_order_id === u.supplier_order_id)
    : s.supplierOrders.find((o) => o.id === existing?.supplier_order_pk);
  if (u.supplier_order_id !== null && existing?.supplier_order_pk && existing.supplier_order_pk !== existingOrder?.id) {
    const owner = s.supplierOrders.find((o) => o.id === existing.supplier_order_pk);
    return reject(`Tracking number ${u.tracking_number} is already a shipment of supplier order ${owner?.supplier_order_id ?? '?'} ` +
      `on PO ${s.po_number}.`);
  }
  const shippedElsewhere = (lineId: string) =>
    s.shipments.filter((sh) => sh !== existing).reduce((sum, sh) => sum + sumOf(sh.lines, lineId), 0);
  const orderSupplier = existingOrder?.supplier_id ?? null;

  let parts: LineCover[] | null = null;
  if (u.lines) {
    parts = [];
    for (const { sku, quantity } of u.lines) {
      const candidates = s.lines.filter((l) => l.sku === sku);
      if (candidates.length === 0) return reject(`SKU "${sku}" is not on PO ${s.po_number}.`);
      const line = candidates.find((l) => existingOrder?.lines.some((c) => c.line_id === l.id))
        ?? candidates.find((l) => orderSupplier === null || l.supplier_id === null || l.supplier_id === orderSupplier);
      if (!line) {
        return reject(`SKU "${sku}" on PO ${s.po_number} is supplied by ${supplierLabel(candidates[0].supplier_id, ctx)}, ` +
          `not by ${supplierLabel(orderSupplier, ctx)} of supplier order ${u.supplier_order_id}.`);
      }
      if (line.status === 'cancelled') return reject(`SKU "${sku}" is cancelled on PO ${s.po_number}; it cannot ship.`);
      const elsewhere = shippedElsewhere(line.id);
      if (elsewhere + quantity > line.quantity) {
        return reject(`SKU "${sku}": shipping ${quantity} would make ${elsewhere + quantity} shipped of the ${line.quantity} ordered.`);
      }
      parts.push({ line_id: line.id, quantity });
    }
  } else if (!existing && existingOrder) {
    parts = [];
    const orderShipments = s.shipments.filter((sh) => sh.supplier_order_pk === existingOrder.id);
    for (const cover of existingOrder.lines) {
      const line = s.lines.find((l) => l.id === cover.line_id);
      if (!line || line.status === 'cancelled') continue;
      const shippedInOrder = orderShipments.reduce((sum, sh) => sum + sumOf(sh.lines, line.id), 0);
      const remaining = Math.min(cover.quantity - shippedInOrder, line.quantity - shippedElsewhere(line.id));
      if (remaining > 0) parts.push({ line_id: line.id, quantity: remaining });
    }
    if (parts.length === 0) return reject(`Supplier order ${existingOrder.supplier_order_id} on PO ${s.po_number} has nothing left to ship.`);
  } else if (!existing) {
    const bare = bareShipmentParts(s, shippedElsewhere);
    if (typeof bare === 'string') return reject(bare);
    parts = bare;
  }

  const next = clone(s);
  let order = existingOrder ? next.supplierOrders.find((o) => o.id === existingOrder.id) : undefined;
  if (!order && u.supplier_order_id !== null) {
    // "PO X shipped, tracking T" is how a supplier order often first shows itself (DESIGN 3).
    const suppliers = new Set((parts ?? []).map((p) => s.lines.find((l) => l.id === p.line_id)!.supplier_id));
    order = {
      id: ctx.newId('so'), supplier_order_id: u.supplier_order_id,
      supplier_id: suppliers.size === 1 ? [...suppliers][0] : s.supplier_id, status: 'submitted', lines: [],
    };
    next.supplierOrders.push(order);
  }
  let shipment = next.shipments.find((sh) => normalizeTrackingNumber(sh.tracking_number) === u.tracking_number);
  if (!shipment) {
    const carrier = u.carrier ?? detectCarrier(u.tracking_number);
    shipment = {
      id: ctx.newId('shp'), supplier_order_pk: order?.id ?? null, tracking_number: u.tracking_number, carrier,
      carrier_source: u.carrier ? 'supplied' : carrier ? 'detected' : null, tracking_url: trackingUrl(carrier, u.tracking_number),
      status: 'shipped', shipped_at: u.shipped_at, estimated_delivery_date: u.estimated_delivery_date, delivered_at: null,
      lines: [], checkpoints: [],
    };
    next.shipments.push(shipment);
  } else {
    shipment.supplier_order_pk ??= order?.id ?? null;
    if (u.carrier && u.carrier !== shipment.carrier) {
      shipment.carrier = u.carrier;
      shipment.carrier_source = 'supplied';
      shipment.tracking_url = trackingUrl(u.carrier, shipment.tracking_number);
    } else if (u.carrier) {
      shipment.carrier_source = 'supplied';
    }
    if (u.shipped_at) shipment.shipped_at = u.shipped_at;
    if (u.estimated_delivery_date) shipment.estimated_delivery_date = u.estimated_delivery_date;
  }
  for (const part of parts ?? []) {
    setCover(shipment.lines, part.line_id, part.quantity);
    if (!order) continue;
    // The supplier order covers at least what its shipments carry.
    const shippedInOrder = next.shipments.filter((sh) => sh.supplier_order_pk === order.id)
      .reduce((sum, sh) => sum + sumOf(sh.lines, part.line_id), 0);
    if (sumOf(order.lines, part.line_id) < shippedInOrder) setCover(order.lines, part.line_id, shippedInOrder);
  }
  settleLines(next, shipment.lines.map((c) => c.line_id));
  settleSupplierOrders(s, next, new Set(order ? [order.id] : []));
  return { ok: true, next };
}

function planTrackingEvent(s: PoSnapshot, u: TrackingEventUpdate, ctx: PlanContext): Plan {
  const index = s.shipments.findIndex((sh) => normalizeTrackingNumber(sh.tracking_number) === u.tracking_number);
  if (index < 0) return reject(`No shipment of PO ${s.po_number} has tracking number ${u.tracking_number}.`);
  const same = s.shipments[index].checkpoints.some((c) => c.status === u.status && c.occurred_at === u.occurred_at
    && c.message === u.message && c.location === u.location);
  if (same) return { ok: true, next: s };
  const next = clone(s);
  const shipment = next.shipments[index];
  shipment.checkpoints.push({
    id: ctx.newId('chk'), status: u.status, message: u.message, location: u.location, occurred_at: u.occurred_at,
  });
  Object.assign(shipment, shipmentStatusFromCheckpoints(shipment, shipment.checkpoints));
  settleLines(next, shipment.lines.map((c) => c.line_id));
  settleSupplierOrders(s, next, new Set());
  return { ok: true, next };
}

function planInvoice(s: PoSnapshot, u: InvoiceUpdate, ctx: PlanContext): Plan {
  const order = u.supplier_order_id ? s.supplierOrders.find((o) => o.supplier_order_id === u.supplier_order_id) : undefined;
  let supplierId: string | null;
  if (u.supplier_name) {
    const named = suppliersNamed(u.supplier_name, ctx);
    const onPo = named.find((id) => s.lines.some((l) => l.supplier_id === id));
    if (onPo) supplierId = onPo;
    else if (s.lines.some((l) => l.supplier_id === null)) supplierId = named[0] ?? null;
    else return reject(`Supplier "${u.supplier_name}" supplies no line of PO ${s.po_number}${poSuppliersText(s, ctx)}.`);
  } else {
    supplierId = order?.supplier_id ?? s.supplier_id;
  }
  const existing = s.invoices.find((i) => i.invoice_number === u.invoice_number);
  const next = clone(s);
  const fields = {
    supplier_id: supplierId,
    supplier_order_id: u.supplier_order_id ?? existing?.supplier_order_id ?? null,
    invoice_date: u.invoice_date ?? existing?.invoice_date ?? null,
    due_date: u.due_date ?? existing?.due_date ?? null,
    payment_terms: u.payment_terms ?? existing?.payment_terms ?? null,
    subtotal_cents: u.subtotal_cents,
    tax_cents: u.tax_cents,
    shipping_cents: u.shipping_cents,
    total_cents: u.total_cents,
    currency: u.currency ?? existing?.currency ?? s.currency,
    status: u.status ?? existing?.status ?? 'open',
  };
  const document = u.document && u.document.sha256 !== existing?.document_sha256
    ? { document_id: null, document_sha256: u.document.sha256 }
    : { document_id: existing?.document_id ?? null, document_sha256: existing?.document_sha256 ?? null };
  if (existing) {
    Object.assign(next.invoices.find((i) => i.id === existing.id)!, fields, document);
  } else {
    next.invoices.push({ id: ctx.newId('inv'), invoice_number: u.invoice_number, ...fields, ...document });
  }
  return { ok: true, next };
}

/** The PO's state after `update`, or why it cannot apply. The snapshot given is not changed. */
export function planUpdate(s: PoSnapshot, update: SupplierUpdate, ctx: PlanContext): Plan {
  switch (update.type) {
    case 'order': return planOrder(s, update, ctx);
    case 'shipment': return planShipment(s, update, ctx);
    case 'tracking_event': return planTrackingEvent(s, update, ctx);
    case 'invoice': return planInvoice(s, update, ctx);
  }
}

// ---------------------------------------------------------------------------------------------------------
// From one state to the next: the writes

type ShipmentFields = Omit<SnapshotShipment, 'id' | 'lines' | 'checkpoints'>;
/** What an invoice update may change on a stored invoice. */
type InvoiceChanges = Omit<SnapshotInvoice, 'id' | 'invoice_number' | 'document_id' | 'document_sha256'>;

export type Change =
  | { kind: 'line_status'; line_id: string; from: FulfilmentStatus; to: FulfilmentStatus }
  | { kind: 'line_estimated_delivery'; line_id: string; estimated_delivery_date: string | null }
  | { kind: 'supplier_order_insert'; order: Omit<SnapshotSupplierOrder, 'lines'> }
  | { kind: 'supplier_order_status'; id: string; status: string }
  | { kind: 'supplier_order_line'; supplier_order_pk: string; line_id: string; quantity: number; insert: boolean }
  | { kind: 'shipment_insert'; shipment: Omit<SnapshotShipment, 'lines' | 'checkpoints'> }
  | { kind: 'shipment_update'; id: string; fields: Partial<ShipmentFields> }
  | { kind: 'shipment_line'; shipment_id: string; line_id: string; quantity: number; insert: boolean }
  | { kind: 'checkpoint_insert'; shipment_id: string; checkpoint: SnapshotCheckpoint }
  | { kind: 'invoice_insert'; invoice: Omit<SnapshotInvoice, 'document_id' | 'document_sha256'> }
  | { kind: 'invoice_update'; id: string; fields: Partial<InvoiceChanges> }
  | { kind: 'invoice_document'; invoice_id: string; sha256: string };

function changedFields<T extends object>(before: T, after: T, keys: readonly (keyof T)[]): Partial<T> {
  const fields: Partial<T> = {};
  for (const key of keys) if (before[key] !== after[key]) fields[key] = after[key];
  return fields;
}

function coverChanges(before: readonly LineCover[], after: readonly LineCover[]) {
  return after.flatMap((cover) => {
    const old = before.find((c) => c.line_id === cover.line_id);
    if (old && old.quantity === cover.quantity) return [];
    return [{ line_id: cover.line_id, quantity: cover.quantity, insert: !old }];
  });
}

const SHIPMENT_FIELDS: readonly (keyof ShipmentFields)[] = [
  'supplier_order_pk', 'tracking_number', 'carrier', 'carrier_source', 'tracking_url', 'status', 'shipped_at',
  'estimated_delivery_date', 'delivered_at',
];
const INVOICE_FIELDS: readonly (keyof InvoiceChanges)[] = [
  'supplier_id', 'supplier_order_id', 'invoice_date', 'due_date', 'payment_terms', 'subtotal_cents', 'tax_cents',
  'shipping_cents', 'total_cents', 'currency', 'status',
];

/** The writes that turn `before` into `after`, parents before children. Empty: the update changed nothing. */
export function diffSnapshots(before: PoSnapshot, after: PoSnapshot): Change[] {
  const changes: Change[] = [];
  for (const line of after.lines) {
    const old = before.lines.find((l) => l.id === line.id);
    if (!old) continue;
    if (old.status !== line.status) changes.push({ kind: 'line_status', line_id: line.id, from: old.status, to: line.status });
    if (old.estimated_delivery_date !== line.estimated_delivery_date) {
      changes.push({ kind: 'line_estimated_delivery', line_id: line.id, estimated_delivery_date: line.estimated_delivery_date });
    }
  }
  for (const order of after.supplierOrders) {
    const old = before.supplierOrders.find((o) => o.id === order.id);
    if (!old) {
      const { lines: _lines, ...row } = order;
      changes.push({ kind: 'supplier_order_insert', order: row });
    } else if (old.status !== order.status) {
      changes.push({ kind: 'supplier_order_status', id: order.id, status: order.status });
    }
    for (const cover of coverChanges(old?.lines ?? [], order.lines)) {
      changes.push({ kind: 'supplier_order_line', supplier_order_pk: order.id, ...cover });
    }
  }
  for (const shipment of after.shipments) {
    const old = before.shipments.find((sh) => sh.id === shipment.id);
    if (!old) {
      const { lines: _lines, checkpoints: _checkpoints, ...row } = shipment;
      changes.push({ kind: 'shipment_insert', shipment: row });
    } else {
      const fields = changedFields<ShipmentFields>(old, shipment, SHIPMENT_FIELDS);
      if (Object.keys(fields).length > 0) changes.push({ kind: 'shipment_update', id: shipment.id, fields });
    }
    for (const cover of coverChanges(old?.lines ?? [], shipment.lines)) {
      changes.push({ kind: 'shipment_line', shipment_id: shipment.id, ...cover });
    }
    const known = new Set(old?.checkpoints.map((c) => c.id));
    for (const checkpoint of shipment.checkpoints) {
      if (!known.has(checkpoint.id)) {
        changes.push({ kind: 'checkpoint_insert', shipment_id: shipment.id, checkpoint });
      }
    }
  }
  for (const invoice of after.invoices) {
    const old = before.invoices.find((i) => i.id === invoice.id);
    if (!old) {
      const { document_id: _id, document_sha256: _sha, ...row } = invoice;
      changes.push({ kind: 'invoice_insert', invoice: row });
    } else {
      const fields = changedFields<InvoiceChanges>(old, invoice, INVOICE_FIELDS);
      if (Object.keys(fields).length > 0) changes.push({ kind: 'invoice_update', id: invoice.id, fields });
    }
    if (invoice.document_sha256 !== null && invoice.document_sha256 !== (old?.document_sha256 ?? null)) {
      changes.push({ kind: 'invoice_document', invoice_id: invoice.id, sha256: invoice.document_sha256 });
    }
  }
  return changes;
}

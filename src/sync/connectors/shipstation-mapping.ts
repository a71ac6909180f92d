// ShipStation v2 purchase orders → the OrderSync model. Pure: no I/O, no clock.
//
// The list gives headers (with supplier_name); get by id gives the rest (products, payment, carrier, tracking) but
// no supplier_name. A PO is mapped from its detail plus the supplier name from its header when one was seen.
//
// Header:  po_number ← order_number (ShipStation's PO number, e.g. 02162026-02); reference_number, note_to_supplier,
//          currency_code, payment_terms, payment_status, shipping_carrier, tracking_number as they are;
//          order_date ← order_date, else create_date (drafts have none); expected_delivery_date ← its calendar day;
//          supplier ← supplier_name (created by name when new); warehouse ← "ShipStation warehouse <warehouse_id>".
// Lines:   one per product; source_line_id ← sku (unique within a ShipStation PO); product_name ← sku (ShipStation
//          keeps no product name); unit cost ← cost in cents; received/rejected quantities as given (0 when absent).
// Shipment: a PO-level tracking_number becomes one shipment of every line: carrier from shipping_carrier
//          (UPS → ups, FedEx → fedex, USPS → usps, DHL… → dhl, …), else detected from the number.
//
// Statuses — lifecycle is ShipStation's own (same vocabulary); each line's fulfilment status is derived:
//
// | ShipStation status | lifecycle | line fulfilment                                                        | shipment  |
// |--------------------|-----------|------------------------------------------------------------------------|-----------|
// | draft              | draft     | pending                                                                | —         |
// | open               | open      | submitted; shipped when the PO has a tracking number                   | shipped   |
// | receiving          | receiving | delivered when received + rejected ≥ ordered, else shipped             | shipped   |
// | received           | received  | delivered                                                              | delivered |
// | closed             | closed    | complete when any of it was received, else cancelled (closed short)    | delivered |
// | cancelled          | cancelled | cancelled                                                              | shipped   |
//
// Terminal (not listed again by status): closed, cancelled.
import { isCalendarDate } from '../../domain/dates.ts';
import { LIFECYCLE_STATUSES, type LifecycleStatus } from '../../domain/lifecycle.ts';
import { parseAmount, PAYMENT_TERMS } from '../../domain/money.ts';
import type { FulfilmentStatus } from '../../domain/statuses.ts';
import { parseTimestamp, type TimestampResult } from '../../domain/timestamps.ts';
import { detectCarrier, splitTrackingNumbers, trackingUrl } from '../../domain/tracking.ts';
export { shipStationErrorMessage } from './error-messages.ts';
import { UnreadableRecordError, type SyncedLine, type SyncedPo, type SyncedShipment } from './types.ts';

export interface ShipStationHeader {
  purchase_order_id: string;
  order_number: string;
  supplier_id?: string | null;
  supplier_name?: string | null;
  status: string;
  order_date?: string | null;
  expected_delivery_date?: string | null;
  create_date: string;
  modify_date: string;
  reference_number?: string | null;
  warehouse_id?: string | null;
}

export interface ShipStationProduct {
  sku: string;
  supplier_sku?: string | null;
  quantity: number;
  cost?: number | null;
  received_quantity?: number | null;
  rejected_quantity?: number | null;
}

export interface ShipStationDetail extends ShipStationHeader {
  payment_terms?: string | null;
  payment_status?: string | null;
  currency_code?: string | null;
  shipping_carrier?: string | null;
  tracking_number?: string | null;
  note_to_supplier?: string | null;
  products?: ShipStationProduct[] | null;
}

export interface ShipStationListPage {
  purchase_orders: ShipStationHeader[];
  total?: number;
  links?: { next?: { href?: string | null } | null } | null;
}

const TERMINAL: ReadonlySet<string> = new Set(['closed', 'cancelled']);

export const SHIPSTATION_OPEN_STATUSES = ['draft', 'open', 'receiving', 'received'] as const;

export function isShipStationTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

/** ShipStation's status → ours (the same words); anything unknown reads as open. */
export function shipStationLifecycle(status: string): LifecycleStatus {
  return (LIFECYCLE_STATUSES as readonly string[]).includes(status) ? (status as LifecycleStatus) : 'open';
}

/** One line's fulfilment status from the PO's status, whether it has tracking, and what was received. */
export function shipStationLineStatus(
  status: LifecycleStatus, hasTracking: boolean, line: { quantity: number; received_quantity: number; rejected_quantity: number },
): FulfilmentStatus {
  const accounted = line.received_quantity + line.rejected_quantity;
  switch (status) {
    case 'draft': return 'pending';
    case 'open': return hasTracking ? 'shipped' : 'submitted';
    case 'receiving': return accounted >= line.quantity ? 'delivered' : 'shipped';
    case 'received': return 'delivered';
    case 'closed': return line.received_quantity > 0 || accounted >= line.quantity ? 'complete' : 'cancelled';
    case 'cancelled': return 'cancelled';
  }
}

/** The shipment a PO-level tracking number stands for: delivered once the PO is received or closed. */
export function shipStationShipmentStatus(status: LifecycleStatus): 'shipped' | 'delivered' {
  return status === 'received' || status === 'closed' ? 'delivered' : 'shipped';
}

const CARRIER_NAMES: readonly [RegExp, string][] = [
  [/^ups\b|united parcel/i, 'ups'],
  [/^fed\s*ex/i, 'fedex'],
  [/^usps\b|postal service/i, 'usps'],
  [/^dhl/i, 'dhl'],
  [/^ontrac/i, 'ontrac'],
  [/^amazon/i, 'amazon'],
];

/** A carrier name as people write it (`UPS`, `FedEx Ground`) → our lower-case code, or null. */
export function carrierCode(name: string | null | undefined): string | null {
  if (!name) return null;
  const text = name.trim();
  for (const [pattern, code] of CARRIER_NAMES) if (pattern.test(text)) return code;
  return null;
}

/**
 * The shipments a PO-level tracking field gives: one per tracking number in it (`"1Z…84, 1Z…93"` is two), never
 * one glued number. Carrier from the upstream's carrier name, else detected from each number.
 */
export function shipmentsFromTracking(
  trackingNumber: string | null | undefined, carrierName: string | null | undefined, status: 'shipped' | 'delivered',
): SyncedShipment[] {
  if (!trackingNumber) return [];
  const supplied = carrierCode(carrierName);
  return splitTrackingNumbers(trackingNumber).map((number) => {
    const carrier = supplied ?? detectCarrier(number);
    return {
      tracking_number: number,
      carrier,
      carrier_source: supplied ? 'supplied' : carrier ? 'detected' : null,
      tracking_url: trackingUrl(carrier, number),
      status,
    };
  });
}

/** Both upstreams document UTC: a time without an offset is read as UTC (DESIGN 1). */
export const UPSTREAM_ZONE = 'UTC';

/**
 * `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.sssZ` (instants), `YYYY-MM-DD` (Stocky's days: midnight UTC): what
 * both upstreams (and their sandboxes) send.
 */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z)?$/;

/** Two ASCII digits at `at` of `text` as a number (the caller has checked they are digits). */
function twoDigits(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
}

/**
 * An upstream timestamp read as parseTimestamp (DESIGN 1, domain/timestamps.ts) reads it in UTC, with a shortcut for
 * the canonical UTC forms above: kept when it is a real calendar date and time of day, years 0001–9999 (what
 * Date.parse and toISOString print back as the same text; `24:00`, `:60`, `02-30` and the like go to the parser).
 * The parser's regular expression, calendar check and field arithmetic cost ~25 µs per PO (a PO has up to four
 * timestamps), the most of any single step in mapping a page; the shortcut gives the same text in a few. It checks
 * the fields (the calendar date with domain/dates.ts isCalendarDate) rather than through a Date (parse, then print and
 * compare): that round trip was still ~3% of a Stocky sync's main thread (bench:sync profile).
 */
export function upstreamInstant(value: string): TimestampResult {
  const length = value.length;
  if ((length === 10 || length === 20 || length === 24) && CANONICAL_UTC.test(value)) {
    if (isCalendarDate(length === 10 ? value : value.slice(0, 10))) {
      if (length === 10) return { ok: true, instant: `${value}T00:00:00.000Z` };
      if (twoDigits(value, 11) <= 23 && twoDigits(value, 14) <= 59 && twoDigits(value, 17) <= 59) {
        return { ok: true, instant: length === 24 ? value : `${value.slice(0, 19)}.000Z` };
      }
    }
  }
  return parseTimestamp(value, { zone: UPSTREAM_ZONE });
}

/** An upstream timestamp (or date) as stored UTC text; null when absent or unreadable (for comparisons only). */
export function instantOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const result = upstreamInstant(value);
  return result.ok ? result.instant : null;
}

/**
 * A record's timestamp field as stored UTC text, null when absent; a value the parser cannot read rejects the
 * record with the reason (never stored as 1970).
 */
export function readInstant(upstreamId: string, field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const result = upstreamInstant(value);
  if (!result.ok) throw new UnreadableRecordError(upstreamId, `PO ${upstreamId}: ${field} ${result.reason}`);
  return result.instant;
}

/** The calendar day (UTC) of a record's instant or date field; unreadable rejects the record. */
export function readDay(upstreamId: string, field: string, value: string | null | undefined): string | null {
  return readInstant(upstreamId, field, value)?.slice(0, 10) ?? null;
}

/** The calendar day (UTC) of an instant or date text. */
export function dayOf(value: string | null | undefined): string | null {
  const instant = instantOf(value);
  return instant ? instant.slice(0, 10) : null;
}

/**
 * An upstream amount → minor units of `currency`, rounded half-up to its decimals (Stocky keeps 3-decimal costs:
 * 1.005 → 1.01); absent → 0; unreadable rejects the record.
 */
export function readMinorUnits(upstreamId: string, field: string, value: number | string | null | undefined, currency: string): number {
  if (value === null || value === undefined || value === '') return 0;
  const result = parseAmount(value, currency, { rounding: 'half-up', negativeAllowed: true });
  if (!result.ok) throw new UnreadableRecordError(upstreamId, `PO ${upstreamId}: ${field} ${JSON.stringify(value)} ${result.reason}`);
  return result.minor;
}

export function paymentTermsOf(value: string | null | undefined): string {
  return value && (PAYMENT_TERMS as readonly string[]).includes(value) ? value : 'none';
}

const PAYMENT_STATUSES = new Set(['none', 'unpaid', 'partially_paid', 'paid', 'refunded', 'credit_issued', 'other']);

export function paymentStatusOf(value: string | null | undefined): string {
  return value && PAYMENT_STATUSES.has(value) ? value : 'none';
}

export const shipStationWarehouseName = (warehouseId: string) => `ShipStation warehouse ${warehouseId}`;

/**
 * A ShipStation PO in OrderSync's terms. `supplierName`: the header's supplier_name when known (the detail has
 * none); undefined keeps whatever supplier the stored PO has.
 */
export function mapShipStationPo(detail: ShipStationDetail, supplierName: string | null | undefined): SyncedPo {
  const id = detail.purchase_order_id;
  const status = shipStationLifecycle(detail.status);
  const currency = (detail.currency_code || 'USD').toUpperCase();
  const hasTracking = Boolean(detail.tracking_number && detail.tracking_number.trim());
  const lines: SyncedLine[] = (detail.products ?? []).map((product) => {
    const quantities = {
      quantity: product.quantity,
      received_quantity: product.received_quantity ?? 0,
      rejected_quantity: product.rejected_quantity ?? 0,
    };
    return {
      source_line_id: product.sku,
      sku: product.sku,
      supplier_sku: product.supplier_sku ?? null,
      product_name: product.sku,
      description: null,
      ...quantities,
      unit_cost_cents: readMinorUnits(id, `products[sku ${product.sku}].cost`, product.cost, currency),
      fulfilment_status: shipStationLineStatus(status, hasTracking, quantities),
    };
  });
  return {
    upstream_id: detail.purchase_order_id,
    upstream_modified: readInstant(id, 'modify_date', detail.modify_date),
    upstream_status: detail.status,
    open: !isShipStationTerminal(detail.status),
    po_number: detail.order_number.trim(),
    order_number: detail.order_number.trim(),
    status,
    order_date: readInstant(id, 'order_date', detail.order_date) ?? readInstant(id, 'create_date', detail.create_date)
      ?? unreadable(id, 'has neither order_date nor create_date'),
    expected_delivery_date: readDay(id, 'expected_delivery_date', detail.expected_delivery_date),
    supplier_name: supplierName === undefined ? undefined : supplierName ?? null,
    warehouse_name: detail.warehouse_id ? shipStationWarehouseName(detail.warehouse_id) : null,
    currency,
    payment_terms: paymentTermsOf(detail.payment_terms),
    payment_status: paymentStatusOf(detail.payment_status),
    reference_number: detail.reference_number ?? null,
    note_to_supplier: detail.note_to_supplier ?? null,
    shipping_carrier: detail.shipping_carrier ?? null,
    tracking_number: detail.tracking_number ?? null,
    lines,
    shipments: shipmentsFromTracking(detail.tracking_number, detail.shipping_carrier, shipStationShipmentStatus(status)),
    invoice: null,
  };
}

function unreadable(upstreamId: string, why: string): never {
  throw new UnreadableRecordError(upstreamId, `PO ${upstreamId} ${why}`);
}

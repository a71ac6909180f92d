// The supplier-update kinds (DESIGN section 3, "Supplier updates (ingest)") as the rules see them, after
// parsing: trimmed, normalised, timestamps as stored UTC instants, amounts as exact decimals.
import type { FieldProblem } from '../errors.ts';

export type { FieldProblem };

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
export const MAX_QUANTITY = 1_000_000;

export interface LineQuantity {
  sku: string;
  quantity: number;
  /**
   * Supplier documents only: the other part ids the document's line names, best first (an X12 LIN, PO1 or IT1 may
   * carry several qualifier pairs: `BP*…*UP*…`). `sku` is the best; when it names no PO line, the first of these that
   * does is the line's (snapshot.ts partLines). Absent from the JSON API.
   */
  also?: string[];
}

export interface OrderUpdate {
  type: 'order';
  po_number: string;
  supplier_order_id: string;
  /** Null (supplier documents only: an 855 naming no supplier): the PO's supplier (order.ts). */
  supplier_name: string | null;
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
  /** Normalised (domain/tracking.ts normalizeTrackingNumber). */
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

/** An invoice's amounts as the exact decimal text sent (`"12.345"`): minor units need the currency (DESIGN 1). */
export interface InvoiceAmounts {
  subtotal: string;
  tax: string;
  shipping: string;
  total: string;
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
  /** Read into minor units of `currency`, else of the PO's currency, when planned. */
  amounts: InvoiceAmounts;
  /**
   * Where a document's reader found each amount (a CSV invoice: `column "Subtotal"` and the cell as the supplier
   * wrote it), so a reason found only when the currency is known (the PO's: more decimals than it has) names the
   * column and quotes the cell, not our field name and our normalised number. Absent for JSON updates.
   */
  amountSources?: Partial<Record<keyof InvoiceAmounts, {
    name: string;
    text: string;
    /**
     * A cell whose lone separator before three digits (`12.345`, `1,500`) only its currency settles (a three-decimal
     * currency writes its amounts so: read as the decimal mark), the refusal naming both readings otherwise.
     */
    ambiguous?: string;
  }>>;
  /**
   * A CSV invoice with no currency of its own whose amounts are written with a symbol several currencies use (`$`,
   * `¥`): the currencies it may be, checked against the PO's when planned (ingest/csv/currency.ts). Absent otherwise.
   */
  currencyMark?: { column: string; text: string; symbol: string; currencies: readonly string[] };
  currency: string | null;
  status: InvoiceStatus | null;
  document: InvoiceDocument | null;
  /** The lines billed (an 810's IT1: part, quantity invoiced), from documents only; each is checked when planned. */
  lines?: LineQuantity[] | null;
}

export type SupplierUpdate = OrderUpdate | ShipmentUpdate | TrackingEventUpdate | InvoiceUpdate;

export interface ParsedUpdate {
  update: SupplierUpdate;
  /** Hex SHA-256 of `canonical`: the update's identity for idempotency. */
  fingerprint: string;
  /** The update as received, as canonical JSON (sorted keys): what is held while unmatched. */
  canonical: string;
}

// What the PO documents (order summary, received summary) show: one plain object, loaded by
// store/po-documents.ts and rendered by the pure functions beside this file. Money is integer cents.
import type { Address } from '../domain/address.ts';

export interface PoDocumentSupplier {
  name: string;
  contact_name: string | null;
  contact_email: string | null;
  phone: string | null;
  address: Address | null;
}

export interface PoDocumentWarehouse {
  name: string;
  address: Address | null;
}

export interface PoDocumentHeader {
  order_number: string | null;
  po_number: string;
  /** Lifecycle status: draft, open, receiving, received, closed, cancelled. */
  status: string;
  /** Instant (ISO 8601, UTC). */
  order_date: string;
  /** Calendar date `YYYY-MM-DD`, or null. */
  expected_delivery_date: string | null;
  /** Stored enum value (`net_30`, `none`, …). */
  payment_terms: string;
  /** ISO 4217 code. */
  currency: string;
  reference_number: string | null;
  note_to_supplier: string | null;
  ship_to: Address | null;
}

export interface PoDocumentLine {
  line_no: number;
  sku: string;
  supplier_sku: string | null;
  product_name: string;
  quantity: number;
  unit_cost_cents: number;
  /** quantity × unit_cost_cents. */
  total_cents: number;
  received_quantity: number;
  rejected_quantity: number;
  /** Cancelled lines are shown but count in no total. */
  cancelled: boolean;
}

export interface PoDocumentReceipt {
  sku: string;
  product_name: string;
  /** Name of the inventory location received into, or null. */
  inventory_location: string | null;
  received_quantity: number;
  rejected_quantity: number;
  lot: string | null;
  /** Calendar date `YYYY-MM-DD`, or null. */
  expiration_date: string | null;
  /** Instant (ISO 8601, UTC). */
  received_at: string;
}

/** Sums over the lines that are not cancelled. */
export interface PoDocumentTotals {
  line_count: number;
  quantity: number;
  received_quantity: number;
  rejected_quantity: number;
  /** Ordered quantity neither received nor rejected yet. */
  outstanding_quantity: number;
  /** Σ quantity × unit cost: the PO's total (no tax or shipping on a PO). */
  total_cents: number;
  /** Σ received quantity × unit cost. */
  received_value_cents: number;
}

export interface PoDocumentData {
  retailer_name: string;
  /** IANA zone the retailer works in: instants are shown as its wall-clock dates and times. */
  timezone: string;
  supplier: PoDocumentSupplier | null;
  warehouse: PoDocumentWarehouse | null;
  po: PoDocumentHeader;
  /** In line order. */
  lines: PoDocumentLine[];
  totals: PoDocumentTotals;
  /** Oldest first. */
  receipts: PoDocumentReceipt[];
  /** When the document is made (instant); shown in the footer. */
  generated_at: string;
}

/** The totals of these lines (cancelled lines left out). */
export function poDocumentTotals(lines: readonly PoDocumentLine[]): PoDocumentTotals {
  const totals: PoDocumentTotals = {
    line_count: 0, quantity: 0, received_quantity: 0, rejected_quantity: 0, outstanding_quantity: 0,
    total_cents: 0, received_value_cents: 0,
  };
  for (const line of lines) {
    if (line.cancelled) continue;
    totals.line_count += 1;
    totals.quantity += line.quantity;
    totals.received_quantity += line.received_quantity;
    totals.rejected_quantity += line.rejected_quantity;
    totals.outstanding_quantity += Math.max(0, line.quantity - line.received_quantity - line.rejected_quantity);
    totals.total_cents += line.total_cents;
    totals.received_value_cents += line.received_quantity * line.unit_cost_cents;
  }
  return totals;
}

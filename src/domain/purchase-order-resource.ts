// The lifecycle API's view of a PO (shaped after ShipStation's v2 purchase orders), and its order numbers.
import type { Address } from './address.ts';
import { renderDateAsInstant, renderInstant } from './dates.ts';
import type { LifecycleStatus } from './lifecycle.ts';
import { minorToAmount } from './money.ts';
import type { LineProductFields, LineReceiptFields, PoTermsFields } from './po-fields.ts';

/** A PO's header as stored (db/schema.ts PurchaseOrdersTable adds the tenant, the upstream id and the rendering). */
export interface PoHeaderRow extends PoTermsFields {
  id: string;
  po_number: string;
  order_number: string | null;
  source: string;
  /** Lifecycle status: draft, open, receiving, received, closed, cancelled. */
  status: string;
  order_date: string;
  request_date: string | null;
  expected_delivery_date: string | null;
  /** JSON of domain/address.ts Address, or null. */
  ship_to: string | null;
  drop_ship: number;
  customer_name: string | null;
  customer_email: string | null;
  supplier_id: string | null;
  warehouse_id: string | null;
  created_at: string;
  updated_at: string;
}

/** A PO line as the lifecycle API shows it (db/schema.ts PoLinesTable adds where it belongs and its rendering). */
export interface PoLineRow extends LineProductFields, LineReceiptFields {
  /** Fulfilment status, DESIGN 2.3 (internal vocabulary). */
  fulfilment_status: string;
}

export function toPurchaseOrderHeader(po: PoHeaderRow, supplierName: string | null) {
  return {
    purchase_order_id: po.id,
    order_number: po.order_number,
    po_number: po.po_number,
    source: po.source,
    supplier_id: po.supplier_id,
    supplier_name: supplierName,
    status: po.status as LifecycleStatus,
    order_date: renderInstant(po.order_date),
    request_date: renderInstant(po.request_date),
    expected_delivery_date: renderDateAsInstant(po.expected_delivery_date),
    create_date: renderInstant(po.created_at),
    modify_date: renderInstant(po.updated_at),
    payment_terms: po.payment_terms,
    payment_status: po.payment_status,
    currency_code: po.currency,
    shipping_carrier: po.shipping_carrier,
    tracking_number: po.tracking_number,
    reference_number: po.reference_number,
    warehouse_id: po.warehouse_id,
    note_to_supplier: po.note_to_supplier,
    drop_ship: po.drop_ship === 1,
    customer_name: po.customer_name,
    customer_email: po.customer_email,
    ship_to: po.ship_to ? (JSON.parse(po.ship_to) as Address) : null,
  };
}

export function toPurchaseOrder(po: PoHeaderRow, supplierName: string | null, lines: PoLineRow[]) {
  return {
    ...toPurchaseOrderHeader(po, supplierName),
    products: lines.map((line) => ({
      sku: line.sku,
      supplier_sku: line.supplier_sku,
      product_name: line.product_name,
      description: line.description,
      quantity: line.quantity,
      cost: minorToAmount(line.unit_cost_cents, po.currency),
      received_quantity: line.received_quantity,
      rejected_quantity: line.rejected_quantity,
      fulfilment_status: line.fulfilment_status,
    })),
  };
}

/** `MMDDYYYY` of an instant in a time zone: the day an order number belongs to. */
export function orderNumberDay(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('month')}${get('day')}${get('year')}`;
}

/** `11232026-07`: the day and the retailer's sequence within it (two digits, more past 99). */
export function formatOrderNumber(day: string, sequence: number): string {
  return `${day}-${String(sequence).padStart(2, '0')}`;
}

// The read API's records (DESIGN 2.4 and 2.5), rendered from one PO's full state. Pure: the store renders
// on every write and keeps the text, so a read is one look-up and no serialisation.
import { formatAddress, type Address } from './address.ts';
import { renderDateAsInstant, renderInstant, renderUsDate } from './dates.ts';
import type { InvoiceFields } from './invoice.ts';
import { minorToAmount, renderPaymentTerms } from './money.ts';
import type { LineProductFields, ShipmentFields } from './po-fields.ts';
import { derivePoStatus, toV1Status, toV2Status, type FulfilmentStatus } from './statuses.ts';

export interface PoState {
  po: {
    id: string;
    po_number: string;
    order_date: string;
    request_date: string | null;
    ship_to: Address | null;
    drop_ship: boolean;
    customer_name: string | null;
    customer_email: string | null;
    supplier_name: string | null;
    /** ISO 4217 code: amounts are minor units of it (DESIGN 1). */
    currency: string;
    updated_at: string;
  };
  /** In line order. */
  lines: LineState[];
  /** Oldest first. */
  supplierOrders: { supplier_order_id: string; lines: { line_id: string; quantity: number }[] }[];
  /** Oldest first. */
  shipments: ShipmentState[];
  invoices: InvoiceState[];
}

export interface LineState extends LineProductFields {
  id: string;
  fulfilment_status: FulfilmentStatus;
  estimated_delivery_date: string | null;
  /** The line's own supplier, else the PO's. */
  supplier_name: string | null;
  /** Id of the line's latest status event (v1 `order_status_id`). */
  latest_event_id: string | null;
}

export interface ShipmentState extends ShipmentFields {
  supplier_order_id: string | null;
  lines: { line_id: string; quantity: number }[];
  latest_checkpoint: { message: string | null; location: string | null; occurred_at: string } | null;
}

export interface InvoiceState extends InvoiceFields {
  supplier_order_id: string | null;
  supplier_name: string | null;
  updated_at: string;
  /** The invoice PDF's document id; the API turns it into a signed, expiring download link at read time. */
  document_id: string | null;
}

function renderTracking(shipment: ShipmentState | undefined) {
  if (!shipment) return null;
  const checkpoint = shipment.latest_checkpoint;
  return {
    tracking_number: shipment.tracking_number,
    tracking_url: shipment.tracking_url,
    carrier: shipment.carrier,
    shipped_date: renderInstant(shipment.shipped_at),
    actual_delivery_date: renderInstant(shipment.delivered_at),
    latest_checkpoint: checkpoint
      ? { message: checkpoint.message, location: checkpoint.location, timestamp: renderInstant(checkpoint.occurred_at) }
      : null,
  };
}

/** What each line joins to: its latest supplier order id and latest shipment. */
function lineLinks(state: PoState) {
  const supplierOrderOf = new Map<string, string>();
  for (const order of state.supplierOrders) {
    for (const line of order.lines) supplierOrderOf.set(line.line_id, order.supplier_order_id);
  }
  const shipmentOf = new Map<string, ShipmentState>();
  for (const shipment of state.shipments) {
    for (const line of shipment.lines) shipmentOf.set(line.line_id, shipment);
  }
  return { supplierOrderOf, shipmentOf };
}

/** v1: one record per line, each as JSON text, in line order. */
export function renderV1Lines(state: PoState): string[] {
  return renderV1LinesOf(state, state.lines);
}

/**
 * v1 records of some of the PO's lines (`lines`, from state.lines), each as JSON text, in the order given: a writer
 * that knows which lines it changed renders only those (store/supplier-updates.ts).
 */
export function renderV1LinesOf(state: PoState, lines: readonly LineState[]): string[] {
  const { supplierOrderOf, shipmentOf } = lineLinks(state);
  const { po } = state;
  return lines.map((line) => {
    const shipment = shipmentOf.get(line.id);
    return JSON.stringify({
      order_id: line.id,
      order_status_id: line.latest_event_id,
      supplier_order_id: supplierOrderOf.get(line.id) ?? shipment?.supplier_order_id ?? null,
      order_date: renderInstant(po.order_date),
      po_number: po.po_number,
      item: line.product_name,
      customer: po.customer_name,
      customer_email: po.customer_email,
      supplier: line.supplier_name,
      status: toV1Status(line.fulfilment_status),
      carrier: shipment?.carrier ?? null,
      tracking_number: shipment?.tracking_number ?? null,
      tracking_url: shipment?.tracking_url ?? null,
      eta: shipment?.estimated_delivery_date ?? line.estimated_delivery_date,
      delivery_date: shipment?.status === 'delivered' ? renderInstant(shipment.delivered_at) : null,
    });
  });
}

/** The status a shipped part of a line shows: the carrier's view of that shipment. */
function shipmentFulfilmentStatus(shipment: ShipmentState): FulfilmentStatus {
  if (shipment.status === 'delivered') return 'delivered';
  if (shipment.status === 'in transit' || shipment.status === 'exception') return 'in transit';
  return 'shipped';
}

/** v2: one record per PO, as JSON text. */
export function renderV2(state: PoState): string {
  return JSON.stringify(renderV2Record(state));
}

/**
 * v2: one record per PO, as the object renderV2 serialises (a writer that also needs the record, for its events,
 * saves parsing the text back). Fields holding undefined are left out of the text, as JSON.stringify does.
 */
export function renderV2Record(state: PoState) {
  const { supplierOrderOf, shipmentOf } = lineLinks(state);
  const { po, lines } = state;
  const lineById = new Map(lines.map((line) => [line.id, line]));
  let totalCents = 0;
  let quantity = 0;
  const suppliers: string[] = [];
  for (const line of lines) {
    quantity += line.quantity;
    if (line.fulfilment_status !== 'cancelled') totalCents += line.unit_cost_cents * line.quantity;
    if (line.supplier_name && !suppliers.includes(line.supplier_name)) suppliers.push(line.supplier_name);
  }
  if (suppliers.length === 0 && po.supplier_name) suppliers.push(po.supplier_name);

  const items = lines.map((line) => {
    const shipment = shipmentOf.get(line.id);
    return {
      supplier_order_id: supplierOrderOf.get(line.id) ?? shipment?.supplier_order_id ?? null,
      product_name: line.product_name,
      product_details: { sku: line.sku, supplier_sku: line.supplier_sku, description: line.description },
      quantity: line.quantity,
      status: toV2Status(line.fulfilment_status),
      backordered: line.fulfilment_status === 'backorder',
      supplier_name: line.supplier_name,
      price: minorToAmount(line.unit_cost_cents, po.currency),
      total: minorToAmount(line.unit_cost_cents * line.quantity, po.currency),
      estimated_delivery_date: renderUsDate(shipment?.estimated_delivery_date ?? line.estimated_delivery_date),
      tracking: renderTracking(shipment),
    };
  });

  const fulfilledItems = state.shipments.flatMap((shipment) =>
    shipment.lines.flatMap((part) => {
      const line = lineById.get(part.line_id);
      if (!line) return [];
      return [{
        supplier_order_id: shipment.supplier_order_id ?? supplierOrderOf.get(line.id) ?? null,
        product_name: line.product_name,
        sku: line.sku,
        quantity: part.quantity,
        status: toV2Status(shipmentFulfilmentStatus(shipment)),
        tracking: renderTracking(shipment),
      }];
    }),
  );

  const invoices = state.invoices.map((invoice) => ({
    invoice_number: invoice.invoice_number,
    supplier_order_id: invoice.supplier_order_id,
    invoice_date: renderDateAsInstant(invoice.invoice_date),
    due_date: renderDateAsInstant(invoice.due_date),
    payment_terms: renderPaymentTerms(invoice.payment_terms),
    subtotal_amount: minorToAmount(invoice.subtotal_cents, invoice.currency),
    tax_amount: minorToAmount(invoice.tax_cents, invoice.currency),
    shipping_amount: minorToAmount(invoice.shipping_cents, invoice.currency),
    total_amount: minorToAmount(invoice.total_cents, invoice.currency),
    currency: invoice.currency,
    status: invoice.status,
    supplier_name: invoice.supplier_name,
    updated_at: renderInstant(invoice.updated_at),
    // Stored as the document id: a link must expire, so http/document-links.ts signs it on every read.
    download_url: invoice.document_id,
  }));

  return {
    id: po.id,
    po_number: po.po_number,
    order_date: renderInstant(po.order_date),
    request_date: renderInstant(po.request_date),
    status: toV2Status(derivePoStatus(lines.map((line) => line.fulfilment_status))),
    customer_name: po.customer_name,
    customer_email: po.customer_email,
    shipping_address: formatAddress(po.ship_to),
    suppliers,
    total: minorToAmount(totalCents, po.currency),
    quantity,
    drop_ship: po.drop_ship,
    items,
    fulfilled_items: fulfilledItems,
    invoices,
    updated_at: renderInstant(po.updated_at),
  };
}

// Small hand-written PO aggregates for the contract tests: every value is chosen here, so the tests can say
// exactly what the API must answer. Ids come from domain/ids.ts (unique, increasing in creation order).
import { newId } from '../../src/domain/ids.ts';
import { trackingUrl } from '../../src/domain/tracking.ts';
import type { PoAggregate } from '../../src/store/purchase-orders.ts';

type Po = PoAggregate['po'];
type Line = PoAggregate['lines'][number];
type SupplierOrder = PoAggregate['supplierOrders'][number];
type Shipment = PoAggregate['shipments'][number];
type Checkpoint = Shipment['checkpoints'][number];
type Invoice = PoAggregate['invoices'][number];
type StatusEvent = PoAggregate['events'][number];

export interface LineInput {
  product_name: string;
  sku: string;
  quantity: number;
  unit_cost_cents: number;
  status: string;
  supplier_sku?: string | null;
  description?: string | null;
  estimated_delivery_date?: string | null;
  /** The line's own supplier, when it differs from the PO's. */
  supplier_id?: string | null;
  /** Fulfilment statuses the line went through, oldest first; the last is its latest event. */
  history?: string[];
}

export interface ShipmentInput {
  carrier: string | null;
  tracking_number: string;
  status: 'shipped' | 'in transit' | 'delivered' | 'exception';
  shipped_at: string | null;
  estimated_delivery_date: string | null;
  delivered_at: string | null;
  /** Line index (0-based) and quantity carried. */
  lines: [number, number][];
  /** Supplier order (index into the PO's supplier orders) the shipment belongs to. */
  supplier_order?: number;
  checkpoints?: { status: string; message: string | null; location: string | null; occurred_at: string }[];
}

export interface InvoiceInput {
  invoice_number: string;
  supplier_id: string | null;
  supplier_order_id: string | null;
  invoice_date: string | null;
  due_date: string | null;
  payment_terms: string | null;
  subtotal_cents: number;
  tax_cents: number;
  shipping_cents: number;
  total_cents: number;
  currency?: string;
  status: string;
  updated_at: string;
}

export interface PoInput {
  retailer_id: string;
  po_number: string;
  order_date: string;
  request_date?: string | null;
  ship_to?: object | null;
  drop_ship?: boolean;
  customer_name?: string | null;
  customer_email?: string | null;
  supplier_id?: string | null;
  lines: LineInput[];
  /** Supplier order ids with the line indexes (0-based) they cover. */
  supplier_orders?: { supplier_order_id: string; supplier_id?: string | null; lines: number[]; created_at?: string }[];
  shipments?: ShipmentInput[];
  invoices?: InvoiceInput[];
}

/** A complete PoAggregate from a compact description. */
export function buildPo(input: PoInput): PoAggregate {
  const { retailer_id } = input;
  const poId = newId('po');
  const po: Po = {
    id: poId, retailer_id, po_number: input.po_number, order_number: null, source: 'ordersync', source_id: null,
    status: 'open', order_date: input.order_date, request_date: input.request_date ?? null, expected_delivery_date: null,
    ship_to: input.ship_to ? JSON.stringify(input.ship_to) : null, drop_ship: input.drop_ship ? 1 : 0,
    customer_name: input.customer_name ?? null, customer_email: input.customer_email ?? null,
    supplier_id: input.supplier_id ?? null, warehouse_id: null, currency: 'USD', payment_terms: 'net_30',
    payment_status: 'unpaid', reference_number: null, note_to_supplier: null, shipping_carrier: null,
    tracking_number: null, created_at: input.order_date, updated_at: input.order_date,
  };

  const lines: Line[] = input.lines.map((line, i) => ({
    id: newId('ln'), retailer_id, po_id: poId, line_no: i + 1, supplier_id: line.supplier_id ?? null,
    sku: line.sku, supplier_sku: line.supplier_sku ?? null, product_name: line.product_name,
    description: line.description ?? null, quantity: line.quantity, unit_cost_cents: line.unit_cost_cents,
    received_quantity: 0, rejected_quantity: 0, fulfilment_status: line.status,
    estimated_delivery_date: line.estimated_delivery_date ?? null,
  }));

  const events: StatusEvent[] = [];
  input.lines.forEach((line, i) => {
    let from: string | null = null;
    for (const to of line.history ?? []) {
      events.push({
        id: newId('evt'), retailer_id, po_id: poId, line_id: lines[i].id, axis: 'fulfilment', from_status: from,
        to_status: to, source: 'test', occurred_at: input.order_date,
      });
      from = to;
    }
  });

  const supplierOrders: SupplierOrder[] = (input.supplier_orders ?? []).map((so) => ({
    order: {
      id: newId('so'), retailer_id, po_id: poId, supplier_id: so.supplier_id ?? input.supplier_id ?? null,
      supplier_order_id: so.supplier_order_id, status: 'confirmed',
      created_at: so.created_at ?? input.order_date, updated_at: so.created_at ?? input.order_date,
    },
    lines: so.lines.map((index) => ({ line_id: lines[index].id, quantity: lines[index].quantity })),
  }));

  const shipments: Shipment[] = (input.shipments ?? []).map((s) => {
    const id = newId('shp');
    const checkpoints: Checkpoint[] = (s.checkpoints ?? []).map((c) => ({ id: newId('chk'), retailer_id, shipment_id: id, ...c }));
    const created = s.shipped_at ?? input.order_date;
    return {
      shipment: {
        id, retailer_id, po_id: poId,
        supplier_order_pk: s.supplier_order === undefined ? null : supplierOrders[s.supplier_order].order.id,
        carrier: s.carrier, carrier_source: 'supplied', tracking_number: s.tracking_number,
        tracking_url: trackingUrl(s.carrier, s.tracking_number), status: s.status, shipped_at: s.shipped_at,
        estimated_delivery_date: s.estimated_delivery_date, delivered_at: s.delivered_at,
        created_at: created, updated_at: s.delivered_at ?? created,
      },
      lines: s.lines.map(([index, quantity]) => ({ line_id: lines[index].id, quantity })),
      checkpoints,
    };
  });

  const invoices: Invoice[] = (input.invoices ?? []).map((invoice) => ({
    id: newId('inv'), retailer_id, po_id: poId, document_id: null, created_at: invoice.updated_at,
    currency: 'USD', ...invoice,
  }));

  return { po, lines, supplierOrders, shipments, invoices, events };
}

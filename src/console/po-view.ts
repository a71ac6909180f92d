// What the console's PO page shows, assembled from the stored v2 record (statuses, ETAs, invoices exactly as the
// API renders them) and the PO's aggregate (quantities received and shipped, every shipment's checkpoints, the
// status history). Which actions appear comes from domain/lifecycle.ts, the rules the API enforces.
import { canReceive, legalMoves, type LifecycleStatus } from '../domain/lifecycle.ts';
import { isPoDocumentAvailable, PO_DOCUMENT_KINDS } from '../domain/po-documents.ts';
import { documentLink } from '../http/document-links.ts';
import type { PoPage } from '../store/po-browse.ts';

interface V2Item {
  product_name: string;
  product_details: { sku: string; supplier_sku: string | null };
  quantity: number;
  status: string;
  backordered: boolean;
  supplier_name: string | null;
  supplier_order_id: string | null;
  estimated_delivery_date: string | null;
}

interface V2Invoice {
  invoice_number: string;
  supplier_order_id: string | null;
  invoice_date: string | null;
  due_date: string | null;
  payment_terms: string | null;
  total_amount: number;
  currency: string;
  status: string;
  supplier_name: string | null;
  download_url: string | null;
}

interface V2View {
  po_number: string;
  status: string;
  customer_name: string | null;
  customer_email: string | null;
  shipping_address: string | null;
  drop_ship: boolean;
  items: V2Item[];
  invoices: V2Invoice[];
}

/** Labels of the lifecycle moves the console offers as buttons. */
const MOVE_LABELS: Partial<Record<LifecycleStatus, string>> = { open: 'Open (send to supplier)', cancelled: 'Cancel', closed: 'Close' };

/**
 * The PO page's view model. `secret` signs invoice links (relative, so they work whatever host the console is
 * reached by); `canWrite` decides whether lifecycle actions and the summary PDFs (write scope in the API) appear.
 */
export function poPageView(page: PoPage, secret: string, canWrite: boolean) {
  const { aggregate } = page;
  const record = JSON.parse(page.view) as V2View;
  const lines = [...aggregate.lines].sort((a, b) => a.line_no - b.line_no);
  const shippedByLine = new Map<string, number>();
  for (const { lines: parts } of aggregate.shipments) {
    for (const part of parts) shippedByLine.set(part.line_id, (shippedByLine.get(part.line_id) ?? 0) + part.quantity);
  }
  const lineName = new Map(lines.map((line) => [line.id, `${line.product_name} (${line.sku})`]));
  const status = aggregate.po.status as LifecycleStatus;

  const items = lines.map((line, i) => {
    const item = record.items[i];
    return {
      sku: line.sku,
      supplier_sku: line.supplier_sku,
      product_name: line.product_name,
      status: item?.status ?? line.fulfilment_status,
      backordered: item?.backordered ?? false,
      supplier_name: item?.supplier_name ?? null,
      supplier_order_id: item?.supplier_order_id ?? null,
      ordered: line.quantity,
      shipped: shippedByLine.get(line.id) ?? 0,
      received: line.received_quantity,
      rejected: line.rejected_quantity,
      remaining: Math.max(0, line.quantity - line.received_quantity - line.rejected_quantity),
      cancelled: line.fulfilment_status === 'cancelled',
      eta: item?.estimated_delivery_date ?? null,
    };
  });

  const shipments = [...aggregate.shipments]
    .sort((a, b) => ((a.shipment.shipped_at ?? a.shipment.created_at) < (b.shipment.shipped_at ?? b.shipment.created_at) ? -1 : 1))
    .map(({ shipment, lines: parts, checkpoints }) => ({
      carrier: shipment.carrier,
      tracking_number: shipment.tracking_number,
      tracking_url: shipment.tracking_url && /^https?:\/\//i.test(shipment.tracking_url) ? shipment.tracking_url : null,
      status: shipment.status,
      shipped_at: shipment.shipped_at,
      estimated_delivery_date: shipment.estimated_delivery_date,
      delivered_at: shipment.delivered_at,
      contents: parts.map((part) => `${part.quantity} × ${lineName.get(part.line_id) ?? part.line_id}`),
      checkpoints: [...checkpoints].sort((a, b) => (a.occurred_at < b.occurred_at ? 1 : a.occurred_at > b.occurred_at ? -1 : 0)),
    }));

  const invoices = record.invoices.map((invoice) => ({
    ...invoice,
    pdf: invoice.download_url ? documentLink('', secret, invoice.download_url) : null,
  }));

  const history = [...aggregate.events]
    .sort((a, b) => (a.occurred_at < b.occurred_at ? 1 : a.occurred_at > b.occurred_at ? -1 : a.id < b.id ? 1 : -1))
    .map((event) => ({
      occurred_at: event.occurred_at,
      subject: event.line_id ? lineName.get(event.line_id) ?? 'an item' : 'Purchase order (lifecycle)',
      from_status: event.from_status,
      to_status: event.to_status,
      source: event.source,
    }));

  const documents = canWrite
    ? PO_DOCUMENT_KINDS.filter((kind) => isPoDocumentAvailable(kind, status)).map((kind) => ({
      kind, label: kind === 'order_summary' ? 'Order summary (PDF)' : 'Received summary (PDF)',
    }))
    : [];

  return {
    id: aggregate.po.id,
    po_number: record.po_number,
    status: record.status,
    lifecycle_status: status,
    facts: {
      order_number: aggregate.po.order_number,
      order_date: aggregate.po.order_date,
      request_date: aggregate.po.request_date,
      expected_delivery_date: aggregate.po.expected_delivery_date,
      supplier: page.supplierName,
      suppliers: [...new Set(items.map((i) => i.supplier_name).filter((n): n is string => !!n))],
      warehouse: page.warehouseName,
      ship_to: record.shipping_address,
      drop_ship: record.drop_ship,
      customer_name: record.customer_name,
      customer_email: record.customer_email,
      source: aggregate.po.source,
      source_id: aggregate.po.source_id,
      connection: page.connection,
      reference_number: aggregate.po.reference_number,
    },
    items,
    shipments,
    invoices,
    documents,
    history,
    // Cancelling and closing cannot be undone (domain/lifecycle.ts: no move leaves them): the button asks first
    // (console.js), so a key press on a focused button does not end a PO by accident.
    moves: canWrite ? legalMoves(status).map((to) => ({
      to, label: MOVE_LABELS[to] ?? to,
      confirm: legalMoves(to).length === 0 ? `${MOVE_LABELS[to] ?? to} PO ${record.po_number}? This cannot be undone.` : null,
    })) : [],
    receivable: canWrite && canReceive(status) && items.some((item) => !item.cancelled && item.remaining > 0),
  };
}

export type PoPageView = ReturnType<typeof poPageView>;

// Stocky v2 purchase orders → the OrderSync model. Pure: no I/O, no clock.
//
// Shopify sunset Stocky (and its API) on 2026-08-31. This mapping and the connector work against any server that
// speaks Stocky's v2 purchase-order API as its reference describes it: the sandbox, an archive, a replacement.
//
// Header:  po_number ← number (sequential_id unless the merchant typed their own, e.g. "1042A"); order_number ←
//          sequential_id; order_date ← ordered_at, else created_at; expected_delivery_date ← expected_on;
//          supplier ← supplier_name; warehouse ← "Shopify location <shopify_receive_location_id>"; currency as given;
//          payment_status ← paid ? paid : unpaid; payment_terms none (Stocky has none).
// Lines:   one per purchase item; source_line_id ← its id; sku (or "item-<id>" when empty); product_name ←
//          product_title, description ← variant_title unless "Default"; unit cost ← supplier_cost_price, else
//          cost_price; received_quantity ← quantity once the item is delivered (received_at set), else 0.
// Invoice: when invoice_number is set: invoice_date, due_date ← payment_due_on, subtotal ← Σ quantity × unit cost of
//          the items not cancelled, shipping ← shipping, tax 0, total ← subtotal + shipping + adjustments, currency of
//          the PO, status paid when paid, else open.
//
// Stocky has no status field; the lifecycle is inferred (items cancelled do not count):
//
// | archived | ordered_at | items delivered      | lifecycle |
// |----------|------------|----------------------|-----------|
// | no       | null       | —                    | draft     |
// | yes      | null       | —                    | cancelled |
// | no       | set        | none                 | open      |
// | no       | set        | some                 | receiving |
// | no       | set        | all                  | received  |
// | yes      | set        | —                    | closed    |
//
// and each line's fulfilment status:
//
// | lifecycle                  | item                                   | fulfilment |
// |----------------------------|----------------------------------------|------------|
// | draft                      | —                                      | pending    |
// | cancelled                  | —                                      | cancelled  |
// | any other                  | status cancelled                       | cancelled  |
// | open, receiving, received  | delivered (status or received_at)      | delivered  |
// | open, receiving            | not delivered, ship_on set             | shipped    |
// | open, receiving            | not delivered, no ship_on              | submitted  |
// | closed                     | delivered                              | complete   |
// | closed                     | not delivered (closed short)           | cancelled  |
import type { LifecycleStatus } from '../../domain/lifecycle.ts';
import type { FulfilmentStatus } from '../../domain/statuses.ts';
import { parseTimestamp } from '../../domain/timestamps.ts';
import { readDay, readInstant, readMinorUnits, UPSTREAM_ZONE } from './shipstation-mapping.ts';
export { stockyErrorMessage } from './error-messages.ts';
import { UnreadableRecordError } from './types.ts';
import type { SyncedInvoice, SyncedLine, SyncedPo } from './types.ts';

export interface StockyItem {
  id: number;
  sku?: string | null;
  product_title?: string | null;
  variant_title?: string | null;
  quantity: number;
  status?: string | null;
  cost_price?: string | number | null;
  supplier_cost_price?: string | number | null;
  received_at?: string | null;
  updated_at?: string | null;
}

export interface StockyPo {
  id: number;
  number: number | string;
  sequential_id?: number | null;
  invoice_number?: string | null;
  created_at: string;
  updated_at: string;
  ordered_at?: string | null;
  expected_on?: string | null;
  ship_on?: string | null;
  payment_due_on?: string | null;
  archived: boolean | number | string;
  supplier_name?: string | null;
  currency?: string | null;
  shopify_receive_location_id?: number | null;
  paid?: boolean | number | string | null;
  adjustments?: number | string | null;
  shipping?: number | string | null;
  invoice_date?: string | null;
  purchase_items?: StockyItem[] | null;
}

/** Stocky's booleans: true, false, 1, 0 (and their text). */
export function stockyBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

export const isItemCancelled = (item: StockyItem) => item.status === 'cancelled';
export const isItemDelivered = (item: StockyItem) =>
  !isItemCancelled(item) && (item.status === 'delivered' || item.status === 'received' || Boolean(item.received_at));

/** The lifecycle status Stocky's fields imply (first table above). */
export function stockyLifecycle(po: Pick<StockyPo, 'archived' | 'ordered_at' | 'purchase_items'>): LifecycleStatus {
  const archived = stockyBool(po.archived);
  if (!po.ordered_at) return archived ? 'cancelled' : 'draft';
  if (archived) return 'closed';
  const live = (po.purchase_items ?? []).filter((item) => !isItemCancelled(item));
  const delivered = live.filter(isItemDelivered).length;
  if (delivered === 0) return 'open';
  return delivered === live.length ? 'received' : 'receiving';
}

/** One item's fulfilment status (second table above). */
export function stockyLineStatus(lifecycle: LifecycleStatus, item: StockyItem, shipOn: string | null | undefined): FulfilmentStatus {
  if (lifecycle === 'draft') return 'pending';
  if (lifecycle === 'cancelled' || isItemCancelled(item)) return 'cancelled';
  const delivered = isItemDelivered(item);
  if (lifecycle === 'closed') return delivered ? 'complete' : 'cancelled';
  if (delivered) return 'delivered';
  return shipOn ? 'shipped' : 'submitted';
}

/** `DD/MM/YYYY HH:MM` (or `DD/MM/YYYY`), the merchant-format times of purchase items → ISO UTC, or null. */
export function parseStockyItemTime(value: string | null | undefined): string | null {
  if (!value) return null;
  const match = /^(\d{2})\/(\d{2})\/(\d{4})(?:\s+(\d{2}):(\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  const [, dd, mm, yyyy, hh, mi] = match;
  // The one timestamp parser reads it once reordered (merchant-format day first; UTC as the upstream documents).
  const result = parseTimestamp(`${yyyy}-${mm}-${dd}${hh === undefined ? '' : `T${hh}:${mi}:00`}`, { zone: UPSTREAM_ZONE });
  return result.ok ? result.instant : null;
}

export const stockyWarehouseName = (locationId: number | string) => `Shopify location ${locationId}`;

const currencyOf = (po: StockyPo) => (po.currency || 'USD').toUpperCase();

/** An item's unit cost in minor units: Stocky keeps 3-decimal costs, rounded half-up (1.005 → 1.01). */
const unitCostCents = (po: StockyPo, item: StockyItem) =>
  readMinorUnits(String(po.id), `purchase_items[${item.id}].cost`, item.supplier_cost_price ?? item.cost_price ?? 0, currencyOf(po));

/**
 * The PO's invoice, or null when it has no invoice number. `unitCosts`: unitCostCents of each of po.purchase_items,
 * in order, when the caller has them already (mapStockyPo: each amount read once per PO, not once per use).
 */
export function stockyInvoice(po: StockyPo, unitCosts?: readonly number[]): SyncedInvoice | null {
  if (!po.invoice_number) return null;
  const id = String(po.id);
  const toCents = (field: string, value: number | string | null | undefined) => readMinorUnits(id, field, value, currencyOf(po));
  let subtotal = 0;
  (po.purchase_items ?? []).forEach((item, i) => {
    if (!isItemCancelled(item)) subtotal += item.quantity * (unitCosts ? unitCosts[i] : unitCostCents(po, item));
  });
  const shipping = toCents('shipping', po.shipping);
  return {
    invoice_number: String(po.invoice_number),
    invoice_date: readDay(id, 'invoice_date', po.invoice_date),
    due_date: readDay(id, 'payment_due_on', po.payment_due_on),
    payment_terms: null,
    subtotal_cents: subtotal,
    tax_cents: 0,
    shipping_cents: shipping,
    total_cents: subtotal + shipping + toCents('adjustments', po.adjustments),
    currency: currencyOf(po),
    status: stockyBool(po.paid) ? 'paid' : 'open',
  };
}

export function mapStockyPo(po: StockyPo): SyncedPo {
  const id = String(po.id);
  const status = stockyLifecycle(po);
  const items = po.purchase_items ?? [];
  const unitCosts = items.map((item) => unitCostCents(po, item));
  const lines: SyncedLine[] = items.map((item, i) => ({
    source_line_id: String(item.id),
    sku: item.sku || `item-${item.id}`,
    supplier_sku: null,
    product_name: item.product_title || item.sku || `item-${item.id}`,
    description: item.variant_title && item.variant_title !== 'Default' ? item.variant_title : null,
    quantity: item.quantity,
    unit_cost_cents: unitCosts[i],
    received_quantity: isItemDelivered(item) ? item.quantity : 0,
    rejected_quantity: 0,
    fulfilment_status: stockyLineStatus(status, item, po.ship_on),
  }));
  return {
    upstream_id: String(po.id),
    upstream_modified: readInstant(id, 'updated_at', po.updated_at),
    upstream_status: status,
    // Stocky is read by updated_since, never by status: nothing needs re-checking, so nothing is kept "open".
    open: false,
    po_number: String(po.number).trim(),
    order_number: po.sequential_id === null || po.sequential_id === undefined ? null : String(po.sequential_id),
    status,
    order_date: readInstant(id, 'ordered_at', po.ordered_at) ?? readInstant(id, 'created_at', po.created_at)
      ?? ((): never => { throw new UnreadableRecordError(id, `PO ${id} has neither ordered_at nor created_at`); })(),
    expected_delivery_date: readDay(id, 'expected_on', po.expected_on),
    supplier_name: po.supplier_name || null,
    warehouse_name: po.shopify_receive_location_id ? stockyWarehouseName(po.shopify_receive_location_id) : null,
    currency: currencyOf(po),
    payment_terms: 'none',
    payment_status: stockyBool(po.paid) ? 'paid' : 'unpaid',
    reference_number: null,
    note_to_supplier: null,
    shipping_carrier: null,
    tracking_number: null,
    lines,
    shipments: [],
    invoice: stockyInvoice(po, unitCosts),
  };
}

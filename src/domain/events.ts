// Events (DESIGN 4b): the types, and the PO events derived from a PO's v2 record before and after a write.
// Pure: the store renders a PO's v2 record inside every writing transaction (store/purchase-orders.ts
// refreshPoViews); comparing that record with the stored one gives every writer's events at once, so no writer
// can forget one, and a write that changes nothing a reader sees (an `unchanged` update) yields none.

/** Every event type a feed or an endpoint can ask for (DESIGN 4b), in the order of the table there. */
export const EVENT_TYPES = [
  'purchase_order.created',
  'purchase_order.updated',
  'purchase_order.lifecycle_status_changed',
  'purchase_order.status_changed',
  'item.status_changed',
  'shipment.created',
  'shipment.updated',
  'invoice.created',
  'invoice.updated',
  'supplier_update.unmatched',
  'supplier_update.rejected',
  'supplier_document.processed',
  'sync_run.failed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
/** `ping` is sent by POST /webhook_endpoints/:id/test only; it is not in the feed. */
export type DeliverableType = EventType | 'ping';

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** An event before it is stored: the caller adds id and created_at. */
export interface EventDraft {
  type: DeliverableType;
  data: Record<string, unknown>;
}

/** The v2 record's fields this module compares (DESIGN 2.5). */
interface V2Tracking {
  tracking_number: string;
  [field: string]: unknown;
}
interface V2Item {
  product_details: { sku: string };
  status: string;
  backordered?: boolean;
  tracking: V2Tracking | null;
  [field: string]: unknown;
}
interface V2FulfilledItem {
  tracking: V2Tracking | null;
  [field: string]: unknown;
}
interface V2Invoice {
  invoice_number: string;
  updated_at?: unknown;
  [field: string]: unknown;
}
export interface V2Record {
  po_number: string;
  status: string;
  items: V2Item[];
  fulfilled_items: V2FulfilledItem[];
  invoices: V2Invoice[];
  [field: string]: unknown;
}

/**
 * Top-level v2 fields that other events carry, or that change on every write: every other top-level field of the
 * record (po_number, dates, customer, shipping_address, suppliers, total, quantity, drop_ship, and any field added
 * later) is a header field whose change is `purchase_order.updated`, so no field can change without an event.
 */
const NOT_HEADER_FIELDS = new Set(['status', 'items', 'fulfilled_items', 'invoices', 'updated_at']);

/** What a writer knows and the v2 record does not show: the lifecycle move and header fields of the lifecycle API. */
export interface WriteNotes {
  lifecycle?: { previous_status: string | null; status: string };
  /** Header fields changed that the v2 record does not carry (payment_terms, reference_number, …). */
  changedFields?: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A shipment as events show it: the v2 tracking object plus the fulfilled items it carries. */
function shipmentsOf(record: V2Record): Map<string, Record<string, unknown>> {
  const shipments = new Map<string, Record<string, unknown>>();
  for (const item of record.fulfilled_items) {
    if (!item.tracking) continue;
    const { tracking, ...part } = item;
    const shipment = shipments.get(tracking.tracking_number) ?? { ...tracking, items: [] as unknown[] };
    (shipment.items as unknown[]).push(part);
    shipments.set(tracking.tracking_number, shipment);
  }
  return shipments;
}

/** An invoice's identity within a PO: its number (supplier updates are keyed the same way). */
const invoiceKey = (invoice: V2Invoice) => invoice.invoice_number;

/** An invoice without the fields that change on every write of it without a reader-visible change. */
function invoiceContent(invoice: V2Invoice) {
  const { updated_at: _updated, ...rest } = invoice;
  return rest;
}

/** An item without what item.status_changed and shipment events report (status, backordered, tracking). */
function itemContent(item: V2Item) {
  const { status: _status, backordered: _backordered, tracking: _tracking, ...rest } = item;
  return rest;
}

/**
 * Whether the items changed in a way no item.status_changed or shipment event of the same write carries: another
 * number or order of lines, or an item whose content (itemContent) changed while its status did not (an item whose
 * status changed is sent whole in its item.status_changed).
 */
function itemsChangedBeyondEvents(before: readonly V2Item[], after: readonly V2Item[], statusChanged: readonly boolean[]): boolean {
  if (before.length !== after.length) return true;
  return after.some((item, i) => before[i].product_details.sku !== item.product_details.sku
    || (!statusChanged[i] && !same(itemContent(before[i]), itemContent(item))));
}

/**
 * The events one write of a PO causes, in a fixed order: created, lifecycle, updated, status, items, shipments,
 * invoices. `before` is null for a PO the write created. Each draft's data starts with `po_number`; the
 * caller adds `purchase_order` (the after record, as by-po returns it). Items are matched by position and sku
 * (lines are kept in line order); shipments by tracking number; invoices by number.
 */
export function poChangeEvents(before: V2Record | null, after: V2Record, notes: WriteNotes = {}): EventDraft[] {
  const base = { po_number: after.po_number };
  if (before === null) return [{ type: 'purchase_order.created', data: base }];
  const drafts: EventDraft[] = [];
  if (notes.lifecycle && notes.lifecycle.previous_status !== notes.lifecycle.status) {
    drafts.push({ type: 'purchase_order.lifecycle_status_changed', data: { ...base, ...notes.lifecycle } });
  }
  const changedFields = Object.keys({ ...before, ...after })
    .filter((field) => !NOT_HEADER_FIELDS.has(field) && !same(before[field], after[field]));
  const statusChanged = after.items.map((item, i) => {
    const previous = before.items[i];
    return previous !== undefined && previous.product_details.sku === item.product_details.sku
      && (previous.status !== item.status || previous.backordered !== item.backordered);
  });
  // An item change that no item.status_changed (the whole new item) or shipment event (its tracking) carries: a
  // line added, removed or replaced, a new name, price or quantity, an estimated delivery date.
  if (itemsChangedBeyondEvents(before.items, after.items, statusChanged)) changedFields.push('items');
  for (const field of notes.changedFields ?? []) if (!changedFields.includes(field)) changedFields.push(field);
  if (changedFields.length > 0) drafts.push({ type: 'purchase_order.updated', data: { ...base, changed_fields: changedFields } });
  if (before.status !== after.status) {
    drafts.push({ type: 'purchase_order.status_changed', data: { ...base, previous_status: before.status, status: after.status } });
  }
  after.items.forEach((item, i) => {
    if (!statusChanged[i]) return;
    const previous = before.items[i];
    // v2 shows a back-ordered line as `processing` with `backordered: true` (DESIGN 2.3): a move between processing
    // and backorder changes the line's fulfilment status, and the flags tell it apart where the statuses do not.
    drafts.push({ type: 'item.status_changed', data: {
      ...base, item, previous_status: previous.status, status: item.status,
      previous_backordered: previous.backordered ?? false, backordered: item.backordered ?? false,
    } });
  });
  const shipmentsBefore = shipmentsOf(before);
  for (const [trackingNumber, shipment] of shipmentsOf(after)) {
    const previous = shipmentsBefore.get(trackingNumber);
    if (!previous) drafts.push({ type: 'shipment.created', data: { ...base, shipment } });
    else if (!same(previous, shipment)) drafts.push({ type: 'shipment.updated', data: { ...base, shipment } });
  }
  const invoicesBefore = new Map(before.invoices.map((invoice) => [invoiceKey(invoice), invoice]));
  for (const invoice of after.invoices) {
    const previous = invoicesBefore.get(invoiceKey(invoice));
    if (!previous) drafts.push({ type: 'invoice.created', data: { ...base, invoice } });
    else if (!same(invoiceContent(previous), invoiceContent(invoice))) drafts.push({ type: 'invoice.updated', data: { ...base, invoice } });
  }
  return drafts;
}

/** The event's JSON as stored, delivered and listed: `{id, type, created_at, data}`. */
export function eventPayload(id: string, type: DeliverableType, createdAt: string, data: Record<string, unknown>): string {
  return JSON.stringify({ id, type, created_at: createdAt, data });
}

/**
 * The payload of a `purchase_order.created` event whose record is already serialised (`recordJson`: the PO's stored
 * v2 text, itself a JSON.stringify output): the very text eventPayload(id, 'purchase_order.created', createdAt,
 * {po_number, purchase_order: JSON.parse(recordJson)}) makes, without parsing and re-serialising ~4 KB per PO.
 */
export function createdEventPayload(id: string, createdAt: string, poNumber: string, recordJson: string): string {
  return poEventPayload(id, 'purchase_order.created', createdAt, poNumber, recordJson, {});
}

/**
 * The payload of any event about a PO's record, the record already serialised (`recordJson`: the PO's stored v2
 * text): the very text eventPayload(id, type, createdAt, {po_number, purchase_order: JSON.parse(recordJson), ...rest})
 * makes, without parsing and re-serialising the record (~4 KB). `rest`: the draft's data beyond `po_number`.
 */
export function poEventPayload(
  id: string, type: DeliverableType, createdAt: string, poNumber: string, recordJson: string, rest: Record<string, unknown>,
): string {
  const restJson = JSON.stringify(rest);
  return `{"id":${JSON.stringify(id)},"type":${JSON.stringify(type)},"created_at":${JSON.stringify(createdAt)},` +
    `"data":{"po_number":${JSON.stringify(poNumber)},"purchase_order":${recordJson}${restJson === '{}' ? '}' : `,${restJson.slice(1)}`}}`;
}

/** Does an endpoint's `enabled_events` (["*"] or types) take this type? `ping` goes to the endpoint tested only. */
export function endpointTakes(enabledEvents: readonly string[], type: DeliverableType): boolean {
  return type !== 'ping' && (enabledEvents.includes('*') || enabledEvents.includes(type));
}

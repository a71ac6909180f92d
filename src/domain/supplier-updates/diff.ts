// From one PO state to the next: the writes the store carries out, parents before children.
import type { FulfilmentStatus } from '../statuses.ts';
import type { LineCover, PoSnapshot, SnapshotCheckpoint, SnapshotInvoice, SnapshotShipment, SnapshotSupplierOrder } from './snapshot.ts';

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

// The writes of a batch of supplier updates, all at once: the net change of each PO the batch touched (its state at
// the start of the batch against its state after the last update: domain/supplier-updates diffSnapshots) as
// multi-row inserts (store/bulk-insert.ts) and single-row updates through cached statements
// (store/cached-statements.ts), and the status events each update caused, in the order the updates came.
//
// Why net changes: a batch of 500 updates touching 500 POs written update by update cost some 30 statements each
// (bench/ingest.ts, 2 ms a shipment); parents are inserted before children, every row once with its final values.
import type { Change } from '../domain/supplier-updates.ts';
import type { Db } from '../db/database.ts';
import { insertRows } from './bulk-insert.ts';
import { updateById } from './cached-statements.ts';
import { saveDocument } from './documents.ts';

/** A status event row as status-events.ts writes it (axis `fulfilment`). */
export interface StatusEventRow {
  id: string;
  retailer_id: string;
  po_id: string;
  line_id: string;
  axis: 'fulfilment';
  from_status: string;
  to_status: string;
  source: string;
  occurred_at: string;
}

/** An invoice PDF an update of the batch brought, by its SHA-256. */
export interface PendingDocument {
  bytes: Buffer;
  filename: string;
}

/** Safe in a file name: the invoice number with anything unusual replaced. */
export function invoiceFilename(invoiceNumber: string): string {
  return `invoice-${invoiceNumber.replace(/[^A-Za-z0-9._-]+/g, '_')}.pdf`;
}

function merge(map: Map<string, Record<string, unknown>>, id: string, values: Record<string, unknown>): void {
  const existing = map.get(id);
  if (existing) Object.assign(existing, values);
  else map.set(id, { ...values });
}

/**
 * Writes each PO's net `changes` (their order: parents before children, as diffSnapshots gives them), then the
 * batch's status events. `now`: the stored instant of the batch (created_at/updated_at of what it writes).
 * `documents`: the PDFs the changes' `invoice_document` entries name. Call inside the batch's transaction.
 */
export async function writeNetChanges(
  trx: Db, retailerId: string, now: string, perPo: readonly { poId: string; changes: readonly Change[] }[],
  statusEvents: readonly StatusEventRow[], documents: ReadonlyMap<string, PendingDocument>,
): Promise<void> {
  const orders: Record<string, unknown>[] = [];
  const orderLines: Record<string, unknown>[] = [];
  const shipments: Record<string, unknown>[] = [];
  const shipmentLines: Record<string, unknown>[] = [];
  const checkpoints: Record<string, unknown>[] = [];
  const invoices: Record<string, unknown>[] = [];
  const lineUpdates = new Map<string, Record<string, unknown>>();
  const orderUpdates = new Map<string, Record<string, unknown>>();
  const shipmentUpdates = new Map<string, Record<string, unknown>>();
  const invoiceUpdates = new Map<string, Record<string, unknown>>();
  const orderLineUpdates: { supplier_order_pk: string; line_id: string; quantity: number }[] = [];
  const shipmentLineUpdates: { shipment_id: string; line_id: string; quantity: number }[] = [];
  const invoiceDocuments: { invoiceId: string; sha256: string }[] = [];
  for (const { poId, changes } of perPo) {
    // Rows inserted here already carry updated_at = now; existing parents of changed children get it set.
    const inserted = new Set(changes.flatMap((c) =>
      c.kind === 'supplier_order_insert' ? [c.order.id] : c.kind === 'shipment_insert' ? [c.shipment.id] : []));
    const touchParent = (map: Map<string, Record<string, unknown>>, id: string) => {
      if (!inserted.has(id)) merge(map, id, { updated_at: now });
    };
    for (const change of changes) {
      switch (change.kind) {
        case 'line_status':
          merge(lineUpdates, change.line_id, { fulfilment_status: change.to });
          break;
        case 'line_estimated_delivery':
          merge(lineUpdates, change.line_id, { estimated_delivery_date: change.estimated_delivery_date });
          break;
        case 'supplier_order_insert':
          orders.push({ ...change.order, retailer_id: retailerId, po_id: poId, created_at: now, updated_at: now });
          break;
        case 'supplier_order_status':
          merge(orderUpdates, change.id, { status: change.status, updated_at: now });
          break;
        case 'supplier_order_line':
          if (change.insert) orderLines.push({ supplier_order_pk: change.supplier_order_pk, line_id: change.line_id, quantity: change.quantity });
          else orderLineUpdates.push(change);
          touchParent(orderUpdates, change.supplier_order_pk);
          break;
        case 'shipment_insert':
          shipments.push({ ...change.shipment, retailer_id: retailerId, po_id: poId, created_at: now, updated_at: now });
          break;
        case 'shipment_update':
          merge(shipmentUpdates, change.id, { ...change.fields, updated_at: now });
          break;
        case 'shipment_line':
          if (change.insert) shipmentLines.push({ shipment_id: change.shipment_id, line_id: change.line_id, quantity: change.quantity });
          else shipmentLineUpdates.push(change);
          touchParent(shipmentUpdates, change.shipment_id);
          break;
        case 'checkpoint_insert':
          checkpoints.push({ ...change.checkpoint, retailer_id: retailerId, shipment_id: change.shipment_id });
          touchParent(shipmentUpdates, change.shipment_id);
          break;
        case 'invoice_insert':
          invoices.push({ ...change.invoice, retailer_id: retailerId, po_id: poId, document_id: null, created_at: now, updated_at: now });
          break;
        case 'invoice_update':
          merge(invoiceUpdates, change.id, { ...change.fields, updated_at: now });
          break;
        case 'invoice_document':
          invoiceDocuments.push({ invoiceId: change.invoice_id, sha256: change.sha256 });
          break;
      }
    }
  }
  await insertRows(trx, 'supplier_orders', orders as never[]);
  await insertRows(trx, 'supplier_order_lines', orderLines as never[]);
  await insertRows(trx, 'shipments', shipments as never[]);
  await insertRows(trx, 'shipment_lines', shipmentLines as never[]);
  await insertRows(trx, 'checkpoints', checkpoints as never[]);
  await insertRows(trx, 'invoices', invoices as never[]);
  for (const [id, values] of lineUpdates) await updateById(trx, 'po_lines', id, values);
  for (const [id, values] of orderUpdates) await updateById(trx, 'supplier_orders', id, values);
  for (const [id, values] of shipmentUpdates) await updateById(trx, 'shipments', id, values);
  for (const [id, values] of invoiceUpdates) await updateById(trx, 'invoices', id, values);
  for (const row of orderLineUpdates) {
    await trx.updateTable('supplier_order_lines').set({ quantity: row.quantity })
      .where('supplier_order_pk', '=', row.supplier_order_pk).where('line_id', '=', row.line_id).execute();
  }
  for (const row of shipmentLineUpdates) {
    await trx.updateTable('shipment_lines').set({ quantity: row.quantity })
      .where('shipment_id', '=', row.shipment_id).where('line_id', '=', row.line_id).execute();
  }
  for (const { invoiceId, sha256 } of invoiceDocuments) {
    const document = documents.get(sha256);
    if (!document) throw new Error(`an invoice document change without its document (${sha256})`);
    const documentId = await saveDocument(trx, retailerId, { content_type: 'application/pdf', filename: document.filename, bytes: document.bytes });
    await updateById(trx, 'invoices', invoiceId, { document_id: documentId, updated_at: now });
  }
  await insertRows(trx, 'status_events', statusEvents as never[]);
}

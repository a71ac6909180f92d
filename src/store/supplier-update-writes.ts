// The writes of a batch of supplier updates, all at once: the net change of each PO the batch touched (its state at
// the start of the batch against its state after the last update: domain/supplier-updates diffSnapshots) as
// multi-row inserts (store/bulk-insert.ts) and single-row updates through cached statements
// (store/cached-statements.ts), and the status events each update caused, in the order the updates came.
//
// Why net changes: a batch of 500 updates touching 500 POs written update by update cost some 30 statements each
// (bench/ingest.ts, 2 ms a shipment); parents are inserted before children, every row once with its final values.
// The same rows are then applied to the state loaded at the start of the batch (applyNetRows), which the stored
// renderings are made from: loading every PO again after writing it cost as much as the first load.
import type { Change } from '../domain/supplier-updates.ts';
import type { Db } from '../db/database.ts';
import type { PoAggregate } from './purchase-orders.ts';
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

/** Rows a batch inserts, per table, each with every column (as the table returns it). */
export interface NetRows {
  supplier_orders: Record<string, unknown>[];
  supplier_order_lines: Record<string, unknown>[];
  shipments: Record<string, unknown>[];
  shipment_lines: Record<string, unknown>[];
  checkpoints: Record<string, unknown>[];
  invoices: Record<string, unknown>[];
  status_events: StatusEventRow[];
}

/**
 * The rows a batch writes: what netRowsOf turns the net changes into, written by writeNetRows and applied to the
 * loaded state by applyNetRows, so the stored renderings come from exactly what was written (one source for both).
 */
export interface NetWrites {
  inserts: NetRows;
  /** id → columns to set, per table. */
  updates: {
    po_lines: Map<string, Record<string, unknown>>;
    supplier_orders: Map<string, Record<string, unknown>>;
    shipments: Map<string, Record<string, unknown>>;
    invoices: Map<string, Record<string, unknown>>;
  };
  orderLineUpdates: { supplier_order_pk: string; line_id: string; quantity: number }[];
  shipmentLineUpdates: { shipment_id: string; line_id: string; quantity: number }[];
  /** Invoices given a PDF: the document is stored by writeNetRows, which fills in documentId. */
  invoiceDocuments: { invoiceId: string; sha256: string; documentId?: string }[];
  /** The batch's instant (stored text): updated_at of what it changed. */
  now: string;
}

/**
 * The rows that carry out each PO's net `changes` (their order: parents before children, as diffSnapshots gives
 * them) and the batch's status events. Pure. `now`: the stored instant of the batch (created_at/updated_at of what
 * it writes).
 */
export function netRowsOf(
  retailerId: string, now: string, perPo: readonly { poId: string; changes: readonly Change[] }[], statusEvents: readonly StatusEventRow[],
): NetWrites {
  const net: NetWrites = {
    inserts: { supplier_orders: [], supplier_order_lines: [], shipments: [], shipment_lines: [], checkpoints: [], invoices: [], status_events: [...statusEvents] },
    updates: { po_lines: new Map(), supplier_orders: new Map(), shipments: new Map(), invoices: new Map() },
    orderLineUpdates: [], shipmentLineUpdates: [], invoiceDocuments: [], now,
  };
  const { inserts, updates } = net;
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
          merge(updates.po_lines, change.line_id, { fulfilment_status: change.to });
          break;
        case 'line_estimated_delivery':
          merge(updates.po_lines, change.line_id, { estimated_delivery_date: change.estimated_delivery_date });
          break;
        case 'supplier_order_insert':
          inserts.supplier_orders.push({ ...change.order, retailer_id: retailerId, po_id: poId, created_at: now, updated_at: now });
          break;
        case 'supplier_order_status':
          merge(updates.supplier_orders, change.id, { status: change.status, updated_at: now });
          break;
        case 'supplier_order_line':
          if (change.insert) {
            inserts.supplier_order_lines.push({ supplier_order_pk: change.supplier_order_pk, line_id: change.line_id, quantity: change.quantity });
          } else {
            net.orderLineUpdates.push({ supplier_order_pk: change.supplier_order_pk, line_id: change.line_id, quantity: change.quantity });
          }
          touchParent(updates.supplier_orders, change.supplier_order_pk);
          break;
        case 'shipment_insert':
          inserts.shipments.push({ ...change.shipment, retailer_id: retailerId, po_id: poId, created_at: now, updated_at: now });
          break;
        case 'shipment_update':
          merge(updates.shipments, change.id, { ...change.fields, updated_at: now });
          break;
        case 'shipment_line':
          if (change.insert) {
            inserts.shipment_lines.push({ shipment_id: change.shipment_id, line_id: change.line_id, quantity: change.quantity });
          } else {
            net.shipmentLineUpdates.push({ shipment_id: change.shipment_id, line_id: change.line_id, quantity: change.quantity });
          }
          touchParent(updates.shipments, change.shipment_id);
          break;
        case 'checkpoint_insert':
          inserts.checkpoints.push({ ...change.checkpoint, retailer_id: retailerId, shipment_id: change.shipment_id });
          touchParent(updates.shipments, change.shipment_id);
          break;
        case 'invoice_insert':
          inserts.invoices.push({ ...change.invoice, retailer_id: retailerId, po_id: poId, document_id: null, created_at: now, updated_at: now });
          break;
        case 'invoice_update':
          merge(updates.invoices, change.id, { ...change.fields, updated_at: now });
          break;
        case 'invoice_document':
          net.invoiceDocuments.push({ invoiceId: change.invoice_id, sha256: change.sha256 });
          break;
      }
    }
  }
  return net;
}

/**
 * Writes `net` (netRowsOf): inserts as multi-row statements, parents before children, then the updates, the
 * invoice PDFs `documents` (by SHA-256) and the status events. Sets each invoiceDocuments entry's documentId.
 * Call inside the batch's transaction.
 */
export async function writeNetRows(trx: Db, retailerId: string, net: NetWrites, documents: ReadonlyMap<string, PendingDocument>): Promise<void> {
  const { inserts, updates } = net;
  await insertRows(trx, 'supplier_orders', inserts.supplier_orders as never[]);
  await insertRows(trx, 'supplier_order_lines', inserts.supplier_order_lines as never[]);
  await insertRows(trx, 'shipments', inserts.shipments as never[]);
  await insertRows(trx, 'shipment_lines', inserts.shipment_lines as never[]);
  await insertRows(trx, 'checkpoints', inserts.checkpoints as never[]);
  await insertRows(trx, 'invoices', inserts.invoices as never[]);
  for (const [id, values] of updates.po_lines) await updateById(trx, 'po_lines', id, values);
  for (const [id, values] of updates.supplier_orders) await updateById(trx, 'supplier_orders', id, values);
  for (const [id, values] of updates.shipments) await updateById(trx, 'shipments', id, values);
  for (const [id, values] of updates.invoices) await updateById(trx, 'invoices', id, values);
  for (const row of net.orderLineUpdates) {
    await trx.updateTable('supplier_order_lines').set({ quantity: row.quantity })
      .where('supplier_order_pk', '=', row.supplier_order_pk).where('line_id', '=', row.line_id).execute();
  }
  for (const row of net.shipmentLineUpdates) {
    await trx.updateTable('shipment_lines').set({ quantity: row.quantity })
      .where('shipment_id', '=', row.shipment_id).where('line_id', '=', row.line_id).execute();
  }
  for (const entry of net.invoiceDocuments) {
    const document = documents.get(entry.sha256);
    if (!document) throw new Error(`an invoice document change without its document (${entry.sha256})`);
    entry.documentId = await saveDocument(trx, retailerId, { content_type: 'application/pdf', filename: document.filename, bytes: document.bytes });
    await updateById(trx, 'invoices', entry.invoiceId, { document_id: entry.documentId, updated_at: net.now });
  }
  await insertRows(trx, 'status_events', inserts.status_events as never[]);
}

/** undefined as the database stores it (NULL), so a row applied here reads as the same row loaded. */
function stored(values: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) row[key] = value === undefined ? null : value;
  return row;
}

/**
 * Applies `net`, once writeNetRows has written it, to the POs' loaded state (loadPoAggregates, as at the start of
 * the batch): each aggregate then holds what loading it again would give, without the second load (about a tenth of
 * a large document's apply). Covers keep no particular order (toPoState orders them). Mutates `aggregates`.
 *
 * Returns the lines whose v1 record (domain/render.ts renderV1LinesOf) can have changed: those updated, given a
 * status event or a cover, and those a changed shipment covers. Nothing else a batch writes reaches a line's v1
 * record (supplier orders are shown by their id, which never changes; invoices and checkpoints are not in it).
 */
export function applyNetRows(aggregates: ReadonlyMap<string, PoAggregate>, net: NetWrites): Set<string> {
  const { inserts, updates } = net;
  const lines = new Map<string, Record<string, unknown>>();
  const orders = new Map<string, PoAggregate['supplierOrders'][number]>();
  const shipments = new Map<string, PoAggregate['shipments'][number]>();
  const invoices = new Map<string, Record<string, unknown>>();
  for (const aggregate of aggregates.values()) {
    for (const line of aggregate.lines) lines.set(line.id, line);
    for (const order of aggregate.supplierOrders) orders.set(order.order.id, order);
    for (const shipment of aggregate.shipments) shipments.set(shipment.shipment.id, shipment);
    for (const invoice of aggregate.invoices) invoices.set(invoice.id, invoice);
  }
  const aggregateOf = (poId: unknown) => {
    const aggregate = aggregates.get(poId as string);
    if (!aggregate) throw new Error(`applyNetRows: purchase order ${String(poId)} was not loaded`);
    return aggregate;
  };
  const find = <T>(map: Map<string, T>, id: string, what: string): T => {
    const found = map.get(id);
    if (!found) throw new Error(`applyNetRows: ${what} ${id} was not loaded`);
    return found;
  };
  for (const row of inserts.supplier_orders) {
    const order = { order: stored(row) as PoAggregate['supplierOrders'][number]['order'], lines: [] };
    aggregateOf(row.po_id).supplierOrders.push(order);
    orders.set(order.order.id, order);
  }
  for (const row of inserts.shipments) {
    const shipment = { shipment: stored(row) as PoAggregate['shipments'][number]['shipment'], lines: [], checkpoints: [] };
    aggregateOf(row.po_id).shipments.push(shipment);
    shipments.set(shipment.shipment.id, shipment);
  }
  for (const row of inserts.supplier_order_lines) {
    find(orders, row.supplier_order_pk as string, 'supplier order').lines.push({ line_id: row.line_id as string, quantity: row.quantity as number });
  }
  for (const row of inserts.shipment_lines) {
    find(shipments, row.shipment_id as string, 'shipment').lines.push({ line_id: row.line_id as string, quantity: row.quantity as number });
  }
  for (const row of inserts.checkpoints) {
    find(shipments, row.shipment_id as string, 'shipment').checkpoints.push(stored(row) as PoAggregate['shipments'][number]['checkpoints'][number]);
  }
  for (const row of inserts.invoices) {
    const invoice = stored(row);
    aggregateOf(row.po_id).invoices.push(invoice as PoAggregate['invoices'][number]);
    invoices.set(invoice.id as string, invoice);
  }
  for (const [id, values] of updates.po_lines) Object.assign(find(lines, id, 'line'), stored(values));
  for (const [id, values] of updates.supplier_orders) Object.assign(find(orders, id, 'supplier order').order, stored(values));
  for (const [id, values] of updates.shipments) Object.assign(find(shipments, id, 'shipment').shipment, stored(values));
  for (const [id, values] of updates.invoices) Object.assign(find(invoices, id, 'invoice'), stored(values));
  for (const row of net.orderLineUpdates) {
    const cover = find(orders, row.supplier_order_pk, 'supplier order').lines.find((c) => c.line_id === row.line_id);
    if (cover) cover.quantity = row.quantity;
  }
  for (const row of net.shipmentLineUpdates) {
    const cover = find(shipments, row.shipment_id, 'shipment').lines.find((c) => c.line_id === row.line_id);
    if (cover) cover.quantity = row.quantity;
  }
  for (const entry of net.invoiceDocuments) {
    if (entry.documentId === undefined) throw new Error('applyNetRows: the invoice documents were not written yet');
    Object.assign(find(invoices, entry.invoiceId, 'invoice'), { document_id: entry.documentId, updated_at: net.now });
  }
  for (const row of inserts.status_events) aggregateOf(row.po_id).events.push({ ...row });

  const changedLines = new Set<string>(updates.po_lines.keys());
  for (const row of inserts.status_events) changedLines.add(row.line_id);
  for (const row of [...inserts.supplier_order_lines, ...inserts.shipment_lines]) changedLines.add(row.line_id as string);
  for (const row of [...net.orderLineUpdates, ...net.shipmentLineUpdates]) changedLines.add(row.line_id);
  for (const id of updates.shipments.keys()) {
    for (const cover of find(shipments, id, 'shipment').lines) changedLines.add(cover.line_id);
  }
  return changedLines;
}

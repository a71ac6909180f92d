// A supplier's new name reaches the stored read records (purchase_orders.view_v2, po_lines.view_v1) of every PO that
// shows it — as the PO's supplier, a line's supplier or an invoice's — in batches of bounded size, each its own
// transaction, so that renaming a supplier with 100,000 POs never holds the database for more than one batch.
//
// Durable and resumable: the rename writes a marker row (supplier_rerenders) in its own transaction; each batch
// re-renders the next POs in id order after the marker's cursor and moves the cursor in the same transaction (or
// deletes the marker after the last). A process stopped at any instant leaves the marker pointing after the last
// batch that committed; the next start of the service or the next rename of any supplier of that retailer finishes
// it. A rename while one is under way starts that supplier's cursor again from the beginning: a batch that raced
// with it does not move the new cursor (its update is conditional on the request it read).
//
// Meanwhile reads stay whole and consistent: every record is a complete rendering, of the old name until its batch
// commits and of the new one after; a PO written by anything else in between is rendered then with the current name
// (every write re-renders from the stored state), and a batch re-renders from the stored state too, so nothing
// written meanwhile is overwritten by an older rendering.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../db/database.ts';
import { refreshPoViews, supplierNamesOf } from './purchase-orders.ts';

/** POs per batch by default: a few tens of milliseconds of SQLite on an idle machine (bench/supplier-rename.ts). */
export const RERENDER_BATCH_SIZE = 100;

export interface RerenderOptions {
  /** POs per batch (transaction); default RERENDER_BATCH_SIZE. */
  batchSize?: number;
  /** Tests: runs inside each batch's transaction before it commits (1 for the first); throwing rolls the batch back. */
  beforeCommit?: (batch: number) => void | Promise<void>;
}

/**
 * Records, inside the rename's transaction, that the supplier's POs must be re-rendered (from the first PO again if
 * a re-render of it was already under way). `requestedAt`: ISO UTC instant of the rename.
 */
export async function requestSupplierRerender(trx: Db, retailerId: string, supplierId: string, requestedAt: string): Promise<void> {
  await trx.insertInto('supplier_rerenders')
    .values({ supplier_id: supplierId, retailer_id: retailerId, after_po_id: null, requested_at: requestedAt })
    .onConflict((oc) => oc.column('supplier_id').doUpdateSet({ after_po_id: null, requested_at: requestedAt }))
    .execute();
}

/**
 * The first `limit` ids (in id order) after `afterId` of the retailer's POs showing the supplier: a seek on each of the
 * three indexes of migration 0010, merged. PO ids share their prefix and length and use lower-case base 32, so text
 * order is the same in JavaScript, SQLite and any PostgreSQL collation.
 */
async function nextPoIds(db: Db, retailerId: string, supplierId: string, afterId: string | null, limit: number): Promise<string[]> {
  const after = afterId ?? '';
  const [headers, lines, invoices] = await Promise.all([
    db.selectFrom('purchase_orders').select('id as po_id')
      .where('retailer_id', '=', retailerId).where('supplier_id', '=', supplierId).where('id', '>', after)
      .orderBy('id').limit(limit).execute(),
    db.selectFrom('po_lines').select('po_id').distinct()
      .where('retailer_id', '=', retailerId).where('supplier_id', '=', supplierId).where('po_id', '>', after)
      .orderBy('po_id').limit(limit).execute(),
    db.selectFrom('invoices').select('po_id').distinct()
      .where('retailer_id', '=', retailerId).where('supplier_id', '=', supplierId).where('po_id', '>', after)
      .orderBy('po_id').limit(limit).execute(),
  ]);
  const ids = new Set([...headers, ...lines, ...invoices].map((r) => r.po_id));
  return [...ids].sort().slice(0, limit);
}

/**
 * One batch of the supplier's re-render, in its own transaction. Returns how many POs it re-rendered and whether the
 * re-render is finished (no marker left, or this was the last batch).
 */
async function rerenderBatch(db: Db, supplierId: string, batch: number, options: RerenderOptions): Promise<{ pos: number; done: boolean }> {
  const limit = Math.max(1, options.batchSize ?? RERENDER_BATCH_SIZE);
  return db.transaction().execute(async (trx) => {
    const marker = await trx.selectFrom('supplier_rerenders').selectAll().where('supplier_id', '=', supplierId).executeTakeFirst();
    if (!marker) return { pos: 0, done: true };
    const ids = await nextPoIds(trx, marker.retailer_id, supplierId, marker.after_po_id, limit);
    const names = await supplierNamesOf(trx, marker.retailer_id);
    for (const id of ids) await refreshPoViews(trx, marker.retailer_id, id, names);
    const done = ids.length < limit;
    // Conditional on the request read above: a rename committed meanwhile has reset the cursor, and keeps it reset.
    if (done) {
      await trx.deleteFrom('supplier_rerenders')
        .where('supplier_id', '=', supplierId).where('requested_at', '=', marker.requested_at).execute();
    } else {
      await trx.updateTable('supplier_rerenders').set({ after_po_id: ids[ids.length - 1] })
        .where('supplier_id', '=', supplierId).where('requested_at', '=', marker.requested_at).execute();
    }
    await options.beforeCommit?.(batch);
    return { pos: ids.length, done };
  });
}

/**
 * Finishes every pending re-render (of one retailer, or of all), oldest request first, batch after batch; between
 * batches other work of the process runs. Returns the batches committed and POs re-rendered. Errors are the
 * database's; the markers then still say what is left.
 */
export async function finishSupplierRerenders(db: Db, options: RerenderOptions & { retailerId?: string } = {}):
  Promise<{ batches: number; pos: number }> {
  const total = { batches: 0, pos: 0 };
  for (;;) {
    let query = db.selectFrom('supplier_rerenders').select('supplier_id').orderBy('requested_at').orderBy('supplier_id').limit(1);
    if (options.retailerId !== undefined) query = query.where('retailer_id', '=', options.retailerId);
    const next = await query.executeTakeFirst();
    if (!next) return total;
    for (let done = false; !done;) {
      const result = await rerenderBatch(db, next.supplier_id, total.batches + 1, options);
      total.batches++;
      total.pos += result.pos;
      done = result.done;
      await nextTurn(); // let waiting requests in between batches
    }
  }
}

/** Suppliers whose re-render is not finished, with the last PO id done (null: none yet). */
export async function pendingSupplierRerenders(db: Db, retailerId: string): Promise<{ supplier_id: string; after_po_id: string | null }[]> {
  return db.selectFrom('supplier_rerenders').select(['supplier_id', 'after_po_id'])
    .where('retailer_id', '=', retailerId).orderBy('requested_at').orderBy('supplier_id').execute();
}

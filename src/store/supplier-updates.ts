// Supplier updates: matching each update to its PO, holding the unmatched, and writing what the rules in
// domain/supplier-updates.ts decide (store/ingest-session.ts). A batch is one transaction; every PO it touches has
// its read renderings refreshed before the transaction ends, so the read API shows the update at once.
import type { ParsedUpdate } from '../domain/supplier-updates.ts';
import type { Db } from '../db/database.ts';
import { applyHeldSupplierUpdates } from './held-update-replay.ts';
import { inTransaction, IngestSession, SUPPLIER_UPDATE_SOURCE, type HeldSetTag } from './ingest-session.ts';

export { applyHeldSupplierUpdates, SUPPLIER_UPDATE_SOURCE, type HeldSetTag };

export type UpdateResultKind = 'applied' | 'unchanged' | 'unmatched' | 'rejected';

export interface UpdateResult {
  index: number;
  result: UpdateResultKind;
  reason: string | null;
  /** A rejection by the PO's rules: the update field at fault when one is (`lines[1].sku`); not in API answers. */
  at?: string;
}

/**
 * Applies a validated batch for one retailer in one transaction (the caller's, when `db` is one); results in
 * request order. Each update is idempotent by its fingerprint; updates for PO numbers the retailer does not have
 * are held, up to `options.heldLimit` unexpired held updates per retailer (HELD_UPDATE_LIMIT; over it: `rejected`
 * with the reason). `source` is what the status events record as their cause (a supplier document names itself).
 * `options.sets[i]`: the X12 set update i came from (null: none), kept if it is held, so that set's held updates
 * are replayed whole when the PO appears (store/held-update-replay.ts).
 */
export async function ingestSupplierUpdates(
  db: Db, retailerId: string, updates: readonly ParsedUpdate[], source = SUPPLIER_UPDATE_SOURCE,
  options: { heldLimit?: number; sets?: readonly (HeldSetTag | null)[] } = {},
): Promise<UpdateResult[]> {
  return inTransaction(db, async (trx) => {
    const session = new IngestSession(trx, retailerId, source, options.heldLimit);
    const poNumbers = updates.map((u) => u.update.po_number);
    await session.lockPurchaseOrders(poNumbers);
    await session.prefetchFingerprints(updates.map((u) => u.fingerprint));
    await session.loadSnapshots(session.matchedPoIds(poNumbers));
    const results: UpdateResult[] = [];
    for (const [index, parsed] of updates.entries()) results.push({ index, ...(await session.ingest(parsed, true, source, options.sets?.[index] ?? null)) });
    await session.finish();
    // What this batch brought (a shipment, a supplier order) may be what an update held earlier was waiting for.
    const touched = session.touchedPoNumbers();
    for (let i = 0; i < touched.length; i += 500) {
      const waiting = await trx.selectFrom('held_supplier_updates').select('po_number').distinct()
        .where('retailer_id', '=', retailerId).where('po_number', 'in', touched.slice(i, i + 500)).execute();
      for (const { po_number: poNumber } of waiting) await applyHeldSupplierUpdates(trx, retailerId, poNumber);
    }
    return results;
  });
}

// Replaying the supplier updates held for a PO number (DESIGN 3: kept as unmatched until a PO with their number
// appears) in the transaction that creates or syncs that PO. An X12 transaction set is one unit there as on
// receipt (README "Feeding supplier data"): its held updates apply together or not at all, and a set the new PO
// refuses ends refused, each of its held updates with the reason, instead of staying held in part.
import { parseSupplierUpdate, type FieldProblem, type ParsedUpdate } from '../domain/supplier-updates.ts';
import type { Db } from '../db/database.ts';
import type { X12Place } from '../ingest/types.ts';
import type { HeldSupplierUpdatesTable } from '../db/schema.ts';
import { recordEvent } from './events.ts';
import { inTransaction, IngestSession, SUPPLIER_UPDATE_SOURCE } from './ingest-session.ts';
import { refusalOf, refusedSetReason, type SetMember } from './supplier-document-sets.ts';

/** Replay order: what an update depends on first (DESIGN 3: order → shipment → tracking_event / invoice). */
const DEPENDENCY_RANK: Record<string, number> = { order: 0, shipment: 1, tracking_event: 2, invoice: 2 };

interface Held {
  row: HeldSupplierUpdatesTable;
  parsed: ParsedUpdate;
}

/** What is replayed as one: an X12 set's held updates for the PO (`set` not null), or one update of its own. */
interface Unit {
  set: string | null;
  items: Held[];
  /** Why the PO refused the unit on its last try: the first update refused, with its result. */
  refusal?: { item: Held; reason: string; at?: string };
}

/** The held updates in replay order (dependency rank, then as received), grouped: a set's updates form one unit. */
function unitsOf(held: readonly Held[]): Unit[] {
  const units: Unit[] = [];
  const bySet = new Map<string, Unit>();
  for (const item of held) {
    const set = item.row.document_set;
    if (set === null) {
      units.push({ set: null, items: [item] });
    } else if (bySet.has(set)) {
      bySet.get(set)!.items.push(item);
    } else {
      const unit = { set, items: [item] };
      bySet.set(set, unit);
      units.push(unit);
    }
  }
  return units;
}

/** A held update's set as supplier-document-sets.ts words refusals: `ST 0001 (856) rejected: LIN03 … (HL 6): …`. */
function setReason(unit: Unit): string {
  const { item, reason, at } = unit.refusal!;
  const entry = JSON.parse(item.row.set_entry ?? '{}') as { source?: string; origin?: Record<string, X12Place> | null };
  const member: SetMember = { source: entry.source ?? `set ${unit.set}`, set: 0, origin: entry.origin ?? null };
  return refusedSetReason(member, refusalOf(member, reason, at === undefined ? {} : { field: at }));
}

/**
 * Applies the updates held for `poNumber` (oldest first) now that the retailer has a PO with that number, and
 * deletes those that applied (or turned out to change nothing). Their status events record what sent each update
 * (a supplier document) when the held row says, else `source`. An update held on its own (JSON, a CSV row) that
 * the PO still cannot take (a sku it does not have) stays held, and is tried again the next time this runs for the
 * PO. The held updates of one X12 set are applied together or not at all: when the PO refuses one of them, none of
 * the set's is applied and each ends `rejected` (rejected_at, reason `ST 0001 (856) rejected: …`; final, listed by
 * GET /supplier_updates/held; a `supplier_update.rejected` event each) — the 997 sent at receipt stays as it was. Call it inside the transaction that
 * creates or syncs the PO: it then uses that transaction and opens none of its own.
 * Returns how many held updates changed the PO.
 */
export async function applyHeldSupplierUpdates(db: Db, retailerId: string, poNumber: string, source = SUPPLIER_UPDATE_SOURCE,
  now = new Date()): Promise<number> {
  return inTransaction(db, async (trx) => {
    // Sorted here, not by the statement: with an ORDER BY, SQLite's planner (no statistics) prefers the
    // (retailer_id, received_at) index and walks every update the retailer holds, on every PO created.
    const rows = (await trx.selectFrom('held_supplier_updates').selectAll()
      .where('retailer_id', '=', retailerId).where('po_number', '=', poNumber).where('expired_at', 'is', null)
      .where('rejected_at', 'is', null).execute())
      .sort((a, b) => (a.received_at === b.received_at ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.received_at < b.received_at ? -1 : 1));
    if (rows.length === 0) return 0;
    const held: Held[] = [];
    for (const row of rows) {
      const problems: FieldProblem[] = [];
      // Validated when received; kept (not dropped) if the rules have since become stricter.
      const parsed = parseSupplierUpdate(JSON.parse(row.payload), 'held', problems, { fromDocument: true });
      if (parsed) held.push({ row, parsed: { ...parsed, fingerprint: row.fingerprint } });
    }
    held.sort((a, b) => DEPENDENCY_RANK[a.parsed.update.type] - DEPENDENCY_RANK[b.parsed.update.type]);
    const session = new IngestSession(trx, retailerId, source);
    await session.prefetchFingerprints(held.map((h) => h.row.fingerprint));
    let applied = 0;
    // Until a pass applies nothing: a unit that failed for want of another one held behind it gets its turn.
    let pending = unitsOf(held);
    for (let progress = true; pending.length > 0 && progress;) {
      progress = false;
      const left: Unit[] = [];
      for (const unit of pending) {
        const undo = session.mark();
        let changed = 0;
        unit.refusal = undefined;
        for (const item of unit.items) {
          // The status events name what sent the update (a document), when the held row knows it.
          const outcome = await session.ingest(item.parsed, false, item.row.source ?? source);
          if (outcome.result === 'unmatched') return applied; // no such PO (yet): nothing to do
          if (outcome.result === 'rejected') {
            unit.refusal = { item, reason: outcome.reason ?? 'rejected', ...(outcome.at === undefined ? {} : { at: outcome.at }) };
            break;
          }
          if (outcome.result === 'applied') changed++;
        }
        if (unit.refusal) {
          undo(); // what the unit's earlier updates planned is forgotten: a set applies whole or not at all
          left.push(unit);
          continue;
        }
        applied += changed;
        progress = true;
        await trx.deleteFrom('held_supplier_updates').where('id', 'in', unit.items.map((item) => item.row.id)).execute();
      }
      pending = left;
    }
    // A set still refused when nothing more can apply is refused for good: each of its held updates says why, and
    // a `supplier_update.rejected` event tells a subscriber (DESIGN 4b: no change without its event).
    for (const unit of pending.filter((u) => u.set !== null)) {
      const reason = setReason(unit);
      await trx.updateTable('held_supplier_updates').set({ rejected_at: now.toISOString(), reason })
        .where('id', 'in', unit.items.map((item) => item.row.id)).execute();
      for (const item of unit.items) {
        await recordEvent(trx, retailerId, 'supplier_update.rejected', {
          po_number: poNumber, update: JSON.parse(item.row.payload), reason, document_id: unit.set!.split('#')[0],
        }, now);
      }
    }
    await session.finish();
    return applied;
  });
}

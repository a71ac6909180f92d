// An X12 transaction set is one unit of a supplier document (DESIGN 3, "Supplier documents"): its updates are
// applied all or none, and the 997 tells the supplier which. These helpers decide, for a batch's entries, which
// sets are refused and what every entry of a refused set reports; store/supplier-documents.ts applies the rest.
import { describePlace, faultOfField } from '../ingest/x12/faults.ts';
import type { X12Fault, X12Place } from '../ingest/types.ts';

/** What a batch entry needs here (store/supplier-documents.ts BatchEntry). */
export interface SetMember {
  source: string;
  /** The set's ordinal in the file; null: an entry of its own (a CSV row, a set the 997 already rejects for its syntax). */
  set: number | null;
  origin: Readonly<Record<string, X12Place>> | null;
}

/** Why a set was refused: the first entry at fault, in words and (when known) as the element for AK3/AK4. */
export interface SetRefusal {
  reason: string;
  fault: X12Fault | null;
}

/**
 * The refusal of `entry`'s set, from `entry`'s own rejection: `reason` as the reader or the PO's rules gave it,
 * `at` the update field the rules named (`lines[0].sku`), or `fault` when the reader already knew the element.
 * A rule's reason does not name the segment, so the element is put in front: `LIN03 "NOT-ON-PO" (HL 4): SKU …`.
 */
export function refusalOf(entry: SetMember, reason: string, at: { field?: string; fault?: X12Fault | null }): SetRefusal {
  if (at.fault !== undefined) return { reason, fault: at.fault };
  const fault = faultOfField(entry.origin, at.field);
  return { reason: fault ? `${describePlace(fault)}: ${reason}` : reason, fault };
}

/** What every entry of a refused set reports: the set and why, `ST 0002 (856) rejected: LIN03 … is not on PO …`. */
export const refusedSetReason = (entry: SetMember, refusal: SetRefusal): string => `${entry.source} rejected: ${refusal.reason}`;

/** Raised inside a batch's transaction to undo it: this set was refused after others of its entries were planned,
 *  so the batch is planned again from its starting state without it. */
export class ReplanWithout extends Error {
  constructor(readonly refused: ReadonlyMap<number, SetRefusal>) {
    super('replan the batch without the refused sets');
  }
}

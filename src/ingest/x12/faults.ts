// The element at fault in a refused X12 set, as the 997 reports it (AK3/AK4, X12.6) and as a result's reason names it.
import type { DocumentEntry, X12Fault, X12Place } from '../types.ts';

/**
 * `place` as the element at fault, with `code` when the caller knows it (6 for two numbers in one element), else the AK403 code (element 723) its value earns: 1 when empty; for a numeric
 * element, 6 when it has a character a count or amount cannot (a sign, a letter, a fraction of a unit), 5 when it is
 * longer than the element may be; otherwise 7 (a value the element cannot take here: zero units, a part or
 * currency code we do not know, a quantity beyond the order).
 */
export function faultAt(place: X12Place, known?: number): X12Fault {
  if (known !== undefined) return { ...place, code: known };
  if (place.element === 0) return { ...place, code: 0 };
  const value = place.value;
  let code = 7;
  if (value === '') code = 1;
  else if (place.maxDigits !== undefined) {
    const digits = value.replace(/^0+(?=\d)/, '').replace('.', '');
    if (!/^\d*\.?\d*$/.test(value) || /\.\d*[1-9]/.test(value)) code = 6;
    else if (digits.length > place.maxDigits) code = 5;
  }
  return { ...place, code };
}

/**
 * The element an update field came from, as the fault: `field` as a rejection names it (`lines[0].quantity`, or
 * with the problem path in front: `ST 0002 (856).lines[0].quantity`), looked up in the entry's `origin`, then its
 * enclosing fields (`lines[0]` → nothing). A refusal that names no field, or one no element gave (the supplier
 * supplies no line of the PO), falls back to the entry's own segment (`origin[SET_PLACE]`: the pack's HL, the
 * BAK, the BIG), so a refused set always has its AK3 (X12.6: AK5 R 5 says "one or more segments in error").
 * Null only when the entry has no origin (a CSV row).
 */
export function faultOfField(origin: Readonly<Record<string, X12Place>> | null | undefined, field: string | undefined): X12Fault | null {
  if (!origin) return null;
  if (field !== undefined) {
    for (const key of Object.keys(origin)) {
      if (key !== SET_PLACE && (field === key || field.endsWith(`.${key}`))) return faultAt(origin[key]);
    }
  }
  return origin[SET_PLACE] ? faultAt(origin[SET_PLACE]) : null;
}

/** The origin key of the segment an entry as a whole came from (its AK3 when no element is at fault). */
export const SET_PLACE = '*';

/** The segment `place` names as the fault, no element (AK3 only, AK304 `segmentCode`: 8 data errors, 3 missing). */
export const segmentPlace = (place: X12Place, segmentCode = 8): X12Place => ({ ...place, element: 0, reference: 0, value: '', segmentCode });

/** How a person finds the element in its set: `SN102 "-3" (HL 4)`. */
export function describePlace(place: X12Place): string {
  if (place.element === 0) {
    const where = `segment ${place.position}${place.label ? `, ${place.label}` : ''}`;
    return place.segmentCode === 3 ? `${place.segment} missing (${where})` : `${place.segment} (${where})`;
  }
  const name = `${place.segment}${String(place.element).padStart(2, '0')}`;
  return `${name} "${place.value}"${place.label ? ` (${place.label})` : ''}`;
}

/** One fault a mapper found in a set: the reason in words and the element (or segment) at fault. */
export interface SetProblem { reason: string; fault: X12Fault }

/** Each fault of a refused entry with its own reason, kept beside the entry (its `reason` and `fault` tell them all at
 *  once) for the reader's own use (index.ts contentFaults): never applied, stored or sent to a worker's caller. */
const entryProblems = new WeakMap<DocumentEntry, readonly SetProblem[]>();

/** The entry refusing a set for `problems` (at least one), which problemsOf gives back. */
export function withProblems(entry: DocumentEntry, problems: readonly SetProblem[]): DocumentEntry {
  entryProblems.set(entry, [...problems]);
  return entry;
}

/** The faults of a refused entry, each with its reason: those withProblems kept, else its one fault. */
export function problemsOf(entry: DocumentEntry): readonly SetProblem[] {
  return entryProblems.get(entry) ?? (entry.fault && entry.reason ? [{ reason: entry.reason, fault: entry.fault }] : []);
}

/**
 * Several faults of one set as one: the first fault, carrying the others (`others`, bounded as the reasons are), so
 * the 997 names each (AK3/AK4) and the reason tells each. Null when there are none.
 */
export function combinedFault(problems: readonly SetProblem[]): X12Fault | null {
  if (problems.length === 0) return null;
  const [first, ...rest] = problems.slice(0, MAX_REASONS).map((p) => p.fault);
  return rest.length > 0 ? { ...first, others: rest } : first;
}

/** At most this many problems are named in a set's reason (then how many more): every fault of a set is told, as
 *  the 997's AK3/AK4 tell them, and a hostile set still gets a short reason. */
export const MAX_REASONS = 10;

/** `reasons` as one reason: `a; b; c`, the first MAX_REASONS, then how many more (`more`: beyond those given). */
export function joinReasons(reasons: readonly string[], more = 0): string {
  const hidden = Math.max(0, reasons.length - MAX_REASONS) + more;
  const shown = reasons.slice(0, MAX_REASONS).join('; ');
  return hidden > 0 ? `${shown}; and ${hidden} more` : shown;
}

/** The problems of a set as one reason (joinReasons). */
export const combinedReason = (problems: readonly SetProblem[]): string => joinReasons(problems.map((p) => p.reason));

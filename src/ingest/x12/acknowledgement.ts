// The 997 Functional Acknowledgment answering what we read (DESIGN 3): per received interchange, one interchange
// back (sender and receiver swapped, same delimiters) holding one FA group with one 997 set per received group:
// AK1 (GS01, GS06), per set AK2 (ST01, ST02), AK3/AK4 for each segment and element at fault, AK5 (A or R and
// the 718 codes), then AK9 (A, P or R; sets included per GE01, received, accepted; the 716 codes).
// A set whose syntax is good may still be one OrderSync did not take: refused while mapped (SN102 "-3") or applied
// (a part not on the PO). It is answered R as well (AK3/AK4 at the element at fault, AK5 R 5), so the supplier
// corrects and resends it: the 997 says which sets were taken, not only which were well formed.
import type { X12Fault } from '../types.ts';
import type { GroupRecord, InterchangeRecord } from './envelope.ts';
import { SEGMENT_ERROR, SET_ERROR, isAcknowledgementSet, type SetCheck } from './syntax.ts';

/** Sets refused for their content though well formed: set ordinal (SetCheck.ordinal) → the element at fault, or
 *  null when the fault is the set as a whole. */
export type RejectedSets = ReadonlyMap<number, X12Fault | null>;

const NONE: RejectedSets = new Map();
/** AK404 is at most 99 characters. */
const COPY_LENGTH = 99;

const pad = (value: string, width: number) => value.slice(0, width).padEnd(width, ' ');

/**
 * The groups a 997 answers: every one holding a set that is not an acknowledgement (997/999 sets are never
 * acknowledged, X12.6: answering them risks an acknowledgement loop), and an empty group unless it is GS01 FA.
 * So a group of nothing but 997s (FA or not) gets no 997 set, and an interchange of such groups no 997 at all.
 */
export const acknowledgedGroups = (interchange: InterchangeRecord): GroupRecord[] =>
  interchange.groups.filter((group) => group.sets.some((set) => !isAcknowledgementSet(set.type))
    || (group.sets.length === 0 && (group.gs[1] ?? '').trim() !== 'FA'));

/** A set counts as accepted when neither it nor its group was rejected, nor its content refused (`rejected`). */
export const setAccepted = (group: GroupRecord, set: SetCheck, rejected: RejectedSets = NONE): boolean =>
  group.groupErrors.length === 0 && set.setErrors.length === 0 && !(set.ordinal !== undefined && rejected.has(set.ordinal));

function ak9Status(group: GroupRecord, rejected: RejectedSets): { status: string; accepted: number } {
  const accepted = group.sets.filter((set) => setAccepted(group, set, rejected)).length;
  if (group.groupErrors.length > 0 || accepted === 0) return { status: 'R', accepted };
  return { status: accepted === group.sets.length ? 'A' : 'P', accepted };
}

/** The segments (as element arrays) of the 997 answering `group`, ST to SE. */
function set997(group: GroupRecord, control: string, rejected: RejectedSets): string[][] {
  const body: string[][] = [['AK1', (group.gs[1] ?? '').trim(), (group.gs[6] ?? '').trim()]];
  for (const set of group.sets) {
    // No AK2 for a received acknowledgement, even in a group where it does not belong; AK903 still counts it as
    // received (GE01 did), and it is not among the accepted (AK904).
    if (isAcknowledgementSet(set.type)) continue;
    // AK203: the set's ST03, if any (X12 005010 on: the implementation convention reference found in the ST).
    body.push(set.convention ? ['AK2', set.type, set.control, set.convention] : ['AK2', set.type, set.control]);
    for (const error of set.segmentErrors) {
      body.push(['AK3', error.id, String(error.position), error.loop, String(error.code)]);
      for (const element of error.elements) {
        // AK402 (the element's reference number) is optional: left empty when the fault is not one element's meaning.
        const ak4 = ['AK4', String(element.position), element.reference > 0 ? String(element.reference) : '', String(element.code)];
        if (element.copy !== null) ak4.push(element.copy);
        body.push(ak4);
      }
    }
    if (set.setErrors.length > 0) {
      body.push(['AK5', 'R', ...set.setErrors.slice(0, 5).map(String)]);
    } else if (set.ordinal !== undefined && rejected.has(set.ordinal)) {
      const first = rejected.get(set.ordinal);
      // The fault and those found with it in the same set (X12Fault.others): an AK3 per segment, an AK4 per element.
      let last: X12Fault | null = null;
      for (const fault of first ? [first, ...(first.others ?? [])] : []) {
        if (last === null || last.segment !== fault.segment || last.position !== fault.position) {
          body.push(['AK3', fault.segment, String(fault.position), fault.loop, String(fault.segmentCode ?? SEGMENT_ERROR.dataElementErrors)]);
        }
        last = fault;
        if (fault.element > 0) {
          const ak4 = ['AK4', String(fault.element), String(fault.reference), String(fault.code)];
          if (fault.value !== '') ak4.push(fault.value.slice(0, COPY_LENGTH));
          body.push(ak4);
        }
      }
      body.push(['AK5', 'R', String(SET_ERROR.segmentsInError)]);
    } else {
      body.push(['AK5', 'A']);
    }
  }
  const { status, accepted } = ak9Status(group, rejected);
  body.push(['AK9', status, String(group.declaredSets), String(group.sets.length), String(accepted), ...group.groupErrors.slice(0, 5).map(String)]);
  return [['ST', '997', control], ...body, ['SE', String(body.length + 2), control]];
}

/**
 * The 997 interchange answering `received` (which must have a group acknowledgedGroups keeps), control number `control` (ISA13 and GS06), stamped `now` (UTC);
 * `rejected`: the sets refused for their content (answered R like a syntax error).
 * Values that would carry a delimiter (a copied bad element) have it replaced by a space.
 */
export function interchange997(received: InterchangeRecord, control: number, now: Date, rejected: RejectedSets = NONE): string {
  if (!Number.isInteger(control) || control < 1 || control > 999_999_999) {
    throw new RangeError(`control number ${control} is outside 1–999999999 (ISA13 has nine digits)`);
  }
  const { element, component, segment, repetition } = received.delimiters;
  // ISA11 is a separator from 00402 on (`^`), else `U`: a copied value holding it would read as two in the 997.
  const repeats = repetition.length === 1 && !/[A-Za-z0-9 ]/.test(repetition);
  const isa = received.isa.map((value) => value ?? '');
  const iso = now.toISOString();
  const yymmdd = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
  const hhmm = iso.slice(11, 13) + iso.slice(14, 16);
  const control9 = String(control).padStart(9, '0');
  const groups = acknowledgedGroups(received);
  const first = groups[0];
  const segments: string[][] = [
    ['ISA', '00', pad('', 10), '00', pad('', 10), pad(isa[7], 2), pad(isa[8], 15), pad(isa[5], 2), pad(isa[6], 15), yymmdd, hhmm,
      pad(isa[11] || 'U', 1), pad(isa[12] || '00401', 5), control9, '0', pad(isa[15] || 'P', 1), component],
    ['GS', 'FA', (first.gs[3] ?? '').trim(), (first.gs[2] ?? '').trim(), iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10), hhmm, String(control), 'X',
      (first.gs[8] ?? '').trim() || '004010'],
  ];
  groups.forEach((group, i) => segments.push(...set997(group, String(i + 1).padStart(4, '0'), rejected)));
  segments.push(['GE', String(groups.length), String(control)], ['IEA', '1', control9]);
  // A line break copied from a segment that ran into the next (glue.ts) would split the 997's own segments too.
  const clean = (value: string) => {
    const cleaned = value.replaceAll(element, ' ').replaceAll(segment, ' ').replaceAll(component, ' ').replace(/[\r\n]+/g, ' ');
    return repeats ? cleaned.replaceAll(repetition, ' ') : cleaned;
  };
  // Each segment ends as the received file's do: its terminator, then its line break if it writes one (`~\n`, CR LF).
  // A record kept before the suffix was read: a line break after a terminator that is not one itself, as before.
  const newline = received.delimiters.suffix ?? (segment === '\n' || segment === '\r' ? '' : '\n');
  return segments.map((s, i) => (i === 0 ? s.join(element) : s.map(clean).join(element)) + segment + newline).join('');
}

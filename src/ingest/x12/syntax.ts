// Syntax checks of one transaction set, as a 997 reports them (X12.6 / the 997's AK3, AK4, AK5 code lists):
// the ST/SE control (SE01 count, SE02 = ST02), the mandatory segments of 855/856/810, and the elements we read
// (mandatory present, dates and times real, numbers numeric, codes known, MAN04/MAN05 paired), the set's ST01
// against its group's GS01, and the 856's HL hierarchy (hl-structure.ts). Errors beyond that (the meaning: a PO
// with no lines we know) are not syntax and are left to the mappers.
import { MAX_REASONS, joinReasons } from './faults.ts';
import type { X12Fault } from '../types.ts';
import type { Glue } from './glue.ts';
import { HlStructure } from './hl-structure.ts';
import { LoopTracker } from './loops.ts';
import { el, isSegmentId, type Segment } from './tokenizer.ts';
import { isDtm06, isX12Date, isX12Time, TIME_CODES, zoneWithoutTime } from './x12-dates.ts';

/** AK304 segment syntax error codes (element 720). */
export const SEGMENT_ERROR = { unrecognized: 1, unexpected: 2, mandatoryMissing: 3, dataElementErrors: 8 } as const;
/** AK403 data element syntax error codes (element 723). */
export const ELEMENT_ERROR = {
  mandatoryMissing: 1, conditionalMissing: 2, tooLong: 5, invalidCharacter: 6, invalidCode: 7, invalidDate: 8, invalidTime: 9,
} as const;
/** AK5 transaction set syntax error codes (element 718). */
export const SET_ERROR = {
  notSupported: 1, trailerMissing: 2, controlNumberMismatch: 3, segmentCountMismatch: 4, segmentsInError: 5,
  invalidIdentifier: 6, invalidControlNumber: 7, controlNumberNotUnique: 23,
} as const;

export interface ElementError {
  /** AK401: position of the element in the segment (1-based). */
  position: number;
  /** AK402: the data element reference number (e.g. 324 for a PO number). */
  reference: number;
  /** AK403 (element 723). */
  code: number;
  /** AK404: a copy of the bad value, when there was one. */
  copy: string | null;
}

export interface SegmentError {
  /** AK301 */
  id: string;
  /** AK302: position in the set, ST being 1. */
  position: number;
  /** AK303: the loop the segment is in (its first segment's id), '' at header level. */
  loop: string;
  /** AK304 (element 720). */
  code: number;
  elements: ElementError[];
}

/** What the 997 says about one set, and the reason an entry carries when it is rejected. */
export interface SetCheck {
  /** ST01, ST02 as received. */
  type: string;
  control: string;
  /** ST03, the implementation convention reference (005010 on), when the set has one: the 997 echoes it in AK203. */
  convention?: string;
  /** AK5 codes (718); empty when accepted. */
  setErrors: number[];
  segmentErrors: SegmentError[];
  /** Every problem in words (`; ` between them), each naming its segment and element; null when accepted. */
  reason: string | null;
  /** The set's place among all sets of the file, from 0 (set by readX12): its entries' `set`. */
  ordinal?: number;
  /** A segment of the set ran into the next (glue.ts): its segments are not the ones sent, so it is not mapped. */
  glued?: boolean;
}

type ElementType = 'ID' | 'AN' | 'DT' | 'TM' | 'N' | 'N2' | 'R';
interface ElementSpec { position: number; reference: number; required: boolean; type: ElementType; codes?: readonly string[]; max?: number }

const e = (position: number, reference: number, required: boolean, type: ElementType, codes?: readonly string[], max?: number): ElementSpec =>
  ({ position, reference, required, type, codes, max });

/** The 855 ACK01 line item status codes (element 668) we recognise. */
export const ACK01_CODES = [
  'AA', 'AC', 'AR', 'BP', 'DR', 'IA', 'IB', 'IC', 'ID', 'IE', 'IF', 'IH', 'IP', 'IQ', 'IR', 'IS', 'IW', 'R1', 'R2', 'R3', 'R4', 'SP',
] as const;
/** BAK02 acknowledgement type codes (element 587). */
export const BAK02_CODES = ['AC', 'AD', 'AE', 'AH', 'AK', 'AP', 'AT', 'NA', 'RD', 'RF', 'RJ', 'RO', 'ZZ'] as const;

/** Elements checked per segment id (positions and reference numbers from the X12 004010–008020 dictionaries). */
const SPECS: Record<string, readonly ElementSpec[]> = {
  BAK: [e(1, 353, true, 'ID'), e(2, 587, true, 'ID', BAK02_CODES), e(3, 324, true, 'AN'), e(4, 373, true, 'DT'), e(9, 373, false, 'DT')],
  PO1: [e(2, 330, false, 'R'), e(4, 212, false, 'R')],
  ACK: [e(1, 668, true, 'ID', ACK01_CODES), e(2, 380, false, 'R'), e(5, 373, false, 'DT')],
  DTM: [e(1, 374, true, 'ID'), e(2, 373, false, 'DT'), e(3, 337, false, 'TM'), e(4, 623, false, 'ID', TIME_CODES)],
  BSN: [e(1, 353, true, 'ID'), e(2, 396, true, 'AN'), e(3, 373, true, 'DT'), e(4, 337, true, 'TM')],
  HL: [e(1, 628, true, 'AN'), e(3, 735, true, 'ID')],
  TD5: [],
  REF: [e(1, 128, true, 'ID')],
  PRF: [e(1, 324, true, 'AN'), e(4, 373, false, 'DT')],
  // MAN04/MAN05: the segment's second mark (an SSCC-18 in MAN01/02, the carrier's number in MAN04/05); 88 is ID 1/2.
  MAN: [e(1, 88, true, 'ID', undefined, 2), e(2, 87, true, 'AN'), e(4, 88, false, 'ID', undefined, 2)],
  LIN: [e(2, 235, true, 'ID'), e(3, 234, true, 'AN')],
  SN1: [e(2, 382, true, 'R'), e(3, 355, true, 'ID')],
  BIG: [e(1, 373, true, 'DT'), e(2, 76, true, 'AN'), e(3, 373, false, 'DT')],
  CUR: [e(1, 98, true, 'ID'), e(2, 100, true, 'ID')],
  // ITD03 terms discount percent (R 1/6), ITD05 discount days (N0 1/3), ITD06 net due date, ITD07 net days (N0 1/3):
  // each becomes payment terms or the due date, so each is checked (`Net 1000 Days`, `x% 10` are no terms).
  ITD: [e(3, 338, false, 'R', undefined, 6), e(5, 351, false, 'N', undefined, 3), e(6, 446, false, 'DT'), e(7, 386, false, 'N', undefined, 3)],
  IT1: [e(2, 358, false, 'R'), e(4, 212, false, 'R')],
  TDS: [e(1, 610, true, 'N2')],
  TXI: [e(1, 963, true, 'ID'), e(2, 782, false, 'R')],
  SAC: [e(1, 248, true, 'ID'), e(5, 610, false, 'N2')],
  N1: [e(1, 98, true, 'ID')],
  CTT: [e(1, 354, true, 'N')],
};

/** Paired elements (X12 syntax note P: if either is present, both are), each as [first, second]. */
const PAIRED: Record<string, readonly (readonly [ElementSpec, ElementSpec])[]> = {
  MAN: [[e(4, 88, false, 'ID'), e(5, 87, false, 'AN')]], // P0405
};

/** The envelope elements' reference numbers (X12.6 dictionary), for an AK4 on a set's ST or SE. */
const ENVELOPE_REFERENCES: Readonly<Record<string, readonly number[]>> = {
  ST: [0, 143, 329, 1705], SE: [0, 96, 329],
};

/**
 * The data element reference number (AK402) of element `position` of segment `id`, from SPECS, PAIRED and the
 * envelope's table; null when this reader does not list that element (an element it never checks, such as TD503 or
 * SN101: AK402, optional in the 997's AK4, is then left empty rather than guessed).
 */
export function elementReference(id: string, position: number): number | null {
  const spec = SPECS[id]?.find((e) => e.position === position) ??
    PAIRED[id]?.flat().find((e) => e.position === position);
  if (spec) return spec.reference;
  return ENVELOPE_REFERENCES[id]?.[position] || null;
}

export const SUPPORTED_SETS = ['855', '856', '810'] as const;
/** The set each functional group we read holds (GS01, element 479 → ST01, element 143). */
export const GROUP_SETS: Readonly<Record<string, string>> = { SH: '856', PR: '855', IN: '810', FA: '997' };
/** Functional acknowledgements (997, and the 999 of 005010 on): read, never acknowledged (X12.6: an
 *  acknowledgement is not acknowledged, or two translators would answer each other for ever). */
export const isAcknowledgementSet = (st01: string): boolean => st01 === '997' || st01 === '999';
const MANDATORY: Record<string, readonly string[]> = { 855: ['BAK'], 856: ['BSN', 'HL'], 810: ['BIG', 'TDS'] };
/** At most this many AK3 loops per set: enough to point at the fault, bounded for a hostile file. */
const MAX_SEGMENT_ERRORS = 10;

/**
 * The elements OrderSync reads as single values (ids, numbers, dates, codes, tracking numbers), per segment:
 * positions, and `from` for the part-id pairs that run to the end (LIN, PO1, IT1). None is a composite or a
 * repeating element in 004010–008020. Free text (N102 names, REF03 beside a REF02, TD505 routing, ITD12, SAC15) is
 * not checked: a description holding the separator (`ORDER: 7`) changes no quantity, date, amount or number.
 */
const DELIMITER_CHECKED: Readonly<Record<string, { positions: readonly number[]; from?: number }>> = {
  BAK: { positions: [1, 2, 3, 4, 8] }, BIG: { positions: [1, 2, 4, 7, 8] }, BSN: { positions: [1, 2, 3, 4] }, HL: { positions: [1, 2, 3] },
  PRF: { positions: [1] }, REF: { positions: [1, 2] }, MAN: { positions: [1, 2, 4, 5] }, LIN: { positions: [], from: 2 },
  SN1: { positions: [2, 3] }, PO1: { positions: [2, 3], from: 6 }, ACK: { positions: [1, 2, 3, 4, 5] }, IT1: { positions: [2, 3, 4], from: 6 },
  TD5: { positions: [2, 3] }, CUR: { positions: [1, 2] }, ITD: { positions: [3, 5, 6, 7] }, TDS: { positions: [1] },
  TXI: { positions: [1, 2, 3] }, SAC: { positions: [1, 2, 5, 7, 8] }, DTM: { positions: [1, 2, 3, 4, 5, 6] },
};

/**
 * The elements of `segment` that OrderSync reads (DELIMITER_CHECKED) holding its interchange's component separator
 * (ISA16) or repetition separator (ISA11 from 00402 on), as [position, value, the delimiter in words]: X12.5 forbids
 * a delimiter inside a value, and a sender that puts one there sends two values (`MAN*CP*1Z…^1Z…`) where OrderSync
 * reads one (AK403 6). REF03 is read when REF02 is empty, so it is checked then.
 */
function delimitersInside(segment: Segment): [number, string, string][] {
  const id = segment.elements[0];
  const read = DELIMITER_CHECKED[id];
  const { component, repetition } = segment.delimiters;
  const repeats = repetition.length === 1 && !/[A-Za-z0-9 ]/.test(repetition);
  const found: [number, string, string][] = [];
  for (let n = 1; n < segment.elements.length; n++) {
    const checked = read.positions.includes(n) || (read.from !== undefined && n >= read.from) || (id === 'REF' && n === 3 && el(segment, 2) === '');
    if (!checked) continue;
    const value = segment.elements[n];
    if (value.includes(component)) found.push([n, value.trim(), `component separator "${component}" (ISA16)`]);
    else if (repeats && value.includes(repetition)) found.push([n, value.trim(), `repetition separator "${repetition}" (ISA11)`]);
  }
  return found;
}

const NUMERIC = /^-?\d+$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;
/**
 * An N2 amount (TDS01, SAC05: element 610): digits whose last two are the cents (X12.6 type N2). Some senders'
 * translators write the decimal point anyway (`1234.56`, `25.5`): read as written (mapping.ts impliedCents), as
 * the point leaves no doubt; more than two decimals (`10.005`) are not an amount in cents.
 */
const AMOUNT_N2 = /^-?(\d+|\d*\.\d{1,2}|\d+\.)$/;

function checkElement(spec: ElementSpec, value: string): number | null {
  if (value === '') return spec.required ? ELEMENT_ERROR.mandatoryMissing : null;
  if (spec.max !== undefined && value.length > spec.max) return ELEMENT_ERROR.tooLong;
  switch (spec.type) {
    case 'DT': return isX12Date(value) ? null : ELEMENT_ERROR.invalidDate;
    case 'TM': return isX12Time(value) ? null : ELEMENT_ERROR.invalidTime;
    case 'N': return NUMERIC.test(value) ? null : ELEMENT_ERROR.invalidCharacter;
    case 'N2': return AMOUNT_N2.test(value) ? null : ELEMENT_ERROR.invalidCharacter;
    case 'R': return DECIMAL.test(value) ? null : ELEMENT_ERROR.invalidCharacter;
    default: return spec.codes && !spec.codes.includes(value) ? ELEMENT_ERROR.invalidCode : null;
  }
}

const ELEMENT_WORDS: Record<number, string> = {
  1: 'is missing (mandatory)', 2: 'is missing (its pair is present)', 5: 'is too long', 6: 'is not a number',
  7: 'is not a known code', 8: 'is not a date (CCYYMMDD)', 9: 'is not a time (HHMM)',
};
const pos2 = (n: number) => String(n).padStart(2, '0');

/** Checks one set segment by segment (ST first, then `add` for each body segment, then `end` with SE). */
export class SetChecker {
  private readonly check: SetCheck;
  private readonly seen = new Set<string>();
  private readonly reasons: string[] = [];
  /** Problems beyond the MAX_REASONS kept in `reasons`: counted, not kept. */
  private moreReasons = 0;
  private declared: number | null = null;
  private count = 1;
  /** The loop (AK303) of each segment read, ST's ('') first: position p (ST is 1) at index p − 1, for glued(). */
  private readonly loops: string[] = [''];
  private readonly loopTracker: LoopTracker;
  /** The 856's HL hierarchy; null for other sets. */
  private readonly hl: HlStructure | null;

  /**
   * `gs01`: the functional id of the set's group. A set of a type we read in a group of a type we read that does not
   * hold it (an 856 in a PR group) is rejected with AK5 code 6: its ST01 is what is invalid there, not the set
   * type as such (code 1, "not supported", is for a set type OrderSync does not read at all, as an 850).
   */
  constructor(st: Segment, gs01: string) {
    this.check = { type: el(st, 1), control: el(st, 2), setErrors: [], segmentErrors: [], reason: null };
    // An ST has three elements: with more, it ran into the next segment (glue.ts) and its "ST03" is that one's.
    if (el(st, 3) !== '' && st.elements.length === 4) this.check.convention = el(st, 3);
    this.loopTracker = new LoopTracker(this.check.type);
    this.hl = this.check.type === '856' ? new HlStructure() : null;
    const expected = GROUP_SETS[gs01];
    if (isAcknowledgementSet(this.check.type)) {
      this.fail(SET_ERROR.notSupported, `ST01 "${this.check.type}": a functional acknowledgement carries no update, and is never acknowledged (no AK2 answers it)`);
    } else if (!(SUPPORTED_SETS as readonly string[]).includes(this.check.type)) {
      this.fail(SET_ERROR.notSupported, `ST01 "${this.check.type}" is not a set OrderSync reads (855, 856, 810)`);
    }
    if (expected !== undefined && expected !== this.check.type && !(gs01 === 'FA' && isAcknowledgementSet(this.check.type))) {
      this.fail(SET_ERROR.invalidIdentifier, `ST01 "${this.check.type}" does not belong in a GS01 "${gs01}" group (it holds ${expected} sets)`);
    }
    // ST02 is AN 4/9: usually digits, but any 4 to 9 characters are valid.
    if (!/^\S{4,9}$/.test(this.check.control)) {
      this.fail(SET_ERROR.invalidControlNumber, `ST02 "${this.check.control}" is not a control number of 4 to 9 characters`);
    }
  }

  private fail(code: number, reason: string): void {
    if (!this.check.setErrors.includes(code)) this.check.setErrors.push(code);
    // Every fault is told (bounded), not the first only: a supplier fixes them all in one resend.
    if (this.reasons.length < MAX_REASONS) this.reasons.push(reason);
    else this.moreReasons++;
    this.check.reason = joinReasons(this.reasons, this.moreReasons);
  }

  /** How many segments SE01 says the set has beyond those read (Infinity when it had no SE or SE01 is no number). */
  missingSegments(): number {
    return this.declared === null ? Infinity : this.declared - this.count;
  }

  /**
   * Segments found to run into the next one (glue.ts), after the set was refused for what that broke (the SE01
   * count, the SE trailer, an element that now holds the next segment's id): the missing terminators are the set's
   * faults, and only they are told (README, "Feeding supplier data"): AK3 the segment, AK304 8; AK4 the element
   * where the next segment starts (AK403 6: it holds characters that are not its own); AK5 code 5. What they broke
   * would be told in error, and one resend with the terminators fixes it.
   */
  glued(glues: readonly { glue: Glue; reason: string }[]): void {
    this.check.segmentErrors = glues.slice(0, MAX_SEGMENT_ERRORS).map(({ glue }) => ({
      id: glue.id, position: glue.index + 1, loop: this.loops[glue.index] ?? '', code: SEGMENT_ERROR.dataElementErrors,
      // AK402 when this reader knows the element's number (elementReference), else 0: written empty.
      elements: [{ position: glue.element, reference: elementReference(glue.id, glue.element) ?? 0, code: ELEMENT_ERROR.invalidCharacter, copy: glue.value.replace(/\s+/g, ' ').slice(0, 99) }],
    }));
    this.check.setErrors = [SET_ERROR.segmentsInError];
    // An ST that ran into the next segment: ST02 is the text before that segment's id (AK202 and the result's source).
    const st = glues.find(({ glue }) => glue.id === 'ST' && glue.element === 2 && glue.index === 0);
    if (st && st.glue.value.endsWith(st.glue.next)) this.check.control = st.glue.value.slice(0, -st.glue.next.length).trim();
    this.check.glued = true;
    this.reasons.splice(0, this.reasons.length, ...glues.map((g) => g.reason));
    this.moreReasons = 0;
    this.check.reason = joinReasons(this.reasons, this.moreReasons);
  }

  private segmentError(error: SegmentError, reason: string): void {
    if (this.check.segmentErrors.length < MAX_SEGMENT_ERRORS) this.check.segmentErrors.push(error);
    this.fail(SET_ERROR.segmentsInError, reason);
  }

  /** A segment between ST and SE. */
  add(segment: Segment): void {
    this.count++;
    const id = segment.elements[0].trim();
    const loop = this.loopTracker.next(id);
    this.loops.push(loop);
    if (!isSegmentId(id)) {
      this.segmentError({ id: id.slice(0, 3), position: this.count, loop, code: SEGMENT_ERROR.unrecognized, elements: [] },
        `segment ${this.count} "${id.slice(0, 20)}" is not an X12 segment`);
      return;
    }
    this.seen.add(id);
    const specs = SPECS[id];
    if (specs === undefined) return;
    let errors: ElementError[] | null = null;
    // Words for an error that ELEMENT_WORDS[code] would misname (a delimiter inside a value is code 6, not "not a number").
    const words = new Map<ElementError, string>();
    if (DELIMITER_CHECKED[id] !== undefined) {
      for (const [position, value, delimiter] of delimitersInside(segment)) {
        const error = { position, reference: elementReference(id, position) ?? 0, code: ELEMENT_ERROR.invalidCharacter, copy: value.slice(0, 99) };
        (errors ??= []).push(error);
        words.set(error, `holds the ${delimiter}: a delimiter cannot be part of a value (X12.5), so it is two values ` +
          'where one is read (send one segment per value)');
      }
    }
    for (const spec of specs) {
      if (words.size > 0 && errors!.some((error) => error.position === spec.position)) continue; // told once, as a delimiter
      const value = el(segment, spec.position);
      const code = checkElement(spec, value);
      if (code === null) continue;
      const error = { position: spec.position, reference: spec.reference, code, copy: value === '' ? null : value.slice(0, 99) };
      (errors ??= []).push(error);
      if (spec.type === 'N2' && code === ELEMENT_ERROR.invalidCharacter) {
        words.set(error, 'is not an amount (N2: the last two digits are the cents, 123456 is 1234.56; a decimal point may be written, with at most two decimals)');
      }
    }
    for (const [a, b] of PAIRED[id] ?? []) {
      const [va, vb] = [el(segment, a.position), el(segment, b.position)];
      const missing = va === '' && vb !== '' ? a : va !== '' && vb === '' ? b : null;
      if (missing) (errors ??= []).push({ position: missing.position, reference: missing.reference, code: ELEMENT_ERROR.conditionalMissing, copy: null });
    }
    // DTM06 in the format DTM05 names (D8, DT): read as DTM02/DTM03 are (x12-dates.ts dtmDateTime), so checked as they are.
    if (id === 'DTM' && !isDtm06(el(segment, 5), el(segment, 6))) {
      (errors ??= []).push({ position: 6, reference: 1251, code: ELEMENT_ERROR.invalidDate, copy: el(segment, 6).slice(0, 99) });
    }
    // DTM04 with no time for it to qualify: X12 C0403 (x12-dates.ts zoneWithoutTime), AK4 DTM03 337 code 2.
    const noTime = id === 'DTM' ? zoneWithoutTime(segment.elements) : null;
    if (noTime) {
      const error = { position: 3, reference: 337, code: ELEMENT_ERROR.conditionalMissing, copy: null };
      (errors ??= []).push(error);
      words.set(error, noTime);
    }
    const first = errors?.[0];
    const max = first?.code === ELEMENT_ERROR.tooLong ? specs.find((spec) => spec.position === first.position)?.max : undefined;
    let reason = first === undefined ? null : `${id}${pos2(first.position)} (segment ${this.count}) ${first.copy === null ? '' : `"${first.copy}" `}` +
      `${words.get(first) ?? ELEMENT_WORDS[first.code]}${max === undefined ? '' : ` (at most ${max} characters)`}`;
    const hl = id === 'HL' ? this.hl?.check(segment, this.count) : null;
    if (hl) {
      (errors ??= []).push(hl.element);
      reason ??= hl.reason;
    }
    if (errors !== null) {
      this.segmentError({ id, position: this.count, loop, code: SEGMENT_ERROR.dataElementErrors, elements: errors }, reason!);
    }
  }

  /** Closes the set with its SE, or with null when the set ended without one (the next ST, GE or IEA came). */
  end(se: Segment | null): SetCheck {
    if (se === null) {
      this.fail(SET_ERROR.trailerMissing, `ST ${this.check.control} has no SE trailer`);
    } else {
      this.count++;
      const mandatory = MANDATORY[this.check.type] ?? [];
      for (const id of mandatory) {
        if (!this.seen.has(id)) {
          // Where it was due: the beginning segment right after ST, the others before SE.
          const position = id === mandatory[0] ? 2 : this.count;
          this.segmentError({ id, position, loop: '', code: SEGMENT_ERROR.mandatoryMissing, elements: [] },
            `the mandatory ${id} segment is missing`);
        }
      }
      const declared = el(se, 1);
      if (NUMERIC.test(declared)) this.declared = Number(declared);
      if (!NUMERIC.test(declared) || Number(declared) !== this.count) {
        this.fail(SET_ERROR.segmentCountMismatch, `SE01 says ${declared || 'nothing'}, but the set has ${this.count} segments (ST to SE)`);
      }
      if (el(se, 2) !== this.check.control) {
        this.fail(SET_ERROR.controlNumberMismatch, `SE02 "${el(se, 2)}" does not match ST02 "${this.check.control}"`);
      }
    }
    return this.check;
  }

  /** Rejects the set for a reason found outside it (duplicate control number in its group). */
  reject(code: number, reason: string): void {
    this.fail(code, reason);
  }
}

/**
 * Adds to a set refused for its syntax the faults its mapper finds in its content (SN102 "-3" beside a BIG01 that is
 * no date), so its reason and its 997 tell every fault, not the syntax ones only. A fault the syntax check already
 * named (the same segment and element) is not told twice. AK3s stay bounded (MAX_SEGMENT_ERRORS).
 */
export function addContentFaults(check: SetCheck, problems: readonly { reason: string; fault: X12Fault }[]): void {
  // A segment already named: what the mapper finds there follows from that fault (a MAN04 too long is no mark).
  const told = (fault: X12Fault) => check.segmentErrors.some((error) => error.position === fault.position);
  const fresh = problems.filter((problem) => !told(problem.fault));
  if (fresh.length === 0) return;
  for (const { fault } of fresh) {
    const elements: ElementError[] = fault.element > 0
      ? [{ position: fault.element, reference: fault.reference, code: fault.code, copy: fault.value === '' ? null : fault.value.slice(0, 99) }] : [];
    const same = check.segmentErrors.find((error) => error.position === fault.position && error.id === fault.segment);
    if (same) same.elements.push(...elements);
    else if (check.segmentErrors.length < MAX_SEGMENT_ERRORS) {
      check.segmentErrors.push({ id: fault.segment, position: fault.position, loop: fault.loop,
        code: fault.segmentCode ?? SEGMENT_ERROR.dataElementErrors, elements });
    }
  }
  check.segmentErrors.sort((a, b) => a.position - b.position);
  if (!check.setErrors.includes(SET_ERROR.segmentsInError)) check.setErrors.push(SET_ERROR.segmentsInError);
  check.reason = joinReasons([check.reason ?? '', ...fresh.map((problem) => problem.reason)].filter((r) => r !== ''));
}

// The first, cheap pass over an X12 file: the envelope (ISA/IEA, GS/GE, ST/SE) and the syntax of every set,
// keeping only a small record per set (what the 997 says), never the segments. A file whose envelope is broken
// (no ISA, an ISA15 other than P/T/I, a missing IEA or GE, IEA that does not answer its ISA) cannot be read at all:
// UnreadableDocumentError with line and column. Group-level faults (a GS01 we do not read, GE01 count, GE02 control
// number, an unsupported GS08 version) reject the group in the 997's AK9 and every set in it; set-level faults (an
// ST01 its GS01 does not hold among them, syntax.ts) reject that set only (DESIGN 3).
import { el, positionAt, tokenize, unreadableAt, type Delimiters, type Segment } from './tokenizer.ts';
import { findGlues, glueMessage, lineLocator } from './glue.ts';
import { GROUP_SETS, SET_ERROR, SetChecker, type SetCheck } from './syntax.ts';

/** AK905 functional group syntax error codes (element 716). */
export const GROUP_ERROR = { notSupported: 1, versionNotSupported: 2, controlNumberMismatch: 4, setCountMismatch: 5 } as const;

export interface GroupRecord {
  /** GS elements as received (GS01 functional id … GS08 version). */
  gs: string[];
  /** GE01 as declared (number of sets). */
  declaredSets: number;
  /** AK905… codes (716); empty when the group itself is sound. */
  groupErrors: number[];
  /** Why every set of the group is rejected, when the group is. */
  reason: string | null;
  sets: SetCheck[];
}

export interface InterchangeRecord {
  /** ISA elements as received (ISA01 … ISA16). */
  isa: string[];
  delimiters: Delimiters;
  groups: GroupRecord[];
}

/** Lowest and highest GS08 version we read (DESIGN 3). */
const VERSIONS = { lowest: 4010, highest: 8020 } as const;

/** ISA15 (element I14): P production data, T test data, I information. Only P is applied (index.ts). */
const USAGE_INDICATORS = ['P', 'T', 'I'];

const ENVELOPE = new Set(['ISA', 'IEA', 'GS', 'GE', 'ST', 'SE']);

function versionError(gs08: string): string | null {
  const match = /^(\d{6})/.exec(gs08);
  const version = match ? Number(match[1]) : NaN;
  if (version >= VERSIONS.lowest && version <= VERSIONS.highest) return null;
  return `GS08 version "${gs08}" is not supported (004010 to 008020)`;
}

/**
 * Walks the whole file once and returns its interchanges with a SetCheck per set, in file order.
 * Throws UnreadableDocumentError when the envelope is broken.
 */
export function readEnvelope(text: string): InterchangeRecord[] {
  const interchanges: InterchangeRecord[] = [];
  let interchange: InterchangeRecord | null = null;
  let interchangeAt = 0;
  let group: GroupRecord | null = null;
  let groupAt = 0;
  let controls = new Set<string>();
  let set: SetChecker | null = null;
  let setAt = 0;
  // Where the current interchange's segments start (after its ISA): an envelope that cannot be read is searched from
  // there for a segment that ran into the next (glue.ts). -1: not known yet.
  let afterIsa = -1;
  const locate = lineLocator(text);
  const at = (offset: number) => {
    const { line, column } = locate(offset);
    return `line ${line}, column ${column}`;
  };

  /** The set was refused: was it a segment running into the next (its terminator missing)? Then that is said first. */
  const explainGlue = (checker: SetChecker, check: SetCheck, delimiters: Delimiters, to: number) => {
    if (check.reason === null) return;
    const counting = check.setErrors.some((code) => code === SET_ERROR.segmentCountMismatch || code === SET_ERROR.trailerMissing ||
      code === SET_ERROR.controlNumberMismatch);
    const glues = findGlues(text, setAt, to, delimiters, { body: counting, missing: checker.missingSegments() });
    if (glues.length > 0) {
      checker.glued(glues.map((glue) => ({ glue, reason: glueMessage(glue, delimiters.segment, `segment ${glue.index + 1}, ${at(glue.nextOffset)}`) })));
    }
  };

  /**
   * The error for an envelope that cannot be read at `offset`: a segment between the interchange's start and there
   * that ran into an envelope segment (`SE*5*0001GE*1*7`: the GE never comes) is the fault to name, else `message`.
   */
  const broken = (offset: number, message: string, delimiters: Delimiters | null = interchange?.delimiters ?? null) => {
    if (afterIsa !== -1 && delimiters !== null) {
      const [glue] = findGlues(text, afterIsa, Math.min(text.length, offset + 1), delimiters, { body: false, envelopeOnly: true });
      if (glue) return unreadableAt(text, glue.nextOffset, glueMessage(glue, delimiters.segment, `as a result: ${message}`));
    }
    return unreadableAt(text, offset, message);
  };

  const closeSet = (se: Segment | null, to: number) => {
    if (!set || !group) return;
    const check = set.end(se);
    if (controls.has(check.control)) {
      set.reject(SET_ERROR.controlNumberNotUnique, `ST02 "${check.control}" is used twice in GS ${gs06(group)}`);
    }
    explainGlue(set, check, (se ?? { delimiters: interchange!.delimiters }).delimiters, to);
    controls.add(check.control);
    group.sets.push(check);
    set = null;
  };

  for (const segment of tokenize(text)) {
    const id = segment.elements[0].trim();
    if (afterIsa === -2) afterIsa = segment.offset;
    if (set && !ENVELOPE.has(id)) {
      set.add(segment);
      continue;
    }
    switch (id) {
      case 'ISA':
        if (interchange) throw broken(segment.offset, `a new ISA begins, but the interchange at ${where(text, interchangeAt)} has no IEA`);
        {
          // ISA15 says what the interchange is for; anything else is no interchange we can act on (a TA1 would say
          // TA105 020; OrderSync sends no TA1, so the file is unreadable, naming the element).
          const usage = el(segment, 15);
          if (!USAGE_INDICATORS.includes(usage)) {
            const at = segment.offset + segment.elements.slice(0, 15).join(segment.delimiters.element).length + 1;
            throw unreadableAt(text, at, `ISA15 "${usage.slice(0, 20)}" is not a usage indicator (P production, T test, I information)`);
          }
          // ISA13 (I12, N0: nine digits, fewer from senders that trim the fixed-width fields) keys the 997 and the
          // match of a resent interchange; other text (`ABC`, `-1`, ten digits) is no control number (TA105 018).
          const control = el(segment, 13);
          if (!/^\d{1,9}$/.test(control)) {
            const at = segment.offset + segment.elements.slice(0, 13).join(segment.delimiters.element).length + 1;
            throw unreadableAt(text, at, `ISA13 "${control.slice(0, 20)}" is not an interchange control number (1 to 9 digits)`);
          }
        }
        interchange = { isa: segment.elements, delimiters: segment.delimiters, groups: [] };
        interchangeAt = segment.offset;
        afterIsa = -2; // the next segment's offset
        break;
      case 'GS':
        if (!interchange) throw broken(segment.offset, 'GS outside an interchange (no ISA before it)');
        if (group) throw broken(segment.offset, `a new GS begins, but the group at ${where(text, groupAt)} has no GE`);
        group = { gs: segment.elements, declaredSets: 0, groupErrors: [], reason: null, sets: [] };
        groupAt = segment.offset;
        controls = new Set();
        if (GROUP_SETS[el(segment, 1)] === undefined) {
          // A group of sets we do not read (GS01 PO: 850 orders): AK9 R with 716 code 1, and every set in it rejected.
          reject(group, GROUP_ERROR.notSupported, `GS01 "${el(segment, 1)}" is not a functional group OrderSync reads ` +
            '(SH 856 ship notices, PR 855 acknowledgements, IN 810 invoices)');
        }
        {
          const problem = versionError(el(segment, 8));
          if (problem) reject(group, GROUP_ERROR.versionNotSupported, problem);
        }
        break;
      case 'ST':
        if (!group) throw broken(segment.offset, 'ST outside a functional group (no GS before it)');
        closeSet(null, segment.offset);
        set = new SetChecker(segment, (group.gs[1] ?? '').trim());
        setAt = segment.offset;
        break;
      case 'SE':
        if (!set) throw broken(segment.offset, 'SE without an ST before it');
        closeSet(segment, segment.offset + 1);
        break;
      case 'GE': {
        if (!group || !interchange) throw broken(segment.offset, 'GE without a GS before it');
        closeSet(null, segment.offset);
        const declared = el(segment, 1);
        group.declaredSets = /^\d+$/.test(declared) ? Number(declared) : 0;
        if (!sameControl(el(segment, 2), gs06(group))) {
          reject(group, GROUP_ERROR.controlNumberMismatch, `GE02 "${el(segment, 2)}" does not match GS06 "${gs06(group)}"`);
        }
        if (!/^\d+$/.test(declared) || Number(declared) !== group.sets.length) {
          reject(group, GROUP_ERROR.setCountMismatch, `GE01 says ${declared || 'nothing'}, but the group has ${group.sets.length} transaction sets`);
        }
        interchange.groups.push(group);
        group = null;
        break;
      }
      case 'IEA': {
        if (!interchange) throw broken(segment.offset, 'IEA without an ISA before it');
        if (group) throw broken(segment.offset, `IEA ends the interchange, but the group at ${where(text, groupAt)} has no GE`);
        const isa13 = (interchange.isa[13] ?? '').trim();
        if (!sameControl(el(segment, 2), isa13)) {
          throw broken(segment.offset, `IEA02 "${el(segment, 2)}" does not match ISA13 "${isa13}"`);
        }
        if (Number(el(segment, 1)) !== interchange.groups.length || !/^\d+$/.test(el(segment, 1))) {
          throw broken(segment.offset,
            `IEA01 says ${el(segment, 1) || 'nothing'}, but the interchange has ${interchange.groups.length} functional groups`);
        }
        interchanges.push(interchange);
        interchange = null;
        break;
      }
      case 'TA1':
        // An interchange acknowledgment between ISA and GS answers our own earlier interchange: nothing to read.
        if (!interchange || group) throw broken(segment.offset, 'TA1 outside an interchange header');
        break;
      default:
        throw broken(segment.offset, `segment "${id.slice(0, 20)}" is outside a transaction set (expected ST, GE or IEA)`);
    }
  }
  if (interchange) {
    throw broken(text.trimEnd().length,
      `the file ends without an IEA for the interchange at ${where(text, interchangeAt)}${group ? ' (nor a GE for its open group)' : ''}`);
  }
  if (interchanges.length === 0) throw unreadableAt(text, 0, 'no X12 interchange (ISA … IEA) in the file');
  return interchanges;
}

function reject(group: GroupRecord, code: number, reason: string): void {
  if (!group.groupErrors.includes(code)) group.groupErrors.push(code);
  group.reason ??= reason;
}

const gs06 = (group: GroupRecord) => (group.gs[6] ?? '').trim();

/**
 * Whether a trailer's control number (IEA02, GE02) answers its header's (ISA13, GS06). Both are numbers (X12.5:
 * data element I12 and 28 are N0, ISA13 fixed at 9 digits, GS06 1 to 9), so they are compared as numbers:
 * `000000113` answers `113`, as senders that trim the ISA's fixed-width fields write it (and GS06 `7`, GE02 `0007`).
 * Anything else is compared as written.
 */
export function sameControl(trailer: string, header: string): boolean {
  if (/^\d{1,9}$/.test(trailer) && /^\d{1,9}$/.test(header)) return Number(trailer) === Number(header);
  return trailer === header;
}

function where(text: string, offset: number): string {
  const { line, column } = positionAt(text, offset);
  return `line ${line}, column ${column}`;
}

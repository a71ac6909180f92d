// A segment whose terminator was left out runs into the next one: `SN1**2*EA` + `CTT*1` reads as one segment
// `SN1**2*EACTT*1`. Nothing in X12 marks that by itself; what it breaks is found later and elsewhere (the SE01 count,
// a GE that never comes, an IEA02 "that does not match"). This finds the segment at fault, so the error, the reason
// and the 997 name it (DESIGN 3: "line and column where known").
//
// Used only where something already failed (a set rejected by its syntax, an envelope that cannot be read): a
// segment of a sound file is never second-guessed, and the extra scan is paid once per failed set or file, over
// text the first pass already went through (the reader stays linear).
import type { Delimiters } from './tokenizer.ts';

/** A segment that runs into the next one. */
export interface Glue {
  /** The segment whose terminator is missing (its id). */
  id: string;
  /** Its place among the segments scanned, from 0 (the set's ST is 0 when the scan starts there). */
  index: number;
  /** The element (1-based) in which the next segment begins, and its value as read (both segments' text). */
  element: number;
  value: string;
  /** The id of the segment it runs into, and the offset in the text where that id starts (where "~" is missing). */
  next: string;
  nextOffset: number;
}

/** The envelope's segments, with how many elements each has at most (X12.5 / X12.6, 004010–008020). */
const ENVELOPE_MAX: Readonly<Record<string, number>> = { ISA: 16, GS: 8, GE: 2, ST: 3, SE: 2, IEA: 2, TA1: 5 };
/** What the elements after an envelope segment's id look like (enough to tell `0001GE*1*7` from a stray "GE"). */
const ENVELOPE_SHAPE: Readonly<Record<string, (rest: readonly string[]) => boolean>> = {
  ISA: (rest) => /^\d\d$/.test(rest[0] ?? ''),
  GS: (rest) => /^[A-Z]{2}$/.test(rest[0] ?? ''),
  ST: (rest) => /^\d{3}$/.test(rest[0] ?? ''),
  SE: (rest) => /^\d+$/.test(rest[0] ?? ''),
  GE: (rest) => /^\d+$/.test(rest[0] ?? '') && /^\d+$/.test(rest[1] ?? ''),
  IEA: (rest) => /^\d+$/.test(rest[0] ?? '') && /^\d+$/.test(rest[1] ?? ''),
};
/** Segment ids of the 855, 856 and 810 (004010–008020 tables): what a body segment can run into. */
const BODY_IDS = new Set([
  'BAK', 'BIG', 'BSN', 'HL', 'LIN', 'SN1', 'SLN', 'PRF', 'PO1', 'PO3', 'PO4', 'PID', 'MEA', 'PWK', 'PKG', 'TD1', 'TD3', 'TD4', 'TD5',
  'REF', 'PER', 'MAN', 'N1', 'N2', 'N3', 'N4', 'N9', 'MSG', 'NTE', 'CTT', 'FOB', 'CUR', 'SAC', 'ITD', 'DTM', 'ACK', 'CTP', 'TAX',
  'IT1', 'IT3', 'TXI', 'TDS', 'CAD', 'ISS', 'AMT', 'YNQ', 'DIS', 'LDT', 'SCH', 'PAM', 'CSH',
]);
const SEGMENT_ID_AT_START = /^[A-Z][A-Z0-9]{1,2}$/;

export interface GlueScan {
  /** Also look for an element ending in a body segment's id (`EACTT`): only when the set's SE01 says segments are
   *  missing (`missing`, at most that many are taken) or its SE never came. Line breaks inside an element and
   *  envelope ids (checked against their shape) are always looked for. */
  body: boolean;
  /** How many segments SE01 says the set has beyond those read (Infinity when unknown: no SE). */
  missing?: number;
  /** Only segments running into an envelope segment (ST, SE, GE, IEA, GS, ISA): for an envelope that cannot be read. */
  envelopeOnly?: boolean;
}

/** At most this many glued segments are reported per scan (a 997 holds at most 10 AK3 per set anyway). */
const MAX_GLUES = 10;

/**
 * The segments between offsets `from` and `to` (segment starts; `from` at a segment's id, never inside an ISA) that
 * run into the next one, in file order. Linear in `to - from`.
 */
export function findGlues(text: string, from: number, to: number, delimiters: Delimiters, scan: GlueScan): Glue[] {
  const found: Glue[] = [];
  const suffixes: Glue[] = [];
  const lineBreakTerminator = delimiters.segment === '\n' || delimiters.segment === '\r';
  let at = from;
  let index = 0;
  while (at < to && found.length < MAX_GLUES) {
    while (at < to && /\s/.test(text[at])) at++;
    if (at >= to) break;
    let end = text.indexOf(delimiters.segment, at);
    if (end === -1) end = text.length;
    const segment = text.slice(at, end);
    const elements = segment.split(delimiters.element);
    const id = elements[0].trim();
    let start = at + elements[0].length + 1;
    for (let i = 1; i < elements.length && found.length < MAX_GLUES; i++) {
      const value = elements[i];
      const glue = lineBreakTerminator ? null : lineBreakGlue(value);
      if (glue && (!scan.envelopeOnly || glue.next in ENVELOPE_SHAPE)) {
        found.push({ id, index, element: i, value, next: glue.next, nextOffset: start + glue.at });
        break;
      }
      const suffix = suffixGlue(value, elements.slice(i + 1), id, i, elements.length - 1, scan);
      if (suffix) {
        const entry = { id, index, element: i, value, next: suffix, nextOffset: start + value.length - suffix.length };
        // An envelope segment with more elements than it has is sure evidence; a body segment's element that ends
        // in an id is weighed against the count of segments missing (below).
        if (suffix in ENVELOPE_SHAPE && id in ENVELOPE_MAX) found.push(entry);
        else suffixes.push(entry);
        break;
      }
      start += value.length + 1;
    }
    at = end + 1;
    index++;
  }
  if (scan.envelopeOnly) {
    found.push(...suffixes); // only envelope ids, each checked against its shape
    found.sort((a, b) => a.nextOffset - b.nextOffset);
  } else if (scan.body && suffixes.length > 0) {
    // Each glued segment is one segment fewer than SE01 counts: take no more than are missing, three-letter ids first
    // (an "ST" or "N1" ends many a word; "CTT" or "SN1" hardly any).
    const room = Math.max(0, (scan.missing ?? Infinity) - found.length);
    const chosen = [...suffixes].sort((a, b) => b.next.length - a.next.length).slice(0, room);
    found.push(...chosen);
    found.sort((a, b) => a.nextOffset - b.nextOffset);
  }
  return found.slice(0, MAX_GLUES);
}

/** An element holding a line break then a segment id (`EA\nCTT`): the next segment, on the next line. */
function lineBreakGlue(value: string): { next: string; at: number } | null {
  const br = value.search(/[\r\n]/);
  if (br === -1) return null;
  const rest = value.slice(br);
  const next = rest.trimStart();
  if (!SEGMENT_ID_AT_START.test(next)) return null;
  return { next, at: br + rest.length - next.length };
}

/** The id an element ends with when it is the start of the next segment (`0001GE` then `1*7`), else null. */
function suffixGlue(value: string, rest: readonly string[], id: string, position: number, count: number, scan: GlueScan): string | null {
  if (rest.length === 0) return null;
  for (const length of [3, 2]) {
    if (value.length < length) continue;
    const next = value.slice(-length);
    // The previous segment's last element ends where the id starts: no space in between in anything a translator writes.
    if (value.length > length && /\s/.test(value[value.length - length - 1])) continue;
    // An envelope segment runs into the next only past its last element (`SE*12*0001GE*1*7` has 4 elements; SE has 2).
    const max = ENVELOPE_MAX[id];
    if (max !== undefined && (position > max || count <= max)) continue;
    const shape = ENVELOPE_SHAPE[next];
    if (shape) {
      if (shape(rest)) return next;
      continue;
    }
    if (scan.body && !scan.envelopeOnly && BODY_IDS.has(next)) return next;
  }
  return null;
}

/** The glue in words, for a reason or an error: `segment SN1 runs into the next segment (CTT): …`. */
export function glueMessage(glue: Glue, terminator: string, where: string): string {
  const shown = terminator === '\n' ? '\\n' : terminator === '\r' ? '\\r' : terminator;
  return `segment ${glue.id} runs into the next segment (${glue.next}): missing segment terminator "${shown}" before "${glue.next}" (${where})`;
}

/** 1-based line and column of offsets in `text`, from an index of its line starts built on first use (errors only). */
export function lineLocator(text: string): (offset: number) => { line: number; column: number } {
  let starts: number[] | null = null;
  return (offset) => {
    if (starts === null) {
      starts = [0];
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
}

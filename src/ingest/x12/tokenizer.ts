// The X12 tokenizer: text → segments, with the delimiters read from each interchange's ISA.
//
// Why not a library: the maintained npm parsers were evaluated (issue 7) and neither fits.
// - `x12-parser` (1.3.0) is a Node Transform stream of `{name, "1": …}` objects; it takes the delimiters at the
//   fixed offsets 3/104/105 of the first chunk (a BOM, leading white space or an unpadded ISA breaks it), reads
//   one set of delimiters per file, trims every element, and reports no position: we could not say "line 3,
//   column 7" for a broken envelope, which DESIGN 3 requires.
// - `node-x12` (1.7.1) builds the whole interchange as an object model in `parse()` (not streamed); its stream
//   mode restarts line/column at every segment (positions useless), rewrites ISA13/IEA02 through parseInt, and
//   scans every character with a regular expression (slow on a 10 MB file).
// Both are one-shot object producers, while we already hold the bytes and need two cheap synchronous passes
// with positions. Tokenizing X12 is small (ISA fixes the delimiters, then it is splitting), so it lives here.
import { UnreadableDocumentError } from '../types.ts';

/** The delimiters one interchange declares in its ISA (X12.5: ISA is fixed, its 4th character and ISA16 name them). */
export interface Delimiters {
  element: string;
  component: string;
  segment: string;
  /** ISA11 from 00402 on; `U` (a standards id, not a separator) in 00401 and before. */
  repetition: string;
  /**
   * The line break the file writes after each segment terminator, as read after the ISA's: `\n` (`~\n`), `\r\n`, or
   * `\n` after a CR terminator (a CR LF file: CR ends the segment, LF follows it); '' when none. The 997 answering
   * the interchange writes its segments the same way (acknowledgement.ts). Absent in records kept before it was read.
   */
  suffix?: string;
}

/** One segment: `elements[0]` is the segment id, `elements[n]` the n-th element (as in `BAK03` → elements[3]). */
export interface Segment {
  elements: string[];
  /** Offset of the segment id's first character in the text. */
  offset: number;
  delimiters: Delimiters;
}

const SEGMENT_ID = /^[A-Z][A-Z0-9]{1,2}$/;
// Between segments: white space, a BOM, and the NUL / Ctrl-Z padding some VAN mailboxes leave at the end. By char
// code: the tokenizer is most of the envelope pass that a large document waits for before its first batch.
const isSpaceCode = (c: number) => c === 0x20 || c === 0x0d || c === 0x0a || c === 0x09 || c === 0xfeff || c === 0x1a || c === 0x00;

/** 1-based line and column of `offset` in `text` (for error messages; scans, so only used on errors). */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

export function unreadableAt(text: string, offset: number, message: string): UnreadableDocumentError {
  const { line, column } = positionAt(text, offset);
  return new UnreadableDocumentError(`line ${line}, column ${column}: ${message}`, line, column);
}

/** Longest ISA we look for the end of: 106 characters when padded, some room for senders that over-pad. */
const ISA_MAX = 200;
const ISA_SHAPE = '16 expected (ISA16 the component separator, then the segment terminator)';

/**
 * Where the ISA starting at `start` visibly ends, before its 16 elements are counted: at the first line break
 * (no ISA element holds one) or the terminator just before it, or at the terminator before the segment that follows it (`GS` or `TA1` and the
 * element separator, after a character that is neither a letter, a digit nor the separator); -1 when neither comes
 * within ISA_MAX characters. An ISA one element short (`…*0*P~GS*…`) would otherwise take the next segment's
 * first element for ISA16 and be reported on the wrong line.
 */
function isaEnd(text: string, start: number, element: string): number {
  const limit = Math.min(text.length, start + ISA_MAX);
  for (let i = start + 4; i < limit; i++) {
    const c = text[i];
    // A terminator before the line break (`~\n`) is where the ISA ends; else the line break is the terminator.
    if (c === '\n' || c === '\r') return /[^A-Za-z0-9\s]/.test(text[i - 1]) && text[i - 1] !== element ? i - 1 : i;
    if ((text.startsWith(`GS${element}`, i) || text.startsWith(`TA1${element}`, i)) && !/[A-Za-z0-9]/.test(text[i - 1]) && text[i - 1] !== element) {
      return i - 1;
    }
  }
  return -1;
}

/**
 * Reads the delimiters of the ISA starting at `start`. ISA has 16 elements; ISA16 is the component separator and
 * the character after it ends the segment. Senders that do not pad ISA to its fixed 106 characters are tolerated:
 * the elements are counted, not the characters. An ISA with more or fewer than 16 elements is unreadable, said on
 * its own line ("ISA has 15 elements; 16 expected …"); so is one whose ISA16 or terminator cannot be a delimiter.
 */
function readIsa(text: string, start: number): { delimiters: Delimiters; end: number; elements: string[] } {
  if (text.slice(start, start + 3) !== 'ISA') {
    // `isa*00*…`: a file lower-cased on its way (a mail client, a script): its segment ids are no X12 ids any more.
    if (text.slice(start, start + 3).toUpperCase() === 'ISA' && /[^A-Za-z0-9\s]/.test(text[start + 3] ?? '')) {
      throw unreadableAt(text, start, `"${text.slice(start, start + 3)}" is an ISA written in lower case: X12 segment ids are upper case ` +
        '(X12.5), so the file was changed on its way; send it as the translator wrote it');
    }
    throw unreadableAt(text, start, 'not an X12 interchange: expected an ISA segment');
  }
  const element = text[start + 3];
  if (element === undefined || /[A-Za-z0-9\s]/.test(element)) {
    throw unreadableAt(text, start + 3, 'ISA: the 4th character must be the element separator (such as "*")');
  }
  let read: ReturnType<typeof isaDelimiters> | null = null;
  let failure: unknown = null;
  try {
    read = isaDelimiters(text, start, element);
  } catch (error) {
    failure = error;
  }
  // Read as 16 elements but broken, or spanning a line break (no ISA element holds one): count the elements up to
  // where the ISA visibly ends, and say so when they are not 16. A sound ISA is never second-guessed.
  if (read === null || /[\r\n]/.test(text.slice(start, read.end - 1))) {
    const end = isaEnd(text, start, element);
    if (end !== -1) {
      let count = 0;
      let last = -1;
      for (let i = text.indexOf(element, start); i !== -1 && i < end; i = text.indexOf(element, i + 1)) [count, last] = [count + 1, i];
      // `…*P**~` is 16 elements whose ISA16 is the element separator itself: the ISA16 message says it better.
      const isa16IsSeparator = count === 17 && text[last - 1] === element && end - last <= 2;
      if (count !== 16 && !isa16IsSeparator) throw unreadableAt(text, end, `ISA has ${count} elements; ${ISA_SHAPE}`);
      // `…*P*` and the line ends: 16 elements, but ISA16 is empty (no component separator, no terminator before the line break).
      if (count === 16 && read === null && end === last + 1) {
        // `…*P*>GS*…~`: ISA16 is there, the terminator after it is not (the GS and the rest end in another character).
        const used = startsSegment(text, end + 1, element) ? terminatorOf(text, end + 1, element, text[end]) : null;
        if (used !== null && used !== text[end]) throw failure;
        throw unreadableAt(text, end, 'ISA16 is empty: it must be the component separator (such as ">"), then the segment terminator');
      }
    }
    if (read === null) throw failure;
  }
  // `…*P*~` then a line break, and every segment ending in `~` too: ISA16 was left out and `~` is the terminator,
  // not the component separator followed by a newline terminator (no GS ends with a component separator).
  const { component, segment } = read!.delimiters;
  if (segment === '\n' || segment === '\r') {
    const next = text.slice(read!.end).replace(/^[\r\n]+/, '');
    const line = next.slice(0, next.search(/[\r\n]|$/));
    if (line.endsWith(component)) {
      throw unreadableAt(text, read!.end - 2, `ISA16 is empty: "${component}" ends this segment and the next, so it is the segment ` +
        'terminator, and the component separator (such as ">") is missing before it');
    }
  }
  // `…*P*>` then a line break, and the GS (and every segment after it) ending in `~`: the terminator after ISA16 was
  // left out, and the line break taken for it; each element then ends in `~` and the file fails far from its fault.
  {
    const { element: sep, repetition } = read!.delimiters;
    let next = read!.end;
    while (next < text.length && /\s/.test(text[next])) next++;
    if (startsSegment(text, next, sep)) {
      const used = terminatorOf(text, next, sep, component);
      if (used !== null && used !== segment && used !== repetition) {
        throw unreadableAt(text, read!.end - 1, `ISA: the segment terminator is missing after ISA16 "${component}": the ISA ends with ` +
          `${segment === '\n' ? 'a line break' : segment === '\r' ? 'a carriage return' : `"${segment}"`}, but the next segment ends with "${used}", ` +
          `as the segments after it do (write "${used}" right after ISA16)`);
      }
    }
  }
  return read!;
}

/** True when a GS or TA1 segment (the segments that follow an ISA) starts at `at`. */
const startsSegment = (text: string, at: number, element: string): boolean =>
  text.startsWith(`GS${element}`, at) || text.startsWith(`TA1${element}`, at);

/**
 * The segment terminator the segment starting at `at` (a GS or TA1) visibly ends with: the first character that is no
 * letter, digit, space, element or component separator, when a line break or the next segment's id follows it;
 * null when none within ISA_MAX characters.
 */
function terminatorOf(text: string, at: number, element: string, component: string): string | null {
  const limit = Math.min(text.length, at + ISA_MAX);
  for (let i = at; i < limit; i++) {
    const c = text[i];
    if (/[A-Za-z0-9 ]/.test(c) || c === element || c === component) continue;
    if (c === '\r' || c === '\n') return null;
    const after = text.slice(i + 1, i + 8).replace(/^[\r\n]+/, '');
    return /^(ST|TA1|GE|IEA|GS)/.test(after) || after === '' ? c : null;
  }
  return null;
}

/** The delimiters of an ISA read as 16 elements (readIsa's first reading); throws naming the element at fault. */
function isaDelimiters(text: string, start: number, element: string): { delimiters: Delimiters; end: number; elements: string[] } {
  let at = start + 3;
  for (let n = 1; n <= 16; n++) {
    const next = text.indexOf(element, at + 1);
    if (n < 16 && (next === -1 || next - start > ISA_MAX)) {
      throw unreadableAt(text, at, `ISA: element ISA${String(n + 1).padStart(2, '0')} is missing (an ISA has 16 elements)`);
    }
    if (n < 16) at = next;
  }
  const component = text[at + 1];
  const segment = text[at + 2];
  if (component === undefined || segment === undefined) throw unreadableAt(text, at, 'ISA: the file ends inside the ISA segment');
  if (/[A-Za-z0-9 ]/.test(component) || component === element) {
    throw unreadableAt(text, at + 1, `ISA16: "${component}" cannot be the component separator`);
  }
  if (/[A-Za-z0-9 ]/.test(segment) || segment === element || segment === component) {
    // `…*P*>GS*SH*…`: the terminator was left out and the GS runs into the ISA.
    if (startsSegment(text, at + 2, element)) {
      const used = terminatorOf(text, at + 2, element, component);
      throw unreadableAt(text, at + 2, `ISA: the segment terminator is missing after ISA16 "${component}": ` +
        `"${text.slice(at + 2, at + 4)}" follows it directly (the character right after ISA16 ends the ISA and is the segment terminator` +
        `${used === null ? '' : `; this file's segments end with "${used}"`})`);
    }
    throw unreadableAt(text, at + 2, `ISA: "${segment}" after ISA16 cannot be the segment terminator`);
  }
  const elements = text.slice(start, at + 2).split(element);
  const repetition = elements[11]?.length === 1 && !/[A-Za-z0-9 ]/.test(elements[11]) ? elements[11] : 'U';
  let suffix = '';
  for (let i = at + 3; i < at + 5 && (text[i] === '\r' || text[i] === '\n') && text[i] !== segment; i++) suffix += text[i];
  return { delimiters: { element, component, segment, repetition, suffix }, end: at + 3, elements };
}

/**
 * Every segment of the text in order. An interchange's delimiters apply from its ISA to its IEA; the next ISA
 * (a file may hold several, even from different senders) declares its own. CR/LF and white space between
 * segments are skipped; empty segments are ignored. Throws UnreadableDocumentError (with line and column) when
 * there is no ISA where an interchange must start, or a segment id is not an X12 segment id outside a set.
 */
export function* tokenize(text: string): Generator<Segment> {
  let at = 0;
  let delimiters: Delimiters | null = null;
  // The next element separator at or after the segment being split (-1: none up to the end of the text; -2: not
  // looked for yet with these delimiters), kept across segments so that a long run of segments without one is
  // scanned once, not once per segment.
  let nextSeparator = -2;
  while (at < text.length) {
    while (at < text.length && isSpaceCode(text.charCodeAt(at))) at++;
    if (at >= text.length) return;
    if (delimiters === null) {
      const isa = readIsa(text, at);
      delimiters = isa.delimiters;
      nextSeparator = -2;
      yield { elements: isa.elements, offset: at, delimiters };
      at = isa.end;
      continue;
    }
    let end = text.indexOf(delimiters.segment, at);
    if (end === -1) end = text.length;
    // With a newline as terminator, CRLF files leave a CR at the end of each segment.
    const last = end > at && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
    const offset = at;
    at = end + 1;
    if (last === offset) continue;
    // text.slice(offset, last).split(element), without the intermediate string: this loop is most of both passes
    // over a large file, and splitting in place costs about half as much.
    const elements: string[] = [];
    let from = offset;
    for (;;) {
      if (nextSeparator !== -1 && nextSeparator < from) nextSeparator = text.indexOf(delimiters.element, from);
      if (nextSeparator === -1 || nextSeparator >= last) {
        elements.push(text.slice(from, last));
        break;
      }
      elements.push(text.slice(from, nextSeparator));
      from = nextSeparator + 1;
    }
    yield { elements, offset, delimiters };
    if (elements[0] === 'IEA') delimiters = null;
  }
}

const validIds = new Set<string>();
/** True when `id` has the shape of an X12 segment id (2–3 upper-case letters and digits, starting with a letter). */
export function isSegmentId(id: string): boolean {
  if (validIds.has(id)) return true;
  if (!SEGMENT_ID.test(id)) return false;
  validIds.add(id); // at most 36 × 36 × 37 of them
  return true;
}

/** Element `n` of a segment, trimmed; '' when absent. */
export const el = (segment: Segment, n: number): string => (segment.elements[n] ?? '').trim();

/** Component `c` (1-based) of element `n`. */
export const component = (segment: Segment, n: number, c: number): string =>
  (el(segment, n).split(segment.delimiters.component)[c - 1] ?? '').trim();

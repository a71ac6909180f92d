// The HL hierarchy of an 856 as a syntax rule of the set (X12.6 HL segment notes; the structures BSN05 names, and
// the 856 implementation guides' pick-pack S/O/T/P/I, standard carton pack S/T/O/P/I and standard-pack S/O/I): HL01 ids are unique within the set, and HL02 (the
// parent) names an HL that came EARLIER in the set (a parent is always sent before its children), of a level its
// child may be under. A violation is reported as the 997 reports an element error: AK3 naming the HL segment and
// AK4 naming HL01 (628) or HL02 (734), code 7, with a copy of the bad value; the set is rejected (AK5 R, 5).
import type { ElementError } from './syntax.ts';
import { el, type Segment } from './tokenizer.ts';

/** AK4 reference numbers of the HL elements we judge: HL01 hierarchical id, HL02 parent id. */
const HL01 = 628;
const HL02 = 734;
/** AK403 code 7 ("invalid code value"): there is no 723 code for a duplicate or dangling id; 7 is the closest. */
const INVALID_VALUE = 7;
/** AK403 code 1: HL02 is conditional in the dictionary, but every level but the root has a parent. */
const ELEMENT_MISSING = 1;

/**
 * The levels (HL03, element 735) each level may be under, as the structures of BSN05 (element 1005) order them:
 * 0001 S/O/P/I (pick and pack, often with a tare: S/O/T/P/I), 0002 S/O/I/P (a pack under its item), 0003 S/P/O/I
 * (a carton or a pallet holding several orders; retailers' "standard carton pack" S/T/O/P/I), 0004 S/O/I. S
 * (shipment) is the root; O (order) under the shipment, a tare or a pack; T (tare: a pallet) under the shipment or
 * an order; P (pack: a carton) under S, O, a tare or an item; Q (subpack) under a pack or tare; I (item) under any
 * of them, or under an item (a prepack's components: X12 lets an item level hold items; such an item still needs
 * a tracking number, map-856.ts). The other ship-notice levels of the HL03 code list (OTHER_LEVELS) are not ours
 * to judge: any parent, and any child under them.
 */
const PARENT_LEVELS: Record<string, readonly string[] | null> = {
  S: null,
  O: ['S', 'T', 'P'],
  T: ['S', 'O'],
  P: ['S', 'O', 'T', 'I'],
  Q: ['P', 'T'],
  I: ['S', 'O', 'T', 'P', 'Q', 'I'],
};

/**
 * HL03 codes (element 735) a supplier may send in an 856 that we do not read ourselves: A assembly, D product
 * description, E transportation equipment, F component, K kit, U subassembly. Any other code (the 735 list's
 * billing and health-care levels, or a code not in it: `X`) is refused: AK4 HL03 code 7, the set rejected,
 * since its items could not be placed in the shipment.
 */
const OTHER_LEVELS: ReadonlySet<string> = new Set(['A', 'D', 'E', 'F', 'K', 'U']);
const HL03 = 735;

const LEVEL_NAMES: Record<string, string> = { S: 'shipment', O: 'order', T: 'tare', P: 'pack', Q: 'subpack', I: 'item' };
const levelName = (code: string) => (LEVEL_NAMES[code] ? `${LEVEL_NAMES[code]} (${code})` : `"${code}"`);
const oneOf = (codes: readonly string[]) => codes.map(levelName).join(' or ');

/** One HL fault: the AK4 to report and the reason in words (naming the element, its value and the segment). */
export interface HlProblem {
  element: ElementError;
  reason: string;
}

/** Follows the HL segments of one 856 in order; `check` judges each against those before it. */
export class HlStructure {
  /** HL01 → HL03 of the levels seen so far. */
  private readonly levels = new Map<string, string>();

  /**
   * Judges one HL segment at `position` (its place in the set, ST being 1); null when it fits the hierarchy.
   * An empty HL01 is left to the element checks (HL01 is mandatory); such a level cannot be named as a parent.
   */
  check(segment: Segment, position: number): HlProblem | null {
    const id = el(segment, 1);
    const parent = el(segment, 2);
    const code = el(segment, 3);
    if (id !== '' && this.levels.has(id)) {
      return {
        element: { position: 1, reference: HL01, code: INVALID_VALUE, copy: id.slice(0, 99) },
        reason: `HL01 "${id}" (segment ${position}) is used twice in the set (each HL01 names one level)`,
      };
    }
    if (id !== '') this.levels.set(id, code);
    if (code !== '' && PARENT_LEVELS[code] === undefined && !OTHER_LEVELS.has(code)) {
      return {
        element: { position: 3, reference: HL03, code: INVALID_VALUE, copy: code.slice(0, 99) },
        reason: `HL03 "${code}" (segment ${position}): HL ${id} has a level code an 856 does not use ` +
          '(S shipment, O order, T tare, P pack, Q subpack, I item; or A, D, E, F, K, U)',
      };
    }
    const allowed = PARENT_LEVELS[code];
    if (parent === '') {
      // Only the root (the shipment, or a level we do not judge) stands without a parent.
      if (allowed === null || allowed === undefined) return null;
      return {
        element: { position: 2, reference: HL02, code: ELEMENT_MISSING, copy: null },
        reason: `HL02 (segment ${position}) is missing: HL ${id}, level ${levelName(code)}, must be under level ${oneOf(allowed)}`,
      };
    }
    const parentCode = this.levels.get(parent);
    if (parentCode === undefined || parent === id) {
      return {
        element: { position: 2, reference: HL02, code: INVALID_VALUE, copy: parent.slice(0, 99) },
        reason: `HL02 "${parent}" (segment ${position}): HL ${id} names parent ${parent}, which is not an HL before it ` +
          '(a parent level comes before its children)',
      };
    }
    if (allowed === undefined || PARENT_LEVELS[parentCode] === undefined) return null;
    if (allowed === null || !allowed.includes(parentCode)) {
      return {
        element: { position: 2, reference: HL02, code: INVALID_VALUE, copy: parent.slice(0, 99) },
        reason: `HL02 "${parent}" (segment ${position}): HL ${id}, level ${levelName(code)}, cannot be under HL ${parent}, ` +
          `level ${levelName(parentCode)}` + (allowed === null ? ' (the shipment is the root level)' : ` (only under ${oneOf(allowed)})`),
      };
    }
    return null;
  }
}

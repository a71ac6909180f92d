// What the 855, 856 and 810 mappers share: the entry shapes, part ids, quantities, implied-decimal amounts and
// the supplier's name. A mapper gets one transaction set's segments (already syntax-checked) and returns entries.
import type { DocumentEntry, DocumentUpdateType, X12Fault, X12Place } from '../types.ts';
export { faultAt } from './faults.ts';
import { loopsOf } from './loops.ts';
import { el, type Segment } from './tokenizer.ts';
import { readQuantity } from '../../domain/quantity.ts';
import { MAX_QUANTITY } from '../../domain/supplier-updates/types.ts';

export interface MapContext {
  /** `ST 0002 (856)`: where the entries came from (DESIGN 3, document results). */
  source: string;
  /** The supplier's name when the set names none in N1 (the caller's `supplier_name`), else null. */
  supplierName: string | null;
}

/**
 * An accepted entry: `update` in the wire shape of POST /api/v2/supplier_updates; `origin`: the X12 element each
 * update field came from (`lines[0].quantity` → SN102), for the 997 when the update is refused.
 */
export function entryOf(ctx: MapContext, type: DocumentUpdateType, update: Record<string, unknown>, origin: Record<string, X12Place> = {}):
  DocumentEntry {
  return { source: ctx.source, type, po_number: (update.po_number as string | undefined) ?? null, update, reason: null, origin };
}

/**
 * A set that cannot become an update: no update, the reason naming segment and element; `fault`: that element for
 * the 997's AK3/AK4 (null when the fault is the set as a whole).
 */
export function rejectedEntry(ctx: MapContext, type: DocumentUpdateType | null, poNumber: string | null, reason: string,
  fault: X12Fault | null = null): DocumentEntry {
  const entry: DocumentEntry = { source: ctx.source, type, po_number: poNumber, update: null, reason };
  if (fault) entry.fault = fault;
  return entry;
}

/** The set type each beginning segment starts (the mandatory segment right after ST), for the set's loops. */
const BEGINNING: Readonly<Record<string, string>> = { BIG: '810', BAK: '855', BSN: '856' };

/** Each set's segments (ST excluded) → their positions in the set (ST is 1) and loops (loops.ts), built once per set on first use. */
const places = new WeakMap<readonly Segment[], Map<Segment, { position: number; loop: string }>>();

/**
 * Element `element` (data element `reference`) of `segment`, one of `segments` (a set between ST and SE), as the
 * 997 names it: its position in the set (AK302) and the loop it is in (AK303: loops.ts, by the set's type as its
 * beginning segment BIG, BAK or BSN says). `label` says where in the set (`HL 4`); `maxDigits`: for a numeric
 * element, its maximum length in the X12 dictionary (AK403 5 when longer).
 */
export function placeOf(segments: readonly Segment[], segment: Segment, element: number, reference: number,
  where: { label?: string; maxDigits?: number } = {}): X12Place {
  let map = places.get(segments);
  if (!map) {
    const type = BEGINNING[segments.find((s) => BEGINNING[s.elements[0]] !== undefined)?.elements[0] ?? ''] ?? '';
    const loops = loopsOf(type, segments.map((s) => s.elements[0].trim()));
    places.set(segments, map = new Map(segments.map((s, i) => [s, { position: i + 2, loop: loops[i] }])));
  }
  const at = map.get(segment);
  const place: X12Place = {
    segment: segment.elements[0], position: at?.position ?? 0, loop: at?.loop ?? '', element, reference,
    value: el(segment, element), label: where.label ?? '',
  };
  if (where.maxDigits !== undefined) place.maxDigits = where.maxDigits;
  return place;
}

/**
 * Product id qualifiers (element 235) we read, best first: the buyer's own ids (BP buyer's part, IN buyer's item,
 * SK stock keeping unit: our sku), then the seller's (VP vendor's part, VN vendor's item, MG manufacturer's part:
 * a PO line's supplier_sku), then the article numbers (UP UPC, EN EAN, UK GTIN-14, UA UPC/EAN case code). Real
 * ship notices and invoices name items by whichever their system keeps (retailers' 850s send IN or SK as often as
 * BP; a LIN may carry several pairs in any order), so any one of them is enough; the best present is the line's.
 */
const PART_QUALIFIERS = ['BP', 'IN', 'SK', 'VP', 'VN', 'MG', 'UP', 'EN', 'UK', 'UA'] as const;

/** The qualifiers of PART_QUALIFIERS in words, for a reason refusing a line that has none of them. */
export const PART_QUALIFIER_LIST = `${PART_QUALIFIERS.slice(0, -1).join(', ')} or ${PART_QUALIFIERS[PART_QUALIFIERS.length - 1]}`;

/** The part id of a PO1/IT1 (pairs from element `first` on) or LIN (from 2): the best of PART_QUALIFIERS present. */
export function partId(segment: Segment, first: number): string | null {
  return partElement(segment, first)?.id ?? null;
}

/**
 * As partId, with the position of the element holding the id (for the 997: LIN03, PO107), and `others`: the other ids
 * of PART_QUALIFIERS the segment names, best first, each once. When the best names no PO line, the first of them that
 * does is the line's (domain/supplier-updates/snapshot.ts partLines): a retailer keying its lines by UPC is sent
 * `VP*<their part>*UP*<upc>`, and a buyer's part number the PO does not hold may stand beside a UPC it does.
 */
export function partElement(segment: Segment, first: number): { id: string; position: number; others: string[] } | null {
  const found = new Map<string, { id: string; position: number }>();
  for (let n = first; n + 1 < segment.elements.length; n += 2) {
    const qualifier = el(segment, n);
    const id = el(segment, n + 1);
    if (id !== '' && !found.has(qualifier)) found.set(qualifier, { id, position: n + 1 });
  }
  const ids = PART_QUALIFIERS.flatMap((qualifier) => (found.has(qualifier) ? [found.get(qualifier)!] : []));
  if (ids.length === 0) return null;
  return { ...ids[0], others: [...new Set(ids.slice(1).map((part) => part.id))].filter((id) => id !== ids[0].id) };
}

/** A line of an update in the wire shape, with its other part ids (`also`) when it has some. */
export const lineOf = (sku: string, quantity: number, others: readonly string[] | undefined) =>
  (others && others.length > 0 ? { sku, quantity, also: [...others] } : { sku, quantity });

/**
 * An N2 element (implied two decimals, `123456` → 1234.56) in minor units, exactly: the digits are the cents.
 * Some senders write the decimal point anyway (`1234.56`): read as written. Null when not a number.
 */
export function impliedCents(value: string): number | null {
  if (/^-?\d+$/.test(value)) return Number(value);
  const match = /^(-?)(\d*)\.(\d{0,2})$/.exec(value);
  if (!match || (match[2] === '' && match[3] === '')) return null;
  return Number(`${match[1]}${match[2] || '0'}${match[3].padEnd(2, '0')}`);
}

/** An R element with an explicit decimal point (TXI02: `12.5`) in minor units; null when it has over two decimals. */
export function decimalCents(value: string): number | null {
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(value);
  if (!match || (match[2] === '' && !match[3])) return null;
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > 2) return null;
  return Number(`${match[1]}${match[2] || '0'}${fraction.padEnd(2, '0')}`);
}

/** Minor units → the API's decimal amount (at most two decimals, exact for amounts below 2^53 cents). */
export const amountOf = (cents: number): number => cents / 100;

/** N101 codes naming the supplier: supplier/manufacturer, selling party, vendor. */
const SUPPLIER_PARTIES = ['SU', 'SE', 'VN'];

/** The first N1 naming the supplier (SU, then SE, then VN) with an N102, or null. */
export function supplierN1(segments: readonly Segment[]): Segment | null {
  for (const party of SUPPLIER_PARTIES) {
    const n1 = segments.find((s) => s.elements[0] === 'N1' && el(s, 1) === party && el(s, 2) !== '');
    if (n1) return n1;
  }
  return null;
}

/** N102 of the first N1 naming the supplier (supplierN1), else the caller's name, else null. */
export function supplierNameOf(segments: readonly Segment[], ctx: MapContext): string | null {
  const n1 = supplierN1(segments);
  return n1 ? el(n1, 2) : ctx.supplierName;
}

/** First REF with qualifier REF01 = `qualifier` among `segments`: its REF02 (or REF03 when REF02 is empty). */
export function refOf(segments: readonly Segment[], qualifier: string): string | null {
  const ref = refSegment(segments, qualifier);
  return ref ? el(ref, 2) || el(ref, 3) : null;
}

/** The REF refOf reads, and the element its value is in (2, REF02 127; or 3, REF03 352), for the 997. */
export function refSegment(segments: readonly Segment[], qualifier: string): Segment | null {
  return segments.find((s) => s.elements[0] === 'REF' && el(s, 1) === qualifier && (el(s, 2) !== '' || el(s, 3) !== '')) ?? null;
}

/** Where a REF's value is: REF02 (127), or REF03 (352) when REF02 is empty. */
export const refElement = (ref: Segment): [number, number] => (el(ref, 2) !== '' ? [2, 127] : [3, 352]);

/**
 * Unit codes (element 355) that count single units: EA each, PC piece, UN unit (all three seen in suppliers' 856s and
 * 810s for the same thing). A quantity in one of them is taken as written.
 */
const EACH_UNITS = ['EA', 'PC', 'UN'];

/**
 * Unit codes (element 355) of a pack that holds eaches, in words: CA case, BX box, PK package, CT carton. A quantity
 * in one of them is converted to eaches only with the PO4 of the same line (or 856 item level) saying how many
 * eaches a pack holds; without it, or for any other code, the line is refused (a quantity in cases stored as
 * eaches would be a silent data error).
 */
const PACK_UNITS: Record<string, string> = { CA: 'case', BX: 'box', PK: 'package', CT: 'carton' };

/** The unit element read and the PO4 read with it, for unitEaches. */
export interface UnitOf {
  /** The unit code as written (SN103, ACK03, IT103). */
  unit: string;
  /** Its name for the reason: `SN103`. */
  name: string;
  /** The PO4 of the same line or item level, if any. */
  po4: Segment | undefined;
}

/**
 * `quantity` (already read: a whole number of 1 or more) in eaches, or why it cannot be: `element` is the element at
 * fault, the unit (3 in SN1/ACK/IT1, data element 355) or PO401 (356) / PO414 (810). Source: X12 PO4 (Item Physical
 * Details): PO401 the number of inner pack units per outer pack unit, PO414 the number of eaches per inner pack
 * (absent: the inner pack units are eaches). So a pack holds PO401 × PO414 eaches.
 */
export function unitEaches(quantity: number, { unit, name, po4 }: UnitOf):
  { ok: true; value: number } | { ok: false; problem: string; po4?: { segment: Segment; element: number; reference: number } } {
  if (EACH_UNITS.includes(unit)) return { ok: true, value: quantity };
  const pack = PACK_UNITS[unit];
  if (pack === undefined) {
    return { ok: false, problem: `${name} "${unit}" is not a unit of measure OrderSync reads: EA, PC or UN (eaches), or CA, BX, PK or CT with a ` +
      'PO4 saying how many eaches each holds' };
  }
  if (!po4 || el(po4, 1) === '') return { ok: false, problem: `${name} "${unit}" is not eaches and no PO4 says how many each ${pack} holds` };
  const perPack = readQuantity(el(po4, 1));
  if (!perPack.ok) return { ok: false, problem: `PO401 ${perPack.problem}`, po4: { segment: po4, element: 1, reference: 356 } };
  const inner = el(po4, 14) === '' ? null : readQuantity(el(po4, 14));
  if (inner && !inner.ok) return { ok: false, problem: `PO414 ${inner.problem}`, po4: { segment: po4, element: 14, reference: 810 } };
  const eaches = quantity * perPack.value * (inner?.value ?? 1);
  if (eaches > MAX_QUANTITY) {
    return { ok: false, problem: `${name} "${unit}": ${quantity} × ${perPack.value * (inner?.value ?? 1)} eaches per ${pack} is more than ` +
      `${MAX_QUANTITY.toLocaleString('en-US')}, the most a line can have` };
  }
  return { ok: true, value: eaches };
}

/**
 * Transaction set purpose codes (element 353: BSN01, BAK01, BIG08) that withdraw a document sent before: 01
 * cancellation, 03 delete. Such a set carries the same segments as the original, so reading it as one would record
 * the shipment, acknowledgement or invoice it takes back. OrderSync never un-ships units or un-records an invoice
 * (README, "Supplier updates"), so such a set is refused, naming the element; the others (00 original, 05 replace,
 * 06 confirmation, 07 duplicate, …) are read as usual.
 */
const WITHDRAWING_PURPOSES: Record<string, string> = { '01': 'cancellation', '03': 'delete' };

/**
 * Why the set's purpose code (`segment`'s element `element`, data element 353) withdraws an earlier document, or
 * null: `what` names the document (`a ship notice`).
 */
export function withdrawalOf(segment: Segment, element: number, what: string): string | null {
  const purpose = WITHDRAWING_PURPOSES[el(segment, element)];
  if (purpose === undefined) return null;
  return `${segment.elements[0]}${String(element).padStart(2, '0')} "${el(segment, element)}" (${purpose}) withdraws ${what} sent before: ` +
    'OrderSync does not take back what it recorded; correct it with the supplier update API or by hand';
}


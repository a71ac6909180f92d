// 856 Ship Notice/Manifest → `shipment` supplier updates (DESIGN 3).
// The HL tree: S (shipment: TD5 carrier SCAC, REF BM/CN, DTM 011 shipped / 017 estimated delivery, else the
// heading's DTM after BSN), O (order:
// PRF01 PO number, REF VN supplier order), P (pack: MAN CP/GM tracking number, see ownTracking), I (item: LIN part id, SN1
// quantity shipped), in any nesting (pick-pack S/O/P/I, S/O/I, S/P/O/I, S/O/I/P, with tare levels). Each distinct tracking number
// of an order is one shipment carrying the items under it; an item's tracking number is the nearest one above
// it (its pack's MAN, else a REF CN of its order or shipment), or, in S/O/I/P, that of the pack under it. A tracking number with no item under it is a
// bare shipment (no lines: the PO's not-yet-shipped lines of that supplier order, DESIGN 3 "Supplier updates") when its
// set lists no items of that PO; an empty pack, tare or order level of a PO whose items are listed elsewhere is refused.
// An item's SN102 is in eaches: SN103 EA as written, a pack unit (CA, BX, PK, CT) through the item level's PO4, else
// the set is refused (mapping.ts unitEaches).
import type { DocumentEntry, X12Place } from '../types.ts';
import { carrierOfScac } from './carriers.ts';
import { readQuantity } from '../../domain/quantity.ts';
import { normalizeTrackingNumber, splitTrackingNumbers } from '../../domain/tracking.ts';
import { SET_PLACE, combinedFault, combinedReason, segmentPlace, withProblems, type SetProblem } from './faults.ts';
import { entryOf, faultAt, lineOf, partElement, PART_QUALIFIER_LIST, placeOf, refElement, refOf, refSegment, rejectedEntry, unitEaches, withdrawalOf, type MapContext } from './mapping.ts';
import { el, type Segment } from './tokenizer.ts';
import { dtmDateTime, dtmWithoutDay, x12Instant, x12Date } from './x12-dates.ts';

interface Level {
  id: string;
  parent: Level | null;
  code: string;
  hl: Segment;
  segments: Segment[];
  hasChildren: boolean;
  /** The packs and subpacks right under this level (an item's, in the S/O/I/P structure: BSN05 0002). */
  packs: Level[];
}

/**
 * An SSCC-18 (GS1 Serial Shipping Container Code): 18 digits, or 20 with its application identifier "00" in
 * front. It names the carton (the GS1-128 label's barcode), not a carrier's parcel: no carrier's tracking page
 * knows it, so it is never a shipment's tracking number.
 */
export const isSscc = (mark: string): boolean => {
  // Judged as the number would be stored: "00 0001234500000000 49" is the same SSCC once its spaces are gone.
  const number = normalizeTrackingNumber(mark);
  return /^\d{18}$/.test(number) || /^00\d{18}$/.test(number);
};

/** A mark of a MAN segment: MAN01/MAN02 or MAN04/MAN05 (a segment carries up to two). */
interface Mark { qualifier: string; mark: string; segment: Segment; element: number }

function marksOf(level: Level): Mark[] {
  return level.segments.filter((s) => s.elements[0] === 'MAN').flatMap((s) => [
    { qualifier: el(s, 1), mark: el(s, 2), segment: s, element: 2 }, { qualifier: el(s, 4), mark: el(s, 5), segment: s, element: 5 },
  ]).filter((m) => m.mark !== '');
}

/** MAN01/MAN04 codes (element 88) naming a parcel's number: carrier-assigned package id, shipper-assigned mark. */
const TRACKING_QUALIFIERS = ['CP', 'GM'];

/**
 * REF01 codes (element 128) whose REF02 is a tracking number, best first: 2I (tracking number: what many shippers'
 * systems write on the pack level, often beside a MAN*GM carrying the carton's SSCC), CN (carrier's reference number).
 */
const TRACKING_REFS = ['2I', 'CN'];

/**
 * A level's own tracking number, or why its marks give none. The tracking number is: the MAN mark qualified CP
 * (carrier-assigned package id), else one qualified GM (senders put carriers' numbers there too), else a REF 2I
 * (tracking number) or REF CN (carrier's reference number) of the level. Never an SSCC-18, under any qualifier or in REF CN: it names the
 * carton (its GS1-128 label), and no carrier's page tracks it; a pack marked by an SSCC only (or by a qualifier
 * that names no parcel, MAN*UC, MAN*AA) takes the tracking number of a level above it, like a pack with no MAN.
 * Refused, with the element (X12Place, AK4 code): two numbers in one element (code 6); two CP marks, or two GM
 * marks and no CP, on one level (code 7: a package has one tracking number).
 * `unusable`: the first mark that was no tracking number, for the 997 when no level above has one either.
 */
type Own = { tracking: string; place: X12Place } | { refused: string; place: X12Place; code: number } |
  { unusable: { why: string; place: X12Place } | null };

function ownTracking(level: Level, at: (segment: Segment, element: number, reference: number) => X12Place): Own {
  const candidates: Mark[] = [];
  let unusable: { why: string; place: X12Place } | null = null;
  for (const m of marksOf(level)) {
    const qualifier = m.element === 2 ? 'MAN01' : 'MAN04';
    const name = m.element === 2 ? 'MAN02' : 'MAN05';
    if (!TRACKING_QUALIFIERS.includes(m.qualifier)) {
      unusable ??= { why: `${qualifier} "${m.qualifier}" names no parcel's number (CP or GM)`, place: at(m.segment, m.element - 1, 88) };
    } else if (isSscc(m.mark)) {
      unusable ??= { why: `${name} "${m.mark}" is an SSCC-18, which names the carton, not the carrier's parcel`, place: at(m.segment, m.element, 87) };
    } else candidates.push(m);
  }
  for (const m of candidates) {
    const numbers = splitTrackingNumbers(m.mark);
    if (numbers.length > 1) {
      return { refused: `${m.element === 2 ? 'MAN02' : 'MAN05'} "${m.mark}" holds ${numbers.length} tracking numbers (${numbers.join(', ')}): ` +
        'send one MAN per package', place: at(m.segment, m.element, 87), code: 6 };
    }
  }
  const cp = candidates.filter((m) => m.qualifier === 'CP');
  const chosen = cp.length > 0 ? cp : candidates;
  if (chosen.length > 1) {
    const second = chosen[1];
    return { refused: `${second.element === 2 ? 'MAN02' : 'MAN05'} "${second.mark}": HL ${level.id} already has tracking number ` +
      `"${chosen[0].mark}" (MAN ${chosen[0].qualifier}); a package has one tracking number (one HL*P per package)`,
      place: at(second.segment, second.element, 87), code: 7 };
  }
  if (chosen.length === 1) return { tracking: chosen[0].mark, place: at(chosen[0].segment, chosen[0].element, 87) };
  for (const qualifier of TRACKING_REFS) {
    // Every REF of the qualifier on the level, not the first only: a second number would otherwise be dropped unread.
    let chosenRef: Segment | null = null;
    for (const ref of level.segments.filter((s) => s.elements[0] === 'REF' && el(s, 1) === qualifier && el(s, 2) !== '')) {
      const numbers = splitTrackingNumbers(el(ref, 2));
      if (numbers.length > 1) {
        return { refused: `REF02 "${el(ref, 2)}" (REF ${qualifier}) holds ${numbers.length} tracking numbers (${numbers.join(', ')}): one per shipment`,
          place: at(ref, 2, 127), code: 6 };
      }
      if (isSscc(el(ref, 2))) {
        unusable ??= { why: `REF02 "${el(ref, 2)}" (REF ${qualifier}) is an SSCC-18, which names the carton, not the carrier's parcel`, place: at(ref, 2, 127) };
      } else if (chosenRef === null) {
        chosenRef = ref;
      } else if (normalizeTrackingNumber(el(ref, 2)) !== normalizeTrackingNumber(el(chosenRef, 2))) {
        // Two parcels' numbers on one level, and no pack level saying which items each carries (X12 puts each
        // package in its own HL*P with its MAN): which lines went under which number is not in the file.
        return { refused: `REF02 "${el(ref, 2)}": HL ${level.id} already has tracking number "${el(chosenRef, 2)}" (REF ${qualifier}); ` +
          'a level has one tracking number: send each package as its own HL*P (MAN*CP) with its items under it', place: at(ref, 2, 127), code: 7 };
      }
    }
    if (chosenRef !== null) return { tracking: el(chosenRef, 2), place: at(chosenRef, 2, 127) };
  }
  return { unusable };
}

/** The first value `pick` finds on the level or above it. */
function nearest<T>(level: Level | null, pick: (level: Level) => T | null): T | null {
  for (let at = level; at; at = at.parent) {
    const found = pick(at);
    if (found !== null) return found;
  }
  return null;
}

const dtm = (qualifier: string) => (level: Level): Segment | null =>
  level.segments.find((s) => s.elements[0] === 'DTM' && el(s, 1) === qualifier) ?? null;

function scacOf(level: Level): string | null {
  const td5 = level.segments.find((s) => s.elements[0] === 'TD5' && el(s, 3) !== '' && ['2', ''].includes(el(s, 2)));
  return td5 ? el(td5, 3) : null;
}

interface Shipment {
  po: string;
  order: string | null;
  tracking: string;
  lines: Map<string, number>;
  /** Per sku, the other part ids its first item's LIN names (mapping.ts partElement). */
  also: Map<string, string[]>;
  first: Level;
  /** The PRF01 the PO number came from, and per sku its first item's LIN part id and SN102 (for the 997). */
  poPlace: X12Place;
  /** The element the tracking number came from (MAN02/MAN05, REF02). */
  trackingPlace: X12Place;
  linePlaces: Map<string, { sku: X12Place; quantity: X12Place }>;
  /** The REF VN element the supplier order id came from, if any. */
  orderPlace: X12Place | null;
}

/** HL03 codes of levels that are a bare shipment when nothing is under them. */
const BARE_LEVELS = ['O', 'T', 'P', 'Q'];

/** SN102 (element 382, quantity shipped): R, at most 10 digits. */
const SN102_DIGITS = 10;

/** The entries of one 856 set (its segments between ST and SE). */
export function map856(segments: readonly Segment[], ctx: MapContext): DocumentEntry[] {
  const levels: Level[] = [];
  const byId = new Map<string, Level>();
  const header: Segment[] = [];
  for (const segment of segments) {
    if (segment.elements[0] === 'HL') {
      const parent = byId.get(el(segment, 2)) ?? null;
      const level: Level = { id: el(segment, 1), parent, code: el(segment, 3), hl: segment, segments: [], hasChildren: false, packs: [] };
      if (parent) {
        parent.hasChildren = true;
        if (level.code === 'P' || level.code === 'Q') parent.packs.push(level);
      }
      levels.push(level);
      byId.set(level.id, level);
    } else if (levels.length > 0) {
      levels[levels.length - 1].segments.push(segment);
    } else {
      header.push(segment);
    }
  }
  const firstPrf = levels.filter((l) => l.code === 'O').map((l) => l.segments.find((s) => s.elements[0] === 'PRF')).find((s) => s);
  const reject = (reason: string, fault: X12Place, code?: number) =>
    [rejectedEntry(ctx, 'shipment', firstPrf ? el(firstPrf, 1) || null : null, reason, faultAt(fault, code))];
  // Every level's fault is collected, not the first only: one refused entry tells them all (and the 997 each).
  const problems: SetProblem[] = [];
  // Said once per element, however many items under a level share its fault (two items of one pack without a MAN).
  const refuse = (reason: string, place: X12Place, code?: number) => {
    const told = problems.some(({ fault }) => fault.segment === place.segment && fault.position === place.position && fault.element === place.element);
    if (!told) problems.push({ reason, fault: faultAt(place, code) });
  };
  const hlPlace = (level: Level, segment: Segment, element: number, reference: number, maxDigits?: number) =>
    placeOf(segments, segment, element, reference, { label: `HL ${level.id}`, maxDigits });
  // A segment the level needs and lacks: AK3 naming it where it belongs (after the level's HL), AK304 3.
  const bsn = segments.find((s) => s.elements[0] === 'BSN');
  const withdrawal = bsn ? withdrawalOf(bsn, 1, 'a ship notice') : null;
  if (withdrawal) refuse(withdrawal, placeOf(segments, bsn!, 1, 353));
  const missing = (level: Level, id: string): X12Place => {
    const hl = hlPlace(level, level.hl, 0, 0);
    return segmentPlace({ ...hl, segment: id, position: hl.position + 1 }, 3);
  };

  // The POs (PRF01) whose items the set lists (an HL*I under one of their orders): for them a pack, tare or order
  // with nothing under it ships nothing that the file says, so it is not the bare shipment of a PO listing no items.
  const posWithItems = new Set<string>();
  for (const level of levels) {
    if (level.code !== 'I') continue;
    const prf = nearest(level, (l) => (l.code === 'O' ? l : null))?.segments.find((s) => s.elements[0] === 'PRF');
    if (prf) posWithItems.add(el(prf, 1));
  }

  // A shipment's DTM with `qualifier`: of its levels first, then of the set's heading (between BSN and the first HL,
  // where the 856 table puts its own DTM and many senders write the ship date, with no DTM on the shipment level).
  const dateOf = (first: Level, qualifier: string): Segment | null =>
    nearest(first, dtm(qualifier)) ?? header.find((d) => d.elements[0] === 'DTM' && el(d, 1) === qualifier) ?? null;

  // Keyed by PO, tracking number and supplier order: one set may hold thousands of packages.
  const shipments = new Map<string, Shipment>();
  levels: for (const level of levels) {
    const isItem = level.code === 'I';
    // Items carry lines; a childless level that is not an item (a pack, an order) is a bare shipment.
    if (!isItem && level.hasChildren) continue;
    // Only a childless order, tare, pack or subpack is a bare shipment; the product levels we accept but do not
    // read (F component, K kit, …: hl-structure.ts) ship nothing of their own.
    if (!isItem && !BARE_LEVELS.includes(level.code)) continue;
    // A pack under an item (S/O/I/P) names the item's package (read with the item, below), not a shipment of its own.
    if (!isItem && nearest(level.parent, (l) => (l.code === 'I' ? l : null))) continue;
    const order = nearest(level, (l) => (l.code === 'O' ? l : null));
    if (!order) {
      refuse(`HL ${level.id} (${level.code}): no order level (HL*O with PRF01) above it`, hlPlace(level, level.hl, 2, 734));
      continue;
    }
    const prf = order.segments.find((s) => s.elements[0] === 'PRF');
    if (!prf) {
      refuse(`HL ${order.id} (O): the PRF segment (PO number, PRF01) is missing`, missing(order, 'PRF'));
      continue;
    }
    const po = el(prf, 1);
    // A bare shipment covers every line of the PO not yet shipped (DESIGN 3): right for an order that lists no items,
    // wrong for an empty carton beside cartons whose items are listed (it would ship what no level says shipped).
    if (!isItem && posWithItems.has(po)) {
      const kind = level.code === 'T' ? 'tare' : level.code === 'O' ? 'order level' : 'pack';
      refuse(`HL ${level.id} (${level.code}), PO ${po}: no item under this ${kind}, while the PO's items are listed (HL*I) under ` +
        `other levels; an empty ${kind} would ship every line not yet shipped: list its items under it, or leave it out`,
        segmentPlace(hlPlace(level, level.hl, 0, 0)));
      continue;
    }
    // Without REF VN the shipment names no supplier order: it joins the PO's (DESIGN 3, note on lines).
    const supplierOrder = nearest(level, (l) => refOf(l.segments, 'VN'));
    const orderRef = nearest(level, (l) => refSegment(l.segments, 'VN'));
    // The nearest level (this one, then up) with a tracking number; a refusal on the way stops the set.
    let found: { tracking: string; place: X12Place } | null = null;
    let unusable: { why: string; place: X12Place } | null = null;
    // An item with packs under it (S/O/I/P, BSN05 0002) ships in them: their tracking number, before any level above.
    if (isItem && level.packs.length > 0) {
      const numbers = new Map<string, { tracking: string; place: X12Place }>();
      for (const pack of level.packs) {
        const own = ownTracking(pack, (segment, element, reference) => hlPlace(pack, segment, element, reference));
        if ('refused' in own) {
          refuse(`HL ${pack.id} (${pack.code}), PO ${po}: ${own.refused}`, own.place, own.code);
          continue levels;
        }
        if ('tracking' in own) {
          const key = normalizeTrackingNumber(own.tracking);
          if (!numbers.has(key)) numbers.set(key, own);
        } else unusable ??= own.unusable;
      }
      if (numbers.size > 1) {
        const [, second] = [...numbers.values()];
        refuse(`HL ${level.id} (I), PO ${po}: the packs under the item have ${numbers.size} tracking numbers ` +
          `(${[...numbers.values()].map((n) => n.tracking).join(', ')}), and SN102 does not say how many each holds: ` +
          'send each package as its own HL*P with its items under it (S/O/P/I)', second.place, 7);
        continue;
      }
      found = numbers.size === 1 ? [...numbers.values()][0] : null;
    }
    for (let at: Level | null = level; at && !found; at = at.parent) {
      const own = ownTracking(at, (segment, element, reference) => hlPlace(at!, segment, element, reference));
      if ('refused' in own) {
        refuse(`HL ${at.id} (${at.code}), PO ${po}: ${own.refused}`, own.place, own.code);
        continue levels;
      }
      if ('tracking' in own) found = own;
      else unusable ??= own.unusable;
    }
    if (!found) {
      // The element that was no tracking number (MAN01 "UC", an SSCC), else the pack's (or the item's) missing MAN.
      const pack = nearest(level, (l) => (l.code === 'P' ? l : null)) ?? level;
      refuse(`HL ${level.id} (${level.code}), PO ${po}: no tracking number (MAN*CP or MAN*GM or REF*2I on its pack, REF*2I or ` +
        `REF*CN on its order or shipment)${unusable ? `; ${unusable.why}` : ''}`, unusable?.place ?? missing(pack, 'MAN'), unusable ? 7 : undefined);
      continue;
    }
    const tracking = found.tracking;
    const key = JSON.stringify([po, tracking, supplierOrder]);
    let shipment = shipments.get(key);
    if (!shipment) {
      shipments.set(key, shipment = {
        po, order: supplierOrder, tracking, lines: new Map(), also: new Map(), first: level, poPlace: hlPlace(order, prf, 1, 324), linePlaces: new Map(),
        orderPlace: orderRef ? placeOf(segments, orderRef, ...refElement(orderRef)) : null,
        trackingPlace: found.place,
      });
    }
    if (!isItem) continue;
    const lin = level.segments.find((s) => s.elements[0] === 'LIN');
    const part = lin ? partElement(lin, 2) : null;
    const sn1 = level.segments.find((s) => s.elements[0] === 'SN1');
    const read = sn1 ? readQuantity(el(sn1, 2)) : null;
    if (!part) refuse(`HL ${level.id} (I), PO ${po}: no LIN part id qualified ${PART_QUALIFIER_LIST}`, lin ? hlPlace(level, lin, 3, 234) : missing(level, 'LIN'));
    if (!sn1) refuse(`HL ${level.id} (I), PO ${po}: no SN1 (quantity shipped, SN102)`, missing(level, 'SN1'));
    else if (read && !read.ok) refuse(`HL ${level.id} (I), PO ${po}: SN102 ${read.problem}`, hlPlace(level, sn1, 2, 382, SN102_DIGITS));
    if (!sn1) continue;
    // SN102 counts SN103's unit: eaches as written, a pack through the item level's PO4 (unitEaches), else refused.
    // The unit is checked even when SN102 or the part is at fault (with a count of 1), so the set's reason tells both.
    const eaches = unitEaches(read?.ok ? read.value : 1, { unit: el(sn1, 3), name: 'SN103', po4: level.segments.find((s) => s.elements[0] === 'PO4') });
    if (!eaches.ok) {
      refuse(`HL ${level.id} (I), PO ${po}: ${eaches.problem}`,
        eaches.po4 ? hlPlace(level, eaches.po4.segment, eaches.po4.element, eaches.po4.reference) : hlPlace(level, sn1, 3, 355));
      continue;
    }
    if (!part || !read?.ok) continue;
    const sku = part.id;
    const quantity = eaches.value;
    shipment.lines.set(sku, (shipment.lines.get(sku) ?? 0) + quantity);
    if (!shipment.also.has(sku)) shipment.also.set(sku, part.others);
    if (!shipment.linePlaces.has(sku)) {
      shipment.linePlaces.set(sku, { sku: hlPlace(level, lin!, part.position, 234), quantity: hlPlace(level, sn1, 2, 382, SN102_DIGITS) });
    }
  }
  // The date of each shipment's DTM 011 (shipped) and 017/067 (estimated delivery): one that states no day is refused.
  for (const s of shipments.values()) {
    for (const found of [dateOf(s.first, '011'), dateOf(s.first, '017') ?? dateOf(s.first, '067')]) {
      const without = found ? dtmWithoutDay(found.elements) : null;
      if (without) refuse(without.reason, placeOf(segments, found!, without.element, without.reference), without.code);
    }
  }
  if (problems.length > 0) {
    return [withProblems(rejectedEntry(ctx, 'shipment', firstPrf ? el(firstPrf, 1) || null : null, combinedReason(problems),
      combinedFault(problems)), problems)];
  }
  if (shipments.size === 0) {
    return reject('the ship notice has no order level (HL*O) to ship', levels.length > 0 ? hlPlace(levels[0], levels[0].hl, 3, 735) :
      segmentPlace({ ...placeOf(segments, segments[0], 0, 0), segment: 'HL', position: segments.length + 1 }, 3));
  }

  return [...shipments.values()].map((s) => {
    const shipped = dateOf(s.first, '011');
    const eta = dateOf(s.first, '017') ?? dateOf(s.first, '067');
    const shippedAt = shipped ? dtmDateTime(el(shipped, 2), el(shipped, 3), el(shipped, 5), el(shipped, 6)) : null;
    const etaAt = eta ? dtmDateTime(el(eta, 2), el(eta, 3), el(eta, 5), el(eta, 6)) : null;
    const scac = nearest(s.first, scacOf);
    const update: Record<string, unknown> = {
      type: 'shipment', po_number: s.po, supplier_order_id: s.order, tracking_number: s.tracking,
      // A SCAC names the carrier through our table only; unknown → null, and the pipeline detects it from the number.
      carrier: scac ? carrierOfScac(scac) : null,
      shipped_date: shippedAt ? x12Instant(shippedAt.date, shippedAt.time, el(shipped!, 4)) : null,
      estimated_delivery_date: etaAt ? x12Date(etaAt.date) : null,
    };
    if (s.lines.size > 0) update.lines = [...s.lines].map(([sku, quantity]) => lineOf(sku, quantity, s.also.get(sku)));
    // tracking_number: a rule refusing the number (another supplier order's) names its MAN/REF element; any refusal
    // naming no element (the supplier supplies no line of the PO) names the first level's HL (SET_PLACE).
    const origin: Record<string, X12Place> = {
      po_number: s.poPlace, tracking_number: s.trackingPlace, [SET_PLACE]: segmentPlace(hlPlace(s.first, s.first.hl, 0, 0)),
    };
    // A supplier order the PO refuses (another supplier's) names its REF VN.
    if (s.orderPlace) origin.supplier_order_id = s.orderPlace;
    [...s.linePlaces.values()].forEach((places, i) => {
      origin[`lines[${i}].sku`] = places.sku;
      origin[`lines[${i}].quantity`] = places.quantity;
    });
    return entryOf(ctx, 'shipment', update, origin);
  });
}

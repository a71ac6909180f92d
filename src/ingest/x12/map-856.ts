// 856 Ship Notice/Manifest → `shipment` supplier updates (DESIGN 3).
// The HL tree: S (shipment: TD5 carrier SCAC, REF BM/CN, DTM 011 shipped / 017 estimated delivery), O (order:
// PRF01 PO number, REF VN supplier order), P (pack: MAN CP/GM tracking number, see packTracking), I (item: LIN part id, SN1
// quantity shipped), in any nesting (pick-pack S/O/P/I, S/O/I, with tare levels). Each distinct tracking number
// of an order is one shipment carrying the items under it; an item's tracking number is the nearest one above
// it (its pack's MAN, else a REF CN of its order or shipment). A tracking number with no item under it is a
// bare shipment (no lines: the PO's not-yet-shipped lines of that supplier order, DESIGN 3 "Supplier updates").
import type { DocumentEntry, X12Place } from '../types.ts';
import { carrierOfScac } from './carriers.ts';
import { entryOf, faultAt, partElement, placeOf, refOf, rejectedEntry, wholeQuantity, type MapContext } from './mapping.ts';
import { el, type Segment } from './tokenizer.ts';
import { x12Instant, x12Date } from './x12-dates.ts';

interface Level {
  id: string;
  parent: Level | null;
  code: string;
  segments: Segment[];
  hasChildren: boolean;
}

/**
 * An SSCC-18 (GS1 Serial Shipping Container Code): 18 digits, or 20 with its application identifier "00" in
 * front. It names the carton (the GS1-128 label's barcode), not a carrier's parcel: no carrier's tracking page
 * knows it, so it is never a shipment's tracking number.
 */
export const isSscc = (mark: string): boolean => /^\d{18}$/.test(mark) || /^00\d{18}$/.test(mark);

/** The marks of a level's MAN segments in order: MAN01/MAN02, then MAN04/MAN05 (a segment carries up to two). */
function marksOf(level: Level): { qualifier: string; mark: string }[] {
  return level.segments.filter((s) => s.elements[0] === 'MAN').flatMap((s) => [
    { qualifier: el(s, 1), mark: el(s, 2) }, { qualifier: el(s, 4), mark: el(s, 5) },
  ]).filter((m) => m.mark !== '');
}

/**
 * A pack's tracking number from its marks: the carrier-assigned package id (MAN `CP`) when there is one, else a
 * `GM` mark that is not an SSCC-18 (senders put carriers' numbers there too). `MAN*GM*<SSCC>**CP*1Z…`, the
 * standard carton label, is the 1Z number. A pack marked by an SSCC only has no tracking number of its own: its
 * items go under the nearest REF CN of its order or shipment, else the set is rejected saying so.
 */
function packTracking(level: Level): string | null {
  const marks = marksOf(level);
  return marks.find((m) => m.qualifier === 'CP')?.mark ?? marks.find((m) => m.qualifier === 'GM' && !isSscc(m.mark))?.mark ?? null;
}

function ownTracking(level: Level): string | null {
  return packTracking(level) ?? refOf(level.segments, 'CN');
}

/** The SSCC-18 a level (or one above it) is marked with, for a reason that says why it is no tracking number. */
const ssccOf = (level: Level): string | null => marksOf(level).find((m) => m.qualifier === 'GM' && isSscc(m.mark))?.mark ?? null;

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
  first: Level;
  /** The PRF01 the PO number came from, and per sku its first item's LIN part id and SN102 (for the 997). */
  poPlace: X12Place;
  linePlaces: Map<string, { sku: X12Place; quantity: X12Place }>;
}

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
      if (parent) parent.hasChildren = true;
      const level: Level = { id: el(segment, 1), parent, code: el(segment, 3), segments: [], hasChildren: false };
      levels.push(level);
      byId.set(level.id, level);
    } else if (levels.length > 0) {
      levels[levels.length - 1].segments.push(segment);
    } else {
      header.push(segment);
    }
  }
  const firstPrf = levels.filter((l) => l.code === 'O').map((l) => l.segments.find((s) => s.elements[0] === 'PRF')).find((s) => s);
  const reject = (reason: string, fault: X12Place | null = null) =>
    [rejectedEntry(ctx, 'shipment', firstPrf ? el(firstPrf, 1) || null : null, reason, fault && faultAt(fault))];
  const hlPlace = (level: Level, segment: Segment, element: number, reference: number, maxDigits?: number) =>
    placeOf(segments, segment, element, reference, { label: `HL ${level.id}`, loop: 'HL', maxDigits });

  // Keyed by PO, tracking number and supplier order: one set may hold thousands of packages.
  const shipments = new Map<string, Shipment>();
  for (const level of levels) {
    const isItem = level.code === 'I';
    // Items carry lines; a childless level that is not an item (a pack, an order) is a bare shipment.
    if (!isItem && level.hasChildren) continue;
    if (!isItem && level.code === 'S') continue;
    const order = nearest(level, (l) => (l.code === 'O' ? l : null));
    if (!order) return reject(`HL ${level.id} (${level.code}): no order level (HL*O with PRF01) above it`);
    const prf = order.segments.find((s) => s.elements[0] === 'PRF');
    if (!prf) return reject(`HL ${order.id} (O): the PRF segment (PO number, PRF01) is missing`);
    const po = el(prf, 1);
    // Without REF VN the shipment names no supplier order: it joins the PO's (DESIGN 3, note on lines).
    const supplierOrder = nearest(level, (l) => refOf(l.segments, 'VN'));
    const tracking = nearest(level, ownTracking);
    if (!tracking) {
      const sscc = nearest(level, ssccOf);
      return reject(`HL ${level.id} (${level.code}), PO ${po}: no tracking number (MAN*CP or MAN*GM on its pack, REF*CN on its order or shipment)` +
        (sscc ? `; MAN*GM "${sscc}" is an SSCC-18, which names the carton, not the carrier's parcel` : ''));
    }
    const key = JSON.stringify([po, tracking, supplierOrder]);
    let shipment = shipments.get(key);
    if (!shipment) {
      shipments.set(key, shipment = {
        po, order: supplierOrder, tracking, lines: new Map(), first: level, poPlace: hlPlace(order, prf, 1, 324), linePlaces: new Map(),
      });
    }
    if (!isItem) continue;
    const lin = level.segments.find((s) => s.elements[0] === 'LIN');
    const part = lin ? partElement(lin, 2) : null;
    if (!part) {
      return reject(`HL ${level.id} (I), PO ${po}: no LIN part id qualified BP, VP or UP`, lin ? hlPlace(level, lin, 3, 234) : null);
    }
    const sku = part.id;
    const sn1 = level.segments.find((s) => s.elements[0] === 'SN1');
    const quantity = sn1 ? wholeQuantity(el(sn1, 2)) : null;
    if (quantity === null) {
      return reject(`HL ${level.id} (I), PO ${po}: SN102 "${sn1 ? el(sn1, 2) : ''}" is not a whole quantity shipped`,
        sn1 ? hlPlace(level, sn1, 2, 382, SN102_DIGITS) : null);
    }
    shipment.lines.set(sku, (shipment.lines.get(sku) ?? 0) + quantity);
    if (!shipment.linePlaces.has(sku)) {
      shipment.linePlaces.set(sku, { sku: hlPlace(level, lin!, part.position, 234), quantity: hlPlace(level, sn1!, 2, 382, SN102_DIGITS) });
    }
  }
  if (shipments.size === 0) return reject('the ship notice has no order level (HL*O) to ship');

  return [...shipments.values()].map((s) => {
    const shipped = nearest(s.first, dtm('011'));
    const eta = nearest(s.first, dtm('017')) ?? nearest(s.first, dtm('067'));
    const scac = nearest(s.first, scacOf);
    const update: Record<string, unknown> = {
      type: 'shipment', po_number: s.po, supplier_order_id: s.order, tracking_number: s.tracking,
      // A SCAC names the carrier through our table only; unknown → null, and the pipeline detects it from the number.
      carrier: scac ? carrierOfScac(scac) : null,
      shipped_date: shipped ? x12Instant(el(shipped, 2), el(shipped, 3), el(shipped, 4)) : null,
      estimated_delivery_date: eta ? x12Date(el(eta, 2)) : null,
    };
    if (s.lines.size > 0) update.lines = [...s.lines].map(([sku, quantity]) => ({ sku, quantity }));
    const origin: Record<string, X12Place> = { po_number: s.poPlace };
    [...s.linePlaces.values()].forEach((places, i) => {
      origin[`lines[${i}].sku`] = places.sku;
      origin[`lines[${i}].quantity`] = places.quantity;
    });
    return entryOf(ctx, 'shipment', update, origin);
  });
}

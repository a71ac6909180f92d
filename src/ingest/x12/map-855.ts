// 855 Purchase Order Acknowledgment → `order` supplier updates (DESIGN 3).
// BAK03 is the PO number, BAK08 the supplier's order id (else REF VN; with neither, BAK08 being optional in X12,
// the PO number itself: the supplier acknowledges the PO as one order of theirs), BAK02 the acknowledgement type: an
// accepted order (AC, AD, AK, …) takes each line's status from its ACK01; a rejected one (RJ, RD, RF, RO) cancels
// every line. Lines without an ACK take the order's: confirmed when accepted, processing when it is on hold (AH) or
// its type says nothing about acceptance (NA, ZZ). PO1 lines name our sku by buyer part (BP), then vendor part (VP), then UPC (UP). Lines of different
// statuses (or different estimated delivery dates) become separate updates for the same supplier order. ACK02 is
// in the line's unit when ACK03 is PO103 (or absent), else in eaches (EA) or a pack the line's PO4 sizes (unitEaches).
import type { DocumentEntry, X12Place } from '../types.ts';
import { el, type Segment } from './tokenizer.ts';
import { readQuantity } from '../../domain/quantity.ts';
import { SET_PLACE, combinedFault, combinedReason, segmentPlace, withProblems, type SetProblem } from './faults.ts';
import { entryOf, faultAt, lineOf, partElement, PART_QUALIFIER_LIST, placeOf, refElement, refOf, refSegment, rejectedEntry, supplierN1, supplierNameOf, unitEaches, withdrawalOf, type MapContext } from './mapping.ts';
import { dtmDateTime, dtmWithoutDay, x12Date } from './x12-dates.ts';

/** BAK02 (element 587): rejected, with or without detail, or with a counter offer (RO). */
const REJECTED_ORDER = ['RJ', 'RD', 'RF', 'RO'];
/** BAK02 codes that accept nothing yet: on hold (AH), no acknowledgement needed (NA), mutually defined (ZZ). */
const UNDECIDED_ORDER = ['AH', 'NA', 'ZZ'];

/** ACK01 (element 668) → our order status. */
const LINE_STATUS: Record<string, string> = {
  IA: 'confirmed', IB: 'backorder', IR: 'cancelled', ID: 'cancelled', IC: 'confirmed', IQ: 'confirmed',
  AA: 'confirmed', AC: 'confirmed', AR: 'processing', BP: 'backorder', DR: 'confirmed', IE: 'confirmed',
  IF: 'processing', IH: 'processing', IP: 'confirmed', IS: 'confirmed', IW: 'processing', SP: 'confirmed',
  R1: 'cancelled', R2: 'cancelled', R3: 'cancelled', R4: 'cancelled',
};

/** Date qualifiers (element 374) giving an estimated delivery, best first: delivery (067), estimated (017), ship (068). */
const ETA_QUALIFIERS = ['067', '017', '068'];

/** The best estimated delivery among ACK (ACK04/ACK05) and DTM (DTM01/DTM02) segments, or null. */
function etaOf(segments: readonly Segment[]): string | null {
  const dates = new Map<string, string>();
  for (const s of segments) {
    const [qualifier, value] = s.elements[0] === 'ACK' ? [el(s, 4), el(s, 5)]
      : s.elements[0] === 'DTM' ? [el(s, 1), dtmDateTime(el(s, 2), el(s, 3), el(s, 5), el(s, 6))?.date ?? ''] : ['', ''];
    const date = x12Date(value);
    if (date && !dates.has(qualifier)) dates.set(qualifier, date);
  }
  for (const qualifier of ETA_QUALIFIERS) if (dates.has(qualifier)) return dates.get(qualifier)!;
  return null;
}

interface Group {
  status: string;
  eta: string | null;
  lines: Map<string, number>;
  /** Per sku, the other part ids its first PO1 names (mapping.ts partElement). */
  also: Map<string, string[]>;
  /** Per sku, its first PO1's part id and the element its quantity came from (ACK02 or PO102), for the 997. */
  places: Map<string, { sku: X12Place; quantity: X12Place }>;
}

/** PO102 (element 330) and ACK02 (element 380): R, at most 15 digits. */
const QUANTITY_DIGITS = 15;

/** The entries of one 855 set (its segments between ST and SE). */
export function map855(segments: readonly Segment[], ctx: MapContext): DocumentEntry[] {
  const bak = segments.find((s) => s.elements[0] === 'BAK')!;
  const poNumber = el(bak, 3);
  // Every fault of the set is collected, not the first only: one refused entry tells them all (and the 997 each).
  const problems: SetProblem[] = [];
  const refuse = (reason: string, place: X12Place) => problems.push({ reason, fault: faultAt(place) });
  const withdrawal = withdrawalOf(bak, 1, 'an acknowledgement');
  if (withdrawal) refuse(withdrawal, placeOf(segments, bak, 1, 353));
  // An estimated delivery DTM stating no day (a time alone, a DTM05 format not read) is refused, not dropped.
  for (const dtm of segments.filter((s) => s.elements[0] === 'DTM' && ETA_QUALIFIERS.includes(el(s, 1)))) {
    const without = dtmWithoutDay(dtm.elements);
    if (without) problems.push({ reason: without.reason, fault: faultAt(placeOf(segments, dtm, without.element, without.reference), without.code) });
  }
  // BAK08 is optional (X12 004010–008020) and often omitted; an order update needs a supplier order id (DESIGN 3),
  // so without BAK08 or REF*VN the acknowledgement is of the PO as one supplier order named by its number.
  const supplierOrderId = el(bak, 8) || refOf(segments, 'VN') || poNumber;
  // No N1 naming the supplier and no ?supplier_name=: the PO's supplier (domain/supplier-updates/order.ts), so the
  // set is usable and its 997 AK5*A holds (rejected at apply only when the PO's supplier cannot be told).
  const supplierName = supplierNameOf(segments, ctx);
  const supplier = supplierName === null ? {} : { supplier_name: supplierName };

  const firstLine = segments.findIndex((s) => s.elements[0] === 'PO1');
  const header = firstLine === -1 ? segments : segments.slice(0, firstLine);
  const headerEta = etaOf(header);
  const orderRejected = REJECTED_ORDER.includes(el(bak, 2));
  // What a line the supplier gave no ACK for becomes.
  const orderStatus = orderRejected ? 'cancelled' : UNDECIDED_ORDER.includes(el(bak, 2)) ? 'processing' : 'confirmed';
  const groups: Group[] = [];
  const add = (status: string, eta: string | null, sku: string, quantity: number, places: { sku: X12Place; quantity: X12Place }, others: string[]) => {
    let group = groups.find((g) => g.status === status && g.eta === eta);
    if (!group) groups.push(group = { status, eta, lines: new Map(), also: new Map(), places: new Map() });
    group.lines.set(sku, (group.lines.get(sku) ?? 0) + quantity);
    if (!group.also.has(sku)) group.also.set(sku, others);
    if (!group.places.has(sku)) group.places.set(sku, places);
  };

  for (let i = firstLine; i !== -1 && i < segments.length; i++) {
    const po1 = segments[i];
    if (po1.elements[0] !== 'PO1') continue;
    let next = i + 1;
    while (next < segments.length && !['PO1', 'CTT', 'AMT'].includes(segments[next].elements[0])) next++;
    const loop = segments.slice(i + 1, next);
    const part = partElement(po1, 6);
    const line = el(po1, 1) || String(i);
    const at = (segment: Segment, element: number, reference: number, maxDigits?: number) =>
      placeOf(segments, segment, element, reference, { label: `PO1 ${line}`, maxDigits });
    const orderedRead = el(po1, 2) === '' ? null : readQuantity(el(po1, 2));
    if (!part) {
      refuse(`PO1 ${line}: no part id qualified ${PART_QUALIFIER_LIST} (PO106–PO125)`, at(po1, 7, 234));
      if (orderedRead && !orderedRead.ok) refuse(`PO1 ${line}: PO102 ${orderedRead.problem}`, at(po1, 2, 330, QUANTITY_DIGITS));
      continue;
    }
    const sku = part.id;
    const skuPlace = at(po1, part.position, 234);
    // PO102 is the quantity ordered whether or not ACKs follow: a bad one refuses the set (AK4 PO102: 6 for a sign
    // or a fraction, 7 for zero), as ACK02 does. An empty PO102 (optional in X12) is only refused when it is needed.
    if (orderedRead && !orderedRead.ok) {
      refuse(`PO1 ${line}: PO102 ${orderedRead.problem}`, at(po1, 2, 330, QUANTITY_DIGITS));
      continue;
    }
    const ordered = orderedRead?.ok ? orderedRead.value : null;
    // The line's own date (a DTM of its PO1 loop), else the heading's; an ACK's date is that ACK's only: a line
    // partly confirmed for 1 Dec and partly back-ordered with no date does not give the back order 1 Dec.
    const eta = etaOf(loop.filter((s) => s.elements[0] !== 'ACK')) ?? headerEta;
    const acks = loop.filter((s) => s.elements[0] === 'ACK');
    if (orderRejected || acks.length === 0) {
      if (ordered === null) {
        refuse(`PO1 ${line}: PO102 (quantity ordered) is missing`, at(po1, 2, 330, QUANTITY_DIGITS));
        continue;
      }
      add(orderStatus, orderRejected ? null : eta, sku, ordered, { sku: skuPlace, quantity: at(po1, 2, 330, QUANTITY_DIGITS) }, part.others);
      continue;
    }
    // A line acknowledged in parts (ACK*IA*5 and ACK*IR*0) states its quantities in the ACKs that have some: an ACK of
    // zero beside them says "none in this status", not "the whole line" (as a lone ACK*IR*0 does), so it is skipped.
    const zero = (ack: Segment) => el(ack, 2) !== '' && /^0*(\.0*)?$/.test(el(ack, 2));
    const partial = acks.some((ack) => readQuantity(el(ack, 2)).ok);
    for (const ack of acks) {
      if (partial && zero(ack)) continue;
      const status = LINE_STATUS[el(ack, 1)];
      // A rejected line often acknowledges quantity 0: what it cancels is the quantity ordered.
      const acked = readQuantity(el(ack, 2));
      const zeroCancel = status === 'cancelled' && /^0*(\.0*)?$/.test(el(ack, 2)) && ordered !== null;
      const badQuantity = !acked.ok && !zeroCancel;
      if (badQuantity) refuse(`PO1 ${line}: ACK02 ${el(ack, 2) === '' ? '(quantity) is missing' : acked.problem}`, at(ack, 2, 380, QUANTITY_DIGITS));
      // ACK02 counts ACK03's unit. The line's own unit (PO103, echoed from the order; or no ACK03) is the PO line's
      // count, taken as is; any other is converted to eaches through the line's PO4, or refuses the set (unitEaches).
      // The unit is checked even when ACK02 is at fault (with a count of 1), so the set's reason tells both.
      let quantity = acked.ok ? acked.value : ordered ?? 1;
      const unit = el(ack, 3);
      if ((acked.ok || badQuantity) && unit !== '' && unit !== el(po1, 3)) {
        const eaches = unitEaches(acked.ok ? quantity : 1, { unit, name: 'ACK03', po4: loop.find((s) => s.elements[0] === 'PO4') });
        if (!eaches.ok) {
          refuse(`PO1 ${line}: ${eaches.problem}`, eaches.po4 ? at(eaches.po4.segment, eaches.po4.element, eaches.po4.reference) : at(ack, 3, 355));
          continue;
        }
        quantity = eaches.value;
      }
      if (badQuantity) continue;
      const quantityPlace = acked.ok ? at(ack, 2, 380, QUANTITY_DIGITS) : at(po1, 2, 330, QUANTITY_DIGITS);
      add(status, status === 'cancelled' ? null : (etaOf([ack]) ?? eta), sku, quantity, { sku: skuPlace, quantity: quantityPlace }, part.others);
    }
  }

  if (problems.length > 0) {
    return [withProblems(rejectedEntry(ctx, 'order', poNumber, combinedReason(problems), combinedFault(problems)), problems)];
  }
  // A refusal naming no element (the supplier supplies no line of the PO) names the BAK segment (AK3 only).
  const headerOrigin: Record<string, X12Place> = { po_number: placeOf(segments, bak, 3, 324), [SET_PLACE]: segmentPlace(placeOf(segments, bak, 0, 0)) };
  const n1 = supplierN1(segments);
  if (n1) headerOrigin.supplier_name = placeOf(segments, n1, 2, 93);
  // The supplier order id's element: BAK08, else the REF VN (else it is the PO number, BAK03).
  const vn = refSegment(segments, 'VN');
  headerOrigin.supplier_order_id = el(bak, 8) ? placeOf(segments, bak, 8, 127) : vn ? placeOf(segments, vn, ...refElement(vn)) : headerOrigin.po_number;
  if (groups.length === 0) {
    // No line detail (BAK02 AK, RJ): the acknowledgement covers every line of this supplier on the PO.
    return [entryOf(ctx, 'order', {
      type: 'order', po_number: poNumber, supplier_order_id: supplierOrderId, ...supplier,
      status: orderStatus, estimated_delivery_date: orderRejected ? null : headerEta,
    }, headerOrigin)];
  }
  return groups.map((group) => {
    const origin = { ...headerOrigin };
    [...group.places.values()].forEach((places, i) => {
      origin[`lines[${i}].sku`] = places.sku;
      origin[`lines[${i}].quantity`] = places.quantity;
    });
    return entryOf(ctx, 'order', {
      type: 'order', po_number: poNumber, supplier_order_id: supplierOrderId, ...supplier, status: group.status,
      lines: [...group.lines].map(([sku, quantity]) => lineOf(sku, quantity, group.also.get(sku))), estimated_delivery_date: group.eta,
    }, origin);
  });
}

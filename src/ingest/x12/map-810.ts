// 810 Invoice → an `invoice` supplier update (DESIGN 3).
// BIG01 invoice date, BIG02 invoice number, BIG04 PO number; REF VN supplier order; CUR02 currency (USD when
// absent); ITD terms, over every ITD: ITD03/ITD05 discount → `2% 10`, ITD07 net days → `Net 60 Days` (both, in one ITD or
// two: `2% 10, Net 60 Days`), ITD06 the due date (else invoice date + net days; two different net terms refuse the set);
// TDS01 the total in implied minor units (N2). Freight is SAC*C with SAC02 D240, G821 or G830 (an allowance SAC*A*D240
// lowers it), SAC05 in implied minor units; tax is the sum of TXI02 (explicit decimals); either stated only as a
// percent is refused. The summary area (after TDS) wins over line-level freight SACs when it states freight, and
// over line-level TXI when it has any, so a charge is never counted twice.
// The invoice states no subtotal: subtotal = total − tax − shipping (so the three always add up to the total,
// as the API requires); other charges and allowances stay inside the subtotal.
import { addDays } from '../../domain/dates.ts';
import type { DocumentEntry, X12Place } from '../types.ts';
import { readQuantity } from '../../domain/quantity.ts';
import { SET_PLACE, combinedFault, combinedReason, segmentPlace, withProblems, type SetProblem } from './faults.ts';
import {
  amountOf, decimalCents, entryOf, faultAt, impliedCents, partElement, PART_QUALIFIER_LIST, placeOf, refElement, refOf, refSegment, rejectedEntry, supplierN1, supplierNameOf,
  unitEaches, withdrawalOf, type MapContext,
} from './mapping.ts';
import { el, type Segment } from './tokenizer.ts';
import { x12Date } from './x12-dates.ts';

/**
 * SAC02 codes (element 1300) that are the shipping amount: D240 freight, G821 shipping, G830 shipping and handling
 * (what many suppliers' invoicing systems bill the delivery as, instead of D240).
 */
const FREIGHT = ['D240', 'G821', 'G830'];
/**
 * BIG07 transaction type codes (element 640) of a credit: the supplier owes the amount, so recording it as an invoice
 * (what the retailer owes) would state the money the wrong way round. Refused, naming BIG07 (code 7).
 */
const CREDIT_TYPES: Record<string, string> = {
  CR: 'credit memo', CN: 'credit invoice', CC: 'credit commission invoice', MC: 'material credit invoice',
  CE: 'consolidated credit invoice', CG: 'consolidated credit memo',
};
/** TDS01 (element 610, N2): at most 15 digits. */
const TDS01_DIGITS = 15;

/** IT102 (element 358, quantity invoiced): R, at most 10 digits; IT104 (212, unit price): R, at most 17. */
const IT102_DIGITS = 10;
const IT104_DIGITS = 17;

type Billed = { lines: Map<string, number>; places: Map<string, { sku: X12Place; quantity: X12Place }> };

/**
 * The lines an 810 bills (its IT1 segments), by part: IT102 a whole quantity of 1 or more (the one quantity reader,
 * domain/quantity.ts: a fraction, zero or a sign refused, AK4 IT102), IT104 no negative unit price (AK4 IT104 6),
 * the part as PO1's (IT106/IT107 pairs: BP, then VP, then UP); IT102 in eaches: IT103 EA (or none) as written, a pack
 * unit through the IT1 loop's PO4, any other refused (AK4 IT103 355 or the PO4 element: mapping.ts unitEaches). Whether the part is on the PO and not billed beyond
 * its quantity is the PO's rule (domain/supplier-updates/invoice.ts), told by the element via the entry's origin.
 * `problems`: every refused line, each with the reason and the element at fault (all of them, not the first).
 */
function billedLines(segments: readonly Segment[]): { billed: Billed; problems: SetProblem[] } {
  const billed: Billed = { lines: new Map(), places: new Map() };
  const problems: SetProblem[] = [];
  const refuse = (reason: string, place: X12Place) => problems.push({ reason, fault: faultAt(place) });
  for (const [i, it1] of segments.entries()) {
    if (it1.elements[0] !== 'IT1') continue;
    const line = el(it1, 1) || String(i + 2);
    const at = (element: number, reference: number, maxDigits?: number) =>
      placeOf(segments, it1, element, reference, { label: `IT1 ${line}`, maxDigits });
    const quantity = readQuantity(el(it1, 2));
    if (el(it1, 2) === '') refuse(`IT1 ${line}: IT102 (quantity invoiced) is missing`, at(2, 358, IT102_DIGITS));
    else if (!quantity.ok) refuse(`IT1 ${line}: IT102 ${quantity.problem}`, at(2, 358, IT102_DIGITS));
    const negativePrice = /^\s*-/.test(el(it1, 4));
    if (negativePrice) {
      refuse(`IT1 ${line}: IT104 "${el(it1, 4)}" is negative: a unit price must be 0 or more`, at(4, 212, IT104_DIGITS));
    }
    const part = partElement(it1, 6);
    if (!part) {
      refuse(`IT1 ${line}: no part id qualified ${PART_QUALIFIER_LIST} (IT106–IT125)`, at(7, 234));
      continue;
    }
    // IT102 counts IT103's unit: eaches (EA, or no IT103) as written, a pack through the IT1 loop's PO4, else refused.
    // The unit is checked even when IT102 or IT104 is at fault (with a count of 1), so the set's reason tells both.
    let next = i + 1;
    while (next < segments.length && !['IT1', 'TDS'].includes(segments[next].elements[0])) next++;
    const po4 = segments.slice(i + 1, next).find((s) => s.elements[0] === 'PO4');
    const counted = quantity.ok ? quantity.value : 1;
    const eaches = el(it1, 3) === '' ? { ok: true as const, value: counted } : unitEaches(counted, { unit: el(it1, 3), name: 'IT103', po4 });
    if (!eaches.ok) {
      refuse(`IT1 ${line}: ${eaches.problem}`, 'po4' in eaches && eaches.po4
        ? placeOf(segments, eaches.po4.segment, eaches.po4.element, eaches.po4.reference, { label: `IT1 ${line}` }) : at(3, 355));
      continue;
    }
    if (negativePrice || !quantity.ok) continue;
    billed.lines.set(part.id, (billed.lines.get(part.id) ?? 0) + eaches.value);
    if (!billed.places.has(part.id)) billed.places.set(part.id, { sku: at(part.position, 234), quantity: at(2, 358, IT102_DIGITS) });
  }
  return { billed, problems };
}

/**
 * The payment terms the ITD segments state (ITD repeats: many invoicing systems send the discount in one and the
 * net terms in another, or two discount tiers), in words: each discount (ITD03 percent, ITD05 days: `2% 10`), then
 * the net days (ITD07: `Net 30 Days`), joined by `, ` (`2% 10, 1% 20, Net 30 Days`); with neither, the first
 * ITD12 description as written; else null. The due date: the net ITD's ITD06, else the invoice date plus its net
 * days. Two ITDs with different net terms (ITD06 or ITD07) say two due dates: `conflict` names the second.
 */
function termsOf(segments: readonly Segment[], invoiceDate: string | null):
  { terms: string | null; dueDate: string | null; conflict: { reason: string; segment: Segment; element: number; reference: number } | null } {
  const itds = segments.filter((s) => s.elements[0] === 'ITD' && [3, 5, 6, 7, 12].some((n) => el(s, n) !== ''));
  const discounts = itds.filter((itd) => el(itd, 3) !== '').map((itd) => `${el(itd, 3)}%${el(itd, 5) === '' ? '' : ` ${el(itd, 5)}`}`);
  const nets = itds.filter((itd) => el(itd, 6) !== '' || el(itd, 7) !== '');
  const net = nets[0];
  const conflicting = nets.find((itd) => el(itd, 6) !== el(net, 6) || el(itd, 7) !== el(net, 7));
  if (conflicting) {
    const element = el(conflicting, 7) !== el(net, 7) ? 7 : 6;
    return { terms: null, dueDate: null, conflict: { reason: `ITD0${element} "${el(conflicting, element)}": an ITD before it already gives the ` +
      `net terms (ITD06 "${el(net, 6)}", ITD07 "${el(net, 7)}"); an invoice has one due date`, segment: conflicting, element, reference: element === 7 ? 386 : 446 } };
  }
  const netDays = net && el(net, 7) !== '' ? Number(el(net, 7)) : null;
  const dueDate = net && x12Date(el(net, 6)) ? x12Date(el(net, 6)) : netDays !== null && invoiceDate ? addDays(invoiceDate, netDays) : null;
  const parts = [...discounts, ...(netDays === null ? [] : [`Net ${netDays} Days`])];
  const described = itds.find((itd) => el(itd, 12) !== '');
  return { terms: parts.length > 0 ? parts.join(', ') : described ? el(described, 12) : null, dueDate, conflict: null };
}

/** A SAC or TXI amount refused: why, and the element at fault (AK4: its position, data element, code 723). */
type AmountFault = { reason: string; segment: Segment; element: number; reference: number; code: number };

/**
 * Sums `cents` over the segments with that id that `counts` (default: all) in the summary area (after TDS) when it
 * has any, else over those of the detail: a charge stated once per line and again for the invoice is not counted
 * twice, and one the summary does not restate (freight on an IT1 line, a discount in the summary) is still read.
 * `cents` gives an amount in minor units, or why the segment gives none (the element at fault).
 */
function summaryFirst(summary: readonly Segment[], detail: readonly Segment[], id: string,
  cents: (s: Segment) => number | Omit<AmountFault, 'segment'>, counts: (s: Segment) => boolean = () => true): number | AmountFault {
  const chosen = summary.some((s) => s.elements[0] === id && counts(s)) ? summary : detail;
  let total = 0;
  for (const segment of chosen) {
    if (segment.elements[0] !== id || !counts(segment)) continue;
    const value = cents(segment);
    if (typeof value !== 'number') return { ...value, segment };
    total += value;
  }
  return total;
}

/** Why an amount element gives no amount in minor units (`read` null: not a number with at most two decimals). */
const notAnAmount = (id: string, element: number, reference: number, value: string) =>
  ({ reason: `${id}0${element} "${value}" is not an amount with at most two decimals`, element, reference, code: 6 });

/**
 * A freight SAC's amount in minor units (a charge adds, an allowance subtracts), or why there is none: SAC05 is
 * the amount (N2); a charge stated only as a percent (SAC07) or a rate (SAC08) has no amount OrderSync could store
 * as shipping_amount, and reading it as 0 would put the freight in the subtotal.
 */
function freightCents(sac: Segment): number | Omit<AmountFault, 'segment'> {
  if (el(sac, 5) === '') {
    if (el(sac, 7) === '' && el(sac, 8) === '') return 0;
    return { reason: `SAC05 (amount) is missing: the ${el(sac, 2)} freight is stated only as a ${el(sac, 7) !== '' ? `percent (SAC07 "${el(sac, 7)}")` :
      `rate (SAC08 "${el(sac, 8)}")`}, and shipping_amount needs the amount`, element: 5, reference: 610, code: 1 };
  }
  const cents = impliedCents(el(sac, 5));
  if (cents === null) return notAnAmount('SAC', 5, 610, el(sac, 5));
  return el(sac, 1) === 'A' ? -cents : el(sac, 1) === 'C' ? cents : 0;
}

/**
 * A TXI's tax amount in minor units, or why there is none: TXI02 is the amount (R); a tax stated only as a percent
 * (TXI03, not zero) has no amount OrderSync could store as tax_amount (0 would put the tax in the subtotal).
 */
function taxCents(txi: Segment): number | Omit<AmountFault, 'segment'> {
  if (el(txi, 2) === '') {
    if (el(txi, 3) === '' || Number(el(txi, 3)) === 0) return 0;
    return { reason: `TXI02 (tax amount) is missing: the ${el(txi, 1)} tax is stated only as a percent (TXI03 "${el(txi, 3)}"), and ` +
      'tax_amount needs the amount', element: 2, reference: 782, code: 1 };
  }
  const cents = decimalCents(el(txi, 2));
  return cents === null ? notAnAmount('TXI', 2, 782, el(txi, 2)) : cents;
}

/** The entries (one) of one 810 set (its segments between ST and SE). */
export function map810(segments: readonly Segment[], ctx: MapContext): DocumentEntry[] {
  const big = segments.find((s) => s.elements[0] === 'BIG')!;
  const poNumber = el(big, 4);
  // Every fault of the set is collected, not the first only (as the 997's syntax check does): one refused entry
  // tells them all, and its fault carries each element for the 997's AK3/AK4.
  const problems: SetProblem[] = [];
  const refuse = (reason: string, place: X12Place, code?: number) => problems.push({ reason, fault: faultAt(place, code) });
  if (!poNumber) refuse('BIG04 (the PO number) is empty: an invoice is joined to its PO by it', placeOf(segments, big, 4, 324));
  const credit = CREDIT_TYPES[el(big, 7)];
  if (credit) refuse(`BIG07 "${el(big, 7)}" (${credit}): credits are not invoices OrderSync records`, placeOf(segments, big, 7, 640));
  const withdrawal = withdrawalOf(big, 8, 'an invoice');
  if (withdrawal) refuse(withdrawal, placeOf(segments, big, 8, 353));

  const tdsIndex = segments.findIndex((s) => s.elements[0] === 'TDS');
  const detail = segments.slice(0, tdsIndex);
  const summary = segments.slice(tdsIndex + 1);
  const totalPlace = placeOf(segments, segments[tdsIndex], 1, 610, { maxDigits: TDS01_DIGITS });
  const total = impliedCents(el(segments[tdsIndex], 1));
  if (total === null || total < 0) refuse(`TDS01 "${el(segments[tdsIndex], 1)}" is not a total amount (implied two decimals)`, totalPlace);

  // Only the freight codes decide where the freight is read: a summary holding a discount (SAC C310) and no freight
  // leaves the freight its lines state.
  const shipping = summaryFirst(summary, detail, 'SAC', freightCents, (s) => FREIGHT.includes(el(s, 2)));
  const amountFault = (f: AmountFault) => placeOf(segments, f.segment, f.element, f.reference);
  if (typeof shipping !== 'number') refuse(shipping.reason, amountFault(shipping), shipping.code);
  const tax = summaryFirst(summary, detail, 'TXI', taxCents);
  if (typeof tax !== 'number') refuse(tax.reason, amountFault(tax), tax.code);
  if (typeof shipping === 'number' && shipping < 0) {
    const allowance = segments.find((s) => s.elements[0] === 'SAC' && el(s, 1) === 'A' && FREIGHT.includes(el(s, 2)))!;
    refuse('SAC D240: freight allowances exceed the freight charged', placeOf(segments, allowance, 5, 610));
  } else if (total !== null && total >= 0 && typeof shipping === 'number' && typeof tax === 'number' && total - tax - shipping < 0) {
    refuse(`TDS01 total ${amountOf(total).toFixed(2)} is less than tax (TXI02) ${amountOf(tax).toFixed(2)} ` +
      `plus freight (SAC D240) ${amountOf(shipping).toFixed(2)}`, totalPlace);
  }

  // The invoice's currency is the heading's CUR (before the first IT1), else USD: a CUR inside an IT1 loop prices
  // that line only, so one naming another currency makes a total (TDS01) in two currencies, and is refused.
  const firstLine = segments.findIndex((s) => s.elements[0] === 'IT1');
  const cur = segments.slice(0, firstLine === -1 ? tdsIndex : firstLine).find((s) => s.elements[0] === 'CUR');
  const currency = cur ? el(cur, 2).toUpperCase() : 'USD';
  for (const lineCur of firstLine === -1 ? [] : segments.slice(firstLine, tdsIndex).filter((s) => s.elements[0] === 'CUR')) {
    if (el(lineCur, 2).toUpperCase() === currency) continue;
    refuse(`CUR02 "${el(lineCur, 2)}" (in an IT1 loop): a line in another currency than the invoice's ${currency} ` +
      `(${cur ? 'the heading\'s CUR' : 'no CUR in the heading'}): one invoice total cannot be in both`,
      placeOf(segments, lineCur, 2, 100), 7);
  }
  const invoiceDate = x12Date(el(big, 1));
  const { terms, dueDate, conflict } = termsOf(segments, invoiceDate);
  if (conflict) refuse(conflict.reason, placeOf(segments, conflict.segment, conflict.element, conflict.reference), 7);

  const { billed, problems: lineProblems } = billedLines(segments);
  problems.push(...lineProblems);
  if (problems.length > 0 || total === null || typeof shipping !== 'number' || typeof tax !== 'number') {
    problems.sort((a, b) => a.fault.position - b.fault.position);
    return [withProblems(rejectedEntry(ctx, 'invoice', poNumber || null, combinedReason(problems), combinedFault(problems)), problems)];
  }
  const subtotal = total - tax - shipping;

  const origin: Record<string, X12Place> = {
    po_number: placeOf(segments, big, 4, 324), invoice_number: placeOf(segments, big, 2, 76), invoice_date: placeOf(segments, big, 1, 373),
    // The subtotal is derived from the total (above), so a subtotal the currency cannot hold is the total's fault.
    total_amount: totalPlace, subtotal_amount: totalPlace,
  };
  if (cur) origin.currency = placeOf(segments, cur, 2, 100);
  // A refusal naming no element (the supplier supplies no line of the PO) names the BIG segment (AK3 only).
  origin[SET_PLACE] = segmentPlace(placeOf(segments, big, 0, 0));
  const n1 = supplierN1(segments);
  if (n1) origin.supplier_name = placeOf(segments, n1, 2, 93);
  const vn = refSegment(segments, 'VN');
  if (vn) origin.supplier_order_id = placeOf(segments, vn, ...refElement(vn));
  [...billed.places.values()].forEach((places, i) => {
    origin[`lines[${i}].sku`] = places.sku;
    origin[`lines[${i}].quantity`] = places.quantity;
  });
  const lines = billed.lines.size > 0 ? { lines: [...billed.lines].map(([sku, quantity]) => ({ sku, quantity })) } : {};

  return [entryOf(ctx, 'invoice', {
    type: 'invoice', po_number: poNumber, supplier_order_id: refOf(segments, 'VN'), supplier_name: supplierNameOf(segments, ctx),
    invoice_number: el(big, 2), invoice_date: invoiceDate, due_date: dueDate, payment_terms: terms,
    subtotal_amount: amountOf(subtotal), tax_amount: amountOf(tax), shipping_amount: amountOf(shipping), total_amount: amountOf(total),
    currency, status: 'open', ...lines,
  }, origin)];
}

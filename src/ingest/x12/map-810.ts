// 810 Invoice → an `invoice` supplier update (DESIGN 3).
// BIG01 invoice date, BIG02 invoice number, BIG04 PO number; REF VN supplier order; CUR02 currency (USD when
// absent); ITD terms, over every ITD: ITD03/ITD05 discount → `2% 10`, ITD07 net days → `Net 60 Days` (both, in one ITD or
// two: `2% 10, Net 60 Days`), ITD06 the due date (else invoice date + net days; two different net terms refuse the set);
// TDS01 the total in implied minor units (N2). Freight, tax and the other charges and allowances: invoice-amounts.ts
// (freight is SAC D240, G821 or G830 → shipping amount; tax the sum of TXI02; either stated only as a percent is
// refused; the summary area after TDS wins over the lines when it restates a charge, so none is counted twice).
// TDS01 must be what the set adds up to: the IT1 lines (IT102 × IT104 ÷ IT105's basis, rounded to the cent a line
// at a time or once) + the charges − the allowances + the tax, compared exactly as the JSON API compares an
// invoice's total (sumMatches); a TDS01 that disagrees refuses the set, naming both amounts, rather than recording a total the lines do not make.
// The invoice states no subtotal: subtotal = total − tax − shipping (so the three always add up to the total,
// as the API requires); other charges and allowances stay inside the subtotal.
import { addDays } from '../../domain/dates.ts';
import { decimalOf, roundHalfUp } from '../../domain/money.ts';
import { readQuantity } from '../../domain/quantity.ts';
import { sumMatches } from '../../domain/supplier-updates/parse.ts';
import type { DocumentEntry, X12Place } from '../types.ts';
import { centsText, FREIGHT, invoiceAmounts } from './invoice-amounts.ts';
import { SET_PLACE, combinedFault, combinedReason, segmentPlace, withProblems, type SetProblem } from './faults.ts';
import {
  amountOf, entryOf, faultAt, impliedCents, lineOf, partElement, PART_QUALIFIER_LIST, placeOf, refElement, refOf, refSegment, rejectedEntry, supplierN1, supplierNameOf,
  unitEaches, withdrawalOf, type MapContext,
} from './mapping.ts';
import { el, type Segment } from './tokenizer.ts';
import { x12Date } from './x12-dates.ts';

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

/** The lines billed by part id: quantity, the other part ids its first IT1 names (mapping.ts partElement), places. */
type Billed = { lines: Map<string, number>; also: Map<string, string[]>; places: Map<string, { sku: X12Place; quantity: X12Place }> };

/**
 * IT105 codes (element 639, basis of unit price) whose price is for a power of ten of IT103's unit: per ten (PN),
 * hundred (HP, and the catalog, quoted, retail, contract and wholesale prices per hundred), thousand (TP and
 * likewise), 10,000 (TT) and 100,000 (HT). The value is the power of ten.
 */
const PRICE_PER_POWER_OF_TEN: Readonly<Record<string, number>> = {
  PN: 1, HP: 2, LC: 2, QH: 2, RC: 2, TC: 2, WC: 2, TP: 3, LM: 3, QS: 3, RM: 3, TM: 3, WM: 3, TT: 4, HT: 5,
};
/**
 * IT105 codes priced per one of IT103's unit: per each (PE and the catalog, quoted, retail, contract and wholesale
 * prices per each), per unit of measure (UM), and the codes that say what kind of price it is rather than what it
 * is for (contract, net, catalog, quoted, …), which price the unit IT103 names. Any other code (per dozen, per
 * foot, per pound, no charge, not separately priced, …) prices something IT102 does not count: the lines' amount
 * is then unknown and TDS01 is taken as stated.
 */
const PRICE_PER_UNIT = new Set(['', 'PE', 'LE', 'QE', 'RE', 'TE', 'WE', 'UM', 'CA', 'CP', 'CT', 'DI', 'DR', 'DS', 'FX', 'NT',
  'PR', 'PV', 'QT', 'RS', 'RT', 'SC', 'SR', 'ST', 'SW', 'WH']);

/** A line's exact amount IT102 × IT104 (÷ IT105's power of ten) as decimal units at `scale`; null when IT105 prices another basis. */
function lineAmount(quantity: number, price: string, basis: string): { units: bigint; scale: number } | null {
  const per = PRICE_PER_POWER_OF_TEN[basis] ?? (PRICE_PER_UNIT.has(basis) ? 0 : null);
  if (per === null) return null;
  const { units, scale } = decimalOf(price)!;
  return { units: BigInt(quantity) * units, scale: scale + per };
}

/**
 * What the IT1 lines amount to, in hundredths, two ways: each line's extended amount rounded half up to the cent
 * and summed (`perLine`, as most invoicing systems print a line's amount), and the exact sum rounded once (`once`).
 * A supplier's TDS01 may be either: they differ by at most half a cent a line. Null when a line's IT105 prices a
 * basis IT102 does not count (lineAmount).
 */
export interface LinesAmount { perLine: bigint; once: bigint }

function addLine(total: { perLine: bigint; exact: { units: bigint; scale: number } } | null, line: { units: bigint; scale: number } | null) {
  if (total === null || line === null) return null;
  const scale = Math.max(total.exact.scale, line.scale);
  const at = (d: { units: bigint; scale: number }) => d.units * 10n ** BigInt(scale - d.scale);
  return { perLine: total.perLine + roundHalfUp(line, 2), exact: { units: at(total.exact) + at(line), scale } };
}

/**
 * The lines an 810 bills (its IT1 segments), by part: IT102 a whole quantity of 1 or more (the one quantity reader,
 * domain/quantity.ts: a fraction, zero or a sign refused, AK4 IT102), IT104 a unit price of 0 or more (negative: AK4
 * IT104 6; missing: code 2), the lines' amount IT102 × IT104 (lineAmount, summed in `amount`),
 * the part as PO1's (IT106/IT107 pairs: BP, then VP, then UP); IT102 in eaches: IT103 EA (or none) as written, a pack
 * unit through the IT1 loop's PO4, any other refused (AK4 IT103 355 or the PO4 element: mapping.ts unitEaches). Whether the part is on the PO and not billed beyond
 * its quantity is the PO's rule (domain/supplier-updates/invoice.ts), told by the element via the entry's origin.
 * `problems`: every refused line, each with the reason and the element at fault (all of them, not the first).
 */
function billedLines(segments: readonly Segment[]): { billed: Billed; amount: LinesAmount | null; problems: SetProblem[] } {
  const billed: Billed = { lines: new Map(), also: new Map(), places: new Map() };
  let sum: Parameters<typeof addLine>[0] = { perLine: 0n, exact: { units: 0n, scale: 0 } };
  const problems: SetProblem[] = [];
  const refuse = (reason: string, place: X12Place, code?: number) => problems.push({ reason, fault: faultAt(place, code) });
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
    // X12's IT1 syntax note P020304 (IT102, IT103 and IT104 go together), and TDS01 is checked against the lines' amounts.
    const noPrice = el(it1, 4) === '';
    if (noPrice) refuse(`IT1 ${line}: IT104 (unit price) is missing: TDS01, the total, is checked against each line's quantity × unit price`, at(4, 212), 2);
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
    if (negativePrice || noPrice || !quantity.ok) continue;
    sum = addLine(sum, lineAmount(quantity.value, el(it1, 4), el(it1, 5).toUpperCase()));
    billed.lines.set(part.id, (billed.lines.get(part.id) ?? 0) + eaches.value);
    if (!billed.also.has(part.id)) billed.also.set(part.id, part.others);
    if (!billed.places.has(part.id)) billed.places.set(part.id, { sku: at(part.position, 234), quantity: at(2, 358, IT102_DIGITS) });
  }
  return { billed, amount: sum && { perLine: sum.perLine, once: roundHalfUp(sum.exact, 2) }, problems };
}

/**
 * The payment terms the ITD segments state (ITD repeats: many invoicing systems send the discount in one and the
 * net terms in another, or two discount tiers), in words: each discount (ITD03 percent, ITD05 days: `2% 10`), then
 * the net days (ITD07: `Net 30 Days`), joined by `, ` (`2% 10, 1% 20, Net 30 Days`); with neither, the first
 * ITD12 description as written; else null. The due date: the net ITD's ITD06, else the invoice date plus its net
 * days. Two ITDs with different net terms (ITD06 or ITD07) say two due dates: `conflict` names the second.
 */
function termsOf(segments: readonly Segment[], invoiceDate: string | null): {
  terms: string | null; dueDate: string | null; conflict: { reason: string; segment: Segment; element: number; reference: number; code: number } | null;
  /** The elements the terms and the due date were read from (ITD07 or ITD06; the first ITD read), for the 997. */
  termsFrom: { segment: Segment; element: number; reference: number } | null;
  dueFrom: { segment: Segment; element: number; reference: number } | null;
} {
  const itds = segments.filter((s) => s.elements[0] === 'ITD' && [3, 5, 6, 7, 12].some((n) => el(s, n) !== ''));
  // A percent or a number of days is 0 or more: `ITD07 -10` would date the invoice due before it was issued. The
  // syntax check (syntax.ts) has already refused what is no number or too long; a sign is refused here, code 6.
  for (const itd of itds) {
    for (const [element, reference, name] of [[3, 338, 'discount percent'], [5, 351, 'discount days'], [7, 386, 'net days']] as const) {
      if (!el(itd, element).startsWith('-')) continue;
      return { terms: null, dueDate: null, termsFrom: null, dueFrom: null, conflict: { reason: `ITD0${element} "${el(itd, element)}" is negative: ` +
        `the ${name} of payment terms are 0 or more`, segment: itd, element, reference, code: 6 } };
    }
  }
  const discounts = itds.filter((itd) => el(itd, 3) !== '').map((itd) => `${el(itd, 3)}%${el(itd, 5) === '' ? '' : ` ${el(itd, 5)}`}`);
  const nets = itds.filter((itd) => el(itd, 6) !== '' || el(itd, 7) !== '');
  const net = nets[0];
  const conflicting = nets.find((itd) => el(itd, 6) !== el(net, 6) || el(itd, 7) !== el(net, 7));
  if (conflicting) {
    const element = el(conflicting, 7) !== el(net, 7) ? 7 : 6;
    return { terms: null, dueDate: null, termsFrom: null, dueFrom: null, conflict: { reason: `ITD0${element} "${el(conflicting, element)}": an ITD before it already gives the ` +
      `net terms (ITD06 "${el(net, 6)}", ITD07 "${el(net, 7)}"); an invoice has one due date`, segment: conflicting, element, reference: element === 7 ? 386 : 446, code: 7 } };
  }
  const netDays = net && el(net, 7) !== '' ? Number(el(net, 7)) : null;
  const dueDate = net && x12Date(el(net, 6)) ? x12Date(el(net, 6)) : netDays !== null && invoiceDate ? addDays(invoiceDate, netDays) : null;
  const parts = [...discounts, ...(netDays === null ? [] : [`Net ${netDays} Days`])];
  const described = itds.find((itd) => el(itd, 12) !== '');
  const dueFrom = !net ? null : x12Date(el(net, 6)) ? { segment: net, element: 6, reference: 446 } : netDays !== null ? { segment: net, element: 7, reference: 386 } : null;
  const first = itds.find((itd) => el(itd, 3) !== '') ?? net;
  const termsFrom = parts.length === 0 ? (described ? { segment: described, element: 12, reference: 352 } : null)
    : first === net && netDays !== null ? { segment: net, element: 7, reference: 386 } : { segment: first!, element: 3, reference: 338 };
  return { terms: parts.length > 0 ? parts.join(', ') : described ? el(described, 12) : null, dueDate, conflict: null, termsFrom, dueFrom };
}

/**
 * The PO an 810 bills, and where it was read: BIG04, else (BIG04 being optional in X12) a REF `PO` of the heading
 * (before the first IT1), as some invoicing systems write it. An invoice is recorded against one PO (DESIGN 3), so
 * refused, naming the element: no PO at all (BIG04 1); a heading REF PO naming another PO than BIG04 (REF02 7); and
 * an IT1 loop's REF PO naming another PO than the invoice's (REF02 7), the consolidated invoice some suppliers send
 * for several POs, whose lines would otherwise be billed to the first PO (a line's part may be on both).
 */
function invoicePo(segments: readonly Segment[], big: Segment): { poNumber: string; poPlace: X12Place; poProblems: SetProblem[] } {
  const poProblems: SetProblem[] = [];
  const firstLine = segments.findIndex((s) => s.elements[0] === 'IT1');
  const isPoRef = (s: Segment) => s.elements[0] === 'REF' && el(s, 1) === 'PO' && el(s, 2) !== '';
  const headingRef = segments.slice(0, firstLine === -1 ? segments.length : firstLine).find(isPoRef);
  const fromBig = el(big, 4) !== '';
  const poNumber = fromBig ? el(big, 4) : headingRef ? el(headingRef, 2) : '';
  const poPlace = fromBig || !headingRef ? placeOf(segments, big, 4, 324) : placeOf(segments, headingRef, 2, 127);
  if (poNumber === '') {
    poProblems.push({ reason: 'BIG04 (the PO number) is empty, and no REF PO names one: an invoice is joined to its PO by it', fault: faultAt(poPlace) });
    return { poNumber, poPlace, poProblems };
  }
  let line = '';
  for (const [i, segment] of segments.entries()) {
    if (segment.elements[0] === 'IT1') line = el(segment, 1) || String(i + 2);
    if (segment.elements[0] === 'TDS') break;
    if (!isPoRef(segment) || el(segment, 2) === poNumber) continue;
    const where = segment === headingRef || firstLine === -1 || i < firstLine ? 'the heading\'s REF PO' : `REF PO of IT1 ${line}`;
    poProblems.push({
      reason: `REF02 "${el(segment, 2)}" (${where}) names another PO than the invoice's ${poNumber} (${fromBig ? 'BIG04' : 'REF PO'}): ` +
        'an invoice is recorded against one PO; send one 810 per PO',
      fault: faultAt(placeOf(segments, segment, 2, 127, { label: line ? `IT1 ${line}` : '' }), 7),
    });
  }
  return { poNumber, poPlace, poProblems };
}

/** The entries (one) of one 810 set (its segments between ST and SE). */
export function map810(segments: readonly Segment[], ctx: MapContext): DocumentEntry[] {
  const big = segments.find((s) => s.elements[0] === 'BIG')!;
  const { poNumber, poPlace, poProblems } = invoicePo(segments, big);
  // Every fault of the set is collected, not the first only (as the 997's syntax check does): one refused entry
  // tells them all, and its fault carries each element for the 997's AK3/AK4.
  const problems: SetProblem[] = [];
  const refuse = (reason: string, place: X12Place, code?: number) => problems.push({ reason, fault: faultAt(place, code) });
  problems.push(...poProblems);
  const credit = CREDIT_TYPES[el(big, 7)];
  if (credit) refuse(`BIG07 "${el(big, 7)}" (${credit}): credits are not invoices OrderSync records`, placeOf(segments, big, 7, 640));
  const withdrawal = withdrawalOf(big, 8, 'an invoice');
  if (withdrawal) refuse(withdrawal, placeOf(segments, big, 8, 353));

  const tdsIndex = segments.findIndex((s) => s.elements[0] === 'TDS');
  const tds = segments[tdsIndex];
  const totalPlace = placeOf(segments, tds, 1, 610, { maxDigits: TDS01_DIGITS });
  const total = impliedCents(el(tds, 1));
  const totalDigits = el(tds, 1).replace(/^-?0*(?=\d)/, '').replace('.', '').length;
  if (total === null) refuse(`TDS01 "${el(tds, 1)}" is not a total amount (N2: the last two digits are the cents)`, totalPlace);
  // A negative total is money the supplier owes (a credit, as BIG07 CR says it), not an invoice the retailer pays.
  else if (total < 0) refuse(`TDS01 "${el(tds, 1)}" is negative (${centsText(total)}): a credit, not an invoice OrderSync records`, totalPlace, 6);
  else if (totalDigits > TDS01_DIGITS) refuse(`TDS01 "${el(tds, 1)}" has more than ${TDS01_DIGITS} digits, the most an amount (element 610) has`, totalPlace, 5);

  const amounts = invoiceAmounts(segments.slice(tdsIndex + 1), segments.slice(0, tdsIndex));
  for (const fault of amounts.faults) refuse(fault.reason, placeOf(segments, fault.segment, fault.element, fault.reference), fault.code);
  const { shipping, tax } = amounts;
  if (amounts.faults.length === 0 && shipping < 0) {
    refuse(`SAC ${el(amounts.freightAllowance!, 2)}: freight allowances exceed the freight charged`, placeOf(segments, amounts.freightAllowance!, 5, 610));
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
  const { terms, dueDate, conflict, termsFrom, dueFrom } = termsOf(segments, invoiceDate);
  if (conflict) refuse(conflict.reason, placeOf(segments, conflict.segment, conflict.element, conflict.reference), conflict.code);

  const { billed, amount: linesAmount, problems: lineProblems } = billedLines(segments);
  problems.push(...lineProblems);
  // TDS01 against what the set adds up to, with the one exact sum check the JSON API uses for an invoice's total;
  // only when every part was read (a part at fault is named on its own; the total's mismatch would follow from it)
  // and every line's price basis is one IT102 counts (else the lines' amount is unknown, and TDS01 is taken as
  // stated). The lines may be rounded a line at a time or once (LinesAmount): either is the supplier's total.
  if (total !== null && total >= 0 && totalDigits <= TDS01_DIGITS && amounts.faults.length === 0) {
    const others = [centsText(amounts.charges), centsText(-amounts.allowances), centsText(tax)];
    const sumOf = (lines: bigint) => sumMatches([centsText(lines), ...others], centsText(total));
    const check = lineProblems.length > 0 || linesAmount === null ? { ok: true, sum: '' }
      : [sumOf(linesAmount.perLine), sumOf(linesAmount.once)].find((c) => c.ok) ?? sumOf(linesAmount.perLine);
    if (!check.ok) {
      const lines = centsText(linesAmount!.perLine);
      refuse(`TDS01 "${el(tds, 1)}" states a total of ${centsText(total)}, but the invoice adds up to ${check.sum}: IT1 lines (quantity × unit ` +
        `price) ${lines} + SAC charges ${others[0]} − SAC allowances ${centsText(amounts.allowances)} + TXI tax ${others[2]}`, totalPlace, 7);
    } else if (shipping >= 0 && total - tax - shipping < 0) {
      // Whatever the lines: the subtotal (total − tax − shipping) would be negative.
      refuse(`TDS01 total ${centsText(total)} is less than tax (TXI02) ${centsText(tax)} plus freight (SAC D240) ${centsText(shipping)}`, totalPlace);
    }
  }
  if (problems.length > 0 || total === null) {
    problems.sort((a, b) => a.fault.position - b.fault.position);
    return [withProblems(rejectedEntry(ctx, 'invoice', poNumber || null, combinedReason(problems), combinedFault(problems)), problems)];
  }
  const subtotal = total - tax - shipping;

  const origin: Record<string, X12Place> = {
    po_number: poPlace, invoice_number: placeOf(segments, big, 2, 76), invoice_date: placeOf(segments, big, 1, 373),
    // The subtotal is derived from the total (above), so a subtotal the currency cannot hold is the total's fault.
    total_amount: totalPlace, subtotal_amount: totalPlace,
  };
  if (cur) origin.currency = placeOf(segments, cur, 2, 100);
  // Tax and freight the currency cannot hold (`TXI*ST*4.79` on a JPY invoice) name the TXI02 or SAC05 they came from.
  if (amounts.taxFrom) origin.tax_amount = placeOf(segments, amounts.taxFrom, 2, 782);
  if (amounts.freightFrom) origin.shipping_amount = placeOf(segments, amounts.freightFrom, 5, 610);
  // The due date and the terms are the ITD's: a due date the PO refuses (before the invoice date) names ITD06 or ITD07.
  if (dueFrom) origin.due_date = placeOf(segments, dueFrom.segment, dueFrom.element, dueFrom.reference);
  if (termsFrom) origin.payment_terms = placeOf(segments, termsFrom.segment, termsFrom.element, termsFrom.reference);
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
  const lines = billed.lines.size > 0 ? { lines: [...billed.lines].map(([sku, quantity]) => lineOf(sku, quantity, billed.also.get(sku))) } : {};

  return [entryOf(ctx, 'invoice', {
    type: 'invoice', po_number: poNumber, supplier_order_id: refOf(segments, 'VN'), supplier_name: supplierNameOf(segments, ctx),
    invoice_number: el(big, 2), invoice_date: invoiceDate, due_date: dueDate, payment_terms: terms,
    subtotal_amount: amountOf(subtotal), tax_amount: amountOf(tax), shipping_amount: amountOf(shipping), total_amount: amountOf(total),
    currency, status: 'open', ...lines,
  }, origin)];
}

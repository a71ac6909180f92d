// The amounts of an 810 (DESIGN 3), in hundredths (X12 amounts are N2 or R with at most two decimals): freight
// (SAC D240, G821, G830) → shipping_amount, tax (TXI02) → tax_amount, and every other charge and allowance, which
// stay inside the subtotal; together with the IT1 lines (invoice-lines in map-810.ts) they are what TDS01, the
// invoice's total, must add up to. An amount stated only as a percent or a rate is refused, not read as 0:
// OrderSync does not compute percents, and 0 would silently drop the charge from every sum.
import { unitsToText } from '../../domain/money.ts';
import { decimalCents, impliedCents } from './mapping.ts';
import { el, type Segment } from './tokenizer.ts';

/**
 * SAC02 codes (element 1300) that are the shipping amount: D240 freight, G821 shipping, G830 shipping and handling
 * (what many suppliers' invoicing systems bill the delivery as, instead of D240).
 */
export const FREIGHT = ['D240', 'G821', 'G830'];

/** A SAC or TXI amount refused: why, and the element at fault (AK4: its position, data element, code 723). */
export type AmountFault = { reason: string; segment: Segment; element: number; reference: number; code: number };
type Fault = Omit<AmountFault, 'segment'>;

/**
 * SAC12 codes (element 331, method of handling) that settle the allowance or charge outside this invoice, so it is
 * in neither its total nor its shipping: 01 bill back, 03 vendor check to customer, 04 credit customer account, 05
 * charge to be paid by vendor, 15 information only ("not to be added or subtracted from the transaction", X12).
 */
const SETTLED_ELSEWHERE: Readonly<Record<string, string>> = {
  '01': 'bill back', '03': 'vendor check to customer', '04': 'credit customer account', '05': 'charge to be paid by vendor', 15: 'information only',
};

/**
 * TXI06 codes (element 441, tax exempt code) saying no tax is due, so a TXI02 of 0 beside a TXI03 rate is the
 * tax: 0 exempt for export, 1 yes (tax exempt), 3 exempt for resale, 5 exempt not for resale, 8 exempt (sale to
 * the U.S. government), 9 exempt per state law, C not taxable, E/L/R/U exempt services, F/G exempt from GST/PST.
 */
const TAX_EXEMPT = new Set(['0', '1', '3', '5', '8', '9', 'C', 'E', 'F', 'G', 'L', 'R', 'U']);

const isNonZero = (value: string) => value !== '' && Number(value) !== 0;

/** Whether a SAC moves the invoice's amounts: SAC01 A (allowance) or C (charge), not settled elsewhere (SAC12). */
const counts = (sac: Segment) => (el(sac, 1) === 'A' || el(sac, 1) === 'C') && SETTLED_ELSEWHERE[el(sac, 12)] === undefined;

/**
 * A counted SAC's amount in hundredths, signed (a charge adds, an allowance subtracts), or why it has none. SAC05
 * is the amount (N2). With SAC05 empty or 0 beside a percent (SAC07, with its SAC06 base) or a rate (SAC08) that is
 * not 0, the charge is stated only as a percent or rate, which OrderSync does not compute: refused (code 1 when
 * SAC05 is empty, 7 when it is 0), as 0 would drop the charge. A signed SAC05 is refused too: SAC01 says which way
 * the money goes, and `SAC*A*…*-500` would read as a charge.
 */
function sacCents(sac: Segment): number | Fault {
  const what = el(sac, 1) === 'A' ? 'allowance' : 'charge';
  const kind = `${el(sac, 2) || el(sac, 4) || 'SAC'} ${what}`;
  const amount = el(sac, 5);
  const cents = amount === '' ? 0 : impliedCents(amount);
  if (cents === null) return notAnAmount('SAC', 5, 610, amount);
  if (cents === 0 && (isNonZero(el(sac, 7)) || isNonZero(el(sac, 8)))) {
    const stated = isNonZero(el(sac, 7)) ? `a percent (SAC07 "${el(sac, 7)}")` : `a rate (SAC08 "${el(sac, 8)}")`;
    return { reason: `SAC05 (amount) ${amount === '' ? 'is missing' : `is "${amount}"`}: the ${kind} is stated only as ${stated}, which ` +
      'OrderSync does not compute; the invoice needs the amount', element: 5, reference: 610, code: amount === '' ? 1 : 7 };
  }
  if (cents < 0) {
    return { reason: `SAC05 "${amount}" is negative: SAC01 "${el(sac, 1)}" already says it is ${what === 'allowance' ? 'an allowance' : 'a charge'}; ` +
      'write the amount without a sign', element: 5, reference: 610, code: 6 };
  }
  return el(sac, 1) === 'A' ? -cents : cents;
}

/**
 * A TXI's tax amount in hundredths, or why it has none: TXI02 is the amount (R). Empty or 0 beside a TXI03 rate
 * that is not 0 (and no TXI06 saying the tax is not due) states the tax only as a percent: refused (code 1 when
 * TXI02 is empty, 7 when it is 0), as 0 would put the tax in the subtotal. A negative TXI02 is refused: tax_amount
 * is 0 or more.
 */
function taxCents(txi: Segment): number | Fault {
  const amount = el(txi, 2);
  const cents = amount === '' ? 0 : decimalCents(amount);
  if (cents === null) return notAnAmount('TXI', 2, 782, amount);
  if (cents === 0 && isNonZero(el(txi, 3)) && !TAX_EXEMPT.has(el(txi, 6))) {
    return { reason: `TXI02 (tax amount) ${amount === '' ? 'is missing' : `is "${amount}"`}: the ${el(txi, 1)} tax is stated only as a percent ` +
      `(TXI03 "${el(txi, 3)}"), which OrderSync does not compute; tax_amount needs the amount`, element: 2, reference: 782, code: amount === '' ? 1 : 7 };
  }
  if (cents < 0) return { reason: `TXI02 "${amount}" is negative: an invoice's tax is 0 or more`, element: 2, reference: 782, code: 6 };
  return cents;
}

/** Why an amount element gives no amount in hundredths (not a number with at most two decimals). */
const notAnAmount = (id: string, element: number, reference: number, value: string): Fault =>
  ({ reason: `${id}0${element} "${value}" is not an amount with at most two decimals`, element, reference, code: 6 });

/**
 * The segments with id `id` that count, from the summary area (after TDS) or the detail (before it), per group of
 * `groupOf`: the summary's when it has one of that group, else the detail's. A charge stated on each line and
 * again for the invoice is then counted once, and one the summary does not restate (freight on an IT1 line beside
 * a discount in the summary) is still counted. `groupOf` null: the segment does not count.
 */
function summaryFirst(summary: readonly Segment[], detail: readonly Segment[], id: string, groupOf: (s: Segment) => string | null): Segment[] {
  const inSummary = new Set(summary.filter((s) => s.elements[0] === id).map(groupOf).filter((g) => g !== null));
  const chosen = (s: Segment, fromSummary: boolean) => s.elements[0] === id && groupOf(s) !== null && inSummary.has(groupOf(s)!) === fromSummary;
  return [...detail.filter((s) => chosen(s, false)), ...summary.filter((s) => chosen(s, true))];
}

/** An 810's charges, allowances, freight and tax, in hundredths; or the amounts refused. */
export interface InvoiceAmounts {
  /** The freight charges less the freight allowances: shipping_amount (negative: allowances exceed the freight). */
  shipping: number;
  tax: number;
  /** Every counted charge (freight included), and every counted allowance (as a positive amount). */
  charges: number;
  allowances: number;
  /** The first freight allowance, for a refusal when allowances exceed the freight. */
  freightAllowance: Segment | null;
  /** The first freight SAC and the first TXI counted: the elements the shipping and tax amounts name when refused. */
  freightFrom: Segment | null;
  taxFrom: Segment | null;
  faults: AmountFault[];
}

/**
 * The amounts of an 810's SACs and TXIs. SACs are grouped by what they are (freight, whichever of its codes; every
 * other SAC02 code on its own) and read from the summary when it has that group (summaryFirst), so the shipping
 * amount and the total count a restated charge once; TXIs likewise, all one group. `summary`: the segments after
 * TDS; `detail`: those before it.
 */
export function invoiceAmounts(summary: readonly Segment[], detail: readonly Segment[]): InvoiceAmounts {
  const amounts: InvoiceAmounts = { shipping: 0, tax: 0, charges: 0, allowances: 0, freightAllowance: null, freightFrom: null, taxFrom: null, faults: [] };
  const sacGroup = (s: Segment) => (!counts(s) ? null : FREIGHT.includes(el(s, 2)) ? 'freight' : `${el(s, 2)}/${el(s, 4)}`);
  for (const sac of summaryFirst(summary, detail, 'SAC', sacGroup)) {
    const cents = sacCents(sac);
    if (typeof cents !== 'number') {
      amounts.faults.push({ ...cents, segment: sac });
      continue;
    }
    if (cents >= 0) amounts.charges += cents;
    else amounts.allowances -= cents;
    if (sacGroup(sac) !== 'freight') continue;
    amounts.shipping += cents;
    amounts.freightFrom ??= sac;
    if (el(sac, 1) === 'A') amounts.freightAllowance ??= sac;
  }
  for (const txi of summaryFirst(summary, detail, 'TXI', () => 'tax')) {
    const cents = taxCents(txi);
    if (typeof cents !== 'number') {
      amounts.faults.push({ ...cents, segment: txi });
      continue;
    }
    amounts.tax += cents;
    if (cents !== 0) amounts.taxFrom ??= txi;
  }
  return amounts;
}

/** Hundredths (a number or bigint) → their exact decimal text: `-250` → `-2.50`. */
export const centsText = (cents: number | bigint): string => unitsToText(BigInt(cents), 2);

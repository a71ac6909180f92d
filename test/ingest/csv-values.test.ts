// The cell readers of CSV supplier documents (DESIGN 3, "CSV"): dates, quantities, amounts, carriers, header aliases.
import { describe, expect, it } from 'vitest';
import { mapColumns, reduceHeader } from '../../src/ingest/csv/columns.ts';
import { declaredSeparator, detectDelimiter } from '../../src/ingest/csv/reader.ts';
import { excelText } from '../../src/ingest/csv/excel-cells.ts';
import { readAmount, readCarrier, readDate, readDateOrInstant, readQuantity } from '../../src/ingest/csv/values.ts';

describe('CSV cells', () => {
  it.each([
    ['2026-11-20', '2026-11-20'], ['2026-11-20T15:04:00Z', '2026-11-20'], ['11/20/2026', '2026-11-20'], ['1/5/26', '2026-01-05'],
    ['01/05/2026 3:04 PM', '2026-01-05'],
    // The other forms portals export: day and month name (Excel's d-mmm-yyyy), month name first, year first with
    // slashes, and day first with dots (a European export: dots never put the month first).
    ['20-Nov-2026', '2026-11-20'], ['5-Jan-26', '2026-01-05'], ['20 Nov 2026', '2026-11-20'], ['20-nov.-2026', '2026-11-20'],
    ['Nov 20, 2026', '2026-11-20'], ['November 20 2026', '2026-11-20'], ['Sept 3, 2026', '2026-09-03'],
    ['2026/11/20', '2026-11-20'], ['2026/1/5', '2026-01-05'], ['20.11.2026', '2026-11-20'], ['5.1.2026', '2026-01-05'],
  ])('date %s → %s', (text, date) => expect(readDate(text)).toEqual({ ok: true, value: date }));

  it.each(['2026-02-30', '13/01/2026', '11.20.2026', '31-Nov-2026', '20-Foo-2026', '20-Novem-2026', 'soon', '11/20'])('date %s is refused', (text) => {
    expect(readDate(text).ok).toBe(false);
  });

  // A ship date keeps its time of day: without an offset it is UTC (the supplier systems' zone, DESIGN 1), as the
  // JSON path reads the same text; a bare date stays a day.
  it.each([
    ['2026-11-30T10:00:00', '2026-11-30T10:00:00.000Z'], ['2026-11-30 10:00', '2026-11-30T10:00:00.000Z'],
    ['2026-11-30T10:00:00Z', '2026-11-30T10:00:00.000Z'], ['2026-11-30T10:00:00-08:00', '2026-11-30T18:00:00.000Z'],
    ['2026-11-30 9:05', '2026-11-30T09:05:00.000Z'], ['11/30/2026 3:04 PM', '2026-11-30T15:04:00.000Z'],
    ['11/30/2026 12:00 AM', '2026-11-30T00:00:00.000Z'], ['11/30/26 15:04:05', '2026-11-30T15:04:05.000Z'],
    ['2026-11-30', '2026-11-30'], ['11/30/2026', '2026-11-30'],
    ['30-Nov-2026 15:04', '2026-11-30T15:04:00.000Z'], ['30-Nov-2026 3:04 PM', '2026-11-30T15:04:00.000Z'],
    ['Nov 30, 2026 12:05 am', '2026-11-30T00:05:00.000Z'], ['2026/11/30 15:04:05', '2026-11-30T15:04:05.000Z'],
    ['30.11.2026 15:04', '2026-11-30T15:04:00.000Z'], ['30-Nov-2026', '2026-11-30'],
  ])('ship date %s → %s', (text, value) => expect(readDateOrInstant(text)).toEqual({ ok: true, value }));

  it.each(['2026-11-30 25:00', '2026-11-30T10:61', '11/30/2026 13:00 PM', '11/30/2026 0:30 AM', '2026-02-30 10:00', '11/31/2026 10:00',
    '30-Nov-2026 25:00', '31-Nov-2026 10:00'])(
    'ship date %s is refused', (text) => expect(readDateOrInstant(text).ok).toBe(false));

  it.each([['12', 12], ['1,000,000', 1000000], ['1,200.0', 1200], ['3.0', 3], [' 7 ', 7]])('quantity %s → %d', (text, n) => {
    expect(readQuantity(text)).toEqual({ ok: true, value: n });
  });

  it.each([
    ['two', '"two" is not a whole number'], ['1.5', '"1.5" is not a whole number (a quantity counts units)'],
    ['-1', '"-1" is negative: a quantity must be a whole number of 1 or more'], ['0', '"0" is zero: a quantity must be 1 or more'],
    ['0.0', '"0.0" is zero: a quantity must be 1 or more'], ['1e3', '"1e3" is written with an exponent: write the quantity\'s digits'],
    ['1,20', '"1,20" is not a whole number: a "," must group thousands (1,000,000); a quantity has no decimal comma'],
    ['12,3456', '"12,3456" is not a whole number: a "," must group thousands (1,000,000); a quantity has no decimal comma'],
    ['99999999999999999999', '"99999999999999999999" is more than 1,000,000, the most a line can have'],
    ['1000001', '"1000001" is more than 1,000,000, the most a line can have'],
    // A first group starting with 0 never groups thousands: these are decimal commas (fractions), not 1, 10, 3 or 2 units.
    ['1.500,00', '"1.500,00" is written with a decimal comma: a quantity is a whole number, written without separators (1500)'],
    ['1.500,50', '"1.500,50" is not a whole number (a quantity counts units)'],
    ...['0,001', '0,010', '00,003', '000,002', '0,001.00'].map((text) =>
      [text, `"${text}" is not a whole number: a "," must group thousands (1,000,000); a quantity has no decimal comma`]),
  ])('quantity %s is refused: %s', (text, problem) => expect(readQuantity(text)).toEqual({ ok: false, problem }));

  it('a 12-hour time past 12 after a named-month date is refused as after a US date', () => {
    expect(readDateOrInstant('30-Nov-2026 13:04 PM')).toEqual({ ok: false, problem: '"30-Nov-2026 13:04 PM": 13 is not an hour on a 12-hour clock' });
  });

  // Excel keeps leading zeros only when a cell is written as a formula of text: portals export `="0001234"`.
  it.each([['="0001234"', '0001234'], ['="1Z999AA10123456784"', '1Z999AA10123456784'], ['="a ""b"" c"', 'a "b" c'],
    ['=SUM(A1:A3)', '=SUM(A1:A3)'], ['0001234', '0001234'], ['="open', '="open']])('Excel text %s → %s', (cell, text) => {
    expect(excelText(cell)).toBe(text);
  });

  it.each([
    ['13/45/2026', '"13/45/2026" is not a calendar date: there is no month 13 (MM/DD/YYYY: month first)'],
    ['31-Nov-2026', '"31-Nov-2026" is not a calendar date: November 2026 has 30 days, not 31'],
    ['11.20.2026', '"11.20.2026" is not a calendar date: there is no month 20'],
    ['2/29/2027', '"2/29/2027" is not a calendar date: February 2027 has 28 days, not 29 (MM/DD/YYYY: month first)'],
    ['2026-04-31', '"2026-04-31" is not a calendar date: April 2026 has 30 days, not 31'],
    ['2026-04-00', '"2026-04-00" is not a calendar date: there is no day 0'], ['soon', '"soon" is not a date (YYYY-MM-DD, MM/DD/YYYY, M/D/YY, DD-Mon-YYYY, Mon DD, YYYY, YYYY/MM/DD or DD.MM.YYYY)'],
  ])('date %s is refused: %s', (text, problem) => expect(readDate(text)).toEqual({ ok: false, problem }));

  it.each([['sep=;', ';'], ['sep=,', ','], ['sep=\t', '\t'], ['sep=|', '|'], ['SEP=;', ';'], ['sep=;;;', ';'], ['sep=', null],
    ['sep=;,', null], ['PO;sep=;', null], ['"sep=;"', ';'], ['"sep=|"||', '|'], ['"sep=;";,', null], ['"sep=;', null],
    ['sep=ab', null], ['"sep=;;;"', ';'], ['"sep=||"|', '|'], ['"sep=;,"', null]])('first line %j declares separator %j', (line, separator) => {
    expect(declaredSeparator(line)).toBe(separator);
  });

  // The separator rule of readAmount: one '.' is the decimal point; several '.' group thousands (',' then decimal);
  // with both, the last is the decimal mark; a lone ',' + exactly 3 digits groups thousands, else is the decimal.
  it.each([
    ['$1,234.50', '1234.50', '$'], ['$1,234.56', '1234.56', '$'], ['1.234,50 €', '1234.50', '€'], ['1.234,56 €', '1234.56', '€'],
    ['USD 99', '99', 'USD'], ['£12', '12', '£'], ['US$5', '5', 'US$'], ['5 KWD', '5', 'KWD'], ['1 234,5', '1234.5', null], ['0.07', '0.07', null], ['1,234,567', '1234567', null],
    ['12,5', '12.5', null], ['JPY 1500', '1500', 'JPY'], ['1.5', '1.5', null], ['1.234.567,89', '1234567.89', null],
    ['1.234.567', '1234567', null], ['1,234,567.89', '1234567.89', null],
    // A lone separator before three digits after a 0 can only be a decimal point; more digits before it, only decimals.
    ['0.001', '0.001', null], ['0,001', '0.001', null], ['12.3456', '12.3456', null], ['KWD 12.3450', '12.3450', 'KWD'],
  ])('amount %s → %s, currency marked %s', (text, amount, mark) =>
    expect(readAmount(text)).toEqual({ ok: true, value: { amount, marks: mark === null ? [] : [mark], ambiguous: null } }));

  // The one rule for a lone separator before three digits (ambiguousSeparator): the same words for both kinds. A
  // quantity is refused; an amount is read as decimals with the refusal beside it, for its currency to settle
  // (a three-decimal currency such as KWD writes its amounts with three decimals: csv/rows.ts invoiceMoney).
  it.each([['2.000', '2 or 2000', '2.000'], ['1,500', '1.5 or 1500', '1.500'], ['1.500', '1.5 or 1500', '1.500'],
    ['12.345', '12.345 or 12345', '12.345'], ['1,005', '1.005 or 1005', '1.005'], ['100.500', '100.5 or 100500', '100.500'],
  ])('%s is refused as a quantity; as an amount only its currency settles it: %s', (text, readings, amount) => {
    const problem = `"${text}" could be ${readings}; write it without a thousands separator`;
    expect(readQuantity(text)).toEqual({ ok: false, problem });
    expect(readAmount(text)).toEqual({ ok: true, value: { amount, marks: [], ambiguous: problem } });
  });

  it('an amount with a currency mark around an ambiguous number quotes the cell as written', () => {
    expect(readAmount('KWD 12.345')).toEqual({ ok: true, value: { amount: '12.345', marks: ['KWD'],
      ambiguous: '"KWD 12.345" could be 12.345 or 12345; write it without a thousands separator' } });
    expect(readAmount('€1.500')).toEqual({ ok: true, value: { amount: '1.500', marks: ['€'],
      ambiguous: '"€1.500" could be 1.5 or 1500; write it without a thousands separator' } });
  });

  it.each(['-5.00', '($5.00)', 'ten', '1.2.3,4,5x', '1,2,3', '12.34.5', '1.234,56,7', '1,23.4', '0,500.00', '01,500.00', '001.500,00'])('amount %s is refused', (text) => {
    expect(readAmount(text).ok).toBe(false);
  });

  it.each([['UPS Ground', 'ups'], ['Federal Express', 'fedex'], ['FedEx 2Day', 'fedex'], ['U.S. Postal Service', 'usps'],
    ['DHL Express', 'dhl'], ['Estes Express Lines', null]])('carrier %s → %s', (text, code) => {
    expect(readCarrier(text, () => null)).toBe(code);
  });

  it('a SCAC goes through the SCAC table, never through number detection', () => {
    expect(readCarrier('XPOL', (scac) => (scac === 'XPOL' ? 'xpo' : null))).toBe('xpo');
  });

  it('headers: case, punctuation and "number" words ignored; a field found twice keeps its other columns too', () => {
    expect(['PO', 'PO #', 'P.O. Number', 'po_no', 'Purchase Order'].map(reduceHeader)).toEqual(['po', 'po', 'po', 'po', 'purchaseorder']);
    const map = mapColumns(['Purchase Order', 'Tracking #', 'Item #', 'Qty Shipped', 'Ship Date', 'Ship Via', 'Order No.', 'Est. Delivery',
      'Invoice #', 'Invoice Date', 'Amount', 'PO #']);
    expect(map.index).toEqual({
      po_number: 0, tracking_number: 1, sku: 2, quantity: 3, shipped_date: 4, carrier: 5, supplier_order_id: 6,
      estimated_delivery_date: 7, invoice_number: 8, invoice_date: 9, total_amount: 10,
    });
    expect(map.more).toEqual({ po_number: [{ index: 11, header: 'PO #' }] });
  });

  it.each([['a,b,c', ','], ['a;b;c', ';'], ['a\tb\tc', '\t'], ['"x;y",b,c', ','], ['single', ',']])('separator of %j is %j', (line, d) => {
    expect(detectDelimiter(line)).toBe(d);
  });
});

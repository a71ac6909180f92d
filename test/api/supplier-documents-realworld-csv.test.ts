// CSV ship confirmations and invoices as supplier portals really export them, posted to
// POST /api/v2/supplier_documents on SQLite and PostgreSQL (our own numbers and names): a title and an export date
// above the header row, a "Total" line and blank lines under the rows, Excel's ="0001234" cells keeping leading
// zeros, dates as 20-Nov-2026, Nov 20, 2026, 2026/11/20 or 20.11.2026 (with 12- or 24-hour times), and a European
// export (";" separated, "1.234,50 €" amounts) with a title line above its header.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { instant } from '../support/contract.ts';
import { addPo, openDocumentWorld, postDocument, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';

const databases = TestDatabases.create();
const UPS_1 = '1Z999AA10123456784';
const UPS_2 = '1Z12345E0205271688';

describe.each(databases.eachSupportedId())('real-world CSV exports on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;

  const post = async (body: string, filename: string) => {
    const response = await postDocument(app, writeKey, body, { query: { supplier_name: 'Acushnet', filename } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const results = (document: any) => document.results.map((r: any) => [r.source, r.po_number, r.result, r.reason]);
  const shipped = async (po: string) => (await readV2(app, world.keys.a, po)).fulfilled_items
    .map((f: any) => [f.product_name, f.quantity, f.tracking.tracking_number, f.tracking.shipped_date]).sort();
  const addCsvPo = (po: string) => addPo(db, world.retailerA, world.suppliers.acushnet, po);

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a title, an export date and a blank line above the header, a Total line and blank lines under the rows', async () => {
    await addCsvPo('PO-RW-CSV-1');
    const file = [
      'Shipment Confirmation Report - Acushnet Portal', 'Exported: 11/20/2026 3:10 PM', '',
      'PO #,Order No.,Tracking #,Item #,Qty Shipped,Ship Date',
      `PO-RW-CSV-1,AC-77001,${UPS_1},TIT-GT2-9,2,11/20/2026 3:04 PM`,
      `PO-RW-CSV-1,AC-77001,${UPS_1},TIT-PRO-V1,5,11/20/2026 3:04 PM`,
      '', ',,,Total,7,', 'Grand Total:,,,,7,', '',
    ].join('\r\n');
    const document = await post(file, 'acushnet-shipments.csv');
    expect(document.status).toBe('processed');
    // Rows keep the line numbers the file has them on; the Total lines are no rows to report.
    expect(results(document)).toEqual([
      ['row 5', 'PO-RW-CSV-1', 'applied', null], ['row 6', 'PO-RW-CSV-1', 'applied', null],
    ]);
    expect(document.summary).toEqual({ applied: 2, unchanged: 0, unmatched: 0, rejected: 0 });
    expect(await shipped('PO-RW-CSV-1')).toEqual([
      ['Titleist GT2 Driver 9', 2, UPS_1, instant('2026-11-20T15:04:00.000Z')],
      ['Titleist Pro V1 (dozen)', 5, UPS_1, instant('2026-11-20T15:04:00.000Z')],
    ]);
  });

  it('a title cell on two lines is skipped whole; a header cell on two lines keeps its header row', async () => {
    await addCsvPo('PO-RW-CSV-6');
    const titled = await post([
      '"Acushnet Portal', 'Shipments of 11/20/2026"', 'PO #,Order #,Tracking #,Item #,Qty',
      `PO-RW-CSV-6,AC-77006,${UPS_1},TIT-GT2-9,1`,
    ].join('\n'), 'two-line-title.csv');
    expect(results(titled)).toEqual([['row 4', 'PO-RW-CSV-6', 'applied', null]]);
    // Line 2 (`Date",PO #,…`) names a PO column only as the rest of the first line's cell: it is no header row.
    const split = await post([
      '"Ship', 'Date",PO #,Order #,Tracking #,Item #,Qty', `2026-11-20,PO-RW-CSV-6,AC-77006,${UPS_2},TIT-PRO-V1,2`,
    ].join('\n'), 'two-line-header.csv');
    expect(results(split)).toEqual([['row 3', 'PO-RW-CSV-6', 'applied', null]]);
    expect(await shipped('PO-RW-CSV-6')).toEqual([
      ['Titleist GT2 Driver 9', 1, UPS_1, null], ['Titleist Pro V1 (dozen)', 2, UPS_2, instant('2026-11-20T00:00:00.000Z')],
    ]);
  });

  it('a row with a PO number is read whatever another cell says ("Total" as an item), and the Total line does not join rows', async () => {
    await addCsvPo('PO-RW-CSV-2');
    const document = await post([
      'PO #,Order No.,Tracking #,Item #,Qty',
      `PO-RW-CSV-2,AC-77002,${UPS_2},Total,1`,
      'Total,,,,1',
    ].join('\n'), 'total-item.csv');
    // The row names a PO: it is read, and its unknown sku is its own refusal, not skipped as a summary.
    expect(document.results.map((r: any) => [r.source, r.result, r.reason])).toEqual([['row 2', 'rejected', 'SKU "Total" is not on PO PO-RW-CSV-2.']]);
    // A row naming a parcel (or an invoice, or an item) with its PO number missing is that fault, "Total" or not.
    const missingPo = await post(['PO #,Order No.,Tracking #,Item #,Qty,Status', `,AC-77002,${UPS_2},TIT-GT2-9,1,Total`].join('\n'),
      'missing-po.csv');
    expect(missingPo.results.map((r: any) => [r.source, r.result, r.reason])).toEqual([['row 2', 'rejected', 'column "PO #": is empty']]);
  });

  it('Excel ="…" cells (PO number and UPC with leading zeros, the tracking number) read as their text', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, '0004521', [
      { product_name: 'Towel', sku: '0012345678905', quantity: 3, unit_cost_cents: 1000, status: 'submitted' },
    ]);
    const document = await post([
      'PO Number,Sales Order,Tracking Number,UPC,Quantity',
      `="0004521",="0088123",="${UPS_2}",="0012345678905",="3"`,
    ].join('\n'), 'excel.csv');
    expect(results(document)).toEqual([['row 2', '0004521', 'applied', null]]);
    expect(await shipped('0004521')).toEqual([['Towel', 3, UPS_2, null]]);
    const record = await readV2(app, world.keys.a, '0004521');
    expect(record.items[0].supplier_order_id).toBe('0088123');
  });

  it('dates as 20-Nov-2026, Nov 20, 2026 and 2026/11/20, with 12- or 24-hour times', async () => {
    await addCsvPo('PO-RW-CSV-3');
    const document = await post([
      'PO #,Order #,Tracking #,Item #,Qty,Ship Date,Est. Delivery',
      `PO-RW-CSV-3,AC-77003,${UPS_1},TIT-GT2-9,1,20-Nov-2026 15:04,25-Nov-2026`,
      `PO-RW-CSV-3,AC-77003,${UPS_2},TIT-PRO-V1,2,"Nov 21, 2026 9:30 AM",2026/11/26`,
      'PO-RW-CSV-3,AC-77003,,TIT-GT2-9,1,,31-Nov-2026',
    ].join('\n'), 'dates.csv');
    expect(results(document)).toEqual([
      ['row 2', 'PO-RW-CSV-3', 'applied', null], ['row 3', 'PO-RW-CSV-3', 'applied', null],
      ['row 4', 'PO-RW-CSV-3', 'rejected', 'column "Est. Delivery": "31-Nov-2026" is not a calendar date: November 2026 has 30 days, not 31'],
    ]);
    expect(await shipped('PO-RW-CSV-3')).toEqual([
      ['Titleist GT2 Driver 9', 1, UPS_1, instant('2026-11-20T15:04:00.000Z')],
      ['Titleist Pro V1 (dozen)', 2, UPS_2, instant('2026-11-21T09:30:00.000Z')],
    ]);
  });

  it('a European export: a title line, ";" separators, 20.11.2026 dates and 1.234,50 € amounts', async () => {
    await addCsvPo('PO-RW-CSV-4');
    const before = await tableCounts(db);
    const document = await post([
      'Rechnungsexport Acushnet GmbH',
      'PO #;Order No.;Invoice #;Invoice Date;Subtotal;Freight;Tax;Amount',
      'PO-RW-CSV-4;AC-77004;RE-2026-118;20.11.2026;1.000,00 €;12,50 €;0,00 €;1.012,50 €',
    ].join('\n'), 'rechnungen.csv');
    expect(results(document)).toEqual([['row 3', 'PO-RW-CSV-4', 'applied', null]]);
    const [invoice] = (await readV2(app, world.keys.a, 'PO-RW-CSV-4')).invoices;
    expect(invoice).toMatchObject({
      invoice_number: 'RE-2026-118', subtotal_amount: 1000, shipping_amount: 12.5, tax_amount: 0, total_amount: 1012.5, currency: 'EUR',
    });
    expect(invoice.invoice_date).toMatch(/^2026-11-20/);
    expect((await tableCounts(db)).invoices).toBe(before.invoices + 1);
  });

  it('an accounting negative "(1,234.50)" is refused as negative, naming the column; the other rows apply', async () => {
    await addCsvPo('PO-RW-CSV-5');
    const document = await post([
      'PO #,Order No.,Invoice #,Invoice Date,Amount',
      'PO-RW-CSV-5,AC-77005,INV-RW-1,11/20/2026,"(1,234.50)"',
      'PO-RW-CSV-5,AC-77005,INV-RW-2,11/20/2026,"$1,234.50"',
    ].join('\n'), 'credits.csv');
    expect(results(document)).toEqual([
      ['row 2', 'PO-RW-CSV-5', 'rejected', 'column "Amount": "(1,234.50)" is negative: an amount must be 0 or more'],
      ['row 3', 'PO-RW-CSV-5', 'applied', null],
    ]);
  });

  it('with no PO-number column in the first lines at all, the file still fails naming line 1', async () => {
    const response = await postDocument(app, writeKey, 'Shipment report\nNothing here,Qty\nA,1\n', { query: { supplier_name: 'Acushnet' } });
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toBe('The document cannot be read: line 1: The CSV has no PO-number column: no header row in the ' +
      'first 10 lines names one (looked for headers such as "PO", "PO #", "PO Number", "Purchase Order"; the line read as the header row ' +
      'has "Shipment report").');
  });

  it('a header row further down than line 10 is not looked for: the error names the limit and the line that has it', async () => {
    await addCsvPo('PO-RW-CSV-DEEP');
    const titles = (n: number) => Array.from({ length: n }, (_, i) => `Shipment report, page ${i + 1}`);
    const rows = ['PO #,Order No.,Tracking #,Item #,Qty', `PO-RW-CSV-DEEP,AC-1,1Z999AA10123456784,TIT-GT2-9,1`];
    // Line 10: still found.
    const found = await postDocument(app, writeKey, [...titles(9), ...rows].join('\n'), { query: { supplier_name: 'Acushnet' } });
    expect(found.statusCode, found.body).toBe(201);
    expect(found.json().results.map((r: { source: string }) => r.source)).toEqual(['row 11']);
    // Line 12: not looked for.
    const deep = await postDocument(app, writeKey, [...titles(11), ...rows].join('\n'), { query: { supplier_name: 'Acushnet' } });
    expect(deep.statusCode).toBe(422);
    expect(deep.json().message).toBe('The document cannot be read: line 1: The CSV has no PO-number column: no header row in the first 10 ' +
      'lines names one (looked for headers such as "PO", "PO #", "PO Number", "Purchase Order"; the line read as the header row has ' +
      '"Shipment report", "page 1"). Line 12 names one, but the header row must be one of the first 10 lines: remove the lines above it.');
  });

  it('placeholders and formula errors in a tracking column (Pending, TBD, #N/A) ship nothing; every cell Excel marks as an error is named', async () => {
    await addCsvPo('PO-RW-CSV-TBD');
    const document = await post([
      'PO #,Order No.,Tracking #,Item #,Qty,ETA',
      'PO-RW-CSV-TBD,AC-1,Pending,TIT-GT2-9,2,', 'PO-RW-CSV-TBD,AC-1,TBD,TIT-PRO-V1,5,', 'PO-RW-CSV-TBD,AC-1,#N/A,TIT-PRO-V1,5,',
      `PO-RW-CSV-TBD,AC-1,${UPS_1},TIT-PRO-V1,#VALUE!,#REF!`,
    ].join('\r\n'), 'tbd.csv');
    const error = (cell: string) => `"${cell}" is an Excel error value (a formula that failed), not a value: correct the spreadsheet, or leave the cell empty`;
    expect(results(document)).toEqual([
      ['row 2', 'PO-RW-CSV-TBD', 'rejected', 'column "Tracking #": "Pending" is no tracking number (it has no digit): a parcel not shipped yet has none; leave it out'],
      ['row 3', 'PO-RW-CSV-TBD', 'rejected', 'column "Tracking #": "TBD" is no tracking number (it has no digit): a parcel not shipped yet has none; leave it out'],
      ['row 4', 'PO-RW-CSV-TBD', 'rejected', `column "Tracking #": ${error('#N/A')}`],
      ['row 5', 'PO-RW-CSV-TBD', 'rejected', `column "Qty": ${error('#VALUE!')}; column "ETA": ${error('#REF!')}`],
    ]);
    expect(await shipped('PO-RW-CSV-TBD')).toEqual([]);
    // The JSON API's tracking numbers the same.
    const response = await app.inject({ method: 'POST', url: '/api/v2/supplier_updates', headers: { 'x-api-key': world.keys.aAll },
      payload: { updates: [{ type: 'shipment', po_number: 'PO-RW-CSV-TBD', tracking_number: 'Pending' }] } });
    expect(response.statusCode).toBe(400);
    expect(response.json().details).toEqual([{ field: 'body.updates[0].tracking_number',
      message: '"Pending" is no tracking number (it has no digit): a parcel not shipped yet has none; leave it out' }]);
  });

  it('amounts as Excel writes them in other locales: narrow no-break spaces, apostrophes, lower-case codes, the currency in the header', async () => {
    await addCsvPo('PO-RW-CSV-LOC');
    const document = await post([
      'PO #,Invoice #,Subtotal,Amount (EUR),Currency',
      // French Excel groups thousands with U+202F; Swiss with an apostrophe; a code may be lower case.
      'PO-RW-CSV-LOC,LOC-1,"1\u202f234,50","1\u202f234,50",', "PO-RW-CSV-LOC,LOC-2,1\u2019234.50,1'234.50 eur,",
      // The header's currency is the cells': beside another currency, the row is refused naming both.
      'PO-RW-CSV-LOC,LOC-3,10.00,10.00,USD',
    ].join('\r\n'), 'locales.csv');
    expect(results(document)).toEqual([
      ['row 2', 'PO-RW-CSV-LOC', 'applied', null], ['row 3', 'PO-RW-CSV-LOC', 'applied', null],
      ['row 4', 'PO-RW-CSV-LOC', 'rejected', 'column "Currency" ("USD") and column "Amount (EUR)" ("10.00") name different currencies: ' +
        'EUR is not USD; write the amount in the row\'s currency'],
    ]);
    const invoices = (await readV2(app, world.keys.a, 'PO-RW-CSV-LOC')).invoices.map((i: any) => [i.invoice_number, i.total_amount, i.currency]);
    expect(invoices.sort()).toEqual([['LOC-1', 1234.5, 'EUR'], ['LOC-2', 1234.5, 'EUR']]);
  });

  it('a unit in a quantity cell (2 EA, 5 pcs) is single items; 2 CS is refused; a Shipped status without a tracking number says what is missing', async () => {
    await addCsvPo('PO-RW-CSV-UNIT');
    const document = await post([
      'PO #,Item #,Qty,Status',
      'PO-RW-CSV-UNIT,TIT-GT2-9,2 EA,Confirmed', 'PO-RW-CSV-UNIT,TIT-PRO-V1,5 pcs,Confirmed', 'PO-RW-CSV-UNIT,TIT-PRO-V1,2 CS,Shipped',
    ].join('\r\n'), 'units.csv');
    expect(results(document)).toEqual([
      ['row 2', 'PO-RW-CSV-UNIT', 'rejected', expect.stringMatching(/^no supplier order column \(headers such as "Order #", "Order No\.", /)],
      ['row 3', 'PO-RW-CSV-UNIT', 'rejected', expect.stringMatching(/^no supplier order column/)],
      ['row 4', 'PO-RW-CSV-UNIT', 'rejected', 'column "Qty": "2 CS" counts "CS", not single items: write the number of single items (EA); ' +
        'column "Status": "Shipped" is not an order status (confirmed, processing, backorder, cancelled, …): a row of items that shipped ' +
        'needs its tracking number (a Tracking # column); no supplier order column (headers such as "Order #", "Order No.", "Sales Order"): ' +
        'an acknowledgement row (no tracking or invoice number) needs the supplier\'s order number'],
    ]);
    const withOrder = await post(['PO #,Order #,Item #,Qty', 'PO-RW-CSV-UNIT,SO-U,TIT-GT2-9,2 EA', 'PO-RW-CSV-UNIT,SO-U,TIT-PRO-V1,5 pcs.'].join('\r\n'), 'units2.csv');
    expect(results(withOrder).map((r: any[]) => r[2])).toEqual(['applied', 'applied']);
  });

  it('an amount in two columns (Amount and Total) agrees when it is the same number, however each is written', async () => {
    await addCsvPo('PO-RW-CSV-TWO');
    const document = await post(['PO #,Invoice #,Amount,Total', 'PO-RW-CSV-TWO,TWO-1,"$1,234.50",1234.5', 'PO-RW-CSV-TWO,TWO-2,10.00,10.01']
      .join('\r\n'), 'two-totals.csv');
    expect(results(document)).toEqual([['row 2', 'PO-RW-CSV-TWO', 'applied', null], ['row 3', 'PO-RW-CSV-TWO', 'rejected',
      'columns "Amount" and "Total" hold different values ("10.00" and "10.01"): keep one of them']]);
  });
});

// CSV files as Excel leaves them, posted to POST /api/v2/supplier_documents on SQLite and PostgreSQL (DESIGN 3,
// "CSV"): "Unicode Text" saves (UTF-16 with a BOM, tabs), reports pasted one under another (the header row again,
// its columns reordered), day-first dates beside ambiguous ones (03/04/2026 never stored as a guess), long numbers
// Excel turned into scientific notation (1.23457E+17: digits lost), and date cells saved as serial numbers (46356).
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { expectError } from '../support/contract.ts';
import { addPo, openDocumentWorld, postDocument, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';

const databases = TestDatabases.create();
const UPS_1 = '1Z999AA10123456784';
const UPS_2 = '1Z12345E0205271688';

/** `text` as Excel's "Unicode Text" writes it: UTF-16 LE (or BE) with its byte-order mark. */
function utf16(text: string, endian: 'le' | 'be' = 'le'): Buffer {
  const le = Buffer.from(text, 'utf16le');
  return endian === 'le' ? Buffer.concat([Buffer.from([0xff, 0xfe]), le]) : Buffer.concat([Buffer.from([0xfe, 0xff]), le.swap16()]);
}

describe.each(databases.eachSupportedId())('CSV files as Excel saves them on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;

  const post = async (body: string | Buffer, filename: string) => {
    const response = await postDocument(app, writeKey, body, { query: { supplier_name: 'Acushnet', filename } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const results = (document: any) => document.results.map((r: any) => [r.source, r.po_number, r.result, r.reason]);
  const shipped = async (po: string) => (await readV2(app, world.keys.a, po)).fulfilled_items
    .map((f: any) => [f.product_name, f.quantity, f.tracking.tracking_number]).sort();
  const addCsvPo = (po: string) => addPo(db, world.retailerA, world.suppliers.acushnet, po);
  const etas = async (po: string) => Object.fromEntries((await db.selectFrom('po_lines as l')
    .innerJoin('purchase_orders as p', 'p.id', 'l.po_id').select(['l.sku', 'l.estimated_delivery_date'])
    .where('p.po_number', '=', po).execute()).map((l) => [l.sku, l.estimated_delivery_date]));

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('Excel "Unicode Text" (UTF-16 LE or BE with a BOM, tab separated) is read, and its bytes kept as received', async () => {
    await addCsvPo('PO-XL-1');
    const text = [
      'PO #\tOrder #\tTracking #\tItem #\tQty Shipped\tCarrier',
      `PO-XL-1\tAC-9001\t${UPS_1}\tTIT-GT2-9\t1\tUPS Livré`,
    ].join('\r\n');
    const document = await post(utf16(`${text}\r\n`), 'unicode-text.txt');
    expect(document.status).toBe('processed');
    expect(results(document)).toEqual([['row 2', 'PO-XL-1', 'applied', null]]);
    const bigEndian = await post(utf16(`${text.replace(UPS_1, UPS_2)}\r\n`, 'be'), 'unicode-be.txt');
    expect(results(bigEndian)).toEqual([['row 2', 'PO-XL-1', 'applied', null]]);
    expect(await shipped('PO-XL-1')).toEqual([['Titleist GT2 Driver 9', 1, UPS_2], ['Titleist GT2 Driver 9', 1, UPS_1]]);
    // Without a BOM (some exporters leave it out): the zero byte beside each ASCII character of the header says UTF-16.
    await addCsvPo('PO-XL-1B');
    const bare = await post(Buffer.from(`${text.replace('PO-XL-1', 'PO-XL-1B')}\r\n`, 'utf16le'), 'no-bom.txt');
    expect(results(bare)).toEqual([['row 2', 'PO-XL-1B', 'applied', null]]);
    const content = await app.inject({ method: 'GET', url: `/api/v2/supplier_documents/${document.document_id}/content`,
      headers: { 'x-api-key': world.keys.a } });
    expect(content.rawPayload.equals(utf16(`${text}\r\n`))).toBe(true);
  });

  // A row without an item stands for the whole PO; a quantity on it names no item, so it is refused, never dropped
  // (it shipped every open unit where the row said 2): with the item column empty, without one, and on an order row.
  it('a quantity on a row without an item is refused naming both, and nothing is shipped or confirmed', async () => {
    await addCsvPo('PO-XL-QTY');
    const before = await tableCounts(db);
    const document = await post([
      'PO #,Tracking #,Item #,Qty',
      `PO-XL-QTY,${UPS_1},,2`,
      'PO-XL-QTY,,,3',
    ].join('\n'), 'qty-no-item.csv');
    expect(results(document)).toEqual([
      ['row 2', 'PO-XL-QTY', 'rejected', 'column "Qty": 2 of which item? column "Item #" is empty; name the item, or leave the quantity empty for the whole PO'],
      // Every fault of the row: an acknowledgement also needs its supplier order id, which this file has no column for.
      ['row 3', 'PO-XL-QTY', 'rejected', 'column "Qty": 3 of which item? column "Item #" is empty; name the item, or leave the quantity ' +
        'empty for the whole PO; no supplier order column (headers such as "Order #", "Order No.", "Sales Order"): an acknowledgement ' +
        'row (no tracking or invoice number) needs the supplier\'s order number'],
    ]);
    const noItemColumn = await post(['PO #,Tracking #,Qty', `PO-XL-QTY,${UPS_2},2`].join('\n'), 'qty-no-item-column.csv');
    expect(results(noItemColumn)).toEqual([['row 2', 'PO-XL-QTY', 'rejected',
      'column "Qty": 2 of which item? the file has no item column (headers such as "Item #", "SKU"); name the item, or leave the quantity empty for the whole PO']]);
    expect(await shipped('PO-XL-QTY')).toEqual([]);
    const after = await tableCounts(db);
    expect(after.shipments).toBe(before.shipments);
    expect(after.supplier_orders).toBe(before.supplier_orders);
  });

  it('reports pasted one under another: a repeated header row is no row, and a reordered one reads the rows after it', async () => {
    await addCsvPo('PO-XL-2');
    const document = await post([
      'PO #,Order #,Tracking #,Item #,Qty',
      `PO-XL-2,AC-9002,${UPS_1},TIT-GT2-9,2`,
      'PO #,Order #,Tracking #,Item #,Qty',
      `PO-XL-2,AC-9002,${UPS_1},TIT-PRO-V1,3`,
      '',
      'Qty,Item #,PO #,Tracking #,Order #',
      `2,TIT-PRO-V1,PO-XL-2,${UPS_2},AC-9002`,
    ].join('\n'), 'pasted-reports.csv');
    expect(results(document)).toEqual([
      ['row 2', 'PO-XL-2', 'applied', null], ['row 4', 'PO-XL-2', 'applied', null], ['row 7', 'PO-XL-2', 'applied', null],
    ]);
    expect(await shipped('PO-XL-2')).toEqual([
      ['Titleist GT2 Driver 9', 2, UPS_1], ['Titleist Pro V1 (dozen)', 2, UPS_2], ['Titleist Pro V1 (dozen)', 3, UPS_1],
    ]);
  });

  it('a file that writes 30/11/2026 has its 03/04/2026 refused, above or below it, naming both cells; nothing of those rows is stored', async () => {
    await addCsvPo('PO-XL-3');
    const before = await tableCounts(db);
    const document = await post([
      'PO #,Order #,Item #,Qty,ETA',
      'PO-XL-3,AC-9003,TIT-GT2-9,2,03/04/2026',
      'PO-XL-3,AC-9003,TIT-PRO-V1,5,30/11/2026',
      'PO-XL-3,AC-9003,TIT-PRO-V1,5,05/05/2026',
    ].join('\n'), 'uk-dates.csv');
    expect(results(document)).toEqual([
      ['row 2', 'PO-XL-3', 'rejected', 'column "ETA": "03/04/2026" could be March 4 or 3 April: this file writes dates day first ' +
        'elsewhere ("30/11/2026" in row 3, column "ETA"); write the date as YYYY-MM-DD'],
      ['row 3', 'PO-XL-3', 'rejected', 'column "ETA": "30/11/2026" is written day first (30 November 2026), but slash dates are read ' +
        'month first (MM/DD/YYYY): write the date as YYYY-MM-DD (2026-11-30)'],
      // The same date either way round.
      ['row 4', 'PO-XL-3', 'applied', null],
    ]);
    expect(await etas('PO-XL-3')).toEqual({ 'TIT-GT2-9': null, 'TIT-PRO-V1': '2026-05-05' });
    expect((await tableCounts(db)).applied_supplier_updates).toBe(before.applied_supplier_updates + 1);
    // A ship date (date and time) in such a file too.
    const shipments = await post([
      'PO #,Order #,Tracking #,Item #,Qty,Ship Date',
      `PO-XL-3,AC-9003,${UPS_1},TIT-GT2-9,1,13/11/2026 10:00`,
      `PO-XL-3,AC-9003,${UPS_2},TIT-GT2-9,1,03/11/2026 10:00`,
    ].join('\n'), 'uk-ship-dates.csv');
    expect(results(shipments)[1]).toEqual(['row 3', 'PO-XL-3', 'rejected', 'column "Ship Date": "03/11/2026 10:00" could be March 11 ' +
      'or 3 November: this file writes dates day first elsewhere ("13/11/2026" in row 2, column "Ship Date"); write the date as YYYY-MM-DD']);
  });

  it('day first shown by a column that is not read (Order Date): 03/12/2026 refused; a title line above the header is free text', async () => {
    await addCsvPo('PO-XL-7');
    const byColumn = await post([
      'PO #,Order #,Item #,Qty,Order Date,ETA', 'PO-XL-7,AC-9007,TIT-GT2-9,2,30/11/2026,03/12/2026',
    ].join('\n'), 'uk-order-date.csv');
    expect(results(byColumn)).toEqual([['row 2', 'PO-XL-7', 'rejected', 'column "ETA": "03/12/2026" could be March 12 or 3 December: ' +
      'this file writes dates day first elsewhere ("30/11/2026" in row 2, column "Order Date"); write the date as YYYY-MM-DD']]);
    const byTitle = await post([
      'Despatch report, exported 30/11/2026 15:10', 'PO #,Order #,Item #,Qty,ETA', 'PO-XL-7,AC-9007,TIT-PRO-V1,5,03/12/2026',
    ].join('\n'), 'uk-title.csv');
    // Only date columns show how a file writes its dates: a title is free text (it may read `Rev 2.10.2024`).
    expect(results(byTitle)).toEqual([['row 3', 'PO-XL-7', 'applied', null]]);
    expect(await etas('PO-XL-7')).toEqual({ 'TIT-GT2-9': null, 'TIT-PRO-V1': '2026-03-12' });
  });

  // A dotted date is written day first wherever it appears (30.11.2026, and 01.12.2026 too): a file holding one came
  // from a day-first locale, so its ambiguous slash date is refused (fresh-user finding: 04/05/2026 stored as April 5).
  it.each([['30.11.2026'], ['01.12.2026'], ['30.11.26']])('a dotted date (%s) shows day first: an ambiguous slash date beside it is refused', async (dotted) => {
    const po = `PO-XL-DOT-${dotted.replace(/\./g, "")}`;
    await addCsvPo(po);
    const document = await post([
      'PO #,Order #,Item #,Qty,Order Date,ETA', `${po},AC-9008,TIT-GT2-9,2,${dotted},04/05/2026`,
    ].join('\n'), 'dotted.csv');
    expect(results(document)).toEqual([['row 2', po, 'rejected', 'column "ETA": "04/05/2026" could be April 5 or 4 May: ' +
      `this file writes dates day first elsewhere ("${dotted}" in row 2, column "Order Date"); write the date as YYYY-MM-DD`]]);
    expect(await etas(po)).toEqual({ 'TIT-GT2-9': null, 'TIT-PRO-V1': null });
  });

  it('dotted numbers that are no dates (amounts, a version after a word) leave a US file month first', async () => {
    await addCsvPo('PO-XL-DOT-US');
    const document = await post([
      'PO #,Order #,Item #,Qty,Notes,ETA', 'PO-XL-DOT-US,AC-9009,TIT-GT2-9,2,"firmware v1.12.2026 installed; total 1.234.567,00",04/05/2026',
    ].join('\n'), 'us-dotted.csv');
    expect(results(document)).toEqual([['row 2', 'PO-XL-DOT-US', 'applied', null]]);
    expect((await etas('PO-XL-DOT-US'))['TIT-GT2-9']).toBe('2026-04-05');
  });

  it.each(['UPC Code', 'EAN-13', 'GTIN-14', 'UPC/EAN', 'Barcode'])('a %s column names the item', async (header) => {
    const po = `PO-XL-BC-${header.replace(/[^A-Z0-9]/gi, '')}`;
    await addPo(db, world.retailerA, world.suppliers.acushnet, po, [
      { product_name: 'Towel', sku: '0012345678905', quantity: 3, unit_cost_cents: 1000, status: 'submitted' },
    ]);
    const document = await post([`PO #,Tracking #,${header},Qty`, `${po},${UPS_1},0012345678905,2`].join('\n'), 'barcode.csv');
    expect(results(document)).toEqual([['row 2', po, 'applied', null]]);
    expect((await shipped(po)).map((r: any[]) => r.slice(0, 2))).toEqual([['Towel', 2]]);
  });

  it('a file whose slash dates never show day first is read month first, as DESIGN 3 says (MM/DD/YYYY)', async () => {
    await addCsvPo('PO-XL-4');
    const document = await post([
      'PO #,Order #,Item #,Qty,ETA', 'PO-XL-4,AC-9004,TIT-GT2-9,2,03/04/2026', 'PO-XL-4,AC-9004,TIT-PRO-V1,5,11/30/2026',
    ].join('\n'), 'us-dates.csv');
    expect(results(document).map((r: any[]) => r[2])).toEqual(['applied', 'applied']);
    expect(await etas('PO-XL-4')).toEqual({ 'TIT-GT2-9': '2026-03-04', 'TIT-PRO-V1': '2026-11-30' });
  });

  it('numbers Excel turned into scientific notation (tracking, PO, invoice, order, SKU) are refused naming the column; nothing stored', async () => {
    await addCsvPo('PO-XL-5');
    const before = await tableCounts(db);
    const fix = 'is a number in scientific notation, as Excel shows a long number: its digits are lost; format the column as ' +
      'text in the spreadsheet (or export the cell as ="…") and send the file again';
    const document = await post([
      'PO #,Order #,Tracking #,Item #,Qty,Invoice #,Amount',
      'PO-XL-5,AC-9005,1.23457E+17,TIT-GT2-9,2,,',
      '4.52E+05,AC-9005,,TIT-GT2-9,2,,',
      'PO-XL-5,AC-9005,,,,1.2346E+11,100.00',
      'PO-XL-5,8.8123E+11,,TIT-GT2-9,2,,',
      'PO-XL-5,AC-9005,,8.85909E+11,2,,',
    ].join('\n'), 'scientific.csv');
    expect(results(document)).toEqual([
      ['row 2', 'PO-XL-5', 'rejected', `column "Tracking #": "1.23457E+17" ${fix}`],
      ['row 3', '4.52E+05', 'rejected', `column "PO #": "4.52E+05" ${fix}`],
      ['row 4', 'PO-XL-5', 'rejected', `column "Invoice #": "1.2346E+11" ${fix}`],
      ['row 5', 'PO-XL-5', 'rejected', `column "Order #": "8.8123E+11" ${fix}`],
      ['row 6', 'PO-XL-5', 'rejected', `column "Item #": "8.85909E+11" ${fix}`],
    ]);
    const after = await tableCounts(db);
    for (const table of ['shipments', 'invoices', 'supplier_orders', 'held_supplier_updates', 'applied_supplier_updates'] as const) {
      expect(after[table], table).toBe(before[table]);
    }
  });

  it('an item row with no quantity column the reader knows says so and how to name it, not a column the file lacks', async () => {
    await addCsvPo('PO-XL-8');
    const document = await post(['PO #,Order #,Item #,Qty Count', 'PO-XL-8,AC-9008,TIT-GT2-9,2'].join('\n'), 'units.csv');
    expect(results(document)).toEqual([['row 2', 'PO-XL-8', 'rejected',
      'no quantity column (headers such as "Qty", "Quantity", "Qty Shipped"): a row with column "Item #" needs its quantity']]);
    // A unit in brackets: single items are a quantity (EA, pcs, units); cases or kilograms are not, and the reason says so.
    const cases = await post(['PO #,Order #,Item #,Quantity Shipped (CS)', 'PO-XL-8,AC-9008,TIT-GT2-9,2'].join('\n'), 'cases.csv');
    expect(results(cases)).toEqual([['row 2', 'PO-XL-8', 'rejected', 'no quantity column (headers such as "Qty", "Quantity", "Qty Shipped") ' +
      '(column "Quantity Shipped (CS)" is not read: its unit "CS" is not single items (EA)): a row with column "Item #" needs its quantity']]);
    const eaches = await post(['PO #,Order #,Item #,Quantity Shipped (EA)', 'PO-XL-8,AC-9008,TIT-GT2-9,2'].join('\n'), 'eaches.csv');
    expect(results(eaches)).toEqual([['row 2', 'PO-XL-8', 'applied', null]]);
  });

  it('a workbook, a PDF or a portal\'s HTML "Excel export" sent as CSV: 422 saying what the file is and what to send, kept as failed', async () => {
    const files: [Buffer, string][] = [
      [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), 'an Excel 97-2003 workbook (.xls), not CSV: open it and save it as "CSV UTF-8 (Comma delimited) (*.csv)", then send that file.'],
      [Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'), 'a PDF document, not CSV: ask the supplier for the same data as a CSV export (or X12 EDI).'],
      [Buffer.from('\ufeff<html><body><table><tr><td>PO #</td><td>Qty</td></tr><tr><td>PO-1</td><td>2</td></tr></table></body></html>'),
        'an HTML or XML page (what some portals\' "Export to Excel" writes), not CSV: open it in Excel and save it as "CSV UTF-8 (Comma delimited) (*.csv)", or choose the portal\'s CSV export.'],
      // A feed's compressed export (shipments.csv.gz) and an emailed archive: said so, never quoted as a header row of binary.
      [gzipSync('PO #,Order #,Item #,Qty\nPO-1,SO-1,TIT-GT2-9,2\n'), 'gzip-compressed (.gz), not CSV: decompress it and send the file inside ' +
        '(POST /api/v2/supplier_documents also takes it compressed, with the header Content-Encoding: gzip).'],
      [Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4, 1, 2, 3]), 'a 7-Zip or RAR archive, not CSV: extract it and send each file inside.'],
      [Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'), 'a 7-Zip or RAR archive, not CSV: extract it and send each file inside.'],
    ];
    for (const [bytes, what] of files) {
      const error = expectError(await postDocument(app, writeKey, bytes, { query: { filename: 'shipments.xls' } }), 422, 'unprocessable_document');
      expect(error.message).toBe(`The document cannot be read: The file is ${what}`);
      const stored = await app.inject({ method: 'GET', url: `/api/v2/supplier_documents/${error.document_id}`, headers: { 'x-api-key': world.keys.a } });
      expect(stored.json().status).toBe('failed');
    }
  });

  it('a file separated by "|" says so and how to declare it; with Excel\'s sep=| line it is read', async () => {
    await addCsvPo('PO-XL-9');
    const error = expectError(await postDocument(app, writeKey, 'PO #|Order #|Item #|Qty\nPO-XL-9|AC-9009|TIT-GT2-9|2\n'), 422, 'unprocessable_document');
    expect(error.message).toBe('The document cannot be read: line 1: The CSV has no PO-number column: no header row in the first 10 lines ' +
      'names one (looked for headers such as "PO", "PO #", "PO Number", "Purchase Order"; the line read as the header row has ' +
      '"PO #|Order #|Item #|Qty"). Its cells look separated by "|": separate them by ",", ";" or a tab, or declare the separator ' +
      'with a first line sep=|.');
    const declared = await post('sep=|\nPO #|Order #|Item #|Qty\nPO-XL-9|AC-9009|TIT-GT2-9|2\n', 'pipes.csv');
    expect(results(declared)).toEqual([['row 3', 'PO-XL-9', 'applied', null]]);
  });

  it('a PO number whose leading zeros a spreadsheet dropped (4522 for 0004522) is held, never matched by guess, with a reason naming the PO', async () => {
    await addCsvPo('0004522');
    const document = await post([
      'PO #,Order #,Tracking #,Item #,Qty', `4522,AC-9010,${UPS_1},TIT-GT2-9,1`, `99887766,AC-9010,${UPS_1},TIT-GT2-9,1`,
    ].join('\n'), 'zeros-lost.csv');
    expect(results(document)).toEqual([
      ['row 2', '4522', 'unmatched', 'No purchase order 4522 yet; the update is held and applied when it appears. Purchase order ' +
        '0004522 exists: if that is the one, a spreadsheet dropped the PO number\'s leading zeros; send it as written (as text, ' +
        'or as ="0004522" in a CSV).'],
      ['row 3', '99887766', 'unmatched', 'No purchase order 99887766 yet; the update is held and applied when it appears.'],
    ]);
    expect(await shipped('0004522')).toEqual([]);
  });

  it('a date cell saved as an Excel serial number (46356) is refused, naming the date it counts to', async () => {
    await addCsvPo('PO-XL-6');
    const document = await post(['PO #,Order #,Item #,Qty,ETA', 'PO-XL-6,AC-9006,TIT-GT2-9,2,46356'].join('\n'), 'serial.csv');
    expect(results(document)).toEqual([['row 2', 'PO-XL-6', 'rejected', 'column "ETA": "46356" is not a date (YYYY-MM-DD, ' +
      'MM/DD/YYYY, M/D/YY, DD-Mon-YYYY, Mon DD, YYYY, YYYY/MM/DD or DD.MM.YYYY): it looks like an Excel date serial number ' +
      '(46356 is 2026-11-30); format the column as a date in the spreadsheet and export again']]);
  });
});

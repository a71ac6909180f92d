// CSV files as suppliers' ERPs, Excel and Google Sheets really write them, posted to POST /api/v2/supplier_documents
// on SQLite and PostgreSQL and read back through the read API (DESIGN 3, "CSV"; README "Feeding supplier data"):
// - line breaks of every kind in one file (CR LF, LF, a Mac's CR: exports pasted together), each one a row break;
// - a UTF-8 export and a Windows-1252 one pasted together: each line read in its own encoding (`É` never `Ã‰`);
// - Excel's Accounting format, which writes a zero amount as a dash (`$ -`): 0, not a negative amount;
// - date-times as spreadsheets and ERPs write them: an ISO date with a 12-hour time (`2026-11-20 3:04 PM`), a
//   trailing `UTC`; a zone abbreviation (`EST`) or text after the date that is no time is refused, never dropped.
import type { FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { addPo, openDocumentWorld, postDocument, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';

const databases = TestDatabases.create();
const UPS = ['1Z999AA10123456784', '1Z12345E0205271688', '1Z12345E6605272234'];

describe.each(databases.eachSupportedId())('CSV exports as ERPs and spreadsheets write them on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;

  const post = async (body: string | Buffer) => {
    const response = await postDocument(app, writeKey, body, { query: { supplier_name: 'Acushnet' } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const results = (document: any) => Object.fromEntries(document.results.map((r: any) => [r.source, r.reason ?? r.result]));
  const shipped = async (po: string) => (await readV2(app, world.keys.a, po)).fulfilled_items
    .map((f: any) => [f.product_details?.sku ?? f.product_name, f.quantity, f.tracking.tracking_number, f.tracking.shipped_date]).sort();
  const addCsvPo = (po: string) => addPo(db, world.retailerA, world.suppliers.acushnet, po);

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('CR LF, LF and CR line breaks in one file each end a row: every row is read, on the line the file has it', async () => {
    for (const po of ['PO-EOL-1', 'PO-EOL-2', 'PO-EOL-3']) await addCsvPo(po);
    // The header ends in CR LF (csv-parse took that as the only break, and glued the LF rows into one record).
    const text = 'PO #,Tracking #,Item #,Qty\r\n'
      + `PO-EOL-1,${UPS[0]},TIT-GT2-9,1\n`
      + `PO-EOL-2,${UPS[1]},TIT-PRO-V1,2\r`
      + `PO-EOL-3,${UPS[2]},TIT-GT2-9,2\r\n`;
    const document = await post(text);
    expect(results(document)).toEqual({ 'row 2': 'applied', 'row 3': 'applied', 'row 4': 'applied' });
    expect((await readV2(app, world.keys.a, 'PO-EOL-1')).fulfilled_items.map((f: any) => [f.quantity, f.tracking.tracking_number]))
      .toEqual([[1, UPS[0]]]);
    expect((await readV2(app, world.keys.a, 'PO-EOL-2')).fulfilled_items.map((f: any) => [f.quantity, f.tracking.tracking_number]))
      .toEqual([[2, UPS[1]]]);
    expect((await readV2(app, world.keys.a, 'PO-EOL-3')).fulfilled_items.map((f: any) => [f.quantity, f.tracking.tracking_number]))
      .toEqual([[2, UPS[2]]]);
    // The other way round: a file starting with LF lines keeps its CR LF rows on their own lines.
    await addCsvPo('PO-EOL-4');
    const second = await post(`PO #,Order #,Item #,Qty\nPO-EOL-4,AC-EOL-4,TIT-GT2-9,1\r\nPO-EOL-4,AC-EOL-4,TIT-PRO-V1,5\r\n`);
    expect(results(second)).toEqual({ 'row 2': 'applied', 'row 3': 'applied' });
  });

  it('an Accounting-format zero (`$ -`, ` - `) is 0: the invoice is stored with no tax; a negative is still refused', async () => {
    await addCsvPo('PO-ACC-1');
    const before = await tableCounts(db);
    const document = await post([
      'PO #,Invoice #,Subtotal,Tax,Freight,Total',
      'PO-ACC-1,INV-ACC-1," $1,000.00 "," $ -   ", - ," $1,000.00 "',
      'PO-ACC-1,INV-ACC-2,$10.00,$ (1.00),$ -,$9.00',
    ].join('\r\n'));
    expect(results(document)).toEqual({
      'row 2': 'applied',
      'row 3': 'column "Tax": "$ (1.00)" is negative: an amount must be 0 or more',
    });
    const invoice = await db.selectFrom('invoices').select(['subtotal_cents', 'tax_cents', 'shipping_cents', 'total_cents', 'currency'])
      .where('invoice_number', '=', 'INV-ACC-1').executeTakeFirstOrThrow();
    expect(invoice).toEqual({ subtotal_cents: 100000, tax_cents: 0, shipping_cents: 0, total_cents: 100000, currency: 'USD' });
    expect((await tableCounts(db)).invoices).toBe(before.invoices + 1);
  });

  it('ship date-times as spreadsheets write them are read; a zone abbreviation or text that is no time is refused, never dropped', async () => {
    for (const po of ['PO-DT-1', 'PO-DT-2', 'PO-DT-3']) await addCsvPo(po);
    const before = await tableCounts(db);
    const document = await post([
      'PO #,Tracking #,Item #,Qty,Ship Date',
      `PO-DT-1,${UPS[0]},TIT-GT2-9,1,2026-11-20 3:04 PM`,
      `PO-DT-2,${UPS[1]},TIT-GT2-9,1,2026-11-20 15:04:05 UTC`,
      `PO-DT-3,${UPS[2]},TIT-GT2-9,1,11/20/2026 10:04 AM EST`,
      `PO-DT-3,${UPS[2]},TIT-PRO-V1,1,11/20/2026 TBD`,
    ].join('\r\n'));
    expect(results(document)).toEqual({
      'row 2': 'applied',
      'row 3': 'applied',
      'row 4': 'column "Ship Date": "11/20/2026 10:04 AM EST": "EST" is no offset OrderSync can read (a zone abbreviation may name ' +
        'several zones, with or without daylight saving): write the time with its offset (2026-11-20T15:04:00-05:00) or in UTC',
      'row 5': 'column "Ship Date": "11/20/2026 TBD": the text after its date is no time of day (hh:mm, hh:mm:ss or h:mm AM/PM, ' +
        'then an optional UTC): write the date alone, or the date and its time',
    });
    expect((await readV2(app, world.keys.a, 'PO-DT-1')).fulfilled_items.map((f: any) => f.tracking.shipped_date))
      .toEqual([expect.stringMatching(/^2026-11-20T15:04:00(\.0+)?(Z|\+00:00)$/)]);
    expect((await readV2(app, world.keys.a, 'PO-DT-2')).fulfilled_items.map((f: any) => f.tracking.shipped_date))
      .toEqual([expect.stringMatching(/^2026-11-20T15:04:05(\.0+)?(Z|\+00:00)$/)]);
    expect((await readV2(app, world.keys.a, 'PO-DT-3')).fulfilled_items).toEqual([]);
    expect((await tableCounts(db)).shipments).toBe(before.shipments + 2);
  });

  it('identifiers a spreadsheet or script turned into numbers (`789012345678.0`, zeros past 15 digits) are refused, never stored changed', async () => {
    await addCsvPo('PO-NUM-1');
    const before = await tableCounts(db);
    const fix = 'format the column as text in the spreadsheet (or export the cell as ="…") and send the file again';
    const document = await post([
      'PO #,Tracking #,Item #,Qty',
      // pandas' float column: the dot was dropped as formatting, and FedEx 7890123456780 (another parcel) stored.
      'PO-NUM-1,789012345678.0,TIT-GT2-9,1',
      // Excel keeps 15 digits of a number: a 22-digit USPS number comes back with zeros for the rest.
      'PO-NUM-1,9400111899223190000000,TIT-GT2-9,1',
      `12345.00,${UPS[0]},TIT-GT2-9,1`,
      `PO-NUM-1,${UPS[1]},TIT-PRO-V1,2`,
    ].join('\r\n'));
    expect(results(document)).toEqual({
      'row 2': `column "Tracking #": "789012345678.0" is written as a number with decimals, as a spreadsheet or script writes an identifier it read as a number (leading zeros and long numbers' last digits are lost that way); ${fix}`,
      'row 3': `column "Tracking #": "9400111899223190000000" has only zeros past its 15th digit, as Excel saves a long number it holds as a number (it keeps 15 digits): the rest are lost; ${fix}`,
      'row 4': `column "PO #": "12345.00" is written as a number with decimals, as a spreadsheet or script writes an identifier it read as a number (leading zeros and long numbers' last digits are lost that way); ${fix}`,
      'row 5': 'applied',
    });
    expect((await readV2(app, world.keys.a, 'PO-NUM-1')).fulfilled_items.map((f: any) => f.tracking.tracking_number)).toEqual([UPS[1]]);
    const after = await tableCounts(db);
    expect([after.shipments, after.held_supplier_updates]).toEqual([before.shipments + 1, before.held_supplier_updates]);
  });

  it('a UTF-8 export and a Windows-1252 export pasted into one file: each line is read in its own encoding', async () => {
    await addCsvPo('PO-ÉTÉ-1');
    await addCsvPo('PO-ÉTÉ-2');
    const utf8Part = Buffer.from(`PO #,Tracking #,Item #,Qty,Status\r\nPO-ÉTÉ-1,${UPS[0]},TIT-GT2-9,1,\r\n`);
    const windowsPart = iconv.encode(`PO-ÉTÉ-2,${UPS[1]},TIT-GT2-9,2,\r\nPO-ÉTÉ-2,,TIT-PRO-V1,5,confirmé “ok”\r\n`, 'win1252');
    const document = await post(Buffer.concat([utf8Part, windowsPart]));
    // Read wholly as Windows-1252, the UTF-8 row's PO was "PO-Ã‰TÃ‰-1": held for a PO that never comes.
    expect(document.results.map((r: any) => [r.source, r.po_number, r.result, r.reason])).toEqual([
      ['row 2', 'PO-ÉTÉ-1', 'applied', null],
      ['row 3', 'PO-ÉTÉ-2', 'applied', null],
      ['row 4', 'PO-ÉTÉ-2', 'rejected', expect.stringMatching(/^column "Status": "confirmé “ok”" is not an order status \(/)],
    ]);
    expect((await readV2(app, world.keys.a, 'PO-ÉTÉ-1')).fulfilled_items.map((f: any) => [f.quantity, f.tracking.tracking_number])).toEqual([[1, UPS[0]]]);
    expect((await readV2(app, world.keys.a, 'PO-ÉTÉ-2')).fulfilled_items.map((f: any) => [f.quantity, f.tracking.tracking_number])).toEqual([[2, UPS[1]]]);
  });
});

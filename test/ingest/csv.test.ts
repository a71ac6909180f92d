// CSV supplier documents end to end (DESIGN 3, "CSV"), posted to /api/v2/supplier_documents on SQLite and
// PostgreSQL: portal-style headers, one result per row, a bad row rejected naming its column, an unknown PO held
// until it is created, separators, BOM, Windows-1252, rows of one PO and tracking number as one shipment,
// invoices and acknowledgements; and an apply cut off mid-way completed by re-sending, doubling nothing.
import type { FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { ingestDocument } from '../../src/ingest/pipeline.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { addPo, postDocument, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, type World } from '../support/world.ts';

const databases = TestDatabases.create();
const UPS_1 = '1Z999AA10123456784';
const UPS_2 = '1Z12345E0205271688';
const FEDEX = '999999999999';

describe.each(databases.eachSupportedId())('CSV supplier documents on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;

  const post = async (body: string | Buffer, query: Record<string, string> = {}, contentType = 'text/csv') => {
    const response = await postDocument(app, writeKey, body, { query, contentType });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const po = (poNumber: string) => addPo(db, world.retailerA, world.suppliers.acushnet, poNumber);
  const read = (poNumber: string) => readV2(app, world.keys.a, poNumber);
  const item = (record: Record<string, any>, sku: string) => record.items.find((i: any) => i.product_details.sku === sku);

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    world = await createWorld(db);
    app = world.app;
    writeKey = (await createApiKey(db, world.retailerA, 'supplier feed', ['read', 'write'])).secret;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a portal export: headers by their aliases, US dates, one result per row, rows of one PO and tracking number one shipment', async () => {
    await po('PO-CSV-1');
    const csv = [
      'Purchase Order,Sales Order,Tracking Number,Carrier,Style,Quantity,Shipped,Est. Delivery',
      `PO-CSV-1,SO-77,${UPS_1},UPS,TIT-GT2-9,1,11/20/2026,11/25/26`,
      `PO-CSV-1,SO-77,${UPS_1},UPS,TIT-PRO-V1,5,11/20/2026,11/25/26`,
      `PO-CSV-1,SO-77,${UPS_2},UPS,TIT-GT2-9,1,2026-11-21,`,
    ].join('\n');
    const document = await post(csv);
    expect(document.results).toEqual([2, 3, 4].map((line, index) => ({
      index, source: `row ${line}`, type: 'shipment', po_number: 'PO-CSV-1', result: 'applied', reason: null,
    })));
    expect(document.summary).toEqual({ applied: 3, unchanged: 0, unmatched: 0, rejected: 0 });
    const shipments = await db.selectFrom('shipments as s').innerJoin('purchase_orders as p', 'p.id', 's.po_id')
      .select(['s.id', 's.tracking_number', 's.carrier', 's.shipped_at', 's.estimated_delivery_date'])
      .where('p.po_number', '=', 'PO-CSV-1').orderBy('s.tracking_number').execute();
    expect(shipments.map((s) => [s.tracking_number, s.carrier, s.estimated_delivery_date])).toEqual([
      [UPS_2, 'ups', null], [UPS_1, 'ups', '2026-11-25'],
    ]);
    const lines = await db.selectFrom('shipment_lines').select('quantity').where('shipment_id', '=', shipments[1].id).execute();
    expect(lines.map((l) => l.quantity).sort()).toEqual([1, 5]);
    const record = await read('PO-CSV-1');
    expect(item(record, 'TIT-GT2-9').status).toBe('shipped');
    expect(item(record, 'TIT-PRO-V1').status).toBe('shipped');
    expect(record.fulfilled_items.map((f: any) => [f.product_name, f.quantity, f.tracking.tracking_number]).sort()).toEqual([
      ['Titleist GT2 Driver 9', 1, UPS_1], ['Titleist GT2 Driver 9', 1, UPS_2], ['Titleist Pro V1 (dozen)', 5, UPS_1],
    ].sort());
  });

  it('a bad quantity rejects its row naming the column; the other rows apply', async () => {
    await po('PO-CSV-2');
    const csv = [
      'PO #,Order #,Tracking #,Ship Via,Item #,Qty Shipped,Ship Date',
      `PO-CSV-2,SO-2,${FEDEX},FedEx Ground,TIT-GT2-9,two,11/20/2026`,
      `PO-CSV-2,SO-2,${FEDEX},FedEx Ground,TIT-PRO-V1,5,11/20/2026`,
      `PO-CSV-2,SO-2,${FEDEX},FedEx Ground,TIT-PRO-V1,3,13/45/2026`,
      `PO-CSV-2,SO-2,${FEDEX},FedEx Ground,NO-SUCH-SKU,1,11/20/2026`,
    ].join('\r\n');
    const document = await post(csv);
    expect(document.results.map((r: any) => [r.source, r.result])).toEqual([
      ['row 2', 'rejected'], ['row 3', 'applied'], ['row 4', 'rejected'], ['row 5', 'rejected'],
    ]);
    expect(document.results[0].reason).toBe('column "Qty Shipped": "two" is not a whole number');
    expect(document.results[2].reason).toContain('column "Ship Date"');
    expect(document.results[3].reason).toContain('NO-SUCH-SKU');
    expect(document.summary).toEqual({ applied: 1, unchanged: 0, unmatched: 0, rejected: 3 });
    const record = await read('PO-CSV-2');
    expect(item(record, 'TIT-PRO-V1').status).toBe('shipped');
    expect(item(record, 'TIT-PRO-V1').tracking).toMatchObject({ tracking_number: FEDEX, carrier: 'fedex' });
    expect(item(record, 'TIT-GT2-9').status).toBe('submitted');
  });

  it('an unknown PO is held as unmatched and applied when the PO is created through the API', async () => {
    const csv = `PO Number;Order No.;Item;Qty;Status;ETA\nPO-CSV-LATER;SO-9;TIT-GT2-9;2;Backordered;01/15/2027\n`;
    const document = await post(csv, { supplier_name: 'Acushnet' });
    expect(document.results.map((r: any) => r.result)).toEqual(['unmatched']);
    const warehouse = await app.inject({ method: 'POST', url: '/api/v2/warehouses', headers: { 'x-api-key': world.keys.aAll },
      payload: { name: `Main ${Date.now()}` } });
    expect(warehouse.statusCode, warehouse.body).toBe(201);
    const created = await app.inject({
      method: 'POST', url: '/api/v2/purchase_orders', headers: { 'x-api-key': world.keys.aAll },
      payload: { po_number: 'PO-CSV-LATER', supplier_id: world.suppliers.acushnet, warehouse_id: warehouse.json().warehouse_id,
        products: [{ sku: 'TIT-GT2-9', supplier_sku: 'AC-GT2-9', quantity: 2, cost: 500 }] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const record = await read('PO-CSV-LATER');
    expect(item(record, 'TIT-GT2-9')).toMatchObject({ supplier_order_id: 'SO-9', backordered: true, estimated_delivery_date: '01/15/2027' });
  });

  it('semicolons and a UTF-8 BOM; tabs; Windows-1252 bytes', async () => {
    await po('PO-CSV-3');
    const bom = '\ufeffPO #;Order #;Item #;Qty;Status\r\nPO-CSV-3;SO-3;TIT-GT2-9;2;Confirmed\r\n';
    expect((await post(bom, { supplier_name: 'Acushnet' })).results.map((r: any) => r.result)).toEqual(['applied']);
    expect(item(await read('PO-CSV-3'), 'TIT-GT2-9')).toMatchObject({ status: 'confirmed', supplier_order_id: 'SO-3' });

    const tabs = 'PO\tSupplier\tOrder #\tSKU\tQty\tStatus\nPO-CSV-3\tAcushnet\tSO-3B\tTIT-PRO-V1\t5\tprocessing\n';
    expect((await post(tabs)).results.map((r: any) => r.result)).toEqual(['applied']);
    expect(item(await read('PO-CSV-3'), 'TIT-PRO-V1')).toMatchObject({ status: 'processing', supplier_order_id: 'SO-3B' });

    await po('PO-CSV-É');
    const cp1252 = iconv.encode('PO #,Order #,Item #,Qty\r\nPO-CSV-É,SO-Ü€,TIT-GT2-9,2\r\n', 'win1252');
    expect(cp1252.includes(Buffer.from('É'))).toBe(false); // really not UTF-8
    const document = await post(cp1252, { supplier_name: 'Acushnet' }, 'text/csv; charset=windows-1252');
    expect(document.results).toEqual([expect.objectContaining({ po_number: 'PO-CSV-É', result: 'applied' })]);
    expect(item(await read('PO-CSV-É'), 'TIT-GT2-9').supplier_order_id).toBe('SO-Ü€');

    // A byte Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) is its C1 control character, which the
    // free-text rule refuses: that row is rejected naming its column, never stored with a U+FFFD in its place.
    const undefinedByte = Buffer.concat([iconv.encode('PO #,Order #,Item #,Qty\r\nPO-CSV-É,SO-', 'win1252'), Buffer.from([0x81]),
      Buffer.from(',TIT-GT2-9,2\r\n', 'latin1')]);
    const refused = await post(undefinedByte, { supplier_name: 'Acushnet' }, 'text/csv');
    expect(refused.results).toEqual([expect.objectContaining({ result: 'rejected',
      reason: 'column "Order #": must not contain control characters or noncharacters: U+0081 at character 4' })]);
    // Every cell is checked before it is read: a status reader keeping only letters must not turn `cancel\x81led`
    // into `cancelled` (nor a PO number be taken with it).
    const status = Buffer.concat([Buffer.from('PO #,Order #,Item #,Qty,Status\r\nPO-CSV-É,SO-S,TIT-GT2-9,2,cancel', 'latin1'),
      Buffer.from([0x81]), Buffer.from('led\r\nPO-CSV-\x81,SO-S,TIT-GT2-9,2,confirmed\r\n', 'latin1')]);
    const statusRead = await post(status, { supplier_name: 'Acushnet' }, 'text/csv');
    expect(statusRead.results.map((r: any) => [r.result, r.reason])).toEqual([
      ['rejected', 'column "Status": must not contain control characters or noncharacters: U+0081 at character 7'],
      ['rejected', expect.stringMatching(/^column "PO #": .*U\+0081/)],
    ]);
    expect(item(await read('PO-CSV-É'), 'TIT-GT2-9').status).not.toBe('cancelled');
  });

  it('an invoice row: amounts with currency symbols and thousands separators, freight, tax and terms', async () => {
    await po('PO-CSV-4');
    const csv = 'PO #,Invoice #,Invoice Date,Due Date,Terms,Subtotal,Tax,Freight,Amount,Supplier\r\n' +
      'PO-CSV-4,INV-4001,11/20/2026,01/19/2027,Net 60,"$1,250.00",$100.00,$12.50,"$1,362.50",Acushnet\r\n';
    expect((await post(csv)).results.map((r: any) => r.result)).toEqual(['applied']);
    const [invoice] = (await read('PO-CSV-4')).invoices;
    expect(invoice).toMatchObject({
      invoice_number: 'INV-4001', payment_terms: 'Net 60 Days', subtotal_amount: 1250, tax_amount: 100, shipping_amount: 12.5,
      total_amount: 1362.5, supplier_name: 'Acushnet',
    });
    const mismatch = 'PO #,Invoice #,Subtotal,Amount\r\nPO-CSV-4,INV-4002,100.00,150.00\r\n';
    const [row] = (await post(mismatch, { supplier_name: 'Acushnet' })).results;
    expect(row.result).toBe('rejected');
    expect(row.reason).toContain('column "Amount"');
  });

  it('amounts keep their exact decimals; a lone separator before three digits is refused; the currency\'s decimals are enforced', async () => {
    await po('PO-CSV-MONEY');
    // [amount cell, currency cell, expected amount or the rejection's text]
    const rows: [string, string, number | RegExp][] = [
      ['0.345', 'KWD', 0.345], ['0.001', 'USD', /column "Amount": "0.001" must have at most 2 decimals \(USD\)/],
      ['1.0055', 'USD', /column "Amount": "1.0055" must have at most 2 decimals \(USD\)/], ['"$1,234.56"', 'USD', 1234.56],
      ['"1.234,56 €"', 'EUR', 1234.56], ['"1,234,567"', 'USD', 1234567], ['"12,5"', 'USD', 12.5], ['JPY 1500', 'JPY', 1500],
      // A lone separator before three digits: thousands or decimals? A three-decimal currency writes its amounts with
      // three decimals, so in KWD it is the decimal mark; in any other currency it is refused, naming both readings.
      ['12.345', 'KWD', 12.345],
      ['"1,234"', 'USD', /column "Amount": "1,234" could be 1.234 or 1234/],
      ['1.5', 'JPY', /column "Amount": "1.5" must have at most 0 decimals \(JPY\)/], ['"1.234.567,89"', 'EUR', 1234567.89],
    ];
    const csv = ['PO #,Invoice #,Invoice Date,Subtotal,Amount,Currency,Supplier',
      ...rows.map(([amount, currency], i) => `PO-CSV-MONEY,INV-M${i},11/20/2026,${amount},${amount},${currency},Acushnet`)].join('\r\n');
    const document = await post(csv);
    expect(document.results.map((r: any) => r.result)).toEqual(rows.map(([, , expected]) => (typeof expected === 'number' ? 'applied' : 'rejected')));
    rows.forEach(([, , expected], i) => {
      if (typeof expected !== 'number') expect(document.results[i].reason).toMatch(expected);
    });
    const invoices = (await read('PO-CSV-MONEY')).invoices;
    const byNumber = new Map(invoices.map((inv: any) => [inv.invoice_number, inv]));
    expect(invoices).toHaveLength(rows.filter(([, , expected]) => typeof expected === 'number').length);
    rows.forEach(([, currency, expected], i) => {
      if (typeof expected === 'number') {
        expect(byNumber.get(`INV-M${i}`), `INV-M${i}`).toMatchObject({ subtotal_amount: expected, total_amount: expected, currency });
      }
    });
  });

  it('an invoice row whose currency is not an ISO 4217 code in use (ZZZ) is rejected with the reason; the others apply', async () => {
    await po('PO-CSV-CUR');
    const csv = ['PO #,Invoice #,Invoice Date,Subtotal,Amount,Currency,Supplier',
      'PO-CSV-CUR,INV-C1,11/20/2026,10.00,10.00,ZZZ,Acushnet', 'PO-CSV-CUR,INV-C2,11/20/2026,10.00,10.00,QQQ,Acushnet',
      'PO-CSV-CUR,INV-C3,11/20/2026,10.00,10.00,EUR,Acushnet'].join('\r\n');
    const document = await post(csv);
    expect(document.results.map((r: any) => r.result)).toEqual(['rejected', 'rejected', 'applied']);
    expect(document.results[0].reason).toMatch(/ISO 4217/);
    expect(document.results[0].reason).toMatch(/ZZZ/);
    expect((await read('PO-CSV-CUR')).invoices.map((inv: any) => [inv.invoice_number, inv.currency])).toEqual([['INV-C3', 'EUR']]);
  });

  it('a Tracking # cell with two numbers separated by white space rejects its row naming the column; spaced digits are one number', async () => {
    await po('PO-CSV-TRACK');
    const csv = ['PO #,Order #,Tracking #,Item #,Qty Shipped',
      'PO-CSV-TRACK,SO-T,1Z999AA10123456784 1Z999AA10123456791,TIT-GT2-9,1',
      'PO-CSV-TRACK,SO-T,1Z999AA10123456784\t9400111899223197428490,TIT-GT2-9,1',
      'PO-CSV-TRACK,SO-T,7489 4793 8820,TIT-PRO-V1,5'].join('\r\n');
    const document = await post(csv);
    expect(document.results.map((r: any) => r.result)).toEqual(['rejected', 'rejected', 'applied']);
    expect(document.results[0].reason).toMatch(/column "Tracking #": holds 2 tracking numbers/);
    expect(document.results[1].reason).toMatch(/column "Tracking #": holds 2 tracking numbers/);
    const shipments = await db.selectFrom('shipments as s').innerJoin('purchase_orders as p', 'p.id', 's.po_id')
      .select('s.tracking_number').where('p.po_number', '=', 'PO-CSV-TRACK').execute();
    expect(shipments.map((s) => s.tracking_number)).toEqual(['748947938820']);
  });

  it('a field under two headers takes whichever is filled; two different values reject the row naming both columns', async () => {
    await po('PO-CSV-TWICE');
    const csv = ['PO #,Tracking #,Tracking Number,Item #,Qty Shipped',
      `PO-CSV-TWICE,,${UPS_1},TIT-GT2-9,1`,
      `PO-CSV-TWICE,${FEDEX},${FEDEX},TIT-PRO-V1,1`,
      `PO-CSV-TWICE,${UPS_2},${FEDEX},TIT-PRO-V1,1`].join('\r\n');
    const document = await post(csv);
    expect(document.results.map((r: any) => r.result)).toEqual(['applied', 'applied', 'rejected']);
    expect(document.results[2].reason).toBe(`columns "Tracking #" and "Tracking Number" hold different values ("${UPS_2}" and "${FEDEX}"): keep one of them`);
    const shipments = await db.selectFrom('shipments as s').innerJoin('purchase_orders as p', 'p.id', 's.po_id')
      .select('s.tracking_number').where('p.po_number', '=', 'PO-CSV-TWICE').orderBy('s.tracking_number').execute();
    expect(shipments.map((s) => s.tracking_number)).toEqual([UPS_1, FEDEX].sort());
  });

  it('two PO-number columns holding different POs reject the row naming both; the same PO in both applies', async () => {
    await po('PO-CSV-TWO-A');
    await po('PO-CSV-TWO-B');
    const csv = ['PO #,Item #,Qty,PO Number,Order No.', 'PO-CSV-TWO-A,TIT-GT2-9,1,PO-CSV-TWO-B,SO-2', 'PO-CSV-TWO-A,TIT-GT2-9,1,PO-CSV-TWO-A,SO-2'].join('\n');
    const document = await post(csv, { supplier_name: 'Acushnet' });
    expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([
      ['rejected', 'columns "PO #" and "PO Number" hold different values ("PO-CSV-TWO-A" and "PO-CSV-TWO-B"): keep one of them'],
      ['applied', null],
    ]);
    expect(item(await read('PO-CSV-TWO-B'), 'TIT-GT2-9').supplier_order_id).toBeNull();
  });

  it('two columns of a field agree when they read the same: tracking formatting, 2 and 2.0, two date formats', async () => {
    await po('PO-CSV-SAME');
    const csv = ['PO #,Tracking #,Tracking Number,Item #,Qty,Quantity,Ship Date,Shipped',
      'PO-CSV-SAME,1Z999AA10123456784,1z-999-aa1-01-2345-6784,TIT-GT2-9,2,2.0,11/20/2026,2026-11-20'].join('\r\n');
    const document = await post(csv);
    expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['applied', null]]);
  });

  it('a header given twice names each by its column number when they disagree', async () => {
    await po('PO-CSV-TWIN');
    const csv = ['PO #,Tracking #,Item #,Qty,Tracking #', `PO-CSV-TWIN,${UPS_1},TIT-GT2-9,1,${FEDEX}`].join('\r\n');
    const document = await post(csv);
    expect(document.results[0].reason).toBe(
      `columns "Tracking #" (column 2) and "Tracking #" (column 5) hold different values ("${UPS_1}" and "${FEDEX}"): keep one of them`);
  });

  it('a bad value in the second of two columns of a field is named by that column', async () => {
    await po('PO-CSV-TWICE-2');
    const csv = ['PO #,Qty,Quantity,Tracking #,Item #', `PO-CSV-TWICE-2,,lots,${UPS_1},TIT-GT2-9`].join('\r\n');
    const document = await post(csv);
    expect(document.results[0].result).toBe('rejected');
    expect(document.results[0].reason).toMatch(/^column "Quantity": /);
  });

  it('a row with more filled cells than the header has is rejected naming the cell; empty cells past the header are fine', async () => {
    await po('PO-CSV-WIDE');
    const csv = ['PO #,Order #,Status,Item #,Qty',
      // An unquoted "Acme, Inc." in the order number shifts every cell after it: rejected, not read under the wrong headers.
      'PO-CSV-WIDE,Acme, Inc.,Confirmed,TIT-GT2-9,2',
      'PO-CSV-WIDE,SO-W,Confirmed,TIT-GT2-9,2,,,extra,more',
      // As Excel pads rows to the widest one: empty cells past the header.
      'PO-CSV-WIDE,SO-W,Confirmed,TIT-PRO-V1,5,, ,'].join('\r\n');
    const document = await post(`${csv}\r\n`);
    expect(document.results.map((r: any) => [r.source, r.result, r.reason])).toEqual([
      ['row 2', 'rejected', 'column 6 holds "2", but the header row has 5 columns: a value holding "," must be quoted, or the header ' +
        'row is missing a column'],
      ['row 3', 'rejected', 'column 8 holds "extra" (and 1 more cell past it), but the header row has 5 columns: a value holding "," ' +
        'must be quoted, or the header row is missing a column'],
      ['row 4', 'applied', null],
    ]);
    expect(item(await read('PO-CSV-WIDE'), 'TIT-GT2-9').supplier_order_id).toBeNull();
  });

  it('a stray quote inside an unquoted cell (MZ"1) is read as a character of the value, as real exports write it', async () => {
    await po('PO-CSV-QUOTE');
    const document = await post('PO #,Order #,Status,Item #,Qty\r\nPO-CSV-QUOTE,MZ"1,Confirmed,TIT-GT2-9,2\r\n');
    expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['applied', null]]);
    expect(item(await read('PO-CSV-QUOTE'), 'TIT-GT2-9').supplier_order_id).toBe('MZ"1');
  });

  it('a CSV that breaks anywhere (an unclosed quote near the end) is unprocessable as a whole: no row applied, the line named', async () => {
    await po('PO-CSV-BROKEN');
    const before = await tableCounts(db);
    const rows = [`PO-CSV-BROKEN,SO-B,${UPS_1},TIT-GT2-9,2`, ...Array.from({ length: 30 }, (_, i) => `PO-CSV-NONE-${i},SO-B,${UPS_2},TIT-GT2-9,1`)];
    const csv = `PO #,Order #,Tracking #,Item #,Qty\n${rows.join('\n')}\nPO-CSV-NONE-X,"SO-B,${UPS_2},TIT-GT2-9,1\n`;
    const response = await postDocument(app, writeKey, csv);
    expect(response.statusCode, response.body).toBe(422);
    // In our words (never csv-parse's "Quote Not Closed"), naming the row where the broken record starts and its field.
    expect(response.json().message).toBe('The document cannot be read: row 33: a quoted field (field 2) is never closed ' +
      '(opening quote at line 33): the file ends inside it; close the quote, or double a quote meant as part of the value (""); ' +
      'no row of the file was applied.');
    const after = await tableCounts(db);
    expect(after.shipments).toBe(before.shipments);
    expect(after.held_supplier_updates).toBe(before.held_supplier_updates);
    expect(after.supplier_document_results).toBe(before.supplier_document_results);
    expect((await read('PO-CSV-BROKEN')).items.every((item: any) => item.status !== 'shipped')).toBe(true);
  });

  it('a last row short of the header with no line break after it is rejected as cut off; whole last rows are read', async () => {
    await po('PO-CSV-CUT');
    const head = 'PO #,Order No.,Tracking #,Item #,Qty,Ship Date,Carrier';
    const cut = await post(`${head}\nPO-CSV-CUT,SO1,${UPS_1},TIT-PRO-V1,1`);
    expect(cut.results.map((r: any) => [r.result, r.reason])).toEqual([['rejected',
      'the file ends inside this row (5 of 7 columns, no line break after it): it looks cut off; send the file whole']]);
    // A whole last row without a line break, and a short row with one (trailing empty cells left out), are rows.
    const whole = await post(`${head}\nPO-CSV-CUT,SO1,${UPS_1},TIT-PRO-V1,1,11/20/2026,UPS`);
    expect(whole.results.map((r: any) => r.result)).toEqual(['applied']);
    const short = await post(`${head}\nPO-CSV-CUT,SO1,${UPS_2},TIT-GT2-9,1\n`);
    expect(short.results.map((r: any) => r.result)).toEqual(['applied']);
  });

  it('a quote left open and closed by a stray one later: the swallowed rows are named by their lines and rejected with it', async () => {
    await po('PO-CSV-SWALLOW');
    const before = await tableCounts(db);
    // Closed three lines below: one record of rows 3–5, rejected (its cell holds line breaks), every line accounted for.
    const near = ['PO #,Tracking #,Item #,Qty', `PO-CSV-SWALLOW,${UPS_1},TIT-GT2-9,1`, `PO-CSV-SWALLOW,"${UPS_2},TIT-PRO-V1,1`,
      'PO-CSV-SWALLOW,1Z999AA10000000001,TIT-PRO-V1,1', 'PO-CSV-SWALLOW,1Z999AA10000000002,TIT-PRO-V1,1"x', `PO-CSV-SWALLOW,${FEDEX},TIT-PRO-V1,1`].join('\n');
    const document = await post(near);
    expect(document.results.map((r: any) => [r.source, r.result])).toEqual([
      ['row 2', 'applied'], ['rows 3–5', 'rejected'], ['row 6', 'applied'],
    ]);
    // Closed thousands of lines below: still one record, named by all its lines, rejected; nothing in it applied.
    const far = ['PO #,Tracking #,Item #,Qty', `PO-CSV-SWALLOW,"${UPS_2},TIT-PRO-V1,1`,
      ...Array.from({ length: 3000 }, (_, i) => `PO-CSV-NONE-${i},1Z999AA1${String(i).padStart(10, '0')},TIT-PRO-V1,1`), 'X,Y,Z,1"x'].join('\n');
    const swallowed = await post(far);
    expect(swallowed.results.map((r: any) => [r.source, r.result])).toEqual([['rows 2–3003', 'rejected']]);
    const after = await tableCounts(db);
    expect(after.held_supplier_updates).toBe(before.held_supplier_updates);
  });

  it('CRLF files: a record whose quoted cell spans lines is named by its own lines, and so is every record after it', async () => {
    await po('PO-CSV-CRLF');
    // Lines 1, 2, 3–5 (a note of three lines), 6–7, 8: csv-parse alone counts each CR LF inside quotes twice.
    const csv = ['PO #,Tracking #,Item #,Qty,Notes', `PO-CSV-CRLF,${UPS_1},TIT-GT2-9,1,plain`,
      `PO-CSV-CRLF,${UPS_1},TIT-PRO-V1,1,"first\r\nsecond\r\nthird"`, `PO-CSV-CRLF,${UPS_2},TIT-PRO-V1,1,"a\r\nb"`,
      `PO-CSV-CRLF,${UPS_2},TIT-GT2-9,1,last`].join('\r\n') + '\r\n';
    const document = await post(csv);
    expect(document.results.map((r: any) => r.source)).toEqual(['row 2', 'rows 3–5', 'rows 6–7', 'row 8']);
    // Blank lines (skipped) are nobody's lines: a record after them is named by its own, in LF and CRLF files.
    for (const eol of ['\n', '\r\n']) {
      const blanks = ['PO #,Tracking #,Item #,Qty,Notes', '', '', `PO-CSV-CRLF,${UPS_1},TIT-GT2-9,1,"a${eol}b"`, '', `PO-CSV-CRLF,${UPS_2},TIT-GT2-9,1,x`].join(eol) + eol;
      expect((await post(blanks)).results.map((r: any) => r.source)).toEqual(['rows 4–5', 'row 7']);
      const open = ['PO #,Tracking #,Item #,Qty,Notes', '', `PO-CSV-CRLF,${UPS_1},TIT-GT2-9,1,x`, '', '', `PO-CSV-CRLF,${UPS_2},TIT-GT2-9,1,"open`].join(eol);
      const failed = await postDocument(app, writeKey, open);
      expect(failed.statusCode, failed.body).toBe(422);
      expect(failed.json().message).toMatch(/: row 6: a quoted field \(field 5\) is never closed \(opening quote at line 6\)/);
    }
    // An unclosed quote after a multi-line cell is named on its own line too.
    const broken = ['PO #,Tracking #,Item #,Qty,Notes', `PO-CSV-CRLF,${UPS_1},TIT-GT2-9,1,"x\r\ny"`, `PO-CSV-CRLF,${UPS_1},TIT-GT2-9,1,"open`].join('\r\n');
    const response = await postDocument(app, writeKey, broken);
    expect(response.statusCode, response.body).toBe(422);
    expect(response.json().message).toMatch(/: row 4: a quoted field \(field 5\) is never closed \(opening quote at line 4\)/);
  });

  it('a file without a PO-number column is unprocessable, naming the headers it has', async () => {
    const response = await postDocument(app, writeKey, 'Tracking #,Qty\r\n1Z,1\r\n');
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toContain('"Tracking #", "Qty"');
    // A header row of thousands of columns is named by its first 20.
    const wide = Array.from({ length: 5000 }, (_, i) => `C${i}`).join(',');
    const many = await postDocument(app, writeKey, `${wide}\r\n${wide}\r\n`);
    expect(many.statusCode).toBe(422);
    expect(many.json().message).toContain('"C19" and 4980 more)');
    expect(many.json().message.length).toBeLessThan(600);
  });

  it('an unreadable X12 envelope names its place once', async () => {
    const response = await postDocument(app, writeKey, 'GS*SH*A*B*20261120*0600*1*X*004010~', { contentType: 'application/edi-x12' });
    expect(response.statusCode).toBe(422);
    const message: string = response.json().message;
    expect(message.match(/line 1, column 1/g)).toHaveLength(1);
  });

  it('an apply cut off mid-way (a failed batch) is completed by re-sending the file, doubling nothing', async () => {
    for (const n of [1, 2, 3]) await po(`PO-CUT-${n}`);
    const rows = [1, 2, 3].flatMap((n) => [
      `PO-CUT-${n},SO-CUT-${n},${n === 2 ? UPS_2 : FEDEX},TIT-GT2-9,2`,
      `PO-CUT-${n},SO-CUT-${n},${n === 2 ? UPS_2 : FEDEX},TIT-PRO-V1,5`,
    ]);
    const bytes = Buffer.from(`PO,Order #,Tracking #,SKU,Qty\n${rows.join('\n')}\nPO-CUT-9,SO-X,${UPS_1},TIT-GT2-9,1\n`);
    const before = await tableCounts(db);
    await expect(ingestDocument(db, world.retailerA, { bytes, format: 'csv', content_type: 'text/csv' }, {
      batchSize: 2, beforeBatch: (from) => { if (from === 4) throw new Error('the process died'); },
    })).rejects.toThrow('the process died');
    const cut = await db.selectFrom('supplier_documents').select(['id', 'status', 'next_entry']).orderBy('received_at', 'desc')
      .orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(cut).toMatchObject({ status: 'processing', next_entry: 4 });
    const middle = await tableCounts(db);
    expect(middle.supplier_document_results - before.supplier_document_results).toBe(4);
    expect(middle.shipments - before.shipments).toBe(2);

    const resent = await postDocument(app, writeKey, bytes);
    expect(resent.statusCode, resent.body).toBe(200);
    const document = resent.json();
    expect(document.document_id).toBe(cut.id);
    expect(document.status).toBe('processed');
    expect(document.results.map((r: any) => [r.index, r.source, r.result])).toEqual([
      [0, 'row 2', 'applied'], [1, 'row 3', 'applied'], [2, 'row 4', 'applied'], [3, 'row 5', 'applied'],
      [4, 'row 6', 'applied'], [5, 'row 7', 'applied'], [6, 'row 8', 'unmatched'],
    ]);
    expect(document.summary).toEqual({ applied: 6, unchanged: 0, unmatched: 1, rejected: 0 });
    const after = await tableCounts(db);
    expect(after.shipments - before.shipments).toBe(3);
    expect(after.shipment_lines - before.shipment_lines).toBe(6);
    // Each line went submitted → shipped once.
    expect(after.status_events - before.status_events).toBe(6);
    expect(after.held_supplier_updates - before.held_supplier_updates).toBe(1);
    // And once more: nothing.
    expect((await postDocument(app, writeKey, bytes)).statusCode).toBe(200);
    expect(await tableCounts(db)).toEqual(after);
  });
});

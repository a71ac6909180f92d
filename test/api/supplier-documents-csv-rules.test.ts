// CSV supplier documents read as wholes (DESIGN 3, "CSV"), posted to /api/v2/supplier_documents on SQLite and
// PostgreSQL: what is stored never depends on the order of the file's rows, only date columns show how a file writes
// its dates, a date written day first is said to be, a row's every fault is given at once, amounts are read by their
// currency's decimals (`12.345` KWD), and an amount in a currency whose decimals are not known is never guessed.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { insertPurchaseOrders, supplierNamesOf } from '../../src/store/purchase-orders.ts';
import { buildPo } from '../support/fixtures.ts';
import { addPo, openDocumentWorld, postDocument, readV2 } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';

const databases = TestDatabases.create();
const UPS_1 = '1Z999AA10123456784';
const UPS_2 = '1Z12345E0205271688';

/** Every order of `items` (a few rows: n! of them). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe.each(databases.eachSupportedId())('CSV files read as wholes on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;
  let serial = 0;

  const post = async (lines: string[]) => {
    const response = await postDocument(app, writeKey, `${lines.join('\r\n')}\r\n`, { query: { supplier_name: 'Acushnet' } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const reasons = (document: any): Record<string, string | null> =>
    Object.fromEntries(document.results.map((r: any) => [r.source, r.reason]));
  /** A new PO of two lines (GT2 ×2, Pro V1 ×5) whose number replaces `PO` in each row. */
  const newPo = async (prefix: string, currency = 'USD') => {
    const po = `${prefix}-${++serial}`;
    if (currency === 'USD') {
      await addPo(db, world.retailerA, world.suppliers.acushnet, po);
      return po;
    }
    // A PO in another currency, as a sync keeps what its upstream says (`XAU` too).
    const aggregate = buildPo({ retailer_id: world.retailerA, po_number: po, order_date: '2026-11-18T17:00:00.000Z',
      supplier_id: world.suppliers.acushnet, lines: [{ product_name: 'Driver', sku: 'TIT-GT2-9', quantity: 2, unit_cost_cents: 50000, status: 'submitted' }] });
    aggregate.po.currency = currency;
    await db.transaction().execute(async (trx) => insertPurchaseOrders(trx, [aggregate], await supplierNamesOf(trx, world.retailerA)));
    return po;
  };
  const invoices = async (po: string) => (await readV2(app, world.keys.a, po)).invoices
    .map((i: any) => `${i.invoice_number} ${i.total_amount} ${i.currency}`);
  /** What a PO ends with: each shipment's items and quantities, and each line's status and ETA. */
  const outcome = async (po: string) => {
    const record = await readV2(app, world.keys.a, po);
    return {
      shipped: record.fulfilled_items.map((f: any) => `${f.tracking.tracking_number} ${f.product_details?.sku ?? f.sku} ×${f.quantity}`).sort(),
      lines: record.items.map((i: any) => `${i.product_details.sku} ${i.status} ${i.estimated_delivery_date}`),
    };
  };

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a shipment row without an item beside rows naming items of its PO: the same result in every order of the rows', async () => {
    const files: [string, string[]][] = [
      // [what, rows (PO stands for the case's PO number; OTHER for a PO of its own between them)]
      ['same tracking number', [`PO,${UPS_1},,`, `PO,${UPS_1},TIT-GT2-9,1`]],
      ['another tracking number', [`PO,${UPS_2},,`, `PO,${UPS_1},TIT-GT2-9,1`]],
      ['two item rows, another PO between', [`PO,${UPS_1},,`, `PO,${UPS_1},TIT-PRO-V1,2`, `OTHER,${UPS_2},TIT-GT2-9,1`, `PO,${UPS_2},TIT-GT2-9,1`]],
    ];
    for (const [what, rows] of files) {
      const outcomes = new Set<string>();
      for (const order of permutations(rows)) {
        const [po, other] = [await newPo('PO-ROWS'), await newPo('PO-ROWS-OTHER')];
        const document = await post(['PO #,Tracking #,Item #,Qty', ...order.map((row) => row.replace(/^PO,/, `${po},`).replace(/^OTHER,/, `${other},`))]);
        const whole = order.findIndex((row) => row.endsWith(',,'));
        const named = order.findIndex((row) => row.startsWith('PO,') && !row.endsWith(',,'));
        expect(reasons(document)[`row ${whole + 2}`], `${what}: ${order.join(' | ')}`).toBe(`column "Item #" is empty, but row ${named + 2} ` +
          `names the items shipped on PO ${po}: a shipment row without an item ships every line still open, which no row lists; ` +
          'name the items this row ships, or leave the row out');
        outcomes.add(JSON.stringify(await outcome(po)));
      }
      expect([...outcomes], what).toHaveLength(1);
    }
    // One parcel's rows apart (a file sorted by item) add up as adjacent ones do; a rejected row's units are not added.
    const apart: [string, string[]] = ['a SKU on two rows of one parcel, apart', [`PO,${UPS_1},TIT-PRO-V1,2`, `OTHER,${UPS_2},TIT-GT2-9,1`, `PO,${UPS_1},TIT-PRO-V1,2`]];
    const outcomes = new Set<string>();
    for (const order of permutations(apart[1])) {
      const [po, other] = [await newPo('PO-ROWS'), await newPo('PO-ROWS-OTHER')];
      await post(['PO #,Tracking #,Item #,Qty', ...order.map((row) => row.replace(/^PO,/, `${po},`).replace(/^OTHER,/, `${other},`))]);
      outcomes.add(JSON.stringify(await outcome(po)));
    }
    expect([...outcomes]).toEqual([JSON.stringify({ shipped: [`${UPS_1} TIT-PRO-V1 ×4`], lines: ['TIT-GT2-9 submitted null', 'TIT-PRO-V1 submitted null'] })]);
    const withdrawn = await newPo('PO-ROWS');
    const rows = await post(['PO #,Tracking #,Item #,Qty,Ship Date', `${withdrawn},${UPS_1},TIT-PRO-V1,2,2026-02-30`, `${withdrawn},${UPS_1},TIT-PRO-V1,2,`]);
    expect(Object.values(reasons(rows))[1]).toBeNull();
    expect((await outcome(withdrawn)).shipped).toEqual([`${UPS_1} TIT-PRO-V1 ×2`]);
    // A PO no row itemises is still shipped whole by its row without an item.
    const po = await newPo('PO-ROWS-WHOLE');
    const other = await newPo('PO-ROWS-OTHER');
    const document = await post(['PO #,Tracking #,Item #,Qty', `${po},${UPS_1},,`, `${other},${UPS_2},TIT-GT2-9,1`]);
    expect(Object.values(reasons(document))).toEqual([null, null]);
    expect((await outcome(po)).shipped).toEqual([`${UPS_1} TIT-GT2-9 ×2`, `${UPS_1} TIT-PRO-V1 ×5`]);
  });

  it('only date columns show that a file writes day first: free text holding a dotted or slash date does not', async () => {
    const freeText = ['Rev 2.10.2024', 'Note: ship 3.4.2026', '30/11/2026', 'delivered 13.11.2026 to dock', 'Lot 31.12.25',
      'call 30.11. re 1.12.2026', '"Stand: 30.11.2026, v2"'];
    for (const note of freeText) {
      const po = await newPo('PO-NOTE');
      const document = await post(['PO #,Order #,Item #,Qty,Notes,ETA', `${po},SO-1,TIT-GT2-9,2,${note},04/05/2026`]);
      expect(reasons(document), note).toEqual({ 'row 2': null });
      expect((await outcome(po)).lines[0], note).toBe('TIT-GT2-9 confirmed 04/05/2026') // April 5, as the read API renders it;
    }
    // Nor a title line above the header row, nor free text in a date column itself.
    const titled = await newPo('PO-NOTE');
    expect(reasons(await post(['Despatch report rev 2.10.2024', 'PO #,Order #,Item #,Qty,ETA', `${titled},SO-1,TIT-GT2-9,2,04/05/2026`])))
      .toEqual({ 'row 3': null });
    const inDateColumn = await newPo('PO-NOTE');
    expect(reasons(await post(['PO #,Order #,Item #,Qty,Order Date,ETA', `${inDateColumn},SO-1,TIT-GT2-9,2,see 3.4.2026 mail,04/05/2026`])))
      .toEqual({ 'row 2': null });
    // A header is a date column by its words: `Update Notes` holds notes, whatever letters it shares with "date".
    const updateNotes = await newPo('PO-NOTE');
    expect(reasons(await post(['PO #,Order #,Item #,Qty,Update Notes,ETA', `${updateNotes},SO-1,TIT-GT2-9,2,30.11.2026 called,04/05/2026`])))
      .toEqual({ 'row 2': null });
    // A date column's own day-first date does, read (Ship Date) or not (Order Date, PO Date), with a time or not.
    for (const [header, cell] of [['Order Date', '30.11.2026 15:04'], ['PODate', '30/11/26'], ['Requested Delivery Date', '30.11.26'], ['Lieferdatum', '30.11.2026']]) {
      const po = await newPo('PO-DATECOL');
      const document = await post([`PO #,Order #,Item #,Qty,${header},ETA`, `${po},SO-1,TIT-GT2-9,2,${cell},04/05/2026`]);
      expect(reasons(document)['row 2'], header).toBe('column "ETA": "04/05/2026" could be April 5 or 4 May: this file writes dates day ' +
        `first elsewhere ("${cell.split(' ')[0]}" in row 2, column "${header}"); write the date as YYYY-MM-DD`);
    }
  });

  it('a date that reads only day first (13/05/2026) is said to be written day first, with the file\'s own sign when it has one', async () => {
    const po = await newPo('PO-DF');
    const document = await post([
      'PO #,Order #,Item #,Qty,Order Date,ETA',
      `${po},SO-1,TIT-GT2-9,2,30.11.2026,13/05/2026`,
      `${po},SO-1,TIT-PRO-V1,5,,31/02/2026`,
    ]);
    expect(reasons(document)).toEqual({
      'row 2': 'column "ETA": "13/05/2026" is written day first (13 May 2026), as this file writes dates ("30.11.2026" in row 2, ' +
        'column "Order Date"), but slash dates are read month first (MM/DD/YYYY): write the date as YYYY-MM-DD (2026-05-13)',
      // A date either way round: the calendar's reason.
      'row 3': 'column "ETA": "31/02/2026" is not a calendar date: there is no month 31 (MM/DD/YYYY: month first)',
    });
    const shipped = await newPo('PO-DF');
    const ships = await post(['PO #,Tracking #,Item #,Qty,Ship Date', `${shipped},${UPS_1},TIT-GT2-9,1,13/11/26 10:00`]);
    expect(reasons(ships)['row 2']).toBe('column "Ship Date": "13/11/26 10:00" is written day first (13 November 2026), but slash dates ' +
      'are read month first (MM/DD/YYYY): write the date as YYYY-MM-DD (2026-11-13)');
    expect((await outcome(shipped)).shipped).toEqual([]);
  });

  it('a row with several faults names every one, in the file\'s column order, at most 8 and then how many more', async () => {
    const po = await newPo('PO-FAULTS');
    const document = await post([
      'PO #,Order #,Item #,Qty,Status,ETA,Est. Delivery,Quantity,SKU,Supplier',
      `${po},SO\u0007,TIT-GT2-9,two,Bogus,13/45/2026,,,,Acushnet`,
      `${po},SO\u0007,TIT-GT2-9\u0001,two,Bogus,13/45/2026,2/30/27,-1,X\u0001,\u0007`,
    ]);
    expect(reasons(document)).toEqual({
      'row 2': 'column "Order #": must not contain control characters or noncharacters: U+0007 at character 3; ' +
        'column "Qty": "two" is not a whole number; column "Status": "Bogus" is not an order status (confirmed, processing, backorder, ' +
        'cancelled, …); column "ETA": "13/45/2026" is not a calendar date: there is no month 13 (MM/DD/YYYY: month first)',
      'row 3': 'column "Order #": must not contain control characters or noncharacters: U+0007 at character 3; column "Item #": must not ' +
        'contain control characters or noncharacters: U+0001 at character 10; column "Qty": "two" is not a whole number; column "Status": ' +
        '"Bogus" is not an order status (confirmed, processing, backorder, cancelled, …); column "ETA": "13/45/2026" is not a calendar date: ' +
        'there is no month 13 (MM/DD/YYYY: month first); column "Est. Delivery": "2/30/27" is not a calendar date: February 2027 has 28 ' +
        'days, not 30 (MM/DD/YYYY: month first); column "Quantity": "-1" is negative: a quantity must be a whole number of 1 or more; ' +
        'column "SKU": must not contain control characters or noncharacters: U+0001 at character 2; and 1 more fault in this row',
    });
    expect((await outcome(po)).lines).toEqual(['TIT-GT2-9 submitted null', 'TIT-PRO-V1 submitted null']);
  });

  it('an amount in a currency whose decimals are not known (XAU) is refused naming the column and the currency, never read as 2', async () => {
    const gold = await newPo('PO-XAU', 'XAU');
    const byPo = await post(['PO #,Invoice #,Amount', `${gold},INV-X1,12.5`]);
    expect(reasons(byPo)).toEqual({ 'row 2': 'column "Amount": "12.5" cannot be read in "XAU": its decimals are not known (it is no ISO ' +
      `4217 currency code in use, such as USD, EUR, JPY or KWD), the currency of PO ${gold}: add a Currency column naming the invoice's currency.` });
    const byColumn = await post(['PO #,Invoice #,Currency,Amount', `${gold},INV-X2,XAU,12.345`, `${gold},INV-X3,,5 XAU`]);
    expect(reasons(byColumn)).toEqual({
      'row 2': 'column "Currency": must be an ISO 4217 currency code in use, such as USD, EUR, GBP, JPY or KWD, not "XAU"',
      'row 3': 'column "Amount": "5 XAU": "XAU" is not an ISO 4217 currency code in use (such as USD, EUR, JPY)',
    });
    // The JSON API the same: a supplier update naming no currency for that PO.
    const response = await app.inject({ method: 'POST', url: '/api/v2/supplier_updates', headers: { 'x-api-key': writeKey },
      payload: { updates: [{ type: 'invoice', po_number: gold, invoice_number: 'INV-X4', subtotal_amount: 12.5, total_amount: 12.5 }] } });
    expect(response.json().results[0]).toMatchObject({ result: 'rejected', reason: 'total_amount 12.5 cannot be read in "XAU": its decimals ' +
      `are not known (it is no ISO 4217 currency code in use, such as USD, EUR, JPY or KWD), the currency of PO ${gold}: send the invoice's currency.` });
    expect(await invoices(gold)).toEqual([]);
  });

  it('a lone separator before three digits is read by the amount\'s currency: 12.345 KWD is 12.345, in USD it is refused naming both', async () => {
    const kwd = await newPo('PO-KWD', 'KWD');
    const usd = await newPo('PO-USD');
    const document = await post([
      'PO #,Invoice #,Currency,Subtotal,Amount',
      `${kwd},K-COLUMN,KWD,12.345,12.345`, `${kwd},K-MARK,,KWD 1.500,KWD 1.500`, `${kwd},K-PO,,12.345,12.345`,
      `${kwd},K-COMMA,KWD,"0,250","0,250"`, `${kwd},K-GROUPED,KWD,"1,234.500","1.234,500"`,
      `${usd},U-PO,,12.345,12.345`, `${usd},U-COLUMN,EUR,1.500,1.500`,
    ]);
    expect(reasons(document)).toEqual({
      'row 2': null, 'row 3': null, 'row 4': null, 'row 5': null, 'row 6': null,
      'row 7': `column "Subtotal": "12.345" could be 12.345 or 12345; write it without a thousands separator (PO ${usd}'s currency USD has ` +
        '2 decimals; in a currency with three, such as KWD, it reads as decimals); column "Amount": "12.345" could be 12.345 or 12345; ' +
        `write it without a thousands separator (PO ${usd}'s currency USD has 2 decimals; in a currency with three, such as KWD, it reads as decimals).`,
      'row 8': ['Subtotal', 'Amount'].map((column) => `column "${column}": "1.500" could be 1.5 or 1500; write it without a thousands separator`).join('; '),
    });
    expect((await invoices(kwd)).sort()).toEqual(['K-COLUMN 12.345 KWD', 'K-COMMA 0.25 KWD', 'K-GROUPED 1234.5 KWD', 'K-MARK 1.5 KWD', 'K-PO 12.345 KWD']);
    expect(await invoices(usd)).toEqual([]);
  });
});

// CSV supplier documents read as wholes (DESIGN 3, "CSV"), posted to /api/v2/supplier_documents on SQLite and
// PostgreSQL: what is stored never depends on the order of the file's rows, only date columns show how a file writes
// its dates, and a date written day first is said to be.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
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
  const newPo = async (prefix: string) => {
    const po = `${prefix}-${++serial}`;
    await addPo(db, world.retailerA, world.suppliers.acushnet, po);
    return po;
  };
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
    // A date column's own day-first date does, read (Ship Date) or not (Order Date, PO Date), with a time or not.
    for (const [header, cell] of [['Order Date', '30.11.2026 15:04'], ['PO Date', '30/11/26'], ['Requested Delivery Date', '30.11.26']]) {
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
});

// What a CSV supplier document's reasons say, posted to /api/v2/supplier_documents on SQLite and PostgreSQL (DESIGN
// 3, "CSV"): a bad cell is rejected naming its column as the file spells it and quoting the cell exactly as written
// (never our JSON field name, never a number rounded through a float), with a reason that says what is wrong
// (negative, zero, a fraction, an exponent, misplaced separators, a day the calendar lacks); text from the file is
// quoted with its control characters escaped; and Excel's `sep=X` first line declares the separator.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { addPo, postDocument, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, type World } from '../support/world.ts';

const databases = TestDatabases.create();
/** Raw C0/C1 controls and DEL. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/;

describe.each(databases.eachSupportedId())('CSV reasons and separators on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;

  const post = async (body: string | Buffer, query: Record<string, string> = {}) => {
    const response = await postDocument(app, writeKey, body, { query });
    return { status: response.statusCode, body: response.json() };
  };
  const reasons = (document: { results: { source: string; reason: string | null }[] }) =>
    Object.fromEntries(document.results.map((r) => [r.source, r.reason]));

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    world = await createWorld(db);
    app = world.app;
    writeKey = (await createApiKey(db, world.retailerA, 'supplier feed', ['read', 'write'])).secret;
    for (const po of ['PO-QTY', 'PO-AMT', 'PO-AMT-USD', 'PO-SEP-2', 'PO-SEP-59-5', 'PO-SEP-124-5', 'PO-SEP-9-5', 'PO-SEP-44-5', 'PO-SEP-59-8', 'PO-SEP-59-6', 'PO-SEP-59-7', 'PO-SEP-59-9', 'PO-AMB-M', 'PO-ZERO-GROUP']) await addPo(db, world.retailerA, world.suppliers.acushnet, po);
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-AMB-Q', [
      { product_name: 'Tees (bag)', sku: 'TEE-BAG', quantity: 5000, unit_cost_cents: 100, status: 'submitted' },
    ]);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('quantities (c87): each wrong kind says what is wrong, names the column and quotes the cell as written', async () => {
    const cells = ['99999999999999999999', '-1', '0', '1.5', '1e3', '"1,00"', '"12,5"', 'two', '1.0', '"1,000.00"', ' 2 '];
    const csv = ['PO #,Tracking #,SKU,Pieces Shipped,Qty'].concat(cells.map((q, i) => `PO-QTY,1Z999AA1012345${String(6784 + i * 11)},TIT-GT2-9,,${q}`));
    const { status, body } = await post(`${csv.join('\r\n')}\r\n`);
    expect(status, JSON.stringify(body)).toBe(201);
    expect(reasons(body)).toMatchObject({
      'row 2': 'column "Qty": "99999999999999999999" is more than 1,000,000, the most a line can have',
      'row 3': 'column "Qty": "-1" is negative: a quantity must be a whole number of 1 or more',
      'row 4': 'column "Qty": "0" is zero: a quantity must be 1 or more',
      'row 5': 'column "Qty": "1.5" is not a whole number (a quantity counts units)',
      'row 6': 'column "Qty": "1e3" is written with an exponent: write the quantity\'s digits',
      'row 7': 'column "Qty": "1,00" is not a whole number: a "," must group thousands (1,000,000); a quantity has no decimal comma',
      'row 8': 'column "Qty": "12,5" is not a whole number: a "," must group thousands (1,000,000); a quantity has no decimal comma',
      'row 9': 'column "Qty": "two" is not a whole number',
    });
    // 1.0, 1,000.00 and " 2 " are whole numbers (1,000.00 is more than the PO has: a reason of its own, not the cell's).
    expect(reasons(body)['row 10']).toBeNull();
    expect(reasons(body)['row 11'] ?? '').not.toMatch(/column "Qty"/);
    expect(reasons(body)['row 12'] ?? '').not.toMatch(/column "Qty"/);
  });

  it('a quantity whose first group is 0 (0,001, 0,010, 00,003) is a decimal comma: the row is rejected, no shipment stored', async () => {
    const cells = ['"0,001"', '"0,010"', '"00,003"', '"000,002"'];
    const csv = ['PO #,Tracking #,SKU,Qty'].concat(cells.map((q, i) => `PO-ZERO-GROUP,1Z999AA1012345${String(6784 + i * 11)},TIT-GT2-9,${q}`));
    const { status, body } = await post(`${csv.join('\r\n')}\r\n`);
    expect(status, JSON.stringify(body)).toBe(201);
    const byRow = reasons(body);
    cells.forEach((cell, i) => expect(byRow[`row ${i + 2}`]).toBe(
      `column "Qty": "${cell.replace(/"/g, '')}" is not a whole number: a "," must group thousands (1,000,000); a quantity has no decimal comma`));
    expect((await readV2(app, writeKey, 'PO-ZERO-GROUP')).fulfilled_items).toEqual([]);
  });

  // One rule for quantities and amounts: a lone `.` or `,` before exactly three digits may group thousands (US) or
  // mark decimals (Europe), and nothing in a CSV says which; such a cell rejects its row naming both readings.
  const AMBIGUOUS: [string, string][] = [['2.000', '2 or 2000'], ['"1,500"', '1.5 or 1500'], ['1.500', '1.5 or 1500'],
    ['12.345', '12.345 or 12345']];

  it('quantities: a lone separator before three digits is refused naming both readings; 2, 2.5, 1,500.00, 1.500,00 read as before', async () => {
    const cells = [...AMBIGUOUS.map(([cell]) => cell), '2', '2.5', '"1,500.00"', '"1.500,00"'];
    const csv = ['PO #,Order #,SKU,Qty Shipped,Status', ...cells.map((q) => `PO-AMB-Q,SO-AMB,TEE-BAG,${q},Confirmed`)].join('\r\n');
    const { status, body } = await post(`${csv}\r\n`);
    expect(status, JSON.stringify(body)).toBe(201);
    const byRow = reasons(body);
    AMBIGUOUS.forEach(([cell, readings], i) => {
      const written = cell.replace(/"/g, '');
      expect(byRow[`row ${i + 2}`]).toBe(`column "Qty Shipped": "${written}" could be ${readings}; write it without a thousands separator`);
    });
    expect(byRow['row 6']).toBeNull(); // 2
    expect(byRow['row 7']).toBe('column "Qty Shipped": "2.5" is not a whole number (a quantity counts units)');
    expect(byRow['row 8']).toBeNull(); // 1,500.00: 1500
    expect(byRow['row 9']).toBe('column "Qty Shipped": "1.500,00" is written with a decimal comma: a quantity is a whole number, written without separators (1500)');
  });

  it('amounts: a lone separator before three digits is refused naming both readings; 2, 2.5, 1,500.00, 1.500,00 read as before', async () => {
    const cells: [string, number | null][] = [...AMBIGUOUS.map(([cell]): [string, null] => [cell, null]),
      ['2', 2], ['2.5', 2.5], ['"1,500.00"', 1500], ['"1.500,00"', 1500]];
    const csv = ['PO #,Invoice #,Invoice Date,Currency,Subtotal,Amount',
      ...cells.map(([cell], i) => `PO-AMB-M,INV-AMB-${i},1/8/27,USD,${cell},${cell}`)].join('\r\n');
    const { status, body } = await post(`${csv}\r\n`);
    expect(status, JSON.stringify(body)).toBe(201);
    const byRow = reasons(body);
    AMBIGUOUS.forEach(([cell, readings], i) => {
      const written = cell.replace(/"/g, '');
      expect(byRow[`row ${i + 2}`]).toBe(['Subtotal', 'Amount'].map((column) =>
        `column "${column}": "${written}" could be ${readings}; write it without a thousands separator`).join('; '));
    });
    const invoices = (await readV2(app, writeKey, 'PO-AMB-M')).invoices as { invoice_number: string; total_amount: number }[];
    expect(Object.fromEntries(invoices.map((inv) => [inv.invoice_number, inv.total_amount]))).toEqual({
      'INV-AMB-4': 2, 'INV-AMB-5': 2.5, 'INV-AMB-6': 1500, 'INV-AMB-7': 1500,
    });
  });

  it('amounts and dates (c32): the column as the file spells it and the cell as written, also when checked against the PO\'s currency', async () => {
    const csv = [
      'PO #,Invoice #,Invoice Date,Subtotal,Amount',
      'PO-AMT,INV-A1,1/8/27,0.001,0.001',
      'PO-AMT,INV-A2,1/8/27,99999999999999999999,99999999999999999999',
      'PO-AMT,INV-A3,13/45/2026,10,10',
      'PO-AMT,INV-A4,2/30/27,10,10',
      'PO-AMT,INV-A5,2026-02-29,10,10',
      'PO-AMT,INV-A6,1/8/27,(12.00),12',
      'PO-AMT,INV-A7,1/8/27,$1e3,1000',
    ].join('\r\n');
    const { status, body } = await post(`${csv}\r\n`);
    expect(status, JSON.stringify(body)).toBe(201);
    expect(reasons(body)).toEqual({
      'row 2': 'column "Subtotal": "0.001" must have at most 2 decimals (USD); column "Amount": "0.001" must have at most 2 decimals (USD).',
      // Every fault of a row at once, in the file's column order.
      'row 3': ['Subtotal', 'Amount'].map((column) => `column "${column}": "99999999999999999999" is too large for an amount ` +
        '(at most 1,000,000,000,000,000 in the currency\'s smallest unit)').join('; '),
      'row 4': 'column "Invoice Date": "13/45/2026" is not a calendar date: there is no month 13 (MM/DD/YYYY: month first)',
      'row 5': 'column "Invoice Date": "2/30/27" is not a calendar date: February 2027 has 28 days, not 30 (MM/DD/YYYY: month first)',
      'row 6': 'column "Invoice Date": "2026-02-29" is not a calendar date: February 2026 has 28 days, not 29',
      'row 7': 'column "Subtotal": "(12.00)" is negative: an amount must be 0 or more',
      'row 8': 'column "Subtotal": "$1e3" is written with an exponent: write the amount\'s digits',
    });
    const usd = await post('PO #,Invoice #,Currency,Subtotal,Amount\r\nPO-AMT-USD,INV-U1,USD,0.001,0.001\r\nPO-AMT-USD,INV-U2,USD,99999999999999999999,1\r\n');
    expect(reasons(usd.body)).toEqual({
      'row 2': 'column "Subtotal": "0.001" must have at most 2 decimals (USD); column "Amount": "0.001" must have at most 2 decimals (USD)',
      'row 3': 'column "Subtotal": "99999999999999999999" must be at most 10000000000000.00 USD',
    });
  });

  it.each([
    ['sep=;', ';'], ['sep=|', '|'], ['sep=\t', '\t'], ['sep=,', ','], ['sep=;;;;', ';'], ['sep=;;', ';'],
    // Written back quoted by a tool that read the line as one cell (and padded to the row's width).
    ['"sep=;"', ';'], ['"sep=;";;', ';'],
  ])('Excel\'s first line %j declares the separator and is skipped; rows keep the file\'s line numbers', async (declaration, separator) => {
    const rows = [
      ['PO Number', 'Order #', 'SKU', 'Qty', 'Status', 'ETA'],
      [`PO-SEP-${separator.charCodeAt(0)}-${declaration.length}`, 'SO-SEP', 'TIT-GT2-9', '1', 'Backordered', '1/15/27'],
      [`PO-SEP-${separator.charCodeAt(0)}-${declaration.length}`, 'SO-SEP', 'TIT-PRO-V1', 'x', 'Confirmed', '1/15/27'],
    ];
    const { status, body } = await post(`${declaration}\r\n${rows.map((r) => r.join(separator)).join('\r\n')}\r\n`);
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body.results.map((r: { source: string; result: string }) => [r.source, r.result])).toEqual([['row 3', 'applied'], ['row 4', 'rejected']]);
    expect(body.results[1].reason).toBe('column "Qty": "x" is not a whole number');
  });

  it('c80: sep=; with CRLF and a quoted cell spanning lines keeps every row on its own line', async () => {
    const csv = 'sep=;\r\nPO Number;Order #;SKU;Qty;Status;ETA\r\nPO-SEP-2;"MO\r\n1";TIT-GT2-9;1;Backordered;1/15/27\r\nPO-SEP-2;MO-1;TIT-PRO-V1;two;Backordered;1/15/27\r\n';
    const { body } = await post(csv);
    expect(body.results.map((r: { source: string }) => r.source)).toEqual(['rows 3–4', 'row 5']);
    expect(body.results[1].reason).toBe('column "Qty": "two" is not a whole number');
  });

  it('a header with terminal escapes is quoted with them escaped, in the 422 and the stored document; nothing applied', async () => {
    const before = await tableCounts(db);
    const { status, body } = await post('\x1b[31mPO\x1b]0;pwned\x07,Qty\u0085\nX,1\n');
    expect(status).toBe(422);
    expect(body.message).not.toMatch(CONTROLS);
    expect(body.message).toContain('"\\x1b[31mPO\\x1b]0;pwned\\x07", "Qty\\x85"');
    const stored = await app.inject({ method: 'GET', url: `/api/v2/supplier_documents/${body.document_id}`, headers: { 'x-api-key': world.keys.a } });
    expect(stored.json().error).not.toMatch(CONTROLS);
    expect((await tableCounts(db)).applied_supplier_updates).toBe(before.applied_supplier_updates);
  });

  it('random bytes sent as CSV: the reason quotes a short, escaped excerpt', async () => {
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 256));
    const { status, body } = await post(bytes);
    expect(status).toBe(422);
    expect(body.message).not.toMatch(CONTROLS);
    expect(body.message.length).toBeLessThan(2000);
  });
});

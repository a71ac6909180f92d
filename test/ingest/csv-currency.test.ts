// The currency of a CSV invoice row and its total, posted to /api/v2/supplier_documents on SQLite and PostgreSQL
// (DESIGN 3, "CSV"; README "Feeding supplier data"): a symbol or code in an amount cell is information. A currency
// column decides and each cell must fit it; else the cells decide when they agree (`€5`, `5 EUR`: EUR); cells naming
// different currencies reject the row naming both columns; a symbol several currencies use (`$`, `¥`) takes the
// PO's currency when that is written with it (`$` on a CAD PO is CAD) and is refused when not (`¥` on a USD PO).
// A total that is not its parts' sum names the columns as the file spells them and quotes the cells.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { insertPurchaseOrders, supplierNamesOf } from '../../src/store/purchase-orders.ts';
import { buildPo } from '../support/fixtures.ts';
import { postDocument, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, type World } from '../support/world.ts';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('CSV invoice currencies on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;

  const addPoIn = async (poNumber: string, currency: string) => {
    const po = buildPo({
      retailer_id: world.retailerA, po_number: poNumber, order_date: '2026-11-18T17:00:00.000Z', supplier_id: world.suppliers.acushnet,
      lines: [{ product_name: 'Titleist Pro V1 (dozen)', sku: 'TIT-PRO-V1', quantity: 5, unit_cost_cents: 5000, status: 'submitted' }],
    });
    po.po.currency = currency;
    await db.transaction().execute(async (trx) => insertPurchaseOrders(trx, [po], await supplierNamesOf(trx, world.retailerA)));
  };
  const post = async (csv: string) => {
    const response = await postDocument(app, writeKey, `${csv}\r\n`);
    expect(response.statusCode, response.body).toBe(201);
    return Object.fromEntries((response.json().results as { source: string; reason: string | null }[]).map((r) => [r.source, r.reason]));
  };
  const invoice = async (number: string) => db.selectFrom('invoices').select(['currency', 'total_cents', 'subtotal_cents'])
    .where('invoice_number', '=', number).executeTakeFirst();

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    world = await createWorld(db);
    app = world.app;
    writeKey = (await createApiKey(db, world.retailerA, 'supplier feed', ['read', 'write'])).secret;
    await addPoIn('PO-CUR-USD', 'USD');
    await addPoIn('PO-CUR-CAD', 'CAD');
    await addPoIn('PO-CUR-EUR', 'EUR');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('mx.csv: cells naming different currencies reject the row naming both columns; a bad code names its column; nothing written', async () => {
    const before = await tableCounts(db);
    const reasons = await post([
      'PO Number,Invoice #,Invoice Date,Subtotal,Freight,Tax,Amount',
      'PO-CUR-USD,INV-MX-1,11/21/2026,€5,$0,0,$5',
      'PO-CUR-USD,INV-MX-2,11/21/2026,¥1000.5,0,0,¥1000.5',
      'PO-CUR-USD,INV-MX-3,11/21/2026,5 JPY,0,0,5 KWD',
      'PO-CUR-USD,INV-MX-4,11/21/2026,5 ZZZ,0,0,5 ZZZ',
      'PO-CUR-USD,INV-MX-5,11/21/2026,€5 USD,0,0,5',
    ].join('\r\n'));
    expect(reasons).toEqual({
      'row 2': 'column "Subtotal" ("€5") and column "Freight" ("$0") name different currencies (€ and $): one invoice has one currency',
      'row 3': 'column "Subtotal": "¥1000.5" is written in ¥ (JPY, CNY), not PO PO-CUR-USD\'s currency USD: add a Currency column naming the invoice\'s currency.',
      'row 4': 'column "Subtotal" ("5 JPY") and column "Amount" ("5 KWD") name different currencies (JPY and KWD): one invoice has one currency',
      'row 5': 'column "Subtotal": "5 ZZZ": "ZZZ" is not an ISO 4217 currency code in use (such as USD, EUR, JPY)',
      'row 6': 'column "Subtotal": "€5 USD" names two currencies (USD €): one invoice has one currency',
    });
    const after = await tableCounts(db);
    expect(after.invoices).toBe(before.invoices);
  });

  it('amt.csv: a code or an unambiguous symbol alone sets the invoice currency; $ takes the PO\'s when it is a dollar', async () => {
    const reasons = await post([
      'PO Number,Invoice #,Invoice Date,Subtotal,Freight,Tax,Amount',
      'PO-CUR-USD,INV-AMT-14,11/21/2026,€5,0,0,€5',
      'PO-CUR-USD,INV-AMT-16,11/21/2026,5 EUR,0,0,5 EUR',
      'PO-CUR-USD,INV-AMT-17,11/21/2026,$5,0,0,$5',
      'PO-CUR-CAD,INV-AMT-18,11/21/2026,$5,0,0,$5',
      'PO-CUR-CAD,INV-AMT-19,11/21/2026,$5,0,0,5 CAD',
      'PO-CUR-USD,INV-AMT-20,11/21/2026,US$5,0,0,5',
      'PO-CUR-EUR,INV-AMT-21,11/21/2026,$5,0,0,$5',
      'PO-CUR-CAD,INV-AMT-22,11/21/2026,¥5,0,0,¥5',
      'PO-CUR-USD,INV-AMT-23,11/21/2026,C$5,0,0,$5',
      'PO-CUR-CAD,INV-AMT-24,11/21/2026,C$5,0,0,$5',
      'PO-CUR-USD,INV-AMT-25,11/21/2026,$5,0,0,5 CAD',
    ].join('\r\n'));
    expect(reasons).toEqual({
      'row 2': null, 'row 3': null, 'row 4': null, 'row 5': null, 'row 6': null, 'row 7': null,
      'row 8': expect.stringMatching(/^column "Subtotal": "\$5" is written in \$ \(USD, CAD, AUD, NZD, …\), not PO PO-CUR-EUR's currency EUR: add a Currency column/),
      'row 9': expect.stringMatching(/^column "Subtotal": "¥5" is written in ¥ \(JPY, CNY\), not PO PO-CUR-CAD's currency CAD/),
      // `$` on a USD PO is USD: beside C$ or a CAD code in the same row, two currencies.
      'row 10': 'column "Amount": "$5" is written in $, which on PO PO-CUR-USD is its currency USD, but the row\'s other amounts are in CAD: one invoice has one currency (or add a Currency column).',
      'row 11': null,
      'row 12': 'column "Subtotal": "$5" is written in $, which on PO PO-CUR-USD is its currency USD, but the row\'s other amounts are in CAD: one invoice has one currency (or add a Currency column).',
    });
    expect(await invoice('INV-AMT-23')).toBeUndefined();
    expect(await invoice('INV-AMT-24')).toMatchObject({ currency: 'CAD', total_cents: 500 });
    expect(await invoice('INV-AMT-25')).toBeUndefined();
    expect(await invoice('INV-AMT-14')).toEqual({ currency: 'EUR', total_cents: 500, subtotal_cents: 500 });
    expect(await invoice('INV-AMT-16')).toMatchObject({ currency: 'EUR', total_cents: 500 });
    expect(await invoice('INV-AMT-17')).toMatchObject({ currency: 'USD', total_cents: 500 });
    expect(await invoice('INV-AMT-18')).toMatchObject({ currency: 'CAD', total_cents: 500 });
    expect(await invoice('INV-AMT-19')).toMatchObject({ currency: 'CAD', total_cents: 500 });
    expect(await invoice('INV-AMT-20')).toMatchObject({ currency: 'USD', total_cents: 500 });
    expect(await invoice('INV-AMT-21')).toBeUndefined();
  });

  it('a currency column decides; a cell whose symbol or code is another currency rejects the row naming both', async () => {
    const reasons = await post([
      'PO Number,Invoice #,Currency,Subtotal,Amount',
      'PO-CUR-USD,INV-COL-1,EUR,$5,$5',
      'PO-CUR-USD,INV-COL-2,EUR,5,5 GBP',
      'PO-CUR-USD,INV-COL-3,CAD,$5,$5',
      'PO-CUR-USD,INV-COL-4,JPY,¥500,¥500',
      'PO-CUR-USD,INV-COL-5,ZZZ,$5,$5',
    ].join('\r\n'));
    expect(reasons).toEqual({
      'row 2': 'column "Currency" ("EUR") and column "Subtotal" ("$5") name different currencies: $ is not EUR; write the amount in the row\'s currency',
      'row 3': 'column "Currency" ("EUR") and column "Amount" ("5 GBP") name different currencies: GBP is not EUR; write the amount in the row\'s currency',
      'row 4': null, 'row 5': null,
      'row 6': 'column "Currency": must be an ISO 4217 currency code in use, such as USD, EUR, GBP, JPY or KWD, not "ZZZ"',
    });
    expect(await invoice('INV-COL-3')).toMatchObject({ currency: 'CAD', total_cents: 500 });
    expect(await invoice('INV-COL-4')).toMatchObject({ currency: 'JPY', total_cents: 500 });
  });

  it('a total that is not its parts\' sum: the JSON API\'s check and words (the exact sum, then the total), in the file\'s column names', async () => {
    const before = await tableCounts(db);
    const reasons = await post([
      'PO Number,Invoice #,Merchandise,Freight Charge,Sales Tax,Invoice Total',
      'PO-CUR-USD,INV-SUM-1,100.00,0,5.00,105.01',
      'PO-CUR-USD,INV-SUM-2,100.00,,5.00,$106',
      'PO-CUR-USD,INV-SUM-3,"$1,000.10",$0.05,,"$1,000.15"',
      'PO-CUR-USD,INV-SUM-4,,,5.00,3.00',
    ].join('\r\n'));
    expect(reasons).toEqual({
      // As POST /supplier_updates words it: `must equal subtotal_amount + tax_amount + shipping_amount (105.00), not 105.01`.
      'row 2': 'column "Invoice Total": must equal "Merchandise" + "Freight Charge" + "Sales Tax" (105.00), not "105.01"',
      'row 3': 'column "Invoice Total": must equal "Merchandise" + "Sales Tax" (105.00), not "$106"',
      'row 4': null,
      // Only the total's fault: not also the parser's "subtotal_amount must be at least 0" of the subtotal worked out from it.
      'row 5': 'column "Invoice Total": is less than its tax and freight',
    });
    expect(await invoice('INV-SUM-3')).toMatchObject({ currency: 'USD', total_cents: 100015, subtotal_cents: 100010 });
    expect((await tableCounts(db)).invoices).toBe(before.invoices + 1);
  });
});

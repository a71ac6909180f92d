// Numbers in JSON bodies are read as their senders wrote them (DESIGN 1: money exact; 2.2: bad input is a 400 naming
// the field), on SQLite and PostgreSQL. A double holds 15–17 significant digits and magnitudes 1e-308…1e308, so
// JSON.parse alone turned the invoice amount `1e-400` into 0, `100.00000000000000001` into 100, the quantity
// `2.0000000000000001` into 2 and `1e400` into Infinity, and stored them. Each is a 400 naming the field here; an
// amount with the money parser's reason (its currency's decimals or cap, or any currency's when it names none), and
// nothing is written or held. Bodies are sent as raw text: JavaScript cannot write these numbers itself.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { addPo, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, type World } from '../support/world.ts';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('JSON numbers as written on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let key: string;
  let supplierId: string;
  let warehouseId: string;

  const send = (method: 'POST' | 'PUT', url: string, text: string) =>
    app.inject({ method, url, payload: text, headers: { 'x-api-key': key, 'content-type': 'application/json' } });
  /** One invoice update whose amounts (and currency) are JSON text as written. */
  const invoice = (po: string, amounts: string, currency = '"USD"') => `{"updates": [{"type": "invoice", "po_number": "${po}", ` +
    `"invoice_number": "INV-1", "currency": ${currency}, ${amounts}}]}`;
  /** The 400's details as field → message. */
  const details = (response: { statusCode: number; body: string; json: () => any }) => {
    expect(response.statusCode, response.body).toBe(400);
    return Object.fromEntries((response.json().details as { field: string; message: string }[]).map((d) => [d.field, d.message]));
  };

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    world = await createWorld(db);
    app = world.app;
    key = world.keys.aAll;
    supplierId = (await send('POST', '/api/v2/suppliers', '{"name": "Exact Supplier"}')).json().supplier_id;
    warehouseId = (await send('POST', '/api/v2/warehouses', '{"name": "Exact Warehouse"}')).json().warehouse_id;
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-EXACT');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('an invoice amount a double would round is a 400 naming it in the money parser\'s words; nothing written or held; exact ones apply', async () => {
    const before = await tableCounts(db);
    const usd = '"USD"';
    const cases: [string, string, Record<string, RegExp>][] = [
      // [currency, amounts as written, field → reason]
      [usd, '"subtotal_amount": 10, "tax_amount": 1e-400, "total_amount": 10', { 'body.updates[0].tax_amount': /^must have at most 2 decimals \(USD\)$/ }],
      [usd, '"subtotal_amount": 100.00000000000000001, "total_amount": 100.00000000000000001', {
        'body.updates[0].subtotal_amount': /^must have at most 2 decimals \(USD\)$/, 'body.updates[0].total_amount': /at most 2 decimals/ }],
      [usd, '"subtotal_amount": 10, "shipping_amount": 0.30000000000000001, "total_amount": 10.3', {
        'body.updates[0].shipping_amount': /at most 2 decimals \(USD\)/ }],
      [usd, '"subtotal_amount": 1e400, "total_amount": 1e400', { 'body.updates[0].subtotal_amount': /^must be at most 10000000000000\.00 USD$/ }],
      [usd, '"subtotal_amount": 99999999999999999999.99, "total_amount": 1', { 'body.updates[0].subtotal_amount': /at most 10000000000000\.00 USD/ }],
      ['"JPY"', '"subtotal_amount": 1000.0000000000000000001, "total_amount": 1000', { 'body.updates[0].subtotal_amount': /at most 0 decimals \(JPY\)/ }],
      ['"KWD"', '"subtotal_amount": 12.3450000000000000001, "total_amount": 12.345', { 'body.updates[0].subtotal_amount': /at most 3 decimals \(KWD\)/ }],
      // No currency: the PO's decides when the update applies, but no currency has more than 3 decimals: refused now,
      // never held for a PO to come as the 100 its double is.
      ['null', '"subtotal_amount": 100.00000000000000001, "total_amount": 100', {
        'body.updates[0].subtotal_amount': /^must have at most 3 decimals, the most any currency has$/ }],
      ['null', '"subtotal_amount": 1e-400, "total_amount": 0', { 'body.updates[0].subtotal_amount': /at most 3 decimals/ }],
      ['null', '"subtotal_amount": 1e400, "total_amount": 1e400', { 'body.updates[0].subtotal_amount': /^must be at most 1000000000000000 in any currency$/ }],
      // Below zero by less than a double can show (-0 to JSON.parse): negative all the same.
      [usd, '"subtotal_amount": 10, "tax_amount": -1e-400, "total_amount": 10', { 'body.updates[0].tax_amount': /^must be at least 0, not -1e-400$/ }],
    ];
    for (const [currency, amounts, expected] of cases) {
      for (const po of ['PO-EXACT', 'PO-NOT-YET']) {
        const found = details(await send('POST', '/api/v2/supplier_updates', invoice(po, amounts, currency)));
        for (const [field, reason] of Object.entries(expected)) expect(found[field], `${amounts}: ${JSON.stringify(found)}`).toMatch(reason);
      }
    }
    expect(await tableCounts(db)).toEqual(before);
    expect((await readV2(app, key, 'PO-EXACT')).invoices).toEqual([]);
    // Numbers a double holds exactly read as before, however written (1e3, 1000.10, 0.1).
    const applied = await send('POST', '/api/v2/supplier_updates', invoice('PO-EXACT',
      '"subtotal_amount": 1e3, "tax_amount": 0.1, "shipping_amount": 0.00, "total_amount": 1000.10'));
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json().results[0].result).toBe('applied');
    const [stored] = (await readV2(app, key, 'PO-EXACT')).invoices;
    expect(stored).toMatchObject({ subtotal_amount: 1000, tax_amount: 0.1, total_amount: 1000.1, currency: 'USD' });
    // The bulk look-up keeps Fastify's own parser, and still names a `__proto__` key; an exact route does too.
    const bulk = await send('POST', '/api/v2/orders/by-po-numbers', '{"po_numbers": ["PO-EXACT"]}');
    expect(bulk.statusCode, bulk.body).toBe(200);
    expect(details(await send('POST', '/api/v2/orders/by-po-numbers', '{"po_numbers": ["PO-EXACT"], "__proto__": {}}'))['body.__proto__']).toBeDefined();
    expect(details(await send('POST', '/api/v2/supplier_updates', '{"updates": [{"__proto__": {"x": 1}}]}'))['body.updates[0].__proto__']).toBeDefined();
    expect(details(await send('POST', '/api/v2/supplier_updates', '\ufeff{"updates": 1e400}'))['body.updates']).toBe('must be an array');
    expect(details(await send('POST', '/api/v2/supplier_updates', '{"updates": [1.0'))['body']).toBe('is not valid JSON');
  });

  it('quantities a double would round are judged on the value written: no whole number, over the limit', async () => {
    const cases: [string, string][] = [
      ['2.0000000000000001', '^must be a whole number, not 2\\.0000000000000001$'],
      ['1.00000000000000000000000000001', 'must be a whole number, not 1\\.0000'],
      ['1e400', '^must be at most 1000000$'],
      ['99999999999999999999', '^must be at most 1000000$'],
    ];
    for (const [quantity, reason] of cases) {
      const order = `{"updates": [{"type": "order", "po_number": "PO-EXACT", "supplier_order_id": "SO-1", "supplier_name": "Acushnet", ` +
        `"status": "confirmed", "lines": [{"sku": "TIT-GT2-9", "quantity": ${quantity}}]}]}`;
      expect(details(await send('POST', '/api/v2/supplier_updates', order))['body.updates[0].lines[0].quantity'], quantity).toMatch(new RegExp(reason));
      const po = `{"supplier_id": "${supplierId}", "warehouse_id": "${warehouseId}", "products": [{"sku": "S", "quantity": ${quantity}, "cost": 5}]}`;
      expect(details(await send('POST', '/api/v2/purchase_orders', po))['body.products[0].quantity'], quantity).toMatch(new RegExp(reason));
      const receive = `{"product_receives": [{"sku": "S", "received_quantity": ${quantity}}]}`;
      expect(details(await send('POST', '/api/v2/purchase_orders/po_none/receives', receive))['body.product_receives[0].received_quantity'], quantity)
        .toMatch(new RegExp(reason));
    }
    expect((await readV2(app, key, 'PO-EXACT')).items.map((item: { status: string }) => item.status)).toEqual(['submitted', 'submitted']);
  });

  it('a PO\'s cost is read as written, on create and on replace', async () => {
    const body = (cost: string, currency = 'USD') =>
      `{"supplier_id": "${supplierId}", "warehouse_id": "${warehouseId}", "currency_code": "${currency}", "products": [{"sku": "S", "quantity": 1, "cost": ${cost}}]}`;
    expect(details(await send('POST', '/api/v2/purchase_orders', body('0.30000000000000001')))['body.products[0].cost']).toBe('must have at most 2 decimals (USD)');
    expect(details(await send('POST', '/api/v2/purchase_orders', body('1e-400', 'JPY')))['body.products[0].cost']).toBe('must have at most 0 decimals (JPY)');
    expect(details(await send('POST', '/api/v2/purchase_orders', body('1e400')))['body.products[0].cost']).toBe('must be at most 10000000000000.00 USD');
    const created = await send('POST', '/api/v2/purchase_orders', body('12.345', 'KWD'));
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().purchase_order_id;
    expect(created.json().products[0].cost).toBe(12.345);
    expect(details(await send('PUT', `/api/v2/purchase_orders/${id}`, body('12.3450000000000000001', 'KWD')))['body.products[0].cost'])
      .toBe('must have at most 3 decimals (KWD)');
  });

  it('an object naming a key twice is a 400 naming it, wherever it is; nothing written (JSON.parse kept the last silently)', async () => {
    const before = await tableCounts(db);
    const amounts = '"subtotal_amount": 5, "tax_amount": 0, "shipping_amount": 0';
    // Before: 200 applied, the invoice stored with total 5 (the last of the two).
    expect(details(await send('POST', '/api/v2/supplier_updates', invoice('PO-EXACT', `${amounts}, "total_amount": 100, "total_amount": 5`))))
      .toEqual({ 'body.updates[0].total_amount': 'is given twice in one object: send each field once' });
    // The same key written with an escape, in the second update of a batch, and at the top level.
    const escaped = `{"updates": [{"type": "order", "po_number": "PO-EXACT", "supplier_order_id": "SO-1", "status": "confirmed"}, ` +
      `{"type": "order", "po_number": "PO-EXACT", "supplier_order_id": "SO-2", "status": "confirmed", "status\\u0000": 1, "st\\u0061tus": "cancelled"}]}`;
    expect(Object.keys(details(await send('POST', '/api/v2/supplier_updates', escaped)))).toEqual(['body.updates[1].status']);
    expect(Object.keys(details(await send('POST', '/api/v2/supplier_updates', '{"updates": [], "updates": []}')))).toEqual(['body.updates']);
    expect(Object.keys(details(await send('POST', '/api/v2/orders/by-po-numbers', '{"po_numbers": ["PO-EXACT"], "po_numbers": ["X"]}'))))
      .toEqual(['body.po_numbers']);
    expect(await tableCounts(db)).toEqual(before);
    // The same key in sibling objects, and keys' text inside string values, are no repeats.
    const siblings = `{"updates": [{"type": "order", "po_number": "PO-EXACT", "supplier_order_id": "SO-\\"po_number\\": {[", "status": "confirmed"},` +
      ` {"type": "order", "po_number": "PO-EXACT", "supplier_order_id": "SO-3", "status": "confirmed", "lines": [{"sku": "TIT-1", "quantity": 1}]}]}`;
    const response = await send('POST', '/api/v2/supplier_updates', siblings);
    expect(response.statusCode === 400 ? Object.keys(details(response)).join() : 'no repeat').not.toMatch(/twice/);
    expect(response.body).not.toContain('twice');
  });
});


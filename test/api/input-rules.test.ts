// Input rules that hold for every field of every endpoint (DESIGN 2.2: bad input is a 400 validation_failed
// naming the field, never a 500, never a partial write), on SQLite and PostgreSQL:
// - free text (names, PO numbers, SKUs, supplier order ids, tracking numbers, query filters, path look-ups)
//   refuses control characters, lone surrogates and noncharacters; multi-line fields (notes, descriptions)
//   allow line breaks and tabs only;
// - currencies are ISO 4217 codes in use, not any three letters;
// - query integers are plain decimal digits within the field's range;
// - a `__proto__` key (or a `constructor.prototype`) in a JSON body is refused naming that field.
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { expectValidationError } from '../support/contract.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld } from '../support/world.ts';
import { supplierUpdateBodies } from '../support/supplier-update-bodies.ts';

const databases = TestDatabases.create();

/** One of each kind of character the free-text rule refuses, inside otherwise good text. */
const BAD_TEXT: Record<string, string> = {
  'NUL': 'A\u0000B', 'BEL': 'A\u0007B', 'ESC (ANSI colour)': '\u001b[31mRED', 'line feed': 'A\nB', 'tab': 'A\tB',
  'carriage return': 'A\rB', 'DEL': 'A\u007fB', 'C1 NEL': 'A\u0085B', 'lone high surrogate': 'A\ud800B',
  'lone low surrogate': 'A\udc00B', 'noncharacter U+FFFE': 'A\ufffeB', 'noncharacter U+FDD0': 'A\ufdd0B',
  'NUL at the end': 'AB\u0000', 'BEL at the start': '\u0007AB',
};
/** Refused in multi-line fields too. */
const BAD_MULTILINE: Record<string, string> = {
  'NUL': 'line 1\n\u0000', 'BEL': 'A\u0007', 'DEL': 'A\u007f', 'lone surrogate': 'A\ud800', 'U+FFFF': 'A\uffff',
};
const COUNTED_TABLES = ['suppliers', 'warehouses', 'purchase_orders', 'po_lines', 'held_supplier_updates',
  'applied_supplier_updates', 'connections', 'webhook_endpoints', 'invoices'] as const;

describe.each(databases.eachSupportedId())('input rules for every field on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let key: string;
  let supplierId: string;
  let warehouseId: string;
  let draftId: string;
  let openId: string;

  const call = (options: InjectOptions) => app.inject({ ...options, headers: { 'x-api-key': key, ...options.headers } });
  const post = (url: string, payload: unknown) => call({ method: 'POST', url, payload: payload as object });
  const counts = async () => Object.fromEntries(await Promise.all(COUNTED_TABLES.map(async (table) =>
    [table, Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)])));
  const poBody = (extra: Record<string, unknown> = {}, product: Record<string, unknown> = {}) => ({
    supplier_id: supplierId, warehouse_id: warehouseId, products: [{ sku: 'SKU-1', quantity: 1, cost: 5, ...product }], ...extra,
  });
  const { order, shipment, invoice } = supplierUpdateBodies('PO-RULES');

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    const world = await createWorld(db);
    app = world.app;
    key = world.keys.aAll;
    supplierId = (await post('/api/v2/suppliers', { name: 'Rules Supplier' })).json().supplier_id;
    warehouseId = (await post('/api/v2/warehouses', { name: 'Rules Warehouse' })).json().warehouse_id;
    draftId = (await post('/api/v2/purchase_orders', poBody({ po_number: 'PO-RULES-DRAFT' }))).json().purchase_order_id;
    openId = (await post('/api/v2/purchase_orders', poBody({ po_number: 'PO-RULES-OPEN' }))).json().purchase_order_id;
    expect((await post(`/api/v2/purchase_orders/${openId}/status`, { status: 'open' })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Free-text fields of bodies: [label, field named in the 400, request with `text` in that field]. */
  const bodyFields: [string, string, (text: string) => InjectOptions][] = [
    ['supplier name', 'body.name', (t) => ({ method: 'POST', url: '/api/v2/suppliers', payload: { name: t } })],
    ['supplier contact', 'body.contact_name', (t) => ({ method: 'POST', url: '/api/v2/suppliers', payload: { name: 'S2', contact_name: t } })],
    ['supplier address city', 'body.address.city', (t) => ({ method: 'POST', url: '/api/v2/suppliers', payload: { name: 'S3', address: { city: t } } })],
    ['warehouse name', 'body.name', (t) => ({ method: 'POST', url: '/api/v2/warehouses', payload: { name: t } })],
    ['PO number', 'body.po_number', (t) => ({ method: 'POST', url: '/api/v2/purchase_orders', payload: poBody({ po_number: t }) })],
    ['SKU', 'body.products[0].sku', (t) => ({ method: 'POST', url: '/api/v2/purchase_orders', payload: poBody({}, { sku: t }) })],
    ['product name', 'body.products[0].product_name', (t) => ({ method: 'POST', url: '/api/v2/purchase_orders', payload: poBody({}, { product_name: t }) })],
    ['reference number', 'body.reference_number', (t) => ({ method: 'POST', url: '/api/v2/purchase_orders', payload: poBody({ reference_number: t }) })],
    ['PO update tracking number', 'body.tracking_number', (t) => ({ method: 'PUT', url: `/api/v2/purchase_orders/${draftId}`, payload: poBody({ tracking_number: t }) })],
    ['shipping carrier', 'body.shipping_carrier', (t) => ({ method: 'POST', url: `/api/v2/purchase_orders/${openId}/shipping_details`, payload: { shipping_carrier: t } })],
    ['update PO number', 'body.updates[0].po_number', (t) => ({ method: 'POST', url: '/api/v2/supplier_updates', payload: order({ po_number: t }) })],
    ['supplier order id', 'body.updates[0].supplier_order_id', (t) => ({ method: 'POST', url: '/api/v2/supplier_updates', payload: order({ supplier_order_id: t }) })],
    ['update supplier name', 'body.updates[0].supplier_name', (t) => ({ method: 'POST', url: '/api/v2/supplier_updates', payload: order({ supplier_name: t }) })],
    ['update line sku', 'body.updates[0].lines[0].sku', (t) => ({ method: 'POST', url: '/api/v2/supplier_updates', payload: order({ lines: [{ sku: t, quantity: 1 }] }) })],
    ['shipment tracking number', 'body.updates[0].tracking_number', (t) => ({ method: 'POST', url: '/api/v2/supplier_updates', payload: shipment({ tracking_number: t }) })],
    ['invoice number', 'body.updates[0].invoice_number', (t) => ({ method: 'POST', url: '/api/v2/supplier_updates', payload: invoice({ invoice_number: t }) })],
    ['connection name', 'body.name', (t) => ({ method: 'POST', url: '/api/v2/connections', payload: { kind: 'shipstation', name: t, credentials: { api_key: 'k' } } })],
    ['webhook description', 'body.description', (t) => ({ method: 'POST', url: '/api/v2/webhook_endpoints', payload: { url: 'https://example.com/hook', enabled_events: ['*'], description: t } })],
    ['bulk look-up PO number', 'body.po_numbers[0]', (t) => ({ method: 'POST', url: '/api/v2/orders/by-po-numbers', payload: { po_numbers: [t] } })],
  ];
  /** Free text in paths and query strings. */
  const urlFields: [string, string, (text: string) => string][] = [
    ['by-po path (v1)', 'params.po_number', (t) => `/api/v1/orders/by-po/${encodeURIComponent(t)}`],
    ['by-po path (v2)', 'params.po_number', (t) => `/api/v2/orders/by-po/${encodeURIComponent(t)}`],
    ['by-supplier-order path', 'params.supplier_order_id', (t) => `/api/v2/orders/by-supplier-order/${encodeURIComponent(t)}`],
    ['PO list filter', 'query.po_number', (t) => `/api/v2/purchase_orders?po_number=${encodeURIComponent(t)}`],
    ['supplier list filter', 'query.name', (t) => `/api/v2/suppliers?name=${encodeURIComponent(t)}`],
  ];

  it('refuses control characters, lone surrogates and noncharacters in every free-text field, writing nothing', async () => {
    const before = await counts();
    for (const [label, field, build] of bodyFields) {
      for (const [kind, text] of Object.entries(BAD_TEXT)) {
        // In a supplier's tracking number white space is formatting (1Z 999 AA1…): "A\tB" is read as "AB".
        if (label === 'shipment tracking number' && /^(tab|line feed|carriage return)$/.test(kind)) continue;
        const response = await call(build(text));
        expect(response.statusCode, `${label}, ${kind}: ${response.body}`).toBe(400);
        const body = expectValidationError(response, field);
        // Tracking-number fields read white space as a separator: their parser words that refusal itself.
        expect(JSON.stringify(body.details), `${label}, ${kind}`).toMatch(/control characters|valid Unicode|letters, digits/);
      }
    }
    for (const [label, field, url] of urlFields) {
      for (const [kind, text] of Object.entries(BAD_TEXT)) {
        // A lone surrogate cannot be percent-encoded as UTF-8 (encodeURIComponent throws): sent as raw bytes below.
        if (/surrogate/.test(kind)) continue;
        const response = await call({ method: 'GET', url: url(text) });
        expectValidationError(response, field);
        expect(response.json().details[0].message, `${label}, ${kind}`).toMatch(/control characters/);
      }
    }
    expect(await counts()).toEqual(before);
  });

  it('takes the same names with ordinary Unicode text (accents, Greek, CJK, emoji)', async () => {
    for (const name of ['Müller Golf', 'Ελλάδα Γκολφ', '東京ゴルフ', 'Zoë ⛳ Clubs 🏌️']) {
      const response = await post('/api/v2/suppliers', { name, address: { city: name } });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json().name).toBe(name);
    }
    const found = await call({ method: 'GET', url: `/api/v2/suppliers?name=${encodeURIComponent('東京')}` });
    expect(found.json().suppliers.map((s: { name: string }) => s.name)).toEqual(['東京ゴルフ']);
  });

  it('multi-line fields (notes to the supplier, product descriptions) take line breaks and tabs, nothing else', async () => {
    const created = await post('/api/v2/purchase_orders', poBody(
      { note_to_supplier: 'Ship together.\r\nCall first:\t555-0100' }, { description: 'Line 1\nLine 2' }));
    expect(created.statusCode, created.body).toBe(201);
    const po = (await call({ method: 'GET', url: `/api/v2/purchase_orders/${created.json().purchase_order_id}` })).json();
    expect(po.note_to_supplier).toBe('Ship together.\r\nCall first:\t555-0100');
    expect(po.products[0].description).toBe('Line 1\nLine 2');
    const before = await counts();
    for (const [kind, text] of Object.entries(BAD_MULTILINE)) {
      const note = await post('/api/v2/purchase_orders', poBody({ note_to_supplier: text }));
      expect(expectValidationError(note, 'body.note_to_supplier').details[0].message, kind).toMatch(/line breaks and tabs are allowed|valid Unicode/);
      expectValidationError(await post('/api/v2/purchase_orders', poBody({}, { description: text })), 'body.products[0].description');
    }
    expect(await counts()).toEqual(before);
  });

  it('a path or a query holding invalid UTF-8 (an encoded lone surrogate) is a 400 naming the field, never a 500', async () => {
    for (const url of ['/api/v2/orders/by-po/A%ED%A0%80B', '/api/v2/orders/by-po/A%FF']) {
      expectValidationError(await call({ method: 'GET', url }), 'params.po_number');
    }
    expectValidationError(await call({ method: 'GET', url: '/api/v2/purchase_orders?po_number=A%ED%A0%80B' }), 'query.po_number');
  });

  it('refuses currencies that are not ISO 4217 codes in use, in the PO API and in supplier invoices', async () => {
    const before = await counts();
    for (const code of ['ZZZ', 'XXX', 'XTS', 'ABC', 'usd', 'US', 'USDD', '']) {
      expectValidationError(await post('/api/v2/purchase_orders', poBody({ currency_code: code })), 'body.currency_code');
      expectValidationError(await call({ method: 'PUT', url: `/api/v2/purchase_orders/${draftId}`, payload: poBody({ currency_code: code }) }), 'body.currency_code');
      expectValidationError(await post(`/api/v2/purchase_orders/${openId}/shipping_details`, { currency_code: code }), 'body.currency_code');
    }
    for (const code of ['ZZZ', 'zzz', 'QQQ', 'XXX']) {
      const response = await post('/api/v2/supplier_updates', invoice({ currency: code }));
      const body = expectValidationError(response, 'body.updates[0].currency');
      expect(body.details[0].message).toMatch(/ISO 4217/);
    }
    expect(await counts()).toEqual(before);
    for (const code of ['EUR', 'JPY', 'KWD', 'CHF']) {
      const response = await post('/api/v2/purchase_orders', poBody({ currency_code: code }));
      expect(response.statusCode, `${code}: ${response.body}`).toBe(201);
      expect(response.json().currency_code).toBe(code);
    }
    // Lower case reads as its code in supplier invoices (as it always has).
    const held = await post('/api/v2/supplier_updates', invoice({ currency: 'eur', po_number: 'PO-RULES-EUR' }));
    expect(held.json().results[0].result).toBe('unmatched');
  });

  /** Every query integer: [url without the value, field, a value in range]. */
  const queryIntegers: [string, string, string][] = [
    ['/api/v1/orders/by-date?start_date=2027-06-15&page=', 'query.page', '1'],
    ['/api/v2/orders/by-date?start_date=2027-06-15&limit=', 'query.limit', '10'],
    ['/api/v2/purchase_orders?page_size=', 'query.page_size', '10'],
    ['/api/v2/suppliers?page_size=', 'query.page_size', '10'],
    ['/api/v2/warehouses?page_size=', 'query.page_size', '10'],
    ['/api/v2/connections?page_size=', 'query.page_size', '10'],
    ['/api/v2/events?limit=', 'query.limit', '10'],
    ['/api/v2/supplier_updates/held?page=', 'query.page', '1'],
    ['/api/v2/supplier_updates/held?limit=', 'query.limit', '10'],
    ['/api/v2/supplier_documents?page_size=', 'query.page_size', '10'],
  ];

  it('query integers are plain decimal digits within range: 1e3, 1.5, " 2", 0x10, +2, huge numbers are 400s', async () => {
    for (const [url, field, good] of queryIntegers) {
      const ok = await call({ method: 'GET', url: url + good });
      expect(ok.statusCode, `${url}${good}: ${ok.body}`).toBe(200);
      for (const bad of ['1e3', '1e1', '1.5', '2.0', '%202', '2%20', '0x10', '%2B2', '-1', '0', '', 'abc', '99999999999999999999', '1_0', '１']) {
        const response = await call({ method: 'GET', url: url + bad });
        expectValidationError(response, field);
      }
    }
  });

  it('a by-date page past the limit names the limit; leading zeros are plain digits', async () => {
    const tooFar = await call({ method: 'GET', url: '/api/v2/orders/by-date?start_date=2027-06-15&page=1000001' });
    expect(expectValidationError(tooFar, 'query.page').details[0].message).toBe('must be at most 1000000');
    const padded = await call({ method: 'GET', url: '/api/v2/orders/by-date?start_date=2027-06-15&page=002&limit=007' });
    expect(padded.statusCode, padded.body).toBe(200);
    expect(padded.json().meta).toMatchObject({ page: 2, limit: 7 });
  });

  it('a JSON body with a __proto__ key, or a constructor.prototype, is a 400 naming that field', async () => {
    const before = await counts();
    const cases: [string, string, string][] = [
      ['/api/v2/suppliers', '{"name": "P", "__proto__": {"admin": true}}', 'body.__proto__'],
      ['/api/v2/purchase_orders', `{"supplier_id": "${supplierId}", "warehouse_id": "${warehouseId}", "products": [{"sku": "A", "quantity": 1, "cost": 1, "__proto__": {"x": 1}}]}`, 'body.products[0].__proto__'],
      ['/api/v2/supplier_updates', '{"updates": [{"type": "order", "po_number": "P", "__proto__": null}]}', 'body.updates[0].__proto__'],
      ['/api/v2/warehouses', '{"name": "W", "constructor": {"prototype": {"admin": true}}}', 'body.constructor.prototype'],
      ['/api/v2/orders/by-po-numbers', '{"po_numbers": ["A"], "__proto__": []}', 'body.__proto__'],
    ];
    for (const [url, payload, field] of cases) {
      const response = await call({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
      expect(expectValidationError(response, field).details[0].message).toMatch(/not allowed/);
    }
    expect(await counts()).toEqual(before);
    // A key merely named "constructor" or "prototype" is an unknown field like any other.
    expectValidationError(await call({ method: 'POST', url: '/api/v2/suppliers', payload: '{"name": "P", "constructor": 1}',
      headers: { 'content-type': 'application/json' } }), 'body.constructor');
    // Malformed JSON is still "not valid JSON".
    expectValidationError(await call({ method: 'POST', url: '/api/v2/suppliers', payload: '{"name": ',
      headers: { 'content-type': 'application/json' } }), 'body');
  });
});

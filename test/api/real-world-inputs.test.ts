// Issue 8, sections 3, 4 and 7 through the API on SQLite and PostgreSQL: the inputs a new user and real
// upstream data send — leap seconds, +hhmm offsets, far years, times without an offset, amounts in 0- and
// 3-decimal currencies and above 134 million, PO numbers with spaces, optional supplier SKUs — and the 4xx
// answers that name the field and the allowed values or the limit.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { expectError, expectValidationError } from '../support/contract.ts';
import { TestDatabases } from '../support/test-database.ts';
import { buildTestApp } from '../support/world.ts';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('real-world inputs through the API on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let key: string;
  let supplierId: string;
  let warehouseId: string;

  const call = (method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method, url, payload: body as object, headers: { 'x-api-key': key, ...headers } });
  const newPo = (extra: Record<string, unknown> = {}) => ({
    supplier_id: supplierId, warehouse_id: warehouseId, products: [{ sku: 'GT2-9', quantity: 2, cost: 389.5 }], ...extra,
  });
  const create = async (extra: Record<string, unknown> = {}) => {
    const response = await call('POST', '/api/v2/purchase_orders', newPo(extra));
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const byPo = async (poNumber: string, version = 'v2') => {
    const response = await call('GET', `/api/${version}/orders/by-po/${encodeURIComponent(poNumber)}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().data[0];
  };

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    const { retailer } = await ensureRetailer(db, 'real-world', 'America/New_York');
    key = (await createApiKey(db, retailer.id, 'all', ['read', 'write'])).secret;
    supplierId = await ensureSupplier(db, retailer.id, { name: 'Acushnet' });
    warehouseId = await ensureWarehouse(db, retailer.id, { name: 'Main', address: null, locations: ['Dock'] });
    app = await buildTestApp(db);
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('timestamps: one parser (DESIGN 1)', () => {
    it.each([
      ['a leap second', '2016-12-31T23:59:60Z', '2016-12-31T23:59:59.000+00:00'],
      ['+0000', '2026-01-15T15:00:00+0000', '2026-01-15T15:00:00.000+00:00'],
      ['-0500 without a colon', '2026-01-15T10:00:00-0500', '2026-01-15T15:00:00.000+00:00'],
      ['no offset: the retailer\'s zone (New York, EST)', '2026-01-15T10:00:00', '2026-01-15T15:00:00.000+00:00'],
      ['no offset in summer (EDT)', '2026-07-15T10:00:00.000', '2026-07-15T14:00:00.000+00:00'],
      ['a bare date: midnight in the retailer\'s zone', '2026-01-15', '2026-01-15T05:00:00.000+00:00'],
      ['year 0001', '0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000+00:00'],
      ['year 9999', '9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000+00:00'],
    ])('order_date with %s is read, never a 500', async (_, given, stored) => {
      const po = await create({ order_date: given });
      expect(po.order_date).toBe(stored);
    });

    it('create_date_start and modify_date_start take the same spellings; what they cannot read is a 400 naming the field', async () => {
      for (const value of ['2016-12-31T23:59:60Z', '2026-01-15T15:00:00+0000', '2026-01-15', '0001-01-01T00:00:00Z']) {
        for (const field of ['create_date_start', 'modify_date_start']) {
          const response = await call('GET', `/api/v2/purchase_orders?${field}=${encodeURIComponent(value)}`);
          expect(response.statusCode, `${field}=${value}: ${response.body}`).toBe(200);
        }
      }
      const bad = expectValidationError(await call('GET', '/api/v2/purchase_orders?create_date_start=2026-02-30T00:00:00Z'), 'query.create_date_start');
      expect(bad.details[0].message).toMatch(/RFC 3339/);
    });

    it.each(['v1', 'v2'])('by-date on %s accepts the first and last days of years 0001–9999 (no RangeError)', async (version) => {
      const po = await create({ po_number: `FAR-${version}`, order_date: '9999-12-31T12:00:00Z' });
      for (const query of ['start_date=9999-12-31', 'start_date=9999-12-31&end_date=9999-12-31', 'start_date=0001-01-01',
        'start_date=0001-01-01&end_date=9999-12-31']) {
        const response = await call('GET', `/api/${version}/orders/by-date?${query}`);
        expect(response.statusCode, `${query}: ${response.body}`).toBe(200);
      }
      const last = (await call('GET', `/api/${version}/orders/by-date?start_date=9999-12-31`)).json();
      expect(JSON.stringify(last)).toContain(po.po_number);
      expectValidationError(await call('GET', `/api/${version}/orders/by-date?start_date=0000-12-31`), 'query.start_date');
    });
  });

  describe('money: minor units by the currency (DESIGN 1)', () => {
    it.each([
      ['USD', 389.5, 389.5], ['JPY', 1500, 1500], ['KWD', 12.345, 12.345], ['USD', 134217728.07, 134217728.07],
      ['USD', 99999999999.99, 99999999999.99],
    ])('%s cost %d is stored exactly and rendered with the currency\'s decimals', async (currency, cost, rendered) => {
      const po = await create({ currency_code: currency, products: [{ sku: 'X', quantity: 1, cost }] });
      expect(po.products[0].cost).toBe(rendered);
      const record = await byPo(po.po_number);
      expect(record.items[0].price).toBe(rendered);
    });

    it('more decimals than the currency has, or over its cap, is a 400 naming the field and the limit', async () => {
      const jpy = expectValidationError(await call('POST', '/api/v2/purchase_orders',
        newPo({ currency_code: 'JPY', products: [{ sku: 'X', quantity: 1, cost: 10.5 }] })), 'body.products[0].cost');
      expect(jpy.details[0].message).toMatch(/at most 0 decimals \(JPY\)/);
      const kwd = expectValidationError(await call('POST', '/api/v2/purchase_orders',
        newPo({ currency_code: 'KWD', products: [{ sku: 'X', quantity: 1, cost: 1.2345 }] })), 'body.products[0].cost');
      expect(kwd.details[0].message).toMatch(/at most 3 decimals \(KWD\)/);
      const big = expectValidationError(await call('POST', '/api/v2/purchase_orders',
        newPo({ products: [{ sku: 'X', quantity: 1, cost: 1e14 }] })), 'body.products[0].cost');
      expect(big.details[0].message).toMatch(/at most 10000000000000\.00 USD/);
    });
  });

  describe('what a new user trips on', () => {
    it('supplier_sku is optional', async () => {
      const po = await create({ products: [{ sku: 'NO-SUPPLIER-SKU', quantity: 1, cost: 1 }] });
      expect(po.products[0].supplier_sku).toBeNull();
    });

    it('PO numbers are trimmed: " PO-2004 " is PO-2004, found by by-po', async () => {
      const po = await create({ po_number: ' PO-2004 ' });
      expect(po.po_number).toBe('PO-2004');
      expect((await byPo('PO-2004')).po_number).toBe('PO-2004');
      const listed = (await call('GET', `/api/v2/purchase_orders?po_number=${encodeURIComponent(' PO-2004 ')}`)).json();
      expect(listed.purchase_orders.map((p: { po_number: string }) => p.po_number)).toEqual(['PO-2004']);
    });

    it('an enum error lists the allowed values', async () => {
      const body = expectValidationError(await call('POST', '/api/v2/purchase_orders', newPo({ payment_terms: 'net_90' })), 'body.payment_terms');
      expect(body.details[0].message).toBe('must be one of "none", "cash_on_delivery", "payment_on_receipt", "payment_in_advance", ' +
        '"net_7", "net_15", "net_30", "net_45", "net_60"');
    });

    it('a too-long path parameter and bad percent-encoding name the parameter', async () => {
      const long = expectValidationError(await call('GET', `/api/v2/orders/by-po/${'P'.repeat(2000)}`), 'params.po_number');
      expect(long.details[0].message).toMatch(/at most 1000 characters/);
      const longer = expectValidationError(await call('GET', `/api/v2/orders/by-po/${'P'.repeat(128)}`), 'params.po_number');
      expect(longer.details[0].message).toMatch(/at most \d+ characters/);
      const encoded = expectValidationError(await call('GET', '/api/v2/orders/by-po/PO%ZZ1'), 'params.po_number');
      expect(encoded.details[0].message).toMatch(/percent-encoding/);
    });

    it('a body over the limit is a 413 stating the limit', async () => {
      const response = await app.inject({
        method: 'POST', url: '/api/v2/purchase_orders', headers: { 'x-api-key': key, 'content-type': 'application/json' },
        payload: JSON.stringify(newPo({ note_to_supplier: 'x'.repeat(1024 * 1024) })),
      });
      const body = expectError(response, 413, 'payload_too_large');
      expect(body.message).toMatch(/1,048,576 bytes \(1 MB\)/);
      expect(body.details).toEqual([{ field: 'body', message: 'must be at most 1048576 bytes' }]);
    });

    it('JSON sent as text/plain is a 415 naming the accepted content type', async () => {
      const response = await app.inject({
        method: 'POST', url: '/api/v2/purchase_orders', headers: { 'x-api-key': key, 'content-type': 'text/plain' },
        payload: JSON.stringify(newPo()),
      });
      const body = expectError(response, 415, 'unsupported_media_type');
      expect(body.message).toMatch(/text\/plain is not accepted here: send the body as application\/json/);
      expect(body.details).toEqual([{ field: 'headers.content-type', message: 'must be one of "application/json"' }]);
    });
  });
});

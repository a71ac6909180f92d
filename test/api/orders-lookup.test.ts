// Contract: the three look-ups (by-po, by-po-numbers, by-supplier-order) of /api/v1 and /api/v2, DESIGN 2.1–2.5,
// on hand-written POs whose every value is known.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoAggregate } from '../../src/store/purchase-orders.ts';
import { endpoints, expectEnvelope, expectError, instant } from '../support/contract.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, type World } from '../support/world.ts';

const databases = TestDatabases.create();

/** Id of the line's latest status event (v1 order_status_id): the events were made in order. */
function latestEventId(po: PoAggregate, lineIndex: number): string | null {
  const lineId = po.lines[lineIndex].id;
  return po.events.filter((e) => e.line_id === lineId).at(-1)?.id ?? null;
}

describe.each(databases.eachSupportedId())('read API look-ups on %s', (databaseId) => {
  let world: World;

  beforeAll(async () => {
    const { db } = await databases.init(databaseId);
    world = await createWorld(db);
  });
  afterAll(async () => {
    await world?.app.close();
  });

  const fedexUrl = () => `https://www.fedex.com/apps/fedextrack/?tracknumbers=${world.tracking.fedex}&cntry_code=US`;

  function expectedV1A1() {
    const { a1 } = world.po;
    const common = {
      order_date: instant('2027-06-15T16:20:05.123Z'), po_number: 'PO-A1001', customer: 'Tom Thomas', customer_email: 'tt@example.com',
    };
    return [
      {
        ...common, order_id: a1.lines[0].id, order_status_id: latestEventId(a1, 0), supplier_order_id: 'FXT-100001',
        item: 'Cobra DS Adapt Driver', supplier: 'Cobra Puma Golf', status: 'delivered', carrier: 'fedex',
        tracking_number: world.tracking.fedex, tracking_url: fedexUrl(), eta: '2027-06-20',
        delivery_date: instant('2027-06-19T20:05:00.000Z'),
      },
      {
        ...common, order_id: a1.lines[1].id, order_status_id: latestEventId(a1, 1), supplier_order_id: 'FXT-100001',
        item: 'Cobra Snakebite Wedge 52', supplier: 'Cobra Puma Golf', status: 'in transit', carrier: 'ups',
        tracking_number: world.tracking.ups, tracking_url: expect.stringContaining(world.tracking.ups), eta: '2027-06-23',
        delivery_date: null,
      },
      {
        ...common, order_id: a1.lines[2].id, order_status_id: null, supplier_order_id: null,
        item: 'Puma Pounce Cap', supplier: 'Cobra Puma Golf', status: 'cancelled', carrier: null,
        tracking_number: null, tracking_url: null, eta: null, delivery_date: null,
      },
      {
        ...common, order_id: a1.lines[3].id, order_status_id: latestEventId(a1, 3), supplier_order_id: 'FXT-200002',
        item: 'Titleist Pro V1 Golf Balls (dozen)', supplier: 'Acushnet', status: 'backorder', carrier: null,
        tracking_number: null, tracking_url: null, eta: '2027-08-20', delivery_date: null,
      },
    ];
  }

  function expectedV2A1() {
    const fedexTracking = {
      tracking_number: world.tracking.fedex, tracking_url: fedexUrl(), carrier: 'fedex',
      shipped_date: instant('2027-06-17T14:00:00.000Z'), actual_delivery_date: instant('2027-06-19T20:05:00.000Z'),
      latest_checkpoint: { message: 'Delivered', location: 'Carlsbad, CA', timestamp: instant('2027-06-19T20:05:00.000Z') },
    };
    const upsTracking = {
      tracking_number: world.tracking.ups, tracking_url: expect.stringContaining(world.tracking.ups), carrier: 'ups',
      shipped_date: instant('2027-06-18T15:30:00.000Z'), actual_delivery_date: null,
      latest_checkpoint: { message: 'Departed facility', location: 'Louisville, KY', timestamp: instant('2027-06-19T03:00:00.000Z') },
    };
    return {
      po_number: 'PO-A1001',
      order_date: instant('2027-06-15T16:20:05.123Z'),
      request_date: instant('2027-07-01T00:00:00.000Z'),
      // delivered, in transit, cancelled (ignored), backorder: the least advanced is backorder, which v2 reads as processing.
      status: 'processing',
      customer_name: 'Tom Thomas',
      customer_email: 'tt@example.com',
      shipping_address: 'Tom Thomas, 12 Fairway Ln, Apt 4, Carlsbad, CA 92008, US',
      suppliers: ['Cobra Puma Golf', 'Acushnet'],
      total: 899.99, // 2 × 349.00 + 99.99 + 4 × 25.50; the cancelled caps are left out
      quantity: 10,
      drop_ship: true,
      items: [
        {
          supplier_order_id: 'FXT-100001', product_name: 'Cobra DS Adapt Driver',
          product_details: { sku: 'COB-DS-ADAPT', supplier_sku: 'COB010000', description: 'Adjustable driver' },
          quantity: 2, status: 'delivered', backordered: false, supplier_name: 'Cobra Puma Golf', price: 349, total: 698,
          estimated_delivery_date: '06/20/2027', tracking: fedexTracking,
        },
        {
          supplier_order_id: 'FXT-100001', product_name: 'Cobra Snakebite Wedge 52',
          product_details: { sku: 'COB-SNAKEBITE-52', supplier_sku: 'COB010111', description: 'Gap wedge' },
          quantity: 1, status: 'in transit', backordered: false, supplier_name: 'Cobra Puma Golf', price: 99.99, total: 99.99,
          estimated_delivery_date: '06/23/2027', tracking: upsTracking,
        },
        {
          supplier_order_id: null, product_name: 'Puma Pounce Cap',
          product_details: { sku: 'COB-PUMA-CAP', supplier_sku: null, description: null },
          quantity: 3, status: 'cancelled', backordered: false, supplier_name: 'Cobra Puma Golf', price: 10, total: 30,
          estimated_delivery_date: null, tracking: null,
        },
        {
          supplier_order_id: 'FXT-200002', product_name: 'Titleist Pro V1 Golf Balls (dozen)',
          product_details: { sku: 'TIT-PRO-V1', supplier_sku: 'TIT010000', description: 'Tour-level ball' },
          quantity: 4, status: 'processing', backordered: true, supplier_name: 'Acushnet', price: 25.5, total: 102,
          estimated_delivery_date: '08/20/2027', tracking: null,
        },
      ],
      fulfilled_items: [
        { supplier_order_id: 'FXT-100001', product_name: 'Cobra DS Adapt Driver', quantity: 2, status: 'delivered', tracking: fedexTracking },
        { supplier_order_id: 'FXT-100001', product_name: 'Cobra Snakebite Wedge 52', quantity: 1, status: 'in transit', tracking: upsTracking },
      ],
      invoices: [
        {
          invoice_number: '12345678', supplier_order_id: 'FXT-100001',
          invoice_date: expect.stringMatching(/^2027-06-17T/), due_date: expect.stringMatching(/^2027-08-16T/),
          payment_terms: 'Net 60 Days', subtotal_amount: 797.99, tax_amount: 63.84, shipping_amount: 9.95, total_amount: 871.78,
          currency: 'USD', status: 'open', supplier_name: 'Cobra Puma Golf', updated_at: instant('2027-06-17T14:00:00.000Z'),
          download_url: null,
        },
      ],
    };
  }

  const expectedV2A2 = () => ({
    po_number: 'PO-A1002',
    order_date: instant('2027-06-15T18:00:00.000Z'),
    request_date: null,
    status: 'review', // a line in review outranks progress
    customer_name: null,
    customer_email: null,
    shipping_address: 'Acme Golf Stockroom, 120 Links Dr, Scottsdale, AZ 85255, US',
    suppliers: ['Acushnet'],
    total: 1020.99,
    quantity: 4,
    drop_ship: false,
    items: [
      expect.objectContaining({ product_name: 'Titleist GT2 Driver 9', status: 'review', backordered: false, supplier_order_id: null, price: 1000, total: 1000 }),
      expect.objectContaining({ product_name: 'Titleist StaDry Gloves M', status: 'confirmed', supplier_order_id: 'FXT-300003', price: 0.5, total: 1 }),
      expect.objectContaining({ product_name: 'Titleist Players 4 Stand Bag', status: 'processing', backordered: false, supplier_order_id: 'FXT-300003' }),
    ],
    fulfilled_items: [],
    invoices: [],
  });

  describe('GET /api/v1/orders/by-po/:po_number', () => {
    it('returns one record per line, every field as documented, in line order', async () => {
      const body = expectEnvelope(await endpoints(world.app, 'v1', world.keys.a).byPo('PO-A1001'), 'v1');
      expect(body.data).toEqual(expectedV1A1());
      expect(body.meta).toEqual({ total: 4, page: 1, limit: 4, has_more: false });
    });

    it('renders review as internal review and confirmed/processing as submitted', async () => {
      const body = expectEnvelope(await endpoints(world.app, 'v1', world.keys.a).byPo('PO-A1002'), 'v1');
      expect(body.data.map((r) => r.status)).toEqual(['internal review', 'submitted', 'submitted']);
      expect(body.data.map((r) => r.supplier_order_id)).toEqual([null, 'FXT-300003', 'FXT-300003']);
      expect(body.data.every((r) => r.customer === null && r.customer_email === null)).toBe(true);
    });

    it('answers 404 not_found for an unknown PO number', async () => {
      const body = expectError(await endpoints(world.app, 'v1', world.keys.a).byPo('PO-DOES-NOT-EXIST'), 404, 'not_found');
      expect(body.message).toContain('PO-DOES-NOT-EXIST');
    });
  });

  describe('GET /api/v2/orders/by-po/:po_number', () => {
    it('returns one record per PO with items, fulfilled_items, tracking and invoices as documented', async () => {
      const body = expectEnvelope(await endpoints(world.app, 'v2', world.keys.a).byPo('PO-A1001'), 'v2');
      expect(body.data).toHaveLength(1);
      expect(body.data[0]).toMatchObject(expectedV2A1());
      expect(body.data[0].items).toHaveLength(4);
      expect(body.meta).toEqual({ total: 1, page: 1, limit: 1, has_more: false });
    });

    it('derives the PO status from its lines and leaves unknown values null', async () => {
      const body = expectEnvelope(await endpoints(world.app, 'v2', world.keys.a).byPo('PO-A1002'), 'v2');
      expect(body.data).toHaveLength(1);
      expect(body.data[0]).toMatchObject(expectedV2A2());
    });

    it('answers 404 not_found for an unknown PO number', async () => {
      expectError(await endpoints(world.app, 'v2', world.keys.a).byPo('PO-DOES-NOT-EXIST'), 404, 'not_found');
    });

    it('trims the PO number as it is stored (DESIGN 3), and refuses a blank one naming the field', async () => {
      for (const spaced of [' PO-A1001 ', '\tPO-A1001', 'PO-A1001  ']) {
        const body = expectEnvelope(await endpoints(world.app, 'v2', world.keys.a).byPo(spaced), 'v2');
        expect(body.data.map((r) => r.po_number)).toEqual(['PO-A1001']);
      }
      const blank = expectError(await endpoints(world.app, 'v2', world.keys.a).byPo('   '), 400, 'validation_failed');
      expect(blank.details).toEqual([{ field: 'params.po_number', message: 'must not be blank' }]);
      const bulk = expectEnvelope(await endpoints(world.app, 'v2', world.keys.a).bulk([' PO-A1001', 'PO-A1001 ', ' NOPE ']), 'v2');
      expect(bulk.data.map((r) => r.po_number)).toEqual(['PO-A1001']);
      expect(bulk.meta.not_found).toEqual(['NOPE']);
    });
  });

  describe('by-po requests arriving together (PostgreSQL answers them with one query per retailer)', () => {
    it('each gets the records of its own PO number, retailer and version, as when asked alone', async () => {
      const asks = [
        ['v1', 'a', 'PO-A1001'], ['v2', 'a', 'PO-A1001'], ['v2', 'a', 'PO-A1002'], ['v2', 'a', 'PO-SHARED'],
        ['v2', 'b', 'PO-SHARED'], ['v1', 'b', 'PO-B0001'], ['v2', 'a', 'PO-B0001'], ['v2', 'b', 'PO-A1001'],
        ['v2', 'a', 'NOPE-1'], ['v1', 'a', 'PO-A1002'], ['v2', 'a', 'PO-A1001'], ['v2', 'b', 'PO-B0001'],
      ] as const;
      const ask = ([version, key, number]: (typeof asks)[number]) => endpoints(world.app, version, world.keys[key]).byPo(number)
        .then((r) => ({ status: r.statusCode, body: { ...r.json(), request_id: undefined } }));
      const alone = [];
      for (const a of asks) alone.push(await ask(a));
      const together = await Promise.all(asks.map(ask));
      expect(together).toEqual(alone);
      // And what that is: another retailer's PO number is not found, a shared number is each retailer's own PO.
      expect(alone.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 200, 200]);
      expect(alone[3].body.data[0].customer_name).toBe('Alice A');
      expect(alone[4].body.data[0].customer_name).toBe('Bob B');
    });
  });

  describe.each(['v1', 'v2'] as const)('POST /api/%s/orders/by-po-numbers', (version) => {
    it('returns the records of the POs found and lists the others in meta.not_found', async () => {
      const api = endpoints(world.app, version, world.keys.a);
      const body = expectEnvelope(await api.bulk(['PO-A1002', 'NOPE-1', 'PO-A1001', 'PO-A1001', 'NOPE-2']), version);
      const expectedCount = version === 'v1' ? 4 + 3 : 2;
      expect(body.data).toHaveLength(expectedCount);
      expect(new Set(body.data.map((r) => r.po_number))).toEqual(new Set(['PO-A1001', 'PO-A1002']));
      expect(body.meta).toEqual({ total: expectedCount, page: 1, limit: expectedCount, has_more: false, not_found: ['NOPE-1', 'NOPE-2'] });
      if (version === 'v1') {
        expect(body.data.filter((r) => r.po_number === 'PO-A1001')).toEqual(expectedV1A1());
      } else {
        expect(body.data.find((r) => r.po_number === 'PO-A1001')).toMatchObject(expectedV2A1());
        expect(body.data.find((r) => r.po_number === 'PO-A1002')).toMatchObject(expectedV2A2());
      }
    });

    it('returns the records in the order their PO numbers were asked for (v1: each PO\'s lines in line order)', async () => {
      const api = endpoints(world.app, version, world.keys.a);
      // Neither order-date order (A-EARLY is the earliest) nor number order; a repeat keeps its first place.
      const asked = ['PO-A-TIE-1', 'PO-A1002', 'NOPE-3', 'PO-A-EARLY', 'PO-A1001', 'PO-A-TIE-2', 'PO-A1002'];
      for (const numbers of [asked, [...asked].reverse()]) {
        const body = expectEnvelope(await api.bulk(numbers), version);
        const firstSeen = [...new Set(numbers)].filter((n) => n !== 'NOPE-3');
        const perPo = await Promise.all(firstSeen.map(async (n) => expectEnvelope(await api.byPo(n), version).data));
        // Signed invoice links carry their expiry second: compare them without it.
        const unsigned = (records: unknown[]) => JSON.stringify(records).replace(/expires=\d+&signature=[\w-]+/g, 'signed');
        expect(unsigned(body.data)).toEqual(unsigned(perPo.flat()));
        expect([...new Set(body.data.map((r) => r.po_number))]).toEqual(firstSeen);
      }
    });

    it('answers 200 with empty data when none is found', async () => {
      const body = expectEnvelope(await endpoints(world.app, version, world.keys.a).bulk(['NOPE-1']), version);
      expect(body.data).toEqual([]);
      expect(body.meta).toEqual({ total: 0, page: 1, limit: 0, has_more: false, not_found: ['NOPE-1'] });
    });

    it('accepts exactly 100 PO numbers', async () => {
      const numbers = ['PO-A1001', ...Array.from({ length: 99 }, (_, i) => `MISSING-${i}`)];
      const body = expectEnvelope(await endpoints(world.app, version, world.keys.a).bulk(numbers), version);
      expect(new Set(body.data.map((r) => r.po_number))).toEqual(new Set(['PO-A1001']));
      expect(body.meta.not_found).toEqual(numbers.slice(1));
    });
  });

  describe.each(['v1', 'v2'] as const)('/api/%s: identifiers that need escaping in a URL', (version) => {
    it('by-po and by-supplier-order find them, percent-encoded', async () => {
      const api = endpoints(world.app, version, world.keys.a);
      const byPo = expectEnvelope(await api.byPo('PO 2027/07#1?x=ü'), version);
      expect(byPo.data.map((r) => r.po_number)).toEqual(['PO 2027/07#1?x=ü']);
      const bySo = expectEnvelope(await api.bySupplierOrder('FXT 9/9#ü'), version);
      expect(bySo.data.map((r) => r.po_number)).toEqual(['PO 2027/07#1?x=ü']);
      const bulk = expectEnvelope(await api.bulk(['PO 2027/07#1?x=ü']), version);
      expect(bulk.meta.not_found).toEqual([]);
    });
  });

  describe('GET /api/v1/orders/by-supplier-order/:supplier_order_id', () => {
    it('returns the lines that supplier order covers', async () => {
      const api = endpoints(world.app, 'v1', world.keys.a);
      const body = expectEnvelope(await api.bySupplierOrder('FXT-300003'), 'v1');
      const { a2 } = world.po;
      expect(body.data.map((r) => r.order_id)).toEqual([a2.lines[1].id, a2.lines[2].id]);
      expect(body.data.every((r) => r.supplier_order_id === 'FXT-300003' && r.po_number === 'PO-A1002')).toBe(true);
      expect(body.meta).toEqual({ total: 2, page: 1, limit: 2, has_more: false });

      const a1 = expectEnvelope(await api.bySupplierOrder('FXT-100001'), 'v1');
      expect(a1.data).toEqual(expectedV1A1().slice(0, 2));
    });

    it('returns the covered lines of every PO with that supplier order id, by order date', async () => {
      const body = expectEnvelope(await endpoints(world.app, 'v1', world.keys.a).bySupplierOrder('FXT-777777'), 'v1');
      expect(body.data.map((r) => r.order_id)).toEqual([world.po.late.lines[0].id, world.po.midnight.lines[0].id]);
      expect(body.meta.total).toBe(2);
    });

    it('answers 404 not_found for an unknown supplier order id', async () => {
      const body = expectError(await endpoints(world.app, 'v1', world.keys.a).bySupplierOrder('NO-SUCH-ORDER'), 404, 'not_found');
      expect(body.message).toContain('NO-SUCH-ORDER');
    });
  });

  describe('GET /api/v2/orders/by-supplier-order/:supplier_order_id', () => {
    it('returns the POs that have that supplier order', async () => {
      const api = endpoints(world.app, 'v2', world.keys.a);
      const one = expectEnvelope(await api.bySupplierOrder('FXT-200002'), 'v2');
      expect(one.data).toHaveLength(1);
      expect(one.data[0]).toMatchObject(expectedV2A1());
      expect(one.meta).toEqual({ total: 1, page: 1, limit: 1, has_more: false });

      const two = expectEnvelope(await api.bySupplierOrder('FXT-777777'), 'v2');
      expect(two.data.map((r) => r.po_number)).toEqual(['PO-A-LATE', 'PO-A-MIDNIGHT']);
      expect(two.meta).toEqual({ total: 2, page: 1, limit: 2, has_more: false });
    });

    it('answers 404 not_found for an unknown supplier order id', async () => {
      expectError(await endpoints(world.app, 'v2', world.keys.a).bySupplierOrder('NO-SUCH-ORDER'), 404, 'not_found');
    });
  });
});

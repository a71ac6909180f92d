// The data the contract tests run against: two retailers, their keys, hand-written POs with known values,
// and (optionally) seeded POs for volume. Retailer A keeps its books in America/Los_Angeles; B in UTC.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { createApiKey, revokeApiKey } from '../../src/store/api-keys.ts';
import { insertPurchaseOrders, supplierNamesOf, type PoAggregate } from '../../src/store/purchase-orders.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { seedDatabase } from '../../src/seed/seed.ts';
import { fedexTrackingNumber, upsTrackingNumber } from '../../src/seed/tracking-numbers.ts';
import { buildPo } from './fixtures.ts';

export const RETAILER_A = 'acme-golf';
export const RETAILER_B = 'birdie-shop';
export const TIMEZONE_A = 'America/Los_Angeles';

/** The app's configuration in tests (no logging). */
export const TEST_CONFIG = {
  publicUrl: 'http://ordersync.test',
  logLevel: 'silent',
  secret: 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz',
};

export async function buildTestApp(db: Db): Promise<FastifyInstance> {
  const config = TEST_CONFIG;
  const app = await buildApp({ config, db, logger: false });
  await app.ready();
  return app;
}

/** A fixed "random" source, so the fixture's tracking numbers are the same every run. */
function counterRng(start: number): () => number {
  let n = start;
  return () => {
    n = (n * 7 + 3) % 101;
    return n / 101;
  };
}

export interface World {
  db: Db;
  app: FastifyInstance;
  keys: {
    /** A's key with the read scope only. */
    a: string;
    /** A's key with every scope. */
    aAll: string;
    /** A's key without the read scope. */
    aWriteOnly: string;
    /** A's key, revoked. */
    aRevoked: string;
    /** B's read key. */
    b: string;
  };
  retailerA: string;
  retailerB: string;
  suppliers: { cobra: string; acushnet: string; taylormade: string };
  tracking: { fedex: string; ups: string };
  po: {
    /** Drop-ship, multi-supplier: delivered, in transit, cancelled and backordered lines; an invoice. */
    a1: PoAggregate;
    /** Not drop-ship: lines in review, confirmed and processing. */
    a2: PoAggregate;
    /** 2027-06-16T06:30Z: still 15 June in Los Angeles. */
    late: PoAggregate;
    /** 2027-06-16T07:00Z: midnight starting 16 June in Los Angeles. */
    midnight: PoAggregate;
    /** 2027-06-15T06:59:59.999Z: the last instant of 14 June in Los Angeles. */
    early: PoAggregate;
    /** Two POs with the same order date (tie broken by id). */
    tie1: PoAggregate;
    tie2: PoAggregate;
    /** A PO number and supplier order id with spaces, slashes, # ? = and non-ASCII. */
    oddNumber: PoAggregate;
    /** The same PO number at A and at B; B's also has A's supplier order id FXT-777777. */
    sharedA: PoAggregate;
    sharedB: PoAggregate;
    /** B's own PO on 2027-06-15, with supplier order FXT-B00001. */
    b1: PoAggregate;
  };
  seeded: { a: { seed: number; pos: number }; b: { seed: number; pos: number } };
}

export interface WorldOptions {
  /** Seeded POs for A and B (default none). */
  seedA?: number;
  seedB?: number;
}

export const SEED_A = 42;
export const SEED_B = 43;

export async function createWorld(db: Db, options: WorldOptions = {}): Promise<World> {
  const a = (await ensureRetailer(db, RETAILER_A, TIMEZONE_A)).retailer.id;
  const b = (await ensureRetailer(db, RETAILER_B)).retailer.id;

  const keys = {
    a: (await createApiKey(db, a, 'read', ['read'])).secret,
    aAll: (await createApiKey(db, a, 'all', ['read', 'write', 'admin'])).secret,
    aWriteOnly: (await createApiKey(db, a, 'write-only', ['write'])).secret,
    aRevoked: '',
    b: (await createApiKey(db, b, 'read', ['read'])).secret,
  };
  const revoked = await createApiKey(db, a, 'revoked', ['read']);
  await revokeApiKey(db, revoked.prefix);
  keys.aRevoked = revoked.secret;

  const cobra = await ensureSupplier(db, a, { name: 'Cobra Puma Golf' });
  const acushnet = await ensureSupplier(db, a, { name: 'Acushnet' });
  const taylormade = await ensureSupplier(db, b, { name: 'TaylorMade' });
  const rng = counterRng(17);
  const tracking = { fedex: fedexTrackingNumber(rng), ups: upsTrackingNumber(rng, '8A2V41') };

  const a1 = buildPo({
    retailer_id: a, po_number: 'PO-A1001', order_date: '2027-06-15T16:20:05.123Z', request_date: '2027-07-01T00:00:00.000Z',
    drop_ship: true, customer_name: 'Tom Thomas', customer_email: 'tt@example.com', supplier_id: cobra,
    ship_to: { name: 'Tom Thomas', line1: '12 Fairway Ln', line2: 'Apt 4', city: 'Carlsbad', state: 'CA', postal_code: '92008', country: 'US' },
    lines: [
      { product_name: 'Cobra DS Adapt Driver', sku: 'COB-DS-ADAPT', supplier_sku: 'COB010000', description: 'Adjustable driver',
        quantity: 2, unit_cost_cents: 34900, status: 'delivered', estimated_delivery_date: '2027-06-20',
        history: ['submitted', 'confirmed', 'shipped', 'delivered'] },
      { product_name: 'Cobra Snakebite Wedge 52', sku: 'COB-SNAKEBITE-52', supplier_sku: 'COB010111', description: 'Gap wedge',
        quantity: 1, unit_cost_cents: 9999, status: 'in transit', history: ['submitted', 'shipped', 'in transit'] },
      { product_name: 'Puma Pounce Cap', sku: 'COB-PUMA-CAP', quantity: 3, unit_cost_cents: 1000, status: 'cancelled' },
      { product_name: 'Titleist Pro V1 Golf Balls (dozen)', sku: 'TIT-PRO-V1', supplier_sku: 'TIT010000', description: 'Tour-level ball',
        quantity: 4, unit_cost_cents: 2550, status: 'backorder', estimated_delivery_date: '2027-08-20', supplier_id: acushnet,
        history: ['submitted', 'confirmed', 'backorder'] },
    ],
    supplier_orders: [
      { supplier_order_id: 'FXT-100001', lines: [0, 1], created_at: '2027-06-15T20:00:00.000Z' },
      { supplier_order_id: 'FXT-200002', supplier_id: acushnet, lines: [3], created_at: '2027-06-16T09:00:00.000Z' },
    ],
    shipments: [
      { carrier: 'fedex', tracking_number: tracking.fedex, status: 'delivered', shipped_at: '2027-06-17T14:00:00.000Z',
        estimated_delivery_date: '2027-06-20', delivered_at: '2027-06-19T20:05:00.000Z', lines: [[0, 2]], supplier_order: 0,
        checkpoints: [
          { status: 'shipped', message: 'Picked up', location: 'Carlsbad, CA', occurred_at: '2027-06-17T14:00:00.000Z' },
          { status: 'delivered', message: 'Delivered', location: 'Carlsbad, CA', occurred_at: '2027-06-19T20:05:00.000Z' },
          { status: 'in transit', message: 'Out for delivery', location: 'Carlsbad, CA', occurred_at: '2027-06-19T15:00:00.000Z' },
        ] },
      { carrier: 'ups', tracking_number: tracking.ups, status: 'in transit', shipped_at: '2027-06-18T15:30:00.000Z',
        estimated_delivery_date: '2027-06-23', delivered_at: null, lines: [[1, 1]], supplier_order: 0,
        checkpoints: [
          { status: 'in transit', message: 'Departed facility', location: 'Louisville, KY', occurred_at: '2027-06-19T03:00:00.000Z' },
          { status: 'shipped', message: 'Picked up', location: 'Carlsbad, CA', occurred_at: '2027-06-18T15:30:00.000Z' },
        ] },
    ],
    invoices: [
      { invoice_number: '12345678', supplier_id: cobra, supplier_order_id: 'FXT-100001', invoice_date: '2027-06-17',
        due_date: '2027-08-16', payment_terms: 'net_60', subtotal_cents: 79799, tax_cents: 6384, shipping_cents: 995,
        total_cents: 87178, status: 'open', updated_at: '2027-06-17T14:00:00.000Z' },
    ],
  });

  const a2 = buildPo({
    retailer_id: a, po_number: 'PO-A1002', order_date: '2027-06-15T18:00:00.000Z', supplier_id: acushnet,
    ship_to: { name: 'Acme Golf Stockroom', line1: '120 Links Dr', city: 'Scottsdale', state: 'AZ', postal_code: '85255', country: 'US' },
    lines: [
      { product_name: 'Titleist GT2 Driver 9', sku: 'TIT-GT2-9', quantity: 1, unit_cost_cents: 100000, status: 'review', history: ['review'] },
      { product_name: 'Titleist StaDry Gloves M', sku: 'TIT-STADRY-M', quantity: 2, unit_cost_cents: 50, status: 'confirmed',
        history: ['submitted', 'confirmed'] },
      { product_name: 'Titleist Players 4 Stand Bag', sku: 'TIT-P4-BAG', quantity: 1, unit_cost_cents: 1999, status: 'processing',
        history: ['submitted', 'confirmed', 'processing'] },
    ],
    supplier_orders: [{ supplier_order_id: 'FXT-300003', lines: [1, 2] }],
  });

  const simple = (po_number: string, order_date: string, extra: Partial<Parameters<typeof buildPo>[0]> = {}) => buildPo({
    retailer_id: a, po_number, order_date, supplier_id: cobra,
    lines: [{ product_name: 'Cobra Puma Pounce Cap', sku: 'COB-PUMA-CAP', quantity: 1, unit_cost_cents: 2400, status: 'pending' }],
    ...extra,
  });
  const late = simple('PO-A-LATE', '2027-06-16T06:30:00.000Z', {
    lines: [
      { product_name: 'Cobra DS Adapt 7 Wood', sku: 'COB-DS-7W', quantity: 1, unit_cost_cents: 19900, status: 'confirmed' },
      { product_name: 'Cobra Snakebite Wedge 52', sku: 'COB-SNAKEBITE-52', quantity: 1, unit_cost_cents: 9900, status: 'confirmed' },
    ],
    supplier_orders: [{ supplier_order_id: 'FXT-777777', lines: [0] }],
  });
  const midnight = simple('PO-A-MIDNIGHT', '2027-06-16T07:00:00.000Z', {
    lines: [{ product_name: 'Cobra King Tec Irons 5-GW', sku: 'COB-KINGTEC', quantity: 1, unit_cost_cents: 79900, status: 'confirmed' }],
    supplier_orders: [{ supplier_order_id: 'FXT-777777', lines: [0] }],
  });
  const early = simple('PO-A-EARLY', '2027-06-15T06:59:59.999Z');
  // Created in this order: tie2's id is the smaller one, so it comes first although its number is greater.
  const tie2 = simple('PO-A-TIE-2', '2027-06-20T12:00:00.000Z');
  const tie1 = simple('PO-A-TIE-1', '2027-06-20T12:00:00.000Z');
  const sharedA = simple('PO-SHARED', '2027-06-21T12:00:00.000Z', { customer_name: 'Alice A', drop_ship: true });
  // Characters a URL must escape, as PO numbers from other tools have them.
  const oddNumber = simple('PO 2027/07#1?x=ü', '2027-07-04T12:00:00.000Z', {
    supplier_orders: [{ supplier_order_id: 'FXT 9/9#ü', lines: [0] }],
  });

  const b1 = buildPo({
    retailer_id: b, po_number: 'PO-B0001', order_date: '2027-06-15T12:00:00.000Z', supplier_id: taylormade,
    lines: [{ product_name: 'TaylorMade TP5 Golf Balls (dozen)', sku: 'TM-TP5', quantity: 6, unit_cost_cents: 3250, status: 'confirmed' }],
    supplier_orders: [{ supplier_order_id: 'FXT-B00001', lines: [0] }],
  });
  const sharedB = buildPo({
    retailer_id: b, po_number: 'PO-SHARED', order_date: '2027-06-21T12:00:00.000Z', supplier_id: taylormade,
    customer_name: 'Bob B', drop_ship: true,
    lines: [{ product_name: 'TaylorMade Spider Tour Putter', sku: 'TM-SPIDER', quantity: 1, unit_cost_cents: 27900, status: 'confirmed' }],
    // The same supplier order id as two of A's POs.
    supplier_orders: [{ supplier_order_id: 'FXT-777777', lines: [0] }],
  });

  await db.transaction().execute(async (trx) => {
    await insertPurchaseOrders(trx, [a1, a2, late, midnight, early, tie2, tie1, sharedA, oddNumber], await supplierNamesOf(trx, a));
    await insertPurchaseOrders(trx, [b1, sharedB], await supplierNamesOf(trx, b));
  });

  const seeded = { a: { seed: SEED_A, pos: options.seedA ?? 0 }, b: { seed: SEED_B, pos: options.seedB ?? 0 } };
  if (seeded.a.pos > 0) await seedDatabase(db, { retailer: RETAILER_A, pos: seeded.a.pos, seed: SEED_A });
  if (seeded.b.pos > 0) await seedDatabase(db, { retailer: RETAILER_B, pos: seeded.b.pos, seed: SEED_B });

  const app = await buildTestApp(db);
  return {
    db, app, keys, retailerA: a, retailerB: b, suppliers: { cobra, acushnet, taylormade }, tracking,
    po: { a1, a2, late, midnight, early, tie1, tie2, sharedA, sharedB, b1, oddNumber },
    seeded,
  };
}

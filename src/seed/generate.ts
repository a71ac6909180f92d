// Deterministic generation of realistic POs: PO number i of seed S is always the same PO, whatever
// else is generated, so a seed run can resume and two runs with one seed give the same data.
import { Faker, base, en, en_US } from '@faker-js/faker';
import type { Address } from '../domain/address.ts';
import { idFrom, type IdPrefix } from '../domain/ids.ts';
import { addDays } from '../domain/dates.ts';
import { derivePoStatus, type FulfilmentStatus } from '../domain/statuses.ts';
import { trackingUrl } from '../domain/tracking.ts';
import { prng } from './prng.ts';
import type { PoAggregate } from '../store/purchase-orders.ts';
import { CHECKPOINT_CITIES, type SupplierSpec } from './catalog.ts';
import { fedexTrackingNumber, upsTrackingNumber, uspsTrackingNumber } from './tracking-numbers.ts';

export interface SeedContext {
  retailerId: string;
  seed: number;
  suppliers: { id: string; spec: SupplierSpec }[];
  warehouses: { id: string; address: Address }[];
  /** Generated order dates fall in the two years before this instant. */
  anchorMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;


export function poNumberFor(seed: number, index: number): string {
  return `PO-${seed}${String(index + 1).padStart(7, '0')}`;
}

type Weights = [FulfilmentStatus, number][];
const RECENT: Weights = [['pending', 15], ['review', 4], ['internal review', 3], ['invalid', 2], ['submitted', 25], ['confirmed', 20],
  ['processing', 15], ['backorder', 6], ['shipped', 8], ['cancelled', 2]];
const MONTH_OLD: Weights = [['submitted', 5], ['confirmed', 8], ['processing', 10], ['backorder', 10], ['shipped', 20],
  ['in transit', 20], ['delivered', 20], ['cancelled', 3], ['internal review', 2], ['invalid', 2]];
const OLD: Weights = [['backorder', 2], ['in transit', 2], ['delivered', 45], ['complete', 46], ['cancelled', 5]];

const PATH: FulfilmentStatus[] = ['pending', 'submitted', 'confirmed', 'processing', 'shipped', 'in transit', 'delivered', 'complete'];
const SHIPPED: FulfilmentStatus[] = ['shipped', 'in transit', 'delivered', 'complete'];

const faker = new Faker({ locale: [en_US, en, base] });

export function generatePo(ctx: SeedContext, index: number): PoAggregate {
  const rng = prng(Math.imul(ctx.seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b));
  faker.seed(Math.floor(rng() * 2 ** 31));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)];
  const between = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
  const weighted = (weights: Weights): FulfilmentStatus => {
    let r = rng() * weights.reduce((sum, [, w]) => sum + w, 0);
    for (const [status, weight] of weights) if ((r -= weight) < 0) return status;
    return weights[0][0];
  };
  // Ids follow generation order (so bulk inserts append to the indexes), distinct per seed.
  let serial = index * 4096;
  const id = (prefix: IdPrefix, _ms: number) => idFrom(prefix, ctx.anchorMs + ctx.seed * 1000, serial++);
  const iso = (ms: number) => new Date(ms).toISOString();

  const orderMs = ctx.anchorMs - Math.floor(rng() ** 2 * 730 * DAY);
  const ageDays = (ctx.anchorMs - orderMs) / DAY;
  const stage = weighted(ageDays < 7 ? RECENT : ageDays < 30 ? MONTH_OLD : OLD);

  // Most POs go to one supplier; a few (from multi-vendor tools) mix two.
  const main = pick(ctx.suppliers);
  const second = rng() < 0.08 ? pick(ctx.suppliers) : main;
  const warehouse = pick(ctx.warehouses);
  const dropShip = rng() < 0.15;
  // Names drawn in parts, so that emails never carry a title or suffix ("dr._…").
  const customer = dropShip ? { first: faker.person.firstName(), last: faker.person.lastName() } : null;
  const customerName = customer ? `${customer.first} ${customer.last}` : null;
  const customerEmail = customer ? faker.internet.email({ firstName: customer.first, lastName: customer.last }).toLowerCase() : null;
  const shipTo: Address = dropShip
    ? { name: customerName, line1: faker.location.streetAddress(), city: faker.location.city(), state: faker.location.state({ abbreviated: true }), postal_code: faker.location.zipCode('#####'), country: 'US' }
    : warehouse.address;

  const poId = id('po', orderMs);
  const lineCount = 1 + Math.min(11, Math.floor(12 * rng() ** 2.2));
  const usedSkus = new Set<string>();
  const lines: PoAggregate['lines'] = [];
  for (let n = 0; n < lineCount; n++) {
    const supplier = n > 0 && second !== main && rng() < 0.5 ? second : main;
    const product = pick(supplier.spec.products);
    if (usedSkus.has(product.sku)) continue;
    usedSkus.add(product.sku);
    lines.push({
      id: id('ln', orderMs), retailer_id: ctx.retailerId, po_id: poId, line_no: lines.length + 1,
      supplier_id: supplier.id === main.id ? null : supplier.id,
      sku: product.sku, supplier_sku: product.supplierSku, product_name: product.name, description: product.description,
      quantity: between(1, 24), unit_cost_cents: product.costCents, received_quantity: 0, rejected_quantity: 0,
      fulfilment_status: 'pending', estimated_delivery_date: null,
    });
  }

  // Line statuses: the PO's stage is its least advanced line; others may be further along.
  const statuses: FulfilmentStatus[] = lines.map(() => stage);
  if (stage === 'review' || stage === 'internal review' || stage === 'invalid') {
    statuses.forEach((_, i) => { if (i > 0) statuses[i] = rng() < 0.5 ? 'submitted' : 'pending'; });
  } else if (stage !== 'cancelled') {
    const from = stage === 'backorder' ? PATH.indexOf('processing') : PATH.indexOf(stage);
    statuses.forEach((_, i) => {
      if (i > 0 && rng() < 0.35) statuses[i] = PATH[between(from, Math.min(PATH.length - 1, from + 2))];
    });
    if (lines.length > 2 && rng() < 0.05) statuses[lines.length - 1] = 'cancelled';
  }

  const supplierIdOf = (line: PoAggregate['lines'][number]) => line.supplier_id ?? main.id;
  const specOf = (supplierId: string) => ctx.suppliers.find((s) => s.id === supplierId)!.spec;
  const confirmedMs = orderMs + between(4, 30) * HOUR;
  const events: PoAggregate['events'] = [];
  const event = (lineId: string | null, from: string | null, to: string, ms: number, axis = 'fulfilment') =>
    events.push({ id: id('evt', ms), retailer_id: ctx.retailerId, po_id: poId, line_id: lineId, axis, from_status: from, to_status: to, source: 'seed', occurred_at: iso(ms) });

  // Supplier orders: one per supplier for lines it has acknowledged.
  const supplierOrders: PoAggregate['supplierOrders'] = [];
  const orderOfSupplier = new Map<string, PoAggregate['supplierOrders'][number]>();
  lines.forEach((line, i) => {
    const status = statuses[i];
    if (['pending', 'review', 'internal review', 'invalid', 'submitted', 'cancelled'].includes(status)) return;
    const supplierId = supplierIdOf(line);
    let order = orderOfSupplier.get(supplierId);
    if (!order) {
      const spec = specOf(supplierId);
      order = {
        order: {
          id: id('so', confirmedMs), retailer_id: ctx.retailerId, po_id: poId, supplier_id: supplierId,
          supplier_order_id: `${spec.orderIdPrefix}${between(100000, 999999)}`, status: 'confirmed',
          created_at: iso(confirmedMs), updated_at: iso(confirmedMs),
        },
        lines: [],
      };
      orderOfSupplier.set(supplierId, order);
      supplierOrders.push(order);
    }
    order.lines.push({ line_id: line.id, quantity: line.quantity });
  });

  // Shipments: lines of one supplier at one stage travel together, so a PO can be partly shipped.
  const shipments: PoAggregate['shipments'] = [];
  const shipmentOf = new Map<string, PoAggregate['shipments'][number]>();
  const invoices: PoAggregate['invoices'] = [];
  lines.forEach((line, i) => {
    const status = statuses[i];
    const etaMs = confirmedMs + between(status === 'backorder' ? 25 : 7, status === 'backorder' ? 45 : 21) * DAY;
    line.estimated_delivery_date = iso(etaMs).slice(0, 10);
    if (!SHIPPED.includes(status)) return;
    const supplierId = supplierIdOf(line);
    const tier = status === 'complete' ? 'delivered' : status;
    const key = `${supplierId}|${tier}`;
    let shipment = shipmentOf.get(key);
    if (!shipment) {
      const spec = specOf(supplierId);
      const carrier = pick(spec.carriers);
      const trackingNumber = carrier === 'ups' ? upsTrackingNumber(rng, spec.upsAccount)
        : carrier === 'fedex' ? fedexTrackingNumber(rng) : uspsTrackingNumber(rng);
      const shippedMs = confirmedMs + between(1, 6) * DAY + between(0, 10) * HOUR;
      const deliveredMs = tier === 'delivered' ? shippedMs + between(2, 5) * DAY + between(0, 9) * HOUR : null;
      const origin = spec.address.city + ', ' + spec.address.state;
      const checkpoints: PoAggregate['shipments'][number]['checkpoints'] = [];
      const shipmentId = id('shp', shippedMs);
      const checkpoint = (status: string, message: string, location: string, ms: number) =>
        checkpoints.push({ id: id('chk', ms), retailer_id: ctx.retailerId, shipment_id: shipmentId, status, message, location, occurred_at: iso(ms) });
      checkpoint('shipped', 'Shipping label created', origin, shippedMs - 3 * HOUR);
      checkpoint('shipped', 'Picked up', origin, shippedMs);
      if (tier !== 'shipped') checkpoint('in transit', 'Departed facility', pick(CHECKPOINT_CITIES), shippedMs + between(10, 30) * HOUR);
      if (deliveredMs) {
        const destination = `${shipTo.city}, ${shipTo.state}`;
        checkpoint('in transit', 'Out for delivery', destination, deliveredMs - between(3, 6) * HOUR);
        checkpoint('delivered', 'Delivered', destination, deliveredMs);
      }
      shipment = {
        shipment: {
          id: shipmentId, retailer_id: ctx.retailerId, po_id: poId, supplier_order_pk: orderOfSupplier.get(supplierId)?.order.id ?? null,
          carrier, carrier_source: 'detected', tracking_number: trackingNumber, tracking_url: trackingUrl(carrier, trackingNumber),
          status: tier, shipped_at: iso(shippedMs), estimated_delivery_date: iso(shippedMs + between(3, 5) * DAY).slice(0, 10),
          delivered_at: deliveredMs ? iso(deliveredMs) : null, created_at: iso(shippedMs), updated_at: iso(deliveredMs ?? shippedMs),
        },
        lines: [],
        checkpoints,
      };
      shipmentOf.set(key, shipment);
      shipments.push(shipment);
    }
    shipment.lines.push({ line_id: line.id, quantity: line.quantity });
  });

  // Each line's latest status change (the one v1 reports as order_status_id); receiving follows delivery.
  lines.forEach((line, i) => {
    const status = statuses[i];
    line.fulfilment_status = status;
    const shipment = shipments.find((s) => s.lines.some((l) => l.line_id === line.id))?.shipment;
    const at: Partial<Record<FulfilmentStatus, number>> = {
      pending: orderMs, submitted: orderMs + HOUR, confirmed: confirmedMs, processing: confirmedMs + 12 * HOUR,
      backorder: confirmedMs + 18 * HOUR,
    };
    if (shipment) {
      at.shipped = Date.parse(shipment.shipped_at!);
      at['in transit'] = at.shipped + 12 * HOUR;
      if (shipment.delivered_at) at.delivered = at.complete = Date.parse(shipment.delivered_at);
      if (at.complete) at.complete += 2 * DAY;
    }
    const previous = status === 'pending' ? null : PATH.includes(status) ? PATH[PATH.indexOf(status) - 1] : 'pending';
    event(line.id, status === 'backorder' ? 'processing' : previous, status, at[status] ?? orderMs + between(1, 48) * HOUR);
    if (status === 'complete') line.received_quantity = line.quantity;
  });

  const poStatus = derivePoStatus(statuses);
  const lifecycle = poStatus === 'cancelled' ? 'cancelled' : poStatus === 'complete' ? 'closed'
    : poStatus === 'pending' || poStatus === 'review' || poStatus === 'internal review' ? 'draft'
    : poStatus === 'delivered' ? (rng() < 0.5 ? 'received' : 'receiving') : 'open';
  if (lifecycle === 'received') lines.forEach((line, i) => { if (statuses[i] !== 'cancelled') line.received_quantity = line.quantity; });
  event(null, null, lifecycle, orderMs, 'lifecycle');

  for (const { order, lines: covered } of supplierOrders) {
    const shipped = shipments.filter((s) => s.shipment.supplier_order_pk === order.id);
    if (shipped.length === 0 || rng() < 0.25) continue;
    const invoiceMs = Date.parse(shipped[0].shipment.shipped_at!);
    const terms = pick(['net_30', 'net_60', 'net_45'] as const);
    const subtotal = covered.reduce((sum, c) => sum + c.quantity * lines.find((l) => l.id === c.line_id)!.unit_cost_cents, 0);
    const tax = rng() < 0.3 ? Math.round(subtotal * 0.08) : 0;
    const shipping = rng() < 0.5 ? between(0, 4) * 995 : 0;
    const dueDate = addDays(iso(invoiceMs).slice(0, 10), Number(terms.slice(4)));
    const due = Date.parse(dueDate) < ctx.anchorMs;
    invoices.push({
      id: id('inv', invoiceMs), retailer_id: ctx.retailerId, po_id: poId, supplier_id: order.supplier_id,
      supplier_order_id: order.supplier_order_id, invoice_number: String(between(10_000_000, 99_999_999)),
      invoice_date: iso(invoiceMs).slice(0, 10), due_date: dueDate, payment_terms: terms,
      subtotal_cents: subtotal, tax_cents: tax, shipping_cents: shipping, total_cents: subtotal + tax + shipping, currency: 'USD',
      status: due ? (rng() < 0.9 ? 'paid' : 'overdue') : (rng() < 0.15 ? 'partially_paid' : 'open'),
      document_id: null, created_at: iso(invoiceMs), updated_at: iso(invoiceMs),
    });
  }

  const lastChangeMs = Math.max(orderMs, ...events.map((e) => Date.parse(e.occurred_at)));
  const sourceRoll = rng();
  const source = sourceRoll < 0.6 ? 'ordersync' : sourceRoll < 0.85 ? 'shipstation' : 'stocky';
  return {
    po: {
      id: poId, retailer_id: ctx.retailerId, po_number: poNumberFor(ctx.seed, index), order_number: null,
      source, source_id: source === 'ordersync' ? null : String(between(1_000_000, 9_999_999)),
      status: lifecycle, order_date: iso(orderMs), request_date: iso(orderMs + between(10, 30) * DAY),
      expected_delivery_date: lines[0].estimated_delivery_date, ship_to: JSON.stringify(shipTo), drop_ship: dropShip ? 1 : 0,
      customer_name: customerName, customer_email: customerEmail, supplier_id: main.id, warehouse_id: warehouse.id,
      currency: 'USD', payment_terms: invoices[0]?.payment_terms ?? 'net_30',
      payment_status: invoices.length === 0 ? 'unpaid' : invoices.every((i) => i.status === 'paid') ? 'paid' : 'unpaid',
      reference_number: rng() < 0.3 ? `REF-${between(1000, 9999)}` : null, note_to_supplier: null,
      shipping_carrier: null, tracking_number: null, created_at: iso(orderMs), updated_at: iso(lastChangeMs),
    },
    lines, supplierOrders, shipments, invoices, events,
  };
}

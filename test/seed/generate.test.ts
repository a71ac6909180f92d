// The seed's generator: deterministic (same seed and index → the same PO), realistic and complete
// (every fulfilment status, carrier-correct tracking numbers, drop-ship POs with end customers).
import { describe, expect, it } from 'vitest';
import { detectCarrier } from '../../src/domain/tracking.ts';
import { derivePoStatus, FULFILMENT_STATUSES, type FulfilmentStatus } from '../../src/domain/statuses.ts';
import { SUPPLIERS, WAREHOUSES } from '../../src/seed/catalog.ts';
import { generatePo, poNumberFor, type SeedContext } from '../../src/seed/generate.ts';
import type { PoAggregate } from '../../src/store/purchase-orders.ts';

const ANCHOR_MS = Date.parse('2026-11-01T00:00:00Z');

function context(seed: number): SeedContext {
  return {
    retailerId: 'ret_test',
    seed,
    suppliers: SUPPLIERS.map((spec, i) => ({ id: `sup_${i}`, spec })),
    warehouses: WAREHOUSES.map((w, i) => ({ id: `wh_${i}`, address: w.address })),
    anchorMs: ANCHOR_MS,
  };
}

const SAMPLE = 2000;
const sample: PoAggregate[] = Array.from({ length: SAMPLE }, (_, i) => generatePo(context(1), i));

describe('generatePo determinism', () => {
  it('the same seed and index give an identical aggregate', () => {
    for (const index of [0, 1, 17, 999, 123_456]) {
      expect(generatePo(context(1), index)).toEqual(generatePo(context(1), index));
    }
  });

  it('does not depend on what was generated before', () => {
    const fresh = generatePo(context(1), 1234);
    for (let i = 0; i < 50; i++) generatePo(context(9), i);
    expect(generatePo(context(1), 1234)).toEqual(fresh);
    expect(sample[1234]).toEqual(fresh);
  });

  it('another seed gives other POs, with other PO numbers and ids', () => {
    const a = generatePo(context(1), 5);
    const b = generatePo(context(2), 5);
    expect(a.po.po_number).toBe(poNumberFor(1, 5));
    expect(b.po.po_number).toBe(poNumberFor(2, 5));
    expect(a.po.po_number).not.toBe(b.po.po_number);
    expect(a.po.id).not.toBe(b.po.id);
    expect(a.po.order_date).not.toBe(b.po.order_date);
  });
});

describe(`${SAMPLE} generated POs`, () => {
  const lines = sample.flatMap((po) => po.lines);

  it('use all 13 fulfilment statuses', () => {
    const seen = new Set(lines.map((l) => l.fulfilment_status));
    expect([...seen].sort()).toEqual([...FULFILMENT_STATUSES].sort());
  });

  it('have unique PO numbers and ids', () => {
    expect(new Set(sample.map((po) => po.po.po_number)).size).toBe(SAMPLE);
    const ids = sample.flatMap((po) => [po.po.id, ...po.lines.map((l) => l.id), ...po.events.map((e) => e.id),
      ...po.shipments.map((s) => s.shipment.id), ...po.supplierOrders.map((s) => s.order.id), ...po.invoices.map((i) => i.id)]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('have 1 to 12 lines, numbered from 1, with positive quantities and prices', () => {
    for (const po of sample) {
      expect(po.lines.length).toBeGreaterThanOrEqual(1);
      expect(po.lines.length).toBeLessThanOrEqual(12);
      expect(po.lines.map((l) => l.line_no)).toEqual(po.lines.map((_, i) => i + 1));
      for (const line of po.lines) {
        expect(line.quantity).toBeGreaterThan(0);
        expect(Number.isInteger(line.unit_cost_cents) && line.unit_cost_cents > 0).toBe(true);
      }
    }
    expect(sample.some((po) => po.lines.length >= 6)).toBe(true);
  });

  it('give drop-ship POs an end customer, and only them', () => {
    const dropShip = sample.filter((po) => po.po.drop_ship === 1);
    expect(dropShip.length).toBeGreaterThan(SAMPLE * 0.05);
    for (const po of dropShip) {
      expect(po.po.customer_name).toMatch(/\S+ \S+/);
      expect(po.po.customer_email).toMatch(/^[^@\s]+@[^@\s]+\.[^@\s]+$/);
      expect(JSON.parse(po.po.ship_to!).name).toBe(po.po.customer_name);
    }
    for (const po of sample.filter((p) => p.po.drop_ship === 0)) {
      expect(po.po.customer_name).toBeNull();
      expect(po.po.customer_email).toBeNull();
    }
  });

  it('order dates fall in the two years before the anchor', () => {
    for (const po of sample) {
      const ms = Date.parse(po.po.order_date);
      expect(ms).toBeLessThanOrEqual(ANCHOR_MS);
      expect(ms).toBeGreaterThan(ANCHOR_MS - 731 * 24 * 3_600_000);
    }
  });

  it('ship with carrier-correct tracking numbers and links', () => {
    const shipments = sample.flatMap((po) => po.shipments.map((s) => s.shipment));
    expect(shipments.length).toBeGreaterThan(100);
    const carriers = new Set<string>();
    for (const shipment of shipments) {
      expect(detectCarrier(shipment.tracking_number), shipment.tracking_number).toBe(shipment.carrier);
      expect(shipment.tracking_url).toContain(shipment.tracking_number);
      carriers.add(shipment.carrier!);
    }
    expect([...carriers].sort()).toEqual(['fedex', 'ups', 'usps']);
  });

  it('keep every shipped, supplier-ordered and invoiced part consistent with the PO', () => {
    let partial = 0;
    for (const po of sample) {
      const lineIds = new Set(po.lines.map((l) => l.id));
      for (const { lines: covered } of [...po.supplierOrders, ...po.shipments]) {
        for (const part of covered) expect(lineIds.has(part.line_id)).toBe(true);
      }
      for (const { shipment, lines: carried } of po.shipments) {
        for (const part of carried) {
          const line = po.lines.find((l) => l.id === part.line_id)!;
          expect(['shipped', 'in transit', 'delivered', 'complete']).toContain(line.fulfilment_status);
        }
        if (shipment.status === 'delivered') expect(shipment.delivered_at).not.toBeNull();
        else expect(shipment.delivered_at).toBeNull();
      }
      const shippedLines = new Set(po.shipments.flatMap((s) => s.lines.map((l) => l.line_id)));
      if (shippedLines.size > 0 && shippedLines.size < po.lines.filter((l) => l.fulfilment_status !== 'cancelled').length) partial++;
      for (const invoice of po.invoices) {
        expect(invoice.total_cents).toBe(invoice.subtotal_cents + invoice.tax_cents + invoice.shipping_cents);
        expect(po.supplierOrders.map((s) => s.order.supplier_order_id)).toContain(invoice.supplier_order_id);
      }
    }
    expect(partial).toBeGreaterThan(0);
    expect(sample.some((po) => po.invoices.length > 0)).toBe(true);
  });

  it('mark lifecycle status consistently with the lines', () => {
    for (const po of sample) {
      const status = derivePoStatus(po.lines.map((l) => l.fulfilment_status as FulfilmentStatus));
      if (status === 'cancelled') expect(po.po.status).toBe('cancelled');
      if (status === 'complete') expect(po.po.status).toBe('closed');
    }
  });
});

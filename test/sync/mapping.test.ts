// The connectors' mapping tables (README "Sync") as pure table tests: ShipStation and Stocky status → lifecycle and
// line fulfilment, carriers, Stocky's item times and invoice, and how a synced status merges with what is stored.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LifecycleStatus } from '../../src/domain/lifecycle.ts';
import type { FulfilmentStatus } from '../../src/domain/statuses.ts';
import { mergeShipmentStatus, mergeSyncedLineStatus } from '../../src/domain/synced-lines.ts';
import {
  carrierCode, isShipStationTerminal, mapShipStationPo, shipStationErrorMessage, shipStationLifecycle, shipStationLineStatus,
  shipStationShipmentStatus, upstreamInstant, type ShipStationDetail,
} from '../../src/sync/connectors/shipstation-mapping.ts';
import { parseTimestamp } from '../../src/domain/timestamps.ts';
import { MAPPING_VERSION, contentHash } from '../../src/sync/engine.ts';
import {
  mapStockyPo, parseStockyItemTime, stockyErrorMessage, stockyLifecycle, stockyLineStatus, type StockyItem, type StockyPo,
} from '../../src/sync/connectors/stocky-mapping.ts';

describe('ShipStation mapping table', () => {
  const line = (quantity: number, received: number, rejected = 0) => ({ quantity, received_quantity: received, rejected_quantity: rejected });
  it.each<[string, LifecycleStatus, boolean, ReturnType<typeof line>, FulfilmentStatus, 'shipped' | 'delivered']>([
    ['draft', 'draft', false, line(5, 0), 'pending', 'shipped'],
    ['open', 'open', false, line(5, 0), 'submitted', 'shipped'],
    ['open', 'open', true, line(5, 0), 'shipped', 'shipped'],
    ['receiving', 'receiving', true, line(5, 2), 'shipped', 'shipped'],
    ['receiving', 'receiving', false, line(5, 0), 'shipped', 'shipped'],
    ['receiving', 'receiving', true, line(5, 4, 1), 'delivered', 'shipped'],
    ['received', 'received', true, line(5, 5), 'delivered', 'delivered'],
    ['closed', 'closed', true, line(5, 3), 'complete', 'delivered'],
    ['closed', 'closed', false, line(5, 0), 'cancelled', 'delivered'],
    ['closed', 'closed', false, line(5, 0, 5), 'complete', 'delivered'],
    ['cancelled', 'cancelled', false, line(5, 0), 'cancelled', 'shipped'],
  ])('%s (tracking %s) → lifecycle %s, line %o → %s', (upstream, lifecycle, tracking, quantities, fulfilment, shipment) => {
    expect(shipStationLifecycle(upstream)).toBe(lifecycle);
    expect(shipStationLineStatus(lifecycle, tracking, quantities)).toBe(fulfilment);
    expect(shipStationShipmentStatus(lifecycle)).toBe(shipment);
  });

  it('closed and cancelled are terminal; the rest are listed by status', () => {
    expect(['draft', 'open', 'receiving', 'received', 'closed', 'cancelled'].map(isShipStationTerminal))
      .toEqual([false, false, false, false, true, true]);
  });

  it.each([['UPS', 'ups'], ['FedEx Ground', 'fedex'], ['USPS', 'usps'], ['DHL Express', 'dhl'], ['Pigeon', null], [null, null]])(
    'carrier %s → %s', (name, code) => expect(carrierCode(name)).toBe(code));

  it('maps a detail: PO number, dates, money, lines by sku, PO-level tracking as a shipment', () => {
    const detail: ShipStationDetail = {
      purchase_order_id: 'se-234', order_number: '02162026-02', supplier_id: 'se-567', status: 'open',
      order_date: '2025-01-15T00:00:00Z', expected_delivery_date: '2025-02-01T00:00:00Z', create_date: '2025-01-14T10:30:00Z',
      modify_date: '2025-01-14T10:30:00Z', payment_terms: 'net_30', payment_status: 'unpaid', currency_code: 'USD',
      shipping_carrier: 'UPS', tracking_number: '1Z12345E1234567890', reference_number: 'REF-12345', warehouse_id: 'se-123456',
      note_to_supplier: 'Please expedite delivery', products: [{ sku: 'WIDGET-001', supplier_sku: 'SUPP-WIDGET-001', quantity: 100, cost: 9.99 }],
    };
    const po = mapShipStationPo(detail, 'Acme');
    expect(po).toMatchObject({
      upstream_id: 'se-234', upstream_modified: '2025-01-14T10:30:00.000Z', open: true, po_number: '02162026-02', status: 'open',
      order_date: '2025-01-15T00:00:00.000Z', expected_delivery_date: '2025-02-01', supplier_name: 'Acme',
      warehouse_name: 'ShipStation warehouse se-123456', currency: 'USD', payment_terms: 'net_30', payment_status: 'unpaid',
      reference_number: 'REF-12345', invoice: null,
      shipments: [expect.objectContaining({ tracking_number: '1Z12345E1234567890', carrier: 'ups', carrier_source: 'supplied', status: 'shipped' })],
    });
    expect(po.lines).toEqual([{
      source_line_id: 'WIDGET-001', sku: 'WIDGET-001', supplier_sku: 'SUPP-WIDGET-001', product_name: 'WIDGET-001', description: null,
      quantity: 100, unit_cost_cents: 999, received_quantity: 0, rejected_quantity: 0, fulfilment_status: 'shipped',
    }]);
    expect(mapShipStationPo({ ...detail, status: 'draft', order_date: null, tracking_number: null }, undefined))
      .toMatchObject({ order_date: '2025-01-14T10:30:00.000Z', shipments: [], supplier_name: undefined });
    // Stored content hashes stay valid: SHA-256 (hex) of [MAPPING_VERSION, record]. Should this change, every stored
    // record would be rewritten by the next sync: that takes a MAPPING_VERSION bump, not a silent difference.
    expect(contentHash(po)).toBe(createHash('sha256').update(JSON.stringify([MAPPING_VERSION, po])).digest('hex'));
    expect(contentHash(po)).toBe('7f10452a3586a86b92ca28b07d8f2cc304ed41e5ee1e4682f9c5d6a7305b6b60');
  });

  it('error bodies give errors[0].message', () => {
    const body = JSON.stringify({ request_id: 'x', errors: [{ error_source: 'shipstation', error_type: 'system', error_code: 'unspecified', message: 'Boom.' }] });
    expect(shipStationErrorMessage(500, body)).toBe('ShipStation: Boom. (HTTP 500)');
    expect(shipStationErrorMessage(502, '<html>bad gateway</html>')).toBe('ShipStation answered HTTP 502: <html>bad gateway</html>');
  });
});

describe('Stocky mapping table', () => {
  const item = (status: string, received_at: string | null = null): StockyItem => ({ id: 1, quantity: 2, status, received_at });
  it.each<[boolean, string | null, string[], LifecycleStatus]>([
    [false, null, ['not delivered'], 'draft'],
    [true, null, ['not delivered'], 'cancelled'],
    [false, '2021-02-09T00:24:13.000Z', ['not delivered', 'not delivered'], 'open'],
    [false, '2021-02-09T00:24:13.000Z', ['delivered', 'not delivered'], 'receiving'],
    [false, '2021-02-09T00:24:13.000Z', ['delivered', 'delivered'], 'received'],
    [false, '2021-02-09T00:24:13.000Z', ['delivered', 'cancelled'], 'received'],
    [true, '2021-02-09T00:24:13.000Z', ['not delivered'], 'closed'],
  ])('archived %s, ordered_at %s, items %o → %s', (archived, ordered_at, statuses, lifecycle) => {
    expect(stockyLifecycle({ archived, ordered_at, purchase_items: statuses.map((s) => item(s)) })).toBe(lifecycle);
  });

  it.each<[LifecycleStatus, StockyItem, string | null, FulfilmentStatus]>([
    ['draft', item('not delivered'), null, 'pending'],
    ['cancelled', item('not delivered'), null, 'cancelled'],
    ['open', item('cancelled'), null, 'cancelled'],
    ['open', item('not delivered'), null, 'submitted'],
    ['open', item('not delivered'), '2021-02-24', 'shipped'],
    ['receiving', item('delivered', '23/02/2021'), '2021-02-24', 'delivered'],
    ['receiving', item('not delivered', '23/02/2021'), null, 'delivered'],
    ['received', item('delivered'), null, 'delivered'],
    ['closed', item('delivered'), null, 'complete'],
    ['closed', item('not delivered'), '2021-02-24', 'cancelled'],
  ])('%s, item %o, ship_on %s → %s', (lifecycle, it_, shipOn, fulfilment) => {
    expect(stockyLineStatus(lifecycle, it_, shipOn)).toBe(fulfilment);
  });

  it.each([
    ['09/02/2021 00:23', '2021-02-09T00:23:00.000Z'], ['23/02/2021', '2021-02-23T00:00:00.000Z'],
    ['31/02/2021 00:00', null], ['2021-02-09', null], [null, null],
  ])('item time %s → %s', (text, iso) => expect(parseStockyItemTime(text)).toBe(iso));

  it("maps the reference's PO: number, items, invoice totals, payment", () => {
    const po: StockyPo = {
      id: 2, number: 1001, sequential_id: 1001, invoice_number: 'INV-1', created_at: '2021-02-09T00:23:25.000Z',
      updated_at: '2021-02-09T00:24:13.000Z', ordered_at: '2021-02-09T00:24:13.000Z', expected_on: '2021-02-22', ship_on: '2021-02-24',
      payment_due_on: '2021-03-10', archived: false, supplier_name: 'Brothers', currency: 'CAD', shopify_receive_location_id: 34915680278,
      paid: true, adjustments: -5.5, shipping: 19, invoice_date: '2021-02-10',
      purchase_items: [
        { id: 4, sku: 'BrothersCatapreses01', product_title: 'Catapreses', variant_title: 'nonparalysis', quantity: 10, status: 'not delivered',
          cost_price: '10.00', supplier_cost_price: '12.50', received_at: null, updated_at: '09/02/2021 00:23' },
        { id: 5, sku: '', product_title: 'Ecstasies', variant_title: 'Default', quantity: 6, status: 'delivered', cost_price: '3.10',
          supplier_cost_price: null, received_at: '23/02/2021', updated_at: '23/02/2021 10:00' },
      ],
    };
    const mapped = mapStockyPo(po);
    expect(mapped).toMatchObject({
      upstream_id: '2', po_number: '1001', order_number: '1001', status: 'receiving', payment_status: 'paid', currency: 'CAD',
      warehouse_name: 'Shopify location 34915680278', supplier_name: 'Brothers', expected_delivery_date: '2021-02-22', shipments: [],
      invoice: { invoice_number: 'INV-1', invoice_date: '2021-02-10', due_date: '2021-03-10', subtotal_cents: 14360, shipping_cents: 1900,
        tax_cents: 0, total_cents: 14360 + 1900 - 550, currency: 'CAD', status: 'paid' },
    });
    expect(mapped.lines.map((l) => [l.source_line_id, l.sku, l.description, l.unit_cost_cents, l.received_quantity, l.fulfilment_status])).toEqual([
      ['4', 'BrothersCatapreses01', 'nonparalysis', 1250, 0, 'shipped'],
      ['5', 'item-5', null, 310, 6, 'delivered'],
    ]);
    expect(mapStockyPo({ ...po, number: '1001A', invoice_number: null }).invoice).toBeNull();
  });

  it('error bodies are quoted', () => {
    expect(stockyErrorMessage(404, '{"error":"No purchase orders found"}')).toBe('Stocky answered HTTP 404: No purchase orders found');
  });
});

describe('a synced status merges with what is stored', () => {
  it.each<[FulfilmentStatus, FulfilmentStatus, FulfilmentStatus]>([
    ['pending', 'submitted', 'submitted'],
    ['in transit', 'shipped', 'in transit'], // the carrier is further along than the retailer's tool
    ['confirmed', 'submitted', 'confirmed'],
    ['shipped', 'delivered', 'delivered'],
    ['in transit', 'cancelled', 'cancelled'],
    ['delivered', 'cancelled', 'delivered'],
    ['cancelled', 'submitted', 'cancelled'],
  ])('%s + upstream %s → %s', (current, derived, next) => expect(mergeSyncedLineStatus(current, derived)).toBe(next));

  it('shipments never move back', () => {
    expect(mergeShipmentStatus('in transit', 'shipped')).toBe('in transit');
    expect(mergeShipmentStatus('shipped', 'delivered')).toBe('delivered');
  });
});

describe('upstream timestamps', () => {
  // upstreamInstant's shortcut for canonical UTC text must give exactly what the one parser gives, for every text.
  const tricky = [
    '2026-10-09T04:32:25Z', '2026-10-25T10:27:20.000Z', '2026-10-25T10:27:20.123Z', '2024-02-29T00:00:00Z', '2026-02-29T00:00:00Z',
    '2026-02-30T12:00:00.000Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-01-00T00:00:00Z',
    '2026-12-31T24:00:00Z', '2026-12-31T24:00:00.000Z', '2026-12-31T23:60:00Z', '2016-12-31T23:59:60Z', '2016-12-31T23:59:60.500Z',
    '2026-12-31T23:59:61Z', '0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z', '0001-01-01T00:00:00Z', '0050-06-15T12:00:00.000Z',
    '0099-12-31T23:59:59.999Z', '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00Z',
    '2026-10-09t04:32:25z', '2026-10-09 04:32:25Z', '2026-10-09T04:32:25.1Z', '2026-10-09T04:32:25.12345Z', '2026-10-09T04:32:25+00:00',
    '2026-10-09T04:32:25-07:00', '2026-10-09T04:32:25', '2026-10-09', ' 2026-10-09T04:32:25Z', '2026-10-09T04:32:25Z ', '+02026-10-09T04:32:25Z',
    '2026-1-09T04:32:25.000Z', 'not a date', '', '2026-10-09T04:32Z', '2026-10-09T04:32:25.000+01:00',
    '2026-10-30', '2024-02-29', '2026-02-29', '2026-02-30', '2026-13-01', '2026-00-01', '2026-01-00', '0000-01-01', '0001-01-01',
    '0099-12-31', '9999-12-31', '2026-10-3', '20261030', '2026-10-30T', '2026/10/30',
  ];

  it('the shortcut and the parser agree on tricky texts', () => {
    for (const text of tricky) expect([text, upstreamInstant(text)]).toEqual([text, parseTimestamp(text, { zone: 'UTC' })]);
  });

  it('the shortcut and the parser agree on random canonical-looking texts', () => {
    let seed = 42;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    for (let i = 0; i < 5000; i++) {
      // Fields past their ranges on purpose (month 13, day 32, hour 24, minute and second 60) some of the time.
      const text = `${pad(next(10_000), 4)}-${pad(next(14), 2)}-${pad(next(33), 2)}T${pad(next(25), 2)}:${pad(next(61), 2)}:${pad(next(62), 2)}` +
        `${next(2) ? `.${pad(next(1000), 3)}` : ''}Z`;
      expect([text, upstreamInstant(text)]).toEqual([text, parseTimestamp(text, { zone: 'UTC' })]);
      const day = text.slice(0, 10);
      expect([day, upstreamInstant(day)]).toEqual([day, parseTimestamp(day, { zone: 'UTC' })]);
    }
  });
});

// The pure rules of supplier updates (src/domain/supplier-updates.ts): validation of the wire shapes, fingerprints,
// status moves, and what each kind of update does to a PO's state — table-driven.
import { beforeEach, describe, expect, it } from 'vitest';
import type { FulfilmentStatus } from '../src/domain/statuses.ts';
import {
  advanceStatus, canonicalJson, diffSnapshots, fingerprintOf, normalizePaymentTerms, parseSupplierUpdates,
  planUpdate, shipmentStatusFromCheckpoints, statusFromShipments, type Change, type ParsedUpdate, type PlanContext, type PoSnapshot,
  type SupplierUpdate,
} from '../src/domain/supplier-updates.ts';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const PDF_BASE64 = PDF.toString('base64');

const WIRE = [
  { type: 'order', po_number: 'PO-1001', supplier_order_id: 'FD123456', supplier_name: 'Acushnet', status: 'confirmed',
    lines: [{ sku: 'TIT-GT2-9', quantity: 2 }], estimated_delivery_date: '2026-12-01' },
  { type: 'shipment', po_number: 'PO-1001', supplier_order_id: 'FD123456', tracking_number: '1Z999AA10123456784',
    carrier: null, shipped_date: '2026-11-20T15:04:00Z', estimated_delivery_date: '2026-11-25', lines: [{ sku: 'TIT-GT2-9', quantity: 2 }] },
  { type: 'tracking_event', po_number: 'PO-1001', tracking_number: '1Z999AA10123456784', status: 'delivered',
    message: 'Delivered', location: 'Carlsbad, CA', timestamp: '2026-11-24T10:12:00-08:00' },
  { type: 'invoice', po_number: 'PO-1001', supplier_order_id: 'FD123456', invoice_number: '12345678', invoice_date: '2026-11-20',
    due_date: '2027-01-19', payment_terms: 'Net 60 Days', subtotal_amount: 1000.00, tax_amount: 0, shipping_amount: 0,
    total_amount: 1000.00, currency: 'USD', status: 'open', document_pdf_base64: PDF_BASE64 },
];

function parsed(raw: unknown[]): ParsedUpdate[] {
  const result = parseSupplierUpdates(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.updates;
}
const one = (raw: object): SupplierUpdate => parsed([raw])[0].update;

describe('parseSupplierUpdates', () => {
  it('accepts the DESIGN wire example and normalises it', () => {
    const [order, shipment, event, invoice] = parsed(WIRE).map((p) => p.update);
    expect(order).toEqual({
      type: 'order', po_number: 'PO-1001', supplier_order_id: 'FD123456', supplier_name: 'Acushnet', status: 'confirmed',
      lines: [{ sku: 'TIT-GT2-9', quantity: 2 }], estimated_delivery_date: '2026-12-01',
    });
    expect(shipment).toEqual({
      type: 'shipment', po_number: 'PO-1001', supplier_order_id: 'FD123456', tracking_number: '1Z999AA10123456784', carrier: null,
      shipped_at: '2026-11-20T15:04:00.000Z', estimated_delivery_date: '2026-11-25', lines: [{ sku: 'TIT-GT2-9', quantity: 2 }],
    });
    expect(event).toEqual({
      type: 'tracking_event', po_number: 'PO-1001', tracking_number: '1Z999AA10123456784', status: 'delivered',
      message: 'Delivered', location: 'Carlsbad, CA', occurred_at: '2026-11-24T18:12:00.000Z',
    });
    expect(invoice).toMatchObject({
      type: 'invoice', invoice_number: '12345678', payment_terms: 'net_60',
      amounts: { subtotal: '1000', tax: '0', shipping: '0', total: '1000' }, currency: 'USD', status: 'open', invoice_date: '2026-11-20', due_date: '2027-01-19',
    });
    expect(invoice.type === 'invoice' && invoice.document?.bytes.equals(PDF)).toBe(true);
  });

  it('takes omitted optional fields as absent, normalises tracking numbers, carriers and currencies', () => {
    expect(one({ type: 'order', po_number: ' PO-1 ', supplier_order_id: 'S1', supplier_name: 'Acme', status: 'backorder' }))
      .toEqual({ type: 'order', po_number: 'PO-1', supplier_order_id: 'S1', supplier_name: 'Acme', status: 'backorder', lines: null,
        estimated_delivery_date: null });
    expect(one({ type: 'shipment', po_number: 'PO-1', supplier_order_id: 'S1', tracking_number: '1z 999a a101 2345 6784', carrier: 'UPS' }))
      .toMatchObject({ tracking_number: '1Z999AA10123456784', carrier: 'ups', shipped_at: null, lines: null });
    expect(one({ type: 'shipment', po_number: 'PO-1', supplier_order_id: 'S1', tracking_number: 'X1', shipped_date: '2026-11-20' }))
      .toMatchObject({ shipped_at: '2026-11-20T00:00:00.000Z' });
    expect(one({ type: 'invoice', po_number: 'PO-1', invoice_number: 'I1', subtotal_amount: 10.5, total_amount: 10.5, currency: 'eur' }))
      .toMatchObject({ amounts: { subtotal: '10.5', tax: '0', shipping: '0', total: '10.5' }, currency: 'EUR', status: null, document: null, payment_terms: null });
  });

  const order = { type: 'order', po_number: 'PO-1', supplier_order_id: 'S1', supplier_name: 'Acme', status: 'confirmed' };
  const shipment = { type: 'shipment', po_number: 'PO-1', supplier_order_id: 'S1', tracking_number: '1Z999AA10123456784' };
  const event = { type: 'tracking_event', po_number: 'PO-1', tracking_number: 'T1', status: 'in transit', timestamp: '2026-11-24T10:12:00Z' };
  const invoice = { type: 'invoice', po_number: 'PO-1', invoice_number: 'I1', subtotal_amount: 100, tax_amount: 8, shipping_amount: 2, total_amount: 110 };

  const malformed: [string, unknown, string, RegExp][] = [
    ['not an object', 42, 'updates[0]', /must be an object/],
    ['an array', [], 'updates[0]', /must be an object/],
    ['no type', { po_number: 'PO-1' }, 'updates[0].type', /required/],
    ['unknown type', { ...order, type: 'refund' }, 'updates[0].type', /one of/],
    ['no po_number', { ...order, po_number: undefined }, 'updates[0].po_number', /required/],
    ['empty po_number', { ...order, po_number: '  ' }, 'updates[0].po_number', /blank/],
    ['numeric po_number', { ...order, po_number: 1001 }, 'updates[0].po_number', /string/],
    ['unknown field', { ...order, colour: 'red' }, 'updates[0].colour', /not a known field/],
    ['field of another kind', { ...order, tracking_number: 'X' }, 'updates[0].tracking_number', /not a known field/],
    ['order without supplier_order_id', { ...order, supplier_order_id: null }, 'updates[0].supplier_order_id', /must be a string/],
    ['order without supplier_name', { ...order, supplier_name: undefined }, 'updates[0].supplier_name', /required/],
    ['order status not in the set', { ...order, status: 'shipped' }, 'updates[0].status', /one of/],
    ['order lines not an array', { ...order, lines: { sku: 'A' } }, 'updates[0].lines', /array/],
    ['order lines empty', { ...order, lines: [] }, 'updates[0].lines', /at least 1/],
    ['line without sku', { ...order, lines: [{ quantity: 1 }] }, 'updates[0].lines[0].sku', /required/],
    ['line quantity 0', { ...order, lines: [{ sku: 'A', quantity: 0 }] }, 'updates[0].lines[0].quantity', /at least 1/],
    ['line quantity 1.5', { ...order, lines: [{ sku: 'A', quantity: 1.5 }] }, 'updates[0].lines[0].quantity', /whole/],
    ['line quantity "2"', { ...order, lines: [{ sku: 'A', quantity: '2' }] }, 'updates[0].lines[0].quantity', /whole/],
    ['line unknown field', { ...order, lines: [{ sku: 'A', quantity: 1, price: 3 }] }, 'updates[0].lines[0].price', /not a known/],
    ['line not an object', { ...order, lines: ['A'] }, 'updates[0].lines[0]', /object/],
    ['sku twice', { ...order, lines: [{ sku: 'A', quantity: 1 }, { sku: 'A', quantity: 2 }] }, 'updates[0].lines[1].sku', /more than once/],
    ['estimated date not real', { ...order, estimated_delivery_date: '2026-02-30' }, 'updates[0].estimated_delivery_date', /calendar date/],
    ['estimated date as instant', { ...order, estimated_delivery_date: '2026-12-01T00:00:00Z' }, 'updates[0].estimated_delivery_date', /calendar date/],
    ['shipment without tracking_number', { ...shipment, tracking_number: undefined }, 'updates[0].tracking_number', /required/],
    ['tracking number with punctuation', { ...shipment, tracking_number: '1Z/99' }, 'updates[0].tracking_number', /letters, digits/],
    ['two tracking numbers in one field', { ...shipment, tracking_number: '1Z999AA10123456784 1Z999AA10123456793' }, 'updates[0].tracking_number',
      /holds 2 tracking numbers \(1Z999AA10123456784, 1Z999AA10123456793\)/],
    ['two tracking numbers, one without a valid check digit', { ...shipment, tracking_number: '1Z999AA10123456784 1Z999AA10123456791' },
      'updates[0].tracking_number', /holds 2 tracking numbers \(1Z999AA10123456784, 1Z999AA10123456791\)/],
    ['two tracking numbers, two spaces', { ...shipment, tracking_number: '1Z999AA10123456784  9400111899223197428490' },
      'updates[0].tracking_number', /holds 2 tracking numbers/],
    ['two tracking numbers, tab-separated', { ...shipment, tracking_number: '1Z999AA10123456784\t1Z999AA10123456791' },
      'updates[0].tracking_number', /holds 2 tracking numbers/],
    ['two tracking numbers, comma-separated', { ...shipment, tracking_number: '1Z999AA10123456784, 1Z999AA10123456793' },
      'updates[0].tracking_number', /holds 2 tracking numbers/],
    ['carrier not a code', { ...shipment, carrier: 'U P S!' }, 'updates[0].carrier', /carrier code/],
    ['carrier a number', { ...shipment, carrier: 5 }, 'updates[0].carrier', /string/],
    ['shipped_date not real', { ...shipment, shipped_date: '2026-11-31T15:04:00Z' }, 'updates[0].shipped_date', /2026-11-31 is not a calendar date/],
    ['shipped_date hour 25', { ...shipment, shipped_date: '2026-11-20T25:04:00Z' }, 'updates[0].shipped_date', /not a time of day/],
    ['shipped_date year 0000', { ...shipment, shipped_date: '0000-01-01T00:00:00Z' }, 'updates[0].shipped_date', /0001–9999/],
    ['event status not in the set', { ...event, status: 'shipped' }, 'updates[0].status', /one of/],
    ['event without timestamp', { ...event, timestamp: undefined }, 'updates[0].timestamp', /required/],
    ['event timestamp garbage', { ...event, timestamp: 'yesterday' }, 'updates[0].timestamp', /RFC 3339/],
    ['event message too long', { ...event, message: 'x'.repeat(501) }, 'updates[0].message', /at most 500/],
    ['invoice without invoice_number', { ...invoice, invoice_number: undefined }, 'updates[0].invoice_number', /required/],
    ['invoice without total', { ...invoice, total_amount: undefined }, 'updates[0].total_amount', /required/],
    ['amount negative', { ...invoice, tax_amount: -1, total_amount: 101 }, 'updates[0].tax_amount', /at least 0/],
    ['amount with three decimals (USD)', { ...invoice, currency: 'USD', subtotal_amount: 99.999 }, 'updates[0].subtotal_amount', /at most 2 decimals \(USD\)/],
    ['amount with decimals (JPY)', { ...invoice, currency: 'JPY', subtotal_amount: 99.5, total_amount: 109.5 }, 'updates[0].subtotal_amount', /at most 0 decimals \(JPY\)/],
    ['amount with four decimals (KWD)', { ...invoice, currency: 'KWD', subtotal_amount: 99.9991 }, 'updates[0].subtotal_amount', /at most 3 decimals \(KWD\)/],
    ['amount as text', { ...invoice, subtotal_amount: '100.00' }, 'updates[0].subtotal_amount', /number/],
    ['amount too large (USD: 10^15 cents)', { ...invoice, currency: 'USD', subtotal_amount: 1e14, total_amount: 1e14 + 10 }, 'updates[0].subtotal_amount', /at most 10000000000000\.00 USD/],
    ['total not the sum', { ...invoice, total_amount: 111 }, 'updates[0].total_amount', /subtotal_amount \+ tax_amount \+ shipping_amount \(110\.00\)/],
    ['invoice date not real', { ...invoice, invoice_date: '2026-13-01' }, 'updates[0].invoice_date', /calendar date/],
    ['due before invoice date', { ...invoice, invoice_date: '2026-11-20', due_date: '2026-11-19' }, 'updates[0].due_date', /before invoice_date/],
    ['invoice status not in the set', { ...invoice, status: 'settled' }, 'updates[0].status', /one of/],
    ['currency not a code', { ...invoice, currency: 'US' }, 'updates[0].currency', /ISO 4217/],
    ['document not base64', { ...invoice, document_pdf_base64: 'not base64!' }, 'updates[0].document_pdf_base64', /base64/],
    ['document not a PDF', { ...invoice, document_pdf_base64: Buffer.from('<html></html>').toString('base64') }, 'updates[0].document_pdf_base64', /%PDF-/],
    ['document a number', { ...invoice, document_pdf_base64: 7 }, 'updates[0].document_pdf_base64', /string/],
    ['document too large', { ...invoice, document_pdf_base64: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]).toString('base64') },
      'updates[0].document_pdf_base64', /more than 10 MB/],
  ];

  it.each(malformed)('rejects %s, naming the field', (_, raw, field, message) => {
    const result = parseSupplierUpdates([raw]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problem = result.problems.find((p) => p.field === field);
    expect(problem, JSON.stringify(result.problems)).toBeDefined();
    expect(problem!.message).toMatch(message);
  });

  it('reports every bad update of a batch by index, and only those', () => {
    const result = parseSupplierUpdates([order, { ...shipment, tracking_number: '' }, event, { ...invoice, total_amount: 1 }, 'x']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field)).toEqual(['updates[1].tracking_number', 'updates[3].total_amount', 'updates[4]']);
  });

  it('reads payment terms as codes where it can', () => {
    const table: [string, string][] = [
      ['Net 60 Days', 'net_60'], ['net_30', 'net_30'], ['NET 45', 'net_45'], ['Net 90 Days', 'net_90'],
      ['Cash on Delivery', 'cash_on_delivery'], ['payment_in_advance', 'payment_in_advance'], ['2% 10 Net 30', '2% 10 Net 30'],
    ];
    for (const [text, code] of table) expect(normalizePaymentTerms(text), text).toBe(code);
  });
});

describe('fingerprints', () => {
  it('do not depend on key order or white space', () => {
    const a = canonicalJson({ b: 1, a: [{ y: 2, x: null }], c: 'z' });
    expect(a).toBe('{"a":[{"x":null,"y":2}],"b":1,"c":"z"}');
    expect(canonicalJson(JSON.parse('{ "c":"z", "a":[{"x":null , "y":2}], "b":1.0 }'))).toBe(a);
  });

  it('identify an update: same content, same fingerprint; any change, another', () => {
    const [first] = parsed([WIRE[0]]);
    const [reordered] = parsed([Object.fromEntries(Object.entries(WIRE[0]).reverse())]);
    const [changed] = parsed([{ ...WIRE[0], status: 'processing' }]);
    expect(reordered.fingerprint).toBe(first.fingerprint);
    expect(changed.fingerprint).not.toBe(first.fingerprint);
    expect(first.fingerprint).toBe(fingerprintOf(first.canonical));
    expect(first.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('advanceStatus', () => {
  const table: [FulfilmentStatus, FulfilmentStatus, FulfilmentStatus][] = [
    ['pending', 'submitted', 'submitted'],
    ['submitted', 'confirmed', 'confirmed'],
    ['confirmed', 'processing', 'processing'],
    ['processing', 'backorder', 'backorder'],
    ['backorder', 'shipped', 'shipped'],
    ['shipped', 'in transit', 'in transit'],
    ['in transit', 'delivered', 'delivered'],
    ['pending', 'delivered', 'delivered'],
    // never backwards
    ['shipped', 'confirmed', 'shipped'],
    ['delivered', 'in transit', 'delivered'],
    ['backorder', 'processing', 'backorder'],
    ['confirmed', 'submitted', 'confirmed'],
    ['complete', 'delivered', 'complete'],
    // cancelled stays cancelled
    ['cancelled', 'confirmed', 'cancelled'],
    ['cancelled', 'shipped', 'cancelled'],
    ['cancelled', 'delivered', 'cancelled'],
    // a supplier cancels or invalidates what has not shipped
    ['confirmed', 'cancelled', 'cancelled'],
    ['backorder', 'cancelled', 'cancelled'],
    ['submitted', 'invalid', 'invalid'],
    ['shipped', 'cancelled', 'shipped'],
    ['delivered', 'invalid', 'delivered'],
    // off the path: the supplier's word moves it on
    ['review', 'confirmed', 'confirmed'],
    ['internal review', 'backorder', 'backorder'],
    ['invalid', 'confirmed', 'confirmed'],
    ['invalid', 'cancelled', 'cancelled'],
    ['confirmed', 'review', 'confirmed'],
  ];
  it.each(table)('%s + %s → %s', (current, target, expected) => expect(advanceStatus(current, target)).toBe(expected));
});

describe('statusFromShipments', () => {
  const table: [string, number, { quantity: number; shipmentStatus: string }[], FulfilmentStatus | null][] = [
    ['nothing shipped', 2, [], null],
    ['partly shipped', 2, [{ quantity: 1, shipmentStatus: 'shipped' }], null],
    ['partly shipped, that part delivered', 2, [{ quantity: 1, shipmentStatus: 'delivered' }], null],
    ['fully shipped', 2, [{ quantity: 2, shipmentStatus: 'shipped' }], 'shipped'],
    ['fully shipped in two parts', 2, [{ quantity: 1, shipmentStatus: 'shipped' }, { quantity: 1, shipmentStatus: 'shipped' }], 'shipped'],
    ['moving', 2, [{ quantity: 2, shipmentStatus: 'in transit' }], 'in transit'],
    ['an exception', 2, [{ quantity: 2, shipmentStatus: 'exception' }], 'in transit'],
    ['one of two parts delivered', 2, [{ quantity: 1, shipmentStatus: 'delivered' }, { quantity: 1, shipmentStatus: 'shipped' }], 'in transit'],
    ['both parts delivered', 2, [{ quantity: 1, shipmentStatus: 'delivered' }, { quantity: 1, shipmentStatus: 'delivered' }], 'delivered'],
  ];
  it.each(table)('%s', (_, quantity, parts, expected) => expect(statusFromShipments(quantity, parts)).toBe(expected));
});

describe('shipmentStatusFromCheckpoints', () => {
  const at = (status: string, occurred_at: string) => ({ status, occurred_at });
  const shipped = { status: 'shipped', delivered_at: null };
  const table: [string, { status: string; delivered_at: string | null }, { status: string; occurred_at: string }[], object][] = [
    ['no checkpoints', shipped, [], shipped],
    ['in transit', shipped, [at('in transit', 't1')], { status: 'in transit', delivered_at: null }],
    ['the latest wins', shipped, [at('exception', 't2'), at('in transit', 't1')], { status: 'exception', delivered_at: null }],
    ['back in transit after an exception', shipped, [at('exception', 't1'), at('in transit', 't2')], { status: 'in transit', delivered_at: null }],
    ['delivered, at its checkpoint', shipped, [at('in transit', 't1'), at('delivered', 't2')], { status: 'delivered', delivered_at: 't2' }],
    ['delivered even if a late scan arrives', shipped, [at('delivered', 't2'), at('in transit', 't3')], { status: 'delivered', delivered_at: 't2' }],
    ['delivered stays delivered', { status: 'delivered', delivered_at: 't9' }, [at('in transit', 't1')], { status: 'delivered', delivered_at: 't9' }],
    ['a shipped scan does not move it', { status: 'in transit', delivered_at: null }, [at('shipped', 't5')], { status: 'in transit', delivered_at: null }],
  ];
  it.each(table)('%s', (_, current, checkpoints, expected) => expect(shipmentStatusFromCheckpoints(current, checkpoints)).toEqual(expected));
});

// A small PO: two Acushnet lines, one Cobra line, one cancelled Acushnet line.
const SUPPLIERS = new Map([['sup_acushnet', 'Acushnet'], ['sup_cobra', 'Cobra Puma Golf'], ['sup_other', 'TaylorMade']]);
function snapshot(overrides: Partial<PoSnapshot> = {}): PoSnapshot {
  return {
    po_id: 'po_1', po_number: 'PO-1', currency: 'USD', supplier_id: 'sup_acushnet',
    lines: [
      { id: 'ln_1', sku: 'TIT-GT2-9', quantity: 2, status: 'submitted', supplier_id: 'sup_acushnet', estimated_delivery_date: null },
      { id: 'ln_2', sku: 'TIT-PRO-V1', quantity: 4, status: 'submitted', supplier_id: 'sup_acushnet', estimated_delivery_date: null },
      { id: 'ln_3', sku: 'COB-DS', quantity: 1, status: 'submitted', supplier_id: 'sup_cobra', estimated_delivery_date: null },
      { id: 'ln_4', sku: 'TIT-CAP', quantity: 1, status: 'cancelled', supplier_id: 'sup_acushnet', estimated_delivery_date: null },
    ],
    supplierOrders: [], shipments: [], invoices: [],
    ...overrides,
  };
}
/** Ids unique across the file (states are carried from one run to the next). */
const counters = new Map<string, number>();
beforeEach(() => counters.clear());
function context(): PlanContext {
  return {
    supplierNames: SUPPLIERS,
    newId: (prefix) => {
      counters.set(prefix, (counters.get(prefix) ?? 0) + 1);
      return `${prefix}_${counters.get(prefix)}`;
    },
  };
}
/** Applies updates in order; returns the final state (throws on a rejection). */
function run(start: PoSnapshot, ...updates: object[]): PoSnapshot {
  const ctx = context();
  let state = start;
  for (const raw of updates) {
    const plan = planUpdate(state, one({ po_number: 'PO-1', ...raw }), ctx);
    if (!plan.ok) throw new Error(plan.reason);
    state = plan.next;
  }
  return state;
}
function rejection(start: PoSnapshot, raw: object): string {
  const plan = planUpdate(start, one({ po_number: 'PO-1', ...raw }), context());
  expect(plan.ok).toBe(false);
  return plan.ok ? '' : plan.reason;
}
const statuses = (s: PoSnapshot) => Object.fromEntries(s.lines.map((l) => [l.sku, l.status]));

const ack = (extra: object = {}) => ({ type: 'order', supplier_order_id: 'FD1', supplier_name: 'Acushnet', status: 'confirmed', ...extra });
const ship = (extra: object = {}) => ({ type: 'shipment', supplier_order_id: 'FD1', tracking_number: '1Z999AA10123456784', ...extra });
const scan = (status: string, timestamp: string, extra: object = {}) =>
  ({ type: 'tracking_event', tracking_number: '1Z999AA10123456784', status, timestamp, message: status, location: 'Carlsbad, CA', ...extra });

describe('planUpdate: order', () => {
  it('covers the listed lines, moves them and sets their estimated delivery', () => {
    const s = run(snapshot(), ack({ lines: [{ sku: 'TIT-GT2-9', quantity: 2 }], estimated_delivery_date: '2026-12-01' }));
    expect(s.supplierOrders).toEqual([{ id: 'so_1', supplier_order_id: 'FD1', supplier_id: 'sup_acushnet', status: 'confirmed',
      lines: [{ line_id: 'ln_1', quantity: 2 }] }]);
    expect(statuses(s)).toEqual({ 'TIT-GT2-9': 'confirmed', 'TIT-PRO-V1': 'submitted', 'COB-DS': 'submitted', 'TIT-CAP': 'cancelled' });
    expect(s.lines[0].estimated_delivery_date).toBe('2026-12-01');
    expect(s.lines[1].estimated_delivery_date).toBeNull();
  });

  it('without lines covers every not-yet-covered, live line of that supplier (name matched case-insensitively)', () => {
    const first = run(snapshot(), ack({ supplier_order_id: 'FD0', lines: [{ sku: 'TIT-GT2-9', quantity: 2 }] }));
    const s = run(first, ack({ supplier_name: 'acushnet ', status: 'backorder' }));
    const order = s.supplierOrders.find((o) => o.supplier_order_id === 'FD1')!;
    expect(order.lines).toEqual([{ line_id: 'ln_2', quantity: 4 }]);
    expect(order.status).toBe('backorder');
    expect(statuses(s)).toEqual({ 'TIT-GT2-9': 'confirmed', 'TIT-PRO-V1': 'backorder', 'COB-DS': 'submitted', 'TIT-CAP': 'cancelled' });
  });

  it('covers the remainder of a line split between supplier orders', () => {
    const first = run(snapshot(), ack({ supplier_order_id: 'FD0', lines: [{ sku: 'TIT-PRO-V1', quantity: 3 }] }));
    const s = run(first, ack());
    expect(s.supplierOrders.find((o) => o.supplier_order_id === 'FD1')!.lines).toEqual([
      { line_id: 'ln_1', quantity: 2 }, { line_id: 'ln_2', quantity: 1 },
    ]);
  });

  it('a later status for the same supplier order moves its lines on; an earlier one changes nothing', () => {
    const confirmed = run(snapshot(), ack());
    const processing = run(confirmed, ack({ status: 'processing' }));
    expect(statuses(processing)['TIT-GT2-9']).toBe('processing');
    expect(processing.supplierOrders[0].status).toBe('processing');
    const late = planUpdate(processing, one({ po_number: 'PO-1', ...ack({ status: 'submitted' }) }), context());
    expect(late.ok && diffSnapshots(processing, late.next)).toEqual([]);
  });

  it('a late acknowledgement after shipping leaves the lines shipped', () => {
    const shipped = run(snapshot(), ack(), ship());
    expect(statuses(shipped)['TIT-GT2-9']).toBe('shipped');
    const late = planUpdate(shipped, one({ po_number: 'PO-1', ...ack() }), context());
    expect(late.ok && diffSnapshots(shipped, late.next)).toEqual([]);
  });

  it('a supplier cancellation cancels lines that have not shipped, and they stay cancelled', () => {
    const s = run(snapshot(), ack({ status: 'cancelled', lines: [{ sku: 'TIT-PRO-V1', quantity: 4 }] }), ack({ status: 'confirmed' }));
    expect(statuses(s)['TIT-PRO-V1']).toBe('cancelled');
    expect(statuses(s)['TIT-GT2-9']).toBe('confirmed');
  });

  const rejections: [string, object, RegExp][] = [
    ['a sku not on the PO', ack({ lines: [{ sku: 'NOPE', quantity: 1 }] }), /SKU "NOPE" is not on PO PO-1/],
    ['a sku of another supplier', ack({ lines: [{ sku: 'COB-DS', quantity: 1 }] }), /supplied by "Cobra Puma Golf", not "Acushnet"/],
    ['a cancelled line', ack({ lines: [{ sku: 'TIT-CAP', quantity: 1 }] }), /"TIT-CAP" is cancelled/],
    ['more than ordered', ack({ lines: [{ sku: 'TIT-GT2-9', quantity: 3 }] }), /3 exceeds the 2 of 2 ordered/],
    ['a supplier with no line on the PO', ack({ supplier_name: 'TaylorMade' }), /Supplier "TaylorMade" supplies no line of PO PO-1/],
    ['an unknown supplier', ack({ supplier_name: 'Nobody' }), /Supplier "Nobody" supplies no line/],
  ];
  it.each(rejections)('rejects %s', (_, raw, reason) => expect(rejection(snapshot(), raw)).toMatch(reason));

  it('rejects covering what other supplier orders already cover, and a supplier order of another supplier', () => {
    const first = run(snapshot(), ack({ supplier_order_id: 'FD0' }));
    expect(rejection(first, ack())).toMatch(/No line of supplier "Acushnet" on PO PO-1 is left to cover/);
    expect(rejection(first, ack({ lines: [{ sku: 'TIT-GT2-9', quantity: 1 }] }))).toMatch(/1 exceeds the 0 of 2 ordered/);
    const cobra = run(snapshot(), ack({ supplier_order_id: 'C1', supplier_name: 'Cobra Puma Golf' }));
    expect(rejection(cobra, ack({ supplier_order_id: 'C1' }))).toMatch(/belongs to "Cobra Puma Golf", not "Acushnet"/);
  });
});

describe('planUpdate: shipment', () => {
  it('creates the shipment with a detected carrier and its tracking URL; the fully shipped line is shipped', () => {
    const s = run(snapshot(), ack(), ship({ lines: [{ sku: 'TIT-GT2-9', quantity: 2 }], shipped_date: '2026-11-20T15:04:00Z' }));
    expect(s.shipments).toEqual([{
      id: 'shp_1', supplier_order_pk: 'so_1', tracking_number: '1Z999AA10123456784', carrier: 'ups', carrier_source: 'detected',
      tracking_url: 'https://www.ups.com/track?tracknum=1Z999AA10123456784', status: 'shipped', shipped_at: '2026-11-20T15:04:00.000Z',
      estimated_delivery_date: null, delivered_at: null, lines: [{ line_id: 'ln_1', quantity: 2 }], checkpoints: [],
    }]);
    expect(statuses(s)).toMatchObject({ 'TIT-GT2-9': 'shipped', 'TIT-PRO-V1': 'confirmed' });
    expect(s.supplierOrders[0].status).toBe('confirmed'); // one line shipped, one still confirmed
  });

  it('keeps a supplied carrier and says so', () => {
    const s = run(snapshot(), ack(), ship({ carrier: 'FedEx', tracking_number: '123456789012' }));
    expect(s.shipments[0]).toMatchObject({ carrier: 'fedex', carrier_source: 'supplied',
      tracking_url: 'https://www.fedex.com/apps/fedextrack/?tracknumbers=123456789012&cntry_code=US' });
    const unknown = run(snapshot(), ack(), ship({ tracking_number: 'ZZ-UNKNOWN-1' }));
    expect(unknown.shipments[0]).toMatchObject({ carrier: null, carrier_source: null, tracking_url: null });
  });

  it('without lines ships everything of the supplier order not yet shipped', () => {
    const s = run(snapshot(), ack(), ship({ lines: [{ sku: 'TIT-PRO-V1', quantity: 1 }] }), ship({ tracking_number: 'T-2' }));
    expect(s.shipments[1].lines).toEqual([{ line_id: 'ln_1', quantity: 2 }, { line_id: 'ln_2', quantity: 3 }]);
    expect(statuses(s)).toMatchObject({ 'TIT-GT2-9': 'shipped', 'TIT-PRO-V1': 'shipped' });
  });

  it('a partial shipment leaves the line where it is', () => {
    const s = run(snapshot(), ack(), ship({ lines: [{ sku: 'TIT-PRO-V1', quantity: 3 }] }));
    expect(statuses(s)['TIT-PRO-V1']).toBe('confirmed');
    const rest = run(s, ship({ tracking_number: 'T-2', lines: [{ sku: 'TIT-PRO-V1', quantity: 1 }] }));
    expect(statuses(rest)['TIT-PRO-V1']).toBe('shipped');
  });

  it('re-sending a shipment with changed details updates it in place', () => {
    const s = run(snapshot(), ack(), ship({ lines: [{ sku: 'TIT-PRO-V1', quantity: 3 }] }),
      ship({ lines: [{ sku: 'TIT-PRO-V1', quantity: 4 }], estimated_delivery_date: '2026-11-25' }));
    expect(s.shipments).toHaveLength(1);
    expect(s.shipments[0]).toMatchObject({ estimated_delivery_date: '2026-11-25', lines: [{ line_id: 'ln_2', quantity: 4 }] });
    expect(statuses(s)['TIT-PRO-V1']).toBe('shipped');
  });

  it('a shipment listing lines for an unknown supplier order creates that supplier order', () => {
    const s = run(snapshot(), ship({ supplier_order_id: 'ASN-9', lines: [{ sku: 'COB-DS', quantity: 1 }] }));
    expect(s.supplierOrders).toEqual([{ id: 'so_1', supplier_order_id: 'ASN-9', supplier_id: 'sup_cobra', status: 'shipped',
      lines: [{ line_id: 'ln_3', quantity: 1 }] }]);
    expect(statuses(s)['COB-DS']).toBe('shipped');
  });

  it('a bare shipment (no order update, no lines) covers the not-yet-shipped lines of the PO\'s supplier and creates its order', () => {
    const s = run(snapshot(), ship({ shipped_date: '2026-11-20T15:04:00Z' }));
    expect(s.supplierOrders).toEqual([{ id: 'so_1', supplier_order_id: 'FD1', supplier_id: 'sup_acushnet', status: 'shipped',
      lines: [{ line_id: 'ln_1', quantity: 2 }, { line_id: 'ln_2', quantity: 4 }] }]);
    expect(s.shipments).toHaveLength(1);
    expect(s.shipments[0]).toMatchObject({ supplier_order_pk: 'so_1', carrier: 'ups', lines: [
      { line_id: 'ln_1', quantity: 2 }, { line_id: 'ln_2', quantity: 4 }] });
    expect(statuses(s)).toMatchObject({ 'TIT-GT2-9': 'shipped', 'TIT-PRO-V1': 'shipped', 'COB-DS': 'submitted', 'TIT-CAP': 'cancelled' });
  });

  it('a bare shipment takes only what is left after earlier shipments', () => {
    const partly = run(snapshot(), ship({ lines: [{ sku: 'TIT-PRO-V1', quantity: 1 }] }));
    const s = run(partly, ship({ supplier_order_id: 'FD2', tracking_number: '1Z999AA10123456793' }));
    expect(s.shipments[1].lines).toEqual([{ line_id: 'ln_1', quantity: 2 }, { line_id: 'ln_2', quantity: 3 }]);
    expect(s.supplierOrders.map((o) => o.supplier_order_id)).toEqual(['FD1', 'FD2']);
    expect(rejection(s, ship({ supplier_order_id: 'FD3', tracking_number: 'T-3' }))).toMatch(/PO PO-1 has nothing left to ship/);
  });

  it('a shipment without supplier_order_id records the shipment with no supplier order, or joins its known one', () => {
    const s = run(snapshot(), ship({ supplier_order_id: undefined }));
    expect(s.supplierOrders).toEqual([]);
    expect(s.shipments[0]).toMatchObject({ supplier_order_pk: null, lines: [{ line_id: 'ln_1', quantity: 2 }, { line_id: 'ln_2', quantity: 4 }] });
    expect(statuses(s)['TIT-GT2-9']).toBe('shipped');
    const acked = run(snapshot(), ack(), ship({ lines: [{ sku: 'TIT-GT2-9', quantity: 1 }] }));
    const again = run(acked, ship({ supplier_order_id: undefined, estimated_delivery_date: '2026-11-25' }));
    expect(again.shipments).toHaveLength(1);
    expect(again.shipments[0]).toMatchObject({ supplier_order_pk: acked.shipments[0].supplier_order_pk, estimated_delivery_date: '2026-11-25' });
  });

  it('a bare shipment on a PO without a supplier of its own takes the lines\' only supplier', () => {
    const single = snapshot({ supplier_id: null, lines: snapshot().lines.filter((l) => l.supplier_id === 'sup_cobra') });
    const s = run(single, ship());
    expect(s.supplierOrders[0]).toMatchObject({ supplier_order_id: 'FD1', supplier_id: 'sup_cobra', lines: [{ line_id: 'ln_3', quantity: 1 }] });
  });

  it('rejects what cannot ship', () => {
    const acked = run(snapshot(), ack());
    expect(rejection(acked, ship({ lines: [{ sku: 'NOPE', quantity: 1 }] }))).toMatch(/"NOPE" is not on PO PO-1/);
    expect(rejection(acked, ship({ lines: [{ sku: 'TIT-GT2-9', quantity: 3 }] }))).toMatch(/would make 3 shipped of the 2 ordered/);
    expect(rejection(acked, ship({ lines: [{ sku: 'TIT-CAP', quantity: 1 }] }))).toMatch(/"TIT-CAP" is cancelled/);
    expect(rejection(acked, ship({ lines: [{ sku: 'COB-DS', quantity: 1 }] }))).toMatch(/supplied by "Cobra Puma Golf", not by "Acushnet"/);
    expect(rejection(snapshot({ supplier_id: null }), ship())).toMatch(/PO PO-1 has lines from several suppliers/);
    const shipped = run(acked, ship());
    expect(rejection(shipped, ship({ tracking_number: 'T-2' }))).toMatch(/FD1 on PO PO-1 has nothing left to ship/);
    expect(rejection(shipped, ship({ tracking_number: 'T-2', lines: [{ sku: 'TIT-GT2-9', quantity: 1 }] }))).toMatch(/3 shipped of the 2/);
    const other = run(shipped, ack({ supplier_order_id: 'C1', supplier_name: 'Cobra Puma Golf' }));
    expect(rejection(other, ship({ supplier_order_id: 'C1' }))).toMatch(/already a shipment of supplier order FD1/);
  });
});

describe('planUpdate: tracking_event', () => {
  const shipped = () => run(snapshot(), ack(), ship());

  it('records the checkpoint and moves the shipment and its lines to in transit, then delivered', () => {
    const moving = run(shipped(), scan('in transit', '2026-11-21T08:00:00Z'));
    expect(moving.shipments[0].status).toBe('in transit');
    expect(statuses(moving)).toMatchObject({ 'TIT-GT2-9': 'in transit', 'TIT-PRO-V1': 'in transit' });
    const delivered = run(moving, scan('delivered', '2026-11-24T10:12:00-08:00'));
    expect(delivered.shipments[0]).toMatchObject({ status: 'delivered', delivered_at: '2026-11-24T18:12:00.000Z' });
    expect(delivered.shipments[0].checkpoints).toHaveLength(2);
    expect(statuses(delivered)).toMatchObject({ 'TIT-GT2-9': 'delivered', 'TIT-PRO-V1': 'delivered' });
    expect(delivered.supplierOrders[0].status).toBe('delivered');
  });

  it('an older scan arriving after delivery changes no status', () => {
    const delivered = run(shipped(), scan('delivered', '2026-11-24T10:00:00Z'));
    const late = run(delivered, scan('in transit', '2026-11-22T10:00:00Z'));
    expect(late.shipments[0].status).toBe('delivered');
    expect(statuses(late)['TIT-GT2-9']).toBe('delivered');
    expect(diffSnapshots(delivered, late).map((c) => c.kind)).toEqual(['checkpoint_insert']);
  });

  it('the same checkpoint again is no change', () => {
    const once = run(shipped(), scan('in transit', '2026-11-21T08:00:00Z'));
    const plan = planUpdate(once, one({ po_number: 'PO-1', ...scan('in transit', '2026-11-21T00:00:00-08:00') }), context());
    expect(plan.ok && diffSnapshots(once, plan.next)).toEqual([]);
  });

  it('a line in two shipments is delivered only when both are', () => {
    const two = run(snapshot(), ack(), ship({ lines: [{ sku: 'TIT-PRO-V1', quantity: 2 }] }),
      ship({ tracking_number: 'T-2', lines: [{ sku: 'TIT-PRO-V1', quantity: 2 }] }));
    const first = run(two, scan('delivered', '2026-11-24T10:00:00Z'));
    expect(statuses(first)['TIT-PRO-V1']).toBe('in transit');
    const both = run(first, scan('delivered', '2026-11-25T10:00:00Z', { tracking_number: 'T-2' }));
    expect(statuses(both)['TIT-PRO-V1']).toBe('delivered');
  });

  it('a partial shipment delivered leaves the line where it is', () => {
    const partial = run(snapshot(), ack(), ship({ lines: [{ sku: 'TIT-PRO-V1', quantity: 1 }] }), scan('delivered', '2026-11-24T10:00:00Z'));
    expect(statuses(partial)['TIT-PRO-V1']).toBe('confirmed');
  });

  it('rejects a tracking number no shipment of the PO has', () => {
    expect(rejection(shipped(), scan('in transit', '2026-11-21T08:00:00Z', { tracking_number: '1Z0000' })))
      .toMatch(/No shipment of PO PO-1 has tracking number 1Z0000/);
  });
});

describe('planUpdate: invoice', () => {
  const invoice = (extra: object = {}) => ({
    type: 'invoice', supplier_order_id: 'FD1', invoice_number: 'INV-1', invoice_date: '2026-11-20', due_date: '2027-01-19',
    payment_terms: 'Net 60 Days', subtotal_amount: 1000, tax_amount: 80, shipping_amount: 9.95, total_amount: 1089.95, ...extra,
  });

  it('adds the invoice in cents, with the PO currency and the supplier of its supplier order', () => {
    const s = run(snapshot(), ack({ supplier_name: 'Acushnet' }), invoice());
    expect(s.invoices).toEqual([{
      id: 'inv_1', invoice_number: 'INV-1', supplier_id: 'sup_acushnet', supplier_order_id: 'FD1', invoice_date: '2026-11-20',
      due_date: '2027-01-19', payment_terms: 'net_60', subtotal_cents: 100000, tax_cents: 8000, shipping_cents: 995,
      total_cents: 108995, currency: 'USD', status: 'open', document_id: null, document_sha256: null,
    }]);
  });

  it('updates it by invoice number; a PDF becomes a document to save, once', () => {
    const first = run(snapshot(), invoice());
    const paid = planUpdate(first, one({ po_number: 'PO-1', ...invoice({ status: 'paid', document_pdf_base64: PDF_BASE64 }) }), context());
    expect(paid.ok).toBe(true);
    if (!paid.ok) return;
    const changes = diffSnapshots(first, paid.next);
    expect(changes.map((c) => c.kind)).toEqual(['invoice_update', 'invoice_document']);
    expect(changes[0]).toEqual({ kind: 'invoice_update', id: 'inv_1', fields: { status: 'paid' } });
    const saved = structuredClone(paid.next);
    saved.invoices[0].document_id = 'doc_1';
    const again = planUpdate(saved, one({ po_number: 'PO-1', ...invoice({ status: 'paid', document_pdf_base64: PDF_BASE64 }) }), context());
    expect(again.ok && diffSnapshots(saved, again.next)).toEqual([]);
  });

  it('rejects an invoice of a supplier with no line on the PO', () => {
    expect(rejection(snapshot(), invoice({ supplier_name: 'TaylorMade' }))).toMatch(/Supplier "TaylorMade" supplies no line of PO PO-1/);
  });
});

describe('diffSnapshots', () => {
  it('is empty between equal states', () => expect(diffSnapshots(snapshot(), snapshot())).toEqual([]));

  it('lists parents before children, and each status change once', () => {
    const start = snapshot();
    const end = run(start, ack(), ship(), scan('delivered', '2026-11-24T10:00:00Z'));
    const changes = diffSnapshots(start, end);
    const kinds = changes.map((c) => c.kind);
    expect(kinds.indexOf('supplier_order_insert')).toBeLessThan(kinds.indexOf('supplier_order_line'));
    expect(kinds.indexOf('supplier_order_insert')).toBeLessThan(kinds.indexOf('shipment_insert'));
    expect(kinds.indexOf('shipment_insert')).toBeLessThan(kinds.indexOf('shipment_line'));
    expect(kinds.indexOf('shipment_insert')).toBeLessThan(kinds.indexOf('checkpoint_insert'));
    expect(changes.filter((c): c is Extract<Change, { kind: 'line_status' }> => c.kind === 'line_status'))
      .toEqual([
        { kind: 'line_status', line_id: 'ln_1', from: 'submitted', to: 'delivered' },
        { kind: 'line_status', line_id: 'ln_2', from: 'submitted', to: 'delivered' },
      ]);
  });
});

// The PDF renderers as pure functions: data in, a PDF out, read back with a real PDF parser.
import { describe, expect, it } from 'vitest';
import { formatCents, formatInstant, formatQuantity, printable } from '../src/documents/layout.ts';
import { renderOrderSummary } from '../src/documents/order-summary.ts';
import { poDocumentTotals, type PoDocumentData, type PoDocumentLine } from '../src/documents/po-document-data.ts';
import { renderReceivedSummary } from '../src/documents/received-summary.ts';
import { pdfText } from './support/pdf.ts';

function line(line_no: number, sku: string, product_name: string, quantity: number, unit_cost_cents: number,
  extra: Partial<PoDocumentLine> = {}): PoDocumentLine {
  return {
    line_no, sku, supplier_sku: null, product_name, quantity, unit_cost_cents, total_cents: quantity * unit_cost_cents,
    received_quantity: 0, rejected_quantity: 0, cancelled: false, ...extra,
  };
}

function sample(overrides: Partial<PoDocumentData> = {}): PoDocumentData {
  const lines = overrides.lines ?? [
    line(1, 'TIT-GT2-9', 'Titleist GT2 Driver', 2, 54999, { supplier_sku: 'ACU-GT2-09', received_quantity: 1, rejected_quantity: 1 }),
    line(2, 'TIT-PROV1-DZ', 'Pro V1 Golf Balls (dozen)', 12, 4250, { supplier_sku: 'ACU-PV1', received_quantity: 6 }),
    line(3, 'TIT-STADRY-M', 'StaDry Glove M', 5, 1299),
  ];
  return {
    retailer_name: 'Fairway Golf Outfitters',
    timezone: 'America/Los_Angeles',
    supplier: {
      name: 'Acushnet Company', contact_name: 'Jane Doe', contact_email: 'orders@acushnet.example', phone: '+1 508 979 2000',
      address: { line1: '333 Bridge Street', city: 'Fairhaven', state: 'MA', postal_code: '02719', country: 'US' },
    },
    warehouse: {
      name: 'Carlsbad DC',
      address: { line1: '5820 Avenida Encinas', city: 'Carlsbad', state: 'CA', postal_code: '92008', country: 'US' },
    },
    po: {
      order_number: '11202026-01', po_number: 'PO-1001', status: 'receiving', order_date: '2026-11-21T05:30:00.000Z',
      expected_delivery_date: '2026-12-01', payment_terms: 'net_60', currency: 'USD', reference_number: 'REF-77',
      note_to_supplier: 'Deliver to dock 4 between 8am and 3pm.', ship_to: null,
    },
    lines,
    totals: poDocumentTotals(lines),
    receipts: [
      { sku: 'TIT-GT2-9', product_name: 'Titleist GT2 Driver', inventory_location: 'Returns cage', received_quantity: 1,
        rejected_quantity: 1, lot: null, expiration_date: null, received_at: '2026-11-23T16:00:00.000Z' },
      { sku: 'TIT-PROV1-DZ', product_name: 'Pro V1 Golf Balls (dozen)', inventory_location: 'Aisle 3 / Bin 12', received_quantity: 6,
        rejected_quantity: 0, lot: 'LOT-2026-11A', expiration_date: '2028-06-30', received_at: '2026-11-24T18:12:00.000Z' },
    ],
    generated_at: '2026-11-25T09:00:00.000Z',
    ...overrides,
  };
}

const isPdf = (bytes: Buffer) => bytes.subarray(0, 5).toString('latin1') === '%PDF-';

describe('money and quantities', () => {
  it('formats cents exactly with two decimals and thousands separators', () => {
    expect(formatCents(0)).toBe('0.00');
    expect(formatCents(5)).toBe('0.05');
    expect(formatCents(10)).toBe('0.10');
    expect(formatCents(123456)).toBe('1,234.56');
    expect(formatCents(-1999)).toBe('-19.99');
    expect(formatCents(100000000)).toBe('1,000,000.00');
    expect(formatCents(900719925474099)).toBe('9,007,199,254,740.99');
    expect(() => formatCents(1.5)).toThrow(RangeError);
    expect(formatQuantity(1234567)).toBe('1,234,567');
  });

  it('shows instants as wall-clock time in the retailer zone', () => {
    expect(formatInstant('2026-11-24T18:12:00.000Z', 'America/Los_Angeles')).toBe('2026-11-24 10:12 PST');
    expect(formatInstant('2026-07-01T00:30:00.000Z', 'America/Los_Angeles')).toBe('2026-06-30 17:30 PDT');
    expect(formatInstant('2026-07-01T00:30:00.000Z', 'Not/AZone')).toBe('2026-07-01 00:30 UTC');
  });

  it('totals leave cancelled lines out', () => {
    const totals = poDocumentTotals([
      line(1, 'A', 'a', 3, 333, { received_quantity: 2, rejected_quantity: 1 }),
      line(2, 'B', 'b', 7, 10, { received_quantity: 1 }),
      line(3, 'C', 'c', 100, 99999, { cancelled: true }),
    ]);
    expect(totals).toEqual({
      line_count: 2, quantity: 10, received_quantity: 3, rejected_quantity: 1, outstanding_quantity: 6,
      total_cents: 1069, received_value_cents: 676,
    });
  });
});

describe('text in the embedded font (Noto Sans: Latin, Greek, Cyrillic)', () => {
  it('keeps Latin with any accent, Greek and Cyrillic; marks what the font lacks (CJK, emoji) with ?', () => {
    expect(printable('Café Müller — 9.0° € “quoted”')).toBe('Café Müller — 9.0° € “quoted”');
    expect(printable('Łódź Ősz Dvořák Zoë Ελλάδα Москва Việt')).toBe('Łódź Ősz Dvořák Zoë Ελλάδα Москва Việt');
    expect(printable('東京 Golf 😀\tPro')).toBe('?? Golf ? Pro');
    // A decomposed accent (e + U+0301) prints as the composed letter.
    expect(printable('Caf\u0065\u0301')).toBe('Café');
  });

  it('shows names in Latin, Greek and Cyrillic as written in both summaries; CJK as ?', async () => {
    const data = sample();
    data.supplier!.name = 'Łódź Golf Sp. z o.o.';
    data.lines[0].product_name = 'Fer 7 « Pro » 東京';
    data.lines[0].sku = 'ΕΛΛ-001';
    data.warehouse!.name = 'Склад Москва';
    data.retailer_name = 'Müller & Zoë Golf';
    const order = await pdfText(await renderOrderSummary(data));
    for (const expected of ['Łódź Golf Sp. z o.o.', 'Fer 7 « Pro » ??', 'ΕΛΛ-001', 'Склад Москва', 'Müller & Zoë Golf']) {
      expect(order.text).toContain(expected);
    }
    const received = await pdfText(await renderReceivedSummary(data));
    for (const expected of ['Łódź Golf Sp. z o.o.', 'ΕΛΛ-001', 'Склад Москва', 'Müller & Zoë Golf']) {
      expect(received.text).toContain(expected);
    }
  });
});

describe('order summary', () => {
  it('is a PDF with the retailer, supplier, warehouse, header fields, lines and total', async () => {
    const bytes = await renderOrderSummary(sample());
    expect(isPdf(bytes)).toBe(true);
    const { pages, text } = await pdfText(bytes);
    expect(pages).toHaveLength(1);
    for (const expected of [
      'Fairway Golf Outfitters', 'PURCHASE ORDER', 'PO number PO-1001', 'Order number 11202026-01', 'Status Receiving',
      // 05:30Z on the 21st is still the 20th in Los Angeles.
      'Order date 2026-11-20', 'Expected delivery 2026-12-01', 'Payment terms Net 60 Days', 'Currency USD', 'Reference REF-77',
      'Acushnet Company', 'Attn: Jane Doe', '333 Bridge Street', 'Fairhaven, MA 02719', 'Phone: +1 508 979 2000',
      'Email: orders@acushnet.example', 'Carlsbad DC', '5820 Avenida Encinas', 'Carlsbad, CA 92008',
      '# SKU Supplier SKU Product Qty Unit cost Line total',
      '1 TIT-GT2-9 ACU-GT2-09 Titleist GT2 Driver 2 549.99 1,099.98',
      '2 TIT-PROV1-DZ ACU-PV1 Pro V1 Golf Balls (dozen) 12 42.50 510.00',
      '3 TIT-STADRY-M — StaDry Glove M 5 12.99 64.95',
      'Lines 3', 'Total quantity 19', 'Total USD 1,674.93',
      'Deliver to dock 4 between 8am and 3pm.',
      'Page 1 of 1',
    ]) expect(text).toContain(expected);
    expect(text).not.toContain('SHIP TO');
  });

  it('shows a ship-to address when the PO has one, and says when supplier or warehouse is missing', async () => {
    const data = sample({ supplier: null, warehouse: null });
    data.po.ship_to = { name: 'Tom Thomas', line1: '12 Fairway Ln', city: 'San Diego', state: 'CA', postal_code: '92101', country: 'US' };
    const { text } = await pdfText(await renderOrderSummary(data));
    expect(text).toContain('SHIP TO');
    expect(text).toContain('12 Fairway Ln');
    expect(text).toContain('San Diego, CA 92101');
    expect(text).toContain('No supplier assigned');
    expect(text).toContain('No warehouse assigned');
  });

  it('lists a cancelled line but counts it in no total', async () => {
    const lines = [line(1, 'KEEP-1', 'Kept', 2, 1000), line(2, 'DROP-2', 'Dropped', 5, 2000, { cancelled: true })];
    const { text } = await pdfText(await renderOrderSummary(sample({ lines, totals: poDocumentTotals(lines) })));
    expect(text).toContain('2 DROP-2 — Dropped (cancelled) 5 20.00 —');
    expect(text).toContain('Total quantity 2');
    expect(text).toContain('Total USD 20.00');
  });

  it('keeps money exact where floating point would not (0.1 + 0.2)', async () => {
    const lines = [line(1, 'TEN', 'Ten cents', 1, 10), line(2, 'TWENTY', 'Twenty cents', 1, 20), line(3, 'BIG', 'Big', 3, 333333333)];
    const { text } = await pdfText(await renderOrderSummary(sample({ lines, totals: poDocumentTotals(lines) })));
    expect(text).toContain('3 BIG — Big 3 3,333,333.33 9,999,999.99');
    expect(text).toContain('Total USD 10,000,000.29');
  });

  it('breaks a long PO across pages, repeating the table header, with every line once and the total at the end', async () => {
    const lines = Array.from({ length: 90 }, (_, i) =>
      line(i + 1, `SKU-${String(i + 1).padStart(3, '0')}`, i % 7 === 0 ? `Long product name number ${i + 1} that wraps onto a second line of its cell` : `Product ${i + 1}`, i + 1, 101));
    const { pages, text } = await pdfText(await renderOrderSummary(sample({ lines, totals: poDocumentTotals(lines) })));
    expect(pages.length).toBeGreaterThan(2);
    pages.forEach((page, i) => {
      expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
      expect(page).toContain('# SKU Supplier SKU Product Qty Unit cost Line total');
      if (i > 0) expect(page).toContain('Purchase order PO-1001 (continued)');
    });
    for (const l of lines) expect(text.split(`${l.line_no} ${l.sku} `).length - 1, l.sku).toBe(1);
    // Σ (i+1) for i < 90 = 4095 pieces at 1.01.
    expect(pages.at(-1)).toContain('Total quantity 4,095');
    expect(pages.at(-1)).toContain('Total USD 4,135.95');
  });
});

describe('received summary', () => {
  it('shows each line received and rejected, each receipt with location, lot and expiry, and the totals', async () => {
    const bytes = await renderReceivedSummary(sample());
    expect(isPdf(bytes)).toBe(true);
    const { pages, text } = await pdfText(bytes);
    expect(pages).toHaveLength(1);
    for (const expected of [
      'Fairway Golf Outfitters', 'RECEIVED SUMMARY', 'PO number PO-1001', 'Status Receiving', 'Acushnet Company', 'Carlsbad DC',
      '# SKU Product Ordered Received Rejected Outstanding Value received',
      '1 TIT-GT2-9 Titleist GT2 Driver 2 1 1 0 549.99',
      '2 TIT-PROV1-DZ Pro V1 Golf Balls (dozen) 12 6 0 6 255.00',
      '3 TIT-STADRY-M StaDry Glove M 5 0 0 5 0.00',
      'Ordered 19', 'Received 7', 'Rejected 1', 'Outstanding 11', 'Order total USD 1,674.93', 'Value received USD 804.99',
      'Received at SKU Location Received Rejected Lot Expires',
      '2026-11-23 08:00 PST TIT-GT2-9 Returns cage 1 1 — —',
      '2026-11-24 10:12 PST TIT-PROV1-DZ Aisle 3 / Bin 12 6 0 LOT-2026-11A 2028-06-30',
    ]) expect(text).toContain(expected);
  });

  it('says so when nothing has been received yet', async () => {
    const { text } = await pdfText(await renderReceivedSummary(sample({ receipts: [] })));
    expect(text).toContain('No receipts recorded yet.');
  });

  it('breaks many receipts across pages with the header repeated', async () => {
    const receipts = Array.from({ length: 120 }, (_, i) => ({
      sku: 'TIT-PROV1-DZ', product_name: 'Pro V1', inventory_location: `Bin ${i + 1}`, received_quantity: 1, rejected_quantity: 0,
      lot: `LOT-${i + 1}`, expiration_date: '2028-06-30', received_at: new Date(Date.UTC(2026, 10, 24, 0, i)).toISOString(),
    }));
    const { pages, text } = await pdfText(await renderReceivedSummary(sample({ receipts })));
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages.slice(-2)) expect(page).toContain('Received at SKU Location Received Rejected Lot Expires');
    for (let i = 1; i <= 120; i++) expect(text).toContain(` Bin ${i} 1 0 LOT-${i} 2028-06-30`);
  });
});

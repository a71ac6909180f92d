// 810 invoices → invoice updates (DESIGN 3, issue 7): TDS implied decimals, SAC D240 freight, TXI tax, ITD terms.
import { describe, expect, it } from 'vitest';
import { acceptedUpdates, fixture, readAll } from './read.ts';

describe('810 with freight, tax and net terms ("^" elements, CRLF)', () => {
  it('reads the total with implied decimals and derives the subtotal as total − tax − freight', async () => {
    const { entries } = await readAll(fixture('810-freight-tax-terms.edi'));
    expect(entries.map((e) => [e.source, e.type, e.po_number])).toEqual([['ST 0001 (810)', 'invoice', 'PO-1001']]);
    expect(acceptedUpdates(entries)).toEqual([{
      type: 'invoice', po_number: 'PO-1001', supplier_order_id: 'FD123456', supplier_name: 'Acushnet', invoice_number: 'INV-12345678',
      invoice_date: '2026-11-20', due_date: '2027-01-19', payment_terms: 'Net 60 Days',
      // TDS*123456 → 1234.56; SAC*C*D240 2500 → 25.00; TXI 134.63; 1234.56 − 134.63 − 25.00 = 1074.93.
      subtotal_amount: 1074.93, tax_amount: 134.63, shipping_amount: 25, total_amount: 1234.56, currency: 'USD', status: 'open',
      // The IT1 lines billed (part, IT102), checked against the PO when applied.
      lines: [{ sku: 'TIT-GT2-9', quantity: 2, also: ['AC-GT2-9'] }, { sku: 'PROV1-DZ', quantity: 5 }],
    }]);
  });
});

const file810 = (body: string[]) => {
  const set = ['ST*810*0001', ...body];
  return ['ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*ORDERSYNC      *261120*1504*U*00401*000000007*0*P*>',
    'GS*IN*SUPPLIER*ORDERSYNC*20261120*1504*7*X*004010', ...set, `SE*${set.length + 1}*0001`, 'GE*1*7', 'IEA*1*000000007'].join('~\n') + '~\n';
};

describe('810 shapes', () => {
  it('computes the due date from ITD07 net days, reads CUR, and keeps large totals exact', async () => {
    const { entries } = await readAll(file810([
      'BIG*20261130*INV-9**PO-9', 'CUR*SE*cad', 'ITD*01*3*****30', 'IT1*1*1*EA*98765432.10**VP*V-1', 'TDS*9876543210',
    ]));
    expect(acceptedUpdates(entries)[0]).toMatchObject({
      invoice_date: '2026-11-30', due_date: '2026-12-30', payment_terms: 'Net 30 Days', currency: 'CAD',
      subtotal_amount: 98765432.1, total_amount: 98765432.1, tax_amount: 0, shipping_amount: 0, supplier_order_id: null, supplier_name: null,
    });
  });

  it('counts summary-level charges once, even when lines carry their own', async () => {
    const { entries } = await readAll(file810([
      'BIG*20261130*INV-9**PO-9', 'IT1*1*1*EA*100**VP*V-1', 'SAC*C*D240***500', 'TXI*ST*5', 'TDS*12100', 'TXI*ST*10.00',
      'SAC*C*D240***1000', 'SAC*A*D240***200', 'SAC*C*H090***300',
    ]));
    // Summary freight 10.00 − 2.00 allowance; summary tax 10.00; the handling charge (H090) stays in the subtotal:
    // 100.00 + 10.00 − 2.00 + 3.00 + 10.00 = 121.00 (the line's freight and tax, restated by the summary, not again).
    expect(acceptedUpdates(entries)[0]).toMatchObject({ total_amount: 121, tax_amount: 10, shipping_amount: 8, subtotal_amount: 103 });
  });

  it('rejects an invoice whose TDS01 is not what its lines, charges and tax add up to, and one without a PO number', async () => {
    // Read as stated before (subtotal derived from it): a total 1.00 more than the line and tax billed was recorded.
    const { entries } = await readAll(file810(['BIG*20261130*INV-9**PO-9', 'IT1*1*1*EA*100**VP*V-1', 'TDS*10200', 'TXI*ST*1.00']));
    expect(entries[0]).toMatchObject({ update: null, reason: 'TDS01 "10200" states a total of 102.00, but the invoice adds up to 101.00: ' +
      'IT1 lines (quantity × unit price) 100.00 + SAC charges 0.00 − SAC allowances 0.00 + TXI tax 1.00',
    fault: { segment: 'TDS', element: 1, reference: 610, code: 7, value: '10200' } });
    const noPo = await readAll(file810(['BIG*20261130*INV-9', 'IT1*1*1*EA*10**VP*V-1', 'TDS*1000']));
    expect(noPo.entries[0]).toMatchObject({ update: null, po_number: null, reason: 'BIG04 (the PO number) is empty, and no REF PO names one: an invoice is joined to its PO by it' });
  });
});

describe('810 totals as suppliers write them', () => {
  it('a line priced below the cent counts rounded to the cent; TDS01 and SAC05 with a written decimal point are read as written', async () => {
    // 3 × 33.335 = 100.005 → 100.01; + 1.00 tax. TDS02 (amount subject to terms discount) is not the total.
    const rounded = await readAll(file810(['BIG*20261130*INV-9**PO-9', 'IT1*1*3*EA*33.335**VP*V-1', 'TDS*10101*10001', 'TXI*ST*1.00']));
    expect(acceptedUpdates(rounded.entries)[0]).toMatchObject({ total_amount: 101.01, subtotal_amount: 100.01, tax_amount: 1 });
    const explicit = await readAll(file810(['BIG*20261130*INV-9**PO-9', 'IT1*1*1*EA*100**VP*V-1', 'TDS*112.5', 'SAC*C*D240***12.50']));
    expect(acceptedUpdates(explicit.entries)[0]).toMatchObject({ total_amount: 112.5, shipping_amount: 12.5, subtotal_amount: 100 });
  });

  it('lines rounded a line at a time or once are both the supplier\'s total; a third amount is refused', async () => {
    // Three lines of 1 × 0.005: 0.01 each a line at a time (0.03), 0.015 → 0.02 rounded once.
    const lines = ['IT1*1*1*EA*0.005**VP*V-1', 'IT1*2*1*EA*0.005**VP*V-2', 'IT1*3*1*EA*0.005**VP*V-3'];
    const totalOf = async (tds: string) => (await readAll(file810(['BIG*20261130*INV-9**PO-9', ...lines, tds]))).entries[0];
    expect((await totalOf('TDS*3')).update).toMatchObject({ total_amount: 0.03 });
    expect((await totalOf('TDS*2')).update).toMatchObject({ total_amount: 0.02 });
    expect(await totalOf('TDS*4')).toMatchObject({ update: null, reason: expect.stringContaining('adds up to 0.03') });
  });

  it('IT105 prices per hundred or thousand are divided out; a basis IT102 does not count takes TDS01 as stated', async () => {
    const invoice = async (it1: string, tds: string) => (await readAll(file810(['BIG*20261130*INV-9**PO-9', it1, tds]))).entries[0];
    // 200 × 12.50 per hundred = 25.00 (it was refused: 200 × 12.50 = 2,500.00); 1,500 × 8.00 per thousand (TP) = 12.00.
    expect((await invoice('IT1*1*200*EA*12.50*HP*VP*V-1', 'TDS*2500')).update).toMatchObject({ total_amount: 25 });
    expect((await invoice('IT1*1*1500*EA*8*tp*VP*V-1', 'TDS*1200')).update).toMatchObject({ total_amount: 12 });
    expect(await invoice('IT1*1*200*EA*12.50*HP*VP*V-1', 'TDS*250000')).toMatchObject({ update: null, reason: expect.stringContaining('adds up to 25.00') });
    // Per dozen (PD) or per pound (PP): what the lines amount to is not known here, so the stated total is recorded.
    expect((await invoice('IT1*1*24*EA*30*PD*VP*V-1', 'TDS*6000')).update).toMatchObject({ total_amount: 60 });
    expect((await invoice('IT1*1*3*EA*2.25*PP*VP*V-1', 'TDS*1999')).update).toMatchObject({ total_amount: 19.99 });
    // A per-each price type (contract, net) is a unit price like PE.
    expect(await invoice('IT1*1*2*EA*10*CT*VP*V-1', 'TDS*2500')).toMatchObject({ update: null, reason: expect.stringContaining('adds up to 20.00') });
  });

  it('SACs at the heading, on lines and in the summary: each counted once, an allowance or charge settled elsewhere (SAC12) not at all', async () => {
    const { entries } = await readAll(file810(['BIG*20261130*INV-9**PO-9', 'SAC*C*H090***250', 'IT1*1*2*EA*50**VP*V-1', 'SAC*A*C310***500',
      'IT1*2*1*EA*20**VP*V-2', 'SAC*A*C310***100', 'SAC*C*D240***700', 'TDS*12350', 'SAC*A*A260***1000*******01', 'SAC*N*D240***999']));
    // 100.00 + 20.00 + 2.50 handling − 5.00 − 1.00 discounts + 7.00 freight; the bill-back (SAC12 01) and the SAC*N move nothing.
    expect(acceptedUpdates(entries)[0]).toMatchObject({ total_amount: 123.5, shipping_amount: 7, subtotal_amount: 116.5 });
  });
});

describe('810 amounts that say nothing OrderSync can add up', () => {
  it.each([
    // Before: the allowance read as −(−5.00), a 5.00 charge; a negative tax stored, then refused naming BIG.
    ['SAC*A*C310***-500', 'SAC05 "-500" is negative: SAC01 "A" already says it is an allowance; write the amount without a sign', 'SAC', 5, 6],
    ['TXI*ST*-1.50', 'TXI02 "-1.50" is negative: an invoice\'s tax is 0 or more', 'TXI', 2, 6],
  ])('%s is refused at the amount', async (segment, reason, id, element, code) => {
    const { entries } = await readAll(file810(['BIG*20261130*INV-9**PO-9', 'IT1*1*1*EA*100**VP*V-1', 'TDS*10000', segment]));
    expect(entries[0]).toMatchObject({ update: null, reason, fault: { segment: id, element, code } });
  });

  it('an IT1 without its unit price (IT104) is refused: the total cannot be checked against it (X12 P020304: code 2)', async () => {
    const { entries } = await readAll(file810(['BIG*20261130*INV-9**PO-9', 'IT1*1*1*EA***VP*V-1', 'TDS*10000']));
    expect(entries[0]).toMatchObject({ update: null, fault: { segment: 'IT1', element: 4, reference: 212, code: 2, loop: 'IT1' },
      reason: 'IT1 1: IT104 (unit price) is missing: TDS01, the total, is checked against each line\'s quantity × unit price' });
  });
});

describe('810 bytes that are not UTF-8', () => {
  it('are read as Windows-1252, as CSV files are: an identifier keeps its letters, never a U+FFFD', async () => {
    const text = file810(['BIG*20261130*INV-\u00fc\u00fe**PO-1252', 'IT1*1*1*EA*10**VP*V-1', 'TDS*1000']);
    const bytes = Buffer.from(text, 'latin1'); // ü and þ as single bytes 0xFC 0xFE: not valid UTF-8
    expect(bytes.includes(0xfc)).toBe(true);
    const { entries } = await readAll(bytes);
    expect(acceptedUpdates(entries)[0]).toMatchObject({ po_number: 'PO-1252', invoice_number: 'INV-üþ' });
  });
});

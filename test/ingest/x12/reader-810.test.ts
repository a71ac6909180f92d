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
      lines: [{ sku: 'TIT-GT2-9', quantity: 2 }, { sku: 'PROV1-DZ', quantity: 5 }],
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
      'BIG*20261130*INV-9**PO-9', 'IT1*1*1*EA*100**VP*V-1', 'SAC*C*D240***500', 'TXI*ST*5', 'TDS*12000', 'TXI*ST*10.00',
      'SAC*C*D240***1000', 'SAC*A*D240***200', 'SAC*C*H090***300',
    ]));
    // Summary freight 10.00 − 2.00 allowance; summary tax 10.00; the handling charge (H090) stays in the subtotal.
    expect(acceptedUpdates(entries)[0]).toMatchObject({ total_amount: 120, tax_amount: 10, shipping_amount: 8, subtotal_amount: 102 });
  });

  it('rejects an invoice whose tax and freight exceed its total, and one without a PO number', async () => {
    const { entries } = await readAll(file810(['BIG*20261130*INV-9**PO-9', 'TDS*1000', 'TXI*ST*20']));
    expect(entries[0]).toMatchObject({ update: null, reason: 'TDS01 total 10.00 is less than tax (TXI02) 20.00 plus freight (SAC D240) 0.00' });
    const noPo = await readAll(file810(['BIG*20261130*INV-9', 'TDS*1000']));
    expect(noPo.entries[0]).toMatchObject({ update: null, po_number: null, reason: 'BIG04 (the PO number) is empty: an invoice is joined to its PO by it' });
  });
});

describe('810 bytes that are not UTF-8', () => {
  it('are read as Windows-1252, as CSV files are: an identifier keeps its letters, never a U+FFFD', async () => {
    const text = file810(['BIG*20261130*INV-\u00fc\u00fe**PO-1252', 'TDS*1000']);
    const bytes = Buffer.from(text, 'latin1'); // ü and þ as single bytes 0xFC 0xFE: not valid UTF-8
    expect(bytes.includes(0xfc)).toBe(true);
    const { entries } = await readAll(bytes);
    expect(acceptedUpdates(entries)[0]).toMatchObject({ po_number: 'PO-1252', invoice_number: 'INV-üþ' });
  });
});

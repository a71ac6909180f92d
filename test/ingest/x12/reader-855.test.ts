// 855 acknowledgements → order updates (DESIGN 3, issue 7): ACK01 per line, one update per status, BAK02 rejections.
import { describe, expect, it } from 'vitest';
import { acceptedUpdates, fixture, readAll } from './read.ts';

describe('855 with IA, IB and IR lines (newline as the segment terminator)', () => {
  it('makes one order update per line status, with the supplier order id and estimated deliveries', async () => {
    const { entries } = await readAll(fixture('855-ia-ib-ir.edi'));
    expect(entries.every((e) => e.source === 'ST 0001 (855)' && e.type === 'order' && e.po_number === 'PO-1001')).toBe(true);
    const common = { type: 'order', po_number: 'PO-1001', supplier_order_id: 'FD123456', supplier_name: 'Acushnet' };
    expect(acceptedUpdates(entries)).toEqual([
      // IA on PO1 1 and 4; ACK04 067 gives the date.
      { ...common, status: 'confirmed', lines: [{ sku: 'TIT-GT2-9', quantity: 2, also: ['AC-GT2-9'] }, { sku: 'TIT-GLOVE-ML', quantity: 1 }], estimated_delivery_date: '2026-11-28' },
      // IB: backordered, its own later date; the part is named VP then BP: BP wins.
      { ...common, status: 'backorder', lines: [{ sku: 'PROV1-DZ', quantity: 5, also: ['AC-PROV1-DZ'] }], estimated_delivery_date: '2026-12-20' },
      // IR with ACK02 0: the quantity ordered is cancelled; only a UPC names it.
      { ...common, status: 'cancelled', lines: [{ sku: '885583999999', quantity: 1 }], estimated_delivery_date: null },
    ]);
  });
});

const file855 = (bak: string, body: string[], n1 = ['N1*SU*Cobra Puma']) => {
  const set = ['ST*855*0001', bak, ...n1, ...body];
  return ['ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*ORDERSYNC      *261120*1504*U*00401*000000007*0*P*>',
    'GS*PR*SUPPLIER*ORDERSYNC*20261120*1504*7*X*005010', ...set, `SE*${set.length + 1}*0001`, 'GE*1*7', 'IEA*1*000000007'].join('~') + '~';
};

describe('855 shapes', () => {
  it('an ACK\'s date is its own: a line confirmed in part for 1 Dec and back-ordered with no date gives the back order none', async () => {
    const { entries } = await readAll(file855('BAK*00*AC*PO-7*20261101****SO-7',
      ['PO1*1*5*EA***BP*A-1', 'ACK*IB*2*EA', 'ACK*IA*3*EA*068*20261201', 'PO1*2*1*EA***BP*B-1', 'DTM*017*20261210', 'ACK*IB*1*EA']));
    expect(acceptedUpdates(entries).map((u) => [u.status, u.lines, u.estimated_delivery_date])).toEqual([
      ['backorder', [{ sku: 'A-1', quantity: 2 }], null],
      ['confirmed', [{ sku: 'A-1', quantity: 3 }], '2026-12-01'],
      // A DTM of the line's own loop still dates its ACKs.
      ['backorder', [{ sku: 'B-1', quantity: 1 }], '2026-12-10'],
    ]);
  });

  it('cancels every line of a rejected order (BAK02 RD), whatever the ACKs say', async () => {
    const { entries } = await readAll(file855('BAK*00*RD*PO-7*20261101****SO-7', ['PO1*1*3*EA***BP*A-1', 'ACK*IA*3*EA']));
    expect(acceptedUpdates(entries)).toEqual([{
      type: 'order', po_number: 'PO-7', supplier_order_id: 'SO-7', supplier_name: 'Cobra Puma', status: 'cancelled',
      lines: [{ sku: 'A-1', quantity: 3 }], estimated_delivery_date: null,
    }]);
  });

  it('BAK02 decides what lines without an ACK become: RO (counter offer) and RF reject, AH (hold), NA and ZZ confirm nothing', async () => {
    const statusFor = async (code: string) => acceptedUpdates((await readAll(file855(`BAK*00*${code}*PO-7*20261101****SO-7`,
      ['PO1*1*3*EA***BP*A-1']))).entries).map((u) => u.status);
    expect(await statusFor('RO')).toEqual(['cancelled']);
    expect(await statusFor('RF')).toEqual(['cancelled']);
    expect(await statusFor('AH')).toEqual(['processing']);
    expect(await statusFor('NA')).toEqual(['processing']);
    expect(await statusFor('ZZ')).toEqual(['processing']);
    expect(await statusFor('AE')).toEqual(['confirmed']);
    expect(await statusFor('AC')).toEqual(['confirmed']);
    // Without line detail, the same for the whole PO.
    const whole = async (code: string) => acceptedUpdates((await readAll(file855(`BAK*00*${code}*PO-7*20261101****SO-7`, []))).entries)
      .map((u) => u.status);
    expect(await whole('RO')).toEqual(['cancelled']);
    expect(await whole('AH')).toEqual(['processing']);
  });

  it('refuses an estimated delivery DTM that gives no day (a DTM05 range), rather than dropping the date', async () => {
    const { entries } = await readAll(file855('BAK*00*AK*PO-7*20261101', ['DTM*068****RD8*20261215-20261220']));
    expect(entries[0]).toMatchObject({ update: null, fault: { segment: 'DTM', element: 5, reference: 1250, code: 7 },
      reason: 'DTM05 "RD8" is not a date format OrderSync reads (D8 CCYYMMDD, DT CCYYMMDDHHMM): the DTM 068 date "20261215-20261220" would be lost' });
  });

  it('acknowledges the whole PO when there is no line detail (BAK02 AK), with the header DTM as the estimate', async () => {
    const { entries } = await readAll(file855('BAK*00*AK*PO-7*20261101', ['REF*VN*SO-77', 'DTM*068*20261215']));
    expect(acceptedUpdates(entries)).toEqual([{
      type: 'order', po_number: 'PO-7', supplier_order_id: 'SO-77', supplier_name: 'Cobra Puma', status: 'confirmed',
      estimated_delivery_date: '2026-12-15',
    }]);
  });

  it('splits a line acknowledged partly accepted and partly backordered', async () => {
    const { entries } = await readAll(file855('BAK*00*AC*PO-7*20261101****SO-7', ['PO1*1*10*EA***VP*V-1', 'ACK*IA*6*EA', 'ACK*IB*4*EA']));
    expect(acceptedUpdates(entries).map((u) => [u.status, u.lines])).toEqual([
      ['confirmed', [{ sku: 'V-1', quantity: 6 }]],
      ['backorder', [{ sku: 'V-1', quantity: 4 }]],
    ]);
  });

  it('takes the supplier name from the caller when no N1 names it, and else leaves it to the PO\'s supplier', async () => {
    const bytes = file855('BAK*00*AC*PO-7*20261101****SO-7', [], ['N1*ST*FAIRWAY']);
    expect(acceptedUpdates((await readAll(bytes, { supplierName: 'Cobra Puma' })).entries)[0].supplier_name).toBe('Cobra Puma');
    // Usable (the 997 accepts it): applied to the PO's supplier (test/api/supplier-documents-apply.test.ts).
    const [entry] = (await readAll(bytes)).entries;
    expect(entry).toMatchObject({ source: 'ST 0001 (855)', type: 'order', po_number: 'PO-7', reason: null });
    expect(entry.update).toMatchObject({ type: 'order', po_number: 'PO-7', supplier_order_id: 'SO-7' });
    expect(entry.update).not.toHaveProperty('supplier_name');
  });

  it('rejects a line without a part id it can match', async () => {
    const { entries } = await readAll(file855('BAK*00*AC*PO-7*20261101****SO-7', ['PO1*1*1*EA***ZZ*X-1']));
    expect(entries[0]).toMatchObject({ update: null, reason: 'PO1 1: no part id qualified BP, IN, SK, VP, VN, MG, UP, EN, UK or UA (PO106–PO125)' });
  });
});

// 856 ship notices → shipment updates (DESIGN 3, issue 7): one shipment per tracking number, carrying the items
// under it; SCAC → carrier through the table; bare shipments; pick-pack and S/O/I structures.
import { describe, expect, it } from 'vitest';
import { acceptedUpdates, fixture, readAll } from './read.ts';

describe('856 in pick-pack structure (S/O/P/I), "~" and LF', () => {
  it('makes one shipment per package tracking number, each with the items packed in it', async () => {
    const { entries } = await readAll(fixture('856-pick-pack.edi'));
    expect(entries.map((e) => [e.source, e.type, e.po_number, e.reason])).toEqual([
      ['ST 0001 (856)', 'shipment', 'PO-1001', null],
      ['ST 0001 (856)', 'shipment', 'PO-1001', null],
    ]);
    expect(acceptedUpdates(entries)).toEqual([
      {
        type: 'shipment', po_number: 'PO-1001', supplier_order_id: 'FD123456', tracking_number: '1Z999AA10123456784', carrier: 'ups',
        // DTM*011*20261120*1430*PT: 14:30 Pacific time in November is 22:30 UTC.
        shipped_date: '2026-11-20T22:30:00.000Z', estimated_delivery_date: '2026-11-25',
        lines: [{ sku: 'TIT-GT2-9', quantity: 2, also: ['AC-GT2-9', '885583123456'] }],
      },
      {
        type: 'shipment', po_number: 'PO-1001', supplier_order_id: 'FD123456', tracking_number: '1Z999AA10123456793', carrier: 'ups',
        shipped_date: '2026-11-20T22:30:00.000Z', estimated_delivery_date: '2026-11-25',
        // SN1*2*3*DZ**5*DZ: 3 of the 5 ordered shipped; LIN names the buyer's part (BP) after the vendor's: BP wins.
        lines: [{ sku: 'PROV1-DZ', quantity: 3, also: ['AC-PROV1-DZ'] }, { sku: 'TIT-TSR2-7', quantity: 1 }],
      },
    ]);
  });
});

describe('856 in S/O/I structure with REF CN, "|" elements on one line', () => {
  it('takes the tracking number from the shipment level, one shipment per order, a bare one for an order without items', async () => {
    const { entries, reading } = await readAll(fixture('856-s-o-i.edi'));
    expect(acceptedUpdates(entries)).toEqual([
      {
        type: 'shipment', po_number: 'PO-2002', supplier_order_id: 'TM-880011', tracking_number: '794612345678', carrier: 'fedex',
        shipped_date: '2026-11-21', estimated_delivery_date: null,
        // Part ids: BP first, else UPC.
        lines: [{ sku: 'TM-STEALTH2-DR', quantity: 1, also: ['191237012345'] }, { sku: '191237067890', quantity: 4 }],
      },
      // No items under HL*O: a bare shipment, no lines (covers the PO's not-yet-shipped lines).
      {
        type: 'shipment', po_number: 'PO-2003', supplier_order_id: 'TM-880012', tracking_number: '794612345678', carrier: 'fedex',
        shipped_date: '2026-11-21', estimated_delivery_date: null,
      },
    ]);
    expect(reading.interchangeCount).toBe(1);
  });
});

const envelope = (body: string[]) => {
  const isa = 'ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*ORDERSYNC      *261120*1504*U*00401*000000007*0*P*>';
  const set = ['ST*856*0001', ...body, `SE*${body.length + 2}*0001`];
  return [isa, 'GS*SH*SUPPLIER*ORDERSYNC*20261120*1504*7*X*004010', ...set, 'GE*1*7', 'IEA*1*000000007'].join('~\r\n') + '~\r\n';
};

describe('856 shapes', () => {
  it('leaves the carrier null for an unknown SCAC, so the pipeline detects it from the number', async () => {
    const { entries } = await readAll(envelope([
      'BSN*00*X1*20261120*1504', 'HL*1**S', 'TD5**2*ZZZZ', 'HL*2*1*O', 'PRF*PO-9', 'REF*VN*SO-9', 'HL*3*2*P', 'MAN*GM*AB12345678',
    ]));
    expect(acceptedUpdates(entries)).toEqual([{
      type: 'shipment', po_number: 'PO-9', supplier_order_id: 'SO-9', tracking_number: 'AB12345678', carrier: null,
      shipped_date: null, estimated_delivery_date: null,
    }]);
  });

  it('rejects a set with no tracking number anywhere, naming the levels it looked at', async () => {
    const { entries } = await readAll(envelope([
      'BSN*00*X1*20261120*1504', 'HL*1**S', 'HL*2*1*O', 'PRF*PO-9', 'REF*VN*SO-9', 'HL*3*2*I', 'LIN**BP*SKU-1', 'SN1**1*EA',
    ]));
    expect(entries).toEqual([{
      source: 'ST 0001 (856)', type: 'shipment', po_number: 'PO-9', update: null, set: 0,
      reason: 'HL 3 (I), PO PO-9: no tracking number (MAN*CP or MAN*GM or REF*2I on its pack, REF*2I or REF*CN on its order or shipment)',
      // The 997's AK3: MAN missing (AK304 3) where the item's level would have it, no AK4.
      fault: { segment: 'MAN', position: 8, loop: 'HL', element: 0, reference: 0, value: '', label: 'HL 3', segmentCode: 3, code: 0 },
    }]);
  });

  it('reads a set without the supplier order number (no REF VN) as a shipment naming no supplier order', async () => {
    const { entries } = await readAll(envelope(['BSN*00*X1*20261120*1504', 'HL*1**S', 'REF*CN*1Z999AA10123456784', 'HL*2*1*O', 'PRF*PO-9']));
    expect(acceptedUpdates(entries)).toEqual([{
      type: 'shipment', po_number: 'PO-9', supplier_order_id: null, tracking_number: '1Z999AA10123456784', carrier: null,
      shipped_date: null, estimated_delivery_date: null,
    }]);
  });

  it('adds up the same part packed twice in one package', async () => {
    const { entries } = await readAll(envelope([
      'BSN*00*X1*20261120*1504', 'HL*1**S', 'HL*2*1*O', 'PRF*PO-9', 'REF*VN*SO-9', 'HL*3*2*P', 'MAN*CP*1Z999AA10123456784',
      'HL*4*3*I', 'LIN**VP*V-1', 'SN1**2*EA', 'HL*5*3*I', 'LIN**VP*V-1', 'SN1**1*EA',
    ]));
    expect(acceptedUpdates(entries)[0].lines).toEqual([{ sku: 'V-1', quantity: 3 }]);
  });

  it('makes one shipment per package of a single set holding many packages', async () => {
    const body = ['BSN*00*X1*20261120*1504', 'HL*1**S', 'TD5**2*FDEG', 'HL*2*1*O', 'PRF*PO-9', 'REF*VN*SO-9'];
    for (let i = 0, hl = 2; i < 500; i++, hl += 2) {
      body.push(`HL*${hl + 1}*2*P`, `MAN*CP*7946${String(i).padStart(8, '0')}`, `HL*${hl + 2}*${hl + 1}*I`, `LIN**BP*SKU-${i % 7}`, 'SN1**1*EA');
    }
    const updates = acceptedUpdates((await readAll(envelope(body))).entries);
    expect(updates).toHaveLength(500);
    expect(updates[499]).toMatchObject({ tracking_number: '794600000499', carrier: 'fedex', lines: [{ sku: 'SKU-2', quantity: 1 }] });
  });
});

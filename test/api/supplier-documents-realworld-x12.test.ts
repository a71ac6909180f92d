// X12 ship notices, acknowledgements and invoices shaped as suppliers' systems really send them, posted to
// POST /api/v2/supplier_documents on SQLite and PostgreSQL. The shapes follow public 856/855/810 samples and the
// X12 code lists (our own numbers and names): LIN/PO1/IT1 naming a part by IN, SK, VN or EN instead of BP/VP/UP,
// a pack's tracking number in REF*2I beside the carton's SSCC in MAN*GM, and the HL structures BSN05 names besides
// S/O/P/I: 0003 S/P/O/I (a carton or pallet holding several orders; retailers' S/T/O/P/I) and 0002 S/O/I/P.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { addPo, openDocumentWorld, postX12, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';
import { segmentsOf } from '../ingest/x12/read.ts';
import { instant } from '../support/contract.ts';

const databases = TestDatabases.create();
const UPS_1 = '1Z999AA10123456784';
const UPS_2 = '1Z12345E0205271688';
const SSCC = '00000123450000000018';

/** One interchange (ISA13 = `control`) of one group `gs01` around `sets`; SE and GE counts computed. */
function interchange(control: number, gs01: string, sets: { code: string; segments: string[] }[]): string {
  const isa13 = String(control).padStart(9, '0');
  const body = sets.map((set, i) => {
    const st = String(i + 1).padStart(4, '0');
    const segments = [`ST*${set.code}*${st}`, ...set.segments];
    return [...segments, `SE*${segments.length + 1}*${st}`].join('~\r\n');
  });
  return `ISA*00*          *00*          *ZZ*PINGSUPPLY     *ZZ*ACMEGOLF       *261120*1504*U*00401*${isa13}*0*P*>~\r\n` +
    `GS*${gs01}*PINGSUPPLY*ACMEGOLF*20261120*1504*${control}*X*004010~\r\n${body.join('~\r\n')}~\r\n` +
    `GE*${sets.length}*${control}~\r\nIEA*1*${isa13}~\r\n`;
}
const sh = (...sets: string[][]) => sets.map((segments) => ({ code: '856', segments }));

/** The 997's AK segments, as `AK2*856*0001` strings. */
const akLines = (ack: string) => segmentsOf(ack).filter((s) => /^AK[1-9]$/.test(s[0])).map((s) => s.join('*'));

/** A PO's three lines: by sku, by supplier_sku, and one whose sku is its EAN (some retailers key items by barcode). */
const LINES = [
  { product_name: 'GT2 Driver', sku: 'RW-GT2-9', quantity: 2, unit_cost_cents: 50000, status: 'submitted' },
  { product_name: 'Pro V1 dozen', sku: 'RW-PROV1', supplier_sku: 'AC-PV1-DZ', quantity: 5, unit_cost_cents: 5000, status: 'submitted' },
  { product_name: 'Towel', sku: '4006381333931', quantity: 1, unit_cost_cents: 1000, status: 'submitted' },
];

describe.each(databases.eachSupportedId())('real-world X12 shapes on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;

  const post = (body: string) => postX12(app, writeKey, body);
  const shipped = async (po: string) => (await readV2(app, world.keys.a, po)).fulfilled_items
    .map((f: any) => [f.product_name, f.quantity, f.tracking.tracking_number, f.tracking.carrier]).sort();
  const addRwPo = (po: string) => addPo(db, world.retailerA, world.suppliers.acushnet, po, LINES);

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('part ids under the qualifiers suppliers use (LIN, PO1, IT1)', () => {
    it('856 LIN: IN (buyer item) before UP, VN (vendor item) before EN, EN alone: each line found', async () => {
      await addRwPo('PO-RW-LIN');
      const document = await post(interchange(801, 'SH', sh([
        'BSN*00*RW-1*20261120*1504*0001', 'HL*1**S*1', 'TD5**2*UPSN', 'HL*2*1*O*1', 'PRF*PO-RW-LIN', 'REF*VN*RW-SO-1',
        'HL*3*2*P*1', `MAN*CP*${UPS_1}`,
        'HL*4*3*I*0', 'LIN*1*UP*012345678905*IN*RW-GT2-9', 'SN1*1*2*EA',
        'HL*5*3*I*0', 'LIN*2*EN*5012345678900*VN*AC-PV1-DZ', 'SN1*2*3*EA',
        'HL*6*3*I*0', 'LIN*3*EN*4006381333931', 'SN1*3*1*EA',
      ])));
      expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['applied', null]]);
      expect(akLines(document.acknowledgement)).toEqual(['AK1*SH*801', 'AK2*856*0001', 'AK5*A', 'AK9*A*1*1*1']);
      expect(await shipped('PO-RW-LIN')).toEqual([
        ['GT2 Driver', 2, UPS_1, 'ups'], ['Pro V1 dozen', 3, UPS_1, 'ups'], ['Towel', 1, UPS_1, 'ups'],
      ]);
    });

    it('855 PO1 by SK and 810 IT1 by IN: the lines are confirmed and billed', async () => {
      await addRwPo('PO-RW-PO1');
      const ack = await post(interchange(802, 'PR', [{ code: '855', segments: [
        'BAK*00*AC*PO-RW-PO1*20261120****RW-SO-2', 'PO1*1*2*EA*500**SK*RW-GT2-9', 'ACK*IA*2*EA*068*20261201', 'CTT*1',
      ] }]));
      expect(ack.results.map((r: any) => [r.result, r.reason])).toEqual([['applied', null]]);
      const line = (await readV2(app, world.keys.a, 'PO-RW-PO1')).items.find((i: any) => i.product_details.sku === 'RW-GT2-9');
      expect(line).toMatchObject({ supplier_order_id: 'RW-SO-2', status: 'confirmed' });
      const invoice = await post(interchange(803, 'IN', [{ code: '810', segments: [
        'BIG*20261121*RW-INV-1**PO-RW-PO1', 'REF*VN*RW-SO-2', 'IT1*1*2*EA*500**IN*RW-GT2-9', 'TDS*100000', 'CTT*1',
      ] }]));
      expect(invoice.results.map((r: any) => [r.result, r.reason])).toEqual([['applied', null]]);
      expect((await readV2(app, world.keys.a, 'PO-RW-PO1')).invoices.map((i: any) => [i.invoice_number, i.total_amount]))
        .toEqual([['RW-INV-1', 1000]]);
    });

    it('a line with no part id we read (only ZZ) is still rejected, naming every qualifier read', async () => {
      await addRwPo('PO-RW-ZZ');
      const document = await post(interchange(804, 'SH', sh([
        'BSN*00*RW-2*20261120*1504', 'HL*1**S', 'HL*2*1*O', 'PRF*PO-RW-ZZ', 'HL*3*2*P', `MAN*CP*${UPS_2}`,
        'HL*4*3*I', 'LIN**ZZ*WHATEVER', 'SN1**1*EA',
      ])));
      expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['rejected',
        'ST 0001 (856) rejected: HL 4 (I), PO PO-RW-ZZ: no LIN part id qualified BP, IN, SK, VP, VN, MG, UP, EN, UK or UA']]);
      expect(await shipped('PO-RW-ZZ')).toEqual([]);
    });
  });

  describe('810 as invoicing systems write it', () => {
    it('IT1 + PID, TDS with four elements, SAC*C*G830 shipping and handling, a discount allowance, 2% 10 net 30 terms', async () => {
      await addRwPo('PO-RW-810');
      const document = await post(interchange(841, 'IN', [{ code: '810', segments: [
        'BIG*20261121*RW-INV-2**PO-RW-810', 'REF*VN*RW-SO-3', 'N1*SU*ACUSHNET', 'ITD*01*3*2**10**30*****2% 10 NET 30',
        'IT1*1*2*EA*500**VP*RW-V1*BP*RW-GT2-9', 'PID*F****GT2 DRIVER 9', 'IT1*2*5*EA*50**UP*012345678905*VN*AC-PV1-DZ', 'PID*F****PRO V1',
        // 1,000.00 + 250.00 − 5.00 discount + 5.00 tax + 17.50 shipping = 1,267.50; TDS02–04: discount basis and amounts.
        'TDS*126750*125000*122250*2500', 'TXI*ST*5.00', 'SAC*C*G830***1750************SHIPPING AND HANDLING',
        'SAC*A*C310***500************PROMO DISCOUNT', 'CTT*2',
      ] }]));
      expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['applied', null]]);
      expect((await readV2(app, world.keys.a, 'PO-RW-810')).invoices).toEqual([expect.objectContaining({
        invoice_number: 'RW-INV-2', payment_terms: '2% 10, Net 30 Days', subtotal_amount: 1245, tax_amount: 5, shipping_amount: 17.5,
        total_amount: 1267.5, due_date: expect.stringMatching(/^2026-12-21/),
      })]);
    });
  });

  describe('the pack\'s tracking number in REF*2I', () => {
    it('MAN*GM carries the carton\'s SSCC, REF*2I the carrier\'s number: the shipment is tracked by the 2I number', async () => {
      await addRwPo('PO-RW-2I');
      const document = await post(interchange(811, 'SH', sh([
        'BSN*00*RW-3*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'DTM*011*20261120*150405*CT', 'HL*2*1*O', 'PRF*PO-RW-2I',
        'HL*3*2*P', `MAN*GM*${SSCC}`, `REF*2I*${UPS_2}`, 'HL*4*3*I', 'LIN**BP*RW-GT2-9', 'SN1**2*EA',
      ])));
      expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['applied', null]]);
      expect(await shipped('PO-RW-2I')).toEqual([['GT2 Driver', 2, UPS_2, 'ups']]);
    });
  });

  describe('the ship date in the heading, two interchanges in one file', () => {
    it('DTM*011 between BSN and the first HL (time zone ET) is the shipped date; each ISA gets its own 997', async () => {
      await addRwPo('PO-RW-HDR-A');
      await addRwPo('PO-RW-HDR-B');
      const set = (po: string, tracking: string) => sh([
        'BSN*00*RW-8*20261120*1504', 'DTM*011*20261120*0930*ET', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', `PRF*${po}`,
        'HL*3*2*P', `MAN*CP*${tracking}`, 'HL*4*3*I', 'LIN**BP*RW-GT2-9', 'SN1**1*EA',
      ]);
      // Two interchanges back to back, CRLF after each segment, blank lines and spaces after the last IEA.
      const file = interchange(831, 'SH', set('PO-RW-HDR-A', UPS_1)) + interchange(832, 'SH', set('PO-RW-HDR-B', UPS_2)) + '\r\n  \r\n';
      const document = await post(file);
      expect(document.results.map((r: any) => [r.po_number, r.result, r.reason])).toEqual([
        ['PO-RW-HDR-A', 'applied', null], ['PO-RW-HDR-B', 'applied', null],
      ]);
      expect(segmentsOf(document.acknowledgement).filter((s) => s[0] === 'ISA')).toHaveLength(2);
      const dates = async (po: string) => (await readV2(app, world.keys.a, po)).fulfilled_items.map((f: any) => f.tracking.shipped_date);
      // 09:30 Eastern in November (EST, UTC−5) is 14:30 UTC.
      expect(await dates('PO-RW-HDR-A')).toEqual([instant('2026-11-20T14:30:00.000Z')]);
      expect(await dates('PO-RW-HDR-B')).toEqual([instant('2026-11-20T14:30:00.000Z')]);
    });
  });

  describe('HL structures besides S/O/P/I (BSN05 0003 and 0002)', () => {
    it('S/P/O/I: one carton holding two POs ships both under its tracking number', async () => {
      await addRwPo('PO-RW-SPOI-A');
      await addRwPo('PO-RW-SPOI-B');
      const document = await post(interchange(821, 'SH', sh([
        'BSN*00*RW-4*20261120*1504*0003', 'HL*1**S*1', 'TD5**2*UPSN', 'HL*2*1*P*1', `MAN*CP*${UPS_1}`,
        'HL*3*2*O*1', 'PRF*PO-RW-SPOI-A', 'HL*4*3*I*0', 'LIN**BP*RW-GT2-9', 'SN1**2*EA',
        'HL*5*2*O*1', 'PRF*PO-RW-SPOI-B', 'HL*6*5*I*0', 'LIN**VP*AC-PV1-DZ', 'SN1**5*EA',
      ])));
      expect(document.results.map((r: any) => [r.po_number, r.result, r.reason])).toEqual([
        ['PO-RW-SPOI-A', 'applied', null], ['PO-RW-SPOI-B', 'applied', null],
      ]);
      expect(akLines(document.acknowledgement)).toEqual(['AK1*SH*821', 'AK2*856*0001', 'AK5*A', 'AK9*A*1*1*1']);
      expect(await shipped('PO-RW-SPOI-A')).toEqual([['GT2 Driver', 2, UPS_1, 'ups']]);
      expect(await shipped('PO-RW-SPOI-B')).toEqual([['Pro V1 dozen', 5, UPS_1, 'ups']]);
    });

    it('S/T/O/P/I (standard carton pack: a pallet of orders): each order\'s cartons tracked by their own MAN', async () => {
      await addRwPo('PO-RW-STOPI');
      const document = await post(interchange(822, 'SH', sh([
        'BSN*00*RW-5*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*T', `MAN*GM*${SSCC}`,
        'HL*3*2*O', 'PRF*PO-RW-STOPI', 'HL*4*3*P', `MAN*CP*${UPS_1}`, 'HL*5*4*I', 'LIN**BP*RW-GT2-9', 'SN1**1*EA',
        'HL*6*3*P', `MAN*CP*${UPS_2}`, 'HL*7*6*I', 'LIN**BP*RW-GT2-9', 'SN1**1*EA',
      ])));
      expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['applied', null], ['applied', null]]);
      expect(await shipped('PO-RW-STOPI')).toEqual([['GT2 Driver', 1, UPS_2, 'ups'], ['GT2 Driver', 1, UPS_1, 'ups']]);
    });

    it('S/O/I/P: each item is tracked by the pack under it, and that pack is no shipment of its own', async () => {
      await addRwPo('PO-RW-SOIP');
      const document = await post(interchange(823, 'SH', sh([
        'BSN*00*RW-6*20261120*1504*0002', 'HL*1**S*1', 'TD5**2*UPSN', 'REF*BM*BOL-77', 'HL*2*1*O*1', 'PRF*PO-RW-SOIP',
        'HL*3*2*I*1', 'LIN**BP*RW-GT2-9', 'SN1**2*EA', 'HL*4*3*P*0', `MAN*CP*${UPS_1}`,
        'HL*5*2*I*1', 'LIN**VP*AC-PV1-DZ', 'SN1**4*EA', 'HL*6*5*P*0', `MAN*GM*${SSCC}`, `REF*2I*${UPS_2}`,
      ])));
      expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['applied', null], ['applied', null]]);
      // Two shipments with lines: no bare one (a bare shipment would cover the towel, which was not shipped).
      expect(await shipped('PO-RW-SOIP')).toEqual([['GT2 Driver', 2, UPS_1, 'ups'], ['Pro V1 dozen', 4, UPS_2, 'ups']]);
    });

    it('S/O/I/P with one item in packs of two tracking numbers: rejected, since SN102 does not split between them', async () => {
      await addRwPo('PO-RW-SOIP2');
      const before = await tableCounts(db);
      const document = await post(interchange(824, 'SH', sh([
        'BSN*00*RW-7*20261120*1504*0002', 'HL*1**S', 'HL*2*1*O', 'PRF*PO-RW-SOIP2',
        'HL*3*2*I', 'LIN**BP*RW-GT2-9', 'SN1**2*EA', 'HL*4*3*P', `MAN*CP*${UPS_1}`, 'HL*5*3*P', `MAN*CP*${UPS_2}`,
      ])));
      expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['rejected',
        `ST 0001 (856) rejected: HL 3 (I), PO PO-RW-SOIP2: the packs under the item have 2 tracking numbers (${UPS_1}, ${UPS_2}), ` +
        'and SN102 does not say how many each holds: send each package as its own HL*P with its items under it (S/O/P/I)']]);
      expect(akLines(document.acknowledgement)).toEqual([
        'AK1*SH*824', 'AK2*856*0001', 'AK3*MAN*12*HL*8', `AK4*2*87*7*${UPS_2}`, 'AK5*R*5', 'AK9*R*1*1*0',
      ]);
      const after = await tableCounts(db);
      expect([after.shipments, after.shipment_lines]).toEqual([before.shipments, before.shipment_lines]);
    });
  });
});

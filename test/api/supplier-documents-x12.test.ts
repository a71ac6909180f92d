// Issue 7's "Done means" for X12, posted to /api/v2/supplier_documents on SQLite and PostgreSQL: an 855 marks a
// line backordered and records the supplier order id; an 856 with two packages gives two tracking numbers with carrier
// ups from SCAC UPSN and a partial quantity; an 810 gives an invoice with its freight as shipping_amount and the TDS
// total read with implied decimals; a file with a bad SE count gets a 997 accepting the good set and rejecting the bad
// one; an 856 for a PO that does not exist yet applies when the PO is created; 997 control numbers per retailer.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { addPo, openDocumentWorld, postX12, readAcknowledgement, readV2 } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';
import { segmentsOf } from '../ingest/x12/read.ts';

const databases = TestDatabases.create();
const UPS_1 = '1Z999AA10123456784';
const UPS_2 = '1Z12345E0205271688';

/** An interchange around `sets` (each a list of segments without terminators), SE counts computed unless given. */
function interchange(control: number, groupCode: string, sets: { code: string; segments: string[]; seCount?: number }[]): string {
  const isa13 = String(control).padStart(9, '0');
  const body = sets.map((set, i) => {
    const st = String(i + 1).padStart(4, '0');
    const segments = [`ST*${set.code}*${st}`, ...set.segments];
    return [...segments, `SE*${set.seCount ?? segments.length + 1}*${st}`].join('~\n');
  }).join('~\n');
  return `ISA*00*          *00*          *ZZ*ACUSHNET       *ZZ*ACMEGOLF       *261120*1504*U*00401*${isa13}*0*P*>~\n` +
    `GS*${groupCode}*ACUSHNET*ACMEGOLF*20261120*1504*${control}*X*004010~\n${body}~\nGE*${sets.length}*${control}~\n` +
    `IEA*1*${isa13}~\n`;
}

const ship856 = (poNumber: string, soId: string) => [
  'BSN*00*SHP-1*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'DTM*011*20261120',
  'HL*2*1*O', `PRF*${poNumber}`, `REF*VN*${soId}`,
  'HL*3*2*P', `MAN*CP*${UPS_1}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA',
  'HL*5*2*P', `MAN*CP*${UPS_2}`, 'HL*6*5*I', 'LIN**BP*TIT-PRO-V1', 'SN1**5*EA',
  'CTT*6',
];

/** Segments of a 997 (or any X12 text) as arrays of elements. */

describe.each(databases.eachSupportedId())('X12 supplier documents on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;

  const post = (body: string) => postX12(app, writeKey, body);
  const ack = (documentId: string) => readAcknowledgement(app, world.keys.a, documentId);
  const item = (record: Record<string, any>, sku: string) => record.items.find((i: any) => i.product_details.sku === sku);

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('an 855 marks one line backordered, confirms the other, and records the supplier order id', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-X12-855');
    const document = await post(interchange(201, 'PR', [{ code: '855', segments: [
      'BAK*00*AC*PO-X12-855*20261120****SO-855-1', 'N1*SU*ACUSHNET',
      'PO1*1*2*EA*500**BP*TIT-GT2-9', 'ACK*IA*2*EA*068*20261201',
      'PO1*2*5*EA*50**BP*TIT-PRO-V1', 'ACK*IB*5*EA*068*20270115',
      'CTT*2',
    ] }]));
    expect(document).toMatchObject({ format: 'x12', status: 'processed' });
    expect(document.summary.rejected, JSON.stringify(document.results)).toBe(0);
    expect(document.summary.applied).toBeGreaterThan(0);
    const record = await readV2(app, world.keys.a, 'PO-X12-855');
    expect(item(record, 'TIT-GT2-9')).toMatchObject({ supplier_order_id: 'SO-855-1', status: 'confirmed', backordered: false });
    expect(item(record, 'TIT-PRO-V1')).toMatchObject({ supplier_order_id: 'SO-855-1', backordered: true });
  });

  it('an 855 naming the supplier by its legal name in N1 (ACUSHNET COMPANY, INC. for "Acushnet") applies', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-X12-855-LEGAL');
    const document = await post(interchange(211, 'PR', [{ code: '855', segments: [
      'BAK*00*AC*PO-X12-855-LEGAL*20261120****SO-855-L', 'N1*SU*ACUSHNET COMPANY, INC.*92*0012345',
      'PO1*1*2*EA*500**BP*TIT-GT2-9', 'ACK*IA*2*EA*068*20261201', 'CTT*1',
    ] }]));
    expect(document.summary, JSON.stringify(document.results)).toMatchObject({ applied: 1, rejected: 0 });
    expect(item(await readV2(app, world.keys.a, 'PO-X12-855-LEGAL'), 'TIT-GT2-9')).toMatchObject({ supplier_order_id: 'SO-855-L', status: 'confirmed' });
  });

  it('an 856 with two packages: two tracking numbers, carrier ups from SCAC UPSN, a partial quantity', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-X12-856');
    const document = await post(interchange(202, 'SH', [{ code: '856', segments: ship856('PO-X12-856', 'SO-856-1') }]));
    expect(document.status).toBe('processed');
    expect(document.summary.rejected).toBe(0);
    const record = await readV2(app, world.keys.a, 'PO-X12-856');
    const parts = record.fulfilled_items.map((f: any) => [f.product_name, f.quantity, f.tracking.tracking_number, f.tracking.carrier]);
    expect(parts.sort()).toEqual([
      ['Titleist GT2 Driver 9', 1, UPS_1, 'ups'], ['Titleist Pro V1 (dozen)', 5, UPS_2, 'ups'],
    ].sort());
    expect(item(record, 'TIT-PRO-V1').status).toBe('shipped');
    // One of the two ordered drivers shipped: the line is not shipped yet.
    expect(item(record, 'TIT-GT2-9').status).not.toBe('shipped');
    expect(item(record, 'TIT-GT2-9').supplier_order_id).toBe('SO-856-1');
  });

  it('an 810: the invoice with its freight as shipping_amount and the TDS total read with implied decimals', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-X12-810');
    const document = await post(interchange(203, 'IN', [{ code: '810', segments: [
      'BIG*20261120*INV-810-1**PO-X12-810', 'REF*VN*SO-810-1', 'CUR*SE*USD', 'ITD*01*3*****60',
      'IT1*1*2*EA*500**BP*TIT-GT2-9', 'TDS*111250', 'TXI*ST*100', 'SAC*C*D240***1250', 'CTT*1',
    ] }]));
    expect(document.summary).toMatchObject({ applied: 1, rejected: 0 });
    const [invoice] = (await readV2(app, world.keys.a, 'PO-X12-810')).invoices;
    expect(invoice).toMatchObject({
      invoice_number: 'INV-810-1', supplier_order_id: 'SO-810-1', total_amount: 1112.5, shipping_amount: 12.5, tax_amount: 100,
      subtotal_amount: 1000, payment_terms: 'Net 60 Days', currency: 'USD',
    });
  });

  it('810 ITD terms: a discount alone (ITD03, ITD05), a discount and net days, net days alone, a description alone', async () => {
    const cases: [string, string][] = [
      ['ITD*08*3*2**10', '2% 10'],
      ['ITD*01*3*1.5**15**45', '1.5% 15, Net 45 Days'],
      ['ITD*01*3*****60', 'Net 60 Days'],
      ['ITD*01*3**********Due on receipt', 'Due on receipt'],
    ];
    for (const [i, [itd, terms]] of cases.entries()) {
      const po = `PO-X12-ITD-${i}`;
      await addPo(db, world.retailerA, world.suppliers.acushnet, po);
      const document = await post(interchange(210 + i, 'IN', [{ code: '810', segments: [
        `BIG*20261120*INV-ITD-${i}**${po}`, itd, 'IT1*1*2*EA*500**BP*TIT-GT2-9', 'TDS*100000', 'CTT*1',
      ] }]));
      expect(document.summary).toMatchObject({ applied: 1, rejected: 0 });
      const [invoice] = (await readV2(app, world.keys.a, po)).invoices;
      expect([itd, invoice.payment_terms]).toEqual([itd, terms]);
    }
  });

  it('a bad SE count: that set is rejected, the good one applies, and the 997 says so set by set', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-X12-SE-1');
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-X12-SE-2');
    const document = await post(interchange(204, 'SH', [
      { code: '856', segments: ship856('PO-X12-SE-1', 'SO-SE-1') },
      { code: '856', segments: ship856('PO-X12-SE-2', 'SO-SE-2'), seCount: 7 },
    ]));
    expect(document.status).toBe('processed');
    const bySet = document.results.filter((r: any) => r.po_number === 'PO-X12-SE-2');
    expect(bySet.every((r: any) => r.result === 'rejected')).toBe(true);
    expect(document.results.filter((r: any) => r.po_number === 'PO-X12-SE-1').every((r: any) => r.result === 'applied')).toBe(true);
    expect((await readV2(app, world.keys.a, 'PO-X12-SE-2')).fulfilled_items).toEqual([]);

    const segments = segmentsOf(await ack(document.document_id));
    expect(segments[0][0]).toBe('ISA');
    expect(segments.find((s) => s[0] === 'ST')?.[1]).toBe('997');
    expect(segments.find((s) => s[0] === 'AK1')?.slice(1, 3)).toEqual(['SH', '204']);
    const ak2 = segments.flatMap((s, i) => (s[0] === 'AK2' ? [i] : []));
    expect(ak2.map((i) => segments[i].slice(1, 3))).toEqual([['856', '0001'], ['856', '0002']]);
    const ak5 = segments.filter((s) => s[0] === 'AK5').map((s) => s[1]);
    expect(ak5).toEqual(['A', 'R']);
    const ak9 = segments.find((s) => s[0] === 'AK9')!;
    expect(ak9.slice(1, 5)).toEqual(['P', '2', '2', '1']);
    const se = segments.find((s) => s[0] === 'SE')!;
    const st = segments.findIndex((s) => s[0] === 'ST');
    expect(Number(se[1])).toBe(segments.findIndex((s) => s[0] === 'SE') - st + 1);
  });

  it('an 856 for a PO that does not exist yet is held, and applies when the PO is created', async () => {
    const document = await post(interchange(205, 'SH', [{ code: '856', segments: ship856('PO-X12-LATER', 'SO-LATER') }]));
    expect(document.summary.unmatched).toBeGreaterThan(0);
    const warehouse = await app.inject({ method: 'POST', url: '/api/v2/warehouses', headers: { 'x-api-key': world.keys.aAll },
      payload: { name: 'X12 stockroom' } });
    const created = await app.inject({
      method: 'POST', url: '/api/v2/purchase_orders', headers: { 'x-api-key': world.keys.aAll },
      payload: { po_number: 'PO-X12-LATER', supplier_id: world.suppliers.acushnet, warehouse_id: warehouse.json().warehouse_id,
        products: [{ sku: 'TIT-GT2-9', supplier_sku: 'AC-1', quantity: 2, cost: 500 }, { sku: 'TIT-PRO-V1', supplier_sku: 'AC-2', quantity: 5, cost: 50 }] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const record = await readV2(app, world.keys.a, 'PO-X12-LATER');
    expect(record.fulfilled_items.map((f: any) => f.tracking.tracking_number).sort()).toEqual([UPS_2, UPS_1].sort());
  });

  it('997 control numbers come from the retailer\'s own sequence', async () => {
    const first = await post(interchange(301, 'SH', [{ code: '856', segments: ship856('PO-X12-SEQ-1', 'SO-SEQ') }]));
    const second = await post(interchange(302, 'SH', [{ code: '856', segments: ship856('PO-X12-SEQ-2', 'SO-SEQ') }]));
    const isa13 = async (id: string) => Number(segmentsOf(await ack(id))[0][13]);
    const [a, b] = [await isa13(first.document_id), await isa13(second.document_id)];
    expect(b).toBe(a + 1);
    expect(first.acknowledgement).toBe(await ack(first.document_id));
  });

  it('the 997 ends its segments as the file does: "~" and LF, CR with an LF after it, "~" alone', async () => {
    const file = (control: number) => interchange(control, 'PR', [{ code: '855', segments: ['BAK*00*AC*PO-TERM-1*20261120****SO-T', 'PO1*1*2*EA*5**BP*TIT-GT2-9'] }]);
    const tilde = await post(file(7101));
    // CR is the segment terminator (the character after ISA16), the LF after it a line break between segments.
    const crlf = await post(file(7102).replaceAll('~\n', '\r\n'));
    const oneLine = await post(file(7103).replaceAll('~\n', '~'));
    for (const document of [tilde, crlf, oneLine]) expect(segmentsOf(await ack(document.document_id)).at(-2)?.[0]).toBe('GE');
    const tildeAck = await ack(tilde.document_id);
    expect(tildeAck).toMatch(/^ISA\*[^\r\n]{101}~\n(?:[^~\r\n]+~\n)+$/);
    expect(tildeAck).toContain('~\nAK5*A~\n');
    const crlfAck = await ack(crlf.document_id);
    expect(crlfAck).toMatch(/^ISA\*[^~\r\n]{101}\r\n(?:[^~\r\n]+\r\n)+$/);
    expect(crlfAck).toContain('\r\nAK5*A\r\n');
    expect(await ack(oneLine.document_id)).toMatch(/^ISA\*[^\r\n]+~$/);
  });
});

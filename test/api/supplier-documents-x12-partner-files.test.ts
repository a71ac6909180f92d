// X12 files as trading partners' translators write them, posted to POST /api/v2/supplier_documents on SQLite and
// PostgreSQL and read back through the read API, each case a fault found by an independent check (x12b):
// - control numbers are numbers: an ISA with trimmed fields (ISA13 `113`) closed by a padded IEA02 `000000113`,
//   and a GS06 `7` by GE02 `0007`, is read, where it was unreadable (422);
// - ITD terms: a net-days ITD07 that is no N0 1/3 (`20261231`, a date in the wrong element; `1000`), a sign in ITD07
//   or ITD05, or an ITD03 percent that is no number, is refused naming the element (AK4 ITD0n), where it was stored
//   as `Net 1000 Days`, `x% 10`, or refused naming BIG with a computed date (`"57500-04-03" is not a calendar date`);
//   a due date the invoice refuses (before the invoice date) names ITD06 / ITD07, not BIG;
// - an 810 billing several POs (an IT1 loop's REF PO naming another PO than BIG04): refused naming that REF02, where
//   its lines were billed to BIG04's PO (a part on both POs matched there); the PO in a heading REF PO when BIG04,
//   optional in X12, is empty: read, where the set was refused;
// - a LIN, PO1 or IT1 naming its item by several qualifiers (`VP*<supplier part>*UP*<upc>`, `BP*<buyer part the PO
//   does not hold>*UP*<upc>`) whose best id names no PO line while another does (a retailer keying lines by UPC):
//   matched by that other id, where the set was refused (`SKU "ACME-BALLS" is not on PO`); two lines naming one PO
//   line by different ids are refused rather than counted twice;
// - an update field the PO or the parser refuses names the element it came from: an 810's tax (TXI02) or freight
//   (SAC05) that its currency cannot hold (`TXI*ST*4.79` on a JPY invoice), an 856's REF VN, where the 997 named
//   the BIG or the HL with no AK4 (`BIG (segment 2): must have at most 0 decimals (JPY)`).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { addPo, openDocumentWorld, postDocument, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';
import { segmentsOf } from '../ingest/x12/read.ts';

const databases = TestDatabases.create();
const UPS_1 = '1Z999AA10123456784';
const GS01: Record<string, string> = { 855: 'PR', 856: 'SH', 810: 'IN' };

/** One interchange (ISA13 = `control`) holding one set of `code`, SE and GE counts computed; `~` and CR LF. */
function interchange(control: number, code: string, segments: string[]): string {
  const isa13 = String(control).padStart(9, '0');
  const all = [`ST*${code}*0001`, ...segments];
  return `ISA*00*          *00*          *ZZ*PINGSUPPLY     *ZZ*ACMEGOLF       *261120*1504*U*00401*${isa13}*0*P*>~\r\n` +
    `GS*${GS01[code]}*PINGSUPPLY*ACMEGOLF*20261120*1504*${control}*X*004010~\r\n${[...all, `SE*${all.length + 1}*0001`].join('~\r\n')}~\r\n` +
    `GE*1*${control}~\r\nIEA*1*${isa13}~\r\n`;
}

/** The 997's AK3, AK4 and AK5 segments, as `AK4*7*386*5*1000` strings. */
const faultLines = (ack: string) => segmentsOf(ack).filter((s) => /^AK[3459]$/.test(s[0])).map((s) => s.join('*'));

describe.each(databases.eachSupportedId())('X12 files as trading partners write them on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;
  let control = 5100;

  const post = async (text: string) => {
    const response = await postDocument(app, writeKey, text, { contentType: 'application/edi-x12' });
    expect(response.statusCode, response.body).toBe(201);
    const document = response.json();
    return { results: document.results.map((r: any) => [r.result, r.reason]), ak: faultLines(document.acknowledgement) };
  };
  const postSet = (code: string, segments: string[]) => post(interchange(control++, code, segments));
  const addAcushnetPo = (po: string) => addPo(db, world.retailerA, world.suppliers.acushnet, po);
  const v2 = (po: string) => readV2(app, world.keys.a, po);

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('an ISA with trimmed fields (ISA13 "113") and a padded IEA02, GE02 "0113" for GS06 "113": read and applied', async () => {
    await addAcushnetPo('PO-PF-ISA');
    const text = ['ISA*00**00**ZZ*PINGSUPPLY*ZZ*ACMEGOLF*261120*1504*U*00401*113*0*P*>', 'GS*SH*PINGSUPPLY*ACMEGOLF*20261120*1504*113*X*004010',
      'ST*856*0001', 'BSN*00*SHP-ISA*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', 'PRF*PO-PF-ISA', 'HL*3*2*P', `MAN*CP*${UPS_1}`,
      'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**2*EA', 'SE*12*0001', 'GE*1*0113', 'IEA*1*000000113'].join('~\n') + '~\n';
    const { results, ak } = await post(text);
    expect(results).toEqual([['applied', null]]);
    expect(ak).toEqual(['AK5*A', 'AK9*A*1*1*1']);
    expect((await v2('PO-PF-ISA')).fulfilled_items.map((f: any) => [f.quantity, f.tracking.tracking_number])).toEqual([[2, UPS_1]]);
  });

  describe('810 ITD terms are checked as what they become (terms, due date)', () => {
    const invoiceWith = (po: string, itd: string) => [`BIG*20261120*INV-${po}**${po}`, itd, 'IT1*1*2*EA*500**BP*TIT-GT2-9', 'TDS*100000'];

    it.each([
      ['a date in ITD07 (net days, N0 1/3)', 'ITD*01*3*****20261231', 'ITD07 (segment 3) "20261231" is too long (at most 3 characters)', 'AK4*7*386*5*20261231'],
      ['1000 net days', 'ITD*01*3*****1000', 'ITD07 (segment 3) "1000" is too long (at most 3 characters)', 'AK4*7*386*5*1000'],
      ['a discount percent that is no number', 'ITD*01*3*x**10**30', 'ITD03 (segment 3) "x" is not a number', 'AK4*3*338*6*x'],
      ['discount days that are no number', 'ITD*01*3*2**ten**30', 'ITD05 (segment 3) "ten" is not a number', 'AK4*5*351*6*ten'],
      ['negative net days', 'ITD*01*3*****-10', 'ITD07 "-10" is negative: the net days of payment terms are 0 or more', 'AK4*7*386*6*-10'],
      ['negative discount days', 'ITD*01*3*2**-5**30', 'ITD05 "-5" is negative: the discount days of payment terms are 0 or more', 'AK4*5*351*6*-5'],
    ])('%s: refused naming the element, nothing stored', async (_, itd, reason, ak4) => {
      const po = `PO-PF-ITD-${control}`;
      await addAcushnetPo(po);
      const before = await tableCounts(db);
      const { results, ak } = await postSet('810', invoiceWith(po, itd));
      expect(results).toEqual([['rejected', `ST 0001 (810) rejected: ${reason}`]]);
      expect(ak).toEqual(['AK3*ITD*3**8', ak4, 'AK5*R*5', 'AK9*R*1*1*0']);
      expect((await tableCounts(db)).invoices).toBe(before.invoices);
      expect((await v2(po)).invoices).toEqual([]);
    });

    it('a due date before the invoice date names the ITD element it came from (ITD06 or ITD07), not BIG', async () => {
      await addAcushnetPo('PO-PF-DUE');
      const { results, ak } = await postSet('810', invoiceWith('PO-PF-DUE', 'ITD*01*3****20261101*30'));
      expect(results).toEqual([['rejected', 'ST 0001 (810) rejected: ITD06 "20261101": must not be before invoice_date']]);
      expect(ak).toEqual(['AK3*ITD*3**8', 'AK4*6*446*7*20261101', 'AK5*R*5', 'AK9*R*1*1*0']);
    });

    it('sound terms still read: 2% 10, Net 30 Days, due 30 days after the invoice date', async () => {
      await addAcushnetPo('PO-PF-TERMS');
      const { results } = await postSet('810', invoiceWith('PO-PF-TERMS', 'ITD*01*3*2**10**30'));
      expect(results).toEqual([['applied', null]]);
      expect((await v2('PO-PF-TERMS')).invoices.map((i: any) => [i.payment_terms, i.due_date.slice(0, 10)])).toEqual([['2% 10, Net 30 Days', '2026-12-20']]);
    });
  });

  describe('810: one invoice, one PO', () => {
    it('an IT1 line naming another PO (REF*PO in its loop) refuses the set naming that REF02: nothing billed to either PO', async () => {
      await addAcushnetPo('PO-PF-CONS-A');
      await addAcushnetPo('PO-PF-CONS-B');
      const before = await tableCounts(db);
      const { results, ak } = await postSet('810', ['BIG*20261120*INV-CONS**PO-PF-CONS-A', 'IT1*1*2*EA*500**BP*TIT-GT2-9', 'REF*PO*PO-PF-CONS-A',
        'IT1*2*5*EA*50**BP*TIT-PRO-V1', 'REF*PO*PO-PF-CONS-B', 'TDS*125000']);
      expect(results).toEqual([['rejected', 'ST 0001 (810) rejected: REF02 "PO-PF-CONS-B" (REF PO of IT1 2) names another PO than the ' +
        "invoice's PO-PF-CONS-A (BIG04): an invoice is recorded against one PO; send one 810 per PO"]]);
      expect(ak).toEqual(['AK3*REF*6*IT1*8', 'AK4*2*127*7*PO-PF-CONS-B', 'AK5*R*5', 'AK9*R*1*1*0']);
      expect((await tableCounts(db)).invoices).toBe(before.invoices);
      expect((await v2('PO-PF-CONS-A')).invoices).toEqual([]);
    });

    it('BIG04 empty and the PO in the heading REF*PO: the invoice is recorded against that PO', async () => {
      await addAcushnetPo('PO-PF-REFPO');
      const { results } = await postSet('810', ['BIG*20261120*INV-REFPO*20261101', 'REF*PO*PO-PF-REFPO', 'IT1*1*2*EA*500**BP*TIT-GT2-9', 'TDS*100000']);
      expect(results).toEqual([['applied', null]]);
      expect((await v2('PO-PF-REFPO')).invoices.map((i: any) => [i.invoice_number, i.total_amount])).toEqual([['INV-REFPO', 1000]]);
    });

    it('BIG04 and a heading REF*PO naming two POs: refused naming the REF02', async () => {
      await addAcushnetPo('PO-PF-TWO');
      const { results, ak } = await postSet('810', ['BIG*20261120*INV-TWO**PO-PF-TWO', 'REF*PO*PO-PF-OTHER', 'IT1*1*2*EA*500**BP*TIT-GT2-9', 'TDS*100000']);
      expect(results).toEqual([['rejected', 'ST 0001 (810) rejected: REF02 "PO-PF-OTHER" (the heading\'s REF PO) names another PO than the ' +
        "invoice's PO-PF-TWO (BIG04): an invoice is recorded against one PO; send one 810 per PO"]]);
      expect(ak).toEqual(['AK3*REF*3**8', 'AK4*2*127*7*PO-PF-OTHER', 'AK5*R*5', 'AK9*R*1*1*0']);
    });
  });
  describe('a line named by several part ids: the first that names a PO line is the line', () => {
    const UPC_LINES = [
      { product_name: 'Driver', sku: 'TIT-GT2-9', supplier_sku: 'VN-GT2', quantity: 2, unit_cost_cents: 50000, status: 'submitted' },
      { product_name: 'Balls', sku: '012345678905', quantity: 12, unit_cost_cents: 5000, status: 'submitted' },
    ];
    const addUpcPo = (po: string) => addPo(db, world.retailerA, world.suppliers.acushnet, po, UPC_LINES);
    const shipLin = (po: string, ...items: [string, number][]) => ['BSN*00*SHP-LIN*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', `PRF*${po}`,
      'HL*3*2*P', `MAN*CP*${UPS_1}`, ...items.flatMap(([lin, n], i) => [`HL*${4 + i}*3*I`, `LIN**${lin}`, `SN1**${n}*EA`])];
    const shipped = async (po: string) => (await v2(po)).fulfilled_items.map((f: any) => [f.product_name, f.quantity]);

    it.each([
      ['856 LIN VP (the supplier\'s part, not on the PO) then UP (the PO line\'s sku)', 'VP*ACME-BALLS*UP*012345678905'],
      ['856 LIN BP (a buyer part the PO does not hold) then UP', 'BP*BUYER-99*UP*012345678905'],
    ])('%s: shipped', async (_, lin) => {
      const po = `PO-PF-LIN-${control}`;
      await addUpcPo(po);
      const { results, ak } = await postSet('856', shipLin(po, [lin, 12]));
      expect(results).toEqual([['applied', null]]);
      expect(ak).toEqual(['AK5*A', 'AK9*A*1*1*1']);
      expect(await shipped(po)).toEqual([['Balls', 12]]);
    });

    it('855 PO1 BP (unknown) then UP: the line is confirmed', async () => {
      await addUpcPo('PO-PF-PO1');
      const { results } = await postSet('855', ['BAK*00*AC*PO-PF-PO1*20261118****SO-PF-PO1', 'PO1*1*12*EA*50**BP*BUYER-99*UP*012345678905',
        'ACK*IA*12*EA']);
      expect(results).toEqual([['applied', null]]);
      expect((await v2('PO-PF-PO1')).items.map((i: any) => [i.product_name, i.status])).toEqual([['Driver', 'submitted'], ['Balls', 'confirmed']]);
    });

    it('810 IT1 VP (unknown) then UP: the line is billed', async () => {
      await addUpcPo('PO-PF-IT1');
      const { results } = await postSet('810', ['BIG*20261120*INV-PF-IT1**PO-PF-IT1', 'IT1*1*12*EA*50**VP*ACME-BALLS*UP*012345678905', 'TDS*60000']);
      expect(results).toEqual([['applied', null]]);
      expect((await v2('PO-PF-IT1')).invoices.map((i: any) => [i.invoice_number, i.total_amount])).toEqual([['INV-PF-IT1', 600]]);
    });

    it('no id names a PO line: refused naming the best and listing the others', async () => {
      await addUpcPo('PO-PF-NONE');
      const { results, ak } = await postSet('856', shipLin('PO-PF-NONE', ['BP*NOPE-1*UP*999999999999*VP*NOPE-2', 2]));
      expect(results).toEqual([['rejected', 'ST 0001 (856) rejected: LIN03 "NOPE-1" (HL 4): SKU "NOPE-1" is not on PO PO-PF-NONE, ' +
        'nor are the line\'s other part ids ("NOPE-2", "999999999999").']]);
      expect(ak).toEqual(['AK3*LIN*10*HL*8', 'AK4*3*234*7*NOPE-1', 'AK5*R*5', 'AK9*R*1*1*0']);
    });

    it('two items naming one PO line by different ids (sku, supplier part): refused, not shipped twice over', async () => {
      await addUpcPo('PO-PF-TWICE');
      const before = await tableCounts(db);
      const { results } = await postSet('856', shipLin('PO-PF-TWICE', ['BP*TIT-GT2-9', 2], ['VN*VN-GT2', 2]));
      expect(results).toEqual([['rejected', 'ST 0001 (856) rejected: LIN03 "VN-GT2" (HL 5): "VN-GT2" names the same PO line as lines[0] ' +
        '("TIT-GT2-9"): list each line once.']]);
      expect((await tableCounts(db)).shipment_lines).toBe(before.shipment_lines);
      expect(await shipped('PO-PF-TWICE')).toEqual([]);
    });

    it('the JSON API too: one update naming one PO line by its sku and by its supplier_sku is rejected, nothing shipped twice over', async () => {
      await addUpcPo('PO-PF-JSON-TWICE');
      const response = await app.inject({ method: 'POST', url: '/api/v2/supplier_updates', headers: { 'x-api-key': world.keys.aAll }, payload: {
        updates: [{ type: 'shipment', po_number: 'PO-PF-JSON-TWICE', tracking_number: UPS_1,
          lines: [{ sku: 'TIT-GT2-9', quantity: 2 }, { sku: 'VN-GT2', quantity: 2 }] }],
      } });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().results).toEqual([{ index: 0, result: 'rejected',
        reason: '"VN-GT2" names the same PO line as lines[0] ("TIT-GT2-9"): list each line once.' }]);
      expect(await shipped('PO-PF-JSON-TWICE')).toEqual([]);
    });

    it('a set held for a PO not there yet keeps its other part ids: applied by the UPC when the PO is created', async () => {
      const { results } = await postSet('856', shipLin('PO-PF-LATER', ['VP*ACME-BALLS*UP*012345678905', 12]));
      expect(results).toEqual([['unmatched', 'No purchase order PO-PF-LATER yet; the update is held and applied when it appears.']]);
      const headers = { 'x-api-key': world.keys.aAll };
      const warehouse = await app.inject({ method: 'POST', url: '/api/v2/warehouses', headers, payload: { name: `Partner files ${databaseId}` } });
      expect(warehouse.statusCode, warehouse.body).toBe(201);
      const created = await app.inject({ method: 'POST', url: '/api/v2/purchase_orders', headers, payload: {
        po_number: 'PO-PF-LATER', supplier_id: world.suppliers.acushnet, warehouse_id: warehouse.json().warehouse_id,
        products: [{ sku: 'TIT-GT2-9', quantity: 2, cost: 500 }, { sku: '012345678905', quantity: 12, cost: 50 }],
      } });
      expect(created.statusCode, created.body).toBe(201);
      expect((await v2('PO-PF-LATER')).fulfilled_items.map((f: any) => [f.product_details?.sku ?? f.product_name, f.quantity])).toEqual([[expect.any(String), 12]]);
    });
  });
  describe('a refused field names the element it came from', () => {
    it.each([
      ['TXI02 tax', ['TXI*ST*4.79'], 'TDS*100479', 'TXI02 "4.79": must have at most 0 decimals (JPY)', ['AK3*TXI*5*IT1*8', 'AK4*2*782*7*4.79']],
      ['SAC05 freight', ['SAC*C*D240***1250'], 'TDS*101250', 'SAC05 "1250": must have at most 0 decimals (JPY)', ['AK3*SAC*5*SAC*8', 'AK4*5*610*7*1250']],
    ])('an 810 in JPY with %s in hundredths: refused naming it', async (_, charge, tds, reason, ak34) => {
      const po = `PO-PF-JPY-${control}`;
      await addAcushnetPo(po);
      const { results, ak } = await postSet('810', [`BIG*20261120*INV-${po}**${po}`, 'CUR*SE*JPY', 'IT1*1*2*EA*500**BP*TIT-GT2-9', ...charge, tds]);
      expect(results).toEqual([['rejected', `ST 0001 (810) rejected: ${reason}`]]);
      expect(ak).toEqual([...ak34, 'AK5*R*5', 'AK9*R*1*1*0']);
      expect((await v2(po)).invoices).toEqual([]);
    });

    it('an 856 REF VN too long for a supplier order id names REF02', async () => {
      await addAcushnetPo('PO-PF-VN');
      const long = 'V'.repeat(101);
      const { results, ak } = await postSet('856', ['BSN*00*SHP-VN*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', 'PRF*PO-PF-VN', `REF*VN*${long}`,
        'HL*3*2*P', `MAN*CP*${UPS_1}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**2*EA']);
      expect(results).toEqual([['rejected', expect.stringMatching(/^ST 0001 \(856\) rejected: REF02 "V{101}": /)]]);
      expect(ak.slice(0, 1)).toEqual(['AK3*REF*7*HL*8']);
    });
  });
});

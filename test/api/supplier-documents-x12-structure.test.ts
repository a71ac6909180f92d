// X12 structure rules through POST /api/v2/supplier_documents, on SQLite and PostgreSQL (issue 7, fresh-user report
// items 2, 4, 7, 12, 13): the 856 HL hierarchy (unique HL01, HL02 naming an earlier level of a plausible kind) as a
// syntax error of the set; MAN04/MAN05 and SSCC-18 marks; received 997s never acknowledged and ST01 checked against
// GS01; an ISA with the wrong number of elements said on its own line; test interchanges (ISA15 T) checked and
// acknowledged but not applied.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { addPo, openDocumentWorld, postDocument, postX12, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';
import { segmentsOf } from '../ingest/x12/read.ts';

const databases = TestDatabases.create();
const UPS = '1Z999AA10123457091';
const SSCC = '00000123450000000032';

interface Group { gs01: string; sets: { code: string; segments: string[] }[] }

/** One interchange (ISA13 = `control`, ISA15 = `usage`) around `groups`; SE and GE counts computed. */
function interchange(control: number, groups: Group[], usage = 'P'): string {
  const isa13 = String(control).padStart(9, '0');
  const body = groups.map((group, g) => {
    const gs06 = control * 10 + g;
    const sets = group.sets.map((set, i) => {
      const st = String(i + 1).padStart(4, '0');
      const segments = [`ST*${set.code}*${st}`, ...set.segments];
      return [...segments, `SE*${segments.length + 1}*${st}`].join('~\n');
    });
    return [`GS*${group.gs01}*ACUSHNET*ACMEGOLF*20261120*1504*${gs06}*X*004010`, ...sets, `GE*${group.sets.length}*${gs06}`].join('~\n');
  });
  return `ISA*00*          *00*          *ZZ*ACUSHNET       *ZZ*ACMEGOLF       *261120*1504*U*00401*${isa13}*0*${usage}*>~\n` +
    `${body.join('~\n')}~\nIEA*${groups.length}*${isa13}~\n`;
}
const sh = (...sets: string[][]): Group[] => [{ gs01: 'SH', sets: sets.map((segments) => ({ code: '856', segments })) }];

/** An 856 for `po` whose HL segments are `levels` (each followed by its own segments). */
const ship = (po: string, levels: string[]) => ['BSN*00*SHP-1*20261120*1504', ...levels.map((l) => l.replace('{PO}', po))];
const ORDER = ['PRF*{PO}', 'REF*VN*SO-1'];
const ITEM = ['LIN**BP*TIT-GT2-9', 'SN1**1*EA'];

/** The 997's AK segments from AK2 on, as `AK2*856*0001` strings. */
const akLines = (ack: string) => segmentsOf(ack).filter((s) => /^AK[1-9]$/.test(s[0])).map((s) => s.join('*'));

describe.each(databases.eachSupportedId())('X12 structure rules on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;

  const post = (body: string) => postX12(app, writeKey, body);
  const tracking = async (po: string) => (await readV2(app, world.keys.a, po)).fulfilled_items
    .map((f: any) => [f.tracking.tracking_number, f.tracking.carrier, f.quantity]);

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('856 HL hierarchy (HL01 unique, HL02 an earlier level of a plausible kind)', () => {
    it('a pack naming its order before the order came (c20): AK3/AK4 on HL02, AK5 R, nothing written', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-HL-ORDER');
      const before = await tableCounts(db);
      const document = await post(interchange(701, sh(ship('PO-HL-ORDER', [
        'HL*1**S', 'TD5**2*FDEG', 'HL*3*2*P', 'MAN*GM*123456789012', 'HL*2*1*O', ...ORDER, 'HL*4*3*I', ...ITEM,
      ]))));
      expect(document.results.map((r: any) => [r.source, r.result, r.reason])).toEqual([
        ['ST 0001 (856)', 'rejected', 'ST 0001 (856) rejected: HL02 "2" (segment 5): HL 3 names parent 2, which is not an HL before it (a parent level comes before its children)'],
      ]);
      expect(akLines(document.acknowledgement)).toEqual(['AK1*SH*7010', 'AK2*856*0001', 'AK3*HL*5*HL*8', 'AK4*2*734*7*2', 'AK5*R*5', 'AK9*R*1*1*0']);
      const after = await tableCounts(db);
      expect([after.shipments, after.shipment_lines]).toEqual([before.shipments, before.shipment_lines]);
      expect(await tracking('PO-HL-ORDER')).toEqual([]);
    });

    it('a dangling parent (HL*2*9*O), a duplicate HL01, an order under an item, an item with no parent', async () => {
      const shapes: [string[], string, string][] = [
        [['HL*1**S', 'REF*CN*1Z999AA10123456784', 'HL*2*9*O', ...ORDER, 'HL*3*2*I', ...ITEM],
          'AK4*2*734*7*9', 'HL02 "9" (segment 5): HL 2 names parent 9, which is not an HL before it (a parent level comes before its children)'],
        [['HL*1**S', 'HL*2*1*O', ...ORDER, 'HL*2*2*P', 'MAN*CP*1Z999AA10123456784', 'HL*3*2*I', ...ITEM],
          'AK4*1*628*7*2', 'HL01 "2" (segment 7) is used twice in the set (each HL01 names one level)'],
        [['HL*1**S', 'REF*CN*1Z999AA10123456784', 'HL*2*1*I', ...ITEM, 'HL*3*2*O', ...ORDER],
          'AK4*2*734*7*2', 'HL02 "2" (segment 8): HL 3, level order (O), cannot be under HL 2, level item (I) (only under shipment (S) or tare (T) or pack (P))'],
        [['HL*1**S', 'HL*2*1*O', ...ORDER, 'REF*CN*1Z999AA10123456784', 'HL*3**I', ...ITEM],
          'AK4*2*734*1', 'HL02 (segment 8) is missing: HL 3, level item (I), must be under level shipment (S) or order (O) or tare (T) or pack (P) or subpack (Q) or item (I)'],
      ];
      for (const [i, [levels, ak4, reason]] of shapes.entries()) {
        const document = await post(interchange(710 + i, sh(ship(`PO-HL-${i}`, levels))));
        expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['rejected', `ST 0001 (856) rejected: ${reason}`]]);
        const lines = akLines(document.acknowledgement);
        expect(lines).toContain(ak4);
        expect(lines.filter((l) => l.startsWith('AK3') || l.startsWith('AK5'))).toEqual([expect.stringMatching(/^AK3\*HL\*\d+\*HL\*8$/), 'AK5*R*5']);
      }
    });

    it('plausible trees apply: pick-pack with a tare (S/O/T/P/I) and standard pack (S/O/I)', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-HL-TARE');
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-HL-SOI');
      const document = await post(interchange(720, sh(
        ship('PO-HL-TARE', ['HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', ...ORDER, 'HL*3*2*T', `MAN*GM*${SSCC}`, 'HL*4*3*P',
          'MAN*CP*1Z999AA10123456784', 'HL*5*4*I', ...ITEM]),
        ship('PO-HL-SOI', ['HL*1**S', 'TD5**2*UPSN', 'REF*CN*1Z12345E0205271688', 'HL*2*1*O', ...ORDER, 'HL*3*2*I', ...ITEM]),
      )));
      expect(document.results.map((r: any) => r.result)).toEqual(['applied', 'applied']);
      expect(akLines(document.acknowledgement)).toEqual(['AK1*SH*7200', 'AK2*856*0001', 'AK5*A', 'AK2*856*0002', 'AK5*A', 'AK9*A*2*2*2']);
      expect(await tracking('PO-HL-TARE')).toEqual([['1Z999AA10123456784', 'ups', 1]]);
      expect(await tracking('PO-HL-SOI')).toEqual([['1Z12345E0205271688', 'ups', 1]]);
    });
  });

  describe('MAN marks: MAN01/MAN02 and MAN04/MAN05, SSCC-18 never a tracking number', () => {
    it('MAN*GM*<SSCC>**CP*<1Z> (c72): the 1Z number, carrier ups', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-MAN-0405');
      const document = await post(interchange(730, sh(ship('PO-MAN-0405', [
        'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', ...ORDER, 'HL*3*2*P', `MAN*GM*${SSCC}**CP*${UPS}`, 'HL*4*3*I', ...ITEM,
      ]))));
      expect(document.results.map((r: any) => r.result)).toEqual(['applied']);
      expect(await tracking('PO-MAN-0405')).toEqual([[UPS, 'ups', 1]]);
    });

    it('separate MAN segments, SSCC first (c71): the CP number', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-MAN-SEP');
      await post(interchange(731, sh(ship('PO-MAN-SEP', [
        'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', ...ORDER, 'HL*3*2*P', 'MAN*GM*00000123450000000018', 'MAN*CP*1Z999AA10123457079', 'HL*4*3*I', ...ITEM,
      ]))));
      expect(await tracking('PO-MAN-SEP')).toEqual([['1Z999AA10123457079', 'ups', 1]]);
    });

    it('the carrier number in MAN03/MAN04 (MAN*GM*<SSCC>*CP*<1Z>, c71): MAN04 is no qualifier, the set is rejected', async () => {
      const document = await post(interchange(732, sh(ship('PO-MAN-03', [
        'HL*1**S', 'HL*2*1*O', ...ORDER, 'HL*3*2*P', 'MAN*GM*00000123450000000025*CP*1Z999AA10123457080', 'HL*4*3*I', ...ITEM,
      ]))));
      expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([
        ['rejected', 'ST 0001 (856) rejected: MAN04 (segment 8) "1Z999AA10123457080" is too long (at most 2 characters)'],
      ]);
      expect(akLines(document.acknowledgement)).toEqual(expect.arrayContaining(['AK3*MAN*8*HL*8', 'AK4*4*88*5*1Z999AA10123457080', 'AK4*5*87*2', 'AK5*R*5']));
    });

    it('a pack with an SSCC only: the shipment\'s REF CN; without one, rejected saying the SSCC names the carton', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-MAN-CN');
      const withCn = await post(interchange(733, sh(ship('PO-MAN-CN', [
        'HL*1**S', 'TD5**2*UPSN', 'REF*CN*1Z12345E0205271688', 'HL*2*1*O', ...ORDER, 'HL*3*2*P', `MAN*GM*${SSCC}`, 'HL*4*3*I', ...ITEM,
      ]))));
      expect(withCn.results.map((r: any) => r.result)).toEqual(['applied']);
      expect(await tracking('PO-MAN-CN')).toEqual([['1Z12345E0205271688', 'ups', 1]]);

      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-MAN-SSCC');
      for (const [i, sscc] of [SSCC, '000012345000000049'].entries()) {
        const document = await post(interchange(734 + i, sh(ship('PO-MAN-SSCC', [
          'HL*1**S', 'HL*2*1*O', ...ORDER, 'HL*3*2*P', `MAN*GM*${sscc}`, 'HL*4*3*I', ...ITEM,
        ]))));
        // The set is refused whole, and the 997 says so (AK5 R: the supplier is to resend it with a tracking number).
        expect(akLines(document.acknowledgement)).toEqual(expect.arrayContaining(['AK2*856*0001', 'AK5*R*5']));
        expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['rejected',
          'ST 0001 (856) rejected: HL 4 (I), PO PO-MAN-SSCC: no tracking number (MAN*CP or MAN*GM or REF*2I on its pack, REF*2I or REF*CN on its order or shipment); ' +
          `MAN02 "${sscc}" is an SSCC-18, which names the carton, not the carrier's parcel`]]);
        // AK3 on the pack's MAN (segment 8), AK4 MAN02 (87) code 7 with the SSCC copied.
        expect(akLines(document.acknowledgement)).toEqual(['AK1*SH*' + String((734 + i) * 10), 'AK2*856*0001', 'AK3*MAN*8*HL*8',
          `AK4*2*87*7*${sscc}`, 'AK5*R*5', 'AK9*R*1*1*0']);
      }
      expect(await tracking('PO-MAN-SSCC')).toEqual([]);
    });

    it('a GM mark that is no SSCC (a carrier\'s number) is still the tracking number', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-MAN-GM');
      await post(interchange(736, sh(ship('PO-MAN-GM', ['HL*1**S', 'HL*2*1*O', ...ORDER, 'HL*3*2*P', 'MAN*GM*123456789012', 'HL*4*3*I', ...ITEM]))));
      expect(await tracking('PO-MAN-GM')).toEqual([['123456789012', 'fedex', 1]]);
    });
  });

  describe('997s received and group/set agreement (GS01 ↔ ST01)', () => {
    const bak = (po: string) => [`BAK*00*AC*${po}*20261120****SO-G`, 'PO1*1*2*EA*500**BP*TIT-GT2-9', 'ACK*IA*2*EA'];
    const received997 = ['AK1*PO*5', 'AK9*A*1*1*1'];

    it('a PR group holding an 856, a 997, an 850 and an 855 (c60): no AK2 for the 997, AK5 R 6 for the 856, R 1 6 for the 850', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-GS-PR');
      const document = await post(interchange(740, [{ gs01: 'PR', sets: [
        { code: '856', segments: ship('PO-GS-PR', ['HL*1**S', 'REF*CN*1Z999AA10123456784', 'HL*2*1*O', ...ORDER]) },
        { code: '997', segments: received997 },
        { code: '850', segments: ['BEG*00*SA*PO-GS-PR**20261120'] },
        { code: '855', segments: bak('PO-GS-PR') },
      ] }]));
      expect(document.results.map((r: any) => [r.source, r.result, r.reason])).toEqual([
        ['ST 0001 (856)', 'rejected', 'ST 0001 (856) rejected: ST01 "856" does not belong in a GS01 "PR" group (it holds 855 sets)'],
        // Every fault of a set is told: neither is a set we read, nor belongs in a PR group.
        ['ST 0002 (997)', 'rejected', 'ST 0002 (997) rejected: ST01 "997": a functional acknowledgement carries no update, and is never acknowledged (no AK2 answers it); ' +
          'ST01 "997" does not belong in a GS01 "PR" group (it holds 855 sets)'],
        ['ST 0003 (850)', 'rejected', 'ST 0003 (850) rejected: ST01 "850" is not a set OrderSync reads (855, 856, 810); ST01 "850" does not belong in a GS01 "PR" group (it holds 855 sets)'],
        ['ST 0004 (855)', 'applied', null],
      ]);
      // AK903 counts the 997 as received (GE01 did), AK904 not as accepted.
      expect(akLines(document.acknowledgement)).toEqual([
        'AK1*PR*7400', 'AK2*856*0001', 'AK5*R*6', 'AK2*850*0003', 'AK5*R*1*6', 'AK2*855*0004', 'AK5*A', 'AK9*P*4*4*1',
      ]);
      expect(await tracking('PO-GS-PR')).toEqual([]);
    });

    it('a group of 997s gets no 997 set; a file of nothing but 997s gets no 997 at all (acknowledgement null, GET …/acknowledgement 404)', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-GS-FA');
      const mixed = await post(interchange(750, [
        { gs01: 'FA', sets: [{ code: '997', segments: received997 }] },
        { gs01: 'PR', sets: [{ code: '997', segments: received997 }, { code: '997', segments: received997 }] },
        { gs01: 'PR', sets: [{ code: '855', segments: bak('PO-GS-FA') }] },
      ]));
      expect(akLines(mixed.acknowledgement)).toEqual(['AK1*PR*7502', 'AK2*855*0001', 'AK5*A', 'AK9*A*1*1*1']);

      const only = await post(interchange(751, [{ gs01: 'FA', sets: [{ code: '997', segments: received997 }] }]));
      expect(only).toMatchObject({ status: 'processed', acknowledgement: null, summary: { applied: 0, rejected: 1 } });
      const response = await app.inject({ method: 'GET', url: `/api/v2/supplier_documents/${only.document_id}/acknowledgement`,
        headers: { 'x-api-key': world.keys.a } });
      expect(response.statusCode).toBe(404);
      expect(response.json().message).toMatch(/holds only functional acknowledgements \(997\), and an acknowledgement is never acknowledged/);
    });

    it('a group OrderSync does not read (GS01 PO: 850 orders): AK9 R with code 1, every set rejected', async () => {
      const document = await post(interchange(760, [{ gs01: 'PO', sets: [{ code: '850', segments: ['BEG*00*SA*PO-GS-PO**20261120'] }] }]));
      expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([
        ['rejected', 'ST 0001 (850) rejected: GS01 "PO" is not a functional group OrderSync reads (SH 856 ship notices, PR 855 acknowledgements, IN 810 invoices)'],
      ]);
      expect(akLines(document.acknowledgement)).toEqual(['AK1*PO*7600', 'AK2*850*0001', 'AK5*R*1', 'AK9*R*1*1*0*1']);
    });
  });

  describe('ISA', () => {
    it('15 elements (c97) and 17 elements: 422, said on line 1, naming the count', async () => {
      const isa15 = interchange(770, [{ gs01: 'PR', sets: [] }]).replace('*P*>~', '*P~');
      const isa17 = interchange(771, [{ gs01: 'PR', sets: [] }]).replace('*P*>~', '*P*>*EXTRA~');
      for (const [text, count, column] of [[isa15, 15, 104], [isa17, 17, 112]] as const) {
        const response = await postDocument(app, writeKey, text, { contentType: 'application/edi-x12' });
        expect(response.statusCode).toBe(422);
        expect(response.json().message).toContain(
          `line 1, column ${column}: ISA has ${count} elements; 16 expected (ISA16 the component separator, then the segment terminator)`);
      }
    });

    it('ISA15 T (c90) and I: checked and acknowledged (ISA15 T in the 997 too), never applied', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-ISA-TEST');
      const set = { code: '855', segments: ['BAK*00*AC*PO-ISA-TEST*20261120****SO-T', 'PO1*1*2*EA*500**BP*TIT-GT2-9', 'ACK*IA*2*EA'] };
      for (const [i, usage, words] of [[0, 'T', 'test'], [1, 'I', 'information']] as const) {
        const document = await post(interchange(780 + i, [{ gs01: 'PR', sets: [set] }], usage));
        expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([
          ['rejected', `${words} interchange (ISA15 = ${usage}): checked and acknowledged, not applied`],
        ]);
        expect(segmentsOf(document.acknowledgement)[0][15]).toBe(usage);
        expect(akLines(document.acknowledgement)).toEqual([`AK1*PR*${(780 + i) * 10}`, 'AK2*855*0001', 'AK5*A', 'AK9*A*1*1*1']);
      }
      // A set its mapper refuses is answered R in a test interchange too: that is what a partner testing its map needs.
      const refused = await post(interchange(790, sh(ship('PO-ISA-TEST', [
        'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', ...ORDER, 'HL*3*2*P', 'MAN*CP*1Z999AA10123456784', 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**-3*EA',
      ])), 'T'));
      expect(refused.results.map((r: any) => r.result)).toEqual(['rejected']);
      expect(refused.results[0].reason).toContain('SN102');
      expect(akLines(refused.acknowledgement)).toEqual(expect.arrayContaining(['AK2*856*0001', 'AK5*R*5', 'AK9*R*1*1*0']));
      const line = (await readV2(app, world.keys.a, 'PO-ISA-TEST')).items.find((l: any) => l.product_details.sku === 'TIT-GT2-9');
      expect(line.supplier_order_id ?? null).toBeNull();
      expect(line.status).not.toBe('confirmed');
    });

    it('an ISA15 that is no usage indicator: 422 naming ISA15', async () => {
      const text = interchange(790, [{ gs01: 'PR', sets: [] }]).replace('*0*P*>~', '*0*X*>~');
      const response = await postDocument(app, writeKey, text, { contentType: 'application/edi-x12' });
      expect(response.statusCode).toBe(422);
      expect(response.json().message).toContain('line 1, column 103: ISA15 "X" is not a usage indicator (P production, T test, I information)');
    });
  });
});

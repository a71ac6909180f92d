// Every X12 set OrderSync refuses for its content is answered AK5 R 5 after an AK3 naming the segment and, when one
// element is at fault, an AK4 naming it (DESIGN 3, "Supplier documents"; fresh-user retest items 3–7, 10a, 10c),
// through POST /api/v2/supplier_documents on SQLite and PostgreSQL: MAN marks (qualifiers that name no parcel,
// SSCC-18 under any qualifier, two marks or two numbers for one package, no MAN at all), unknown HL03 codes, SN102 /
// PO102 / IT102 quantities in the CSV reader's words, IT104 prices, IT1 parts and quantities checked against the PO,
// BIG01 as CCYYMMDD, and refusals of the PO's rules that name no element (the BAK, the N1).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { addPo, openDocumentWorld, postDocument, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';
import { segmentsOf } from '../ingest/x12/read.ts';

const databases = TestDatabases.create();
const SSCC = '00000123450000000049';

const GS01: Record<string, string> = { 855: 'PR', 856: 'SH', 810: 'IN' };

/** One interchange (ISA13 = `control`) holding one group of `code` sets, SE and GE counts computed. */
function interchange(control: number, code: string, sets: string[][]): string {
  const isa13 = String(control).padStart(9, '0');
  const body = sets.map((segments, i) => {
    const st = String(i + 1).padStart(4, '0');
    const all = [`ST*${code}*${st}`, ...segments];
    return [...all, `SE*${all.length + 1}*${st}`].join('~\n');
  });
  return `ISA*00*          *00*          *ZZ*ACUSHNET       *ZZ*ACMEGOLF       *261120*1504*U*00401*${isa13}*0*P*>~\n` +
    `GS*${GS01[code]}*ACUSHNET*ACMEGOLF*20261120*1504*${control}*X*004010~\n${body.join('~\n')}~\nGE*${sets.length}*${control}~\n` +
    `IEA*1*${isa13}~\n`;
}

/** An 856 for `po`: shipment, order (PRF, REF VN), then `rest` (a pack and its item, by default). Positions: ST 1,
 *  BSN 2, HL S 3, HL O 4, PRF 5, REF 6, then `rest` from 7 (HL P 7, MAN 8, HL I 9, LIN 10, SN1 11). */
const ship = (po: string, rest: string[], order = 'SO-1') =>
  ['BSN*00*SHP-1*20261120*1504', 'HL*1**S', 'HL*2*1*O', `PRF*${po}`, `REF*VN*${order}`, ...rest];
const pack = (man: string[], sn1 = 'SN1**1*EA') => ['HL*3*2*P', ...man, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', sn1];

/** The 997's AK3, AK4 and AK5 segments, as `AK3*MAN*8*HL*8` strings. */
const faultLines = (ack: string) => segmentsOf(ack).filter((s) => /^AK[345]$/.test(s[0])).map((s) => s.join('*'));

describe.each(databases.eachSupportedId())('X12 refusals name their segment and element on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;
  let control = 900;

  /** Posts one set; its result (one entry) and the 997's AK3/AK4/AK5 lines. */
  const postSet = async (code: string, segments: string[], query: Record<string, string> = {}) => {
    const response = await postDocument(app, writeKey, interchange(control++, code, [segments]), { contentType: 'application/edi-x12', query });
    expect(response.statusCode, response.body).toBe(201);
    const document = response.json();
    return { results: document.results.map((r: any) => [r.result, r.reason]), ak: faultLines(document.acknowledgement) };
  };
  const tracking = async (po: string) => (await readV2(app, world.keys.a, po)).fulfilled_items
    .map((f: any) => [f.tracking.tracking_number, f.quantity]);

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('856 MAN marks', () => {
    it('a qualifier naming no parcel, an SSCC under any qualifier (CP included), two marks or two numbers: AK3 MAN, AK4 on the element', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-F-MAN');
      const before = await tableCounts(db);
      const cases: [string, string, string][] = [
        [`MAN*UC*${SSCC}`, 'AK4*1*88*7*UC', 'MAN01 "UC" names no parcel\'s number (CP or GM)'],
        ['MAN*AA*ABC123', 'AK4*1*88*7*AA', 'MAN01 "AA" names no parcel\'s number (CP or GM)'],
        ['MAN*GM*000012345000000001', 'AK4*2*87*7*000012345000000001',
          'MAN02 "000012345000000001" is an SSCC-18, which names the carton, not the carrier\'s parcel'],
        [`MAN*CP*${SSCC}`, `AK4*2*87*7*${SSCC}`, `MAN02 "${SSCC}" is an SSCC-18, which names the carton, not the carrier's parcel`],
        // Spaced as a label prints it: the same SSCC once the spaces are gone, as the number would be stored.
        ['MAN*CP*00 000123450000000049', 'AK4*2*87*7*00 000123450000000049',
          'MAN02 "00 000123450000000049" is an SSCC-18, which names the carton, not the carrier\'s parcel'],
      ];
      for (const [man, ak4, why] of cases) {
        const { results, ak } = await postSet('856', ship('PO-F-MAN', pack([man])));
        expect(results).toEqual([['rejected', 'ST 0001 (856) rejected: HL 4 (I), PO PO-F-MAN: no tracking number (MAN*CP or MAN*GM ' +
          `or REF*2I on its pack, REF*2I or REF*CN on its order or shipment); ${why}`]]);
        expect(ak).toEqual(['AK3*MAN*8*HL*8', ak4, 'AK5*R*5']);
      }
      const refused: [string, string, string][] = [
        ['MAN*CP*1Z999AA10123456784**CP*1Z999AA10123456793', 'AK4*5*87*7*1Z999AA10123456793',
          'HL 3 (P), PO PO-F-MAN: MAN05 "1Z999AA10123456793": HL 3 already has tracking number "1Z999AA10123456784" (MAN CP); ' +
          'a package has one tracking number (one HL*P per package)'],
        ['MAN*GM*A1234567890**GM*B1234567890', 'AK4*5*87*7*B1234567890',
          'HL 3 (P), PO PO-F-MAN: MAN05 "B1234567890": HL 3 already has tracking number "A1234567890" (MAN GM); ' +
          'a package has one tracking number (one HL*P per package)'],
        ['MAN*CP*1Z999AA10123456828 1Z999AA10123456837', 'AK4*2*87*6*1Z999AA10123456828 1Z999AA10123456837',
          'HL 3 (P), PO PO-F-MAN: MAN02 "1Z999AA10123456828 1Z999AA10123456837" holds 2 tracking numbers ' +
          '(1Z999AA10123456828, 1Z999AA10123456837): send one MAN per package'],
      ];
      for (const [man, ak4, reason] of refused) {
        const { results, ak } = await postSet('856', ship('PO-F-MAN', pack([man])));
        expect(results).toEqual([['rejected', `ST 0001 (856) rejected: ${reason}`]]);
        expect(ak).toEqual(['AK3*MAN*8*HL*8', ak4, 'AK5*R*5']);
      }
      const after = await tableCounts(db);
      expect([after.shipments, after.shipment_lines]).toEqual([before.shipments, before.shipment_lines]);
      expect(await tracking('PO-F-MAN')).toEqual([]);
    });

    it('an SSCC-only pack takes the REF CN above it; no MAN anywhere, or an item under an item: AK3 MAN missing (AK304 3)', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-F-NOMAN');
      const noMan = await postSet('856', ship('PO-F-NOMAN', pack([])));
      expect(noMan.results).toEqual([['rejected', 'ST 0001 (856) rejected: HL 4 (I), PO PO-F-NOMAN: no tracking number (MAN*CP or MAN*GM ' +
        'or REF*2I on its pack, REF*2I or REF*CN on its order or shipment)']]);
      expect(noMan.ak).toEqual(['AK3*MAN*8*HL*3', 'AK5*R*5']);
      // An item under an item (a prepack's component) is a valid tree; what it lacks is a tracking number.
      const nested = await postSet('856', ship('PO-F-NOMAN', ['HL*3*2*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA', 'HL*4*3*I', 'LIN**BP*TIT-PRO-V1', 'SN1**1*EA']));
      // Each item without a tracking number is named (every fault of the set), each where its MAN is due.
      expect(nested.ak).toEqual(['AK3*MAN*8*HL*3', 'AK3*MAN*11*HL*3', 'AK5*R*5']);
      // A REF CN that is an SSCC is no tracking number either.
      const refCn = await postSet('856', ['BSN*00*SHP-1*20261120*1504', 'HL*1**S', `REF*CN*${SSCC}`, 'HL*2*1*O', 'PRF*PO-F-NOMAN',
        'HL*3*2*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA']);
      expect(refCn.ak).toEqual(['AK3*REF*4*HL*8', `AK4*2*127*7*${SSCC}`, 'AK5*R*5']);
      const withCn = await postSet('856', ['BSN*00*SHP-1*20261120*1504', 'HL*1**S', 'REF*CN*1Z12345E0205271688', 'HL*2*1*O', 'PRF*PO-F-NOMAN',
        'HL*3*2*P', `MAN*CP*${SSCC}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA']);
      expect(withCn).toEqual({ results: [['applied', null]], ak: ['AK5*A'] });
      expect(await tracking('PO-F-NOMAN')).toEqual([['1Z12345E0205271688', 1]]);
    });

    it('a tracking number already shipped by another supplier order: AK4 on the MAN02 it came from', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-F-TAKEN');
      expect((await postSet('856', ship('PO-F-TAKEN', pack(['MAN*CP*1Z999AA10123456784']), 'SO-A'))).results).toEqual([['applied', null]]);
      const { results, ak } = await postSet('856', ship('PO-F-TAKEN', pack(['MAN*CP*1Z999AA10123456784'], 'SN1**1*EA'), 'SO-B'));
      expect(results).toEqual([['rejected', 'ST 0001 (856) rejected: MAN02 "1Z999AA10123456784" (HL 3): Tracking number ' +
        '1Z999AA10123456784 is already a shipment of supplier order SO-A on PO PO-F-TAKEN.']]);
      expect(ak).toEqual(['AK3*MAN*8*HL*8', 'AK4*2*87*7*1Z999AA10123456784', 'AK5*R*5']);
    });
  });

  it('HL03 not an 856 level code (HL*3*2*X): AK4 HL03 code 7; component levels (F) are accepted, shipping nothing of their own', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-F-HL03');
    const unknown = await postSet('856', ship('PO-F-HL03', ['HL*3*2*X', 'MAN*CP*1Z999AA10123456784', 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA']));
    expect(unknown.results).toEqual([['rejected', 'ST 0001 (856) rejected: HL03 "X" (segment 7): HL 3 has a level code an 856 does not use ' +
      '(S shipment, O order, T tare, P pack, Q subpack, I item; or A, D, E, F, K, U)']]);
    expect(unknown.ak).toEqual(['AK3*HL*7*HL*8', 'AK4*3*735*7*X', 'AK5*R*5']);
    // A component level is read as nothing of its own: not a bare shipment even when nothing is under it.
    const component = await postSet('856', ship('PO-F-HL03', [...pack(['MAN*CP*1Z999AA10123456784']), 'HL*5*4*F', 'HL*6*2*F']));
    expect(component).toEqual({ results: [['applied', null]], ak: ['AK5*A'] });
  });

  it('SN102, PO102 and IT102 quantities in the CSV reader\'s words, AK4 6 for a sign or a fraction, 7 for zero', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-F-QTY');
    const sn1: [string, string, string][] = [
      ['-3', 'is negative: a quantity must be a whole number of 1 or more', 'AK4*2*382*6*-3'],
      ['0', 'is zero: a quantity must be 1 or more', 'AK4*2*382*7*0'],
      ['1.5', 'is not a whole number (a quantity counts units)', 'AK4*2*382*6*1.5'],
    ];
    for (const [value, words, ak4] of sn1) {
      const { results, ak } = await postSet('856', ship('PO-F-QTY', pack(['MAN*CP*1Z999AA10123456784'], `SN1**${value}*EA`)));
      expect(results).toEqual([['rejected', `ST 0001 (856) rejected: HL 4 (I), PO PO-F-QTY: SN102 "${value}" ${words}`]]);
      expect(ak).toEqual(['AK3*SN1*11*HL*8', ak4, 'AK5*R*5']);
    }
    const po102: [string, string][] = [['-10', 'AK4*2*330*6*-10'], ['0', 'AK4*2*330*7*0'], ['2.5', 'AK4*2*330*6*2.5']];
    for (const [value, ak4] of po102) {
      const { results, ak } = await postSet('855', ['BAK*00*AC*PO-F-QTY*20261120****SO-7', `PO1*1*${value}*EA*5**BP*TIT-GT2-9`, 'ACK*IA*2*EA']);
      expect(results[0][0]).toBe('rejected');
      expect(results[0][1]).toMatch(new RegExp(`^ST 0001 \\(855\\) rejected: PO1 1: PO102 "${value.replace('.', '\\.')}" is `));
      expect(ak).toEqual(['AK3*PO1*3*PO1*8', ak4, 'AK5*R*5']);
    }
    const ack = await postSet('855', ['BAK*00*AC*PO-F-QTY*20261120****SO-7', 'PO1*1*2*EA*5**BP*TIT-GT2-9', 'ACK*IA*-2*EA']);
    expect(ack.results).toEqual([['rejected', 'ST 0001 (855) rejected: PO1 1: ACK02 "-2" is negative: a quantity must be a whole number of 1 or more']]);
    expect(ack.ak).toEqual(['AK3*ACK*4*ACK*8', 'AK4*2*380*6*-2', 'AK5*R*5']);
    expect(await tracking('PO-F-QTY')).toEqual([]);
  });

  describe('units of measure: eaches as written, a pack through PO4, else refused at the unit', () => {
    const EACHES = ['EA', 'PC', 'UN'];
    const unitCases = (name: string, reference: string): [string, string | null, string][] => [
      // [unit, PO4, why refused ('' when taken)]
      ['EA', null, ''],
      ['PC', null, ''],
      ['UN', null, ''],
      ['CA', 'PO4*2', ''],
      // PO401 inner packs per case × PO414 eaches per inner pack: 1 × 2.
      ['CA', `PO4*1${'*'.repeat(13)}2`, ''],
      ['CA', null, `${name} "CA" is not eaches and no PO4 says how many each case holds|AK4*${reference}*7*CA`],
      ['BX', null, `${name} "BX" is not eaches and no PO4 says how many each box holds|AK4*${reference}*7*BX`],
      ['ZZ', 'PO4*2', `${name} "ZZ" is not a unit of measure OrderSync reads: EA, PC or UN (eaches), or CA, BX, PK or CT with a PO4 saying ` +
        `how many eaches each holds|AK4*${reference}*7*ZZ`],
    ];

    it('856 SN103: EA, CA with PO4 (PO401, PO414), CA or BX without PO4, ZZ; a PO4 of zero: AK4 PO401', async () => {
      for (const [i, [unit, po4, refused]] of unitCases('SN103', '3*355').entries()) {
        const po = `PO-U-856-${i}`;
        await addPo(db, world.retailerA, world.suppliers.acushnet, po);
        const item = ['HL*3*2*P', 'MAN*CP*1Z999AA10123456784', 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', `SN1**${EACHES.includes(unit) ? 2 : 1}*${unit}`, ...(po4 ? [po4] : [])];
        const { results, ak } = await postSet('856', ship(po, item));
        if (refused === '') {
          expect([unit, results, ak]).toEqual([unit, [['applied', null]], ['AK5*A']]);
          expect(await tracking(po)).toEqual([['1Z999AA10123456784', 2]]);
        } else {
          const [why, ak4] = refused.split('|');
          expect(results).toEqual([['rejected', `ST 0001 (856) rejected: HL 4 (I), PO ${po}: ${why}`]]);
          expect(ak).toEqual(['AK3*SN1*11*HL*8', ak4, 'AK5*R*5']);
          expect(await tracking(po)).toEqual([]);
        }
      }
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-U-856-PO4');
      const zero = await postSet('856', ship('PO-U-856-PO4', pack(['MAN*CP*1Z999AA10123456784'], 'SN1**1*CA').concat('PO4*0')));
      expect(zero.results).toEqual([['rejected', 'ST 0001 (856) rejected: HL 4 (I), PO PO-U-856-PO4: PO401 "0" is zero: a quantity must be 1 or more']]);
      expect(zero.ak).toEqual(['AK3*PO4*12*HL*8', 'AK4*1*356*7*0', 'AK5*R*5']);
    });

    it('855 ACK03: the line\'s own unit (PO103) as written, else as 856 SN103', async () => {
      for (const [i, [unit, po4, refused]] of unitCases('ACK03', '3*355').entries()) {
        const po = `PO-U-855-${i}`;
        await addPo(db, world.retailerA, world.suppliers.acushnet, po);
        const { results, ak } = await postSet('855', [`BAK*00*AC*${po}*20261120****SO-U${i}`, 'PO1*1*2*EA*5**BP*TIT-GT2-9', ...(po4 ? [po4] : []),
          `ACK*IA*${EACHES.includes(unit) ? 2 : 1}*${unit}`]);
        if (refused === '') {
          expect([unit, results, ak]).toEqual([unit, [['applied', null]], ['AK5*A']]);
        } else {
          const [why, ak4] = refused.split('|');
          expect(results).toEqual([['rejected', `ST 0001 (855) rejected: PO1 1: ${why}`]]);
          expect(ak).toEqual([`AK3*ACK*${po4 ? 5 : 4}*ACK*8`, ak4, 'AK5*R*5']);
        }
      }
      // A line ordered in dozens (PO103 DZ) acknowledged in dozens is the PO line's own count.
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-U-855-DZ');
      const dozen = await postSet('855', ['BAK*00*AC*PO-U-855-DZ*20261120****SO-UDZ', 'PO1*1*2*DZ*5**BP*TIT-GT2-9', 'ACK*IA*2*DZ']);
      expect(dozen).toEqual({ results: [['applied', null]], ak: ['AK5*A'] });
    });

    it('810 IT103: EA as written, a case through PO4 (3 eaches is more than the 2 ordered), else refused at IT103', async () => {
      for (const [i, [unit, po4, refused]] of unitCases('IT103', '3*355').entries()) {
        const po = `PO-U-810-${i}`;
        await addPo(db, world.retailerA, world.suppliers.acushnet, po);
        const { results, ak } = await postSet('810', [`BIG*20261120*INV-U${i}**${po}`, `IT1*1*${EACHES.includes(unit) ? 2 : 1}*${unit}*2.50**BP*TIT-GT2-9`,
          ...(po4 ? [po4] : []), `TDS*${EACHES.includes(unit) ? 500 : 250}`]);
        if (refused === '') {
          expect([unit, results, ak]).toEqual([unit, [['applied', null]], ['AK5*A']]);
        } else {
          const [why, ak4] = refused.split('|');
          expect(results).toEqual([['rejected', `ST 0001 (810) rejected: IT1 1: ${why}`]]);
          expect(ak).toEqual(['AK3*IT1*3*IT1*8', ak4, 'AK5*R*5']);
        }
      }
      // The conversion is what is checked against the PO: one case of 3 bills 3 eaches of the 2 ordered.
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-U-810-OVER');
      const over = await postSet('810', ['BIG*20261120*INV-U3X**PO-U-810-OVER', 'IT1*1*1*CA*2.50**BP*TIT-GT2-9', 'PO4*3', 'TDS*250']);
      expect(over.results).toEqual([['rejected', 'ST 0001 (810) rejected: IT102 "1" (IT1 1): SKU "TIT-GT2-9": invoicing 3 is more than the 2 ordered on PO PO-U-810-OVER.']]);
      expect(over.ak).toEqual(['AK3*IT1*3*IT1*8', 'AK4*2*358*7*1', 'AK5*R*5']);
    });
  });

  describe('a bad quantity and a bad unit in one line are both told', () => {
    it('856 SN102 and SN103, 855 ACK02 and ACK03, 810 IT102 and IT103: each reason and its AK4, nothing applied', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-U-BOTH-856');
      const shipped = await postSet('856', ship('PO-U-BOTH-856', ['HL*3*2*P', 'MAN*CP*1Z999AA10123456784', 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**-3*DZ']));
      expect(shipped.results).toEqual([['rejected', 'ST 0001 (856) rejected: HL 4 (I), PO PO-U-BOTH-856: SN102 "-3" is negative: a quantity must be a ' +
        'whole number of 1 or more; HL 4 (I), PO PO-U-BOTH-856: SN103 "DZ" is not a unit of measure OrderSync reads: EA, PC or UN (eaches), or ' +
        'CA, BX, PK or CT with a PO4 saying how many eaches each holds']]);
      expect(shipped.ak.filter((line: string) => line.startsWith('AK4'))).toEqual(['AK4*2*382*6*-3', 'AK4*3*355*7*DZ']);
      expect(await tracking('PO-U-BOTH-856')).toEqual([]);

      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-U-BOTH-855');
      const acked = await postSet('855', ['BAK*00*AC*PO-U-BOTH-855*20261120****SO-UB', 'PO1*1*2*EA*5**BP*TIT-GT2-9', 'ACK*IA*-3*CA']);
      expect(acked.results[0][0]).toBe('rejected');
      expect(acked.results[0][1]).toContain('ACK02 "-3" is negative');
      expect(acked.results[0][1]).toContain('ACK03 "CA" is not eaches and no PO4 says how many each case holds');
      expect(acked.ak.filter((line: string) => line.startsWith('AK4'))).toEqual(['AK4*2*380*6*-3', 'AK4*3*355*7*CA']);

      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-U-BOTH-810');
      const billed = await postSet('810', ['BIG*20261120*INV-UB**PO-U-BOTH-810', 'IT1*1*1.5*ZZ*2.50**BP*TIT-GT2-9', 'TDS*500']);
      expect(billed.results[0][0]).toBe('rejected');
      expect(billed.results[0][1]).toContain('IT102 "1.5" is not a whole number');
      expect(billed.results[0][1]).toContain('IT103 "ZZ" is not a unit of measure OrderSync reads');
      expect(billed.ak.filter((line: string) => line.startsWith('AK4'))).toEqual(['AK4*2*358*6*1.5', 'AK4*3*355*7*ZZ']);
    });
  });

  describe('810 IT1 lines and BIG01', () => {
    // TDS01 is the line's IT102 × IT104 (5.00 for one at 5).
    const invoice = (it1: string, big01 = '20261120') => [`BIG*${big01}*INV-${control}**PO-F-810`, it1,
      `TDS*${/^IT1\*1\*99\*/.test(it1) ? 49500 : 500}`];

    it('IT102 sign, fraction, zero; IT104 negative; a part not on the PO; more than ordered; BIG01 YYMMDD: refused at the element', async () => {
      await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-F-810');
      const before = await tableCounts(db);
      const cases: [string, string, string, string][] = [
        ['IT1*1*-1*EA*5**BP*TIT-GT2-9', '20261120', 'AK3*IT1*3*IT1*8|AK4*2*358*6*-1',
          'IT1 1: IT102 "-1" is negative: a quantity must be a whole number of 1 or more'],
        ['IT1*1*1.5*EA*5**BP*TIT-GT2-9', '20261120', 'AK3*IT1*3*IT1*8|AK4*2*358*6*1.5', 'IT1 1: IT102 "1.5" is not a whole number (a quantity counts units)'],
        ['IT1*1*0*EA*5**BP*TIT-GT2-9', '20261120', 'AK3*IT1*3*IT1*8|AK4*2*358*7*0', 'IT1 1: IT102 "0" is zero: a quantity must be 1 or more'],
        ['IT1*1*1*EA*-5**BP*TIT-GT2-9', '20261120', 'AK3*IT1*3*IT1*8|AK4*4*212*6*-5', 'IT1 1: IT104 "-5" is negative: a unit price must be 0 or more'],
        ['IT1*1*1*EA*5**BP*NOT-ON-PO', '20261120', 'AK3*IT1*3*IT1*8|AK4*7*234*7*NOT-ON-PO',
          'IT107 "NOT-ON-PO" (IT1 1): SKU "NOT-ON-PO" is not on PO PO-F-810.'],
        ['IT1*1*99*EA*5**BP*TIT-GT2-9', '20261120', 'AK3*IT1*3*IT1*8|AK4*2*358*7*99',
          'IT102 "99" (IT1 1): SKU "TIT-GT2-9": invoicing 99 is more than the 2 ordered on PO PO-F-810.'],
      ];
      for (const [it1, big01, ak, reason] of cases) {
        const result = await postSet('810', invoice(it1, big01));
        expect(result.results).toEqual([['rejected', `ST 0001 (810) rejected: ${reason}`]]);
        expect(result.ak).toEqual([...ak.split('|'), 'AK5*R*5']);
      }
      // A 6-digit date is YYMMDD, a pre-004010 form: refused by the one X12 date reader (AK403 8, invalid date).
      const yymmdd = await postSet('810', invoice('IT1*1*1*EA*5**BP*TIT-GT2-9', '261120'));
      expect(yymmdd.results[0][0]).toBe('rejected');
      expect(yymmdd.ak).toEqual(['AK3*BIG*2**8', 'AK4*1*373*8*261120', 'AK5*R*5']);
      const after = await tableCounts(db);
      expect(after.invoices).toBe(before.invoices);
      const good = await postSet('810', invoice('IT1*1*2*EA*2.50**BP*TIT-GT2-9'));
      expect(good).toEqual({ results: [['applied', null]], ak: ['AK5*A'] });
    });
  });

  it('a refusal naming no element of the set: the N1 that named the supplier, else the BAK (AK3 only)', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-F-SUP');
    const named = await postSet('855', ['BAK*00*AC*PO-F-SUP*20261120****SO-8', 'N1*SU*Cobra Puma Golf', 'PO1*1*2*EA*5**BP*TIT-GT2-9']);
    expect(named.results[0][1]).toMatch(/^ST 0001 \(855\) rejected: N102 "Cobra Puma Golf": Supplier "Cobra Puma Golf" supplies no line of PO PO-F-SUP/);
    expect(named.ak).toEqual(['AK3*N1*3*N1*8', 'AK4*2*93*7*Cobra Puma Golf', 'AK5*R*5']);
    const byQuery = await postSet('855', ['BAK*00*AC*PO-F-SUP*20261120****SO-8', 'PO1*1*2*EA*5**BP*TIT-GT2-9'], { supplier_name: 'Cobra Puma Golf' });
    expect(byQuery.results[0][1]).toMatch(/^ST 0001 \(855\) rejected: BAK \(segment 2\): Supplier "Cobra Puma Golf" supplies no line/);
    expect(byQuery.ak).toEqual(['AK3*BAK*2**8', 'AK5*R*5']);
  });

  it('a supplier order of another supplier: AK4 on BAK08, the element that named it', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-F-OWN', [
      { product_name: 'Titleist GT2 Driver 9', sku: 'TIT-GT2-9', quantity: 2, unit_cost_cents: 50000, status: 'submitted' },
      { product_name: 'Cobra Aerojet', sku: 'COB-AJ', quantity: 3, unit_cost_cents: 40000, status: 'submitted', supplier_id: world.suppliers.cobra },
    ]);
    const first = await postSet('855', ['BAK*00*AC*PO-F-OWN*20261120****SO-OWN', 'N1*SU*Acushnet', 'PO1*1*2*EA*5**BP*TIT-GT2-9']);
    expect(first.results).toEqual([['applied', null]]);
    const other = await postSet('855', ['BAK*00*AC*PO-F-OWN*20261120****SO-OWN', 'N1*SU*Cobra Puma Golf', 'PO1*1*3*EA*5**BP*COB-AJ']);
    expect(other.results[0][1]).toMatch(/^ST 0001 \(855\) rejected: BAK08 "SO-OWN": Supplier order SO-OWN on PO PO-F-OWN belongs to /);
    expect(other.ak).toEqual(['AK3*BAK*2**8', 'AK4*8*127*7*SO-OWN', 'AK5*R*5']);
  });
});

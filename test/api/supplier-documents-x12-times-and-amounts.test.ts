// What an X12 file means by its times, tracking numbers and invoice amounts is what OrderSync stores, or the set is
// refused naming the element (DESIGN 3, "Supplier documents"), through POST /api/v2/supplier_documents on SQLite
// and PostgreSQL:
// - DTM04 time codes as X12's element 623 lists them (AS/AD/AT are Alaska, TS/TD/TT Atlantic; 01–24 the ISO
//   offsets P01–P12 and M12–M01, 25–29 the half-hour ones; N* Newfoundland), a local time on the day clocks change
//   read with the offset in force at that hour, and a code not in the list refused (AK4 DTM04 623 code 7) instead
//   of read as UTC; a DTM04 without a time refused (X12 C0403) instead of ignored; a date written in DTM06 in the
//   format DTM05 names (D8, DT) read, instead of the ship date lost;
// - two tracking numbers in REF CN (or 2I) on one level with no pack levels: refused (which items went in which
//   parcel is not in the file), instead of the second number dropped;
// - an 810's freight on its IT1 lines with a discount in the summary: the freight is the shipping amount (a
//   summary without freight does not hide it), and any charge, allowance or tax stated only as a percent or rate
//   (its amount empty or 0) is refused (AK4 SAC05 / TXI02 code 1 or 7) instead of stored as 0; a TDS01 that is not
//   what the lines, charges and tax add up to is refused naming both amounts, instead of recorded as the total;
// - an empty pack (HL*P with its MAN and nothing under it) beside packs whose items are listed: refused, instead
//   of read as a bare shipment of every line not yet shipped (7 units recorded shipped for a file saying 1);
// - a value holding a delimiter (ISA16's component separator, or 5010's repetition separator: `MAN*CP*1Z…^1Z…`, two
//   tracking numbers) is refused (AK4 code 6), instead of stored as one tracking number `1Z…^1Z…`; the 997's copy
//   of it holds no delimiter of its own;
// - an 855 line acknowledged in parts with a zero among them (ACK*IA*5, ACK*IR*0): the zero says none in that
//   status, instead of cancelling the whole line the other ACK accepted;
// - a set whose purpose code (BSN01, BAK01, BIG08: element 353) is 01 cancellation or 03 delete withdraws a document
//   sent before: refused naming it (AK4 353 code 7), instead of recorded as the shipment, acknowledgement or invoice
//   it takes back.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { addPo, openDocumentWorld, postDocument, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';
import { segmentsOf } from '../ingest/x12/read.ts';
import { instant } from '../support/contract.ts';

const databases = TestDatabases.create();
const UPS_1 = '1Z999AA10123456784';
const UPS_2 = '1Z12345E0205271688';
const GS01: Record<string, string> = { 855: 'PR', 856: 'SH', 810: 'IN' };

/** One interchange (ISA13 = `control`) holding one set of `code`, SE and GE counts computed; `~` and LF. */
function interchange(control: number, code: string, segments: string[]): string {
  const isa13 = String(control).padStart(9, '0');
  const all = [`ST*${code}*0001`, ...segments];
  return `ISA*00*          *00*          *ZZ*ACUSHNET       *ZZ*ACMEGOLF       *261120*1504*U*00401*${isa13}*0*P*>~\n` +
    `GS*${GS01[code]}*ACUSHNET*ACMEGOLF*20261120*1504*${control}*X*004010~\n${[...all, `SE*${all.length + 1}*0001`].join('~\n')}~\n` +
    `GE*1*${control}~\nIEA*1*${isa13}~\n`;
}

/** As interchange, in 005010 with ISA11 `^` (the repetition separator) and ISA16 `:` (the component separator). */
const interchange5010 = (control: number, code: string, segments: string[]) => interchange(control, code, segments)
  .replace('*U*00401*', '*^*00501*').replace('*P*>~', '*P*:~').replace('*X*004010~', '*X*005010~');

/** The 997's AK3, AK4 and AK5 segments, as `AK4*4*623*7*XX` strings. */
const faultLines = (ack: string) => segmentsOf(ack).filter((s) => /^AK[345]$/.test(s[0])).map((s) => s.join('*'));

describe.each(databases.eachSupportedId())('X12 times, tracking numbers and amounts as the file means them on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;
  let control = 1200;

  const postSet = async (code: string, segments: string[]) => {
    const response = await postDocument(app, writeKey, interchange(control++, code, segments), { contentType: 'application/edi-x12' });
    expect(response.statusCode, response.body).toBe(201);
    const document = response.json();
    return { results: document.results.map((r: any) => [r.result, r.reason]), ak: faultLines(document.acknowledgement) };
  };
  /** An 856 of one pack (`tracking`) holding one driver, with `dtm` on the shipment level. */
  const shipWith = (po: string, dtm: string, tracking = UPS_1) => ['BSN*00*SHP-T*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', dtm,
    'HL*2*1*O', `PRF*${po}`, 'HL*3*2*P', `MAN*CP*${tracking}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA'];
  const shippedDates = async (po: string) => (await readV2(app, world.keys.a, po)).fulfilled_items.map((f: any) => f.tracking.shipped_date);
  const addAcushnetPo = (po: string) => addPo(db, world.retailerA, world.suppliers.acushnet, po);

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('DTM04 time codes (element 623)', () => {
    it.each([
      // Alaska (X12's A codes), not Atlantic: 15:04 AKST is 00:04 UTC the next day.
      ['AS', '20261120', '2026-11-21T00:04:00.000Z'],
      ['AD', '20260715', '2026-07-15T23:04:00.000Z'],
      ['AT', '20261120', '2026-11-21T00:04:00.000Z'],
      // The ISO offset codes: 20 is M05 (UTC−5), 01 is P01 (UTC+1), 13 is M12.
      ['20', '20261120', '2026-11-20T20:04:00.000Z'],
      ['01', '20261120', '2026-11-20T14:04:00.000Z'],
      ['13', '20261120', '2026-11-21T03:04:00.000Z'],
      // Newfoundland, half an hour off the hour.
      ['NS', '20261120', '2026-11-20T18:34:00.000Z'],
      // Eastern local time on the days clocks change: 15:04 is EDT (UTC−4) after the spring change and EST (UTC−5)
      // after the autumn one, whatever midnight's offset was.
      ['ET', '20260308', '2026-03-08T19:04:00.000Z'],
      ['ET', '20261101', '2026-11-01T20:04:00.000Z'],
      ['PT', '20260308', '2026-03-08T22:04:00.000Z'],
      // Atlantic (X12's T codes): AST UTC−4, ADT UTC−3, local time in force that day; the half-hour offsets (25–29).
      ['TS', '20261120', '2026-11-20T19:04:00.000Z'],
      ['TD', '20260715', '2026-07-15T18:04:00.000Z'],
      ['TT', '20260715', '2026-07-15T18:04:00.000Z'],
      ['27', '20261120', '2026-11-20T09:34:00.000Z'],
      ['25', '20261120', '2026-11-20T17:34:00.000Z'],
    ])('DTM*011*%s at 15:04 on %s is shipped at %s', async (code, day, expected) => {
      const po = `PO-TC-${code}-${day}`;
      await addAcushnetPo(po);
      const { results } = await postSet('856', shipWith(po, `DTM*011*${day}*1504*${code}`));
      expect(results).toEqual([['applied', null]]);
      expect(await shippedDates(po)).toEqual([instant(expected)]);
    });

    it('a date and time in DTM06 (DTM05 DT, CCYYMMDDHHMM) with DTM04 ET, and a date alone (DTM05 D8), are read', async () => {
      await addAcushnetPo('PO-TC-DT');
      expect((await postSet('856', shipWith('PO-TC-DT', 'DTM*011***ET*DT*202611201504'))).results).toEqual([['applied', null]]);
      expect(await shippedDates('PO-TC-DT')).toEqual([instant('2026-11-20T20:04:00.000Z')]);
      await addAcushnetPo('PO-TC-D8');
      expect((await postSet('856', shipWith('PO-TC-D8', 'DTM*011****D8*20261120'))).results).toEqual([['applied', null]]);
      expect(await shippedDates('PO-TC-D8')).toEqual([instant('2026-11-20T00:00:00.000Z')]);
    });

    it('a DTM06 that is no date in its DTM05 format is refused (AK4 DTM06 1251 code 8)', async () => {
      await addAcushnetPo('PO-TC-DT-BAD');
      const { results, ak } = await postSet('856', shipWith('PO-TC-DT-BAD', 'DTM*011****DT*202613201504'));
      expect(results).toEqual([['rejected', 'ST 0001 (856) rejected: DTM06 (segment 5) "202613201504" is not a date (CCYYMMDD)']]);
      expect(ak).toEqual(['AK3*DTM*5*HL*8', 'AK4*6*1251*8*202613201504', 'AK5*R*5']);
    });

    it('a DTM04 with no time (no DTM03) is refused (AK4 DTM03 337 code 2, X12 C0403), not read as a zone-less date', async () => {
      await addAcushnetPo('PO-TC-NOTIME');
      const { results, ak } = await postSet('856', shipWith('PO-TC-NOTIME', 'DTM*011*20261120**ET'));
      expect(results).toEqual([['rejected', 'ST 0001 (856) rejected: DTM03 (segment 5) is missing: DTM04 "ET" is the time zone of DTM03\'s time, ' +
        'and X12 requires the time with it (DTM syntax note C0403): send DTM03, or leave DTM04 out for a date alone']]);
      expect(ak).toEqual(['AK3*DTM*5*HL*8', 'AK4*3*337*2', 'AK5*R*5']);
    });

    it.each([
      ['DTM*011**1504', 'DTM02 (date) is missing: DTM 011 gives a time (DTM03 "1504") of no day', 'AK4*2*373*1'],
      ['DTM*017****RD8*20261120-20261125', 'DTM05 "RD8" is not a date format OrderSync reads (D8 CCYYMMDD, DT CCYYMMDDHHMM): the DTM 017 ' +
        'date "20261120-20261125" would be lost', 'AK4*5*1250*7*RD8'],
    ])('%s (no day OrderSync can read) is refused, not a shipment without its date', async (dtm, reason, ak4) => {
      const po = `PO-TC-NODAY-${dtm.slice(4, 7)}`;
      await addAcushnetPo(po);
      const { results, ak } = await postSet('856', shipWith(po, dtm));
      expect(results).toEqual([['rejected', `ST 0001 (856) rejected: ${reason}`]]);
      expect(ak).toEqual(['AK3*DTM*5*HL*8', ak4, 'AK5*R*5']);
    });

    it('a DTM04 that is no time code is refused (AK4 DTM04 623 code 7), not read as UTC', async () => {
      await addAcushnetPo('PO-TC-BAD');
      const before = await tableCounts(db);
      const { results, ak } = await postSet('856', shipWith('PO-TC-BAD', 'DTM*011*20261120*1504*XX'));
      expect(results).toEqual([['rejected', 'ST 0001 (856) rejected: DTM04 (segment 5) "XX" is not a known code']]);
      expect(ak).toEqual(['AK3*DTM*5*HL*8', 'AK4*4*623*7*XX', 'AK5*R*5']);
      expect((await tableCounts(db)).shipments).toBe(before.shipments);
    });
  });

  describe('tracking numbers', () => {
    it('two REF CN numbers on a shipment with no pack levels: refused on the second (code 7), nothing written', async () => {
      await addAcushnetPo('PO-TN-2CN');
      const before = await tableCounts(db);
      const { results, ak } = await postSet('856', ['BSN*00*SHP-2CN*20261120*1504*0004', 'HL*1**S', 'TD5**2*UPSN',
        `REF*CN*${UPS_1}`, `REF*CN*${UPS_2}`, 'HL*2*1*O', 'PRF*PO-TN-2CN', 'HL*3*2*I', 'LIN**BP*TIT-GT2-9', 'SN1**2*EA']);
      expect(results).toEqual([['rejected', `ST 0001 (856) rejected: HL 1 (S), PO PO-TN-2CN: REF02 "${UPS_2}": HL 1 already has tracking ` +
        `number "${UPS_1}" (REF CN); a level has one tracking number: send each package as its own HL*P (MAN*CP) with its items under it`]]);
      expect(ak).toEqual(['AK3*REF*6*HL*8', `AK4*2*127*7*${UPS_2}`, 'AK5*R*5']);
      const after = await tableCounts(db);
      expect([after.shipments, after.shipment_lines]).toEqual([before.shipments, before.shipment_lines]);
    });

    it('the same number twice (REF CN repeated) is one tracking number, and two packs with their own MAN still apply', async () => {
      await addAcushnetPo('PO-TN-SAME');
      const { results } = await postSet('856', ['BSN*00*SHP-SAME*20261120*1504', 'HL*1**S', 'TD5**2*UPSN',
        `REF*CN*${UPS_1}`, `REF*CN*${UPS_2}`, 'HL*2*1*O', 'PRF*PO-TN-SAME',
        'HL*3*2*P', `MAN*CP*${UPS_1}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA',
        'HL*5*2*P', `MAN*CP*${UPS_2}`, 'HL*6*5*I', 'LIN**BP*TIT-PRO-V1', 'SN1**5*EA']);
      expect(results).toEqual([['applied', null], ['applied', null]]);
      await addAcushnetPo('PO-TN-REPEAT');
      const repeated = await postSet('856', ['BSN*00*SHP-REP*20261120*1504', 'HL*1**S', 'TD5**2*UPSN',
        `REF*CN*${UPS_1}`, `REF*CN*${UPS_1}`, 'HL*2*1*O', 'PRF*PO-TN-REPEAT', 'HL*3*2*I', 'LIN**BP*TIT-GT2-9', 'SN1**2*EA']);
      expect(repeated.results).toEqual([['applied', null]]);
    });
  });

  describe('delimiters inside values', () => {
    const post5010 = async (segments: string[]) => {
      const response = await postDocument(app, writeKey, interchange5010(control++, '856', segments), { contentType: 'application/edi-x12' });
      expect(response.statusCode, response.body).toBe(201);
      return response.json();
    };

    it.each([
      ['MAN', `MAN*CP*${UPS_1}^${UPS_2}`, 'repetition separator "^" (ISA11)', `${UPS_1}^${UPS_2}`, 'AK3*MAN*8*HL*8', `AK4*2*87*6*${UPS_1} ${UPS_2}`],
      ['MAN', `MAN*CP*${UPS_1}:${UPS_2}`, 'component separator ":" (ISA16)', `${UPS_1}:${UPS_2}`, 'AK3*MAN*8*HL*8', `AK4*2*87*6*${UPS_1} ${UPS_2}`],
      ['REF', `REF*2I*${UPS_1}^${UPS_2}`, 'repetition separator "^" (ISA11)', `${UPS_1}^${UPS_2}`, 'AK3*REF*8*HL*8', `AK4*2**6*${UPS_1} ${UPS_2}`],
    ])('%s holding two numbers joined by a delimiter (%s) is refused, nothing shipped', async (_, mark, delimiter, value, ak3, ak4) => {
      const po = `PO-DL-${control}`;
      await addAcushnetPo(po);
      const document = await post5010(['BSN*00*SHP-DL*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', `PRF*${po}`, 'HL*3*2*P',
        mark, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA']);
      expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['rejected', `ST 0001 (856) rejected: ${mark.slice(0, 3)}02 ` +
        `(segment 8) "${value}" holds the ${delimiter}: a delimiter cannot be part of a value (X12.5), so it is two values where one is ` +
        'read (send one segment per value)']]);
      expect(faultLines(document.acknowledgement)).toEqual([ak3, ak4, 'AK5*R*5']);
      // The 997 is 005010 with the interchange's own separators, and no copied value carries one.
      const ack: string = document.acknowledgement;
      expect(ack.slice(0, 106)).toMatch(/^ISA\*.*\*\^\*00501\*\d{9}\*0\*P\*:~$/);
      expect(ack.slice(106).includes('^')).toBe(false);
      expect((await readV2(app, world.keys.a, po)).fulfilled_items).toEqual([]);
    });

    it('a 005010 set with ST03 is answered with it in AK203', async () => {
      await addAcushnetPo('PO-DL-ST03');
      const file = interchange5010(control++, '856', ['BSN*00*SHP-ST03*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', 'PRF*PO-DL-ST03',
        'HL*3*2*P', `MAN*CP*${UPS_1}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA']).replace('ST*856*0001~', 'ST*856*0001*005010VICS~');
      const response = await postDocument(app, writeKey, file, { contentType: 'application/edi-x12' });
      expect(response.statusCode, response.body).toBe(201);
      const ak2 = segmentsOf(response.json().acknowledgement).filter((s) => s[0] === 'AK2').map((s) => s.join('*'));
      expect(ak2).toEqual(['AK2*856*0001*005010VICS']);
    });

    it('in 004010 ISA11 is U, no separator: a value holding "^" is read as written', async () => {
      await addAcushnetPo('PO-DL-4010');
      const { results } = await postSet('856', ['BSN*00*SHP-DL4*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', 'PRF*PO-DL-4010',
        'REF*VN*SO^7', 'HL*3*2*P', `MAN*CP*${UPS_1}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA']);
      expect(results).toEqual([['applied', null]]);
    });

    it('free text holding a separator (REF03 beside its REF02, TD505 routing) is no value OrderSync reads: applied', async () => {
      await addAcushnetPo('PO-DL-TEXT');
      const document = await post5010(['BSN*00*SHP-DLT*20261120*1504', 'HL*1**S', 'TD5**2*UPSN**UPS GROUND: 2 DAY', 'HL*2*1*O', 'PRF*PO-DL-TEXT',
        'REF*VN*SO-8*ORDER: 8', 'HL*3*2*P', `MAN*CP*${UPS_1}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA']);
      expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['applied', null]]);
    });
  });

  describe('855 ACKs of zero beside others', () => {
    const statuses = async (po: string) => (await readV2(app, world.keys.a, po)).items.map((i: any) => [i.product_details.sku, i.status]);
    const ack855 = (po: string, acks: string[]) => postSet('855', [`BAK*00*AC*${po}*20261120`, 'PO1*1*5*EA*50**BP*TIT-PRO-V1', ...acks]);

    it.each([
      [['ACK*IA*5*EA', 'ACK*IR*0*EA'], 'confirmed'],
      [['ACK*IR*0*EA', 'ACK*IA*5*EA'], 'confirmed'],
      [['ACK*IA*5*EA', 'ACK*IB*0*EA'], 'confirmed'],
      // A lone ACK*IR*0 still rejects the line (the quantity ordered is what it cancels).
      [['ACK*IR*0*EA'], 'cancelled'],
    ])('%j: the line is %s', async (acks, status) => {
      const po = `PO-Z-${control}`;
      await addAcushnetPo(po);
      expect((await ack855(po, acks)).results.map((r: any[]) => r[0])).not.toContain('rejected');
      expect(await statuses(po)).toEqual([['TIT-GT2-9', 'submitted'], ['TIT-PRO-V1', status]]);
    });
  });

  describe('packs with nothing under them', () => {
    it('an empty pack beside a pack whose items are listed is refused (AK3 on its HL), nothing shipped', async () => {
      await addAcushnetPo('PO-EP-1');
      const before = await tableCounts(db);
      const { results, ak } = await postSet('856', ['BSN*00*SHP-EP*20261120*1504*0001', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', 'PRF*PO-EP-1',
        'HL*3*2*P', `MAN*CP*${UPS_1}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA', 'HL*5*2*P', `MAN*CP*${UPS_2}`]);
      expect(results).toEqual([['rejected', 'ST 0001 (856) rejected: HL 5 (P), PO PO-EP-1: no item under this pack, while the PO\'s items ' +
        'are listed (HL*I) under other levels; an empty pack would ship every line not yet shipped: list its items under it, or leave it out']]);
      expect(ak).toEqual(['AK3*HL*12*HL*8', 'AK5*R*5']);
      const after = await tableCounts(db);
      expect([after.shipments, after.shipment_lines]).toEqual([before.shipments, before.shipment_lines]);
      expect((await readV2(app, world.keys.a, 'PO-EP-1')).fulfilled_items).toEqual([]);
    });

    it('a second order level of the same PO with nothing under it is refused too', async () => {
      await addAcushnetPo('PO-EP-2');
      const { results, ak } = await postSet('856', ['BSN*00*SHP-EP2*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', 'PRF*PO-EP-2',
        'HL*3*2*P', `MAN*CP*${UPS_1}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA', 'HL*5*1*O', 'PRF*PO-EP-2', `REF*CN*${UPS_2}`]);
      expect(results).toEqual([['rejected', 'ST 0001 (856) rejected: HL 5 (O), PO PO-EP-2: no item under this order level, while the PO\'s ' +
        'items are listed (HL*I) under other levels; an empty order level would ship every line not yet shipped: list its items under it, or leave it out']]);
      expect(ak).toEqual(['AK3*HL*12*HL*8', 'AK5*R*5']);
      expect((await readV2(app, world.keys.a, 'PO-EP-2')).fulfilled_items).toEqual([]);
    });

    it('an order listing no items at all: its pack is still the bare shipment of the PO (DESIGN 3)', async () => {
      await addAcushnetPo('PO-EP-BARE');
      const { results } = await postSet('856', ['BSN*00*SHP-BARE*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', 'PRF*PO-EP-BARE',
        'HL*3*2*P', `MAN*CP*${UPS_1}`]);
      expect(results).toEqual([['applied', null]]);
      expect((await readV2(app, world.keys.a, 'PO-EP-BARE')).fulfilled_items.map((f: any) => [f.quantity, f.tracking.tracking_number]).sort())
        .toEqual([[2, UPS_1], [5, UPS_1]]);
    });
  });

  describe('purpose codes that withdraw a document (element 353)', () => {
    const withdrawn = (id: string, code: string, what: string) => `${id} "${code}" (${code === '01' ? 'cancellation' : 'delete'}) withdraws ` +
      `${what} sent before: OrderSync does not take back what it recorded; correct it with the supplier update API or by hand`;

    it.each([
      ['856', '01', (po: string) => ['BSN*01*SHP-X*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', `PRF*${po}`, 'HL*3*2*P',
        `MAN*CP*${UPS_2}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA'], 'BSN01', 'a ship notice', 'AK3*BSN*2**8', 'AK4*1*353*7*01'],
      ['855', '03', (po: string) => [`BAK*03*AC*${po}*20261120`, 'PO1*1*2*EA*500**BP*TIT-GT2-9', 'ACK*IA*2*EA'],
        'BAK01', 'an acknowledgement', 'AK3*BAK*2**8', 'AK4*1*353*7*03'],
      ['810', '01', (po: string) => [`BIG*20261120*INV-X**${po}****01`, 'IT1*1*2*EA*500**BP*TIT-GT2-9', 'TDS*100000'],
        'BIG08', 'an invoice', 'AK3*BIG*2**8', 'AK4*8*353*7*01'],
    ] as const)('an %s with purpose %s is refused, nothing written', async (code, purpose, segments, id, what, ak3, ak4) => {
      const po = `PO-WD-${code}`;
      await addAcushnetPo(po);
      const before = await tableCounts(db);
      const { results, ak } = await postSet(code, segments(po));
      expect(results).toEqual([['rejected', `ST 0001 (${code}) rejected: ${withdrawn(id, purpose, what)}`]]);
      expect(ak).toEqual([ak3, ak4, 'AK5*R*5']);
      const after = await tableCounts(db);
      expect([after.shipments, after.supplier_orders, after.invoices, after.status_events])
        .toEqual([before.shipments, before.supplier_orders, before.invoices, before.status_events]);
    });

    it('BSN01 07 (duplicate) and 05 (replace) are read as usual', async () => {
      await addAcushnetPo('PO-WD-DUP');
      const sent = (purpose: string) => postSet('856', [`BSN*${purpose}*SHP-D*20261120*1504`, 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O',
        'PRF*PO-WD-DUP', 'HL*3*2*P', `MAN*CP*${UPS_1}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA']);
      expect((await sent('07')).results).toEqual([['applied', null]]);
      expect((await sent('05')).results).toEqual([['unchanged', null]]);
    });
  });

  describe('810 amounts', () => {
    const invoiceOf = async (po: string) => (await readV2(app, world.keys.a, po)).invoices[0];

    it.each([['CN', 'credit invoice'], ['CR', 'credit memo'], ['MC', 'material credit invoice']])(
      'BIG07 %s (a %s) is refused naming BIG07, not recorded as an invoice the retailer owes', async (type, words) => {
        const po = `PO-AM-CREDIT-${type}`;
        await addAcushnetPo(po);
        const before = await tableCounts(db);
        const { results, ak } = await postSet('810', [`BIG*20261120*CRED-${type}**${po}***${type}`, 'IT1*1*1*EA*500**BP*TIT-GT2-9', 'TDS*50000']);
        expect(results).toEqual([['rejected', `ST 0001 (810) rejected: BIG07 "${type}" (${words}): credits are not invoices OrderSync records`]]);
        expect(ak).toEqual(['AK3*BIG*2**8', `AK4*7*640*7*${type}`, 'AK5*R*5']);
        expect((await tableCounts(db)).invoices).toBe(before.invoices);
      });

    it('a CUR in an IT1 loop naming another currency than the heading\'s is refused (AK4 CUR02 100 code 7), not taken as the invoice\'s', async () => {
      await addAcushnetPo('PO-AM-CUR');
      const before = await tableCounts(db);
      const { results, ak } = await postSet('810', ['BIG*20261120*INV-CUR**PO-AM-CUR', 'IT1*1*2*EA*500**BP*TIT-GT2-9', 'CUR*SE*CAD',
        'TDS*100000']);
      expect(results).toEqual([['rejected', 'ST 0001 (810) rejected: CUR02 "CAD" (in an IT1 loop): a line in another currency than the ' +
        'invoice\'s USD (no CUR in the heading): one invoice total cannot be in both']]);
      expect(ak).toEqual(['AK3*CUR*4*IT1*8', 'AK4*2*100*7*CAD', 'AK5*R*5']);
      expect((await tableCounts(db)).invoices).toBe(before.invoices);
      await addAcushnetPo('PO-AM-CUR-SAME');
      expect((await postSet('810', ['BIG*20261120*INV-CUR2**PO-AM-CUR-SAME', 'CUR*SE*CAD', 'IT1*1*2*EA*500**BP*TIT-GT2-9', 'CUR*SE*CAD',
        'TDS*100000'])).results).toEqual([['applied', null]]);
      expect(await invoiceOf('PO-AM-CUR-SAME')).toMatchObject({ currency: 'CAD', total_amount: 1000 });
    });

    it('terms in two ITDs (discount in one, net days in the other) are both read: terms and due date', async () => {
      await addAcushnetPo('PO-AM-ITD2');
      const { results } = await postSet('810', ['BIG*20261120*INV-ITD2**PO-AM-ITD2', 'ITD*08*3*2**10', 'ITD*05*3*****30',
        'IT1*1*2*EA*500**BP*TIT-GT2-9', 'TDS*100000']);
      expect(results).toEqual([['applied', null]]);
      expect(await invoiceOf('PO-AM-ITD2')).toMatchObject({ payment_terms: '2% 10, Net 30 Days', due_date: instant('2026-12-20T00:00:00.000Z') });
    });

    it('two ITDs with different net days say two due dates: refused on the second (AK4 ITD07 386 code 7)', async () => {
      await addAcushnetPo('PO-AM-ITD-CLASH');
      const before = await tableCounts(db);
      const { results, ak } = await postSet('810', ['BIG*20261120*INV-ITD3**PO-AM-ITD-CLASH', 'ITD*05*3*****30', 'ITD*05*3*****60',
        'IT1*1*2*EA*500**BP*TIT-GT2-9', 'TDS*100000']);
      expect(results).toEqual([['rejected', 'ST 0001 (810) rejected: ITD07 "60": an ITD before it already gives the net terms ' +
        '(ITD06 "", ITD07 "30"); an invoice has one due date']]);
      expect(ak).toEqual(['AK3*ITD*4**8', 'AK4*7*386*7*60', 'AK5*R*5']);
      expect((await tableCounts(db)).invoices).toBe(before.invoices);
    });

    it('freight on the IT1 line and a discount in the summary: the freight is the shipping amount', async () => {
      await addAcushnetPo('PO-AM-FREIGHT');
      const { results } = await postSet('810', ['BIG*20261120*INV-AM-1**PO-AM-FREIGHT', 'IT1*1*2*EA*500**BP*TIT-GT2-9',
        'SAC*C*D240***1250', 'TDS*99250', 'SAC*A*C310***2000']);
      expect(results).toEqual([['applied', null]]);
      expect(await invoiceOf('PO-AM-FREIGHT')).toMatchObject({ total_amount: 992.5, shipping_amount: 12.5, tax_amount: 0, subtotal_amount: 980 });
    });

    it('a TDS01 that is not what the lines, charges and tax add up to is refused naming both (AK4 TDS01 610 code 7); one that is, applies', async () => {
      await addAcushnetPo('PO-AM-TDS');
      const before = await tableCounts(db);
      // 2 × 500.00 + 12.50 freight − 20.00 discount + 82.50 tax = 1075.00; TDS02 (subject to terms discount) is not the total.
      const invoice = (tds: string) => ['BIG*20261120*INV-TDS**PO-AM-TDS', 'IT1*1*2*EA*500**BP*TIT-GT2-9', 'SAC*C*D240***1250',
        `TDS*${tds}*100000`, 'TXI*ST*82.50', 'SAC*A*C310***2000'];
      const wrong = await postSet('810', invoice('108000'));
      expect(wrong.results).toEqual([['rejected', 'ST 0001 (810) rejected: TDS01 "108000" states a total of 1080.00, but the invoice adds up ' +
        'to 1075.00: IT1 lines (quantity × unit price) 1000.00 + SAC charges 12.50 − SAC allowances 20.00 + TXI tax 82.50']]);
      expect(wrong.ak).toEqual(['AK3*TDS*5**8', 'AK4*1*610*7*108000', 'AK5*R*5']);
      expect((await tableCounts(db)).invoices).toBe(before.invoices);
      expect((await postSet('810', invoice('107500'))).results).toEqual([['applied', null]]);
      expect(await invoiceOf('PO-AM-TDS')).toMatchObject({ total_amount: 1075, shipping_amount: 12.5, tax_amount: 82.5, subtotal_amount: 980 });
    });

    it('a negative TDS01 (a credit) is refused as one, not as a number it cannot read', async () => {
      await addAcushnetPo('PO-AM-TDS-NEG');
      const { results, ak } = await postSet('810', ['BIG*20261120*INV-NEG**PO-AM-TDS-NEG', 'IT1*1*1*EA*5**BP*TIT-GT2-9', 'TDS*-500']);
      expect(results).toEqual([['rejected', 'ST 0001 (810) rejected: TDS01 "-500" is negative (-5.00): a credit, not an invoice OrderSync records']]);
      expect(ak).toEqual(['AK3*TDS*4**8', 'AK4*1*610*6*-500', 'AK5*R*5']);
    });

    // A summary SAC opens a SAC loop (AK303 SAC); a summary TXI stands in no loop.
    it.each([
      ['SAC*C*D240****3*10', 'SAC*5*SAC', 'SAC05 (amount) is missing: the D240 charge is stated only as a percent (SAC07 "10"), which OrderSync does not compute; the invoice needs the amount', 'AK4*5*610*1'],
      ['SAC*C*D240***0*3*10', 'SAC*5*SAC', 'SAC05 (amount) is "0": the D240 charge is stated only as a percent (SAC07 "10"), which OrderSync does not compute; the invoice needs the amount', 'AK4*5*610*7*0'],
      ['SAC*A*C310***0*3*2', 'SAC*5*SAC', 'SAC05 (amount) is "0": the C310 allowance is stated only as a percent (SAC07 "2"), which OrderSync does not compute; the invoice needs the amount', 'AK4*5*610*7*0'],
      ['SAC*C*D240******0.15', 'SAC*5*SAC', 'SAC05 (amount) is missing: the D240 charge is stated only as a rate (SAC08 "0.15"), which OrderSync does not compute; the invoice needs the amount', 'AK4*5*610*1'],
      ['TXI*ST**8.25', 'TXI*5*', 'TXI02 (tax amount) is missing: the ST tax is stated only as a percent (TXI03 "8.25"), which OrderSync does not compute; tax_amount needs the amount', 'AK4*2*782*1'],
      ['TXI*ST*0*8.25', 'TXI*5*', 'TXI02 (tax amount) is "0": the ST tax is stated only as a percent (TXI03 "8.25"), which OrderSync does not compute; tax_amount needs the amount', 'AK4*2*782*7*0'],
    ])('%s (a percent or rate, no amount) is refused naming the amount element, not stored as 0', async (segment, ak3, reason, ak4) => {
      const po = `PO-AM-PCT-${segment.replace(/\W+/g, '-')}`;
      await addAcushnetPo(po);
      const before = await tableCounts(db);
      const { results, ak } = await postSet('810', [`BIG*20261120*INV-PCT**${po}`, 'IT1*1*2*EA*500**BP*TIT-GT2-9', 'TDS*100000', segment]);
      expect(results).toEqual([['rejected', `ST 0001 (810) rejected: ${reason}`]]);
      expect(ak).toEqual([`AK3*${ak3}*8`, ak4, 'AK5*R*5']);
      expect((await tableCounts(db)).invoices).toBe(before.invoices);
    });
  });
});

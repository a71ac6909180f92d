// Every fault of an X12 set is told, in the result's reason and in the 997 (an AK3 per segment, an AK4 per element),
// not the first one only (DESIGN 3, "Supplier documents"; fresh-user report items 1 and 2), through POST
// /api/v2/supplier_documents on SQLite and PostgreSQL: 810, 855 and 856 sets with two faults of their syntax, of their
// content, or one of each; and a segment whose terminator is missing named as such, not by what it broke.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { addPo, openDocumentWorld, postDocument, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';
import { segmentsOf } from '../ingest/x12/read.ts';

const databases = TestDatabases.create();
const GS01: Record<string, string> = { 855: 'PR', 856: 'SH', 810: 'IN' };

/** One interchange (ISA13 = `control`) holding one set of `code`, its SE count computed; `glue`: leave out the
 *  terminator after the set's segment starting with it. */
function interchange(control: number, code: string, segments: string[], glue?: string): string {
  const isa13 = String(control).padStart(9, '0');
  const all = ['ST*' + code + '*0001', ...segments];
  const set = [...all, `SE*${all.length + 1}*0001`].map((s) => (glue !== undefined && s.startsWith(glue) ? s : `${s}~\n`)).join('');
  return `ISA*00*          *00*          *ZZ*ACUSHNET       *ZZ*ACMEGOLF       *261120*1504*U*00401*${isa13}*0*P*>~\n` +
    `GS*${GS01[code]}*ACUSHNET*ACMEGOLF*20261120*1504*${control}*X*004010~\n${set}GE*1*${control}~\nIEA*1*${isa13}~\n`;
}

const faultLines = (ack: string) => segmentsOf(ack).filter((s) => /^AK[345]$/.test(s[0])).map((s) => s.join('*'));

describe.each(databases.eachSupportedId())('every fault of an X12 set on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;
  let control = 1300;

  const postSet = async (code: string, segments: string[], glue?: string) => {
    const response = await postDocument(app, writeKey, interchange(control++, code, segments, glue), { contentType: 'application/edi-x12' });
    expect(response.statusCode, response.body).toBe(201);
    const document = response.json();
    return {
      results: document.results.map((r: any) => [r.result, r.reason]), sources: document.results.map((r: any) => r.source),
      ak: faultLines(document.acknowledgement), ak2: segmentsOf(document.acknowledgement).filter((seg) => seg[0] === 'AK2').map((seg) => seg.join('*')),
    };
  };

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
    for (const po of ['PO-EF-810', 'PO-EF-855', 'PO-EF-856']) await addPo(db, world.retailerA, world.suppliers.acushnet, po);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('810: BIG01 no date and IT102 "-3" are both told, each with its AK3/AK4; nothing is written', async () => {
    const before = await tableCounts(db);
    const result = await postSet('810', ['BIG*20261340*INV-EF-1**PO-EF-810', 'IT1*1*-3*EA*5**BP*TIT-GT2-9', 'TDS*500']);
    expect(result.results).toEqual([['rejected', 'ST 0001 (810) rejected: BIG01 (segment 2) "20261340" is not a date (CCYYMMDD); ' +
      'IT1 1: IT102 "-3" is negative: a quantity must be a whole number of 1 or more']]);
    expect(result.ak).toEqual(['AK3*BIG*2**8', 'AK4*1*373*8*20261340', 'AK3*IT1*3*IT1*8', 'AK4*2*358*6*-3', 'AK5*R*5']);
    expect((await tableCounts(db)).invoices).toBe(before.invoices);
  });

  it('810: faults of its content only (two IT1 lines, a negative price, a total short of its tax): each told', async () => {
    const result = await postSet('810', ['BIG*20261120*INV-EF-2**PO-EF-810', 'IT1*1*-3*EA*5**BP*TIT-GT2-9', 'IT1*2*1.5*EA*-5**BP*TIT-PRO-V1',
      'TDS*500', 'TXI*ST*9.00']);
    expect(result.results).toEqual([['rejected', 'ST 0001 (810) rejected: ' +
      'IT1 1: IT102 "-3" is negative: a quantity must be a whole number of 1 or more; ' +
      'IT1 2: IT102 "1.5" is not a whole number (a quantity counts units); IT1 2: IT104 "-5" is negative: a unit price must be 0 or more; ' +
      'TDS01 total 5.00 is less than tax (TXI02) 9.00 plus freight (SAC D240) 0.00']]);
    expect(result.ak).toEqual(['AK3*IT1*3*IT1*8', 'AK4*2*358*6*-3', 'AK3*IT1*4*IT1*8', 'AK4*2*358*6*1.5', 'AK4*4*212*6*-5',
      'AK3*TDS*5**8', 'AK4*1*610*7*500', 'AK5*R*5']);
  });

  it('855: BAK04 no date and PO102 "-3"; then two lines\' quantities (PO102, ACK02): each told', async () => {
    const syntaxAndContent = await postSet('855', ['BAK*00*AC*PO-EF-855*20261340****SO-EF', 'PO1*1*-3*EA*5**BP*TIT-GT2-9']);
    expect(syntaxAndContent.results).toEqual([['rejected', 'ST 0001 (855) rejected: BAK04 (segment 2) "20261340" is not a date (CCYYMMDD); ' +
      'PO1 1: PO102 "-3" is negative: a quantity must be a whole number of 1 or more']]);
    expect(syntaxAndContent.ak).toEqual(['AK3*BAK*2**8', 'AK4*4*373*8*20261340', 'AK3*PO1*3*PO1*8', 'AK4*2*330*6*-3', 'AK5*R*5']);
    const content = await postSet('855', ['BAK*00*AC*PO-EF-855*20261120****SO-EF', 'PO1*1*-3*EA*5**BP*TIT-GT2-9',
      'PO1*2*1*EA*5**BP*TIT-PRO-V1', 'ACK*IA*1.5']);
    expect(content.results).toEqual([['rejected', 'ST 0001 (855) rejected: PO1 1: PO102 "-3" is negative: a quantity must be a whole ' +
      'number of 1 or more; PO1 2: ACK02 "1.5" is not a whole number (a quantity counts units)']]);
    expect(content.ak).toEqual(['AK3*PO1*3*PO1*8', 'AK4*2*330*6*-3', 'AK3*ACK*5*ACK*8', 'AK4*2*380*6*1.5', 'AK5*R*5']);
  });

  it('856: BSN03 no date and SN102 "-3"; then two items\' quantities: each told', async () => {
    const ship = (bsn03: string, items: string[]) => [`BSN*00*SHP-EF*${bsn03}*1504`, 'HL*1**S', 'HL*2*1*O', 'PRF*PO-EF-856', 'HL*3*2*P',
      'MAN*CP*1Z999AA10123456784', ...items];
    const both = await postSet('856', ship('20261340', ['HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**-3*EA']));
    expect(both.results).toEqual([['rejected', 'ST 0001 (856) rejected: BSN03 (segment 2) "20261340" is not a date (CCYYMMDD); ' +
      'HL 4 (I), PO PO-EF-856: SN102 "-3" is negative: a quantity must be a whole number of 1 or more']]);
    expect(both.ak).toEqual(['AK3*BSN*2**8', 'AK4*3*373*8*20261340', 'AK3*SN1*10*HL*8', 'AK4*2*382*6*-3', 'AK5*R*5']);
    const items = await postSet('856', ship('20261120', ['HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**-3*EA', 'HL*5*3*I', 'LIN**BP*TIT-PRO-V1',
      'SN1**0*EA']));
    expect(items.results).toEqual([['rejected', 'ST 0001 (856) rejected: ' +
      'HL 4 (I), PO PO-EF-856: SN102 "-3" is negative: a quantity must be a whole number of 1 or more; ' +
      'HL 5 (I), PO PO-EF-856: SN102 "0" is zero: a quantity must be 1 or more']]);
    expect(items.ak).toEqual(['AK3*SN1*10*HL*8', 'AK4*2*382*6*-3', 'AK3*SN1*13*HL*8', 'AK4*2*382*7*0', 'AK5*R*5']);
  });

  it('a segment without its terminator is named (line and column), in the reason and the 997, not the SE count it broke', async () => {
    const before = await tableCounts(db);
    const sn1 = await postSet('856', ['BSN*00*SHP-EF*20261120*1504', 'HL*1**S', 'HL*2*1*O', 'PRF*PO-EF-856', 'HL*3*2*P',
      'MAN*CP*1Z999AA10123456784', 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**2*EA', 'CTT*4'], 'SN1');
    expect(sn1.results).toEqual([['rejected', 'ST 0001 (856) rejected: segment SN1 runs into the next segment (CTT): missing segment terminator "~" before "CTT" ' +
      '(segment 10, line 12, column 10)']]);
    // AK402: SN103 is data element 355.
    expect(sn1.ak).toEqual(['AK3*SN1*10*HL*8', 'AK4*3*355*6*EACTT', 'AK5*R*5']);
    // An element whose reference number the reader does not list (TD503) leaves AK402 empty.
    const td5 = await postSet('856', ['BSN*00*SHP-EF*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', 'PRF*PO-EF-856', 'HL*3*2*P',
      'MAN*CP*1Z999AA10123456784', 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**2*EA', 'CTT*4'], 'TD5');
    expect(td5.ak).toEqual(['AK3*TD5*4*HL*8', 'AK4*3**6*UPSNHL', 'AK5*R*5']);
    // What a missing terminator broke is not told beside it: not the SE01 count, not CTT01 "4SE" as no number, not
    // a missing SE trailer, not ST02 "0001BSN" as no control number or a missing BSN.
    const ctt = await postSet('856', ['BSN*00*SHP-EF*20261120*1504', 'HL*1**S', 'HL*2*1*O', 'PRF*PO-EF-856', 'HL*3*2*P',
      'MAN*CP*1Z999AA10123456784', 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**2*EA', 'CTT*4'], 'CTT');
    expect(ctt.results).toEqual([['rejected', expect.stringMatching(/^ST 0001 \(856\) rejected: segment CTT runs into the next segment \(SE\): missing segment terminator "~" before "SE" \([^;]*\)$/)]]);
    expect(ctt.ak.at(-1)).toBe('AK5*R*5');
    expect(ctt.ak[1]).toMatch(/^AK4\*1\*354\*6\*/); // CTT01, data element 354
    const st = await postSet('856', ['BSN*00*SHP-EF*20261120*1504', 'HL*1**S', 'HL*2*1*O', 'PRF*PO-EF-856', 'HL*3*2*P',
      'MAN*CP*1Z999AA10123456784', 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**2*EA', 'CTT*4'], 'ST');
    expect(st.results).toEqual([['rejected', expect.stringMatching(/^ST 0001 \(856\) rejected: segment ST runs into the next segment \(BSN\): missing segment terminator "~" before "BSN" \([^;]*\)$/)]]);
    expect(st.ak2).toEqual(['AK2*856*0001']);
    expect(st.sources).toEqual(['ST 0001 (856)']);
    expect(st.ak.at(-1)).toBe('AK5*R*5');
    expect((await tableCounts(db)).shipments).toBe(before.shipments);
    // The SE without its terminator: the GE is in it, so the interchange ends without one: 422 naming the SE.
    const response = await postDocument(app, writeKey, interchange(control++, '856', ['BSN*00*SHP-EF*20261120*1504', 'HL*1**S'], 'SE'),
      { contentType: 'application/edi-x12' });
    expect(response.statusCode, response.body).toBe(422);
    expect(response.json().message).toMatch(/^The document cannot be read: line 6, column 10: segment SE runs into the next segment \(GE\): missing segment terminator "~" before "GE"/);
  });

  it('the last IEA without its terminator (nothing after it) is read and acknowledged; IEA then other text is refused', async () => {
    const before = await tableCounts(db);
    const segments = ['BSN*00*SHP-EF-END*20261120*1504', 'HL*1**S', 'HL*2*1*O', 'PRF*PO-EF-856', 'REF*VN*SO-EF-END', 'HL*3*2*P',
      'MAN*CP*1Z999AA10123456793', 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA'];
    const file = interchange(control++, '856', segments);
    expect(file.endsWith('~\n')).toBe(true);
    const response = await postDocument(app, writeKey, file.slice(0, -2), { contentType: 'application/edi-x12' });
    expect(response.statusCode, response.body).toBe(201);
    const document = response.json();
    expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['applied', null]]);
    expect(faultLines(document.acknowledgement)).toEqual(['AK5*A']);
    expect(segmentsOf(document.acknowledgement).at(-1)?.[0]).toBe('IEA');
    expect((await tableCounts(db)).shipments).toBe(before.shipments + 1);
    for (const after of ['\nTHE END', 'THE END', ' ISA*00']) {
      const refused = await postDocument(app, writeKey, interchange(control++, '856', segments).slice(0, -2) + after,
        { contentType: 'application/edi-x12' });
      expect([after, refused.statusCode], refused.body).toEqual([after, 422]);
      // Refused as a file whose IEA02 is not its ISA13: what follows without a terminator is read as part of IEA02.
      expect(refused.json().message).toMatch(/^The document cannot be read: line 16, column 1: IEA02 ".+" does not match ISA13/s);
    }
    expect((await tableCounts(db)).shipments).toBe(before.shipments + 1);
  });
});

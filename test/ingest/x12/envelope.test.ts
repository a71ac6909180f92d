// Files that cannot be read at all (UnreadableDocumentError with line and column, before any entry) and
// group- and set-level envelope faults that reject only what they touch (DESIGN 3, issue 7).
import { describe, expect, it } from 'vitest';
import type { DocumentEntry } from '../../../src/ingest/types.ts';
import { UnreadableDocumentError } from '../../../src/ingest/types.ts';
import { readX12 } from '../../../src/ingest/x12/index.ts';
import { acceptedUpdates, fixture, readAll, segmentsOf } from './read.ts';

const ISA = 'ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*ORDERSYNC      *261120*1504*U*00401*000000007*0*P*>';
const SET_1 = ['ST*855*0001', 'BAK*00*AK*PO-7*20261101****SO-7', 'N1*SU*Cobra Puma', 'SE*4*0001'];
const SET_2 = ['ST*855*0002', 'BAK*00*AK*PO-8*20261101****SO-8', 'N1*SU*Cobra Puma', 'SE*4*0002'];
const file = (...segments: string[]) => segments.join('~\n') + '~\n';
const group = (sets: string[], ge = `GE*${sets.filter((s) => s.startsWith('ST')).length}*7`, gs = 'GS*PR*SUPPLIER*ORDERSYNC*20261120*1504*7*X*004010') =>
  [gs, ...sets, ge];

async function unreadable(text: string | Buffer): Promise<{ error: UnreadableDocumentError; yielded: DocumentEntry[] }> {
  const yielded: DocumentEntry[] = [];
  try {
    for await (const entry of readX12(typeof text === 'string' ? Buffer.from(text) : text).entries()) yielded.push(entry);
  } catch (error) {
    expect(error).toBeInstanceOf(UnreadableDocumentError);
    return { error: error as UnreadableDocumentError, yielded };
  }
  throw new Error('the file was read');
}

describe('files that cannot be read at all', () => {
  it('garbage: no ISA header, at line 1 column 1', async () => {
    const { error } = await unreadable('PO,SKU,QTY\nPO-1,A-1,2\n');
    expect(error).toMatchObject({ line: 1, column: 1, message: 'line 1, column 1: not an X12 interchange: expected an ISA segment' });
  });

  it.each([
    ['an empty file', '', 'line 1, column 1: no X12 interchange (ISA … IEA) in the file'],
    ['a PDF', '%PDF-1.7\n%\u00e2\u00e3', 'line 1, column 1: not an X12 interchange: expected an ISA segment'],
    ['a truncated ISA', 'ISA*00*          *00', 'line 1, column 18: ISA: element ISA04 is missing (an ISA has 16 elements)'],
    ['an ISA without its element separator', 'ISA 00', 'line 1, column 4: ISA: the 4th character must be the element separator (such as "*")'],
    // An ISA of 15 or 17 elements is said on its own line, where it ends, not blamed on the next segment.
    ['an ISA of 15 elements (no ISA16), one segment a line', file(ISA.slice(0, -2), ...group(SET_1), 'IEA*1*000000007'),
      'line 1, column 104: ISA has 15 elements; 16 expected (ISA16 the component separator, then the segment terminator)'],
    ['an ISA of 15 elements, all on one line', [ISA.slice(0, -2), ...group(SET_1), 'IEA*1*000000007'].join('~'),
      'line 1, column 104: ISA has 15 elements; 16 expected (ISA16 the component separator, then the segment terminator)'],
    ['an ISA of 17 elements', file(`${ISA}*EXTRA`, ...group(SET_1), 'IEA*1*000000007'),
      'line 1, column 112: ISA has 17 elements; 16 expected (ISA16 the component separator, then the segment terminator)'],
    ['an unpadded ISA of 15 elements', file('ISA*00**00**ZZ*SUPPLIER*ZZ*ORDERSYNC*261120*1504*U*00401*7*0*P', ...group(SET_1), 'IEA*1*7'),
      'line 1, column 63: ISA has 15 elements; 16 expected (ISA16 the component separator, then the segment terminator)'],
    ['ISA16 empty, the line ending there', [ISA.slice(0, -1), ...group(SET_1), 'IEA*1*000000007'].join('\n'),
      'line 1, column 105: ISA16 is empty: it must be the component separator (such as ">"), then the segment terminator'],
    ['ISA16 empty, "~" and a line break after it as after every segment', file(ISA.slice(0, -1), ...group(SET_1), 'IEA*1*000000007'),
      'line 1, column 105: ISA16 is empty: "~" ends this segment and the next, so it is the segment terminator, and the component separator (such as ">") is missing before it'],
    ['ISA16 the element separator itself', file(ISA.slice(0, -1) + '*', ...group(SET_1), 'IEA*1*000000007'),
      'line 1, column 105: ISA16: "*" cannot be the component separator'],
    ['ISA15 not a usage indicator', file(ISA.replace('*0*P*', '*0*X*'), ...group(SET_1), 'IEA*1*000000007'),
      'line 1, column 103: ISA15 "X" is not a usage indicator (P production, T test, I information)'],
  ])('%s', async (_, text, message) => {
    expect((await unreadable(text)).error.message).toBe(message);
  });

  it('a missing IEA, at the end of the file, naming the interchange', async () => {
    const { error, yielded } = await unreadable(file(ISA, ...group(SET_1)));
    expect(yielded).toEqual([]);
    expect(error).toMatchObject({ line: 7, column: 8 }); // just after the last segment, "GE*1*7~"
    expect(error.message).toBe('line 7, column 8: the file ends without an IEA for the interchange at line 1, column 1');
  });

  it('a missing GE, where the IEA comes', async () => {
    const { error } = await unreadable(file(ISA, 'GS*PR*SUPPLIER*ORDERSYNC*20261120*1504*7*X*004010', ...SET_1, 'IEA*1*000000007'));
    expect(error).toMatchObject({ line: 7, column: 1 });
    expect(error.message).toMatch(/IEA ends the interchange, but the group at line 2, column 1 has no GE/);
  });

  it('IEA02 not answering ISA13, and IEA01 miscounting the groups', async () => {
    expect((await unreadable(file(ISA, ...group(SET_1), 'IEA*1*000000008'))).error.message)
      .toBe('line 8, column 1: IEA02 "000000008" does not match ISA13 "000000007"');
    expect((await unreadable(file(ISA, ...group(SET_1), 'IEA*2*000000007'))).error.message)
      .toBe('line 8, column 1: IEA01 says 2, but the interchange has 1 functional groups');
  });

  it('a file lower-cased on its way (isa*…, st*…): said so, not "expected an ISA segment"', async () => {
    const { error } = await unreadable(file(ISA, ...group(SET_1), 'IEA*1*000000007').toLowerCase());
    expect(error.message).toBe('line 1, column 1: "isa" is an ISA written in lower case: X12 segment ids are upper case (X12.5), ' +
      'so the file was changed on its way; send it as the translator wrote it');
  });

  it('control numbers are numbers: a trimmed ISA13 answered by a padded IEA02, GS06 by a zero-padded GE02', async () => {
    const trimmed = 'ISA*00**00**ZZ*SUPPLIER*ZZ*ORDERSYNC*261120*1504*U*00401*7*0*P*>';
    const { entries } = await readAll(file(trimmed, ...group(SET_1, 'GE*1*0007'), 'IEA*1*000000007'));
    expect(entries.map((e) => [e.source, e.reason])).toEqual([['ST 0001 (855)', null]]);
    // Another number is still another number.
    expect((await unreadable(file(trimmed, ...group(SET_1), 'IEA*1*000000070'))).error.message)
      .toBe('line 8, column 1: IEA02 "000000070" does not match ISA13 "7"');
  });

  it('an ISA13 that is no control number (letters, a sign, ten digits) makes the file unreadable, naming it', async () => {
    const isaWith = (isa13: string) => ISA.replace('*000000007*', `*${isa13}*`);
    for (const isa13 of ['ABC', '-1', '1234567890', '12.5', '']) {
      const { error, yielded } = await unreadable(file(isaWith(isa13), ...group(SET_1), `IEA*1*${isa13}`));
      expect(error.message).toMatch(new RegExp(`^line 1, column \\d+: ISA13 "${isa13.replace('.', '\\.')}" is not an interchange control number \\(1 to 9 digits\\)$`));
      expect(yielded).toEqual([]);
    }
  });

  it('nothing is yielded when a later interchange is broken', async () => {
    const good = file(ISA, ...group(SET_1), 'IEA*1*000000007');
    const { yielded, error } = await unreadable(good + 'JUNK AFTER THE END\n');
    expect(yielded).toEqual([]);
    expect(error).toMatchObject({ line: 9, column: 1 });
  });

  it('a segment outside any transaction set', async () => {
    const { error } = await unreadable(file(ISA, 'GS*PR*SUPPLIER*ORDERSYNC*20261120*1504*7*X*004010', 'BAK*00*AK*PO-7', ...SET_1, 'GE*1*7', 'IEA*1*000000007'));
    expect(error).toMatchObject({ line: 3, column: 1 });
    expect(error.message).toMatch(/segment "BAK" is outside a transaction set/);
  });
});

describe('tolerated shapes', () => {
  it('a BOM, blank lines, and an ISA not padded to its fixed width', async () => {
    const shortIsa = 'ISA*00**00**ZZ*SUPPLIER*ZZ*ORDERSYNC*261120*1504*U*00401*7*0*P*>';
    const text = '\uFEFF\r\n' + file(shortIsa, ...group(SET_1), 'IEA*1*7');
    const { entries } = await readAll(text);
    expect(acceptedUpdates(entries).map((u) => u.po_number)).toEqual(['PO-7']);
  });
});

describe('what is there but not read', () => {
  it('a TA1 after the ISA and Ctrl-Z padding after the IEA', async () => {
    const { entries } = await readAll(file(ISA, 'TA1*000000006*261119*1200*A*000', ...group(SET_1), 'IEA*1*000000007') + '\u001a\u001a');
    expect(acceptedUpdates(entries).map((u) => u.po_number)).toEqual(['PO-7']);
  });

  it('a 997 the supplier sent back: its set is rejected as not ours to read, and no 997 answers a 997', async () => {
    const fa = group(['ST*997*0001', 'AK1*PO*5', 'AK9*A*1*1*1', 'SE*4*0001'], 'GE*1*9', 'GS*FA*SUPPLIER*ORDERSYNC*20261120*1504*9*X*004010');
    const only997 = await readAll(file(ISA, ...fa, 'IEA*1*000000007'));
    expect(only997.entries).toEqual([{
      source: 'ST 0001 (997)', type: null, po_number: null, update: null,
      reason: 'ST 0001 (997) rejected: ST01 "997": a functional acknowledgement carries no update, and is never acknowledged (no AK2 answers it)',
    }]);
    expect(only997.reading.interchangeCount).toBe(0);
    expect(only997.reading.acknowledgement(1)).toBe('');
    const mixed = await readAll(file(ISA, ...fa, ...group(SET_1), 'IEA*2*000000007'));
    expect(segmentsOf(mixed.reading.acknowledgement(1)).filter((s) => s[0] === 'AK1')).toEqual([['AK1', 'PR', '7']]);
  });
});

describe('faults that reject only the group or the set', () => {
  it('GE01 miscounting its sets rejects the group (AK9 R, 5) and every set in it; other groups apply', async () => {
    const text = file(ISA, ...group([...SET_1, ...SET_2], 'GE*3*7'),
      ...group(SET_1, 'GE*1*8', 'GS*PR*SUPPLIER*ORDERSYNC*20261120*1504*8*X*004010'), 'IEA*2*000000007');
    const { entries, reading } = await readAll(text);
    expect(entries.map((e) => [e.source, e.reason])).toEqual([
      ['ST 0001 (855), GS 7', 'ST 0001 (855), GS 7 rejected: GE01 says 3, but the group has 2 transaction sets'],
      ['ST 0002 (855), GS 7', 'ST 0002 (855), GS 7 rejected: GE01 says 3, but the group has 2 transaction sets'],
      ['ST 0001 (855), GS 8', null],
    ]);
    const ak9s = segmentsOf(reading.acknowledgement(1)).filter((s) => s[0] === 'AK9');
    expect(ak9s).toEqual([['AK9', 'R', '3', '2', '0', '5'], ['AK9', 'A', '1', '1', '1']]);
  });

  it('a version outside 004010–008020 rejects the group (AK9 R, 2)', async () => {
    const { entries, reading } = await readAll(file(ISA, ...group(SET_1, 'GE*1*7', 'GS*PR*SUPPLIER*ORDERSYNC*20261120*1504*7*X*003040'), 'IEA*1*000000007'));
    expect(entries[0].reason).toBe('ST 0001 (855) rejected: GS08 version "003040" is not supported (004010 to 008020)');
    expect(segmentsOf(reading.acknowledgement(1)).find((s) => s[0] === 'AK9')).toEqual(['AK9', 'R', '1', '1', '0', '2']);
  });

  it('a set without SE (the next ST comes) is rejected with AK5 code 2; the next set applies', async () => {
    const { entries, reading } = await readAll(file(ISA, ...group([...SET_1.slice(0, 3), ...SET_2], 'GE*2*7'), 'IEA*1*000000007'));
    expect(entries.map((e) => e.reason)).toEqual(['ST 0001 (855) rejected: ST 0001 has no SE trailer', null]);
    const ack = segmentsOf(reading.acknowledgement(1)).filter((s) => s[0].startsWith('AK')).map((s) => s.join('*'));
    expect(ack).toEqual(['AK1*PR*7', 'AK2*855*0001', 'AK5*R*2', 'AK2*855*0002', 'AK5*A', 'AK9*P*2*2*1']);
  });

  it('SE02 not matching ST02 (AK5 3), a repeated ST02 (AK5 23), and a set type we do not read (AK5 1)', async () => {
    const badControl = ['ST*855*0003', 'BAK*00*AK*PO-9*20261101****SO-9', 'N1*SU*Cobra Puma', 'SE*4*0004'];
    const po850 = ['ST*850*0004', 'BEG*00*SA*PO-10**20261101', 'SE*3*0004'];
    const { entries, reading } = await readAll(file(ISA, ...group([...SET_1, ...SET_1, ...badControl, ...po850], 'GE*4*7'), 'IEA*1*000000007'));
    expect(entries.map((e) => [e.type, e.reason])).toEqual([
      ['order', null],
      ['order', 'ST 0001 (855) rejected: ST02 "0001" is used twice in GS 7'],
      ['order', 'ST 0003 (855) rejected: SE02 "0004" does not match ST02 "0003"'],
      // Every fault of the set is told, not the first only.
      [null, 'ST 0004 (850) rejected: ST01 "850" is not a set OrderSync reads (855, 856, 810); ST01 "850" does not belong in a GS01 "PR" group (it holds 855 sets)'],
    ]);
    const ak5s = segmentsOf(reading.acknowledgement(1)).filter((s) => s[0] === 'AK5').map((s) => s.join('*'));
    // An 850 is not read at all (1), nor does it belong in a PR group (6).
    expect(ak5s).toEqual(['AK5*A', 'AK5*R*23', 'AK5*R*3', 'AK5*R*1*6']);
  });

  it('a control number too short for ST02 (AK5 7); alphanumeric ones are fine', async () => {
    const short = ['ST*855*1', 'BAK*00*AK*PO-9*20261101****SO-9', 'N1*SU*Cobra Puma', 'SE*4*1'];
    const letters = ['ST*855*A0001', 'BAK*00*AK*PO-9*20261101****SO-9', 'N1*SU*Cobra Puma', 'SE*4*A0001'];
    const { entries, reading } = await readAll(file(ISA, ...group([...short, ...letters], 'GE*2*7'), 'IEA*1*000000007'));
    expect(entries.map((e) => e.reason)).toEqual(['ST 1 (855) rejected: ST02 "1" is not a control number of 4 to 9 characters', null]);
    expect(segmentsOf(reading.acknowledgement(1)).filter((s) => s[0] === 'AK5').map((s) => s.join('*'))).toEqual(['AK5*R*7', 'AK5*A']);
  });

  it('an invalid code and an invalid date are AK4 codes 7 and 8, with a copy of the bad value', async () => {
    const set = ['ST*855*0001', 'BAK*00*XX*PO-7*20261301****SO-7', 'SE*3*0001'];
    const { entries, reading } = await readAll(file(ISA, ...group(set), 'IEA*1*000000007'));
    expect(entries[0].reason).toBe('ST 0001 (855) rejected: BAK02 (segment 2) "XX" is not a known code');
    const ak = segmentsOf(reading.acknowledgement(1)).filter((s) => ['AK3', 'AK4', 'AK5'].includes(s[0])).map((s) => s.join('*'));
    expect(ak).toEqual(['AK3*BAK*2**8', 'AK4*2*587*7*XX', 'AK4*4*373*8*20261301', 'AK5*R*5']);
  });

  it('a missing mandatory segment is AK3 code 3', async () => {
    const set = ['ST*810*0001', 'BIG*20261130*INV-9**PO-9', 'IT1*1*1*EA*10**VP*V-1', 'SE*4*0001'];
    const { reading } = await readAll(file(ISA, ...group(set, 'GE*1*7', 'GS*IN*SUPPLIER*ORDERSYNC*20261120*1504*7*X*004010'), 'IEA*1*000000007'));
    const ak = segmentsOf(reading.acknowledgement(1)).filter((s) => ['AK3', 'AK5'].includes(s[0])).map((s) => s.join('*'));
    expect(ak).toEqual(['AK3*TDS*4**3', 'AK5*R*5']);
  });

  it('marks the loop of a faulty segment (AK303)', async () => {
    const set = ['ST*856*0001', 'BSN*00*X1*20261120*1504', 'HL*1**S', 'HL*2*1*O', 'PRF*PO-9', 'REF*VN*SO-9', 'HL*3*2*I', 'LIN**BP*S-1', 'SN1**x*EA', 'SE*10*0001'];
    const { reading } = await readAll(file(ISA, ...group(set, 'GE*1*7', 'GS*SH*SUPPLIER*ORDERSYNC*20261120*1504*7*X*004010'), 'IEA*1*000000007'));
    const ak = segmentsOf(reading.acknowledgement(1)).filter((s) => ['AK3', 'AK4'].includes(s[0])).map((s) => s.join('*'));
    // The set's content fault is told too (every fault of a set, in set order): no pack, no MAN, no tracking number.
    expect(ak).toEqual(['AK3*MAN*8*HL*3', 'AK3*SN1*9*HL*8', 'AK4*2*382*6*x']);
  });
});

it('reads the fixtures without an error in their own envelopes', async () => {
  for (const name of ['856-pick-pack.edi', '856-s-o-i.edi', '855-ia-ib-ir.edi', '810-freight-tax-terms.edi']) {
    const { entries } = await readAll(fixture(name));
    expect(entries.every((e) => e.reason === null)).toBe(true);
  }
});

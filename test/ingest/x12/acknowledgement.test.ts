// The 997 answering a file (DESIGN 3, issue 7): AK1/AK2/AK3/AK4/AK5 per set, AK9 per group, valid X12 itself.
import { describe, expect, it } from 'vitest';
import { readX12 } from '../../../src/ingest/x12/index.ts';
import { acceptedUpdates, fixture, readAll, segmentsOf } from './read.ts';

const NOW = new Date('2026-11-30T05:07:00Z');

describe('a file mixing good sets, a wrong SE count and a missing mandatory element (CRLF)', () => {
  it('applies the good sets and rejects the bad ones with the reason naming segment and element', async () => {
    const { entries } = await readAll(fixture('mixed-good-and-bad-sets.edi'));
    expect(entries.map((e) => [e.source, e.po_number, e.reason])).toEqual([
      ['ST 0001 (856), GS 31', 'PO-3001', null],
      ['ST 0002 (856), GS 31', 'PO-3002', 'ST 0002 (856), GS 31 rejected: SE01 says 12, but the set has 9 segments (ST to SE)'],
      ['ST 0003 (856), GS 31', 'PO-3003', 'ST 0003 (856), GS 31 rejected: BSN02 (segment 2) is missing (mandatory)'],
      ['ST 0001 (855), GS 32', 'PO-3004', null],
    ]);
    expect(acceptedUpdates(entries).map((u) => [u.type, u.po_number])).toEqual([['shipment', 'PO-3001'], ['order', 'PO-3004']]);
  });

  it('answers with one 997 per group: AK5 A or R with the 718 code, AK3/AK4 at the fault, AK9 P and A', async () => {
    const { reading } = await readAll(fixture('mixed-good-and-bad-sets.edi'));
    expect(reading.interchangeCount).toBe(1);
    const ack = reading.acknowledgement(4242, NOW);
    expect(segmentsOf(ack)).toEqual([
      // Sender and receiver swapped; our control number in ISA13/GS06/IEA02; no TA1 requested; same delimiters.
      ['ISA', '00', '          ', '00', '          ', 'ZZ', 'FAIRWAYGOLF    ', 'ZZ', 'COBRAPUMA      ', '261130', '0507', 'U', '00401',
        '000004242', '0', 'P', '>'],
      ['GS', 'FA', 'FAIRWAYGOLF', 'COBRAPUMA', '20261130', '0507', '4242', 'X', '004010'],
      ['ST', '997', '0001'],
      ['AK1', 'SH', '31'],
      ['AK2', '856', '0001'],
      ['AK5', 'A'],
      ['AK2', '856', '0002'],
      ['AK5', 'R', '4'], // 4: number of included segments does not match actual count
      ['AK2', '856', '0003'],
      ['AK3', 'BSN', '2', '', '8'], // segment 2 of the set has data element errors
      ['AK4', '2', '396', '1'], // BSN02 (element 396, shipment identification): mandatory element missing
      ['AK5', 'R', '5'], // 5: one or more segments in error
      ['AK9', 'P', '3', '3', '1'], // partially accepted: 3 included, 3 received, 1 accepted
      ['SE', '12', '0001'],
      ['ST', '997', '0002'],
      ['AK1', 'PR', '32'],
      ['AK2', '855', '0001'],
      ['AK5', 'A'],
      ['AK9', 'A', '1', '1', '1'],
      ['SE', '6', '0002'],
      ['GE', '2', '4242'],
      ['IEA', '1', '000004242'],
    ]);
  });

  it('writes an ISA of fixed width and each segment on its own line, with the file\'s CR LF after "~"', async () => {
    const { reading } = await readAll(fixture('mixed-good-and-bad-sets.edi'));
    const ack = reading.acknowledgement(1, NOW);
    expect(ack.split('\r\n')).toHaveLength(ack.split('\n').length);
    const lines = ack.split('\r\n');
    expect(lines[0]).toHaveLength(106);
    expect(lines[0].endsWith('>~')).toBe(true);
    expect(lines.at(-1)).toBe('');
  });

  it('uses the received delimiters, even a newline as the segment terminator', async () => {
    const { reading } = await readAll(fixture('855-ia-ib-ir.edi'));
    const ack = reading.acknowledgement(9, NOW);
    expect(ack.split('\n').slice(2, 7)).toEqual(['ST*997*0001', 'AK1*PR*877', 'AK2*855*0001', 'AK5*A', 'AK9*A*1*1*1']);
  });

  it('refuses a control number ISA13 cannot hold', () => {
    const reading = readX12(fixture('856-pick-pack.edi'));
    expect(() => reading.acknowledgement(1_000_000_000, NOW)).toThrow(/outside 1–999999999/);
  });
});

describe('two interchanges in one file, with different delimiters', () => {
  it('reads both and acknowledges each with consecutive control numbers', async () => {
    const bytes = Buffer.concat([fixture('856-pick-pack.edi'), fixture('856-s-o-i.edi')]);
    const { entries, reading } = await readAll(bytes);
    expect(entries.map((e) => [e.source, e.po_number])).toEqual([
      ['ST 0001 (856), GS 912, ISA 000000912', 'PO-1001'],
      ['ST 0001 (856), GS 912, ISA 000000912', 'PO-1001'],
      ['ST 0001 (856), GS 4401, ISA 000004401', 'PO-2002'],
      ['ST 0001 (856), GS 4401, ISA 000004401', 'PO-2003'],
    ]);
    expect(reading.interchangeCount).toBe(2);
    const ack = reading.acknowledgement(500, NOW);
    const [first, second] = ack.split(/(?=ISA)/);
    expect(segmentsOf(first).map((s) => s[0] === 'ISA' ? s[13] : s.join('*'))).toEqual([
      '000000500', 'GS*FA*FAIRWAYGOLF*ACUSHNETEDI*20261130*0507*500*X*004010', 'ST*997*0001', 'AK1*SH*912', 'AK2*856*0001', 'AK5*A',
      'AK9*A*1*1*1', 'SE*6*0001', 'GE*1*500', 'IEA*1*000000500',
    ]);
    expect(segmentsOf(second).map((s) => s[0] === 'ISA' ? s[13] : s.join('|'))).toEqual([
      '000000501', 'GS|FA|FAIRWAYGOLF|TMGOLF|20261130|0507|501|X|005010', 'ST|997|0001', 'AK1|SH|4401', 'AK2|856|0001', 'AK5|A',
      'AK9|A|1|1|1', 'SE|6|0001', 'GE|1|501', 'IEA|1|000000501',
    ]);
  });
});

describe('AK303: the loop of the set\'s diagram the segment at fault is in', () => {
  const file = (gs01: string, st01: string, body: string[]) => {
    const set = [`ST*${st01}*0001`, ...body];
    return ['ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*ORDERSYNC      *261120*1504*U*00401*000000007*0*P*>',
      `GS*${gs01}*SUPPLIER*ORDERSYNC*20261120*1504*7*X*004010`, ...set, `SE*${set.length + 1}*0001`, 'GE*1*7', 'IEA*1*000000007'].join('~\n') + '~\n';
  };
  const ak3s = (x12: string) => segmentsOf(readX12(Buffer.from(x12)).acknowledgement(1, NOW)).filter((s) => s[0] === 'AK3').map((s) => s.join('*'));

  it('810: a heading DTM after the N1 loop is in none, a SAC on a line is in its nested SAC loop, the summary\'s SAC in its own', () => {
    expect(ak3s(file('IN', '810', ['BIG*20261120*INV-1**PO-1', 'N1*SU*Acme', 'N3*1 Main St', 'DTM*011*2026112', 'IT1*1*1*EA*10**VP*V-1',
      'SAC*C*D240***X', 'TXI*ST*Y', 'IT1*2*1*EA*10**VP*V-2', 'PO4*X', 'TDS*2000', 'TXI*ST*Z', 'SAC*C*D240***W']))).toEqual([
      'AK3*DTM*5**8', 'AK3*SAC*7*SAC*8', 'AK3*TXI*8*SAC*8', 'AK3*TXI*12**8', 'AK3*SAC*13*SAC*8',
    ]);
  });

  it('856: a REF after an N1 inside an HL level is in the N1 loop nested in HL; 855: an ACK is in its ACK loop', () => {
    expect(ak3s(file('SH', '856', ['BSN*00*SHP-1*20261120*1504', 'HL*1**S', 'N1*SF*Acme', 'REF**X', 'HL*2*1*O', 'REF**Y']))).toEqual([
      'AK3*REF*5*N1*8', 'AK3*REF*7*HL*8',
    ]);
    expect(ak3s(file('PR', '855', ['BAK*00*AC*PO-1*20261120', 'PO1*1*1*EA*5**BP*A', 'ACK*XX', 'CTT*X']))).toEqual([
      'AK3*ACK*4*ACK*8', 'AK3*CTT*5*CTT*8',
    ]);
  });
});

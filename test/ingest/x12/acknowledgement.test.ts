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

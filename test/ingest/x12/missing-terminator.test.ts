// A segment terminator left out (DESIGN 3: an unreadable file is said "with line and column where known"; fresh-user
// report item 1): the segment then runs into the next, and what breaks is found elsewhere (SE01, a GE that never
// comes, IEA02). The error, the set's reason and the 997 name the segment whose terminator is missing, and where.
// Every segment of an 856, an 810 and an 855 is tried in turn, in one-line files and with CR/LF or LF after each
// segment.
import { describe, expect, it } from 'vitest';
import { UnreadableDocumentError } from '../../../src/ingest/types.ts';
import { readAll, segmentsOf } from './read.ts';

const ISA = 'ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*ORDERSYNC      *261120*1504*U*00401*000000007*0*P*>';
const GS01: Record<string, string> = { 855: 'PR', 856: 'SH', 810: 'IN' };
const BODIES: Record<string, string[]> = {
  856: ['BSN*00*SHP-1*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'DTM*011*20261120*1504*UT', 'HL*2*1*O', 'PRF*PO-1', 'REF*VN*SO-1',
    'HL*3*2*P', 'MAN*CP*1Z999AA10123456784', 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**2*EA', 'CTT*4'],
  810: ['BIG*20261130*INV-9**PO-9', 'REF*VN*SO-9', 'N1*SU*Cobra Puma', 'ITD*01*3*****30', 'IT1*1*2*EA*10**VP*V-1', 'TDS*2000', 'CTT*1'],
  855: ['BAK*00*AC*PO-1*20261120****SO-1', 'N1*SU*Cobra Puma', 'PO1*1*2*EA*10**BP*TIT-GT2-9', 'ACK*IA*2', 'CTT*1'],
};

/** The segments of one interchange holding one set of `code`. */
function segments(code: string): string[] {
  const set = [`ST*${code}*0001`, ...BODIES[code]];
  return [ISA, `GS*${GS01[code]}*SUPPLIER*ORDERSYNC*20261120*1504*7*X*004010`, ...set, `SE*${set.length + 1}*0001`, 'GE*1*7', 'IEA*1*000000007'];
}

/** The file with segment `k`'s terminator left out; `eol` after every other terminator. */
const without = (all: string[], k: number, eol: string) =>
  all.map((segment, i) => (i === k ? segment : `${segment}~${eol}`)).join('');

/** What the reader says of a file: its error, or every reason and the 997's AK3/AK4/AK5 lines. */
async function outcome(text: string): Promise<{ error: UnreadableDocumentError | null; reasons: string[]; ak: string[] }> {
  try {
    const { entries, reading } = await readAll(text);
    const ak = segmentsOf(reading.acknowledgement(1)).filter((s) => /^AK[345]$/.test(s[0])).map((s) => s.join('*'));
    return { error: null, reasons: entries.map((e) => e.reason ?? ''), ak };
  } catch (error) {
    if (!(error instanceof UnreadableDocumentError)) throw error;
    return { error, reasons: [], ak: [] };
  }
}

/** AK402 of the last element of each body segment above (data element numbers, X12 dictionary); absent: the reader
 *  does not list that element (TD503, REF02, N102, PO1/IT1's part ids), and AK402 stays empty. */
const AK402: Record<string, string> = {
  ST: '329', BSN: '337', HL: '735', PRF: '324', MAN: '87', LIN: '234', SN1: '355', CTT: '354', ITD: '386', TDS: '610', ACK: '380', DTM: '623',
};

const EOLS: [string, string][] = [['one line', ''], ['LF', '\n'], ['CR LF', '\r\n']];

describe.each(EOLS)('a segment without its terminator (%s)', (_, eol) => {
  for (const code of ['856', '810', '855']) {
    const all = segments(code);
    // Every segment but the last (the IEA ends the file: nothing follows it to run into).
    for (let k = 1; k < all.length - 1; k++) {
      const id = all[k].split('*')[0];
      const next = all[k + 1].split('*')[0];
      it(`${code}: ${id} (segment ${k + 1} of the file) running into ${next} is named, not what it broke`, async () => {
        const text = without(all, k, eol);
        const { error, reasons, ak } = await outcome(text);
        const said = new RegExp(`segment ${id} runs into the next segment \\(${next}\\): missing segment terminator "~" before "${next}"`);
        // Where the terminator is missing: the line and column of the next segment's id.
        const offset = text.indexOf(all[k + 1], text.indexOf(all[k]) + 1);
        const before = text.slice(0, offset);
        const line = before.split('\n').length;
        const column = offset - (before.lastIndexOf('\n') + 1) + 1;
        if (error) {
          expect(error.message).toMatch(said);
          expect([error.line, error.column]).toEqual([line, column]);
        } else {
          expect(reasons).toHaveLength(1);
          expect(reasons[0]).toMatch(said);
          expect(reasons[0]).toContain(`line ${line}, column ${column}`);
          // The 997 rejects the set and names the glued segment first (AK3, AK304 8), then the element holding the next id.
          expect(ak[0]).toMatch(new RegExp(`^AK3\\*${id}\\*${k - 1}\\*`));
          // AK402: the number of the element the next id landed in (the segment's last) where the reader lists it.
          expect(ak[1]).toMatch(new RegExp(`^AK4\\*\\d+\\*${AK402[id] ?? ''}\\*6\\*`));
          expect(ak.at(-1)).toMatch(/^AK5\*R\*5/);
        }
      });
    }
  }
});

describe('an ISA without its segment terminator', () => {
  const all = segments('856');
  for (const [label, eol] of EOLS) {
    it(`(${label}) is said to lack it, on line 1 right after ISA16, not blamed on IEA02 or a GS`, async () => {
      const { error } = await outcome(without(all, 0, eol));
      expect(error?.message).toMatch(/^line 1, column 106: ISA: the segment terminator is missing after ISA16 ">"/);
      expect(error?.message).toContain('"~"');
    });
  }

  it('nor when another character than the rest of the file uses follows ISA16', async () => {
    const text = without(all, -1, '\n').replace('*P*>~', '*P*>!');
    const { error } = await outcome(text);
    expect(error?.message).toMatch(/^line 1, column 106: ISA: the segment terminator is missing after ISA16 ">": the ISA ends with "!", but the next segment ends with "~"/);
  });
});

describe('sound files are not second-guessed', () => {
  it('element values ending in a segment id (a PO "PO-REF", a name "ACME WEST", a part "LIN") read as they are', async () => {
    const body = ['BSN*00*SHP-1*20261120*1504', 'HL*1**S', 'N1*ST*ACME WEST', 'HL*2*1*O', 'PRF*PO-REF', 'REF*VN*SO-HL', 'HL*3*2*P',
      'MAN*CP*1Z999AA10123456784', 'HL*4*3*I', 'LIN**BP*LIN', 'SN1**2*EA', 'CTT*4'];
    const set = ['ST*856*0001', ...body];
    const text = [ISA, 'GS*SH*SUPPLIER*ORDERSYNC*20261120*1504*7*X*004010', ...set, `SE*${set.length + 1}*0001`, 'GE*1*7', 'IEA*1*000000007']
      .map((s) => `${s}~`).join('');
    const { error, reasons, ak } = await outcome(text);
    expect(error).toBeNull();
    expect(reasons).toEqual(['']);
    expect(ak).toEqual(['AK5*A']);
  });

  it('a set refused for another fault is not said to have a segment running into the next', async () => {
    const all = segments('856').map((s) => (s.startsWith('BSN') ? 'BSN*00*SHP-1*20261340*1504' : s.startsWith('PRF') ? 'PRF*PO-WEST' : s));
    const { reasons } = await outcome(all.map((s) => `${s}~`).join(''));
    expect(reasons).toEqual(['ST 0001 (856) rejected: BSN03 (segment 2) "20261340" is not a date (CCYYMMDD)']);
  });
});

describe('the reader stays linear', () => {
  it('20,000 sets each with a segment running into the next are read in about the time of sound ones', async () => {
    const one = ['ST*856*0001', ...BODIES[856]];
    const sets = (glued: boolean) => Array.from({ length: 20_000 }, (_, i) => {
      const control = String(i + 1).padStart(4, '0');
      const set = [...one.map((s) => s.replace('*0001', `*${control}`)), `SE*${one.length + 1}*${control}`];
      return set.map((s) => (glued && s.startsWith('SN1') ? s : `${s}~\n`)).join('');
    }).join('');
    const file = (glued: boolean) => `${ISA}~\nGS*SH*SUPPLIER*ORDERSYNC*20261120*1504*7*X*004010~\n${sets(glued)}GE*20000*7~\nIEA*1*000000007~\n`;
    const time = async (text: string) => {
      const start = performance.now();
      const { reasons } = await outcome(text);
      return { ms: performance.now() - start, reasons };
    };
    const sound = await time(file(false));
    const glued = await time(file(true));
    expect(glued.reasons).toHaveLength(20_000);
    expect(glued.reasons[19_999]).toMatch(/^ST 20000 \(856\) rejected: segment SN1 runs into the next segment \(CTT\)/);
    // Quadratic work (a line count from the file's start per set) would take minutes here.
    expect(glued.ms).toBeLessThan(sound.ms * 5 + 2000);
    // Two 20,000-set files: over 30 s on a slow, loaded 2-core machine; the ratio above is what the test checks.
  }, 180_000);
});

// Which loop a segment of an 855, 856 or 810 is in: the 997's AK303 (element 447, Loop Identifier Code: "the loop
// ID number given on the transaction set diagram"). Read from the sets' tables (X12 004010, whose loops the later
// releases keep for the segments OrderSync reads): a loop is named by its first segment, a segment in a loop nested
// in another (a SAC in an IT1 loop, an N1 in an HL loop) is in the inner loop, and a segment of the set's own
// tables (an ITD after the 810's heading N1 loop, a TDS) is in none (AK303 empty). Element 447 is defined as the
// diagram's loop ID, the value an LS/LE pair carries around a bounded loop (X12 before 003040 said AK303 named
// such a loop only); the 855, 856 and 810 have no LS/LE loops at all, and translators' 997s (and the HIPAA guides'
// 2000A-style IDs) give AK303 the loop ID of whichever loop holds the segment: what tells a supplier which IT1 or HL
// loop to look in. So it is filled for every loop, and left empty outside them.
// One tracker serves the syntax check (syntax.ts, segment by segment) and the mappers' places (mapping.ts placeOf).

/** A loop: the segments it holds after its first (any order), and the loops nested in it, by their first segment. */
interface LoopTable { members: ReadonlySet<string>; nested: Readonly<Record<string, LoopTable>> }

const loop = (members: string, nested: Record<string, LoopTable> = {}): LoopTable =>
  ({ members: new Set(members.split(' ').filter((id) => id !== '')), nested });

/** A set's table: the loops that open at its own level, and the segments that stand at that level (in no loop). */
interface SetTable { loops: Readonly<Record<string, LoopTable>>; standalone: ReadonlySet<string> }

const set = (standalone: string, loops: Record<string, LoopTable>): SetTable => ({ loops, standalone: new Set(standalone.split(' ')) });

const N1_810 = loop('N2 N3 N4 REF PER DMG');
const TABLES: Readonly<Record<string, SetTable>> = {
  810: set('BIG NTE CUR REF YNQ PER ITD DTM FOB PID MEA PWK PKG L7 BAL INC PAM TDS TXI CAD CTT', {
    N1: N1_810, LM: loop('LQ'), N9: loop('MSG'),
    IT1: loop('CRC QTY CUR IT3 TXI CTP PAM MEA PWK PKG PO4 ITD REF YNQ PER IT8 DTM CAD L7 SR', {
      PID: loop('MEA'), SAC: loop('TXI'), SLN: loop('DTM REF PID SAC TC2 TXI'), N1: N1_810, LM: loop('LQ'), V1: loop('R4 DTM'), FA1: loop('FA2'),
    }),
    AMT: loop('REF DTM PCT'), SAC: loop('TXI'), ISS: loop('PID'),
  }),
  856: set('BSN DTM CTT', {
    HL: loop('LIN SN1 SLN PRF PO4 PID MEA PWK PKG TD1 TD5 TD3 TD4 TSD REF PER MAN DTM FOB PAL SDQ ETD CUR GF YNQ', {
      LH1: loop('LH2 LH3 LFH LEP LH4 LHT LHR PER LHE'), CLD: loop('REF DTP'), N1: loop('N2 N3 N4 REF PER FOB'), SAC: loop('CUR'),
      LM: loop('LQ'), V1: loop('R4 DTM'),
    }),
  }),
  855: set('BAK CUR REF PER TAX FOB CTP PAM CSH ITD DIS INC DTM LDT LIN SI PID MEA PWK PKG TD1 TD5 TD3 TD4 MAN TXI CTB', {
    SAC: loop('CUR'), N9: loop('DTM MSG'), N1: loop('N2 N3 N4 NX2 REF PER SI FOB TD1 TD5 TD3 TD4 PKG'), ADV: loop('DTM MTX'),
    PO1: loop('LIN SI CUR CN1 PO3 PAM MEA PWK PO4 REF PER IT8 CSH ITD DIS INC TAX FOB SDQ DTM TD1 TD5 TD3 TD4 MAN MTX SPI', {
      CTP: loop('CUR'), PID: loop('MEA'), SAC: loop('CUR CTP'), QTY: loop('SI'), SCH: loop('TD1 TD5 TD3 TD4 REF'), ACK: loop(''),
      LDT: loop('QTY MSG REF'), N1: loop('N2 N3 N4 NX2 REF PER SI DTM FOB SCH TD1 TD5 TD3 TD4 PKG'),
    }),
    CTT: loop('AMT'),
  }),
};

/**
 * Follows a set's segments in order and tells the loop each is in (its AK303: the loop's first segment id, '' when
 * in none). A segment id the set's table does not list (a private or later-release segment) stays in the loop it
 * came in, rather than closing it on a guess. A set type without a table has no loops.
 */
export class LoopTracker {
  private readonly table: SetTable | undefined;
  /** The open loops, outermost first, each with its first segment's id. */
  private readonly open: { id: string; table: LoopTable }[] = [];

  constructor(setType: string) {
    this.table = TABLES[setType];
  }

  /** The loop of the next segment of the set, by its id (ST excluded). */
  next(id: string): string {
    if (!this.table) return '';
    for (let depth = this.open.length - 1; depth >= 0; depth--) {
      const { id: opened, table } = this.open[depth];
      if (table.nested[id]) return this.enter(depth + 1, id, table.nested[id]);
      // A loop's first segment again starts its next iteration: the level it opened at takes it below.
      if (id !== opened && table.members.has(id)) {
        this.open.length = depth + 1;
        return opened;
      }
    }
    if (this.table.loops[id]) return this.enter(0, id, this.table.loops[id]);
    if (this.table.standalone.has(id)) {
      this.open.length = 0;
      return '';
    }
    return this.open.at(-1)?.id ?? '';
  }

  private enter(depth: number, id: string, table: LoopTable): string {
    this.open.length = depth;
    this.open.push({ id, table });
    return id;
  }
}

/** The loop of each segment of a set between ST and SE, given their ids in order, by position in the array. */
export function loopsOf(setType: string, ids: readonly string[]): string[] {
  const tracker = new LoopTracker(setType);
  return ids.map((id) => tracker.next(id));
}

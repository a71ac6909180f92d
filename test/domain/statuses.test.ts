// DESIGN 2.3: the PO status rule as a table, and each version's rendering of the fulfilment statuses.
import { describe, expect, it } from 'vitest';
import { derivePoStatus, FULFILMENT_STATUSES, toV1Status, toV2Status, type FulfilmentStatus } from '../../src/domain/statuses.ts';
import { V1_STATUS_VOCABULARY, V2_STATUS_VOCABULARY } from '../support/contract.ts';

/** The thirteen fulfilment statuses of DESIGN 2.3, as the document lists them. */
const DOCUMENTED = [
  'pending', 'review', 'internal review', 'invalid', 'submitted', 'confirmed', 'processing', 'backorder', 'shipped',
  'in transit', 'delivered', 'complete', 'cancelled',
];

describe('fulfilment statuses', () => {
  it('are the thirteen of DESIGN 2.3', () => {
    expect([...FULFILMENT_STATUSES].sort()).toEqual([...DOCUMENTED].sort());
  });
});

describe('derivePoStatus', () => {
  const table: [string, FulfilmentStatus[], FulfilmentStatus][] = [
    // All lines cancelled → cancelled.
    ['one cancelled line', ['cancelled'], 'cancelled'],
    ['every line cancelled', ['cancelled', 'cancelled', 'cancelled'], 'cancelled'],
    // Otherwise, ignoring cancelled lines, the first of invalid, internal review, review that any line has.
    ['invalid outranks everything', ['delivered', 'invalid', 'pending'], 'invalid'],
    ['invalid before internal review', ['internal review', 'invalid'], 'invalid'],
    ['invalid before review', ['review', 'invalid'], 'invalid'],
    ['internal review before review', ['review', 'internal review'], 'internal review'],
    ['internal review outranks progress', ['pending', 'internal review', 'complete'], 'internal review'],
    ['review outranks progress', ['complete', 'review'], 'review'],
    ['review outranks pending', ['pending', 'review'], 'review'],
    ['a cancelled line beside review', ['cancelled', 'review'], 'review'],
    ['a cancelled line beside invalid', ['invalid', 'cancelled'], 'invalid'],
    // Otherwise the least advanced line: pending < submitted < confirmed < processing < backorder < shipped < in transit < delivered < complete.
    ['pending is least advanced', ['complete', 'pending', 'shipped'], 'pending'],
    ['submitted before confirmed', ['confirmed', 'submitted'], 'submitted'],
    ['confirmed before processing', ['processing', 'confirmed'], 'confirmed'],
    ['processing before backorder', ['backorder', 'processing'], 'processing'],
    ['backorder before shipped', ['shipped', 'backorder'], 'backorder'],
    ['shipped before in transit', ['in transit', 'shipped'], 'shipped'],
    ['in transit before delivered', ['delivered', 'in transit'], 'in transit'],
    ['delivered before complete', ['complete', 'delivered'], 'delivered'],
    ['all complete', ['complete', 'complete'], 'complete'],
    ['cancelled lines are ignored', ['cancelled', 'complete', 'cancelled'], 'complete'],
    ['cancelled lines are ignored (in transit)', ['in transit', 'cancelled'], 'in transit'],
    ['a single line is the PO', ['backorder'], 'backorder'],
  ];

  it.each(table)('%s: %j → %s', (_name, lines, expected) => {
    expect(derivePoStatus(lines)).toBe(expected);
  });

  for (const status of DOCUMENTED) {
    it(`one line "${status}" gives "${status}"`, () => {
      expect(derivePoStatus([status as FulfilmentStatus])).toBe(status);
    });
  }

  /** The rule of DESIGN 2.3, written out again independently, to compare on every combination. */
  function documentedRule(lines: string[]): string {
    const live = lines.filter((s) => s !== 'cancelled');
    if (live.length === 0) return 'cancelled';
    for (const attention of ['invalid', 'internal review', 'review']) if (live.includes(attention)) return attention;
    const order = ['pending', 'submitted', 'confirmed', 'processing', 'backorder', 'shipped', 'in transit', 'delivered', 'complete'];
    return order.find((s) => live.includes(s))!;
  }

  it('agrees with the documented rule on every combination of up to three lines, in any order', () => {
    let checked = 0;
    for (const a of DOCUMENTED) {
      for (const b of DOCUMENTED) {
        expect(derivePoStatus([a, b] as FulfilmentStatus[]), `${a}, ${b}`).toBe(documentedRule([a, b]));
        for (const c of DOCUMENTED) {
          const lines = [a, b, c] as FulfilmentStatus[];
          expect(derivePoStatus(lines), lines.join(', ')).toBe(documentedRule(lines));
          checked++;
        }
      }
    }
    expect(checked).toBe(13 ** 3);
  });
});

describe('toV1Status', () => {
  it.each([
    ['pending', 'pending'], ['review', 'internal review'], ['internal review', 'internal review'], ['invalid', 'invalid'],
    ['submitted', 'submitted'], ['confirmed', 'submitted'], ['processing', 'submitted'], ['backorder', 'backorder'],
    ['shipped', 'shipped'], ['in transit', 'in transit'], ['delivered', 'delivered'], ['complete', 'complete'],
    ['cancelled', 'cancelled'],
  ])('%s → %s', (status, v1) => {
    expect(toV1Status(status as FulfilmentStatus)).toBe(v1);
  });

  it("renders only v1's documented vocabulary", () => {
    for (const status of DOCUMENTED) expect(V1_STATUS_VOCABULARY).toContain(toV1Status(status as FulfilmentStatus));
  });
});

describe('toV2Status', () => {
  it.each([
    ['pending', 'pending'], ['review', 'review'], ['internal review', 'internal review'], ['invalid', 'invalid'],
    ['submitted', 'submitted'], ['confirmed', 'confirmed'], ['processing', 'processing'], ['backorder', 'processing'],
    ['shipped', 'shipped'], ['in transit', 'in transit'], ['delivered', 'delivered'], ['complete', 'complete'],
    ['cancelled', 'cancelled'],
  ])('%s → %s', (status, v2) => {
    expect(toV2Status(status as FulfilmentStatus)).toBe(v2);
  });

  it("renders only v2's documented vocabulary", () => {
    for (const status of DOCUMENTED) expect(V2_STATUS_VOCABULARY).toContain(toV2Status(status as FulfilmentStatus));
  });
});

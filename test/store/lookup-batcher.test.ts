// LookupBatcher (store/lookup-batcher.ts): look-ups of one turn of the event loop share one query per retailer.
import { describe, expect, it } from 'vitest';
import { LookupBatcher, type BatchQueries } from '../../src/store/lookup-batcher.ts';

/** Queries that record their calls and answer "<retailer>:<number>" for numbers not starting with NOPE. */
function recording(max = 3, failFor?: string) {
  const calls: string[] = [];
  const answer = (retailer: string, number: string) => (number.startsWith('NOPE') ? undefined : [`${retailer}:${number}`]);
  const queries: BatchQueries = {
    max,
    one: async (retailer, number) => {
      calls.push(`one ${retailer} ${number}`);
      return answer(retailer, number) ?? [];
    },
    many: async (retailer, numbers) => {
      calls.push(`many ${retailer} ${numbers.join(',')}`);
      if (failFor && numbers.includes(failFor)) throw new Error('connection lost');
      const found = new Map<string, string[]>();
      for (const n of numbers) {
        const records = answer(retailer, n);
        if (records) found.set(n, records);
      }
      return found;
    },
  };
  return { calls, queries };
}

describe('LookupBatcher', () => {
  it('answers the look-ups of one turn with one query per retailer, chunks of at most max distinct numbers', async () => {
    const { calls, queries } = recording(3);
    const batcher = new LookupBatcher(queries);
    const asked = [['r1', 'A'], ['r2', 'A'], ['r1', 'B'], ['r1', 'A'], ['r1', 'NOPE'], ['r1', 'C'], ['r1', 'D']] as const;
    const answers = await Promise.all(asked.map(([r, n]) => batcher.lookup(r, n)));
    expect(answers).toEqual([['r1:A'], ['r2:A'], ['r1:B'], ['r1:A'], [], ['r1:C'], ['r1:D']]);
    expect(calls).toEqual(['many r1 A,B,NOPE', 'many r1 C,D', 'one r2 A']);
  });

  it('a look-up alone is one single-number query; the next turn is a new batch', async () => {
    const { calls, queries } = recording();
    const batcher = new LookupBatcher(queries);
    expect(await batcher.lookup('r1', 'A')).toEqual(['r1:A']);
    expect(await batcher.lookup('r1', 'B')).toEqual(['r1:B']);
    expect(calls).toEqual(['one r1 A', 'one r1 B']);
  });

  it('a failed query rejects the look-ups of its chunk only', async () => {
    const { queries } = recording(2, 'X');
    const batcher = new LookupBatcher(queries);
    const results = await Promise.allSettled([batcher.lookup('r1', 'A'), batcher.lookup('r1', 'X'), batcher.lookup('r1', 'B'), batcher.lookup('r2', 'X')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('connection lost');
  });
});

// The benchmark's file (issue 7: a 10 MB 856 with ≈ 20,000 shipments) read in full: every shipment an entry,
// one transaction set at a time. Speed and memory are measured by `npm run bench:ingest`, not here.
import { describe, expect, it } from 'vitest';
import { generate856 } from '../../../src/ingest/x12/generate.ts';
import { readX12 } from '../../../src/ingest/x12/index.ts';
import { segmentsOf } from './read.ts';

/** Reading 20,000 sets takes ~10 s on a quiet 2-core machine and over 30 s on a slow, loaded one: a size test, not a timing one. */
const BIG_FILE_TIMEOUT_MS = 180_000;

describe('generate856(20000)', () => {
  const text = generate856(20_000);

  it('is a file of about 10 MB', () => {
    expect(text.length).toBeGreaterThan(9_000_000);
    expect(text.length).toBeLessThan(13_000_000);
  });

  it('reads as 20,000 shipment entries, each with its own tracking number, and a 997 accepting all 20,000 sets', async () => {
    const reading = readX12(Buffer.from(text));
    let count = 0;
    const trackingNumbers = new Set<unknown>();
    const rejected: string[] = [];
    for await (const entry of reading.entries()) {
      count++;
      if (entry.update === null) rejected.push(`${entry.source}: ${entry.reason}`);
      else trackingNumbers.add(entry.update.tracking_number);
    }
    expect(rejected).toEqual([]);
    expect(count).toBe(20_000);
    expect(trackingNumbers.size).toBe(20_000);
    const ack = segmentsOf(reading.acknowledgement(1));
    expect(ack.find((s) => s[0] === 'AK9')).toEqual(['AK9', 'A', '20000', '20000', '20000']);
    expect(ack.filter((s) => s[0] === 'AK5')).toHaveLength(20_000);
  }, BIG_FILE_TIMEOUT_MS);

  it('is deterministic for a seed and takes the PO numbers it is given', () => {
    const a = generate856(3, { seed: 7, poNumber: (i) => `PO-X${i}` });
    expect(generate856(3, { seed: 7, poNumber: (i) => `PO-X${i}` })).toBe(a);
    expect(a).toContain('PRF*PO-X2***');
  });
});

// Size limits in words (a 413's message, the console's form): exact bytes, and KB or MB beside them, never "0 MB".
import { describe, expect, it } from 'vitest';
import { byteLimit, byteSize } from '../../src/domain/byte-size.ts';

describe('byte sizes', () => {
  it.each([
    [1, '1 byte'], [1000, '1000 bytes'], [1024, '1 KB'], [1536, '1.5 KB'], [1024 * 1024, '1 MB'], [1.5 * 1024 * 1024, '1.5 MB'],
    [10 * 1024 * 1024, '10 MB'],
  ])('%i bytes read as %s', (bytes, text) => expect(byteSize(bytes)).toBe(text));

  it.each([
    [1000, '1,000 bytes'], [1536, '1,536 bytes (1.5 KB)'], [1_572_864, '1,572,864 bytes (1.5 MB)'],
  ])('the limit %i is stated as %s', (bytes, text) => expect(byteLimit(bytes)).toBe(text));
});

// The one quoting of file text for people (domain/plain-text.ts visible() and quoted()): control characters, DEL,
// C1 controls, lone surrogates, noncharacters and bidirectional controls shown as JavaScript escapes; excerpts cut
// by code points; idempotent.
import { describe, expect, it } from 'vitest';
import { quoted, visible } from '../../src/domain/plain-text.ts';

describe('visible() and quoted()', () => {
  it.each([
    ['\x1b[31mPO\x1b]0;pwned\x07', '\\x1b[31mPO\\x1b]0;pwned\\x07'], ['a\tb\r\nc', 'a\\x09b\\x0d\\x0ac'], ['\x00\x7f', '\\x00\\x7f'],
    ['next\u0085line', 'next\\x85line'], ['\u009b2J', '\\x9b2J'], ['lone \ud800 half', 'lone \\ud800 half'],
    ['\udc00', '\\udc00'], ['\ufffe\ufdd0', '\\ufffe\\ufdd0'], ['abc\u202edcba', 'abc\\u202edcba'], ['\u2028', '\\u2028'],
    ['Café 注文 😀', 'Café 注文 😀'],
  ])('%j is shown as %s', (text, shown) => expect(visible(text)).toBe(shown));

  it('is idempotent: what it shows has nothing left to escape', () => {
    const once = visible('\x1b\u0085\ud800\u202e');
    expect(visible(once)).toBe(once);
  });

  it('cuts long text by code points, never between the halves of a pair, and says how long it was', () => {
    expect(quoted('x'.repeat(100))).toBe(`"${'x'.repeat(60)}… (100 characters)"`);
    expect(visible('😀'.repeat(5), 3)).toBe('😀😀😀… (5 characters)');
    expect(quoted('\x1b'.repeat(70), 2)).toBe('"\\x1b\\x1b… (70 characters)"');
  });
});

// A JSON object that names one key twice (`{"total_amount": 100, "total_amount": 5}`). RFC 8259 section 4 says
// names SHOULD be unique and that receivers differ on such objects; JSON.parse keeps the last value without a
// word, so a sender's typo or a broken merge would store one of two amounts silently. Bodies are refused instead:
// a 400 naming the field (DESIGN 2.2). JSON.parse cannot tell (its reviver sees the object after the fact), so the
// text is walked once more here, after JSON.parse has accepted it: the walk may assume well-formed JSON.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

interface Level {
  /** The keys seen so far in this object; null for an array. */
  keys: Set<string> | null;
  /** The path of this object or array, as a field name (`body.updates[0]`). */
  path: string;
  /** The key or index of the value being read at this level. */
  at: string | number;
  expectKey: boolean;
}

/**
 * The path of the first key an object of `text` (valid JSON) names twice, under `root` (`body.updates[0].total_amount`),
 * or null. Keys are compared as JSON.parse reads them: `"a"` and `"\u0061"` are the same key.
 */
export function firstDuplicateKey(text: string, root = 'body'): string | null {
  const stack: Level[] = [];
  const child = () => {
    const top = stack.at(-1);
    if (!top) return root;
    return typeof top.at === 'number' ? `${top.path}[${top.at}]` : `${top.path}.${top.at}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i + 1;
      let escaped = false;
      for (i = start; text.charCodeAt(i) !== QUOTE; i++) {
        if (text.charCodeAt(i) === BACKSLASH) {
          escaped = true;
          i++;
        }
      }
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        const raw = text.slice(start, i);
        const key = escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
        top.at = key;
        if (top.keys.has(key)) return child();
        top.keys.add(key);
        top.expectKey = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push({ keys: c === 0x7b ? new Set() : null, path: child(), at: 0, expectKey: c === 0x7b });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack.at(-1)!;
      if (top.keys) top.expectKey = true;
      else top.at = (top.at as number) + 1;
    }
  }
  return null;
}

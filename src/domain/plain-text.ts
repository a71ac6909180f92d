// The one rule for free text that clients send (names, PO numbers, SKUs, supplier order ids, tracking numbers,
// notes, query filters, path look-ups, CLI labels): it must be well-formed Unicode without control characters
// (DESIGN 2.2: bad input is a 400 naming the field). Control characters corrupt logs, CSV exports and PDFs,
// and PostgreSQL text cannot hold U+0000 at all. A schema says how a field treats tab, LF and CR with
// `x-text`: `line` (the default: refused), `trimmed` (the field is trimmed before use, as PO numbers are: allowed
// at either end, where they are surrounding white space) or `multiline` (allowed anywhere: notes, descriptions,
// and tracking-number fields, whose parser reads any white space as a separator and names two numbers).
//
// Every string in every request schema gets the rule: `withTextRule` adds `x-text` to each string subschema
// that has none before Ajv compiles it (http/validation.ts for bodies, queries and path parameters; the
// supplier update schemas in domain/supplier-updates/parse.ts), so a new field cannot forget it.
import type { Ajv, SchemaValidateFunction } from 'ajv';

/** Refused anywhere: C0 and C1 controls (\p{Cc}, which includes U+007F) and Unicode noncharacters (U+FFFE, U+FDD0…). */
const SINGLE_LINE_REFUSED = /[\p{Cc}\p{Noncharacter_Code_Point}]/u;
/** In multi-line text: the same less tab, line feed and carriage return. */
const MULTI_LINE_REFUSED = /(?![\t\n\r])[\p{Cc}\p{Noncharacter_Code_Point}]/u;
/** Tab, LF and CR at either end of a value (white space that trimming removes). */
const SURROUNDING_BREAKS = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/** How a field treats tab, LF and CR (see the head of this file). */
export type TextMode = 'line' | 'trimmed' | 'multiline';
const TEXT_MODES: readonly string[] = ['line', 'trimmed', 'multiline'];

const LONE_SURROGATE = /\p{Surrogate}/u;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why `value` is not acceptable free text, as a message that can follow the field's name, or null when it is.
 * Refused: lone surrogates (JSON's `"\ud800"`), control characters U+0000–U+001F, U+007F–U+009F, and Unicode
 * noncharacters; `trimmed` allows tab, LF and CR at either end, `multiline` anywhere. Positions are 1-based
 * characters (code units).
 */
export function textProblem(value: string, mode: TextMode = 'line'): string | null {
  // In a `u` regex a surrogate pair is one code point, so \p{Surrogate} finds only lone halves.
  const lone = LONE_SURROGATE.exec(value);
  if (lone) {
    const found = lone;
    return `must be valid Unicode text: a lone surrogate ${codePoint(found[0])} at character ${found.index + 1}`;
  }
  // Blanked, not cut, so positions still count from the value's start.
  const checked = mode === 'trimmed' ? value.replace(SURROUNDING_BREAKS, (ends) => ' '.repeat(ends.length)) : value;
  const found = (mode === 'multiline' ? MULTI_LINE_REFUSED : SINGLE_LINE_REFUSED).exec(checked);
  if (!found) return null;
  const allowed = mode === 'multiline' ? ' (line breaks and tabs are allowed here)' : '';
  return `must not contain control characters or noncharacters: ${codePoint(found[0])} at character ${found.index + 1}${allowed}`;
}

/**
 * Characters shown escaped when text from a file or a request is quoted back to a person (a message, a log line,
 * the CLI's output, an inbox .error.txt): C0 and C1 controls and DEL (a terminal would run `\x1b[31m` or an OSC
 * title sequence), lone surrogates, noncharacters, the line and paragraph separators, and the bidirectional
 * controls that reorder what a reader sees (CVE-2021-42574, "Trojan Source").
 */
const INVISIBLE = /[\p{Cc}\p{Noncharacter_Code_Point}\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|\p{Surrogate}/gu;

const escaped = (char: string) => {
  const code = char.codePointAt(0)!;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * `text` safe to show a person: every character of INVISIBLE written as `\x1b`, `\x7f`, `\u0085`, `\ud800`
 * (JavaScript's escapes), the rest as is; with `max`, cut to its first `max` characters (code points, so a pair is
 * never split) and followed by `… (N characters)`. Idempotent: what it returns has nothing left to escape. The one
 * quoting rule for file text in messages (CSV, X12, the inbox, the CLI).
 */
export function visible(text: string, max?: number): string {
  let shown = text;
  if (max !== undefined) {
    const chars = Array.from(text);
    if (chars.length > max) shown = `${chars.slice(0, max).join('')}… (${chars.length} characters)`;
  }
  return shown.replace(INVISIBLE, escaped);
}

/** `text` without one final full stop: a sentence that more of a line follows ("…; its counts", "… (sdoc_…; applied 0, …)"). */
export function withoutFullStop(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

/** `"…"`: `text` as visible() shows it, cut to `max` characters (default 60), in double quotes. */
export function quoted(text: string, max = 60): string {
  return `"${visible(text, max)}"`;
}

/** Keys whose values are data, not subschemas. */
const DATA_KEYS = new Set(['enum', 'const', 'default', 'examples', 'example', 'required', 'x-message']);

const isStringSchema = (node: Record<string, unknown>) =>
  node.type === 'string' || (Array.isArray(node.type) && node.type.includes('string'));

const copies: Record<TextMode, WeakMap<object, unknown>> =
  { line: new WeakMap(), trimmed: new WeakMap(), multiline: new WeakMap() };

/**
 * A copy of a JSON Schema (a TypeBox schema) in which every string subschema without an `x-text` carries
 * `x-text: mode` (default `line`); the original is left as it is (response schemas and the OpenAPI document
 * share it). Copies are cached per schema object.
 */
export function withTextRule<T>(schema: T, mode: TextMode = 'line'): T {
  if (schema === null || typeof schema !== 'object') return schema;
  const cached = copies[mode].get(schema);
  if (cached) return cached as T;
  let copy: unknown;
  if (Array.isArray(schema)) {
    copy = schema.map((item) => withTextRule(item, mode));
  } else {
    const node = schema as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = DATA_KEYS.has(key) ? value : withTextRule(value, mode);
    if (isStringSchema(node) && out['x-text'] === undefined) out['x-text'] = mode;
    copy = out;
  }
  copies[mode].set(schema, copy as object);
  return copy as T;
}

/** Registers the `x-text` keyword (`"line"`, `"trimmed"` or `"multiline"`) that `withTextRule` adds. */
export function addTextKeyword(ajv: Ajv): void {
  const validate: SchemaValidateFunction = (mode: string, data: string) => {
    if (!TEXT_MODES.includes(mode)) throw new Error(`x-text: "${mode}" is not one of ${TEXT_MODES.join(', ')}`);
    const problem = textProblem(data, mode as TextMode);
    if (problem === null) return true;
    validate.errors = [{ keyword: 'x-text', message: problem, params: {} }];
    return false;
  };
  ajv.addKeyword({ keyword: 'x-text', type: 'string', schemaType: 'string', errors: true, validate });
}

// JSON numbers as their senders wrote them (DESIGN 1: money is exact; DESIGN 2.2: bad input is a 400 naming the
// field, never silently changed). JSON.parse reads every number into a double, which holds 15–17 significant digits
// and magnitudes from about 1e-308 to 1e308: `100.00000000000000001` becomes 100, `1e-400` 0, `1e400` Infinity,
// `2.0000000000000001` 2 — another value, with nothing to show it. Request bodies are parsed here by the engine's
// own JSON parser, JSON.parse, asking it for each number's source text (the reviver's `context.source`: TC39's
// "JSON.parse source text access", in V8 since 11.4, so in every Node this project runs on, 22 and later). It is
// the same parser as before, so the JSON accepted is exactly what it was; no second parser to keep in step with it.
//
// Values stay plain JSON values: a number is still a number, so schemas, handlers and idempotency fingerprints
// read bodies as before. Only a number its double does not hold exactly has its text kept, beside the object or
// array holding it (a WeakMap: nothing is added to the body, and nothing outlives it). Where the exact value
// matters it is asked for:
// - writtenNumber(holder, key): an amount as written, which domain/money.ts parseAmount reads exactly, so
//   `100.00000000000000001` USD has too many decimals and `1e400` is too large (each a 400 naming the field);
// - the `x-exact` schema keyword that withExactNumbers adds to every number and integer schema: a whole number
//   and the bounds (`quantity` 1–1,000,000) judged on the value written, so `2.0000000000000001` is no whole
//   number. Amounts are the only non-integer numbers of the API's bodies; each is read with writtenNumber.
// Cost (bench/json-bodies.ts): a 1,000-update batch (200 KB) parses in 3.8 ms where Fastify's parser takes 0.7 ms,
// under 2% of the 190 ms its whole request takes on SQLite; a 20-product PO in 39 µs (6 µs). The read API's bulk
// look-up keeps Fastify's parser (http/json-body.ts).
import type { Ajv, SchemaValidateFunction } from 'ajv';
import { decimalDigits, type DecimalDigits } from './money.ts';
import { visible } from './plain-text.ts';

interface ReviverContext {
  source?: string;
}

// The reviver's third argument is what this module stands on: without it (a Node before 21) the service must not
// start, rather than read numbers as doubles again without a word.
let sourceSeen: string | undefined;
JSON.parse('1.0', (_key, value, context?: ReviverContext) => ((sourceSeen = context?.source), value));
if (sourceSeen !== '1.0') throw new Error('JSON.parse gives its reviver no source text (context.source): Node 22 or later is required');

/** Per object or array of a parsed body: key → the source text of each number there that its double misreads. */
const inexact = new WeakMap<object, Map<string, string>>();

/**
 * Whether a double holds the number `source` writes exactly: its shortest round-trip text (String(value)) is the
 * same decimal. Every text of at most 15 characters without an exponent is (15 significant digits always come
 * back from a double: DBL_DIG), so the common case costs one length check.
 */
export function holdsExactly(source: string, value: number): boolean {
  if (source.length <= 15 && !source.includes('e') && !source.includes('E')) return true;
  if (!Number.isFinite(value)) return false;
  const written = decimalDigits(source);
  const read = decimalDigits(String(value));
  return written !== null && read !== null && sameDecimal(written, read);
}

const sameDecimal = (a: DecimalDigits, b: DecimalDigits) =>
  a.digits === b.digits && (a.digits === '' || (a.negative === b.negative && a.exponent === b.exponent));

/** A body with a `__proto__` key or a `constructor.prototype`: a SyntaxError, so that unnamed it is still a 400. */
export class ForbiddenKeyError extends SyntaxError {}

/**
 * Parses JSON text as JSON.parse does (a byte-order mark first is skipped, as Fastify's parser does), keeping the
 * source text of every number its double does not hold exactly (writtenNumber). Throws JSON.parse's SyntaxError
 * for text that is not JSON, and ForbiddenKeyError when an object has a `__proto__` key or a `constructor` object
 * holding `prototype` (kept out of every handler, as Fastify's secure parser does; the caller names the field).
 */
export function parseJsonKeepingNumbers(text: string): unknown {
  let forbidden = false;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const value: unknown = JSON.parse(body, function reviver(this: object, key: string, item: unknown, context?: ReviverContext) {
    if (typeof item === 'number') {
      const source = context!.source!;
      if (!holdsExactly(source, item)) {
        let texts = inexact.get(this);
        if (!texts) inexact.set(this, (texts = new Map()));
        texts.set(key, source);
        // Past the double's range (`1e400`): the largest double of its sign, which fails every bound as the number
        // does (a schema's `maximum` names it), where Infinity would be "not a number" to a schema.
        if (!Number.isFinite(item)) return item > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
      }
    } else if (key === '__proto__' || (key === 'constructor' && item !== null && typeof item === 'object' && Object.hasOwn(item, 'prototype'))) {
      forbidden = true;
    }
    return item;
  });
  if (forbidden) throw new ForbiddenKeyError('forbidden key');
  return value;
}

/**
 * The number at `holder[key]` as its sender wrote it, when a double misreads it (`"1e-400"`), else the value
 * itself: what an exact reader (domain/money.ts parseAmount) should read. Bodies not parsed by
 * parseJsonKeepingNumbers (supplier documents, held updates) give their values.
 */
export function writtenNumber(holder: object, key: string | number): unknown {
  return inexact.get(holder)?.get(String(key)) ?? (holder as Record<string, unknown>)[key];
}

/** `x-exact` on every number and integer subschema of `schema` (a copy; the original is left as it is, as withTextRule does). */
export function withExactNumbers<T>(schema: T): T {
  if (schema === null || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map((item) => withExactNumbers(item)) as T;
  const node = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = DATA_KEYS.has(key) ? value : withExactNumbers(value);
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes('number') || types.includes('integer')) out['x-exact'] = true;
  return out as T;
}

const DATA_KEYS = new Set(['enum', 'const', 'default', 'examples', 'example', 'required', 'x-message']);

/** -1, 0 or 1 as the decimal `a` is less than, equal to or more than `b`. */
function compareDecimal(a: DecimalDigits, b: DecimalDigits): number {
  const sign = (d: DecimalDigits) => (d.digits === '' ? 0 : d.negative ? -1 : 1);
  if (sign(a) !== sign(b)) return Math.sign(sign(a) - sign(b));
  if (sign(a) === 0) return 0;
  // Same sign: compare magnitudes by their leading power of ten, then digit by digit.
  const lead = (d: DecimalDigits) => d.digits.length + d.exponent;
  let magnitude = Math.sign(lead(a) - lead(b));
  if (magnitude === 0) {
    const width = Math.max(a.digits.length, b.digits.length);
    const [x, y] = [a.digits.padEnd(width, '0'), b.digits.padEnd(width, '0')];
    magnitude = x === y ? 0 : x < y ? -1 : 1;
  }
  return sign(a) * magnitude;
}

/** The first rule of a number schema that `value` breaks (its message), or null. */
function brokenRule(value: DecimalDigits, schema: Record<string, unknown>): string | null {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('integer') && !types.includes('number') && value.digits !== '' && value.exponent < 0) return 'must be a whole number';
  const bound = (name: string) => (typeof schema[name] === 'number' ? decimalDigits(String(schema[name])) : null);
  const checks: [string, (order: number) => boolean, string][] = [
    ['minimum', (order) => order >= 0, 'at least'], ['exclusiveMinimum', (order) => order > 0, 'more than'],
    ['maximum', (order) => order <= 0, 'at most'], ['exclusiveMaximum', (order) => order < 0, 'less than'],
  ];
  for (const [name, holds, words] of checks) {
    const limit = bound(name);
    if (limit && !holds(compareDecimal(value, limit))) return `must be ${words} ${String(schema[name])}`;
  }
  return null;
}

/**
 * Registers `x-exact` (added by withExactNumbers): a number whose double its sender's text does not match is
 * judged on the text, for what the double hides: `2.0000000000000001` is no whole number, `-1e-400` is less than
 * 0. What the double already fails (`1e400`, read as the largest double, over any maximum) is left to the schema's
 * own rule, so a field is named once.
 */
export function addExactNumberKeyword(ajv: Ajv): void {
  const validate: SchemaValidateFunction = (_on: boolean, data: number, parentSchema?: Record<string, unknown>, context?: {
    parentData?: unknown; parentDataProperty?: string | number;
  }) => {
    const holder = context?.parentData;
    if (holder === null || typeof holder !== 'object' || context?.parentDataProperty === undefined) return true;
    const source = inexact.get(holder)?.get(String(context.parentDataProperty));
    if (source === undefined || !parentSchema) return true;
    const problem = brokenRule(decimalDigits(source)!, parentSchema);
    if (problem === null || brokenRule(decimalDigits(String(data))!, parentSchema) !== null) return true;
    validate.errors = [{ keyword: 'x-exact', message: `${problem}, not ${visible(source, 60)}`, params: {} }];
    return false;
  };
  ajv.addKeyword({ keyword: 'x-exact', type: 'number', schemaType: 'boolean', errors: true, validate });
}

// Request validation with Ajv. Query strings and path parameters arrive as text, so they are coerced to the
// schema's types (`?page=2`); JSON bodies are not: `{"po_numbers": [1]}` must fail, not become "1".
// Every string anywhere in a request is free text under the one rule of domain/plain-text.ts, every number in a
// body is judged on its value as written (domain/json-numbers.ts), and every integer in a query or path is plain
// decimal digits within the schema's range (`queryIntegers` below).
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { isCalendarDate } from '../domain/dates.ts';
import { addExactNumberKeyword, withExactNumbers } from '../domain/json-numbers.ts';
import { isCurrencyCode } from '../domain/money.ts';
import { uncoveredRules } from '../domain/schema-problems.ts';
import { addTextKeyword, withTextRule } from '../domain/plain-text.ts';
import { parseTimestamp } from '../domain/timestamps.ts';

function makeAjv(options: Options): Ajv {
  // verbose: errors carry their schema, whose `x-message` words a pattern's or format's failure for the client.
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: true, strict: false, verbose: true, ...options });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  // `date-time` is whatever the one timestamp parser reads (DESIGN 1: leap seconds, +hhmm, years 0001–9999,
  // no offset, a bare date); the handler converts it in the right zone.
  ajv.addFormat('date-time', { type: 'string', validate: (value: string) => parseTimestamp(value, { zone: 'UTC' }).ok });
  // `date`: a real calendar day, YYYY-MM-DD of the years 0001–9999 (domain/dates.ts isCalendarDate, the one rule).
  ajv.addFormat('date', { type: 'string', validate: isCalendarDate });
  // `currency-code`: ISO 4217 codes in use (domain/money.ts), not any three letters (`ZZZ`).
  ajv.addFormat('currency-code', { type: 'string', validate: isCurrencyCode });
  addTextKeyword(ajv);
  addExactNumberKeyword(ajv);
  return ajv;
}

/** Plain decimal digits: no sign, exponent, fraction, hex, or white space (`1e3`, `1.5`, ` 2`, `0x10` are refused). */
const DECIMAL_DIGITS = /^[0-9]+$/;

type Validator = ((data: unknown, context?: object) => boolean) & { errors?: ErrorObject[] | null; schemaEnv?: unknown };

/**
 * The one check of integers in query strings and path parameters: Ajv's coercion alone reads `1e3`, ` 2` and
 * `0x10` as numbers, so each integer property's text must first be plain decimal digits (leading zeros are
 * harmless). Every such property must declare a `maximum`, so a huge page number (`99999999999999999999`) is a
 * 400 naming the limit, never a lossy double: a route without one fails at start-up.
 */
function queryIntegers(schema: Record<string, unknown>, validate: ValidateFunction, part: string): Validator {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const names = Object.keys(properties).filter((name) => properties[name].type === 'integer');
  if (names.length === 0) return validate as Validator;
  for (const name of names) {
    if (typeof properties[name].maximum !== 'number') throw new Error(`${part}.${name}: a query or path integer needs a maximum`);
  }
  const wrapped: Validator = (data, context) => {
    const record = (data ?? {}) as Record<string, unknown>;
    const problems = names.filter((name) => typeof record[name] === 'string' && !DECIMAL_DIGITS.test(record[name] as string))
      .map((name): ErrorObject => ({
        instancePath: `/${name}`, schemaPath: `#/properties/${name}`, keyword: 'x-integer', params: {},
        message: `must be a whole number written in decimal digits only (e.g. ${String(properties[name].minimum ?? 1)}), not "${String(record[name])}"`,
      }));
    const valid = (validate as Validator)(data, context);
    wrapped.errors = [...problems, ...(valid ? [] : validate.errors ?? [])];
    return wrapped.errors.length === 0;
  };
  wrapped.schemaEnv = validate.schemaEnv;
  return wrapped;
}

export function registerValidation(app: FastifyInstance): void {
  const forBody = makeAjv({ coerceTypes: false });
  const forText = makeAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart, url, method }) => {
    // A pattern or format Ajv would word itself (`must match "^\d{4}…"`) fails at start-up, not in front of a user.
    const uncovered = uncoveredRules(schema);
    if (uncovered.length > 0) throw new Error(`${method} ${url} ${httpPart}: ${uncovered.join('; ')} (domain/schema-problems.ts)`);
    const ruled = withTextRule(schema);
    // Numbers in a body are judged as written (domain/json-numbers.ts): `2.0000000000000001` is no whole number.
    if (httpPart === 'body') return forBody.compile(withExactNumbers(ruled));
    const validate = forText.compile(ruled);
    return httpPart === 'querystring' || httpPart === 'params' ? queryIntegers(ruled as Record<string, unknown>, validate, httpPart) : validate;
  });
}

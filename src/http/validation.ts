// Request validation with Ajv. Query strings and path parameters arrive as text, so they are coerced to the
// schema's types (`?page=2`); JSON bodies are not: `{"po_numbers": [1]}` must fail, not become "1".
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { parseTimestamp } from '../domain/timestamps.ts';

function makeAjv(options: Options): Ajv {
  // verbose: errors carry their schema, whose `x-message` words a pattern's or format's failure for the client.
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: true, strict: false, verbose: true, ...options });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  // `date-time` is whatever the one timestamp parser reads (DESIGN 1: leap seconds, +hhmm, years 0001–9999,
  // no offset, a bare date); the handler converts it in the right zone.
  ajv.addFormat('date-time', { type: 'string', validate: (value: string) => parseTimestamp(value, { zone: 'UTC' }).ok });
  return ajv;
}

export function registerValidation(app: FastifyInstance): void {
  const forBody = makeAjv({ coerceTypes: false });
  const forText = makeAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? forBody.compile(schema) : forText.compile(schema));
}

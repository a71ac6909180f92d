// Request validation with Ajv. Query strings and path parameters arrive as text, so they are coerced to the
// schema's types (`?page=2`); JSON bodies are not: `{"po_numbers": [1]}` must fail, not become "1".
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: true, strict: false, ...options });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv;
}

export function registerValidation(app: FastifyInstance): void {
  const forBody = makeAjv({ coerceTypes: false });
  const forText = makeAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? forBody.compile(schema) : forText.compile(schema));
}

// JSON request bodies, read with their numbers as written (domain/json-numbers.ts: a number a double cannot hold,
// `1e-400` or `100.00000000000000001`, is judged on its text, never silently rounded), except on routes that
// declare `config: { jsonNumbers: 'doubles' }` (the read API's bulk look-up, whose body holds no number): those keep
// Fastify's own parser (secure-json-parse) at its speed. Both refuse a `__proto__` key, and a `constructor` object
// holding `prototype`, to keep prototype pollution out of every handler. Fastify's parser reports those as "not
// valid JSON"; here they are what they are: valid JSON with a field that is not allowed, a 400 validation_failed
// naming that field (DESIGN 2.2), such as `body.lines[0].__proto__`. An object naming a key twice is refused too
// (domain/json-duplicate-keys.ts), where JSON.parse would keep the last value silently.
import type { FastifyInstance } from 'fastify';
import { firstDuplicateKey } from '../domain/json-duplicate-keys.ts';
import { ForbiddenKeyError, parseJsonKeepingNumbers } from '../domain/json-numbers.ts';
import { validationFailed, type ErrorDetail } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `doubles`: the route's JSON body holds no number, and is read by Fastify's parser (faster); default: numbers as written. */
    jsonNumbers?: 'doubles';
  }
}

/** The first forbidden key of a parsed JSON value, as a field path under `where`, with the reason; or null. */
function forbiddenKey(value: unknown, where: string): ErrorDetail | null {
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = forbiddenKey(item, `${where}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key === '__proto__') return { field: `${where}.__proto__`, message: 'is not allowed (a key named "__proto__" is refused in any object)' };
    if (key === 'constructor' && item !== null && typeof item === 'object' && Object.hasOwn(item, 'prototype')) {
      return { field: `${where}.constructor.prototype`, message: 'is not allowed (a "constructor" object with a "prototype" key is refused)' };
    }
    const found = forbiddenKey(item, `${where}.${key}`);
    if (found) return found;
  }
  return null;
}

/** The refusal of a parsed body's forbidden key, naming it; `text` is the body (parsed again: error path only). */
function forbidden(text: string, fallback: Error): Error {
  let plain: unknown;
  try {
    // JSON.parse keeps `__proto__` as an own key (no prototype is set), so it can be found and named.
    plain = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return fallback;
  }
  const found = forbiddenKey(plain, 'body');
  return found ? validationFailed([found]) : fallback;
}

/** The refusal of a body (valid JSON) whose object names a key twice (domain/json-duplicate-keys.ts), or null. */
function repeatedKey(text: string): Error | null {
  const field = firstDuplicateKey(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  return field === null ? null : validationFailed([{ field, message: 'is given twice in one object: send each field once' }]);
}

/**
 * Replaces the application/json parser: numbers as written (parseJsonKeepingNumbers), or, on a route declaring
 * `jsonNumbers: 'doubles'`, Fastify's default parser; either way poisoning refusals name the field. An empty body
 * or one that is not JSON is a SyntaxError, which http/errors.ts answers as Fastify's own errors are.
 */
export function registerJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (request.routeOptions.config?.jsonNumbers !== 'doubles') {
      let value: unknown;
      try {
        value = parseJsonKeepingNumbers(body as string);
      } catch (error) {
        return done(error instanceof ForbiddenKeyError ? forbidden(body as string, error) : error as Error, undefined);
      }
      return done(repeatedKey(body as string), value);
    }
    parse(request, body as string, (error: Error | null, value?: unknown) => {
      if (!error) return done(repeatedKey(body as string), value);
      return done(forbidden(body as string, error), undefined);
    });
  });
}

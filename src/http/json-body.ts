// JSON request bodies: Fastify's own parser (secure-json-parse), which refuses a `__proto__` key, and a
// `constructor` object holding `prototype`, to keep prototype pollution out of every handler. It reports those
// as "not valid JSON"; here they are what they are: valid JSON with a field that is not allowed, a 400
// validation_failed naming that field (DESIGN 2.2), such as `body.lines[0].__proto__`.
import type { FastifyInstance } from 'fastify';
import { validationFailed, type ErrorDetail } from './errors.ts';

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

/** Replaces the application/json parser with Fastify's default one whose poisoning refusals name the field. */
export function registerJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (error: Error | null, value?: unknown) => {
      if (!error) return done(null, value);
      let plain: unknown;
      try {
        // JSON.parse keeps `__proto__` as an own key (no prototype is set), so it can be found and named.
        plain = JSON.parse(body as string);
      } catch {
        return done(error, undefined);
      }
      const found = forbiddenKey(plain, 'body');
      return done(found ? validationFailed([found]) : error, undefined);
    });
  });
}

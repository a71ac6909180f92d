// Query strings must be valid percent-encoded UTF-8 (README "input rules": text must be valid Unicode; DESIGN 2.2:
// bad input is a 400 naming the field). Fastify's query parser keeps a value it cannot decode (`%ED%A0%80`, a lone
// surrogate; `%FF`, not UTF-8; a lone `%`; `%zz`) as its literal text, which would then be stored or matched as if
// the client had meant it. This check runs on every request, on the raw URL, before
// authentication and the route's handler.
import type { FastifyInstance } from 'fastify';
import { visible } from '../domain/plain-text.ts';
import { PERCENT_ENCODING_PROBLEM, validationFailed, type ErrorDetail } from './errors.ts';

/** `decodeURIComponent` of a query-string component (`+` is a space, RFC 1866 form encoding), or null when invalid. */
function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * The query-string fields of `url` whose name or value is not valid percent-encoded UTF-8, each as
 * `{ field: 'query.<name>', message }` (the name as decoded, or as sent when the name itself is the fault).
 */
export function badQueryEncodings(url: string): ErrorDetail[] {
  const mark = url.indexOf('?');
  // Only a `%` sequence can fail to decode: most query strings (by-date's dates, paging) have none.
  if (mark < 0 || !url.includes('%', mark)) return [];
  const problems: ErrorDetail[] = [];
  for (const pair of url.slice(mark + 1).split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const rawName = equals < 0 ? pair : pair.slice(0, equals);
    const name = decodeComponent(rawName);
    const valueOk = equals < 0 || decodeComponent(pair.slice(equals + 1)) !== null;
    if (name !== null && valueOk) continue;
    problems.push({ field: `query.${visible(name ?? rawName, 60)}`, message: PERCENT_ENCODING_PROBLEM });
  }
  return problems;
}

/** Refuses, with a 400 naming each field, a request whose query string is not valid percent-encoded UTF-8. */
export function registerQueryEncodingCheck(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const problems = badQueryEncodings(request.url);
    done(problems.length > 0 ? validationFailed(problems) : undefined);
  });
}

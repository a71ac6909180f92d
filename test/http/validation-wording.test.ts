// The request validator never lets a schema's regex or Ajv's own phrasing reach a user (DESIGN 2.2): a route whose
// schema has a `pattern` without an `x-message`, or a `format` the error mapper does not word, fails at start-up;
// the formats it does word quote the value and say the form expected, and a worded pattern uses its words.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerErrorHandling } from '../../src/http/errors.ts';
import { registerValidation } from '../../src/http/validation.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function appWith(querystring: Record<string, unknown>): FastifyInstance {
  app = Fastify({ logger: false });
  registerErrorHandling(app);
  registerValidation(app);
  app.get('/probe', { schema: { querystring: { type: 'object', properties: querystring } } }, async () => ({ ok: true }));
  return app;
}

describe('schema rules a user would see in Ajv\'s words', () => {
  it.each([
    ['a pattern without x-message', { code: { type: 'string', pattern: '^[A-Z]{3}$' } }, /pattern \^\[A-Z\]\{3\}\$ has no x-message/],
    ['a pattern nested in an array item', { codes: { type: 'array', items: { type: 'string', pattern: '\\S' } } }, /\/items: pattern/],
    ['a format the mapper does not word', { site: { type: 'string', format: 'uri' } }, /format uri has no x-message/],
  ])('%s fails at start-up, naming the route and the place', async (_name, properties, why) => {
    await expect(appWith(properties).ready()).rejects.toThrow(why);
  });

  it('a worded pattern and a worded format start, and their words are the message', async () => {
    const started = appWith({
      code: { type: 'string', pattern: '^[A-Z]{3}$', 'x-message': 'must be three capital letters' },
      site: { type: 'string', format: 'uri', 'x-message': 'must be a URL such as https://example.com' },
    });
    await started.ready();
    const response = await started.inject({ method: 'GET', url: '/probe?code=usd&site=nope' });
    expect(response.statusCode).toBe(400);
    expect(response.json().details).toEqual([
      { field: 'query.code', message: 'must be three capital letters' },
      { field: 'query.site', message: 'must be a URL such as https://example.com' },
    ]);
  });

  it.each([
    ['date', '2026-02-29', '"2026-02-29" is not a calendar date (YYYY-MM-DD)'],
    ['date', '0000-01-01', '"0000-01-01" is not a calendar date (YYYY-MM-DD)'],
    ['date-time', 'next tuesday', /^"next tuesday" is not an RFC 3339 date-time or a date/],
    ['date-time', '2026-11-01T25:00:00Z', /25:00:00 is not a time of day/],
    ['email', 'a@', '"a@" is not an email address (name@example.com)'],
    ['currency-code', 'ZZZ', /ISO 4217 currency code in use/],
  ])('format %s without x-message: %j is worded with the value quoted', async (format, value, message) => {
    const started = appWith({ value: { type: 'string', format } });
    const response = await started.inject({ method: 'GET', url: `/probe?value=${encodeURIComponent(value)}` });
    expect(response.statusCode, response.body).toBe(400);
    const [detail] = response.json().details;
    expect(detail.field).toBe('query.value');
    if (typeof message === 'string') expect(detail.message).toBe(message);
    else expect(detail.message).toMatch(message);
  });

  it.each([['date', '2028-02-29'], ['date-time', '2026-12-31T23:59:60Z'], ['email', 'buyer@example.com'], ['currency-code', 'KWD']])(
    'format %s takes %j', async (format, value) => {
      const started = appWith({ value: { type: 'string', format } });
      const response = await started.inject({ method: 'GET', url: `/probe?value=${encodeURIComponent(value)}` });
      expect(response.statusCode, response.body).toBe(200);
    });
});

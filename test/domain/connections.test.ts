// Connection rules (DESIGN 4): credentials per kind, base URLs, schedule bounds, redaction of run errors.
import { describe, expect, it } from 'vitest';
import {
  credentialProblems, DEFAULT_BASE_URLS, nextRunAt, normaliseBaseUrl, redactCredentials, scheduleProblem, toCredentials,
  type ConnectionKind,
} from '../../src/domain/connections.ts';

describe('credentialProblems', () => {
  const cases: [string, ConnectionKind, Record<string, unknown>, { field: string; message: RegExp }[]][] = [
    ['shipstation with its api_key', 'shipstation', { api_key: 'TEST_abc123' }, []],
    ['stocky with store_name and api_key', 'stocky', { store_name: 'golf-shop.myshopify.com', api_key: 'k1' }, []],
    ['shipstation without api_key', 'shipstation', {}, [{ field: 'body.credentials.api_key', message: /required for a shipstation/ }]],
    ['stocky without store_name', 'stocky', { api_key: 'k1' }, [{ field: 'body.credentials.store_name', message: /required for a stocky/ }]],
    ['stocky with neither', 'stocky', {}, [
      { field: 'body.credentials.store_name', message: /required/ }, { field: 'body.credentials.api_key', message: /required/ }]],
    ['shipstation with a store_name', 'shipstation', { api_key: 'k', store_name: 'x.myshopify.com' },
      [{ field: 'body.credentials.store_name', message: /not used by a shipstation/ }]],
    ['an empty api_key', 'shipstation', { api_key: '' }, [{ field: 'body.credentials.api_key', message: /1–500/ }]],
    ['an api_key of 501 characters', 'shipstation', { api_key: 'k'.repeat(501) }, [{ field: 'body.credentials.api_key', message: /1–500/ }]],
    ['a number for api_key', 'shipstation', { api_key: 12345 }, [{ field: 'body.credentials.api_key', message: /string/ }]],
    ['an api_key with a line break (header injection)', 'shipstation', { api_key: 'abc\r\nX-Evil: 1' },
      [{ field: 'body.credentials.api_key', message: /visible ASCII/ }]],
    ['an api_key with a space', 'shipstation', { api_key: 'abc def' }, [{ field: 'body.credentials.api_key', message: /visible ASCII/ }]],
    ['a store_name that is not a host name', 'stocky', { store_name: 'https://shop.example/x', api_key: 'k' },
      [{ field: 'body.credentials.store_name', message: /host name/ }]],
  ];
  it.each(cases)('%s', (_name, kind, credentials, expected) => {
    const problems = credentialProblems(kind, credentials);
    expect(problems.map((p) => p.field)).toEqual(expected.map((e) => e.field));
    problems.forEach((problem, i) => expect(problem.message).toMatch(expected[i].message));
  });

  it('never repeats a credential value in a message', () => {
    const secret = 'abc def-very-secret';
    for (const problem of credentialProblems('stocky', { store_name: secret, api_key: secret, extra: secret })) {
      expect(problem.message).not.toContain('very-secret');
    }
  });

  it('names fields under the prefix it is given', () => {
    expect(credentialProblems('shipstation', {}, '--api-key')[0].field).toBe('--api-key.api_key');
  });

  it('keeps only the fields of the kind, in its order', () => {
    expect(toCredentials('stocky', { api_key: 'k', store_name: 's.myshopify.com' })).toEqual({ store_name: 's.myshopify.com', api_key: 'k' });
  });
});

describe('normaliseBaseUrl', () => {
  it.each([
    ['https://api.shipstation.com', 'https://api.shipstation.com'],
    ['https://api.shipstation.com/', 'https://api.shipstation.com'],
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
    ['http://localhost:4010/sandbox/', 'http://localhost:4010/sandbox'],
    ['HTTPS://Stocky.ShopifyApps.com', 'https://stocky.shopifyapps.com'],
  ])('%s → %s', (raw, url) => expect(normaliseBaseUrl(raw)).toEqual({ url }));

  it.each([
    ['not a url', /absolute http\(s\) URL/],
    ['ftp://files.example.com', /http or https/],
    ['https://user:pass@api.shipstation.com', /user name or password/],
    ['https://api.shipstation.com?api_key=x', /query string/],
    ['https://api.shipstation.com/#x', /fragment/],
  ])('refuses %s', (raw, message) => {
    const result = normaliseBaseUrl(raw);
    expect('problem' in result && result.problem.field).toBe('body.base_url');
    expect('problem' in result && result.problem.message).toMatch(message);
  });

  it('has a default per kind', () => {
    expect(DEFAULT_BASE_URLS).toEqual({ shipstation: 'https://api.shipstation.com', stocky: 'https://stocky.shopifyapps.com' });
  });
});

describe('schedule', () => {
  it.each([[1, true], [15, true], [1440, true], [0, false], [1441, false], [1.5, false], [-5, false]])(
    '%s minutes allowed: %s', (minutes, ok) => expect(scheduleProblem(minutes) === null).toBe(ok),
  );
  it('next run is the schedule after a moment', () => {
    expect(nextRunAt(new Date('2026-01-01T00:00:00Z'), 90)).toBe('2026-01-01T01:30:00.000Z');
  });
});

describe('redactCredentials', () => {
  it('replaces every credential value, longest first', () => {
    const credentials = { store_name: 'golf.myshopify.com', api_key: 'sk_1234567890' };
    expect(redactCredentials('401 for key sk_1234567890 at golf.myshopify.com (sk_1234567890)', credentials))
      .toBe('401 for key [redacted] at [redacted] ([redacted])');
  });
  it('leaves text without credentials alone, and ignores values too short to be secrets', () => {
    expect(redactCredentials('HTTP 500 from upstream', { api_key: 'abc' })).toBe('HTTP 500 from upstream');
  });
});

// API key secrets: format, display prefix, hashing and scopes (DESIGN 1; issue 2 point 4).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { displayPrefix, generateKey, hashesMatch, hashKey, isWellFormedKey, parseScopes, unknownScopes } from '../../src/domain/api-keys.ts';

describe('generateKey', () => {
  it('makes pk_live_ secrets with at least 32 random base62 characters', () => {
    const { secret } = generateKey();
    expect(secret).toMatch(/^pk_live_[0-9A-Za-z]{32,}$/);
    expect(isWellFormedKey(secret)).toBe(true);
  });

  it('keeps the display prefix (pk_live_ + 8 characters) and the SHA-256 hash of the secret', () => {
    const { secret, prefix, hash } = generateKey();
    expect(prefix).toMatch(/^pk_live_[0-9A-Za-z]{8}$/);
    expect(secret.startsWith(prefix)).toBe(true);
    expect(hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(hash).not.toContain(secret.slice(8));
  });

  it('never repeats a secret or a prefix', () => {
    const keys = Array.from({ length: 500 }, () => generateKey());
    expect(new Set(keys.map((k) => k.secret)).size).toBe(500);
    expect(new Set(keys.map((k) => k.prefix)).size).toBe(500);
  });
});

describe('isWellFormedKey', () => {
  it.each(['', 'pk_live_', 'pk_live_short', 'pk_test_' + 'a'.repeat(40), 'PK_LIVE_' + 'a'.repeat(40), 'pk_live_' + 'a'.repeat(39) + '!',
    'pk_live_' + 'a'.repeat(200), ' pk_live_' + 'a'.repeat(40)])('rejects %j', (value) => {
    expect(isWellFormedKey(value)).toBe(false);
  });
});

describe('hashing', () => {
  it('hashKey is hex SHA-256; displayPrefix is the first 16 characters', () => {
    expect(hashKey('pk_live_abc')).toBe(createHash('sha256').update('pk_live_abc').digest('hex'));
    expect(displayPrefix('pk_live_ABCDEFGHIJKLMNOP')).toBe('pk_live_ABCDEFGH');
  });

  it('hashesMatch compares hashes, whatever their lengths', () => {
    const a = hashKey('pk_live_a');
    expect(hashesMatch(a, hashKey('pk_live_a'))).toBe(true);
    expect(hashesMatch(a, hashKey('pk_live_b'))).toBe(false);
    expect(hashesMatch(a, a.slice(0, 32))).toBe(false);
    expect(hashesMatch(a, '')).toBe(false);
  });
});

describe('parseScopes', () => {
  it.each([
    ['read', ['read']], ['read,write', ['read', 'write']], ['read,write,admin', ['read', 'write', 'admin']],
    [' read , admin ', ['read', 'admin']], ['read,read', ['read']], ['write,', ['write']],
  ])('%j → %j', (text, scopes) => {
    expect(parseScopes(text)).toEqual(scopes);
  });

  it.each(['', ',', 'delete', 'read,delete', 'READ', 'read write'])('rejects %j', (text) => {
    expect(parseScopes(text)).toBeNull();
  });
});

describe('unknownScopes', () => {
  it.each([
    ['read,write', []], ['', []], ['read,delete', ['delete']], ['delete, nope ,delete', ['delete', 'nope']],
    ['READ', ['READ']], ['read write', ['read write']],
  ])('%j → %j', (text, unknown) => {
    expect(unknownScopes(text)).toEqual(unknown);
  });
});

// Credentials at rest (DESIGN 4): AES-256-GCM under an HKDF-SHA256 key from ORDERSYNC_SECRET, versioned text,
// loud failure on anything that does not authenticate.
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CredentialsDecryptionError, credentialsKey, decryptCredentials, encryptCredentials,
} from '../../src/domain/credentials.ts';

const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const OTHER_SECRET = 'another-secret-0123456789abcdefghijklmnopqrstuv';
const CONN = 'conn_01jd0000000000000000000000';
const CREDENTIALS = { store_name: 'golf-shop.myshopify.com', api_key: 'sk_live_4f9a8b7c6d5e' };

/** Flips one bit of the base64url part `index` (1 IV, 2 ciphertext, 3 tag). */
function flipBit(stored: string, index: number): string {
  const parts = stored.split('.');
  const bytes = Buffer.from(parts[index], 'base64url');
  bytes[0] ^= 1;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('credentials encryption', () => {
  it('round-trips the credentials JSON', () => {
    const stored = encryptCredentials(SECRET, CREDENTIALS, CONN);
    expect(decryptCredentials(SECRET, stored, CONN)).toEqual(CREDENTIALS);
  });

  it('stores versioned text: v1.<iv 12 bytes>.<ciphertext>.<tag 16 bytes>, base64url parts', () => {
    const stored = encryptCredentials(SECRET, CREDENTIALS, CONN);
    const [version, iv, ciphertext, tag, ...rest] = stored.split('.');
    expect(version).toBe('v1');
    expect(rest).toEqual([]);
    for (const part of [iv, ciphertext, tag]) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    expect(Buffer.from(ciphertext, 'base64url')).toHaveLength(Buffer.byteLength(JSON.stringify(CREDENTIALS)));
  });

  it('never shows the plaintext and uses a fresh IV each time', () => {
    const first = encryptCredentials(SECRET, CREDENTIALS, CONN);
    const second = encryptCredentials(SECRET, CREDENTIALS, CONN);
    expect(first).not.toBe(second);
    expect(first.split('.')[1]).not.toBe(second.split('.')[1]);
    for (const stored of [first, second]) {
      expect(stored).not.toContain(CREDENTIALS.api_key);
      expect(stored).not.toContain(Buffer.from(CREDENTIALS.api_key).toString('base64url'));
    }
  });

  it('derives a 256-bit key per secret with HKDF-SHA256, different from the secret', () => {
    const key = credentialsKey(SECRET);
    expect(key).toHaveLength(32);
    expect(credentialsKey(SECRET).equals(key)).toBe(true);
    expect(credentialsKey(OTHER_SECRET).equals(key)).toBe(false);
    expect(key.toString('utf8')).not.toContain(SECRET.slice(0, 16));
  });

  const stored = encryptCredentials(SECRET, CREDENTIALS, CONN);
  const [, iv, ciphertext, tag] = stored.split('.');
  const failures: [string, () => unknown, RegExp][] = [
    ['a flipped bit in the IV', () => decryptCredentials(SECRET, flipBit(stored, 1), CONN), /do not authenticate/],
    ['a flipped bit in the ciphertext', () => decryptCredentials(SECRET, flipBit(stored, 2), CONN), /do not authenticate/],
    ['a flipped bit in the tag', () => decryptCredentials(SECRET, flipBit(stored, 3), CONN), /do not authenticate/],
    ['another secret', () => decryptCredentials(OTHER_SECRET, stored, CONN), /ORDERSYNC_SECRET changed/],
    ['another connection (ciphertext moved between rows)', () => decryptCredentials(SECRET, stored, 'conn_other'), /another connection/],
    ['a truncated ciphertext', () => decryptCredentials(SECRET, `v1.${iv}.${ciphertext.slice(0, -4)}.${tag}`, CONN), /do not authenticate/],
    ['a truncated tag (short GCM tags are refused)', () => decryptCredentials(SECRET, `v1.${iv}.${ciphertext}.${Buffer.from(tag, 'base64url').subarray(0, 12).toString('base64url')}`, CONN), /wrong tag length/],
    ['a short IV', () => decryptCredentials(SECRET, `v1.${Buffer.alloc(8).toString('base64url')}.${ciphertext}.${tag}`, CONN), /wrong IV length/],
    ['an unknown version', () => decryptCredentials(SECRET, `v2.${iv}.${ciphertext}.${tag}`, CONN), /unknown format/],
    ['plain JSON (never encrypted)', () => decryptCredentials(SECRET, JSON.stringify(CREDENTIALS), CONN), /unknown format/],
    ['a missing part', () => decryptCredentials(SECRET, `v1.${iv}.${ciphertext}`, CONN), /expected 4 parts/],
    ['an extra part', () => decryptCredentials(SECRET, `${stored}.AAAA`, CONN), /expected 4 parts/],
    ['a part that is not base64url', () => decryptCredentials(SECRET, `v1.${iv}.${ciphertext}+/.${tag}`, CONN), /not base64url/],
    ['the empty string', () => decryptCredentials(SECRET, '', CONN), /unknown format/],
  ];
  it.each(failures)('fails loudly on %s', (_case, attempt, message) => {
    expect(attempt).toThrow(CredentialsDecryptionError);
    expect(attempt).toThrow(message);
  });

  it('authenticates the version and the whole text: a valid ciphertext under another key is refused', () => {
    // Encrypted with the raw secret bytes as the key (no HKDF): the right shape, the wrong key.
    const rawKey = Buffer.alloc(32);
    Buffer.from(SECRET).copy(rawKey);
    const nonce = Buffer.alloc(12, 7);
    const cipher = createCipheriv('aes-256-gcm', rawKey, nonce);
    cipher.setAAD(Buffer.from(CONN));
    const body = Buffer.concat([cipher.update(JSON.stringify(CREDENTIALS)), cipher.final()]);
    const forged = ['v1', nonce, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    expect(() => decryptCredentials(SECRET, forged, CONN)).toThrow(CredentialsDecryptionError);
  });
});

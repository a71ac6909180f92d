// Connection credentials at rest (DESIGN section 4): AES-256-GCM over the credentials' JSON, under a key
// derived from ORDERSYNC_SECRET with HKDF-SHA256. Stored as versioned text:
//
//   v1.<iv>.<ciphertext>.<tag>          (each part base64url; iv 12 random bytes, tag 16 bytes)
//
// The connection's id is bound as additional authenticated data, so one connection's ciphertext copied onto
// another does not decrypt. Decryption fails loudly (CredentialsDecryptionError) on any alteration, on a
// different secret or on text that is not in this format; it never returns partial or unauthenticated data.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const HKDF_SALT = 'ordersync';
const HKDF_INFO = 'ordersync connection credentials v1';
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export class CredentialsDecryptionError extends Error {}

/**
 * The 256-bit key for credentials, derived from the master secret. `info` (HKDF's) separates uses: each other
 * use of this scheme (stored Idempotency-Key responses) passes its own, so no two uses share a key.
 */
export function credentialsKey(secret: string, info = HKDF_INFO): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), HKDF_SALT, info, KEY_BYTES));
}

/**
 * Encrypts `credentials` (any JSON value) for the connection `context` (its id). A fresh IV every time.
 * `info`: the use's own key (credentialsKey); connection credentials and webhook secrets use the default.
 */
export function encryptCredentials(secret: string, credentials: unknown, context: string, info = HKDF_INFO): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, credentialsKey(secret, info), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  return [VERSION, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

function decodePart(text: string, what: string): Buffer {
  if (!BASE64URL.test(text)) throw new CredentialsDecryptionError(`stored credentials are malformed: the ${what} is not base64url`);
  return Buffer.from(text, 'base64url');
}

/** The credentials encrypted for `context` (and `info`); throws CredentialsDecryptionError unless they authenticate. */
export function decryptCredentials<T = unknown>(secret: string, stored: string, context: string, info = HKDF_INFO): T {
  const parts = stored.split('.');
  if (parts[0] !== VERSION) {
    throw new CredentialsDecryptionError(`stored credentials are in an unknown format (expected ${VERSION})`);
  }
  if (parts.length !== 4) throw new CredentialsDecryptionError('stored credentials are malformed: expected 4 parts');
  const iv = decodePart(parts[1], 'IV');
  const ciphertext = decodePart(parts[2], 'ciphertext');
  const tag = decodePart(parts[3], 'tag');
  if (iv.length !== IV_BYTES) throw new CredentialsDecryptionError('stored credentials are malformed: wrong IV length');
  if (tag.length !== TAG_BYTES) throw new CredentialsDecryptionError('stored credentials are malformed: wrong tag length');
  let plaintext: string;
  try {
    const decipher = createDecipheriv(ALGORITHM, credentialsKey(secret, info), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new CredentialsDecryptionError(
      'stored credentials do not authenticate: they were altered, belong to another connection, '
      + 'or ORDERSYNC_SECRET changed since they were saved (enter them again)',
    );
  }
  return JSON.parse(plaintext) as T;
}

// Tamper-evident tokens: a payload and its HMAC-SHA256 under the service's secret. Used for list cursors
// and for document download links that work without an API key.
import { createHmac, timingSafeEqual } from 'node:crypto';

function mac(secret: string, purpose: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(purpose).update('\0').update(payload).digest();
}

/**
 * Compares the signature text exactly, in constant time: decoding it first would accept variants
 * (junk characters, other final bits) that Buffer's lenient base64url decoder maps to the same bytes.
 */
function sameSignature(expected: Buffer, given: string): boolean {
  const want = Buffer.from(expected.toString('base64url'));
  const got = Buffer.from(given);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** `base64url(json).base64url(mac)`; `purpose` keeps a token made for one use from passing as another. */
export function signToken(secret: string, purpose: string, value: unknown): string {
  const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${payload}.${mac(secret, purpose, payload).toString('base64url')}`;
}

/** The signed value, or null when the token is malformed or was altered. */
export function verifyToken<T>(secret: string, purpose: string, token: string): T | null {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return null;
  if (!sameSignature(mac(secret, purpose, payload), signature)) return null;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as T;
  } catch {
    return null;
  }
}

/** Signature of a download link: the document and when the link stops working. */
export function signDocumentLink(secret: string, documentId: string, expiresAtSeconds: number): string {
  return mac(secret, 'document', `${documentId}:${expiresAtSeconds}`).toString('base64url');
}

export function verifyDocumentLink(secret: string, documentId: string, expiresAtSeconds: number, signature: string): boolean {
  return sameSignature(mac(secret, 'document', `${documentId}:${expiresAtSeconds}`), signature);
}

/**
 * A short signature (128 bits, 22 base64url characters) of `payload` for `purpose`: for a value carried in a link
 * beside readable fields (a console list's place, console/places.ts), where a whole signed token would hide them.
 */
export function shortSignature(secret: string, purpose: string, payload: string): string {
  return mac(secret, purpose, payload).subarray(0, 16).toString('base64url');
}

export function verifyShortSignature(secret: string, purpose: string, payload: string, given: string): boolean {
  return sameSignature(mac(secret, purpose, payload).subarray(0, 16), given);
}

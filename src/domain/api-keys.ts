// API key secrets: `pk_live_` + 40 base62 characters. Only the SHA-256 hash and the display prefix
// (`pk_live_` + the first 8 characters) are stored; the secret is shown once.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const KEY_PREFIX = 'pk_live_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_LENGTH = 40;
const KEY_FORMAT = new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${SECRET_LENGTH}}$`);

export function generateKey(): { secret: string; prefix: string; hash: string } {
  let random = '';
  for (let i = 0; i < SECRET_LENGTH; i++) random += BASE62[randomInt(62)];
  const secret = KEY_PREFIX + random;
  return { secret, prefix: displayPrefix(secret), hash: hashKey(secret) };
}

export function isWellFormedKey(value: string): boolean {
  return KEY_FORMAT.test(value);
}

export function displayPrefix(secret: string): string {
  return secret.slice(0, KEY_PREFIX.length + 8);
}

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares two hex hashes in constant time. */
export function hashesMatch(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The names in a comma-separated scope list (`read, write,` → ['read', 'write']), once each, in order given. */
function scopeNames(text: string): string[] {
  return [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
}

/** `read,write` → ['read', 'write']; null when a scope is unknown or none is given (unknownScopes says which). */
export function parseScopes(text: string): Scope[] | null {
  const scopes = scopeNames(text);
  if (scopes.length === 0 || !scopes.every((s): s is Scope => (SCOPES as readonly string[]).includes(s))) return null;
  return scopes;
}

/** The names in a comma-separated scope list that are not scopes (`read,delete` → ['delete']), for the error. */
export function unknownScopes(text: string): string[] {
  return scopeNames(text).filter((s) => !(SCOPES as readonly string[]).includes(s));
}

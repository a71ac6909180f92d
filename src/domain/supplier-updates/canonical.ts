// Canonical JSON and fingerprints: an update's identity for idempotency (re-sending it changes nothing).
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level and no white space: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).filter((k) => record[k] !== undefined).sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Hex SHA-256 of canonical JSON text. */
export function fingerprintOf(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}

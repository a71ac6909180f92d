// Canonical JSON and fingerprints: an update's identity for idempotency (re-sending it changes nothing).
import { hash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level and no white space: equal values give equal text. Undefined
 * properties are left out; an undefined (or unserialisable) value elsewhere is `null`.
 * Written with plain loops: every update of a document is fingerprinted (a 10 MB 856 has 20,000), and the
 * map/filter/join version spent most of its time allocating intermediate arrays.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      text += canonicalJson(value[i] ?? null);
    }
    return text + ']';
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    let text = '{';
    let first = true;
    for (const key of keys) {
      if (record[key] === undefined) continue;
      text += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(record[key])}`;
      first = false;
    }
    return text + '}';
  }
  return JSON.stringify(value) ?? 'null';
}

/** Hex SHA-256 of canonical JSON text (crypto.hash: the same digest as createHash().update().digest('hex'), without a Hash object per update). */
export function fingerprintOf(canonical: string): string {
  return hash('sha256', canonical, 'hex');
}

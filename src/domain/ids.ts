// Prefixed opaque ids (`po_…`, `ln_…`), Stripe style. The first ten characters encode the creation time,
// so ids sort by creation; a counter keeps ids made in one process in order within a millisecond.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower-case

export type IdPrefix = 'ret' | 'key' | 'sup' | 'wh' | 'loc' | 'po' | 'ln' | 'so' | 'shp' | 'chk' | 'inv' | 'evt' | 'rcp' | 'doc' | 'hld' | 'conn' | 'run' | 'we' | 'whd' | 'wha' | 'sdoc' | 'proc';

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] & 31];
  return out;
}

let lastMs = 0;
let sequence = 0;

// Random bytes drawn 4 KiB at a time: one randomBytes call per id cost more than the rest of a bulk insert's row
// (a sync page makes thousands of ids).
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let poolOffset = 0;

function randomTail(length: number): Uint8Array {
  if (poolOffset + length > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + length);
  poolOffset += length;
  return bytes;
}

/** A new id made now: prefix, time, a per-millisecond sequence, then randomness. */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  // A caller's earlier `now` (a transaction's start time) must not reset the sequence: ids made right after it
  // in the same millisecond would then sort by their random tails, out of creation order.
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else {
    sequence++;
  }
  return `${prefix}_${encodeTime(now)}${encodeRandom(Uint8Array.of(sequence >> 5, sequence), 2)}${encodeRandom(randomTail(10), 10)}`;
}

/** An id from given parts, for deterministic generators (the seed): same inputs, same id. */
export function idFrom(prefix: IdPrefix, ms: number, serial: number): string {
  let tail = '';
  for (let i = 0; i < 12; i++) {
    tail = ALPHABET[serial % 32] + tail;
    serial = Math.floor(serial / 32);
  }
  return `${prefix}_${encodeTime(ms)}${tail}`;
}

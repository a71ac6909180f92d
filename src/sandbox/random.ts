// Deterministic randomness and time for the sandboxes: purchase order i of seed S is always the same PO,
// whatever else is generated or asked for, so a sandbox never has to hold the whole data set to serve it.
// Pure: no I/O, no clock.

import { prng, type Rng } from '../seed/prng.ts';

export { prng, type Rng };

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Generated data is "as of" this instant unless a sandbox is given another anchor. */
export const DEFAULT_ANCHOR_MS = Date.parse('2026-11-01T00:00:00Z');

/** A 32-bit hash of some integers (murmur3's finaliser over a running mix). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    h = (h + Math.imul(Math.floor(part / 4294967296) | 0, 0x27d4eb2f)) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A number in [0, 1) from some integers. */
export function unit(...parts: number[]): number {
  return hash32(...parts) / 4294967296;
}


/** The random stream of one generated thing: the same (seed, salt, index) always gives the same stream. */
export function rngFor(seed: number, salt: number, index: number): Rng {
  return prng(hash32(seed, salt, index));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

export function between(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function weighted<T>(rng: Rng, weights: readonly (readonly [T, number])[]): T {
  let r = rng() * weights.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of weights) if ((r -= weight) < 0) return value;
  return weights[0][0];
}

/** Whole seconds: every timestamp a sandbox shows is truncated so that filters on rendered values are exact. */
export function wholeSeconds(ms: number): number {
  return Math.floor(ms / SECOND) * SECOND;
}

/**
 * When generated POs were created: spread over the period before the anchor, in index order (PO i+1 is never
 * older than PO i), so creation order, id order and index order agree. The period grows with the count
 * (two hours a PO) between 30 days and two years.
 */
export interface Timeline {
  seed: number;
  salt: number;
  startMs: number;
  stepMs: number;
}

export function timeline(seed: number, salt: number, anchorMs: number, count: number): Timeline {
  const spanMs = Math.min(730 * DAY, Math.max(30 * DAY, count * 2 * HOUR));
  return { seed, salt, startMs: anchorMs - spanMs, stepMs: spanMs / Math.max(1, count) };
}

export function createdAt(t: Timeline, index: number): number {
  return wholeSeconds(t.startMs + (index + unit(t.seed, t.salt, index, 1)) * t.stepMs);
}

/** The first index in [0, size) whose value is ≥ target, for a non-decreasing sequence; size when none is. */
export function lowerBound(size: number, valueAt: (index: number) => number, target: number): number {
  let low = 0;
  let high = size;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (valueAt(middle) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

const pad = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** Calendar fields of an instant in UTC, by arithmetic (days → civil date, Hinnant's algorithm): far cheaper than Date's getters. */
function utcFields(ms: number): { y: number; m: number; d: number; hh: number; mm: number; ss: number } {
  const days = Math.floor(ms / DAY);
  const secondsOfDay = Math.floor((ms - days * DAY) / SECOND);
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return { y, m, d, hh: Math.floor(secondsOfDay / 3600), mm: Math.floor((secondsOfDay % 3600) / 60), ss: secondsOfDay % 60 };
}

/** `2026-02-16T00:00:00Z`: the instant without milliseconds, as ShipStation writes them. */
export function isoSeconds(ms: number): string {
  const f = utcFields(ms);
  return `${f.y}-${pad(f.m)}-${pad(f.d)}T${pad(f.hh)}:${pad(f.mm)}:${pad(f.ss)}Z`;
}

/** `2026-02-16T09:30:00.000Z`, as Stocky writes its timestamps. */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** `2026-02-16` (UTC). */
export function isoDate(ms: number): string {
  const f = utcFields(ms);
  return `${f.y}-${pad(f.m)}-${pad(f.d)}`;
}

/** Midnight UTC of the day of an instant. */
export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/** `MMDDYYYY` of the UTC day, the date part of ShipStation's order numbers. */
export function mmddyyyy(ms: number): string {
  const f = utcFields(ms);
  return `${pad(f.m)}${pad(f.d)}${f.y}`;
}

/** `DD/MM/YYYY`, a Stocky merchant's date preference. */
export function ddmmyyyy(ms: number): string {
  const f = utcFields(ms);
  return `${pad(f.d)}/${pad(f.m)}/${f.y}`;
}

/** `DD/MM/YYYY HH:MM`, how Stocky writes a purchase item's updated_at with that preference. */
export function ddmmyyyyHhmm(ms: number): string {
  const f = utcFields(ms);
  return `${pad(f.d)}/${pad(f.m)}/${f.y} ${pad(f.hh)}:${pad(f.mm)}`;
}

/**
 * An ISO 8601 date or date-time from a query string (`2025-01-01`, `2025-01-01T00:00:00Z`,
 * `2014-04-25T16:15:47-04:00`) → epoch ms, or null when it is not one.
 */
export function parseIsoInstant(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return null;
  const dateOnly = value.length === 10;
  const ms = Date.parse(dateOnly ? `${value}T00:00:00Z` : value.replace(' ', 'T'));
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2026-02-30 over to March: refuse dates that do not exist.
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
  return ms;
}

/** Decimal money with two places, as a number (`12.5`) or a string (`"12.50"`). */
export const centsToNumber = (cents: number) => Math.round(cents) / 100;
export const centsToString = (cents: number) => (Math.round(cents) / 100).toFixed(2);

// Calendar dates, instants and time zones. Instants are stored as Date#toISOString text (UTC, `Z`). Reading
// timestamps is domain/timestamps.ts's job (the one parser).
import { MAX_INSTANT_MS, MIN_INSTANT_MS, startOfDayMs } from './timestamps.ts';

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for a real `YYYY-MM-DD` date of the years 0001–9999 (not 2026-02-30, not 0000-01-01); proleptic Gregorian. */
export function isCalendarDate(value: string): boolean {
  const match = CALENDAR_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]);
}

/** `date` moved by `days`; the result may leave the years 0001–9999 (`10000-01-01`), for range ends. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const moved = new Date(0);
  moved.setUTCFullYear(y, m - 1, d + days);
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(moved.getUTCFullYear(), 4)}-${pad(moved.getUTCMonth() + 1, 2)}-${pad(moved.getUTCDate(), 2)}`;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant a calendar day starts in `zone` (where clocks jump from 00:00 to 01:00, the moment of the jump),
 * as stored text, held within the stored range 0000-01-01 … 9999-12-31.
 */
export function startOfDay(date: string, zone: string): string {
  const ms = Math.min(Math.max(startOfDayMs(date, zone), MIN_INSTANT_MS), MAX_INSTANT_MS);
  return new Date(ms).toISOString();
}

/** Sorts after every stored instant (hour 24 of the last day): the open end of a range reaching past 9999. */
const AFTER_EVERY_INSTANT = '9999-12-31T24:00:00.000Z';

/** Half-open instant range [from, to) covering calendar days start..end inclusive in `zone` (years 0001–9999). */
export function dayRange(start: string, end: string, zone: string): { from: string; to: string } {
  const next = addDays(end, 1);
  const endsAfter = next.length > 10 || startOfDayMs(next, zone) > MAX_INSTANT_MS;
  return { from: startOfDay(start, zone), to: endsAfter ? AFTER_EVERY_INSTANT : startOfDay(next, zone) };
}

/** Stored instant → API text with an explicit offset: `2025-12-03T09:35:23.961+00:00`. */
export function renderInstant(stored: string): string;
export function renderInstant(stored: string | null): string | null;
export function renderInstant(stored: string | null): string | null {
  if (stored === null) return null;
  return stored.endsWith('Z') ? stored.slice(0, -1) + '+00:00' : stored;
}

/** Calendar date → the midnight-UTC instant text the reference uses for invoice dates. */
export function renderDateAsInstant(date: string | null): string | null {
  return date === null ? null : `${date}T00:00:00+00:00`;
}

/** `2026-12-01` → `12/01/2026`, the v2 item's estimated delivery date format. */
export function renderUsDate(date: string | null): string | null {
  if (date === null) return null;
  const [y, m, d] = date.split('-');
  return `${m}/${d}/${y}`;
}

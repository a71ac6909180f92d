// Calendar dates, instants and time zones. Instants are stored as Date#toISOString text (UTC, `Z`).

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real `YYYY-MM-DD` date (not 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = CALENDAR_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Milliseconds to add to UTC to get wall-clock time in `zone` at instant `ms`. */
function zoneOffset(ms: number, zone: string): number {
  let format = offsetFormatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    offsetFormatters.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(ms))) parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant a calendar day starts in `zone`, as stored text. */
export function startOfDay(date: string, zone: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const midnightAsUtc = Date.UTC(y, m - 1, d);
  const firstGuess = midnightAsUtc - zoneOffset(midnightAsUtc, zone);
  // Across a DST change the first guess can be an hour off; one correction settles it.
  const instant = midnightAsUtc - zoneOffset(firstGuess, zone);
  // Where clocks jump from 00:00 to 01:00 (Chile, Cuba) midnight does not exist and the correction lands in the
  // previous day's last hour: the day then starts at the first guess, the moment of the jump.
  const isPreviousDay = instant + zoneOffset(instant, zone) < midnightAsUtc;
  return new Date(isPreviousDay ? firstGuess : instant).toISOString();
}

/** Half-open instant range [from, to) covering calendar days start..end inclusive in `zone`. */
export function dayRange(start: string, end: string, zone: string): { from: string; to: string } {
  return { from: startOfDay(start, zone), to: startOfDay(addDays(end, 1), zone) };
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

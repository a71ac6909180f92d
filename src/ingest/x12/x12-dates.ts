// X12 dates and times (data element types DT and TM) → the text the supplier-update API reads (DESIGN 1: one
// timestamp parser, parseInstant in domain/supplier-updates, reads what these produce).
// DT is CCYYMMDD: the 6-digit YYMMDD form belongs to versions before 004010, which we do not read (envelope.ts
// VERSIONS), so a 6-digit date is refused (AK403 8) wherever a DT element is read (BIG01, BAK04, ACK05, DTM02,
// ITD06, BSN03, PRF04: every one goes through this reader, syntax.ts). TM is HHMM, HHMMSS or HHMMSSd..d. A time carries no zone of its
// own: DTM04 (time code, element 623) may name one; without it the time is UTC, as DESIGN 1 says for sources
// that document no zone.
import { isCalendarDate, startOfDay } from '../../domain/dates.ts';

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
const TIME = /^([01]\d|2[0-3])([0-5]\d)(?:([0-5]\d)(\d{0,2}))?$/;

/** DT values read, remembered: a file repeats its few dates on every set (bounded, cleared when full). */
const dates = new Map<string, string | null>();

/** `20261120` → `2026-11-20`; null when not a real date or not CCYYMMDD (`261120`: YYMMDD is pre-004010). */
export function x12Date(value: string): string | null {
  let date = dates.get(value);
  if (date === undefined) {
    if (dates.size >= 4096) dates.clear();
    dates.set(value, date = readX12Date(value));
  }
  return date;
}

function readX12Date(value: string): string | null {
  const match = DATE.exec(value);
  if (!match) return null;
  const [, year, mm, dd] = match;
  const date = `${year}-${mm}-${dd}`;
  return isCalendarDate(date) ? date : null;
}

export const isX12Date = (value: string): boolean => x12Date(value) !== null;
export const isX12Time = (value: string): boolean => TIME.test(value);

/** DTM04 codes with a fixed offset from UTC. */
const FIXED_OFFSETS: Record<string, string> = {
  UT: '+00:00', GM: '+00:00', Z: '+00:00', AS: '-04:00', AD: '-03:00', ES: '-05:00', ED: '-04:00', CS: '-06:00', CD: '-05:00',
  MS: '-07:00', MD: '-06:00', PS: '-08:00', PD: '-07:00', HS: '-10:00',
};
/** DTM04 codes meaning "local time" of a US zone: the offset depends on daylight saving. */
const LOCAL_ZONES: Record<string, string> = {
  ET: 'America/New_York', CT: 'America/Chicago', MT: 'America/Denver', PT: 'America/Los_Angeles', AT: 'America/Halifax',
  HT: 'Pacific/Honolulu', LT: 'UTC',
};

/** Midnight of a day in a zone, remembered: Intl is slow, and a file's dates repeat (bounded, cleared when full). */
const midnights = new Map<string, number>();
function midnight(day: string, zone: string): number {
  const key = `${day} ${zone}`;
  let ms = midnights.get(key);
  if (ms === undefined) {
    if (midnights.size >= 4096) midnights.clear();
    midnights.set(key, ms = Date.parse(startOfDay(day, zone)));
  }
  return ms;
}

/**
 * An X12 date with an optional time → `2026-11-20` (no time) or an instant with offset (`2026-11-20T15:04:00-05:00`,
 * or `…Z` for UTC and local-zone codes); null when the date or time is not real. `timeCode` is DTM04.
 */
export function x12Instant(date: string, time = '', timeCode = ''): string | null {
  const day = x12Date(date);
  if (day === null) return null;
  if (time === '') return day;
  const match = TIME.exec(time);
  if (!match) return null;
  const [, hh, mm, ss = '00'] = match;
  const code = timeCode.trim().toUpperCase();
  const zone = LOCAL_ZONES[code];
  if (zone) {
    // Midnight in the zone plus the wall-clock time: exact except inside the hour a DST change moves.
    const ms = midnight(day, zone) + ((Number(hh) * 60 + Number(mm)) * 60 + Number(ss)) * 1000;
    return new Date(ms).toISOString();
  }
  const offset = FIXED_OFFSETS[code] ?? '+00:00';
  return `${day}T${hh}:${mm}:${ss}${offset === '+00:00' ? 'Z' : offset}`;
}

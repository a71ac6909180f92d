// X12 dates and times (data element types DT and TM) → the text the supplier-update API reads (DESIGN 1: one
// timestamp parser, parseInstant in domain/supplier-updates, reads what these produce).
// DT is CCYYMMDD: the 6-digit YYMMDD form belongs to versions before 004010, which we do not read (envelope.ts
// VERSIONS), so a 6-digit date is refused (AK403 8) wherever a DT element is read (BIG01, BAK04, ACK05, DTM02,
// ITD06, BSN03, PRF04: every one goes through this reader, syntax.ts). TM is HHMM, HHMMSS or HHMMSSd..d. A time carries no zone of its
// own: DTM04 (time code, element 623) may name one (x12Instant); without it the time is UTC, as DESIGN 1 says for
// sources that document no zone. A DTM04 with no time to qualify is refused by the syntax check (X12's C0403).
import { isCalendarDate } from '../../domain/dates.ts';
import { parseTimestamp } from '../../domain/timestamps.ts';

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

/**
 * DTM04 (time code, element 623) → the UTC offset it fixes, or the IANA zone whose local time it names. The code
 * list (checked against the X12 dictionary's text for 004010 to 008010): `01`–`12` are ISO P01–P12 (UTC+1 …
 * UTC+12) and `13`–`24` ISO M12–M01 (UTC−12 … UTC−1; X12 writes P and M because `+` is a restricted character);
 * `25`–`29` the half-hour offsets M2:30, M3:30, P5:30, P9:30 and P10:30 (added in 006010: read in any release, as
 * their meaning is fixed); GM and UT are UTC; the North American zones each come as standard time (…S), daylight
 * time (…D) and local time (…T, whichever of the two is in force that day): A Alaska, C Central, E Eastern, H
 * Hawaii-Aleutian, M Mountain, N Newfoundland, P Pacific, T Atlantic (TS, TD, TT: X12 gives Atlantic the letter T,
 * as A is Alaska's). LT (local time) names no zone: read as UTC, as a time with no DTM04 is. Any other code is not
 * in element 623's list and is refused (AK4 DTM04 623 code 7), never guessed.
 */
const FIXED_OFFSETS: Record<string, string> = {
  UT: '+00:00', GM: '+00:00', LT: '+00:00',
  AS: '-09:00', AD: '-08:00', CS: '-06:00', CD: '-05:00', ES: '-05:00', ED: '-04:00', HS: '-10:00', HD: '-09:00',
  MS: '-07:00', MD: '-06:00', NS: '-03:30', ND: '-02:30', PS: '-08:00', PD: '-07:00', TS: '-04:00', TD: '-03:00',
  25: '-02:30', 26: '-03:30', 27: '+05:30', 28: '+09:30', 29: '+10:30',
};
for (let hours = 1; hours <= 12; hours++) {
  FIXED_OFFSETS[String(hours).padStart(2, '0')] = `+${String(hours).padStart(2, '0')}:00`;
  FIXED_OFFSETS[String(25 - hours)] = `-${String(hours).padStart(2, '0')}:00`;
}
/** DTM04 codes meaning the local time of a zone: its offset that day depends on daylight saving. */
const LOCAL_ZONES: Record<string, string> = {
  AT: 'America/Anchorage', CT: 'America/Chicago', ET: 'America/New_York', HT: 'Pacific/Honolulu', MT: 'America/Denver',
  NT: 'America/St_Johns', PT: 'America/Los_Angeles', TT: 'America/Halifax',
};

/** Every DTM04 code (element 623) X12 defines; any other is refused by the syntax check (AK4 DTM04 623 code 7). */
export const TIME_CODES: readonly string[] = [...Object.keys(FIXED_OFFSETS), ...Object.keys(LOCAL_ZONES)];

/**
 * An X12 date with an optional time → `2026-11-20` (no time) or an instant (`2026-11-20T15:04:00-05:00` for a
 * fixed offset, `…Z` for UTC, stored text for a local-time code); null when the date or time is not real, or
 * `timeCode` (DTM04) is not a code of element 623. A local time is read by the one timestamp parser in its zone,
 * so a time on the day clocks change takes the offset in force at that hour, not at midnight.
 */
export function x12Instant(date: string, time = '', timeCode = ''): string | null {
  const day = x12Date(date);
  if (day === null) return null;
  if (time === '') return day;
  const match = TIME.exec(time);
  if (!match) return null;
  const [, hh, mm, ss = '00'] = match;
  const code = timeCode.trim().toUpperCase();
  const wallClock = `${day}T${hh}:${mm}:${ss}`;
  const zone = LOCAL_ZONES[code];
  if (zone) {
    const read = parseTimestamp(wallClock, { zone });
    return read.ok ? read.instant : null;
  }
  const offset = code === '' ? '+00:00' : FIXED_OFFSETS[code];
  if (offset === undefined) return null;
  return `${wallClock}${offset === '+00:00' ? 'Z' : offset}`;
}

/**
 * DTM05 (date time period format qualifier, element 1250) formats OrderSync reads in DTM06 (element 1251): D8
 * CCYYMMDD and DT CCYYMMDDHHMM, what senders write instead of DTM02/DTM03 (`DTM*011****DT*202611201504`).
 */
const DTM06_FORMATS: Record<string, RegExp> = { D8: /^(\d{8})()$/, DT: /^(\d{8})(\d{4})$/ };

/**
 * The date (CCYYMMDD) and time (HHMM…, '' when none) a DTM states, from its elements 2, 3, 5 and 6: DTM02 and DTM03,
 * else DTM06 in the format DTM05 names (D8, DT); null when it states neither, or DTM06 does not have its format's
 * shape (the syntax check refuses that one: AK4 DTM06 1251 code 8).
 */
export function dtmDateTime(dtm02: string, dtm03: string, dtm05: string, dtm06: string): { date: string; time: string } | null {
  if (dtm02 !== '') return { date: dtm02, time: dtm03 };
  const match = DTM06_FORMATS[dtm05]?.exec(dtm06);
  return match ? { date: match[1], time: match[2] } : null;
}

/**
 * Why a DTM that OrderSync reads a date from (an 856's shipped or estimated delivery, an 855's estimated delivery)
 * gives no day, as the element at fault: a time with no date (DTM03 without DTM02 or DTM06: X12 allows it, but a
 * ship date needs its day), or DTM06 in a DTM05 format OrderSync does not read (RD8 a range, TM a time, …). Null
 * when it gives one. Refused by the mapper rather than dropped: the date would be lost without a word (AK4 DTM02 373
 * code 1, or DTM05 1250 code 7).
 */
export function dtmWithoutDay(dtm: readonly string[]): { element: number; reference: number; code: number; reason: string } | null {
  const [, qualifier = '', dtm02 = '', dtm03 = '', , dtm05 = '', dtm06 = ''] = dtm.map((value) => value.trim());
  if (dtmDateTime(dtm02, dtm03, dtm05, dtm06) !== null || (dtm03 === '' && dtm05 === '')) return null;
  if (dtm05 === '') return { element: 2, reference: 373, code: 1, reason: `DTM02 (date) is missing: DTM ${qualifier} gives a time (DTM03 "${dtm03}") of no day` };
  return { element: 5, reference: 1250, code: 7, reason: `DTM05 "${dtm05}" is not a date format OrderSync reads (D8 CCYYMMDD, DT CCYYMMDDHHMM): ` +
    `the DTM ${qualifier} date "${dtm06}" would be lost` };
}

/**
 * Why a DTM's DTM04 (time code) stands with no time to qualify, in words after `DTM03 (segment n)`, or null. X12's
 * DTM syntax note C0403: "if DTM04 is present, then DTM03 is required". Such a DTM is refused (AK4 DTM03 337 code 2,
 * conditional element missing), not read as that day's midnight in the zone (DESIGN 1's bare date): the standard
 * makes it a fault every translator flags, it most often means a time the sender's map lost, and taking midnight
 * would guess that time. A time written in DTM06 (DTM05 DT, read as DTM02/DTM03 are: dtmDateTime) is the time DTM04
 * qualifies, and is read.
 */
export function zoneWithoutTime(dtm: readonly string[]): string | null {
  const [, , , dtm03 = '', dtm04 = '', dtm05 = '', dtm06 = ''] = dtm.map((value) => value.trim());
  if (dtm04 === '' || dtm03 !== '' || dtmDateTime('', '', dtm05, dtm06)?.time) return null;
  return `is missing: DTM04 "${dtm04.slice(0, 20)}" is the time zone of DTM03's time, and X12 requires the time with it ` +
    '(DTM syntax note C0403): send DTM03, or leave DTM04 out for a date alone';
}

/** True when a DTM's DTM06 is a real date (and time) in its DTM05 format, or is not one OrderSync reads. */
export function isDtm06(dtm05: string, dtm06: string): boolean {
  if (DTM06_FORMATS[dtm05] === undefined || dtm06 === '') return true;
  const read = dtmDateTime('', '', dtm05, dtm06);
  return read !== null && isX12Date(read.date) && (read.time === '' || isX12Time(read.time));
}


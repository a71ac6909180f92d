// The one timestamp parser (DESIGN section 1): every timestamp that enters — API bodies and queries, supplier
// updates and documents, both upstreams — is read here. RFC 3339 (`T`, `t` or a space between date and time)
// with `Z`, `+hh:mm` or `+hhmm`; a leap second `:60` is read as `:59`; years 0001–9999; a time without an
// offset is wall-clock time in the zone the source documents (UTC for the upstreams and supplier systems, the
// retailer's time zone for people's input); a bare date is that day's midnight in the same zone. Zones are
// resolved with Temporal (temporal-polyfill), so a gap or overlap at a DST change is handled as RFC 5545 and
// Temporal's `compatible` rule say (earlier of two, later across a gap).
import { Temporal } from 'temporal-polyfill';
import { isCalendarDate } from './dates.ts';
import { quoted } from './plain-text.ts';

export type TimestampResult = { ok: true; instant: string } | { ok: false; reason: string };

export interface TimestampOptions {
  /** IANA zone for a value without an offset (and for a bare date): `UTC`, or the retailer's time zone. */
  zone: string;
  /** False: a bare date (`2026-11-24`) is refused instead of read as midnight. Default true. */
  dateAllowed?: boolean;
}

/** Earliest and latest stored instants: stored text stays `YYYY-MM-DDTHH:MM:SS.sssZ`, which sorts as time does. */
export const MIN_INSTANT_MS = new Date('0000-01-01T00:00:00.000Z').getTime();
export const MAX_INSTANT_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

const EXAMPLE = 'e.g. 2026-11-24T10:12:00-08:00, 2026-11-24T18:12:00Z or 2026-11-24';

/** Milliseconds since the epoch → stored text; null outside years 0000–9999 (the text would no longer sort). */
export function instantText(ms: number): string | null {
  if (!Number.isFinite(ms) || ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS) return null;
  return new Date(ms).toISOString();
}

/** Date.UTC for every year 0000–9999 (Date.UTC maps years 0–99 to 1900–1999). */
function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms));
  date.setUTCFullYear(y);
  return date.getTime();
}

/**
 * Reads one timestamp. Returns the stored UTC instant text (`2026-11-24T18:12:00.000Z`; fractions finer than a
 * millisecond are cut) or why it cannot be read, in words that can follow the field's name, the value quoted as
 * plain-text.ts quotes (escaped, cut to 60 characters: a query string has no length limit of its own).
 */
export function parseTimestamp(value: string, options: TimestampOptions): TimestampResult {
  const text = value.trim();
  const shown = () => quoted(value); // only on failure: this is on the sync's and ingest's hot paths
  const match = TIMESTAMP.exec(text);
  if (!match) return { ok: false, reason: `${shown()} is not an RFC 3339 date-time or a date (${EXAMPLE})` };
  const [, ys, mos, ds, hs, mis, ss, fraction, zulu, sign, ohs, oms] = match;
  const [y, mo, d] = [Number(ys), Number(mos), Number(ds)];
  if (y < 1) return { ok: false, reason: `${shown()}: the year must be 0001–9999` };
  if (!isCalendarDate(`${ys}-${mos}-${ds}`)) return { ok: false, reason: `${shown()}: ${ys}-${mos}-${ds} is not a calendar date` };
  if (hs === undefined) {
    if (options.dateAllowed === false) return { ok: false, reason: `${shown()} has no time of day (${EXAMPLE})` };
  }
  const [h, mi] = [Number(hs ?? 0), Number(mis ?? 0)];
  // RFC 3339 5.6 allows second 60 (a leap second); stored instants have none, so it is the second before.
  const s = Math.min(Number(ss ?? 0), 59);
  if (h > 23 || mi > 59 || Number(ss ?? 0) > 60) return { ok: false, reason: `${shown()}: ${hs}:${mis}:${ss ?? '00'} is not a time of day` };
  const ms = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  let epochMs: number;
  if (zulu || sign) {
    const [oh, om] = [Number(ohs ?? 0), Number(oms ?? 0)];
    if (oh > 23 || om > 59) return { ok: false, reason: `${shown()}: ${sign}${ohs}:${oms} is not a UTC offset` };
    const offsetMs = zulu ? 0 : (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
    epochMs = utcMs(y, mo, d, h, mi, s, ms) - offsetMs;
  } else if (options.zone === 'UTC') {
    epochMs = utcMs(y, mo, d, h, mi, s, ms);
  } else {
    try {
      epochMs = new Temporal.PlainDateTime(y, mo, d, h, mi, s, ms)
        .toZonedDateTime(options.zone, { disambiguation: 'compatible' }).epochMilliseconds;
    } catch {
      return { ok: false, reason: `${shown()} cannot be placed in the time zone ${options.zone}` };
    }
  }
  const instant = instantText(epochMs);
  if (instant === null) return { ok: false, reason: `${shown()} falls outside the years 0001–9999 in UTC` };
  return { ok: true, instant };
}

/** The instant a calendar day starts in `zone` (midnight, or the first moment after a DST gap), as stored text. */
export function startOfDayMs(date: string, zone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  if (zone === 'UTC') return utcMs(y, m, d);
  return Temporal.PlainDate.from({ year: y, month: m, day: d }).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
}

// Calendar dates and the retailer's day boundaries (by-date), across daylight-saving changes.
import { describe, expect, it } from 'vitest';
import {
  addDays, dayRange, isCalendarDate, isTimeZone, renderDateAsInstant, renderInstant, renderUsDate, startOfDay,
} from '../../src/domain/dates.ts';

describe('isCalendarDate', () => {
  it.each(['2027-06-15', '2028-02-29', '2000-02-29', '1999-12-31', '2027-01-01', '2027-04-30'])('accepts %s', (value) => {
    expect(isCalendarDate(value)).toBe(true);
  });

  it.each([
    '2027-02-29', '1900-02-29', '2027-02-30', '2027-04-31', '2027-13-01', '2027-00-10', '2027-06-00', '2027-06-32',
    '2027-6-15', '27-06-15', '20270615', '2027/06/15', ' 2027-06-15', '2027-06-15 ', '2027-06-15T00:00:00Z', '', 'today',
  ])('rejects %j', (value) => {
    expect(isCalendarDate(value)).toBe(false);
  });
});

describe('addDays', () => {
  it('crosses months, years and leap days', () => {
    expect(addDays('2027-06-30', 1)).toBe('2027-07-01');
    expect(addDays('2027-12-31', 1)).toBe('2028-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(addDays('2026-11-01', 60)).toBe('2026-12-31');
  });
});

const HOUR = 3_600_000;
const hours = (range: { from: string; to: string }) => (Date.parse(range.to) - Date.parse(range.from)) / HOUR;

describe('dayRange in America/Los_Angeles', () => {
  const zone = 'America/Los_Angeles';

  it('an ordinary summer day is 07:00Z to 07:00Z (PDT, UTC−7)', () => {
    expect(dayRange('2027-06-15', '2027-06-15', zone)).toEqual({ from: '2027-06-15T07:00:00.000Z', to: '2027-06-16T07:00:00.000Z' });
  });

  it('an ordinary winter day is 08:00Z to 08:00Z (PST, UTC−8)', () => {
    expect(dayRange('2027-01-15', '2027-01-15', zone)).toEqual({ from: '2027-01-15T08:00:00.000Z', to: '2027-01-16T08:00:00.000Z' });
  });

  it('the day clocks spring forward (8 March 2026) has 23 hours', () => {
    const range = dayRange('2026-03-08', '2026-03-08', zone);
    expect(range).toEqual({ from: '2026-03-08T08:00:00.000Z', to: '2026-03-09T07:00:00.000Z' });
    expect(hours(range)).toBe(23);
  });

  it('the day clocks fall back (1 November 2026) has 25 hours', () => {
    const range = dayRange('2026-11-01', '2026-11-01', zone);
    expect(range).toEqual({ from: '2026-11-01T07:00:00.000Z', to: '2026-11-02T08:00:00.000Z' });
    expect(hours(range)).toBe(25);
  });

  it('a range across the change covers whole local days at both ends', () => {
    expect(dayRange('2026-03-07', '2026-03-09', zone)).toEqual({ from: '2026-03-07T08:00:00.000Z', to: '2026-03-10T07:00:00.000Z' });
    expect(hours(dayRange('2026-10-31', '2026-11-02', zone))).toBe(24 + 25 + 24);
  });
});

describe('dayRange in other zones', () => {
  it('UTC days are UTC midnights', () => {
    expect(dayRange('2027-06-15', '2027-06-16', 'UTC')).toEqual({ from: '2027-06-15T00:00:00.000Z', to: '2027-06-17T00:00:00.000Z' });
  });

  it('half-hour and quarter-hour offsets', () => {
    expect(startOfDay('2027-06-15', 'Asia/Kolkata')).toBe('2027-06-14T18:30:00.000Z');
    expect(startOfDay('2027-06-15', 'Asia/Kathmandu')).toBe('2027-06-14T18:15:00.000Z');
  });

  it('a day whose midnight is skipped (clocks jump 00:00 → 01:00) starts at 01:00, not in the day before', () => {
    // Chile, 6 September 2026: 00:00 −04 becomes 01:00 −03, i.e. the day starts at 04:00Z.
    expect(startOfDay('2026-09-06', 'America/Santiago')).toBe('2026-09-06T04:00:00.000Z');
    // Cuba, 8 March 2026: 00:00 −05 becomes 01:00 −04.
    expect(startOfDay('2026-03-08', 'America/Havana')).toBe('2026-03-08T05:00:00.000Z');
    // Egypt, 24 April 2026: 00:00 +02 becomes 01:00 +03.
    expect(startOfDay('2026-04-24', 'Africa/Cairo')).toBe('2026-04-23T22:00:00.000Z');
  });

  /** The calendar date at `ms` in `zone`. */
  function localDate(ms: number, zone: string): string {
    return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
  }

  it.each([
    'America/Los_Angeles', 'America/New_York', 'Europe/London', 'Europe/Berlin', 'Australia/Sydney', 'Australia/Lord_Howe',
    'Pacific/Auckland', 'America/Santiago', 'America/Havana', 'Africa/Cairo', 'Asia/Tokyo', 'America/St_Johns',
  ])('every day of 2026 in %s starts at its first instant', (zone) => {
    for (let date = '2026-01-01'; date < '2027-01-01'; date = addDays(date, 1)) {
      const start = Date.parse(startOfDay(date, zone));
      expect(localDate(start, zone), `${date} starts on that day`).toBe(date);
      expect(localDate(start - 1, zone), `${date}: the instant before is the day before`).toBe(addDays(date, -1));
    }
  });
});

describe('isTimeZone', () => {
  it('knows IANA zones and rejects anything else', () => {
    expect(isTimeZone('America/Los_Angeles')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});

describe('rendering', () => {
  it('instants get an explicit +00:00 offset', () => {
    expect(renderInstant('2025-12-03T09:35:23.961Z')).toBe('2025-12-03T09:35:23.961+00:00');
    expect(renderInstant(null)).toBeNull();
  });

  it('calendar dates as instants, and as MM/DD/YYYY', () => {
    expect(renderDateAsInstant('2026-11-20')).toBe('2026-11-20T00:00:00+00:00');
    expect(renderDateAsInstant(null)).toBeNull();
    expect(renderUsDate('2026-12-01')).toBe('12/01/2026');
    expect(renderUsDate(null)).toBeNull();
  });
});

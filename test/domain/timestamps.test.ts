// The one timestamp parser (DESIGN 1): RFC 3339 with Z, +hh:mm or +hhmm, leap seconds, years 0001–9999, no
// offset in the source's zone, bare dates as midnight there. A table of the issue's inputs, then properties
// over thousands of generated timestamps compared with Temporal (temporal-polyfill) as the reference.
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { dayRange } from '../../src/domain/dates.ts';
import { parseTimestamp } from '../../src/domain/timestamps.ts';

const utc = (value: string) => parseTimestamp(value, { zone: 'UTC' });

describe('parseTimestamp', () => {
  it.each([
    ['2026-11-24T10:12:00-08:00', '2026-11-24T18:12:00.000Z'],
    ['2026-11-24T10:12-08:00', '2026-11-24T18:12:00.000Z'],
    ['2026-11-24T10:12:00.123456+00:00', '2026-11-24T10:12:00.123Z'],
    ['2026-11-24t10:12:00z', '2026-11-24T10:12:00.000Z'],
    ['2026-11-24 10:12:00Z', '2026-11-24T10:12:00.000Z'],
    ['2016-12-31T23:59:60Z', '2016-12-31T23:59:59.000Z'],
    ['2026-01-15T15:00:00+0000', '2026-01-15T15:00:00.000Z'],
    ['2026-01-15T10:00:00-0500', '2026-01-15T15:00:00.000Z'],
    ['2026-01-15T15:00:00.000', '2026-01-15T15:00:00.000Z'],
    ['2026-01-15', '2026-01-15T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
  ])('%s → %s', (text, stored) => {
    expect(utc(text)).toEqual({ ok: true, instant: stored });
  });

  it.each([
    ['2026-02-29T10:12:00Z', /not a calendar date/], ['2026-11-24T10:60:00Z', /not a time of day/],
    ['2026-11-24T24:00:00Z', /not a time of day/], ['2026-11-24T10:12:61Z', /not a time of day/],
    ['2026-11-24T10:12:00+24:00', /not a UTC offset/], ['0000-01-01T00:00:00Z', /0001–9999/], ['yesterday', /RFC 3339/],
    ['', /RFC 3339/], ['2026-1-5', /RFC 3339/], ['9999-12-31T23:59:59-01:00', /outside the years/],
  ])('refuses %s with its reason', (text, reason) => {
    const result = utc(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('reads a time without an offset in the given zone, DST included; a bare date is midnight there', () => {
    expect(parseTimestamp('2026-01-15T10:00:00', { zone: 'America/New_York' })).toEqual({ ok: true, instant: '2026-01-15T15:00:00.000Z' });
    expect(parseTimestamp('2026-07-15T10:00:00', { zone: 'America/New_York' })).toEqual({ ok: true, instant: '2026-07-15T14:00:00.000Z' });
    expect(parseTimestamp('2026-07-15', { zone: 'Asia/Tokyo' })).toEqual({ ok: true, instant: '2026-07-14T15:00:00.000Z' });
    // A wall time in a spring-forward gap moves on past the gap (Temporal's `compatible`).
    expect(parseTimestamp('2026-03-08T02:30:00', { zone: 'America/New_York' })).toEqual({ ok: true, instant: '2026-03-08T07:30:00.000Z' });
    expect(parseTimestamp('2026-01-15', { zone: 'UTC', dateAllowed: false }).ok).toBe(false);
  });

  it('day ranges reach 0001-01-01 and 9999-12-31 without a RangeError', () => {
    expect(dayRange('9999-12-31', '9999-12-31', 'UTC')).toEqual({ from: '9999-12-31T00:00:00.000Z', to: '9999-12-31T24:00:00.000Z' });
    expect(dayRange('9999-12-31', '9999-12-31', 'America/Los_Angeles').to).toBe('9999-12-31T24:00:00.000Z');
    expect(dayRange('0001-01-01', '0001-01-01', 'UTC')).toEqual({ from: '0001-01-01T00:00:00.000Z', to: '0001-01-02T00:00:00.000Z' });
    expect(dayRange('0001-01-01', '0001-01-01', 'Asia/Tokyo').from < '0001-01-01T00:00:00.000Z').toBe(true);
  });
});

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

describe('properties (fast-check against Temporal)', () => {
  const fields = fc.record({
    year: fc.integer({ min: 2, max: 9998 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }), second: fc.integer({ min: 0, max: 60 }),
    fraction: fc.option(fc.integer({ min: 0, max: 999_999_999 }).map((n) => String(n).padStart(9, '0').slice(0, 1 + (n % 9)))),
    offsetMinutes: fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
    offsetStyle: fc.constantFrom('Z', 'colon', 'plain', 'none'),
    separator: fc.constantFrom('T', 't', ' '),
  });

  it('every RFC 3339 spelling gives the instant Temporal gives (leap seconds as :59, sub-millisecond cut)', () => {
    fc.assert(fc.property(fields, (f) => {
      const sign = f.offsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(f.offsetMinutes);
      const offset = f.offsetStyle === 'Z' ? 'Z' : f.offsetStyle === 'colon' ? `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
        : f.offsetStyle === 'plain' ? `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}` : '';
      const date = `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}`;
      const text = `${date}${f.separator}${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${f.fraction ? `.${f.fraction}` : ''}${offset}`;
      const result = utc(text);
      let reference: string | null;
      try {
        Temporal.PlainDate.from(date, { overflow: 'reject' });
        const second = Math.min(f.second, 59);
        const millis = Number((f.fraction ?? '').padEnd(3, '0').slice(0, 3));
        const wall = Temporal.PlainDateTime.from({ year: f.year, month: f.month, day: f.day, hour: f.hour, minute: f.minute, second, millisecond: millis });
        const zoned = wall.toZonedDateTime(offset === 'Z' || offset === '' ? 'UTC' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`);
        reference = new Date(zoned.epochMilliseconds).toISOString();
      } catch {
        reference = null;
      }
      if (reference === null) expect(result.ok, text).toBe(false);
      else expect(result, text).toEqual({ ok: true, instant: reference });
    }), { numRuns: 4000 });
  });

  it('times without an offset are the wall time of the zone, as Temporal places it', () => {
    const zones = fc.constantFrom('America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago');
    fc.assert(fc.property(zones, fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
      (zone, when) => {
        const wall = when.toISOString().slice(0, 19);
        const expected = Temporal.PlainDateTime.from(wall).toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
        expect(parseTimestamp(wall, { zone })).toEqual({ ok: true, instant: new Date(expected).toISOString() });
      }), { numRuns: 800 });
  });
});

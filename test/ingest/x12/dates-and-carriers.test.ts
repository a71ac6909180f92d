// X12 dates and times (DT, TM, DTM04 time codes) and the SCAC table (DESIGN 3).
import { describe, expect, it } from 'vitest';
import { carrierOfScac } from '../../../src/ingest/x12/index.ts';
import { x12Date, x12Instant } from '../../../src/ingest/x12/x12-dates.ts';

describe('x12Date', () => {
  it.each([
    ['20261120', '2026-11-20'], ['261120', null], ['991231', null], ['20240229', '2024-02-29'],
    ['20250229', null], ['20261301', null], ['2026112', null], ['', null], ['2026-11-20', null],
  ])('%s → %s', (value, expected) => expect(x12Date(value)).toBe(expected));
});

describe('x12Instant', () => {
  it.each([
    [['20261120'], '2026-11-20'],
    [['20261120', '1504'], '2026-11-20T15:04:00Z'],
    [['20261120', '150430'], '2026-11-20T15:04:30Z'],
    [['20261120', '15043012'], '2026-11-20T15:04:30Z'],
    [['20261120', '1504', 'UT'], '2026-11-20T15:04:00Z'],
    [['20261120', '1504', 'ES'], '2026-11-20T15:04:00-05:00'],
    [['20261120', '1504', 'PD'], '2026-11-20T15:04:00-07:00'],
    // Local-time codes follow daylight saving: Eastern is UTC−5 in November, UTC−4 in July.
    [['20261120', '1504', 'ET'], '2026-11-20T20:04:00.000Z'],
    [['20260715', '1504', 'ET'], '2026-07-15T19:04:00.000Z'],
    // The day clocks change: the offset in force at 15:04, not at midnight.
    [['20260308', '1504', 'ET'], '2026-03-08T19:04:00.000Z'],
    [['20261101', '1504', 'ET'], '2026-11-01T20:04:00.000Z'],
    // Element 623: A is Alaska; 01–12 are P01–P12, 13–24 M12–M01; N Newfoundland; an unknown code reads as nothing.
    [['20261120', '1504', 'AS'], '2026-11-20T15:04:00-09:00'],
    [['20261120', '1504', '20'], '2026-11-20T15:04:00-05:00'],
    [['20261120', '1504', '12'], '2026-11-20T15:04:00+12:00'],
    [['20261120', '1504', '13'], '2026-11-20T15:04:00-12:00'],
    [['20261120', '1504', 'NS'], '2026-11-20T15:04:00-03:30'],
    [['20261120', '1504', 'XX'], null],
    [['20261120', '2460'], null],
    [['20261131', '1200'], null],
  ] as [string[], string | null][])('%j → %s', (args, expected) => expect(x12Instant(...(args as [string, string?, string?]))).toBe(expected));
});

describe('carrierOfScac', () => {
  it.each([
    ['UPSN', 'ups'], ['upss', 'ups'], ['FDEG', 'fedex'], ['FDXE', 'fedex'], ['FXFE', 'fedex'], ['FDX', 'fedex'], ['USPS', 'usps'],
    ['DHL', 'dhl'], ['DHLC', 'dhl'], ['EMSY', 'ontrac'], ['LSHP', 'lasership'], ['AMZL', 'amazon'], [' UPSN ', 'ups'],
    ['ODFL', null], ['', null], ['1Z99', null],
  ])('%s → %s', (scac, expected) => expect(carrierOfScac(scac)).toBe(expected));
});

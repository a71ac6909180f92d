// Cell values as supplier portals write them (DESIGN 3, "CSV"): dates as ISO 8601, MM/DD/YYYY or M/D/YY;
// whole-number quantities with optional thousands separators; amounts with or without a currency symbol or code
// and thousands separators; carrier names or SCACs. Each reader returns the value or a sentence saying why not,
// which the row reader puts after the column's name.
import { isCalendarDate } from '../../domain/dates.ts';
import { SUPPLIER_UPDATE_ZONE } from '../../domain/supplier-updates/parse.ts';
import { quoted } from '../../domain/plain-text.ts';
import { parseTimestamp } from '../../domain/timestamps.ts';
import { readQuantity as readSharedQuantity } from '../../domain/quantity.ts';
import { EACH_UNITS } from './columns.ts';
import { takeCurrencyMarks } from './currency.ts';

export type Read<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = (problem: string): Read<never> => ({ ok: false, problem });

const MONTH_NAME = '([A-Za-z]{3,9})\\.?';
/** `20-Nov-2026`, `20 Nov 2026`, `20-Nov-26` (day, month name, year), with an optional time after. */
const DAY_MONTH_YEAR = new RegExp(`^(\\d{1,2})[- ]${MONTH_NAME}[- ](\\d{4}|\\d{2})(?=$|\\s)(.*)$`);
/** `Nov 20, 2026`, `November 20 2026` (month name, day, year), with an optional time after. */
const MONTH_DAY_YEAR = new RegExp(`^${MONTH_NAME} (\\d{1,2}),? (\\d{4})(?=$|\\s)(.*)$`);
/** `2026-11-20` (ISO 8601's date) before a 12-hour time only: any other ISO text is read as written. */
const ISO_DASH = /^(\d{4})-(\d{2})-(\d{2})(\s.*)$/;
/** `2026/11/20` (year first: never month-first), `20.11.2026` (dots: day first, as in Europe). */
const YEAR_SLASH = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?=$|\s)(.*)$/;
const DAY_DOT = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?=$|\s)(.*)$/;
/** A time of day on a 12-hour clock after a date: ` 3:04 PM`, ` 03:04:05 am`. */
const TWELVE_HOUR = /^\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])\.?[Mm]\.?$/;

/**
 * The other date forms portals write, as ISO text our readers take: `20-Nov-2026`, `20 Nov 2026`, `Nov 20, 2026`,
 * `2026/11/20`, `20.11.2026` → `2026-11-20`, keeping a time after it (` 15:04` → `2026-11-20 15:04`; a 12-hour
 * ` 3:04 PM` → ` 15:04`, also after an ISO date: `2026-11-20 3:04 PM`). Null when `text` is none of these forms (it is then read as written).
 */
function otherDateForm(text: string): string | null {
  let parts: [string, number, string, string] | null = null; // year, month, day, rest
  let m: RegExpExecArray | null;
  if ((m = DAY_MONTH_YEAR.exec(text))) {
    const month = monthNumber(m[2]);
    if (month === null) return null;
    parts = [m[3].length === 2 ? String(2000 + Number(m[3])) : m[3], month, m[1], m[4]];
  } else if ((m = MONTH_DAY_YEAR.exec(text))) {
    const month = monthNumber(m[1]);
    if (month === null) return null;
    parts = [m[3], month, m[2], m[4]];
  } else if ((m = YEAR_SLASH.exec(text))) {
    parts = [m[1], Number(m[2]), m[3], m[4]];
  } else if ((m = DAY_DOT.exec(text))) {
    parts = [m[3], Number(m[2]), m[1], m[4]];
  } else if ((m = ISO_DASH.exec(text)) && TWELVE_HOUR.test(m[4])) {
    // `2026-11-20 3:04 PM`, as Excel and Google Sheets write a date-time in a US locale with an ISO date format.
    parts = [m[1], Number(m[2]), m[3], m[4]];
  }
  if (!parts) return null;
  const [year, month, day, rest] = parts;
  const date = `${year}-${String(month).padStart(2, '0')}-${day.padStart(2, '0')}`;
  const twelve = TWELVE_HOUR.exec(rest);
  // A 12-hour time: as a US date-time, so one reader (readDateOrInstant's) turns it to 24 hours or says the hour
  // is no hour on a 12-hour clock (`13:04 PM`).
  if (twelve) {
    return `${String(month).padStart(2, '0')}/${day.padStart(2, '0')}/${year} ${twelve[1]}:${twelve[2]}` +
      `${twelve[3] ? `:${twelve[3]}` : ''} ${twelve[4].toUpperCase()}M`;
  }
  return `${date}${rest}`;
}

/** `Nov`, `Sept`, `November`: the number of a month named in full or by its first three letters (Sept: four). */
function monthNumber(word: string): number | null {
  const name = word.toLowerCase();
  const index = MONTHS.findIndex((month) => month.toLowerCase() === name || month.slice(0, 3).toLowerCase() === name);
  return index >= 0 ? index + 1 : name === 'sept' ? 9 : null;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})(?:\s+.*)?$/;
/** An ISO 8601 date with a time of day (`T` or a space), with or without an offset. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{1,2}:\d{2}/;
/** A US date with a time of day: `11/20/2026 3:04 PM`, `11/20/26 15:04:05`. */
const US_DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$/;

/**
 * Where a file shows that it writes its slash dates day first: the first cell of a date column whose first number
 * cannot be a month and whose second can (`30/11/2026`), its row (`row 7`) and its column (`column "ETA"`).
 */
export interface DayFirstSign {
  source: string;
  column: string;
  text: string;
}

/** A slash date as written (`03/04/2026`, `30/11/26 10:00`): its two leading numbers. */
const SLASH_DATE = /^(\d{1,2})\/(\d{1,2})\/(?:\d{2}|\d{4})(?=$|[\sT])/;

/**
 * The order a slash date's numbers can be read in: `day-first` when only day first gives a date (`30/11/2026`),
 * `month-first` when only month first does (`11/30/2026`), `ambiguous` when both do and differ (`03/04/2026`),
 * null for any other text (including `05/05/2026`, the same either way).
 */
export function slashDateOrder(written: string): 'day-first' | 'month-first' | 'ambiguous' | null {
  const match = SLASH_DATE.exec(written.trim());
  if (!match) return null;
  const [first, second] = [Number(match[1]), Number(match[2])];
  if (first > 12 && second >= 1 && second <= 12) return 'day-first';
  if (second > 12 && first >= 1 && first <= 12) return 'month-first';
  return first >= 1 && first <= 12 && second >= 1 && second <= 12 && first !== second ? 'ambiguous' : null;
}

/** A dotted date at the start of a cell (`30.11.2026`, `30.11.26`, `01.12.2026 15:04`), its day, month and year. */
const DOT_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?=$|[\sT])/;

/**
 * The date a date column's cell starts with when it is written day first (`30/11/2026`, `30/11/26 10:00`, and any
 * dotted date: `30.11.2026`, `01.12.2026`, `30.11.26`), else null. A dotted date is written day first wherever it
 * is used (Europe): a file holding one in a date column was written there, so its ambiguous slash dates are as
 * likely day first too. Only the start of the cell counts: a date column's cell is a date, and text that holds
 * one somewhere (`Rev 2.10.2024`, `ship 3.4.2026`) is no sign of how the column is written.
 */
export function dayFirstDate(cell: string): string | null {
  const slash = SLASH_DATE.exec(cell);
  if (slash) return slashDateOrder(cell) === 'day-first' ? slash[0] : null;
  const dot = DOT_DATE.exec(cell);
  if (!dot) return null;
  const [day, month, year] = [Number(dot[1]), Number(dot[2]), Number(dot[3])];
  const inRange = dot[3].length === 2 || (year >= 1900 && year <= 2099);
  return day >= 1 && day <= 31 && month >= 1 && month <= 12 && inRange ? dot[0] : null;
}

/**
 * Why a slash date is not read, in the words of the order it is written in, or null. DESIGN 3 reads slash dates
 * month first (`MM/DD/YYYY`), as US portals write them:
 * - an ambiguous one (`03/04/2026`) in a file that writes dates day first elsewhere (`dayFirst`: `30/11/2026`,
 *   `30.11.2026`) is as likely 3 April as March 4 there, and a guess would be stored silently wrong: it is refused,
 *   naming the cell that shows the file's order;
 * - one that only reads day first (`13/05/2026`: there is no month 13) is written day first, as its file's dates
 *   are when it shows that elsewhere: it is refused saying so (not as a month-first date with no month 13), with the
 *   date it would be written as.
 */
function dayFirstProblem(written: string, dayFirst: DayFirstSign | null): string | null {
  const order = slashDateOrder(written);
  if (order !== 'ambiguous' && order !== 'day-first') return null;
  const match = SLASH_DATE.exec(written.trim())!;
  const [first, second] = match.slice(1, 3).map(Number);
  const shown = dayFirst === null ? '' : `${quoted(dayFirst.text)} in ${dayFirst.source}, ${dayFirst.column}`;
  if (order === 'ambiguous') {
    if (dayFirst === null) return null;
    return `${quoted(written)} could be ${MONTHS[first - 1]} ${second} or ${first} ${MONTHS[second - 1]}: this file writes ` +
      `dates day first elsewhere (${shown}); write the date as YYYY-MM-DD`;
  }
  const yearText = written.trim().slice(0, match[0].length).split('/')[2];
  const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  const iso = `${String(year).padStart(4, '0')}-${String(second).padStart(2, '0')}-${String(first).padStart(2, '0')}`;
  if (!isCalendarDate(iso)) return null; // no date either way: the calendar's reason (no month 31) is the one to give
  const same = dayFirst !== null && dayFirst.text === match[0];
  return `${quoted(written)} is written day first (${first} ${MONTHS[second - 1]} ${year})` +
    `${dayFirst !== null && !same ? `, as this file writes dates (${shown})` : ''}, but slash dates are read month first ` +
    `(MM/DD/YYYY): write the date as YYYY-MM-DD (${iso})`;
}

/** Excel's day 0 (its serial numbers count days from 1899-12-30, with its 1900 leap-year bug before March 1900). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/**
 * The hint for a number in a date column that is an Excel date serial number (`46356`: a date cell Excel saved
 * unformatted), naming the date it counts to (2000-01-01 to 2099-12-31 only), or ''. The number is not read as
 * that date: DESIGN 3 names the date forms a CSV may use, and a bare number in a date column is the sign of a
 * spreadsheet column formatted as a number, whose other cells may be no dates at all.
 */
function excelSerialHint(written: string): string {
  const match = /^(\d{5})(?:\.\d+)?$/.exec(written.trim());
  if (!match || Number(match[1]) < 36526 || Number(match[1]) > 73050) return '';
  const date = new Date(EXCEL_EPOCH_MS + Number(match[1]) * 86_400_000).toISOString().slice(0, 10);
  return `: it looks like an Excel date serial number (${match[1]} is ${date}); format the column as a date in the spreadsheet and export again`;
}

/**
 * A calendar date `YYYY-MM-DD` from `2026-11-20`, `2026-11-20T…`, `11/20/2026` or `11/20/26` (two-digit years are
 * 2000–2099). A time after a US date is ignored: the CSV fields read here are days. `dayFirst`: where the file
 * shows it writes dates day first (an ambiguous `03/04/2026` is then refused: dayFirstProblem).
 */
export function readDate(written: string, dayFirst: DayFirstSign | null = null): Read<string> {
  const ambiguous = dayFirstProblem(written, dayFirst);
  if (ambiguous !== null) return bad(ambiguous);
  const text = otherDateForm(written) ?? written;
  let date: string | null = null;
  const iso = ISO_DATE.exec(text);
  if (iso) date = `${iso[1]}-${iso[2]}-${iso[3]}`;
  const us = US_DATE.exec(text);
  if (us) {
    const year = us[3].length === 2 ? 2000 + Number(us[3]) : Number(us[3]);
    date = `${String(year).padStart(4, '0')}-${us[1].padStart(2, '0')}-${us[2].padStart(2, '0')}`;
  }
  if (date === null) {
    return bad(`${quoted(written)} is not a date (YYYY-MM-DD, MM/DD/YYYY, M/D/YY, DD-Mon-YYYY, Mon DD, YYYY, YYYY/MM/DD or DD.MM.YYYY)${excelSerialHint(written)}`);
  }
  if (!isCalendarDate(date)) return bad(`${quoted(written)} is not a calendar date: ${calendarProblem(date, iso === null)}`);
  return ok(date);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];

/** Why `YYYY-MM-DD` (matched, but no day of the calendar) is none: the month, or the days its month has. */
function calendarProblem(date: string, us: boolean): string {
  const [year, month, day] = date.split('-').map(Number);
  const order = us ? ' (MM/DD/YYYY: month first)' : '';
  if (month < 1 || month > 12) return `there is no month ${month}${order}`;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day < 1 ? 'there is no day 0' : `${MONTHS[month - 1]} ${year} has ${days} days, not ${day}${order}`;
}

/** A word after a date-time that may name its zone (`UTC`, `EST`; `PM` is ruled out where it is read). */
const ZONE_WORD = /\s+([A-Za-z]{1,5})$/;

/**
 * A ship date: a date with a time of day is an instant, read by the one timestamp parser (domain/timestamps.ts)
 * with the supplier systems' zone (UTC, DESIGN 1) when it has no offset, and returned as the stored UTC instant;
 * `MM/DD/YYYY hh:mm[:ss] [AM|PM]` is read the same way, and a trailing `UTC` or `GMT` is offset 0. A bare date is a
 * day (readDate). A time is never dropped: what cannot be read (another zone word, text that is no time) is a
 * problem for the column.
 */
export function readDateOrInstant(written: string, dayFirst: DayFirstSign | null = null): Read<string> {
  const ambiguous = dayFirstProblem(written, dayFirst);
  if (ambiguous !== null) return bad(ambiguous);
  // A zone word after the time (`2026-11-20 15:04:05 UTC`, as ERPs and database exports write it): UTC and GMT are
  // offset 0; any other (`EST`, `CET`, `IST`) is refused, never dropped: several zones share some of them, and
  // whether daylight saving applied is not said.
  const zone = ZONE_WORD.exec(written.trim());
  let utc = false;
  let body = written.trim();
  if (zone !== null && !/^[ap]m$/i.test(zone[1]) && /\d:\d{2}/.test(body)) {
    if (!/^(?:utc|gmt|z)$/i.test(zone[1])) {
      return bad(`${quoted(written)}: "${zone[1]}" is no offset OrderSync can read (a zone abbreviation may name several zones, ` +
        'with or without daylight saving): write the time with its offset (2026-11-20T15:04:00-05:00) or in UTC');
    }
    body = body.slice(0, zone.index);
    utc = true;
  }
  const text = otherDateForm(body) ?? body;
  let stamp: string | null = null;
  if (ISO_DATE_TIME.test(text)) stamp = text.replace(/^(\S+)\s+/, '$1T').replace(/T(\d):/, 'T0$1:');
  const us = US_DATE_TIME.exec(text);
  if (us) {
    const [, month, day, yearText, hourText, minute, second, meridiem] = us;
    let hour = Number(hourText);
    if (meridiem) {
      if (hour < 1 || hour > 12) return bad(`${quoted(written)}: ${hourText} is not an hour on a 12-hour clock`);
      hour = (hour % 12) + (meridiem.toLowerCase() === 'pm' ? 12 : 0);
    }
    const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
    stamp = `${String(year).padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
      + `T${String(hour).padStart(2, '0')}:${minute}${second ? `:${second}` : ''}`;
  }
  if (stamp === null) {
    const date = readDate(written, dayFirst);
    // A date followed by what is no time of day we read (`11/20/2026 10:04 AM EST` was stored as the bare day):
    // refused, as a time is never dropped.
    if (date.ok && /\s/.test(text.trim())) {
      return bad(`${quoted(written)}: the text after its date is no time of day (hh:mm, hh:mm:ss or h:mm AM/PM, then an ` +
        'optional UTC): write the date alone, or the date and its time');
    }
    return date;
  }
  const read = parseTimestamp(stamp, { zone: utc ? 'UTC' : SUPPLIER_UPDATE_ZONE, dateAllowed: false });
  return read.ok ? ok(read.instant) : bad(read.reason.replace(`"${stamp}"`, quoted(written)));
}

/**
 * The one rule for numbers (quantities and amounts) whose separator could group thousands or mark decimals: a
 * number written with one separator, `.` or `,`, once, followed by exactly three digits, after a first group that
 * can lead a thousands-grouped number (1 to 3 digits, not 0): `2.000` (2 or 2000), `1,500` (1500 or 1.5),
 * `12.345`. Portals in the US and in Europe write the same characters the other way round, and nothing in a CSV
 * says which a file follows (no decimal-comma or day-first convention is detected per file: each cell is read by
 * itself), so such a number is refused for its row rather than guessed; `text` is the number alone (no currency
 * marks, no spaces). A second separator (`1,500.00`, `1.500,00`, `1,500,000`), a separator before other than three
 * digits (`2.5`, `12,50`) or a leading `0` group (`0.001`) leaves one reading. Returns the problem (naming both
 * readings) or null.
 */
export function ambiguousSeparator(text: string, written: string): string | null {
  const match = /^([1-9]\d{0,2})[.,](\d{3})$/.exec(text);
  if (!match) return null;
  const decimal = `${match[1]}.${match[2]}`.replace(/\.?0+$/, '');
  return `${quoted(written)} could be ${decimal} or ${match[1]}${match[2]}; write it without a thousands separator`;
}

/**
 * A CSV quantity: refused when its separator is ambiguous (ambiguousSeparator), else the one quantity reader,
 * shared with X12 (domain/quantity.ts: SN102, PO102, ACK02, IT102, where `.` is always the decimal point, X12's R
 * type), so both formats word every other fault the same.
 */
export function readQuantity(text: string): Read<number> {
  // A unit after the number, as exports write it: single items (`2 EA`, `2 pcs`) are the quantity; another unit
  // (`2 CS`: cases, `2 kg`) counts something else, refused saying so rather than read as items.
  const unit = /^(.*\d)\s*([A-Za-z]{1,8})\.?$/.exec(text.trim());
  if (unit && !/^e$/i.test(unit[2])) {
    if (!EACH_UNITS.has(unit[2].toLowerCase())) {
      return bad(`${quoted(text)} counts "${unit[2]}", not single items: write the number of single items (EA)`);
    }
    const read = readQuantity(unit[1]);
    return read.ok ? read : bad(read.problem.replace(quoted(unit[1]), quoted(text)));
  }
  const ambiguous = ambiguousSeparator(text.replace(/\s+/g, ''), text);
  return ambiguous === null ? readSharedQuantity(text) : bad(ambiguous);
}

/**
 * An amount ≥ 0 as its exact decimal text (`1234.56`: the digits the supplier wrote, for domain/money.ts
 * parseAmount to check against the currency's decimals), and the currency symbols and codes written around it
 * (`marks`: `€`, `KWD`; what they name is the row's to decide: csv/currency.ts). Spaces of any width and
 * apostrophes are ignored (`1 234,50`, `1'234.50`). Separators, by one explicit rule (never a guess per file):
 * - a `.` is the decimal point (`12.3456`, `0.001` a thousandth), unless the amount
 *   has more than one `.` (`1.234.567,89`): then dots group thousands and a `,`, if any, is the decimal mark;
 * - when both `,` and `.` appear, the LAST one is the decimal mark (`1,234.56`, `1.234,56`, `1.234,5`);
 * - a lone `,` is the decimal mark (`12,5` = 12.5, `0,001`);
 * - a lone `.` or `,` before exactly three digits that could also group thousands (`1,234`, `12.345`) is read as
 *   the decimal mark (`amount` 12.345) with `ambiguous` set to the refusal naming both readings: only the amount's
 *   currency settles it (csv/rows.ts invoiceMoney: a three-decimal currency such as KWD writes its amounts with
 *   three decimals, so `12.345` KWD is 12.345; any other currency refuses the cell with that reason).
 * Digits between grouping marks must come in threes, so a mistyped amount is refused rather than misread.
 */
export function readAmount(text: string): Read<{ amount: string; marks: string[]; ambiguous: string | null }> {
  const { marks, rest } = takeCurrencyMarks(text);
  // Excel's Accounting format shows zero as a dash (`$ -`, ` -   `), and a CSV saved from the sheet writes what
  // it shows: that dash is 0, not a negative amount.
  if (/^[-\u2012\u2013\u2014\u2212]$/.test(rest)) return ok({ amount: '0', marks, ambiguous: null });
  if (/^[-(]|-$/.test(rest)) return bad(`${quoted(text)} is negative: an amount must be 0 or more`);
  // Any space (Excel in a French locale groups with U+202F, others with U+00A0 or U+2009) and apostrophes (Swiss).
  const plain = rest.replace(/[\s'\u2019]/g, '');
  if (/^[\d.,]*\d[eE][+-]?\d+$/.test(plain)) return bad(`${quoted(text)} is written with an exponent: write the amount's digits`);
  if (!/^\d[\d.,]*$/.test(plain)) return bad(`${quoted(text)} is not an amount`);
  const ambiguous = ambiguousSeparator(plain, text);
  if (ambiguous !== null) return ok({ amount: plain.replace(',', '.'), marks, ambiguous });
  const decimalMark = amountDecimalMark(plain);
  const cut = decimalMark === null ? plain.length : plain.lastIndexOf(decimalMark);
  const whole = plain.slice(0, cut);
  const fraction = plain.slice(cut + 1);
  // Grouping marks (whatever is not the decimal mark) must split the whole part into threes after a first group of
  // 1 to 3 digits that does not start with 0 (`0,500.00` is not five hundred; as domain/quantity.ts reads quantities).
  if (!/^[1-9]\d{0,2}([.,]\d{3})+$|^\d+$/.test(whole) || (decimalMark !== null && !/^\d+$/.test(fraction))) {
    return bad(`${quoted(text)} is not an amount: a "," or "." that groups thousands has three digits after it, and one decimal mark ` +
      'ends the number (1,234,567.89 or 1.234.567,89)');
  }
  const digits = whole.replace(/[.,]/g, '');
  return ok({ amount: decimalMark === null ? digits : `${digits}.${fraction}`, marks, ambiguous: null });
}

/** The decimal mark of an amount of digits, `.` and `,` (the rule of readAmount), or null for a whole number. */
function amountDecimalMark(plain: string): '.' | ',' | null {
  const dots = plain.split('.').length - 1;
  const commas = plain.split(',').length - 1;
  if (dots > 1) return commas > 0 ? ',' : null;
  if (dots === 1 && commas > 0) return plain.lastIndexOf('.') > plain.lastIndexOf(',') ? '.' : ',';
  if (dots === 1) return '.';
  // A lone `,` before three digits that could group thousands was refused (ambiguousSeparator): what is left is a decimal.
  if (commas === 1) return ',';
  return null;
}

/** Carrier names and SCACs portals write, by their letters and digits only → our carrier codes. */
const CARRIER_WORDS: [RegExp, string][] = [
  [/^(ups|unitedparcel)/, 'ups'],
  [/^(fedex|federalexpress|fdx|fdeg|fxfe)/, 'fedex'],
  [/^(usps|uspostal|postal|usmail|unitedstatespostal)/, 'usps'],
  [/^dhl/, 'dhl'],
  [/^ontrac/, 'ontrac'],
  [/^amazon/, 'amazon'],
];

/**
 * A carrier code from the carrier column (`UPS Ground` → ups, `Federal Express` → fedex, a SCAC through
 * `scacCarrier`), or null when it names none we know: the number's own format then decides (DESIGN 3).
 */
export function readCarrier(text: string, scacCarrier: (scac: string) => string | null): string | null {
  const letters = text.toLowerCase().replace(/[^a-z0-9]/g, '');
  for (const [pattern, code] of CARRIER_WORDS) if (pattern.test(letters)) return code;
  if (/^[A-Za-z]{2,4}$/.test(text.trim())) return scacCarrier(text.trim().toUpperCase());
  return null;
}

/** Order statuses as portals word them → the supplier-update order statuses (DESIGN 3, "Supplier updates"). */
const ORDER_STATUS_WORDS: Record<string, string> = {
  confirmed: 'confirmed', accepted: 'confirmed', acknowledged: 'confirmed', open: 'confirmed', ack: 'confirmed',
  changed: 'confirmed', processing: 'processing', inprocess: 'processing', inprogress: 'processing', picking: 'processing',
  released: 'processing', allocated: 'processing', backorder: 'backorder', backordered: 'backorder', bo: 'backorder',
  cancelled: 'cancelled', canceled: 'cancelled', rejected: 'cancelled', deleted: 'cancelled', submitted: 'submitted',
  received: 'submitted', invalid: 'invalid', discontinued: 'invalid',
};

export function readOrderStatus(text: string): Read<string> {
  const words = text.toLowerCase().replace(/[^a-z]/g, '');
  const status = ORDER_STATUS_WORDS[words];
  if (status) return ok(status);
  // A status that a parcel went out (`Shipped`, `Partially Shipped`, `Delivered`) on a row without a tracking number:
  // what shipped is a shipment, which needs its number.
  const shipped = /shipped|delivered|intransit|dispatched|despatched/.test(words)
    ? ': a row of items that shipped needs its tracking number (a Tracking # column)' : '';
  return bad(`${quoted(text)} is not an order status (confirmed, processing, backorder, cancelled, …)${shipped}`);
}

// Money (DESIGN section 1): integer minor units of the amount's currency, by its ISO 4217 exponent (JPY 0,
// USD 2, KWD 3), read exactly from the decimal digits the sender wrote — never through `x * 100` — and
// rendered with the currency's decimals. The one money parser: the API, supplier updates and both connectors
// read amounts here.

/** Largest amount accepted, in minor units of any currency: exact in a double and in a bigint column. */
export const MAX_MINOR_UNITS = 10 ** 15;

const exponents = new Map<string, number>();

/**
 * The ISO 4217 exponent (digits after the decimal point) of a currency code, from the runtime's CLDR data
 * (`Intl.NumberFormat`): USD 2, JPY 0, KWD 3. A code Intl does not know counts as 2: for showing an amount already
 * stored; parseAmount refuses to read one in a code that is no currency in use (isCurrencyCode).
 */
export function currencyExponent(currency: string | null | undefined): number {
  const code = (currency ?? 'USD').toUpperCase();
  let exponent = exponents.get(code);
  if (exponent === undefined) {
    try {
      exponent = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      exponent = 2;
    }
    exponents.set(code, exponent);
  }
  return exponent;
}

/**
 * ISO 4217 codes of currencies in use, from the runtime's CLDR data (`Intl.supportedValuesOf('currency')`, ~160
 * codes: USD, EUR, JPY, KWD, …); the testing and no-currency codes (XTS, XXX) and made-up ones (ZZZ) are not in it.
 */
const CURRENCY_CODES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** Whether `code` is an ISO 4217 currency code in use, exactly as written (upper case): `USD` yes, `usd`/`ZZZ` no. */
export function isCurrencyCode(code: string): boolean {
  return CURRENCY_CODES.has(code);
}

/** The reason a currency code is refused, to follow the field's name. */
export const CURRENCY_CODE_PROBLEM = 'must be an ISO 4217 currency code in use, such as USD, EUR, GBP, JPY or KWD';

/** An exact decimal: `units / 10^scale`. */
export interface Decimal {
  units: bigint;
  scale: number;
}

/**
 * A decimal as its significant digits and the power of ten of the last one: `-12.340` → `{negative: true, digits:
 * '1234', exponent: -2}`, `1e-400` → `{digits: '1', exponent: -400}`; zero (`0`, `-0.00`, `0e7`) → digits `''`.
 * Read from JSON number text of any length and exponent without expanding it, so `1e99999` costs nothing.
 */
export interface DecimalDigits {
  negative: boolean;
  digits: string;
  exponent: number;
}

const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** The DecimalDigits of a decimal text (`12.5`, `-0.001`, `1e-400`, `12.`), or null when it is none. */
export function decimalDigits(text: string): DecimalDigits | null {
  const match = DECIMAL_TEXT.exec(text);
  if (!match || (!match[2] && !match[3])) return null;
  const [, sign, whole = '', fraction = '', exponentText = '0'] = match;
  const all = whole + fraction;
  const first = all.search(/[1-9]/);
  if (first < 0) return { negative: false, digits: '', exponent: 0 };
  let end = all.length;
  while (all.charCodeAt(end - 1) === 48) end--; // trailing zeros
  // An exponent of hundreds of digits is ±Infinity: still right for every comparison made with it.
  return { negative: sign === '-', digits: all.slice(first, end), exponent: Number(exponentText) - fraction.length + (all.length - end) };
}

/** The digits of a JSON number (its shortest round-trip text, what `JSON.stringify` writes) or a numeric text; null: neither. */
function digitsOf(value: unknown): DecimalDigits | null {
  if (typeof value === 'number') return Number.isFinite(value) ? decimalDigits(String(value)) : null;
  return typeof value === 'string' ? decimalDigits(value.trim()) : null;
}

/**
 * The exact decimal a JSON number or a numeric string stands for. A number is read from its shortest
 * round-trip text (what `JSON.stringify` writes), so `1234567890.12` is 123456789012 hundredths exactly.
 * Null: not a finite decimal, or one more than 1,000 places from the decimal point either way (no double is:
 * 5e-324 is 324 places), which units and scale would not hold in reasonable memory.
 */
export function decimalOf(value: number | string): Decimal | null {
  const decimal = digitsOf(value);
  if (!decimal) return null;
  if (decimal.digits === '') return { units: 0n, scale: 0 };
  if (Math.abs(decimal.exponent) > 1000) return null;
  const magnitude = BigInt(decimal.digits) * 10n ** BigInt(Math.max(0, decimal.exponent));
  return { units: decimal.negative ? -magnitude : magnitude, scale: Math.max(0, -decimal.exponent) };
}

/**
 * `decimal` in units of 10^-`scale` (`scale` 2: hundredths), rounded half away from zero when it has more decimals
 * (`{units: 12345n, scale: 3}` → 1235n at scale 2; `-12345n` → -1235n); exact, scaled up, when it has fewer. The one
 * rounding of amounts: parseAmount's `half-up`, and an 810's line amounts to the cent (ingest/x12/map-810.ts).
 */
export function roundHalfUp({ units, scale: from }: Decimal, scale: number): bigint {
  if (from <= scale) return units * 10n ** BigInt(scale - from);
  const divisor = 10n ** BigInt(from - scale);
  const magnitude = units < 0n ? -units : units;
  const rounded = magnitude / divisor + ((magnitude % divisor) * 2n >= divisor ? 1n : 0n);
  return units < 0n ? -rounded : rounded;
}

export type AmountResult = { ok: true; minor: number } | { ok: false; reason: string };

export interface AmountOptions {
  /** `exact` (default): more decimals than the currency has is refused; `half-up`: rounded half away from zero. */
  rounding?: 'exact' | 'half-up';
  /** Default false: a negative amount is refused. */
  negativeAllowed?: boolean;
}

/** Digits of MAX_MINOR_UNITS (10^15): an amount with more digits of minor units is over it. */
const MAX_MINOR_DIGITS = String(MAX_MINOR_UNITS).length;

/**
 * `decimal`'s magnitude in units of 10^-`exponent` (minor units of a currency with that exponent), exactly or
 * rounded half-up; `decimals` when it has more decimals than that and is not rounded, `too-large` past
 * MAX_MINOR_UNITS. Never builds a number longer than the digits given (plus MAX_MINOR_DIGITS).
 */
function minorMagnitude(decimal: DecimalDigits, exponent: number, rounding: AmountOptions['rounding']): bigint | 'decimals' | 'too-large' {
  if (decimal.digits === '') return 0n;
  // The power of ten of the last digit in minor units: ≥ 0 is whole minor units.
  const shift = decimal.exponent + exponent;
  if (decimal.digits.length + shift > MAX_MINOR_DIGITS) return 'too-large';
  let minor: bigint;
  if (shift >= 0) {
    minor = BigInt(decimal.digits) * 10n ** BigInt(shift);
  } else if (rounding !== 'half-up') {
    return 'decimals';
  } else if (decimal.digits.length + shift < 0) {
    minor = 0n; // less than a tenth of a minor unit
  } else {
    minor = roundHalfUp({ units: BigInt(decimal.digits), scale: -shift }, 0);
  }
  return minor > BigInt(MAX_MINOR_UNITS) ? 'too-large' : minor;
}

/** Why an amount cannot be read in `code`, a code that is no ISO 4217 currency in use: its decimals are not known. */
export const unknownDecimalsProblem = (code: string) =>
  `cannot be read in ${JSON.stringify(code)}: its decimals are not known (it is no ISO 4217 currency code in use, such as USD, EUR, JPY or KWD)`;

/**
 * A decimal amount (JSON number or numeric text) → integer minor units of `currency`, exactly. Refused with a
 * reason that can follow the field's name: not a number, negative, more decimals than the currency has (unless
 * rounding half-up, as for Stocky's 3-decimal costs: 1.005 → 1.01), or over MAX_MINOR_UNITS; and in a currency
 * that is no ISO 4217 code in use (`XAU`, `BTC`), whose decimals are not known, never as if it had 2. Text is read
 * exactly however many digits it has (a JSON number's text as written: domain/json-numbers.ts), so
 * `100.00000000000000001` USD has too many decimals and `1e400` is too large, never 100 or Infinity.
 */
export function parseAmount(value: unknown, currency: string | null | undefined, options: AmountOptions = {}): AmountResult {
  const code = (currency ?? 'USD').toUpperCase();
  if (!isCurrencyCode(code)) return { ok: false, reason: unknownDecimalsProblem(code) };
  const exponent = currencyExponent(code);
  const decimal = digitsOf(value);
  if (!decimal) return { ok: false, reason: `must be a decimal number (e.g. ${(1234.5).toFixed(exponent)})` };
  const negative = decimal.negative && decimal.digits !== '';
  if (negative && !options.negativeAllowed) return { ok: false, reason: 'must not be negative' };
  const minor = minorMagnitude(decimal, exponent, options.rounding);
  if (minor === 'decimals') return { ok: false, reason: `must have at most ${exponent} decimal${exponent === 1 ? '' : 's'} (${code})` };
  if (minor === 'too-large') return { ok: false, reason: `must be at most ${minorToText(MAX_MINOR_UNITS, code)} ${code}` };
  return { ok: true, minor: Number(negative ? -minor : minor) };
}

/** The most decimals any currency in use has (3: BHD, JOD, KWD, LYD, OMR, TND), from the same CLDR data. */
export const MAX_CURRENCY_EXPONENT = Math.max(...[...CURRENCY_CODES].map((code) => currencyExponent(code)));

/**
 * Why `value` can be an amount in no currency at all, or null: more decimals than any currency has
 * (MAX_CURRENCY_EXPONENT), or more than MAX_MINOR_UNITS of one without decimals. For an amount whose currency
 * is not known yet (a supplier invoice naming none is in the PO's, known when it applies), so that what no
 * currency can hold is refused at once and never held or stored in another form. Words to follow the field's name.
 */
export function anyCurrencyProblem(value: unknown): string | null {
  const decimal = digitsOf(value);
  if (!decimal) return 'must be a decimal number (e.g. 1234.50)';
  if (decimal.digits !== '' && decimal.exponent < -MAX_CURRENCY_EXPONENT) {
    return `must have at most ${MAX_CURRENCY_EXPONENT} decimals, the most any currency has`;
  }
  if (minorMagnitude(decimal, 0, 'half-up') === 'too-large') return `must be at most ${MAX_MINOR_UNITS} in any currency`;
  return null;
}

/** Integer units at `scale` decimals → their exact decimal text (`12345n`, 3 → `12.345`; `-5n`, 2 → `-0.05`). */
export function unitsToText(units: bigint, scale: number): string {
  const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return units < 0n ? `-${text}` : text;
}

/** Minor units → the decimal text with the currency's decimals (`12345`, KWD → `12.345`). */
export function minorToText(minor: number, currency: string | null | undefined): string {
  return unitsToText(BigInt(minor), currencyExponent(currency));
}

/** Minor units → the JSON number the API renders (`12345`, KWD → 12.345; USD 1050 → 10.5). */
export function minorToAmount(minor: number, currency: string | null | undefined): number {
  return Number(minorToText(minor, currency));
}

export const PAYMENT_TERMS = [
  'none', 'cash_on_delivery', 'payment_on_receipt', 'payment_in_advance', 'net_7', 'net_15', 'net_30', 'net_45', 'net_60',
] as const;
export type PaymentTerms = (typeof PAYMENT_TERMS)[number];

/** `net_60` → `Net 60 Days`, as the read API renders terms; null for none. */
export function renderPaymentTerms(terms: string | null): string | null {
  if (terms === null || terms === 'none') return null;
  const net = /^net_(\d+)$/.exec(terms);
  if (net) return `Net ${net[1]} Days`;
  const words: Record<string, string> = {
    cash_on_delivery: 'Cash on Delivery',
    payment_on_receipt: 'Payment on Receipt',
    payment_in_advance: 'Payment in Advance',
  };
  return words[terms] ?? terms;
}

// Money (DESIGN section 1): integer minor units of the amount's currency, by its ISO 4217 exponent (JPY 0,
// USD 2, KWD 3), read exactly from the decimal digits the sender wrote — never through `x * 100` — and
// rendered with the currency's decimals. The one money parser: the API, supplier updates and both connectors
// read amounts here.

/** Largest amount accepted, in minor units of any currency: exact in a double and in a bigint column. */
export const MAX_MINOR_UNITS = 10 ** 15;

const exponents = new Map<string, number>();

/**
 * The ISO 4217 exponent (digits after the decimal point) of a currency code, from the runtime's CLDR data
 * (`Intl.NumberFormat`): USD 2, JPY 0, KWD 3. A code Intl does not know counts as 2.
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

const DECIMAL = /^([+-])?(\d+)?(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

/**
 * The exact decimal a JSON number or a numeric string stands for. A number is read from its shortest
 * round-trip text (what `JSON.stringify` writes), so `1234567890.12` is 123456789012 hundredths exactly.
 * Null: not a finite decimal.
 */
export function decimalOf(value: number | string): Decimal | null {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match || (match[2] === undefined && !match[3])) return null;
  const [, sign, whole = '', fraction = '', exponentText] = match;
  let units = BigInt(`${whole}${fraction}` || '0');
  let scale = fraction.length - Number(exponentText ?? 0);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: sign === '-' ? -units : units, scale };
}

export type AmountResult = { ok: true; minor: number } | { ok: false; reason: string };

export interface AmountOptions {
  /** `exact` (default): more decimals than the currency has is refused; `half-up`: rounded half away from zero. */
  rounding?: 'exact' | 'half-up';
  /** Default false: a negative amount is refused. */
  negativeAllowed?: boolean;
}

/**
 * A decimal amount (JSON number or numeric text) → integer minor units of `currency`, exactly. Refused with a
 * reason that can follow the field's name: not a number, negative, more decimals than the currency has (unless
 * rounding half-up, as for Stocky's 3-decimal costs: 1.005 → 1.01), or over MAX_MINOR_UNITS.
 */
export function parseAmount(value: unknown, currency: string | null | undefined, options: AmountOptions = {}): AmountResult {
  const code = (currency ?? 'USD').toUpperCase();
  const exponent = currencyExponent(code);
  const decimal = typeof value === 'number' || typeof value === 'string' ? decimalOf(value) : null;
  if (!decimal) return { ok: false, reason: `must be a decimal number (e.g. ${(1234.5).toFixed(exponent)})` };
  if (decimal.units < 0n && !options.negativeAllowed) return { ok: false, reason: 'must not be negative' };
  let minor: bigint;
  if (decimal.scale <= exponent) {
    minor = decimal.units * 10n ** BigInt(exponent - decimal.scale);
  } else {
    const divisor = 10n ** BigInt(decimal.scale - exponent);
    const remainder = decimal.units % divisor;
    if (remainder !== 0n && options.rounding !== 'half-up') {
      return { ok: false, reason: `must have at most ${exponent} decimal${exponent === 1 ? '' : 's'} (${code})` };
    }
    const magnitude = decimal.units < 0n ? -decimal.units : decimal.units;
    const rounded = magnitude / divisor + ((magnitude % divisor) * 2n >= divisor ? 1n : 0n);
    minor = decimal.units < 0n ? -rounded : rounded;
  }
  const limit = BigInt(MAX_MINOR_UNITS);
  if (minor > limit || minor < -limit) {
    return { ok: false, reason: `must be at most ${minorToText(MAX_MINOR_UNITS, code)} ${code}` };
  }
  return { ok: true, minor: Number(minor) };
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

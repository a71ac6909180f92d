// Money (DESIGN 1): minor units by the currency's ISO 4217 exponent, read exactly from the decimal digits,
// rendered with the currency's decimals. Table cases from the issue, then properties over thousands of
// generated amounts checked against exact decimal arithmetic on BigInt.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyCurrencyProblem, currencyExponent, decimalOf, MAX_CURRENCY_EXPONENT, MAX_MINOR_UNITS, minorToAmount, minorToText, parseAmount,
  PAYMENT_TERMS, renderPaymentTerms, roundHalfUp,
} from '../../src/domain/money.ts';

describe('currencyExponent', () => {
  it.each([['USD', 2], ['EUR', 2], ['JPY', 0], ['KRW', 0], ['KWD', 3], ['BHD', 3], ['usd', 2], [null, 2]])('%s → %d', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });
});

describe('parseAmount', () => {
  it.each([
    [0, 'USD', 0], [1, 'USD', 100], [12.34, 'USD', 1234], [19.99, 'USD', 1999], [0.1, 'USD', 10], [34.5, 'USD', 3450],
    [12345678.91, 'USD', 1234567891], [134217728.07, 'USD', 13421772807], [99999999999.99, 'USD', 9999999999999],
    [10_000_000_000_000, 'USD', 1_000_000_000_000_000], [1500, 'JPY', 1500], [12.345, 'KWD', 12345], ['12.345', 'KWD', 12345],
    ['1e3', 'USD', 100000], [1e-2, 'USD', 1],
  ])('%s %s → %d minor units, exactly', (amount, currency, minor) => {
    expect(parseAmount(amount, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    [1.005, 'USD', /at most 2 decimals \(USD\)/], [0.001, 'USD', /at most 2 decimals/], [0.1 + 0.2, 'USD', /at most 2 decimals/],
    [10.5, 'JPY', /at most 0 decimals \(JPY\)/], [1.2345, 'KWD', /at most 3 decimals \(KWD\)/], [-1, 'USD', /negative/],
    [Number.NaN, 'USD', /decimal number/], [Number.POSITIVE_INFINITY, 'USD', /decimal number/], ['12,50', 'USD', /decimal number/],
    [1e14, 'USD', /at most 10000000000000\.00 USD/], [1e16, 'JPY', /at most 1000000000000000 JPY/],
  ])('refuses %s %s with its reason', (amount, currency, reason) => {
    const result = parseAmount(amount, currency);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  // Text as written, however long its digits or its exponent (a JSON number a double cannot hold: domain/json-numbers.ts),
  // read exactly without expanding it: never 100, 0 or Infinity, and no time spent on 10^99999.
  it.each([
    ['100.00000000000000001', 'USD', /^must have at most 2 decimals \(USD\)$/], ['1e-400', 'USD', /at most 2 decimals/],
    ['1e400', 'USD', /^must be at most 10000000000000\.00 USD$/], ['1e99999999999', 'JPY', /at most 1000000000000000 JPY/],
    ['9'.repeat(400), 'KWD', /at most 1000000000000\.000 KWD/], ['-1e-400', 'USD', /negative/], ['1e', 'USD', /decimal number/],
  ])('refuses the text %s %s with its reason', (amount, currency, reason) => {
    const result = parseAmount(amount, currency);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('reads long texts that are exact: trailing zeros, an exponent, a sign on zero', () => {
    expect(parseAmount('12.3450000000000000000000', 'KWD')).toEqual({ ok: true, minor: 12345 });
    expect(parseAmount('0.00000000000000000000001e22', 'USD')).toEqual({ ok: true, minor: 10 });
    expect(parseAmount('-0.000', 'USD')).toEqual({ ok: true, minor: 0 });
    expect(parseAmount('1e-99999999', 'USD', { rounding: 'half-up' })).toEqual({ ok: true, minor: 0 });
    expect(parseAmount('0.005000000000000000001', 'USD', { rounding: 'half-up' })).toEqual({ ok: true, minor: 1 });
  });

  it('anyCurrencyProblem: what no currency can hold (more than 3 decimals, over 10^15), for an amount whose currency comes later', () => {
    expect(MAX_CURRENCY_EXPONENT).toBe(3);
    expect(anyCurrencyProblem('12.345')).toBeNull();
    expect(anyCurrencyProblem(1e15)).toBeNull();
    expect(anyCurrencyProblem('100.00000000000000001')).toBe('must have at most 3 decimals, the most any currency has');
    expect(anyCurrencyProblem(5e-324)).toMatch(/at most 3 decimals/);
    expect(anyCurrencyProblem('1e400')).toBe('must be at most 1000000000000000 in any currency');
  });

  it('rounds half-up when asked (Stocky\'s 3-decimal costs): 1.005 → 1.01, never 1.00', () => {
    expect(parseAmount(1.005, 'USD', { rounding: 'half-up' })).toEqual({ ok: true, minor: 101 });
    expect(parseAmount('2.675', 'USD', { rounding: 'half-up' })).toEqual({ ok: true, minor: 268 });
    expect(parseAmount(1.004, 'USD', { rounding: 'half-up' })).toEqual({ ok: true, minor: 100 });
    expect(parseAmount(-1.005, 'USD', { rounding: 'half-up', negativeAllowed: true })).toEqual({ ok: true, minor: -101 });
  });
});

describe('rendering', () => {
  it('uses the currency\'s decimals', () => {
    expect(minorToText(12345, 'KWD')).toBe('12.345');
    expect(minorToText(1500, 'JPY')).toBe('1500');
    expect(minorToText(5, 'USD')).toBe('0.05');
    expect(minorToText(-550, 'USD')).toBe('-5.50');
    expect(minorToAmount(89999, 'USD')).toBe(899.99);
    expect(minorToAmount(12345, 'KWD')).toBe(12.345);
  });
});

/** Reference: the exact minor units of a decimal text by string/BigInt arithmetic alone, or null if not exact. */
function referenceMinor(text: string, exponent: number): bigint | null {
  const [whole, fraction = ''] = text.split('.');
  if (fraction.replace(/0+$/, '').length > exponent) return null;
  return BigInt(whole + fraction.padEnd(exponent, '0').slice(0, exponent));
}

describe('properties (fast-check, thousands of generated amounts)', () => {
  const currencies = fc.constantFrom('USD', 'JPY', 'KWD', 'EUR', 'BHD', 'KRW');

  it('a decimal text with up to 15 significant digits reads exactly, as a number and as text, in every currency', () => {
    fc.assert(fc.property(currencies, fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }), fc.integer({ min: 0, max: 6 }), (currency, units, scale) => {
      const digits = units.toString().padStart(scale + 1, '0');
      const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
      const exponent = currencyExponent(currency);
      const expected = referenceMinor(text, exponent);
      for (const input of [text, Number(text)]) {
        const result = parseAmount(input, currency);
        if (expected === null) expect(result.ok, `${input} ${currency}`).toBe(false);
        else if (expected > BigInt(MAX_MINOR_UNITS)) expect(result.ok).toBe(false);
        else expect(result, `${input} ${currency}`).toEqual({ ok: true, minor: Number(expected) });
      }
    }), { numRuns: 3000 });
  });

  it('minor units render and read back to themselves', () => {
    fc.assert(fc.property(currencies, fc.integer({ min: 0, max: MAX_MINOR_UNITS }), (currency, minor) => {
      expect(parseAmount(minorToAmount(minor, currency), currency)).toEqual({ ok: true, minor });
      expect(parseAmount(minorToText(minor, currency), currency)).toEqual({ ok: true, minor });
    }), { numRuns: 3000 });
  });

  it('half-up rounding agrees with BigInt arithmetic on the digits', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 3, max: 6 }), (units, scale) => {
      const digits = units.toString().padStart(scale + 1, '0');
      const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
      const divisor = 10n ** BigInt(scale - 2);
      const expected = units / divisor + ((units % divisor) * 2n >= divisor ? 1n : 0n);
      expect(parseAmount(text, 'USD', { rounding: 'half-up' })).toEqual({ ok: true, minor: Number(expected) });
    }), { numRuns: 2000 });
  });

  it('decimalOf reads JSON numbers from their shortest round-trip text', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e20, max: 1e20 }), (x) => {
      const decimal = decimalOf(x)!;
      // The exact decimal read is the number itself: its text parses back to the very same double.
      expect(Number(`${decimal.units}e-${decimal.scale}`)).toBe(x === 0 ? 0 : x);
    }), { numRuns: 1000 });
  });
});

describe('payment terms', () => {
  it('renders codes as the read API shows them', () => {
    expect(renderPaymentTerms('net_60')).toBe('Net 60 Days');
    expect(renderPaymentTerms('none')).toBeNull();
    expect(PAYMENT_TERMS).toContain('net_30');
  });
});

describe('roundHalfUp (the one rounding of amounts: parseAmount half-up, an 810 line to the cent)', () => {
  it.each([
    [12345n, 3, 2, 1235n], [12344n, 3, 2, 1234n], [-12345n, 3, 2, -1235n], [5n, 3, 2, 1n], [4n, 3, 2, 0n],
    [7n, 0, 2, 700n], [125n, 1, 2, 1250n], [1005n, 3, 2, 101n], [149999n, 5, 0, 1n], [150000n, 5, 0, 2n],
  ])('%s at scale %s → %s at scale %s', (units, from, scale, expected) => {
    expect(roundHalfUp({ units, scale: from }, scale)).toBe(expected);
  });
});

// Money: exact cents inside, decimal numbers with two decimals outside; payment terms as the read API renders them.
import { describe, expect, it } from 'vitest';
import { amountToCents, centsToAmount, PAYMENT_TERMS, renderPaymentTerms } from '../../src/domain/money.ts';

describe('amountToCents', () => {
  it.each([
    [0, 0], [1, 100], [12.34, 1234], [19.99, 1999], [0.1, 10], [0.01, 1], [1000, 100000], [-5.5, -550],
    [12345678.91, 1234567891], [0.1 + 0.2, 30], [34.5, 3450],
  ])('%d → %d cents', (amount, cents) => {
    expect(amountToCents(amount)).toBe(cents);
  });

  it.each([[1.005], [0.001], [19.999], [Number.NaN], [Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY]])(
    'rejects %d (more than two decimals or not finite)', (amount) => {
      expect(amountToCents(amount)).toBeNull();
    });

  it('round-trips every cent value from 0 to 100.00', () => {
    for (let cents = 0; cents <= 10_000; cents++) expect(amountToCents(centsToAmount(cents))).toBe(cents);
  });
});

describe('centsToAmount', () => {
  it('gives numbers with at most two decimals', () => {
    expect(centsToAmount(89999)).toBe(899.99);
    expect(centsToAmount(995)).toBe(9.95);
    expect(centsToAmount(100000)).toBe(1000);
    expect(centsToAmount(0)).toBe(0);
  });
});

describe('renderPaymentTerms', () => {
  it.each([
    ['net_7', 'Net 7 Days'], ['net_15', 'Net 15 Days'], ['net_30', 'Net 30 Days'], ['net_45', 'Net 45 Days'],
    ['net_60', 'Net 60 Days'], ['cash_on_delivery', 'Cash on Delivery'], ['payment_on_receipt', 'Payment on Receipt'],
    ['payment_in_advance', 'Payment in Advance'],
  ])('%s → %s', (terms, text) => {
    expect(renderPaymentTerms(terms)).toBe(text);
  });

  it('none and unknown terms are null', () => {
    expect(renderPaymentTerms('none')).toBeNull();
    expect(renderPaymentTerms(null)).toBeNull();
  });

  it('renders every documented term except none', () => {
    expect([...PAYMENT_TERMS].sort()).toEqual([
      'cash_on_delivery', 'net_15', 'net_30', 'net_45', 'net_60', 'net_7', 'none', 'payment_in_advance', 'payment_on_receipt',
    ]);
    for (const terms of PAYMENT_TERMS.filter((t) => t !== 'none')) {
      expect(renderPaymentTerms(terms)).toMatch(/^[A-Z][A-Za-z0-9 ]+$/);
    }
  });
});

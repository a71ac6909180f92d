// Money is integer minor units everywhere inside; the API speaks decimal numbers with two decimals.

export function centsToAmount(cents: number): number {
  return cents / 100;
}

/** A decimal amount from the API to cents; null when it has more than two decimals or is not finite. */
export function amountToCents(amount: number): number | null {
  if (!Number.isFinite(amount)) return null;
  const cents = Math.round(amount * 100);
  return Math.abs(cents - amount * 100) < 1e-6 ? cents : null;
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

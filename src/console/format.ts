// How the console writes values for people: instants in the retailer's time zone, amounts with their currency,
// statuses as text badges (the class only adds colour; the word is always there).
import { currencyExponent } from '../domain/money.ts';

/**
 * One formatter per kind and zone, made once: making an Intl.DateTimeFormat costs ~0.1 ms, and a PO of 500 lines
 * shows ~1,000 instants (its history), which took ~50 ms of the event loop to render.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: 'instant' | 'day', zone: string): Intl.DateTimeFormat {
  const key = `${kind} ${zone}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat('en-GB', kind === 'instant'
      ? { timeZone: zone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      : { timeZone: zone, day: 'numeric', month: 'short', year: 'numeric' });
    formatters.set(key, found);
  }
  return found;
}

/** `2027-06-15T16:20:05Z` → `15 Jun 2027, 09:20` in `zone`; '—' for nothing. */
export function formatInstant(value: string | null | undefined, zone: string): string {
  if (!value) return '—';
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return value;
  return formatter('instant', zone).format(ms);
}

/** An instant's calendar day in `zone`, `15 Jun 2027`. */
export function formatDay(value: string | null | undefined, zone: string): string {
  if (!value) return '—';
  const ms = Date.parse(value.length === 10 ? `${value}T12:00:00Z` : value);
  if (Number.isNaN(ms)) return value;
  return formatter('day', value.length === 10 ? 'UTC' : zone).format(ms);
}

/** An amount as the API renders it (a JSON number) → text with its currency's decimals: `871.78 USD`, `1200 JPY`. */
export function formatAmount(amount: number, currency: string): string {
  return `${amount.toFixed(currencyExponent(currency))} ${currency}`;
}

/** The CSS class of a status badge: one colour family per kind of state; the text carries the meaning. */
export function badgeClass(status: string): string {
  if (['cancelled', 'invalid', 'failed', 'exception', 'revoked', 'expired', 'rejected', 'disabled'].includes(status)) return 'badge badge-bad';
  if (['review', 'internal review', 'backorder', 'running', 'draft', 'unmatched'].includes(status)) return 'badge badge-warn';
  if (['delivered', 'complete', 'received', 'closed', 'succeeded', 'active', 'applied', 'processed', 'enabled'].includes(status)) return 'badge badge-good';
  return 'badge';
}

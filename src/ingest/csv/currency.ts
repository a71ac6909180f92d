// The currency of a CSV invoice row (DESIGN 3, "CSV"): a symbol or ISO 4217 code written in an amount cell (`€5`,
// `5 KWD`, `$1,234.56`) is information, as a Currency column is. The rule:
// - a currency column decides; each marked amount cell must be compatible with it, else the row is rejected naming
//   both columns;
// - else the marks of the row's amount cells decide when they agree: a code names its currency, a symbol the
//   currencies written with it (`€` EUR; `$` USD, CAD, AUD…; `¥` JPY or CNY). Cells naming different currencies
//   (`€5` and `$5`, `5 JPY` and `5 KWD`) reject the row naming both columns;
// - a symbol that several currencies use (`$`, `¥`, `£`) does not override the PO's: `$` on a CAD PO is CAD. It is
//   kept as the update's `currencyMark` and checked when the PO's currency is known (supplier-updates/invoice.ts):
//   `$` on a EUR PO is refused rather than read as euros.
import { isCurrencyCode } from '../../domain/money.ts';
import { quoted } from '../../domain/plain-text.ts';
import type { InvoiceUpdate } from '../../domain/supplier-updates/types.ts';

/** The currencies written with each symbol (a prefix such as `US$`, `C$` names one). */
const SYMBOLS: Record<string, readonly string[]> = {
  '€': ['EUR'],
  '$': ['USD', 'CAD', 'AUD', 'NZD', 'MXN', 'HKD', 'SGD', 'TWD', 'ARS', 'CLP', 'COP', 'UYU', 'BSD', 'BBD', 'BMD', 'BZD',
    'BND', 'FJD', 'GYD', 'JMD', 'KYD', 'LRD', 'NAD', 'SBD', 'SRD', 'TTD', 'XCD', 'DOP', 'CUP', 'TOP', 'WST', 'CVE'],
  'US$': ['USD'], 'C$': ['CAD'], 'CA$': ['CAD'], 'A$': ['AUD'], 'AU$': ['AUD'], 'NZ$': ['NZD'], 'HK$': ['HKD'],
  'S$': ['SGD'], 'MX$': ['MXN'], 'NT$': ['TWD'], 'R$': ['BRL'],
  '¥': ['JPY', 'CNY'], '￥': ['JPY', 'CNY'], '円': ['JPY'], '元': ['CNY'],
  '£': ['GBP', 'EGP', 'FKP', 'GIP', 'SHP', 'SSP', 'SYP'],
  '₹': ['INR'], '₩': ['KRW'], '₽': ['RUB'], '₺': ['TRY'], '₪': ['ILS'], '₱': ['PHP'], '฿': ['THB'], '₫': ['VND'],
  '₦': ['NGN'], '₴': ['UAH'], '₸': ['KZT'], 'zł': ['PLN'],
};

/**
 * The currency marks around an amount's digits: `mark` is each symbol or code found (a code in capitals), `rest`
 * the amount without them. A code is three letters before or after the digits (`EUR 5`, `5 eur`: a currency
 * column reads `usd` as USD too); a symbol any of SYMBOLS.
 */
export function takeCurrencyMarks(text: string): { marks: string[]; rest: string } {
  const marks: string[] = [];
  let rest = text.trim();
  const code = /^([A-Z]{3})(?![A-Z$])\s*|\s*(?<![A-Z])([A-Z]{3})$/i.exec(rest);
  if (code) {
    marks.push((code[1] ?? code[2]).toUpperCase());
    rest = rest.replace(code[0], '');
  }
  const symbol = /(?:US|CA|AU|NZ|HK|MX|NT|[CASR])\$|[$€¥￥円元£₹₩₽₺₪₱฿₫₦₴₸]|zł/.exec(rest);
  if (symbol) {
    marks.push(symbol[0]);
    rest = rest.replace(symbol[0], '').trim();
  }
  return { marks, rest };
}

/** One amount cell's marks, with its column (`column "Amount"`) and text as written. */
export interface MarkedCell {
  column: string;
  text: string;
  marks: readonly string[];
}

/** Kept on a CSV invoice whose only mark is a symbol several currencies use: checked against the PO's currency. */
export type CurrencyMark = NonNullable<InvoiceUpdate['currencyMark']>;

export type RowCurrency =
  | { ok: true; currency: string | null; mark: CurrencyMark | null }
  | { ok: false; problem: string };

const describe = (marks: readonly string[]) => marks.join(' ');

/** What a mark names: a code names itself (or nothing, when it is no currency code); a symbol its SYMBOLS list. */
function currenciesOf(mark: string): readonly string[] | null {
  if (/^[A-Z]{3}$/.test(mark)) return isCurrencyCode(mark) ? [mark] : null;
  return SYMBOLS[mark] ?? null;
}

/**
 * The row's currency by the rule above. `column` is the currency column's cell (uppercased code) and name, if
 * any; `cells` the row's amount cells. The problem names the columns and quotes their cells.
 */
export function rowCurrency(column: { name: string; code: string } | null, cells: readonly MarkedCell[]): RowCurrency {
  type Named = { cell: MarkedCell; mark: string; currencies: readonly string[] };
  const named: Named[] = [];
  for (const cell of cells) {
    for (const mark of cell.marks) {
      const currencies = currenciesOf(mark);
      if (currencies === null) {
        return { ok: false, problem: `${cell.column}: ${quoted(cell.text)}: "${mark}" is not an ISO 4217 currency code in use (such as USD, EUR, JPY)` };
      }
      named.push({ cell, mark, currencies });
    }
  }
  // A currency column that is no code (`ZZZ`) is the update parser's to refuse, naming that column.
  if (column !== null && !isCurrencyCode(column.code)) return { ok: true, currency: column.code, mark: null };
  if (column !== null) {
    const other = named.find((n) => !n.currencies.includes(column.code));
    if (other) {
      return { ok: false, problem: `${column.name} (${quoted(column.code)}) and ${other.cell.column} (${quoted(other.cell.text)}) ` +
        `name different currencies: ${other.mark} is not ${column.code}; write the amount in the row's currency` };
    }
    return { ok: true, currency: column.code, mark: null };
  }
  if (named.length === 0) return { ok: true, currency: null, mark: null };
  let common = named[0].currencies;
  for (const n of named.slice(1)) {
    const both = common.filter((c) => n.currencies.includes(c));
    if (both.length === 0) {
      const first = named.find((m) => !n.currencies.some((c) => m.currencies.includes(c)))!;
      const columns = first.cell === n.cell
        ? `${n.cell.column}: ${quoted(n.cell.text)} names two currencies (${describe(n.cell.marks)})`
        : `${first.cell.column} (${quoted(first.cell.text)}) and ${n.cell.column} (${quoted(n.cell.text)}) name different ` +
          `currencies (${first.mark} and ${n.mark})`;
      return { ok: false, problem: `${columns}: one invoice has one currency` };
    }
    common = both;
  }
  // A symbol several currencies use reads as the PO's currency when the PO is written with it (`$` on a USD PO is
  // USD): beside a mark that names one currency (`C$5` and `$5`), it is kept to be checked against the PO.
  const ambiguous = named.find((n) => n.currencies.length > 1);
  if (common.length === 1) {
    return { ok: true, currency: common[0], mark: ambiguous ? { column: ambiguous.cell.column, text: ambiguous.cell.text, symbol: ambiguous.mark, currencies: ambiguous.currencies } : null };
  }
  const first = named[0];
  return { ok: true, currency: null, mark: { column: first.cell.column, text: first.cell.text, symbol: first.mark, currencies: common } };
}


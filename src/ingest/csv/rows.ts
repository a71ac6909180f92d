// One CSV row → one supplier update (DESIGN 3, "CSV"): a row with a tracking number is a shipment, one with an
// invoice number an invoice, any other an order acknowledgement. The update is checked here with the same parser
// POST /api/v2/supplier_updates uses, so a bad row's reason names the CSV column rather than a JSON field, and
// names every fault of the row at once, in the file's column order (csv/cells.ts).
import { normalizeTrackingNumber } from '../../domain/tracking.ts';
import { anyCurrencyProblem, currencyExponent, decimalOf, isCurrencyCode, MAX_MINOR_UNITS, parseAmount, unitsToText } from '../../domain/money.ts';
import { quoted } from '../../domain/plain-text.ts';
import { invoiceTotalProblem, type FieldProblem } from '../../domain/supplier-updates.ts';
import type { InvoiceAmounts, InvoiceUpdate } from '../../domain/supplier-updates/types.ts';
import { parseAndRemember } from '../parsed-updates.ts';
import type { DocumentEntry } from '../types.ts';
import { Cells } from './cells.ts';
import type { ColumnMap, CsvField } from './columns.ts';
import { rowCurrency, type CurrencyMark } from './currency.ts';
import { excelText } from './excel-cells.ts';
import { readAmount, readCarrier, readDate, readDateOrInstant, readOrderStatus, readQuantity, type DayFirstSign } from './values.ts';

export interface RowContext {
  columns: ColumnMap;
  /** `?supplier_name=`: the supplier when the file has no supplier column. */
  supplierName: string | null;
  scacCarrier: (scac: string) => string | null;
  /** Where the file shows it writes slash dates day first (read before any row: reader.ts), else null. */
  dayFirst: DayFirstSign | null;
  /** Per PO number, the first shipment row of the file that names its item (read before any row: reader.ts). */
  itemisedShipments: ReadonlyMap<string, string>;
}

/**
 * The rows of one PO and tracking number in a file (one export: a header row repeated under the rows, or a summary
 * line, starts the next) are one shipment, wherever they stand: each row's update carries the quantity shipped so
 * far for its SKU in that shipment, so the shipment ends with one line per SKU, a SKU repeated across rows adds up
 * whether or not the rows are adjacent (a file sorted by item lists a parcel's rows apart: only adjacent ones were
 * added, so the row order decided the quantity), and re-sending any row changes nothing. A rejected row's units are
 * withdrawn, so the rows after it do not carry them. Only the parcels whose rows stand apart (`split`, found by
 * reader.ts before any row is read) are remembered over the file; for the others, whose rows are adjacent, the
 * current parcel's quantities are all there is to keep.
 */
export class ShipmentGrouping {
  private shipments = new Map<string, Map<string, number>>();
  private current: { key: string; quantities: Map<string, number> } | null = null;

  constructor(private readonly split: ReadonlySet<string> = new Set()) {}
  /** The current row's addition, until the row is accepted or withdrawn. */
  private pending: { quantities: Map<string, number>; sku: string; quantity: number } | null = null;

  /** A row starts: what the previous one added stays. */
  begin(): void {
    this.pending = null;
  }

  /** The running quantity of `sku` in the shipment of (poNumber, trackingNumber) after adding `quantity`. */
  add(poNumber: string, trackingNumber: string, sku: string, quantity: number): number {
    const key = shipmentKey(poNumber, trackingNumber);
    let quantities: Map<string, number>;
    if (this.split.has(key)) {
      quantities = this.shipments.get(key) ?? new Map();
      this.shipments.set(key, quantities);
    } else {
      if (this.current?.key !== key) this.current = { key, quantities: new Map() };
      quantities = this.current.quantities;
    }
    const total = (quantities.get(sku) ?? 0) + quantity;
    quantities.set(sku, total);
    this.pending = { quantities, sku, quantity };
    return total;
  }

  /** The current row is rejected: its units are not the shipment's. */
  withdraw(): void {
    if (this.pending) this.pending.quantities.set(this.pending.sku, this.pending.quantities.get(this.pending.sku)! - this.pending.quantity);
    this.pending = null;
  }

  /** The next export in the same file (a header row again, or after a summary line): its shipments start anew. */
  reset(): void {
    this.shipments = new Map();
    this.current = null;
    this.pending = null;
  }
}

/**
 * A summary line a portal puts under its rows: a cell reading `Total`, `Totals:`, `Grand Total`, `Subtotal`,
 * `Report total` or `Page total` (alone, or before a count: `Total shipped: 12`), in a row whose PO-number,
 * tracking-number, invoice-number and item cells are empty or that label. It names no PO, so it can be no update;
 * it is skipped as a blank line is. A row with a PO number is always read, whatever its other cells say.
 */
const SUMMARY_LABEL = /^(?:grand|report|page|sub)?[\s-]*totals?(?![a-z])/i;

export function isSummaryRow(record: readonly string[], columns: ColumnMap): boolean {
  const label = record.findIndex((cell) => SUMMARY_LABEL.test(excelText(cell.trim())));
  if (label === -1) return false;
  const emptyBesideLabel = (field: CsvField) => [columns.index[field], ...(columns.more[field] ?? []).map((c) => c.index)]
    .every((i) => i === undefined || i === label || (record[i] ?? '').trim() === '');
  // Nor does it name a parcel, an invoice or an item: a row that does is a row with its PO number missing, and is
  // rejected as one.
  return (['po_number', 'tracking_number', 'invoice_number', 'sku'] as const).every(emptyBesideLabel);
}

/** The key of a shipment in a file: its PO number and tracking number (formatting aside). */
export const shipmentKey = (poNumber: string, trackingNumber: string) =>
  `${poNumber}\u0000${normalizeTrackingNumber(trackingNumber).replace(/\s+/g, '')}`;

/**
 * A shipment row (one with a PO and a tracking number) as reader.ts sees it over the whole file before any row is
 * read, its cells unchecked: its PO, its shipment's key, and whether it names its item; null for any other row.
 */
export function shipmentRow(record: readonly string[], columns: ColumnMap): { po: string; key: string; itemised: boolean } | null {
  const cells = new Cells(record, columns);
  const [po, tracking] = [cells.raw('po_number'), cells.raw('tracking_number')];
  return po === null || tracking === null ? null : { po, key: shipmentKey(po, tracking), itemised: cells.raw('sku') !== null };
}

/** JSON field of the update (as parseSupplierUpdate names it) → the CSV field it came from. */
const SOURCE_FIELD: Record<string, CsvField> = {
  po_number: 'po_number', supplier_order_id: 'supplier_order_id', supplier_name: 'supplier_name', status: 'status',
  sku: 'sku', quantity: 'quantity', estimated_delivery_date: 'estimated_delivery_date', tracking_number: 'tracking_number',
  carrier: 'carrier', shipped_date: 'shipped_date', invoice_number: 'invoice_number', invoice_date: 'invoice_date',
  due_date: 'due_date', payment_terms: 'payment_terms', subtotal_amount: 'subtotal_amount', tax_amount: 'tax_amount',
  shipping_amount: 'shipping_amount', total_amount: 'total_amount', currency: 'currency',
};

/** The update parser's problem as a fault of the row: in the file's words, at its column (file order). */
function describeProblem(problem: FieldProblem, path: string, cells: Cells, columns: ColumnMap): { column: number; message: string } | null {
  const name = problem.field.slice(path.length + 1).replace(/^lines\[\d+\]\./, '');
  const field = SOURCE_FIELD[name];
  if (!field) return { column: Infinity, message: `${name || 'row'}: ${problem.message}` };
  // Its cell's own fault is said already: what the parser says of the field left out for it (missing) is not news.
  if (cells.faulted.has(field)) return null;
  if (columns.index[field] === undefined) {
    if (field === 'supplier_order_id') {
      // Only an acknowledgement requires it: say what the row is and what the column may be called.
      return { column: Infinity, message: 'no supplier order column (headers such as "Order #", "Order No.", "Sales Order"): an ' +
        'acknowledgement row (no tracking or invoice number) needs the supplier\'s order number' };
    }
    const hint = field === 'supplier_name' ? ' (add a supplier column or send ?supplier_name=)' : '';
    return { column: Infinity, message: `no ${field} column: ${field} ${problem.message}${hint}` };
  }
  return { column: columns.index[field]!, message: `${cells.column(field)}: ${problem.message}` };
}

/** The row's line (item and quantity), undefined for the whole PO, or null when at fault (the fault recorded). */
function lineOf(cells: Cells, quantityOf: (sku: string, quantity: number) => number): { sku: string; quantity: number }[] | undefined | null {
  const sku = cells.text('sku');
  const quantity = cells.read('quantity', readQuantity);
  if (cells.faulted.has('sku') || cells.faulted.has('quantity')) return null;
  if (sku === null) {
    // A row without an item stands for the whole PO (everything still open ships or is confirmed). A quantity on
    // it says the row meant less than that, of an item it does not name: refused, never dropped (it shipped every
    // open unit where the row said 2).
    if (quantity !== null) {
      const item = cells.has('sku') ? `${cells.column('sku')} is empty` : 'the file has no item column (headers such as "Item #", "SKU")';
      cells.fault('quantity', `${cells.column('quantity')}: ${quantity} of which item? ${item}; name the item, or leave the quantity empty for the whole PO`);
      return null;
    }
    return undefined;
  }
  if (quantity === null) {
    // With no quantity column at all, say so and what it may be called: `column "quantity"` would name a column
    // the file does not have (its header may be one we do not know: `Quantity Shipped (EA)`).
    cells.fault('quantity', cells.has('quantity') ? `${cells.column('quantity')}: is required on a row with ${cells.column('sku')}`
      : `no quantity column (headers such as "Qty", "Quantity", "Qty Shipped")${cells.unreadColumn('quantity')}: a row with ` +
        `${cells.column('sku')} needs its quantity`);
    return null;
  }
  return [{ sku, quantity: quantityOf(sku, quantity) }];
}

/**
 * The row's update in the JSON API's wire shape; each bad cell is a fault recorded in `cells` (its field then left
 * out or defaulted: the row is rejected with every fault, so what the update would say does not matter).
 */
function buildUpdate(
  cells: Cells, context: RowContext, poNumber: string | null, grouping: ShipmentGrouping, sources: AmountSources,
): Record<string, unknown> {
  const common = {
    po_number: poNumber ?? undefined,
    supplier_order_id: cells.text('supplier_order_id') ?? undefined,
  };
  const supplierName = cells.text('supplier_name') ?? context.supplierName ?? undefined;
  const date = (text: string) => readDate(text, context.dayFirst);
  const tracking = cells.text('tracking_number', normalizeTrackingNumber);
  if (tracking !== null || cells.faulted.has('tracking_number')) {
    const carrierText = cells.text('carrier', (value) => value.toLowerCase());
    const lines = lineOf(cells, (sku, quantity) => (poNumber === null || tracking === null ? quantity : grouping.add(poNumber, tracking, sku, quantity)));
    // A shipment row without an item ships the whole PO (every line still open) only in a file that lists no items
    // shipped on that PO. Beside a row that does, above or below it, under its tracking number or another, it would
    // ship what no row lists, and which of the two came first decided what was stored (the whole PO, then one item
    // cut back; or one item, then the row without one changing nothing). Refused wherever it stands, so the result
    // never depends on the rows' order; the rows naming items apply. X12 refuses a bare pack beside itemised ones alike.
    const itemised = lines === undefined && poNumber !== null ? context.itemisedShipments.get(poNumber) : undefined;
    if (itemised !== undefined) {
      cells.fault('sku', `${cells.column('sku')} is empty, but ${itemised} names the items shipped on PO ${poNumber}: a shipment row ` +
        'without an item ships every line still open, which no row lists; name the items this row ships, or leave the row out');
    }
    return {
      type: 'shipment', ...common, tracking_number: tracking ?? undefined,
      carrier: carrierText === null ? null : readCarrier(carrierText, context.scacCarrier),
      shipped_date: cells.read('shipped_date', (text) => readDateOrInstant(text, context.dayFirst)) ?? undefined,
      estimated_delivery_date: cells.read('estimated_delivery_date', date) ?? undefined,
      lines: lines ?? undefined,
    };
  }
  const invoiceNumber = cells.text('invoice_number');
  if (invoiceNumber !== null || cells.faulted.has('invoice_number')) {
    return {
      type: 'invoice', ...common, supplier_name: supplierName, invoice_number: invoiceNumber ?? undefined,
      invoice_date: cells.read('invoice_date', date) ?? undefined, due_date: cells.read('due_date', date) ?? undefined,
      payment_terms: cells.text('payment_terms') ?? undefined, ...invoiceAmounts(cells, sources),
    };
  }
  return {
    type: 'order', ...common, supplier_name: supplierName,
    status: cells.read('status', readOrderStatus) ?? 'confirmed',
    lines: lineOf(cells, (_sku, quantity) => quantity) ?? undefined,
    estimated_delivery_date: cells.read('estimated_delivery_date', date) ?? undefined,
  };
}

type AmountField = 'total_amount' | 'subtotal_amount' | 'tax_amount' | 'shipping_amount';
type AmountSources = NonNullable<InvoiceUpdate['amountSources']> & { mark?: CurrencyMark | null };
type ReadAmount = { amount: string; marks: string[]; ambiguous: string | null };

/**
 * An invoice row's amounts and currency as update fields (`subtotal_amount`, …, `currency`), its total the sum of
 * its parts; faults recorded in `cells`. The currency is the row's (csv/currency.ts), else the PO's when applied:
 * `sources` then keeps each amount's column and cell (and the symbol it was written with) for that check.
 */
function invoiceAmounts(cells: Cells, sources: AmountSources): Record<string, unknown> {
  // Two columns of one amount (`Amount` and `Total`) agree when they are the same number: `$1,234.50` is `1234.5`.
  const read = (field: AmountField) => cells.read(field, readAmount, ({ amount }) => {
    const decimal = decimalOf(amount);
    return decimal === null ? amount : unitsToText(decimal.units, decimal.scale).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  });
  const [total, subtotal, tax, shipping] = (['total_amount', 'subtotal_amount', 'tax_amount', 'shipping_amount'] as const).map(read);
  const amounts: Record<AmountField, ReadAmount | null> = { total_amount: total, subtotal_amount: subtotal, tax_amount: tax, shipping_amount: shipping };
  if (total === null && subtotal === null && !cells.faulted.has('total_amount') && !cells.faulted.has('subtotal_amount')) {
    cells.fault('total_amount', `${cells.column('total_amount')}: an invoice row needs an amount (Amount, Total or Subtotal)` +
      `${cells.unreadColumn('total_amount') || cells.unreadColumn('subtotal_amount')}`);
  }
  const code = cells.text('currency')?.toUpperCase() ?? null;
  // A header naming a currency (`Amount (USD)`) marks each of its cells as a code written in them would.
  const marked = cells.inFileOrder(Object.keys(amounts) as AmountField[]).filter((field) => amounts[field] !== null)
    .map((field) => ({ column: cells.column(field), text: cells.raw(field)!,
      marks: [...amounts[field]!.marks, ...(cells.headerCurrency(field) === null ? [] : [cells.headerCurrency(field)!])] }));
  const decided = rowCurrency(code === null ? null : { name: cells.column('currency'), code }, marked);
  if (!decided.ok) cells.fault('currency', decided.problem, cells.position('currency') ?? cells.position('total_amount'));
  const currency = decided.ok ? decided.currency ?? undefined : undefined;
  sources.mark = decided.ok ? decided.mark : null;
  // Without a currency the amounts' decimals (and a separator only a currency settles) are checked against the PO's
  // when applied: that reason names each amount's column and quotes its cell as written (InvoiceUpdate.amountSources).
  for (const field of ['total_amount', 'subtotal_amount', 'tax_amount', 'shipping_amount'] as const) {
    const text = cells.raw(field);
    const ambiguous = currency === undefined ? amounts[field]?.ambiguous ?? null : null;
    if (text !== null) sources[field.replace('_amount', '') as keyof InvoiceAmounts] = { name: cells.column(field), text, ...(ambiguous ? { ambiguous } : {}) };
  }
  const fields = Object.keys(amounts) as AmountField[];
  const money = fields.some((field) => cells.faulted.has(field)) ? null : invoiceMoney(cells, currency, amounts);
  const leftOut = () => {
    // An amount at fault (or none given) leaves every amount out: the parser's "is required" of the others, or its
    // own sum check of numbers already refused, would be no news.
    for (const field of fields) cells.faulted.add(field);
    return { currency };
  };
  if (money === null) return leftOut();
  const taxMinor = money.minor('tax_amount') ?? 0n;
  const shippingMinor = money.minor('shipping_amount') ?? 0n;
  const totalMinor = money.minor('total_amount') ?? money.minor('subtotal_amount')! + taxMinor + shippingMinor;
  const subtotalMinor = money.minor('subtotal_amount') ?? totalMinor - taxMinor - shippingMinor;
  const mismatch = totalMismatch(cells, money);
  if (mismatch !== null || subtotalMinor < 0n) {
    cells.fault('total_amount', `${cells.column('total_amount')}: ${mismatch ?? 'is less than its tax and freight'}`);
    return leftOut();
  }
  return {
    subtotal_amount: money.number(subtotalMinor), tax_amount: money.number(taxMinor), shipping_amount: money.number(shippingMinor),
    total_amount: money.number(totalMinor), currency,
  };
}

/**
 * Why a row's total is not its parts' sum, or null (also when the row gives only the total or only the subtotal:
 * the other is then worked out from it). The invoice total check and wording of the JSON API
 * (invoiceTotalProblem), in the file's words: `must equal "Subtotal" + "Tax" + "Freight" (105.00), not "105.01"`,
 * the part columns the row fills in file order, the total's cell as written.
 */
function totalMismatch(cells: Cells, money: NonNullable<ReturnType<typeof invoiceMoney>>): string | null {
  const total = money.minor('total_amount');
  if (total === null || money.minor('subtotal_amount') === null) return null;
  const parts = cells.inFileOrder(['subtotal_amount', 'tax_amount', 'shipping_amount'] as const).filter((field) => money.minor(field) !== null);
  return invoiceTotalProblem(parts.map((field) => ({ name: cells.column(field).replace(/^column /, ''), amount: money.text(money.minor(field)!) })),
    { amount: money.text(total), shown: quoted(cells.raw('total_amount')!) });
}

/**
 * An invoice row's amounts in exact integer units, so sums stay exact, or null when one is at fault (recorded):
 * - with a currency, its minor units read by the one money parser (domain/money.ts parseAmount: more decimals than
 *   the currency has is this row's fault, naming the column, as POST /api/v2/supplier_updates refuses it). A lone
 *   separator before three digits (`12.345`, `1,500`) is the decimal mark in a currency with three decimals
 *   (KWD, BHD, JOD, LYD, OMR, TND: their amounts are written with them, so `12.345` KWD is 12.345); in any other it is
 *   refused naming both readings (values.ts ambiguousSeparator), never guessed;
 * - without one (the PO's decides when applied), units of the most decimals any amount has (at least 2), refused
 *   here only when no currency could hold it (domain/money.ts anyCurrencyProblem). A currency column that is no
 *   code in use (`XAU`) is the update parser's to name: its decimals are not known, so nothing is read against them.
 */
function invoiceMoney(cells: Cells, given: string | undefined, amounts: Record<AmountField, ReadAmount | null>) {
  const currency = given !== undefined && isCurrencyCode(given) ? given : undefined;
  const present = Object.entries(amounts).filter((entry): entry is [AmountField, ReadAmount] => entry[1] !== null);
  const scale = currency !== undefined
    ? currencyExponent(currency)
    : Math.max(2, ...present.map(([, a]) => decimalOf(a.amount)?.scale ?? 0));
  const units = new Map<AmountField, bigint>();
  let faults = false;
  const fault = (field: AmountField, message: string) => {
    cells.fault(field, `${cells.column(field)}: ${message}`);
    faults = true;
  };
  for (const [field, { amount, ambiguous }] of present) {
    if (currency !== undefined) {
      if (ambiguous !== null && currencyExponent(currency) !== 3) {
        fault(field, ambiguous);
        continue;
      }
      const result = parseAmount(amount, currency);
      if (!result.ok) fault(field, `${quoted(cells.raw(field)!)} ${result.reason}`);
      else units.set(field, BigInt(result.minor));
      continue;
    }
    const decimal = decimalOf(amount)!;
    const scaled = decimal.units * 10n ** BigInt(scale - decimal.scale);
    // More units than any currency's cap is refused here, while the amount is still exact text: past 2^53 the
    // JSON number handed on would be a rounded double (99999999999999999999 → 100000000000000000000).
    const problem = scaled > BigInt(MAX_MINOR_UNITS)
      ? `is too large for an amount (at most ${MAX_MINOR_UNITS.toLocaleString('en-US')} in the currency's smallest unit)`
      : anyCurrencyProblem(amount);
    if (problem !== null) fault(field, `${quoted(cells.raw(field)!)} ${problem}`);
    else units.set(field, scaled);
  }
  if (faults) return null;
  return {
    minor: (field: AmountField) => units.get(field) ?? null,
    /** Units → their exact decimal text (`12345n`, 3 → `12.345`). */
    text: (minor: bigint) => unitsToText(minor, scale),
    /** Units → the JSON number of exactly those decimals (its shortest text is the decimal: `12345n`, 3 → 12.345). */
    number: (minor: bigint) => Number(unitsToText(minor, scale)),
  };
}

/** What the row is read against: the header row's number of cells, the file's separator, and whether the row is
 *  the file's last, short of the header's cells with no line break after it (cut off). */
export interface RowShape {
  headerColumns: number;
  delimiter: string;
  cutOff: boolean;
}

/** A separator as a person reads it in a reason. */
const separatorName = (delimiter: string) => (delimiter === '\t' ? 'a tab' : `"${delimiter}"`);

/**
 * Why a row has more filled cells than the header row has columns, or null. Such a row was split where its writer
 * did not mean it (a value holding the separator left unquoted: `Acme, Inc.`, `1,500`), so every cell after the
 * split is under the wrong header: rejected, naming the first cell past the header. Empty cells past the header
 * (`,,` that Excel writes to pad rows to the widest one) are fine.
 */
function cellsPastHeader(record: readonly string[], shape: RowShape): string | null {
  const past = record.slice(shape.headerColumns).map((cell, i) => ({ cell: cell.trim(), column: shape.headerColumns + i + 1 }))
    .filter(({ cell }) => cell !== '');
  if (past.length === 0) return null;
  const [first] = past;
  const more = past.length > 1 ? ` (and ${past.length - 1} more cell${past.length > 2 ? 's' : ''} past it)` : '';
  return `column ${first.column} holds ${quoted(first.cell)}${more}, but the header row has ${shape.headerColumns} columns: ` +
    `a value holding ${separatorName(shape.delimiter)} must be quoted, or the header row is missing a column`;
}

/**
 * The entry for one data row. `line` is the file's line number of the row (the header is line 1), used as
 * `row N` in the document's results. Never throws: a bad row is an entry with its reason.
 */
export function rowEntry(
  record: readonly string[], lines: { first: number; last: number }, context: RowContext, grouping: ShipmentGrouping,
  shape: RowShape,
): DocumentEntry {
  // A quoted cell may hold line breaks: such a record names every line it took, so none goes unaccounted for
  // (a quote left open swallows the rows after it into one cell, which the free-text rule then rejects).
  const source = lines.last > lines.first ? `rows ${lines.first}–${lines.last}` : `row ${lines.first}`;
  const cells = new Cells(record, context.columns);
  // Unchecked here (this runs outside the row's try): the PO number is checked by the supplier-update schema below.
  const poNumber = cells.raw('po_number');
  const type = cells.raw('tracking_number') !== null ? 'shipment' : cells.raw('invoice_number') !== null ? 'invoice' : 'order';
  const rejected = (reason: string): DocumentEntry => ({ source, type, po_number: poNumber, update: null, reason });
  grouping.begin();
  if (shape.cutOff) {
    // The file's last row, short of the header's columns and with no line break after it: a file read while still
    // being written (or cut short in transfer) ends like this, and its last cell may be half a number.
    return rejected(`the file ends inside this row (${record.length} of ${shape.headerColumns} columns, no line break after ` +
      'it): it looks cut off; send the file whole');
  }
  const past = cellsPastHeader(record, shape);
  if (past !== null) {
    return rejected(past);
  }
  if (poNumber === null) {
    cells.fault('po_number', `${cells.column('po_number')}: is empty`);
  }
  const sources: AmountSources = {};
  // Two PO-number columns (`PO #` and `PO Number`) must agree, as any field's must: which PO a row is about is
  // the last thing to take from whichever column comes first.
  cells.text('po_number');
  const update = buildUpdate(cells, context, cells.faulted.has('po_number') ? null : poNumber, grouping, sources);
  // Absent values are left out, as a JSON client would.
  for (const key of Object.keys(update)) if (update[key] === undefined) delete update[key];
  const problems: FieldProblem[] = [];
  const parsed = parseAndRemember(update, source, problems);
  // Every fault of the row at once, the reader's and the update parser's, in the file's column order.
  const reason = cells.reason(problems.flatMap((p) => describeProblem(p, source, cells, context.columns) ?? []));
  if (reason !== null || !parsed) {
    grouping.withdraw();
    return rejected(reason ?? 'row: cannot be read');
  }
  if (parsed.update.type === 'invoice') {
    const { mark, ...amountSources } = sources;
    parsed.update.amountSources = amountSources;
    if (mark) parsed.update.currencyMark = mark;
  }
  return { source, type, po_number: poNumber, update, reason: null };
}

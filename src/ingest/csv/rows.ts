// One CSV row → one supplier update (DESIGN 3, "CSV"): a row with a tracking number is a shipment, one with an
// invoice number an invoice, any other an order acknowledgement. The update is checked here with the same parser
// POST /api/v2/supplier_updates uses, so a bad row's reason names the CSV column rather than a JSON field.
import { normalizeTrackingNumber } from '../../domain/tracking.ts';
import { currencyExponent, decimalOf, MAX_MINOR_UNITS, parseAmount, unitsToText } from '../../domain/money.ts';
import { quoted, textProblem } from '../../domain/plain-text.ts';
import type { FieldProblem } from '../../domain/supplier-updates.ts';
import type { InvoiceAmounts, InvoiceUpdate } from '../../domain/supplier-updates/types.ts';
import { parseAndRemember } from '../parsed-updates.ts';
import type { DocumentEntry } from '../types.ts';
import type { ColumnMap, CsvField } from './columns.ts';
import { rowCurrency, type CurrencyMark } from './currency.ts';
import {
  excelText, readAmount, readCarrier, readDate, readDateOrInstant, readOrderStatus, readQuantity, scientificNotationProblem,
  type DayFirstSign, type Read,
} from './values.ts';

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

/** Fields that hold identifiers, whose cells Excel may have turned into scientific notation (scientificNotationProblem). */
const IDENTIFIER_FIELDS: ReadonlySet<CsvField> = new Set(['po_number', 'tracking_number', 'sku', 'supplier_order_id', 'invoice_number']);

/**
 * Consecutive rows of one PO and tracking number are one shipment: each row's update carries the quantity shipped
 * so far for its SKU in that shipment, so the shipment ends with one line per SKU (a SKU repeated across rows adds
 * up) and re-sending any row changes nothing.
 */
export class ShipmentGrouping {
  private key: string | null = null;
  private quantities = new Map<string, number>();

  /** The running quantity of `sku` in the shipment of (poNumber, trackingNumber) after adding `quantity`. */
  add(poNumber: string, trackingNumber: string, sku: string, quantity: number): number {
    const key = `${poNumber}\u0000${trackingNumber.replace(/\s+/g, '').toUpperCase()}`;
    if (key !== this.key) {
      this.key = key;
      this.quantities = new Map();
    }
    const total = (this.quantities.get(sku) ?? 0) + quantity;
    this.quantities.set(sku, total);
    return total;
  }

  /** A row that is not part of a shipment ends the current one. */
  reset(): void {
    this.key = null;
    this.quantities = new Map();
  }
}

class RowProblem extends Error {}

/** Reads a row's cells by field, turning a bad cell into a RowProblem naming its column. */
class Cells {
  /** The header each field's value was read under, when not the field's first column. */
  private readonly readUnder = new Map<CsvField, string>();

  constructor(private readonly record: readonly string[], private readonly columns: ColumnMap) {}

  column(field: CsvField): string {
    return `column "${this.readUnder.get(field) ?? this.columns.header[field] ?? field}"`;
  }

  /**
   * The cell's trimmed text, or null when empty. Every cell is free text under the one rule (domain/plain-text.ts)
   * before any reader interprets it, so a control character is this column's problem and never dropped by a reader
   * that keeps only letters (a status `cancel\u0081led` must not read as `cancelled`). A field with several
   * columns takes the one filled; two filled differently (compared as `sameAs` gives them) are the row's problem,
   * naming both.
   */
  text(field: CsvField, sameAs: (value: string) => string = (value) => value): string | null {
    return this.pick(field, (value) => value, sameAs);
  }

  /** `fields` in the order the file has their columns, to name them as a reader of the file sees them. */
  inFileOrder<F extends CsvField>(fields: readonly F[]): F[] {
    return [...fields].sort((a, b) => (this.columns.index[a] ?? Infinity) - (this.columns.index[b] ?? Infinity));
  }

  /** Whether the file has a column for `field`. */
  has(field: CsvField): boolean {
    return this.columns.index[field] !== undefined;
  }

  /** The cell's trimmed text, or null when empty, unchecked: only to name and sort the row before it is read. */
  raw(field: CsvField): string | null {
    return this.filled(field)[0]?.value ?? null;
  }

  /** The cell read by `reader` (its problem names the column), or null when empty; several columns as text(). */
  read<T>(field: CsvField, reader: (text: string) => Read<T>): T | null {
    return this.pick(field, (value, header) => {
      const result = reader(value);
      if (!result.ok) throw new RowProblem(`column "${header}": ${result.problem}`);
      return result.value;
    });
  }

  /**
   * The field's value in this row: each filled column's text checked and interpreted; columns that read the same
   * (`1Z999AA10123456784` and `1z-999-aa1-01-2345-6784`, `2` and `2.0`) agree, others are the row's problem.
   */
  private pick<T>(field: CsvField, interpret: (value: string, header: string) => T, sameAs?: (value: string) => unknown): T | null {
    const filled = this.filled(field);
    if (filled.length === 0) return null;
    const read = filled.map((cell) => {
      // A tracking cell may hold two numbers on two lines: the tracking reader names that fault itself, as the API does.
      const problem = textProblem(cell.value, field === 'tracking_number' ? 'multiline' : 'line');
      if (problem !== null) throw new RowProblem(`column "${cell.header}": ${problem}`);
      const scientific = IDENTIFIER_FIELDS.has(field) ? scientificNotationProblem(cell.value) : null;
      if (scientific !== null) throw new RowProblem(`column "${cell.header}": ${scientific}`);
      const value = interpret(cell.value, cell.header);
      return { cell, value, key: JSON.stringify(sameAs ? sameAs(cell.value) : value) };
    });
    const [first] = read;
    const other = read.find((r) => r.key !== first.key);
    if (other) {
      const name = (cell: { header: string; index: number }) =>
        first.cell.header === other.cell.header ? `"${cell.header}" (column ${cell.index + 1})` : `"${cell.header}"`;
      throw new RowProblem(`columns ${name(first.cell)} and ${name(other.cell)} hold different values ` +
        `(${quoted(first.cell.value)} and ${quoted(other.cell.value)}): keep one of them`);
    }
    if (first.cell.header !== this.columns.header[field]) this.readUnder.set(field, first.cell.header);
    return first.value;
  }

  /** The field's non-empty cells in this row, in column order, with their headers and positions. */
  private filled(field: CsvField): { header: string; index: number; value: string }[] {
    const index = this.columns.index[field];
    if (index === undefined) return [];
    const cells: { header: string; index: number; value: string }[] = [];
    for (const column of [{ index, header: this.columns.header[field]! }, ...(this.columns.more[field] ?? [])]) {
      const value = excelText((this.record[column.index] ?? '').trim()).trim();
      if (value !== '') cells.push({ header: column.header, index: column.index, value });
    }
    return cells;
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

/**
 * The PO number of a shipment row (one with a tracking number) that names its item, else null: what reader.ts
 * gathers over the whole file before any row is read, for the rule in buildUpdate.
 */
export function itemisedShipmentPo(record: readonly string[], columns: ColumnMap): string | null {
  const cells = new Cells(record, columns);
  return cells.raw('tracking_number') !== null && cells.raw('sku') !== null ? cells.raw('po_number') : null;
}

/** JSON field of the update (as parseSupplierUpdate names it) → the CSV field it came from. */
const SOURCE_FIELD: Record<string, CsvField> = {
  po_number: 'po_number', supplier_order_id: 'supplier_order_id', supplier_name: 'supplier_name', status: 'status',
  sku: 'sku', quantity: 'quantity', estimated_delivery_date: 'estimated_delivery_date', tracking_number: 'tracking_number',
  carrier: 'carrier', shipped_date: 'shipped_date', invoice_number: 'invoice_number', invoice_date: 'invoice_date',
  due_date: 'due_date', payment_terms: 'payment_terms', subtotal_amount: 'subtotal_amount', tax_amount: 'tax_amount',
  shipping_amount: 'shipping_amount', total_amount: 'total_amount', currency: 'currency',
};

function describeProblem(problem: FieldProblem, path: string, cells: Cells, columns: ColumnMap): string {
  const name = problem.field.slice(path.length + 1).replace(/^lines\[\d+\]\./, '');
  const field = SOURCE_FIELD[name];
  if (!field) return `${name || 'row'}: ${problem.message}`;
  if (columns.index[field] === undefined) {
    const hint = field === 'supplier_name' ? ' (add a supplier column or send ?supplier_name=)' : '';
    return `no ${field} column: ${field} ${problem.message}${hint}`;
  }
  return `${cells.column(field)}: ${problem.message}`;
}

function lineOf(cells: Cells, quantityOf: (sku: string, quantity: number) => number): { sku: string; quantity: number }[] | undefined {
  const sku = cells.text('sku');
  const quantity = cells.read('quantity', readQuantity);
  if (sku === null) {
    // A row without an item stands for the whole PO (everything still open ships or is confirmed). A quantity on
    // it says the row meant less than that, of an item it does not name: refused, never dropped (it shipped every
    // open unit where the row said 2).
    if (quantity !== null) {
      const item = cells.has('sku') ? `${cells.column('sku')} is empty` : 'the file has no item column (headers such as "Item #", "SKU")';
      throw new RowProblem(`${cells.column('quantity')}: ${quantity} of which item? ${item}; name the item, or leave the quantity empty for the whole PO`);
    }
    return undefined;
  }
  if (quantity === null) {
    // With no quantity column at all, say so and what it may be called: `column "quantity"` would name a column
    // the file does not have (its header may be one we do not know: `Quantity Shipped (EA)`).
    if (!cells.has('quantity')) {
      throw new RowProblem(`no quantity column (headers such as "Qty", "Quantity", "Qty Shipped"): a row with ${cells.column('sku')} needs its quantity`);
    }
    throw new RowProblem(`${cells.column('quantity')}: is required on a row with ${cells.column('sku')}`);
  }
  return [{ sku, quantity: quantityOf(sku, quantity) }];
}

function buildUpdate(
  cells: Cells, context: RowContext, poNumber: string, grouping: ShipmentGrouping, sources: AmountSources,
): Record<string, unknown> {
  const common = {
    po_number: poNumber,
    supplier_order_id: cells.text('supplier_order_id') ?? undefined,
  };
  const supplierName = cells.text('supplier_name') ?? context.supplierName ?? undefined;
  const date = (text: string) => readDate(text, context.dayFirst);
  const tracking = cells.text('tracking_number', normalizeTrackingNumber);
  if (tracking !== null) {
    const carrierText = cells.text('carrier', (value) => value.toLowerCase());
    const lines = lineOf(cells, (sku, quantity) => grouping.add(poNumber, tracking, sku, quantity));
    // A shipment row without an item ships the whole PO (every line still open) only in a file that lists no items
    // shipped on that PO. Beside a row that does, above or below it, under its tracking number or another, it would
    // ship what no row lists, and which of the two came first decided what was stored (the whole PO, then one item
    // cut back; or one item, then the row without one changing nothing). Refused wherever it stands, so the result
    // never depends on the rows' order; the rows naming items apply. X12 refuses a bare pack beside itemised ones alike.
    const itemised = lines === undefined ? context.itemisedShipments.get(poNumber) : undefined;
    if (itemised !== undefined) {
      throw new RowProblem(`${cells.column('sku')} is empty, but ${itemised} names the items shipped on PO ${poNumber}: a shipment row ` +
        'without an item ships every line still open, which no row lists; name the items this row ships, or leave the row out');
    }
    return {
      type: 'shipment', ...common, tracking_number: tracking,
      carrier: carrierText === null ? null : readCarrier(carrierText, context.scacCarrier),
      shipped_date: cells.read('shipped_date', (text) => readDateOrInstant(text, context.dayFirst)) ?? undefined,
      estimated_delivery_date: cells.read('estimated_delivery_date', date) ?? undefined,
      lines,
    };
  }
  grouping.reset();
  const invoiceNumber = cells.text('invoice_number');
  if (invoiceNumber !== null) {
    const read = (field: CsvField) => cells.read(field, readAmount);
    const [total, subtotal, tax, shipping] = (['total_amount', 'subtotal_amount', 'tax_amount', 'shipping_amount'] as const).map(read);
    if (total === null && subtotal === null) {
      throw new RowProblem(`${cells.column('total_amount')}: an invoice row needs an amount (Amount, Total or Subtotal)`);
    }
    const amounts = { total_amount: total, subtotal_amount: subtotal, tax_amount: tax, shipping_amount: shipping };
    const code = cells.text('currency')?.toUpperCase() ?? null;
    const marked = cells.inFileOrder(Object.keys(amounts) as AmountField[]).filter((field) => amounts[field] !== null)
      .map((field) => ({ column: cells.column(field), text: cells.raw(field)!, marks: amounts[field]!.marks }));
    const decided = rowCurrency(code === null ? null : { name: cells.column('currency'), code }, marked);
    if (!decided.ok) throw new RowProblem(decided.problem);
    sources.mark = decided.mark;
    const currency = decided.currency ?? undefined;
    const money = invoiceMoney(cells, currency, amounts);
    // Without a currency column the amounts' decimals are checked against the PO's currency when applied: that
    // reason names each amount's column and quotes its cell as written (InvoiceUpdate.amountSources).
    for (const field of ['total_amount', 'subtotal_amount', 'tax_amount', 'shipping_amount'] as const) {
      const text = cells.raw(field);
      if (text !== null) sources[field.replace('_amount', '') as keyof InvoiceAmounts] = { name: cells.column(field), text };
    }
    const taxMinor = money.minor('tax_amount') ?? 0n;
    const shippingMinor = money.minor('shipping_amount') ?? 0n;
    const totalMinor = money.minor('total_amount') ?? money.minor('subtotal_amount')! + taxMinor + shippingMinor;
    const subtotalMinor = money.minor('subtotal_amount') ?? totalMinor - taxMinor - shippingMinor;
    if (totalMinor !== subtotalMinor + taxMinor + shippingMinor) throw new RowProblem(totalMismatch(cells, amounts));
    if (subtotalMinor < 0n) throw new RowProblem(`${cells.column('total_amount')}: is less than its tax and freight`);
    return {
      type: 'invoice', ...common, supplier_name: supplierName, invoice_number: invoiceNumber,
      invoice_date: cells.read('invoice_date', date) ?? undefined, due_date: cells.read('due_date', date) ?? undefined,
      payment_terms: cells.text('payment_terms') ?? undefined,
      subtotal_amount: money.number(subtotalMinor), tax_amount: money.number(taxMinor), shipping_amount: money.number(shippingMinor),
      total_amount: money.number(totalMinor), currency,
    };
  }
  return {
    type: 'order', ...common, supplier_name: supplierName,
    status: cells.read('status', readOrderStatus) ?? 'confirmed',
    lines: lineOf(cells, (_sku, quantity) => quantity),
    estimated_delivery_date: cells.read('estimated_delivery_date', date) ?? undefined,
  };
}

type AmountField = 'total_amount' | 'subtotal_amount' | 'tax_amount' | 'shipping_amount';
type AmountSources = NonNullable<InvoiceUpdate['amountSources']> & { mark?: CurrencyMark | null };

/**
 * The reason a row's total is not its parts' sum, in the file's words: `column "Amount": "105.00" must equal
 * "Subtotal" + "Tax" + "Freight" ("100.00" + "5.00" + "0.00")` — the columns the row has, its cells as written.
 */
function totalMismatch(cells: Cells, amounts: Record<AmountField, unknown>): string {
  const parts = cells.inFileOrder(['subtotal_amount', 'tax_amount', 'shipping_amount'] as const).filter((field) => amounts[field] !== null);
  const names = parts.map((field) => cells.column(field).replace(/^column /, '')).join(' + ');
  const values = parts.map((field) => quoted(cells.raw(field)!)).join(' + ');
  return `${cells.column('total_amount')}: ${quoted(cells.raw('total_amount')!)} must equal ${names} (${values})`;
}

/**
 * An invoice row's amounts in exact integer units, so sums stay exact: with a currency, its minor units read by
 * the one money parser (domain/money.ts parseAmount: more decimals than the currency has is this row's problem,
 * naming the column, as POST /api/v2/supplier_updates refuses it); without one, units of the most decimals any
 * amount has (at least 2), which the supplier-update parser checks once the currency is known.
 */
function invoiceMoney(cells: Cells, currency: string | undefined, amounts: Record<AmountField, { amount: string } | null>) {
  const present = Object.entries(amounts).filter((entry): entry is [AmountField, { amount: string }] => entry[1] !== null);
  const scale = currency !== undefined
    ? currencyExponent(currency)
    : Math.max(2, ...present.map(([, a]) => decimalOf(a.amount)!.scale));
  const units = new Map<AmountField, bigint>();
  for (const [field, { amount }] of present) {
    if (currency !== undefined) {
      const result = parseAmount(amount, currency);
      if (!result.ok) throw new RowProblem(`${cells.column(field)}: ${quoted(cells.raw(field)!)} ${result.reason}`);
      units.set(field, BigInt(result.minor));
    } else {
      const decimal = decimalOf(amount)!;
      const scaled = decimal.units * 10n ** BigInt(scale - decimal.scale);
      // More units than any currency's cap is refused here, while the amount is still exact text: past 2^53 the
      // JSON number handed on would be a rounded double (99999999999999999999 → 100000000000000000000).
      if (scaled > BigInt(MAX_MINOR_UNITS)) {
        throw new RowProblem(`${cells.column(field)}: ${quoted(cells.raw(field)!)} is too large for an amount ` +
          `(at most ${MAX_MINOR_UNITS.toLocaleString('en-US')} in the currency's smallest unit)`);
      }
      units.set(field, scaled);
    }
  }
  return {
    minor: (field: AmountField) => units.get(field) ?? null,
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
  if (shape.cutOff) {
    // The file's last row, short of the header's columns and with no line break after it: a file read while still
    // being written (or cut short in transfer) ends like this, and its last cell may be half a number.
    grouping.reset();
    return rejected(`the file ends inside this row (${record.length} of ${shape.headerColumns} columns, no line break after ` +
      'it): it looks cut off; send the file whole');
  }
  const past = cellsPastHeader(record, shape);
  if (past !== null) {
    grouping.reset();
    return rejected(past);
  }
  if (poNumber === null) {
    grouping.reset();
    return rejected(`${cells.column('po_number')}: is empty`);
  }
  let update: Record<string, unknown>;
  const sources: AmountSources = {};
  try {
    // Two PO-number columns (`PO #` and `PO Number`) must agree, as any field's must: which PO a row is about is
    // the last thing to take from whichever column comes first.
    cells.text('po_number');
    update = buildUpdate(cells, context, poNumber, grouping, sources);
  } catch (error) {
    if (error instanceof RowProblem) return rejected(error.message);
    throw error;
  }
  // Absent values are left out, as a JSON client would.
  for (const key of Object.keys(update)) if (update[key] === undefined) delete update[key];
  const problems: FieldProblem[] = [];
  const parsed = parseAndRemember(update, source, problems);
  if (!parsed) return rejected(problems.map((p) => describeProblem(p, source, cells, context.columns)).join('; '));
  if (parsed.update.type === 'invoice') {
    const { mark, ...amountSources } = sources;
    parsed.update.amountSources = amountSources;
    if (mark) parsed.update.currencyMark = mark;
  }
  return { source, type, po_number: poNumber, update, reason: null };
}

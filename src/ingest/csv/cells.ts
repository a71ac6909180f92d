// One CSV row's cells by field (DESIGN 3, "CSV"), and the row's faults. Every cell is free text under the one rule
// (domain/plain-text.ts) before its field's reader interprets it; a bad cell is a fault naming its column as the
// file spells it. A row's faults are gathered, not only its first, and given together in file order (at most
// MAX_ROW_FAULTS, then how many more), so a person fixes the file in one pass instead of one resend per fault.
import { quoted, textProblem } from '../../domain/plain-text.ts';
import type { ColumnMap, CsvField } from './columns.ts';
import { excelText, identifierAsNumberProblem } from './excel-cells.ts';
import type { Read } from './values.ts';

/** Fields that hold identifiers, whose cells a spreadsheet may have turned into numbers (identifierAsNumberProblem). */
const IDENTIFIER_FIELDS: ReadonlySet<CsvField> = new Set(['po_number', 'tracking_number', 'sku', 'supplier_order_id', 'invoice_number']);

/** The values Excel writes for a formula that failed (`#N/A` from a lookup that found nothing, `#VALUE!`, `#REF!`). */
const EXCEL_ERROR = /^#(?:N\/A|VALUE!|REF!|DIV\/0!|NUM!|NAME\?|NULL!|SPILL!|CALC!|FIELD!|BLOCKED!|CONNECT!|BUSY!|UNKNOWN!|GETTING_DATA)$/i;

/** Why a cell is an Excel error value, or null: no value at all, whatever its column (`#N/A` is no tracking number "NA"). */
function excelErrorProblem(value: string): string | null {
  return EXCEL_ERROR.test(value) ? `${quoted(value)} is an Excel error value (a formula that failed), not a value: correct the ` +
    'spreadsheet, or leave the cell empty' : null;
}

/** The most faults one row's reason lists; past them it says how many more (each fault quotes at most 60 characters). */
export const MAX_ROW_FAULTS = 8;

interface Fault {
  /** The column it is in (0-based), for file order; Infinity for the row as a whole. */
  column: number;
  message: string;
}

/** Reads a row's cells by field; a bad cell is recorded as a fault naming its column, and reads as null. */
export class Cells {
  /** The column each field's value was read from, when not the field's first. */
  private readonly readUnder = new Map<CsvField, { header: string; index: number }>();
  private readonly faults: Fault[] = [];
  /** Fields with a faulted cell: what the update's parser would say of them (missing, say) is not said again. */
  readonly faulted = new Set<CsvField>();

  constructor(private readonly record: readonly string[], private readonly columns: ColumnMap) {}

  column(field: CsvField): string {
    return `column "${this.readUnder.get(field)?.header ?? this.columns.header[field] ?? field}"`;
  }

  /** The currency the header of the column `field` was read from names (`Amount (USD)`), if it names one. */
  headerCurrency(field: CsvField): string | null {
    const index = this.readUnder.get(field)?.index ?? this.columns.index[field];
    return index === undefined ? null : this.columns.currency[index] ?? null;
  }

  /** Records a fault of the row: of `field`'s column (its position orders the row's faults), or of the row (null). */
  fault(field: CsvField | null, message: string, column = field === null ? undefined : this.columns.index[field]): void {
    this.faults.push({ column: column ?? Infinity, message });
    if (field !== null) this.faulted.add(field);
  }

  /** Whether any fault was recorded. */
  get hasFaults(): boolean {
    return this.faults.length > 0;
  }

  /**
   * The row's faults and `more` (the update parser's, each at a column), in the file's column order, as one reason:
   * at most MAX_ROW_FAULTS of them, then how many more; null when there are none.
   */
  reason(more: readonly Fault[] = []): string | null {
    const all = [...this.faults, ...more].map((fault, i) => ({ ...fault, i }))
      .sort((a, b) => a.column - b.column || a.i - b.i);
    if (all.length === 0) return null;
    const shown = all.slice(0, MAX_ROW_FAULTS).map((fault) => fault.message).join('; ');
    const left = all.length - MAX_ROW_FAULTS;
    return left > 0 ? `${shown}; and ${left} more fault${left === 1 ? '' : 's'} in this row` : shown;
  }

  /**
   * The cell's trimmed text, or null when empty or faulted. A control character is this column's fault and never
   * dropped by a reader that keeps only letters (a status `cancel\u0081led` must not read as `cancelled`). A field
   * with several columns takes the one filled; two filled differently (compared as `sameAs` gives them) are a fault
   * naming both.
   */
  text(field: CsvField, sameAs: (value: string) => string = (value) => value): string | null {
    return this.pick<string>(field, (value) => ({ ok: true, value }), sameAs);
  }

  /** `fields` in the order the file has their columns, to name them as a reader of the file sees them. */
  inFileOrder<F extends CsvField>(fields: readonly F[]): F[] {
    return [...fields].sort((a, b) => (this.columns.index[a] ?? Infinity) - (this.columns.index[b] ?? Infinity));
  }

  /** Whether the file has a column for `field`. */
  has(field: CsvField): boolean {
    return this.columns.index[field] !== undefined;
  }

  /**
   * Why the file's column for `field` is not read, when its header names the field in a unit it does not take
   * (`column "Qty (CS)" counts "CS", not single items`), else ''. For a reason that says a column is missing.
   */
  unreadColumn(field: CsvField): string {
    const unread = this.columns.unread[field];
    if (!unread) return '';
    const what = field === 'quantity' ? 'single items (EA)' : 'a currency';
    return ` (column "${unread.header}" is not read: its unit "${unread.unit}" is not ${what})`;
  }

  /** The position of `field`'s first column, if the file has one. */
  position(field: CsvField): number | undefined {
    return this.columns.index[field];
  }

  /** The cell's trimmed text, or null when empty, unchecked: only to name and sort the row before it is read. */
  raw(field: CsvField): string | null {
    return this.filled(field)[0]?.value ?? null;
  }

  /**
   * The cell read by `reader` (a fault naming the column when it cannot), or null when empty or faulted; two
   * columns of the field agree when their values, or what `sameAs` makes of them, are equal.
   */
  read<T>(field: CsvField, reader: (text: string) => Read<T>, sameAs?: (value: T) => unknown): T | null {
    return this.pick(field, reader, sameAs);
  }

  /**
   * The field's value in this row: each filled column's text checked and interpreted; columns that read the same
   * (`1Z999AA10123456784` and `1z-999-aa1-01-2345-6784`, `2` and `2.0`) agree, others are a fault. Null when empty,
   * or when a cell is at fault (each such cell's fault recorded).
   */
  private pick<T>(field: CsvField, interpret: (value: string) => Read<T>, sameAs?: (value: T) => unknown): T | null {
    const filled = this.filled(field);
    if (filled.length === 0) return null;
    const read: { cell: (typeof filled)[number]; value: T; key: string }[] = [];
    for (const cell of filled) {
      const problem = this.cellProblem(field, cell.value);
      const result = problem === null ? interpret(cell.value) : null;
      if (problem !== null || !result!.ok) {
        this.fault(field, `column "${cell.header}": ${problem ?? (result as { problem: string }).problem}`, cell.index);
        continue;
      }
      read.push({ cell, value: result!.value, key: JSON.stringify(sameAs ? sameAs(result!.value) : result!.value) });
    }
    if (read.length < filled.length) return null;
    const [first] = read;
    const other = read.find((r) => r.key !== first.key);
    if (other) {
      const name = (cell: { header: string; index: number }) =>
        first.cell.header === other.cell.header ? `"${cell.header}" (column ${cell.index + 1})` : `"${cell.header}"`;
      this.fault(field, `columns ${name(first.cell)} and ${name(other.cell)} hold different values ` +
        `(${quoted(first.cell.value)} and ${quoted(other.cell.value)}): keep one of them`, first.cell.index);
      return null;
    }
    if (first.cell.index !== this.columns.index[field]) this.readUnder.set(field, { header: first.cell.header, index: first.cell.index });
    return first.value;
  }

  /**
   * What the one free-text rule, an Excel error value, and for identifiers a number a spreadsheet made of them
   * (scientific notation, zeros past 15 digits, `.0`), say of a cell; null when nothing.
   */
  private cellProblem(field: CsvField, value: string): string | null {
    // A tracking cell may hold two numbers on two lines: the tracking reader names that fault itself, as the API does.
    return textProblem(value, field === 'tracking_number' ? 'multiline' : 'line') ?? excelErrorProblem(value)
      ?? (IDENTIFIER_FIELDS.has(field) ? identifierAsNumberProblem(value) : null);
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

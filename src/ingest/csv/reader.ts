// CSV supplier documents (DESIGN 3, "CSV"), read with csv-parse as a stream: one header row, then one entry per
// data row, never the whole file as parsed rows. UTF-8 with or without a BOM; a file that is not valid UTF-8 is read
// a line at a time, as Windows-1252 (what Excel on Windows writes) where a line is not valid UTF-8 (ingest/text.ts);
// `,`, `;` or tab, whichever the header row uses, or the separator a first line `sep=;` declares (Excel's own
// convention, which it writes and reads).
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { csvSyntaxProblem } from './syntax-errors.ts';
import { notCsvProblem } from './file-kind.ts';
import { quoted, visible } from '../../domain/plain-text.ts';
import { documentDecoder, isUtf8Text, linesDecoded } from '../text.ts';
import { UnreadableDocumentError, type DocumentEntry } from '../types.ts';
import { isDateColumn, isHeaderName, mapColumns, PO_HEADER_EXAMPLES, type ColumnMap } from './columns.ts';
import { isSummaryRow, rowEntry, ShipmentGrouping, shipmentRow } from './rows.ts';
import { excelText } from './excel-cells.ts';
import { dayFirstDate, type DayFirstSign } from './values.ts';

export interface CsvOptions {
  /** `?supplier_name=`: the supplier of every row when the file has no supplier column. */
  supplierName?: string | null;
  /** SCAC → carrier code (the X12 reader's table), for a carrier column holding SCACs. */
  scacCarrier?: (scac: string) => string | null;
}

const CHUNK_BYTES = 64 * 1024;
const DELIMITERS = [',', ';', '\t'] as const;
const BOM = '\ufeff';

/**
 * The file's text in chunks: UTF-8 as is (csv-parse decodes it, keeping a character split between chunks whole);
 * else each line as UTF-8 when it is valid UTF-8 and as Windows-1252 when not (ingest/text.ts linesDecoded).
 */
function* textChunks(bytes: Uint8Array, utf8: boolean): Generator<string | Buffer> {
  if (!utf8) {
    yield* linesDecoded(bytes, CHUNK_BYTES);
    return;
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 0; offset < buffer.length; offset += CHUNK_BYTES) yield buffer.subarray(offset, offset + CHUNK_BYTES);
}

/** The separator the header row uses most (outside quotes); `,` when it has none. */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > counts.get(best)!) best = delimiter;
  return best;
}

/**
 * The separator a first line `sep=X` declares (Excel's convention: one character, `sep=;`, `sep=|`, `sep=` and a
 * tab), or null when the first line is no such declaration. Two forms other tools write back are read too: a
 * spreadsheet that does not know the convention reads the line as a row of cells `sep=` and ``, and saves it padded
 * to the header's width with copies of the same separator (`sep=;;;;`); one that read it as one cell saves it quoted
 * (`"sep=;"`, padded the same way). Any other text after the character (`sep=;,`, `sep=ab`) is no declaration.
 */
export function declaredSeparator(line: string): string | null {
  const match = /^(?:sep=([^\r\n"])\1*|"sep=([^\r\n"])\2*"\2*)$/i.exec(line);
  return match ? (match[1] ?? match[2]) : null;
}

/**
 * The bytes of a file Excel saved as "Unicode Text" (UTF-16, little-endian on Windows, with a byte-order mark and
 * tabs between cells), or any UTF-16 file with a BOM, as UTF-8 bytes, so the one reader below reads them; any
 * other file as it is. A UTF-16 file without a BOM is recognised by the zero byte beside each ASCII character of
 * its first line (every header is ASCII text: `PO`, `Tracking #`), which no UTF-8 or Windows-1252 text has. The
 * document keeps the bytes as received (GET …/content); only the reading is UTF-8.
 */
export function csvBytes(bytes: Uint8Array): Uint8Array {
  const encoding = utf16Encoding(bytes);
  if (encoding === null) return bytes;
  const text = new TextDecoder(encoding).decode(bytes); // drops the BOM
  return Buffer.from(text, 'utf8');
}

function utf16Encoding(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  // No BOM: the first (up to) 16 characters are ASCII, each beside a zero byte.
  const pairs = Math.min(16, Math.floor(bytes.length / 2));
  if (pairs < 2) return null;
  const ascii = (b: number) => b > 0 && b < 0x80;
  let le = true;
  let be = true;
  for (let i = 0; i < pairs; i++) {
    const [a, b] = [bytes[2 * i], bytes[2 * i + 1]];
    le &&= ascii(a) && b === 0;
    be &&= a === 0 && ascii(b);
  }
  return le ? 'utf-16le' : be ? 'utf-16be' : null;
}

/** The first `count` lines of the file (of its first 64 KiB; all of those without `count`), without a BOM. */
function firstLines(bytes: Uint8Array, utf8: boolean, count?: number): string[] {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, CHUNK_BYTES));
  const text = utf8 ? documentDecoder(true).decode(head) : [...linesDecoded(head)].join('');
  return text.replace(BOM, '').split(/\r?\n|\r/, count);
}

/**
 * Lines a portal's export may put before its header row: a title (`Shipment Confirmation Report`), the export's
 * date, a blank line. The header row is the first of these lines naming a PO-number column.
 */
const PREAMBLE_LINES = 10;

/** Whether `line`, split by `delimiter`, has a cell that names the PO-number column. */
function namesPoColumn(line: string, delimiter: string): boolean {
  try {
    const [cells] = parseSync(line, { delimiter, relax_quotes: true, relax_column_count: true }) as string[][];
    return cells !== undefined && mapColumns(cells).index.po_number !== undefined;
  } catch {
    // A line that opens a quote it does not close here (a multi-line cell) is no header row.
    return false;
  }
}

/**
 * When the header row read as one cell is split by a character other than `,` `;` or tab that then names a PO
 * column (`PO|Order #|Qty`, `PO:Qty`), how to send it: Excel's `sep=` line declares any separator. Else ''.
 */
function otherSeparatorHint(cells: readonly string[]): string {
  if (cells.length !== 1) return '';
  for (const separator of ['|', ':', '^', '~']) {
    if (cells[0].includes(separator) && mapColumns(cells[0].split(separator)).index.po_number !== undefined) {
      return ` Its cells look separated by "${separator}": separate them by ",", ";" or a tab, or declare the separator ` +
        `with a first line sep=${separator}.`;
    }
  }
  return '';
}

/** At most the first 20 of `items`, then how many more: a message stays short whatever the file holds. */
function listed(items: readonly string[]): string {
  const shown = items.slice(0, 20).join(', ');
  return items.length > 20 ? `${shown} and ${items.length - 20} more` : shown;
}

/**
 * How the file is split: its separator, and the line its header row is on: 1, or 2 after a `sep=` line, or the
 * first of the next PREAMBLE_LINES lines that names a PO-number column when the first does not (a title line
 * first); with no such line, the first (whose missing PO-number column is then the file's error). The separator is
 * the one the header row uses (a title line has none).
 */
interface Layout {
  delimiter: string;
  fromLine: number;
}

/**
 * The first of `lines` (from index `first`, before index `end`) naming a PO-number column, with the separator it is
 * split by (`declared`, else its own), or null. A line after one leaving a quote open is inside a cell (a header
 * cell written on two lines, `"Ship<LF>Date"`, or a title that is), never a header row of its own: only lines
 * starting outside quotes are tried.
 */
function poHeaderLine(lines: readonly string[], first: number, end: number, declared: string | null): Layout | null {
  let insideQuote = false;
  for (let i = first; i < Math.min(lines.length, end); i++) {
    const delimiter = declared ?? detectDelimiter(lines[i]);
    if (!insideQuote && namesPoColumn(lines[i], delimiter)) return { delimiter, fromLine: i + 1 };
    if ((lines[i].match(/"/g)?.length ?? 0) % 2 === 1) insideQuote = !insideQuote;
  }
  return null;
}

function layoutOf(bytes: Uint8Array, utf8: boolean): Layout {
  const lines = firstLines(bytes, utf8, PREAMBLE_LINES + 1);
  const declared = declaredSeparator(lines[0] ?? '');
  // The `sep=` line and any title lines are skipped, not read as a header; csv-parse still counts them, so every
  // row keeps the line number the file has it on.
  const first = declared === null ? 0 : 1;
  return poHeaderLine(lines, first, first + PREAMBLE_LINES, declared)
    ?? (declared === null ? { delimiter: detectDelimiter(lines[0] ?? ''), fromLine: 1 } : { delimiter: declared, fromLine: 2 });
}

/**
 * Why the file has no header row, for its error: none of the first PREAMBLE_LINES lines names a PO-number column;
 * when a later line (in the file's first 64 KiB) does, which, so the sender knows to remove the lines above it.
 * `cells` are those of the line read in its place (the pipeline puts that line's number before the message).
 */
function noHeaderProblem(bytes: Uint8Array, utf8: boolean, cells: readonly string[]): string {
  const lines = firstLines(bytes, utf8);
  const declared = declaredSeparator(lines[0] ?? '');
  const first = declared === null ? 0 : 1; // as layoutOf
  const later = poHeaderLine(lines, first + PREAMBLE_LINES, lines.length, declared);
  const hint = later === null ? otherSeparatorHint(cells)
    : ` Line ${later.fromLine} names one, but the header row must be one of the first ${PREAMBLE_LINES} lines: remove the lines above it.`;
  return `The CSV has no PO-number column: no header row in the first ${PREAMBLE_LINES} lines names one (looked for headers ` +
    `such as ${PO_HEADER_EXAMPLES.map((h) => `"${h}"`).join(', ')}; the line read as the header row has ` +
    `${listed(cells.map((h) => quoted(h.trim())))}).${hint}`;
}

function parser(bytes: Uint8Array, utf8: boolean, { delimiter, fromLine }: Layout) {
  return Readable.from(textChunks(bytes, utf8)).pipe(parse({
    delimiter, from_line: fromLine, bom: true, info: true, raw: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true,
    skip_records_with_empty_values: true,
    // Every line break ends a row, whichever the file's first line used: csv-parse otherwise takes the first line's
    // (CR LF) as the only one, and a file pasted together from exports of several systems (CR LF, LF, a Mac's CR)
    // had its LF rows glued into one record. CR LF first, so it is one break, not two.
    record_delimiter: ['\r\n', '\n', '\r'],
  }));
}

/**
 * The lines a record stands on, 1-based, from csv-parse's `info.lines` (the line the record ends on, counted from
 * the start of the file) and its raw text. csv-parse counts a CR LF inside a quoted field as two lines (a CR LF
 * between records as one), so in a CRLF file every multi-line cell would push the lines of every record after it
 * down by one per line break; this takes those back. One per file, fed each record in order.
 */
export function recordLines(): (raw: string, infoLines: number) => { first: number; last: number } {
  let overcount = 0;
  return (raw, infoLines) => {
    // The raw text of a record after blank lines (skipped) starts with them; they are not the record's lines.
    const inner = raw.replace(/(\r?\n|\r)$/, '').replace(/^(\r?\n|\r)+/, '');
    overcount += inner.split('\r\n').length - 1;
    const last = infoLines - overcount;
    return { first: last - (inner.match(/\r?\n|\r/g)?.length ?? 0), last };
  };
}

/** The first line after line `line` that is not blank (1-based), where the next record starts. Error path only. */
function firstLineAfter(bytes: Uint8Array, utf8: boolean, line: number): number {
  const chunks = [...textChunks(bytes, utf8)].map((c) => (typeof c === 'string' ? c : c.toString('utf8')));
  const lines = chunks.join('').split(/\r\n|\n|\r/);
  let next = line;
  while (next < lines.length - 1 && lines[next].trim() === '') next++;
  return next + 1;
}

/**
 * Whether `record` is a header row again, under rows of the file (several exports pasted one under the other, each
 * with its header row: Excel's way of joining reports): the header row's cells again, or a row naming a PO-number
 * column and another known column. Returns its columns, which the rows after it are read by (a later export may
 * order its columns differently), or null for a data row. A data row never names two of our columns.
 */
export function repeatedHeader(record: readonly string[], header: readonly string[], poIndex: number | undefined): ColumnMap | null {
  // Every row is asked, so first a cheap look: a header row again holds a header name where the PO number was, or
  // starts as the header row did; a data row holds a PO number there. Only then are all its cells reduced.
  const poCell = poIndex === undefined ? undefined : record[poIndex];
  if (!(poCell !== undefined && isHeaderName(poCell)) && (record[0] ?? '').trim() !== (header[0] ?? '').trim()) return null;
  const columns = mapColumns(record);
  if (columns.index.po_number === undefined) return null;
  const same = record.length === header.length && record.every((cell, i) => cell.trim() === header[i].trim());
  return same || Object.keys(columns.index).length >= 2 ? columns : null;
}

/**
 * What the whole file shows before any of its rows is read, gathered as checkSyntax reads it, so that no row's
 * reading depends on where in the file it stands:
 * - `dayFirst`: the first date written day first (`30/11/2026`, `30.11.2026`) in a date column, so that an ambiguous
 *   `03/04/2026` anywhere in the file, above it too, is refused rather than read month first (values.ts readDate).
 *   A date column not read (`Order Date`) shows its writer's date order as well as the ones read do; free text
 *   does not (a `Notes` cell `Rev 2.10.2024`, a title line above the header row): what it holds may be no date at
 *   all, and a date column's own cell says how that column is written (columns.ts isDateColumn);
 * - `itemisedShipments`: per PO number, the first row of a shipment that names its item, kept for the POs that
 *   also have a shipment row without one (csv/rows.ts: that row is then refused, whether it stands above or below);
 * - `splitShipments`: the shipments (csv/rows.ts shipmentKey) whose item rows stand apart, another shipment's row
 *   between them, so that csv/rows.ts ShipmentGrouping adds them up over the file while it keeps only the current
 *   parcel's quantities for the rest (the file-wide sums of every parcel would grow with the file).
 * The sets gathered while reading (every PO, every parcel) are dropped by `finish`.
 */
class FileSigns {
  dayFirst: DayFirstSign | null = null;
  itemisedShipments = new Map<string, string>();
  readonly splitShipments = new Set<string>();
  private wholeShipmentPos = new Set<string>();
  private seenShipments = new Set<string>();
  private lastShipment: string | null = null;
  /** The header row the cells are named by (the last one read: a repeated header row may reorder the columns). */
  private header: readonly string[] | null = null;
  private columns: ColumnMap = mapColumns([]);
  /** Indexes of the header's date columns. */
  private dateColumns: number[] = [];
  private first: { cells: readonly string[]; poIndex: number | undefined } | null = null;

  observe(record: readonly string[], source: string): void {
    if (this.first === null || repeatedHeader(record, this.first.cells, this.first.poIndex) !== null) {
      this.first ??= { cells: record, poIndex: mapColumns(record).index.po_number };
      this.header = record;
      this.columns = mapColumns(record);
      this.dateColumns = record.flatMap((cell, i) => (isDateColumn(cell) ? [i] : []));
      this.nextExport();
      return;
    }
    // A summary line ends an export's shipments, as a header row again does (reader loop below).
    if (isSummaryRow(record, this.columns)) {
      this.nextExport();
      return;
    }
    const shipment = shipmentRow(record, this.columns);
    if (shipment?.itemised) {
      if (!this.itemisedShipments.has(shipment.po)) this.itemisedShipments.set(shipment.po, source);
      if (shipment.key !== this.lastShipment && this.seenShipments.has(shipment.key)) this.splitShipments.add(shipment.key);
      this.seenShipments.add(shipment.key);
      this.lastShipment = shipment.key;
    } else if (shipment) {
      this.wholeShipmentPos.add(shipment.po);
    }
    if (this.dayFirst !== null) return;
    for (const i of this.dateColumns) {
      const text = dayFirstDate(excelText((record[i] ?? '').trim()));
      if (text !== null) {
        this.dayFirst = { source, column: `column "${this.header![i].trim()}"`, text };
        return;
      }
    }
  }

  /** The next export pasted under the rows: its parcels' rows are their own (ShipmentGrouping.reset). */
  private nextExport(): void {
    this.seenShipments = new Set();
    this.lastShipment = null;
  }

  /** The file is read: only what the rows will be read by is kept. */
  finish(): this {
    this.itemisedShipments = new Map([...this.itemisedShipments].filter(([po]) => this.wholeShipmentPos.has(po)));
    this.wholeShipmentPos = new Set();
    this.nextExport();
    return this;
  }
}

/**
 * Reads the whole file once for its CSV syntax, holding nothing but FileSigns: a file that breaks somewhere (an
 * unclosed quote) is unreadable as a whole, as an X12 file with a broken envelope is, and none of its rows is
 * applied. Throws UnreadableDocumentError naming the line where the broken record starts.
 */
async function checkSyntax(bytes: Uint8Array, utf8: boolean, layout: Layout): Promise<FileSigns> {
  const records = parser(bytes, utf8, layout);
  const linesOf = recordLines();
  const signs = new FileSigns();
  let lastEnd = layout.fromLine - 1; // a `sep=` line is no record's, but it is a line
  try {
    // 'data' events come in order before 'error': the line the last whole record ended on is known when it breaks.
    await new Promise<void>((resolve, reject) => {
      records.on('data', ({ record, info, raw }: { record: string[]; info: { lines: number }; raw: string }) => {
        const { first, last } = linesOf(raw, info.lines);
        lastEnd = last;
        signs.observe(record, first === last ? `row ${first}` : `rows ${first}–${last}`);
      });
      records.once('end', resolve);
      records.once('error', reject);
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const row = firstLineAfter(bytes, utf8, lastEnd);
    // No "cannot be read" here: who shows the error says that once (the API's 422 `The document cannot be read: …`,
    // the inbox's and `ordersync ingest`'s `failed: …`), as for X12's envelope errors.
    throw new UnreadableDocumentError(`${csvSyntaxProblem(error, row)}; no row of the file was applied.`, row, null);
  } finally {
    records.destroy();
  }
  return signs.finish();
}

/**
 * The entries of a CSV file, one per data row, in file order. Throws UnreadableDocumentError before the first
 * entry when the file has no header row, no PO-number column, or broken CSV syntax anywhere (an unclosed quote),
 * naming the line.
 */
export async function* readCsv(received: Uint8Array, options: CsvOptions = {}): AsyncGenerator<DocumentEntry> {
  const bytes = csvBytes(received);
  const utf8 = isUtf8Text(bytes);
  const otherKind = notCsvProblem(bytes, firstLines(bytes, utf8, 1)[0] ?? '');
  if (otherKind !== null) throw new UnreadableDocumentError(otherKind, null, null);
  const layout = layoutOf(bytes, utf8);
  const signs = await checkSyntax(bytes, utf8, layout);
  const records = parser(bytes, utf8, layout);
  const context = {
    columns: mapColumns([]), supplierName: options.supplierName ?? null, scacCarrier: options.scacCarrier ?? (() => null),
    dayFirst: signs.dayFirst, itemisedShipments: signs.itemisedShipments,
  };
  const grouping = new ShipmentGrouping(signs.splitShipments);
  let header = false;
  let headerCells: readonly string[] = [];
  let headerColumns = 0;
  const linesOf = recordLines();
  try {
    for await (const { record, info, raw } of records as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
      // A quoted field can span lines: the record's first and last.
      const { first: line, last } = linesOf(raw, info.lines);
      if (!header) {
        header = true;
        context.columns = mapColumns(record);
        headerCells = record;
        headerColumns = record.length;
        if (context.columns.index.po_number === undefined) {
          // An X12 file sent as CSV (a wrong Content-Type or ?format=): say what it looks like.
          const looksX12 = /^\s*ISA\W/.test(record[0] ?? '')
            ? ' It starts with ISA: it looks like X12; send it as application/edi-x12 or with ?format=x12.' : '';
          throw new UnreadableDocumentError(`${noHeaderProblem(bytes, utf8, record)}${looksX12}`, line, null);
        }
        continue;
      }
      // A header row again (exports pasted one under another): no update; its columns read the rows after it.
      const again = repeatedHeader(record, headerCells, context.columns.index.po_number);
      if (again !== null) {
        context.columns = again;
        headerColumns = record.length;
        grouping.reset();
        continue;
      }
      // A portal's "Total" line under the rows (`Total,,,12`) sums them: no update, and the end of any shipment.
      if (isSummaryRow(record, context.columns)) {
        grouping.reset();
        continue;
      }
      // Only the last record's raw text lacks a line break at its end.
      const cutOff = record.length < headerColumns && !/(\r?\n|\r)$/.test(raw);
      yield rowEntry(record, { first: line, last }, context, grouping, { headerColumns, delimiter: layout.delimiter, cutOff });
    }
  } catch (error) {
    if (error instanceof CsvError) {
      // checkSyntax read the same bytes the same way first: csv-parse failing only now is not expected, but is said in our words.
      const where = (error as CsvError & { lines?: number }).lines ?? null;
      throw new UnreadableDocumentError(`${csvSyntaxProblem(error, where)}.`, where, null);
    }
    throw error;
  } finally {
    records.destroy();
  }
  if (!header) throw new UnreadableDocumentError('The CSV is empty: it has no header row.', null, null);
}

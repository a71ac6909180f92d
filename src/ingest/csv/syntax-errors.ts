// csv-parse's errors in our words (DESIGN 3: an unreadable file is said "with line and column where known"; fresh-user
// report item 3). csv-parse (7.x) words its errors for programmers ("Quote Not Closed: the parsing is finished with an
// opening quote at line 3"); a supplier or an operator reads ours, and no library wording reaches them: each code we
// know gets a sentence, any other (a later csv-parse's) a generic one of ours, always with the row.
import type { CsvError } from 'csv-parse';

/** What csv-parse puts on its errors beside `code` (CsvError copies its context onto itself). */
interface CsvErrorContext {
  /** The line csv-parse had reached (1-based, counted from the file's start). */
  lines?: number;
  /** The field (0-based) it was in, when the error is about one field. */
  column?: number | string | null;
  /** How many fields the record had (record-length errors). */
  index?: number;
}

/** The character csv-parse names in an invalid-closing-quote error, read from its message (never shown as such). */
const gotCharacter = (message: string): string | null => /got "(.)"/s.exec(message)?.[1] ?? null;

/** A character as a person reads it in a message: `"x"`, or its name when it would not show. */
function shown(char: string | null): string {
  if (char === null) return 'another character';
  if (char === ' ') return 'a space';
  if (char === '\t') return 'a tab';
  if (/[\x00-\x1f\x7f]/.test(char)) return `the control character U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${char}"`;
}

/**
 * The problem of a CSV file csv-parse could not split, in our words, naming `row` (the line the broken record starts
 * on, 1-based: our rows are named by their lines) and the field when csv-parse knows it. Never csv-parse's wording.
 */
export function csvSyntaxProblem(error: CsvError, row: number | null): string {
  const context = error as CsvError & CsvErrorContext;
  const where = row === null ? 'the file' : `row ${row}`;
  const field = typeof context.column === 'number' ? context.column + 1 : null;
  const inField = field === null ? '' : ` (field ${field})`;
  const reached = typeof context.lines === 'number' ? context.lines : null;
  // As a string: a later csv-parse may add codes its types do not list yet (they get the default).
  switch (error.code as string) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `${where}: a quoted field${inField} is never closed (opening quote at line ${row ?? reached ?? '?'}): the file ends inside it; ` +
        'close the quote, or double a quote meant as part of the value ("")';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `${where}: a quoted field${inField} is closed by a quote followed by ${shown(gotCharacter(error.message))}` +
        `${reached === null ? '' : ` on line ${reached}`}, where only a separator or the end of the line may follow; ` +
        'a quote inside a quoted value is written twice ("")';
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `${where}: a quoted field${inField} has text after its closing quote${reached === null ? '' : ` on line ${reached}`}; ` +
        'only a separator or the end of the line may follow it';
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS': {
      const counts = /expect (\d+), got (\d+)/.exec(error.message);
      return `${where}: ${counts ? `has ${counts[2]} fields where the header row has ${counts[1]}` : 'has another number of fields than the header row'}`;
    }
    case 'CSV_MAX_RECORD_SIZE':
      return `${where}: the record is too long to be one row (a quote left open may have swallowed the rows after it)`;
    case 'CSV_INVALID_OPTION_BOM':
    case 'CSV_INVALID_OPTION_DELIMITER':
    case 'CSV_INVALID_OPTION_RECORD_DELIMITER':
    case 'CSV_INVALID_OPTION_ENCODING':
      return `${where}: the file's separator or encoding cannot be used to split it into fields`;
    default:
      return `${where}: the CSV cannot be split into fields here${reached !== null && reached !== row ? ` (at line ${reached})` : ''}`;
  }
}

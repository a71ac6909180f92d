// csv-parse's errors in our words (fresh-user report item 3): each code csv-parse 7 raises while splitting a file is
// said as ours, naming the row (and the field where csv-parse knows it); none of its own wording gets through, and a
// code we do not know gets a generic sentence of ours with the row. The errors are real ones, raised by csv-parse on
// files that break each of its rules (with the options that make it strict about them), plus one code it may add.
import { CsvError } from 'csv-parse';
import { parse, type Options } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvSyntaxProblem } from '../../src/ingest/csv/syntax-errors.ts';
import { readCsv } from '../../src/ingest/csv/reader.ts';
import { UnreadableDocumentError } from '../../src/ingest/types.ts';

function csvErrorOf(text: string, options: Options): CsvError {
  try {
    parse(text, options);
  } catch (error) {
    if (error instanceof CsvError) return error;
    throw error;
  }
  throw new Error('csv-parse read the file');
}

/** Words of csv-parse's own messages that must never reach a person. */
const LIBRARY_WORDS = /Quote Not Closed|Invalid Closing Quote|Invalid Record Length|Max Record Size|parsing is finished|instead of delimiter|trimable|expect \d+, got \d+|on line \d+$/i;

describe('each csv-parse error code, in our words', () => {
  // code, file, csv-parse options, the row the broken record starts on (as readCsv finds it), what we say.
  const cases: [string, string, Options, number, RegExp][] = [
    ['CSV_QUOTE_NOT_CLOSED', 'PO #,Qty\nPO-1,1\nPO-2,"2\n', {}, 3,
      /^row 3: a quoted field \(field 2\) is never closed \(opening quote at line 3\): the file ends inside it/],
    ['CSV_INVALID_CLOSING_QUOTE', 'PO #,Qty\nPO-1,"1"x\n', { relax_quotes: false }, 2,
      /^row 2: a quoted field \(field 2\) is closed by a quote followed by "x" on line 2, where only a separator or the end of the line may follow/],
    ['CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE', 'PO #,Qty\nPO-1,"1" x\n', { rtrim: true }, 2,
      /^row 2: a quoted field \(field 2\) has text after its closing quote on line 2; only a separator or the end of the line may follow it$/],
    ['CSV_RECORD_INCONSISTENT_FIELDS_LENGTH', 'PO #,Qty\nPO-1,1,extra\n', {}, 2, /^row 2: has 3 fields where the header row has 2$/],
    ['CSV_MAX_RECORD_SIZE', 'PO #,Qty\nPO-1,"1234567890123456789012345678901234567890"\n', { max_record_size: 20 }, 2,
      /^row 2: the record is too long to be one row/],
  ];
  for (const [code, text, options, row, said] of cases) {
    it(`${code}`, () => {
      const error = csvErrorOf(text, options);
      expect(error.code).toBe(code);
      const problem = csvSyntaxProblem(error, row);
      expect(problem).toMatch(said);
      expect(problem).not.toMatch(LIBRARY_WORDS);
      expect(problem).not.toContain(error.message);
    });
  }

  it('a code csv-parse may add later: a generic sentence of ours with the row, none of its words', () => {
    const error = new CsvError('CSV_SOMETHING_NEW' as never, ['Something New:', 'the parser gave up at line 7'], {} as never, { lines: 7 });
    expect(csvSyntaxProblem(error, 5)).toBe('row 5: the CSV cannot be split into fields here (at line 7)');
    expect(csvSyntaxProblem(error, 7)).toBe('row 7: the CSV cannot be split into fields here');
  });
});

describe('the reader says it in our words', () => {
  it('an unclosed quote: the row, the field and the line, no library wording, nothing read', async () => {
    const read = async (text: string) => {
      try {
        for await (const _ of readCsv(Buffer.from(text))) { /* a broken file yields nothing */ }
      } catch (error) {
        if (error instanceof UnreadableDocumentError) return error;
        throw error;
      }
      throw new Error('read');
    };
    const error = await read('PO #,Tracking #,Qty\nPO-1,1Z999AA10123456784,1\nPO-2,"1Z999AA10123456784,1\n');
    expect(error.message).toBe('row 3: a quoted field (field 2) is never closed (opening quote at line 3): the file ' +
      'ends inside it; close the quote, or double a quote meant as part of the value (""); no row of the file was applied.');
    expect([error.line, error.column]).toEqual([3, null]);
    expect(error.message).not.toMatch(LIBRARY_WORDS);
  });
});

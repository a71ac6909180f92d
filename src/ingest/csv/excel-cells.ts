// Identifier cells as spreadsheets leave them (DESIGN 3, "CSV"): Excel's text formula `="0001234"`, and the numbers a
// spreadsheet or script made of identifiers (scientific notation, zeros past 15 digits, a `.0` fraction), whose digits
// are lost or changed. Each is read back or refused here, before a field's reader sees the cell.
import { quoted } from '../../domain/plain-text.ts';

/**
 * A cell Excel was made to keep as text: `="0001234"` (how portals export numbers with leading zeros, PO numbers,
 * UPCs and tracking numbers, so a spreadsheet does not turn them into 1234 or 1.23E+17) → `0001234`; a `""`
 * inside is one `"`. Any other cell is returned as it is.
 */
export function excelText(cell: string): string {
  const match = /^="((?:[^"]|"")*)"$/.exec(cell);
  return match ? match[1].replace(/""/g, '"') : cell;
}

/** What to do about an identifier a spreadsheet or script kept as a number: the fix every such reason ends with. */
const KEEP_AS_TEXT = 'format the column as text in the spreadsheet (or export the cell as ="…") and send the file again';

/**
 * Why an identifier cell (a PO, tracking, invoice or order number, a SKU) is one a spreadsheet or script held as a
 * number and wrote back as such, or null. Each form loses or changes digits, so no reading of it is surely the
 * identifier the supplier meant; refused naming the column, with the fix:
 * - scientific notation, as Excel shows a long number (`1.23457E+17`, `4.5E+11`): digits past the first few gone;
 * - more than 15 digits ending in zeros from the 16th on (`9400111899223190000000`): Excel keeps 15 significant
 *   digits of a number and writes zeros for the rest (a real 22-digit USPS number has them by a 1-in-10-million chance);
 * - a whole number with a decimal fraction of zeros (`789012345678.0`, `12345.00`), as pandas writes a float column
 *   and a spreadsheet a cell formatted with decimals: the dot is no formatting to drop (a FedEx number would become
 *   `7890123456780`, another parcel's), and leading zeros are already gone.
 */
export function identifierAsNumberProblem(text: string): string | null {
  if (/^\d+(?:[.,]\d+)?[eE]\+\d+$/.test(text)) {
    return `${quoted(text)} is a number in scientific notation, as Excel shows a long number: its digits are lost; ${KEEP_AS_TEXT}`;
  }
  if (/^\d{15}0+$/.test(text) && text.length > 15) {
    return `${quoted(text)} has only zeros past its 15th digit, as Excel saves a long number it holds as a number (it keeps 15 ` +
      `digits): the rest are lost; ${KEEP_AS_TEXT}`;
  }
  if (/^\d+[.,]0+$/.test(text)) {
    return `${quoted(text)} is written as a number with decimals, as a spreadsheet or script writes an identifier it read as a ` +
      `number (leading zeros and long numbers' last digits are lost that way); ${KEEP_AS_TEXT}`;
  }
  return null;
}

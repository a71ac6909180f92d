// The text of a supplier document's bytes, one rule for every format: UTF-8 when the bytes are valid UTF-8 (a BOM
// is left for the reader), else Windows-1252, what Excel on Windows and older EDI translators write; a CSV that is
// not valid UTF-8 as a whole is decoded so a line at a time (linesDecoded: exports of two systems pasted together). Windows-1252 is
// decoded as the WHATWG Encoding Standard says (TextDecoder): the five bytes it leaves undefined (0x81, 0x8D, 0x8F,
// 0x90, 0x9D) become the C1 control characters of the same number, which the free-text rule (domain/plain-text.ts)
// refuses, naming the field, instead of a U+FFFD that would make two different identifiers equal.
import { isUtf8 } from 'node:buffer';

/** Whether `bytes` are read as UTF-8 (else as Windows-1252). */
export function isUtf8Text(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

/** A decoder for the document's encoding: `decode(chunk, { stream: true })` keeps a character split between chunks. */
export function documentDecoder(utf8: boolean): TextDecoder {
  return new TextDecoder(utf8 ? 'utf-8' : 'windows-1252');
}

/** The whole text of a document's bytes (UTF-8, else Windows-1252). */
export function documentText(bytes: Uint8Array): string {
  return documentDecoder(isUtf8Text(bytes)).decode(bytes);
}

/**
 * The text of a file that is not valid UTF-8 as a whole, decoded a line at a time (a line ends at each LF byte,
 * which no multi-byte UTF-8 character holds): each line that is valid UTF-8 as UTF-8, any other as Windows-1252.
 * A CSV pasted together from two systems' exports (an ERP's Windows-1252, a portal's UTF-8; `cat a.csv b.csv`) has
 * both; decoding all of it as Windows-1252 turned every UTF-8 `é` into `Ã©`, stored silently. Yields the text in
 * pieces of about `chunkBytes`, each ending at a line's end (or the file's).
 */
export function* linesDecoded(bytes: Uint8Array, chunkBytes = 64 * 1024): Generator<string> {
  const utf8 = new TextDecoder('utf-8');
  const windows1252 = documentDecoder(false);
  let piece = '';
  let pieceBytes = 0;
  for (let start = 0; start < bytes.length;) {
    const lf = bytes.indexOf(0x0a, start);
    const end = lf === -1 ? bytes.length : lf + 1;
    const line = bytes.subarray(start, end);
    piece += (isUtf8(line) ? utf8 : windows1252).decode(line);
    pieceBytes += line.length;
    start = end;
    if (pieceBytes >= chunkBytes) {
      yield piece;
      piece = '';
      pieceBytes = 0;
    }
  }
  if (piece !== '') yield piece;
}

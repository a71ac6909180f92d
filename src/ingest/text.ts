// The text of a supplier document's bytes, one rule for every format: UTF-8 when the bytes are valid UTF-8 (a BOM
// is left for the reader), else Windows-1252, what Excel on Windows and older EDI translators write. Windows-1252 is
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

// Files sent as CSV that are no text at all or another document kind: what suppliers attach to an email and an
// operator drops into the inbox as it came (an Excel workbook, a PDF, a portal's "Excel" export that is an HTML
// table, a compressed file or an archive). Told by their first bytes (each format's signature), so the error says
// what the file is and how to get a CSV from it, instead of quoting its bytes as a header row that names no PO column.

/** The kinds, by the bytes their files start with, and how to turn each into a CSV. */
const KINDS: { test: (head: Buffer, text: string) => boolean; what: string; fix: string }[] = [
  {
    // ZIP (PK\x03\x04): .xlsx, and OpenDocument .ods and Apple Numbers, which are ZIP archives too.
    test: (head) => head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])),
    what: 'a ZIP archive: an Excel workbook (.xlsx) or another spreadsheet (.ods, .numbers)',
    fix: 'open it and save it as "CSV UTF-8 (Comma delimited) (*.csv)", then send that file',
  },
  {
    // OLE2 compound file (D0 CF 11 E0 A1 B1 1A E1): Excel 97-2003 .xls.
    test: (head) => head.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])),
    what: 'an Excel 97-2003 workbook (.xls)',
    fix: 'open it and save it as "CSV UTF-8 (Comma delimited) (*.csv)", then send that file',
  },
  {
    // gzip (1F 8B): SFTP feeds and scripts often compress exports (`shipments.csv.gz`).
    test: (head) => head[0] === 0x1f && head[1] === 0x8b,
    what: 'gzip-compressed (.gz)',
    fix: 'decompress it and send the file inside (POST /api/v2/supplier_documents also takes it compressed, with the header ' +
      'Content-Encoding: gzip)',
  },
  {
    // 7-Zip (37 7A BC AF 27 1C) and RAR ("Rar!" 1A 07): archives of files attached to an email.
    test: (head) => head.subarray(0, 6).equals(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) ||
      head.subarray(0, 6).equals(Buffer.from('Rar!', 'latin1')),
    what: 'a 7-Zip or RAR archive',
    fix: 'extract it and send each file inside',
  },
  {
    test: (head) => head.subarray(0, 5).toString('latin1') === '%PDF-',
    what: 'a PDF document',
    fix: 'ask the supplier for the same data as a CSV export (or X12 EDI)',
  },
  {
    // Portals' "Export to Excel" often writes an HTML table (or Excel 2003's XML Spreadsheet) under a .xls name.
    test: (_head, text) => /^(?:<!doctype html|<html|<table|<\?xml[^>]*>\s*(?:<\?mso-application[^>]*>\s*)?<workbook)/i.test(text),
    what: 'an HTML or XML page (what some portals\' "Export to Excel" writes)',
    fix: 'open it in Excel and save it as "CSV UTF-8 (Comma delimited) (*.csv)", or choose the portal\'s CSV export',
  },
];

/**
 * Why `bytes` are no CSV but another kind of file (`The file is a PDF document, not CSV: …`), or null. `text` is the
 * file's start as the CSV reader decodes it (no BOM), for the kinds told by text.
 */
export function notCsvProblem(bytes: Uint8Array, text: string): string | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 16));
  const start = text.replace(/^\ufeff/, '').trimStart().slice(0, 200);
  const kind = KINDS.find((k) => k.test(head, start));
  return kind ? `The file is ${kind.what}, not CSV: ${kind.fix}.` : null;
}

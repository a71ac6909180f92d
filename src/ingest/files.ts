// Supplier documents arriving as files (the inbox folder and `ordersync ingest`): their format, and what became
// of each.
import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, stat } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { byteLimit } from '../domain/byte-size.ts';
import { visible, withoutFullStop } from '../domain/plain-text.ts';
import type { DocumentRow } from '../store/supplier-documents.ts';

const X12_EXTENSIONS = new Set(['.edi', '.x12', '.855', '.856', '.810', '.997']);

/**
 * X12 when the bytes start with `ISA` (after white space or a BOM) or the name ends in an EDI extension
 * (`.edi`, `.x12`, `.855`, `.856`, `.810`), else CSV.
 */
export function formatOfFile(file: string, bytes: Uint8Array): 'x12' | 'csv' {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1').replace(/^(\xef\xbb\xbf)?\s*/, '');
  if (head.startsWith('ISA')) return 'x12';
  return X12_EXTENSIONS.has(extname(file).toLowerCase()) ? 'x12' : 'csv';
}

export interface FileOutcome {
  file: string;
  /** processing: another process is applying the same bytes; the file stays. */
  status: 'processed' | 'failed' | 'processing';
  document: DocumentRow | null;
  error: string | null;
  /** Where the file was moved (processed/ or failed/), or null when it stayed. */
  movedTo: string | null;
  /** The same bytes were received before (`document` is that first document; nothing was applied again). */
  repeated?: boolean;
  /**
   * Why the file was not moved though handled: processed/ or failed/ is no real folder (a symbolic link, a file).
   * The file stays where it is; the inbox logs this as an error naming the folder.
   */
  stuck?: string;
  /** The inbox: the file grew after it was read (still being written); it stays, and is read again once whole. */
  grew?: boolean;
}

/**
 * `file.csv: processed (sdoc_…; applied 3, unchanged 0, unmatched 1, rejected 0)` — the CLI's line per file. When the
 * same bytes were received before (`repeated`), the line says so: the counts are that first document's, and nothing
 * was applied again. Control characters (from the file's name or the file) are shown escaped (`\x1b`).
 */
export function summaryLine(file: string, document: DocumentRow | null, error: string | null, options: { repeated?: boolean } = {}): string {
  return visible(summaryText(file, document, error, options));
}

/** The summary line's words; summaryLine escapes whatever in them came from a file name or a file (a terminal's escapes). */
function summaryText(file: string, document: DocumentRow | null, error: string | null, options: { repeated?: boolean }): string {
  if (!document) return `${file}: failed: ${error}`;
  const counts = `applied ${document.applied}, unchanged ${document.unchanged}, unmatched ${document.unmatched}, rejected ${document.rejected}`;
  // The error is a sentence, but here more of the line follows it ("… (sdoc_…", "…; its counts"): its full stop goes.
  const status = document.status === 'failed' ? `failed: ${withoutFullStop(document.error ?? '')}` : document.status;
  if (options.repeated) return `${file}: already received as ${document.id} (${status}; its counts: ${counts}); nothing applied again`;
  return `${file}: ${status} (${document.id}; ${counts})`;
}

/**
 * Why an empty file is not ingested, after its name, or null when it has something to read. Empty is 0 bytes, or
 * nothing but white space (space, tab, line breaks) and a byte-order mark (UTF-8's, or UTF-16's with white space
 * in UTF-16, as Excel's "Unicode Text" saves an empty sheet): no X12 segment and no CSV header
 * row, whatever the format. One rule for every way in (README, "Feeding supplier data"): an empty file sent nothing,
 * so nothing is stored (DESIGN 3 keeps what a supplier sent; there is nothing to keep) and the sender hears of it:
 * POST /api/v2/supplier_documents answers 400 naming `body` (`advice`: "send the file's bytes"); the inbox moves the
 * file to failed/ with this in its .error.txt (a zero-byte upload is a transfer that failed, or a file still being
 * written under its final name: its sender sends it again); `ordersync ingest` prints it and exits 1.
 */
export function emptyFileProblem(bytes: Uint8Array, advice = 'send the file again whole'): string | null {
  const utf16 = utf16Order(bytes);
  const bom = utf16 !== null ? 2 : bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (utf16 !== null) {
    // Excel's "Unicode Text" of an empty sheet: a UTF-16 byte-order mark and line breaks, two bytes each.
    if ((bytes.length - bom) % 2 !== 0) return null;
    for (let i = bom; i < bytes.length; i += 2) {
      const [high, low] = utf16 === 'le' ? [bytes[i + 1], bytes[i]] : [bytes[i], bytes[i + 1]];
      if (high !== 0 || !WHITE_SPACE_BYTES.has(low)) return null;
    }
  } else {
    for (let i = bom; i < bytes.length; i++) if (!WHITE_SPACE_BYTES.has(bytes[i])) return null;
  }
  const size = `${bytes.length} byte${bytes.length === 1 ? '' : 's'}`;
  const what = bytes.length === 0 ? '0 bytes'
    : bom === 0 ? `${size}, only white space` : bom === bytes.length ? `${size}, only a byte-order mark`
      : `${size}, only a byte-order mark and white space`;
  return bytes.length === 0
    ? `is empty (0 bytes): nothing was sent, so no document was stored; ${advice}`
    : `is empty (${what}): nothing to read was sent, so no document was stored; ${advice}`;
}

/** The byte order a UTF-16 byte-order mark at the start of `bytes` names, or null when there is none. */
function utf16Order(bytes: Uint8Array): 'le' | 'be' | null {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'le';
  return bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff ? 'be' : null;
}

/** Tab, line feed, vertical tab, form feed, carriage return, space. */
const WHITE_SPACE_BYTES = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);

export type FileRead = { ok: true; bytes: Buffer } | { ok: false; reason: string };

export interface ReadFileOptions {
  /**
   * false (the inbox): a symbolic link is refused, never followed (O_NOFOLLOW): whoever can write to the inbox could
   * otherwise have the service read, store and serve any file it can read. true (`ordersync ingest FILE`): the
   * operator named the file, so a link to it is read like the file.
   */
  followSymlinks: boolean;
  /**
   * true (the inbox): a file with more than one hard link is refused. A hard link is a second name for a file that
   * may live anywhere on the same file system, and nothing in the file tells the inbox's name from the other; an
   * upload (SFTP, a VAN client) creates a file with one name. Links to files the writer could not read are already
   * refused by Linux's fs.protected_hardlinks; this also keeps out the ones it could.
   */
  singleLink: boolean;
  /**
   * The inbox: the real path (no links) of the folder the file must be in. Where the system tells the path of an
   * open descriptor (Linux's /proc/self/fd), the opened file's is compared with it, so a retailer folder swapped for
   * a link between the inbox's look at it and the open is caught too (O_NOFOLLOW guards the last name only).
   */
  within?: string;
  /**
   * DOCUMENT_MAX_BYTES: the largest file read, as POST /api/v2/supplier_documents and the console's upload take no
   * larger. Checked on the open descriptor before reading, so a file dropped by mistake (a 3 GB log, a backup) is
   * refused unread instead of held whole in memory and stored as a document.
   */
  maxBytes: number;
}

/** Why `info` is not a file the readers may open, in words, or null when it is a regular file. */
function notRegular(info: Stats): string | null {
  if (info.isFile()) return null;
  if (info.isSymbolicLink()) return 'is a symbolic link: the inbox reads files only, never what a link points to';
  if (info.isDirectory()) return 'is a directory (name the files in it, for example DIR/*)';
  if (info.isFIFO()) return 'is not a regular file but a named pipe';
  if (info.isSocket()) return 'is not a regular file but a socket';
  return 'is not a regular file but a device';
}

/** Why a file could not be opened, in words (the errno code alone means little to an operator). */
export function unreadableFile(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT': return 'no such file';
    case 'ELOOP': return 'is a symbolic link: the inbox reads files only, never what a link points to';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENXIO': return 'is not a regular file but a socket';
    default: return visible(error.message, 200);
  }
}

/**
 * The bytes of the regular file at `path`, or why it is refused (see ReadFileOptions). The file is opened once,
 * without blocking (a named pipe must not hold up the reader) and, for the inbox, without following a link; what is
 * read is checked on the open descriptor (fstat), so nothing swapped in between a check and the open is read: a
 * path whose file changed between the first look (lstat, which keeps a device from even being opened) and the
 * open is refused too.
 */
export async function readRegularFile(path: string, options: ReadFileOptions): Promise<FileRead> {
  let before: Stats;
  try {
    before = options.followSymlinks ? await stat(path) : await lstat(path);
  } catch (error) {
    return { ok: false, reason: unreadableFile(error as NodeJS.ErrnoException) };
  }
  const refused = notRegular(before);
  if (refused) return { ok: false, reason: refused };
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | (options.followSymlinks ? 0 : constants.O_NOFOLLOW));
  } catch (error) {
    return { ok: false, reason: unreadableFile(error as NodeJS.ErrnoException) };
  }
  try {
    const info = await handle.stat();
    const changed = notRegular(info) ?? (info.ino !== before.ino || info.dev !== before.dev ? 'was replaced while being opened' : null);
    if (changed) return { ok: false, reason: changed };
    if (options.within !== undefined) {
      const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
      if (opened !== null && dirname(opened) !== options.within) {
        return { ok: false, reason: `is not in the retailer's folder but in ${visible(dirname(opened), 200)} (reached through a symbolic link)` };
      }
    }
    if (info.size > options.maxBytes) {
      return { ok: false, reason: `is ${byteLimit(info.size)}, larger than a supplier document ` +
        `may be: DOCUMENT_MAX_BYTES is ${byteLimit(options.maxBytes)}, as for the API; split it into smaller files` };
    }
    if (options.singleLink && info.nlink > 1) {
      return { ok: false, reason: `has ${info.nlink} hard links: the inbox reads only files whose one name is in the inbox ` +
        '(upload the file itself, not a link to one elsewhere)' };
    }
    return { ok: true, bytes: await handle.readFile() };
  } finally {
    await handle.close();
  }
}

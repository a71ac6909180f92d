// The inbox folder (DESIGN 3, "Inbox folder"): INBOX_DIR holds a subfolder per retailer name, where an SFTP server
// or a VAN client drops supplier files. Each file is ingested once its size has stopped changing (chokidar's
// awaitWriteFinish), then moved to `processed/` or `failed/` beside it; files are never deleted. Files already
// there when the watch starts are ingested too, so a file whose apply a crash cut off is completed on restart.
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, rename } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { DEFAULT_DOCUMENT_MAX_BYTES } from '../config.ts';
import type { Db } from '../db/database.ts';
import { findRetailerByName } from '../store/retailers.ts';
import { ingestDocument } from './pipeline.ts';
import { quoted, visible } from '../domain/plain-text.ts';
import { emptyFileProblem, formatOfFile, readRegularFile, type FileOutcome } from './files.ts';

export const PROCESSED_DIR = 'processed';
export const FAILED_DIR = 'failed';

/**
 * Names of files still being uploaded: SFTP clients and servers (WinSCP `.filepart`, FileZilla and others `.part`,
 * `.partial`, `.tmp`), browsers (`.crdownload`) and Office (`~$…`) write under such a name and rename the file when it
 * is whole. Dot-files are skipped as well. Such a file is read when it appears under its final name.
 */
export function isTemporaryName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('~$') || /\.(filepart|part|partial|tmp|temp|crdownload|download|upload)$/i.test(name);
}

export interface InboxLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface InboxOptions {
  db: Db;
  /** INBOX_DIR (created when missing). */
  dir: string;
  log: InboxLog;
  /** HELD_UPDATE_LIMIT (default 100,000), as for POST /api/v2/supplier_updates. */
  heldLimit?: number;
  /** DOCUMENT_MAX_BYTES (default 50 MB), as for POST /api/v2/supplier_documents: a larger file goes to failed/ unread. */
  maxBytes?: number;
  /** How long a file's size must stay the same before it is read, in ms (default 2000). */
  stableMs?: number;
  /** Called after each file is handled (tests and the CLI wait on it). */
  onFile?: (outcome: FileOutcome) => void;
}

export interface Inbox {
  /** Resolves when the initial scan is done and every file seen so far is handled. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `<dir>/<name>` or `<dir>/<name>-2`, … : a free name, so a moved file never replaces another; with `note`, the
 * name of its `.error.txt` beside it is free too.
 */
async function freePath(dir: string, name: string, note: boolean): Promise<string> {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const taken = (path: string) => lstat(path).then(() => true, () => false); // a dangling symbolic link is a name taken too
  for (let n = 1; ; n++) {
    const candidate = join(dir, n === 1 ? name : `${stem}-${n}${ext}`);
    if (!(await taken(candidate)) && !(note && (await taken(`${candidate}.error.txt`)))) return candidate;
  }
}

/** processed/ or failed/ is not a real folder inside the retailer's: nothing is moved into or written through it. */
export class InboxFolderProblem extends Error {
  constructor(readonly folder: string, what: string) {
    super(`${visible(folder)} is ${what}: processed/ and failed/ must be real folders inside the retailer's folder; ` +
      'nothing is moved into it or written through it, and the file stays where it is (tried again at the next start)');
  }
}

/**
 * `<retailer folder>/<target>`, created if missing (owner-writable, not recursive: the retailer folder is there),
 * checked to be a real folder whose real path is `<within>/<target>`: a symbolic link (to a folder outside the
 * inbox, or dangling) or any other kind of file in its place is an InboxFolderProblem, never followed.
 */
async function targetFolder(retailerFolder: string, within: string, target: string): Promise<string> {
  const dir = join(retailerFolder, target);
  await mkdir(dir, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const info = await lstat(dir);
  if (info.isSymbolicLink()) throw new InboxFolderProblem(dir, 'a symbolic link');
  if (!info.isDirectory()) throw new InboxFolderProblem(dir, 'not a folder');
  const real = await realpath(dir);
  if (real !== join(within, target)) throw new InboxFolderProblem(dir, `not inside the retailer's folder (it is ${visible(real)})`);
  return dir;
}

/**
 * Moves `file` into `<its folder>/<target>/` (a real folder: targetFolder), with a note of why next to it when it
 * failed. The note is created new (O_EXCL) and never through a link (O_NOFOLLOW): a name planted there is not
 * written through or over.
 */
async function moveBeside(file: string, within: string, target: string, note: string | null): Promise<string> {
  const dir = await targetFolder(dirname(file), within, target);
  const destination = await freePath(dir, basename(file), note !== null);
  await rename(file, destination);
  // The note quotes the file (a header, a cell, an X12 element): its control characters are shown escaped, so
  // `cat failed/*.error.txt` cannot drive the terminal.
  if (note !== null) {
    const handle = await open(`${destination}.error.txt`,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      await handle.writeFile(`${visible(note)}\n`);
    } finally {
      await handle.close();
    }
  }
  return destination;
}

/**
 * The document's filename for a file's name: the name the API's `?filename=` would take. A name with control
 * characters, bidirectional controls or noncharacters (which the API refuses with a 400) is stored as visible()
 * shows it (`\x1b`, `\u202e`), cut to the API's 255 characters; the file keeps its own name on disk.
 */
export function storedFilename(name: string): string {
  const chars = Array.from(visible(name));
  return chars.length <= 255 ? chars.join('') : `${chars.slice(0, 254).join('')}…`;
}

/**
 * Ingests one dropped file for the retailer its folder names, and moves it. A file whose retailer is unknown goes
 * to failed/ with a note, and so does one that is not a regular file with one name really in the retailer's folder
 * (a symbolic link, a hard link, a named pipe, a device, a socket: files.ts readRegularFile), moved by its own name
 * (rename never follows a link) and never read through; one the database could not take (an error other than an
 * unreadable file) stays where it is, to be tried again at the next start.
 */
async function handleFile(db: Db, root: string, file: string, heldLimit: number | undefined, maxBytes: number, signal: AbortSignal):
  Promise<FileOutcome> {
  const parts = relative(root, file).split(sep);
  const retailerName = parts[0];
  // A retailer folder that is a symbolic link (INBOX_DIR/demo → /etc) would have the inbox read, and move files
  // about in, a folder outside it: it is left alone, never entered (the watch does not follow links either).
  const folder = await lstat(join(root, retailerName)).catch(() => null);
  if (parts.length !== 2 || !folder?.isDirectory()) {
    return { file, status: 'failed', document: null, movedTo: null,
      error: `${join(root, retailerName)} is not a folder but a symbolic link or another kind of file: retailer folders must be ` +
        'real folders inside the inbox; it is left as it is and nothing in it is read' };
  }
  const within = join(await realpath(root), retailerName);
  /** Moves the file; when processed/ or failed/ is no real folder, leaves it and says so (`stuck`). */
  const move = async (target: string, note: string | null): Promise<{ movedTo: string | null; stuck?: string }> => {
    try {
      return { movedTo: await moveBeside(file, within, target, note) };
    } catch (error) {
      if (error instanceof InboxFolderProblem) return { movedTo: null, stuck: error.message };
      throw error;
    }
  };
  const refuse = async (error: string) => ({ file, status: 'failed', document: null, error, ...(await move(FAILED_DIR, error)) }) as const;
  const retailer = await findRetailerByName(db, retailerName);
  if (!retailer) return refuse(`No retailer named ${quoted(retailerName)}: the inbox's subfolders are named after retailers.`);
  const read = await readRegularFile(file, { followSymlinks: false, singleLink: true, within, maxBytes });
  if (!read.ok) return refuse(`The file ${read.reason}; it was not read.`);
  const bytes = read.bytes;
  const empty = emptyFileProblem(bytes);
  if (empty !== null) return refuse(`The file ${empty}.`);
  const { document, created, resumed, conflict } = await ingestDocument(db, retailer.id, {
    bytes, format: formatOfFile(file, bytes), filename: storedFilename(basename(file)),
    content_type: formatOfFile(file, bytes) === 'x12' ? 'application/edi-x12' : 'text/csv',
  }, { heldLimit, signal });
  if (document.status === 'processing') {
    const why = signal.aborted ? 'stopped by shutdown between batches; completed at the next start' : 'another process is applying it';
    return { file, status: 'processing', document, error: why, movedTo: null };
  }
  // The writer may have gone on after the size held still long enough to read it (an upload that stalled longer than
  // the stable time): the file is now longer than what was read. Moving it would leave the rest unread (the writer
  // keeps writing into the moved file) and the rows past the pause silently missing. It stays, and is read again once
  // it stops changing: the rows read already change nothing the second time (updates are idempotent), nothing doubled.
  const now = await lstat(file).catch(() => null);
  if (now !== null && now.size !== bytes.length) {
    return { file, status: 'processing', document, movedTo: null, grew: true,
      error: `still being written (${bytes.length} bytes read, ${now.size} now): read again once it stops changing` };
  }
  if (conflict) {
    return { file, status: 'failed', document, error: conflict, ...(await move(FAILED_DIR, conflict)), repeated: true };
  }
  const failed = document.status === 'failed';
  const moved = await move(failed ? FAILED_DIR : PROCESSED_DIR, failed ? document.error : null);
  return { file, status: failed ? 'failed' : 'processed', document, error: document.error, ...moved, repeated: !created && !resumed };
}

/** How soon a file whose document another apply has is looked at again, in ms. */
const BUSY_RETRY_MS = 1_000;

/**
 * Resolves once the size of `file` has held still for `ms` (true), or false when the file is gone (moved, deleted)
 * or the inbox is `stopped`.
 * Polls every ms/10 (at most 100 ms), as chokidar's awaitWriteFinish does for a new file.
 */
async function waitStable(file: string, ms: number, stopped: () => boolean): Promise<boolean> {
  const every = Math.max(10, Math.min(100, ms / 10));
  let size = -1;
  let since = Date.now();
  for (;;) {
    const info = await lstat(file).catch(() => null);
    if (info === null || stopped()) return false;
    if (info.size !== size) {
      size = info.size;
      since = Date.now();
    } else if (Date.now() - since >= ms) return true;
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

/** Watches INBOX_DIR until closed. Files are handled one at a time, in the order they became stable. */
export async function startInbox(options: InboxOptions): Promise<Inbox> {
  const { db, dir, log } = options;
  await mkdir(dir, { recursive: true });
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  const stopping = new AbortController();
  const seen = new Set<string>();
  const regrown = new Set<string>();
  const stableMs = options.stableMs ?? 2000;

  const retries = new Set<NodeJS.Timeout>();
  const retryLater = (file: string) => {
    const timer = setTimeout(() => {
      retries.delete(timer);
      if (!closed) void lstat(file).then(() => enqueue(file), () => undefined); // gone meanwhile: nothing to do
    }, BUSY_RETRY_MS).unref();
    retries.add(timer);
  };

  /** `changed`: a 'change' event, which may come for a file moved away since: then there is nothing to do. */
  const enqueue = (file: string, changed = false) => {
    if (seen.has(file)) return;
    seen.add(file);
    queue = queue.then(async () => {
      if (closed) return;
      if (changed && (await lstat(file).catch(() => null)) === null) return;
      try {
        const outcome = await handleFile(db, dir, file, options.heldLimit, options.maxBytes ?? DEFAULT_DOCUMENT_MAX_BYTES, stopping.signal);
        const summary = outcome.document
          ? { document_id: outcome.document.id, applied: outcome.document.applied, unchanged: outcome.document.unchanged,
            unmatched: outcome.document.unmatched, rejected: outcome.document.rejected,
            // The same bytes received before: the counts are the first document's, and nothing was applied again.
            ...(outcome.repeated ? { already_received: true } : {}) }
          : {};
        // Names and reasons come from the files: logged with their control characters escaped.
        const shown = { file: visible(file), movedTo: outcome.movedTo === null ? null : visible(outcome.movedTo) };
        if (outcome.grew) {
          log.warn({ ...shown, error: outcome.error, ...summary }, 'inbox: file still being written; read again once it stops changing');
        } else if (outcome.stuck !== undefined) {
          log.error({ ...shown, status: outcome.status, ...summary }, `inbox: ${outcome.stuck}`);
        } else if (outcome.status === 'failed') {
          log.warn({ ...shown, error: outcome.error === null ? null : visible(outcome.error), ...summary },
            outcome.movedTo === null ? 'inbox: entry refused and left in place' : 'inbox: file failed');
        } else log.info({ ...shown, ...summary }, `inbox: file ${outcome.status}`);
        options.onFile?.(outcome);
        // Another apply has the document (the start's resume of unfinished documents, the same bytes sent through
        // the API, another process): the file is looked at again until that apply ends, then moved like any other.
        if (outcome.status === 'processing' && !stopping.signal.aborted) retryLater(file);
        // A file that grew while it was read is read again once its size holds still (its 'change' may have come while
        // it was being handled, and been dropped as a repeat).
        if (outcome.grew && !closed) regrown.add(file);
      } catch (err) {
        log.error({ err, file: visible(file) }, 'inbox: could not ingest the file; it stays in the inbox and is tried again at the next start');
      } finally {
        seen.delete(file);
        if (regrown.delete(file)) void waitStable(file, stableMs, () => closed).then((stable) => stable && enqueue(file, true));
      }
    });
  };

  const watcher: FSWatcher = watch(dir, {
    // <dir>/<retailer>/<file>: depth 1; processed/ and failed/ below it are not watched.
    depth: 1,
    // A link is reported as itself (and refused by handleFile), never followed into a file or folder elsewhere.
    followSymlinks: false,
    ignored: (path, stats) => {
      const parts = relative(dir, path).split(sep);
      if (parts.some((p) => p.startsWith('.'))) return true;
      if (parts.length === 2 && isTemporaryName(parts[1]) && !stats?.isDirectory()) return true;
      if (stats?.isFile() && parts.length !== 2) return true;
      return parts.length >= 2 && (parts[1] === PROCESSED_DIR || parts[1] === FAILED_DIR);
    },
    awaitWriteFinish: { stabilityThreshold: stableMs, pollInterval: Math.min(100, stableMs) },
  });
  watcher.on('add', (path) => enqueue(path));
  // A file left in place (one that grew while read, or one the database could not take) is read again when it changes.
  watcher.on('change', (path) => enqueue(path, true));
  // A folder inside a retailer's folder (other than processed/ and failed/) is not read: said once per folder (the
  // watch reports it once; a folder removed and made again is said again), so an operator who put files there knows.
  const ignoredFolders = new Set<string>();
  watcher.on('addDir', (path) => {
    if (relative(dir, path).split(sep).length !== 2 || ignoredFolders.has(path)) return;
    ignoredFolders.add(path);
    log.warn({ folder: visible(path) }, 'inbox: a folder inside a retailer\'s folder is ignored: only files directly in it are read');
  });
  watcher.on('unlinkDir', (path) => ignoredFolders.delete(path));
  watcher.on('error', (err) => log.error({ err }, 'inbox: watching failed'));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  log.info({ dir }, 'inbox: watching for supplier documents');

  return {
    async idle() {
      await ready;
      let current: Promise<void>;
      do {
        current = queue;
        await current;
      } while (current !== queue);
    },
    async close() {
      closed = true;
      for (const timer of retries) clearTimeout(timer);
      stopping.abort(); // a file being applied stops between batches and stays, to be completed at the next start
      await watcher.close();
      await queue;
    },
  };
}

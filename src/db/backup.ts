// Online backup and restore of the embedded SQLite database (DESIGN 4d). A backup is SQLite's online backup
// API (better-sqlite3's `.backup()`): a consistent copy taken while `serve` keeps reading and writing. A
// restore refuses a database that a process has open, refuses a file that fails `PRAGMA integrity_check` or
// carries migrations this code does not know (made by a newer OrderSync), and keeps the database it replaces.
//
// Every file either command leaves is whole and self-contained, whatever instant it is killed at:
// - A backup is written under a name of its own (`FILE.ordersync-partial-<pid>`), made one file (rollback journal
//   mode: no -wal or -shm is ever needed beside it), and only then given its name; a backup killed mid-way leaves no
//   FILE (the next backup into that folder removes what a dead one left).
// - A restore copies and checks the backup beside the database first (`<database>.restoring-<pid>-<time>`), folds
//   the replaced database's write-ahead log into it and takes it out of WAL mode (so no -wal or -shm of it is left
//   to be read into the restored file: SQLite cannot tell a WAL of another database from the file's own), keeps it
//   as `<database>.before-restore-<time>` (a hard link: no copy), and renames the copy over it (atomic within one
//   directory). At every instant the database's name holds either the old database or the restored one, whole.
import { copyFileSync, existsSync, linkSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import { migrationNames } from './migrate.ts';

export class BackupError extends Error {}

export interface BackupResult {
  file: string;
  bytes: number;
  pages: number;
}

const SIDE_FILES = ['-wal', '-shm', '-journal'];

function removeWithSideFiles(file: string): void {
  for (const suffix of ['', ...SIDE_FILES]) rmSync(file + suffix, { force: true });
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the files a backup or restore killed mid-way left in `dir`: names `<prefix><pid>…` whose process is gone
 * (a live one may be writing its own). `pattern` captures the pid.
 */
function removeLeftovers(dir: string, pattern: RegExp): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = pattern.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !pidExists(Number(pid))) rmSync(join(dir, name), { force: true });
  }
}

/**
 * Makes a copy written by the backup API one file: rollback-journal mode (the copy of a WAL database says WAL in its
 * header, and every later open would make -wal and -shm beside it). Leaves no side file.
 */
function makeSelfContained(file: string): void {
  const db = new SQLite(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
  for (const suffix of SIDE_FILES) rmSync(file + suffix, { force: true });
}

/** A backup's name while it is written (`FILE.ordersync-partial-<pid>`, and its journal): the pid is captured. */
const PARTIAL = /\.ordersync-partial-(\d+)(-journal|-wal|-shm)?$/;

/** Copies the live database at `databaseFile` to `targetFile` (which must not exist yet). */
export async function backupSqlite(databaseFile: string, targetFile: string): Promise<BackupResult> {
  if (!existsSync(databaseFile)) throw new BackupError(`no database at ${databaseFile}`);
  if (existsSync(targetFile)) throw new BackupError(`${targetFile} already exists: choose a new file name`);
  removeLeftovers(dirname(targetFile), PARTIAL);
  const partial = `${targetFile}.ordersync-partial-${process.pid}`;
  removeWithSideFiles(partial);
  const source = new SQLite(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const { totalPages } = await source.backup(partial);
    makeSelfContained(partial);
    const copy = new SQLite(partial, { readonly: true });
    let pageSize: number;
    try {
      pageSize = Number(copy.pragma('page_size', { simple: true }));
    } finally {
      copy.close();
    }
    // Named only now, and never over a file that appeared meanwhile (a link fails where the name is taken).
    try {
      linkSync(partial, targetFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupError(`${targetFile} already exists: choose a new file name`);
      if (existsSync(targetFile)) throw error;
      renameSync(partial, targetFile); // a file system without hard links
    }
    return { file: targetFile, bytes: totalPages * pageSize, pages: totalPages };
  } finally {
    source.close();
    removeWithSideFiles(partial);
  }
}

/** What a file to restore holds: the migrations applied to it, in order (its schema version is the last). */
export interface Restorable {
  migrations: string[];
}

/** Problems that make `file` unfit to restore: integrity, and migrations unknown to this code. */
export function checkRestorable(file: string): Restorable {
  if (!existsSync(file)) throw new BackupError(`no such file: ${file}`);
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${file} is not an SQLite database (${(error as Error).message})`);
  }
  try {
    let integrity: unknown;
    try {
      integrity = db.pragma('integrity_check', { simple: true });
    } catch (error) {
      throw new BackupError(`${file} is not an SQLite database (${(error as Error).message})`);
    }
    if (integrity !== 'ok') throw new BackupError(`${file} fails PRAGMA integrity_check: ${String(integrity)}`);
    const table = db.prepare("select name from sqlite_master where type = 'table' and name = 'schema_migrations'").get();
    if (!table) throw new BackupError(`${file} is not an OrderSync database (it has no schema_migrations table)`);
    const applied = (db.prepare('select name from schema_migrations order by name').all() as { name: string }[]).map((r) => r.name);
    const known = migrationNames();
    const unknown = applied.filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      throw new BackupError(`${file} was made by a newer OrderSync: its schema is at ${applied.at(-1)}, and this OrderSync knows `
        + `migrations up to ${known.at(-1)} only (not ${unknown.join(', ')}); upgrade OrderSync before restoring it`);
    }
    return { migrations: applied };
  } finally {
    db.close();
  }
}

/** True when another connection has `file` open (it cannot take an exclusive lock at once). */
export function isInUse(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new SQLite(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw error;
  } finally {
    db.close();
  }
}

export interface RestoreResult {
  /** Where the database that was replaced was kept, or null when there was none. */
  previous: string | null;
  /** The migrations applied to the restored database, read from it once in place (its schema version is the last). */
  migrations: string[];
  /** The migrations this OrderSync applies to it at the next start (it was made by an older one). */
  pending: string[];
}

/**
 * True when `a` and `b` name the same file (the same path spelled differently, a symbolic or a hard link): the
 * same device and inode. False when either does not exist.
 */
function sameFile(a: string, b: string): boolean {
  if (!existsSync(a) || !existsSync(b)) return false;
  if (realpathSync(a) === realpathSync(b)) return true;
  const [sa, sb] = [statSync(a), statSync(b)];
  return sa.dev === sb.dev && sa.ino === sb.ino;
}

/** The database, whole in its one file: its WAL folded in, out of WAL mode, no -wal or -shm left. BackupError when in use. */
function foldIntoOneFile(databaseFile: string): void {
  try {
    makeSelfContained(databaseFile);
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new BackupError(`${databaseFile} is in use by another process: stop the service (and any workers) before restoring`);
    }
    throw error;
  }
}

/**
 * Replaces the database at `databaseFile` with a copy of `backupFile` (see the file's comment). Refuses while any
 * process has the database open (stop `serve` and workers first), and refuses the database itself as the backup.
 * Any failure before the final rename leaves the database as it was.
 */
export async function restoreSqlite(backupFile: string, databaseFile: string, now = new Date()): Promise<RestoreResult> {
  if (sameFile(backupFile, databaseFile)) {
    throw new BackupError(`${backupFile} is the database itself (${databaseFile}): restore from a copy written by \`ordersync backup\``);
  }
  checkRestorable(backupFile);
  if (isInUse(databaseFile)) {
    throw new BackupError(`${databaseFile} is in use by another process: stop the service (and any workers) before restoring`);
  }
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  removeLeftovers(dirname(databaseFile), new RegExp(`^${basename(databaseFile).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.restoring-(\\d+)-`));
  const staging = `${databaseFile}.restoring-${process.pid}-${stamp}`;
  removeWithSideFiles(staging);
  const source = new SQLite(backupFile, { readonly: true, fileMustExist: true });
  try {
    await source.backup(staging);
    makeSelfContained(staging);
    // The copy as it will be opened, not only the file it came from (a short write would show here).
    checkRestorable(staging);
  } catch (error) {
    removeWithSideFiles(staging);
    const reason = error instanceof BackupError ? error.message : (error as Error).message;
    throw new BackupError(`could not copy ${backupFile} beside the database (${reason}); the database was not changed`);
  } finally {
    source.close();
  }
  let previous: string | null = null;
  try {
    if (existsSync(databaseFile)) {
      foldIntoOneFile(databaseFile);
      previous = `${databaseFile}.before-restore-${stamp}`;
      try {
        linkSync(databaseFile, previous);
      } catch {
        copyFileSync(databaseFile, previous); // a file system without hard links
      }
    }
    // With no database (or once it is one file), any -wal, -shm or -journal beside its name belongs to no database.
    for (const suffix of SIDE_FILES) rmSync(databaseFile + suffix, { force: true });
    renameSync(staging, databaseFile);
  } catch (error) {
    removeWithSideFiles(staging);
    throw error;
  }
  const { migrations } = checkRestorable(databaseFile);
  return { previous, migrations, pending: migrationNames().filter((name) => !migrations.includes(name)) };
}

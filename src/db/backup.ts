// Online backup and restore of the embedded SQLite database (DESIGN 4d). A backup is SQLite's online backup
// API (better-sqlite3's `.backup()`): a consistent copy taken while `serve` keeps reading and writing. A
// restore refuses a database that a process has open, refuses a file that fails `PRAGMA integrity_check` or
// carries migrations this code does not know (made by a newer OrderSync), and keeps the database it replaces.
// A restore is all or nothing: the backup is copied and checked beside the database first, and only a whole,
// checked copy is renamed into place (a rename within one directory is atomic), so a copy that fails half-way
// (a full disk, Ctrl-C) leaves the database as it was.
import { existsSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { migrationNames } from './migrate.ts';

export class BackupError extends Error {}

export interface BackupResult {
  file: string;
  bytes: number;
  pages: number;
}

/** Copies the live database at `databaseFile` to `targetFile` (which must not exist yet). */
export async function backupSqlite(databaseFile: string, targetFile: string): Promise<BackupResult> {
  if (!existsSync(databaseFile)) throw new BackupError(`no database at ${databaseFile}`);
  if (existsSync(targetFile)) throw new BackupError(`${targetFile} already exists: choose a new file name`);
  const source = new SQLite(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const { totalPages } = await source.backup(targetFile);
    const copy = new SQLite(targetFile, { readonly: true });
    try {
      const pageSize = Number(copy.pragma('page_size', { simple: true }));
      return { file: targetFile, bytes: totalPages * pageSize, pages: totalPages };
    } finally {
      copy.close();
    }
  } catch (error) {
    rmSync(targetFile, { force: true });
    throw error;
  } finally {
    source.close();
  }
}

/** Problems that make `file` unfit to restore: integrity, and migrations unknown to this code. */
export function checkRestorable(file: string): { migrations: string[] } {
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
    const known = new Set(migrationNames());
    const unknown = applied.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new BackupError(`${file} was made by a newer OrderSync: it has migrations this code does not know (${unknown.join(', ')}); upgrade first`);
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
  migrations: string[];
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

/** Moves `from` (and its -wal and -shm files, when there are any) to `to`. */
function moveDatabase(from: string, to: string): void {
  renameSync(from, to);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(from + suffix)) renameSync(from + suffix, to + suffix);
  }
}

/**
 * Replaces the database at `databaseFile` with a copy of `backupFile`. Refuses while any process has the
 * database open (stop `serve` and workers first), and refuses the database itself as the backup. The backup is
 * copied to `<database>.restoring-<time>` and checked there; only then is the replaced database kept beside it,
 * renamed, and the copy renamed into its place. Any failure before that leaves the database untouched.
 */
export async function restoreSqlite(backupFile: string, databaseFile: string, now = new Date()): Promise<RestoreResult> {
  if (sameFile(backupFile, databaseFile)) {
    throw new BackupError(`${backupFile} is the database itself (${databaseFile}): restore from a copy written by \`ordersync backup\``);
  }
  const { migrations } = checkRestorable(backupFile);
  if (isInUse(databaseFile)) {
    throw new BackupError(`${databaseFile} is in use by another process: stop the service (and any workers) before restoring`);
  }
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const staging = `${databaseFile}.restoring-${stamp}`;
  const discardStaging = () => { for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(staging + suffix, { force: true }); };
  discardStaging();
  const source = new SQLite(backupFile, { readonly: true, fileMustExist: true });
  try {
    await source.backup(staging);
    // The copy as it will be opened, not only the file it came from (a short write would show here).
    checkRestorable(staging);
  } catch (error) {
    discardStaging();
    const reason = error instanceof BackupError ? error.message : (error as Error).message;
    throw new BackupError(`could not copy ${backupFile} beside the database (${reason}); the database was not changed`);
  } finally {
    source.close();
  }
  let previous: string | null = null;
  if (existsSync(databaseFile)) {
    previous = `${databaseFile}.before-restore-${stamp}`;
    moveDatabase(databaseFile, previous);
  }
  moveDatabase(staging, databaseFile);
  return { previous, migrations };
}

// One Kysely instance over either store: better-sqlite3 (embedded default) or PostgreSQL.
import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Compilable } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import { startCheckpointer } from './checkpointer.ts';
import { inRequestTransaction, registerScopedDatabase, requestScopedDialect } from './request-transaction.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface OpenDatabase {
  db: Db;
  kind: DatabaseConfig['kind'];
  /** PostgreSQL only: the connection pool (its counts are reported as metrics). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver calls `prepare` for every query; preparing costs more than running a point
 * look-up. Statements are reusable, so keep the most recently used ones by SQL text.
 */
function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver);
      return (source: string) => {
        let statement = cache.get(source);
        if (statement) {
          cache.delete(source); // re-insert to mark as most recently used
        } else {
          statement = prepare(source);
          if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        }
        cache.set(source, statement);
        return statement;
      };
    },
  });
}

/** Page size of new SQLite databases, in bytes. */
export const PAGE_SIZE = 16_384;

/**
 * The embedded database. WAL with synchronous=NORMAL (default) keeps every committed transaction through a crash
 * of the process, but a power loss or OS crash may lose the last ones; `full` syncs the WAL at every commit and
 * loses none, at a cost in writes per second (README, "Durability").
 */
export function openSqlite(file: string, synchronous: 'normal' | 'full' = 'normal', cacheMb = 128): SQLite.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  // 16 KiB pages for a new database (an existing one keeps the size it was made with: changing it takes a VACUUM).
  // A PO's row holds its ~4 KB v2 rendering, and an event's payload a copy of it: on 4 KiB pages each spills into
  // an overflow page, so every PO written and every event costs two pages, and each page is its own write to the WAL.
  // A 10 MB 856 spent ~1.6 s of its apply committing with 4 KiB pages, ~0.6 s with 16 KiB (bench/ingest.ts). Only
  // takes effect before the file is first written, so it comes before journal_mode.
  sqlite.pragma(`page_size = ${PAGE_SIZE}`);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Page cache (SQLITE_CACHE_MB, default 128 MiB): large indexes stay in memory. It is a cap, filled as pages are
  // written or read, so a process's memory grows towards it for as long as the database keeps growing.
  sqlite.pragma(`cache_size = -${Math.trunc(cacheMb) * 1024}`);
  // Reads through a memory map instead of a read() call and a copy per page missing from the cache above: random
  // look-ups over a database larger than that cache (bulk: 100 POs a request) cost about half as much. 2 GiB is
  // better-sqlite3's build limit (SQLITE_MAX_MMAP_SIZE); pages past it are read as before.
  sqlite.pragma('mmap_size = 2147418112');
  return sqlite;
}

export interface OpenOptions {
  /** PostgreSQL only: schema to use (tests give each file its own). */
  searchPath?: string;
  poolSize?: number;
}

/** The better-sqlite3 connection under each SQLite Kysely instance made by openDatabase (for preparedQuery). */
const sqliteUnder = new WeakMap<Db, SQLite.Database>();
/** The SQLite file each database opened: its path and, at open, its device and inode. */
const sqliteFiles = new WeakMap<Db, { file: string; dev: number; ino: number }>();

/**
 * Why the SQLite database open in `db` is no longer the file at its path, or null when it still is (and for
 * PostgreSQL or an in-memory database). A file deleted, moved or copied over while the service runs keeps
 * answering queries through the open handle, but what is written then lands in a file nobody will open again:
 * lost at the next start. /readyz (api/health.ts) reports it.
 */
export function sqliteFileProblem(db: Db): string | null {
  const opened = sqliteFiles.get(db);
  if (!opened) return null;
  let now: { dev: number; ino: number };
  try {
    now = statSync(opened.file);
  } catch {
    return 'the database file was removed while the service was running';
  }
  return now.dev === opened.dev && now.ino === opened.ino ? null : 'the database file was replaced while the service was running';
}
/** The pg pool under each PostgreSQL Kysely instance made by openDatabase (for preparedQuery). */
const poolUnder = new WeakMap<Db, pg.Pool>();

/** Work to finish before a database made by openDatabase closes, newest first (src/process-owner.ts: its row goes). */
const beforeClose = new WeakMap<Db, (() => Promise<void>)[]>();

/** Runs `hook` when `db` is closed, before the connections go (errors are the hook's to handle). */
export function onDatabaseClose(db: Db, hook: () => Promise<void>): void {
  const hooks = beforeClose.get(db) ?? [];
  hooks.push(hook);
  beforeClose.set(db, hooks);
}

async function runCloseHooks(db: Db): Promise<void> {
  const hooks = beforeClose.get(db) ?? [];
  beforeClose.delete(db);
  for (const hook of hooks.reverse()) await hook();
}

export function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): OpenDatabase {
  if (config.kind === 'sqlite') {
    const sqlite = openSqlite(config.file, config.synchronous, config.cacheMb);
    const checkpointer = config.file === ':memory:' ? null : startCheckpointer(sqlite, config.file);
    const scoped = requestScopedDialect(new SqliteDialect({ database: withStatementCache(sqlite) }));
    const db = new Kysely<Database>({ dialect: scoped.dialect });
    registerScopedDatabase(db, scoped.driver());
    sqliteUnder.set(db, sqlite);
    if (config.file !== ':memory:') {
      const { dev, ino } = statSync(config.file);
      sqliteFiles.set(db, { file: config.file, dev, ino });
    }
    return {
      db, kind: 'sqlite',
      close: async () => {
        await runCloseHooks(db);
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: options.poolSize ?? 10,
    // Keepalives let the server notice within seconds that a client host vanished and end its open transaction
    // (and so free the Idempotency-Key rows it held uncommitted: http/idempotency.ts).
    options: [options.searchPath ? `-c search_path=${options.searchPath}` : '',
      '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3'].join(' ').trim(),
    // Money columns are bigint; values stay far below 2^53, so read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: any) =>
        oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  const scoped = requestScopedDialect(new PostgresDialect({ pool }));
  const db = new Kysely<Database>({ dialect: scoped.dialect });
  registerScopedDatabase(db, scoped.driver());
  poolUnder.set(db, pool);
  return {
    db, kind: 'postgres', pool,
    close: async () => {
      await runCloseHooks(db);
      await db.destroy();
    },
  };
}

/**
 * A read query for a hot path: built and compiled by Kysely once, then run with each call's parameters.
 * `build` gets stand-ins for the parameters and may only pass them on as values (not look at them).
 *
 * Building and compiling a Kysely query costs more than a SQLite point look-up, and so does Kysely's
 * executor; on SQLite the compiled SQL is run as a prepared better-sqlite3 statement, synchronously, with
 * the same SQL, parameters and rows Kysely's driver would use. While a transaction is open on the connection
 * (a write that awaits between statements) it goes through Kysely instead, which waits for the transaction
 * like every other query, so no read sees uncommitted rows. On PostgreSQL it is a named (server-side prepared)
 * statement on the pool: each connection parses and plans it once, then only binds and executes it.
 */
export function preparedQuery<A extends unknown[], R>(db: Db, build: (...params: A) => Compilable<R>): (...args: A) => Promise<R[]> {
  const standIns = Array.from({ length: build.length }, (_, i) => `\u0000parameter ${i}\u0000`);
  const compiled = build(...(standIns as A)).compile();
  const slots = compiled.parameters.map((value) => standIns.indexOf(value as string));
  if (standIns.some((_, i) => !slots.includes(i)) || compiled.sql.includes('\u0000')) {
    throw new Error(`preparedQuery: every parameter must be used as a value once compiled: ${compiled.sql}`);
  }
  const parametersOf = (args: A): unknown[] => slots.map((slot, k) => (slot >= 0 ? args[slot] : compiled.parameters[k]));
  const throughKysely = async (args: A): Promise<R[]> => (await db.executeQuery<R>({ ...compiled, parameters: parametersOf(args) })).rows;

  const pool = poolUnder.get(db);
  if (pool) {
    const name = `os_${createHash('sha1').update(compiled.sql).digest('hex').slice(0, 16)}`;
    // Inside a request's transaction (an idempotent POST) the query must see that transaction's own writes.
    return async (...args) => (inRequestTransaction() ? throughKysely(args)
      : (await pool.query<R & pg.QueryResultRow>({ name, text: compiled.sql, values: parametersOf(args) })).rows);
  }
  const sqlite = sqliteUnder.get(db);
  if (!sqlite) return (...args) => throughKysely(args);
  let statement: SQLite.Statement | undefined;
  return async (...args) => {
    if (sqlite.inTransaction) return throughKysely(args);
    statement ??= sqlite.prepare(compiled.sql);
    return statement.all(parametersOf(args)) as R[];
  };
}

// Multi-row INSERTs for bulk writes (the sync engine's pages, the seed): the SQL of each statement shape is built and
// compiled by Kysely once, then run with each batch's values.
//
// Why: Kysely parses and compiles every value of a multi-row insert on every call (about as much CPU as SQLite
// spends storing the row), and a statement whose row count differs from the last one is prepared anew. Here a batch
// of n rows is cut into blocks of power-of-two sizes (256, 128, …, 1), so each table has at most nine statement
// shapes: their SQL text is cached below, and on SQLite the prepared statements are reused by the statement cache
// of src/db/database.ts. On PostgreSQL the same SQL runs through Kysely's executor as any other query.
import { CompiledQuery, type Insertable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

/** Under SQLite's (32,766) and PostgreSQL's (65,535) limits on parameters per statement. */
const MAX_PARAMETERS = 30_000;
/** The largest block: beyond it a bigger statement saves nothing measurable. */
const MAX_ROWS = 256;

const compiledSql = new Map<string, string>();

function sqlFor(db: Db, table: keyof Database & string, columns: readonly string[], rows: number, conflictKey: readonly string[] | undefined): string {
  const key = `${db.getExecutor().adapter.constructor.name}\u0000${table}\u0000${columns.join(',')}\u0000${rows}\u0000${conflictKey?.join(',') ?? ''}`;
  let text = compiledSql.get(key);
  if (text === undefined) {
    // Every value a distinct string, so that each becomes one parameter, row by row in column order.
    const placeholderRows = Array.from({ length: rows }, (_, r) =>
      Object.fromEntries(columns.map((c, i) => [c, `\u0000${r}:${i}`])));
    let query = db.insertInto(table).values(placeholderRows as never);
    if (conflictKey) query = query.onConflict((oc) => oc.columns(conflictKey as never).doNothing());
    const compiled = query.compile();
    if (compiled.parameters.length !== rows * columns.length) {
      throw new Error(`insertRows: unexpected parameters for ${table}: ${compiled.parameters.length}`);
    }
    text = compiled.sql;
    compiledSql.set(key, text);
  }
  return text;
}

function blockSize(remaining: number, perRowLimit: number): number {
  let size = 1;
  while (size * 2 <= remaining && size * 2 <= perRowLimit) size *= 2;
  return size;
}

/**
 * Inserts `rows` into `table` (inside the caller's transaction when it has one), with the columns any row has; a
 * value a row leaves out (or undefined) is written as NULL, not as the column's default. Errors are the database's
 * (a constraint violation rejects the statement; the caller's transaction decides what survives).
 * `options.skipConflictsOn`: a unique key; a row whose key is already stored is skipped (ON CONFLICT DO NOTHING).
 */
export async function insertRows<T extends keyof Database & string>(
  db: Db, table: T, rows: readonly Insertable<Database[T]>[], options: { skipConflictsOn?: readonly (keyof Database[T] & string)[] } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const column in row) {
      if (!seen.has(column)) {
        seen.add(column);
        columns.push(column);
      }
    }
  }
  const limit = Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / columns.length));
  for (let start = 0; start < rows.length;) {
    const size = blockSize(rows.length - start, limit);
    const parameters = new Array<unknown>(size * columns.length);
    let k = 0;
    for (let r = start; r < start + size; r++) {
      const row = rows[r] as Record<string, unknown>;
      for (const column of columns) parameters[k++] = row[column] ?? null;
    }
    await db.executeQuery(CompiledQuery.raw(sqlFor(db, table, columns, size, options.skipConflictsOn), parameters));
    start += size;
  }
}

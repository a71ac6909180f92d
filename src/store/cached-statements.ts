// Single-row UPDATEs by key for batch writes (a batch of supplier updates re-renders thousands of lines): the SQL of
// each statement shape (table, key, columns set) is built and compiled by Kysely once, then run with each row's
// values, so the per-row cost is the database's, not the query builder's. On SQLite the prepared statement is reused
// by the statement cache of src/db/database.ts; on PostgreSQL the same SQL runs through Kysely's executor.
import { CompiledQuery } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

const statements = new Map<string, { sql: string; slots: number[] }>();

function statementFor(db: Db, table: keyof Database & string, key: string, columns: readonly string[], onlyIfChanged: boolean) {
  const cacheKey = `${db.getExecutor().adapter.constructor.name}\u0000${table}\u0000${key}\u0000${columns.join(',')}\u0000${onlyIfChanged}`;
  let statement = statements.get(cacheKey);
  if (statement === undefined) {
    // Every value a distinct stand-in, so each becomes one parameter; slots map parameters back to values.
    const standIns = [...columns, key].map((_, i) => `\u0000${i}`);
    let query = db.updateTable(table).set(Object.fromEntries(columns.map((c, i) => [c, standIns[i]])) as never)
      .where(key as never, '=', standIns[columns.length] as never);
    // The same value again is no write: no page dirtied, nothing for the WAL (the column must be NOT NULL).
    if (onlyIfChanged) query = query.where(columns[0] as never, '<>', standIns[0] as never);
    const compiled = query.compile();
    const slots = compiled.parameters.map((p) => standIns.indexOf(p as string));
    if (slots.length !== standIns.length + (onlyIfChanged ? 1 : 0) || slots.some((slot) => slot < 0)) {
      throw new Error(`updateById: unexpected parameters for ${table}: ${compiled.sql}`);
    }
    statement = { sql: compiled.sql, slots };
    statements.set(cacheKey, statement);
  }
  return statement;
}

/**
 * `UPDATE table SET <values> WHERE <key> = keyValue` (key `id` unless given), inside the caller's transaction when
 * it has one. `values`: column → value (undefined is written as NULL). `options.onlyIfChanged`: only when the one
 * (NOT NULL) column of `values` holds something else. Returns the rows updated. Errors are the database's.
 */
export async function updateById<T extends keyof Database & string>(
  db: Db, table: T, keyValue: string, values: Record<string, unknown>, options: { key?: string; onlyIfChanged?: boolean } = {},
): Promise<number> {
  const columns = Object.keys(values);
  const onlyIfChanged = options.onlyIfChanged === true && columns.length === 1;
  const { sql, slots } = statementFor(db, table, options.key ?? 'id', columns, onlyIfChanged);
  const parameters = slots.map((slot) => (slot === columns.length ? keyValue : values[columns[slot]] ?? null));
  const result = await db.executeQuery(CompiledQuery.raw(sql, parameters));
  return Number(result.numAffectedRows ?? 0);
}

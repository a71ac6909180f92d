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

/** Rows per multi-row UPDATE: past this a bigger statement saves nothing measurable. */
const MAX_UPDATE_ROWS = 256;
const multiRowSql = new Map<string, string>();

function multiRowUpdateSql(db: Db, table: string, key: string, columns: readonly string[], rows: number, onlyIfChanged: boolean): string {
  const postgres = db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
  const cacheKey = `${postgres}\u0000${table}\u0000${key}\u0000${columns.join(',')}\u0000${rows}\u0000${onlyIfChanged}`;
  let text = multiRowSql.get(cacheKey);
  if (text === undefined) {
    const width = columns.length + 1;
    let n = 0;
    const placeholder = () => (postgres ? `$${++n}` : '?');
    const values = Array.from({ length: rows }, () => `(${Array.from({ length: width }, placeholder).join(', ')})`).join(', ');
    const quote = (name: string) => `"${name}"`;
    // VALUES columns are named column1, column2, … by both SQLite and PostgreSQL: column1 is the key.
    const set = columns.map((column, i) => `${quote(column)} = v.column${i + 2}`).join(', ');
    const changed = onlyIfChanged ? ` and ${quote(table)}.${quote(columns[0])} <> v.column2` : '';
    text = `update ${quote(table)} set ${set} from (values ${values}) as v where ${quote(table)}.${quote(key)} = v.column1${changed}`;
    multiRowSql.set(cacheKey, text);
  }
  return text;
}

/**
 * updateById for many rows: `rows` as [keyValue, values], every row setting the same TEXT columns (parameters in a
 * VALUES list are text on PostgreSQL), in multi-row statements `UPDATE table SET c = v.c … FROM (VALUES …) AS v
 * WHERE table.key = v.key` (SQLite ≥ 3.33, PostgreSQL) of up to 256 rows, the blocks sized as insertRows sizes
 * them so that few statement shapes are prepared. A key given twice keeps its last values. `options` as updateById.
 * Returns the rows updated. Errors are the database's.
 */
export async function updateManyById<T extends keyof Database & string>(
  db: Db, table: T, rows: readonly (readonly [string, Record<string, string>])[], options: { key?: string; onlyIfChanged?: boolean } = {},
): Promise<number> {
  const byKey = new Map(rows);
  if (byKey.size === 0) return 0;
  const columns = Object.keys(byKey.values().next().value!);
  const onlyIfChanged = options.onlyIfChanged === true && columns.length === 1;
  const entries = [...byKey];
  let updated = 0;
  for (let start = 0; start < entries.length;) {
    let size = 1;
    while (size * 2 <= entries.length - start && size * 2 <= MAX_UPDATE_ROWS) size *= 2;
    const parameters: unknown[] = [];
    for (let r = start; r < start + size; r++) {
      const [keyValue, values] = entries[r];
      if (Object.keys(values).length !== columns.length) throw new Error(`updateManyById: rows of ${table} set different columns`);
      parameters.push(keyValue);
      for (const column of columns) parameters.push(values[column] ?? null);
    }
    const result = await db.executeQuery(CompiledQuery.raw(multiRowUpdateSql(db, table, options.key ?? 'id', columns, size, onlyIfChanged), parameters));
    updated += Number(result.numAffectedRows ?? 0);
    start += size;
  }
  return updated;
}

// Fixed-window request counters in the service's own database, shared by every process that uses it
// (`serve --workers N`, several servers on one PostgreSQL). DESIGN 4d.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface WindowCount {
  /** Requests counted in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends. */
  ttlMs: number;
}

/** The start (ms since the epoch) of the fixed window of length `windowMs` that holds `nowMs`. */
export function windowStart(nowMs: number, windowMs: number): number {
  return nowMs - (nowMs % windowMs);
}

/**
 * Counts one request in `bucket`'s current window, in one statement (an upsert), and returns the new count.
 * Atomic on both stores: concurrent processes never lose an increment.
 */
export async function incrementWindow(db: Db, bucket: string, windowMs: number, nowMs = Date.now()): Promise<WindowCount> {
  const start = windowStart(nowMs, windowMs);
  const row = await db.insertInto('rate_limit_counters')
    .values({ bucket, window_start: start, count: 1 })
    .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ count: sql`rate_limit_counters.count + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), ttlMs: start + windowMs - nowMs };
}

/** The current window's count without counting a request. */
export async function readWindow(db: Db, bucket: string, windowMs: number, nowMs = Date.now()): Promise<WindowCount> {
  const start = windowStart(nowMs, windowMs);
  const row = await db.selectFrom('rate_limit_counters').select('count')
    .where('bucket', '=', bucket).where('window_start', '=', start).executeTakeFirst();
  return { count: row ? Number(row.count) : 0, ttlMs: start + windowMs - nowMs };
}

/** Deletes windows that ended before `beforeMs`; returns how many. */
export async function pruneWindows(db: Db, beforeMs: number): Promise<number> {
  const result = await db.deleteFrom('rate_limit_counters').where('window_start', '<', beforeMs).executeTakeFirst();
  return Number(result.numDeletedRows);
}

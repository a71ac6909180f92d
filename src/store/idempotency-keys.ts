// The Idempotency-Key rows (http/idempotency.ts): one per retailer and key, written with the response it
// replays, inside the transaction of the write it guards.
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface StoredResponse {
  request_hash: string;
  status_code: number;
  response_body: string;
  /** Headers replayed with the body (Location). */
  response_headers: Record<string, string>;
  created_at: string;
}

/** Raised when a concurrent request holding the same key did not finish within the lock timeout (PostgreSQL). */
export class KeyInFlightError extends Error {}

/** The stored response of a key, or undefined (never used, expired, or only held by an uncommitted request). */
export async function findIdempotencyKey(db: Db, retailerId: string, key: string): Promise<StoredResponse | undefined> {
  const row = await db.selectFrom('idempotency_keys').selectAll()
    .where('retailer_id', '=', retailerId).where('key', '=', key).executeTakeFirst();
  if (!row || row.status_code === null || row.response_body === null) return undefined;
  return {
    request_hash: row.request_hash,
    status_code: row.status_code,
    response_body: row.response_body,
    response_headers: row.response_headers ? JSON.parse(row.response_headers) : {},
    created_at: row.created_at,
  };
}

/** Forgets the key if it was stored before `before` (ISO instant): keys are kept 24 hours (Stripe's rule). */
export async function deleteExpiredIdempotencyKey(db: Db, retailerId: string, key: string, before: string): Promise<void> {
  await db.deleteFrom('idempotency_keys')
    .where('retailer_id', '=', retailerId).where('key', '=', key).where('created_at', '<', before).execute();
}

/**
 * Stores the key with its response; false when the key is already stored (another request with it committed
 * first: the caller rolls back and replays that one). Call it inside the write's transaction. On PostgreSQL a
 * concurrent, uncommitted request with the same key makes the insert wait for it; after `lockTimeoutMs` it
 * gives up with KeyInFlightError rather than wait on (that request's connection may be gone: the server ends
 * its transaction when it notices).
 */
export async function saveIdempotencyResponse(
  db: Db, retailerId: string, key: string, response: StoredResponse, lockTimeoutMs: number,
): Promise<boolean> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) await sql`select set_config('lock_timeout', ${`${Math.max(1, Math.round(lockTimeoutMs))}ms`}, true)`.execute(db);
  try {
    const inserted = await db.insertInto('idempotency_keys')
      .values({
        retailer_id: retailerId, key, request_hash: response.request_hash, status_code: response.status_code,
        response_body: response.response_body, response_headers: JSON.stringify(response.response_headers),
        created_at: response.created_at,
      })
      .onConflict((oc) => oc.columns(['retailer_id', 'key']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') throw new KeyInFlightError('lock timeout');
    throw error;
  } finally {
    if (postgres) await sql`select set_config('lock_timeout', '0', true)`.execute(db).catch(() => undefined);
  }
}

// The Idempotency-Key rows (http/idempotency.ts): one per retailer and key, written with the response it
// replays, inside the transaction of the write it guards.
//
// The response body is stored encrypted (AES-256-GCM under a key derived from ORDERSYNC_SECRET, the scheme of
// domain/credentials.ts with its own HKDF info, bound to the retailer and key): some responses are shown once
// and hold a secret (POST /webhook_endpoints answers with the endpoint's `whsec_` signing secret), and a replay
// must return it, so it is kept — but never in plaintext. Stored as `enc:v1.<iv>.<ciphertext>.<tag>`. A body
// stored before encryption (plain JSON, never starting with `enc:`) is still replayed; the hourly purge
// (purgeIdempotencyKeys) removes those within 24 hours like every other key.
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { CredentialsDecryptionError, decryptCredentials, encryptCredentials } from '../domain/credentials.ts';

const SEALED = 'enc:';
const HKDF_INFO = 'ordersync idempotency responses v1';
const contextOf = (retailerId: string, key: string) => `idempotency ${retailerId} ${key}`;

function sealBody(secret: string, retailerId: string, key: string, body: string): string {
  return SEALED + encryptCredentials(secret, body, contextOf(retailerId, key), HKDF_INFO);
}

function openBody(secret: string, retailerId: string, key: string, stored: string): string {
  if (!stored.startsWith(SEALED)) return stored; // stored before encryption: plain JSON
  try {
    return decryptCredentials<string>(secret, stored.slice(SEALED.length), contextOf(retailerId, key), HKDF_INFO);
  } catch (error) {
    if (error instanceof CredentialsDecryptionError) throw new StoredResponseUnreadableError();
    throw error;
  }
}

/**
 * The key's stored response does not decrypt: ORDERSYNC_SECRET changed since it was stored (or the row was
 * altered). The caller must not perform the write again (it was done): it answers that the key cannot be reused.
 */
export class StoredResponseUnreadableError extends Error {
  constructor() {
    super('the stored response of this Idempotency-Key does not decrypt (ORDERSYNC_SECRET changed since it was stored)');
  }
}

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

/**
 * The stored response of a key, or undefined (never used, expired, or only held by an uncommitted request).
 * `secret`: ORDERSYNC_SECRET, to decrypt the body. Throws StoredResponseUnreadableError when it does not decrypt.
 */
export async function findIdempotencyKey(db: Db, retailerId: string, key: string, secret: string): Promise<StoredResponse | undefined> {
  const row = await db.selectFrom('idempotency_keys').selectAll()
    .where('retailer_id', '=', retailerId).where('key', '=', key).executeTakeFirst();
  if (!row || row.status_code === null || row.response_body === null) return undefined;
  return {
    request_hash: row.request_hash,
    status_code: row.status_code,
    response_body: openBody(secret, retailerId, key, row.response_body),
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
 * Deletes every key stored before `before` (ISO instant), at most `batch` rows per statement so a large backlog
 * never holds a long lock; returns how many went. Keys are kept 24 hours (Stripe's rule); the background purge
 * (http/idempotency-purge.ts) calls this every hour, so expired keys — and their encrypted responses — do not
 * pile up when nobody sends their key again.
 */
export async function purgeIdempotencyKeys(db: Db, before: string, batch = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const victims = db.selectFrom('idempotency_keys').select(['retailer_id', 'key']).where('created_at', '<', before).limit(batch);
    const deleted = await db.deleteFrom('idempotency_keys')
      .where((eb) => eb(eb.refTuple('retailer_id', 'key'), 'in', victims as never))
      .executeTakeFirst();
    const n = Number(deleted.numDeletedRows ?? 0);
    total += n;
    if (n < batch) return total;
  }
}

/**
 * Stores the key with its response (`secret`: ORDERSYNC_SECRET, to encrypt the body); false when the key is already stored (another request with it committed
 * first: the caller rolls back and replays that one). Call it inside the write's transaction. On PostgreSQL a
 * concurrent, uncommitted request with the same key makes the insert wait for it; after `lockTimeoutMs` it
 * gives up with KeyInFlightError rather than wait on (that request's connection may be gone: the server ends
 * its transaction when it notices).
 */
export async function saveIdempotencyResponse(
  db: Db, retailerId: string, key: string, response: StoredResponse, lockTimeoutMs: number, secret: string,
): Promise<boolean> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) await sql`select set_config('lock_timeout', ${`${Math.max(1, Math.round(lockTimeoutMs))}ms`}, true)`.execute(db);
  try {
    const inserted = await db.insertInto('idempotency_keys')
      .values({
        retailer_id: retailerId, key, request_hash: response.request_hash, status_code: response.status_code,
        response_body: sealBody(secret, retailerId, key, response.response_body), response_headers: JSON.stringify(response.response_headers),
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

import { generateKey, hashesMatch, hashKey, displayPrefix, isWellFormedKey, type Scope } from '../domain/api-keys.ts';
import { newId } from '../domain/ids.ts';
import { preparedQuery, type Db } from '../db/database.ts';

export interface CreatedKey {
  secret: string;
  prefix: string;
  name: string;
  scopes: Scope[];
  /** UTC instant, or null: never expires. */
  expiresAt: string | null;
}

/**
 * Makes a key and returns its secret (shown once; only the SHA-256 hash is kept). `expiresAt` (a UTC instant)
 * is when it stops working; null or absent: never.
 */
export async function createApiKey(
  db: Db, retailerId: string, name: string, scopes: Scope[], options: { expiresAt?: Date | null } = {},
): Promise<CreatedKey> {
  const { secret, prefix, hash } = generateKey();
  const expiresAt = options.expiresAt ? options.expiresAt.toISOString() : null;
  await db.insertInto('api_keys').values({
    id: newId('key'), retailer_id: retailerId, name, prefix, key_hash: hash,
    scopes: scopes.join(','), created_at: new Date().toISOString(), last_used_at: null, revoked_at: null,
    expires_at: expiresAt,
  }).execute();
  return { secret, prefix, name, scopes, expiresAt };
}

export interface RotatedKey {
  key: CreatedKey;
  /** When the old key stops working (UTC instant): now plus the grace period, or its own earlier expiry. */
  oldExpiresAt: string;
}

/**
 * Rotation: a new key with the old one's retailer, name and scopes, while the old key keeps working for
 * `graceMs` and then stops. Null when no active key has this prefix. One transaction.
 */
export async function rotateApiKey(db: Db, prefix: string, graceMs: number, now = new Date()): Promise<RotatedKey | null> {
  forgetCachedKey(db, prefix); // its expiry changes: read it again
  return db.transaction().execute(async (trx) => {
    const old = await trx.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!old || (old.expires_at !== null && old.expires_at <= now.toISOString())) return null;
    const graceEnd = new Date(now.getTime() + graceMs).toISOString();
    const oldExpiresAt = old.expires_at !== null && old.expires_at < graceEnd ? old.expires_at : graceEnd;
    await trx.updateTable('api_keys').set({ expires_at: oldExpiresAt }).where('id', '=', old.id).execute();
    const key = await createApiKey(trx, old.retailer_id, old.name, old.scopes.split(',') as Scope[]);
    return { key, oldExpiresAt };
  });
}

export interface KeyListing {
  prefix: string;
  retailer: string;
  name: string;
  scopes: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  expires_at: string | null;
}

export async function listApiKeys(db: Db): Promise<KeyListing[]> {
  return db.selectFrom('api_keys')
    .innerJoin('retailers', 'retailers.id', 'api_keys.retailer_id')
    .select(['api_keys.prefix', 'retailers.name as retailer', 'api_keys.name', 'api_keys.scopes',
      'api_keys.created_at', 'api_keys.last_used_at', 'api_keys.revoked_at', 'api_keys.expires_at'])
    .orderBy('api_keys.created_at')
    .execute();
}

/**
 * Revokes the key with this display prefix (only among this retailer's keys when `retailerId` is given) and
 * ends its web console sessions in the same transaction; false when there is none or it was already revoked.
 * This process refuses the key from now on (its cache entry goes); other processes within KEY_CACHE_TTL_MS.
 */
export async function revokeApiKey(db: Db, prefix: string, retailerId?: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    let update = trx.updateTable('api_keys').set({ revoked_at: new Date().toISOString() })
      .where('prefix', '=', prefix).where('revoked_at', 'is', null);
    if (retailerId !== undefined) update = update.where('retailer_id', '=', retailerId);
    const result = await update.executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    forgetCachedKey(db, prefix);
    await trx.deleteFrom('console_sessions')
      .where('key_id', 'in', trx.selectFrom('api_keys').select('id').where('prefix', '=', prefix))
      .execute();
    return true;
  });
}

/** One retailer's keys, newest first (the console's key list): never the secret nor its hash. */
export async function listRetailerApiKeys(db: Db, retailerId: string): Promise<Omit<KeyListing, 'retailer'>[]> {
  return db.selectFrom('api_keys')
    .select(['prefix', 'name', 'scopes', 'created_at', 'last_used_at', 'revoked_at', 'expires_at'])
    .where('retailer_id', '=', retailerId)
    .orderBy('created_at', 'desc').orderBy('id', 'desc')
    .execute();
}

export interface VerifiedKey {
  keyId: string;
  /** The display prefix (`pk_live_` + 8 characters): safe to log, never the secret. */
  prefix: string;
  retailerId: string;
  timezone: string;
  scopes: Scope[];
  /** When it stops working (UTC instant), or null: never. */
  expiresAt: string | null;
}

/**
 * The key look-up by display prefix, prepared once per database (preparedQuery): it runs on every API request.
 * The retailer's time zone comes from a subquery, which SQLite runs in ~6 µs where the inner join took ~30 µs
 * (no retailer, no key, as with the join).
 */
function prepareKeyLookup(db: Db) {
  return preparedQuery(db, (prefix: string) => db.selectFrom('api_keys')
    .select(['api_keys.id', 'api_keys.retailer_id', 'api_keys.key_hash', 'api_keys.scopes', 'api_keys.revoked_at', 'api_keys.expires_at'])
    .select((eb) => eb.selectFrom('retailers').select('retailers.timezone')
      .whereRef('retailers.id', '=', 'api_keys.retailer_id').as('timezone'))
    .where('api_keys.prefix', '=', prefix));
}
const keyLookups = new WeakMap<Db, ReturnType<typeof prepareKeyLookup>>();

/**
 * How long a verified key is taken on trust without reading it again (ms). A key revoked by another process (the
 * CLI, another worker) is refused there within this time; issue 10 allows 5 s. Revoking or rotating in this
 * process takes effect at once (the entry goes), and no entry outlives the key's own expiry.
 */
export const KEY_CACHE_TTL_MS = 2_000;
/** Entries kept at most; past it the cache starts afresh (only a flood of distinct valid keys gets there). */
const KEY_CACHE_MAX = 10_000;

interface CachedKey {
  key: VerifiedKey;
  /** Date.now() after which the key is read again. */
  until: number;
}
/** Verified keys by the SHA-256 (hex) of their secret, per database handle: the secret itself is never kept. */
const keyCaches = new WeakMap<Db, Map<string, CachedKey>>();

function forgetCachedKey(db: Db, prefix: string): void {
  const cache = keyCaches.get(db);
  if (cache) for (const [hash, entry] of cache) if (entry.key.prefix === prefix) cache.delete(hash);
}

/**
 * The verified key for this secret if this process verified it less than KEY_CACHE_TTL_MS ago (and before its
 * expiry), and has not revoked or rotated it since; undefined otherwise (then call verifyApiKey). Synchronous.
 */
export function cachedApiKey(db: Db, secret: string): VerifiedKey | undefined {
  const cache = keyCaches.get(db);
  if (!cache) return undefined;
  const hash = hashKey(secret);
  const entry = cache.get(hash);
  if (!entry) return undefined;
  if (entry.until > Date.now()) return entry.key;
  cache.delete(hash);
  return undefined;
}

/**
 * The key's retailer and scopes, or null for a malformed, unknown, revoked or expired key (or a hash that differs).
 * Read from the database; a valid key is then cached for cachedApiKey (refusals are not, so a key created
 * elsewhere works at once).
 */
export async function verifyApiKey(db: Db, secret: string): Promise<VerifiedKey | null> {
  if (!isWellFormedKey(secret)) return null;
  let lookup = keyLookups.get(db);
  if (!lookup) keyLookups.set(db, lookup = prepareKeyLookup(db));
  const prefix = displayPrefix(secret);
  const [row] = await lookup(prefix);
  const hash = hashKey(secret);
  if (!row || row.timezone === null || row.revoked_at !== null || !hashesMatch(row.key_hash, hash)) return null;
  // Expiry (and a rotation's grace period) ends here: instants are ISO text, comparable as strings.
  const now = Date.now();
  if (row.expires_at !== null && row.expires_at <= new Date(now).toISOString()) return null;
  const key: VerifiedKey = {
    keyId: row.id, prefix, retailerId: row.retailer_id, timezone: row.timezone, scopes: row.scopes.split(',') as Scope[],
    expiresAt: row.expires_at,
  };
  let cache = keyCaches.get(db);
  if (!cache) keyCaches.set(db, cache = new Map());
  if (cache.size >= KEY_CACHE_MAX) cache.clear();
  const until = Math.min(now + KEY_CACHE_TTL_MS, row.expires_at === null ? Infinity : Date.parse(row.expires_at));
  cache.set(hash, { key, until });
  return key;
}

export async function touchApiKey(db: Db, keyId: string, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at.toISOString() }).where('id', '=', keyId).execute();
}

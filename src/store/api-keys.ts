import { generateKey, hashesMatch, hashKey, displayPrefix, isWellFormedKey, type Scope } from '../domain/api-keys.ts';
import { newId } from '../domain/ids.ts';
import { preparedQuery, type Db } from '../db/database.ts';
import type { ApiKeyRow } from '../db/schema.ts';

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
    expires_at: expiresAt, rotated_at: null, replaced_by: null,
  }).execute();
  return { secret, prefix, name, scopes, expiresAt };
}

export interface RotatedKey {
  key: CreatedKey;
  /** When the old key stops working (UTC instant): now plus the grace period, or its own earlier expiry. */
  oldExpiresAt: string;
}

/**
 * Why a key cannot be rotated or revoked (`keys rotate`, `keys revoke`): none has the prefix; it is revoked; it was
 * rotated already (it works, if at all, until its grace period ends, and its successor is the key to rotate); it
 * has expired. UTC instants.
 */
export type KeyRefusal =
  | { reason: 'not_found' }
  | { reason: 'revoked'; revokedAt: string }
  | { reason: 'rotated'; rotatedAt: string; replacedBy: string; expiresAt: string | null }
  | { reason: 'expired'; expiredAt: string };

type KeyRow = Pick<ApiKeyRow, 'revoked_at' | 'rotated_at' | 'replaced_by' | 'expires_at'>;

/** Why the key in `row` may not be rotated now, or null when it may. A revoked key is told first: it never works again. */
function rotationRefusal(row: KeyRow | undefined, now: Date): KeyRefusal | null {
  if (!row) return { reason: 'not_found' };
  if (row.revoked_at !== null) return { reason: 'revoked', revokedAt: row.revoked_at };
  if (row.replaced_by !== null) {
    return { reason: 'rotated', rotatedAt: row.rotated_at ?? '', replacedBy: row.replaced_by, expiresAt: row.expires_at };
  }
  if (row.expires_at !== null && row.expires_at <= now.toISOString()) return { reason: 'expired', expiredAt: row.expires_at };
  return null;
}

/** Thrown inside rotateApiKey's transaction to roll back the new key when another rotation or a revoke came first. */
class LostRace extends Error {}

/**
 * Rotation: a new key with the old one's retailer, name and scopes, while the old key keeps working for
 * `graceMs` and then stops (never longer than it would have). Refused (a KeyRefusal, nothing changed) for a key
 * that is revoked, expired, or was rotated already: rotating that again would hand out a second successor, and
 * nothing may make an old secret work again or longer. One transaction; the old key is changed only where it is
 * still unrotated and unrevoked, so two rotations at once make one successor.
 */
export async function rotateApiKey(
  db: Db, prefix: string, graceMs: number, now = new Date(),
): Promise<{ ok: true; rotated: RotatedKey } | ({ ok: false } & KeyRefusal)> {
  forgetCachedKey(db, prefix); // its expiry changes: read it again
  const read = () => db.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).executeTakeFirst();
  try {
    return await db.transaction().execute(async (trx) => {
      const old = await trx.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).executeTakeFirst();
      const refusal = rotationRefusal(old, now);
      if (refusal || !old) return { ok: false as const, ...(refusal ?? { reason: 'not_found' as const }) };
      const graceEnd = new Date(now.getTime() + graceMs).toISOString();
      const oldExpiresAt = old.expires_at !== null && old.expires_at < graceEnd ? old.expires_at : graceEnd;
      const key = await createApiKey(trx, old.retailer_id, old.name, old.scopes.split(',') as Scope[]);
      const changed = await trx.updateTable('api_keys')
        .set({ expires_at: oldExpiresAt, rotated_at: now.toISOString(), replaced_by: key.prefix })
        .where('id', '=', old.id).where('revoked_at', 'is', null).where('replaced_by', 'is', null).executeTakeFirst();
      if (Number(changed.numUpdatedRows) === 0) throw new LostRace();
      return { ok: true as const, rotated: { key, oldExpiresAt } };
    });
  } catch (error) {
    if (!(error instanceof LostRace)) throw error;
    const refusal = rotationRefusal(await read(), now);
    return { ok: false, ...(refusal ?? { reason: 'not_found' }) };
  }
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
  replaced_by: string | null;
}

export async function listApiKeys(db: Db): Promise<KeyListing[]> {
  return db.selectFrom('api_keys')
    .innerJoin('retailers', 'retailers.id', 'api_keys.retailer_id')
    .select(['api_keys.prefix', 'retailers.name as retailer', 'api_keys.name', 'api_keys.scopes',
      'api_keys.created_at', 'api_keys.last_used_at', 'api_keys.revoked_at', 'api_keys.expires_at', 'api_keys.replaced_by'])
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

/** Why `keys revoke` did nothing: no key has the prefix, or it was revoked already (when). */
export async function revocationRefusal(db: Db, prefix: string): Promise<KeyRefusal> {
  const row = await db.selectFrom('api_keys').select('revoked_at').where('prefix', '=', prefix).executeTakeFirst();
  return row?.revoked_at ? { reason: 'revoked', revokedAt: row.revoked_at } : { reason: 'not_found' };
}

/**
 * Whether a whole key given is the key with its prefix (its hash matches), whatever that key's state: `that key`,
 * `another key` (the prefix names a key, the rest differs: a typo) or `no key`.
 */
export async function wholeKeyMatch(db: Db, secret: string): Promise<'that key' | 'another key' | 'no key'> {
  const row = isWellFormedKey(secret)
    ? await db.selectFrom('api_keys').select('key_hash').where('prefix', '=', displayPrefix(secret)).executeTakeFirst()
    : undefined;
  if (!row) return 'no key';
  return hashesMatch(row.key_hash, hashKey(secret)) ? 'that key' : 'another key';
}

/** One retailer's keys, newest first (the console's key list): never the secret nor its hash. */
export async function listRetailerApiKeys(db: Db, retailerId: string): Promise<Omit<KeyListing, 'retailer' | 'replaced_by'>[]> {
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

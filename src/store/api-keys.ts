import { generateKey, hashesMatch, hashKey, displayPrefix, isWellFormedKey, type Scope } from '../domain/api-keys.ts';
import { newId } from '../domain/ids.ts';
import { preparedQuery, type Db } from '../db/database.ts';

export interface CreatedKey {
  secret: string;
  prefix: string;
  name: string;
  scopes: Scope[];
}

export async function createApiKey(db: Db, retailerId: string, name: string, scopes: Scope[]): Promise<CreatedKey> {
  const { secret, prefix, hash } = generateKey();
  await db.insertInto('api_keys').values({
    id: newId('key'), retailer_id: retailerId, name, prefix, key_hash: hash,
    scopes: scopes.join(','), created_at: new Date().toISOString(), last_used_at: null, revoked_at: null,
  }).execute();
  return { secret, prefix, name, scopes };
}

export interface KeyListing {
  prefix: string;
  retailer: string;
  name: string;
  scopes: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export async function listApiKeys(db: Db): Promise<KeyListing[]> {
  return db.selectFrom('api_keys')
    .innerJoin('retailers', 'retailers.id', 'api_keys.retailer_id')
    .select(['api_keys.prefix', 'retailers.name as retailer', 'api_keys.name', 'api_keys.scopes',
      'api_keys.created_at', 'api_keys.last_used_at', 'api_keys.revoked_at'])
    .orderBy('api_keys.created_at')
    .execute();
}

/**
 * Revokes the key with this display prefix (only among this retailer's keys when `retailerId` is given) and
 * ends its web console sessions in the same transaction; false when there is none or it was already revoked.
 */
export async function revokeApiKey(db: Db, prefix: string, retailerId?: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    let update = trx.updateTable('api_keys').set({ revoked_at: new Date().toISOString() })
      .where('prefix', '=', prefix).where('revoked_at', 'is', null);
    if (retailerId !== undefined) update = update.where('retailer_id', '=', retailerId);
    const result = await update.executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await trx.deleteFrom('console_sessions')
      .where('key_id', 'in', trx.selectFrom('api_keys').select('id').where('prefix', '=', prefix))
      .execute();
    return true;
  });
}

/** One retailer's keys, newest first (the console's key list): never the secret nor its hash. */
export async function listRetailerApiKeys(db: Db, retailerId: string): Promise<Omit<KeyListing, 'retailer'>[]> {
  return db.selectFrom('api_keys')
    .select(['prefix', 'name', 'scopes', 'created_at', 'last_used_at', 'revoked_at'])
    .where('retailer_id', '=', retailerId)
    .orderBy('created_at', 'desc').orderBy('id', 'desc')
    .execute();
}

export interface VerifiedKey {
  keyId: string;
  retailerId: string;
  timezone: string;
  scopes: Scope[];
}

/**
 * The key look-up by display prefix, prepared once per database (preparedQuery): it runs on every API request.
 * The retailer's time zone comes from a subquery, which SQLite runs in ~6 µs where the inner join took ~30 µs
 * (no retailer, no key, as with the join).
 */
function prepareKeyLookup(db: Db) {
  return preparedQuery(db, (prefix: string) => db.selectFrom('api_keys')
    .select(['api_keys.id', 'api_keys.retailer_id', 'api_keys.key_hash', 'api_keys.scopes', 'api_keys.revoked_at'])
    .select((eb) => eb.selectFrom('retailers').select('retailers.timezone')
      .whereRef('retailers.id', '=', 'api_keys.retailer_id').as('timezone'))
    .where('api_keys.prefix', '=', prefix));
}
const keyLookups = new WeakMap<Db, ReturnType<typeof prepareKeyLookup>>();

/**
 * The key's retailer and scopes, or null for a malformed, unknown or revoked key (or a hash that differs).
 * The key is read afresh every time, so a key revoked from another process is refused on its next use.
 */
export async function verifyApiKey(db: Db, secret: string): Promise<VerifiedKey | null> {
  if (!isWellFormedKey(secret)) return null;
  let lookup = keyLookups.get(db);
  if (!lookup) keyLookups.set(db, lookup = prepareKeyLookup(db));
  const [row] = await lookup(displayPrefix(secret));
  if (!row || row.timezone === null || row.revoked_at !== null || !hashesMatch(row.key_hash, hashKey(secret))) return null;
  return { keyId: row.id, retailerId: row.retailer_id, timezone: row.timezone, scopes: row.scopes.split(',') as Scope[] };
}

export async function touchApiKey(db: Db, keyId: string, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at.toISOString() }).where('id', '=', keyId).execute();
}

// Web console sessions (DESIGN 4c, migration 0012). The browser holds a random token in an HttpOnly cookie;
// the row holds its hash, the key it was signed in with and an expiry. Every look-up re-reads the key, so a key
// revoked anywhere (the console, `ordersync keys revoke`, another process) or past its expiry ends its sessions on
// their next request.
import { createHash, randomBytes } from 'node:crypto';
import type { Scope } from '../domain/api-keys.ts';
import type { Db } from '../db/database.ts';

export interface ConsoleSession {
  retailerId: string;
  retailerName: string;
  timezone: string;
  keyId: string;
  /** The key's display prefix (`pk_live_` + 8), shown as who is signed in. */
  keyPrefix: string;
  keyName: string;
  scopes: Scope[];
  /** UTC instant. */
  expiresAt: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Starts a session for a verified key; returns the token for the cookie (43 base64url characters, 256 random
 * bits). Only its hash is stored. Expired sessions are swept here, so the table never outgrows the active ones.
 */
export async function createConsoleSession(
  db: Db, key: { keyId: string; retailerId: string }, ttlMs: number, now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db.deleteFrom('console_sessions').where('expires_at', '<=', now.toISOString()).execute();
  await db.insertInto('console_sessions').values({
    token_hash: hashToken(token), retailer_id: key.retailerId, key_id: key.keyId,
    created_at: now.toISOString(), expires_at: expiresAt.toISOString(),
  }).execute();
  return { token, expiresAt };
}

/** The live session of this cookie token, or undefined when it is unknown or expired, or its key revoked or expired. */
export async function findConsoleSession(db: Db, token: string, now = new Date()): Promise<ConsoleSession | undefined> {
  const row = await db.selectFrom('console_sessions as s')
    .innerJoin('api_keys as k', 'k.id', 's.key_id')
    .innerJoin('retailers as r', 'r.id', 's.retailer_id')
    .select(['s.retailer_id', 's.key_id', 's.expires_at', 'k.prefix', 'k.name', 'k.scopes', 'r.name as retailer_name', 'r.timezone'])
    .where('s.token_hash', '=', hashToken(token))
    .where('s.expires_at', '>', now.toISOString())
    .where('k.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', now.toISOString())]))
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    retailerId: row.retailer_id, retailerName: row.retailer_name, timezone: row.timezone, keyId: row.key_id,
    keyPrefix: row.prefix, keyName: row.name, scopes: row.scopes.split(',') as Scope[], expiresAt: row.expires_at,
  };
}

/** Sign-out: the session ends server-side, so a copied cookie no longer works. */
export async function deleteConsoleSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('token_hash', '=', hashToken(token)).execute();
}

/** Ends every session signed in with this key (called when the key is revoked). */
export async function deleteConsoleSessionsOfKey(db: Db, keyId: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('key_id', '=', keyId).execute();
}

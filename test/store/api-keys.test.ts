// API keys in the database: only the hash and display prefix are kept; unknown, revoked and malformed keys fail.
import { describe, expect, it } from 'vitest';
import { hashKey } from '../../src/domain/api-keys.ts';
import { createApiKey, listApiKeys, revokeApiKey, touchApiKey, verifyApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { TestDatabases } from '../support/test-database.ts';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('API keys on %s', (databaseId) => {
  it('stores the hash and the prefix, never the secret', async () => {
    const { db } = await databases.init(databaseId);
    const { retailer } = await ensureRetailer(db, 'keys-shop', 'Europe/Berlin');
    const key = await createApiKey(db, retailer.id, 'ci', ['read', 'write']);
    expect(key.secret).toMatch(/^pk_live_[0-9A-Za-z]{32,}$/);
    const rows = await db.selectFrom('api_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ prefix: key.prefix, key_hash: hashKey(key.secret), scopes: 'read,write', name: 'ci', revoked_at: null });
    const secretPart = key.secret.slice('pk_live_'.length + 8);
    for (const value of Object.values(rows[0])) expect(String(value)).not.toContain(secretPart);
  });

  it('verifies a key: its retailer, time zone and scopes; null when unknown, malformed or revoked', async () => {
    const { db } = await databases.init(databaseId);
    const { retailer } = await ensureRetailer(db, 'keys-shop', 'Europe/Berlin');
    const key = await createApiKey(db, retailer.id, 'ci', ['read']);
    expect(await verifyApiKey(db, key.secret)).toMatchObject({ retailerId: retailer.id, timezone: 'Europe/Berlin', scopes: ['read'] });
    // Same prefix, different rest: the hash decides.
    const forged = key.secret.slice(0, -1) + (key.secret.endsWith('A') ? 'B' : 'A');
    expect(await verifyApiKey(db, forged)).toBeNull();
    expect(await verifyApiKey(db, 'pk_live_nope')).toBeNull();
    expect(await revokeApiKey(db, key.prefix)).toBe(true);
    expect(await verifyApiKey(db, key.secret)).toBeNull();
    expect(await revokeApiKey(db, key.prefix)).toBe(false);
  });

  it('lists keys with retailer, scopes, use and revocation', async () => {
    const { db } = await databases.init(databaseId);
    const { retailer } = await ensureRetailer(db, 'keys-shop');
    const one = await createApiKey(db, retailer.id, 'one', ['read']);
    const two = await createApiKey(db, retailer.id, 'two', ['admin']);
    await touchApiKey(db, (await verifyApiKey(db, one.secret))!.keyId, new Date('2027-01-02T03:04:05.000Z'));
    await revokeApiKey(db, two.prefix);
    const listed = await listApiKeys(db);
    expect(listed.map((k) => k.prefix).sort()).toEqual([one.prefix, two.prefix].sort());
    expect(listed.find((k) => k.prefix === one.prefix)).toMatchObject({ retailer: 'keys-shop', name: 'one', scopes: 'read', last_used_at: '2027-01-02T03:04:05.000Z', revoked_at: null });
    expect(listed.find((k) => k.prefix === two.prefix)?.revoked_at).toEqual(expect.any(String));
  });
});

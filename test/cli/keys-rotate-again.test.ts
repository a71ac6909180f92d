// `keys rotate` on a key that was rotated already, has expired, or was revoked (README "API keys"): refused with one
// line naming why and what to do instead, nothing changed, and the old secret never works again or longer. A
// second rotation used to make a second successor (the old key's prefix then named two "replacements"), and every
// refusal said only "no active API key with prefix …", which read as a typo.
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { run, SECRET_LINE, tempDir } from '../support/cli-process.ts';
import { buildTestApp } from '../support/world.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const secretOf = (stdout: string) => stdout.split('\n').map((l) => l.trim()).find((l) => SECRET_LINE.test(l)) ?? '';
const prefixOf = (secret: string) => secret.slice(0, 16);
const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

describe('ordersync keys rotate, again', () => {
  let file: string;
  let env: Record<string, string>;
  const rows = () => {
    const db = new SQLite(file, { readonly: true });
    try {
      return db.prepare('select prefix, revoked_at, expires_at, replaced_by from api_keys order by created_at, id').all() as
        { prefix: string; revoked_at: string | null; expires_at: string | null; replaced_by: string | null }[];
    } finally {
      db.close();
    }
  };
  const set = (prefix: string, column: 'expires_at' | 'revoked_at', value: string) => {
    const db = new SQLite(file);
    db.prepare(`update api_keys set ${column} = ? where prefix = ?`).run(value, prefix);
    db.close();
  };
  /** GET by-po with `key` through the real app on the file: 404 (works) or 401 (refused). */
  const status = async (key: string) => {
    const database = openDatabase({ kind: 'sqlite', file });
    const app = await buildTestApp(database.db);
    try {
      return (await app.inject({ method: 'GET', url: '/api/v2/orders/by-po/NOPE', headers: { 'x-api-key': key } })).statusCode;
    } finally {
      await app.close();
      await database.close();
    }
  };
  /** A key made straight in the database (the commands under test are the ones run as processes). */
  const create = async () => {
    const database = openDatabase({ kind: 'sqlite', file });
    try {
      const { retailer } = await ensureRetailer(database.db, 'rotate-golf');
      return (await createApiKey(database.db, retailer.id, 'default', ['read'])).secret;
    } finally {
      await database.close();
    }
  };

  beforeAll(async () => {
    file = join(tempDir(), 'ordersync.db');
    env = { DATABASE_URL: `sqlite:${file}` };
    const database = openDatabase({ kind: 'sqlite', file });
    await migrateToLatest(database.db);
    await database.close();
  });

  it('a key rotated already is refused, naming its successor and its end; nothing changes, the successor rotates', async () => {
    const old = await create();
    const first = await run(['keys', 'rotate', prefixOf(old), '--grace', '1h'], env);
    expect(first.code, first.stderr).toBe(0);
    const successor = secretOf(first.stdout);
    const before = rows();
    const again = await run(['keys', 'rotate', prefixOf(old), '--grace', '30d'], env);
    expect(again.code).not.toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr.trim()).toMatch(new RegExp(`^ordersync: ${prefixOf(old)} was already rotated at ${ISO}: it was replaced by `
      + `${prefixOf(successor)}; it keeps working until ${ISO}\\. Rotate ${prefixOf(successor)} instead \\(rotating ${prefixOf(old)} `
      + `again would make a second successor\\); \`keys revoke ${prefixOf(old)}\` ends it now$`));
    expect(rows()).toEqual(before); // no third key, the old key's end not moved by the longer grace
    expect(await status(old)).toBe(404);
    const next = await run(['keys', 'rotate', prefixOf(successor)], env);
    expect(next.code, next.stderr).toBe(0);
  });

  it('once the grace period is over the old key is refused for good: rotating it again does not bring it back', async () => {
    const old = await create();
    expect((await run(['keys', 'rotate', prefixOf(old)], env)).code).toBe(0);
    set(prefixOf(old), 'expires_at', new Date(Date.now() - 1000).toISOString());
    expect(await status(old)).toBe(401);
    const before = rows();
    const again = await run(['keys', 'rotate', prefixOf(old), '--grace', '7d'], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(new RegExp(`was already rotated at ${ISO}: .*; it stopped working at ${ISO}\\.`));
    expect(rows()).toEqual(before);
    expect(await status(old)).toBe(401);
    // A key that expired without a rotation: said so.
    const expiring = await create();
    set(prefixOf(expiring), 'expires_at', new Date(Date.now() - 1000).toISOString());
    const expired = await run(['keys', 'rotate', prefixOf(expiring)], env);
    expect(expired.stderr.trim()).toMatch(new RegExp(`^ordersync: ${prefixOf(expiring)} expired at ${ISO} and never works again: it `
      + 'cannot be rotated; make a new key with `keys create`$'));
    expect(await status(expiring)).toBe(401);
  });

  it('a revoked key is refused by rotate and by revoke, naming when; it stays refused', async () => {
    const secret = await create();
    set(prefixOf(secret), 'revoked_at', new Date().toISOString());
    const before = rows();
    const rotate = await run(['keys', 'rotate', secret], env); // the whole key, as pasted from a leak
    expect(rotate.code).not.toBe(0);
    expect(rotate.stderr.trim()).toMatch(new RegExp(`^ordersync: ${prefixOf(secret)} was revoked at ${ISO}: a revoked key never works `
      + 'again, so it has nothing to hand over; make a new key with `keys create`$'));
    expect(rotate.stderr).not.toContain(secret);
    const revoke = await run(['keys', 'revoke', prefixOf(secret)], env);
    expect(revoke.code).not.toBe(0);
    expect(revoke.stderr.trim()).toMatch(new RegExp(`^ordersync: ${prefixOf(secret)} was revoked at ${ISO}: a revoked key never works again$`));
    expect(rows()).toEqual(before);
    expect(await status(secret)).toBe(401);
    const unknown = await run(['keys', 'rotate', 'pk_live_NoSuchKy'], env);
    expect(unknown.stderr.trim()).toBe('ordersync: no API key with prefix "pk_live_NoSuchKy" (`keys list` shows them)');
  });
});

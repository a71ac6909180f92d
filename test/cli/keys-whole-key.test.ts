// `keys revoke` and `keys rotate` given the whole key (README "API keys"): the usual case when a key has leaked
// and the operator has it in hand. Both said "no active API key with prefix "pk_live_<the whole secret>"": nothing
// revoked, and the secret printed again to the terminal or CI log. Now the key's display prefix is used, and no
// message prints more of the argument than a prefix's length.
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { run, SECRET_LINE, tempDir } from '../support/cli-process.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const secretOf = (stdout: string) => stdout.split('\n').map((l) => l.trim()).find((l) => SECRET_LINE.test(l)) ?? '';

describe('ordersync keys revoke/rotate with the whole key', () => {
  let file: string;
  let env: Record<string, string>;
  const state = (prefix: string) => {
    const db = new SQLite(file, { readonly: true });
    try {
      return db.prepare('select revoked_at, expires_at from api_keys where prefix = ?').get(prefix) as { revoked_at: string | null; expires_at: string | null };
    } finally {
      db.close();
    }
  };
  const create = async () => {
    const created = await run(['keys', 'create', '--retailer', 'leaky-golf'], env);
    expect(created.code, created.stderr).toBe(0);
    return secretOf(created.stdout);
  };

  beforeAll(() => {
    file = join(tempDir(), 'ordersync.db');
    env = { DATABASE_URL: `sqlite:${file}` };
  });

  it('revoke: the whole key revokes it, and is not printed back', async () => {
    const secret = await create();
    const revoked = await run(['keys', 'revoke', secret], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout.trim()).toBe(`Revoked ${secret.slice(0, 16)}.`);
    expect(state(secret.slice(0, 16)).revoked_at).not.toBeNull();
    const again = await run(['keys', 'revoke', secret], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim()).toMatch(new RegExp(`^ordersync: ${secret.slice(0, 16)} was revoked at \\S+: a revoked key never works again$`));
    expect(again.stdout + again.stderr).not.toContain(secret);
  });

  // A whole key must be that key: one character off shares the prefix of a real key, which must not be revoked or
  // rotated by it (fresh-user finding: `Revoked pk_live_…`, and the real key then answered 401).
  it.each(['revoke', 'rotate'])('%s: a mistyped whole key is refused and the key with its prefix keeps working', async (command) => {
    const secret = await create();
    const last = secret.at(-1) === 'A' ? 'B' : 'A';
    const mistyped = `${secret.slice(0, -1)}${last}`;
    const refused = await run(['keys', command, mistyped], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim()).toBe(`ordersync: the key given is not the key with its prefix ${secret.slice(0, 16)}: the rest does not match (a typo?); give the prefix alone to act on the key with that prefix`);
    expect(refused.stdout + refused.stderr).not.toContain(mistyped);
    expect(state(secret.slice(0, 16)).revoked_at).toBeNull();
    expect(state(secret.slice(0, 16)).expires_at).toBeNull();
  });

  it('rotate: the whole key rotates it, and is not printed back', async () => {
    const secret = await create();
    const rotated = await run(['keys', 'rotate', secret, '--grace', '1h'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(state(secret.slice(0, 16)).expires_at).not.toBeNull();
    expect(rotated.stdout + rotated.stderr).not.toContain(secret);
    const unknown = `pk_live_${'Z'.repeat(40)}`;
    const refused = await run(['keys', 'rotate', unknown], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).not.toContain(unknown);
    // Something longer than a prefix that is not a key is cut to a prefix's length too.
    const typo = `${secret.slice(0, 30)}!`;
    const mistyped = await run(['keys', 'revoke', typo], env);
    expect(mistyped.stderr.trim()).toBe(`ordersync: no API key with prefix "${typo.slice(0, 16)}…" (\`keys list\` shows them)`);
  });
});

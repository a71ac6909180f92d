// The `ordersync` command (DESIGN 5): spawned as a user runs it, against a temporary SQLite file.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { hashKey } from '../../src/domain/api-keys.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { endpoints, expectEnvelope, expectError } from '../support/contract.ts';
import { buildTestApp } from '../support/world.ts';
import { freePort, run, SECRET_LINE, startServer, tempDir, waitForHealth, type Result } from '../support/cli-process.ts';

// Each test starts processes that load the whole service (a few seconds each on a busy machine).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/** Every value of every row of every table, as text. */
function everyStoredValue(file: string): string {
  const sqlite = new SQLite(file, { readonly: true });
  try {
    const tables = sqlite.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[];
    return tables.map(({ name }) => JSON.stringify(sqlite.prepare(`select * from "${name}"`).all())).join('\n');
  } finally {
    sqlite.close();
  }
}

/** The database file and its WAL, as they are on disk. */
function rawFiles(dir: string): string {
  return readdirSync(dir).filter((f) => f.startsWith('ordersync.db')).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('');
}

describe('ordersync keys', () => {
  let dir: string;
  let env: Record<string, string>;
  let file: string;
  let created: Result;
  let secret: string;

  beforeAll(async () => {
    dir = tempDir();
    file = join(dir, 'ordersync.db');
    env = { DATABASE_URL: `sqlite:${file}` };
    created = await run(['keys', 'create', '--retailer', 'pro-shop', '--name', 'ci', '--scope', 'read,write'], env);
    secret = created.stdout.split('\n').find((line) => SECRET_LINE.test(line)) ?? '';
  });

  it('create prints the secret once, on its own stdout line', () => {
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toMatch(SECRET_LINE);
    expect(secret).toMatch(SECRET_LINE);
    expect(created.stderr).toMatch(/not be shown again/);
    expect(created.stderr).not.toContain(secret);
  });

  it('create keeps only the hash and the display prefix: the secret is nowhere in the database', () => {
    const stored = everyStoredValue(file);
    expect(stored).toContain(hashKey(secret));
    expect(stored).toContain(secret.slice(0, 16));
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(16));
    expect(rawFiles(dir)).not.toContain(secret.slice(16));
  });

  it('list shows prefix, retailer, name and scopes, and never the secret', async () => {
    const listed = await run(['keys', 'list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    for (const text of [secret.slice(0, 16), 'pro-shop', 'ci', 'read,write']) expect(listed.stdout).toContain(text);
    expect(listed.stdout).not.toContain(secret);
  });

  it('create says on stderr when it creates the retailer, and says nothing of the kind for an existing one', async () => {
    expect(created.stderr).toContain('created retailer "pro-shop" (new)');
    const again = await run(['keys', 'create', '--retailer', 'pro-shop', '--name', 'second'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toMatch(SECRET_LINE);
    expect(again.stderr).not.toContain('created retailer');
  });

  it('create --existing refuses an unknown retailer (a typo), listing the known ones, and creates nothing', async () => {
    const before = everyStoredValue(file);
    const typo = await run(['keys', 'create', '--retailer', 'pro-shoop', '--existing'], env);
    expect(typo.code).not.toBe(0);
    expect(typo.code).not.toBeNull();
    expect(typo.stderr.trim().split('\n')).toHaveLength(1);
    expect(typo.stderr).toContain('no retailer "pro-shoop"');
    expect(typo.stderr).toContain('"pro-shop"');
    expect(typo.stdout).not.toMatch(/pk_live_/);
    expect(everyStoredValue(file)).toBe(before);
    const known = await run(['keys', 'create', '--retailer', 'pro-shop', '--existing', '--name', 'third'], env);
    expect(known.code, known.stderr).toBe(0);
    expect(known.stdout.trim()).toMatch(SECRET_LINE);
    expect(known.stderr).not.toContain('created retailer');
  });

  it('create refuses control characters or a blank in --retailer and --name, naming the option', async () => {
    const before = everyStoredValue(file);
    for (const [option, args] of [
      ['--retailer', ['--retailer', 'pro\u0007shop']], ['--retailer', ['--retailer', 'pro\nshop']], ['--retailer', ['--retailer', '  ']],
      ['--name', ['--retailer', 'pro-shop', '--name', 'ci\u001b[31m']],
    ] as const) {
      const result = await run(['keys', 'create', ...args], env);
      expect(result.code, `${args.join(' ')}`).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`${option}:`);
      expect(result.stdout).not.toMatch(/pk_live_/);
    }
    expect(everyStoredValue(file)).toBe(before);
  });

  it('a bad --scope exits non-zero with a one-line reason, and creates nothing', async () => {
    const before = everyStoredValue(file);
    const result = await run(['keys', 'create', '--retailer', 'other-shop', '--scope', 'read,delete'], env);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--scope');
    expect(result.stdout).not.toMatch(/pk_live_/);
    expect(everyStoredValue(file)).toBe(before);
  });

  it('--scope may be repeated and comma-separated: the key gets every scope given, once each', async () => {
    const scopesOf = (name: string): string => {
      const sqlite = new SQLite(file, { readonly: true });
      try {
        return (sqlite.prepare('select scopes from api_keys where name = ?').get(name) as { scopes: string }).scopes;
      } finally {
        sqlite.close();
      }
    };
    const repeated = await run(['keys', 'create', '--retailer', 'pro-shop', '--name', 'repeated', '--scope', 'read', '--scope', 'write'], env);
    expect(repeated.code, repeated.stderr).toBe(0);
    expect(repeated.stderr).toContain('with scopes read,write.');
    expect(scopesOf('repeated')).toBe('read,write');
    const mixed = await run(['keys', 'create', '--retailer', 'pro-shop', '--name', 'mixed',
      '--scope', 'read,write', '--scope', 'admin', '--scope', 'write'], env);
    expect(mixed.code, mixed.stderr).toBe(0);
    expect(mixed.stderr).toContain('with scopes read,write,admin.');
    expect(scopesOf('mixed')).toBe('read,write,admin');
    const only = await run(['keys', 'create', '--retailer', 'pro-shop', '--name', 'only-write', '--scope', 'write'], env);
    expect(only.code, only.stderr).toBe(0);
    expect(scopesOf('only-write')).toBe('write');
  });

  it('an unknown scope among repeated --scope options is refused, naming it, and creates nothing', async () => {
    const before = everyStoredValue(file);
    const result = await run(['keys', 'create', '--retailer', 'pro-shop', '--scope', 'read', '--scope', 'delete'], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe('ordersync: --scope: unknown scope "delete"; the scopes are read, write, admin');
    for (const slip of ['read,,write', 'read,', ' ']) {
      const empty = await run(['keys', 'create', '--retailer', 'pro-shop', '--name', `slip-${slip.length}`, '--scope', 'read', '--scope', slip], env);
      expect(empty.code).not.toBe(0);
      expect(empty.stderr.trim()).toBe(`ordersync: --scope: "${slip}" has an empty scope name; the scopes are read, write, admin`);
    }
    expect(result.stdout).not.toMatch(/pk_live_/);
    expect(everyStoredValue(file)).toBe(before);
  });

  it('keys create --help shows that --scope can be repeated', async () => {
    const help = await run(['keys', 'create', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('comma-separated and/or repeated, e.g. --scope read --scope write (default: read)');
  });

  it('revoke makes the key fail with 401; revoking it again fails with a one-line reason', async () => {
    const revoked = await run(['keys', 'revoke', secret.slice(0, 16)], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(secret.slice(0, 16));

    const again = await run(['keys', 'revoke', secret.slice(0, 16)], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);

    const database = openDatabase({ kind: 'sqlite', file });
    const app = await buildTestApp(database.db);
    try {
      const retailer = await database.db.selectFrom('retailers').select('id').where('name', '=', 'pro-shop').executeTakeFirstOrThrow();
      const kept = (await createApiKey(database.db, retailer.id, 'kept', ['read'])).secret;
      const row = await database.db.selectFrom('api_keys').select('revoked_at').where('prefix', '=', secret.slice(0, 16)).executeTakeFirstOrThrow();
      expect(row.revoked_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expectError(await endpoints(app, 'v1', secret).byDate({ start_date: '2027-01-01' }), 401, 'unauthorized');
      expectEnvelope(await endpoints(app, 'v1', kept).byDate({ start_date: '2027-01-01' }), 'v1');
    } finally {
      await app.close();
      await database.close();
    }
  });
});

// Independent processes: run them side by side. Every variable's validation is in test/config.test.ts; here the
// command itself shows the one-line reason and the exit status.
describe.concurrent('configuration errors', () => {
  it.each([['keys', 'list'], ['serve']])('%s %s with PORT=abc exits non-zero with one line naming PORT', async (...args) => {
    const dir = tempDir();
    const result = await run(args, { DATABASE_URL: `sqlite:${join(dir, 'ordersync.db')}`, PORT: 'abc' });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toContain('PORT');
  });
});

describe('ordersync seed', () => {
  it('writes the POs asked for', async () => {
    const dir = tempDir();
    const file = join(dir, 'ordersync.db');
    const seeded = await run(['seed', '--retailer', 'demo', '--pos', '12', '--seed', '3'], { DATABASE_URL: `sqlite:${file}` });
    expect(seeded.code, seeded.stderr).toBe(0);
    const sqlite = new SQLite(file, { readonly: true });
    const count = (sqlite.prepare('select count(*) as n from purchase_orders').get() as { n: number }).n;
    sqlite.close();
    expect(count).toBe(12);
    // stdout is a pipe here, not a terminal: a summary line says what was done.
    expect(seeded.stdout).toMatch(/^Seeded demo: 12 POs written, 0 already there, in \d+\.\d s\.\n$/);
  });
});

describe('ordersync serve', () => {
  let dir: string;
  let port: number;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = tempDir();
    port = await freePort();
    env = { DATABASE_URL: `sqlite:${join(dir, 'ordersync.db')}`, PORT: String(port), HOST: '127.0.0.1' };
  });

  it('first start on an empty database prints a key once, serves, and exits 0 on SIGTERM', async () => {
    const served = startServer(env);
    try {
      const base = `http://127.0.0.1:${port}`;
      const health = await waitForHealth(base, served);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });

      const lines = served.stdout().split('\n').map((line) => line.trim());
      const keys = lines.filter((line) => SECRET_LINE.test(line));
      expect(keys, served.output()).toHaveLength(1);
      expect(served.stdout()).toMatch(/will not be shown again/);

      const listed = await fetch(`${base}/api/v2/orders/by-date?start_date=2027-01-01`, { headers: { 'X-API-Key': keys[0] } });
      expect(listed.status).toBe(200);
      expect(await listed.json()).toEqual({ data: [], meta: { total: 0, page: 1, limit: 50, has_more: false } });
      expect(listed.headers.get('x-request-id')).toBeTruthy();
    } finally {
      served.child.kill('SIGTERM');
    }
    expect(await served.exit).toEqual({ code: 0, signal: null });
  });

  it('a later start on the same database prints no key', async () => {
    const served = startServer(env);
    try {
      expect((await waitForHealth(`http://127.0.0.1:${port}`, served)).status).toBe(200);
      expect(served.output()).not.toMatch(/pk_live_/);
    } finally {
      served.child.kill('SIGTERM');
    }
    expect(await served.exit).toEqual({ code: 0, signal: null });
  });
});

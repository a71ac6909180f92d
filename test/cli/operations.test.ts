// Running it (DESIGN 4d, issue 13) as an operator does, through bin/ordersync.js on a temporary SQLite file:
// keys that expire and keys rotated with a grace period; `backup` while the service is writing (the copy opens,
// passes PRAGMA integrity_check and holds every PO acknowledged before the backup began, whole); `restore`
// refusing a database in use and a file from a newer OrderSync, and restoring otherwise.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { freePort, run, SECRET_LINE, startServer, tempDir, waitForHealth, type Served } from '../support/cli-process.ts';
import { buildTestApp } from '../support/world.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const secretOf = (stdout: string) => stdout.split('\n').map((l) => l.trim()).find((l) => SECRET_LINE.test(l)) ?? '';

/** GET by-po with `key` against the database in `file`, through the real app: the status code. */
async function statusWith(file: string, key: string): Promise<number> {
  const database = openDatabase({ kind: 'sqlite', file });
  const app = await buildTestApp(database.db);
  try {
    return (await app.inject({ method: 'GET', url: '/api/v2/orders/by-po/NOPE', headers: { 'x-api-key': key } })).statusCode;
  } finally {
    await app.close();
    await database.close();
  }
}

function expireNow(file: string, prefix: string): void {
  const sqlite = new SQLite(file);
  sqlite.prepare('update api_keys set expires_at = ? where prefix = ?').run(new Date(Date.now() - 1000).toISOString(), prefix);
  sqlite.close();
}

describe('ordersync keys: expiry and rotation', () => {
  let file: string;
  let env: Record<string, string>;

  beforeAll(() => {
    file = join(tempDir(), 'ordersync.db');
    env = { DATABASE_URL: `sqlite:${file}` };
  });

  it('create --expires-in makes a key that works until then, and is refused after', async () => {
    const created = await run(['keys', 'create', '--retailer', 'ops-golf', '--scope', 'read', '--expires-in', '90d'], env);
    expect(created.code, created.stderr).toBe(0);
    const secret = secretOf(created.stdout);
    expect(secret).toMatch(SECRET_LINE);
    const expiresAt = /expires at (\S+)\./.exec(created.stderr)?.[1];
    const days = (Date.parse(expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
    expect(await statusWith(file, secret)).toBe(404);
    expireNow(file, secret.slice(0, 16));
    expect(await statusWith(file, secret)).toBe(401);
  });

  it('refuses a duration it cannot read, naming the option', async () => {
    for (const bad of ['soon', '90', '-5d', '0s']) {
      const refused = await run(['keys', 'create', '--retailer', 'ops-golf', '--expires-in', bad], env);
      expect(refused.code, bad).not.toBe(0);
      expect(refused.stderr, bad).toMatch(/--expires-in/);
      expect(refused.stdout, bad).not.toMatch(/pk_live_/);
    }
  });

  it('rotate makes a new key with the same scopes; the old one works for the grace period, then stops', async () => {
    const created = await run(['keys', 'create', '--retailer', 'ops-golf', '--name', 'warehouse', '--scope', 'read,write'], env);
    const old = secretOf(created.stdout);
    const rotated = await run(['keys', 'rotate', old.slice(0, 16), '--grace', '24h'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const fresh = secretOf(rotated.stdout);
    expect(fresh).toMatch(SECRET_LINE);
    expect(fresh).not.toBe(old);
    expect(rotated.stderr).toMatch(/read,write/);
    expect(rotated.stderr).not.toContain(fresh);
    expect(await statusWith(file, old)).toBe(404);
    expect(await statusWith(file, fresh)).toBe(404);

    const listed = await run(['keys', 'list'], env);
    expect(listed.stdout).toContain(old.slice(0, 16));
    expect(listed.stdout).toContain(fresh.slice(0, 16));
    const sqlite = new SQLite(file, { readonly: true });
    const rows = sqlite.prepare('select prefix, scopes, name, expires_at from api_keys where prefix in (?, ?)')
      .all(old.slice(0, 16), fresh.slice(0, 16)) as { prefix: string; scopes: string; name: string; expires_at: string | null }[];
    sqlite.close();
    const byPrefix = Object.fromEntries(rows.map((r) => [r.prefix, r]));
    expect(byPrefix[fresh.slice(0, 16)]).toMatchObject({ scopes: 'read,write', name: 'warehouse', expires_at: null });
    const hours = (Date.parse(byPrefix[old.slice(0, 16)].expires_at!) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);

    expireNow(file, old.slice(0, 16)); // the grace period is over
    expect(await statusWith(file, old)).toBe(401);
    expect(await statusWith(file, fresh)).toBe(404);
    const again = await run(['keys', 'rotate', old.slice(0, 16)], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/was already rotated at .*; it stopped working at /);
  });
});

describe('ordersync backup and restore', () => {
  let dir: string;
  let file: string;
  let env: Record<string, string>;
  let served: Served;
  let base: string;
  let key: string;
  const acknowledged: { id: string; at: number; skus: number }[] = [];
  let backupStartedAt = 0;
  let backupFile: string;

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() as Record<string, unknown> };
  };

  beforeAll(async () => {
    dir = tempDir();
    file = join(dir, 'ordersync.db');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { DATABASE_URL: `sqlite:${file}`, PORT: String(port), HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '0' };
    served = startServer(env);
    await waitForHealth(base, served);
    key = secretOf(served.stdout());
    expect(key, served.output()).toMatch(SECRET_LINE);
  });
  afterAll(async () => {
    if (served.child.exitCode === null) {
      served.child.kill('SIGTERM');
      await served.exit;
    }
  });

  it('backup writes a consistent copy while the service is writing', async () => {
    const supplier = await post('/api/v2/suppliers', { name: 'Backup Golf Supply' });
    const warehouse = await post('/api/v2/warehouses', { name: 'Backup DC' });
    expect(supplier.status).toBe(201);
    let writing = true;
    let sequence = 0;
    const writer = async () => {
      while (writing) {
        const n = ++sequence;
        const skus = 1 + (n % 3);
        const created = await post('/api/v2/purchase_orders', {
          supplier_id: supplier.body.supplier_id, warehouse_id: warehouse.body.warehouse_id, po_number: `BK-${n}`,
          products: Array.from({ length: skus }, (_, i) => ({ sku: `SKU-${n}-${i}`, supplier_sku: `V-${n}-${i}`, quantity: 1 + i, cost: 9.5 })),
        });
        expect(created.status).toBe(201);
        acknowledged.push({ id: String(created.body.purchase_order_id), at: Date.now(), skus });
      }
    };
    const writers = [writer(), writer()];
    while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 20));
    backupFile = join(dir, 'copy.db');
    backupStartedAt = Date.now();
    const before = acknowledged.filter((a) => a.at <= backupStartedAt);
    const backup = await run(['backup', backupFile], { DATABASE_URL: `sqlite:${file}` });
    const during = acknowledged.length;
    writing = false;
    await Promise.all(writers);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/Backed up .* to .*copy\.db/);

    const copy = new SQLite(backupFile, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const lines = new Map((copy.prepare('select po_id, count(*) as n from po_lines group by po_id').all() as { po_id: string; n: number }[])
        .map((r) => [r.po_id, r.n]));
      const pos = new Set((copy.prepare('select id from purchase_orders').all() as { id: string }[]).map((r) => r.id));
      for (const po of before) {
        expect(pos.has(po.id), `PO ${po.id} acknowledged before the backup began`).toBe(true);
        expect(lines.get(po.id)).toBe(po.skus);
      }
      // Whatever the copy holds is whole: no PO without all its lines.
      for (const id of pos) expect(lines.get(id) ?? 0).toBeGreaterThan(0);
    } finally {
      copy.close();
    }
    expect(during).toBeGreaterThanOrEqual(before.length);
  });

  it('backup refuses to overwrite a file', async () => {
    const again = await run(['backup', backupFile], { DATABASE_URL: `sqlite:${file}` });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('restore refuses a database in use, and a file from a newer OrderSync', async () => {
    const busy = await run(['restore', backupFile], { DATABASE_URL: `sqlite:${file}` });
    expect(busy.code).not.toBe(0);
    expect(busy.stderr).toMatch(/in use/);

    const newer = join(dir, 'newer.db');
    copyFileSync(backupFile, newer);
    const sqlite = new SQLite(newer);
    sqlite.prepare('insert into schema_migrations (name, timestamp) values (?, ?)').run('9999_from_the_future', new Date().toISOString());
    sqlite.close();
    served.child.kill('SIGTERM');
    await served.exit;
    const refused = await run(['restore', newer], { DATABASE_URL: `sqlite:${file}` });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/9999_from_the_future/);
    const garbage = join(dir, 'garbage.db');
    copyFileSync(join(import.meta.dirname, 'operations.test.ts'), garbage);
    const notSqlite = await run(['restore', garbage], { DATABASE_URL: `sqlite:${file}` });
    expect(notSqlite.code).not.toBe(0);
    expect(notSqlite.stderr).toMatch(/not an SQLite database/);
  });

  it('restore replaces the stopped database with the backup, keeping the old one, and the service serves it', async () => {
    const restored = await run(['restore', backupFile], { DATABASE_URL: `sqlite:${file}` });
    expect(restored.code, restored.stderr).toBe(0);
    const kept = /kept at (\S+)\./.exec(restored.stdout)?.[1];
    expect(kept).toBeTruthy();
    const old = new SQLite(kept!, { readonly: true });
    const oldCount = (old.prepare('select count(*) as n from purchase_orders').get() as { n: number }).n;
    old.close();
    const now = new SQLite(file, { readonly: true });
    const newCount = (now.prepare('select count(*) as n from purchase_orders').get() as { n: number }).n;
    now.close();
    expect(newCount).toBeLessThanOrEqual(oldCount);

    served = startServer(env);
    await waitForHealth(base, served);
    const first = acknowledged[0];
    const response = await fetch(`${base}/api/v2/purchase_orders/${first.id}`, { headers: { 'x-api-key': key } });
    expect(response.status).toBe(200);
  });
});

// `ordersync restore` never leaves an operator without a database (DESIGN 4d, README "Backups (SQLite)"): the
// database itself given as the backup (by its path, another spelling of it, or a hard link) is refused with the
// database untouched, where it used to be renamed away before the copy failed, leaving no database at all (the
// next start made an empty one). A successful restore (now through a checked staging copy) stays covered by
// operations.test.ts. A restore leaves the restored file standing alone: no -wal or -shm beside it (a stale WAL is
// read into whatever file has its name), the replaced database kept whole in one file, the message the restored
// file's own schema version; and what a killed backup or restore left is cleared by the next one.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, linkSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { migrationNames } from '../../src/db/migrate.ts';
import { run, tempDir } from '../support/cli-process.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const count = (file: string) => {
  const db = new SQLite(file, { readonly: true });
  try {
    return (db.prepare('select count(*) as n from api_keys').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('ordersync restore: the database is never lost', () => {
  let dir: string;
  let file: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = tempDir();
    file = join(dir, 'ordersync.db');
    env = { DATABASE_URL: `sqlite:${file}` };
    const created = await run(['keys', 'create', '--retailer', 'restore-golf'], env);
    expect(created.code, created.stderr).toBe(0);
  });

  it('refuses the database itself as the backup, however it is named, and leaves it in place', async () => {
    const hardLink = join(dir, 'same-inode.db');
    linkSync(file, hardLink);
    const spellings = [file, join(dir, '.', '..', basename(dir), 'ordersync.db'), relative(process.cwd(), file), hardLink];
    for (const given of spellings) {
      const refused = await run(['restore', given], env);
      expect(refused.code, given).not.toBe(0);
      expect(refused.stderr, given).toMatch(/is the database itself/);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(file), given).toBe(true);
      expect(count(file)).toBe(1);
    }
    expect(readdirSync(dir).filter((name) => /before-restore|restoring/.test(name))).toEqual([]);
  });
});

describe('ordersync restore: the restored database stands alone and says what it is', () => {
  let dir: string;
  let file: string;
  let env: Record<string, string>;
  let backup: string;

  /** Writes `rows` suppliers straight into the database and is SIGKILLed with them in its WAL only. */
  const killedWriter = async (rows: number) => {
    const script = `const S = require('better-sqlite3'); const db = new S(${JSON.stringify(file)}); db.pragma('wal_autocheckpoint = 0');
      const r = db.prepare('select retailer_id from api_keys').get();
      for (let i = 0; i < ${rows}; i++) db.prepare("insert into suppliers (id, retailer_id, name, created_at, updated_at) values (?, ?, ?, '2026-01-01', '2026-01-01')")
        .run('sup_killed_' + i, r.retailer_id, 'Killed ' + i);
      process.stdout.write('written\\n'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { cwd: resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((done) => child.stdout!.on('data', () => done()));
    child.kill('SIGKILL');
    await once(child, 'exit');
  };
  const suppliers = (path: string) => {
    const db = new SQLite(path, { readonly: true });
    try {
      return (db.prepare("select count(*) as n from suppliers where id like 'sup_killed_%'").get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  // One database and its backup, made once through the commands; each test works on copies of both.
  let template: string;
  beforeAll(async () => {
    template = tempDir();
    const templateEnv = { DATABASE_URL: `sqlite:${join(template, 'ordersync.db')}` };
    expect((await run(['keys', 'create', '--retailer', 'restore-golf'], templateEnv)).code).toBe(0);
    const made = await run(['backup', join(template, 'backup.db')], templateEnv);
    expect(made.code, made.stderr).toBe(0);
  });
  beforeEach(() => {
    dir = tempDir();
    file = join(dir, 'ordersync.db');
    env = { DATABASE_URL: `sqlite:${file}` };
    backup = join(dir, 'backup.db');
    for (const name of readdirSync(template)) copyFileSync(join(template, name), join(dir, name));
  });

  it('onto a database a crash left with its writes in a WAL: no -wal or -shm beside the restored file, the kept one whole', async () => {
    await killedWriter(30);
    expect(existsSync(`${file}-wal`)).toBe(true);
    const restored = await run(['restore', backup], env);
    expect(restored.code, restored.stderr).toBe(0);
    const names = readdirSync(dir);
    expect(names.filter((name) => name.startsWith('ordersync.db') && !name.includes('before-restore'))).toEqual(['ordersync.db']);
    expect(names.filter((name) => /\.(restoring|ordersync-partial)-/.test(name))).toEqual([]);
    const kept = /kept at (\S+)\./.exec(restored.stdout)![1];
    expect(names.filter((name) => name.startsWith(basename(kept)))).toEqual([basename(kept)]); // one file, its WAL folded in
    expect(suppliers(kept)).toBe(30);
    expect(suppliers(file)).toBe(0);
    expect(count(file)).toBe(1);
    // The backup itself is one file too: opening it needs nothing beside it.
    expect(names.filter((name) => name.startsWith('backup.db'))).toEqual(['backup.db']);
  });

  it('reports the schema version the restored file has, and what the next start applies to an older one', async () => {
    const latest = migrationNames().at(-1)!;
    const current = await run(['restore', backup], env);
    expect(current.stdout).toContain(`(schema version ${latest}, ${migrationNames().length} migrations). It is up to date with this OrderSync.`);
    // A backup from before the last two migrations (as an older OrderSync left it).
    const older = join(dir, 'older.db');
    copyFileSync(backup, older);
    const sqlite = new SQLite(older);
    const [last, secondLast] = migrationNames().reverse();
    sqlite.prepare('delete from schema_migrations where name in (?, ?)').run(last, secondLast);
    sqlite.close();
    const restored = await run(['restore', older], env);
    expect(restored.code, restored.stderr).toBe(0);
    const third = migrationNames().at(-3)!;
    expect(restored.stdout).toContain(`(schema version ${third}, ${migrationNames().length - 2} migrations). `
      + `This OrderSync applies 2 newer migrations to it at the next start (${secondLast} to ${last}).`);
  });

  it('refuses a backup from a newer schema, naming both versions', async () => {
    const newer = join(dir, 'newer.db');
    copyFileSync(backup, newer);
    const sqlite = new SQLite(newer);
    sqlite.prepare('insert into schema_migrations (name, timestamp) values (?, ?)').run('9999_from_the_future', new Date().toISOString());
    sqlite.close();
    const refused = await run(['restore', newer], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim()).toBe(`ordersync: ${newer} was made by a newer OrderSync: its schema is at 9999_from_the_future, and this `
      + `OrderSync knows migrations up to ${migrationNames().at(-1)} only (not 9999_from_the_future); upgrade OrderSync before restoring it`);
    expect(count(file)).toBe(1);
  });

  it('removes what a backup or a restore killed mid-way left (their process is gone), never a live one\'s', async () => {
    const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
    // Any backup's in the folder (backups are named per run), and the database's staging copies.
    const leftovers = [`older.db.ordersync-partial-${dead}`, `older.db.ordersync-partial-${dead}-journal`, `ordersync.db.restoring-${dead}-2026`];
    const live = [`next.db.ordersync-partial-${process.pid}`, `ordersync.db.restoring-${process.pid}-2026`];
    for (const name of [...leftovers, ...live]) writeFileSync(join(dir, name), 'half a copy');
    expect((await run(['backup', join(dir, 'next.db')], env)).code).toBe(0);
    expect((await run(['restore', join(dir, 'next.db')], env)).code).toBe(0);
    const names = readdirSync(dir);
    for (const name of leftovers) expect(names).not.toContain(name);
    for (const name of live) expect(names).toContain(name);
  });
});

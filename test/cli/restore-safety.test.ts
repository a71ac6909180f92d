// `ordersync restore` never leaves an operator without a database (DESIGN 4d, README "Backups (SQLite)"): the
// database itself given as the backup (by its path, another spelling of it, or a hard link) is refused with the
// database untouched, where it used to be renamed away before the copy failed, leaving no database at all (the
// next start made an empty one). A successful restore (now through a checked staging copy) stays covered by
// operations.test.ts.
import { existsSync, linkSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import SQLite from 'better-sqlite3';
import { beforeEach, describe, expect, it, vi } from 'vitest';
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

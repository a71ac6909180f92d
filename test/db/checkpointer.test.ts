// WAL checkpoints run on a thread of their own (src/db/checkpointer.ts): a write's commit leaves the copying of the
// WAL into the database file to that thread instead of doing it on the event loop, the writer's own automatic
// checkpoint stays as a backstop, and closing the database ends the thread and leaves no WAL behind.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor(condition: () => boolean, ms = 5_000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until;) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

describe('the WAL checkpointer thread', () => {
  it('copies committed pages into the database file without the writer checkpointing, and ends on close', async () => {
    const file = join(dir, 'checkpointed.db');
    const database = openDatabase({ kind: 'sqlite', file, synchronous: 'normal', cacheMb: 16 });
    const { db } = database;
    const pragma = async (text: string) => (await sql.raw(`pragma ${text}`).execute(db)).rows[0] as Record<string, number>;
    // The writer checkpoints itself only past 40 MiB of WAL (2,560 pages of 16 KiB); the 8 MB written below is far under.
    expect(Object.values(await pragma('page_size'))[0]).toBe(16_384);
    expect(Object.values(await pragma('wal_autocheckpoint'))[0]).toBe(2_560);
    await sql`create table blobs (id integer primary key, body text not null)`.execute(db);
    const sizeBefore = statSync(file).size;
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 2_000; i++) await sql`insert into blobs (body) values (${'x'.repeat(4_000)})`.execute(trx);
    });
    // Committed to the WAL; the thread copies it into the database file.
    expect(await waitFor(() => statSync(file).size > sizeBefore + 7_000_000)).toBe(true);
    await database.close();
    // The last connection closed checkpointed the rest and removed the WAL: the thread's connection is closed too.
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('no thread for an in-memory database, which has no WAL', async () => {
    const database = openDatabase({ kind: 'sqlite', file: ':memory:', synchronous: 'normal', cacheMb: 16 });
    expect(Object.values((await sql.raw('pragma wal_autocheckpoint').execute(database.db)).rows[0] as object)[0]).toBe(1_000);
    await database.close();
  });
});

describe('page size', () => {
  it('a new database gets 16 KiB pages; one made with another size keeps it, and works', async () => {
    const { default: SQLite } = await import('better-sqlite3');
    const older = join(dir, 'older.db');
    const made = new SQLite(older);
    made.pragma('page_size = 4096');
    made.exec('create table t (id integer primary key, body text not null)');
    made.prepare('insert into t (body) values (?)').run('kept');
    made.close();
    const database = openDatabase({ kind: 'sqlite', file: older });
    try {
      const { db } = database;
      expect((await sql.raw('pragma page_size').execute(db)).rows[0]).toEqual({ page_size: 4096 });
      expect((await sql.raw('pragma wal_autocheckpoint').execute(db)).rows[0]).toEqual({ wal_autocheckpoint: 10_240 });
      expect((await sql.raw('select body from t').execute(db)).rows).toEqual([{ body: 'kept' }]);
    } finally {
      await database.close();
    }
  });
});

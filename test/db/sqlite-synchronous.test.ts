// SQLITE_SYNCHRONOUS (issue 9): the embedded database opens in WAL mode with synchronous NORMAL by default and
// FULL when configured, so the README's durability statement holds for the connection the service uses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-sync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openSqlite', () => {
  it.each([[undefined, 1], ['normal', 1], ['full', 2]] as const)('synchronous %s → PRAGMA synchronous = %i under WAL', (setting, expected) => {
    const sqlite = openSqlite(join(dir, `${setting}.db`), setting);
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(expected);
    sqlite.close();
  });

  it.each([[undefined, -131072], [16, -16384]] as const)('SQLITE_CACHE_MB %s → PRAGMA cache_size = %i (KiB)', (cacheMb, expected) => {
    const sqlite = openSqlite(join(dir, `cache-${cacheMb}.db`), 'normal', cacheMb);
    expect(sqlite.pragma('cache_size', { simple: true })).toBe(expected);
    sqlite.close();
  });
});

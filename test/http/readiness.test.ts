// /readyz on SQLite (DESIGN 4d, README "Running in production"): a database file deleted, moved away or copied
// over while the service runs still answers queries through the open handle, but every write from then on lands
// in a file no later start opens. Readiness says so (503, naming what happened) instead of "ok".
import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { buildTestApp } from '../support/world.ts';

describe('GET /readyz when the SQLite file is gone or replaced', () => {
  let opened: OpenDatabase | undefined;
  let dir: string;
  afterEach(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function ready(change: (file: string) => void) {
    dir = mkdtempSync(join(tmpdir(), 'ordersync-ready-'));
    const file = join(dir, 'ordersync.db');
    opened = openDatabase({ kind: 'sqlite', file });
    await migrateToLatest(opened.db);
    const app = await buildTestApp(opened.db);
    const before = await app.inject({ method: 'GET', url: '/readyz' });
    change(file);
    const after = await app.inject({ method: 'GET', url: '/readyz' });
    await app.close();
    return { before, after };
  }

  it.each([
    ['removed', (file: string) => { for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true }); }],
    ['removed', (file: string) => renameSync(file, `${file}.moved`)],
    ['replaced', (file: string) => { copyFileSync(file, `${file}.copy`); renameSync(`${file}.copy`, file); }],
  ])('503 when the file was %s', async (what, change) => {
    const { before, after } = await ready(change);
    expect(before.statusCode).toBe(200);
    expect(after.statusCode).toBe(503);
    expect(after.json()).toMatchObject({ error: 'unavailable', errorCode: 503 });
    expect(after.json().message).toContain(`the database file was ${what}`);
  });

  it('stays ready when the file is only written to', async () => {
    const { after } = await ready(() => undefined);
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual({ status: 'ok', database: 'ok' });
  });
});

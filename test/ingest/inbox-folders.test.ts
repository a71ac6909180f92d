// The inbox's own folders (DESIGN 3, "Inbox folder"; README "The inbox folder") on SQLite and PostgreSQL: processed/
// and failed/ must be real folders inside the retailer's folder: one replaced by a symbolic link (to a folder outside
// the inbox) or by a file is never moved into or written through; the file stays where it is and an error naming the
// folder is logged. A .error.txt is created new and never through a link planted under its name. A file name the
// API's ?filename= would refuse (controls, bidi controls) is stored as shown escaped. A folder inside a retailer's
// folder is ignored with one log line.
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import type { FileOutcome } from '../../src/ingest/files.ts';
import { startInbox, type Inbox } from '../../src/ingest/inbox.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { addPo } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';

const databases = TestDatabases.create();
const UPS = '1Z999AA10123456784';

describe.each(databases.eachSupportedId())('the inbox\'s processed/ and failed/ folders on %s', (databaseId) => {
  let db: Db;
  let dir: string;
  let folder: string;
  let outside: string;
  let inbox: Inbox;
  const outcomes: FileOutcome[] = [];
  const logged: { level: string; object: Record<string, unknown>; message: string }[] = [];
  const log = (level: string) => (object: object, message: string) => { logged.push({ level, object: object as Record<string, unknown>, message }); };

  async function next(): Promise<FileOutcome> {
    const count = outcomes.length + 1;
    for (let waited = 0; outcomes.length < count; waited += 50) {
      if (waited > 20_000) throw new Error(`no file handled: ${JSON.stringify(outcomes)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return outcomes[count - 1];
  }
  const csv = (so: string) => `PO #,Order #,Tracking #,Item #,Qty\r\nPO-FOLDERS,${so},${UPS},TIT-GT2-9,1\r\n`;

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    const retailerId = (await ensureRetailer(db, 'folders-golf')).retailer.id;
    await addPo(db, retailerId, await ensureSupplier(db, retailerId, { name: 'Acushnet' }), 'PO-FOLDERS');
    dir = await mkdtemp(join(tmpdir(), 'ordersync-inbox-folders-'));
    outside = await mkdtemp(join(tmpdir(), 'ordersync-escape-'));
    folder = join(dir, 'folders-golf');
    await mkdir(folder);
    inbox = await startInbox({ db, dir, stableMs: 500, log: { info: log('info'), warn: log('warn'), error: log('error') },
      onFile: (outcome) => outcomes.push(outcome) });
    await inbox.idle();
  });
  afterAll(async () => {
    await inbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (outside) await rm(outside, { recursive: true, force: true });
  });

  it('processed/ replaced by a symbolic link to a folder outside: nothing is moved there, the file stays, an error names the folder', async () => {
    await mkdir(join(folder, 'processed'), { recursive: true });
    await rename(join(folder, 'processed'), join(folder, 'processed.bak'));
    await symlink(outside, join(folder, 'processed'));
    await writeFile(join(folder, 'esc.csv'), csv('SO-ESC'));
    const outcome = await next();
    expect(outcome).toMatchObject({ status: 'processed', movedTo: null });
    expect(outcome.stuck).toMatch(/processed is a symbolic link: processed\/ and failed\/ must be real folders/);
    expect(await readdir(outside)).toEqual([]);
    expect((await lstat(join(folder, 'esc.csv'))).isFile()).toBe(true);
    const error = logged.find((l) => l.level === 'error' && l.object.file === join(folder, 'esc.csv'));
    expect(error?.message).toContain(join(folder, 'processed'));
  });

  it('failed/ replaced by a symbolic link: neither the file nor its .error.txt is written outside', async () => {
    await mkdir(join(folder, 'failed'), { recursive: true });
    await rm(join(folder, 'failed'), { recursive: true });
    await symlink(outside, join(folder, 'failed'));
    await writeFile(join(folder, 'bad.csv'), 'no PO column here\r\n1\r\n');
    const outcome = await next();
    expect(outcome).toMatchObject({ status: 'failed', movedTo: null });
    expect(outcome.stuck).toMatch(/failed is a symbolic link/);
    expect(await readdir(outside)).toEqual([]);
    expect(logged.some((l) => l.level === 'error' && l.message.includes(join(folder, 'failed')))).toBe(true);
  });

  it('failed/ that is a file, not a folder: nothing moved, an error names it', async () => {
    await rm(join(folder, 'failed'));
    await writeFile(join(folder, 'failed'), 'not a folder');
    await writeFile(join(folder, 'bad2.csv'), 'no PO column here\r\n2\r\n');
    const outcome = await next();
    expect(outcome).toMatchObject({ movedTo: null });
    expect(outcome.stuck).toMatch(/failed is not a folder/);
    expect(await readFile(join(folder, 'failed'), 'utf8')).toBe('not a folder');
  });

  it('a .error.txt name planted as a symbolic link is not written through: the file and its note take a free name', async () => {
    await rm(join(folder, 'failed'));
    await mkdir(join(folder, 'failed'));
    await symlink(join(outside, 'planted.txt'), join(folder, 'failed', 'note.csv.error.txt'));
    await writeFile(join(folder, 'note.csv'), 'no PO column here\r\n3\r\n');
    const outcome = await next();
    expect(outcome).toMatchObject({ status: 'failed', movedTo: join(folder, 'failed', 'note-2.csv') });
    expect(await readFile(join(folder, 'failed', 'note-2.csv.error.txt'), 'utf8')).toMatch(/PO-number column/);
    expect(await readdir(outside)).toEqual([]);
  });

  it('a file name with controls and bidi controls is stored as the API\'s ?filename= would take it: shown escaped', async () => {
    await rm(join(folder, 'processed'));
    await rename(join(folder, 'processed.bak'), join(folder, 'processed'));
    const name = 'cc\x1b[2J\x07\u009b\u202efile.csv';
    await writeFile(join(folder, name), csv('SO-NAME'));
    const outcome = await next();
    expect(outcome).toMatchObject({ status: 'processed', movedTo: join(folder, 'processed', name) });
    expect(outcome.document?.filename).toBe('cc\\x1b[2J\\x07\\x9b\\u202efile.csv');
  });

  it('a folder inside a retailer\'s folder is ignored with one log line, not one per scan', async () => {
    await mkdir(join(folder, 'archive'));
    await writeFile(join(folder, 'archive', 'old.csv'), csv('SO-ARCHIVED'));
    await writeFile(join(folder, 'after.csv'), csv('SO-AFTER'));
    await next();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const lines = logged.filter((l) => l.object.folder === join(folder, 'archive'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn' });
    expect(lines[0].message).toMatch(/folder inside a retailer's folder is ignored/);
    expect(logged.some((l) => l.object.folder === join(folder, 'processed') || l.object.folder === join(folder, 'failed'))).toBe(false);
    expect(outcomes.some((o) => o.file.includes('archive'))).toBe(false);
  });
});

// The inbox folder (DESIGN 3, "Inbox folder") on SQLite and PostgreSQL: files already there at start and files
// dropped later are ingested for the retailer their folder names, then moved to processed/ or failed/ (never
// deleted); a file still being written is read only once complete.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, link, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
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
const warnings: object[] = [];
const quiet = { info: () => {}, warn: (object: object) => { warnings.push(object); }, error: () => {} };
/** Raw C0/C1 controls and DEL, as a terminal would run them. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe.each(databases.eachSupportedId())('the inbox folder on %s', (databaseId) => {
  let db: Db;
  let dir: string;
  let inbox: Inbox;
  let retailerId: string;
  const outcomes: FileOutcome[] = [];

  /** Waits until `count` files have been handled (moved or failed). */
  async function handled(count: number): Promise<FileOutcome[]> {
    for (let waited = 0; outcomes.length < count; waited += 50) {
      if (waited > 20_000) throw new Error(`only ${outcomes.length} of ${count} files handled: ${JSON.stringify(outcomes)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return outcomes.slice(0, count);
  }
  const csv = (poNumber: string) => `PO #,Order #,Tracking #,Item #,Qty\r\n${poNumber},SO-${poNumber},${UPS},TIT-GT2-9,2\r\n`;

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    retailerId = (await ensureRetailer(db, 'inbox-golf')).retailer.id;
    const supplier = await ensureSupplier(db, retailerId, { name: 'Acushnet' });
    for (const n of [1, 2, 3]) await addPo(db, retailerId, supplier, `PO-INBOX-${n}`);
    dir = await mkdtemp(join(tmpdir(), 'ordersync-inbox-'));
    // Already there before the watch starts: picked up by the first scan.
    await mkdir(join(dir, 'inbox-golf'));
    await writeFile(join(dir, 'inbox-golf', 'early.csv'), csv('PO-INBOX-1'));
    // A file counts as complete once its size has held for 1 s: far above the writer's 50 ms pauses below, even on a
    // loaded machine where timers run late.
    inbox = await startInbox({ db, dir, log: quiet, stableMs: 1000, onFile: (outcome) => outcomes.push(outcome) });
  });
  afterAll(async () => {
    await inbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ingests files already there and files dropped later; moves them to processed/ or failed/, never deleting one', async () => {
    const [early] = await handled(1);
    expect(early).toMatchObject({ status: 'processed', movedTo: join(dir, 'inbox-golf', 'processed', 'early.csv') });
    expect(early.document).toMatchObject({ applied: 1, filename: 'early.csv', format: 'csv' });

    await writeFile(join(dir, 'inbox-golf', 'garbage.csv'), Buffer.from([0x00, 0x01, 0x02, 0x0a, 0x41]));
    await handled(2);
    await writeFile(join(dir, 'inbox-golf', 'late.csv'), csv('PO-INBOX-2'));
    await mkdir(join(dir, 'nobody-we-know'));
    await writeFile(join(dir, 'nobody-we-know', 'stray.csv'), csv('PO-INBOX-2'));
    await handled(4);

    expect((await readdir(join(dir, 'inbox-golf'))).sort()).toEqual(['failed', 'processed']);
    expect((await readdir(join(dir, 'inbox-golf', 'processed'))).sort()).toEqual(['early.csv', 'late.csv']);
    expect((await readdir(join(dir, 'inbox-golf', 'failed'))).sort()).toEqual(['garbage.csv', 'garbage.csv.error.txt']);
    expect(await readFile(join(dir, 'inbox-golf', 'failed', 'garbage.csv.error.txt'), 'utf8')).toContain('PO-number column');
    expect((await readdir(join(dir, 'nobody-we-know', 'failed'))).sort()).toEqual(['stray.csv', 'stray.csv.error.txt']);

    const documents = await db.selectFrom('supplier_documents').select(['filename', 'status', 'applied'])
      .where('retailer_id', '=', retailerId).orderBy('filename').execute();
    expect(documents.map((d) => [d.filename, d.status, Number(d.applied)])).toEqual([
      ['early.csv', 'processed', 1], ['garbage.csv', 'failed', 0], ['late.csv', 'processed', 1],
    ]);
  });

  it('waits for a file still being written, then reads it whole', async () => {
    const before = outcomes.length;
    const file = join(dir, 'inbox-golf', 'slow.csv');
    const whole = csv('PO-INBOX-3');
    await writeFile(file, whole.slice(0, 20));
    for (let i = 20; i < whole.length; i += 10) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await appendFile(file, whole.slice(i, i + 10));
    }
    const [slow] = (await handled(before + 1)).slice(before);
    expect(slow.status).toBe('processed');
    expect(slow.document?.size_bytes).toBe(Buffer.byteLength(whole));
    expect(slow.document?.applied).toBe(1);
    expect(await readFile(join(dir, 'inbox-golf', 'processed', 'slow.csv'), 'utf8')).toBe(whole);
  });

  it('a file uploaded under a temporary name (.filepart, .part, .tmp, ~$) is read once renamed to its own, not before', async () => {
    await inbox.idle();
    const before = outcomes.length;
    const folder = join(dir, 'inbox-golf');
    const whole = csv('PO-INBOX-3').replace('SO-PO-INBOX-3', 'SO-UPLOADED');
    for (const name of ['upload.csv.filepart', 'upload.csv.part', 'upload.csv.tmp', '~$upload.csv']) await writeFile(join(folder, name), whole.slice(0, 30));
    // Longer than the inbox's 1 s stability window: none of them is taken for a file.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(outcomes.slice(before).map((o) => o.file)).toEqual([]);
    await writeFile(join(folder, 'upload.csv.filepart'), whole);
    await rename(join(folder, 'upload.csv.filepart'), join(folder, 'upload.csv'));
    const [uploaded] = (await handled(before + 1)).slice(before);
    expect(uploaded).toMatchObject({ status: 'processed', movedTo: join(folder, 'processed', 'upload.csv') });
    expect(uploaded.document?.size_bytes).toBe(Buffer.byteLength(whole));
    for (const name of ['upload.csv.part', 'upload.csv.tmp', '~$upload.csv']) await rm(join(folder, name));
  });

  it('a named pipe is failed as not a regular file and does not hold up the files after it', async () => {
    const before = outcomes.length;
    execFileSync('mkfifo', [join(dir, 'inbox-golf', 'pipe.csv')]);
    const [pipe] = (await handled(before + 1)).slice(before);
    expect(pipe).toMatchObject({ status: 'failed', error: 'The file is not a regular file but a named pipe; it was not read.' });
    await writeFile(join(dir, 'inbox-golf', 'after-pipe.csv'), csv('PO-INBOX-3').replace('SO-PO-INBOX-3', 'SO-AFTER'));
    const [after] = (await handled(before + 2)).slice(before + 1);
    expect(after.status).toBe('processed');
  });

  it('the same bytes again are said to be already received; the same bytes read as another format fail, naming the first', async () => {
    const before = outcomes.length;
    // early.csv's bytes under another name: the same document, nothing applied again.
    await writeFile(join(dir, 'inbox-golf', 'early-again.csv'), csv('PO-INBOX-1'));
    const [again] = (await handled(before + 1)).slice(before);
    expect(again).toMatchObject({ status: 'processed', repeated: true, movedTo: join(dir, 'inbox-golf', 'processed', 'early-again.csv') });
    expect(again.document?.filename).toBe('early.csv');
    // The same bytes named as X12: not read a second way.
    await writeFile(join(dir, 'inbox-golf', 'early.edi'), csv('PO-INBOX-1'));
    const [conflict] = (await handled(before + 2)).slice(before + 1);
    expect(conflict).toMatchObject({ status: 'failed', repeated: true });
    expect(conflict.error).toMatch(/already received as document sdoc_\w+ with format "csv" \(now "x12"\)/);
    expect(await readFile(join(dir, 'inbox-golf', 'failed', 'early.edi.error.txt'), 'utf8')).toMatch(/already received/);
  });

  describe('only regular files with one name, really inside the retailer\'s folder, are read', () => {
    let outside: string;
    beforeAll(async () => {
      outside = await mkdtemp(join(tmpdir(), 'ordersync-outside-'));
      await writeFile(join(outside, 'secret.csv'), csv('PO-INBOX-2').replace('SO-PO-INBOX-2', 'SO-SECRET'));
    });
    afterAll(async () => {
      await rm(outside, { recursive: true, force: true });
    });
    const documents = async () => (await db.selectFrom('supplier_documents').select('filename').execute()).map((d) => d.filename);

    it('a symbolic link to a file elsewhere is moved to failed/ as the link, never read; the file it names is untouched', async () => {
      const before = outcomes.length;
      await symlink(join(outside, 'secret.csv'), join(dir, 'inbox-golf', 'link.csv'));
      const [refused] = (await handled(before + 1)).slice(before);
      expect(refused).toMatchObject({ status: 'failed', document: null, movedTo: join(dir, 'inbox-golf', 'failed', 'link.csv') });
      expect(refused.error).toMatch(/symbolic link/);
      expect((await lstat(join(dir, 'inbox-golf', 'failed', 'link.csv'))).isSymbolicLink()).toBe(true);
      expect(await readFile(join(dir, 'inbox-golf', 'failed', 'link.csv.error.txt'), 'utf8')).toMatch(/symbolic link/);
      expect(await readdir(outside)).toEqual(['secret.csv']);
      expect(await documents()).not.toContain('link.csv');
    });

    it('a second hard link to a file elsewhere is moved to failed/, never read (st_nlink > 1)', async () => {
      const before = outcomes.length;
      await link(join(outside, 'secret.csv'), join(dir, 'inbox-golf', 'hard.csv'));
      const [refused] = (await handled(before + 1)).slice(before);
      expect(refused).toMatchObject({ status: 'failed', document: null, movedTo: join(dir, 'inbox-golf', 'failed', 'hard.csv') });
      expect(refused.error).toMatch(/has 2 hard links/);
      expect(await documents()).not.toContain('hard.csv');
    });

    it('a retailer folder that is a symbolic link is left alone and nothing in it is read, with a warning', async () => {
      const before = outcomes.length;
      await symlink(outside, join(dir, 'inbox-golf-2'));
      const [refused] = (await handled(before + 1)).slice(before);
      // The watch reports the link itself (or, if it saw it as a folder first, the file in it): either is refused.
      expect(refused).toMatchObject({ status: 'failed', document: null, movedTo: null });
      expect(refused.file.startsWith(join(dir, 'inbox-golf-2'))).toBe(true);
      expect(refused.error).toMatch(/symbolic link/);
      expect(warnings.some((w) => (w as { file?: string }).file === refused.file)).toBe(true);
      expect(await readdir(outside)).toEqual(['secret.csv']);
      expect(await documents()).not.toContain('secret.csv');
    });
  });

  it('a file\'s control characters are escaped in its .error.txt, its outcome and the log: terminal escapes, random bytes', async () => {
    const before = outcomes.length;
    await writeFile(join(dir, 'inbox-golf', 'esc.csv'), '\x1b[31mPO\x1b]0;pwned\x07,Qty\nX,1\n');
    await writeFile(join(dir, 'inbox-golf', 'random.csv'), Buffer.concat([Buffer.from([0x1b, 0x9b, 0x07, 0x85, 0x00]), randomBytes(2000)]));
    const handledNow = (await handled(before + 2)).slice(before);
    for (const outcome of handledNow) {
      expect(outcome.status).toBe('failed');
      expect(outcome.document?.error).not.toMatch(CONTROLS);
      const name = outcome.movedTo!.split('/').pop()!;
      const note = await readFile(join(dir, 'inbox-golf', 'failed', `${name}.error.txt`), 'utf8');
      expect(note.trimEnd()).not.toMatch(CONTROLS);
    }
    const esc = handledNow.find((o) => o.file.endsWith('esc.csv'))!;
    expect(await readFile(join(dir, 'inbox-golf', 'failed', 'esc.csv.error.txt'), 'utf8')).toContain('"\\x1b[31mPO\\x1b]0;pwned\\x07"');
    expect(esc.movedTo).toBe(join(dir, 'inbox-golf', 'failed', 'esc.csv'));
    for (const warning of warnings) expect(JSON.stringify(warning)).not.toMatch(/\\u001b|\u0085|\u009b/);
  });

  it('a CSV with an unclosed quote fails with its .error.txt naming the row, never saying "cannot be read" twice', async () => {
    const before = outcomes.length;
    await writeFile(join(dir, 'inbox-golf', 'broken.csv'), `PO #,Tracking #,Qty\nPO-INBOX-3,"${UPS},1\n`);
    const [broken] = (await handled(before + 1)).slice(before);
    expect(broken.status).toBe('failed');
    const note = await readFile(join(dir, 'inbox-golf', 'failed', 'broken.csv.error.txt'), 'utf8');
    expect(note).toContain('row 2: a quoted field (field 2) is never closed (opening quote at line 2)');
    expect(note.match(/cannot be read/g) ?? []).toHaveLength(0);
  });

  it('a file whose writer went on after the inbox read it (an upload stalled past the stable time) is not moved half read: read again whole', async () => {
    const before = outcomes.length;
    const file = join(dir, 'inbox-golf', 'stalled.csv');
    // Many rows (held: their POs are unknown), so applying them outlasts the append below; the first part ends at a
    // line break, so nothing in it looks cut off.
    const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `PO-STALL-${from + i},SO-1,${UPS},TIT-GT2-9,1\r\n`).join('');
    const first = `PO #,Order #,Tracking #,Item #,Qty\r\n${rows(0, 3000)}`;
    const whole = `${first}${rows(3000, 3010)}`;
    await writeFile(file, first);
    // The inbox has read the first part once its document is stored (bytes first, then applied in batches).
    for (let waited = 0; ; waited += 5) {
      if (waited > 20_000) throw new Error('the first part was never read');
      const stored = await db.selectFrom('supplier_documents').select('id').where('filename', '=', 'stalled.csv').executeTakeFirst();
      if (stored) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await appendFile(file, whole.slice(first.length));
    // Read twice, each time applying 3,000 rows: on a loaded machine that outlasts handled()'s 20 s.
    for (let waited = 0; outcomes.length < before + 2; waited += 100) {
      if (waited > 80_000) throw new Error(`stalled.csv was not read again: ${JSON.stringify(outcomes.slice(before))}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [partial, complete] = outcomes.slice(before, before + 2);
    expect(partial).toMatchObject({ status: 'processing', movedTo: null, grew: true });
    expect(partial.error).toBe(`still being written (${first.length} bytes read, ${whole.length} now): read again once it stops changing`);
    expect(complete.status).toBe('processed');
    expect(complete.document?.size_bytes).toBe(whole.length);
    expect(await readFile(join(dir, 'inbox-golf', 'processed', 'stalled.csv'), 'utf8')).toBe(whole);
    // Every row held once: the rows of the first read are held again as they were (each row's result is `unmatched`
    // again, as for any held update re-sent), nothing doubled.
    const held = await db.selectFrom('held_supplier_updates').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('po_number', 'like', 'PO-STALL-%').executeTakeFirstOrThrow();
    expect(Number(held.n)).toBe(3010);
    expect(complete.document).toMatchObject({ unmatched: 3010, rejected: 0 });
  }, 120_000);

  it('an Excel workbook dropped in as it came by email (a name with spaces and accents) fails saying what it is and what to send', async () => {
    const before = outcomes.length;
    const name = 'Lieferavis März 2026 (Kopie).xlsx';
    const workbook = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), Buffer.from('[Content_Types].xml'), randomBytes(300)]);
    await writeFile(join(dir, 'inbox-golf', name), workbook);
    const [outcome] = (await handled(before + 1)).slice(before);
    expect(outcome.status).toBe('failed');
    expect(outcome.document?.filename).toBe(name);
    const note = await readFile(join(dir, 'inbox-golf', 'failed', `${name}.error.txt`), 'utf8');
    expect(note).toBe('The file is a ZIP archive: an Excel workbook (.xlsx) or another spreadsheet (.ods, .numbers), not CSV: ' +
      'open it and save it as "CSV UTF-8 (Comma delimited) (*.csv)", then send that file.\n');
    expect((await readFile(join(dir, 'inbox-golf', 'failed', name))).equals(workbook)).toBe(true);
  });
});

// An empty file (0 bytes) in the inbox folder, on SQLite and PostgreSQL (fresh-user report item 4): as POST
// /api/v2/supplier_documents (400 naming `body`) and `ordersync ingest` (a failure, exit 1), nothing is stored. The
// file is moved to failed/ with an .error.txt saying it was empty (never deleted: the sender sees it was not taken),
// and the files after it are read as usual.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import type { FileOutcome } from '../../src/ingest/files.ts';
import { startInbox, type Inbox } from '../../src/ingest/inbox.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { addPo, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';

const databases = TestDatabases.create();
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe.each(databases.eachSupportedId())('an empty file in the inbox on %s', (databaseId) => {
  let db: Db;
  let dir: string;
  let inbox: Inbox;
  const outcomes: FileOutcome[] = [];

  async function handled(count: number): Promise<FileOutcome[]> {
    for (let waited = 0; outcomes.length < count; waited += 50) {
      if (waited > 20_000) throw new Error(`only ${outcomes.length} of ${count} files handled: ${JSON.stringify(outcomes)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return outcomes.slice(0, count);
  }

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    const retailerId = (await ensureRetailer(db, 'empty-golf')).retailer.id;
    await addPo(db, retailerId, await ensureSupplier(db, retailerId, { name: 'Acushnet' }), 'PO-EMPTY-1');
    dir = await mkdtemp(join(tmpdir(), 'ordersync-inbox-empty-'));
    await mkdir(join(dir, 'empty-golf'));
    inbox = await startInbox({ db, dir, log: quiet, stableMs: 300, onFile: (outcome) => outcomes.push(outcome) });
  });
  afterAll(async () => {
    await inbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is moved to failed/ with a note saying it was empty; no document is stored; the next file is read', async () => {
    const before = await tableCounts(db);
    for (const name of ['empty.csv', 'empty.edi']) {
      await writeFile(join(dir, 'empty-golf', name), '');
      await handled(outcomes.length + 1);
    }
    expect(outcomes.map((o) => [o.status, o.document, o.error])).toEqual([
      ['failed', null, 'The file is empty (0 bytes): nothing was sent, so no document was stored; send the file again whole.'],
      ['failed', null, 'The file is empty (0 bytes): nothing was sent, so no document was stored; send the file again whole.'],
    ]);
    expect((await readdir(join(dir, 'empty-golf', 'failed'))).sort()).toEqual(['empty.csv', 'empty.csv.error.txt', 'empty.edi', 'empty.edi.error.txt']);
    expect(await readFile(join(dir, 'empty-golf', 'failed', 'empty.csv.error.txt'), 'utf8')).toContain('is empty (0 bytes)');
    expect((await tableCounts(db)).supplier_documents).toBe(before.supplier_documents);
  });

  it('white space only, a UTF-8 BOM only, or both is empty too: failed/ with its note, nothing stored (CSV and X12)', async () => {
    const before = await tableCounts(db);
    const files: [string, string, string][] = [
      ['blank.csv', ' \r\n\r\n', '5 bytes, only white space'], ['bom.csv', '\ufeff', '3 bytes, only a byte-order mark'],
      ['bom-blank.edi', '\ufeff\n\t', '5 bytes, only a byte-order mark and white space'], ['blank.edi', '\n', '1 byte, only white space'],
      // Excel's "Unicode Text" of an empty sheet: UTF-16 with its BOM, and line breaks two bytes each.
      ['unicode.txt', '\ufeff\r\n', '6 bytes, only a byte-order mark and white space'],
    ];
    const from = outcomes.length;
    for (const [name, text] of files) {
      await writeFile(join(dir, 'empty-golf', name), name.endsWith('.txt') ? Buffer.from(text, 'utf16le') : text);
      await handled(outcomes.length + 1);
    }
    expect(outcomes.slice(from).map((o) => [o.status, o.document, o.error])).toEqual(files.map(([, , what]) =>
      ['failed', null, `The file is empty (${what}): nothing to read was sent, so no document was stored; send the file again whole.`]));
    for (const [name, , what] of files) {
      expect(await readFile(join(dir, 'empty-golf', 'failed', `${name}.error.txt`), 'utf8')).toContain(`is empty (${what})`);
    }
    expect((await tableCounts(db)).supplier_documents).toBe(before.supplier_documents);
  });

  it('the file after empty ones is read as usual', async () => {
    const before = await tableCounts(db);
    await writeFile(join(dir, 'empty-golf', 'next.csv'), 'PO #,Order #,Tracking #,Item #,Qty\r\nPO-EMPTY-1,SO-E,1Z999AA10123456784,TIT-GT2-9,1\r\n');
    const next = (await handled(outcomes.length + 1)).at(-1);
    expect(next).toMatchObject({ status: 'processed' });
    expect((await tableCounts(db)).supplier_documents).toBe(before.supplier_documents + 1);
  });
});

// A file in the inbox folder larger than DOCUMENT_MAX_BYTES, on SQLite and PostgreSQL (DESIGN 3, "Inbox folder";
// README "The inbox folder"): as POST /api/v2/supplier_documents answers 413 and stores nothing, the inbox moves it to
// failed/ unread with an .error.txt giving its size and the limit (never deleted, never held whole in memory and
// stored as a document: a 3 GB file dropped by mistake), and the files after it are read as usual.
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
const UPS = '1Z999AA10123456784';

describe.each(databases.eachSupportedId())('a file over DOCUMENT_MAX_BYTES in the inbox on %s', (databaseId) => {
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
    const retailerId = (await ensureRetailer(db, 'limits-golf')).retailer.id;
    await addPo(db, retailerId, await ensureSupplier(db, retailerId, { name: 'Acushnet' }), 'PO-LIMIT-1');
    dir = await mkdtemp(join(tmpdir(), 'ordersync-inbox-limits-'));
    await mkdir(join(dir, 'limits-golf'));
    inbox = await startInbox({ db, dir, log: quiet, stableMs: 300, maxBytes: 200, onFile: (outcome) => outcomes.push(outcome) });
  });
  afterAll(async () => {
    await inbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is moved to failed/ unread with a note giving its size and the limit; nothing stored; a file within it is read', async () => {
    const before = await tableCounts(db);
    const header = 'PO #,Order #,Tracking #,Item #,Qty\r\n';
    const big = `${header}${`PO-LIMIT-1,SO-L,${UPS},TIT-GT2-9,1\r\n`.repeat(8)}`;
    await writeFile(join(dir, 'limits-golf', 'big export.csv'), big);
    const [outcome] = await handled(1);
    const reason = `The file is ${big.length} bytes, larger than a supplier document may be: DOCUMENT_MAX_BYTES is ` +
      '200 bytes, as for the API; split it into smaller files; it was not read.';
    expect(outcome).toMatchObject({ status: 'failed', document: null, error: reason });
    expect((await readdir(join(dir, 'limits-golf', 'failed'))).sort()).toEqual(['big export.csv', 'big export.csv.error.txt']);
    expect(await readFile(join(dir, 'limits-golf', 'failed', 'big export.csv'), 'utf8')).toBe(big);
    expect(await readFile(join(dir, 'limits-golf', 'failed', 'big export.csv.error.txt'), 'utf8')).toBe(`${reason}\n`);
    expect(await tableCounts(db)).toEqual(before);

    await writeFile(join(dir, 'limits-golf', 'small.csv'), `${header}PO-LIMIT-1,SO-L,${UPS},TIT-GT2-9,1\r\n`);
    const [, small] = await handled(2);
    expect(small).toMatchObject({ status: 'processed' });
    expect((await tableCounts(db)).supplier_documents).toBe(before.supplier_documents + 1);
  });
});

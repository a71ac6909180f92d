// `ordersync ingest FILE… --retailer NAME` (DESIGN 3, "Inbox folder"), spawned as a user runs it, on SQLite and
// PostgreSQL: a summary line per file, the same file again is the same document, exit status 1 when a file failed.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { addPo, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases, type TestDatabase } from '../support/test-database.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const databases = TestDatabases.create();
const BIN = resolve(import.meta.dirname, '../../bin/ordersync.js');
const UPS = '1Z999AA10123456784';
const SECRET = 'cli-ingest-secret-0123456789abcdefghijklmnop';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe.each(databases.eachSupportedId())('ordersync ingest on %s', (databaseId) => {
  let database: TestDatabase;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const run = (args: string[]): Promise<Result> => new Promise((done) => {
    execFile(process.execPath, [BIN, 'ingest', ...args], { env, cwd: dir, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });

  beforeAll(async () => {
    database = await databases.init(databaseId);
    dir = mkdtempSync(join(tmpdir(), 'ordersync-ingest-'));
    const url = database.schema
      ? `${database.url}${database.url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${database.schema}`)}`
      : database.url;
    env = {
      ...process.env, DATABASE_URL: url, ORDERSYNC_SECRET: SECRET, LOG_LEVEL: 'warn',
      NODE_COMPILE_CACHE: join(tmpdir(), 'ordersync-test-compile-cache'),
    };
    const retailerId = (await ensureRetailer(database.db, 'cli-golf')).retailer.id;
    const supplier = await ensureSupplier(database.db, retailerId, { name: 'Acushnet' });
    await addPo(database.db, retailerId, supplier, 'PO-CLI-1');
    writeFileSync(join(dir, 'ship.csv'), 'PO #,Order #,Tracking #,Item #,Qty\r\n' +
      `PO-CLI-1,SO-CLI,${UPS},TIT-GT2-9,2\r\nPO-CLI-NEW,SO-CLI,${UPS},TIT-GT2-9,2\r\nPO-CLI-1,SO-CLI,${UPS},TIT-PRO-V1,lots\r\n`);
    writeFileSync(join(dir, 'ack.csv'), 'PO;Order No.;SKU;Qty;Status\nPO-CLI-1;SO-CLI;TIT-PRO-V1;5;backordered\n');
    writeFileSync(join(dir, 'garbage.csv'), 'hello, world\n');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints a line per file with its counts and document id, and exits 1 when one failed', async () => {
    mkdirSync(join(dir, 'inbox'), { recursive: true });
    execFileSync('mkfifo', [join(dir, 'pipe.csv')]);
    const result = await run(['ship.csv', 'garbage.csv', 'missing.csv', 'inbox', 'pipe.csv', '--retailer', 'cli-golf']);
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^ship\.csv: processed \(sdoc_\w+; applied 1, unchanged 0, unmatched 1, rejected 1\)$/);
    // The rejected row, and why, under its file's line.
    expect(lines.splice(1, 1)[0]).toMatch(/^  row 4 \(PO-CLI-1\): rejected: column "Qty": /);
    expect(lines[1]).toMatch(/^garbage\.csv: failed: line 1: The CSV has no PO-number column: no header row in the first 10 lines .*"\) \(sdoc_\w+; applied 0/);
    expect(lines[2]).toBe('missing.csv: failed: no such file');
    expect(lines[3]).toBe('inbox: failed: is a directory (name the files in it, for example DIR/*)');
    expect(lines[4]).toBe('pipe.csv: failed: is not a regular file but a named pipe');
    expect(result.stderr).toContain('4 of 5 files failed');
  });

  it('an empty file stores nothing, as the API and the inbox: one line saying so, exit 1', async () => {
    writeFileSync(join(dir, 'empty.csv'), '');
    writeFileSync(join(dir, 'empty.edi'), '');
    const before = await tableCounts(database.db);
    const result = await run(['empty.csv', 'empty.edi', '--retailer', 'cli-golf']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual(['csv', 'edi'].map((ext) =>
      `empty.${ext}: failed: is empty (0 bytes): nothing was sent, so no document was stored; send the file again whole`));
    expect(result.stderr).toContain('2 of 2 files failed');
    expect((await tableCounts(database.db)).supplier_documents).toBe(before.supplier_documents);
  });

  it('a file of white space, a UTF-8 BOM, or both is empty too (CSV and X12): one line each, nothing stored, exit 1', async () => {
    const files: [string, string, string][] = [['blank.csv', '  \r\n', '4 bytes, only white space'],
      ['bom.csv', '\ufeff', '3 bytes, only a byte-order mark'], ['bom-blank.edi', '\ufeff\r\n', '5 bytes, only a byte-order mark and white space']];
    for (const [name, text] of files) writeFileSync(join(dir, name), text);
    const before = await tableCounts(database.db);
    const result = await run([...files.map(([name]) => name), '--retailer', 'cli-golf']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual(files.map(([name, , what]) =>
      `${name}: failed: is empty (${what}): nothing to read was sent, so no document was stored; send the file again whole`));
    expect(result.stderr).toContain('3 of 3 files failed');
    expect((await tableCounts(database.db)).supplier_documents).toBe(before.supplier_documents);
  });

  it('a file larger than DOCUMENT_MAX_BYTES fails unread, as the API\'s 413: one line with its size and the limit, nothing stored', async () => {
    writeFileSync(join(dir, 'big.csv'), `PO #,Order #,Tracking #,Item #,Qty\r\n${`PO-CLI-1,SO-BIG,${UPS},TIT-GT2-9,1\r\n`.repeat(10)}`);
    const before = await tableCounts(database.db);
    const saved = env;
    env = { ...env, DOCUMENT_MAX_BYTES: '100' };
    const result = await run(['big.csv', '--retailer', 'cli-golf']).finally(() => { env = saved; });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout.trim()).toMatch(/^big\.csv: failed: is \d+ bytes, larger than a supplier document may be: /);
    expect(result.stdout).toContain('DOCUMENT_MAX_BYTES is 100 bytes, as for the API; split it into smaller files');
    expect(await tableCounts(database.db)).toEqual(before);
  });

  it('a CSV with an unclosed quote: one failure line naming the row, without "cannot be read" said twice', async () => {
    writeFileSync(join(dir, 'broken.csv'), 'PO #,Tracking #,Qty\nPO-CLI-1,"1Z999AA10123456784,1\n');
    const result = await run(['broken.csv', '--retailer', 'cli-golf']);
    expect(result.code, result.stderr).toBe(1);
    const [line] = result.stdout.trim().split('\n');
    expect(line).toMatch(/^broken\.csv: failed: row 2: a quoted field \(field 2\) is never closed \(opening quote at line 2\).*; no row of the file was applied \(sdoc_\w+; applied 0/);
    expect(line.match(/cannot be read/g) ?? []).toHaveLength(0);
  });

  it('--supplier-name is trimmed, and a blank one is refused before anything is read', async () => {
    const blank = await run(['ack.csv', '--retailer', 'cli-golf', '--supplier-name', '   ']);
    expect(blank.code).not.toBe(0);
    expect(blank.stderr).toContain('--supplier-name: must not be blank');
    expect(blank.stdout).toBe('');
  });

  it('exits 0 when every file is processed; the same file again is the same document, applying nothing', async () => {
    const before = await tableCounts(database.db);
    const again = await run(['ship.csv', '--retailer', 'cli-golf']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toMatch(
      /^ship\.csv: already received as sdoc_\w+ \(processed; its counts: applied 1, unchanged 0, unmatched 1, rejected 1\); nothing applied again$/);
    const ack = await run(['ack.csv', '--retailer', 'cli-golf', '--supplier-name', 'Acushnet']);
    expect(ack.code, ack.stderr).toBe(0);
    expect(ack.stdout.trim()).toMatch(/^ack\.csv: processed \(sdoc_\w+; applied 1, unchanged 0, unmatched 0, rejected 0\)$/);
    // The same bytes said to be another supplier's are not the first document read another way: refused, naming it.
    const conflicting = await run(['ship.csv', '--retailer', 'cli-golf', '--supplier-name', 'Acushnet']);
    expect(conflicting.code).toBe(1);
    expect(conflicting.stdout).toMatch(/^ship\.csv: failed: These bytes were already received as document sdoc_\w+ with supplier_name none \(now "Acushnet"\)/);
    const after = await tableCounts(database.db);
    expect(after.supplier_documents - before.supplier_documents).toBe(1);
    expect(after.shipments).toBe(before.shipments);
    const line = await database.db.selectFrom('po_lines').select('fulfilment_status').where('sku', '=', 'TIT-PRO-V1').executeTakeFirstOrThrow();
    expect(line.fulfilment_status).toBe('backorder');
  });

  it('a failed file\'s reason sits in its line without a stray full stop, first time and already received', async () => {
    writeFileSync(join(dir, 'unclosed.csv'), 'PO #,Qty\n"PO-CLI-1,2\n');
    writeFileSync(join(dir, 'no-po.csv'), 'hello, there\n');
    const reason = 'row 2: a quoted field (field 1) is never closed (opening quote at line 2): the ' +
      'file ends inside it; close the quote, or double a quote meant as part of the value (""); no row of the file was applied';
    const noPo = 'line 1: The CSV has no PO-number column: no header row in the first 10 lines names one (looked for headers such as ' +
      '"PO", "PO #", "PO Number", "Purchase Order"; the line read as the header row has "hello", "there")';
    const counts = 'applied 0, unchanged 0, unmatched 0, rejected 0';
    const first = await run(['unclosed.csv', 'no-po.csv', '--retailer', 'cli-golf']);
    expect(first.code).toBe(1);
    const firstLines = first.stdout.trim().split('\n');
    const ids = firstLines.map((line) => /\((sdoc_\w+);/.exec(line)?.[1]);
    expect(firstLines).toEqual([
      `unclosed.csv: failed: ${reason} (${ids[0]}; ${counts})`,
      `no-po.csv: failed: ${noPo} (${ids[1]}; ${counts})`,
    ]);
    const again = await run(['unclosed.csv', 'no-po.csv', '--retailer', 'cli-golf']);
    expect(again.code).toBe(1);
    expect(again.stdout.trim().split('\n')).toEqual([
      `unclosed.csv: already received as ${ids[0]} (failed: ${reason}; its counts: ${counts}); nothing applied again`,
      `no-po.csv: already received as ${ids[1]} (failed: ${noPo}; its counts: ${counts}); nothing applied again`,
    ]);
    expect(again.stdout).not.toMatch(/\.[;)(]|\. \(/);
  });

  it('names a rejected X12 set once in its line: "ST 0002 (856): rejected: …", not the set again in the reason', async () => {
    writeFileSync(join(dir, 'mixed.edi'), readFileSync(resolve(import.meta.dirname, '../fixtures/x12/mixed-good-and-bad-sets.edi')));
    const result = await run(['mixed.edi', '--retailer', 'cli-golf']);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0], result.stderr).toMatch(/^mixed\.edi: processed \(sdoc_\w+; .*rejected 2\)$/);
    const rejected = lines.slice(1);
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toBe('  ST 0002 (856), GS 31 (PO-3002): rejected: SE01 says 12, but the set has 9 segments (ST to SE)');
    expect(rejected[1]).toMatch(/^  ST 0003 \(856\), GS 31 \(PO-3003\): rejected: BSN02 /);
    for (const line of rejected) expect(line).not.toMatch(/rejected: ST \d{4}/);
  });

  it('refuses an unknown retailer, naming it', async () => {
    const unknown = await run(['ship.csv', '--retailer', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--retailer: no retailer named "nobody"');
  });

  it('prints no terminal escapes from a file or its name: control characters are shown as \\x1b; a link the user names is read', async () => {
    writeFileSync(join(dir, 'esc.csv'), '\x1b[31mPO\x1b]0;pwned\x07,Qty\nX,1\n');
    writeFileSync(join(dir, 'name\x1b[2J.csv'), 'PO #,Qty\nPO-CLI-1,\u0085\n');
    writeFileSync(join(dir, 'link-target.csv'), 'PO;Order No.;SKU;Qty;Status\nPO-CLI-1;SO-LINK;TIT-PRO-V1;5;backordered\n');
    symlinkSync(join(dir, 'link-target.csv'), join(dir, 'ack-link.csv'));
    const result = await run(['esc.csv', 'name\x1b[2J.csv', 'ack-link.csv', '--retailer', 'cli-golf']);
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toContain('esc.csv: failed: line 1: The CSV has no PO-number column');
    expect(lines[0]).toContain('"\\x1b[31mPO\\x1b]0;pwned\\x07"');
    expect(lines[1]).toMatch(/^name\\x1b\[2J\.csv: processed/);
    expect(lines[2]).toMatch(/^  row 2 \(PO-CLI-1\): rejected: column "Qty": .*U\+0085/);
    // Read through the link and stored (whatever its row meets on the PO by now).
    expect(lines[3]).toMatch(/^ack-link\.csv: processed \(sdoc_\w+; /);
  });
});

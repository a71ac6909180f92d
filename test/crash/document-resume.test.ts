// A supplier document whose apply is cut off by SIGKILL is completed by the next start of the service by itself
// (ingest/pipeline.ts resumeUnfinishedDocuments, run at start by server.ts): nobody has to send its bytes again,
// nothing stays `processing`, and no entry is applied twice. Dropped into the inbox folder, the file is then moved
// to processed/ (not left in the inbox, not applied twice). With `serve --workers 2`, an HTTP worker killed mid-apply
// is restarted by the primary, which completes the document without starting again itself. The real server as a
// child process (harness.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { ingestDocument, resumeUnfinishedDocuments } from '../../src/ingest/pipeline.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { freePort } from '../support/cli-process.ts';
import { TestDatabases } from '../support/test-database.ts';
import { ServerProcess } from './harness.ts';

const databases = TestDatabases.create();
const ROWS = 30_000;
const SECRET = 'document-resume-secret-0123456789abcdefghijklmn';

/** A supplier portal's shipment CSV: one row per PO not seen yet (each held as unmatched), a tracking number each. */
function bigCsv(): string {
  const rows = ['PO #,Order No.,Tracking #,Carrier,SKU,Qty,Ship Date,Supplier'];
  for (let i = 0; i < ROWS; i++) rows.push(`RES-${i},SO-${i},RESTRK${String(i).padStart(8, '0')},FedEx,SKU-1,1,2026-11-20,Acme`);
  return `${rows.join('\n')}\n`;
}

/** The document is processed, each of its ROWS entries applied (and held) exactly once, one processed event. */
async function expectAppliedOnce(db: Db, retailerId: string, documentId: string): Promise<void> {
  const document = await db.selectFrom('supplier_documents').selectAll().where('id', '=', documentId).executeTakeFirstOrThrow();
  expect(document.next_entry).toBe(ROWS);
  expect(document.applied + document.unchanged + document.unmatched + document.rejected).toBe(ROWS);
  const results = await db.selectFrom('supplier_document_results').select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('document_id', '=', documentId).executeTakeFirstOrThrow();
  expect(Number(results.n)).toBe(ROWS);
  // Each row held once (an entry applied twice would hold its update twice).
  const held = await db.selectFrom('held_supplier_updates').select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('retailer_id', '=', retailerId).executeTakeFirstOrThrow();
  expect(Number(held.n)).toBe(ROWS);
  const processedEvents = await db.selectFrom('events').select('id')
    .where('retailer_id', '=', retailerId).where('type', '=', 'supplier_document.processed').execute();
  expect(processedEvents).toHaveLength(1);
}

async function serverFor(database: { url: string; schema?: string }, env: Record<string, string> = {}): Promise<ServerProcess> {
  const url = database.schema
    ? `${database.url}${database.url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${database.schema}`)}`
    : database.url;
  const server = new ServerProcess({ DATABASE_URL: url, ORDERSYNC_SECRET: SECRET, ...env }, await freePort());
  onTestFinished(() => server.kill());
  return server;
}

describe.each(databases.eachSupportedId())('a supplier document cut off by SIGKILL (%s)', (id) => {
  it('is completed by the next start without being sent again, each entry applied once', async () => {
    const database = await databases.init(id);
    const { db } = database;
    const { retailer } = await ensureRetailer(db, 'resume');
    const apiKey = (await createApiKey(db, retailer.id, 'resume', ['read', 'write', 'admin'])).secret;
    const server = await serverFor(database);
    await server.start();

    // Sent, and killed once some batches (not all) have committed.
    const upload = fetch(`${server.baseUrl}/api/v2/supplier_documents?filename=big.csv`, {
      method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'text/csv' }, body: bigCsv(),
    }).catch(() => null);
    const progress = () => db.selectFrom('supplier_documents').select(['id', 'status', 'next_entry']).executeTakeFirst();
    await expect.poll(async () => (await progress())?.next_entry ?? 0, { timeout: 60_000, interval: 20 }).toBeGreaterThan(0);
    await server.kill();
    await upload;
    const cut = (await progress())!;
    expect(cut.status, 'the kill came before the end of the apply').toBe('processing');
    expect(cut.next_entry).toBeLessThan(ROWS);

    // Started again; the bytes are not sent again.
    await server.start();
    await expect.poll(async () => (await progress())?.status, { timeout: 120_000, interval: 200 }).toBe('processed');
    await expectAppliedOnce(db, retailer.id, cut.id);
  }, 400_000);

  it('dropped into the inbox: completed by the next start, moved to processed/, applied once', async () => {
    const database = await databases.init(id);
    const { db } = database;
    const { retailer } = await ensureRetailer(db, 'inboxshop');
    const inbox = mkdtempSync(join(tmpdir(), 'ordersync-inbox-'));
    onTestFinished(() => rmSync(inbox, { recursive: true, force: true }));
    mkdirSync(join(inbox, 'inboxshop'));
    const server = await serverFor(database, { INBOX_DIR: inbox, INBOX_STABLE_SECONDS: '1' });
    await server.start();
    writeFileSync(join(inbox, 'inboxshop', 'big.csv'), bigCsv());
    const progress = () => db.selectFrom('supplier_documents').select(['id', 'status', 'next_entry'])
      .where('retailer_id', '=', retailer.id).executeTakeFirst();
    await expect.poll(async () => (await progress())?.next_entry ?? 0, { timeout: 60_000, interval: 20 }).toBeGreaterThan(0);
    await server.kill();
    const cut = (await progress())!;
    expect(cut.status, 'the kill came before the end of the apply').toBe('processing');
    expect(existsSync(join(inbox, 'inboxshop', 'big.csv')), 'the file stays in the inbox meanwhile').toBe(true);

    await server.start();
    await expect.poll(() => existsSync(join(inbox, 'inboxshop', 'processed')) && readdirSync(join(inbox, 'inboxshop', 'processed')),
      { timeout: 120_000, interval: 200 }).toEqual(['big.csv']);
    expect(readdirSync(join(inbox, 'inboxshop')).sort()).toEqual(['processed']);
    await expectAppliedOnce(db, retailer.id, cut.id);
  }, 400_000);

  it('serve --workers 2: a worker killed mid-apply; the primary, still up, completes the document', async () => {
    const database = await databases.init(id);
    const { db } = database;
    const { retailer } = await ensureRetailer(db, 'workers');
    const apiKey = (await createApiKey(db, retailer.id, 'workers', ['read', 'write', 'admin'])).secret;
    const server = await serverFor(database, { WEB_CONCURRENCY: '2' });
    await server.start();
    const primary = server.pid!;
    const workers = () => execFileSync('ps', ['-o', 'pid=', '--ppid', String(primary)], { encoding: 'utf8' })
      .split('\n').map((line) => Number(line.trim())).filter((pid) => pid > 0);
    const upload = fetch(`${server.baseUrl}/api/v2/supplier_documents?filename=big.csv`, {
      method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'text/csv' }, body: bigCsv(),
    }).catch(() => null);
    const progress = () => db.selectFrom('supplier_documents').select(['id', 'status', 'next_entry'])
      .where('retailer_id', '=', retailer.id).executeTakeFirst();
    await expect.poll(async () => (await progress())?.next_entry ?? 0, { timeout: 60_000, interval: 20 }).toBeGreaterThan(0);
    const killed = workers();
    expect(killed).toHaveLength(2);
    for (const pid of killed) process.kill(pid, 'SIGKILL'); // the one applying among them
    await upload;
    const cut = (await progress())!;
    expect(cut.status, 'the kill came before the end of the apply').toBe('processing');

    await expect.poll(async () => (await progress())?.status, { timeout: 120_000, interval: 200 }).toBe('processed');
    expect(server.pid, 'the primary kept running').toBe(primary);
    await expectAppliedOnce(db, retailer.id, cut.id);
  }, 400_000);

  it('one document the database will not take does not keep the others from being completed', async () => {
    const { db } = await databases.init(id);
    const { retailer } = await ensureRetailer(db, 'several');
    const csv = (first: number) => Buffer.from(['PO #,Tracking #,Carrier,SKU,Qty,Supplier',
      ...[0, 1, 2].map((i) => `SEV-${first + i},SEVTRK${first + i},FedEx,SKU-1,1,Acme`), ''].join('\n'));
    // Two documents cut off before their first batch: stored, nothing applied.
    const cutOff = () => { throw new Error('killed'); };
    const ids: string[] = [];
    for (const first of [0, 10]) {
      await expect(ingestDocument(db, retailer.id, { bytes: csv(first), format: 'csv', content_type: 'text/csv' }, { beforeBatch: cutOff }))
        .rejects.toThrow('killed');
      ids.push((await db.selectFrom('supplier_documents').select('id').orderBy('received_at', 'desc').orderBy('id', 'desc')
        .executeTakeFirstOrThrow()).id);
    }
    // The first one's batch fails (as a database error would); the second is completed all the same.
    let calls = 0;
    const failed: string[] = [];
    const finished = await resumeUnfinishedDocuments(db, new Date(Date.now() + 1000), {
      beforeBatch: () => { if (calls++ === 0) throw new Error('database went away'); },
      onError: (documentId) => failed.push(documentId),
    });
    expect(finished).toBe(1);
    expect(failed).toHaveLength(1);
    const statuses = await db.selectFrom('supplier_documents').select(['id', 'status']).where('id', 'in', ids).execute();
    expect(statuses.map((row) => row.status).sort()).toEqual(['processed', 'processing']);
    expect(statuses.find((row) => row.status === 'processing')!.id).toBe(failed[0]);
  });
});

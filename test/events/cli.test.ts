// `ordersync webhooks add|list|deliveries|remove` and `ordersync events tail`, spawned as a user runs them against
// a temporary SQLite file: the secret printed once on its own line, the SSRF guard at add, the feed followed live.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { recordEvent } from '../../src/store/events.ts';
import { findRetailerByName } from '../../src/store/retailers.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const BIN = resolve(import.meta.dirname, '../../bin/ordersync.js');
const dir = mkdtempSync(join(tmpdir(), 'ordersync-events-cli-'));
const file = join(dir, 'ordersync.db');
const env = {
  ...process.env, DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'warn', WEBHOOKS_ALLOW_PRIVATE_URLS: 'false',
  NODE_COMPILE_CACHE: join(tmpdir(), 'ordersync-test-compile-cache'),
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...env, ...extra }, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('ordersync webhooks and events', () => {
  let endpointId: string;

  beforeAll(async () => {
    const added = await run(['webhooks', 'add', '--retailer', 'shop', '--url', 'https://93.184.216.34/hooks', '--events', 'shipment.created,sync_run.failed']);
    expect(added.code, added.stderr).toBe(0);
    const [line, secret] = added.stdout.trim().split('\n');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    endpointId = line.split(' ')[0];
    expect(endpointId).toMatch(/^we_/);
  });

  it('add refuses what the API refuses, naming the option', async () => {
    const local = await run(['webhooks', 'add', '--retailer', 'shop', '--url', 'http://localhost:9400/hooks']);
    expect(local.code).not.toBe(0);
    expect(local.stderr).toMatch(/--url .*127\.0\.0\.1 is a loopback/);
    const bogus = await run(['webhooks', 'add', '--retailer', 'shop', '--url', 'https://93.184.216.34/', '--events', 'nope']);
    expect(bogus.code).not.toBe(0);
    expect(bogus.stderr).toMatch(/unknown event type nope/);
  });

  it('list shows the endpoint without its secret; deliveries; events tail follows new events', async () => {
    const list = await run(['webhooks', 'list']);
    expect(list.stdout).toContain(`${endpointId}  shop  https://93.184.216.34/hooks  shipment.created,sync_run.failed  enabled`);
    expect(list.stdout).not.toContain('whsec_');

    const tail = spawn(process.execPath, [BIN, 'events', 'tail', '--retailer', 'shop', '--type', 'sync_run.failed'], { env });
    let out = '';
    tail.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    let err = '';
    tail.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    await expect.poll(() => err, { timeout: 60_000 }).toContain('Following events of shop');
    const database = openDatabase({ kind: 'sqlite', file });
    try {
      const retailer = await findRetailerByName(database.db, 'shop');
      const id = await database.db.transaction().execute(async (trx) => {
        await recordEvent(trx, retailer!.id, 'supplier_document.processed', { document_id: 'd', summary: {} });
        return recordEvent(trx, retailer!.id, 'sync_run.failed', { connection_id: 'conn_1', run_id: 'run_1', error: 'upstream 503' });
      });
      await expect.poll(() => out, { timeout: 30_000 }).toContain(id);
      expect(out).toContain('sync_run.failed');
      expect(out).not.toContain('supplier_document.processed');
    } finally {
      tail.kill('SIGINT');
      await database.close();
    }
    const deliveries = await run(['webhooks', 'deliveries', endpointId]);
    expect(deliveries.code, deliveries.stderr).toBe(0);
    expect(deliveries.stdout).toMatch(/whd_\S+ {2}evt_\S+ {2}sync_run\.failed {2}pending {2}attempts 0/);
  });

  it('remove deletes the endpoint; removing it again fails', async () => {
    expect((await run(['webhooks', 'remove', endpointId])).stdout).toContain(`removed ${endpointId}`);
    const again = await run(['webhooks', 'remove', endpointId]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`no webhook endpoint with id "${endpointId}"`);
  });
});

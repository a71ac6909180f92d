// The read-ahead (src/sync/engine.ts): the next page is requested while the page before is being written, so the
// upstream prepares it during the write. A page's transaction on SQLite holds the event loop from begin to commit
// (better-sqlite3 is synchronous), so the request has to be on the wire before the transaction begins.
//
// How it is seen: the upstream runs in a worker thread (an event loop of its own, which the engine's transaction
// does not hold) and notes when each request arrives; the first page's transaction holds the engine's event loop
// for HOLD_MS before it commits. The second page's request must arrive while it is held.
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { STOCKY_DEFAULT_API_KEY, STOCKY_DEFAULT_STORE_NAME } from '../../src/sandbox/stocky.ts';
import { TestDatabases } from '../support/test-database.ts';
import { makeConnection, run, stocky } from './support.ts';

const databases = TestDatabases.create();

/** How long the first page's transaction holds the event loop (ms): far beyond a request's trip on loopback. */
const HOLD_MS = 400;

/**
 * A node:http server in a worker thread serving canned Stocky list pages: `pages` maps "first" (no since_id) and
 * "next" (any since_id) to JSON text. Each request's arrival (Date.now()) and URL are posted back on 'arrivals'.
 */
const UPSTREAM = `
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const arrivals = [];
const server = createServer((req, res) => {
  arrivals.push({ at: Date.now(), url: req.url });
  const text = workerData.pages[req.url.includes('since_id=') ? 'next' : 'first'];
  res.writeHead(200, { 'content-type': 'application/json', date: new Date().toUTCString() });
  res.end(text);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m === 'arrivals') parentPort.postMessage({ arrivals });
  if (m === 'close') server.close(() => process.exit(0));
});
`;

/** Stocky's first two pages of `limit` POs for the sandbox's data, as the list answers them (JSON text). */
async function cannedPages(limit: number): Promise<{ first: string; next: string }> {
  const sandbox = await stocky({ pos: limit + 1 });
  try {
    const get = async (query: string) => {
      const response = await fetch(`${sandbox.url}/api/v2/purchase_orders.json?${query}`, {
        headers: { 'Store-Name': STOCKY_DEFAULT_STORE_NAME, Authorization: `API KEY=${STOCKY_DEFAULT_API_KEY}` },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { purchase_orders: { id: number }[] };
    };
    const first = await get(`limit=${limit}`);
    const smallest = Math.min(...first.purchase_orders.map((po) => po.id));
    const next = await get(`limit=${limit}&since_id=${smallest}`);
    return { first: JSON.stringify(first), next: JSON.stringify(next) };
  } finally {
    await sandbox.close();
  }
}

describe.each(databases.eachSupportedId())('sync read-ahead on %s', (databaseId) => {
  it('the next page is requested while the page before is still being written', async () => {
    const { db } = await databases.init(databaseId);
    const limit = 2;
    const pages = await cannedPages(limit);
    const worker = new Worker(UPSTREAM, { eval: true, workerData: { pages } });
    afterAll(() => worker.terminate());
    const { port } = await new Promise<{ port: number }>((resolve) => worker.once('message', resolve));
    const connection = await makeConnection(db, 'stocky', `http://127.0.0.1:${port}`);

    let held: { from: number; to: number } | undefined;
    const result = await run(db, connection, {
      tuning: { pageSize: limit },
      hooks: {
        beforeCommit: (page) => {
          if (page !== 1) return;
          // Inside the page's transaction: hold the event loop as a long write does (synchronously, no await).
          const from = Date.now();
          while (Date.now() - from < HOLD_MS) { /* a write that takes HOLD_MS */ }
          held = { from, to: Date.now() };
        },
      },
    });
    expect(result.counts).toMatchObject({ created: limit + 1, failed: 0 });

    worker.postMessage('arrivals');
    const { arrivals } = await new Promise<{ arrivals: { at: number; url: string }[] }>((resolve) => worker.once('message', resolve));
    expect(arrivals.map((a) => a.url.includes('since_id='))).toEqual([false, true]);
    // The second page's request reached the upstream before the first page's transaction let go of the event loop.
    expect(held).toBeDefined();
    expect(arrivals[1].at).toBeLessThan(held!.to);
  });
});

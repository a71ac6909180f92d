// The feed's bookkeeping over a backlog (DESIGN 4b, 7): numbering events for the feed and pruning those older than
// 30 days go in bounded batches with turns of the event loop between them (better-sqlite3 runs one statement
// synchronously: one statement over 100,000 events held every request for seconds), and still number or prune
// every row: none left behind at a batch's edge, none with a pending delivery pruned.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { listEvents, pruneEvents, recordEvents, sequenceEvents } from '../../src/store/events.ts';
import { createEndpoint } from '../../src/store/webhook-endpoints.ts';
import { TestDatabases } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';
import { makeShop, type Shop } from './support.ts';

const databases = TestDatabases.create();
const BACKLOG = 2_600; // more than a few batches, not a multiple of one

/** Runs `work` and counts the turns of the event loop other code got while it ran. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const ticker = (async () => {
    while (running) {
      await nextTurn();
      turns++;
    }
  })();
  const result = await work();
  running = false;
  await ticker;
  return { result, turns };
}

describe.each(databases.eachSupportedId())('feed bookkeeping over a backlog on %s', (databaseId) => {
  let db: Db;
  let shop: Shop;

  const write = (count: number, now: Date, type: 'sync_run.failed' | 'shipment.updated' = 'shipment.updated') =>
    db.transaction().execute((trx) => recordEvents(trx, shop.retailerId,
      Array.from({ length: count }, (_, i) => ({ type, data: { po_number: `P-${i}` } })), { now }));

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    shop = await makeShop(db, 'backlog-golf');
    await createEndpoint(db, TEST_CONFIG.secret, shop.retailerId, { url: 'https://hooks.example.test/in', enabled_events: ['*'], description: null });
  });
  afterAll(async () => undefined);

  it('numbers a backlog in batches, every event once, in order', async () => {
    await write(BACKLOG, new Date());
    await write(1, new Date(), 'sync_run.failed');
    const { result: numbered, turns } = await turnsDuring(() => sequenceEvents(db));
    expect(numbered).toBe(BACKLOG + 1);
    if (databaseId === 'SQLITE') expect(turns).toBeGreaterThan(1);
    const page = await listEvents(db, shop.retailerId, { afterPosition: 0, limit: 500, types: ['sync_run.failed', 'shipment.updated'] });
    expect(page.events).toHaveLength(500);
    expect(page.hasMore).toBe(true);
    const positions = page.events.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    const rare = await listEvents(db, shop.retailerId, { afterPosition: 0, limit: 10, types: ['sync_run.failed'] });
    expect(rare.events.map((e) => e.type)).toEqual(['sync_run.failed']);
    expect(rare.hasMore).toBe(false);
    expect(await sequenceEvents(db)).toBe(0);
  });

  it('prunes a backlog older than 30 days in batches, keeping events whose delivery is pending', async () => {
    await db.deleteFrom('webhook_deliveries').execute();
    await db.deleteFrom('events').execute();
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    await write(BACKLOG, old);
    const [kept] = await db.selectFrom('events').select('id').orderBy('seq').offset(1_234).limit(1).execute();
    await db.updateTable('webhook_deliveries').set({ status: 'succeeded' }).where('event_id', '!=', kept.id).execute();
    await write(3, new Date());
    const { result: pruned, turns } = await turnsDuring(() => pruneEvents(db));
    expect(pruned).toBe(BACKLOG - 1);
    if (databaseId === 'SQLITE') expect(turns).toBeGreaterThan(2);
    const left = await db.selectFrom('events').select(['id', 'created_at']).execute();
    expect(left).toHaveLength(4);
    expect(left.map((e) => e.id)).toContain(kept.id);
    const deliveries = await db.selectFrom('webhook_deliveries').select(['event_id', 'status']).execute();
    expect(deliveries).toHaveLength(4);
    expect(await db.selectFrom('webhook_attempts').select('id').execute()).toEqual([]);
    expect(await pruneEvents(db)).toBe(0);
  });
});

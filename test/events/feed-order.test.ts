// The feed's commit order under concurrent writers (DESIGN 4b): a reader paging with `after` while transactions
// commit out of their insertion order never misses an event. On PostgreSQL a transaction that wrote its event
// first may commit last; reading by insertion order would skip it. SQLite has one writer and is checked the same.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { recordEvent } from '../../src/store/events.ts';
import { TestDatabases } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';
import { call, makeShop, type Shop } from './support.ts';

const databases = TestDatabases.create();
const WRITERS = 24;

describe.each(databases.eachSupportedId())('feed order under concurrent writers on %s', (databaseId) => {
  let db: Db;
  /** The writers' own connections (PostgreSQL), so they never queue behind the reader's or it behind theirs. */
  let writerDb: Db;
  let closeWriters = async () => {};
  let app: FastifyInstance;
  let shop: Shop;

  beforeAll(async () => {
    const database = await databases.init(databaseId);
    db = database.db;
    writerDb = db;
    if (databaseId === 'POSTGRES') {
      const writers = openDatabase({ kind: 'postgres', url: database.url }, { searchPath: database.schema, poolSize: WRITERS });
      writerDb = writers.db;
      closeWriters = writers.close;
    }
    shop = await makeShop(db, 'fairway');
    app = await buildApp({ config: TEST_CONFIG, db, logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await closeWriters();
  });

  it.each([
    ['every type', ''],
    ['filtered by two types (one page merged from a seek per type)', '&type=sync_run.failed,supplier_document.processed'],
  ])('a reader following `after` sees every committed event exactly once: %s', async (_what, filter) => {
    const committed: string[] = [];
    let writing = true;
    const run = `${Date.now()}`;
    // From the newest event before this run's writers start.
    const before = await call(app, shop.readKey, 'GET', '/api/v2/events?limit=500', undefined, 200);
    let after: string | undefined = before.data.at(-1)?.id;
    // Writers: each inserts its event, then holds its transaction open a while, so later inserts commit first.
    const writers = Promise.all(Array.from({ length: WRITERS }, async (_, i) => {
      await sleep(i * 10);
      const id = await writerDb.transaction().execute(async (trx) => {
        const eventId = i % 2 === 0
          ? await recordEvent(trx, shop.retailerId, 'sync_run.failed', { connection_id: 'c', run_id: `run_${run}_${i}`, error: null })
          : await recordEvent(trx, shop.retailerId, 'supplier_document.processed', { document_id: `sdoc_${run}_${i}`, summary: {} });
        await sleep(i % 3 === 0 ? 100 : 2);
        return eventId;
      });
      committed.push(id);
    })).finally(() => {
      writing = false;
    });
    const seen: string[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const done = !writing;
      const page = await call(app, shop.readKey, 'GET', `/api/v2/events?limit=2${after ? `&after=${after}` : ''}${filter}`, undefined, 200);
      seen.push(...page.data.map((e: { id: string }) => e.id));
      if (page.data.length > 0) after = page.data.at(-1).id;
      if (done && !page.has_more) break;
      if (!page.has_more) await sleep(3);
    }
    await writers;
    expect(seen).toHaveLength(WRITERS);
    expect(new Set(seen)).toEqual(new Set(committed));
  });
});

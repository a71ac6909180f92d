// What a page writes does not depend on how many records share it (src/store/synced-pos.ts writeSyncedPage): the
// POs created together in bulk, and the changed POs whose stored state is loaded for the whole page, end exactly as
// when every page holds one record — the same POs, lines, shipments, invoices, status events and synced records, and
// the same events (DESIGN 4b) for each PO — on SQLite and PostgreSQL, for both upstreams.
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import type { ConnectionKind } from '../../src/sync/types.ts';
import { TestDatabases } from '../support/test-database.ts';
import { makeConnection, run, shipStation, snapshot, stocky } from './support.ts';

const databases = TestDatabases.create();

/**
 * Each PO's events in commit order, without what differs between two databases (ids, clocks, the record itself):
 * po_number → [type, changed_fields, previous_status, status, item sku][].
 */
async function eventsByPo(db: Db, retailerId: string) {
  const rows = await db.selectFrom('events').select(['type', 'payload']).where('retailer_id', '=', retailerId).orderBy('seq').execute();
  const byPo: Record<string, unknown[]> = {};
  for (const row of rows) {
    const { data } = JSON.parse(row.payload) as { data: Record<string, any> };
    (byPo[data.po_number] ??= []).push([row.type, data.changed_fields ?? null, data.previous_status ?? null, data.status ?? null, data.item?.sku ?? null]);
  }
  return byPo;
}

async function countRows(db: Db, table: 'purchase_orders' | 'po_lines' | 'status_events' | 'events', retailerId: string): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('retailer_id', '=', retailerId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.each(databases.eachSupportedId())('sync pages on %s', (databaseId) => {
  it.each<[ConnectionKind]>([['shipstation'], ['stocky']])('%s: one page of many ends as pages of one', async (kind) => {
    const options = { pos: 60, churnCreate: 4, churnAdvance: 20 };
    const sandbox = kind === 'shipstation' ? await shipStation(options) : await stocky(options);
    afterAll(sandbox.close);
    const batched = await databases.init(databaseId);
    const single = await databases.init(databaseId);
    const batchedConnection = await makeConnection(batched.db, kind, sandbox.url);
    const singleConnection = await makeConnection(single.db, kind, sandbox.url);
    const sync = async () => {
      const many = await run(batched.db, batchedConnection);
      const one = await run(single.db, singleConnection, { tuning: { pageSize: 1 } });
      // What was written is the same; what was read may not be (ShipStation: a record listed on two pages is read
      // again when the read-ahead's look-up ran before the page before committed, which depends on the page size).
      const written = ({ created, updated, failed }: typeof many.counts) => ({ created, updated, failed });
      expect(written(many.counts)).toEqual(written(one.counts));
      return many.counts;
    };
    const compare = async () => {
      expect(await snapshot(batched.db, batchedConnection.retailer_id)).toEqual(await snapshot(single.db, singleConnection.retailer_id));
      expect(await eventsByPo(batched.db, batchedConnection.retailer_id)).toEqual(await eventsByPo(single.db, singleConnection.retailer_id));
      for (const table of ['purchase_orders', 'po_lines', 'status_events', 'events'] as const) {
        expect(await countRows(batched.db, table, batchedConnection.retailer_id), table)
          .toBe(await countRows(single.db, table, singleConnection.retailer_id));
      }
    };

    expect((await sync()).created).toBe(60);
    await compare();
    // The upstream moves on (new POs, POs advanced through their lifecycle): both sync the same changes.
    for (let i = 0; i < 3; i++) sandbox.app.sandbox.churn();
    const counts = await sync();
    expect(counts.updated).toBeGreaterThan(10);
    expect(counts.created).toBe(12);
    await compare();
  }, 120_000);
});

// The events a sync writes (DESIGN 4b), on SQLite and PostgreSQL: a first sync records one purchase_order.created
// per PO, carrying the PO's stored v2 record, with a pending delivery for each endpoint taking it; a run with no
// upstream change records none; upstream changes record the change events of the refreshed records.
import { afterAll, describe, expect, it } from 'vitest';
import { createEndpoint } from '../../src/store/webhook-endpoints.ts';
import type { Db } from '../../src/db/database.ts';
import { TestDatabases } from '../support/test-database.ts';
import { makeConnection, run, stocky } from './support.ts';

const databases = TestDatabases.create();

async function eventsOf(db: Db, retailerId: string) {
  const rows = await db.selectFrom('events').select(['id', 'type', 'payload']).where('retailer_id', '=', retailerId).orderBy('seq').execute();
  return rows.map((row) => ({ ...row, payload: JSON.parse(row.payload) as { id: string; type: string; created_at: string; data: Record<string, any> } }));
}

describe.each(databases.eachSupportedId())('sync events on %s', (databaseId) => {
  it('one purchase_order.created per new PO with its stored record and a delivery each; none when nothing changed', async () => {
    const { db } = await databases.init(databaseId);
    const sandbox = await stocky({ pos: 90, churnCreate: 2, churnAdvance: 6 });
    afterAll(sandbox.close);
    const connection = await makeConnection(db, 'stocky', sandbox.url);
    const endpoint = await createEndpoint(db, 'm'.repeat(64), connection.retailer_id,
      { url: 'http://127.0.0.1:9/hook', enabled_events: ['purchase_order.created'], description: null });
    // Another retailer's endpoint takes nothing of this retailer's.
    const other = await makeConnection(db, 'stocky', sandbox.url, 'other-retailer');
    await createEndpoint(db, 'm'.repeat(64), other.retailer_id, { url: 'http://127.0.0.1:9/other', enabled_events: ['*'], description: null });

    // Small pages: several page transactions, each with its own batch of events.
    expect((await run(db, connection, { tuning: { pageSize: 40 } })).counts.created).toBe(90);
    const events = await eventsOf(db, connection.retailer_id);
    expect(events).toHaveLength(90);
    const pos = await db.selectFrom('purchase_orders').select(['id', 'po_number', 'view_v2']).where('retailer_id', '=', connection.retailer_id).execute();
    const byNumber = new Map(pos.map((po) => [po.po_number, po]));
    for (const event of events) {
      expect(event.type).toBe('purchase_order.created');
      expect(event.payload).toMatchObject({ id: event.id, type: 'purchase_order.created' });
      expect(Object.keys(event.payload)).toEqual(['id', 'type', 'created_at', 'data']);
      expect(Number.isNaN(Date.parse(event.payload.created_at))).toBe(false);
      const po = byNumber.get(event.payload.data.po_number)!;
      expect(event.payload.data).toEqual({ po_number: po.po_number, purchase_order: JSON.parse(po.view_v2) });
    }
    expect(new Set(events.map((e) => e.payload.data.po_number)).size).toBe(90);
    const deliveries = await db.selectFrom('webhook_deliveries').select(['event_id', 'endpoint_id', 'status', 'type'])
      .where('retailer_id', '=', connection.retailer_id).execute();
    expect(deliveries.map((d) => d.event_id).sort()).toEqual(events.map((e) => e.id).sort());
    for (const delivery of deliveries) expect(delivery).toMatchObject({ endpoint_id: endpoint.id, status: 'pending', type: 'purchase_order.created' });

    // Unchanged: no event.
    const again = await run(db, connection, { full: true });
    expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: 90 });
    expect(await eventsOf(db, connection.retailer_id)).toHaveLength(90);

    // Upstream changes: the new POs' created events, and change events for the POs that moved on.
    let created = 0;
    for (let i = 0; i < 3; i++) created += sandbox.app.sandbox.churn().created;
    const third = await run(db, connection);
    expect(third.counts.created).toBe(created);
    expect(third.counts.updated).toBeGreaterThan(0);
    const later = (await eventsOf(db, connection.retailer_id)).slice(90);
    expect(later.filter((e) => e.type === 'purchase_order.created')).toHaveLength(created);
    expect(later.some((e) => e.type !== 'purchase_order.created')).toBe(true);
    expect(await eventsOf(db, other.retailer_id)).toHaveLength(0);
  });
});

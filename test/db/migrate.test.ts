// Migrations: applied once, idempotent, and (PostgreSQL) independent per schema of one database.
import { describe, expect, it } from 'vitest';
import { TestDatabases } from '../support/test-database.ts';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('migrations on %s', (databaseId) => {
  it('a second run has nothing to do', async () => {
    const database = await databases.init(databaseId);
    const again = await databases.migrate(database);
    expect(again.results ?? []).toEqual([]);
  });

  it('create every table of the data model', async () => {
    const { db } = await databases.init(databaseId);
    for (const table of ['retailers', 'api_keys', 'suppliers', 'warehouses', 'inventory_locations', 'purchase_orders', 'po_lines',
      'supplier_orders', 'supplier_order_lines', 'shipments', 'shipment_lines', 'checkpoints', 'invoices', 'status_events'] as const) {
      const { n } = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(n), table).toBe(0);
    }
  });

  it('two databases side by side each get their own migrations (one PostgreSQL database, two schemas)', async () => {
    const first = await databases.init(databaseId);
    const second = await databases.init(databaseId);
    await first.db.insertInto('retailers').values({ id: 'ret_1', name: 'one', timezone: 'UTC', created_at: new Date().toISOString() }).execute();
    expect(await second.db.selectFrom('retailers').selectAll().execute()).toEqual([]);
    expect((await databases.migrate(second)).results ?? []).toEqual([]);
  });
});

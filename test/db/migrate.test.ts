// Migrations: applied once, idempotent, and (PostgreSQL) independent per schema of one database; a migration with
// triggers undone by its down() leaves writes working, and done again fills its table from the rows.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import * as poSuppliers from '../../src/db/migrations/0022_po_suppliers.ts';
import { insertPurchaseOrders, supplierNamesOf } from '../../src/store/purchase-orders.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { buildPo } from '../support/fixtures.ts';
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

  it('0022 (po_suppliers) down: table and triggers gone, POs still written; up again: filled from the rows', async () => {
    const { db } = await databases.init(databaseId);
    const retailer = (await ensureRetailer(db, 'down-golf')).retailer.id;
    const [cobra, ping] = [await ensureSupplier(db, retailer, { name: 'Cobra' }), await ensureSupplier(db, retailer, { name: 'Ping' })];
    const po = (n: number) => buildPo({
      retailer_id: retailer, po_number: `PO-DOWN-${n}`, order_date: `2027-01-0${n}T10:00:00.000Z`, supplier_id: cobra,
      lines: [{ product_name: 'Putter', sku: 'PT-1', quantity: 1, unit_cost_cents: 100, status: 'pending' as const, supplier_id: ping }],
    });
    await insertPurchaseOrders(db, [po(1)], await supplierNamesOf(db, retailer));
    await poSuppliers.down(db);
    await expect(sql`select count(*) from po_suppliers`.execute(db)).rejects.toThrow();
    // No trigger is left behind that would write to the dropped table.
    await insertPurchaseOrders(db, [po(2)], await supplierNamesOf(db, retailer));
    await db.updateTable('po_lines').set({ supplier_id: cobra }).execute();
    await poSuppliers.up(db);
    const rows = await db.selectFrom('po_suppliers').select(['po_id', 'supplier_id', 'on_header', 'lines']).orderBy('order_date').execute();
    expect(rows.map((r) => [r.supplier_id, Number(r.on_header), Number(r.lines)])).toEqual([[cobra, 1, 1], [cobra, 1, 1]]);
    // And the triggers are back.
    await db.updateTable('po_lines').set({ supplier_id: ping }).execute();
    expect((await db.selectFrom('po_suppliers').select('supplier_id').execute()).length).toBe(4);
  });
});

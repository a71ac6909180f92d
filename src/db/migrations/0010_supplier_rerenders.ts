// A supplier's new name reaches the stored read renderings of its POs in bounded batches, each its own transaction
// (store/supplier-rerenders.ts). This is the durable marker of a re-render not yet finished: the supplier, and the
// last PO id done (POs go in id order), so that a process stopped mid-way lets the next start or rename finish it.
// The indexes find a supplier's POs from a cursor by seeking, not by scanning every PO of the retailer.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('supplier_rerenders')
    .addColumn('supplier_id', 'text', (c) => c.primaryKey().references('suppliers.id'))
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    /** The last PO id re-rendered (null: none yet); POs are taken in id order. */
    .addColumn('after_po_id', 'text')
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('purchase_orders_by_supplier').on('purchase_orders').columns(['retailer_id', 'supplier_id', 'id'])
    .where(sql.ref('supplier_id'), 'is not', null).execute();
  await db.schema.createIndex('po_lines_by_supplier').on('po_lines').columns(['retailer_id', 'supplier_id', 'po_id'])
    .where(sql.ref('supplier_id'), 'is not', null).execute();
  await db.schema.createIndex('invoices_by_supplier').on('invoices').columns(['retailer_id', 'supplier_id', 'po_id'])
    .where(sql.ref('supplier_id'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('invoices_by_supplier').execute();
  await db.schema.dropIndex('po_lines_by_supplier').execute();
  await db.schema.dropIndex('purchase_orders_by_supplier').execute();
  await db.schema.dropTable('supplier_rerenders').execute();
}

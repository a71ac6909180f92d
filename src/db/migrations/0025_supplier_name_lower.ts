// The console's PO list takes a supplier by its name as a person types it (console/routes/orders.ts), in any case
// ("cobra puma golf"), and suggests names as they are typed. An index on lower(name) after the retailer lets both
// seek (store/po-browse.ts findSupplierChoice, supplierNameSuggestions) instead of reading the retailer's suppliers.
// The expression must stay exactly `lower(name)` for the planners to use it (SQLite lowers ASCII letters only,
// PostgreSQL by its collation: each compares with its own lower(), so both sides agree).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index suppliers_retailer_lower_name on suppliers (retailer_id, lower(name))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index suppliers_retailer_lower_name`.execute(db);
}

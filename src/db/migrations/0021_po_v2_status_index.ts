// The console's PO list filtered by status (store/po-browse.ts listPoRecords; DESIGN 4c, 7) reads the v2 status
// inside the stored rendering. Without an index on it the list walked the retailer's POs newest first, parsing each
// rendering, until a page was full: on 1,000,000 POs a rare status took seconds and a status no PO has read every
// rendering (16 s, the event loop held throughout). An index on the same expression, with the list's order after
// it, seeks the status's POs already in page order. The expression must stay exactly the one listPoRecords filters
// on (v2Status there) for the planners to use it.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const status = postgres ? `(view_v2::json ->> 'status')` : `json_extract(view_v2, '$.status')`;
  await sql.raw(`create index purchase_orders_v2_status on purchase_orders (retailer_id, ${status}, order_date, id)`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index purchase_orders_v2_status`.execute(db);
}

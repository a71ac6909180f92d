// Per-retailer, per-UTC-day counts of POs and of PO lines, kept by triggers (DESIGN 7, issue 10).
//
// by-date must answer `meta.total` and a page at any depth without counting or skipping through the range: with
// better-sqlite3 a count(*) over 200,000 POs holds the event loop for half a second. The counts are kept by SQL
// triggers rather than by the store's write functions so that every write path (the lifecycle API, supplier
// updates and documents, sync, deletes, and writers added later) keeps them in the same transaction as its write.
//
// Days are UTC days (`substr(order_date, 1, 10)` of the stored `toISOString` text), not the retailer's calendar
// days: a retailer's day range (DESIGN 2.2) is an instant range [from, to), whose whole UTC days are read from
// here and whose partial UTC days at either end (less than one day each) are counted from the by-date index. So
// the counts stay right whatever the retailer's time zone is, and when it changes.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export const SQLITE_TRIGGERS = [
  // One upsert shape for every "add n POs / m lines to a day".
  `create trigger po_day_counts_po_insert after insert on purchase_orders begin
     insert into po_day_counts (retailer_id, day, pos, lines) values (new.retailer_id, substr(new.order_date, 1, 10), 1, 0)
     on conflict (retailer_id, day) do update set pos = pos + 1;
   end`,
  // Before the delete: a cascade (if one is ever declared) deletes the lines after the PO is gone, when their
  // triggers can no longer find its day; so the PO takes its lines' count with it.
  `create trigger po_day_counts_po_delete before delete on purchase_orders begin
     update po_day_counts set pos = pos - 1,
       lines = lines - (select count(*) from po_lines where po_id = old.id)
     where retailer_id = old.retailer_id and day = substr(old.order_date, 1, 10);
   end`,
  `create trigger po_day_counts_po_move after update of order_date, retailer_id on purchase_orders
   when substr(old.order_date, 1, 10) <> substr(new.order_date, 1, 10) or old.retailer_id <> new.retailer_id begin
     update po_day_counts set pos = pos - 1,
       lines = lines - (select count(*) from po_lines where po_id = old.id)
     where retailer_id = old.retailer_id and day = substr(old.order_date, 1, 10);
     insert into po_day_counts (retailer_id, day, pos, lines)
       values (new.retailer_id, substr(new.order_date, 1, 10), 1, (select count(*) from po_lines where po_id = new.id))
     on conflict (retailer_id, day) do update set pos = pos + 1, lines = lines + excluded.lines;
   end`,
  `create trigger po_day_counts_line_insert after insert on po_lines begin
     insert into po_day_counts (retailer_id, day, pos, lines)
       select po.retailer_id, substr(po.order_date, 1, 10), 0, 1 from purchase_orders po where po.id = new.po_id
     on conflict (retailer_id, day) do update set lines = lines + 1;
   end`,
  `create trigger po_day_counts_line_delete after delete on po_lines begin
     update po_day_counts set lines = lines - 1
     where (retailer_id, day) = (select po.retailer_id, substr(po.order_date, 1, 10) from purchase_orders po where po.id = old.po_id);
   end`,
  `create trigger po_day_counts_line_move after update of po_id on po_lines when old.po_id <> new.po_id begin
     update po_day_counts set lines = lines - 1
     where (retailer_id, day) = (select po.retailer_id, substr(po.order_date, 1, 10) from purchase_orders po where po.id = old.po_id);
     insert into po_day_counts (retailer_id, day, pos, lines)
       select po.retailer_id, substr(po.order_date, 1, 10), 0, 1 from purchase_orders po where po.id = new.po_id
     on conflict (retailer_id, day) do update set lines = lines + 1;
   end`,
];

// PostgreSQL: the same rules as two trigger functions. A PO subtracts itself and its lines before it is deleted
// (a cascade runs after the PO is gone); a line whose PO is already gone finds no day and changes nothing.
export const POSTGRES_FUNCTIONS = [
  `create function po_day_counts_add(r text, d text, p bigint, l bigint) returns void language sql as $$
     insert into po_day_counts (retailer_id, day, pos, lines) values (r, d, p, l)
     on conflict (retailer_id, day) do update set pos = po_day_counts.pos + p, lines = po_day_counts.lines + l
   $$`,
  `create function po_day_counts_po() returns trigger language plpgsql as $$
   declare n bigint;
   begin
     if tg_op in ('DELETE', 'UPDATE') then
       if tg_op = 'UPDATE' and substr(old.order_date, 1, 10) = substr(new.order_date, 1, 10)
          and old.retailer_id = new.retailer_id then
         return null;
       end if;
       select count(*) into n from po_lines where po_id = old.id;
       perform po_day_counts_add(old.retailer_id, substr(old.order_date, 1, 10), -1, -n);
       if tg_op = 'DELETE' then return old; end if;
     end if;
     if tg_op in ('INSERT', 'UPDATE') then
       select count(*) into n from po_lines where po_id = new.id;
       perform po_day_counts_add(new.retailer_id, substr(new.order_date, 1, 10), 1, n);
     end if;
     return null;
   end $$`,
  `create function po_day_counts_line() returns trigger language plpgsql as $$
   declare r text; d text;
   begin
     if tg_op = 'UPDATE' and old.po_id = new.po_id then return null; end if;
     if tg_op in ('DELETE', 'UPDATE') then
       select po.retailer_id, substr(po.order_date, 1, 10) into r, d from purchase_orders po where po.id = old.po_id;
       if found then perform po_day_counts_add(r, d, 0, -1); end if;
     end if;
     if tg_op in ('INSERT', 'UPDATE') then
       select po.retailer_id, substr(po.order_date, 1, 10) into r, d from purchase_orders po where po.id = new.po_id;
       if found then perform po_day_counts_add(r, d, 0, 1); end if;
     end if;
     return null;
   end $$`,
  `create trigger po_day_counts_po after insert or update of order_date, retailer_id on purchase_orders
   for each row execute function po_day_counts_po()`,
  `create trigger po_day_counts_po_delete before delete on purchase_orders
   for each row execute function po_day_counts_po()`,
  `create trigger po_day_counts_line after insert or delete or update of po_id on po_lines
   for each row execute function po_day_counts_line()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('po_day_counts')
    .addColumn('retailer_id', 'text', (c) => c.notNull())
    /** `YYYY-MM-DD`, a UTC day. */
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('pos', 'bigint', (c) => c.notNull())
    .addColumn('lines', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('po_day_counts_pk', ['retailer_id', 'day'])
    .execute();
  // Existing data first, then the triggers keep it.
  await sql`insert into po_day_counts (retailer_id, day, pos, lines)
    select po.retailer_id, substr(po.order_date, 1, 10), count(*), coalesce(sum(l.n), 0)
    from purchase_orders po left join (select po_id, count(*) as n from po_lines group by po_id) l on l.po_id = po.id
    group by po.retailer_id, substr(po.order_date, 1, 10)`.execute(db);
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const statement of postgres ? POSTGRES_FUNCTIONS : SQLITE_TRIGGERS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) {
    await sql`drop trigger po_day_counts_po on purchase_orders`.execute(db);
    await sql`drop trigger po_day_counts_po_delete on purchase_orders`.execute(db);
    await sql`drop trigger po_day_counts_line on po_lines`.execute(db);
    await sql`drop function po_day_counts_po(), po_day_counts_line(), po_day_counts_add(text, text, bigint, bigint)`.execute(db);
  } else {
    for (const name of ['po_insert', 'po_delete', 'po_move', 'line_insert', 'line_delete', 'line_move']) {
      await sql.raw(`drop trigger po_day_counts_${name}`).execute(db);
    }
  }
  await db.schema.dropTable('po_day_counts').execute();
}

// Each PO's number of lines, kept by triggers in a narrow table ordered like by-date's v1 records (DESIGN 7).
//
// v1 by-date counts and pages PO lines. The per-day counts (0009) find the UTC day a page starts in; inside that
// day the page used to be found by an OFFSET over POs joined to their lines, a line-table look-up for every line
// skipped: on 1,000,000 seeded POs a day of 37,000 POs (107,000 lines) took 0.5 s to skip through, holding the
// event loop all that time, and a range whose ends fall inside UTC days (any retailer outside UTC) counted its
// partial days the same way. Here each PO with lines has one row keyed (retailer_id, order_date, po_id), the
// order of v1 records, so a partial day's line count is a sum over this key's range and the PO a page starts at is
// found by summing its rows (store/orders-by-date.ts): both read only this narrow table, no PO or line rows.
//
// Kept by triggers, like the day counts and for the same reason: every writer of POs and lines (lifecycle API,
// supplier updates and documents, sync, deletes, and writers added later) keeps it in its own transaction.
//
// The day counts' line column is now kept from this table (a trigger on po_line_counts) instead of by 0009's own
// triggers on po_lines: each line written then looks its PO up once, not twice (sync writes ~3 lines a PO). 0009's
// PO triggers keep only the PO column; the PO's lines move with its po_line_counts row.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { POSTGRES_FUNCTIONS as DAY_COUNTS_POSTGRES, SQLITE_TRIGGERS as DAY_COUNTS_SQLITE } from './0009_po_day_counts.ts';

const day = (row: 'old' | 'new') => `substr(${row}.order_date, 1, 10)`;

const SQLITE_UP = [
  // 0009's triggers that counted lines.
  ...['line_insert', 'line_delete', 'line_move', 'po_delete', 'po_move'].map((name) => `drop trigger po_day_counts_${name}`),
  `create trigger po_day_counts_po_delete before delete on purchase_orders begin
     update po_day_counts set pos = pos - 1 where retailer_id = old.retailer_id and day = ${day('old')};
   end`,
  `create trigger po_day_counts_po_move after update of order_date, retailer_id on purchase_orders
   when ${day('old')} <> ${day('new')} or old.retailer_id <> new.retailer_id begin
     update po_day_counts set pos = pos - 1 where retailer_id = old.retailer_id and day = ${day('old')};
     insert into po_day_counts (retailer_id, day, pos, lines) values (new.retailer_id, ${day('new')}, 1, 0)
     on conflict (retailer_id, day) do update set pos = pos + 1;
   end`,
  // Lines → per-PO counts.
  `create trigger po_line_counts_line_insert after insert on po_lines begin
     insert into po_line_counts (retailer_id, order_date, po_id, lines)
       select po.retailer_id, po.order_date, po.id, 1 from purchase_orders po where po.id = new.po_id
     on conflict (retailer_id, order_date, po_id) do update set lines = lines + 1;
   end`,
  // A line deleted after its PO (a cascade) finds no PO: the PO's own delete has removed its row already.
  `create trigger po_line_counts_line_delete after delete on po_lines begin
     update po_line_counts set lines = lines - 1
     where (retailer_id, order_date, po_id) = (select po.retailer_id, po.order_date, po.id from purchase_orders po where po.id = old.po_id);
   end`,
  `create trigger po_line_counts_line_move after update of po_id on po_lines when old.po_id <> new.po_id begin
     update po_line_counts set lines = lines - 1
     where (retailer_id, order_date, po_id) = (select po.retailer_id, po.order_date, po.id from purchase_orders po where po.id = old.po_id);
     insert into po_line_counts (retailer_id, order_date, po_id, lines)
       select po.retailer_id, po.order_date, po.id, 1 from purchase_orders po where po.id = new.po_id
     on conflict (retailer_id, order_date, po_id) do update set lines = lines + 1;
   end`,
  // POs → per-PO counts: a deleted PO takes its count with it; any change of the order date moves the PO in the v1
  // order, not only a change of day.
  `create trigger po_line_counts_po_delete before delete on purchase_orders begin
     delete from po_line_counts where retailer_id = old.retailer_id and order_date = old.order_date and po_id = old.id;
   end`,
  `create trigger po_line_counts_po_move after update of order_date, retailer_id on purchase_orders
   when old.order_date <> new.order_date or old.retailer_id <> new.retailer_id begin
     update po_line_counts set retailer_id = new.retailer_id, order_date = new.order_date
     where retailer_id = old.retailer_id and order_date = old.order_date and po_id = old.id;
   end`,
  // Per-PO counts → the day counts' line column.
  `create trigger po_line_counts_day_insert after insert on po_line_counts begin
     insert into po_day_counts (retailer_id, day, pos, lines) values (new.retailer_id, ${day('new')}, 0, new.lines)
     on conflict (retailer_id, day) do update set lines = lines + excluded.lines;
   end`,
  `create trigger po_line_counts_day_change after update on po_line_counts
   when old.retailer_id = new.retailer_id and ${day('old')} = ${day('new')} and old.lines <> new.lines begin
     update po_day_counts set lines = lines + new.lines - old.lines where retailer_id = new.retailer_id and day = ${day('new')};
   end`,
  `create trigger po_line_counts_day_move after update on po_line_counts
   when old.retailer_id <> new.retailer_id or ${day('old')} <> ${day('new')} begin
     update po_day_counts set lines = lines - old.lines where retailer_id = old.retailer_id and day = ${day('old')};
     insert into po_day_counts (retailer_id, day, pos, lines) values (new.retailer_id, ${day('new')}, 0, new.lines)
     on conflict (retailer_id, day) do update set lines = lines + excluded.lines;
   end`,
  `create trigger po_line_counts_day_delete after delete on po_line_counts begin
     update po_day_counts set lines = lines - old.lines where retailer_id = old.retailer_id and day = ${day('old')};
   end`,
];

// PostgreSQL: the same rules. The PO's delete trigger runs before the delete, so a cascade of its lines
// afterwards finds no PO and changes nothing.
const POSTGRES_UP = [
  'drop trigger po_day_counts_line on po_lines',
  'drop function po_day_counts_line()',
  `create or replace function po_day_counts_po() returns trigger language plpgsql as $$
   begin
     if tg_op in ('DELETE', 'UPDATE') then
       if tg_op = 'UPDATE' and substr(old.order_date, 1, 10) = substr(new.order_date, 1, 10)
          and old.retailer_id = new.retailer_id then
         return null;
       end if;
       perform po_day_counts_add(old.retailer_id, substr(old.order_date, 1, 10), -1, 0);
       if tg_op = 'DELETE' then return old; end if;
     end if;
     perform po_day_counts_add(new.retailer_id, substr(new.order_date, 1, 10), 1, 0);
     return null;
   end $$`,
  `create function po_line_counts_line() returns trigger language plpgsql as $$
   begin
     if tg_op = 'UPDATE' and old.po_id = new.po_id then return null; end if;
     if tg_op in ('DELETE', 'UPDATE') then
       update po_line_counts c set lines = c.lines - 1 from purchase_orders po
       where po.id = old.po_id and c.retailer_id = po.retailer_id and c.order_date = po.order_date and c.po_id = po.id;
     end if;
     if tg_op in ('INSERT', 'UPDATE') then
       insert into po_line_counts (retailer_id, order_date, po_id, lines)
         select po.retailer_id, po.order_date, po.id, 1 from purchase_orders po where po.id = new.po_id
       on conflict (retailer_id, order_date, po_id) do update set lines = po_line_counts.lines + 1;
     end if;
     return null;
   end $$`,
  `create function po_line_counts_po() returns trigger language plpgsql as $$
   begin
     if tg_op = 'DELETE' then
       delete from po_line_counts where retailer_id = old.retailer_id and order_date = old.order_date and po_id = old.id;
       return old;
     end if;
     if old.order_date <> new.order_date or old.retailer_id <> new.retailer_id then
       update po_line_counts set retailer_id = new.retailer_id, order_date = new.order_date
       where retailer_id = old.retailer_id and order_date = old.order_date and po_id = old.id;
     end if;
     return null;
   end $$`,
  `create function po_line_counts_days() returns trigger language plpgsql as $$
   begin
     if tg_op in ('DELETE', 'UPDATE') then
       perform po_day_counts_add(old.retailer_id, substr(old.order_date, 1, 10), 0, -old.lines);
     end if;
     if tg_op in ('INSERT', 'UPDATE') then
       perform po_day_counts_add(new.retailer_id, substr(new.order_date, 1, 10), 0, new.lines);
     end if;
     return null;
   end $$`,
  `create trigger po_line_counts_line after insert or delete or update of po_id on po_lines
   for each row execute function po_line_counts_line()`,
  `create trigger po_line_counts_po_move after update of order_date, retailer_id on purchase_orders
   for each row execute function po_line_counts_po()`,
  `create trigger po_line_counts_po_delete before delete on purchase_orders
   for each row execute function po_line_counts_po()`,
  `create trigger po_line_counts_days after insert or update or delete on po_line_counts
   for each row execute function po_line_counts_days()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  // SQLite: WITHOUT ROWID, so the rows are stored in key order and a range of them is read from adjacent pages.
  await sql.raw(`create table po_line_counts (
    retailer_id text not null, order_date text not null, po_id text not null, lines bigint not null,
    constraint po_line_counts_pk primary key (retailer_id, order_date, po_id))${postgres ? '' : ' without rowid'}`).execute(db);
  // Existing data first (before the triggers that would add it to the day counts a second time).
  await sql`insert into po_line_counts (retailer_id, order_date, po_id, lines)
    select po.retailer_id, po.order_date, po.id, l.n
    from purchase_orders po join (select po_id, count(*) as n from po_lines group by po_id) l on l.po_id = po.id`.execute(db);
  for (const statement of postgres ? POSTGRES_UP : SQLITE_UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) {
    await sql`drop table po_line_counts`.execute(db); // with its trigger
    await sql`drop trigger po_line_counts_line on po_lines`.execute(db);
    await sql`drop trigger po_line_counts_po_move on purchase_orders`.execute(db);
    await sql`drop trigger po_line_counts_po_delete on purchase_orders`.execute(db);
    await sql`drop function po_line_counts_line(), po_line_counts_po(), po_line_counts_days()`.execute(db);
    // 0009's functions as they were, and its line trigger.
    const [, dayCountsPo, dayCountsLine] = DAY_COUNTS_POSTGRES;
    await sql.raw(dayCountsPo.replace('create function', 'create or replace function')).execute(db);
    await sql.raw(dayCountsLine).execute(db);
    await sql.raw(DAY_COUNTS_POSTGRES.find((s) => s.includes('trigger po_day_counts_line after'))!).execute(db);
    return;
  }
  for (const name of ['line_insert', 'line_delete', 'line_move', 'po_delete', 'po_move']) {
    await sql.raw(`drop trigger po_line_counts_${name}`).execute(db);
  }
  await sql`drop table po_line_counts`.execute(db); // with its day-count triggers
  await sql`drop trigger po_day_counts_po_delete`.execute(db);
  await sql`drop trigger po_day_counts_po_move`.execute(db);
  for (const name of ['po_delete', 'po_move', 'line_insert', 'line_delete', 'line_move']) {
    await sql.raw(DAY_COUNTS_SQLITE.find((s) => s.includes(`trigger po_day_counts_${name} `))!).execute(db);
  }
}

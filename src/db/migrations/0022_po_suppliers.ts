// Each PO's suppliers, kept by triggers in a narrow table keyed for the console's PO list filtered by supplier
// (store/po-browse.ts listPoRecords; DESIGN 4c, 7).
//
// A PO matches a supplier when its header or one of its lines names that supplier. The list used to walk the
// retailer's POs newest first, testing "header is S, or some line is S" on each, until a page was full: quick for
// a common supplier, a walk of every PO for a rare one, or for a supplier with no POs at all (seconds on 1,000,000
// POs, the event loop held throughout). Reading the supplier's POs through purchase_orders_by_supplier and
// po_lines_by_supplier instead would read and sort all of them for every page. Here each (PO, supplier) pair has
// one row carrying the PO's order date and v2 status, indexed in the list's order, so a page of one supplier's
// POs (also with a status, a date range and a position to continue from) is a seek and a read of one page.
//
// Kept by triggers, like the per-day and per-PO counts (0009, 0020) and for the same reason: every writer of POs
// and lines (lifecycle API, supplier updates and documents, sync, deletes, and writers added later) keeps it in
// its own transaction. A row counts what puts the supplier on the PO: `on_header` (the PO's supplier_id) and
// `lines` (lines with that supplier_id); it is deleted when both are 0. `v2_status` is the status inside the
// stored v2 rendering (the expression of purchase_orders_v2_status, 0021), updated when the rendering changes.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

const SQLITE_STATUS = (row: string) => `json_extract(${row}.view_v2, '$.status')`;
const POSTGRES_STATUS = (row: string) => `(${row}.view_v2::json ->> 'status')`;

/** One line's supplier added to, or taken from, its PO's row (SQLite trigger statements, `row` is new or old). */
const sqliteLineAdd = (row: string) => `
     update po_suppliers set lines = lines + 1 where po_id = ${row}.po_id and supplier_id = ${row}.supplier_id;
     insert into po_suppliers (retailer_id, supplier_id, po_id, order_date, v2_status, on_header, lines)
       select po.retailer_id, ${row}.supplier_id, po.id, po.order_date, ${SQLITE_STATUS('po')}, 0, 1 from purchase_orders po
       where po.id = ${row}.po_id and ${row}.supplier_id is not null
         and not exists (select 1 from po_suppliers where po_id = ${row}.po_id and supplier_id = ${row}.supplier_id);`;
const sqliteLineRemove = (row: string) => `
     update po_suppliers set lines = lines - 1 where po_id = ${row}.po_id and supplier_id = ${row}.supplier_id;
     delete from po_suppliers where po_id = ${row}.po_id and supplier_id = ${row}.supplier_id and lines <= 0 and on_header = 0;`;

// The status is read from the rendering only where a row is made or the rendering changed: a line's insert first
// counts itself into an existing row, so a PO with 500 lines of one supplier parses its rendering once, not 500 times.
const SQLITE_UP = [
  `create trigger po_suppliers_po_insert after insert on purchase_orders when new.supplier_id is not null begin
     insert into po_suppliers (retailer_id, supplier_id, po_id, order_date, v2_status, on_header, lines)
       values (new.retailer_id, new.supplier_id, new.id, new.order_date, ${SQLITE_STATUS('new')}, 1, 0)
     on conflict (po_id, supplier_id) do update set on_header = 1;
   end`,
  `create trigger po_suppliers_po_supplier after update of supplier_id on purchase_orders
   when old.supplier_id is not new.supplier_id begin
     update po_suppliers set on_header = 0 where po_id = old.id and supplier_id = old.supplier_id;
     delete from po_suppliers where po_id = old.id and supplier_id = old.supplier_id and lines <= 0;
     insert into po_suppliers (retailer_id, supplier_id, po_id, order_date, v2_status, on_header, lines)
       select new.retailer_id, new.supplier_id, new.id, new.order_date, ${SQLITE_STATUS('new')}, 1, 0 where new.supplier_id is not null
     on conflict (po_id, supplier_id) do update set on_header = 1;
   end`,
  `create trigger po_suppliers_po_move after update of order_date, retailer_id on purchase_orders
   when old.order_date <> new.order_date or old.retailer_id <> new.retailer_id begin
     update po_suppliers set order_date = new.order_date, retailer_id = new.retailer_id where po_id = new.id;
   end`,
  `create trigger po_suppliers_po_status after update of view_v2 on purchase_orders when old.view_v2 is not new.view_v2 begin
     update po_suppliers set v2_status = ${SQLITE_STATUS('new')}
     where po_id = new.id and v2_status is not ${SQLITE_STATUS('new')};
   end`,
  // Before the delete: lines deleted after their PO (a cascade) then find no row and change nothing.
  `create trigger po_suppliers_po_delete before delete on purchase_orders begin
     delete from po_suppliers where po_id = old.id;
   end`,
  `create trigger po_suppliers_line_insert after insert on po_lines when new.supplier_id is not null begin${sqliteLineAdd('new')}
   end`,
  `create trigger po_suppliers_line_delete after delete on po_lines when old.supplier_id is not null begin${sqliteLineRemove('old')}
   end`,
  `create trigger po_suppliers_line_move after update of supplier_id, po_id on po_lines
   when old.supplier_id is not new.supplier_id or old.po_id <> new.po_id begin${sqliteLineRemove('old')}${sqliteLineAdd('new')}
   end`,
];
const SQLITE_TRIGGER_NAMES = ['po_insert', 'po_supplier', 'po_move', 'po_status', 'po_delete', 'line_insert', 'line_delete', 'line_move'];

// PostgreSQL: the same rules as two trigger functions.
const POSTGRES_UP = [
  `create function po_suppliers_add(p_po text, p_supplier text, p_header integer, p_lines bigint) returns void language plpgsql as $$
   begin
     update po_suppliers set on_header = greatest(on_header, p_header), lines = lines + p_lines
     where po_id = p_po and supplier_id = p_supplier;
     if not found then
       insert into po_suppliers (retailer_id, supplier_id, po_id, order_date, v2_status, on_header, lines)
         select po.retailer_id, p_supplier, po.id, po.order_date, ${POSTGRES_STATUS('po')}, p_header, p_lines
         from purchase_orders po where po.id = p_po
       -- Another transaction made the row meanwhile: count into it.
       on conflict (po_id, supplier_id) do update
         set on_header = greatest(po_suppliers.on_header, excluded.on_header), lines = po_suppliers.lines + excluded.lines;
     end if;
   end $$`,
  `create function po_suppliers_remove(p_po text, p_supplier text, p_header boolean, p_lines bigint) returns void language plpgsql as $$
   begin
     update po_suppliers set on_header = case when p_header then 0 else on_header end, lines = lines - p_lines
     where po_id = p_po and supplier_id = p_supplier;
     delete from po_suppliers where po_id = p_po and supplier_id = p_supplier and lines <= 0 and on_header = 0;
   end $$`,
  `create function po_suppliers_po() returns trigger language plpgsql as $$
   begin
     if tg_op = 'DELETE' then
       delete from po_suppliers where po_id = old.id;
       return old;
     end if;
     if tg_op = 'INSERT' then
       if new.supplier_id is not null then perform po_suppliers_add(new.id, new.supplier_id, 1, 0); end if;
       return null;
     end if;
     if old.order_date <> new.order_date or old.retailer_id <> new.retailer_id then
       update po_suppliers set order_date = new.order_date, retailer_id = new.retailer_id where po_id = new.id;
     end if;
     if old.view_v2 is distinct from new.view_v2 then
       update po_suppliers set v2_status = ${POSTGRES_STATUS('new')}
       where po_id = new.id and v2_status is distinct from ${POSTGRES_STATUS('new')};
     end if;
     if old.supplier_id is distinct from new.supplier_id then
       if old.supplier_id is not null then perform po_suppliers_remove(old.id, old.supplier_id, true, 0); end if;
       if new.supplier_id is not null then perform po_suppliers_add(new.id, new.supplier_id, 1, 0); end if;
     end if;
     return null;
   end $$`,
  `create function po_suppliers_line() returns trigger language plpgsql as $$
   begin
     if tg_op = 'UPDATE' and old.supplier_id is not distinct from new.supplier_id and old.po_id = new.po_id then return null; end if;
     if tg_op in ('DELETE', 'UPDATE') and old.supplier_id is not null then
       perform po_suppliers_remove(old.po_id, old.supplier_id, false, 1);
     end if;
     if tg_op in ('INSERT', 'UPDATE') and new.supplier_id is not null then
       perform po_suppliers_add(new.po_id, new.supplier_id, 0, 1);
     end if;
     return null;
   end $$`,
  `create trigger po_suppliers_po after insert or update of supplier_id, order_date, retailer_id, view_v2 on purchase_orders
   for each row execute function po_suppliers_po()`,
  `create trigger po_suppliers_po_delete before delete on purchase_orders for each row execute function po_suppliers_po()`,
  `create trigger po_suppliers_line after insert or delete or update of supplier_id, po_id on po_lines
   for each row execute function po_suppliers_line()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  // SQLite: WITHOUT ROWID, keyed by what the triggers look rows up by; the list reads the two indexes.
  await sql.raw(`create table po_suppliers (
    retailer_id text not null, supplier_id text not null, po_id text not null, order_date text not null, v2_status text,
    on_header integer not null, lines bigint not null,
    constraint po_suppliers_pk primary key (po_id, supplier_id))${postgres ? '' : ' without rowid'}`).execute(db);
  // Existing data first, then the triggers.
  const status = postgres ? POSTGRES_STATUS('po') : SQLITE_STATUS('po');
  await sql.raw(`insert into po_suppliers (retailer_id, supplier_id, po_id, order_date, v2_status, on_header, lines)
    select po.retailer_id, s.supplier_id, po.id, po.order_date, ${status}, s.on_header, s.lines
    from (select po_id, supplier_id, max(on_header) as on_header, sum(lines) as lines
          from (select id as po_id, supplier_id, 1 as on_header, 0 as lines from purchase_orders where supplier_id is not null
                union all select po_id, supplier_id, 0, 1 from po_lines where supplier_id is not null) pairs
          group by po_id, supplier_id) s
    join purchase_orders po on po.id = s.po_id`).execute(db);
  await db.schema.createIndex('po_suppliers_list').on('po_suppliers').columns(['retailer_id', 'supplier_id', 'order_date', 'po_id']).execute();
  await db.schema.createIndex('po_suppliers_status').on('po_suppliers')
    .columns(['retailer_id', 'supplier_id', 'v2_status', 'order_date', 'po_id']).execute();
  for (const statement of postgres ? POSTGRES_UP : SQLITE_UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) {
    await sql`drop trigger po_suppliers_po on purchase_orders`.execute(db);
    await sql`drop trigger po_suppliers_po_delete on purchase_orders`.execute(db);
    await sql`drop trigger po_suppliers_line on po_lines`.execute(db);
    await sql`drop function po_suppliers_po(), po_suppliers_line(), po_suppliers_add(text, text, integer, bigint),
      po_suppliers_remove(text, text, boolean, bigint)`.execute(db);
  } else {
    for (const name of SQLITE_TRIGGER_NAMES) await sql.raw(`drop trigger po_suppliers_${name}`).execute(db);
  }
  await sql`drop table po_suppliers`.execute(db); // with its indexes
}

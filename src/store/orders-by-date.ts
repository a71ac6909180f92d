// by-date (DESIGN 2.2, 7): a page of records whose PO order date lies in an instant range, and the range's total,
// at a cost that does not grow with the range or the page's depth.
//
// The range [from, to) is cut at UTC midnights into whole UTC days, whose counts are kept per retailer and day by
// triggers (migration 0009), and at most two partial days at its ends, counted from the by-date index (less than
// one day of POs each). `total` is their sum; a page starts in the one segment that holds its first record, found
// from the counts, and is read by seeking the index at that segment's start and skipping less than one day.
import { addDays } from '../domain/dates.ts';
import { preparedQuery, type Db } from '../db/database.ts';
import type { ApiVersion, RecordsPage } from './orders.ts';

const midnight = (day: string): string => `${day}T00:00:00.000Z`;

type Column = 'pos' | 'lines';

function statements(db: Db) {
  // v2 counts and skips POs on the by-date index (retailer_id, order_date, id), which holds everything these read.
  const countPos = (retailerId: string, from: string, to: string) => db.selectFrom('purchase_orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('retailer_id', '=', retailerId).where('order_date', '>=', from).where('order_date', '<', to);
  // v1 counts and skips lines on po_line_counts (migration 0020): one narrow row per PO, in v1 order, so neither
  // reads a PO or line row. Joining POs to their lines instead cost a line look-up per line counted or skipped.
  const countLines = (retailerId: string, from: string, to: string) => db.selectFrom('po_line_counts')
    .select((eb) => eb.fn.sum<number>('lines').as('n'))
    .where('retailer_id', '=', retailerId).where('order_date', '>=', from).where('order_date', '<', to);
  const daysTotal = (column: Column) => (retailerId: string, fromDay: string, toDay: string) => db.selectFrom('po_day_counts')
    .select((eb) => eb.fn.sum<number>(column).as('n'))
    .where('retailer_id', '=', retailerId).where('day', '>=', fromDay).where('day', '<', toDay);
  /** The first day whose running count passes `skip`, with the count of the days before it. */
  const locateDay = (column: Column) => (retailerId: string, fromDay: string, toDay: string, skip: number) => db
    .selectFrom((eb) => eb.selectFrom('po_day_counts')
      .select((inner) => ['day', inner.ref(column).as('n'), inner.fn.sum<number>(column).over((o) => o.orderBy('day')).as('running')])
      .where('retailer_id', '=', retailerId).where('day', '>=', fromDay).where('day', '<', toDay)
      .as('d'))
    .select(['day', 'n', 'running'])
    .where('running', '>', skip)
    .orderBy('day').limit(1);
  // v1's per-PO line counts in [from, to) after the PO (afterDate, afterId) (both '' for "from the start"), in v1
  // order: the sum of the next `limit`, those rows themselves, or the key of the one `offset` rows on.
  const after = (retailerId: string, from: string, to: string, afterDate: string, afterId: string) => db
    .selectFrom('po_line_counts')
    .where('retailer_id', '=', retailerId).where('order_date', '>=', from).where('order_date', '<', to)
    .where((eb) => eb.or([eb('order_date', '>', afterDate), eb.and([eb('order_date', '=', afterDate), eb('po_id', '>', afterId)])]))
    .orderBy('order_date').orderBy('po_id');
  const chunkSum = (retailerId: string, from: string, to: string, afterDate: string, afterId: string, limit: number) => db
    .selectFrom(after(retailerId, from, to, afterDate, afterId).select('lines').limit(limit).as('c'))
    .select((eb) => [eb.fn.sum<number>('lines').as('lines'), eb.fn.countAll<number>().as('n')]);
  const chunkRows = (retailerId: string, from: string, to: string, afterDate: string, afterId: string, limit: number) =>
    after(retailerId, from, to, afterDate, afterId).select(['order_date', 'po_id', 'lines']).limit(limit);
  const keyAt = (retailerId: string, from: string, to: string, afterDate: string, afterId: string, offset: number) =>
    after(retailerId, from, to, afterDate, afterId).select(['order_date', 'po_id']).limit(1).offset(offset);
  const v2Page = (retailerId: string, from: string, to: string, limit: number, offset: number) => db.selectFrom('purchase_orders')
    .select('view_v2 as view')
    .where('retailer_id', '=', retailerId).where('order_date', '>=', from).where('order_date', '<', to)
    .orderBy('order_date').orderBy('id').limit(limit).offset(offset);
  /** v1: lines from the PO (orderDate, poId) on, in order date, PO id and line order; `offset` < that PO's lines. */
  const v1Page = (retailerId: string, orderDate: string, poId: string, to: string, limit: number, offset: number) => db
    .selectFrom('purchase_orders as po')
    .innerJoin('po_lines', 'po_lines.po_id', 'po.id')
    .select('po_lines.view_v1 as view')
    .where('po.retailer_id', '=', retailerId).where('po.order_date', '>=', orderDate).where('po.order_date', '<', to)
    .where((eb) => eb.or([eb('po.order_date', '>', orderDate), eb('po.id', '>=', poId)]))
    .orderBy('po.order_date').orderBy('po.id').orderBy('po_lines.line_no').limit(limit).offset(offset);
  return {
    v2: {
      count: preparedQuery(db, countPos), page: preparedQuery(db, v2Page),
      daysTotal: preparedQuery(db, daysTotal('pos')), locateDay: preparedQuery(db, locateDay('pos')),
    },
    v1: {
      count: preparedQuery(db, countLines), page: preparedQuery(db, v1Page), 
      chunkSum: preparedQuery(db, chunkSum), chunkRows: preparedQuery(db, chunkRows), keyAt: preparedQuery(db, keyAt),
      daysTotal: preparedQuery(db, daysTotal('lines')), locateDay: preparedQuery(db, locateDay('lines')),
    },
  };
}

const prepared = new WeakMap<Db, ReturnType<typeof statements>>();

function statementsOf(db: Db): ReturnType<typeof statements> {
  let q = prepared.get(db);
  if (!q) prepared.set(db, q = statements(db));
  return q;
}

/** Per-PO line counts summed per query: SQLite sums ~20 million a second, where a running sum (a window
 * function) or reading each into JavaScript costs ten times as much per PO. */
const CHUNK = 2048;

/**
 * v1: the PO in [from, to) holding the line `skip` lines after the segment's first (0-based), and that line's
 * place among the PO's lines; null when the segment has no more lines. Sums the per-PO line counts CHUNK POs at a
 * time (`chunk`), then walks the one chunk that holds the line: a day of 37,000 POs costs ~2 ms, not a scan of
 * its lines.
 */
export async function locateLine(db: Db, retailerId: string, from: string, to: string, skip: number, chunk = CHUNK):
  Promise<{ orderDate: string; poId: string; offset: number } | null> {
  const q = statementsOf(db).v1;
  let afterDate = '';
  let afterId = '';
  let before = 0;
  // Each query's index range starts at the last chunk's order date, so no chunk reads the ones before it again.
  const lower = () => afterDate || from;
  for (;;) {
    const [sums] = await q.chunkSum(retailerId, lower(), to, afterDate, afterId, chunk);
    const n = Number(sums?.n ?? 0);
    if (n === 0) return null;
    const lines = Number(sums.lines);
    if (before + lines > skip) break;
    if (n < chunk) return null;
    before += lines;
    const [last] = await q.keyAt(retailerId, lower(), to, afterDate, afterId, chunk - 1);
    afterDate = last.order_date;
    afterId = last.po_id;
  }
  for (const row of await q.chunkRows(retailerId, lower(), to, afterDate, afterId, chunk)) {
    const lines = Number(row.lines);
    if (before + lines > skip) return { orderDate: row.order_date, poId: row.po_id, offset: skip - before };
    before += lines;
  }
  return null;
}

/**
 * One page (1-based `page`, `limit` records) of the records whose PO order date lies in [from, to) (UTC instants
 * as stored text), ordered by order date then PO id (v1: then line number), and the number of such records (v2:
 * POs, v1: lines). Cost: a count over each partial UTC day at the ends of the range (index entries, or v1's
 * per-PO line counts), two reads of the range's day counts (at most one row per UTC day), a skip over less than one
 * UTC day of index entries (v1: of per-PO line counts), then the page's own rows.
 */
export async function recordsByOrderDate(
  db: Db, version: ApiVersion, retailerId: string, range: { from: string; to: string }, page: number, limit: number,
): Promise<RecordsPage> {
  const q = statementsOf(db);
  const s = q[version];
  const { from, to } = range;
  if (from >= to) return { records: [], total: 0 };
  const count = async (a: string, b: string) => (a < b ? Number((await s.count(retailerId, a, b))[0]?.n ?? 0) : 0);

  const fromDay = from.slice(0, 10);
  const toDay = to.slice(0, 10);
  const wholeFrom = from === midnight(fromDay) ? fromDay : addDays(fromDay, 1);
  // Segments in order: [from, midnight(wholeFrom)), the whole days [wholeFrom, toDay), [midnight(toDay), to).
  const single = wholeFrom > toDay; // from and to lie in the same UTC day
  const headEnd = single ? to : midnight(wholeFrom);
  const head = await count(from, headEnd);
  const days = single ? 0 : Number((await s.daysTotal(retailerId, wholeFrom, toDay))[0]?.n ?? 0);
  const tail = single ? 0 : await count(midnight(toDay), to);
  const total = head + days + tail;

  const offset = (page - 1) * limit;
  if (offset >= total) return { records: [], total };
  // The segment [start, end) holding the page's first record, and how many of its records come before it.
  let start: string;
  let end: string;
  let skip: number;
  if (offset < head) {
    start = from;
    end = headEnd;
    skip = offset;
  } else if (offset < head + days) {
    const [day] = await s.locateDay(retailerId, wholeFrom, toDay, offset - head);
    start = midnight(day.day);
    end = midnight(addDays(day.day, 1));
    skip = offset - head - (Number(day.running) - Number(day.n));
  } else {
    start = midnight(toDay);
    end = to;
    skip = offset - head - days;
  }
  if (version === 'v2') {
    const rows = await q.v2.page(retailerId, start, to, limit, skip);
    return { records: rows.map((r) => r.view), total };
  }
  // v1: the PO holding the page's first line, then its lines and the next POs' by seeking, not skipping.
  const at = await locateLine(db, retailerId, start, end, skip);
  if (!at) return { records: [], total };
  const rows = await q.v1.page(retailerId, at.orderDate, at.poId, to, limit, at.offset);
  return { records: rows.map((r) => r.view), total };
}

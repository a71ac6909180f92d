// The console's PO list, paged by position (store/po-browse.ts listPoRecords; DESIGN 4c, 7) on SQLite and
// PostgreSQL. Its supplier filter walked the retailer's POs and its pages were found by OFFSET, both growing with
// the data; now each combination of filters seeks (test/store/query-plans.test.ts) and a page continues after or
// before a PO's place. Here: walking Next to the end and Previous back to the start gives, for every combination
// of status, supplier, dates and order, exactly the matching POs in order, each once (a PO matches a supplier by its
// header or a line); a PO added meanwhile neither repeats nor skips one; a page number or place that names no page
// is a 400 naming it.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { dayRange } from '../../src/domain/dates.ts';
import { insertPurchaseOrders, supplierNamesOf } from '../../src/store/purchase-orders.ts';
import { buildPo } from '../support/fixtures.ts';
import { TestDatabases } from '../support/test-database.ts';
import { buildTestApp, createWorld, TIMEZONE_A, type World } from '../support/world.ts';
import { ConsoleClient, pageText } from './support.ts';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('the console PO list, paged by position, on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let world: World;
  let c: ConsoleClient;

  beforeAll(async () => {
    db = (await databases.init(databaseId)).db;
    world = await createWorld(db, { seedA: 70, seedB: 5 });
    app = await buildTestApp(db);
    c = new ConsoleClient(app);
    await c.signIn(world.keys.a);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** The ids a list page shows, in order, and its pager's links. */
  function readPage(html: string) {
    const ids = [...html.matchAll(/<th scope="row"><a href="\/console\/orders\/([^"]+)">/g)].map((m) => decodeURIComponent(m[1]));
    const link = (rel: string) => new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(html)?.[1].replace(/&amp;/g, '&');
    return { ids, next: link('next'), prev: link('prev'), page: Number(/<span>Page (\d+)<\/span>/.exec(html)?.[1]) };
  }

  /** Every matching PO of retailer A straight from the rows, in the list's order. */
  async function expected(filter: { status?: string; supplier?: string; from?: string; to?: string; oldest?: boolean }) {
    const rows = await db.selectFrom('purchase_orders as po').select(['po.id', 'po.order_date', 'po.supplier_id', 'po.view_v2'])
      .where('po.retailer_id', '=', world.retailerA).execute();
    const lines = await db.selectFrom('po_lines').select(['po_id', 'supplier_id']).where('retailer_id', '=', world.retailerA).execute();
    const range = dayRange(filter.from ?? '0001-01-01', filter.to ?? '9999-12-31', TIMEZONE_A);
    const matching = rows.filter((po) => (filter.status === undefined || JSON.parse(po.view_v2).status === filter.status)
      && (filter.supplier === undefined || po.supplier_id === filter.supplier || lines.some((l) => l.po_id === po.id && l.supplier_id === filter.supplier))
      && po.order_date >= range.from && po.order_date < range.to);
    matching.sort((a, b) => (a.order_date === b.order_date ? (a.id < b.id ? -1 : 1) : a.order_date < b.order_date ? -1 : 1));
    if (!filter.oldest) matching.reverse();
    return matching.map((po) => po.id);
  }

  /** Follows Next from `url` to the last page, then Previous back to the first: each page's ids, both ways. */
  async function walk(url: string) {
    const forward: string[][] = [];
    let at: string | undefined = url;
    let number = 1;
    let last = '';
    while (at !== undefined) {
      const response = await c.get(at);
      expect(response.statusCode, `${at}: ${pageText(response.body).slice(0, 300)}`).toBe(200);
      const page = readPage(response.body);
      expect(page.page, at).toBe(number++);
      forward.push(page.ids);
      last = at;
      at = page.next;
    }
    const backward: string[][] = [];
    at = last;
    while (at !== undefined) {
      const page = readPage((await c.get(at)).body);
      backward.unshift(page.ids);
      at = page.prev;
    }
    return { forward, backward };
  }

  it.each([
    ['everything, newest first', {}],
    ['everything, oldest first', { oldest: true }],
    ['a status', { status: 'processing' }],
    ['a supplier (its POs and POs with a line of it)', { supplier: 'acushnet' }],
    ['a supplier and a status, oldest first', { supplier: 'cobra', status: 'processing', oldest: true }],
    ['a supplier and dates', { supplier: 'acushnet', from: '2025-01-01', to: '2026-06-30' }],
    ['a status and dates, oldest first', { status: 'delivered', from: '2025-06-01', oldest: true }],
    ['dates only', { to: '2026-01-31' }],
  ] as [string, { status?: string; supplier?: 'acushnet' | 'cobra'; from?: string; to?: string; oldest?: boolean }][])(
    '%s: Next to the end and Previous back give each matching PO once, in order', async (_name, given) => {
    const filter = { ...given, supplier: given.supplier === undefined ? undefined : world.suppliers[given.supplier] };
    const query = new URLSearchParams(Object.entries({
      status: filter.status, supplier: filter.supplier, from: filter.from, to: filter.to, sort: filter.oldest ? 'oldest' : undefined,
    }).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const want = await expected(filter);
    expect(want.length, 'the case has POs to page through').toBeGreaterThan(0);
    const { forward, backward } = await walk(`/console/orders?${query}`);
    expect(forward.flat()).toEqual(want);
    expect(forward.slice(0, -1).every((ids) => ids.length === 25)).toBe(true);
    expect(backward).toEqual(forward);
  });

  it('a PO added while a person pages neither repeats nor skips one', async () => {
    const first = readPage((await c.get('/console/orders')).body);
    const before = await expected({});
    const newest = buildPo({ retailer_id: world.retailerA, po_number: 'PO-ADDED-MEANWHILE', order_date: '2099-01-01T00:00:00.000Z', lines: [] });
    await insertPurchaseOrders(db, [newest], await supplierNamesOf(db, world.retailerA));
    const second = readPage((await c.get(first.next!)).body);
    expect(second.ids).toEqual(before.slice(25, 50));
    // Back from the third page: the second as it was; back from there: the first page as it is now, new PO first.
    const third = readPage((await c.get(second.next!)).body);
    const backToSecond = readPage((await c.get(third.prev!)).body);
    expect(backToSecond.ids).toEqual(second.ids);
    expect(backToSecond.page).toBe(2);
    const backToFirst = readPage((await c.get(backToSecond.prev!)).body);
    expect(backToFirst.ids).toEqual([newest.po.id, ...before.slice(0, 24)]);
    expect(backToFirst.page).toBe(1);
  });

  it('a page number or a place that names no page is a 400 naming it', async () => {
    // The place the first page's Next link carries (signed with its page number and the filters: console/places.ts).
    const next = readPage((await c.get('/console/orders')).body).next!;
    const place = encodeURIComponent(new URLSearchParams(next.split('?')[1]).get('after')!);
    const handMade = encodeURIComponent(`2026-01-01T00:00:00.000Z~${world.po.a1.po.id}`);
    for (const [query, problem] of [
      ['page=3', 'page: pages after the first are opened with the Next page link'],
      [`after=${place}`, 'after: comes with the page number the list\'s links carry: use those links unchanged'],
      [`after=${place}&page=1`, 'page: must be 2 or more with after or before'],
      [`after=yesterday&page=2`, 'after: is not a place in this list'],
      [`after=${handMade}&page=2`, 'after: is not a place in this list'],
      [`before=${encodeURIComponent(world.po.a1.po.id)}&page=2`, 'before: is not a place in this list'],
      [`after=${place}&before=${place}&page=2`, 'before: cannot come with after'],
      // The page number is the one the link was made with, for these filters: never a label made up by hand.
      [`after=${place}&page=40`, 'after: was made for another page number or other filters than these (page 40)'],
      [`after=${place}&page=2&status=processing`, 'after: was made for another page number or other filters than these (page 2)'],
      [`before=${place}&page=2`, 'before: was made for another page number or other filters'],
      ['sort=price', 'sort: "price" is not an order (one of newest, oldest)'],
    ]) {
      const response = await c.get(`/console/orders?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(pageText(response.body), query).toContain(problem);
    }
  });

  // The supplier filter listed every supplier of the retailer in a <select> (a page growing with the suppliers):
  // now the field offers at most 50 names and suggests the rest as the person types; any supplier can still be
  // chosen, by its name (the form) or its id (the list's own links).
  it('the supplier filter offers a bounded list, suggests any supplier as typed, and filters by any of them', async () => {
    const { ensureSupplier } = await import('../../src/store/suppliers.ts');
    for (let i = 0; i < 120; i++) await ensureSupplier(db, world.retailerA, { name: `Zz Supplier ${String(i).padStart(3, '0')}` });
    const far = await db.selectFrom('suppliers').select(['id', 'name']).where('retailer_id', '=', world.retailerA)
      .where('name', '=', 'Zz Supplier 119').executeTakeFirstOrThrow();
    const po = buildPo({ retailer_id: world.retailerA, supplier_id: far.id, po_number: 'PO-FAR-SUPPLIER', order_date: '2026-03-01T00:00:00.000Z', lines: [] });
    await insertPurchaseOrders(db, [po], await supplierNamesOf(db, world.retailerA));

    const list = await c.get('/console/orders');
    const options = [...list.body.matchAll(/<option value="([^"]*)"><\/option>/g)].map((m) => m[1]);
    expect(options.length).toBe(50);
    expect(options).not.toContain(far.name);
    expect(list.body).toContain('hx-get="/console/orders/supplier-options"');

    // Typed (in either case at its start): suggested, however far down the names it is.
    for (const typed of ['Zz Supplier 11', 'zz Supplier 11', 'ZZ SUPPLIER 11']) {
      const suggested = await c.get(`/console/orders/supplier-options?supplier=${encodeURIComponent(typed)}`);
      expect(suggested.statusCode).toBe(200);
      expect([...suggested.body.matchAll(/<option value="([^"]*)">/g)].map((m) => m[1]))
        .toEqual(Array.from({ length: 10 }, (_, i) => `Zz Supplier 11${i}`));
    }
    // Chosen by name (the form), the list shows its POs and its links carry the supplier's id.
    const byName = await c.get(`/console/orders?supplier=${encodeURIComponent(far.name)}`);
    expect(byName.statusCode).toBe(200);
    expect(readPage(byName.body).ids).toEqual([po.po.id]);
    expect(byName.body).toContain(`value="${far.name}"`);
    expect((await c.get(`/console/orders?supplier=${far.id}`)).body).toContain(`value="${far.name}"`);
    // Typed in another case (Enter pressed without picking a suggestion): the same supplier.
    const lowered = await c.get(`/console/orders?supplier=${encodeURIComponent(far.name.toLowerCase())}`);
    expect(lowered.statusCode, pageText(lowered.body).slice(0, 300)).toBe(200);
    expect(readPage(lowered.body).ids).toEqual([po.po.id]);
    const unknown = await c.get('/console/orders?supplier=No%20Such%20Supplier');
    expect(unknown.statusCode).toBe(400);
    expect(pageText(unknown.body)).toContain('supplier: is not one of your suppliers');
  });
});

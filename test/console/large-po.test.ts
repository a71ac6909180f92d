// A PO as large as the API makes one (500 lines, SKUs of 100 characters with slashes, as club SKUs have) and a supplier whose name holds HTML,
// non-Latin text and a right-to-left override, through the console (found using it as an operations person):
// the receive form of such a PO was larger than the console's 64 KB form limit, so receiving it was a 413; on a
// phone its invoices and history sat below 500 item rows with nothing to jump to them; and the override in a name
// reversed the text after it ("… (lines also from Cobra)", the next supplier in a list); and the page, with ~1,000
// dates in its history, took ~50 ms of the event loop to render, a date formatter made for every date.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createPurchaseOrder } from '../../src/store/purchase-order-lifecycle.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { TestDatabases } from '../support/test-database.ts';
import { buildTestApp, createWorld, TIMEZONE_A, type World } from '../support/world.ts';
import { ConsoleClient, pageText } from './support.ts';

const databases = TestDatabases.create({ ids: ['SQLITE'] });
const LINES = 500;
const NAME = '<script>alert("x")</script> Ünïcödé 株式会社 🏌️ & "quotes" \u202Egnp.exe';

describe('a 500-line PO and a supplier name with HTML and Unicode', () => {
  let db: Db;
  let app: FastifyInstance;
  let world: World;
  let c: ConsoleClient;
  let poId: string;

  beforeAll(async () => {
    db = (await databases.init('SQLITE')).db;
    world = await createWorld(db);
    const supplier = await ensureSupplier(db, world.retailerA, { name: NAME });
    const warehouse = await ensureWarehouse(db, world.retailerA, { name: 'Carlsbad DC', address: null, locations: ['Bay 1'] });
    poId = await createPurchaseOrder(db, { id: world.retailerA, timezone: TIMEZONE_A }, {
      supplier_id: supplier, warehouse_id: warehouse, po_number: 'PO-LARGE-500',
      products: Array.from({ length: LINES }, (_, i) => ({
        sku: `${String(i).padStart(3, '0')}-${'RH/10.5/'.repeat(12)}`, supplier_sku: null, quantity: 2, cost_cents: 1999, product_name: `Item ${i}`, description: null,
      })),
    }, async () => undefined);
    app = await buildTestApp(db);
    c = new ConsoleClient(app);
    await c.signIn(world.keys.aAll);
    await c.get(`/console/orders/${poId}`);
    expect((await c.post(`/console/orders/${poId}/status`, { status: 'open' })).statusCode).toBe(303);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('receives every line of the PO in one form', async () => {
    const page = await c.get(`/console/orders/${poId}`);
    const skus = [...page.body.matchAll(/<input type="hidden" name="sku" value="([^"]+)">/g)].map((m) => m[1]);
    expect(skus.length).toBe(LINES);
    expect(skus[0].length).toBe(100);
    const response = await c.post(`/console/orders/${poId}/receive`, { sku: skus, received_quantity: skus.map(() => '2') });
    expect(response.statusCode, pageText(response.body).slice(0, 300)).toBe(303);
    expect(response.headers.location).toBe(`/console/orders/${poId}?done=received`);
    const lines = await db.selectFrom('po_lines').select('received_quantity').where('po_id', '=', poId).execute();
    expect(lines.every((line) => line.received_quantity === 2)).toBe(true);
  });

  it('offers links to each section of the page, with how many items', async () => {
    const page = await c.get(`/console/orders/${poId}`);
    const nav = /<nav class="sections" aria-label="On this page">([\s\S]*?)<\/nav>/.exec(page.body);
    expect(nav).not.toBeNull();
    expect(pageText(nav![1])).toMatch(new RegExp(`^Details (Actions )?Items \\(${LINES}\\) Shipments \\(0\\) Invoices \\(0\\) (Documents )?History$`));
    for (const target of ['facts-h', 'items-h', 'shipments-h', 'invoices-h', 'history-h']) {
      expect(nav![1]).toContain(`href="#${target}"`);
      expect(page.body).toContain(`id="${target}"`);
    }
  });

  // Each date on the page made its own Intl.DateTimeFormat (~0.1 ms each): the page of a 500-line PO, ~1,000
  // dates in its history, held the event loop ~50 ms to render (~12 ms with one formatter per zone). Counted, not
  // timed, so the test does not depend on the machine.
  it('renders the page\'s ~1,000 dates without making a date formatter for each', async () => {
    const Original = Intl.DateTimeFormat;
    let made = 0;
    Intl.DateTimeFormat = new Proxy(Original, {
      construct(target, args) { made++; return Reflect.construct(target, args); },
      apply(target, self, args) { made++; return Reflect.apply(target, self, args); },
    });
    try {
      const page = await c.get(`/console/orders/${poId}`);
      expect(page.statusCode).toBe(200);
      expect(page.body.match(/<time datetime=/g)!.length).toBeGreaterThan(LINES);
    } finally {
      Intl.DateTimeFormat = Original;
    }
    expect(made).toBeLessThan(5);
  });

  it('shows the supplier\'s name as text, its direction kept inside it', async () => {
    const page = await c.get(`/console/orders/${poId}`);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('<bdi>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Ünïcödé 株式会社 🏌️ &amp; &quot;quotes&quot; \u202Egnp.exe</bdi>');
    const list = await c.get('/console/orders');
    expect(list.body).toContain('<bdi>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });
});

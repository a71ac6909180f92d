// The console at phone width with long values (DESIGN 4c; README "Console": readable at phone width). Found with a
// 100-character PO number, supplier and product names without spaces, and the API keys list: the PO page and the
// search page scrolled sideways to ~2,400 px (headings and details do not wrap an unbroken word), the keys page to
// ~670 px (a table's visually-hidden header text, absolutely positioned, stretched the page to the table's end),
// and the documents page's file field stuck out. Nothing but a table, inside its own box, may scroll sideways.
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { createPurchaseOrder } from '../../src/store/purchase-order-lifecycle.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, TEST_CONFIG, TIMEZONE_A, type World } from '../support/world.ts';

const CHROMIUM = '/usr/bin/chromium';
const WIDTH = 375;
const databases = TestDatabases.create({ ids: ['SQLITE'] });

describe('the console at phone width with long values', () => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  const longNumber = `PO-${'W'.repeat(97)}`;
  let longId: string;

  beforeAll(async () => {
    db = (await databases.init('SQLITE')).db;
    world = await createWorld(db);
    const warehouse = await ensureWarehouse(db, world.retailerA, { name: `Stockroom${'R'.repeat(90)}`, address: null, locations: ['Bay 1'] });
    longId = await createPurchaseOrder(db, { id: world.retailerA, timezone: TIMEZONE_A }, {
      supplier_id: world.suppliers.cobra, warehouse_id: warehouse, po_number: longNumber,
      products: [{ sku: `SKU-${'K'.repeat(56)}`, supplier_sku: null, quantity: 2, cost_cents: 34900, product_name: `Driver${'D'.repeat(190)}`, description: null }],
    }, async () => undefined);
    app = await buildApp({ config: TEST_CONFIG, db, logger: false });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'], headless: true });
    page = await (await browser.newContext({ viewport: { width: WIDTH, height: 800 }, isMobile: true })).newPage();
    await page.goto(`${base}/console`);
    await page.getByLabel('API key').fill(world.keys.aAll);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console\/orders$/);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it.each([
    ['the PO page', () => `/console/orders/${longId}`],
    ['the PO list', () => '/console/orders'],
    ['a search for a long term', () => `/console/search?q=${'Q'.repeat(300)}`],
    ['the API keys', () => '/console/keys'],
    ['the supplier documents', () => '/console/documents'],
  ])('%s does not scroll sideways', async (_name, path) => {
    await page.goto(`${base}${path()}`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
  });

  // The list's status was its fourth column, ~600 px to the right on a phone: what an operations person looks for
  // first needed a sideways scroll on every row.
  it('the PO list shows each PO\'s status beside its number, without scrolling sideways', async () => {
    await page.goto(`${base}/console/orders?supplier=${world.suppliers.acushnet}`);
    const badges = page.locator('table.list tbody td .badge');
    expect(await badges.count()).toBeGreaterThan(0);
    for (const box of await badges.evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().right))) {
      expect(box).toBeLessThanOrEqual(WIDTH);
    }
  });

  it('the long PO number is all there, wrapped', async () => {
    await page.goto(`${base}/console/orders/${longId}`);
    expect((await page.getByRole('heading', { level: 1 }).textContent())?.replace(/\s/g, '')).toBe(`PO${longNumber}`);
  });
});

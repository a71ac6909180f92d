// The console with the keyboard alone, at phone width, in Chromium (found using it as an operations person would):
// the sign-in page opened with nothing focused (the API key field was the third Tab, after the skip link and the
// brand link), and Cancel and Close, moves no PO comes back from, went through on one key press on a focused
// button.
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { createPurchaseOrder } from '../../src/store/purchase-order-lifecycle.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, TEST_CONFIG, TIMEZONE_A, type World } from '../support/world.ts';
import { listenInRange } from './support.ts';

const databases = TestDatabases.create({ ids: ['SQLITE'] });

describe('the console with the keyboard alone, at phone width', () => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  let draftId: string;
  const scriptErrors: string[] = [];

  beforeAll(async () => {
    db = (await databases.init('SQLITE')).db;
    world = await createWorld(db);
    const warehouse = await ensureWarehouse(db, world.retailerA, { name: 'Carlsbad DC', address: null, locations: ['Bay 1'] });
    draftId = await createPurchaseOrder(db, { id: world.retailerA, timezone: TIMEZONE_A }, {
      supplier_id: world.suppliers.cobra, warehouse_id: warehouse, po_number: 'PO-KEYS-1',
      products: [{ sku: 'COB-1', supplier_sku: null, quantity: 1, cost_cents: 100, product_name: 'Driver', description: null }],
    }, async () => undefined);
    app = await buildApp({ config: TEST_CONFIG, db, logger: false });
    base = await listenInRange(app);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'], headless: true });
    page = await (await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true })).newPage();
    page.on('pageerror', (error) => scriptErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const lifecycle = async () => (await db.selectFrom('purchase_orders').select('status').where('id', '=', draftId).executeTakeFirstOrThrow()).status;

  it('signs in from the keyboard: the API key field has the focus when the page opens', async () => {
    await page.goto(`${base}/console`);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('api-key');
    await page.keyboard.type(world.keys.aAll);
    await Promise.all([page.waitForURL(/\/console\/orders$/), page.keyboard.press('Enter')]);
  });

  it('asks before cancelling a PO: dismissed, the PO stays a draft; accepted, it is cancelled', async () => {
    await page.goto(`${base}/console/orders/${draftId}`);
    const cancel = page.getByRole('button', { name: 'Cancel' });
    await cancel.focus();
    const asked: string[] = [];
    page.once('dialog', (dialog) => { asked.push(dialog.message()); void dialog.dismiss(); });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(200);
    expect(asked).toEqual(['Cancel PO PO-KEYS-1? This cannot be undone.']);
    expect(page.url()).toBe(`${base}/console/orders/${draftId}`);
    expect(await lifecycle()).toBe('draft');
    page.once('dialog', (dialog) => void dialog.accept());
    await Promise.all([page.waitForURL(/done=cancelled$/), cancel.press('Enter')]);
    expect(await lifecycle()).toBe('cancelled');
    expect(scriptErrors).toEqual([]);
  });
});

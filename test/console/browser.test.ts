// The console in a real browser (DESIGN 4c): playwright-core driving Debian's Chromium (/usr/bin/chromium; .ci/run
// installs it when missing). One walk through what a person does: a wrong then a right key, search by each kind
// of id, the PO page, a lifecycle action, a supplier CSV uploaded with its row results, "Sync now" against the ShipStation sandbox with its live progress line,
// a webhook test delivered to a local receiver (and retried),
// creating and revoking a key (whose session then ends), a read-only key offered no write actions, sign-out.
// Throughout: no script errors, the key never in a URL or in script-readable storage. Screenshots of each page go
// to data/console-screenshots/ (gitignored) as test artefacts.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { SHIPSTATION_DEFAULT_API_KEY } from '../../src/sandbox/shipstation.ts';
import { WebhookDeliverer } from '../../src/events/deliverer.ts';
import { createConnection } from '../../src/store/connections.ts';
import { createEndpoint } from '../../src/store/webhook-endpoints.ts';
import { createPurchaseOrder } from '../../src/store/purchase-order-lifecycle.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { shipStation } from '../sync/support.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, TEST_CONFIG, TIMEZONE_A, type World } from '../support/world.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
export const SCREENSHOT_DIR = resolve('data/console-screenshots');

const databases = TestDatabases.create({ ids: ['SQLITE'] });

describe('the console in Chromium', () => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let sandbox: Awaited<ReturnType<typeof shipStation>>;
  let connectionId: string;
  let draftId: string;
  let receiver: Server;
  let deliverer: WebhookDeliverer;
  /** Webhook types the receiver was sent. */
  const received: string[] = [];
  /** Every problem a page reported: uncaught exceptions and console errors. */
  const scriptErrors: string[] = [];
  /** Every URL any page asked for. */
  const requested: string[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    db = (await databases.init('SQLITE')).db;
    world = await createWorld(db);
    secrets.push(world.keys.a, world.keys.aAll);
    // The engine keeps to ShipStation's 200 requests a minute, so ten POs take a few seconds: long enough to see
    // the run going, short enough for the walk.
    sandbox = await shipStation({ pos: 10, seed: 5 });
    const created = await createConnection(db, TEST_CONFIG.secret, world.retailerA, {
      kind: 'shipstation', name: 'ShipStation sandbox', base_url: sandbox.url, credentials: { api_key: SHIPSTATION_DEFAULT_API_KEY },
      schedule_minutes: 60, enabled: false,
    });
    if (!created.ok) throw new Error(created.reason);
    connectionId = created.connection.id;
    const warehouse = await ensureWarehouse(db, world.retailerA, { name: 'Carlsbad DC', address: null, locations: ['Bay 1'] });
    draftId = await createPurchaseOrder(db, { id: world.retailerA, timezone: TIMEZONE_A }, {
      supplier_id: world.suppliers.cobra, warehouse_id: warehouse, po_number: 'PO-BROWSER-1',
      products: [{ sku: 'COB-DS-ADAPT', supplier_sku: null, quantity: 2, cost_cents: 34900, product_name: 'Cobra DS Adapt Driver', description: null }],
    }, async () => undefined);
    // A webhook receiver on this machine, and the deliverer serve runs on SQLite.
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => { received.push((JSON.parse(body) as { type: string }).type); response.writeHead(204).end(); });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    const port = (receiver.address() as { port: number }).port;
    await createEndpoint(db, TEST_CONFIG.secret, world.retailerA, {
      url: `http://127.0.0.1:${port}/ordersync`, enabled_events: ['invoice.created'], description: 'Receiving desk',
    });
    deliverer = new WebhookDeliverer({
      db, secret: TEST_CONFIG.secret, publicUrl: TEST_CONFIG.publicUrl, allowPrivateUrls: true, log: console, pollMs: 50,
    }).start();
    app = await buildApp({ config: TEST_CONFIG, db, logger: false });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await deliverer?.stop();
    await new Promise((done) => receiver?.close(done));
    await app?.close();
    await sandbox?.close();
  });

  async function newPage(context?: BrowserContext): Promise<Page> {
    const page = await (context ?? await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    page.on('pageerror', (error) => scriptErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // The wrong key's page is answered 401 on purpose; Chromium notes any error status of a document.
      const expected = message.text().includes('status of 401') && message.location().url === `${base}/console/sign-in`;
      if (!expected) scriptErrors.push(`console: ${message.text()} at ${message.location().url}`);
    });
    page.on('request', (request) => requested.push(request.url()));
    page.on('dialog', (dialog) => void dialog.accept());
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: true });
  }

  /** Nothing a script in the page can read holds the key. */
  async function expectNoKeyReadable(page: Page): Promise<void> {
    const readable = await page.evaluate(() => JSON.stringify({
      cookie: document.cookie, local: { ...localStorage }, session: { ...sessionStorage }, url: location.href,
    }));
    for (const secret of secrets) {
      expect(readable).not.toContain(secret);
      expect(readable).not.toContain(secret.slice(8));
    }
    expect(await page.evaluate(() => document.cookie)).toBe('');
  }

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto(`${base}/console`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console\/orders$/);
  }

  it('walks the console as a person would', async () => {
    const page = await newPage();

    // Sign-in: a wrong key first, then the right one.
    await page.goto(`${base}/console`);
    await expect.poll(() => page.url()).toMatch(/\/console\/sign-in/);
    await shot(page, '01-sign-in');
    await page.getByLabel('API key').fill('pk_live_' + 'W'.repeat(40));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That API key was not accepted');
    await shot(page, '02-sign-in-wrong-key');
    await page.getByLabel('API key').fill(world.keys.aAll);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console\/orders$/);
    await expectNoKeyReadable(page);
    await shot(page, '03-po-list');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Purchase orders');

    // Status filter.
    await page.getByLabel('Status').selectOption('review');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=review/);
    expect(await page.locator('table.list tbody tr').allTextContents()).toEqual([expect.stringContaining('PO-A1002')]);

    // Supplier filter: typing asks for suggestions (htmx swaps them into the field's datalist); the name chosen filters.
    await page.goto(`${base}/console/orders`);
    await page.getByLabel('Supplier', { exact: true }).pressSequentially('acu');
    await expect.poll(() => page.locator('#supplier-options option').evaluateAll((options) => options.map((o) => o.getAttribute('value'))))
      .toEqual(['Acushnet']);
    await page.getByLabel('Supplier', { exact: true }).fill('Acushnet');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/supplier=Acushnet/);
    expect(await page.getByLabel('Supplier', { exact: true }).inputValue()).toBe('Acushnet');
    expect(await page.locator('table.list tbody tr').count()).toBeGreaterThan(0);

    // Search by each kind of id.
    const search = async (text: string) => {
      await page.getByLabel('Search').fill(text);
      await page.getByLabel('Search').press('Enter');
      await page.waitForLoadState('load');
    };
    await search('PO-A1001');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('PO PO-A1001');
    await shot(page, '04-po-page');
    const trackingLink = page.getByRole('link', { name: new RegExp(world.tracking.ups) });
    expect(await trackingLink.getAttribute('href')).toBe(`https://www.ups.com/track?tracknum=${world.tracking.ups}`);
    expect(await page.getByText('Out for delivery').count()).toBe(1);
    expect(await page.getByRole('link', { name: /Invoice 12345678/ }).count()).toBe(0); // no PDF was sent with it
    await page.goto(`${base}/console/orders`);
    await search('FXT-300003');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('PO PO-A1002');
    await search(world.tracking.fedex.toLowerCase());
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('PO PO-A1001');
    await search('FXT-777777');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Search results');
    expect(await page.locator('table.list tbody tr').count()).toBe(2);
    await shot(page, '05-search-several');

    // A lifecycle action: open the draft, then receive part of it.
    await search('PO-BROWSER-1');
    expect(await page.getByRole('button', { name: 'Close' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Open (send to supplier)' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Done: open');
    expect(await page.getByRole('button', { name: 'Open (send to supplier)' }).count()).toBe(0);
    await page.getByLabel(/Cobra DS Adapt Driver \(COB-DS-ADAPT\), 2 outstanding/).fill('1');
    await page.getByRole('button', { name: 'Receive' }).click();
    await expect.poll(() => page.locator('.status-line').textContent()).toContain('lifecycle receiving');
    await shot(page, '06-po-after-receive');
    expect((await db.selectFrom('purchase_orders').select('status').where('id', '=', draftId).executeTakeFirstOrThrow()).status).toBe('receiving');

    // Upload a supplier's CSV through the file input: its row results are shown, the PO number a link to the PO.
    await page.getByRole('link', { name: 'Supplier documents' }).click();
    await page.waitForURL(/\/console\/documents$/);
    await page.getByLabel('File (X12 855, 856, 810 or CSV)').setInputFiles({
      name: 'cobra-ship.csv', mimeType: 'text/csv',
      buffer: Buffer.from('PO #,Tracking #,Ship Via,Item #,Qty Shipped,Ship Date\r\nPO-BROWSER-1,1Z999AA10123456784,UPS Ground,COB-DS-ADAPT,1,11/20/2026\r\n'),
    });
    await page.getByLabel('Supplier name').fill('Cobra Puma Golf');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForURL(/\/console\/documents\/sdoc_/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('cobra-ship.csv');
    expect(await page.locator('table.list tbody tr').allTextContents()).toEqual([expect.stringMatching(/row 2[\s\S]*PO-BROWSER-1[\s\S]*applied/)]);
    await shot(page, '06b-supplier-document');
    expect(await page.getByRole('link', { name: 'PO-BROWSER-1' }).getAttribute('href')).toBe(`/console/orders/${draftId}`);

    // Sync now against the sandbox, with the live progress line.
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.waitForURL(/\/console\/connections$/);
    await shot(page, '07-connections');
    await page.getByRole('button', { name: 'Sync now: ShipStation sandbox' }).click();
    await page.waitForURL(new RegExp(`/console/connections/${connectionId}$`));
    const progress = page.locator('#run-progress');
    expect(await progress.textContent()).toMatch(/running\s+fetched/);
    await expect.poll(() => progress.textContent(), { timeout: 20_000, interval: 250 }).toMatch(/succeeded\s+fetched 10, created 10/);
    await shot(page, '08-connection-synced');
    // The whole runs section was swapped in: the table row of the run finished too, without a reload.
    expect(await page.locator('#runs table tbody tr').first().textContent()).toContain('succeeded');

    // A webhook test: the ping is delivered, and its row shows the receiver's status code without a reload.
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('link', { name: /127\.0\.0\.1/ }).click();
    await page.getByRole('button', { name: 'Send a test event' }).click();
    await expect.poll(() => page.locator('#deliveries tbody tr').first().textContent(), { timeout: 15_000, interval: 250 })
      .toMatch(/ping[\s\S]*succeeded[\s\S]*HTTP 204/);
    expect(received).toEqual(['ping']);
    await shot(page, '09-webhook-tested');
    await page.locator('#deliveries').getByRole('button', { name: /^Retry ping/ }).click();
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(2);

    // Create a key, sign in with it elsewhere, revoke it: that session ends.
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('receiving desk');
    await page.getByRole('checkbox', { name: 'write' }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByLabel('New API key').inputValue();
    expect(secret).toMatch(/^pk_live_[0-9A-Za-z]{40}$/);
    secrets.push(secret);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.locator('#copy-status').textContent()).toContain('Copied');
    await shot(page, '10-key-created');
    await expectNoKeyReadable(page);
    // Reloading the page that showed it makes no second key and shows the secret no more.
    const keysBefore = (await db.selectFrom('api_keys').select('id').execute()).length;
    await page.reload();
    expect(await page.getByLabel('New API key').count()).toBe(0);
    expect(await page.getByRole('status').first().textContent()).toContain('is not shown again');
    expect((await db.selectFrom('api_keys').select('id').execute()).length).toBe(keysBefore);

    const desk = await newPage();
    await signIn(desk, secret);
    expect(await desk.getByRole('heading', { level: 1 }).textContent()).toBe('Purchase orders');
    await page.goto(`${base}/console/keys`);
    await page.getByRole('button', { name: /Revoke receiving desk/ }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Revoked');
    await shot(page, '11-key-revoked');
    await desk.reload();
    await expect.poll(() => desk.url()).toMatch(/\/console\/sign-in\?expired=1&next=%2Fconsole%2Forders$/);
    expect(await desk.getByRole('status').first().textContent()).toContain('Your session has ended');

    // Sign out: back to the sign-in page, and the pages need a key again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/sign-in$/);
    await page.goto(`${base}/console/orders`);
    await expect.poll(() => page.url()).toMatch(/\/console\/sign-in/);
  }, 120_000); // ~12 s alone (47 s on a loaded 2-core machine); the sync keeps to ShipStation's 200 requests a minute, and CI shares the cores.

  it('offers a read-only key no write actions, at phone width', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await newPage(context);
    await signIn(page, world.keys.a);
    await shot(page, '12-phone-list');
    expect(await page.getByRole('link', { name: 'Connections' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    await page.getByLabel('Search').fill('PO-A1002');
    await page.getByLabel('Search').press('Enter');
    await page.waitForURL(/\/console\/orders\/po_/);
    await shot(page, '13-phone-po-read-only');
    expect(await page.locator('form[action$="/status"], form[action$="/receive"]').count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Actions' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Supplier documents' }).click();
    await page.waitForURL(/\/console\/documents$/);
    expect(await page.locator('input[type="file"]').count()).toBe(0);
    expect(await page.locator('table.list tbody tr').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The page fits the phone's width: nothing scrolls sideways but the tables inside their own boxes.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoKeyReadable(page);
    await context.close();
  });

  it('saw no script errors and never put a key in a URL', () => {
    expect(scriptErrors).toEqual([]);
    expect(requested.length).toBeGreaterThan(20);
    for (const url of requested) for (const secret of secrets) expect(url).not.toContain(secret.slice(8));
  });
});

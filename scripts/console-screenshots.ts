// Remakes the README's console screenshots (docs/console-list.png, docs/console-po.png) from the README's seed
// data: `node --import tsx scripts/console-screenshots.ts`. Needs /usr/bin/chromium (apt-get install chromium).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { buildApp } from '../src/app.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { seedDatabase } from '../src/seed/seed.ts';
import { createApiKey } from '../src/store/api-keys.ts';
import { ensureRetailer } from '../src/store/retailers.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-shots-'));
const { db, close } = openDatabase({ kind: 'sqlite', file: join(dir, 'ordersync.db') });
try {
  await migrateToLatest(db);
  await seedDatabase(db, { retailer: 'demo', pos: 200, seed: 1 });
  const { retailer } = await ensureRetailer(db, 'demo');
  const key = await createApiKey(db, retailer.id, 'buyer', ['read']);
  const app = await buildApp({ config: { publicUrl: 'http://localhost:8080', logLevel: 'silent', secret: 'screenshots-'.repeat(4) }, db, logger: false });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
  await page.goto(`${base}/console/sign-in`);
  await page.getByLabel('API key').fill(key.secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/console\/orders$/);
  await page.screenshot({ path: resolve('docs/console-list.png') });
  await page.getByLabel('Search').fill('PO-10000001');
  await page.getByLabel('Search').press('Enter');
  await page.waitForURL(/\/console\/orders\/po_/);
  await page.setViewportSize({ width: 1100, height: 1000 });
  await page.screenshot({ path: resolve('docs/console-po.png') });
  await browser.close();
  await app.close();
} finally {
  await close();
  rmSync(dir, { recursive: true, force: true });
}

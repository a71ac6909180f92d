// `npm run demo`: both upstream sandboxes, a retailer connected to them, one sync each, then the OrderSync
// service with curl commands that show the synced POs. Everything lives in ./data/demo (made afresh each run).
// DEMO_EXIT=1 stops after printing (for scripted checks); otherwise Ctrl-C stops everything.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { startSandbox, type SandboxKind, type StartedSandbox } from '../src/sandbox/cli.ts';
import { SHIPSTATION_DEFAULT_API_KEY } from '../src/sandbox/shipstation.ts';
import { STOCKY_DEFAULT_API_KEY, STOCKY_DEFAULT_STORE_NAME } from '../src/sandbox/stocky.ts';
import { createApiKey } from '../src/store/api-keys.ts';
import { createConnection } from '../src/store/connections.ts';
import { ensureRetailer } from '../src/store/retailers.ts';
import { runConnectionSync } from '../src/sync/runner.ts';
import type { Credentials } from '../src/sync/types.ts';

const PORT = Number(process.env.PORT ?? 8080);
const POS_PER_UPSTREAM = 300;
/** Raised from the upstreams' real limits (200 and 120 a minute) so the demo syncs in seconds, not minutes. */
const DEMO_RATE_LIMIT = 6000;

const dir = resolve('data/demo');
rmSync(dir, { recursive: true, force: true });
const config = loadConfig({ ...process.env, PORT: String(PORT), DATABASE_URL: `sqlite:${dir}/ordersync.db`, LOG_LEVEL: 'warn' });
const database = openDatabase(config.database);
await migrateToLatest(database.db);
const db = database.db;

const sandboxOptions = (seed: number) => ({
  host: '127.0.0.1', port: 0, seed, pos: POS_PER_UPSTREAM, latencyMs: 0, rateLimit: DEMO_RATE_LIMIT, faults: {},
  timeoutHangMs: 120_000, churnEveryMs: 0, churnEveryRequests: 0, churnCreate: 1, churnAdvance: 3,
});
const upstreams: { kind: SandboxKind; credentials: Credentials; seed: number }[] = [
  { kind: 'shipstation', credentials: { api_key: SHIPSTATION_DEFAULT_API_KEY }, seed: 11 },
  { kind: 'stocky', credentials: { store_name: STOCKY_DEFAULT_STORE_NAME, api_key: STOCKY_DEFAULT_API_KEY }, seed: 12 },
];

const { retailer } = await ensureRetailer(db, 'demo');
const key = await createApiKey(db, retailer.id, 'demo', ['read', 'write', 'admin']);
const sandboxes: StartedSandbox[] = [];
for (const upstream of upstreams) {
  const sandbox = await startSandbox(upstream.kind, sandboxOptions(upstream.seed));
  sandboxes.push(sandbox);
  console.log(sandbox.banner.join('\n'));
  const created = await createConnection(db, config.secret, retailer.id, {
    kind: upstream.kind, name: `${upstream.kind} sandbox`, base_url: sandbox.baseUrl, credentials: upstream.credentials,
    schedule_minutes: 15, enabled: true,
  });
  if (!created.ok) throw new Error(`could not create the ${upstream.kind} connection: ${created.reason}`);
  const outcome = await runConnectionSync(db, config.secret, created.connection.id, { full: false });
  if (!outcome.started) throw new Error(`the ${upstream.kind} sync did not start: ${outcome.reason}`);
  console.log(`  synced: ${outcome.status} ${JSON.stringify(outcome.counts)}${outcome.error ? ` (${outcome.error})` : ''}\n`);
  if (outcome.status !== 'succeeded') process.exitCode = 1;
}

const app = await buildApp({ config, db });
await app.listen({ port: PORT, host: '127.0.0.1' });
const samples = await db.selectFrom('purchase_orders').select(['source', 'po_number'])
  .where('retailer_id', '=', retailer.id).where('source', 'in', ['shipstation', 'stocky'])
  .orderBy('source').orderBy('order_date', 'desc').execute();
const first = (source: string) => samples.find((s) => s.source === source)?.po_number ?? '(none)';
const base = `http://localhost:${PORT}`;
console.log(`OrderSync is serving the synced POs on ${base} with the key ${key.secret}\n`);
console.log(`  export KEY=${key.secret}`);
console.log(`  curl -s ${base}/api/v2/orders/by-po/${encodeURIComponent(first('shipstation'))} -H "X-API-Key: $KEY"   # from ShipStation`);
console.log(`  curl -s ${base}/api/v2/orders/by-po/${encodeURIComponent(first('stocky'))} -H "X-API-Key: $KEY"   # from Stocky`);
console.log(`  curl -s ${base}/api/v2/connections -H "X-API-Key: $KEY"`);
console.log(`  curl -s "${base}/api/v2/purchase_orders?page_size=5" -H "X-API-Key: $KEY"\n`);

async function stop(): Promise<void> {
  await app.close();
  for (const sandbox of sandboxes) await sandbox.app.close();
  await database.close();
}
if (process.env.DEMO_EXIT) {
  await stop();
} else {
  console.log('Ctrl-C stops the demo.');
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

// `npm run bench:webhooks`: the webhook targets of DESIGN section 7 (≥ 500 deliveries/s to a local receiver; an
// event delivered ≤ 2 s after its change, p99), against a receiver in its own process that verifies every
// signature with the standardwebhooks library.
//
// 1. Baseline: POSTs of the same body size, signed the same way, sent by the same sender (keep-alive agent), to the
//    same receiver (which verifies them), with the same number in flight as the deliverer keeps for one endpoint:
//    what the machine and the receiver allow without OrderSync's outbox and bookkeeping.
// 2. Throughput: BENCH_WEBHOOK_EVENTS (5,000) events written first, then delivery drains them (SQLite: the in-process
//    deliverer; PostgreSQL: the pg-boss drains `serve` and `ordersync worker` run): deliveries/s, as a share of the
//    baseline, and on PostgreSQL the database transactions per delivery (pg_stat_database.xact_commit), which is
//    where the time goes there.
// 3. Latency: with the deliverer running, POs created through the lifecycle store at BENCH_WEBHOOK_RATE (100) a
//    second for 10 s; each `purchase_order.created` timed from its transaction to its arrival: p50, p99, max.
//
// Environment: BENCH_DATABASE_URL (default a temporary SQLite file; postgres://… to measure PostgreSQL, in a schema of
// the run's own, dropped after), BENCH_WEBHOOK_EVENTS, BENCH_WEBHOOK_RATE, BENCH_PER_ENDPOINT. Results are printed and written to data/bench/webhooks-results.json.
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDatabaseUrl } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import pg from 'pg';
import { BossDelivery } from '../src/events/boss-delivery.ts';
import { WebhookDeliverer } from '../src/events/deliverer.ts';
import { WebhookSender } from '../src/events/sender.ts';
import { signedHeaders } from '../src/events/signing.ts';
import { bossSchemaFor } from '../src/sync/scheduler.ts';
import { recordEvents } from '../src/store/events.ts';
import { createPurchaseOrder } from '../src/store/purchase-order-lifecycle.ts';
import { ensureRetailer } from '../src/store/retailers.ts';
import { ensureSupplier } from '../src/store/suppliers.ts';
import { ensureWarehouse } from '../src/store/warehouses.ts';
import { createEndpoint, updateEndpoint } from '../src/store/webhook-endpoints.ts';

import { intFromEnv } from './lib/common.ts';

const here = dirname(fileURLToPath(import.meta.url));
const EVENTS = intFromEnv('BENCH_WEBHOOK_EVENTS', 5000);
const RATE = intFromEnv('BENCH_WEBHOOK_RATE', 100);
const LATENCY_SECONDS = 10;
const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const PER_ENDPOINT = intFromEnv('BENCH_PER_ENDPOINT', 10);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main(): Promise<void> {
  const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
  const temp = mkdtempSync(join(tmpdir(), 'ordersync-bench-webhooks-'));
  const config = parseDatabaseUrl(process.env.BENCH_DATABASE_URL ?? `sqlite:${join(temp, 'bench.db')}`);
  // PostgreSQL: a schema of this run's own, so no other data (an earlier run's endpoints) is delivered meanwhile.
  const schema = `bench_webhooks_${process.pid}`;
  const admin = config.kind === 'postgres' ? new pg.Client({ connectionString: config.url }) : undefined;
  await admin?.connect();
  await admin?.query(`create schema ${schema}`);
  const database = openDatabase(config, { searchPath: config.kind === 'postgres' ? schema : undefined });
  const { db } = database;
  await migrateToLatest(db);
  const bossSchema = config.kind === 'postgres' ? await bossSchemaFor(db) : undefined;
  const { retailer } = await ensureRetailer(db, `bench-${Date.now()}`);
  const supplierId = await ensureSupplier(db, retailer.id, { name: 'Acushnet' });
  const warehouseId = await ensureWarehouse(db, retailer.id, { name: 'Main', address: null, locations: ['Dock'] });
  const endpoint = await createEndpoint(db, SECRET, retailer.id, { url: 'http://127.0.0.1:1/', enabled_events: ['*'], description: 'bench' });

  const receiver = fork(join(here, 'servers', 'webhook-receiver.ts'), [], {
    execArgv: ['--import', 'tsx'], env: { ...process.env, WEBHOOK_SECRET: endpoint.secret }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const arrivals = new Map<string, number>();
  let bad = 0;
  let buffered = '';
  receiver.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const [id, at] = line.split(' ');
      if (id === 'BAD') bad++;
      else if (!arrivals.has(id)) arrivals.set(id, Number(at));
    }
  });
  const port = await new Promise<number>((resolvePort) => receiver.once('message', (m: { port: number }) => resolvePort(m.port)));
  const url = `http://127.0.0.1:${port}`;
  await updateEndpoint(db, retailer.id, endpoint.id, { url: `${url}/hooks` });
  const delivered = () => [...arrivals.keys()].filter((id) => id.startsWith('evt_')).length;
  const waitArrivals = async (count: number) => {
    while (delivered() < count) await new Promise((r) => setTimeout(r, 5));
  };

  // A body the size of a real one: a PO's event (about 2 KB).
  const data = { po_number: 'PO-BENCH', purchase_order: { items: Array.from({ length: 4 }, (_, i) => ({ sku: `SKU-${i}`, note: 'x'.repeat(300) })) } };
  const sampleBody = JSON.stringify({ id: 'evt_x', type: 'purchase_order.updated', created_at: new Date().toISOString(), data });

  // 1. Baseline: signed POSTs without the database, PER_ENDPOINT in flight, through the deliveries' own sender.
  const sender = new WebhookSender({ allowPrivate: true });
  let sent = 0;
  const baselineStart = performance.now();
  await Promise.all(Array.from({ length: PER_ENDPOINT }, async () => {
    while (sent < EVENTS) {
      sent++;
      const headers = signedHeaders([endpoint.secret], `base_${sent}`, new Date(), sampleBody);
      const outcome = await sender.send(`${url}/hooks`, { ...headers }, sampleBody);
      if (outcome.status !== 204) throw new Error(`baseline: the receiver answered ${outcome.status ?? outcome.error}`);
    }
  }));
  const baselineRate = EVENTS / ((performance.now() - baselineStart) / 1000);
  sender.close();

  // 2. Throughput: events written first, then drained.
  for (let i = 0; i < EVENTS; i += 250) {
    await db.transaction().execute((trx) => recordEvents(trx, retailer.id,
      Array.from({ length: Math.min(250, EVENTS - i) }, () => ({ type: 'purchase_order.updated' as const, data }))));
  }
  const log = { error: (o: object, m: string) => console.error(m, o) };
  const options = { db, secret: SECRET, publicUrl: 'http://localhost:8080', allowPrivateUrls: true, log, perEndpoint: PER_ENDPOINT };
  const deliverer = config.kind === 'postgres'
    ? new BossDelivery({ ...options, url: config.url, bossSchema })
    : new WebhookDeliverer(options);
  const commits = async () => config.kind === 'postgres'
    ? Number((await admin!.query(`select xact_commit from pg_stat_database where datname = current_database()`)).rows[0].xact_commit)
    : 0;
  const commitsBefore = await commits();
  const drainStart = performance.now();
  deliverer.start();
  await waitArrivals(EVENTS);
  const drainRate = EVENTS / ((performance.now() - drainStart) / 1000);
  // Other work on the machine commits too: an upper bound on this run's own.
  const commitsPerDelivery = (await commits() - commitsBefore) / EVENTS;

  // 3. Latency: real changes at RATE a second, each PO's created event timed from its transaction to arrival.
  const before = delivered();
  const total = RATE * LATENCY_SECONDS;
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    await createPurchaseOrder(db, { id: retailer.id, timezone: 'UTC' }, {
      supplier_id: supplierId, warehouse_id: warehouseId, po_number: `PO-BENCH-${i}`,
      products: [{ sku: 'GT2-9', supplier_sku: 'S-GT2-9', quantity: 2, cost_cents: 38950 }],
    } as never, async () => undefined);
  }
  await waitArrivals(before + total);
  await deliverer.stop();
  const created = await db.selectFrom('events').select(['id', 'created_at']).where('retailer_id', '=', retailer.id)
    .where('type', '=', 'purchase_order.created').execute();
  const latencies = created.map((e) => arrivals.get(e.id)! - Date.parse(e.created_at)).sort((a, b) => a - b);

  receiver.kill();
  await database.close();
  if (admin) {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`drop schema if exists ${bossSchema} cascade`);
    await admin.end();
  }
  rmSync(temp, { recursive: true, force: true });

  const results = {
    measured_at: new Date().toISOString(),
    database: database.kind,
    load_average: { before: loadBefore, after: loadavg().map((l) => Number(l.toFixed(2))) },
    delivery: config.kind === 'postgres' ? 'pg-boss drains' : 'in-process',
    baseline_posts_per_second: Math.round(baselineRate),
    deliveries_per_second: Math.round(drainRate),
    deliveries_vs_baseline: Number((drainRate / baselineRate).toFixed(3)),
    postgres_commits_per_delivery: config.kind === 'postgres' ? Number(commitsPerDelivery.toFixed(3)) : undefined,
    latency_ms: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1), count: latencies.length },
    signatures_refused: bad,
  };
  console.log(`webhooks on ${results.database}, ${results.delivery} (load average ${loadBefore.join(' ')} before, `
    + `${results.load_average.after.join(' ')} after; the machine is shared, compare ratios):`);
  console.log(`  baseline: signed POSTs, no database, ${PER_ENDPOINT} in flight      ${results.baseline_posts_per_second} /s`);
  console.log(`  deliveries: ${EVENTS} events signed, sent, verified, recorded    ${results.deliveries_per_second} /s`
    + `  (${(results.deliveries_vs_baseline * 100).toFixed(1)}% of baseline; target ≥ 500 /s)`);
  if (config.kind === 'postgres') console.log(`  PostgreSQL commits per delivery (all of the database's): ${results.postgres_commits_per_delivery}`);
  console.log(`  change → delivery at ${RATE} changes/s: p50 ${results.latency_ms.p50} ms, p99 ${results.latency_ms.p99} ms, `
    + `max ${results.latency_ms.max} ms (target p99 ≤ 2000 ms)`);
  if (bad > 0) console.log(`  ${bad} deliveries failed signature verification`);
  const out = resolve(here, '..', 'data', 'bench', 'webhooks-results.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
}

await main();

// Benchmark child process: the real OrderSync service (buildApp) on the bench database (BENCH_DATABASE_URL, a
// sqlite: or postgres:// URL), on a loopback port. Tells the parent its port over IPC; answers "cpu" with its CPU
// time and "eld"/"eld-reset" with its event-loop delay (perf_hooks.monitorEventLoopDelay); stops on "stop"
// (closing the app and database, so --cpu-prof is written) or when the parent goes away.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../../src/app.ts';
import { parseDatabaseUrl } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';

const url = process.env.BENCH_DATABASE_URL;
const logLevel = process.env.BENCH_LOG_LEVEL ?? 'warn';
if (!url || !process.send) throw new Error('run by npm run bench: needs BENCH_DATABASE_URL and an IPC channel');

const database = openDatabase(parseDatabaseUrl(url), { poolSize: Number(process.env.BENCH_PG_POOL ?? 10) });
// A fresh secret per run (it signs links and cursors); passed as a variable so the config's shape may grow.
const config = { publicUrl: 'http://127.0.0.1', logLevel, secret: randomBytes(32).toString('base64url') };
const app = await buildApp({ config, db: database.db });
await app.listen({ host: '127.0.0.1', port: 0 });
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await app.close();
  await database.close();
  process.exit(0);
}
process.on('message', (message) => {
  if (message === 'stop') void stop();
  if (message === 'cpu') process.send!({ cpu: process.cpuUsage() });
  if (message === 'eld-reset') {
    loopDelay.reset();
    process.send!({ eldReset: true });
  }
  if (message === 'eld') process.send!({ eld: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 } });
});
process.on('disconnect', () => void stop());
process.send({ ready: true, port: (app.server.address() as AddressInfo).port, pid: process.pid });

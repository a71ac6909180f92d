// Benchmark child process: the real OrderSync service (buildApp) on the bench database, on a loopback port.
// Tells the parent its port over IPC; stops on "stop" (closing the app and database, so --cpu-prof is written)
// or when the parent goes away.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/app.ts';
import { openDatabase } from '../../src/db/database.ts';

const file = process.env.BENCH_DB;
const logLevel = process.env.BENCH_LOG_LEVEL ?? 'warn';
if (!file || !process.send) throw new Error('run by bench/by-po.ts: needs BENCH_DB and an IPC channel');

const database = openDatabase({ kind: 'sqlite', file });
// A fresh secret per run (it signs links and cursors); passed as a variable so the config's shape may grow.
const config = { publicUrl: 'http://127.0.0.1', logLevel, secret: randomBytes(32).toString('base64url') };
const app = await buildApp({ config, db: database.db });
await app.listen({ host: '127.0.0.1', port: 0 });

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
});
process.on('disconnect', () => void stop());
process.send({ ready: true, port: (app.server.address() as AddressInfo).port, pid: process.pid });

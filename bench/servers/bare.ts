// Benchmark child process: bare Fastify 5 routes on the read paths, sending constant JSON bodies of the sizes the
// service's responses have (BENCH_BODY_BYTES for GET by-po, BENCH_BULK_BYTES for POST by-po-numbers, whose JSON
// request body Fastify parses as it does for the service), with the same content type. No logger, no hooks.
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Fastify from 'fastify';

const size = Number(process.env.BENCH_BODY_BYTES);
const bulkSize = Number(process.env.BENCH_BULK_BYTES ?? 1000);
if (!Number.isInteger(size) || size < 100 || !process.send) throw new Error('run by npm run bench: needs BENCH_BODY_BYTES and an IPC channel');

/** `{"data":[{"padding":"xxx…"}],"meta":{…}}`, exactly `bytes` long. */
function jsonBodyOf(bytes: number): string {
  const head = '{"data":[{"padding":"';
  const tail = '"}],"meta":{"total":1,"page":1,"limit":1,"has_more":false}}';
  return head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}
// Buffers, the cheapest way to send bytes: Node writes them as they are, while a string (even a constant one) is
// encoded to UTF-8 on every send, which for a 400 KB body costs several times the bytes' own cost and would make
// the baseline slow and the service's ratio look better than it is.
const body = Buffer.from(jsonBodyOf(size));
const bulkBody = Buffer.from(jsonBodyOf(bulkSize));

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.get('/api/v2/orders/by-po/:po_number', async (_request, reply) =>
  reply.type('application/json; charset=utf-8').send(body));
app.post('/api/v2/orders/by-po-numbers', async (_request, reply) =>
  reply.type('application/json; charset=utf-8').send(bulkBody));
await app.listen({ host: '127.0.0.1', port: 0 });
// The same event-loop delay histogram as the service's: what the machine alone adds (the bare routes hold the loop
// for microseconds), the control for the service's figure.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await app.close();
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

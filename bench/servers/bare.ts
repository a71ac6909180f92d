// Benchmark child process: a bare Fastify 5 route on the by-po path, sending a constant JSON body of
// BENCH_BODY_BYTES bytes (the average by-po response) with the same content type. No logger, no hooks.
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

const size = Number(process.env.BENCH_BODY_BYTES);
if (!Number.isInteger(size) || size < 100 || !process.send) throw new Error('run by bench/by-po.ts: needs BENCH_BODY_BYTES and an IPC channel');

/** `{"data":[{"padding":"xxx…"}],"meta":{…}}`, exactly `bytes` long. */
function jsonBodyOf(bytes: number): string {
  const head = '{"data":[{"padding":"';
  const tail = '"}],"meta":{"total":1,"page":1,"limit":1,"has_more":false}}';
  return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
}
const body = jsonBodyOf(size);

const app = Fastify({ logger: false });
app.get('/api/v2/orders/by-po/:po_number', async (_request, reply) =>
  reply.type('application/json; charset=utf-8').send(body));
await app.listen({ host: '127.0.0.1', port: 0 });

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
});
process.on('disconnect', () => void stop());
process.send({ ready: true, port: (app.server.address() as AddressInfo).port, pid: process.pid });

// The benchmark's receiver, in its own process: verifies every delivery with the standardwebhooks library, answers
// 204, and reports each delivery as a line "<webhook-id> <ms since epoch>" on stdout.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

const webhook = process.env.WEBHOOK_SECRET ? new Webhook(process.env.WEBHOOK_SECRET) : null;
let pending: string[] = [];
const flush = () => {
  if (pending.length > 0) process.stdout.write(pending.join('\n') + '\n');
  pending = [];
};
setInterval(flush, 50).unref();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      webhook!.verify(body, req.headers as Record<string, string>);
      pending.push(`${req.headers['webhook-id']} ${Date.now()}`);
      res.writeHead(204).end();
    } catch {
      pending.push(`BAD ${Date.now()}`);
      res.writeHead(400).end();
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});

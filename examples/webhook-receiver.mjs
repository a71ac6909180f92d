// A webhook receiver that verifies every delivery with the Standard Webhooks library and prints its event.
// WEBHOOK_SECRET=whsec_… node examples/webhook-receiver.mjs   (RECEIVER_PORT, default 9000: not PORT, which the service reads)
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const webhook = new Webhook(process.env.WEBHOOK_SECRET);
createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk)).on('end', () => {
    try {
      const event = webhook.verify(body, req.headers); // throws unless signed with the secret, within 5 minutes
      console.log(`${event.type} ${event.id} ${event.data.po_number ?? ''} ${event.data.status ?? ''}`.trim());
      res.writeHead(204).end();
    } catch (error) {
      console.error(`refused: ${error.message}`);
      res.writeHead(400).end();
    }
  });
}).listen(Number(process.env.RECEIVER_PORT ?? 9000), '127.0.0.1');

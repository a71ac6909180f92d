// What a receiver's answer does to a webhook delivery (DESIGN 4b: "any 2xx within 10 s is success"), against real
// receivers on SQLite (the in-process deliverer) and PostgreSQL (pg-boss drains): the status decides, whatever the
// body does after it — a 2xx whose body stalls past the attempt's timeout, breaks off, or is far larger than what is
// read succeeds at once and is not sent again; a redirect is a failed attempt and is never followed.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { recordEvent } from '../../src/store/events.ts';
import { TestDatabases } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';
import { call, dropBossSchema, makeShop, testDeliverer, type Shop, type TestDelivery } from './support.ts';

const databases = TestDatabases.create();
/** The attempt's timeout in these tests (the service's is 10 s). */
const TIMEOUT_MS = 500;

/** A receiver answering every request with `answer`; counts the requests it got, by webhook-id. */
async function receiverAnswering(answer: (request: IncomingMessage, response: ServerResponse) => void) {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      requests.push(String(request.headers['webhook-id']));
      answer(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe.each(databases.eachSupportedId())('receiver answers on %s', (databaseId) => {
  let db: Db;
  let url: string;
  let app: FastifyInstance;
  let shop: Shop;
  const postgres = databaseId === 'POSTGRES';

  beforeAll(async () => {
    ({ db, url } = await databases.init(databaseId));
    shop = await makeShop(db, 'answers');
    app = await buildApp({ config: TEST_CONFIG, db, logger: false, webhooks: { allowPrivate: true } });
  });
  afterAll(async () => {
    await app?.close();
    if (postgres && db) await dropBossSchema(db, url);
  });

  /** Delivers one event to a receiver answering with `answer`; returns its delivery once no longer pending, and the receiver. */
  async function deliverTo(answer: (request: IncomingMessage, response: ServerResponse) => void, settleMs = 3 * TIMEOUT_MS) {
    const receiver = await receiverAnswering(answer);
    const endpoint = await call(app, shop.adminKey, 'POST', '/api/v2/webhook_endpoints',
      { url: receiver.url, enabled_events: ['sync_run.failed'] }, 201);
    await db.updateTable('webhook_endpoints').set({ enabled: 0 }).where('id', '!=', endpoint.id).execute();
    const eventId = await db.transaction().execute((trx) =>
      recordEvent(trx, shop.retailerId, 'sync_run.failed', { connection_id: 'conn_x', run_id: 'run_x', error: 'e' }));
    const deliverer: TestDelivery = testDeliverer(db, { timeoutMs: TIMEOUT_MS, retryDelaysSeconds: [0.1, 0.1, 0.1] },
      postgres ? url : undefined).start();
    const list = async () => (await call(app, shop.adminKey, 'GET', `/api/v2/webhook_endpoints/${endpoint.id}/deliveries`, undefined, 200)).data;
    try {
      await expect.poll(async () => (await list())[0]?.attempt ?? 0, { timeout: 15_000 }).toBeGreaterThan(0);
      // Long enough for a retry (0.1 s later) to have been sent, had the first attempt been judged a failure.
      await new Promise((resolve) => setTimeout(resolve, settleMs));
    } finally {
      await deliverer.stop();
      await receiver.close();
    }
    return { delivery: (await list())[0], requests: receiver.requests, eventId };
  }

  it('a 2xx whose body stalls past the timeout is a success, sent once', async () => {
    const { delivery, requests, eventId } = await deliverTo((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('accepted, and then nothing more for a long while');
    });
    expect(delivery).toMatchObject({ event_id: eventId, status: 'succeeded', attempt: 1, response_status: 200, error: null });
    expect(requests).toEqual([eventId]);
  });

  it('a 2xx whose body breaks off (connection reset) is a success, sent once', async () => {
    const { delivery, requests, eventId } = await deliverTo((_request, response) => {
      response.writeHead(202, { 'content-length': '100000' });
      response.write('partial', () => response.socket?.destroy());
    });
    expect(delivery).toMatchObject({ event_id: eventId, status: 'succeeded', attempt: 1, response_status: 202, error: null });
    expect(requests).toEqual([eventId]);
  });

  it('a 2xx with a 20 MB body is a success, sent once, without the body being read to its end', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    let written = 0;
    const { delivery, requests, eventId } = await deliverTo((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const more = () => {
        while (written < 20 && !response.destroyed) {
          written++;
          if (!response.write(chunk)) return void response.once('drain', more);
        }
        response.end();
      };
      more();
    });
    expect(delivery).toMatchObject({ event_id: eventId, status: 'succeeded', attempt: 1, response_status: 200 });
    expect(requests).toEqual([eventId]);
    expect(written).toBeLessThan(20);
  });

  it('a redirect is a failed attempt, retried, and its Location is never requested', async () => {
    const target = await receiverAnswering((_request, response) => response.end('should never be reached'));
    try {
      const { delivery, requests, eventId } = await deliverTo((_request, response) => {
        response.writeHead(307, { location: target.url }).end();
      }, 1_000);
      expect(delivery).toMatchObject({ event_id: eventId, status: 'failed', attempt: 4, response_status: 307 });
      expect(delivery.error).toMatch(/redirects are not followed/);
      expect(requests).toEqual([eventId, eventId, eventId, eventId]);
      expect(target.requests).toEqual([]);
    } finally {
      await target.close();
    }
  });
});

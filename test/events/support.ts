// What the events and webhook tests share: a real HTTP receiver that verifies every delivery with the
// `standardwebhooks` library's verifier, and a retailer with keys, a supplier and a warehouse.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import pg from 'pg';
import { BossDelivery, type BossDeliveryOptions } from '../../src/events/boss-delivery.ts';
import { WebhookDeliverer, type DelivererOptions } from '../../src/events/deliverer.ts';
import { bossSchemaFor } from '../../src/sync/scheduler.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { TEST_CONFIG } from '../support/world.ts';

export interface Received {
  id: string;
  timestamp: string;
  signatures: string[];
  body: string;
  event: { id: string; type: string; created_at: string; data: Record<string, any> };
  /** Which of the receiver's secrets verified it. */
  verifiedWith: string[];
  /** What the receiver answered (or 200 after a scripted wait). */
  answered: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Deliveries whose signature no secret verified (must stay empty). */
  unverified: { headers: IncomingHttpHeaders; body: string }[];
  /** Secrets to verify with (set after creating the endpoint). */
  secrets: string[];
  /** Status to answer each request in turn (then 200); a number > 999 is milliseconds to wait, then 200. */
  script: number[];
  /** Largest number of requests for one webhook-id in flight at once. */
  maxConcurrentPerId: number;
  /** Largest number of requests in flight at once, all ids. */
  maxConcurrent: number;
  /** Milliseconds to wait before every answer. */
  delayMs: number;
  waitFor(count: number, what?: (r: Received) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const inFlight = new Map<string, number>();
  let inFlightAll = 0;
  const receiver: Receiver = {
    url: '', received: [], unverified: [], secrets: [], script: [], maxConcurrentPerId: 0, maxConcurrent: 0, delayMs: 0,
    async waitFor(count, what = () => true, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const matching = receiver.received.filter(what);
        if (matching.length >= count) return matching;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`receiver: expected ${count} deliveries, got ${receiver.received.filter(what).length}: `
        + receiver.received.map((r) => r.event.type).join(', '));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(request.headers['webhook-id']);
      inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
      receiver.maxConcurrentPerId = Math.max(receiver.maxConcurrentPerId, inFlight.get(id)!);
      receiver.maxConcurrent = Math.max(receiver.maxConcurrent, ++inFlightAll);
      const step = receiver.script.shift();
      const wait = (step !== undefined && step > 999 ? step : 0) + receiver.delayMs;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.set(id, inFlight.get(id)! - 1);
      inFlightAll--;
      const verifiedWith = receiver.secrets.filter((secret) => {
        try {
          new Webhook(secret).verify(body, request.headers as Record<string, string>);
          return true;
        } catch {
          return false;
        }
      });
      const answered = step !== undefined && step <= 999 ? step : 200;
      if (verifiedWith.length === 0) receiver.unverified.push({ headers: request.headers, body });
      else {
        receiver.received.push({
          id, timestamp: String(request.headers['webhook-timestamp']), signatures: String(request.headers['webhook-signature']).split(' '),
          body, event: JSON.parse(body), verifiedWith, answered,
        });
      }
      if (response.destroyed) return;
      response.statusCode = answered;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}

export const silentLog = { error: (o: object, m: string) => console.error(m, o), warn: () => undefined };

export type TestDelivery = WebhookDeliverer | BossDelivery;

/**
 * What delivers in the service, with test timings (quick polls, short timeouts, a short retry schedule): on SQLite
 * the in-process deliverer; with `postgresUrl` the pg-boss drains (`serve` and `ordersync worker` on PostgreSQL).
 */
export function testDeliverer(db: Db, options: Partial<DelivererOptions & BossDeliveryOptions> = {}, postgresUrl?: string): TestDelivery {
  const common = {
    db, secret: TEST_CONFIG.secret, publicUrl: TEST_CONFIG.publicUrl, allowPrivateUrls: true, retryDelaysSeconds: [0.1, 0.1, 0.1],
    log: silentLog, pollMs: 20, timeoutMs: 1_000,
  };
  return postgresUrl ? new BossDelivery({ ...common, url: postgresUrl, ...options }) : new WebhookDeliverer({ ...common, ...options });
}

/** Drops the pg-boss schema the drains made beside a test schema (the test database drops only its own). */
export async function dropBossSchema(db: Db, postgresUrl: string): Promise<void> {
  const schema = await bossSchemaFor(db);
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

export interface Shop {
  retailerId: string;
  adminKey: string;
  readKey: string;
  supplierId: string;
  warehouseId: string;
}

export async function makeShop(db: Db, name: string): Promise<Shop> {
  const { retailer } = await ensureRetailer(db, name);
  return {
    retailerId: retailer.id,
    adminKey: (await createApiKey(db, retailer.id, 'admin', ['read', 'write', 'admin'])).secret,
    readKey: (await createApiKey(db, retailer.id, 'reader', ['read'])).secret,
    supplierId: await ensureSupplier(db, retailer.id, { name: 'Acushnet' }),
    warehouseId: await ensureWarehouse(db, retailer.id, { name: 'Main', address: null, locations: ['Dock'] }),
  };
}

/** Calls the API with a key and expects `status`; returns the JSON body. */
export async function call(app: FastifyInstance, key: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string,
  body?: unknown, status?: number): Promise<any> {
  const response = await app.inject({ method, url, payload: body as object, headers: { 'x-api-key': key } });
  if (status !== undefined) expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(status);
  return response.body === '' ? null : response.json();
}

/** The retailer's whole feed, paging with `after`. */
export async function readFeed(app: FastifyInstance, key: string, query = '', limit = 3): Promise<any[]> {
  const events: any[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await call(app, key, 'GET', `/api/v2/events?limit=${limit}${after ? `&after=${after}` : ''}${query}`, undefined, 200);
    events.push(...page.data);
    if (!page.has_more) return events;
    after = page.data.at(-1).id;
  }
}

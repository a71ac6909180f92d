// The webhook deliveries path of the kill harness (harness.ts). A real HTTP receiver in the test process records
// every delivery by its `webhook-id` (the event id), answering after a random 20–300 ms so that kills land while
// deliveries are in flight. One endpoint subscribes to some event types (purchase_order.created,
// shipment.created, supplier_document.processed); every path's writes make events, and this path's clients add
// small POs of their own. The process delivering is killed with the server: `serve` itself on SQLite, the
// `ordersync worker` started beside it on PostgreSQL (harness.ts ServerProcess).
//
// The at-least-once contract, checked once the service has run on after the last start (settle): every event of
// a subscribed type reaches the receiver at least once (none lost, however the kills fell), no event of another
// type and no event that does not exist is ever sent, and two deliveries of one event never overlap at the
// receiver (a delivery is leased to one attempt at a time; a dead process's lease must run out first). Repeats
// after a kill are allowed and counted. The outbox side (check): each subscribed event has exactly one delivery
// row for the endpoint, succeeded, and no other event has one.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../src/db/database.ts';
import { LEASE_MS } from '../../src/store/webhook-deliveries.ts';
import { seededRandom, type CrashPath, type HarnessContext } from './harness.ts';
import { postJson } from './paths.ts';

export const SUBSCRIBED = ['purchase_order.created', 'shipment.created', 'supplier_document.processed'];

/** The receiving end: every request with its webhook-id, type and when it was open. */
export class WebhookReceiver {
  private server: Server | undefined;
  readonly received: { id: string; type: string; start: number; end: number | null }[] = [];
  readonly open = new Map<string, number>();
  readonly overlaps: string[] = [];
  port = 0;

  constructor(private readonly random: () => number) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const id = String(request.headers['webhook-id'] ?? '');
        let type = '?';
        try {
          type = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string }).type;
        } catch { /* recorded as '?' and reported */ }
        const entry = { id, type, start: Date.now(), end: null as number | null };
        this.received.push(entry);
        if ((this.open.get(id) ?? 0) > 0) this.overlaps.push(`event ${id} (${type}) delivered while another delivery of it was open`);
        this.open.set(id, (this.open.get(id) ?? 0) + 1);
        let closed = false;
        const close = () => {
          if (closed) return;
          closed = true;
          entry.end = Date.now();
          this.open.set(id, this.open.get(id)! - 1);
        };
        response.on('close', close); // answered, or the sender died mid-request
        setTimeout(() => {
          if (!response.destroyed) response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        }, 20 + Math.floor(this.random() * 280));
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

async function subscribedEvents(db: Db, retailerId: string): Promise<{ id: string; type: string }[]> {
  return db.selectFrom('events').select(['id', 'type']).where('retailer_id', '=', retailerId).where('type', 'in', SUBSCRIBED).execute();
}

export function webhookDeliveriesPath(db: Db, receiver: WebhookReceiver): CrashPath {
  const endpoint = { id: '' };
  return {
    name: 'webhook deliveries',
    async setup(context: HarnessContext) {
      await receiver.start();
      const created = await postJson(context, '/api/v2/webhook_endpoints',
        { url: `http://127.0.0.1:${receiver.port}/hook`, enabled_events: SUBSCRIBED, description: 'kill harness' }, 'setup-webhook');
      if (created.status !== 201) throw new Error(`setup: ${created.status} ${await created.text()}`);
      endpoint.id = ((await created.json()) as { id: string }).id;
    },
    next(state, context) {
      const n = (state.n ?? 0) as number;
      return {
        key: `hook-${state.client}-${n}`, url: '/api/v2/purchase_orders',
        body: { supplier_id: context.fixtures.supplierId, warehouse_id: context.fixtures.warehouseId, reference_number: `W-${state.client}-${n}`,
          products: [{ sku: 'W-1', supplier_sku: 'S-W-1', quantity: 1, cost: 2 }] },
      };
    },
    acknowledged(state) {
      state.n = ((state.n ?? 0) as number) + 1;
    },
    async settle(_states, context) {
      // Deliveries a killed process had leased come back when the lease runs out (LEASE_MS after the claim).
      const deadline = Date.now() + LEASE_MS + 90_000;
      let missing: { id: string; type: string }[] = [];
      while (Date.now() < deadline) {
        const got = new Set(receiver.received.map((r) => r.id));
        missing = (await subscribedEvents(db, context.retailerId)).filter((e) => !got.has(e.id));
        // Received is not yet recorded: wait for the service to record every attempt too (check() reads the rows).
        const unfinished = await db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpoint.id)
          .where('status', '=', 'pending').limit(1).execute();
        if (missing.length === 0 && unfinished.length === 0 && [...receiver.open.values()].every((n) => n === 0)) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const problems = missing.map((e) => `webhooks: event ${e.id} (${e.type}) never reached the receiver`);
      problems.push(...receiver.overlaps);
      const events = new Map((await db.selectFrom('events').select(['id', 'type']).where('retailer_id', '=', context.retailerId).execute())
        .map((e) => [e.id, e.type]));
      for (const r of receiver.received) {
        if (!events.has(r.id)) problems.push(`webhooks: received ${r.id} (${r.type}), which is no event`);
        else if (!SUBSCRIBED.includes(r.type) || events.get(r.id) !== r.type) problems.push(`webhooks: received ${r.id} as ${r.type}, not subscribed (${events.get(r.id)})`);
      }
      const repeats = receiver.received.length - new Set(receiver.received.map((r) => r.id)).size;
      const subscribed = [...events.values()].filter((type) => SUBSCRIBED.includes(type)).length;
      console.log(`webhooks: ${receiver.received.length} deliveries received for ${subscribed} events of the types subscribed `
        + `(${repeats} repeated after a kill, allowed: at least once)`);
      return problems;
    },
    async check(_states, context) {
      const problems: string[] = [];
      const deliveries = await db.selectFrom('webhook_deliveries').select(['event_id', 'type', 'status'])
        .where('endpoint_id', '=', endpoint.id).execute();
      const byEvent = new Map<string, number>();
      for (const d of deliveries) {
        byEvent.set(d.event_id, (byEvent.get(d.event_id) ?? 0) + 1);
        if (!SUBSCRIBED.includes(d.type)) problems.push(`webhooks: a delivery of ${d.event_id}, a ${d.type} the endpoint does not take`);
        if (d.status !== 'succeeded') problems.push(`webhooks: the delivery of ${d.event_id} is ${d.status}`);
      }
      for (const event of await subscribedEvents(db, context.retailerId)) {
        const n = byEvent.get(event.id) ?? 0;
        if (n !== 1) problems.push(`webhooks: event ${event.id} (${event.type}) has ${n} deliveries to the endpoint`);
      }
      await receiver.close();
      return problems;
    },
  };
}

/** A receiver answering after a seeded random delay. */
export const webhookReceiver = (seed: number) => new WebhookReceiver(seededRandom(seed + 1));

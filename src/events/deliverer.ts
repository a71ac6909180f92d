// The webhook deliverer (DESIGN 4b): claims due deliveries, signs and POSTs them, records each attempt. One per
// process that delivers: `serve` on SQLite (in-process), every `ordersync worker` on PostgreSQL (deliveries are
// claimed with SKIP LOCKED, so workers share them and never send one delivery twice at once).
//
// Per endpoint at most `perEndpoint` attempts are in flight in a process (and as many claimed, waiting), so a slow
// receiver uses its own slots and never those of the others; the process as a whole keeps at most `maxInFlight`.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/database.ts';
import { DEFAULT_RETRY_DELAYS_SECONDS, judgeAttempt } from '../domain/webhooks.ts';
import { withDocumentLinks } from '../http/document-links.ts';
import { pruneEvents } from '../store/events.ts';
import { webhookDeliveries } from '../observability/metrics.ts';
import { claimDueDeliveries, recordAttempts, releaseDeliveries, type AttemptOutcome, type ClaimedDelivery } from '../store/webhook-deliveries.ts';
import { signingSecrets } from '../store/webhook-endpoints.ts';
import { WebhookSender } from './sender.ts';
import { signedHeaders } from './signing.ts';
import type { Resolve } from './url-guard.ts';

export interface DelivererOptions {
  db: Db;
  /** ORDERSYNC_SECRET: opens endpoint secrets and signs invoice links. */
  secret: string;
  publicUrl: string;
  /** WEBHOOKS_ALLOW_PRIVATE_URLS */
  allowPrivateUrls: boolean;
  /** WEBHOOK_RETRY_DELAYS, seconds */
  retryDelaysSeconds?: readonly number[];
  log: { error(object: object, message: string): void; warn?(object: object, message: string): void };
  /** How often to look for due deliveries when there were none. Default 200 ms. */
  pollMs?: number;
  perEndpoint?: number;
  maxInFlight?: number;
  timeoutMs?: number;
  /** Test seam: a resolver pointing names at chosen addresses. */
  resolve?: Resolve;
  now?: () => Date;
}

const RETENTION_EVERY_MS = 60 * 60 * 1000;
/** While claims return work, claim again after this: each claim then takes a batch, not one freed slot. */
const CLAIM_EVERY_MS = 25;
/**
 * Claimed per endpoint, in flight and waiting: this many times `perEndpoint`. Waiting ones must start within their
 * lease (60 s): with 10 s attempts, two rounds of waiting is 20 s at worst.
 */
const QUEUE_FACTOR = 3;
/** How long a finished attempt waits for others to be recorded with it (one transaction for several). */
const RECORD_GATHER_MS = 5;

export class WebhookDeliverer {
  private readonly controller = new AbortController();
  private readonly sender: WebhookSender;
  private readonly inFlight = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  /** Claimed deliveries waiting for a slot of their endpoint, oldest first. */
  private readonly queued = new Map<string, ClaimedDelivery[]>();
  private queuedTotal = 0;
  private readonly toRecord: { outcome: AttemptOutcome; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private total = 0;
  private loop: Promise<void> | undefined;
  private lastPrune = 0;
  private wake: (() => void) | undefined;
  private wakeWhenDrained: (() => void) | undefined;
  /** An attempt ended since the last claim: claim again at once rather than wait for the poll. */
  private freed = false;

  constructor(private readonly options: DelivererOptions) {
    this.sender = new WebhookSender({ allowPrivate: options.allowPrivateUrls, resolve: options.resolve }, options.timeoutMs);
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async run(): Promise<void> {
    const { signal } = this.controller;
    while (!signal.aborted) {
      let claimed = 0;
      try {
        claimed = await this.tick();
        await this.pruneNowAndThen();
      } catch (err) {
        this.options.log.error({ err }, 'webhooks: could not claim due deliveries');
      }
      if (claimed > 0 && this.queuedTotal > 0) {
        // Claims come in batches: the attempts go on from the local queue meanwhile, until it runs dry.
        await new Promise<void>((resolve) => {
          this.wakeWhenDrained = resolve;
          sleep(CLAIM_EVERY_MS, undefined, { signal, ref: false }).catch(() => undefined).finally(resolve);
        });
        this.wakeWhenDrained = undefined;
      } else if (claimed === 0 && !this.freed) {
        // Nothing due, or no room: until an attempt ends or the poll interval passes.
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          sleep(this.options.pollMs ?? 200, undefined, { signal, ref: false }).catch(() => undefined).finally(resolve);
        });
        this.wake = undefined;
      }
      this.freed = false;
    }
  }

  private async pruneNowAndThen(): Promise<void> {
    const now = this.now().getTime();
    if (now - this.lastPrune < RETENTION_EVERY_MS) return;
    this.lastPrune = now;
    await pruneEvents(this.options.db, this.now());
  }

  private get perEndpoint(): number {
    return this.options.perEndpoint ?? 10;
  }

  private get maxInFlight(): number {
    return this.options.maxInFlight ?? 200;
  }

  /**
   * Claims due deliveries for the room this process has (for each endpoint: what it may have in flight, and as
   * many again waiting in the local queue), queues them and starts what may start. Returns how many it claimed.
   */
  async tick(): Promise<number> {
    const room = QUEUE_FACTOR * this.maxInFlight - this.total - this.queuedTotal;
    if (room <= 0) return 0;
    const claimed = await claimDueDeliveries(this.options.db, room, (endpointId) =>
      QUEUE_FACTOR * this.perEndpoint - (this.inFlight.get(endpointId) ?? 0) - (this.queued.get(endpointId)?.length ?? 0), this.now());
    for (const delivery of claimed) {
      const queue = this.queued.get(delivery.endpoint_id) ?? [];
      queue.push(delivery);
      this.queued.set(delivery.endpoint_id, queue);
      this.queuedTotal++;
    }
    this.pump();
    return claimed.length;
  }

  /** Starts queued attempts while their endpoint and the process have room. */
  private pump(): void {
    for (const [endpointId, queue] of this.queued) {
      while (queue.length > 0 && (this.inFlight.get(endpointId) ?? 0) < this.perEndpoint && this.total < this.maxInFlight) {
        this.begin(queue.shift()!);
        this.queuedTotal--;
      }
      if (queue.length === 0) this.queued.delete(endpointId);
    }
    if (this.queuedTotal === 0) this.wakeWhenDrained?.();
  }

  private begin(delivery: ClaimedDelivery): void {
    this.inFlight.set(delivery.endpoint_id, (this.inFlight.get(delivery.endpoint_id) ?? 0) + 1);
    this.total++;
    const attempt = this.attempt(delivery).catch((err) => this.options.log.error({ err, delivery_id: delivery.id }, 'webhooks: attempt failed'))
      .finally(() => {
        this.inFlight.set(delivery.endpoint_id, this.inFlight.get(delivery.endpoint_id)! - 1);
        if (this.inFlight.get(delivery.endpoint_id) === 0) this.inFlight.delete(delivery.endpoint_id);
        this.total--;
        this.running.delete(attempt);
        if (!this.controller.signal.aborted) this.pump();
        this.freed = true;
        this.wake?.();
      });
    this.running.add(attempt);
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const { secret, publicUrl } = this.options;
    const at = this.now();
    const body = withDocumentLinks(delivery.payload, publicUrl, secret);
    const headers = signedHeaders(signingSecrets(secret, { ...delivery, id: delivery.endpoint_id }, at), delivery.event_id, at, body);
    const outcome = await this.sender.send(delivery.url, { ...headers }, body);
    const verdict = judgeAttempt(outcome.status, this.options.retryDelaysSeconds ?? DEFAULT_RETRY_DELAYS_SECONDS, delivery.attempts + 1);
    await this.record({ delivery, attempt: { ...outcome, verdict }, at: this.now() });
  }

  /**
   * Records an attempt together with the others that end meanwhile: one transaction per batch rather than per
   * attempt (the bookkeeping, not the HTTP, is what limits deliveries a second on one database).
   */
  private record(outcome: AttemptOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.toRecord.push({ outcome, resolve, reject });
      this.flushing ??= (async () => {
        // A moment for the attempts ending together to share the transaction.
        await sleep(RECORD_GATHER_MS);
        while (this.toRecord.length > 0) {
          const batch = this.toRecord.splice(0);
          try {
            await recordAttempts(this.options.db, batch.map((b) => b.outcome));
            for (const b of batch) {
              webhookDeliveries.inc({ result: b.outcome.attempt.verdict.kind });
              b.resolve();
            }
          } catch (error) {
            for (const b of batch) b.reject(error);
          }
        }
        this.flushing = undefined;
      })();
    });
  }

  /**
   * Stops claiming, hands back the deliveries claimed but not started (due again at once for any process), and
   * waits for the attempts in flight to be recorded (each ends within the 10 s timeout).
   */
  async stop(): Promise<void> {
    this.controller.abort();
    this.wake?.();
    await this.loop;
    const waiting = [...this.queued.values()].flat();
    this.queued.clear();
    this.queuedTotal = 0;
    await releaseDeliveries(this.options.db, waiting);
    await Promise.allSettled([...this.running]);
    this.sender.close();
  }
}

// The webhook deliverer (DESIGN 4b): claims due deliveries, signs and POSTs them, records each attempt. One per
// process that delivers: `serve` on SQLite (in-process), every `ordersync worker` on PostgreSQL (deliveries are
// claimed with SKIP LOCKED, so workers share them and never send one delivery twice at once).
//
// Per endpoint at most `perEndpoint` attempts are in flight in a process, so a slow receiver uses its own slots
// and never those of the others; the process as a whole keeps at most `maxInFlight`.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/database.ts';
import { DEFAULT_RETRY_DELAYS_SECONDS, judgeAttempt } from '../domain/webhooks.ts';
import { withDocumentLinks } from '../http/document-links.ts';
import { pruneEvents } from '../store/events.ts';
import { claimDueDeliveries, recordAttempt, type ClaimedDelivery } from '../store/webhook-deliveries.ts';
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

export class WebhookDeliverer {
  private readonly controller = new AbortController();
  private readonly sender: WebhookSender;
  private readonly inFlight = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private total = 0;
  private loop: Promise<void> | undefined;
  private lastPrune = 0;
  private wake: (() => void) | undefined;

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
      if (claimed === 0 || this.total >= (this.options.maxInFlight ?? 200)) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          sleep(this.options.pollMs ?? 200, undefined, { signal, ref: false }).catch(() => undefined).finally(resolve);
        });
        this.wake = undefined;
      }
    }
  }

  private async pruneNowAndThen(): Promise<void> {
    const now = this.now().getTime();
    if (now - this.lastPrune < RETENTION_EVERY_MS) return;
    this.lastPrune = now;
    await pruneEvents(this.options.db, this.now());
  }

  /** Claims what this process has room for and starts those attempts; returns how many it started. */
  async tick(): Promise<number> {
    const room = (this.options.maxInFlight ?? 200) - this.total;
    if (room <= 0) return 0;
    const perEndpoint = this.options.perEndpoint ?? 10;
    const claimed = await claimDueDeliveries(this.options.db, room,
      (endpointId) => perEndpoint - (this.inFlight.get(endpointId) ?? 0), this.now());
    for (const delivery of claimed) {
      this.inFlight.set(delivery.endpoint_id, (this.inFlight.get(delivery.endpoint_id) ?? 0) + 1);
      this.total++;
      const attempt = this.attempt(delivery).catch((err) => this.options.log.error({ err, delivery_id: delivery.id }, 'webhooks: attempt failed'))
        .finally(() => {
          this.inFlight.set(delivery.endpoint_id, this.inFlight.get(delivery.endpoint_id)! - 1);
          if (this.inFlight.get(delivery.endpoint_id) === 0) this.inFlight.delete(delivery.endpoint_id);
          this.total--;
          this.running.delete(attempt);
          this.wake?.();
        });
      this.running.add(attempt);
    }
    return claimed.length;
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const { secret, publicUrl } = this.options;
    const at = this.now();
    const body = withDocumentLinks(delivery.payload, publicUrl, secret);
    const headers = signedHeaders(signingSecrets(secret, { ...delivery, id: delivery.endpoint_id }, at), delivery.event_id, at, body);
    const outcome = await this.sender.send(delivery.url, { ...headers }, body);
    const verdict = judgeAttempt(outcome.status, this.options.retryDelaysSeconds ?? DEFAULT_RETRY_DELAYS_SECONDS, delivery.attempts + 1);
    await recordAttempt(this.options.db, delivery, { ...outcome, verdict }, this.now());
  }

  /** Stops claiming, waits for the attempts in flight to be recorded (each ends within the 10 s timeout). */
  async stop(): Promise<void> {
    this.controller.abort();
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.running]);
    this.sender.close();
  }
}

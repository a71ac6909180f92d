// One webhook attempt (DESIGN 4b), shared by the in-process deliverer (SQLite, events/deliverer.ts) and the
// pg-boss drains (PostgreSQL, events/boss-delivery.ts): sign the event with the endpoint's secrets, POST it,
// judge the answer, and record the attempt together with the others that end meanwhile.
//
// `send` resolves when the HTTP exchange has ended, before the attempt is recorded: the receiver's slot is free
// then, and the delivery stays claimed (its lease) until the record lands, so nobody sends it again meanwhile.
// Recording in batches is what lets PostgreSQL keep up: a batch costs the same few round trips as one attempt.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/database.ts';
import { DEFAULT_RETRY_DELAYS_SECONDS, judgeAttempt } from '../domain/webhooks.ts';
import { withDocumentLinks } from '../http/document-links.ts';
import { webhookDeliveries } from '../observability/metrics.ts';
import { pruneEvents } from '../store/events.ts';
import { recordAttempts, type AttemptOutcome, type ClaimedDelivery } from '../store/webhook-deliveries.ts';
import { signingSecrets } from '../store/webhook-endpoints.ts';
import { WebhookSender } from './sender.ts';
import { signedHeaders } from './signing.ts';
import type { Resolve } from './url-guard.ts';

export interface AttemptOptions {
  db: Db;
  /** ORDERSYNC_SECRET: opens endpoint secrets and signs invoice links. */
  secret: string;
  publicUrl: string;
  /** WEBHOOKS_ALLOW_PRIVATE_URLS */
  allowPrivateUrls: boolean;
  /** WEBHOOK_RETRY_DELAYS, seconds */
  retryDelaysSeconds?: readonly number[];
  log: { error(object: object, message: string): void; warn?(object: object, message: string): void };
  /** Per attempt, milliseconds (default 10 s, DESIGN 4b). */
  timeoutMs?: number;
  /** Test seam: a resolver pointing names at chosen addresses. */
  resolve?: Resolve;
  now?: () => Date;
}

/** How long a finished attempt waits for others to be recorded with it (one transaction for several). */
const RECORD_GATHER_MS = 20;
const RETENTION_EVERY_MS = 60 * 60 * 1000;

export class AttemptRunner {
  private readonly sender: WebhookSender;
  private readonly toRecord: AttemptOutcome[] = [];
  private flushing: Promise<void> | undefined;
  private lastPrune = 0;

  constructor(private readonly options: AttemptOptions) {
    this.sender = new WebhookSender({ allowPrivate: options.allowPrivateUrls, resolve: options.resolve }, options.timeoutMs);
  }

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Signs and POSTs a claimed delivery; resolves when the exchange has ended (the record follows, see settled()). Never rejects. */
  async send(delivery: ClaimedDelivery): Promise<void> {
    const { secret, publicUrl } = this.options;
    try {
      const at = this.now();
      const body = withDocumentLinks(delivery.payload, publicUrl, secret);
      const headers = signedHeaders(signingSecrets(secret, { ...delivery, id: delivery.endpoint_id }, at), delivery.event_id, at, body);
      const outcome = await this.sender.send(delivery.url, { ...headers }, body);
      const verdict = judgeAttempt(outcome.status, this.options.retryDelaysSeconds ?? DEFAULT_RETRY_DELAYS_SECONDS, delivery.attempts + 1);
      this.toRecord.push({ delivery, attempt: { ...outcome, verdict }, at: this.now() });
      this.flushing ??= this.flush();
    } catch (err) {
      // Not recorded: the delivery stays claimed until its lease runs out, then is sent again (at least once).
      this.options.log.error({ err, delivery_id: delivery.id }, 'webhooks: attempt failed');
    }
  }

  /** Records what has ended, in batches, until nothing is left. */
  private async flush(): Promise<void> {
    // A moment for the attempts ending together to share the transaction.
    await sleep(RECORD_GATHER_MS);
    while (this.toRecord.length > 0) {
      const batch = this.toRecord.splice(0);
      try {
        await recordAttempts(this.options.db, batch);
        for (const outcome of batch) webhookDeliveries.inc({ result: outcome.attempt.verdict.kind });
      } catch (err) {
        this.options.log.error({ err, deliveries: batch.length }, 'webhooks: could not record attempts (sent again when their claims lapse)');
      }
    }
    this.flushing = undefined;
  }

  /** Resolves once every attempt that has ended is recorded. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** The retention job (DESIGN 4b: events kept 30 days): prunes at most once an hour per process. */
  async pruneNowAndThen(): Promise<void> {
    const now = this.now().getTime();
    if (now - this.lastPrune < RETENTION_EVERY_MS) return;
    this.lastPrune = now;
    await pruneEvents(this.options.db, this.now());
  }

  close(): void {
    this.sender.close();
  }
}

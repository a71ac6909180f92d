// Where webhook delivery runs (DESIGN 4b, 4d): on SQLite inside `serve` (one process writes the database); on
// PostgreSQL in every `ordersync worker`, which share the due deliveries through row locks (SKIP LOCKED).
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { gaugeFromReader } from '../observability/metrics.ts';
import { pendingDeliveryCount } from '../store/webhook-deliveries.ts';
import { WebhookDeliverer, type DelivererOptions } from './deliverer.ts';

export interface DeliveryProcess {
  stop(): Promise<void>;
}

/** Starts delivering in this process; `stop()` waits for the attempts in flight to be recorded. */
export function startWebhookDelivery(
  config: Pick<Config, 'secret' | 'publicUrl' | 'webhooks'>, db: Db, log: DelivererOptions['log'],
  tuning: Partial<Pick<DelivererOptions, 'pollMs' | 'perEndpoint' | 'maxInFlight'>> = {},
): DeliveryProcess {
  const deliverer = new WebhookDeliverer({
    db, secret: config.secret, publicUrl: config.publicUrl, allowPrivateUrls: config.webhooks.allowPrivateUrls,
    retryDelaysSeconds: config.webhooks.retryDelaysSeconds, log, ...tuning,
  }).start();
  gaugeFromReader('ordersync_webhook_deliveries_pending', 'Webhook deliveries waiting for their next attempt.',
    () => pendingDeliveryCount(db));
  return { stop: () => deliverer.stop() };
}

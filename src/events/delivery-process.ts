// Where webhook delivery runs (DESIGN 4b, 4d): on SQLite inside `serve` (one process writes the database), by the
// in-process deliverer; on PostgreSQL in `serve` and in every `ordersync worker`, through pg-boss drains that the
// processes share (events/boss-delivery.ts).
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { gaugeFromReader } from '../observability/metrics.ts';
import { pendingDeliveryCount } from '../store/webhook-deliveries.ts';
import type { AttemptOptions } from './attempts.ts';
import { BossDelivery, type BossDeliveryOptions } from './boss-delivery.ts';
import { WebhookDeliverer, type DelivererOptions } from './deliverer.ts';

export interface DeliveryProcess {
  stop(): Promise<void>;
}

/**
 * Starts delivering in this process (at once; pg-boss starts in the background and logs if it cannot); `stop()`
 * waits for the attempts in flight to be recorded.
 */
export function startWebhookDelivery(
  config: Pick<Config, 'secret' | 'publicUrl' | 'webhooks' | 'database'>, db: Db, log: AttemptOptions['log'],
  tuning: Partial<Pick<DelivererOptions & BossDeliveryOptions, 'pollMs' | 'perEndpoint' | 'maxInFlight' | 'drains'>> = {},
): DeliveryProcess {
  const options: AttemptOptions = {
    db, secret: config.secret, publicUrl: config.publicUrl, allowPrivateUrls: config.webhooks.allowPrivateUrls,
    retryDelaysSeconds: config.webhooks.retryDelaysSeconds, log,
  };
  const delivery = config.database.kind === 'sqlite'
    ? new WebhookDeliverer({ ...options, ...tuning }).start()
    : new BossDelivery({ ...options, url: config.database.url, ...tuning }).start();
  gaugeFromReader('ordersync_webhook_deliveries_pending', 'Webhook deliveries waiting for their next attempt.',
    () => pendingDeliveryCount(db));
  return { stop: () => delivery.stop() };
}

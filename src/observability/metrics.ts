// The service's Prometheus metrics (DESIGN 4d), in prom-client's default registry so that with
// `serve --workers N` the primary can aggregate every worker's numbers (prom-client's AggregatorRegistry).
// Label values are always from small fixed sets (route patterns, kinds, results), never raw URLs, PO numbers
// or ids, so a scrape's size does not grow with the data.
import client from 'prom-client';

export const registry = client.register;

let defaultsCollected = false;
/** Process metrics (CPU, memory, event-loop lag, GC), once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  client.collectDefaultMetrics({ prefix: 'ordersync_' });
}

/** Returns the metric registered under `name`, creating it on first use (modules may be loaded twice in tests). */
function once<T extends client.Metric>(name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** HTTP request durations in seconds, by method, route pattern (`/api/v2/orders/by-po/:po_number`) and status. */
export const httpRequestDuration = once('ordersync_http_request_duration_seconds', () => new client.Histogram({
  name: 'ordersync_http_request_duration_seconds',
  help: 'HTTP request duration in seconds, by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
}));

/** Sync runs by connection kind (shipstation, stocky) and result (succeeded, failed). */
export const syncRuns = once('ordersync_sync_runs_total', () => new client.Counter({
  name: 'ordersync_sync_runs_total',
  help: 'Sync runs finished, by connection kind and result.',
  labelNames: ['kind', 'result'] as const,
}));

/** Upstream records a sync handled, by connection kind and result (created, updated, unchanged, failed). */
export const syncRecords = once('ordersync_sync_records_total', () => new client.Counter({
  name: 'ordersync_sync_records_total',
  help: 'Upstream records handled by sync runs, by connection kind and result.',
  labelNames: ['kind', 'result'] as const,
}));

/** Requests sent to upstream APIs, by connection kind and status class (2xx, 4xx, 429, 5xx, error). */
export const upstreamRequests = once('ordersync_upstream_requests_total', () => new client.Counter({
  name: 'ordersync_upstream_requests_total',
  help: 'Requests sent to upstream APIs, by connection kind and outcome (2xx, 3xx, 4xx, 429, 5xx, error).',
  labelNames: ['kind', 'outcome'] as const,
}));

/** Supplier documents ingested, by format (x12, csv) and result (processed, failed). */
export const supplierDocuments = once('ordersync_supplier_documents_total', () => new client.Counter({
  name: 'ordersync_supplier_documents_total',
  help: 'Supplier documents received, by format and result.',
  labelNames: ['format', 'result'] as const,
}));

/** Webhook delivery attempts, by verdict (succeeded, retry, failed, gone: DESIGN 4b). */
export const webhookDeliveries = once('ordersync_webhook_deliveries_total', () => new client.Counter({
  name: 'ordersync_webhook_deliveries_total',
  help: 'Webhook delivery attempts, by verdict (succeeded, retry, failed, gone).',
  labelNames: ['result'] as const,
}));

/** The upstream outcome label of an HTTP status (null: no response). */
export function outcomeOf(status: number | null): string {
  if (status === null) return 'error';
  if (status === 429) return '429';
  return `${Math.floor(status / 100)}xx`;
}

/**
 * Adds a gauge whose value is read when scraped (`read` may be async: a pool's counts, a queue's depth).
 * Re-registering a name replaces the reader, so the newest database or queue is the one reported.
 */
export function gaugeFromReader(name: string, help: string, read: () => number | Promise<number>): void {
  registry.removeSingleMetric(name);
  new client.Gauge({
    name, help,
    async collect() {
      // A source that fails (a pool or queue being closed) reports NaN rather than failing the whole scrape.
      try {
        this.set(await read());
      } catch {
        this.set(Number.NaN);
      }
    },
  });
}

/** The scrape in Prometheus text format and its content type. */
export async function scrape(): Promise<{ body: string; contentType: string }> {
  return { body: await registry.metrics(), contentType: registry.contentType };
}

/** The PostgreSQL pool's connections: total, idle, and requests waiting for one. */
export function observePool(pool: { totalCount: number; idleCount: number; waitingCount: number }): void {
  gaugeFromReader('ordersync_db_pool_connections', 'PostgreSQL pool connections open.', () => pool.totalCount);
  gaugeFromReader('ordersync_db_pool_idle_connections', 'PostgreSQL pool connections idle.', () => pool.idleCount);
  gaugeFromReader('ordersync_db_pool_waiting_requests', 'Queries waiting for a PostgreSQL pool connection.', () => pool.waitingCount);
}

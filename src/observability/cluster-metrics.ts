// /metrics with `serve --workers N` (DESIGN 4d): a scrape reaches one worker, but must count every process. The
// worker asks the primary over the cluster's IPC channel; the primary collects each worker's metrics as JSON,
// adds its own (the background work runs there: syncs, webhook deliveries, the inbox), and sums them with
// prom-client's AggregatorRegistry, which knows how to combine each metric (counters and histograms add up).
import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry } from 'prom-client';
import { registry } from './metrics.ts';

/** One process's metrics as prom-client serialises them for aggregation. */
type ProcessMetrics = Awaited<ReturnType<typeof registry.getMetricsAsJSON>>;

const REQUEST = 'ordersync:metrics-request';
const COLLECT = 'ordersync:metrics-collect';
const COLLECTED = 'ordersync:metrics-collected';
const RESPONSE = 'ordersync:metrics-response';
/** How long the primary waits for a worker's numbers before scraping without them. */
const WORKER_TIMEOUT_MS = 2_000;

interface Message {
  type: string;
  id: string;
  body?: string;
  metrics?: ProcessMetrics;
  error?: string;
}

const isMessage = (value: unknown): value is Message =>
  typeof value === 'object' && value !== null && typeof (value as Message).type === 'string' && typeof (value as Message).id === 'string';

/** The primary: answers workers' scrape requests with every process's metrics summed. */
export function servePrimaryMetrics(): void {
  const pending = new Map<string, (metrics: ProcessMetrics | null) => void>();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === COLLECTED) pending.get(message.id)?.(message.metrics ?? null);
    if (message.type !== REQUEST) return;
    void (async () => {
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
      const fromWorkers = await Promise.all(workers.map((w) => new Promise<ProcessMetrics | null>((done) => {
        const id = randomUUID();
        const timer = setTimeout(() => { pending.delete(id); done(null); }, WORKER_TIMEOUT_MS);
        pending.set(id, (metrics) => { clearTimeout(timer); pending.delete(id); done(metrics); });
        w.send({ type: COLLECT, id });
      })));
      const all = [await registry.getMetricsAsJSON(), ...fromWorkers.filter((m): m is ProcessMetrics => m !== null)];
      const body = await AggregatorRegistry.aggregate(all).metrics();
      worker.send({ type: RESPONSE, id: message.id, body });
    })().catch((error: unknown) => worker.send({ type: RESPONSE, id: message.id, error: String(error) }));
  });
}

/**
 * A cluster worker: answers the primary's requests for this process's metrics, and returns the scrape function
 * GET /metrics uses (http/metrics.ts), which asks the primary for the whole service's numbers.
 */
export function workerMetricsScrape(): () => Promise<{ body: string; contentType: string }> {
  const waiting = new Map<string, (message: Message) => void>();
  process.on('message', (message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === COLLECT) {
      void registry.getMetricsAsJSON().then((metrics) => process.send?.({ type: COLLECTED, id: message.id, metrics }));
    } else if (message.type === RESPONSE) {
      waiting.get(message.id)?.(message);
    }
  });
  return () => new Promise((resolve, reject) => {
    const id = randomUUID();
    const timer = setTimeout(() => { waiting.delete(id); reject(new Error('the primary did not answer the metrics request')); }, 3 * WORKER_TIMEOUT_MS);
    waiting.set(id, (message) => {
      clearTimeout(timer);
      waiting.delete(id);
      if (message.error !== undefined || message.body === undefined) reject(new Error(message.error ?? 'no metrics'));
      else resolve({ body: message.body, contentType: registry.contentType });
    });
    process.send?.({ type: REQUEST, id });
  });
}

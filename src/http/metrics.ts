// GET /metrics (DESIGN 4d) and the request-duration histogram behind it. The route label is Fastify's route
// pattern (`/api/v2/orders/by-po/:po_number`), or `unmatched` for a URL no route serves, never the raw URL.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { collectProcessMetrics, httpRequestDuration, scrape } from '../observability/metrics.ts';
import { ApiError } from './errors.ts';

export interface MetricsOptions {
  /** Bearer token the scrape must send; null: open. */
  token: string | null;
  /** Where the numbers come from; default this process's registry (a cluster worker asks its primary). */
  scrape?: () => Promise<{ body: string; contentType: string }>;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares bearer tokens in constant time (hashing first makes the lengths equal). */
function tokenMatches(header: string | undefined, token: string): boolean {
  const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  return timingSafeEqual(digest(given), digest(token));
}

/** Times every request of `app` and serves the scrape. Exempt from API keys and rate limits. */
export function registerMetrics(app: FastifyInstance, options: MetricsOptions): void {
  collectProcessMetrics();
  app.addHook('onResponse', (request, reply, done) => {
    httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (options.token !== null && !tokenMatches(request.headers.authorization, options.token)) {
      throw new ApiError(401, 'unauthorized', 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".',
        undefined, { 'WWW-Authenticate': 'Bearer realm="metrics"' });
    }
    const { body, contentType } = await (options.scrape ?? scrape)();
    return reply.type(contentType).send(body);
  });
}

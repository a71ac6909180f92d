// One log line per request (DESIGN 4d): request id (the request logger's own reqId binding), method, route pattern, URL path, status, duration and
// the API key's display prefix (never the secret), written when the response is sent. Fastify's own two
// lines per request are turned off in app.ts.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

/** Whether `info` lines are written (pino's isLevelEnabled; true for a logger without it). */
const logsInfo = (log: FastifyBaseLogger): boolean => (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.('info') ?? true;

export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    // At LOG_LEVEL warn or above a successful request writes nothing: skip building its line (hot read paths).
    if (status < 500 && !logsInfo(request.log)) return done();
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      // The path only: query strings may carry search terms, and are not needed to find a request again.
      url: request.url.split('?')[0],
      status,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      key_prefix: request.auth?.prefix ?? null,
    };
    if (status >= 500) request.log.error(line, 'request failed');
    else request.log.info(line, 'request');
    done();
  });
}

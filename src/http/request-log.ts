// One log line per request (DESIGN 4d): request id (the request logger's own reqId binding), method, route pattern, URL path, status, duration and
// the API key's display prefix (never the secret), written when the response is sent. Fastify's own two
// lines per request are turned off in app.ts.
import type { FastifyInstance } from 'fastify';

export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
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

// Builds the Fastify app: cross-cutting plugins, then the route modules.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { connectionsApi } from './api/connections.ts';
import { consoleClientError, consoleFrameworkError, consolePlugin, isConsoleUrl } from './console/plugin.ts';
import { documentsApi } from './api/documents.ts';
import { healthApi } from './api/health.ts';
import { ordersApi } from './api/orders.ts';
import { purchaseOrdersApi } from './api/purchase-orders.ts';
import { supplierDocumentsApi } from './api/supplier-documents.ts';
import { supplierUpdatesApi } from './api/supplier-updates.ts';
import { suppliersApi } from './api/suppliers.ts';
import { warehousesApi } from './api/warehouses.ts';
import { eventsApi } from './api/events.ts';
import { webhookEndpointsApi } from './api/webhook-endpoints.ts';
import { applyHeldSupplierUpdates } from './store/supplier-updates.ts';
import { createAuthenticator } from './http/auth.ts';
import { refusedRequest, writeRaw } from './http/client-errors.ts';
import { ApiError, errorEnvelope, handleFrameworkError, MAX_PARAM_LENGTH, registerErrorHandling } from './http/errors.ts';
import { registerOpenApi } from './http/openapi.ts';
import { registerValidation } from './http/validation.ts';
import { registerJsonBody } from './http/json-body.ts';
import { registerContentEncoding } from './http/content-encoding.ts';
import { registerQueryEncodingCheck } from './http/query-encoding.ts';
import { registerMetrics, type MetricsOptions } from './http/metrics.ts';
import { registerRateLimits, type RateLimitOptions } from './http/rate-limit.ts';
import { registerRequestLog } from './http/request-log.ts';
import { BackgroundSyncs } from './sync/runner.ts';
import type { GuardOptions } from './events/url-guard.ts';

export interface AppDeps {
  config: Pick<Config, 'publicUrl' | 'logLevel' | 'secret'>
    & Partial<Pick<Config, 'documentMaxBytes' | 'idempotencyLockTimeoutSeconds' | 'heldUpdateDays' | 'heldUpdateLimit' | 'trustProxy'>>;
  db: Db;
  /** pino options or false (tests). */
  logger?: boolean | object;
  /** Webhook URL checks (WEBHOOKS_ALLOW_PRIVATE_URLS; tests add a resolver); default: private URLs refused. */
  webhooks?: GuardOptions;
  /** Runs started by POST /api/v2/connections/:id/sync; default: the app's own, stopped when it closes. */
  syncs?: Pick<BackgroundSyncs, 'start'>;
  /** Per-key rate limits (DESIGN 4d); absent: none (tests that are not about them). */
  rateLimit?: RateLimitOptions;
  /** GET /metrics and the request histograms; absent: metrics off. */
  metrics?: MetricsOptions;
}

/**
 * The service's pino options. Request logs carry method, URL and ids, never headers with keys nor bodies
 * (connection credentials arrive in bodies): those paths are redacted should anything log them.
 */
export function loggerOptions(config: Pick<Config, 'logLevel'>, terminal = process.stdout.isTTY === true) {
  return {
    level: config.logLevel,
    // A person at a terminal reads lines; anything else (a log shipper, a file) gets pino's JSON.
    ...(terminal ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
    redact: {
      paths: ['req.headers["x-api-key"]', 'req.headers.authorization', 'req.body', 'body', 'credentials', '*.credentials'],
      censor: '[redacted]',
    },
  };
}

/** The body limit of every route that sets none of its own (README "Request body limits": the exceptions listed there). */
const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * Request ids: a random prefix per process and a counter. Unique across processes without drawing random
 * bytes on every request (randomBytes cost ~15 µs a request on the by-po hot path); they identify, not authorise.
 */
const REQUEST_ID_PREFIX = `req_${randomBytes(6).toString('base64url')}`;
let requestCounter = 0;
const nextRequestId = () => `${REQUEST_ID_PREFIX}${(++requestCounter).toString(36).padStart(6, '0')}`;
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function buildApp({ config, db, logger, syncs, rateLimit, metrics, webhooks }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? loggerOptions(config),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : nextRequestId();
    },
    // While closing, requests are answered 503 by the hook below (the API's envelope, the console's page), not by
    // Fastify's fixed JSON body.
    return503OnClosing: false,
    // request.ip is the client's, not a reverse proxy's, only for proxies TRUST_PROXY names (config.ts).
    trustProxy: config.trustProxy ?? false,
    // Path parameters up to 1000 characters reach the route's schema, which names the field in its 400;
    // whatever Fastify rejects before routing still gets the error envelope.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // A console URL gets the console's error page; everything else the API's JSON envelope.
    frameworkErrors: (error, request, reply) =>
      (isConsoleUrl(request.url) ? consoleFrameworkError(error, request, reply) : handleFrameworkError(error, request, reply)),
    // Requests Node's parser refuses (431, 414, 400, 408: http/client-errors.ts), the same way.
    clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket) {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      this.log.debug({ err: error }, 'request refused by the HTTP parser');
      const refused = refusedRequest(error, socket);
      const id = nextRequestId();
      if (refused.path !== undefined ? isConsoleUrl(refused.path) : refused.consoleConnection) {
        void consoleClientError(refused.error, id, socket).catch(() => socket.destroy());
        return;
      }
      writeRaw(socket, refused.error.statusCode, { 'Content-Type': 'application/json; charset=utf-8', 'X-Request-Id': id },
        JSON.stringify(errorEnvelope(refused.error, id)));
    },
    // One line per request instead of Fastify's two (http/request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
  });

  // Callback-style, not async: an async hook costs a promise and a microtask turn on every request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  // Shutting down (server.ts: app.close() drains the requests in flight): a request that still arrives on an open
  // connection is refused with a 503 through the route's own error handler, so the API answers its error envelope
  // and a console page the console's HTML page (Fastify's return503OnClosing sent one fixed JSON body to both).
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    reply.header('Connection', 'close');
    done(new ApiError(503, 'unavailable', 'The service is restarting: send the request again in a few seconds.', undefined, { 'Retry-After': '5' }));
  });
  app.decorate('idempotencyLockTimeoutSeconds', config.idempotencyLockTimeoutSeconds);
  app.decorate('idempotencySecret', config.secret);
  registerErrorHandling(app);
  registerQueryEncodingCheck(app);
  registerContentEncoding(app);
  registerRequestLog(app);
  if (metrics) registerMetrics(app, metrics);
  registerValidation(app);
  // JSON sent as text/plain is a 415 naming application/json, not a string body failing the schema; routes
  // that take text (supplier documents) register their own parser.
  app.removeContentTypeParser('text/plain');
  registerJsonBody(app);
  await registerOpenApi(app, config.publicUrl);

  const limits = rateLimit ? await registerRateLimits(app, db, rateLimit) : undefined;
  const requireScope = createAuthenticator(db, limits);
  await app.register(healthApi, { db });
  await app.register(documentsApi, { db, requireScope, secret: config.secret });
  const links = { publicUrl: config.publicUrl, secret: config.secret };
  await app.register(ordersApi, { prefix: '/api/v1', version: 'v1', db, requireScope, links });
  await app.register(ordersApi, { prefix: '/api/v2', version: 'v2', db, requireScope, links });
  await app.register(supplierUpdatesApi, {
    prefix: '/api/v2', db, requireScope, heldUpdateDays: config.heldUpdateDays, heldUpdateLimit: config.heldUpdateLimit,
  });
  await app.register(supplierDocumentsApi, {
    db, requireScope, secret: config.secret, publicUrl: config.publicUrl, maxBytes: config.documentMaxBytes,
    heldUpdateLimit: config.heldUpdateLimit,
  });
  await app.register(purchaseOrdersApi, {
    prefix: '/api/v2', db, requireScope, secret: config.secret, publicUrl: config.publicUrl,
    onPoNumber: (db, retailerId, poNumber) => applyHeldSupplierUpdates(db, retailerId, poNumber),
  });
  await app.register(suppliersApi, { db, requireScope, secret: config.secret, publicUrl: config.publicUrl });
  await app.register(warehousesApi, { db, requireScope, secret: config.secret, publicUrl: config.publicUrl });
  if (!syncs) {
    const own = new BackgroundSyncs({ db, secret: config.secret, log: app.log });
    app.addHook('onClose', () => own.close());
    syncs = own;
  }
  await app.register(connectionsApi, { db, requireScope, secret: config.secret, publicUrl: config.publicUrl, syncs });
  await app.register(eventsApi, { db, requireScope, links });
  await app.register(webhookEndpointsApi, { db, requireScope, secret: config.secret, guard: webhooks ?? { allowPrivate: false } });
  await app.register(consolePlugin, {
    prefix: '/console', db, secret: config.secret, publicUrl: config.publicUrl, syncs, documentMaxBytes: config.documentMaxBytes, limits,
  });
  return app;
}

// The web console (DESIGN 4c) at /console: server-rendered HTML (eta templates through @fastify/view), htmx for
// polling, forms with CSRF tokens (@fastify/csrf-protection), sessions in a cookie that refers to a server-side
// row. Registered as one encapsulated plugin, so its cookies, form parsing, error pages and security headers stay
// out of the JSON API; its routes are hidden from the OpenAPI document.
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.ts';
import { frameworkApiError, toApiError, type ApiError } from '../http/errors.ts';
import { NO_LIMITS, type RequestLimits } from '../http/rate-limit.ts';
import type { BackgroundSyncs } from '../sync/runner.ts';
import { consoleAssets } from './routes/assets.ts';
import { consoleAuth } from './routes/auth.ts';
import { consoleConnections } from './routes/connections.ts';
import { consoleDocuments } from './routes/documents.ts';
import { consoleKeys } from './routes/keys.ts';
import { consoleOrders } from './routes/orders.ts';
import { consoleWebhooks } from './routes/webhooks.ts';
import { errorDocument, renderPage } from './render.ts';
import { DEFAULT_SESSION_TTL_MS, loadSession, ScopeMissingError } from './session.ts';

export interface ConsoleOptions {
  db: Db;
  /** Signs invoice download links. */
  secret: string;
  /** https here makes the cookies Secure. */
  publicUrl: string;
  syncs: Pick<BackgroundSyncs, 'start'>;
  /** How long a sign-in lasts (default eight hours). */
  sessionTtlMs?: number;
  /** DOCUMENT_MAX_BYTES: the largest supplier document the upload form accepts (as the API). */
  documentMaxBytes?: number;
  /** The API's rate limits (http/rate-limit.ts): a wrong key at sign-in counts against the address, as on the API. */
  limits?: RequestLimits;
}

export interface ConsoleContext extends Required<Omit<ConsoleOptions, 'documentMaxBytes'>> {
  secureCookies: boolean;
}

/**
 * No inline script or style and nothing from elsewhere: a script that got into a page could not run. htmx's
 * indicator styles are turned off (layout's htmx-config meta) so it inserts no inline style.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'",
].join('; ');

/** The headers every console response carries, error pages included. */
function secureHeaders(reply: FastifyReply): void {
  reply.headers({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });
}

/** True for a URL the console serves (`/console`, `/console/…`, `/console?…`). */
export const isConsoleUrl = (url: string): boolean => /^\/console(?:[/?#]|$)/.test(url);

/**
 * What a person reads for an API error: the title, one sentence, and each field's problem once. A validation
 * error's message already lists its details, so with details the sentence is a lead-in instead. Other errors
 * (a 413, a 415) say it best in their own sentence (the limit in words), their details being for programs.
 */
function errorPage(apiError: ApiError): { title: string; message: string; details: string[] } {
  const details = apiError.code === 'validation_failed' ? apiError.details?.map((d) => `${d.field}: ${d.message}`) ?? [] : [];
  const title = apiError.statusCode === 404 ? 'Not found' : apiError.statusCode >= 500 ? 'Something went wrong' : 'That did not work';
  const message = details.length === 0 ? apiError.message
    : details.length === 1 ? 'Please correct this and try again:' : 'Please correct these and try again:';
  return { title, message, details };
}

/**
 * Errors Fastify raises before routing (http/errors.ts frameworkApiError: a path that is not valid percent-encoding,
 * a path segment over the length limit) on a console URL: the console's error page, not the API's JSON.
 */
export async function consoleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const apiError = frameworkApiError(error, request);
  reply.header('X-Request-Id', request.id);
  secureHeaders(reply);
  if (apiError.headers) reply.headers(apiError.headers);
  return reply.code(apiError.statusCode).type('text/html; charset=utf-8').send(await errorDocument(errorPage(apiError)));
}

/** Largest urlencoded form body a console route reads: 64 KB (README "Request body limits"). */
export const FORM_BODY_LIMIT = 64 * 1024;

export const consolePlugin: FastifyPluginAsync<ConsoleOptions> = async (app, options) => {
  const { db, secret, publicUrl, syncs } = options;
  const context: ConsoleContext = {
    db, secret, publicUrl, syncs, sessionTtlMs: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS, secureCookies: publicUrl.startsWith('https:'),
    limits: options.limits ?? NO_LIMITS,
  };
  // Kept out of /openapi.json: the console is for people, not a public API. Its forms are small: every console
  // route reads at most FORM_BODY_LIMIT (set on the route, so a 413 page states it); an upload's file is held to
  // DOCUMENT_MAX_BYTES by its multipart limits instead (routes/documents.ts).
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
    route.bodyLimit ??= FORM_BODY_LIMIT;
  });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'ordersync_csrf',
    cookieOpts: { path: '/console', httpOnly: true, sameSite: 'strict', secure: context.secureCookies },
  });
  await app.register(view, {
    engine: { eta: new Eta({ autoEscape: true, autoTrim: [false, 'nl'] }) },
    root: fileURLToPath(new URL('./views', import.meta.url)),
    viewExt: 'eta',
  });

  app.addHook('onRequest', async (_request, reply) => secureHeaders(reply));
  app.addHook('onRequest', loadSession(options.db));
  // A signed-in person's requests are their key's requests (DESIGN 4d: RATE_LIMIT_PER_MINUTE is shared by all of a
  // key's requests), so a session is no way around the key's limit; its request lines carry the key's prefix too.
  // The stylesheet and scripts are not counted: they come with every page.
  app.addHook('onRequest', async (request, reply) => {
    const session = request.consoleSession;
    if (!session || request.url.startsWith('/console/assets/')) return;
    request.auth = {
      keyId: session.keyId, prefix: session.keyPrefix, retailerId: session.retailerId, timezone: session.timezone,
      scopes: session.scopes, expiresAt: null,
    };
    await context.limits.countKey(request, reply);
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    // Also for a request refused by an app-wide hook that ran before this plugin's own (its headers unset).
    secureHeaders(reply);
    if (error instanceof ScopeMissingError) {
      return renderPage(reply.code(403), 'error', { title: 'Not allowed', message: error.message });
    }
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      return renderPage(reply.code(403), 'error', {
        title: 'Form expired',
        message: 'This form was out of date or did not come from this console. Go back, reload the page and try again.',
      });
    }
    const apiError = toApiError(error, request);
    if (apiError.headers) reply.headers(apiError.headers);
    if (apiError.statusCode >= 500) request.log.error({ err: error }, 'console request failed');
    return renderPage(reply.code(apiError.statusCode), 'error', errorPage(apiError));
  });
  app.setNotFoundHandler(async (request, reply) =>
    renderPage(reply.code(404), 'error', { title: 'Not found', message: `There is no console page at ${request.url.split('?')[0]}.` }));

  await app.register(consoleAssets);
  await app.register(consoleAuth, context);
  await app.register(consoleOrders, context);
  await app.register(consoleDocuments, { ...context, documentMaxBytes: options.documentMaxBytes });
  await app.register(consoleConnections, context);
  await app.register(consoleKeys, context);
  await app.register(consoleWebhooks, context);
};

// The web console (DESIGN 4c) at /console: server-rendered HTML (eta templates through @fastify/view), htmx for
// polling, forms with CSRF tokens (@fastify/csrf-protection), sessions in a cookie that refers to a server-side
// row. Registered as one encapsulated plugin, so its cookies, form parsing, error pages and security headers stay
// out of the JSON API; its routes are hidden from the OpenAPI document.
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.ts';
import { InvalidInputError, type FieldProblem } from '../domain/errors.ts';
import { textProblem, type TextMode } from '../domain/plain-text.ts';
import { CONSOLE_CONNECTION, writeRaw } from '../http/client-errors.ts';
import { ApiError, frameworkApiError, toApiError } from '../http/errors.ts';
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

/** The headers every console response carries, error pages included (those of a bare connection too). */
const SECURE_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

function secureHeaders(reply: FastifyReply): void {
  reply.headers(SECURE_HEADERS);
}

/** True for a URL the console serves (`/console`, `/console/…`, `/console?…`). */
export const isConsoleUrl = (url: string): boolean => /^\/console(?:[/?#]|$)/.test(url);

/**
 * What a person reads for an API error: the title, one sentence, and each field's problem once. A validation
 * error's message already lists its details, so with details the sentence is a lead-in instead. Other errors
 * (a 413, a 415) say it best in their own sentence (the limit in words), their details being for programs.
 */
function errorPage(apiError: ApiError, requestId: string): ErrorPage {
  const details = apiError.code === 'validation_failed' ? apiError.details?.map((d) => `${d.field}: ${d.message}`) ?? [] : [];
  const title = apiError.statusCode === 404 ? 'Not found' : apiError.statusCode >= 500 ? 'Something went wrong' : 'That did not work';
  const message = details.length === 0 ? apiError.message
    : details.length === 1 ? 'Please correct this and try again:' : 'Please correct these and try again:';
  // A person reporting a failure on our side quotes this (the API's message asks for the request_id).
  return { title, message, details, requestId: apiError.statusCode >= 500 ? requestId : null };
}

/**
 * The console's wording where the API's would mislead a person: a form body of a type the console does not read
 * (the API's 415 names JSON; the console reads what a browser's forms send).
 */
function forConsole(apiError: ApiError, request: FastifyRequest): ApiError {
  if (apiError.statusCode !== 415 || apiError.details?.[0]?.field !== 'headers.content-type') return apiError;
  const given = request.headers['content-type'] ?? 'none';
  return new ApiError(415, apiError.code, `This was sent as ${given}: the console reads forms as a browser sends them ` +
    '(application/x-www-form-urlencoded, or multipart/form-data for a file). Go back, reload the page and send the form again.',
  [{ field: 'headers.content-type', message: 'must be application/x-www-form-urlencoded or multipart/form-data' }]);
}

/**
 * The methods the console's routes take at `path` (`GET, HEAD`), or none: a console page asked for with a method it
 * does not take is a 405 naming the ones it does, not a 404 saying the page is not there.
 */
function allowedMethods(routes: { pattern: RegExp; methods: string[] }[], path: string): string[] {
  const methods = new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/** A route's path as a pattern for concrete paths (`/console/orders/:id` → one segment for `:id`). */
const routePattern = (url: string) => new RegExp(`^${url.split('/').map((part) =>
  (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}/?$`);

/**
 * Errors Fastify raises before routing (http/errors.ts frameworkApiError: a path that is not valid percent-encoding,
 * a path segment over the length limit) on a console URL: the console's error page, not the API's JSON.
 */
export async function consoleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const apiError = frameworkApiError(error, request);
  reply.header('X-Request-Id', request.id);
  secureHeaders(reply);
  if (apiError.headers) reply.headers(apiError.headers);
  return reply.code(apiError.statusCode).type('text/html; charset=utf-8').send(await errorDocument(errorPage(apiError, request.id)));
}

/**
 * A request to a console address that Node's HTTP parser refused (http/client-errors.ts: 431, 414, 400, 408),
 * answered on the bare connection: the console's error page, with its headers.
 */
export async function consoleClientError(apiError: ApiError, requestId: string, socket: Socket): Promise<void> {
  const html = await errorDocument(errorPage(apiError, requestId));
  writeRaw(socket, apiError.statusCode, { 'Content-Type': 'text/html; charset=utf-8', 'X-Request-Id': requestId, ...SECURE_HEADERS }, html);
}

interface ErrorPage {
  title: string;
  message: string;
  details: string[];
  /** Shown on a failure on our side, to quote when reporting it. */
  requestId: string | null;
}

/**
 * Sends an error page. Should the page itself fail to render (a broken view, the session's data unreadable), the
 * page without the session's navigation is sent instead, and failing that a plain one: never the API's JSON.
 */
async function errorResponse(reply: FastifyReply, page: ErrorPage): Promise<FastifyReply> {
  try {
    return await renderPage(reply, 'error', { ...page });
  } catch (renderError) {
    reply.request.log.error({ err: renderError }, 'console error page failed to render');
    let html: string;
    try {
      html = await errorDocument(page);
    } catch {
      html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error · OrderSync</title></head><body><h1>Something went wrong</h1>
<p>Request id: ${reply.request.id.replace(/[^A-Za-z0-9._-]/g, '')}</p><p><a href="/console">Back to the console</a></p></body></html>`;
    }
    return reply.type('text/html; charset=utf-8').send(html);
  }
}

/**
 * Every path parameter and form field a console route reads is text under the one rule of domain/plain-text.ts,
 * as every field of the API is (its schemas): a NUL or another control character in `/console/orders/po_%00x` or a
 * key's name was a 500 on PostgreSQL (its text cannot hold U+0000) and stored as given on SQLite. A 400 naming
 * the field instead (`params.id`, `name`, `sku[3]`); a file's bytes are not text and are not checked here. Query
 * strings are read by console/params.ts.
 */
function checkText(request: FastifyRequest): void {
  const problems: FieldProblem[] = [];
  const check = (field: string, value: unknown, mode: TextMode) => {
    const problem = typeof value === 'string' ? textProblem(value, mode) : null;
    if (problem !== null) problems.push({ field, message: problem });
  };
  for (const [name, value] of Object.entries((request.params ?? {}) as Record<string, unknown>)) check(`params.${name}`, value, 'line');
  const body = request.body;
  if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) {
    for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
      if (Array.isArray(value)) value.forEach((item, i) => check(`${name}[${i}]`, item, 'trimmed'));
      else check(name, value, 'trimmed');
    }
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
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
  // route reads at most FORM_BODY_LIMIT (set on the route, so a 413 page states it) unless it sets its own (a PO's
  // receive form, routes/orders.ts); an upload's file is held to DOCUMENT_MAX_BYTES by its multipart limits instead
  // (routes/documents.ts). The routes' paths and methods are kept for the 405s of the not-found handler.
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
    route.bodyLimit ??= FORM_BODY_LIMIT;
    routes.push({ pattern: routePattern(route.url), methods: [route.method].flat() });
  });
  // Forms only: a JSON body (the API's kind, inherited from the app) is a 415 naming what the console reads.
  app.removeContentTypeParser('application/json');
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

  app.addHook('onRequest', async (request, reply) => {
    secureHeaders(reply);
    // A request on this connection that Node's parser refuses later gets this console's page (http/client-errors.ts).
    (request.raw.socket as Socket & { [CONSOLE_CONNECTION]?: boolean })[CONSOLE_CONNECTION] = true;
  });
  app.addHook('onRequest', loadSession(options.db));
  // preHandler: after every body is read (multipart's fields are put on the body in its own preValidation hook).
  app.addHook('preHandler', async (request) => checkText(request));
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
      return errorResponse(reply.code(403), { title: 'Not allowed', message: error.message, details: [], requestId: null });
    }
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      return errorResponse(reply.code(403), {
        title: 'Form expired',
        message: 'This form was out of date or did not come from this console. Go back, reload the page and try again.',
        details: [], requestId: null,
      });
    }
    const apiError = forConsole(toApiError(error, request), request);
    if (apiError.headers) reply.headers(apiError.headers);
    if (apiError.statusCode >= 500) request.log.error({ err: error }, 'console request failed');
    return errorResponse(reply.code(apiError.statusCode), errorPage(apiError, request.id));
  });
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = allowedMethods(routes, path);
    // (A route that found nothing for its own method, an unknown asset, calls this too: a 404.)
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return errorResponse(reply.code(405).header('Allow', allowed.join(', ')), {
        title: 'That did not work', message: `The console page at ${path} does not take ${request.method} requests: it takes ${allowed.join(', ')}.`,
        details: [], requestId: null,
      });
    }
    return errorResponse(reply.code(404), { title: 'Not found', message: `There is no console page at ${path}.`, details: [], requestId: null });
  });

  await app.register(consoleAssets);
  await app.register(consoleAuth, context);
  await app.register(consoleOrders, context);
  await app.register(consoleDocuments, { ...context, documentMaxBytes: options.documentMaxBytes });
  await app.register(consoleConnections, context);
  await app.register(consoleKeys, context);
  await app.register(consoleWebhooks, context);
};

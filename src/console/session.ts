// Console sign-in state (DESIGN 4c): an HttpOnly, SameSite=Strict cookie holding a random token that refers to
// a server-side row (store/console-sessions.ts). The API key itself is only ever in the sign-in form's POST body.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Scope } from '../domain/api-keys.ts';
import type { Db } from '../db/database.ts';
import { findConsoleSession, type ConsoleSession } from '../store/console-sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in console session, when there is one (console routes only). */
    consoleSession?: ConsoleSession;
  }
}

export const SESSION_COOKIE = 'ordersync_console';
/** Eight hours: a working day, after which the key is pasted again. */
export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface CookiePolicy {
  /** Secure cookies when the service is reached over https (PUBLIC_URL); plain http on localhost otherwise. */
  secure: boolean;
}

export function sessionCookieOptions(policy: CookiePolicy, maxAgeSeconds?: number) {
  return {
    path: '/console', httpOnly: true, sameSite: 'strict' as const, secure: policy.secure,
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

/** The session cookie's token, when the browser sent one. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const token = request.cookies[SESSION_COOKIE];
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

/** onRequest: resolves the cookie to a live session (unknown, expired and revoked-key sessions resolve to none). */
export function loadSession(db: Db) {
  return async (request: FastifyRequest) => {
    const token = sessionToken(request);
    if (token) request.consoleSession = await findConsoleSession(db, token);
  };
}

/**
 * `value` when it is a console page of this site to go to after signing in (`/console/orders/po_…?page=2`),
 * else null: anything that would leave the console (`//evil.example`, `/\\evil`, `https://…`, `/api/…`) or lead
 * back to signing in or out. Keeps an open redirect out of the sign-in form.
 */
export function safeNext(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2000 || !value.startsWith('/console')) return null;
  let url: URL;
  try {
    url = new URL(value, 'http://console.invalid');
  } catch {
    return null;
  }
  if (url.origin !== 'http://console.invalid' || !/^\/console(\/|$)/.test(url.pathname)) return null;
  if (/^\/console\/sign-(in|out)(\/|$)/.test(url.pathname)) return null;
  const path = url.pathname + url.search;
  // Only what was sent, normalised: a path that changed on parsing (`/console/../api`, backslashes) is refused.
  return path === value ? path : null;
}

export class ScopeMissingError extends Error {
  constructor(readonly scope: Scope) {
    super(`Your API key lacks the "${scope}" scope this page needs.`);
  }
}

/**
 * preHandler: admits a signed-in session holding `scope`. Without a session the browser goes to the sign-in page
 * (303, so a POST becomes a GET); without the scope the request is refused with a 403 page.
 */
export function requireSession(scope: Scope): preHandlerAsyncHookHandler {
  return async function (request: FastifyRequest, reply: FastifyReply) {
    const session = request.consoleSession;
    if (!session) {
      const ended = !!request.cookies[SESSION_COOKIE];
      if (ended) reply.clearCookie(SESSION_COOKIE, { path: '/console' });
      // A page asked for by a GET (a deep link, a bookmark, a page left open past its session) is where the
      // sign-in goes next; a POST's form is not replayed.
      const next = request.method === 'GET' && request.headers['hx-request'] !== 'true' ? safeNext(request.url) : null;
      const target = `/console/sign-in?expired=${ended ? '1' : '0'}${next ? `&next=${encodeURIComponent(next)}` : ''}`;
      // htmx (polling a fragment) would swap a followed redirect into the page: it is told to load the page instead.
      if (request.headers['hx-request'] === 'true') return reply.header('HX-Redirect', target).code(204).send();
      return reply.redirect(target, 303);
    }
    if (!session.scopes.includes(scope)) throw new ScopeMissingError(scope);
  };
}

export const can = (session: ConsoleSession | undefined, scope: Scope): boolean => !!session?.scopes.includes(scope);

/** True when a key's scopes open some console page: `read` (POs, search, documents) or `admin` (connections, webhooks, keys). */
export const opensConsole = (scopes: readonly Scope[]): boolean => scopes.includes('read') || scopes.includes('admin');

/** Why a key whose scopes open no console page (write only) cannot sign in, naming what it lacks. */
export function noConsoleScopeMessage(scopes: readonly Scope[]): string {
  const has = scopes.length === 0 ? 'no scope' : `only the ${scopes.map((s) => `"${s}"`).join(' and ')} scope${scopes.length > 1 ? 's' : ''}`;
  return `This API key has ${has}: the console needs a key with the "read" scope (purchase orders, search, supplier documents) ` +
    'or the "admin" scope (connections, webhooks, API keys). A write-only key is for programs that send POs and supplier ' +
    'updates. Sign in with another key; an admin can create one under API keys.';
}

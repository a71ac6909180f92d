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
      const target = `/console/sign-in?expired=${ended ? '1' : '0'}`;
      // htmx (polling a fragment) would swap a followed redirect into the page: it is told to load the page instead.
      if (request.headers['hx-request'] === 'true') return reply.header('HX-Redirect', target).code(204).send();
      return reply.redirect(target, 303);
    }
    if (!session.scopes.includes(scope)) throw new ScopeMissingError(scope);
  };
}

export const can = (session: ConsoleSession | undefined, scope: Scope): boolean => !!session?.scopes.includes(scope);

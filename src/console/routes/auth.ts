// Signing in and out of the console (DESIGN 4c). The key is checked by the same verifyApiKey as the API's
// X-API-Key header; it arrives only in a POST body and is never echoed back, stored or logged.
import type { FastifyPluginAsync } from 'fastify';
import { touchApiKey, verifyApiKey } from '../../store/api-keys.ts';
import { createConsoleSession, deleteConsoleSession } from '../../store/console-sessions.ts';
import { checkQuery, PageQuery } from '../params.ts';
import type { ConsoleContext } from '../plugin.ts';
import { renderPage } from '../render.ts';
import { can, noConsoleScopeMessage, opensConsole, safeNext, SESSION_COOKIE, sessionCookieOptions, sessionToken } from '../session.ts';

export const WRONG_KEY_MESSAGE = 'That API key was not accepted: it is unknown, revoked or mistyped. Paste the whole key, starting pk_live_.';

export const consoleAuth: FastifyPluginAsync<ConsoleContext> = async (app, { db, sessionTtlMs, secureCookies, limits }) => {
  const policy = { secure: secureCookies };

  // Home: the first page the key's scopes can show (orders need read; a key with admin alone manages keys). A
  // session whose key opens no page (one started before sign-in refused such keys) is told why, with Sign out.
  app.get('/', async (request, reply) => {
    checkQuery(request.query);
    const session = request.consoleSession;
    if (!session) return reply.redirect('/console/sign-in', 303);
    if (!opensConsole(session.scopes)) {
      const message = noConsoleScopeMessage(session.scopes);
      return renderPage(reply.code(403), 'error', { title: 'Not allowed', message, details: [], requestId: null });
    }
    return reply.redirect(!can(session, 'read') ? '/console/keys' : '/console/orders', 303);
  });

  // `next`: the console page the person asked for before signing in (session.ts safeNext), carried by the form.
  app.get('/sign-in', async (request, reply) => {
    const params = new PageQuery(request.query, ['expired', 'next']);
    const expired = params.oneOf('expired', ['0', '1'], 'a sign-in state') === '1';
    const given = params.text('next', 2000);
    const next = safeNext(given);
    // Only a page of this console: a link that would lead elsewhere after signing in is refused, not followed.
    if (given !== undefined && next === null) {
      params.add('next', 'must be a console page to open after signing in (a path starting /console/, not sign-in or sign-out)');
    }
    params.done();
    if (request.consoleSession) return reply.redirect(next ?? '/console', 303);
    return renderPage(reply, 'sign-in', {
      title: 'Sign in',
      notice: expired ? 'Your session has ended (signed out, expired, or its key was revoked). Sign in again.' : null,
      error: null, next,
    });
  });

  app.post<{ Body: { api_key?: unknown; next?: unknown } }>('/sign-in', { preHandler: app.csrfProtection }, async (request, reply) => {
    const next = safeNext(request.body?.next);
    // A key-guessing loop is throttled here as on the API: an address over its allowance of wrong keys gets 429.
    limits.beforeKeyCheck(request);
    const secret = typeof request.body?.api_key === 'string' ? request.body.api_key.trim() : '';
    const key = secret ? await verifyApiKey(db, secret) : null;
    if (!key) {
      await limits.countFailure(request, reply);
      return renderPage(reply.code(401), 'sign-in', {
        title: 'Sign in', notice: null, error: secret ? WRONG_KEY_MESSAGE : 'Paste your API key into the API key field.', next,
      });
    }
    // A key that opens no console page (write only) is refused here, naming what it lacks, rather than signed in
    // to a console whose every page it is refused.
    if (!opensConsole(key.scopes)) {
      return renderPage(reply.code(403), 'sign-in', { title: 'Sign in', notice: null, error: noConsoleScopeMessage(key.scopes), next });
    }
    // A sign-in always starts a fresh session (no fixation): whatever session this browser had ends.
    const previous = sessionToken(request);
    if (previous) await deleteConsoleSession(db, previous);
    const { token } = await createConsoleSession(db, key, sessionTtlMs);
    await touchApiKey(db, key.keyId, new Date());
    reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(policy, Math.floor(sessionTtlMs / 1000)));
    return reply.redirect(next ?? '/console', 303);
  });

  app.post('/sign-out', { preHandler: app.csrfProtection }, async (request, reply) => {
    const token = sessionToken(request);
    if (token) await deleteConsoleSession(db, token);
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(policy));
    return reply.redirect('/console/sign-in', 303);
  });
};

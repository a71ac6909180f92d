// Console page for API keys (admin scope): the retailer's keys, creating one (its secret shown once) and revoking
// one, which also ends its console sessions.
//
// Creating is POST → 303 → GET (so a refresh, or going back and forward, never sends the form again and never makes
// a second key). The secret crosses the redirect in a cookie of its own: encrypted and authenticated with the
// service's secret for this browser's session (AES-256-GCM, the session token as associated data), HttpOnly,
// SameSite=Strict, path /console/keys, two minutes; never in a URL or where a script can read it. The GET that
// shows it clears the cookie in the same response, so it is shown once: a refresh shows that the key was created and
// that its secret is not shown again.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { parseScopes } from '../../domain/api-keys.ts';
import { decryptCredentials, encryptCredentials } from '../../domain/credentials.ts';
import { InvalidInputError, NotFoundError } from '../../domain/errors.ts';
import { createApiKey, listRetailerApiKeys, revokeApiKey } from '../../store/api-keys.ts';
import { PageQuery } from '../params.ts';
import type { ConsoleContext } from '../plugin.ts';
import { renderPage } from '../render.ts';
import { requireSession, sessionToken } from '../session.ts';

const NAME_MAX = 100;
/** The cookie carrying a new key's secret from the POST to the page that shows it once. */
export const CREATED_KEY_COOKIE = 'ordersync_created_key';
const CREATED_KEY_COOKIE_SECONDS = 120;
/** HKDF info: the cookie's own encryption key, not the one of connection credentials. */
const CREATED_KEY_INFO = 'ordersync console created key v1';

interface CreatedKeyCookie {
  prefix: string;
  secret: string;
  name: string;
  scopes: string[];
  /** Epoch ms after which the cookie is not read (its Max-Age, checked here too). */
  until: number;
}

export const consoleKeys: FastifyPluginAsync<ConsoleContext> = async (app, { db, secret, secureCookies }) => {
  const admin = requireSession('admin');
  const cookieOptions = (maxAge?: number) => ({
    path: '/console/keys', httpOnly: true, sameSite: 'strict' as const, secure: secureCookies, ...(maxAge === undefined ? {} : { maxAge }),
  });

  /** The new key's secret for `prefix` from this session's cookie (then cleared), or null when it is not there (any more). */
  function takeCreatedKey(request: FastifyRequest, reply: FastifyReply, prefix: string): CreatedKeyCookie | null {
    const stored = request.cookies[CREATED_KEY_COOKIE];
    if (stored === undefined) return null;
    reply.clearCookie(CREATED_KEY_COOKIE, cookieOptions());
    try {
      const value = decryptCredentials<CreatedKeyCookie>(secret, stored, sessionToken(request) ?? '', CREATED_KEY_INFO);
      return value.prefix === prefix && value.until > Date.now() ? value : null;
    } catch {
      return null; // another session's, altered, or made under another secret
    }
  }

  async function keysPage(retailerId: string) {
    const now = new Date().toISOString();
    return (await listRetailerApiKeys(db, retailerId)).map((key) => ({
      ...key, state: key.revoked_at ? 'revoked' : key.expires_at !== null && key.expires_at <= now ? 'expired' : 'active',
    }));
  }

  // `?revoked=` (the redirect after revoking) names a key of this retailer that is revoked, or it is a 400: the
  // page does not say "Revoked <anything>" for a link someone made up.
  // `?created=` (the redirect after creating) names a key of this retailer, and `?revoked=` one that is revoked, or
  // it is a 400: the page does not say "Revoked <anything>" for a link someone made up.
  app.get('/keys', { preHandler: admin }, async (request, reply) => {
    const params = new PageQuery(request.query, ['revoked', 'created']);
    const revoked = params.text('revoked', 40) ?? null;
    const createdPrefix = params.text('created', 40) ?? null;
    if (revoked !== null && createdPrefix !== null) params.add('created', 'cannot come with revoked: give one of them');
    const keys = await keysPage(request.consoleSession!.retailerId);
    if (revoked !== null && !keys.some((key) => key.prefix === revoked && key.state === 'revoked')) {
      params.add('revoked', 'is not a revoked key of yours');
    }
    const createdKey = createdPrefix === null ? undefined : keys.find((key) => key.prefix === createdPrefix);
    if (createdPrefix !== null && createdKey === undefined) params.add('created', 'is not a key of yours');
    params.done();
    const created = createdKey ? takeCreatedKey(request, reply, createdKey.prefix) : null;
    // Created, and its secret shown already (this is a refresh, or another tab): said so, never a second key.
    const shownBefore = createdKey !== undefined && created === null ? { prefix: createdKey.prefix, name: createdKey.name } : null;
    return renderPage(reply, 'keys', { title: 'API keys', keys, created, shownBefore, revoked });
  });

  app.post<{ Body: { name?: string; scope?: string | string[] } }>('/keys', { preHandler: [app.csrfProtection, admin] }, async (request, reply) => {
    const name = (typeof request.body?.name === 'string' ? request.body.name : '').trim();
    const given = request.body?.scope;
    const scopes = parseScopes((Array.isArray(given) ? given : given ? [given] : []).join(','));
    const problems = [];
    if (name === '' || name.length > NAME_MAX) problems.push({ field: 'name', message: `must be 1–${NAME_MAX} characters` });
    if (!scopes) problems.push({ field: 'scope', message: 'choose at least one of read, write, admin' });
    if (problems.length > 0) throw new InvalidInputError(problems);
    const retailerId = request.consoleSession!.retailerId;
    const created = await createApiKey(db, retailerId, name, scopes!);
    const cookie: CreatedKeyCookie = {
      prefix: created.prefix, secret: created.secret, name: created.name, scopes: created.scopes,
      until: Date.now() + CREATED_KEY_COOKIE_SECONDS * 1000,
    };
    reply.setCookie(CREATED_KEY_COOKIE, encryptCredentials(secret, cookie, sessionToken(request) ?? '', CREATED_KEY_INFO),
      cookieOptions(CREATED_KEY_COOKIE_SECONDS));
    return reply.redirect(`/console/keys?created=${encodeURIComponent(created.prefix)}`, 303);
  });

  app.post<{ Params: { prefix: string } }>('/keys/:prefix/revoke', { preHandler: [app.csrfProtection, admin] }, async (request, reply) => {
    const session = request.consoleSession!;
    if (!(await revokeApiKey(db, request.params.prefix, session.retailerId))) {
      throw new NotFoundError(`No active API key "${request.params.prefix}".`);
    }
    // Revoking the key this browser signed in with ends this session too: the next page asks for a key.
    return reply.redirect(`/console/keys?revoked=${encodeURIComponent(request.params.prefix)}`, 303);
  });
};

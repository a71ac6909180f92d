// Console page for API keys (admin scope): the retailer's keys, creating one (its secret shown once, in the
// response to the POST and nowhere else) and revoking one, which also ends its console sessions.
import type { FastifyPluginAsync } from 'fastify';
import { parseScopes } from '../../domain/api-keys.ts';
import { InvalidInputError, NotFoundError } from '../../domain/errors.ts';
import { createApiKey, listRetailerApiKeys, revokeApiKey } from '../../store/api-keys.ts';
import { PageQuery } from '../params.ts';
import type { ConsoleContext } from '../plugin.ts';
import { renderPage } from '../render.ts';
import { requireSession } from '../session.ts';

const NAME_MAX = 100;

export const consoleKeys: FastifyPluginAsync<ConsoleContext> = async (app, { db }) => {
  const admin = requireSession('admin');

  async function keysPage(retailerId: string) {
    const now = new Date().toISOString();
    return (await listRetailerApiKeys(db, retailerId)).map((key) => ({
      ...key, state: key.revoked_at ? 'revoked' : key.expires_at !== null && key.expires_at <= now ? 'expired' : 'active',
    }));
  }

  // `?revoked=` (the redirect after revoking) names a key of this retailer that is revoked, or it is a 400: the
  // page does not say "Revoked <anything>" for a link someone made up.
  app.get('/keys', { preHandler: admin }, async (request, reply) => {
    const params = new PageQuery(request.query, ['revoked']);
    const revoked = params.text('revoked', 40) ?? null;
    const keys = await keysPage(request.consoleSession!.retailerId);
    if (revoked !== null && !keys.some((key) => key.prefix === revoked && key.state === 'revoked')) {
      params.add('revoked', 'is not a revoked key of yours');
    }
    params.done();
    return renderPage(reply, 'keys', { title: 'API keys', keys, created: null, revoked });
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
    // Rendered straight into this response (never a redirect, so never in a URL) and not stored anywhere.
    return renderPage(reply.code(201), 'keys', { title: 'API keys', keys: await keysPage(retailerId), created, revoked: null });
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

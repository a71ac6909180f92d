// One way to answer with a console page: the view plus what every page shows (who is signed in, the navigation
// for the key's scopes, the search field, a fresh CSRF token for its forms, the formatting helpers).
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply } from 'fastify';
import type { Scope } from '../domain/api-keys.ts';
import { badgeClass, formatDay, formatInstant, formatAmount } from './format.ts';
import { can } from './session.ts';

const helpers = { badgeClass, formatDay, formatInstant, formatAmount };

/** The navigation entries a session may use, in order (scope-gated: what a key cannot do is not offered). */
function navigation(reply: FastifyReply) {
  const session = reply.request.consoleSession;
  const entries: { href: string; label: string; scope: Scope }[] = [{ href: '/console/orders', label: 'Purchase orders', scope: 'read' }];
  entries.push({ href: '/console/documents', label: 'Supplier documents', scope: 'read' });
  entries.push({ href: '/console/connections', label: 'Connections', scope: 'admin' });
  entries.push({ href: '/console/webhooks', label: 'Webhooks', scope: 'admin' });
  entries.push({ href: '/console/keys', label: 'API keys', scope: 'admin' });
  return entries.filter((entry) => can(session, entry.scope));
}

export async function renderPage(reply: FastifyReply, view: string, data: Record<string, unknown>): Promise<FastifyReply> {
  const session = reply.request.consoleSession;
  const html = await reply.viewAsync(view, {
    ...data,
    session,
    zone: session?.timezone ?? 'UTC',
    // A request refused before the console's own hooks ran (the app's query-string check) has no parsed cookies,
    // so no session and no CSRF secret: its page (an error) has no forms.
    csrfToken: reply.request.cookies ? reply.generateCsrf() : '',
    nav: navigation(reply),
    path: reply.request.url.split('?')[0],
    can: (scope: 'read' | 'write' | 'admin') => can(session, scope),
    h: helpers,
  });
  return reply.type('text/html; charset=utf-8').send(html);
}

/** A fragment (htmx swaps it into the page): no layout. */
export async function renderFragment(reply: FastifyReply, view: string, data: Record<string, unknown>): Promise<FastifyReply> {
  const session = reply.request.consoleSession;
  const html = await reply.viewAsync(view, { ...data, session, zone: session?.timezone ?? 'UTC', h: helpers });
  return reply.type('text/html; charset=utf-8').send(html);
}

/** The console's views outside a request's plugin context (errors Fastify raises before routing). */
const standaloneViews = new Eta({
  views: fileURLToPath(new URL('./views', import.meta.url)), autoEscape: true, autoTrim: [false, 'nl'],
});

/**
 * The error page as HTML, for a request that never reached the console's routes (so no session, no forms):
 * the same `error` view and layout as every other console error.
 */
export async function errorDocument(data: { title: string; message: string; details: string[]; requestId: string | null }): Promise<string> {
  return standaloneViews.renderAsync('error', { ...data, session: undefined, nav: [], path: '', can: () => false, h: helpers });
}

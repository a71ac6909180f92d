// Console pages for webhook endpoints (DESIGN 4b), admin scope as in the API: the endpoints, each one's recent
// deliveries with their response status codes, a test button (a `ping` for that endpoint) and retry per delivery.
// The same store functions as /api/v2/webhook_endpoints; the deliverer sends what they queue.
import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError } from '../../domain/errors.ts';
import { conflict } from '../../http/errors.ts';
import { listDeliveries, queuePing, retryDelivery } from '../../store/webhook-deliveries.ts';
import { findEndpoint, listEndpoints } from '../../store/webhook-endpoints.ts';
import { checkQuery, PageQuery } from '../params.ts';
import type { ConsoleContext } from '../plugin.ts';
import { renderFragment, renderPage } from '../render.ts';
import { requireSession } from '../session.ts';

const DELIVERIES_SHOWN = 20;

const NOTICES: Record<string, string> = {
  test: 'A test event (ping) is queued for this endpoint; its delivery appears below.',
  retried: 'The delivery is due again now, with the same webhook-id.',
};

export const consoleWebhooks: FastifyPluginAsync<ConsoleContext> = async (app, { db }) => {
  const admin = requireSession('admin');

  app.get('/webhooks', { preHandler: admin }, async (request, reply) => {
    checkQuery(request.query);
    const endpoints = await listEndpoints(db, request.consoleSession!.retailerId);
    return renderPage(reply, 'webhooks', { title: 'Webhooks', endpoints });
  });

  async function owned(retailerId: string, id: string) {
    const endpoint = await findEndpoint(db, retailerId, id);
    if (!endpoint) throw new NotFoundError(`No webhook endpoint "${id}".`);
    return endpoint;
  }

  async function deliveriesOf(retailerId: string, endpointId: string) {
    return (await listDeliveries(db, retailerId, endpointId, { limit: DELIVERIES_SHOWN })).deliveries;
  }

  app.get<{ Params: { id: string } }>('/webhooks/:id', { preHandler: admin }, async (request, reply) => {
    // Own keys only: `?notice=constructor` must not show Object's constructor (it is a 400 naming notice).
    const params = new PageQuery(request.query, ['notice']);
    const given = params.oneOf('notice', Object.keys(NOTICES), 'a notice of this page');
    params.done();
    const notice = given === undefined ? null : NOTICES[given];
    const retailerId = request.consoleSession!.retailerId;
    const endpoint = await owned(retailerId, request.params.id);
    return renderPage(reply, 'webhook', { title: `Webhook ${endpoint.url}`, endpoint, deliveries: await deliveriesOf(retailerId, endpoint.id), notice });
  });

  // The deliveries section alone: htmx polls it every second while a delivery is pending.
  app.get<{ Params: { id: string } }>('/webhooks/:id/deliveries', { preHandler: admin }, async (request, reply) => {
    checkQuery(request.query);
    const retailerId = request.consoleSession!.retailerId;
    const endpoint = await owned(retailerId, request.params.id);
    return renderFragment(reply, 'deliveries', { endpoint, deliveries: await deliveriesOf(retailerId, endpoint.id), csrfToken: reply.generateCsrf() });
  });

  app.post<{ Params: { id: string } }>('/webhooks/:id/test', { preHandler: [app.csrfProtection, admin] }, async (request, reply) => {
    const retailerId = request.consoleSession!.retailerId;
    const endpoint = await owned(retailerId, request.params.id);
    if ((await queuePing(db, retailerId, endpoint.id)) === null) throw conflict('This endpoint is disabled: nothing is sent to it. Enable it first.');
    return reply.redirect(`/console/webhooks/${encodeURIComponent(endpoint.id)}?notice=test`, 303);
  });

  app.post<{ Params: { id: string; deliveryId: string } }>('/webhooks/:id/deliveries/:deliveryId/retry', {
    preHandler: [app.csrfProtection, admin],
  }, async (request, reply) => {
    const retailerId = request.consoleSession!.retailerId;
    const endpoint = await owned(retailerId, request.params.id);
    const result = await retryDelivery(db, retailerId, endpoint.id, request.params.deliveryId);
    if (result === 'not_found') throw new NotFoundError(`No delivery "${request.params.deliveryId}" of this endpoint.`);
    if (result === 'in_flight') throw conflict('That delivery has an attempt in flight; retry it once the attempt has ended.');
    if (result === 'endpoint_disabled') throw conflict('This endpoint is disabled: nothing is sent to it. Enable it first.');
    return reply.redirect(`/console/webhooks/${encodeURIComponent(endpoint.id)}?notice=retried`, 303);
  });
};

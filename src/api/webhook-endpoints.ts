// Webhook endpoints (DESIGN 4b), `admin` scope: create (the secret shown once), list, get, PATCH, DELETE,
// rotate_secret (24-hour overlap), test (a `ping`), deliveries (newest first, with attempts) and retry.
// URLs pass the SSRF guard (events/url-guard.ts) on create and change, and again at every delivery.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { EVENT_TYPES, isEventType } from '../domain/events.ts';
import type { Db } from '../db/database.ts';
import { webhookUrlProblem, type GuardOptions } from '../events/url-guard.ts';
import type { RequireScope } from '../http/auth.ts';
import { conflict, notFound, validationFailed, type ErrorDetail } from '../http/errors.ts';
import { registerIdempotency } from '../http/idempotency.ts';
import { hasDelivery, listDeliveries, queuePing, retryDelivery } from '../store/webhook-deliveries.ts';
import {
  createEndpoint, deleteEndpoint, findEndpoint, listEndpoints, rotateEndpointSecret, updateEndpoint, type WebhookEndpoint,
} from '../store/webhook-endpoints.ts';
import { Nullable } from './schema-helpers.ts';
import { errorResponses } from './suppliers.ts';

export interface WebhookEndpointsApiOptions {
  db: Db;
  requireScope: RequireScope;
  /** ORDERSYNC_SECRET: encrypts endpoint secrets at rest. */
  secret: string;
  guard: GuardOptions;
}

const Url = Type.String({ minLength: 1, maxLength: 2000, description: 'https (or http) URL the events are POSTed to' });
const EnabledEvents = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1, maxItems: 50, description: `["*"] for every type, or some of: ${EVENT_TYPES.join(', ')}`,
});
const Description = Nullable(Type.String({ maxLength: 500 }));

const CreateBody = Type.Object({
  url: Url, enabled_events: EnabledEvents, description: Type.Optional(Description),
}, { additionalProperties: false });
const UpdateBody = Type.Object({
  url: Type.Optional(Url), enabled_events: Type.Optional(EnabledEvents), description: Type.Optional(Description),
  enabled: Type.Optional(Type.Boolean({ description: 'false stops deliveries (pending ones wait; events meanwhile are not queued for it, the feed has them); true resumes and clears disabled_reason' })),
}, { additionalProperties: false, minProperties: 1 });

const EndpointParams = Type.Object({ endpoint_id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
const DeliveryParams = Type.Object({
  endpoint_id: Type.String({ minLength: 1, maxLength: 100 }), delivery_id: Type.String({ minLength: 1, maxLength: 100 }),
}, { additionalProperties: false });
const DeliveriesQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Deliveries per page, 1–100 (default 20)' })),
  before: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The last delivery id of the previous page' })),
}, { additionalProperties: false });

const Instant = Type.String({ description: 'ISO 8601 with offset' });
const EndpointResource = Type.Object({
  id: Type.String({ description: 'we_…' }), url: Type.String(), enabled_events: Type.Array(Type.String()), description: Nullable(Type.String()),
  enabled: Type.Boolean(), disabled_reason: Nullable(Type.String()), created_at: Instant, updated_at: Instant,
});
const CreatedEndpoint = Type.Object({
  ...EndpointResource.properties,
  secret: Type.String({ description: 'whsec_…: verify signatures with it. Shown once.' }),
});
const EndpointList = Type.Object({ data: Type.Array(EndpointResource), has_more: Type.Boolean() });
const Attempt = Type.Object({
  attempt: Type.Integer(), response_status: Nullable(Type.Integer()), duration_ms: Type.Integer(), error: Nullable(Type.String()),
  attempted_at: Instant, next_attempt_at: Nullable(Instant),
});
const DeliveryResource = Type.Object({
  id: Type.String({ description: 'whd_…' }), event_id: Type.String(), type: Type.String(),
  status: Type.String({ description: 'pending, succeeded or failed' }),
  attempt: Type.Integer({ description: 'Attempts made so far' }), response_status: Nullable(Type.Integer()),
  duration_ms: Nullable(Type.Integer()), error: Nullable(Type.String()), next_attempt_at: Nullable(Instant), created_at: Instant,
  attempts: Type.Array(Attempt),
});
const DeliveryList = Type.Object({ data: Type.Array(DeliveryResource), has_more: Type.Boolean() });

/** Problems of `enabled_events`: ["*"] alone, or known types (DESIGN 4b). */
function enabledEventsProblems(events: string[] | undefined, field: string): ErrorDetail[] {
  if (events === undefined) return [];
  if (events.includes('*')) return events.length === 1 ? [] : [{ field, message: '"*" takes every type and stands alone' }];
  return events.flatMap((type, i) => (isEventType(type) ? [] : [{
    field: `${field}[${i}]`, message: `unknown event type "${type}"; expected "*" or one of ${EVENT_TYPES.join(', ')}`,
  }]));
}

/** 409 for a test or retry of a disabled endpoint, which is sent nothing: queued, it would wait unseen. */
function disabledConflict(endpoint: WebhookEndpoint) {
  return conflict(`Webhook endpoint "${endpoint.id}" is disabled${endpoint.disabled_reason ? ` (${endpoint.disabled_reason})` : ''}; `
    + 'nothing is sent to it. Enable it with PATCH {"enabled": true}, then try again.');
}

export const webhookEndpointsApi: FastifyPluginAsync<WebhookEndpointsApiOptions> = async (fastify, options) => {
  const { db, requireScope, secret, guard } = options;
  registerIdempotency(fastify, db);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireScope('admin'));
  const tags = ['Webhook endpoints'];
  const security = [{ apiKey: [] }];
  const path = '/api/v2/webhook_endpoints';

  async function checked(body: { url?: string; enabled_events?: string[] }): Promise<void> {
    const problems = enabledEventsProblems(body.enabled_events, 'body.enabled_events');
    if (body.url !== undefined) {
      const problem = await webhookUrlProblem(body.url, guard);
      if (problem) problems.unshift({ field: 'body.url', message: problem });
    }
    if (problems.length > 0) throw validationFailed(problems);
  }

  async function owned(retailerId: string, endpointId: string): Promise<WebhookEndpoint> {
    const endpoint = await findEndpoint(db, retailerId, endpointId);
    if (!endpoint) throw notFound(`No webhook endpoint with id "${endpointId}".`);
    return endpoint;
  }

  app.post(path, {
    schema: {
      summary: 'Create a webhook endpoint', tags, security, body: CreateBody, response: { 201: CreatedEndpoint, ...errorResponses },
      description: 'Events of the enabled types are POSTed to the URL, signed as Standard Webhooks. The response carries the '
        + 'signing secret, shown this once. URLs resolving to loopback, private, link-local or metadata addresses are refused.',
    },
  }, async (request, reply) => {
    await checked(request.body);
    const endpoint = await createEndpoint(db, secret, request.auth.retailerId, {
      url: request.body.url, enabled_events: request.body.enabled_events, description: request.body.description ?? null,
    });
    return reply.code(201).header('Location', `${path}/${endpoint.id}`).send(endpoint);
  });

  app.get(path, {
    schema: { summary: 'List webhook endpoints', tags, security, response: { 200: EndpointList, ...errorResponses } },
  }, async (request) => ({ data: await listEndpoints(db, request.auth.retailerId), has_more: false }));

  app.get(`${path}/:endpoint_id`, {
    schema: { summary: 'Get a webhook endpoint', tags, security, params: EndpointParams, response: { 200: EndpointResource, ...errorResponses } },
  }, async (request) => owned(request.auth.retailerId, request.params.endpoint_id));

  app.patch(`${path}/:endpoint_id`, {
    schema: {
      summary: 'Update a webhook endpoint', tags, security, params: EndpointParams, body: UpdateBody,
      response: { 200: EndpointResource, ...errorResponses },
    },
  }, async (request) => {
    await owned(request.auth.retailerId, request.params.endpoint_id);
    await checked(request.body);
    const updated = await updateEndpoint(db, request.auth.retailerId, request.params.endpoint_id, request.body);
    if (!updated) throw notFound(`No webhook endpoint with id "${request.params.endpoint_id}".`);
    return updated;
  });

  app.delete(`${path}/:endpoint_id`, {
    schema: {
      summary: 'Delete a webhook endpoint', tags, security, params: EndpointParams,
      response: { 204: Type.Null({ description: 'Deleted, with its deliveries' }), ...errorResponses },
    },
  }, async (request, reply) => {
    if (!(await deleteEndpoint(db, request.auth.retailerId, request.params.endpoint_id))) {
      throw notFound(`No webhook endpoint with id "${request.params.endpoint_id}".`);
    }
    return reply.code(204).send(null);
  });

  app.post(`${path}/:endpoint_id/rotate_secret`, {
    schema: {
      summary: 'Rotate the signing secret', tags, security, params: EndpointParams,
      response: {
        200: Type.Object({ ...EndpointResource.properties, secret: Type.String(), previous_secret_expires_at: Instant }),
        ...errorResponses,
      },
      description: 'A new secret, shown once. For 24 hours deliveries carry signatures with both the old and the new secret.',
    },
  }, async (request) => {
    const endpoint = await owned(request.auth.retailerId, request.params.endpoint_id);
    const rotated = await rotateEndpointSecret(db, secret, request.auth.retailerId, endpoint.id);
    if (!rotated) throw notFound(`No webhook endpoint with id "${endpoint.id}".`);
    // As it is after the rotation (its updated_at).
    return { ...(await owned(request.auth.retailerId, endpoint.id)), ...rotated };
  });

  app.post(`${path}/:endpoint_id/test`, {
    schema: {
      summary: 'Send a test event', tags, security, params: EndpointParams,
      response: { 202: Type.Object({ event_id: Type.String(), delivery_status: Type.String() }), ...errorResponses },
      description: 'Queues a `ping` event for this endpoint only; follow it in the deliveries. 409 when the endpoint is disabled.',
    },
  }, async (request, reply) => {
    const endpoint = await owned(request.auth.retailerId, request.params.endpoint_id);
    const eventId = await queuePing(db, request.auth.retailerId, endpoint.id);
    if (eventId === null) throw disabledConflict(endpoint);
    return reply.code(202).send({ event_id: eventId, delivery_status: 'pending' });
  });

  app.get(`${path}/:endpoint_id/deliveries`, {
    schema: {
      summary: 'List an endpoint\'s deliveries', tags, security, params: EndpointParams, querystring: DeliveriesQuery,
      response: { 200: DeliveryList, ...errorResponses },
      description: 'Newest first, each with its attempts. The next page is `before=` the last id of this one.',
    },
  }, async (request) => {
    await owned(request.auth.retailerId, request.params.endpoint_id);
    const { before } = request.query;
    if (before !== undefined && !(await hasDelivery(db, request.auth.retailerId, request.params.endpoint_id, before))) {
      throw validationFailed([{ field: 'query.before', message: `no delivery "${before}" of this endpoint (unknown, or older than 30 days)` }]);
    }
    const { deliveries, hasMore } = await listDeliveries(db, request.auth.retailerId, request.params.endpoint_id,
      { limit: request.query.limit ?? 20, before: request.query.before });
    return { data: deliveries, has_more: hasMore };
  });

  app.post(`${path}/:endpoint_id/deliveries/:delivery_id/retry`, {
    schema: {
      summary: 'Retry a delivery now', tags, security, params: DeliveryParams,
      response: { 202: Type.Object({ id: Type.String(), status: Type.String() }), ...errorResponses },
      description: 'Makes the delivery due now (again, if it had succeeded or failed), with the same webhook-id. 409 while an attempt is in flight, or when the endpoint is disabled.',
    },
  }, async (request, reply) => {
    const { endpoint_id: endpointId, delivery_id: deliveryId } = request.params;
    const endpoint = await owned(request.auth.retailerId, endpointId);
    const result = await retryDelivery(db, request.auth.retailerId, endpointId, deliveryId);
    if (result === 'not_found') throw notFound(`No delivery "${deliveryId}" of webhook endpoint "${endpointId}".`);
    if (result === 'endpoint_disabled') throw disabledConflict(endpoint);
    if (result === 'in_flight') throw conflict(`Delivery "${deliveryId}" has an attempt in flight; retry it once that has ended.`);
    return reply.code(202).send({ id: deliveryId, status: 'pending' });
  });
};

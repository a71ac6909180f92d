// The events feed (DESIGN 4b), `read` scope: GET /api/v2/events (commit order, `after` cursor, `limit`, `type`
// filters) and GET /api/v2/events/:event_id. Events are sent as stored, with invoice links signed on the way out.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { EVENT_TYPES, isEventType } from '../domain/events.ts';
import type { Db } from '../db/database.ts';
import type { RequireScope } from '../http/auth.ts';
import { withDocumentLinks } from '../http/document-links.ts';
import { notFound, validationFailed } from '../http/errors.ts';
import { eventPosition, findEvent, listEvents } from '../store/events.ts';
import { errorResponses } from './suppliers.ts';

export interface EventsApiOptions {
  db: Db;
  requireScope: RequireScope;
  links: { publicUrl: string; secret: string };
}

const EventId = Type.String({ minLength: 1, maxLength: 100, description: 'evt_…' });

const FeedQuery = Type.Object({
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The last event id of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Events per page, 1–500 (default 100)' })),
  type: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: `Comma-separated event types: ${EVENT_TYPES.join(', ')}` })),
}, { additionalProperties: false });

const EventSchema = Type.Object({
  id: Type.String({ description: 'evt_…, also the webhook-id of its deliveries' }),
  type: Type.String(),
  created_at: Type.String({ description: 'ISO 8601 with offset' }),
  data: Type.Object({}, { additionalProperties: true }),
});
const Feed = Type.Object({ data: Type.Array(EventSchema), has_more: Type.Boolean() });

const DEFAULT_LIMIT = 100;

/** The requested types, each checked against the event types (400 naming query.type). */
function requestedTypes(text: string | undefined): string[] {
  if (text === undefined) return [];
  const types = [...new Set(text.split(',').map((t) => t.trim()))];
  const unknown = types.filter((t) => !isEventType(t));
  if (unknown.length > 0) {
    throw validationFailed([{ field: 'query.type', message: `unknown event type ${unknown.map((t) => `"${t}"`).join(', ')}; expected ${EVENT_TYPES.join(', ')}` }]);
  }
  return types;
}

export const eventsApi: FastifyPluginAsync<EventsApiOptions> = async (fastify, { db, requireScope, links }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireScope('read'));
  const tags = ['Events'];
  const security = [{ apiKey: [] }];
  const signed = (payload: string) => withDocumentLinks(payload, links.publicUrl, links.secret);
  const sendJson = (reply: FastifyReply, text: string) => reply.type('application/json; charset=utf-8').send(text);

  app.get('/api/v2/events', {
    schema: {
      summary: 'The events feed', tags, security, querystring: FeedQuery, response: { 200: Feed, ...errorResponses },
      description: 'Events in commit order, kept 30 days. The next page is `after=` the last id of this one; an event that commits '
        + 'later always comes after it, so a reader paging this way misses none.',
    },
  }, async (request, reply) => {
    const retailerId = request.auth.retailerId;
    const types = requestedTypes(request.query.type);
    let afterPosition = 0;
    if (request.query.after !== undefined) {
      const position = await eventPosition(db, retailerId, request.query.after);
      if (position === undefined) {
        throw validationFailed([{ field: 'query.after', message: `no event "${request.query.after}" (unknown, or older than 30 days)` }]);
      }
      afterPosition = position;
    }
    const { events, hasMore } = await listEvents(db, retailerId, { afterPosition, limit: request.query.limit ?? DEFAULT_LIMIT, types });
    return sendJson(reply, `{"data":[${events.map((e) => signed(e.payload)).join(',')}],"has_more":${hasMore}}`);
  });

  app.get('/api/v2/events/:event_id', {
    schema: {
      summary: 'One event', tags, security, params: Type.Object({ event_id: EventId }, { additionalProperties: false }),
      response: { 200: EventSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const event = await findEvent(db, request.auth.retailerId, request.params.event_id);
    if (!event || event.type === 'ping') throw notFound(`No event with id "${request.params.event_id}".`);
    return sendJson(reply, signed(event.payload));
  });
};

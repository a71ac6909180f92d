// Sync connections and their runs (DESIGN section 4), `admin` scope: /api/v2/connections (create, list, get,
// update, delete, run now, runs) and /api/v2/sync_runs/:run_id. Credentials go in and never come out: no
// response carries them, and they are stored encrypted (store/connections.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  CONNECTION_KINDS, credentialProblems, DEFAULT_BASE_URLS, normaliseBaseUrl, SCHEDULE_MINUTES, toCredentials,
} from '../domain/connections.ts';
import { renderInstant } from '../domain/dates.ts';
import { InvalidInputError, type FieldProblem } from '../domain/errors.ts';
import { literalHostProblem } from '../events/url-guard.ts';
import type { Db } from '../db/database.ts';
import type { RequireScope } from '../http/auth.ts';
import { conflict, notFound } from '../http/errors.ts';
import { registerIdempotency } from '../http/idempotency.ts';
import {
  createConnection, deleteConnection, findConnection, listConnections, updateConnection,
  type Connection, type ConnectionPatch, type ConnectionWrite,
} from '../store/connections.ts';
import { findRun, listRuns, type SyncRun } from '../store/sync-runs.ts';
import type { BackgroundSyncs } from '../sync/runner.ts';
import { StringEnum } from './schema-helpers.ts';
import { errorResponses, Links, listPaging, Name, requestedPage, requireVisibleName } from './suppliers.ts';

export interface ConnectionsApiOptions {
  db: Db;
  requireScope: RequireScope;
  /** Encrypts credentials and signs list cursors. */
  secret: string;
  /** Base of the absolute links in list responses. */
  publicUrl: string;
  /** Starts runs for `POST …/sync` and lets them carry on after the 202. */
  syncs: Pick<BackgroundSyncs, 'start'>;
}

// ---- schemas ----------------------------------------------------------------------------------------------

const Instant = Type.String({ description: 'ISO 8601 with offset' });
const NullableInstant = Type.Unsafe<string | null>({ type: ['string', 'null'], description: 'ISO 8601 with offset, or null' });

const CredentialsBody = Type.Object({
  api_key: Type.Optional(Type.String({ maxLength: 500 })),
  store_name: Type.Optional(Type.String({ maxLength: 255, description: 'Stocky: the Shopify store, e.g. golf-shop.myshopify.com' })),
}, {
  additionalProperties: false,
  description: 'shipstation: {api_key}; stocky: {store_name, api_key}. Stored encrypted; never returned.',
});

const BaseUrl = Type.String({ minLength: 1, maxLength: 2000, description: 'The upstream API\'s base URL (a sandbox, say); default per kind' });
const ScheduleMinutes = Type.Integer({
  minimum: SCHEDULE_MINUTES.min, maximum: SCHEDULE_MINUTES.max,
  description: `Minutes between scheduled runs, ${SCHEDULE_MINUTES.min}–${SCHEDULE_MINUTES.max} (default ${SCHEDULE_MINUTES.default})`,
});

const CreateBody = Type.Object({
  kind: StringEnum(CONNECTION_KINDS, { description: 'shipstation or stocky' }),
  name: Name,
  base_url: Type.Optional(BaseUrl),
  credentials: CredentialsBody,
  schedule_minutes: Type.Optional(ScheduleMinutes),
  enabled: Type.Optional(Type.Boolean({ description: 'Scheduled runs happen only while enabled (default true)' })),
}, { additionalProperties: false });

const UpdateBody = Type.Object({
  name: Type.Optional(Name),
  base_url: Type.Optional(BaseUrl),
  credentials: Type.Optional(CredentialsBody),
  schedule_minutes: Type.Optional(ScheduleMinutes),
  enabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, minProperties: 1 });

const SyncBody = Type.Object({
  full: Type.Optional(Type.Boolean({ description: 'Fetch everything, not only what changed since the last run (default false)' })),
}, { additionalProperties: false });

const ConnectionParams = Type.Object({ connection_id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
const RunParams = Type.Object({ run_id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

const PageQuery = Type.Object({
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Results per page, 1–500 (default 50).' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'From a links.*.href of an earlier response.' })),
}, { additionalProperties: false });

const ConnectionResource = Type.Object({
  id: Type.String({ description: 'conn_…' }),
  kind: Type.String(),
  name: Type.String(),
  base_url: Type.String(),
  schedule_minutes: Type.Integer(),
  enabled: Type.Boolean(),
  next_run_at: Instant,
  created_at: Instant,
  updated_at: Instant,
}, { description: 'A connection. Its credentials are never returned.' });

const Counts = Type.Object({
  fetched: Type.Integer(), created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer(), failed: Type.Integer(),
});

const RunResource = Type.Object({
  id: Type.String({ description: 'run_…' }),
  connection_id: Type.String(),
  status: StringEnum(['running', 'succeeded', 'failed'] as const),
  full: Type.Boolean(),
  started_at: Instant,
  finished_at: NullableInstant,
  counts: Counts,
  error: Type.Unsafe<string | null>({ type: ['string', 'null'], description: 'Why the run failed, or which records it could not sync' }),
});

const ConnectionList = Type.Object({
  connections: Type.Array(ConnectionResource), total: Type.Integer(), page: Type.Integer(), pages: Type.Integer(), links: Links,
});
const RunList = Type.Object({
  runs: Type.Array(RunResource), total: Type.Integer(), page: Type.Integer(), pages: Type.Integer(), links: Links,
});
const RunStarted = Type.Object({ run_id: Type.String({ description: 'run_…: follow it at GET /api/v2/sync_runs/:run_id' }) });

// ---- rendering and input -----------------------------------------------------------------------------------

function toResource(connection: Connection) {
  return {
    id: connection.id,
    kind: connection.kind,
    name: connection.name,
    base_url: connection.base_url,
    schedule_minutes: connection.schedule_minutes,
    enabled: connection.enabled,
    next_run_at: renderInstant(connection.next_run_at),
    created_at: renderInstant(connection.created_at),
    updated_at: renderInstant(connection.updated_at),
  };
}

export function toRunResource(run: SyncRun) {
  return {
    id: run.id,
    connection_id: run.connection_id,
    status: run.status,
    full: run.full,
    started_at: renderInstant(run.started_at),
    finished_at: renderInstant(run.finished_at),
    counts: run.counts,
    error: run.error,
  };
}

/**
 * The normalised base URL, or a problem naming body.base_url. Against SSRF (DESIGN security rules) a metadata or
 * link-local address is never accepted; loopback and private ones are, for sandboxes and self-hosted upstreams.
 * Host names are checked again on every connection the sync makes (sync/http-client.ts, guardedLookup).
 */
function baseUrl(raw: string, problems: FieldProblem[]): string {
  const result = normaliseBaseUrl(raw);
  if ('problem' in result) {
    problems.push(result.problem);
    return raw;
  }
  const refused = literalHostProblem(result.url, true);
  if (refused) problems.push({ field: 'body.base_url', message: refused });
  return result.url;
}

const LIST_PURPOSE = 'list:connections';
const runsPurpose = (connectionId: string) => `list:sync_runs:${connectionId}`;

export const connectionsApi: FastifyPluginAsync<ConnectionsApiOptions> = async (fastify, options) => {
  const { db, requireScope, secret, publicUrl, syncs } = options;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireScope('admin'));
  registerIdempotency(app, db);

  const tags = ['Connections'];
  const security = [{ apiKey: [] }];
  const base = publicUrl.replace(/\/+$/, '');
  const listUrl = `${base}/api/v2/connections`;

  async function owned(retailerId: string, connectionId: string): Promise<Connection> {
    const connection = await findConnection(db, retailerId, connectionId);
    if (!connection) throw notFound(`No connection with id "${connectionId}".`);
    return connection;
  }

  function written(result: ConnectionWrite, name: string | undefined, connectionId?: string) {
    if (result.ok) return toResource(result.connection);
    if (result.reason === 'duplicate_name') throw conflict(`A connection named "${name}" already exists.`);
    throw notFound(`No connection with id "${connectionId}".`);
  }

  app.post('/api/v2/connections', {
    schema: {
      summary: 'Create a connection', tags, security, body: CreateBody, response: { 201: ConnectionResource, ...errorResponses },
      description: 'An upstream account to sync POs from. Credentials are checked for the kind, stored encrypted and never '
        + 'returned. The first run is due at once. Honours an Idempotency-Key header.',
    },
  }, async (request, reply) => {
    const { kind, name, credentials } = request.body;
    requireVisibleName(name);
    const problems: FieldProblem[] = [];
    const url = baseUrl(request.body.base_url ?? DEFAULT_BASE_URLS[kind], problems);
    problems.push(...credentialProblems(kind, credentials));
    if (problems.length > 0) throw new InvalidInputError(problems);
    const result = await createConnection(db, secret, request.auth.retailerId, {
      kind, name, base_url: url, credentials: toCredentials(kind, credentials),
      schedule_minutes: request.body.schedule_minutes ?? SCHEDULE_MINUTES.default, enabled: request.body.enabled ?? true,
    });
    const connection = written(result, name);
    return reply.code(201).header('Location', `${listUrl}/${connection.id}`).send(connection);
  });

  app.get('/api/v2/connections', {
    schema: {
      summary: 'List connections', tags, security, querystring: PageQuery, response: { 200: ConnectionList, ...errorResponses },
      description: 'In creation order, paged: follow links.next.href until it is null.',
    },
  }, async (request) => {
    const state = requestedPage(secret, LIST_PURPOSE, request.query);
    const { connections, total } = await listConnections(db, request.auth.retailerId,
      { limit: state.page_size, offset: (state.page - 1) * state.page_size });
    return { connections: connections.map(toResource), ...listPaging(listUrl, secret, LIST_PURPOSE, state, total) };
  });

  app.get('/api/v2/connections/:connection_id', {
    schema: { summary: 'Get a connection', tags, security, params: ConnectionParams, response: { 200: ConnectionResource, ...errorResponses } },
  }, async (request) => toResource(await owned(request.auth.retailerId, request.params.connection_id)));

  app.patch('/api/v2/connections/:connection_id', {
    schema: {
      summary: 'Update a connection', tags, security, params: ConnectionParams, body: UpdateBody,
      response: { 200: ConnectionResource, ...errorResponses },
      description: 'Changes the fields given. New credentials replace the old ones whole and are checked for the '
        + 'connection\'s kind, which never changes. Changes apply from the next run.',
    },
  }, async (request) => {
    const { connection_id: connectionId } = request.params;
    const retailerId = request.auth.retailerId;
    const current = await owned(retailerId, connectionId);
    const body = request.body;
    if (body.name !== undefined) requireVisibleName(body.name);
    const problems: FieldProblem[] = [];
    const patch: ConnectionPatch = { name: body.name, schedule_minutes: body.schedule_minutes, enabled: body.enabled };
    if (body.base_url !== undefined) patch.base_url = baseUrl(body.base_url, problems);
    if (body.credentials !== undefined) {
      problems.push(...credentialProblems(current.kind, body.credentials));
      patch.credentials = toCredentials(current.kind, body.credentials);
    }
    if (problems.length > 0) throw new InvalidInputError(problems);
    return written(await updateConnection(db, secret, retailerId, connectionId, patch), body.name, connectionId);
  });

  app.delete('/api/v2/connections/:connection_id', {
    schema: {
      summary: 'Delete a connection', tags, security, params: ConnectionParams,
      response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses },
      description: 'Deletes the connection and its run history; the POs it synced stay. Refused (409) while a run is running.',
    },
  }, async (request, reply) => {
    const { connection_id: connectionId } = request.params;
    const result = await deleteConnection(db, request.auth.retailerId, connectionId);
    if (!result.ok && result.reason === 'not_found') throw notFound(`No connection with id "${connectionId}".`);
    if (!result.ok && result.reason === 'running') {
      throw conflict(`Connection "${connectionId}" is syncing (run ${result.runId}); delete it once that run has finished.`);
    }
    return reply.code(204).send(null);
  });

  app.post('/api/v2/connections/:connection_id/sync', {
    // `{"full": false}` may be left out: no body is an empty one.
    preValidation: async (request) => {
      request.body ??= {};
    },
    schema: {
      summary: 'Sync a connection now', tags, security, params: ConnectionParams, body: SyncBody,
      response: { 202: RunStarted, ...errorResponses },
      description: 'Starts a run at once (also for a disabled connection) and answers with its id while it carries on. '
        + '409 when the connection is already syncing.',
    },
  }, async (request, reply) => {
    const { connection_id: connectionId } = request.params;
    await owned(request.auth.retailerId, connectionId);
    const started = await syncs.start(connectionId, request.body.full ?? false);
    if (!started.started && started.reason === 'running') {
      throw conflict(`Connection "${connectionId}" is already syncing (run ${started.runId}).`);
    }
    if (!started.started) throw notFound(`No connection with id "${connectionId}".`);
    return reply.code(202).header('Location', `${base}/api/v2/sync_runs/${started.runId}`).send({ run_id: started.runId });
  });

  app.get('/api/v2/connections/:connection_id/runs', {
    schema: {
      summary: 'List a connection\'s runs', tags, security, params: ConnectionParams, querystring: PageQuery,
      response: { 200: RunList, ...errorResponses }, description: 'Newest first, paged: follow links.next.href until it is null.',
    },
  }, async (request) => {
    const { connection_id: connectionId } = request.params;
    await owned(request.auth.retailerId, connectionId);
    const purpose = runsPurpose(connectionId);
    const state = requestedPage(secret, purpose, request.query);
    const { runs, total } = await listRuns(db, request.auth.retailerId, connectionId,
      { limit: state.page_size, offset: (state.page - 1) * state.page_size });
    return { runs: runs.map(toRunResource), ...listPaging(`${listUrl}/${connectionId}/runs`, secret, purpose, state, total) };
  });

  app.get('/api/v2/sync_runs/:run_id', {
    schema: { summary: 'Get a sync run', tags, security, params: RunParams, response: { 200: RunResource, ...errorResponses } },
  }, async (request) => {
    const run = await findRun(db, request.auth.retailerId, request.params.run_id);
    if (!run) throw notFound(`No sync run with id "${request.params.run_id}".`);
    return toRunResource(run);
  });
};

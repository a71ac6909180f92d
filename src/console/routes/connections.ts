// Console pages for sync connections (DESIGN 4): each connection with its last and next run, "Sync now", its runs
// with counts and errors, and a progress line htmx polls while a run is going. Admin scope, as in the API.
import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError } from '../../domain/errors.ts';
import { findConnection, listConnections } from '../../store/connections.ts';
import { listRuns } from '../../store/sync-runs.ts';
import { checkQuery, PageQuery } from '../params.ts';
import type { ConsoleContext } from '../plugin.ts';
import { renderFragment, renderPage } from '../render.ts';
import { requireSession } from '../session.ts';

const MAX_CONNECTIONS = 100;
const RUNS_SHOWN = 20;

export const consoleConnections: FastifyPluginAsync<ConsoleContext> = async (app, { db, syncs }) => {
  const admin = requireSession('admin');

  app.get('/connections', { preHandler: admin }, async (request, reply) => {
    checkQuery(request.query);
    const retailerId = request.consoleSession!.retailerId;
    const { connections } = await listConnections(db, retailerId, { limit: MAX_CONNECTIONS, offset: 0 });
    const rows = await Promise.all(connections.map(async (connection) => ({
      connection,
      lastRun: (await listRuns(db, retailerId, connection.id, { limit: 1, offset: 0 })).runs[0] ?? null,
    })));
    return renderPage(reply, 'connections', { title: 'Connections', rows });
  });

  async function owned(retailerId: string, id: string) {
    const connection = await findConnection(db, retailerId, id);
    if (!connection) throw new NotFoundError(`No connection "${id}".`);
    return connection;
  }

  async function runsOf(retailerId: string, connectionId: string) {
    return listRuns(db, retailerId, connectionId, { limit: RUNS_SHOWN, offset: 0 });
  }

  app.get<{ Params: { id: string } }>('/connections/:id', { preHandler: admin }, async (request, reply) => {
    const params = new PageQuery(request.query, ['notice']);
    const notice = params.oneOf('notice', ['running'], 'a notice of this page') === 'running'
      ? 'A run of this connection is already going; its progress is below.' : null;
    params.done();
    const retailerId = request.consoleSession!.retailerId;
    const connection = await owned(retailerId, request.params.id);
    const { runs, total } = await runsOf(retailerId, connection.id);
    return renderPage(reply, 'connection', { title: `Connection ${connection.name}`, connection, runs, total, notice });
  });

  // The runs section alone: htmx swaps it in every second while the latest run is going (the live progress
  // line); once the run has finished the section carries no trigger, and the polling stops.
  app.get<{ Params: { id: string } }>('/connections/:id/runs', { preHandler: admin }, async (request, reply) => {
    checkQuery(request.query);
    const retailerId = request.consoleSession!.retailerId;
    const connection = await owned(retailerId, request.params.id);
    const { runs, total } = await runsOf(retailerId, connection.id);
    return renderFragment(reply, 'runs', { connection, runs, total });
  });

  app.post<{ Params: { id: string } }>('/connections/:id/sync', { preHandler: [app.csrfProtection, admin] }, async (request, reply) => {
    const connection = await owned(request.consoleSession!.retailerId, request.params.id);
    const started = await syncs.start(connection.id, false);
    if (!started.started && started.reason === 'not_found') throw new NotFoundError(`No connection "${connection.id}".`);
    const notice = started.started ? '' : '?notice=running';
    return reply.redirect(`/console/connections/${encodeURIComponent(connection.id)}${notice}`, 303);
  });
};

// Liveness and readiness probes, outside the API key.
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { ApiError } from '../http/errors.ts';

export const healthApi: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get('/healthz', { schema: { tags: ['Health'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['Health'], summary: 'The database answers' } }, async () => {
    try {
      await sql`select 1`.execute(db);
    } catch {
      throw new ApiError(503, 'unavailable', 'The database is not reachable.');
    }
    return { status: 'ok', database: 'ok' };
  });
};

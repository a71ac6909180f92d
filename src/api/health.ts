// Liveness and readiness probes, outside the API key. Ready means the database answers and, on SQLite, is still
// the file at its configured path (db/database.ts sqliteFileProblem): a file deleted or replaced under a running
// service answers queries but loses every write at the next start, so it must not look ready.
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { sqliteFileProblem, type Db } from '../db/database.ts';
import { ApiError } from '../http/errors.ts';

export const healthApi: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get('/healthz', { schema: { tags: ['Health'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['Health'], summary: 'The database answers' } }, async () => {
    try {
      await sql`select 1`.execute(db);
    } catch {
      throw new ApiError(503, 'unavailable', 'The database is not reachable.');
    }
    const problem = sqliteFileProblem(db);
    if (problem) throw new ApiError(503, 'unavailable', `Not ready: ${problem}; restart the service (writes made since then are not in the file).`);
    return { status: 'ok', database: 'ok' };
  });
};

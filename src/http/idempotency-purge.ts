// Background purge of expired Idempotency-Key rows (issue 9). A key is honoured for 24 hours
// (IDEMPOTENCY_TTL_MS); a request with an old key deletes that one row first, but keys nobody sends again would
// stay forever, each with its (encrypted) response. This task, registered with serve's background work
// (src/server.ts), deletes every key older than 24 hours at start and then every hour, in batches.
import type { BackgroundTask } from '../background.ts';
import type { Db } from '../db/database.ts';
import { purgeIdempotencyKeys } from '../store/idempotency-keys.ts';
import { IDEMPOTENCY_TTL_MS } from './idempotency.ts';

/** How often the purge runs after its first sweep at start. */
export const IDEMPOTENCY_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** Deletes the keys stored more than 24 hours before `now`; returns how many. */
export function purgeExpiredIdempotencyKeys(db: Db, now = new Date()): Promise<number> {
  return purgeIdempotencyKeys(db, new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString());
}

/** The background task: a sweep at start (not awaited: a large backlog must not delay serving), then hourly. */
export const idempotencyPurgeTask: BackgroundTask = {
  name: 'idempotency key purge',
  start: async ({ db, log }) => {
    let running: Promise<unknown> = Promise.resolve();
    const sweep = () => {
      running = purgeExpiredIdempotencyKeys(db)
        .then((purged) => { if (purged > 0) log.info({ purged }, 'expired idempotency keys purged'); })
        .catch((err) => log.error({ err }, 'purging expired idempotency keys failed'));
    };
    sweep();
    const timer = setInterval(sweep, IDEMPOTENCY_PURGE_INTERVAL_MS).unref();
    return {
      async stop() {
        clearInterval(timer);
        await running; // never close the database under a sweep
      },
    };
  },
};

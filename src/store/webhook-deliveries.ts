// Webhook deliveries and their attempts (DESIGN 4b). A delivery is one event for one endpoint; it is a row from
// the transaction that wrote the event (store/events.ts) until it succeeds or fails for good, so a restart or a
// crash loses nothing. Workers claim due deliveries with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL): a
// delivery is held by one worker at a time, so an endpoint never gets the same event twice at once. A claim names
// the process holding it (claimed_by, migration 0023): when that process is found dead (src/process-owner.ts) its
// claims are released at once (releaseOrphanedClaims); the lease is what frees a claim of a process alive but stuck.
import { PostgresAdapter, sql } from 'kysely';
import { renderInstant } from '../domain/dates.ts';
import { newId } from '../domain/ids.ts';
import { failingCutoff, type AttemptVerdict } from '../domain/webhooks.ts';
import type { Db } from '../db/database.ts';
import { recordEvents } from './events.ts';

/** How long a claim holds a delivery: longer than an attempt's 10 s timeout plus its bookkeeping. */
export const LEASE_MS = 60_000;
/** Due deliveries looked at per claim: enough to fill a few endpoints' room without reading the whole backlog. */
const CANDIDATES = 200;

export interface ClaimedDelivery {
  id: string;
  event_id: string;
  endpoint_id: string;
  attempts: number;
  lease_until: string;
  url: string;
  payload: string;
  secret_encrypted: string;
  previous_secret_encrypted: string | null;
  previous_secret_expires_at: string | null;
}

/**
 * Claims up to `limit` due deliveries of enabled endpoints, at most `perEndpoint(endpointId)` for each endpoint
 * (what this process may still start for it), oldest due first.
 */
export async function claimDueDeliveries(
  db: Db, limit: number, perEndpoint: (endpointId: string) => number, now = new Date(), ownerId: string | null = null,
): Promise<ClaimedDelivery[]> {
  const stamp = now.toISOString();
  const candidates = await db.selectFrom('webhook_deliveries as d').innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .select(['d.id', 'd.endpoint_id'])
    .where('d.status', '=', 'pending').where('d.next_attempt_at', '<=', stamp).where('e.enabled', '=', 1)
    .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<', stamp)]))
    .orderBy('d.next_attempt_at').limit(Math.min(limit * 4, CANDIDATES)).execute();
  const room = new Map<string, number>();
  const chosen: string[] = [];
  for (const candidate of candidates) {
    const left = room.get(candidate.endpoint_id) ?? perEndpoint(candidate.endpoint_id);
    if (left <= 0) continue;
    room.set(candidate.endpoint_id, left - 1);
    chosen.push(candidate.id);
    if (chosen.length >= limit) break;
  }
  if (chosen.length === 0) return [];
  const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
  // Re-checked under the row lock: another worker may have claimed some since the look above.
  let stillDue = db.selectFrom('webhook_deliveries').select('id').where('id', 'in', chosen).where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', stamp)]));
  if (db.getExecutor().adapter instanceof PostgresAdapter) stillDue = stillDue.forUpdate().skipLocked();
  const claimed = await db.updateTable('webhook_deliveries').set({ lease_until: leaseUntil, claimed_by: ownerId })
    .where('id', 'in', stillDue).returning('id').execute();
  if (claimed.length === 0) return [];
  return loadClaimed(db, claimed.map((c) => c.id), leaseUntil);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** Gives claimed, not attempted deliveries back (a stopping worker), due at once for any worker. */
export async function releaseDeliveries(db: Db, deliveries: readonly Pick<ClaimedDelivery, 'id' | 'lease_until'>[]): Promise<void> {
  // One statement per claim (the deliveries of a claim share its lease), not per delivery.
  const byLease = groupBy(deliveries, (d) => d.lease_until);
  for (const [lease, claimed] of byLease) {
    await db.updateTable('webhook_deliveries').set({ lease_until: null, claimed_by: null })
      .where('id', 'in', claimed.map((d) => d.id)).where('lease_until', '=', lease).execute();
  }
}

/**
 * Releases the claims of processes no longer registered (found dead, src/process-owner.ts): due again at once for
 * any process, instead of after their lease (LEASE_MS). Reads only claimed rows (partial index, migration 0023).
 * Returns how many it released.
 */
export async function releaseOrphanedClaims(db: Db): Promise<number> {
  const orphaned = db.selectFrom('webhook_deliveries').where('claimed_by', 'is not', null)
    .where('claimed_by', 'not in', db.selectFrom('service_processes').select('id'));
  // Looked for first: a read, where the update would take SQLite's write lock every beat for nothing.
  if (!(await orphaned.select('id').limit(1).executeTakeFirst())) return 0;
  const result = await db.updateTable('webhook_deliveries').set({ lease_until: null, claimed_by: null })
    .where('claimed_by', 'is not', null)
    .where('claimed_by', 'not in', db.selectFrom('service_processes').select('id'))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Enabled endpoints with deliveries due at `now` and not claimed, at most `limit`: the endpoints a drain is wanted
 * for (events/boss-delivery.ts). Reads the partial index of pending deliveries (migration 0016), not the backlog.
 */
export async function endpointsWithDueDeliveries(db: Db, limit: number, now = new Date()): Promise<string[]> {
  const stamp = now.toISOString();
  const rows = await db.selectFrom('webhook_endpoints as e').select('e.id').where('e.enabled', '=', 1)
    .where(({ exists, selectFrom }) => exists(selectFrom('webhook_deliveries as d').select('d.id')
      .whereRef('d.endpoint_id', '=', 'e.id').where('d.status', '=', 'pending').where('d.next_attempt_at', '<=', stamp)
      .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<', stamp)]))))
    .limit(limit).execute();
  return rows.map((row) => row.id);
}

/**
 * Claims up to `limit` due deliveries of one endpoint (oldest due first) with a lease, and reads what sending
 * them takes: two statements whatever `limit` is. Nothing when the endpoint is disabled or gone. On PostgreSQL the
 * rows are locked SKIP LOCKED while claimed, so two claimers never take one delivery.
 */
export async function claimEndpointDeliveries(
  db: Db, endpointId: string, limit: number, now = new Date(), ownerId: string | null = null,
): Promise<ClaimedDelivery[]> {
  const stamp = now.toISOString();
  const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
  let due = db.selectFrom('webhook_deliveries').select('id')
    .where('endpoint_id', '=', endpointId).where('status', '=', 'pending').where('next_attempt_at', '<=', stamp)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', stamp)]))
    .where(({ exists, selectFrom }) => exists(selectFrom('webhook_endpoints').select('id').where('id', '=', endpointId).where('enabled', '=', 1)))
    .orderBy('next_attempt_at').limit(limit);
  if (db.getExecutor().adapter instanceof PostgresAdapter) due = due.forUpdate().skipLocked();
  const claimed = await db.updateTable('webhook_deliveries').set({ lease_until: leaseUntil, claimed_by: ownerId })
    .where('id', 'in', due).returning('id').execute();
  if (claimed.length === 0) return [];
  return loadClaimed(db, claimed.map((c) => c.id), leaseUntil);
}

/** The deliveries just claimed under `leaseUntil` (ids from the claiming update), with what sending each needs. */
function loadClaimed(db: Db, ids: string[], leaseUntil: string): Promise<ClaimedDelivery[]> {
  return db.selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .innerJoin('events as ev', 'ev.id', 'd.event_id')
    .select(['d.id', 'd.event_id', 'd.endpoint_id', 'd.attempts', 'd.lease_until', 'e.url', 'ev.payload', 'e.secret_encrypted',
      'e.previous_secret_encrypted', 'e.previous_secret_expires_at'])
    .where('d.id', 'in', ids).where('d.lease_until', '=', leaseUntil)
    .orderBy('d.next_attempt_at')
    .execute() as Promise<ClaimedDelivery[]>;
}


export interface AttemptRecord {
  status: number | null;
  error: string | null;
  durationMs: number;
  verdict: AttemptVerdict;
}

const GONE_REASON = 'The endpoint answered 410 Gone.';
const FAILING_REASON = 'Every delivery attempt failed for 3 days.';

/** One attempt's outcome, ready to record. */
export interface AttemptOutcome {
  delivery: Pick<ClaimedDelivery, 'id' | 'endpoint_id' | 'attempts' | 'lease_until'>;
  attempt: AttemptRecord;
  at: Date;
}

/**
 * Records attempts of claimed deliveries, in one transaction, and applies each verdict (DESIGN 4b): success clears
 * the endpoint's failure streak; 410 fails the delivery and disables the endpoint; otherwise a retry is scheduled
 * or the delivery fails, and an endpoint failing for 3 days is disabled. An attempt whose claim was lost (its
 * lease ran out and another worker took the delivery) is not recorded; returns how many were.
 *
 * A batch costs the same few statements whatever its size (one multi-row update of the deliveries, one insert of
 * the attempts, one or two updates per endpoint): on PostgreSQL the round trips, not the rows, are the cost.
 */
export async function recordAttempts(db: Db, outcomes: readonly AttemptOutcome[]): Promise<number> {
  if (outcomes.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    const rows = outcomes.map(({ delivery, attempt, at }) => {
      const { verdict } = attempt;
      return {
        outcome: { delivery, attempt, at },
        status: verdict.kind === 'retry' ? 'pending' : verdict.kind === 'succeeded' ? 'succeeded' : 'failed',
        nextAttemptAt: verdict.kind === 'retry' ? new Date(at.getTime() + verdict.delayMs).toISOString() : null,
      };
    });
    // Only where the claim still holds (the lease is the claim's token).
    const recorded = new Set<string>();
    if (trx.getExecutor().adapter instanceof PostgresAdapter) {
      // One statement for the batch: PostgreSQL's cost is the round trip, not the row.
      const values = sql.join(rows.map((r) => sql`(${r.outcome.delivery.id}, ${r.outcome.delivery.lease_until}, ${r.status},
        ${r.outcome.delivery.attempts + 1}, ${r.nextAttemptAt}, ${r.outcome.at.toISOString()})`));
      const updated = await sql<{ id: string }>`with v(id, lease, status, attempts, next_attempt_at, stamp) as (values ${values})
        update webhook_deliveries set status = v.status, attempts = cast(v.attempts as integer), next_attempt_at = v.next_attempt_at,
          lease_until = null, claimed_by = null, updated_at = v.stamp
        from v where webhook_deliveries.id = v.id and webhook_deliveries.lease_until = v.lease
        returning webhook_deliveries.id`.execute(trx);
      for (const row of updated.rows) recorded.add(row.id);
    } else {
      // SQLite has no round trips to save, and plans UPDATE … FROM as a scan of the table: a statement per row.
      for (const { outcome: { delivery, at }, status, nextAttemptAt } of rows) {
        const result = await trx.updateTable('webhook_deliveries').set({
          status, attempts: delivery.attempts + 1, next_attempt_at: nextAttemptAt, lease_until: null, claimed_by: null,
          updated_at: at.toISOString(),
        }).where('id', '=', delivery.id).where('lease_until', '=', delivery.lease_until).executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) recorded.add(delivery.id);
      }
    }
    const kept = rows.filter((r) => recorded.has(r.outcome.delivery.id));
    if (kept.length === 0) return 0;
    await trx.insertInto('webhook_attempts').values(kept.map(({ outcome: { delivery, attempt, at }, nextAttemptAt }) => ({
      id: newId('wha', at.getTime()), delivery_id: delivery.id, attempt: delivery.attempts + 1, response_status: attempt.status,
      duration_ms: attempt.durationMs, error: attempt.error, attempted_at: at.toISOString(), next_attempt_at: nextAttemptAt,
    }))).execute();
    for (const [endpointId, own] of groupBy(kept, (r) => r.outcome.delivery.endpoint_id)) {
      await applyToEndpoint(trx, endpointId, own.map((r) => r.outcome));
    }
    return kept.length;
  });
}

/** The endpoint's side of a batch of its attempts: 410 disables it; a success ends its failure streak; else the streak goes on. */
async function applyToEndpoint(trx: Db, endpointId: string, outcomes: AttemptOutcome[]): Promise<void> {
  const last = outcomes.reduce((a, b) => (b.at > a.at ? b : a));
  const stamp = last.at.toISOString();
  const endpoint = trx.updateTable('webhook_endpoints').where('id', '=', endpointId);
  if (outcomes.some((o) => o.attempt.verdict.kind === 'gone')) {
    await endpoint.set({ enabled: 0, disabled_reason: GONE_REASON, updated_at: stamp }).execute();
  } else if (outcomes.some((o) => o.attempt.verdict.kind === 'succeeded')) {
    await endpoint.set({ failing_since: null }).where('failing_since', 'is not', null).execute();
  } else {
    // Failing for 3 days already: disabled; else the streak starts now if it is new.
    await endpoint.set({ enabled: 0, disabled_reason: FAILING_REASON, updated_at: stamp })
      .where('enabled', '=', 1).where('failing_since', '<=', failingCutoff(last.at)).execute();
    await endpoint.set({ failing_since: stamp }).where('failing_since', 'is', null).execute();
  }
}

export interface DeliveryView {
  id: string;
  event_id: string;
  type: string;
  status: string;
  attempt: number;
  response_status: number | null;
  duration_ms: number | null;
  error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  attempts: { attempt: number; response_status: number | null; duration_ms: number; error: string | null; attempted_at: string;
    next_attempt_at: string | null }[];
}

/**
 * One page of an endpoint's deliveries, newest first (by id, which sorts by creation), `limit` + 1 read to
 * tell whether there are more; each with its attempts (oldest first) and its latest attempt's outcome on top.
 */
export async function listDeliveries(
  db: Db, retailerId: string, endpointId: string, page: { limit: number; before?: string },
): Promise<{ deliveries: DeliveryView[]; hasMore: boolean }> {
  let query = db.selectFrom('webhook_deliveries').selectAll()
    .where('retailer_id', '=', retailerId).where('endpoint_id', '=', endpointId);
  if (page.before !== undefined) query = query.where('id', '<', page.before);
  const rows = await query.orderBy('id', 'desc').limit(page.limit + 1).execute();
  const shown = rows.slice(0, page.limit);
  const attempts = shown.length === 0 ? [] : await db.selectFrom('webhook_attempts').selectAll()
    .where('delivery_id', 'in', shown.map((r) => r.id)).orderBy('attempt').execute();
  return {
    hasMore: rows.length > page.limit,
    deliveries: shown.map((row) => {
      const own = attempts.filter((a) => a.delivery_id === row.id).map((a) => ({
        attempt: a.attempt, response_status: a.response_status, duration_ms: a.duration_ms, error: a.error,
        attempted_at: renderInstant(a.attempted_at), next_attempt_at: renderInstant(a.next_attempt_at),
      }));
      const latest = own.at(-1);
      return {
        id: row.id, event_id: row.event_id, type: row.type, status: row.status, attempt: row.attempts,
        response_status: latest?.response_status ?? null, duration_ms: latest?.duration_ms ?? null, error: latest?.error ?? null,
        next_attempt_at: renderInstant(row.next_attempt_at), created_at: renderInstant(row.created_at), attempts: own,
      };
    }),
  };
}

/** Whether the retailer's endpoint has this delivery (a `before` cursor must name one). */
export async function hasDelivery(db: Db, retailerId: string, endpointId: string, deliveryId: string): Promise<boolean> {
  const row = await db.selectFrom('webhook_deliveries').select('id').where('id', '=', deliveryId)
    .where('retailer_id', '=', retailerId).where('endpoint_id', '=', endpointId).executeTakeFirst();
  return row !== undefined;
}

export type RetryResult = 'queued' | 'not_found' | 'in_flight' | 'endpoint_disabled';

/**
 * Makes a delivery due now (again), whatever its status, unless an attempt is in flight or its endpoint is disabled
 * (a disabled endpoint is sent nothing: the delivery would wait, pending, until the endpoint is enabled).
 */
export async function retryDelivery(db: Db, retailerId: string, endpointId: string, deliveryId: string, now = new Date()): Promise<RetryResult> {
  const stamp = now.toISOString();
  const row = await db.selectFrom('webhook_deliveries as d').innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .select(['d.id', 'e.enabled'])
    .where('d.retailer_id', '=', retailerId).where('d.endpoint_id', '=', endpointId).where('d.id', '=', deliveryId).executeTakeFirst();
  if (!row) return 'not_found';
  if (row.enabled !== 1) return 'endpoint_disabled';
  const result = await db.updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: stamp, updated_at: stamp })
    .where('id', '=', deliveryId).where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', stamp)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 0 ? 'in_flight' : 'queued';
}

/**
 * Queues a `ping` event (DESIGN 4b: POST …/:id/test) for this endpoint only; returns the event's id, or null when the
 * endpoint is disabled (nothing would be sent).
 */
export async function queuePing(db: Db, retailerId: string, endpointId: string, now = new Date()): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    const endpoint = await trx.selectFrom('webhook_endpoints').select('enabled')
      .where('retailer_id', '=', retailerId).where('id', '=', endpointId).executeTakeFirst();
    if (endpoint?.enabled !== 1) return null;
    const [id] = await recordEvents(trx, retailerId, [{ type: 'ping', data: { webhook_endpoint_id: endpointId } }],
      { now, onlyEndpointId: endpointId });
    return id;
  });
}

/** Deliveries waiting (pending), all retailers: for the metrics and the benchmark. */
export async function pendingDeliveryCount(db: Db): Promise<number> {
  const row = await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('status', '=', 'pending').executeTakeFirstOrThrow();
  return Number(row.n);
}

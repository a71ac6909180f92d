// The sync engine (DESIGN 4): one run of one connection, page by page.
//
// For each page the connector returns (upstream records mapped to our model, plus the resume state after it), one
// transaction: records keyed by (connection, upstream id) are created, updated, or skipped when their content hash
// is the stored one; status changes are recorded as events (source = the connection's kind); supplier updates held
// for a new PO number are applied; and connections.sync_state is set to the state after the page. The page and the
// state commit together or not at all.
//
// Why a run killed at any instant converges to what an uninterrupted run would have stored:
// - before a page's transaction commits, nothing of the page is stored and the stored state still points at the
//   page: the next run reads it again and writes it whole;
// - once it commits, the page's records and the state pointing past it are stored together: the next run starts
//   with the page after it, and if it reads a record again (overlap, a repeated listing) the content hash or the
//   modify_date stored with it says unchanged and nothing is written twice;
// - creation is keyed by (connection, upstream id) in synced_records, written in the same transaction as the PO, so
//   a record can never become two POs; the watermark moves only when a sweep's last page has committed.
// Memory stays flat: one page (≤ 500 POs) at a time, nothing accumulated across pages but counters.
import { hash } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { observeUpstream, upstreamUrlsLogged } from '../observability/upstream.ts';
import {
  SyncWriteCache, findSyncedRecords, loadSyncState, markGone, markListed, saveSyncState, unlistedOpenRecords,
  writeSyncedPage, type PageRecord,
} from '../store/synced-pos.ts';
import { ShipStationConnector } from './connectors/shipstation.ts';
import { shipStationErrorMessage } from './connectors/shipstation-mapping.ts';
import { StockyConnector } from './connectors/stocky.ts';
import { stockyErrorMessage } from './connectors/stocky-mapping.ts';
import type { Connector, ConnectorContext, SyncPage, SyncedPo } from './connectors/types.ts';
import { UpstreamClient, type ClientStats } from './http-client.ts';
import type { JsonClient } from './json-client.ts';
import type { ShipStationCredentials, StockyCredentials, SyncConnection, SyncCounts, SyncResult, SyncRunOptions } from './types.ts';
import { WorkerUpstreamClient } from './worker-client.ts';

/** Bumped when a mapping changes what it produces, so stored hashes stop matching and records are rewritten. */
export const MAPPING_VERSION = 1;

/** The documented limits of each upstream (requests a minute); a ShipStation X-Rate-Limit-Limit header overrides it. */
export const DEFAULT_REQUESTS_PER_MINUTE = { shipstation: 200, stocky: 120 } as const;

export interface SyncTuning {
  /** Requests a minute to stay under; 0: no limit. Default per kind (DEFAULT_REQUESTS_PER_MINUTE). */
  requestsPerMinute: number;
  /** Follow the upstream's X-Rate-Limit-Limit header when it sends one. Default true. */
  adaptRateLimit: boolean;
  /** Token bucket burst. Default: two seconds' worth. */
  burst?: number;
  /** Requests in flight at once (GETs by id). Default 8. */
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** How far before the watermark an incremental sweep starts. Default 10 minutes. */
  overlapMs: number;
  /** Page size for the upstream's list (ShipStation ≤ 500, Stocky ≤ 250). */
  pageSize?: number;
  fetch?: typeof fetch;
  /**
   * Make the upstream requests in a worker thread (worker-client.ts) rather than the run's thread. Default: for
   * ShipStation (one GET per PO: its HTTP work costs as much CPU as the writes and would otherwise stop during every
   * page's transaction), not for Stocky (whole POs in each list page, one request per 250), and never with `fetch`
   * given (an injected fetch is a function of this thread).
   */
  upstreamWorker?: boolean;
  /** The clock written into rows (status events, synced_at). */
  now?: () => Date;
}

/** Test and measurement hooks; not part of the runner's seam. */
export interface SyncHooks {
  /** Inside the page's transaction, after its writes and before its commit: throwing rolls the page back. */
  beforeCommit?: (page: number) => void | Promise<void>;
  /** After the page committed, before the next request. */
  afterCommit?: (page: number) => void | Promise<void>;
  /** The HTTP client's counters at the end (also when the run fails). */
  clientStats?: (stats: ClientStats) => void;
  /** Where the run's time went (ms): waiting for the upstream's pages, and in the page transactions. */
  timings?: (timings: { waitingForUpstreamMs: number; writingMs: number; pages: number }) => void;
}

export type ExtendedSyncRunOptions = SyncRunOptions & { tuning?: Partial<SyncTuning>; hooks?: SyncHooks };

const MAX_REPORTED_FAILURES = 5;

/**
 * SHA-256 of the mapped record. Plain JSON.stringify is canonical here: the mapping functions build every record
 * with the same keys in the same order (object literals), and it costs a tenth of a key-sorting serialiser.
 */
export function contentHash(po: SyncedPo): string {
  // crypto.hash: the same digest as createHash().update().digest() without a Hash object per PO (about half the cost).
  return hash('sha256', JSON.stringify([MAPPING_VERSION, po]), 'hex');
}

function tuningFor(connection: SyncConnection, given: Partial<SyncTuning> = {}): SyncTuning {
  return {
    requestsPerMinute: DEFAULT_REQUESTS_PER_MINUTE[connection.kind],
    adaptRateLimit: true,
    concurrency: 8,
    timeoutMs: 30_000,
    maxAttempts: 6,
    backoffBaseMs: 500,
    backoffCapMs: 30_000,
    overlapMs: 10 * 60_000,
    ...given,
  };
}

function clientFor(connection: SyncConnection, tuning: SyncTuning, signal: AbortSignal | undefined): JsonClient {
  const common = {
    baseUrl: connection.base_url,
    requestsPerMinute: tuning.requestsPerMinute,
    burst: tuning.burst,
    timeoutMs: tuning.timeoutMs,
    maxAttempts: tuning.maxAttempts,
    backoffBaseMs: tuning.backoffBaseMs,
    backoffCapMs: tuning.backoffCapMs,
    adaptToRateHeader: tuning.adaptRateLimit && tuning.burst === undefined,
    signal,
    fetch: tuning.fetch,
    observe: observeUpstream(connection.kind),
  };
  const headers: Record<string, string> = connection.kind === 'shipstation'
    ? { 'api-key': (connection.credentials as ShipStationCredentials).api_key }
    : { 'Store-Name': (connection.credentials as StockyCredentials).store_name, Authorization: `API KEY=${(connection.credentials as StockyCredentials).api_key}` };
  if (!tuning.fetch && (tuning.upstreamWorker ?? connection.kind === 'shipstation')) {
    const { fetch: _fetch, ...crossing } = common;
    return new WorkerUpstreamClient({ ...crossing, headers, kind: connection.kind, observeUrls: upstreamUrlsLogged() });
  }
  return new UpstreamClient({
    ...common, headers, describeError: connection.kind === 'shipstation' ? shipStationErrorMessage : stockyErrorMessage,
  });
}

function connectorFor(connection: SyncConnection, tuning: SyncTuning): Connector<unknown> {
  if (connection.kind === 'shipstation') {
    return new ShipStationConnector({ overlapMs: tuning.overlapMs, concurrency: tuning.concurrency, pageSize: tuning.pageSize }) as
      Connector<unknown>;
  }
  return new StockyConnector({ overlapMs: tuning.overlapMs, pageSize: tuning.pageSize }) as Connector<unknown>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Lets a request just started leave the process before a page's transaction holds the event loop. better-sqlite3
 * is synchronous, so a transaction runs start to commit without a turn of the event loop; and undici writes a request
 * on a kept-alive socket only in a setImmediate queued when the request is made (it checks first that the idle
 * socket was not closed by the server: undici's client-h1 scheduleIdleSocketValidation). Without these two turns
 * the read-ahead page was requested only once the page before had committed, and the upstream's time was not
 * overlapped with the write at all. Two turns: ours is queued before undici's, so the first ends before undici's
 * has run; the second starts after it (the request then is on the wire). Costs microseconds per page.
 */
async function requestsOnTheWire(): Promise<void> {
  await nextTurn();
  await nextTurn();
}

/**
 * How long a page's write waits at most for the read-ahead page to have asked for all its requests (its list answered
 * and its GETs by id sent). The list is usually there already (ShipStation's connector asks for it early); the cap
 * only bounds the delay when the upstream is slow or rate limited, where the write is not what limits the run.
 */
const READ_AHEAD_WAIT_MS = 250;

/**
 * Starts the read-ahead page: `page` is the connector's nextPage given `requested`; the result's `asked` resolves when
 * that is called (every request of the page asked for), the page settles, or READ_AHEAD_WAIT_MS has passed.
 */
function startReadAhead<P>(start: (requested: () => void) => Promise<P>): { page: Promise<P>; asked: Promise<void> } {
  let done!: () => void;
  const asked = new Promise<void>((resolve) => { done = resolve; });
  const timer = setTimeout(done, READ_AHEAD_WAIT_MS);
  const page = start(done);
  page.then(done, done);
  return { page, asked: asked.finally(() => clearTimeout(timer)) };
}

function parseState(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null; // unreadable: start over (a full sweep; unchanged records are skipped by hash)
  }
}

/**
 * Runs one sync of `connection`: resumes an unfinished sweep or starts one (full when asked, or when there is no
 * watermark yet), commits page after page, and returns the counts. Upstream failures that outlast the retries throw
 * an Error with the upstream's message; the stored state then resumes the next run where this one stopped.
 */
export async function executeSyncRun(db: Db, connection: SyncConnection, options: ExtendedSyncRunOptions): Promise<SyncResult> {
  const tuning = tuningFor(connection, options.tuning);
  const client = clientFor(connection, tuning, options.signal);
  const connector = connectorFor(connection, tuning);
  const counts: SyncCounts = { fetched: 0, created: 0, updated: 0, unchanged: 0, failed: 0 };
  const failures: string[] = [];
  const cache = new SyncWriteCache();
  const timings = { waitingForUpstreamMs: 0, writingMs: 0, pages: 0 };
  const now = tuning.now ?? (() => new Date());
  const context: ConnectorContext = {
    client,
    lookup: (ids) => findSyncedRecords(db, connection.id, ids),
    unlisted: (sweep, afterId, limit) => unlistedOpenRecords(db, connection.id, sweep, afterId, limit),
    full: options.full,
    signal: options.signal,
  };

  try {
    // The stored state is the truth (the runner's copy may be older than the last committed page).
    const stored = await db.selectFrom('connections').select('id').where('id', '=', connection.id).executeTakeFirst();
    if (!stored) throw new Error(`connection ${connection.id} does not exist`);
    let state = connector.initialState(parseState(await loadSyncState(db, connection.id)), options.full);
    // The next page is fetched while this one is written (the state after a page is known before it commits);
    // the write re-reads the stored records inside its transaction, so a look-up made early is never trusted.
    let upcoming = connector.nextPage(state, context);
    for (let pageNo = 1; ; pageNo++) {
      options.signal?.throwIfAborted();
      const waitStarted = performance.now();
      const page: SyncPage<unknown> | null = await upcoming;
      timings.waitingForUpstreamMs += performance.now() - waitStarted;
      if (!page) break;
      options.signal?.throwIfAborted();
      const readAhead = connector.canReadAhead(page.state);
      if (readAhead) {
        // The read-ahead page's GETs are all asked for before this page's transaction holds the thread: with the
        // worker client they go on during the write; in this thread, the first `concurrency` of them at least.
        const ahead = startReadAhead((requested) => connector.nextPage(page.state, { ...context, requested }));
        upcoming = ahead.page;
        upcoming.catch(() => {}); // surfaces when awaited; dropped if this page fails
        await ahead.asked;
        await requestsOnTheWire();
      }
      const writeStarted = performance.now();
      const records: PageRecord[] = page.records.map((po) => ({ po, hash: contentHash(po) }));
      const stamp = now();
      let result;
      try {
        result = await db.transaction().execute(async (trx) => {
          const known = await findSyncedRecords(trx, connection.id, records.map((r) => r.po.upstream_id));
          const written = await writeSyncedPage(trx, {
            retailerId: connection.retailer_id, connectionId: connection.id, source: connection.kind, sweep: page.sweep, now: stamp, cache,
          }, records, known);
          await markListed(trx, connection.id, page.current, page.sweep, stamp.toISOString());
          await markGone(trx, connection.id, page.gone, page.sweep, stamp.toISOString());
          await options.hooks?.beforeCommit?.(pageNo);
          await saveSyncState(trx, connection.id, JSON.stringify(page.state));
          return written;
        });
      } catch (error) {
        cache.clear(); // ids made in the rolled-back transaction are gone
        throw error;
      }
      if (!readAhead) {
        upcoming = connector.nextPage(page.state, context);
        upcoming.catch(() => {}); // surfaces when awaited; dropped if the run stops first (closing the client fails it)
      }
      timings.writingMs += performance.now() - writeStarted;
      timings.pages++;
      state = page.state;
      counts.fetched += page.records.length + page.current.length;
      counts.created += result.created;
      counts.updated += result.updated;
      counts.unchanged += result.unchanged + page.current.length;
      const rejected = page.rejected ?? [];
      counts.fetched += rejected.length;
      counts.failed += result.failures.length + rejected.length;
      for (const failure of [...rejected, ...result.failures]) if (failures.length < MAX_REPORTED_FAILURES) failures.push(failure.message);
      await options.hooks?.afterCommit?.(pageNo);
      await options.onProgress?.({ ...counts });
    }
    await saveSyncState(db, connection.id, JSON.stringify(connector.finish(state)));
  } finally {
    client.close();
    options.hooks?.clientStats?.({ ...client.stats, retries: { ...client.stats.retries } });
    options.hooks?.timings?.({ ...timings });
  }
  const more = counts.failed - failures.length;
  const error = counts.failed === 0 ? null
    : `${counts.failed} record${counts.failed === 1 ? '' : 's'} not synced: ${failures.join(' ')}${more > 0 ? ` (and ${more} more)` : ''}`;
  return { counts, error };
}

// The events outbox and feed (DESIGN 4b). Events are written by the transaction that makes the change (never
// after it), each with one pending delivery row per enabled webhook endpoint that takes its type, so a commit
// leaves both the event and its deliveries and a rollback leaves neither.
//
// Commit order. `seq` is taken at insert time, which on PostgreSQL is not commit order: a transaction that
// inserted seq 7 may commit after one that inserted seq 8, and a reader that had paged past 8 would never see 7.
// So the feed pages by `position`, which only the sequencer assigns, to committed rows, one sequencing step at a
// time (an advisory lock on PostgreSQL; SQLite has one writer, so seq is already commit order there). Every
// event a step numbers committed before the step ran, and every later step numbers only larger positions:
// a reader that has seen position p will see every event committed later above p.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PostgresAdapter, sql } from 'kysely';
import { createdEventPayload, eventPayload, poChangeEvents, poEventPayload, endpointTakes, type DeliverableType, type EventDraft, type EventType, type V2Record, type WriteNotes }
  from '../domain/events.ts';
import { renderInstant } from '../domain/dates.ts';
import { idFrom, newId } from '../domain/ids.ts';
import type { Db } from '../db/database.ts';
import { insertRows } from './bulk-insert.ts';

const isPostgres = (db: Db) => db.getExecutor().adapter instanceof PostgresAdapter;

// ---- what writers note inside their transaction -----------------------------------------------------------

/** Notes per transaction object, read when the PO's renderings are refreshed in the same transaction. */
const notesByTransaction = new WeakMap<object, Map<string, WriteNotes>>();

function notesFor(trx: Db, poId: string): WriteNotes {
  let byPo = notesByTransaction.get(trx);
  if (!byPo) notesByTransaction.set(trx, (byPo = new Map()));
  let notes = byPo.get(poId);
  if (!notes) byPo.set(poId, (notes = {}));
  return notes;
}

/** Records a lifecycle move (DESIGN 3) for the PO's next refresh in this transaction; a second move keeps the first `previous_status`. */
export function noteLifecycleChange(trx: Db, poId: string, previous: string | null, status: string): void {
  const notes = notesFor(trx, poId);
  notes.lifecycle = { previous_status: notes.lifecycle ? notes.lifecycle.previous_status : previous, status };
}

/** Records header fields (their API names) a lifecycle write changed that the v2 record does not show. */
export function noteChangedFields(trx: Db, poId: string, fields: string[]): void {
  const notes = notesFor(trx, poId);
  notes.changedFields = [...new Set([...(notes.changedFields ?? []), ...fields])];
}

function takeNotes(trx: Db, poId: string): WriteNotes {
  const byPo = notesByTransaction.get(trx);
  const notes = byPo?.get(poId) ?? {};
  byPo?.delete(poId);
  return notes;
}

// ---- writing events -----------------------------------------------------------------------------------------

interface EndpointChoice {
  id: string;
  enabledEvents: string[];
}

async function enabledEndpoints(db: Db, retailerId: string): Promise<EndpointChoice[]> {
  const rows = await db.selectFrom('webhook_endpoints').select(['id', 'enabled_events'])
    .where('retailer_id', '=', retailerId).where('enabled', '=', 1).execute();
  return rows.map((row) => ({ id: row.id, enabledEvents: JSON.parse(row.enabled_events) as string[] }));
}

const CHUNK = 500;

type EventRow = { id: string; retailer_id: string; type: string; payload: string; created_at: string };

/**
 * Writes events of one retailer, and a pending delivery for each enabled endpoint taking its type (or for
 * `onlyEndpointId`: the test ping). Call inside the transaction making the change. Returns the events' ids.
 */
export async function recordEvents(
  db: Db, retailerId: string, drafts: readonly EventDraft[], options: { now?: Date; onlyEndpointId?: string } = {},
): Promise<string[]> {
  if (drafts.length === 0) return [];
  const now = options.now ?? new Date();
  const stamp = now.toISOString();
  const rows = drafts.map((draft) => {
    const id = newId('evt', now.getTime());
    return { id, retailer_id: retailerId, type: draft.type, payload: eventPayload(id, draft.type, renderInstant(stamp), draft.data), created_at: stamp };
  });
  for (let i = 0; i < rows.length; i += CHUNK) await db.insertInto('events').values(rows.slice(i, i + CHUNK)).execute();

  const endpoints = options.onlyEndpointId
    ? [{ id: options.onlyEndpointId, enabledEvents: ['*'] }]
    : await enabledEndpoints(db, retailerId);
  const deliveries = endpoints.flatMap((endpoint) => rows
    .filter((row) => options.onlyEndpointId !== undefined || endpointTakes(endpoint.enabledEvents, row.type as DeliverableType))
    .map((row) => ({
      id: newId('whd', now.getTime()), retailer_id: retailerId, endpoint_id: endpoint.id, event_id: row.id, type: row.type,
      status: 'pending', attempts: 0, next_attempt_at: stamp, lease_until: null, created_at: stamp, updated_at: stamp,
    })));
  for (let i = 0; i < deliveries.length; i += CHUNK) {
    await db.insertInto('webhook_deliveries').values(deliveries.slice(i, i + CHUNK)).execute();
  }
  return rows.map((row) => row.id);
}

/** Events' rows (ids made by the caller) and their deliveries, each in multi-row prepared statements (store/bulk-insert.ts). */
async function writeEventRows(
  db: Db, retailerId: string, rows: readonly EventRow[], endpoints: readonly EndpointChoice[], everyType: boolean, now: Date,
): Promise<void> {
  const stamp = now.toISOString();
  await insertRows(db, 'events', rows);
  const deliveries = endpoints.flatMap((endpoint) => rows
    .filter((row) => everyType || endpointTakes(endpoint.enabledEvents, row.type as DeliverableType))
    .map((row) => ({
      id: newId('whd', now.getTime()), retailer_id: retailerId, endpoint_id: endpoint.id, event_id: row.id, type: row.type,
      status: 'pending', attempts: 0, next_attempt_at: stamp, lease_until: null, created_at: stamp, updated_at: stamp,
    })));
  await insertRows(db, 'webhook_deliveries', deliveries);
}

/**
 * One event that is not about a PO's record (DESIGN 4b: `supplier_update.unmatched` {po_number, update},
 * `supplier_update.rejected` {po_number, update, reason, document_id}: a held update of an X12 set the PO refused,
 * `supplier_document.processed` {document_id, summary}, `sync_run.failed` {connection_id, run_id, error}).
 * Call inside the change's transaction. Returns the event's id.
 */
export async function recordEvent(db: Db, retailerId: string, type: EventType, data: Record<string, unknown>, now = new Date()): Promise<string> {
  const [id] = await recordEvents(db, retailerId, [{ type, data }], { now });
  return id;
}

/**
 * The events of one write of a PO, from its v2 rendering before (null: created by this write) and after, plus
 * what the writer noted in this transaction (noteLifecycleChange, noteChangedFields). `data.purchase_order` is
 * the after record as stored (invoice links as document ids, signed whenever the event is served or delivered).
 */
export async function recordPoChange(db: Db, retailerId: string, poId: string, before: string | null, after: string): Promise<void> {
  await recordPoChanges(db, retailerId, [{ poId, before, after }]);
}

/** One PO's v2 rendering before (null: created by the write) and after a write. */
export interface PoViewChange {
  poId: string;
  before: string | null;
  after: string;
  /** `after` as an object (domain/render.ts renderV2Record), when the writer has it: saves parsing the text. */
  afterRecord?: V2Record;
}

/** recordPoChange for many POs of one retailer, their events written together (a batch of supplier updates). */
export async function recordPoChanges(db: Db, retailerId: string, changes: readonly PoViewChange[], now = new Date()): Promise<void> {
  const stamp = now.toISOString();
  const createdAt = renderInstant(stamp);
  const rows: EventRow[] = [];
  for (const { poId, before, after, afterRecord } of changes) {
    const notes = takeNotes(db, poId);
    // Unchanged text is an unchanged record: no event (and no parsing), unless the writer noted something.
    if (before === after && notes.lifecycle === undefined && notes.changedFields === undefined) continue;
    const record = afterRecord ?? (JSON.parse(after) as V2Record);
    for (const { type, data } of poChangeEvents(before === null ? null : (JSON.parse(before) as V2Record), record, notes)) {
      const { po_number, ...rest } = data;
      const id = newId('evt', now.getTime());
      // The record is spliced in as stored: what by-po returns, byte for byte.
      rows.push({ id, retailer_id: retailerId, type, payload: poEventPayload(id, type, createdAt, String(po_number), after, rest), created_at: stamp });
    }
  }
  if (rows.length > 0) await writeEventRows(db, retailerId, rows, await enabledEndpoints(db, retailerId), false, now);
}

/**
 * `purchase_order.created` for new POs (`view_v2`: each one's stored v2 text): the events recordPoChange(db,
 * retailer, id, null, view_v2) writes for each, but one multi-row insert of events (and of deliveries) per retailer,
 * one endpoint look-up per retailer, and each payload built around the stored text instead of parsing and
 * re-serialising it (domain/events.ts createdEventPayload). For bulk creation: a sync page, a seed with events.
 */
export async function recordPoCreations(
  db: Db, pos: readonly { retailer_id: string; id: string; po_number: string; view_v2: string }[], now = new Date(),
): Promise<void> {
  const stamp = now.toISOString();
  const createdAt = renderInstant(stamp);
  const byRetailer = new Map<string, EventRow[]>();
  for (const po of pos) {
    takeNotes(db, po.id); // a new PO has no earlier record to compare notes with; drop any, as recordPoChange does
    const id = newId('evt', now.getTime());
    let rows = byRetailer.get(po.retailer_id);
    if (!rows) byRetailer.set(po.retailer_id, (rows = []));
    rows.push({ id, retailer_id: po.retailer_id, type: 'purchase_order.created', payload: createdEventPayload(id, createdAt, po.po_number, po.view_v2), created_at: stamp });
  }
  for (const [retailerId, rows] of byRetailer) {
    await writeEventRows(db, retailerId, rows, await enabledEndpoints(db, retailerId), false, now);
  }
}

// ---- the feed -------------------------------------------------------------------------------------------------

/**
 * Rows one statement of the feed's bookkeeping touches at most (numbering, pruning): better-sqlite3 runs a statement
 * synchronously, so one statement over an unbounded backlog (a sync's 100,000 events, a day of events past 30 days)
 * would hold the event loop for seconds; in batches with a turn between them, requests go on meanwhile.
 */
const BOOKKEEPING_BATCH = 500;

/**
 * Numbers committed, not yet numbered events in commit order (see the top of this file). Cheap when there is
 * nothing to number (a partial index on unnumbered rows). Returns how many it numbered.
 */
export async function sequenceEvents(db: Db): Promise<number> {
  if (!isPostgres(db)) {
    // One writer: seq is commit order already. BOOKKEEPING_BATCH at a time, a turn of the event loop between.
    let numbered = 0;
    for (;;) {
      const result = await db.updateTable('events').set((eb) => ({ position: eb.ref('seq') }))
        .where('seq', 'in', db.selectFrom('events').select('seq').where('position', 'is', null).orderBy('seq').limit(BOOKKEEPING_BATCH))
        .executeTakeFirst();
      const count = Number(result.numUpdatedRows);
      numbered += count;
      if (count < BOOKKEEPING_BATCH) return numbered;
      await nextTurn();
    }
  }
  return db.transaction().execute(async (trx) => {
    // One step at a time per schema; each statement below sees every commit made before it started.
    await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ':ordersync-event-positions'))`.execute(trx);
    const result = await sql`update events set position = numbered.position
      from (select seq, nextval('event_positions') as position from (select seq from events where position is null order by seq) pending) numbered
      where events.seq = numbered.seq`.execute(trx);
    return Number(result.numAffectedRows ?? 0);
  });
}

export interface StoredEvent {
  id: string;
  type: string;
  payload: string;
  position: number;
}

/** The position of one of the retailer's numbered events, or undefined (unknown, another retailer's, pruned). */
export async function eventPosition(db: Db, retailerId: string, eventId: string): Promise<number | undefined> {
  const read = () => db.selectFrom('events').select('position').where('retailer_id', '=', retailerId).where('id', '=', eventId)
    .executeTakeFirst();
  let row = await read();
  if (row && row.position === null) {
    await sequenceEvents(db); // committed, not numbered yet (a webhook can arrive before the feed is read)
    row = await read();
  }
  return row?.position === undefined || row.position === null ? undefined : Number(row.position);
}

/**
 * One page of the retailer's feed: numbered events above `afterPosition` in commit order, `limit` + 1 read to
 * tell whether there are more; `types` filters (empty: all). Pings are never in the feed.
 */
export async function listEvents(
  db: Db, retailerId: string, page: { afterPosition: number; limit: number; types: readonly string[] },
): Promise<{ events: StoredEvent[]; hasMore: boolean }> {
  await sequenceEvents(db);
  const base = () => db.selectFrom('events').select(['id', 'type', 'payload', 'position'])
    .where('retailer_id', '=', retailerId).where('position', '>', page.afterPosition);
  let rows: { id: string; type: string; payload: string; position: number | string | null }[];
  if (page.types.length === 0) {
    rows = await base().where('type', '!=', 'ping').orderBy('position').limit(page.limit + 1).execute();
  } else {
    // Filtered: each type's next page is a seek on (retailer_id, type, position) (migration 0026); one condition on
    // all the types would walk every event past `after` looking for them, however rare they are. One statement
    // (a union of the seeks), so one snapshot: pages read at different moments could each miss what the other saw
    // numbered, and the cursor would pass over it.
    const [first, ...rest] = [...new Set(page.types)].map((type, i) =>
      db.selectFrom(base().where('type', '=', type).orderBy('position').limit(page.limit + 1).as(`t${i}`)).selectAll());
    const union = rest.reduce((query, next) => query.unionAll(next), first);
    rows = await union.orderBy('position').limit(page.limit + 1).execute();
  }
  return {
    events: rows.slice(0, page.limit).map((row) => ({ ...row, position: Number(row.position) })),
    hasMore: rows.length > page.limit,
  };
}

/** One event of the retailer (pings included: a delivery refers to them), or undefined. */
export async function findEvent(db: Db, retailerId: string, eventId: string): Promise<{ id: string; type: string; payload: string } | undefined> {
  return db.selectFrom('events').select(['id', 'type', 'payload'])
    .where('retailer_id', '=', retailerId).where('id', '=', eventId).executeTakeFirst();
}

/** How long events (and their deliveries) are kept: 30 days (DESIGN 4b). */
export const EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Deletes events and finished deliveries (their attempts go with them, ON DELETE CASCADE) older than the retention,
 * BOOKKEEPING_BATCH rows a statement with a turn of the event loop between; an event with a pending delivery is
 * kept until that ends. Returns how many events it deleted.
 */
export async function pruneEvents(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - EVENT_RETENTION_MS);
  const stamp = cutoff.toISOString();
  // Delivery ids begin with their creation time (domain/ids.ts): older ones are a range of the primary key.
  const before = idFrom('whd', cutoff.getTime(), 0);
  for (;;) {
    const finished = await db.selectFrom('webhook_deliveries').select('id').where('id', '<', before).where('created_at', '<', stamp)
      .where('status', '!=', 'pending').orderBy('id').limit(BOOKKEEPING_BATCH).execute();
    if (finished.length > 0) await db.deleteFrom('webhook_deliveries').where('id', 'in', finished.map((d) => d.id)).execute();
    if (finished.length < BOOKKEEPING_BATCH) break;
    await nextTurn();
  }
  let deleted = 0;
  // Walked in (created_at, seq) order, the index events_created (SQLite keeps seq, the rowid, in it): past the
  // events kept for their pending deliveries, never over the newer ones.
  let after: { created_at: string; seq: number } | undefined;
  for (;;) {
    let query = db.selectFrom('events').select(['seq', 'id', 'created_at']).where('created_at', '<', stamp);
    if (after) {
      const { created_at: at, seq } = after;
      query = query.where((eb) => eb.or([eb('created_at', '>', at), eb.and([eb('created_at', '=', at), eb('seq', '>', seq)])]));
    }
    const old = await query.orderBy('created_at').orderBy('seq').limit(BOOKKEEPING_BATCH).execute();
    if (old.length === 0) return deleted;
    after = { created_at: old.at(-1)!.created_at, seq: Number(old.at(-1)!.seq) };
    const waiting = new Set((await db.selectFrom('webhook_deliveries').select('event_id').where('status', '=', 'pending')
      .where('event_id', 'in', old.map((e) => e.id)).execute()).map((d) => d.event_id));
    const gone = old.filter((e) => !waiting.has(e.id)).map((e) => e.seq);
    if (gone.length > 0) deleted += Number((await db.deleteFrom('events').where('seq', 'in', gone).executeTakeFirst()).numDeletedRows);
    if (old.length < BOOKKEEPING_BATCH) return deleted;
    await nextTurn();
  }
}

/** The retailer's newest numbered position (0 when none): where `ordersync events tail` starts following. */
export async function latestPosition(db: Db, retailerId: string): Promise<number> {
  await sequenceEvents(db);
  const row = await db.selectFrom('events').select((eb) => eb.fn.max('position').as('position'))
    .where('retailer_id', '=', retailerId).executeTakeFirst();
  return Number(row?.position ?? 0);
}

// Sync connections of a retailer (DESIGN section 4): create, list, get, update, delete, scoped by retailer_id,
// and the runners' look-ups (due connections, a connection with its credentials decrypted for the engine).
// Credentials are encrypted on the way in (domain/credentials.ts) and leave this module only through
// loadSyncConnection; nothing else returns them, encrypted or not.
import { PostgresAdapter, type Selectable } from 'kysely';
import { decryptCredentials, encryptCredentials } from '../domain/credentials.ts';
import { nextRunAt, type ConnectionKind } from '../domain/connections.ts';
import { newId } from '../domain/ids.ts';
import type { Db } from '../db/database.ts';
import type { ConnectionsTable } from '../db/schema.ts';
import type { Credentials, SyncConnection } from '../sync/types.ts';
import { failStaleRuns, runningRunId } from './sync-runs.ts';

export interface ConnectionInput {
  kind: ConnectionKind;
  name: string;
  base_url: string;
  credentials: Credentials;
  schedule_minutes: number;
  enabled: boolean;
}

export type ConnectionPatch = Partial<Omit<ConnectionInput, 'kind'>>;

/** A stored connection without its credentials or the engine's state. */
export interface Connection {
  id: string;
  retailer_id: string;
  kind: ConnectionKind;
  name: string;
  base_url: string;
  schedule_minutes: number;
  enabled: boolean;
  next_run_at: string;
  created_at: string;
  updated_at: string;
}

export type ConnectionWrite =
  | { ok: true; connection: Connection }
  | { ok: false; reason: 'duplicate_name' | 'not_found' };

export type DeleteResult = { ok: true } | { ok: false; reason: 'not_found' } | { ok: false; reason: 'running'; runId: string };

const PUBLIC_COLUMNS = [
  'id', 'retailer_id', 'kind', 'name', 'base_url', 'schedule_minutes', 'enabled', 'next_run_at', 'created_at', 'updated_at',
] as const;

type PublicRow = Pick<Selectable<ConnectionsTable>, (typeof PUBLIC_COLUMNS)[number]>;

function toConnection(row: PublicRow): Connection {
  return {
    id: row.id, retailer_id: row.retailer_id, kind: row.kind as ConnectionKind, name: row.name, base_url: row.base_url,
    schedule_minutes: row.schedule_minutes, enabled: Boolean(row.enabled), next_run_at: row.next_run_at,
    created_at: row.created_at, updated_at: row.updated_at,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

async function nameTaken(db: Db, retailerId: string, name: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('connections').select('id').where('retailer_id', '=', retailerId).where('name', '=', name);
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** A new connection, due for its first run now; `duplicate_name` when the retailer has one by that name. */
export async function createConnection(
  db: Db, secret: string, retailerId: string, input: ConnectionInput, now = new Date(),
): Promise<ConnectionWrite> {
  if (await nameTaken(db, retailerId, input.name)) return { ok: false, reason: 'duplicate_name' };
  const at = now.toISOString();
  const id = newId('conn', now.getTime());
  const row: Selectable<ConnectionsTable> = {
    id, retailer_id: retailerId, kind: input.kind, name: input.name, base_url: input.base_url,
    credentials_encrypted: encryptCredentials(secret, input.credentials, id),
    schedule_minutes: input.schedule_minutes, enabled: input.enabled ? 1 : 0, sync_state: null,
    next_run_at: at, created_at: at, updated_at: at,
  };
  try {
    // Its own (one-statement) transaction: inside a request transaction it is a savepoint, so a refused insert
    // leaves that transaction usable (PostgreSQL aborts a transaction on any failed statement).
    await db.transaction().execute((trx) => trx.insertInto('connections').values(row).execute());
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'duplicate_name' };
    throw error;
  }
  return { ok: true, connection: toConnection(row) };
}

/** One connection of this retailer, or undefined (also for another retailer's id). */
export async function findConnection(db: Db, retailerId: string, connectionId: string): Promise<Connection | undefined> {
  const row = await db.selectFrom('connections').select(PUBLIC_COLUMNS)
    .where('retailer_id', '=', retailerId).where('id', '=', connectionId).executeTakeFirst();
  return row ? toConnection(row) : undefined;
}

/** One page of the retailer's connections in creation order, and how many it has in all. */
export async function listConnections(
  db: Db, retailerId: string, page: { limit: number; offset: number },
): Promise<{ connections: Connection[]; total: number }> {
  const query = db.selectFrom('connections').where('retailer_id', '=', retailerId);
  const [rows, count] = await Promise.all([
    query.select(PUBLIC_COLUMNS).orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { connections: rows.map(toConnection), total: Number(count.n) };
}

/** Every connection with its retailer's name, for the operator's `ordersync connections list`. */
export async function listAllConnections(db: Db): Promise<(Connection & { retailer: string })[]> {
  const rows = await db.selectFrom('connections').innerJoin('retailers', 'retailers.id', 'connections.retailer_id')
    .select(PUBLIC_COLUMNS.map((column) => `connections.${column}` as const)).select('retailers.name as retailer')
    .orderBy('retailers.name').orderBy('connections.created_at').orderBy('connections.id').execute();
  return rows.map((row) => ({ ...toConnection(row), retailer: row.retailer }));
}

/** The retailer that owns a connection, or undefined: for operator commands that name a connection by id only. */
export async function connectionRetailer(db: Db, connectionId: string): Promise<string | undefined> {
  const row = await db.selectFrom('connections').select('retailer_id').where('id', '=', connectionId).executeTakeFirst();
  return row?.retailer_id;
}

/**
 * Changes the given fields. New credentials replace the old ones whole. A new schedule brings the next run
 * forward when the new schedule from now comes sooner; the kind never changes.
 */
export async function updateConnection(
  db: Db, secret: string, retailerId: string, connectionId: string, patch: ConnectionPatch, now = new Date(),
): Promise<ConnectionWrite> {
  try {
    return await db.transaction().execute(async (trx): Promise<ConnectionWrite> => {
      const current = await trx.selectFrom('connections').select(PUBLIC_COLUMNS)
        .where('retailer_id', '=', retailerId).where('id', '=', connectionId).executeTakeFirst();
      if (!current) return { ok: false, reason: 'not_found' };
      if (patch.name !== undefined && patch.name !== current.name && await nameTaken(trx, retailerId, patch.name, connectionId)) {
        return { ok: false, reason: 'duplicate_name' };
      }
      const changes: Partial<Selectable<ConnectionsTable>> = { updated_at: now.toISOString() };
      if (patch.name !== undefined) changes.name = patch.name;
      if (patch.base_url !== undefined) changes.base_url = patch.base_url;
      if (patch.enabled !== undefined) changes.enabled = patch.enabled ? 1 : 0;
      if (patch.credentials !== undefined) changes.credentials_encrypted = encryptCredentials(secret, patch.credentials, connectionId);
      if (patch.schedule_minutes !== undefined) {
        changes.schedule_minutes = patch.schedule_minutes;
        const sooner = nextRunAt(now, patch.schedule_minutes);
        if (sooner < current.next_run_at) changes.next_run_at = sooner;
      }
      await trx.updateTable('connections').set(changes)
        .where('retailer_id', '=', retailerId).where('id', '=', connectionId).execute();
      return { ok: true, connection: toConnection({ ...current, ...changes } as PublicRow) };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'duplicate_name' };
    throw error;
  }
}

/**
 * Deletes the connection and its run history, unless a run is running (its POs stay: they belong to the
 * retailer). A stale running run does not block: it is marked interrupted first.
 */
export async function deleteConnection(db: Db, retailerId: string, connectionId: string, now = new Date()): Promise<DeleteResult> {
  return db.transaction().execute(async (trx): Promise<DeleteResult> => {
    // A write first (SQLite takes the write lock here); a no-op for another retailer's id.
    await failStaleRuns(trx, { now }, connectionId, retailerId);
    let lookup = trx.selectFrom('connections').select('id').where('retailer_id', '=', retailerId).where('id', '=', connectionId);
    // PostgreSQL: lock the row, so a run starting now (its insert takes a key-share lock on this row) either
    // committed before and is seen below, or waits and then finds the connection gone.
    if (trx.getExecutor().adapter instanceof PostgresAdapter) lookup = lookup.forUpdate();
    if (!(await lookup.executeTakeFirst())) return { ok: false, reason: 'not_found' };
    const running = await runningRunId(trx, connectionId);
    if (running) return { ok: false, reason: 'running', runId: running };
    await trx.deleteFrom('sync_runs').where('connection_id', '=', connectionId).execute();
    // The engine's bookkeeping (upstream id → PO, content hashes) means nothing without its connection.
    await trx.deleteFrom('synced_records').where('connection_id', '=', connectionId).execute();
    await trx.deleteFrom('connections').where('retailer_id', '=', retailerId).where('id', '=', connectionId).execute();
    return { ok: true };
  });
}

/** Ids of enabled connections whose next run is due at `now`, the longest-waiting first. */
export async function dueConnectionIds(db: Db, now = new Date(), limit = 100): Promise<string[]> {
  const rows = await db.selectFrom('connections').select('id')
    .where('enabled', '=', 1).where('next_run_at', '<=', now.toISOString())
    .orderBy('next_run_at').orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/**
 * The connection as the engine gets it (sync/types.ts): credentials decrypted, sync_state as stored; undefined
 * when there is no such connection. Throws CredentialsDecryptionError when the credentials do not decrypt.
 */
export async function loadSyncConnection(db: Db, secret: string, connectionId: string): Promise<SyncConnection | undefined> {
  const row = await db.selectFrom('connections')
    .select(['id', 'retailer_id', 'kind', 'name', 'base_url', 'credentials_encrypted', 'sync_state'])
    .where('id', '=', connectionId).executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id, retailer_id: row.retailer_id, kind: row.kind as ConnectionKind, name: row.name, base_url: row.base_url,
    credentials: decryptCredentials<Credentials>(secret, row.credentials_encrypted, row.id), sync_state: row.sync_state,
  };
}

// Held supplier updates (DESIGN 3: kept as unmatched until a PO with their number appears) are bounded (issue 9):
// one expires HELD_UPDATE_DAYS after it arrived — it stays listed as expired, with the time, and is no longer
// applied — and a retailer holds at most HELD_UPDATE_LIMIT unexpired ones (supplier-updates.ts refuses more).
// Expired ones are deleted EXPIRED_RETENTION_DAYS after they expired. Held updates of an X12 set the PO refused
// when it appeared (store/held-update-replay.ts) are `rejected`, final, with the reason, and deleted
// EXPIRED_RETENTION_DAYS after that.
import type { Db } from '../db/database.ts';

export const DEFAULT_HELD_UPDATE_DAYS = 90;
export const DEFAULT_HELD_UPDATE_LIMIT = 100_000;
/** How long an expired held update stays listed before it is deleted. */
export const EXPIRED_RETENTION_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The refusal given for an update that would be held beyond the retailer's limit. */
export function heldLimitReason(limit: number): string {
  return `Not held: ${limit} updates for unknown PO numbers are already held (HELD_UPDATE_LIMIT). `
    + 'Check the PO numbers this feed sends; held updates expire after HELD_UPDATE_DAYS, or send it again once the PO exists.';
}

/** Unexpired held updates of a retailer. */
export async function countHeldSupplierUpdates(db: Db, retailerId: string): Promise<number> {
  const row = await db.selectFrom('held_supplier_updates').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('retailer_id', '=', retailerId).where('expired_at', 'is', null).where('rejected_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface ExpiredHeldUpdate {
  id: string;
  retailer_id: string;
  po_number: string;
  payload: string;
}

/**
 * Marks held updates received more than `days` before `now` as expired (expired_at = now), for one retailer
 * or all, and deletes those expired (or rejected) more than EXPIRED_RETENTION_DAYS ago; one transaction. Returns the updates
 * it expired.
 */
export async function expireHeldSupplierUpdates(db: Db, now: Date, days: number, retailerId?: string): Promise<ExpiredHeldUpdate[]> {
  const cutoff = new Date(now.getTime() - days * DAY_MS).toISOString();
  const purgeBefore = new Date(now.getTime() - EXPIRED_RETENTION_DAYS * DAY_MS).toISOString();
  const run = async (trx: Db) => {
    let due = trx.selectFrom('held_supplier_updates').select(['id', 'retailer_id', 'po_number', 'payload'])
      .where('expired_at', 'is', null).where('rejected_at', 'is', null).where('received_at', '<', cutoff);
    if (retailerId) due = due.where('retailer_id', '=', retailerId);
    const expired = await due.execute();
    for (let i = 0; i < expired.length; i += 500) {
      await trx.updateTable('held_supplier_updates').set({ expired_at: now.toISOString() })
        .where('id', 'in', expired.slice(i, i + 500).map((row) => row.id)).execute();
    }
    // Events: when the outbox lands, record `supplier_update.expired` for each of `expired` here, in this
    // transaction (DESIGN 4b: no change without its event).
    // Two statements, not one with OR: each is then found by its own index (expired_at, rejected_at).
    for (const column of ['expired_at', 'rejected_at'] as const) {
      let purge = trx.deleteFrom('held_supplier_updates').where(column, '<', purgeBefore);
      if (retailerId) purge = purge.where('retailer_id', '=', retailerId);
      await purge.execute();
    }
    return expired;
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

export interface HeldUpdateListing {
  id: string;
  po_number: string;
  type: string;
  status: HeldStatus;
  received_at: string;
  /** When it expires (held) or expired (expired), or when its set was refused (rejected), UTC ISO 8601. */
  expires_at: string;
  expired_at: string | null;
  /** Rejected: when its X12 set was refused against the PO that appeared, and why (`ST 0001 (856) rejected: …`). */
  rejected_at: string | null;
  reason: string | null;
  update: unknown;
}

/** held: waiting for its PO; expired: HELD_UPDATE_DAYS passed first; rejected: its X12 set was refused by the PO. */
export type HeldStatus = 'held' | 'expired' | 'rejected';

export interface HeldUpdateFilters {
  status?: HeldStatus;
  po_number?: string;
}

/**
 * One page of the retailer's held updates, oldest first (received_at, id), with the total; expiry is brought
 * up to date for the retailer first, so the statuses are current.
 */
export async function listHeldSupplierUpdates(
  db: Db, retailerId: string, filters: HeldUpdateFilters, page: { limit: number; offset: number }, days: number, now = new Date(),
): Promise<{ updates: HeldUpdateListing[]; total: number }> {
  await expireHeldSupplierUpdates(db, now, days, retailerId);
  let query = db.selectFrom('held_supplier_updates').where('retailer_id', '=', retailerId);
  if (filters.status === 'held') query = query.where('expired_at', 'is', null).where('rejected_at', 'is', null);
  if (filters.status === 'expired') query = query.where('expired_at', 'is not', null);
  if (filters.status === 'rejected') query = query.where('rejected_at', 'is not', null);
  const columns = ['id', 'po_number', 'payload', 'received_at', 'expired_at', 'rejected_at', 'reason'] as const;
  let total: number;
  let rows: {
    id: string; po_number: string; payload: string; received_at: string; expired_at: string | null; rejected_at: string | null;
    reason: string | null;
  }[];
  if (filters.po_number !== undefined) {
    // One PO number's held updates are few: read them all by (retailer_id, po_number) and sort and page here.
    // Asked for in SQL in (received_at, id) order, SQLite (no statistics) walks every held update of the retailer
    // in received_at order instead, to save that sort.
    const all = await query.where('po_number', '=', filters.po_number).select(columns).execute();
    all.sort((a, b) => (a.received_at < b.received_at ? -1 : a.received_at > b.received_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    total = all.length;
    rows = all.slice(page.offset, page.offset + page.limit);
  } else {
    const [count, found] = await Promise.all([
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      query.select(columns).orderBy('received_at').orderBy('id').limit(page.limit).offset(page.offset).execute(),
    ]);
    total = Number(count.n);
    rows = found;
  }
  return {
    total,
    updates: rows.map((row) => {
      const update = JSON.parse(row.payload) as { type?: string };
      return {
        id: row.id, po_number: row.po_number, type: update.type ?? 'unknown',
        status: row.rejected_at ? 'rejected' : row.expired_at ? 'expired' : 'held', received_at: row.received_at,
        expires_at: row.rejected_at ?? row.expired_at ?? new Date(Date.parse(row.received_at) + days * DAY_MS).toISOString(),
        expired_at: row.expired_at, rejected_at: row.rejected_at, reason: row.reason, update,
      };
    }),
  };
}

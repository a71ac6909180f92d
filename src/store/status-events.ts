// Status changes of a PO (lifecycle axis) and its lines (fulfilment axis), each recorded as a status event.
import { newId } from '../domain/ids.ts';
import type { FulfilmentStatus } from '../domain/statuses.ts';
import type { Db } from '../db/database.ts';
import { noteLifecycleChange } from './events.ts';

export interface LineStatusChange {
  lineId: string;
  from: string;
  to: FulfilmentStatus;
}

/** Sets line statuses and records one event per real change; returns how many lines changed. */
export async function changeLineStatuses(
  db: Db, retailerId: string, poId: string, changes: LineStatusChange[], source: string, at = new Date(),
): Promise<number> {
  let changed = 0;
  for (const change of changes) {
    if (change.from === change.to) continue;
    await db.updateTable('po_lines').set({ fulfilment_status: change.to }).where('id', '=', change.lineId).execute();
    await db.insertInto('status_events').values({
      id: newId('evt'), retailer_id: retailerId, po_id: poId, line_id: change.lineId, axis: 'fulfilment',
      from_status: change.from, to_status: change.to, source, occurred_at: at.toISOString(),
    }).execute();
    changed++;
  }
  return changed;
}

/**
 * Sets the PO's lifecycle status and records the status event; the move becomes a
 * `purchase_order.lifecycle_status_changed` event when the PO's renderings are refreshed in this transaction.
 */
export async function changeLifecycleStatus(
  db: Db, retailerId: string, poId: string, from: string | null, to: string, source: string, at = new Date(),
): Promise<void> {
  await db.updateTable('purchase_orders').set({ status: to, updated_at: at.toISOString() }).where('id', '=', poId).execute();
  await db.insertInto('status_events').values({
    id: newId('evt'), retailer_id: retailerId, po_id: poId, line_id: null, axis: 'lifecycle',
    from_status: from, to_status: to, source, occurred_at: at.toISOString(),
  }).execute();
  noteLifecycleChange(db, poId, from, to);
}

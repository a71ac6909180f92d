// Status rules of supplier updates (DESIGN section 3): line statuses only move forward along pending <
// submitted < confirmed < processing < backorder < shipped < in transit < delivered < complete; cancelled lines
// stay cancelled; a line is shipped once its full quantity has shipped and delivered once every shipped part is
// delivered.
import type { FulfilmentStatus } from '../statuses.ts';

/** The normal path; review, internal review and invalid are off it (a supplier's word moves them on). */
const PROGRESS_RANK: Partial<Record<FulfilmentStatus, number>> = {
  pending: 0, submitted: 1, confirmed: 2, processing: 3, backorder: 4, shipped: 5, 'in transit': 6, delivered: 7, complete: 8,
};
const SHIPPED_RANK = 5;

export const rankOf = (status: FulfilmentStatus) => PROGRESS_RANK[status] ?? 0;

/**
 * Where a line goes when a supplier or carrier reports `target`: never backwards along the path, never out of
 * cancelled; cancelled and invalid apply only to lines that have not shipped (a line with some units shipped is
 * kept out of a cancellation by planOrder, which knows its shipments).
 */
export function advanceStatus(current: FulfilmentStatus, target: FulfilmentStatus): FulfilmentStatus {
  if (current === 'cancelled' || current === target) return current;
  if (target === 'cancelled' || target === 'invalid') return rankOf(current) < SHIPPED_RANK ? target : current;
  const targetRank = PROGRESS_RANK[target];
  if (targetRank === undefined) return current; // review / internal review are the retailer's, not the supplier's
  if (PROGRESS_RANK[current] === undefined) return target; // off the path: any supplier progress moves it on
  return targetRank > rankOf(current) ? target : current;
}

/**
 * The status a line's shipments give it, or null while part of its quantity has not shipped: delivered when every
 * shipped part is delivered, in transit once the carrier reports any part moving, else shipped.
 */
export function statusFromShipments(quantity: number, parts: readonly { quantity: number; shipmentStatus: string }[]):
  FulfilmentStatus | null {
  const shipped = parts.reduce((sum, part) => sum + part.quantity, 0);
  if (parts.length === 0 || shipped < quantity) return null;
  if (parts.every((part) => part.shipmentStatus === 'delivered')) return 'delivered';
  if (parts.some((part) => part.shipmentStatus !== 'shipped')) return 'in transit';
  return 'shipped';
}

const SHIPMENT_RANK: Record<string, number> = { shipped: 0, 'in transit': 1, exception: 1, delivered: 2 };

/**
 * A shipment's status from its checkpoints, never moving back from where it is: any delivered checkpoint →
 * delivered (at the latest such checkpoint); else the latest in-transit or exception checkpoint; else as it was.
 */
export function shipmentStatusFromCheckpoints(
  current: { status: string; delivered_at: string | null },
  checkpoints: readonly { status: string; occurred_at: string }[],
): { status: string; delivered_at: string | null } {
  const byTime = [...checkpoints].sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : 0));
  const delivered = byTime.filter((c) => c.status === 'delivered').at(-1);
  if (delivered) return { status: 'delivered', delivered_at: delivered.occurred_at };
  if (current.status === 'delivered') return current;
  const moving = byTime.filter((c) => c.status === 'in transit' || c.status === 'exception').at(-1);
  if (!moving || (SHIPMENT_RANK[moving.status] ?? 0) < (SHIPMENT_RANK[current.status] ?? 0)) return current;
  return { status: moving.status, delivered_at: current.delivered_at };
}

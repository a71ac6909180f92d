// How a synced upstream's word on a line combines with what OrderSync already knows (supplier updates, carriers).
// Pure. The upstream's mapping tables (sync/connectors/*-mapping.ts) derive a status from the retailer's tool; the
// supplier's and the carrier's reports are usually further along, so a derived status never moves a line back.
import { advanceStatus } from './supplier-updates.ts';
import type { FulfilmentStatus } from './statuses.ts';

const DELIVERED_OR_LATER: ReadonlySet<FulfilmentStatus> = new Set(['delivered', 'complete']);

/**
 * The line's next status: forward along pending < submitted < … < delivered < complete only (supplier-update
 * rules); cancelled from the upstream wins over anything short of delivered (the retailer cancelled it, or closed
 * the PO without it).
 */
export function mergeSyncedLineStatus(current: FulfilmentStatus, derived: FulfilmentStatus): FulfilmentStatus {
  if (current === derived) return current;
  if (derived === 'cancelled') return DELIVERED_OR_LATER.has(current) ? current : 'cancelled';
  return advanceStatus(current, derived);
}

const SHIPMENT_RANK: Record<string, number> = { shipped: 0, 'in transit': 1, exception: 1, delivered: 2 };

/** A shipment's status never moves back either (a carrier's in-transit stays until delivered). */
export function mergeShipmentStatus(current: string, derived: string): string {
  return (SHIPMENT_RANK[derived] ?? 0) > (SHIPMENT_RANK[current] ?? 0) ? derived : current;
}

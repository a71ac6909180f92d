// Fulfilment statuses (DESIGN 2.3): one internal vocabulary, rendered per API version.

export const FULFILMENT_STATUSES = [
  'pending', 'review', 'internal review', 'invalid', 'submitted', 'confirmed', 'processing',
  'backorder', 'shipped', 'in transit', 'delivered', 'complete', 'cancelled',
] as const;
export type FulfilmentStatus = (typeof FULFILMENT_STATUSES)[number];

/** How far along the normal path a line is; the PO shows its least advanced line. */
const PROGRESS: readonly FulfilmentStatus[] = [
  'pending', 'submitted', 'confirmed', 'processing', 'backorder', 'shipped', 'in transit', 'delivered', 'complete',
];

/** Statuses that stop the normal path and need attention, in the order the PO reports them. */
const ATTENTION: readonly FulfilmentStatus[] = ['invalid', 'internal review', 'review'];

/**
 * The PO's status from its lines' statuses: all cancelled → cancelled; otherwise (ignoring cancelled lines)
 * the first of invalid, internal review, review that any line has; otherwise the least advanced line.
 * A PO with no lines is pending.
 */
export function derivePoStatus(lineStatuses: readonly FulfilmentStatus[]): FulfilmentStatus {
  if (lineStatuses.length === 0) return 'pending';
  const live: readonly FulfilmentStatus[] = lineStatuses.filter((s) => s !== 'cancelled');
  if (live.length === 0) return 'cancelled';
  for (const status of ATTENTION) if (live.includes(status)) return status;
  let least = PROGRESS.length - 1;
  for (const status of live) least = Math.min(least, PROGRESS.indexOf(status));
  return PROGRESS[least];
}

export const V1_STATUSES = [
  'pending', 'invalid', 'submitted', 'shipped', 'in transit', 'complete', 'delivered', 'internal review', 'backorder', 'cancelled',
] as const;
export type V1Status = (typeof V1_STATUSES)[number];

export const V2_STATUSES = [
  'pending', 'review', 'internal review', 'cancelled', 'invalid', 'submitted', 'confirmed', 'processing',
  'shipped', 'in transit', 'complete', 'delivered',
] as const;
export type V2Status = (typeof V2_STATUSES)[number];

/** v1 documents fewer statuses: review reads as internal review; confirmed and processing as submitted. */
export function toV1Status(status: FulfilmentStatus): V1Status {
  switch (status) {
    case 'review': return 'internal review';
    case 'confirmed':
    case 'processing': return 'submitted';
    default: return status;
  }
}

/** v2 has no backorder status: it reads as processing, and the item says `backordered: true`. */
export function toV2Status(status: FulfilmentStatus): V2Status {
  return status === 'backorder' ? 'processing' : status;
}

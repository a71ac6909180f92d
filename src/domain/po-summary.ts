// What the console's PO list shows per PO, read from the stored v2 record (DESIGN 2.5) so the list and the API
// agree by construction: items shipped of ordered, and the newest carrier checkpoint of any of its shipments.

interface Checkpoint {
  message: string | null;
  location: string | null;
  /** ISO 8601 with offset. */
  timestamp: string;
}

interface Tracking {
  latest_checkpoint: Checkpoint | null;
}

/** The parts of a v2 record (DESIGN 2.5) the summaries read. */
export interface V2RecordView {
  id: string;
  po_number: string;
  order_date: string;
  status: string;
  suppliers: string[];
  quantity: number;
  items: { quantity: number; status: string; tracking: Tracking | null }[];
  fulfilled_items: { quantity: number; tracking: Tracking | null }[];
}

export interface PoSummary {
  id: string;
  po_number: string;
  /** ISO 8601 with offset, as the API renders it. */
  order_date: string;
  /** The v2 status (DESIGN 2.3). */
  status: string;
  suppliers: string[];
  /** Units shipped (Σ fulfilled_items quantities) and ordered (Σ item quantities, cancelled lines excluded). */
  shipped: number;
  ordered: number;
  latest_checkpoint: Checkpoint | null;
}

/** The newest of several checkpoints by instant, or null. */
export function latestCheckpoint(checkpoints: readonly (Checkpoint | null | undefined)[]): Checkpoint | null {
  let latest: Checkpoint | null = null;
  for (const checkpoint of checkpoints) {
    if (checkpoint && (!latest || Date.parse(checkpoint.timestamp) > Date.parse(latest.timestamp))) latest = checkpoint;
  }
  return latest;
}

export function summarisePo(record: V2RecordView): PoSummary {
  const live = record.items.filter((item) => item.status !== 'cancelled');
  return {
    id: record.id,
    po_number: record.po_number,
    order_date: record.order_date,
    status: record.status,
    suppliers: record.suppliers,
    shipped: record.fulfilled_items.reduce((sum, part) => sum + part.quantity, 0),
    ordered: live.reduce((sum, item) => sum + item.quantity, 0),
    latest_checkpoint: latestCheckpoint([
      ...record.items.map((item) => item.tracking?.latest_checkpoint),
      ...record.fulfilled_items.map((part) => part.tracking?.latest_checkpoint),
    ]),
  };
}

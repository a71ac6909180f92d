// What a connector hands the engine: upstream POs mapped to the OrderSync model (pure data, no ids of ours),
// page by page, with the resume state to store once the page is committed.
import type { LifecycleStatus } from '../../domain/lifecycle.ts';
import type { InvoiceFields } from '../../domain/invoice.ts';
import type { LineProductFields, LineReceiptFields, PoTermsFields } from '../../domain/po-fields.ts';
import type { FulfilmentStatus } from '../../domain/statuses.ts';
import type { JsonClient } from '../json-client.ts';

export interface SyncedLine extends LineProductFields, LineReceiptFields {
  /** The upstream's id of the line (ShipStation: the sku, unique within a PO; Stocky: purchase_items[].id). */
  source_line_id: string;
  /** Derived by the connector's mapping table; the store never moves a line backwards (see engine). */
  fulfilment_status: FulfilmentStatus;
}

export interface SyncedShipment {
  /** Normalised (no white space, upper case), as supplier updates store them. */
  tracking_number: string;
  carrier: string | null;
  carrier_source: 'supplied' | 'detected' | null;
  tracking_url: string | null;
  /** shipped or delivered: what the upstream's PO status tells. */
  status: 'shipped' | 'delivered';
}

/** An upstream PO's invoice: just the invoice's own fields. */
export type SyncedInvoice = InvoiceFields;

/** One upstream PO in OrderSync's terms. Everything the content hash covers is in here. */
export interface SyncedPo extends PoTermsFields {
  upstream_id: string;
  /** The upstream's last-modified instant (ISO UTC), when it has one. */
  upstream_modified: string | null;
  /** The upstream's own status word(s), kept for incremental listing decisions. */
  upstream_status: string;
  /** False once the upstream will not change it any more (ShipStation: closed or cancelled). */
  open: boolean;
  po_number: string;
  order_number: string | null;
  status: LifecycleStatus;
  /** Instant (ISO UTC). */
  order_date: string;
  /** Calendar date YYYY-MM-DD. */
  expected_delivery_date: string | null;
  /** null: no supplier; undefined: not known from this read (keep the stored one). */
  supplier_name: string | null | undefined;
  warehouse_name: string | null;
  lines: SyncedLine[];
  /** One per tracking number the upstream gives (a field may hold several). */
  shipments: SyncedShipment[];
  invoice: SyncedInvoice | null;
}

/** What the engine knows about an upstream record already synced by this connection. */
export interface StoredRecord {
  upstream_id: string;
  content_hash: string;
  upstream_modified: string | null;
  listed_sweep: string | null;
}

export interface ConnectorContext {
  client: JsonClient;
  /** Stored records of this connection among these upstream ids. */
  lookup(upstreamIds: readonly string[]): Promise<Map<string, StoredRecord>>;
  /** This connection's open records not listed in `sweep`, after `afterId`, in id order (ShipStation's re-check). */
  unlisted(sweep: string, afterId: string | null, limit: number): Promise<string[]>;
  full: boolean;
  signal?: AbortSignal;
  /**
   * Called by nextPage once every request of its page has been asked for (only its answers are awaited now): the
   * engine waits for it before a read-ahead page's transaction, so that the GETs go on during the write. A
   * connector that never calls it gets two turns of the event loop instead (engine.ts requestsOnTheWire).
   */
  requested?: () => void;
}

/** One page of work: apply `records`, mark `listed`, then store `state`, all in one transaction. */
/** An upstream record that cannot be read (a date or amount no parser takes): counted as failed with its reason. */
export interface RejectedRecord {
  upstream_id: string;
  message: string;
}

/** Thrown by a mapping for a record it cannot read; the connector reports it in its page's `rejected`. */
export class UnreadableRecordError extends Error {
  constructor(readonly upstreamId: string, message: string) {
    super(message);
  }
}

/** Maps each record, setting aside those that cannot be read (UnreadableRecordError) with their reason. */
export function mapRecords<T>(items: readonly T[], map: (item: T, index: number) => SyncedPo | null):
  { records: SyncedPo[]; rejected: RejectedRecord[] } {
  const records: SyncedPo[] = [];
  const rejected: RejectedRecord[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      const record = map(items[i], i);
      if (record) records.push(record);
    } catch (error) {
      if (!(error instanceof UnreadableRecordError)) throw error;
      rejected.push({ upstream_id: error.upstreamId, message: error.message });
    }
  }
  return { records, rejected };
}

export interface SyncPage<S> {
  /** Records read in full on this page (created, updated or found unchanged by content hash). */
  records: SyncedPo[];
  /** Records read but not readable (never stored with a made-up value): failed, with their reasons. */
  rejected?: RejectedRecord[];
  /** Upstream ids this page saw without reading them in full, because the stored copy is current. */
  current: string[];
  /** Upstream ids that are gone upstream (404 on a re-check): no longer open. */
  gone: string[];
  /** The sweep the page belongs to (marks records as listed in it). */
  sweep: string;
  /** The state to store with the page; the next call starts from it. */
  state: S;
}

export interface Connector<S> {
  /** The state to start from: parsed from connections.sync_state (null before the first run). */
  initialState(stored: unknown, full: boolean): S;
  /** The next page from `state`, or null when the sweep is done (`finish` gives the state to store then). */
  nextPage(state: S, context: ConnectorContext): Promise<SyncPage<S> | null>;
  /** The state after a finished sweep (watermark advanced, no cursor). */
  finish(state: S): S;
  /**
   * Whether the page after `state` may be read while the page before it is still being written: not when what it
   * reads depends on that write (ShipStation's re-check asks which records the sweep has not listed yet).
   */
  canReadAhead(state: S): boolean;
}

// The seam between the sync engine (src/sync/engine.ts, connectors/) and what runs it (the connections API,
// the scheduler, `ordersync sync`, `ordersync worker`). Runners own connections and sync_runs rows; the engine
// owns the connection's sync_state (watermark, resume cursor) and the mapping of upstream records to POs.

export const CONNECTION_KINDS = ['shipstation', 'stocky'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

export interface ShipStationCredentials {
  api_key: string;
}

export interface StockyCredentials {
  store_name: string;
  api_key: string;
}

export type Credentials = ShipStationCredentials | StockyCredentials;

/** A connection as the engine gets it: credentials already decrypted, state as stored (engine-defined JSON or null). */
export interface SyncConnection {
  id: string;
  retailer_id: string;
  kind: ConnectionKind;
  name: string;
  base_url: string;
  credentials: Credentials;
  /** JSON text the engine wrote last time (watermark, resume cursor), or null before the first run. */
  sync_state: string | null;
}

export interface SyncCounts {
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

export interface SyncRunOptions {
  /** The sync_runs row this run reports into (created by the runner with status running). */
  runId: string;
  /** Ignore the watermark and fetch everything (still skipping unchanged records by content hash). */
  full: boolean;
  /** Stops the run between requests; the engine leaves state so the next run resumes. */
  signal?: AbortSignal;
  /** Called after every committed page with the counts so far (the runner stores them on the run). */
  onProgress?: (counts: SyncCounts) => void | Promise<void>;
}

/** What a finished run reports; a run that gives up throws an Error whose message is the upstream's. */
export interface SyncResult {
  counts: SyncCounts;
  /**
   * Records the run could not sync (counts.failed > 0: e.g. a PO number another source's PO already has), in one
   * sentence for the run's error field; null or absent when there were none. The run itself still succeeded.
   */
  error?: string | null;
}

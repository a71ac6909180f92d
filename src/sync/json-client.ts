// What connectors and the engine need of an upstream client, whichever thread does the HTTP work: UpstreamClient
// (http-client.ts) in the calling thread, or WorkerUpstreamClient (worker-client.ts) whose requests a worker thread
// makes while the calling thread writes to SQLite.
import type { ClientStats, JsonResponse } from './http-client.ts';

/** A parsed JSON answer without its headers (GETs by id need none; sending them across threads would cost). */
export interface JsonBody<T> {
  body: T;
  status: number;
}

export interface JsonClient {
  /**
   * GET `pathOrUrl` (resolved against the base URL) and parse its JSON; null for a 404 when `allowNotFound`.
   * Throws UpstreamError (message: the upstream's own words, kind, status, attempts) once retries are spent,
   * or the run signal's reason when the run is aborted.
   */
  getJson<T>(pathOrUrl: string, options?: { allowNotFound?: boolean }): Promise<JsonResponse<T> | null>;
  /**
   * GETs of `paths` with at most `concurrency` in flight: answers in input order, null for a 404 when
   * `allowNotFound`. Fails as getJson does, with the first request that fails for good.
   */
  getJsonMany<T>(paths: readonly string[], options: { allowNotFound?: boolean; concurrency: number }): Promise<(JsonBody<T> | null)[]>;
  /** Counters of every request so far (a snapshot or live object; read it after close() for the run's totals). */
  readonly stats: ClientStats;
  /** Ends the client's connections (and thread); pending requests fail. Safe to call more than once. */
  close(): void;
}

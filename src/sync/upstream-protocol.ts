// The messages between WorkerUpstreamClient (worker-client.ts, the run's thread) and its worker thread
// (upstream-worker.ts). Kept flat and small: at one GET per ShipStation PO, every byte structured-cloned counts.
// Bodies travel as TEXT (a one-byte string clones as a copy of its bytes; a parsed object would be cloned field by
// field, costing more than the JSON.parse the receiving thread does instead).
import type { UpstreamClientOptions } from './http-client.ts';
import type { ConnectionKind } from './types.ts';

/** The order of ClientStats' numbers in the shared stats array (Float64Array over a SharedArrayBuffer). */
export const STAT_FIELDS = [
  'requests', 'rate_limited', 'server_error', 'timeout', 'network', 'truncated', 'received429', 'most429sForOneRequest', 'throttledMs',
] as const;

/** A run's client in the worker: sent first by each run that takes the thread (upstream-threads.ts). */
export interface WorkerInit {
  /** The client's options that can cross a thread (no functions, no signal). */
  options: Omit<UpstreamClientOptions, 'describeError' | 'signal' | 'fetch' | 'random' | 'now' | 'observe'>;
  /** Whose error bodies the worker reads (describeError: shipStationErrorMessage or stockyErrorMessage). */
  kind: ConnectionKind;
  /** Send each attempt's URL back (the debug log wants it); otherwise only status and duration. */
  observeUrls: boolean;
  /** STAT_FIELDS.length float64s the worker keeps current; the run's thread reads them at any time. */
  stats: SharedArrayBuffer;
}

/** The run's thread → the worker: one GET (`urls` of one) or a batch with at most `concurrency` in flight. */
export interface RequestMessage {
  id: number;
  urls: string[];
  allowNotFound: boolean;
  concurrency: number;
  /** Send the answer's headers (a single GET, e.g. a list page; a batch's GETs by id need none). */
  headers: boolean;
}

/** Each attempt made since the last message: status (0: no answer), duration ms, and URL when asked for. */
export interface Observations {
  status: number[];
  ms: number[];
  urls: string[] | null;
}

/** A chunk of answers of request `id`: `at[i]` is the index into its urls; `text[i]` null is a 404 (allowNotFound). */
export interface AnswerMessage {
  id: number;
  at: number[];
  status: number[];
  text: (string | null)[];
  /** Headers of a single GET's answer (lower-case names), when asked for. */
  headers?: Record<string, string>;
  /** The request is finished (every answer sent). */
  done: boolean;
  observed: Observations;
}

/** Request `id` failed for good: the UpstreamError's fields (or any other error's name and message). */
export interface FailureMessage {
  id: number;
  failed: { name: string; message: string; kind?: string; status?: number | null; attempts?: number; url?: string };
  observed: Observations;
}

/** The run's thread → the worker: a run's client starts (`init`) or ends (`reset`: its connections closed), or a request. */
export type WorkerCommand = { init: WorkerInit } | { reset: true } | RequestMessage;

export type WorkerReply = AnswerMessage | FailureMessage;

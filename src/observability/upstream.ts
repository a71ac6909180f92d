// What the service sees of its upstreams (ShipStation, Stocky): every request counted in the metrics by
// connection kind and outcome, and, with LOG_LEVEL=debug, logged with its URL (credentials are headers,
// never in URLs; any userinfo is stripped all the same), status and duration.
import { outcomeOf, upstreamRequests } from './metrics.ts';

interface DebugLog {
  debug(fields: object, message: string): void;
  isLevelEnabled?(level: string): boolean;
}

let upstreamLog: DebugLog | null = null;

/** The process's logger for upstream requests (set once by `serve`/`worker`/`sync`); null: none. */
export function setUpstreamLog(log: DebugLog | null): void {
  upstreamLog = log;
}

/**
 * Whether the debug log wants each request's URL. A client whose requests are made in a worker thread
 * (sync/worker-client.ts) sends URLs back only then: the metrics need just the status.
 */
export function upstreamUrlsLogged(): boolean {
  const log = upstreamLog;
  return log !== null && (log.isLevelEnabled?.('debug') ?? true);
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** The `observe` callback of an UpstreamClient (sync/http-client.ts) for a connection of this kind. */
export function observeUpstream(kind: string) {
  return ({ url, status, durationMs }: { url: string; status: number | null; durationMs: number }): void => {
    upstreamRequests.inc({ kind, outcome: outcomeOf(status) });
    const log = upstreamLog;
    if (log && (log.isLevelEnabled?.('debug') ?? true)) {
      log.debug({ kind, url: withoutCredentials(url), status, duration_ms: Math.round(durationMs) }, 'upstream request');
    }
  };
}

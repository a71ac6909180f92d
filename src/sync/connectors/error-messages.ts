// The upstreams' own words for a failed response, in a sentence for the run's error. A module of its own, with no
// imports: the upstream worker thread (sync/upstream-worker.ts) needs these and none of the mappings' domain modules,
// whose loading would add to every worker's start.

/** ShipStation's error body → its first message; anything else → a sentence with the status. */
export function shipStationErrorMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { message?: unknown }[] };
    const message = parsed?.errors?.[0]?.message;
    if (typeof message === 'string' && message) return `ShipStation: ${message} (HTTP ${status})`;
  } catch {
    // not JSON: fall through
  }
  const text = body.trim().slice(0, 300);
  return `ShipStation answered HTTP ${status}${text ? `: ${text}` : ''}`;
}

/** Stocky's error answers are plain: its body (JSON `error`/`errors`, or text) in a sentence. */
export function stockyErrorMessage(status: number, body: string): string {
  let text = body.trim();
  try {
    const parsed = JSON.parse(body) as { error?: unknown; errors?: unknown; message?: unknown };
    const said = parsed?.error ?? parsed?.errors ?? parsed?.message;
    if (typeof said === 'string') text = said;
    else if (said !== undefined) text = JSON.stringify(said);
  } catch {
    // plain text
  }
  return `Stocky answered HTTP ${status}${text ? `: ${text.slice(0, 300)}` : ''}`;
}

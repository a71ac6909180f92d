// The worker thread of a WorkerUpstreamClient (worker-client.ts): it owns the run's UpstreamClient (retries,
// backoff, token bucket, Retry-After, SSRF guard, timeouts) and makes the GETs the run's thread asks for, so that
// HTTP keeps going while that thread is inside a synchronous better-sqlite3 transaction.
//
// Each answer's JSON is parsed here too (UpstreamClient validates it, so that a truncated body is retried inside
// the retry loop, with its backoff and counters, exactly as in the calling thread) but the TEXT is sent back: the
// run's thread parses it again, which costs less than structured-cloning the parsed object.
import { parentPort, workerData } from 'node:worker_threads';
import { shipStationErrorMessage } from './connectors/shipstation-mapping.ts';
import { stockyErrorMessage } from './connectors/stocky-mapping.ts';
import { UpstreamClient, UpstreamError, mapConcurrent, type ClientStats } from './http-client.ts';
import { STAT_FIELDS, type AnswerMessage, type FailureMessage, type Observations, type RequestMessage, type WorkerInit } from './upstream-protocol.ts';

/** Answers sent in one message at most: the run's thread parses a chunk while the worker makes the next GETs. */
const CHUNK = 64;

const init = workerData as WorkerInit;
const port = parentPort!;
const shared = new Float64Array(init.stats);
let observed: Observations = { status: [], ms: [], urls: init.observeUrls ? [] : null };

const client = new UpstreamClient({
  ...init.options,
  describeError: init.kind === 'shipstation' ? shipStationErrorMessage : stockyErrorMessage,
  observe: ({ url, status, durationMs }) => {
    observed.status.push(status ?? 0);
    observed.ms.push(durationMs);
    observed.urls?.push(url);
  },
});

/** The client's counters into the shared array (before every message, so the run's thread reads them current). */
function publishStats(stats: ClientStats): void {
  const values: Record<(typeof STAT_FIELDS)[number], number> = { ...stats, ...stats.retries };
  for (let i = 0; i < STAT_FIELDS.length; i++) shared[i] = values[STAT_FIELDS[i]];
}

function takeObserved(): Observations {
  const taken = observed;
  observed = { status: [], ms: [], urls: init.observeUrls ? [] : null };
  return taken;
}

function post(message: Omit<AnswerMessage, 'observed'> | Omit<FailureMessage, 'observed'>): void {
  publishStats(client.stats);
  port.postMessage({ ...message, observed: takeObserved() });
}

function fail(id: number, error: unknown): void {
  const failed = error instanceof UpstreamError
    ? { name: error.name, message: error.message, kind: error.kind, status: error.status, attempts: error.attempts, url: error.url }
    : { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
  post({ id, failed });
}

function headersOf(get: (name: string) => string | null, names: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

/** Headers a single GET's answer carries back: those the connectors and the client read. */
const FORWARDED_HEADERS = ['date', 'link', 'retry-after', 'x-rate-limit-limit', 'x-rate-limit-remaining', 'x-rate-limit-reset', 'content-type'];

async function serve(request: RequestMessage): Promise<void> {
  const { id, urls, allowNotFound } = request;
  if (request.headers) {
    const got = await client.getJson(urls[0], { allowNotFound });
    post({
      id, at: [0], status: [got?.status ?? 404], text: [got ? got.text : null], done: true,
      headers: got ? headersOf((name) => got.headers.get(name), FORWARDED_HEADERS) : undefined,
    });
    return;
  }
  let chunk: Omit<AnswerMessage, 'observed'> = { id, at: [], status: [], text: [], done: false };
  await mapConcurrent(urls.map((url, index) => ({ url, index })), request.concurrency, async ({ url, index }) => {
    const got = await client.getJson(url, { allowNotFound });
    chunk.at.push(index);
    chunk.status.push(got?.status ?? 404);
    chunk.text.push(got ? got.text : null);
    if (chunk.at.length >= CHUNK) {
      post(chunk);
      chunk = { id, at: [], status: [], text: [], done: false };
    }
  });
  post({ ...chunk, done: true });
}

port.on('message', (request: RequestMessage) => {
  serve(request).catch((error: unknown) => fail(request.id, error));
});

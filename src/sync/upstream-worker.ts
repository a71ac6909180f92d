// The worker thread of a WorkerUpstreamClient (worker-client.ts): it owns the run's UpstreamClient (retries,
// backoff, token bucket, Retry-After, SSRF guard, timeouts) and makes the GETs the run's thread asks for, so that
// HTTP keeps going while that thread is inside a synchronous better-sqlite3 transaction.
//
// Each answer's JSON is parsed here too (UpstreamClient validates it, so that a truncated body is retried inside
// the retry loop, with its backoff and counters, exactly as in the calling thread) but the TEXT is sent back: the
// run's thread parses it again, which costs less than structured-cloning the parsed object.
//
// One run at a time: an `init` message makes the run's client, `reset` closes it (the thread may then be kept idle
// for the next run: upstream-threads.ts).
import { parentPort } from 'node:worker_threads';
import { shipStationErrorMessage, stockyErrorMessage } from './connectors/error-messages.ts';
import { UpstreamClient, UpstreamError, mapConcurrent, type ClientStats } from './http-client.ts';
import {
  STAT_FIELDS, type AnswerMessage, type FailureMessage, type Observations, type RequestMessage, type WorkerCommand, type WorkerInit,
} from './upstream-protocol.ts';

/** Answers sent in one message at most: the run's thread parses a chunk while the worker makes the next GETs. */
const CHUNK = 64;

const port = parentPort!;
let observeUrls = false;
let shared: Float64Array<ArrayBufferLike> = new Float64Array(STAT_FIELDS.length);
let observed: Observations = { status: [], ms: [], urls: null };
let client: UpstreamClient | null = null;

function start(init: WorkerInit): void {
  client?.close();
  observeUrls = init.observeUrls;
  shared = new Float64Array(init.stats);
  observed = { status: [], ms: [], urls: observeUrls ? [] : null };
  client = new UpstreamClient({
    ...init.options,
    describeError: init.kind === 'shipstation' ? shipStationErrorMessage : stockyErrorMessage,
    observe: ({ url, status, durationMs }) => {
      observed.status.push(status ?? 0);
      observed.ms.push(durationMs);
      observed.urls?.push(url);
    },
  });
}

/** The client's counters into the shared array (before every message, so the run's thread reads them current). */
function publishStats(stats: ClientStats): void {
  const values: Record<(typeof STAT_FIELDS)[number], number> = { ...stats, ...stats.retries };
  for (let i = 0; i < STAT_FIELDS.length; i++) shared[i] = values[STAT_FIELDS[i]];
}

function takeObserved(): Observations {
  const taken = observed;
  observed = { status: [], ms: [], urls: observeUrls ? [] : null };
  return taken;
}

function post(message: Omit<AnswerMessage, 'observed'> | Omit<FailureMessage, 'observed'>): void {
  if (client) publishStats(client.stats);
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
  const c = client; // this run's (a reset comes only once nothing is pending)
  if (!c) throw new Error('the upstream worker has no client (no init message)');
  if (request.headers) {
    const got = await c.getJson(urls[0], { allowNotFound });
    post({
      id, at: [0], status: [got?.status ?? 404], text: [got ? got.text : null], done: true,
      headers: got ? headersOf((name) => got.headers.get(name), FORWARDED_HEADERS) : undefined,
    });
    return;
  }
  let chunk: Omit<AnswerMessage, 'observed'> = { id, at: [], status: [], text: [], done: false };
  await mapConcurrent(urls.map((url, index) => ({ url, index })), request.concurrency, async ({ url, index }) => {
    const got = await c.getJson(url, { allowNotFound });
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

port.on('message', (command: WorkerCommand) => {
  if ('init' in command) start(command.init);
  else if ('reset' in command) {
    client?.close();
    client = null;
  } else serve(command).catch((error: unknown) => fail(command.id, error));
});

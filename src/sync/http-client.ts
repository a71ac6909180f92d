// The upstream HTTP client of the sync engine: JSON GETs with undici's request() on keep-alive connections (Node's
// fetch costs about four times as much CPU per request, node:http about three times: it shows at thousands of GETs
// a second, ShipStation needing one per PO; `fetch` can still be given, e.g. by tests), with
// - a per-request timeout (the run's AbortSignal stops everything at once, and is never retried);
// - a token bucket that keeps the client under the upstream's requests per minute (ShipStation: 200), shared by
//   every request of the client, however many are in flight;
// - retries of 429, 5xx, timeouts, connection failures and truncated JSON bodies, with exponential backoff and
//   full jitter (a uniform wait in [0, base × 2^attempt], capped), or exactly the upstream's Retry-After when it
//   gives one; a 429 also empties the bucket and holds every request until Retry-After has passed, so the
//   requests in flight do not each earn a 429 of their own;
// - giving up after `maxAttempts` with the upstream's own words (ShipStation: errors[0].message; Stocky: its body).
//
// Retries are written out here rather than taken from p-retry: the wait depends on the response (Retry-After) and
// has to be coordinated with the token bucket, so a library's backoff would be switched off and only its loop kept.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request as undiciRequest } from 'undici';
import { guardedLookup, literalHostProblem } from '../events/url-guard.ts';
import type { JsonBody, JsonClient } from './json-client.ts';

/** What the client needs of a response. */
interface RawResponse {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

/** A GET on the client's keep-alive agent (HTTP or HTTPS); rejects on connection errors and on `signal`. */
async function undiciGet(url: string, headers: Record<string, string>, signal: AbortSignal, agent: Agent): Promise<RawResponse> {
  const response = await undiciRequest(url, { method: 'GET', headers, signal, dispatcher: agent });
  const raw = response.headers;
  return {
    status: response.statusCode,
    headers: { get: (name) => { const v = raw[name.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v; } },
    text: await response.body.text(),
  };
}

/**
 * Tokens refill continuously at `perMinute` a minute up to `capacity`; each request takes one. Time is passed in
 * (milliseconds, monotonic), so the arithmetic is testable without a clock.
 */
export class ClientTokenBucket {
  private tokens: number;
  private updatedAt: number;
  private blockedUntil = 0;

  constructor(public perMinute: number, public capacity: number, nowMs: number) {
    if (!(perMinute > 0)) throw new RangeError('perMinute must be > 0');
    if (!(capacity >= 1)) throw new RangeError('capacity must be ≥ 1');
    this.tokens = capacity;
    this.updatedAt = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs <= this.updatedAt) return;
    const from = Math.max(this.updatedAt, this.blockedUntil);
    if (nowMs > from) this.tokens = Math.min(this.capacity, this.tokens + ((nowMs - from) * this.perMinute) / 60_000);
    this.updatedAt = nowMs;
  }

  /** Takes a token now (returns 0) or says how many ms to wait before asking again. */
  tryTake(nowMs: number): number {
    if (nowMs < this.blockedUntil) return this.blockedUntil - nowMs;
    this.refill(nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute));
  }

  /** A new rate (and capacity) from now on, e.g. when the upstream announces its limit. */
  retune(nowMs: number, perMinute: number, capacity: number): void {
    if (!(perMinute > 0) || !(capacity >= 1)) return;
    this.refill(nowMs);
    this.perMinute = perMinute;
    this.capacity = capacity;
    this.tokens = Math.min(this.tokens, capacity);
  }

  /** The upstream said wait: nothing goes out before `untilMs`, and the bucket starts empty then. */
  block(nowMs: number, untilMs: number): void {
    this.refill(nowMs);
    this.tokens = 0;
    this.blockedUntil = Math.max(this.blockedUntil, untilMs);
    this.updatedAt = Math.max(this.updatedAt, nowMs);
  }
}

/** Full jitter: a uniform wait in [0, min(cap, base × 2^(attempt − 1))]. `attempt` counts from 1. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Retry-After as milliseconds: whole seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** Why a request failed, for the retry decision and the counters. */
export type FailureKind = 'rate_limited' | 'server_error' | 'timeout' | 'network' | 'truncated' | 'client_error';

const RETRYABLE: ReadonlySet<FailureKind> = new Set(['rate_limited', 'server_error', 'timeout', 'network', 'truncated']);

/** An upstream request that failed for good; `message` is the upstream's own when it gave one. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly status: number | null,
    readonly attempts: number,
    readonly url: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export interface ClientStats {
  /** Requests sent (every attempt). */
  requests: number;
  /** Attempts that failed and were tried again, by why. */
  retries: Record<Exclude<FailureKind, 'client_error'>, number>;
  /** 429 answers received. */
  received429: number;
  /** The most times one request was answered 429 before it got through (0: never). */
  most429sForOneRequest: number;
  /** Time spent waiting for the token bucket (ms). */
  throttledMs: number;
}

export interface UpstreamClientOptions {
  baseUrl: string;
  /** Sent with every request (authentication). */
  headers: Record<string, string>;
  /** The upstream's limit; 0 or Infinity: no limit. */
  requestsPerMinute: number;
  /** Tokens the bucket holds (the burst after a quiet spell). Default: two seconds' worth, at least 1. */
  burst?: number;
  /** One attempt's time limit (ms). Default 30000. */
  timeoutMs?: number;
  /** Attempts per request before giving up. Default 6. */
  maxAttempts?: number;
  /** Backoff base and cap (ms). Defaults 500 and 30000. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** The longest Retry-After honoured as given (ms); longer ones are cut to it. Default 120000. */
  maxRetryAfterMs?: number;
  /**
   * Follow the upstream's announced limit (an `X-Rate-Limit-Limit` header, requests a minute, as ShipStation sends)
   * instead of `requestsPerMinute`, with a burst of two seconds' worth. Default false.
   */
  adaptToRateHeader?: boolean;
  /** The upstream's words for a failed response: its status and body text → a sentence. */
  describeError: (status: number, body: string) => string;
  /** The run's signal: aborting stops waits and requests at once, without retrying. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  random?: () => number;
  now?: () => number;
  /** Told of every attempt (metrics, debug logs): the URL, its status (null: no answer) and duration. */
  observe?: (attempt: { url: string; status: number | null; durationMs: number }) => void;
}

export interface JsonResponse<T> {
  body: T;
  status: number;
  headers: { get(name: string): string | null };
}

/** A JsonResponse with the text it was parsed from (what the upstream worker sends back: upstream-worker.ts). */
export type TextJsonResponse<T> = JsonResponse<T> & { text: string };

class RetryableFailure extends Error {
  constructor(readonly kind: FailureKind, message: string, readonly status: number | null, readonly retryAfterMs: number | null) {
    super(message);
  }
}

/** A JSON-over-HTTP client for one upstream account (one per run), in the calling thread. */
export class UpstreamClient implements JsonClient {
  readonly stats: ClientStats = {
    requests: 0,
    retries: { rate_limited: 0, server_error: 0, timeout: 0, network: 0, truncated: 0 },
    received429: 0,
    most429sForOneRequest: 0,
    throttledMs: 0,
  };
  private readonly bucket: ClientTokenBucket | null;
  // Timeouts are the client's own (per attempt, below), so undici's are switched off.
  // Every connection goes to a checked address: never a metadata or link-local one, whatever a name resolves to
  // (SSRF, DNS rebinding); loopback and private addresses stay allowed for sandboxes and self-hosted upstreams.
  private readonly agent = new Agent({ headersTimeout: 0, bodyTimeout: 0, connect: { lookup: guardedLookup({ allowPrivate: true }) } });
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly maxRetryAfterMs: number;

  /** The base URL, parsed once; with a trailing slash, so that paths resolve below it. */
  private base: URL | undefined;
  /** Sent with every request: built once (undici and fetch only read it). */
  private readonly headers: Record<string, string>;
  private readonly hostProblems = new Map<string, string | null>();

  constructor(private readonly options: UpstreamClientOptions) {
    this.headers = { accept: 'application/json', ...options.headers };
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => performance.now());
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffCapMs = options.backoffCapMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
    const rpm = options.requestsPerMinute;
    this.bucket = rpm > 0 && Number.isFinite(rpm)
      ? new ClientTokenBucket(rpm, options.burst ?? Math.max(1, Math.round(rpm / 30)), this.now())
      : null;
  }

  /** An absolute URL for a path (or the URL itself when already absolute, e.g. a `links.next.href`). */
  url(pathOrUrl: string): string {
    if (/^https?:\/\//i.test(pathOrUrl)) return pathOrUrl;
    // Parsed at the first request, not in the constructor: a bad base URL fails the request, as it always has.
    this.base ??= new URL(this.options.baseUrl.replace(/\/*$/, '/'));
    return new URL(pathOrUrl, this.base).toString();
  }

  /**
   * literalHostProblem for `url`, remembered by the URL's text up to the first `/` after the scheme's: that text holds
   * the whole authority (which ends at `/`, `\`, `?`, `#` or the end), so the host, and the answer, follow from it.
   * Saves parsing every URL twice at one GET per PO.
   */
  private hostProblem(url: string): string | null {
    const end = url.indexOf('/', url.indexOf('//') + 2);
    const key = end < 0 ? url : url.slice(0, end);
    let problem = this.hostProblems.get(key);
    if (problem === undefined) {
      problem = literalHostProblem(url, true);
      if (this.hostProblems.size < 16) this.hostProblems.set(key, problem);
    }
    return problem;
  }

  private async wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    await sleep(ms, undefined, { signal: this.options.signal });
  }

  private async takeToken(): Promise<void> {
    if (!this.bucket) return;
    for (;;) {
      const waitMs = this.bucket.tryTake(this.now());
      if (waitMs === 0) return;
      this.stats.throttledMs += waitMs;
      await this.wait(waitMs);
    }
  }

  /**
   * GET `pathOrUrl` and parse its JSON; 404 gives `null` when `allowNotFound`. The answer also carries the body's
   * text (the upstream worker sends it on rather than the parsed object). Throws UpstreamError once retries are spent
   * (or at once for a 4xx), the run signal's reason when aborted.
   */
  async getJson<T>(pathOrUrl: string, options: { allowNotFound?: boolean } = {}): Promise<TextJsonResponse<T> | null> {
    const url = this.url(pathOrUrl);
    let got429 = 0;
    for (let attempt = 1; ; attempt++) {
      this.options.signal?.throwIfAborted();
      if (this.bucket) await this.takeToken(); // no limit: no promise to wait for
      try {
        const result = await this.attempt<T>(url, options.allowNotFound ?? false);
        this.stats.most429sForOneRequest = Math.max(this.stats.most429sForOneRequest, got429);
        return result;
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        if (error.kind === 'rate_limited') got429++;
        this.stats.most429sForOneRequest = Math.max(this.stats.most429sForOneRequest, got429);
        if (!RETRYABLE.has(error.kind) || attempt >= this.maxAttempts) {
          const tried = RETRYABLE.has(error.kind) ? ` (gave up after ${attempt} attempts)` : '';
          throw new UpstreamError(`${error.message}${tried}`, error.kind, error.status, attempt, url);
        }
        this.stats.retries[error.kind as keyof ClientStats['retries']]++;
        let delay = backoffDelay(attempt, this.backoffBaseMs, this.backoffCapMs, this.random);
        if (error.retryAfterMs !== null) {
          delay = Math.min(error.retryAfterMs, this.maxRetryAfterMs);
          // Everyone waits, and the bucket starts empty afterwards: the upstream's window has been used up.
          if (error.kind === 'rate_limited') this.bucket?.block(this.now(), this.now() + delay);
        }
        await this.wait(delay);
      }
    }
  }

  private adaptRate(announced: string | null): void {
    if (!this.bucket || !this.options.adaptToRateHeader || announced === null) return;
    const perMinute = Number(announced);
    if (!Number.isFinite(perMinute) || perMinute <= 0 || perMinute === this.bucket.perMinute) return;
    this.bucket.retune(this.now(), perMinute, Math.max(1, Math.round(perMinute / 30)));
  }

  /** Closes the kept-alive connections. */
  close(): void {
    void this.agent.destroy().catch(() => {});
  }

  /** The rate the client keeps to now (requests a minute), or null without a limit. */
  get requestsPerMinute(): number | null {
    return this.bucket?.perMinute ?? null;
  }

  /**
   * GETs of `paths` with at most `concurrency` in flight: answers in input order (null: 404 with `allowNotFound`).
   * Fails with the first request that fails for good (the others still in flight finish; no new ones start).
   */
  getJsonMany<T>(paths: readonly string[], options: { allowNotFound?: boolean; concurrency: number }): Promise<(JsonBody<T> | null)[]> {
    return mapConcurrent(paths, options.concurrency, (path) => this.getJson<T>(path, options));
  }

  private async attempt<T>(url: string, allowNotFound: boolean): Promise<TextJsonResponse<T> | null> {
    // An IP-literal host never reaches the guarded lookup: judge it here (not retried: it will not change).
    const refused = this.hostProblem(url);
    if (refused) throw new RetryableFailure('client_error', `The upstream URL is refused: ${refused}.`, null, null);
    // The attempt's signal: aborted by its own timer or by the run's signal. An AbortController with a timer that is
    // cleared once the answer is read, rather than AbortSignal.timeout + AbortSignal.any: those cost ~15 µs more per
    // request (ShipStation makes one per PO) and leave a 30-second timer behind every request made.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`timed out after ${this.timeoutMs} ms`, 'TimeoutError'));
    }, this.timeoutMs);
    const runSignal = this.options.signal;
    const stop = () => controller.abort(runSignal?.reason);
    if (runSignal?.aborted) stop(); // aborted while waiting for a token: no 'abort' event will come
    else runSignal?.addEventListener('abort', stop, { once: true });
    const signal = controller.signal;
    this.stats.requests++;
    let response: RawResponse;
    const headers = this.headers;
    const started = performance.now();
    try {
      if (this.options.fetch) {
        const got = await this.options.fetch(url, { headers, signal });
        response = { status: got.status, headers: got.headers, text: await got.text() };
      } else {
        response = await undiciGet(url, headers, signal, this.agent);
      }
      this.options.observe?.({ url, status: response.status, durationMs: performance.now() - started });
    } catch (error) {
      this.options.observe?.({ url, status: null, durationMs: performance.now() - started });
      if (runSignal?.aborted) throw runSignal.reason;
      if (timedOut) throw new RetryableFailure('timeout', `The upstream did not answer within ${this.timeoutMs} ms (${url}).`, null, null);
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new RetryableFailure('network', `The upstream could not be reached (${reason}).`, null, null);
    } finally {
      clearTimeout(timer);
      runSignal?.removeEventListener('abort', stop);
    }
    this.adaptRate(response.headers.get('x-rate-limit-limit'));
    if (response.status === 404 && allowNotFound) return null;
    const text = response.text;
    if (response.status < 200 || response.status > 299) {
      const message = this.options.describeError(response.status, text);
      if (response.status === 429) {
        this.stats.received429++;
        throw new RetryableFailure('rate_limited', message, 429, parseRetryAfter(response.headers.get('retry-after')));
      }
      if (response.status >= 500) {
        throw new RetryableFailure('server_error', message, response.status, parseRetryAfter(response.headers.get('retry-after')));
      }
      throw new RetryableFailure('client_error', message, response.status, null);
    }
    try {
      return { body: JSON.parse(text) as T, status: response.status, headers: response.headers, text };
    } catch {
      throw new RetryableFailure('truncated', `The upstream's answer was not complete JSON (${text.length} bytes from ${url}).`,
        response.status, null);
    }
  }
}

/** Runs `work` over `items` with at most `concurrency` at once; results in input order. */
export async function mapConcurrent<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
  return results;
}

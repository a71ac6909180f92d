// An upstream client whose HTTP work is done by a worker thread (upstream-worker.ts), with the same contract as
// UpstreamClient (json-client.ts). Why: better-sqlite3 is synchronous, so while the run's thread is inside a page's
// transaction (500 POs, tens of milliseconds) nothing of HTTP moves in it: no answer is read, no next GET is sent.
// ShipStation needs one GET per PO, and undici's request machinery costs about as much CPU as the writes' SQL; in a
// worker those GETs go on during the write, on the other core, and the run's thread only parses, maps and writes.
//
// - Requests are batched: getJsonMany sends a page's GETs by id in one message, and answers come back in chunks
//   (upstream-worker.ts CHUNK) as text; JSON.parse here costs less than cloning parsed objects.
// - Errors keep the upstream's words (the worker describes them by connection kind) and come back as UpstreamError
//   with kind, status and attempts; a run's abort rejects what is pending with the signal's reason at once and ends
//   the thread.
// - client.stats are read from a SharedArrayBuffer the worker keeps current; each attempt's status and duration
//   come back with the answers and go to `observe` here (prom-client's registry is this thread's).
// - The thread keeps the process alive only while requests are pending: a finished CLI run exits even before
//   close(), and a run awaiting an answer is never cut short.
import type { Worker } from 'node:worker_threads';
import { UpstreamError, type ClientStats, type FailureKind, type JsonResponse, type UpstreamClientOptions } from './http-client.ts';
import type { JsonBody, JsonClient } from './json-client.ts';
import { STAT_FIELDS, type Observations, type RequestMessage, type WorkerInit, type WorkerReply } from './upstream-protocol.ts';
import type { ConnectionKind } from './types.ts';
import { endThread, parkThread, takeThread } from './upstream-threads.ts';

/** Request ids are unique across clients: a kept thread never answers a new run with an old run's id. */
let lastId = 0;

export type WorkerUpstreamClientOptions = WorkerInit['options'] & {
  /** Whose error bodies these are (the worker describes them with that connector's function). */
  kind: ConnectionKind;
  signal?: AbortSignal;
  /** Told of every attempt, as UpstreamClientOptions.observe (URLs only when `observeUrls`; '' otherwise). */
  observe?: UpstreamClientOptions['observe'];
  observeUrls?: boolean;
};

interface Pending {
  resolve: (answers: Answer[]) => void;
  reject: (error: unknown) => void;
  answers: Answer[];
}

interface Answer {
  status: number;
  text: string | null;
  headers?: Record<string, string>;
}

export class WorkerUpstreamClient implements JsonClient {
  private readonly worker: Worker;
  private readonly shared = new Float64Array(new SharedArrayBuffer(STAT_FIELDS.length * 8));
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  /** A request failed: GETs of its batch may still be going on in the thread, so it is not kept for another run. */
  private failed = false;
  private readonly onAbort = () => this.stop(this.options.signal!.reason, false);
  private readonly onMessage = (reply: WorkerReply) => this.receive(reply);
  private readonly onError = (error: Error) => this.stop(error, false);
  private readonly onExit = (code: number) => this.stop(new Error(`the upstream worker thread ended (exit code ${code})`), false);

  constructor(private readonly options: WorkerUpstreamClientOptions) {
    const { kind, signal, observe, observeUrls, ...clientOptions } = options;
    const init: WorkerInit = { options: clientOptions, kind, observeUrls: observeUrls ?? false, stats: this.shared.buffer as SharedArrayBuffer };
    this.worker = takeThread();
    this.worker.on('message', this.onMessage).on('error', this.onError).on('exit', this.onExit);
    this.worker.postMessage({ init });
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Counters of every request so far, as the worker last published them. */
  get stats(): ClientStats {
    const s = this.shared;
    return {
      requests: s[0],
      retries: { rate_limited: s[1], server_error: s[2], timeout: s[3], network: s[4], truncated: s[5] },
      received429: s[6], most429sForOneRequest: s[7], throttledMs: s[8],
    };
  }

  async getJson<T>(pathOrUrl: string, options: { allowNotFound?: boolean } = {}): Promise<JsonResponse<T> | null> {
    const [answer] = await this.send([pathOrUrl], options.allowNotFound ?? false, 1, true);
    if (answer.text === null) return null;
    const headers = answer.headers ?? {};
    return { body: JSON.parse(answer.text) as T, status: answer.status, headers: { get: (name) => headers[name.toLowerCase()] ?? null } };
  }

  async getJsonMany<T>(paths: readonly string[], options: { allowNotFound?: boolean; concurrency: number }): Promise<(JsonBody<T> | null)[]> {
    if (paths.length === 0) return [];
    const answers = await this.send(paths, options.allowNotFound ?? false, options.concurrency, false);
    return answers.map((a) => (a.text === null ? null : { body: JSON.parse(a.text) as T, status: a.status }));
  }

  /**
   * Ends the run's use of the thread: with nothing pending and no request failed, its connections are closed and the
   * thread is kept idle for the next run (upstream-threads.ts); otherwise pending requests fail and it is terminated.
   */
  close(): void {
    this.stop(new Error('the upstream client was closed'), this.pending.size === 0 && !this.failed);
  }

  private send(urls: readonly string[], allowNotFound: boolean, concurrency: number, headers: boolean): Promise<Answer[]> {
    this.options.signal?.throwIfAborted();
    if (this.closed) return Promise.reject(new Error('the upstream client was closed'));
    const id = ++lastId;
    return new Promise<Answer[]>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject, answers: new Array<Answer>(urls.length) });
      const message: RequestMessage = { id, urls: urls as string[], allowNotFound, concurrency, headers };
      this.worker.postMessage(message);
    });
  }

  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0 && !this.closed) this.worker.unref();
    return entry;
  }

  private receive(reply: WorkerReply): void {
    this.forward(reply.observed);
    if ('failed' in reply) {
      this.failed = true;
      const { failed } = reply;
      const error = failed.name === 'UpstreamError'
        ? new UpstreamError(failed.message, failed.kind as FailureKind, failed.status ?? null, failed.attempts ?? 1, failed.url ?? '')
        : Object.assign(new Error(failed.message), { name: failed.name });
      this.settle(reply.id)?.reject(error);
      return;
    }
    const entry = this.pending.get(reply.id);
    if (!entry) return; // failed or stopped already
    for (let i = 0; i < reply.at.length; i++) {
      entry.answers[reply.at[i]] = { status: reply.status[i], text: reply.text[i], headers: reply.headers };
    }
    if (reply.done) this.settle(reply.id)?.resolve(entry.answers);
  }

  private forward(observed: Observations): void {
    const observe = this.options.observe;
    if (!observe) return;
    for (let i = 0; i < observed.status.length; i++) {
      observe({ url: observed.urls?.[i] ?? '', status: observed.status[i] || null, durationMs: observed.ms[i] });
    }
  }

  /** Fails everything pending with `reason`, then keeps the thread for another run or ends it; later calls do nothing. */
  private stop(reason: unknown, keep: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    for (const entry of this.pending.values()) entry.reject(reason);
    this.pending.clear();
    this.worker.off('message', this.onMessage).off('error', this.onError).off('exit', this.onExit);
    if (keep) {
      this.worker.postMessage({ reset: true });
      parkThread(this.worker);
    } else {
      void endThread(this.worker);
    }
  }
}

// What both sandboxes share around their routes: options, latency, authentication, the rate limit (a token
// bucket: 429 with Retry-After), injected faults (429, 500, a hang past the client's timeout, a JSON body cut
// in half), churn (POs created and advanced over time), and the counters tests read.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_ANCHOR_MS, prng, hash32, type Rng } from './random.ts';
import { TokenBucket, chooseFault, checkFaultRates, parseFaults, truncateBody, type FaultKind, type FaultRates } from './simulation.ts';

export interface SandboxOptions {
  /** Same seed, same data. Default 1. */
  seed?: number;
  /** How many POs exist at start. Default 200. */
  pos?: number;
  /** Generated data is "as of" this instant (ms). Default 2026-11-01T00:00:00Z. */
  anchorMs?: number;
  /** Added to every request before it is answered (ms). Default 0. */
  latencyMs?: number;
  /** Requests a minute before 429 + Retry-After; 0 turns the limit off. Default: the upstream's own. */
  rateLimit?: number;
  /** Token bucket capacity (the burst allowed after a quiet spell). Default: the upstream's own. */
  rateLimitBurst?: number;
  /** Probability of each injected fault per request: an object or `429:0.05,500:0.02,timeout:0.01,truncated:0.01`. */
  faults?: FaultRates | string;
  /** How long a `timeout` fault holds a request before dropping the connection (ms). Default 120000. */
  timeoutHangMs?: number;
  /** A churn step every so many ms; 0 turns timed churn off. Default 0. */
  churnEveryMs?: number;
  /** A churn step every so many served requests; 0 turns it off. Default 0. */
  churnEveryRequests?: number;
  /** POs created by each churn step. Default 1. */
  churnCreate?: number;
  /** POs moved one status on by each churn step. Default 3. */
  churnAdvance?: number;
  /** The clock for timestamps written into data (churn, creates, updates). Default Date.now. */
  now?: () => number;
  /** Base of absolute links (ShipStation's links.*.href). Default: from the request's Host. */
  publicUrl?: string;
  /** Fastify logger option. Default false. */
  logger?: boolean | object;
}

export interface ResolvedOptions {
  seed: number;
  pos: number;
  anchorMs: number;
  latencyMs: number;
  rateLimit: number;
  rateLimitBurst: number;
  faults: FaultRates;
  timeoutHangMs: number;
  churnEveryMs: number;
  churnEveryRequests: number;
  churnCreate: number;
  churnAdvance: number;
  now: () => number;
  publicUrl: string | null;
  logger: boolean | object;
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`);
  return v;
}

export function resolveOptions(options: SandboxOptions, defaults: { rateLimit: number; rateLimitBurst: (rate: number) => number }): ResolvedOptions {
  const rateLimit = options.rateLimit ?? defaults.rateLimit;
  if (!(rateLimit >= 0) || !Number.isFinite(rateLimit)) throw new RangeError(`rateLimit must be ≥ 0, got ${options.rateLimit}`);
  const burst = options.rateLimitBurst ?? (rateLimit > 0 ? defaults.rateLimitBurst(rateLimit) : 1);
  if (!(burst >= 1)) throw new RangeError(`rateLimitBurst must be ≥ 1, got ${options.rateLimitBurst}`);
  const faults = typeof options.faults === 'string' ? parseFaults(options.faults) : { ...(options.faults ?? {}) };
  checkFaultRates(faults);
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a whole number, got ${options.seed}`);
  return {
    seed,
    pos: nonNegativeInteger('pos', options.pos, 200),
    anchorMs: options.anchorMs ?? DEFAULT_ANCHOR_MS,
    latencyMs: nonNegativeInteger('latencyMs', options.latencyMs, 0),
    rateLimit,
    rateLimitBurst: burst,
    faults,
    timeoutHangMs: nonNegativeInteger('timeoutHangMs', options.timeoutHangMs, 120_000),
    churnEveryMs: nonNegativeInteger('churnEveryMs', options.churnEveryMs, 0),
    churnEveryRequests: nonNegativeInteger('churnEveryRequests', options.churnEveryRequests, 0),
    churnCreate: nonNegativeInteger('churnCreate', options.churnCreate, 1),
    churnAdvance: nonNegativeInteger('churnAdvance', options.churnAdvance, 3),
    now: options.now ?? Date.now,
    publicUrl: options.publicUrl ? options.publicUrl.replace(/\/+$/, '') : null,
    logger: options.logger ?? false,
  };
}

export interface SandboxStats {
  /** Requests received, whatever became of them. */
  requests: number;
  /** Responses sent, by HTTP status. */
  responses: Record<number, number>;
  /** 429s sent by the rate limiter. */
  rateLimited: number;
  /** All 429s sent: the rate limiter's and the injected ones. */
  sent429: number;
  /** Injected faults, by kind. */
  faults: Record<FaultKind, number>;
  churn: { steps: number; created: number; advanced: number };
}

function emptyStats(): SandboxStats {
  return {
    requests: 0, responses: {}, rateLimited: 0, sent429: 0,
    faults: { '429': 0, '500': 0, timeout: 0, truncated: 0 },
    churn: { steps: 0, created: 0, advanced: 0 },
  };
}

/** What each upstream says in its own words. */
export interface Upstream {
  /** null when the request may go on; otherwise the refusal (status and body). */
  authenticate(request: FastifyRequest): { status: number; body: unknown } | null;
  rateLimitedBody(request: FastifyRequest, retryAfterSeconds: number): unknown;
  serverErrorBody(request: FastifyRequest): unknown;
  /** Extra headers for every authenticated response (e.g. rate-limit counters). */
  rateHeaders?(limit: number, remaining: number, resetSeconds: number): Record<string, string>;
  /** One churn step: creates and advances POs, returns how many. */
  churn(step: number): { created: number; advanced: number };
}

export interface SandboxControl {
  readonly options: Readonly<ResolvedOptions>;
  /** Live counters (the same object all along; `resetStats` zeroes it in place). */
  readonly stats: SandboxStats;
  resetStats(): void;
  /** Runs one churn step now (as the timer or the request count would). */
  churn(): { created: number; advanced: number };
}

const truncated = new WeakSet<FastifyRequest>();

/** Hooks the simulated behaviour into an app. Call before registering routes. */
export function installSimulation(app: FastifyInstance, options: ResolvedOptions, upstream: Upstream): SandboxControl {
  const stats = emptyStats();
  const faultRng: Rng = prng(hash32(options.seed, 0xfa017));
  const bucket = options.rateLimit > 0 ? new TokenBucket(options.rateLimit, options.rateLimitBurst) : null;
  const hanging = new Set<{ timer: NodeJS.Timeout; socket: Socket | null }>();
  let churnSteps = 0;
  let sinceChurn = 0;

  const churn = () => {
    const result = upstream.churn(churnSteps++);
    stats.churn.steps++;
    stats.churn.created += result.created;
    stats.churn.advanced += result.advanced;
    return result;
  };

  const refuse = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).send(body);

  app.addHook('onRequest', async (request, reply) => {
    stats.requests++;
    if (options.latencyMs > 0) await sleep(options.latencyMs);

    const denied = upstream.authenticate(request);
    if (denied) return refuse(reply, denied.status, denied.body);

    if (bucket) {
      const taken = bucket.take(performance.now());
      if (!taken.ok) {
        stats.rateLimited++;
        reply.header('Retry-After', String(taken.retryAfterSeconds));
        if (upstream.rateHeaders) reply.headers(upstream.rateHeaders(options.rateLimit, 0, taken.retryAfterSeconds));
        return refuse(reply, 429, upstream.rateLimitedBody(request, taken.retryAfterSeconds));
      }
      if (upstream.rateHeaders) {
        reply.headers(upstream.rateHeaders(options.rateLimit, taken.remaining, bucket.secondsUntilFull(performance.now())));
      }
    }

    if (options.churnEveryRequests > 0 && ++sinceChurn >= options.churnEveryRequests) {
      sinceChurn = 0;
      churn();
    }

    const fault = chooseFault(options.faults, faultRng());
    if (fault === null) return;
    stats.faults[fault]++;
    switch (fault) {
      case '429':
        reply.header('Retry-After', '1');
        return refuse(reply, 429, upstream.rateLimitedBody(request, 1));
      case '500':
        return refuse(reply, 500, upstream.serverErrorBody(request));
      case 'truncated':
        truncated.add(request);
        return;
      case 'timeout': {
        // Hold the request without answering until the client gives up (closes the connection) or the hang
        // time passes; then drop the connection without a response.
        reply.hijack();
        const socket = request.raw.socket ?? null;
        const entry = { timer: undefined as unknown as NodeJS.Timeout, socket };
        const end = () => {
          clearTimeout(entry.timer);
          hanging.delete(entry);
          socket?.destroy();
          if (!socket) reply.raw.destroy();
        };
        entry.timer = setTimeout(end, options.timeoutHangMs);
        hanging.add(entry);
        socket?.once('close', end);
        return reply;
      }
    }
  });

  app.addHook('onSend', async (request, _reply, payload) => {
    if (truncated.has(request) && typeof payload === 'string') return truncateBody(payload);
    return payload;
  });

  app.addHook('onResponse', async (_request, reply) => {
    stats.responses[reply.statusCode] = (stats.responses[reply.statusCode] ?? 0) + 1;
    if (reply.statusCode === 429) stats.sent429++;
  });

  let timer: NodeJS.Timeout | null = null;
  app.addHook('onReady', async () => {
    if (options.churnEveryMs > 0 && !timer) {
      timer = setInterval(churn, options.churnEveryMs);
      timer.unref();
    }
  });
  app.addHook('preClose', async () => {
    if (timer) clearInterval(timer);
    timer = null;
    for (const entry of [...hanging]) {
      clearTimeout(entry.timer);
      entry.socket?.destroy();
    }
    hanging.clear();
  });

  return {
    options,
    stats,
    resetStats() {
      Object.assign(stats, emptyStats());
    },
    churn,
  };
}

/** Picks up to `count` distinct indices in [0, size) satisfying `accept`, preferring recent ones (the tail). */
export function pickAdvanceable(rng: Rng, size: number, count: number, accept: (index: number) => boolean): number[] {
  const chosen = new Set<number>();
  if (size === 0 || count === 0) return [];
  const window = Math.min(size, Math.max(100, Math.ceil(size / 10)));
  for (let attempt = 0; attempt < count * 64 && chosen.size < count; attempt++) {
    // Mostly the recent tail, sometimes anywhere.
    const index = attempt % 4 === 3 ? Math.floor(rng() * size) : size - 1 - Math.floor(rng() * window);
    if (!chosen.has(index) && accept(index)) chosen.add(index);
  }
  return [...chosen];
}

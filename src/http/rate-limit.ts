// Rate limits (DESIGN 4d, 2.2): RATE_LIMIT_PER_MINUTE requests per API key in a one-minute window, counted by
// @fastify/rate-limit over a store every process of the service shares; requests without a valid key are
// counted per client address, and an address over its limit is refused before its key is even looked up,
// so a key-guessing loop is throttled too. Over the limit: 429 rate_limited with Retry-After; every limited
// response carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (IETF draft header names).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { Db } from '../db/database.ts';
import { incrementWindow, pruneWindows, readWindow } from '../store/rate-limits.ts';
import { ApiError } from './errors.ts';

export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * Where counts live: `memory` (one process: exact and free), `database` (the service's own SQLite or
 * PostgreSQL: shared by `serve --workers N` and by several servers on one PostgreSQL) or `redis` (REDIS_URL).
 */
export type RateLimitStoreKind = 'memory' | 'database' | 'redis';

export interface RateLimitOptions {
  /** Requests per minute per key (and per address without a valid key); 0 turns limiting off. */
  perMinute: number;
  store: RateLimitStoreKind;
  redisUrl?: string | null;
}

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** @fastify/rate-limit's store contract (incr, read, child) over store/rate-limits.ts. */
function databaseStore(db: Db) {
  return class DatabaseStore {
    incr(key: string, callback: StoreCallback, timeWindow: number): void {
      incrementWindow(db, key, timeWindow).then((w) => callback(null, { current: w.count, ttl: w.ttlMs }), callback);
    }
    read(key: string, callback: StoreCallback, timeWindow: number): void {
      readWindow(db, key, timeWindow).then((w) => callback(null, { current: w.count, ttl: w.ttlMs }), callback);
    }
    child(): DatabaseStore {
      return this;
    }
  };
}

interface Verdict {
  isAllowed: boolean;
  max?: number;
  remaining?: number;
  ttlInSeconds?: number;
  isExceeded?: boolean;
}
type Limiter = (request: FastifyRequest, options?: { increment?: boolean }) => Promise<Verdict>;

/** What the auth hook (http/auth.ts) calls; both throw the 429 ApiError when over the limit. */
export interface RequestLimits {
  /** Before the key is checked: refuses an address that used up its allowance of failed attempts. */
  beforeKeyCheck(request: FastifyRequest): void;
  /** Counts a request that carried no valid key against its address. */
  countFailure(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Counts a request against its key and sets the RateLimit-* headers. */
  countKey(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/** For apps built without limits (tests that are not about them). */
export const NO_LIMITS: RequestLimits = { beforeKeyCheck() {}, async countFailure() {}, async countKey() {} };

function tooMany(retryAfterSeconds: number, what: string): ApiError {
  const seconds = Math.max(1, retryAfterSeconds);
  return new ApiError(429, 'rate_limited', `Too many requests for this ${what}; retry in ${seconds} s.`, undefined,
    { 'Retry-After': String(seconds) });
}

function setHeaders(reply: FastifyReply, verdict: Verdict): void {
  reply.header('RateLimit-Limit', verdict.max);
  reply.header('RateLimit-Remaining', verdict.remaining);
  reply.header('RateLimit-Reset', verdict.ttlInSeconds);
}

/**
 * Registers @fastify/rate-limit on `app` (not globally: the auth hook decides what a request is counted
 * against) and returns the checks the auth hook makes. Unused windows are pruned every minute.
 */
export async function registerRateLimits(app: FastifyInstance, db: Db, options: RateLimitOptions): Promise<RequestLimits> {
  if (options.perMinute <= 0) return NO_LIMITS;
  let redis: Redis | undefined;
  if (options.store === 'redis') {
    if (!options.redisUrl) throw new Error('rate limits: the redis store needs REDIS_URL');
    // Fail fast rather than queue requests behind a Redis that is down (the library's advice).
    redis = new Redis(options.redisUrl, { connectTimeout: 1000, maxRetriesPerRequest: 1, enableOfflineQueue: true });
    app.addHook('onClose', async () => { redis?.disconnect(); });
  }
  await app.register(rateLimit, {
    global: false,
    max: options.perMinute,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    nameSpace: 'ordersync-rate-',
    ...(options.store === 'database' ? { store: databaseStore(db) } : {}),
    ...(redis ? { redis } : {}),
  });
  if (options.store === 'database') {
    const timer = setInterval(() => {
      pruneWindows(db, Date.now() - 2 * RATE_LIMIT_WINDOW_MS).catch((err) => app.log.warn({ err }, 'could not prune rate-limit windows'));
    }, RATE_LIMIT_WINDOW_MS);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  const byKey: Limiter = app.createRateLimit({ keyGenerator: (request) => `key:${request.auth.keyId}` });
  const byAddress: Limiter = app.createRateLimit({ keyGenerator: (request) => `ip:${request.ip}` });
  // Addresses known to be over their allowance, and until when: refused without a look-up of key or count.
  const blockedUntil = new Map<string, number>();
  // Keys known to be over their allowance, and until when: refused here without counting. A key that goes on
  // sending after its 429 would otherwise cost a write to the shared store per request (SQLite's one write lock,
  // taken by every process), and its burst would slow every other key's requests (DESIGN 4d).
  const keyBlockedUntil = new Map<string, { until: number; max: number | undefined }>();

  return {
    beforeKeyCheck(request) {
      const until = blockedUntil.get(request.ip);
      if (until === undefined) return;
      const left = until - Date.now();
      if (left > 0) throw tooMany(Math.ceil(left / 1000), 'address');
      blockedUntil.delete(request.ip);
    },
    async countFailure(request, reply) {
      const verdict = await byAddress(request);
      if (verdict.isAllowed) return;
      setHeaders(reply, verdict);
      if (verdict.isExceeded) {
        blockedUntil.set(request.ip, Date.now() + (verdict.ttlInSeconds ?? 60) * 1000);
        throw tooMany(verdict.ttlInSeconds ?? 60, 'address');
      }
    },
    async countKey(request, reply) {
      const blocked = keyBlockedUntil.get(request.auth.keyId);
      if (blocked !== undefined) {
        const left = Math.ceil((blocked.until - Date.now()) / 1000);
        if (left > 0) {
          setHeaders(reply, { isAllowed: false, max: blocked.max, remaining: 0, ttlInSeconds: left });
          throw tooMany(left, 'API key');
        }
        keyBlockedUntil.delete(request.auth.keyId);
      }
      const verdict = await byKey(request);
      if (verdict.isAllowed) return;
      setHeaders(reply, verdict);
      if (verdict.isExceeded) {
        const seconds = verdict.ttlInSeconds ?? 60;
        keyBlockedUntil.set(request.auth.keyId, { until: Date.now() + seconds * 1000, max: verdict.max });
        throw tooMany(seconds, 'API key');
      }
    },
  };
}

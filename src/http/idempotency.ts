// Idempotency-Key on POSTs of the write API (Stripe's convention): the first response to a key is kept for
// 24 hours; a repeat with the same request gets it again without a second write, and the same key with a
// different request is a 409.
//
// Crash safety (issue 9; Stripe's design where the key and its response are written in the same atomic phase
// as the change): a POST carrying a key runs its handler inside a RequestTransaction (db/request-transaction.ts).
// Every query the handler and its stores make goes to that one transaction (the stores' own transactions become
// savepoints), and the key row with the serialized response is inserted into it just before it commits. So the
// key, its request hash, the response and the write commit together or not at all: after a crash at any
// instant, a retry with the same key finds either the stored response (replayed) or nothing at all (performed,
// once). No key is ever stored without its response, so none can be stuck "in progress".
//
// A concurrent request with the same key: on SQLite transactions take turns, so the second one finds the key
// when it tries to store it, rolls its own work back and replays the first. On PostgreSQL its insert waits for
// the first request's uncommitted row; it replays the first once that commits, or after
// IDEMPOTENCY_LOCK_TIMEOUT_SECONDS answers 409 "still being handled" (Retry-After). A process that dies
// mid-request leaves nothing behind: SQLite drops its uncommitted transaction with its file locks, PostgreSQL
// ends it as soon as it sees the connection close (at once for a killed process; within about 16 s of TCP
// keepalives, set per session by openDatabase, for a host that vanished), which frees the key.
//
// For a route: call `registerIdempotency(app, db)` at the top of the plugin, before its routes (the one line).
// Its POST handlers then get the behaviour with no change, provided everything they write goes through the
// shared Db (stores) and whatever they start in the background waits for `whenCommitted()` first.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.ts';
import { RequestTransaction } from '../db/request-transaction.ts';
import {
  deleteExpiredIdempotencyKey, findIdempotencyKey, KeyInFlightError, saveIdempotencyResponse, StoredResponseUnreadableError,
  type StoredResponse,
} from '../store/idempotency-keys.ts';
import { ApiError, conflict, validationFailed } from './errors.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Default of IDEMPOTENCY_LOCK_TIMEOUT_SECONDS. */
export const DEFAULT_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS = 10;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** Response headers stored with the body and replayed. */
const REPLAYED_HEADERS = ['location'];

interface KeyedRequest {
  key: string;
  hash: string;
  scope: RequestTransaction;
  failed: boolean;
  done: boolean;
}

const KEYED = Symbol('idempotency');

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey?: string;
    [KEYED]?: KeyedRequest;
  }
  interface FastifyInstance {
    /** Set by buildApp from IDEMPOTENCY_LOCK_TIMEOUT_SECONDS. */
    idempotencyLockTimeoutSeconds?: number;
    /** Set by buildApp to ORDERSYNC_SECRET: stored responses are encrypted with it (store/idempotency-keys.ts). */
    idempotencySecret?: string;
  }
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url.split('?')[0]}\n`)
    // A raw body (a supplier document, up to DOCUMENT_MAX_BYTES) is hashed as it is, not as JSON of its bytes.
    .update(Buffer.isBuffer(request.body) ? request.body : JSON.stringify(request.body ?? null))
    .digest('hex');
}

function replay(reply: FastifyReply, stored: StoredResponse): FastifyReply {
  reply.code(stored.status_code).headers(stored.response_headers).header('Idempotent-Replayed', 'true')
    .type('application/json; charset=utf-8');
  return reply;
}

function headersToKeep(reply: FastifyReply): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}

const stillBeingHandled = () => new ApiError(409, 'conflict',
  'A request with this Idempotency-Key is still being handled; retry shortly.', undefined, { 'Retry-After': '1' });

/**
 * Adds the behaviour to every POST route of `app` (an encapsulated plugin whose auth hook has already set
 * request.auth) registered after this call. Runs after validation, so a rejected body never takes a key.
 * Errors: 400 naming `header.idempotency-key` for a malformed key; 409 for a key used with another request, or
 * (PostgreSQL) still held by a request that has not finished within the lock timeout.
 */
export function registerIdempotency(app: FastifyInstance, db: Db): void {
  const lockTimeoutMs = () => 1000 * (app.idempotencyLockTimeoutSeconds ?? DEFAULT_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS);
  const secret = () => {
    // No plaintext fallback: a response may hold a secret shown once (a webhook endpoint's whsec_).
    if (!app.idempotencySecret) throw new Error('registerIdempotency: app.idempotencySecret is not set (buildApp sets it)');
    return app.idempotencySecret;
  };
  const findKey = async (retailerId: string, key: string) => {
    try {
      return await findIdempotencyKey(db, retailerId, key, secret());
    } catch (error) {
      if (!(error instanceof StoredResponseUnreadableError)) throw error;
      // The write was done; doing it again is never right. The key cannot be replayed: the client uses a new one.
      throw conflict('The response stored for this Idempotency-Key can no longer be read (the server\'s secret changed); '
        + 'check whether the first request took effect, and use a new key for a new request.');
    }
  };

  // The handler runs inside the request's transaction.
  app.addHook('onRoute', (route) => {
    if (![route.method].flat().includes('POST')) return;
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      const keyed = request[KEYED];
      return keyed ? keyed.scope.run(() => handler.call(this, request, reply)) : handler.call(this, request, reply);
    } as typeof route.handler;
  });

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY_FORMAT.test(key)) {
      throw validationFailed([{ field: 'header.idempotency-key', message: 'must be 1–255 visible ASCII characters' }]);
    }
    const retailerId = request.auth.retailerId;
    await deleteExpiredIdempotencyKey(db, retailerId, key, new Date(Date.now() - IDEMPOTENCY_TTL_MS).toISOString());
    const hash = requestHash(request);
    const stored = await findKey(retailerId, key);
    if (stored) {
      if (stored.request_hash !== hash) {
        throw conflict('This Idempotency-Key was already used with a different request; use a new key for a new request.');
      }
      return replay(reply, stored).send(stored.response_body);
    }
    const scope = RequestTransaction.for(db);
    request.idempotencyKey = key;
    request[KEYED] = { key, hash, scope, failed: false, done: false };
  });

  app.addHook('onError', async (request) => {
    const keyed = request[KEYED];
    if (keyed) keyed.failed = true;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const keyed = request[KEYED];
    if (!keyed || keyed.done) return payload;
    keyed.done = true;
    const retailerId = request.auth.retailerId;
    const response: StoredResponse = {
      request_hash: keyed.hash,
      status_code: reply.statusCode,
      response_body: typeof payload === 'string' ? payload : String(payload),
      response_headers: headersToKeep(reply),
      created_at: new Date().toISOString(),
    };

    if (keyed.failed || reply.statusCode >= 500) {
      // The handler failed: nothing it wrote is kept.
      await keyed.scope.rollback();
      // A concurrent request with the key may have done the work meanwhile (and made this one fail): replay it.
      const first = await findKey(retailerId, keyed.key);
      if (first && first.request_hash === keyed.hash) {
        replay(reply, first);
        return first.response_body;
      }
      // A 5xx is not kept: the client may retry with the same key. A 4xx (bad state, not found) is.
      if (reply.statusCode >= 500) return payload;
      const saved = await db.transaction().execute((trx) => saveIdempotencyResponse(trx, retailerId, keyed.key, response, lockTimeoutMs(), secret()))
        .catch((error) => (error instanceof KeyInFlightError ? false : Promise.reject(error)));
      if (!saved) {
        const other = await findKey(retailerId, keyed.key);
        if (other && other.request_hash === keyed.hash) {
          replay(reply, other);
          return other.response_body;
        }
      }
      return payload;
    }

    try {
      const saved = await keyed.scope.run(() => saveIdempotencyResponse(db, retailerId, keyed.key, response, lockTimeoutMs(), secret()));
      if (!saved) {
        await keyed.scope.rollback();
        const first = await findKey(retailerId, keyed.key);
        if (!first) throw new Error('idempotency key vanished');
        if (first.request_hash !== keyed.hash) {
          throw conflict('This Idempotency-Key was already used with a different request; use a new key for a new request.');
        }
        replay(reply, first);
        return first.response_body;
      }
      await keyed.scope.commit();
    } catch (error) {
      await keyed.scope.rollback().catch(() => undefined);
      if (error instanceof KeyInFlightError) throw stillBeingHandled();
      // The write may have failed because a concurrent request with the key did it first: replay that one.
      const first = await findKey(retailerId, keyed.key);
      if (first && first.request_hash === keyed.hash) {
        replay(reply, first);
        return first.response_body;
      }
      throw error;
    }
    return payload;
  });
}

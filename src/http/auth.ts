// X-API-Key authentication and scope checks for the /api routes.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify';
import type { Scope } from '../domain/api-keys.ts';
import type { Db } from '../db/database.ts';
import { cachedApiKey, touchApiKey, verifyApiKey, type VerifiedKey } from '../store/api-keys.ts';
import { ApiError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    auth: VerifiedKey;
  }
}

/** last_used_at is informational: write it at most once a minute per key, off the request's path. */
const TOUCH_INTERVAL_MS = 60_000;

export function createAuthenticator(db: Db) {
  const lastTouched = new Map<string, number>();

  function noteUse(request: FastifyRequest, keyId: string): void {
    const now = Date.now();
    if (now - (lastTouched.get(keyId) ?? 0) < TOUCH_INTERVAL_MS) return;
    lastTouched.set(keyId, now);
    touchApiKey(db, keyId, new Date(now)).catch((err) => request.log.warn({ err }, 'could not record key use'));
  }

  /** Admits the request with `key`, or says why not (401 no valid key, 403 scope missing). */
  function admit(request: FastifyRequest, key: VerifiedKey | null, scope: Scope): ApiError | undefined {
    if (!key) return new ApiError(401, 'unauthorized', 'The API key is not valid (unknown, revoked or malformed).');
    if (!key.scopes.includes(scope)) return new ApiError(403, 'forbidden', `This API key lacks the "${scope}" scope this endpoint needs.`);
    request.auth = key;
    noteUse(request, key.keyId);
    return undefined;
  }

  /**
   * A hook that admits a request only with a valid key holding `scope`. A callback-style hook, not an async one:
   * a key verified in the last seconds (cachedApiKey) is admitted without a promise or a database read.
   */
  return function requireScope(scope: Scope): onRequestHookHandler {
    return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const header = request.headers['x-api-key'];
      const secret = Array.isArray(header) ? header[0] : header;
      if (!secret) return done(new ApiError(401, 'unauthorized', 'Send your API key in the X-API-Key header.'));
      const cached = cachedApiKey(db, secret);
      if (cached) return done(admit(request, cached, scope));
      verifyApiKey(db, secret).then((key) => done(admit(request, key, scope)), done);
    };
  };
}

export type RequireScope = ReturnType<typeof createAuthenticator>;

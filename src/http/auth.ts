// X-API-Key authentication and scope checks for the /api routes.
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Scope } from '../domain/api-keys.ts';
import type { Db } from '../db/database.ts';
import { touchApiKey, verifyApiKey, type VerifiedKey } from '../store/api-keys.ts';
import { ApiError } from './errors.ts';
import { NO_LIMITS, type RequestLimits } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    auth: VerifiedKey;
  }
}

/** last_used_at is informational: write it at most once a minute per key, off the request's path. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * `limits` (http/rate-limit.ts) counts each request against its key, or against its address when it has no
 * valid key; an address over its allowance is refused before the key is looked up.
 */
export function createAuthenticator(db: Db, limits: RequestLimits = NO_LIMITS) {
  const lastTouched = new Map<string, number>();

  function noteUse(request: FastifyRequest, keyId: string): void {
    const now = Date.now();
    if (now - (lastTouched.get(keyId) ?? 0) < TOUCH_INTERVAL_MS) return;
    lastTouched.set(keyId, now);
    touchApiKey(db, keyId, new Date(now)).catch((err) => request.log.warn({ err }, 'could not record key use'));
  }

  /** A hook that admits a request only with a valid key holding `scope`. */
  return function requireScope(scope: Scope): onRequestHookHandler {
    return async (request, reply) => {
      limits.beforeKeyCheck(request);
      const header = request.headers['x-api-key'];
      const secret = Array.isArray(header) ? header[0] : header;
      if (!secret) {
        await limits.countFailure(request, reply);
        throw new ApiError(401, 'unauthorized', 'Send your API key in the X-API-Key header.');
      }
      const key = await verifyApiKey(db, secret);
      if (!key) {
        await limits.countFailure(request, reply);
        throw new ApiError(401, 'unauthorized', 'The API key is not valid (unknown, revoked, expired or malformed).');
      }
      request.auth = key;
      // Every request a key makes counts, refused for its scope or not.
      await limits.countKey(request, reply);
      noteUse(request, key.keyId);
      if (!key.scopes.includes(scope)) {
        throw new ApiError(403, 'forbidden', `This API key lacks the "${scope}" scope this endpoint needs.`);
      }
    };
  };
}

export type RequireScope = ReturnType<typeof createAuthenticator>;

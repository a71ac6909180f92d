// Idempotency-Key on POSTs of the write API (Stripe's convention): the first response to a key is kept for
// 24 hours; a repeat with the same request gets it again without a second write, and the same key with a
// different request is a 409.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.ts';
import { conflict, validationFailed } from './errors.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey?: string;
  }
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url.split('?')[0]}\n`)
    // A raw body (a supplier document, up to DOCUMENT_MAX_BYTES) is hashed as it is, not as JSON of its bytes.
    .update(Buffer.isBuffer(request.body) ? request.body : JSON.stringify(request.body ?? null))
    .digest('hex');
}

/**
 * Adds the behaviour to every POST route of `app` (an encapsulated plugin whose auth hook has already set
 * request.auth). Runs after validation, so a rejected body never takes a key.
 */
export function registerIdempotency(app: FastifyInstance, db: Db): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY_FORMAT.test(key)) {
      throw validationFailed([{ field: 'header.idempotency-key', message: 'must be 1–255 visible ASCII characters' }]);
    }
    const retailerId = request.auth.retailerId;
    const now = Date.now();
    await db.deleteFrom('idempotency_keys')
      .where('retailer_id', '=', retailerId).where('key', '=', key)
      .where('created_at', '<', new Date(now - IDEMPOTENCY_TTL_MS).toISOString())
      .execute();
    const hash = requestHash(request);
    const inserted = await db.insertInto('idempotency_keys')
      .values({ retailer_id: retailerId, key, request_hash: hash, status_code: null, response_body: null, created_at: new Date(now).toISOString() })
      .onConflict((oc) => oc.columns(['retailer_id', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
      request.idempotencyKey = key;
      return;
    }
    const first = await db.selectFrom('idempotency_keys').selectAll()
      .where('retailer_id', '=', retailerId).where('key', '=', key).executeTakeFirstOrThrow();
    if (first.request_hash !== hash) {
      throw conflict('This Idempotency-Key was already used with a different request; use a new key for a new request.');
    }
    if (first.status_code === null) throw conflict('A request with this Idempotency-Key is still being handled; retry shortly.');
    return reply.code(first.status_code).header('Idempotent-Replayed', 'true')
      .type('application/json; charset=utf-8').send(first.response_body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const key = request.idempotencyKey;
    if (!key) return payload;
    const where = db.updateTable('idempotency_keys').where('retailer_id', '=', request.auth.retailerId).where('key', '=', key);
    if (reply.statusCode >= 500) {
      // Nothing was written (the write is one transaction): free the key so the client can retry.
      await db.deleteFrom('idempotency_keys').where('retailer_id', '=', request.auth.retailerId).where('key', '=', key).execute();
    } else {
      await where.set({ status_code: reply.statusCode, response_body: typeof payload === 'string' ? payload : String(payload) }).execute();
    }
    return payload;
  });
}

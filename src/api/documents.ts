// PDF documents (DESIGN section 3 and 2.5): a PO's order summary and received summary, rendered on request
// for a key with the write scope, and stored documents (invoice PDFs) served at signed, expiring links that
// need no API key (http/document-links.ts makes them).
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { renderOrderSummary } from '../documents/order-summary.ts';
import type { PoDocumentData } from '../documents/po-document-data.ts';
import { renderReceivedSummary } from '../documents/received-summary.ts';
import { isPoDocumentAvailable, poDocumentFilename, poDocumentUnavailableMessage, type PoDocumentKind } from '../domain/po-documents.ts';
import { verifyDocumentLink } from '../domain/signing.ts';
import type { Db } from '../db/database.ts';
import type { RequireScope } from '../http/auth.ts';
import { conflict, notFound } from '../http/errors.ts';
import { findDocument } from '../store/documents.ts';
import { loadPoDocumentData } from '../store/po-documents.ts';
import { ErrorBody } from './order-schemas.ts';

export interface DocumentsApiOptions {
  db: Db;
  requireScope: RequireScope;
  /** Verifies the signatures of document links. */
  secret: string;
}

const PoParams = Type.Object({ purchase_order_id: Type.String({ maxLength: 64 }) });
const DocumentParams = Type.Object({ document_id: Type.String({ description: 'Document id (`doc_…`)' }) });
const LinkQuery = Type.Object({
  expires: Type.Optional(Type.String({ description: 'When the link stops working, in Unix seconds' })),
  signature: Type.Optional(Type.String({ description: 'HMAC of the document id and expiry' })),
});

const binary = (mediaType: string, description: string) =>
  ({ description, content: { [mediaType]: { schema: { type: 'string', format: 'binary' } } } }) as const;

const RENDERERS: Record<PoDocumentKind, (data: PoDocumentData) => Promise<Buffer>> = {
  order_summary: renderOrderSummary,
  received_summary: renderReceivedSummary,
};

const EXPIRES = /^[1-9][0-9]{0,11}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"\r\n]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;

/** `attachment; filename="…"` with an ASCII fallback and the exact name in RFC 5987 form. */
export function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const exact = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return ascii === filename ? `attachment; filename="${ascii}"` : `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

function sendFile(reply: FastifyReply, contentType: string, filename: string, bytes: Buffer): FastifyReply {
  return reply
    .type(contentType)
    .header('Content-Disposition', attachment(filename))
    .header('Cache-Control', 'private, no-store')
    .header('X-Content-Type-Options', 'nosniff')
    .send(bytes);
}

export const documentsApi: FastifyPluginAsync<DocumentsApiOptions> = async (fastify, { db, requireScope, secret }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  const poDocument = (kind: PoDocumentKind, summary: string, description: string) => {
    app.get(`/api/v2/purchase_orders/:purchase_order_id/documents/${kind}`, {
      onRequest: requireScope('write'),
      schema: {
        summary, description, tags: ['Purchase orders'], security: [{ apiKey: [] }], params: PoParams,
        response: {
          200: binary('application/pdf', 'The PDF'),
          401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody,
        },
      },
    }, async (request, reply) => {
      const id = request.params.purchase_order_id;
      const data = await loadPoDocumentData(db, request.auth.retailerId, id);
      if (!data) throw notFound(`No purchase order "${id}".`);
      if (!isPoDocumentAvailable(kind, data.po.status)) throw conflict(poDocumentUnavailableMessage(kind, data.po.status));
      const pdf = await RENDERERS[kind](data);
      return sendFile(reply, 'application/pdf', poDocumentFilename(kind, data.po.po_number), pdf);
    });
  };

  poDocument('order_summary', 'Order summary PDF',
    'The purchase order as sent to the supplier: supplier, warehouse, lines, costs and total. Open, receiving, received or closed POs (409 otherwise).');
  poDocument('received_summary', 'Received summary PDF',
    'What was received against the PO, by line and by receipt (location, lot, expiration date). Receiving, received or closed POs (409 otherwise).');

  // Signed links: every way a link can fail (incomplete, altered, expired, unknown document) is a 404, so a
  // link reveals nothing beyond the document it was made for.
  app.get('/api/v2/documents/:document_id', {
    attachValidation: true,
    schema: {
      summary: 'Download a document (signed link)',
      description: 'Serves a stored document, such as an invoice PDF, at the signed, expiring `download_url` the read API returns. ' +
        'Needs no API key; an incomplete, altered or expired link is a 404.',
      tags: ['Documents'], params: DocumentParams, querystring: LinkQuery,
      response: { 200: binary('application/pdf', 'The document, with its stored content type'), 404: ErrorBody },
    },
  }, async (request, reply) => {
    const invalid = () => notFound('This document link is not valid: it is incomplete or was altered.');
    const documentId: unknown = request.params?.document_id;
    const { expires, signature } = (request.query ?? {}) as { expires?: unknown; signature?: unknown };
    if (request.validationError || typeof documentId !== 'string' || typeof expires !== 'string' || typeof signature !== 'string') throw invalid();
    // Only the canonical spelling of each value passes: no leading zeros, no base64url variants of one signature.
    if (!EXPIRES.test(expires) || !SIGNATURE.test(signature) || Buffer.from(signature, 'base64url').toString('base64url') !== signature) {
      throw invalid();
    }
    const expiresAt = Number(expires);
    if (!verifyDocumentLink(secret, documentId, expiresAt, signature)) throw invalid();
    if (expiresAt * 1000 <= Date.now()) throw notFound('This document link has expired; read the order again for a fresh link.');
    const document = await findDocument(db, documentId);
    if (!document) throw notFound(`No document "${documentId}".`);
    const contentType = MEDIA_TYPE.test(document.content_type) ? document.content_type : 'application/octet-stream';
    return sendFile(reply, contentType, document.filename || `${document.id}.pdf`, document.bytes);
  });
};

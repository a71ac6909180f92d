// /api/v2/supplier_documents (DESIGN 3, "Supplier documents (X12 EDI and CSV)"): a supplier's file as raw bytes in,
// the document with per-set/per-row results out; the list, one document, its original bytes and its 997.
import { byteLimit, byteSize } from '../domain/byte-size.ts';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DEFAULT_DOCUMENT_MAX_BYTES } from '../config.ts';
import type { Db } from '../db/database.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { visible } from '../domain/plain-text.ts';
import { parseTimestamp } from '../domain/timestamps.ts';
import {
  CSV_MEDIA_TYPES, documentFilename, documentFormatOf, toSupplierDocument, toSupplierDocumentWithResults, X12_MEDIA_TYPES,
} from '../domain/supplier-document-resource.ts';
import type { RequireScope } from '../http/auth.ts';
import { ApiError, bodyTooLargeDetails, notFound } from '../http/errors.ts';
import { registerIdempotency } from '../http/idempotency.ts';
import { pageLinks, requestedListPage } from '../http/pagination.ts';
import { emptyFileProblem } from '../ingest/files.ts';
import { awaitOtherApply, documentWithResults, ingestDocument } from '../ingest/pipeline.ts';
import { findDocumentContent, findDocumentResults, findDocumentRow, listDocuments, type ListFilters } from '../store/supplier-documents.ts';
import { attachment } from './documents.ts';
import { ErrorBody } from './order-schemas.ts';

export interface SupplierDocumentsApiOptions {
  db: Db;
  requireScope: RequireScope;
  secret: string;
  publicUrl: string;
  /** DOCUMENT_MAX_BYTES: the largest body POST accepts (this route only; the rest of the API keeps 1 MB). */
  maxBytes?: number;
  /** HELD_UPDATE_LIMIT (default 100,000), as for POST /api/v2/supplier_updates. */
  heldUpdateLimit?: number;
}

const CURSOR_PURPOSE = 'supplier_documents';
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Format = Type.Union([Type.Literal('x12'), Type.Literal('csv')]);
const Status = Type.Union([Type.Literal('processing'), Type.Literal('processed'), Type.Literal('failed')], {
  description: 'processed: read and applied; failed: could not be read (see error); processing: being applied ' +
    '(an apply cut off by a crash stays here until the same bytes are sent again or the inbox re-scans the file).',
});
const Counts = Type.Object({ applied: Type.Integer(), unchanged: Type.Integer(), unmatched: Type.Integer(), rejected: Type.Integer() });
const documentFields = {
  document_id: Type.String({ description: '`sdoc_…`' }),
  format: Format,
  filename: Nullable(Type.String()),
  content_type: Type.String(),
  size_bytes: Type.Integer(),
  supplier_name: Nullable(Type.String()),
  received_at: Type.String({ description: 'ISO 8601 with offset' }),
  processed_at: Nullable(Type.String()),
  sha256: Type.String({ description: 'Hex SHA-256 of the bytes: the same bytes from the same retailer are the same document' }),
  status: Status,
  summary: Counts,
  acknowledgement: Nullable(Type.String({ description: 'X12: the 997 functional acknowledgement' })),
  error: Nullable(Type.String({ description: 'Why the file could not be read, with line and column where known' })),
};
const DocumentSummaryOut = Type.Object(documentFields);
const DocumentOut = Type.Object({
  ...documentFields,
  results: Type.Array(Type.Object({
    index: Type.Integer(),
    source: Type.String({ description: 'Where in the file: `ST 0002 (856)`, `row 7`' }),
    type: Nullable(Type.String()),
    po_number: Nullable(Type.String()),
    result: Type.Union([Type.Literal('applied'), Type.Literal('unchanged'), Type.Literal('unmatched'), Type.Literal('rejected')]),
    reason: Nullable(Type.String()),
  })),
});
const Link = Type.Union([Type.Object({ href: Type.String() }), Type.Null()]);
const DocumentList = Type.Object({
  supplier_documents: Type.Array(DocumentSummaryOut, { description: 'Newest first; each without its results (GET one for them)' }),
  total: Type.Integer(), page: Type.Integer(), pages: Type.Integer(),
  links: Type.Object({ first: Link, last: Link, prev: Link, next: Link }),
});
const UnprocessableBody = Type.Object({
  error: Type.Literal('unprocessable_document'), errorCode: Type.Literal(422), message: Type.String(), request_id: Type.String(),
  document_id: Type.String({ description: 'The stored document (status failed): its bytes stay downloadable' }),
});
const NotFinishedBody = Type.Object({
  error: Type.Literal('document_not_finished'), errorCode: Type.Literal(503), message: Type.String(), request_id: Type.String(),
  document_id: Type.String({ description: 'The stored document (status processing): the same bytes again complete it' }),
});
const PostQuery = Type.Object({
  format: Type.Optional(Format),
  supplier_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'CSV without a supplier column' })),
  filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
}, { additionalProperties: false });
const ListQuery = Type.Object({
  status: Type.Optional(Status),
  format: Type.Optional(Format),
  received_since: Type.Optional(Type.String({
    format: 'date-time', description: 'RFC 3339 date-time; without an offset, in the retailer\'s time zone; a bare date is its midnight there',
  })),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: 'From links.*.href; carries the filters' })),
}, { additionalProperties: false });
const IdParams = Type.Object({ document_id: Type.String({ minLength: 1, maxLength: 64 }) });
const binary = (mediaType: string, description: string) =>
  ({ description, content: { [mediaType]: { schema: { type: 'string', format: 'binary' } } } }) as const;

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const SAFE_MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"\r\n]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;
/** A download: the bytes as they are, never sniffed or cached by the browser. */
function sendBytes(reply: FastifyReply, contentType: string, filename: string, bytes: Buffer): FastifyReply {
  return reply.type(contentType).header('Content-Disposition', attachment(filename))
    .header('Cache-Control', 'private, no-store').header('X-Content-Type-Options', 'nosniff').send(bytes);
}


export const supplierDocumentsApi: FastifyPluginAsync<SupplierDocumentsApiOptions> = async (fastify, options) => {
  const { db, requireScope, secret, publicUrl } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_DOCUMENT_MAX_BYTES;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Supplier documents'];
  const security = [{ apiKey: [] }];

  // Closing the service (SIGTERM) stops a document's apply between batches instead of waiting for its end.
  const stopping = new AbortController();
  app.addHook('preClose', async () => { stopping.abort(); });

  // The body is the file: any media type arrives as bytes, and the handler decides the format (415 if none).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: Error & { code?: string }, request) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // A compressed body is held to the limit once decompressed (http/content-encoding.ts).
      const decompressed = request.headers['content-encoding'] === undefined ? '' : ' once decompressed';
      throw new ApiError(413, 'payload_too_large',
        `The document is larger than this endpoint accepts${decompressed}: at most ${byteLimit(maxBytes)}; DOCUMENT_MAX_BYTES.`,
        bodyTooLargeDetails(maxBytes));
    }
    throw error; // the app's handler renders the envelope
  });
  registerIdempotency(app, db);

  app.post('/api/v2/supplier_documents', {
    onRequest: requireScope('write'),
    bodyLimit: maxBytes,
    schema: {
      summary: 'Send a supplier document (X12 855/856/810 or CSV)', tags, security, querystring: PostQuery,
      description: `The body is the file's bytes. Content-Type ${X12_MEDIA_TYPES.join(' or ')} (or text/plain or application/octet-stream starting with ISA) ` +
        `for X12, ${CSV_MEDIA_TYPES.join(' or ')} for CSV; ?format= overrides. At most ${byteSize(maxBytes)}. The bytes are ` +
        'stored before they are read; each transaction set or row is applied like POST /api/v2/supplier_updates. 201 with the ' +
        'document; 200 with the first document when the same bytes were sent before (nothing is applied twice); 409 ' +
        'document_conflict (naming the first document) when they were sent before with another ?format= or ?supplier_name= (unless ' +
        'the first reading failed and applied nothing: the document is then read again the new way, 200); 422 ' +
        'unprocessable_document with its document_id when the file cannot be read at all; 503 document_not_finished with its ' +
        'document_id when the service stopped it between batches to shut down (send the same bytes again). Honours Idempotency-Key.',
      response: {
        200: DocumentOut, 201: DocumentOut, ...errors, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, 422: UnprocessableBody,
        503: NotFinishedBody,
      },
    },
  }, async (request, reply) => {
    const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    // An empty body (or white space only) sent nothing: nothing is stored, as the inbox and `ordersync ingest` store
    // nothing for an empty file (ingest/files.ts, the one rule).
    const empty = emptyFileProblem(bytes, 'send the file\'s bytes');
    if (empty !== null) throw new InvalidInputError([{ field: 'body', message: empty }]);
    // Names are compared as given, so surrounding space would make the same file a different document.
    const supplierName = request.query.supplier_name?.trim();
    if (supplierName === '') throw new InvalidInputError([{ field: 'query.supplier_name', message: 'must not be blank' }]);
    const contentType = request.headers['content-type'];
    const format = documentFormatOf(request.query.format, contentType, bytes);
    if (format === null) {
      throw new ApiError(415, 'unsupported_media_type',
        `Send X12 as ${X12_MEDIA_TYPES.join(' or ')} and CSV as text/csv, or name the format with ?format=x12 or ?format=csv ` +
        `(got ${contentType ? `"${contentType}"` : 'no Content-Type'}).`,
        [{ field: 'headers.content-type', message: `must be ${[...X12_MEDIA_TYPES, 'text/csv'].map((t) => `"${t}"`).join(', ')}, or the format named by query.format` }]);
    }
    const outcome = await ingestDocument(db, request.auth.retailerId, {
      bytes, format, filename: request.query.filename ?? null, supplier_name: supplierName ?? null,
      content_type: contentType && SAFE_MEDIA_TYPE.test(contentType) ? contentType : format === 'x12' ? X12_MEDIA_TYPES[0] : 'text/csv',
    }, { heldLimit: options.heldUpdateLimit, signal: stopping.signal });
    const { created, conflict } = outcome;
    if (conflict) throw new ApiError(409, 'document_conflict', conflict, undefined, undefined, { document_id: outcome.document.id });
    // Another apply holds the document (the start's resume of a cut-off apply, the same bytes in another request):
    // this request answers with its outcome when it ends soon, rather than a 503 asking for the bytes again.
    const document = outcome.document.status === 'processing' && !stopping.signal.aborted
      ? await awaitOtherApply(db, request.auth.retailerId, outcome.document, stopping.signal) : outcome.document;
    if (document.status === 'processing') {
      // Stopped between batches by a shutdown (or another request is applying the same bytes): kept, not lost.
      throw new ApiError(503, 'document_not_finished', 'The document is stored but not fully applied (the service is ' +
        'shutting down, or the same bytes are being applied by another request); send the same bytes again to complete it.',
      undefined, undefined, { document_id: document.id });
    }
    if (document.status === 'failed') {
      throw new ApiError(422, 'unprocessable_document', `The document cannot be read: ${visible(document.error ?? '')}`, undefined, undefined,
        { document_id: document.id });
    }
    const { row, results } = await documentWithResults(db, document);
    return reply.code(created ? 201 : 200).send(toSupplierDocumentWithResults(row, results));
  });

  app.get('/api/v2/supplier_documents', {
    onRequest: requireScope('read'),
    schema: {
      summary: 'List supplier documents', tags, security, querystring: ListQuery, response: { 200: DocumentList, ...errors },
      description: 'Newest first. Filters combine; follow links.next.href (its cursor keeps the filters and page size) until it is null.',
    },
  }, async (request) => {
    const state = requestedListPage<ListFilters>(secret, CURSOR_PURPOSE, request.query, (filters) => {
      if (!filters.received_since) return filters;
      // The one timestamp parser (DESIGN 1), as the PO list's date filters: a leap second or +hhmm is read, not a 500
      // from Date; without an offset, the retailer's time zone.
      const since = parseTimestamp(filters.received_since, { zone: request.auth.timezone });
      if (!since.ok) throw new InvalidInputError([{ field: 'query.received_since', message: since.reason }]);
      return { ...filters, received_since: since.instant };
    });
    const { rows, total } = await listDocuments(db, request.auth.retailerId, state.filters, state.page, state.page_size);
    const pages = Math.ceil(total / state.page_size);
    return {
      supplier_documents: rows.map(toSupplierDocument), total, page: state.page, pages,
      links: pageLinks(`${publicUrl}/api/v2/supplier_documents`, secret, CURSOR_PURPOSE, state, pages),
    };
  });

  const findRow = async (retailerId: string, id: string) => {
    const row = await findDocumentRow(db, retailerId, id);
    if (!row) throw notFound(`No supplier document "${id}".`);
    return row;
  };

  app.get('/api/v2/supplier_documents/:document_id', {
    onRequest: requireScope('read'),
    schema: { summary: 'Get a supplier document with its results', tags, security, params: IdParams, response: { 200: DocumentOut, ...errors } },
  }, async (request) => {
    const row = await findRow(request.auth.retailerId, request.params.document_id);
    return toSupplierDocumentWithResults(row, await findDocumentResults(db, row.id));
  });

  app.get('/api/v2/supplier_documents/:document_id/content', {
    onRequest: requireScope('read'),
    schema: {
      summary: 'Download the original bytes of a supplier document', tags, security, params: IdParams,
      response: { 200: binary('application/octet-stream', 'Exactly the bytes received, with the Content-Type they came with'), ...errors },
    },
  }, async (request, reply) => {
    const id = request.params.document_id;
    const content = await findDocumentContent(db, request.auth.retailerId, id);
    if (!content) throw notFound(`No supplier document "${id}".`);
    return sendBytes(reply, content.content_type, documentFilename(id, content.format, content.filename), content.content);
  });

  app.get('/api/v2/supplier_documents/:document_id/acknowledgement', {
    onRequest: requireScope('read'),
    schema: {
      summary: 'The 997 functional acknowledgement of an X12 document', tags, security, params: IdParams,
      response: { 200: binary('application/edi-x12', 'The 997'), ...errors },
    },
  }, async (request, reply) => {
    const row = await findRow(request.auth.retailerId, request.params.document_id);
    if (row.format !== 'x12') throw notFound(`Supplier document "${row.id}" is a CSV file: only X12 documents have a 997.`);
    if (row.acknowledgement === null) {
      // Processed without one: every group it holds is a received 997 (never acknowledged, X12.6).
      const why = row.status === 'failed' ? 'it is failed (it could not be read)'
        : row.status === 'processed' ? 'it holds only functional acknowledgements (997), and an acknowledgement is never acknowledged'
          : 'it is still being applied';
      throw notFound(`Supplier document "${row.id}" has no 997: ${why}.`);
    }
    return sendBytes(reply, 'application/edi-x12', `${row.id}.997.edi`, Buffer.from(row.acknowledgement));
  });
};

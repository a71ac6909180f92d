// Console pages for supplier documents (DESIGN 3, "Supplier documents (X12 EDI and CSV)", and 4c): the retailer's
// documents, newest first; an upload form (write scope) that goes through the same pipeline as
// POST /api/v2/supplier_documents (ingest/pipeline.ts ingestDocument); one document's page with its per-set/per-row
// results; downloads of the original bytes and, for X12, the 997. Every read is scoped to the session's retailer.
import { byteLimit, byteSize } from '../../domain/byte-size.ts';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_DOCUMENT_MAX_BYTES } from '../../config.ts';
import { InvalidInputError, NotFoundError } from '../../domain/errors.ts';
import { documentFilename, documentFormatOf, X12_MEDIA_TYPES } from '../../domain/supplier-document-resource.ts';
import { attachment } from '../../api/documents.ts';
import { ApiError } from '../../http/errors.ts';
import { textProblem } from '../../domain/plain-text.ts';
import { emptyFileProblem, formatOfFile } from '../../ingest/files.ts';
import { ingestDocument } from '../../ingest/pipeline.ts';
import { poIdsByNumber } from '../../store/po-browse.ts';
import { listDocumentPage } from '../../store/document-browse.ts';
import { findDocumentContent, findDocumentResults, findDocumentRow } from '../../store/supplier-documents.ts';
import { checkQuery, PageQuery } from '../params.ts';
import { placeParameters, readPlace, type ListPlace } from '../places.ts';
import type { ConsoleContext } from '../plugin.ts';
import { renderPage } from '../render.ts';
import { requireSession } from '../session.ts';

const PAGE_SIZE = 25;
/** The documents list's name in its places' signatures (console/places.ts). */
const DOCUMENT_LIST = 'documents';
/** Results per page of one document's page (a large 856 has thousands of sets). */
const RESULTS_PAGE_SIZE = 200;

/** The multipart form as the handler sees it ('keyValues': fields as strings, the file as its bytes). */
interface UploadBody {
  _csrf?: string;
  file?: Buffer | string;
  format?: string;
  supplier_name?: string;
}

/** What the browser said of the uploaded file (its name and media type), kept by onFile beside the bytes. */
const uploadedFiles = new WeakMap<FastifyRequest, { filename: string; mimetype: string }>();


/** `?page=` (console/params.ts), and past the last page a 400 saying how many there are. */
function pageOf(query: unknown, total: number | null, pageSize: number): number {
  const params = new PageQuery(query, ['page']);
  const page = params.page();
  const pages = total === null ? null : Math.max(1, Math.ceil(total / pageSize));
  if (pages !== null && page > pages && !params.has('page')) {
    params.add('page', `is past the last page: there ${pages === 1 ? 'is 1 page' : `are ${pages} pages`}`);
  }
  params.done();
  return page;
}

export const consoleDocuments: FastifyPluginAsync<ConsoleContext & { documentMaxBytes?: number }> = async (app, options) => {
  const { db } = options;
  const maxBytes = options.documentMaxBytes ?? DEFAULT_DOCUMENT_MAX_BYTES;
  const read = requireSession('read');
  const write = requireSession('write');

  // Only this plugin's routes take multipart bodies; the file is read into memory up to DOCUMENT_MAX_BYTES, as the API does.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 4096, parts: 6 },
    async onFile(part) {
      await part.toBuffer();
      uploadedFiles.set(this, { filename: part.filename, mimetype: part.mimetype });
    },
  });
  app.setErrorHandler((error: Error & { code?: string }) => {
    if (error.code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new ApiError(413, 'payload_too_large',
        `The file is larger than OrderSync accepts: at most ${byteLimit(maxBytes)}; DOCUMENT_MAX_BYTES. Nothing was stored.`);
    }
    throw error; // the console's handler renders the page
  });

  // Newest first, paged by place (console/places.ts, store/document-browse.ts): no page counts or skips documents.
  app.get('/documents', { preHandler: read }, async (request, reply) => {
    const params = new PageQuery(request.query, ['page', 'after', 'before']);
    const place = readPlace(params, request.query, options.secret, DOCUMENT_LIST, '');
    params.done();
    const asPlace = (at: ListPlace | undefined) => (at === undefined ? undefined : { receivedAt: at.at, id: at.id });
    const list = await listDocumentPage(db, request.consoleSession!.retailerId, {
      after: asPlace(place.after), before: asPlace(place.before), limit: PAGE_SIZE,
    });
    const shown = list.first ? 1 : place.page;
    const link = (direction: 'after' | 'before', row: { received_at: string; id: string }, page: number) =>
      `/console/documents?${new URLSearchParams(placeParameters(options.secret, DOCUMENT_LIST, '', direction, { at: row.received_at, id: row.id }, page))}`;
    const first = list.rows[0];
    const last = list.rows.at(-1);
    return renderPage(reply, 'documents', {
      title: 'Supplier documents', rows: list.rows, page: shown, maxSize: byteSize(maxBytes),
      prev: shown <= 1 ? null : shown === 2 || !first ? '/console/documents' : link('before', first, shown - 1),
      next: list.hasNext && last ? link('after', last, shown + 1) : null,
    });
  });

  // The scope is checked on arrival, before the body is read; the CSRF token (a form field) once it is.
  app.post<{ Body: UploadBody }>('/documents', { onRequest: write, preHandler: app.csrfProtection }, async (request, reply) => {
    const body = request.body ?? {};
    const bytes = Buffer.isBuffer(body.file) ? body.file : Buffer.alloc(0);
    const meta = uploadedFiles.get(request);
    const nameProblem = meta ? textProblem(meta.filename) : null;
    if (nameProblem !== null) throw new InvalidInputError([{ field: 'file', message: `its name ${nameProblem}` }]);
    // Empty as every other way in says (ingest/files.ts): 0 bytes, or only white space and a byte-order mark.
    if (!meta || emptyFileProblem(bytes) !== null) throw new InvalidInputError([{ field: 'file', message: 'choose a file that is not empty (X12 or CSV)' }]);
    const chosen = body.format === 'x12' || body.format === 'csv' ? body.format : undefined;
    // The API's rule (override, then media type, then ISA at the start), falling back to the inbox's rule by file name.
    const format = documentFormatOf(chosen, meta.mimetype, bytes) ?? formatOfFile(meta.filename, bytes);
    const supplierName = typeof body.supplier_name === 'string' && body.supplier_name.trim() !== '' ? body.supplier_name.trim().slice(0, 200) : null;
    const { document } = await ingestDocument(db, request.consoleSession!.retailerId, {
      bytes, format, content_type: format === 'x12' ? X12_MEDIA_TYPES[0] : 'text/csv',
      filename: meta.filename.trim() === '' ? null : meta.filename.slice(0, 255), supplier_name: supplierName,
    });
    return reply.redirect(`/console/documents/${encodeURIComponent(document.id)}`, 303);
  });

  async function owned(retailerId: string, id: string) {
    const row = await findDocumentRow(db, retailerId, id);
    if (!row) throw new NotFoundError(`No supplier document "${id}".`);
    return row;
  }

  app.get<{ Params: { id: string } }>('/documents/:id', { preHandler: read }, async (request, reply) => {
    const retailerId = request.consoleSession!.retailerId;
    pageOf(request.query, null, RESULTS_PAGE_SIZE); // a bad page before the look-up
    const document = await owned(retailerId, request.params.id);
    const total = Number(document.applied) + Number(document.unchanged) + Number(document.unmatched) + Number(document.rejected);
    const page = pageOf(request.query, total, RESULTS_PAGE_SIZE);
    const results = await findDocumentResults(db, document.id, { offset: (page - 1) * RESULTS_PAGE_SIZE, limit: RESULTS_PAGE_SIZE });
    const poIds = await poIdsByNumber(db, retailerId, results.flatMap((r) => (r.po_number === null ? [] : [r.po_number])));
    const link = (p: number) => `/console/documents/${encodeURIComponent(document.id)}?page=${p}`;
    return renderPage(reply, 'document', {
      title: `Supplier document ${document.filename ?? document.id}`, document, results, poIds, page,
      first: (page - 1) * RESULTS_PAGE_SIZE + 1,
      prev: page > 1 ? link(page - 1) : null, next: page * RESULTS_PAGE_SIZE < total ? link(page + 1) : null,
    });
  });

  /** A download: the bytes as they are, never sniffed or cached by the browser. */
  const sendBytes = (reply: FastifyReply, contentType: string, filename: string, bytes: Buffer) =>
    reply.type(contentType).header('Content-Disposition', attachment(filename)).header('Cache-Control', 'private, no-store').send(bytes);

  app.get<{ Params: { id: string } }>('/documents/:id/content', { preHandler: read }, async (request, reply) => {
    checkQuery(request.query);
    const id = request.params.id;
    const content = await findDocumentContent(db, request.consoleSession!.retailerId, id);
    if (!content) throw new NotFoundError(`No supplier document "${id}".`);
    return sendBytes(reply, content.content_type, documentFilename(id, content.format, content.filename), content.content);
  });

  app.get<{ Params: { id: string } }>('/documents/:id/acknowledgement', { preHandler: read }, async (request, reply) => {
    checkQuery(request.query);
    const row = await owned(request.consoleSession!.retailerId, request.params.id);
    if (row.acknowledgement === null) {
      throw new NotFoundError(row.format === 'x12'
        ? `Supplier document "${row.id}" has no 997: it is ${row.status === 'failed' ? 'failed (it could not be read)' : 'still being applied'}.`
        : `Supplier document "${row.id}" is a CSV file: only X12 documents have a 997.`);
    }
    return sendBytes(reply, 'application/edi-x12', `${row.id}.997.edi`, Buffer.from(row.acknowledgement));
  });
};

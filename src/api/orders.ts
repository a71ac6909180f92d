// The OrderSync read API (DESIGN section 2), registered once per version: /api/v1 (one record per line)
// and /api/v2 (one record per PO). Handlers send the stored renderings inside the envelope.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { dayRange } from '../domain/dates.ts';
import type { Db } from '../db/database.ts';
import type { RequireScope } from '../http/auth.ts';
import { withDocumentLinks } from '../http/document-links.ts';
import { envelopeBody } from '../http/json-envelope.ts';
import { notFound, validationFailed } from '../http/errors.ts';
import { recordsByOrderDate, recordsByPoNumber, recordsByPoNumbers, recordsBySupplierOrder, type ApiVersion } from '../store/orders.ts';
import { BulkBody, ByDateQuery, ByPoParams, BySupplierOrderParams, ErrorBody, Meta, V1Record, V2Record } from './order-schemas.ts';

export interface OrdersApiOptions {
  version: ApiVersion;
  db: Db;
  requireScope: RequireScope;
  /** For signing invoice download links in v2 records. */
  links: { publicUrl: string; secret: string };
}

interface Meta {
  total: number;
  page: number;
  limit: number;
  has_more: boolean;
  not_found?: string[];
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends records (stored JSON text) inside the envelope, v2 document ids made signed links first
 * (http/document-links.ts; a record without one is passed on as it is, found by a string search).
 */
function sendEnvelope(reply: FastifyReply, records: readonly string[], meta: Meta, signLinks: ((record: string) => string) | null): FastifyReply {
  reply.type(JSON_TYPE);
  return reply.send(envelopeBody(signLinks ? records.map(signLinks) : records, meta));
}

function lookupMeta(count: number): Meta {
  return { total: count, page: 1, limit: count, has_more: false };
}

export const ordersApi: FastifyPluginAsync<OrdersApiOptions> = async (fastify, { version, db, requireScope, links }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireScope('read'));
  // v2 records carry signed document links, made on every read (http/document-links.ts).
  const signLinks = version === 'v2' ? (record: string) => withDocumentLinks(record, links.publicUrl, links.secret) : null;
  const sendRecords = (reply: FastifyReply, records: readonly string[], meta: Meta) => sendEnvelope(reply, records, meta, signLinks);

  const tags = [`OrderSync API ${version}`];
  const security = [{ apiKey: [] }];
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
  const success = (description: string) =>
    Type.Object({ data: Type.Array(version === 'v1' ? V1Record : V2Record), meta: Meta }, { description });
  const recordWord = version === 'v1' ? 'one record per PO line' : 'one record per PO';

  /** A path parameter without surrounding whitespace; 400 naming it when nothing else is left. */
  const trimmedParam = (value: string, field: string): string => {
    const trimmed = value.trim();
    if (trimmed === '') throw validationFailed([{ field, message: 'must not be blank' }]);
    return trimmed;
  };

  app.get('/orders/by-po/:po_number', {
    schema: {
      summary: 'Order status by PO number', description: `Records for one PO number (${recordWord}).`,
      tags, security, params: ByPoParams, response: { 200: success('Records of the PO'), ...errors },
    },
  }, async (request, reply) => {
    // PO numbers are stored trimmed (DESIGN 3); a look-up is trimmed the same way.
    const poNumber = trimmedParam(request.params.po_number, 'params.po_number');
    const records = await recordsByPoNumber(db, version, request.auth.retailerId, poNumber);
    if (records.length === 0) throw notFound(`No purchase order with PO number "${poNumber}".`);
    return sendRecords(reply, records, lookupMeta(records.length));
  });

  app.post('/orders/by-po-numbers', {
    // A read: its body holds PO numbers only, so Fastify's own JSON parser reads it (http/json-body.ts).
    config: { jsonNumbers: 'doubles' },
    schema: {
      summary: 'Order status for up to 100 PO numbers',
      description: `Records for each PO number found (${recordWord}); meta.not_found lists the others.`,
      tags, security, body: BulkBody, response: { 200: success('Records of the POs found'), ...errors },
    },
  }, async (request, reply) => {
    const trimmed = request.body.po_numbers.map((n) => n.trim());
    // Only white space is no PO number: said, naming each, rather than looked up as "" and listed as not found.
    const blank = trimmed.flatMap((n, i) => (n === '' ? [{ field: `body.po_numbers[${i}]`, message: 'must not be blank' }] : []));
    if (blank.length > 0) throw validationFailed(blank);
    const requested = [...new Set(trimmed)];
    const found = await recordsByPoNumbers(db, version, request.auth.retailerId, requested);
    // Records in the order their PO numbers were asked for (a PO's v1 lines in line order).
    const records: string[] = [];
    const notFoundNumbers: string[] = [];
    for (const number of requested) {
      const rows = found.get(number);
      if (!rows) notFoundNumbers.push(number);
      else for (const record of rows) records.push(record);
    }
    return sendRecords(reply, records, { ...lookupMeta(records.length), not_found: notFoundNumbers });
  });

  app.get('/orders/by-supplier-order/:supplier_order_id', {
    schema: {
      summary: 'Order status by supplier order id', description: `Records whose supplier order id matches (${recordWord}).`,
      tags, security, params: BySupplierOrderParams, response: { 200: success('Matching records'), ...errors },
    },
  }, async (request, reply) => {
    const id = trimmedParam(request.params.supplier_order_id, 'params.supplier_order_id');
    const records = await recordsBySupplierOrder(db, version, request.auth.retailerId, id);
    if (records.length === 0) throw notFound(`No purchase order with supplier order id "${id}".`);
    return sendRecords(reply, records, lookupMeta(records.length));
  });

  app.get('/orders/by-date', {
    schema: {
      summary: 'Order status by order date range',
      description: `Records of POs ordered between start_date and end_date (inclusive calendar days in the retailer's time zone), paged (${recordWord}).`,
      tags, security, querystring: ByDateQuery, response: { 200: success('One page of records'), ...errors },
    },
  }, async (request, reply) => {
    const { start_date: start, page = 1, limit = 50 } = request.query;
    const end = request.query.end_date ?? start;
    // Both are real calendar days here (the schema's `format: date`, worded in domain/schema-problems.ts).
    if (end < start) throw validationFailed([{ field: 'query.end_date', message: 'must not be before start_date' }]);

    const range = dayRange(start, end, request.auth.timezone);
    const { records, total } = await recordsByOrderDate(db, version, request.auth.retailerId, range, page, limit);
    return sendRecords(reply, records, { total, page, limit, has_more: page * limit < total });
  });
};

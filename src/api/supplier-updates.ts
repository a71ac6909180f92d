// POST /api/v2/supplier_updates (DESIGN section 3, "Supplier updates (ingest)"): acknowledgements, shipments,
// carrier checkpoints and invoices from suppliers, keyed by PO number, up to 1000 per call. The envelope is
// checked by the route's schema; each update by its kind's TypeBox schema in domain/supplier-updates.ts, so one 400
// names every bad index and field; the OpenAPI document shows those schemas (DocumentedBody).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/database.ts';
import { MAX_DOCUMENT_BYTES, MAX_UPDATES, parseSupplierUpdates, UPDATE_TYPES } from '../domain/supplier-updates.ts';
import { UPDATE_SCHEMAS } from '../domain/supplier-updates/schemas.ts';
import type { RequireScope } from '../http/auth.ts';
import { validationFailed } from '../http/errors.ts';
import { registerIdempotency } from '../http/idempotency.ts';
import { renderInstant } from '../domain/dates.ts';
import { DEFAULT_HELD_UPDATE_DAYS, DEFAULT_HELD_UPDATE_LIMIT, listHeldSupplierUpdates } from '../store/held-supplier-updates.ts';
import { ingestSupplierUpdates } from '../store/supplier-updates.ts';
import { ErrorBody, MAX_PAGE, Meta } from './order-schemas.ts';

export interface SupplierUpdatesApiOptions {
  db: Db;
  requireScope: RequireScope;
  /** HELD_UPDATE_DAYS and HELD_UPDATE_LIMIT (defaults 90 and 100,000). */
  heldUpdateDays?: number;
  heldUpdateLimit?: number;
}

/**
 * Largest body POST /supplier_updates reads, in bytes, once decompressed (http/content-encoding.ts): 20 MB, above
 * the API's 1 MB (app.ts) because invoice PDFs travel as base64 inside the JSON. Room for one PDF at
 * MAX_DOCUMENT_BYTES (10 MB, 13.3 MB as base64) beside the rest of a 1000-update batch, or several smaller ones;
 * past it a 413 payload_too_large naming the limit. Stated in the README ("Request body limits").
 */
export const SUPPLIER_UPDATES_BODY_LIMIT = 20 * 1024 * 1024;

const WIRE_EXAMPLE = {
  updates: [
    { type: 'order', po_number: 'PO-1001', supplier_order_id: 'FD123456', supplier_name: 'Acushnet', status: 'confirmed',
      lines: [{ sku: 'TIT-GT2-9', quantity: 2 }], estimated_delivery_date: '2026-12-01' },
    { type: 'shipment', po_number: 'PO-1001', supplier_order_id: 'FD123456', tracking_number: '1Z999AA10123456784', carrier: null,
      shipped_date: '2026-11-20T15:04:00Z', estimated_delivery_date: '2026-11-25', lines: [{ sku: 'TIT-GT2-9', quantity: 2 }] },
    { type: 'tracking_event', po_number: 'PO-1001', tracking_number: '1Z999AA10123456784', status: 'delivered', message: 'Delivered',
      location: 'Carlsbad, CA', timestamp: '2026-11-24T10:12:00-08:00' },
    { type: 'invoice', po_number: 'PO-1001', supplier_order_id: 'FD123456', invoice_number: '12345678', invoice_date: '2026-11-20',
      due_date: '2027-01-19', payment_terms: 'Net 60 Days', subtotal_amount: 1000, tax_amount: 0, shipping_amount: 0,
      total_amount: 1000, currency: 'USD', status: 'open', document_pdf_base64: 'JVBERi0x…' },
  ],
};

const UPDATE_DESCRIPTION = [
  'One supplier update, keyed by `po_number`, of `type`:',
  '- `order`: `supplier_order_id`, `supplier_name`, `status` (submitted, confirmed, processing, backorder, cancelled, invalid),',
  '  optional `lines` [{sku, quantity}] (omitted: every not-yet-covered line of that supplier), optional `estimated_delivery_date` (YYYY-MM-DD);',
  '- `shipment`: `tracking_number`, optional `supplier_order_id` (created when not seen before), optional `carrier` (detected from',
  '  the number when absent), `shipped_date` (RFC 3339; UTC when it has no offset; a bare date is midnight UTC), `estimated_delivery_date`, optional `lines` (omitted: every',
  '  not-yet-shipped line of the supplier order, or of the PO\'s supplier when the order is new: "PO X shipped, tracking T" is enough);',
  '- `tracking_event`: `tracking_number`, `status` (in transit, delivered, exception), `message`, `location`, `timestamp` (RFC 3339, UTC when no offset);',
  '- `invoice`: `invoice_number`, `supplier_order_id`, `supplier_name`, `invoice_date`, `due_date`, `payment_terms`, `subtotal_amount`,',
  '  `tax_amount`, `shipping_amount`, `total_amount` (= subtotal + tax + shipping; amounts ≥ 0 with at most the decimals of `currency`,',
  '  else of the PO\'s currency: USD 2, JPY 0, KWD 3), `currency`,',
  `  \`status\` (open, paid, partially_paid, overdue, void), optional \`document_pdf_base64\` (a PDF, at most ${MAX_DOCUMENT_BYTES / (1024 * 1024)} MB).`,
].join('\n');

const SupplierUpdatesBody = Type.Object({
  updates: Type.Array(Type.Unknown({ description: UPDATE_DESCRIPTION }), {
    minItems: 1, maxItems: MAX_UPDATES, description: `1–${MAX_UPDATES} updates, applied in order in one transaction.`,
  }),
}, { additionalProperties: false, examples: [WIRE_EXAMPLE] });

/**
 * The body as the OpenAPI document shows it: each update is one of the four kinds' wire shapes, the TypeBox schemas
 * (domain/supplier-updates/schemas.ts) that parseSupplierUpdates checks every update by, each with its `type`
 * fixed. The route itself takes any items (SupplierUpdatesBody) so that the handler's one 400 names every bad index
 * and field, in the words of each kind's schema, rather than Ajv's "must match exactly one schema in oneOf".
 */
const DocumentedBody = {
  ...SupplierUpdatesBody,
  properties: {
    updates: {
      ...SupplierUpdatesBody.properties.updates,
      items: {
        description: UPDATE_DESCRIPTION,
        oneOf: UPDATE_TYPES.map((type) => {
          const schema = UPDATE_SCHEMAS[type] as unknown as { properties: Record<string, unknown> };
          return { ...schema, title: type, properties: { ...schema.properties, type: { const: type } } };
        }),
      },
    },
  },
};

const SupplierUpdatesResponse = Type.Object({
  results: Type.Array(Type.Object({
    index: Type.Integer({ description: 'Position of the update in the request.' }),
    result: Type.Union([Type.Literal('applied'), Type.Literal('unchanged'), Type.Literal('unmatched'), Type.Literal('rejected')], {
      description: 'applied: it changed the PO; unchanged: already applied or nothing new; unmatched: no PO with that number yet ' +
        '(held, applied when it appears); rejected: well-formed but cannot apply (see reason).',
    }),
    reason: Type.Union([Type.String(), Type.Null()]),
  })),
}, { description: 'One result per update, in request order.' });

const HeldQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('held'), Type.Literal('expired'), Type.Literal('rejected')])),
  po_number: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
}, { additionalProperties: false });

const Instant = Type.String({ description: 'ISO 8601 with offset, UTC' });
const HeldList = Type.Object({
  data: Type.Array(Type.Object({
    id: Type.String(),
    po_number: Type.String(),
    type: Type.String(),
    status: Type.Union([Type.Literal('held'), Type.Literal('expired'), Type.Literal('rejected')], {
      description: 'held: applied when a PO with this number appears; expired: HELD_UPDATE_DAYS passed first, never applied; '
        + 'rejected: the PO appeared and refused the X12 transaction set it came from (see reason), never applied.',
    }),
    received_at: Instant,
    expires_at: Instant,
    expired_at: Type.Union([Instant, Type.Null()]),
    rejected_at: Type.Union([Instant, Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'rejected: why its set was refused, `ST 0001 (856) rejected: …`.' }),
    update: Type.Unknown({ description: 'The update as received (normalised).' }),
  })),
  meta: Meta,
});

export const supplierUpdatesApi: FastifyPluginAsync<SupplierUpdatesApiOptions> = async (fastify, options) => {
  const { db, requireScope } = options;
  const heldUpdateDays = options.heldUpdateDays ?? DEFAULT_HELD_UPDATE_DAYS;
  const heldLimit = options.heldUpdateLimit ?? DEFAULT_HELD_UPDATE_LIMIT;
  registerIdempotency(fastify, db);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/supplier_updates/held', {
    onRequest: requireScope('read'),
    schema: {
      summary: 'List supplier updates held for PO numbers not seen yet, and those that expired',
      description: 'Oldest first. A held update is applied when a PO with its number appears; after HELD_UPDATE_DAYS it expires '
        + '(listed with `expired_at`, kept 30 days, never applied). The held updates of one X12 set apply together or not at all: '
        + 'a set the PO refuses is listed `rejected` with `rejected_at` and `reason` (kept 30 days, never applied). '
        + 'Filters: `status` (held, expired, rejected), `po_number`.',
      tags: ['Supplier updates'], security: [{ apiKey: [] }], querystring: HeldQuery,
      response: { 200: HeldList, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
    },
  }, async (request) => {
    const { page = 1, limit = 100, status, po_number: poNumber } = request.query;
    // PO numbers are stored trimmed (DESIGN 3), so the filter is too, as by-po and the PO list do.
    const { updates, total } = await listHeldSupplierUpdates(db, request.auth.retailerId, { status, po_number: poNumber?.trim() },
      { limit, offset: (page - 1) * limit }, heldUpdateDays);
    return {
      data: updates.map((u) => ({
        ...u, received_at: renderInstant(u.received_at), expires_at: renderInstant(u.expires_at), expired_at: renderInstant(u.expired_at),
        rejected_at: renderInstant(u.rejected_at),
      })),
      meta: { total, page, limit, has_more: page * limit < total },
    };
  });

  app.post('/supplier_updates', {
    onRequest: requireScope('write'),
    bodyLimit: SUPPLIER_UPDATES_BODY_LIMIT,
    config: { swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: DocumentedBody }, url }) },
    schema: {
      summary: 'Record supplier updates: acknowledgements, shipments, tracking checkpoints, invoices',
      description: 'Validated whole before anything is written (a malformed update fails the batch with 400 naming each bad ' +
        'index and field). Each update is idempotent: sending it again reports `unchanged`. Honours an Idempotency-Key header.',
      tags: ['Supplier updates'], security: [{ apiKey: [] }],
      body: SupplierUpdatesBody,
      response: { 200: SupplierUpdatesResponse, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody, 413: ErrorBody },
    },
  }, async (request) => {
    const parsed = parseSupplierUpdates(request.body.updates);
    if (!parsed.ok) throw validationFailed(parsed.problems.map((p) => ({ field: `body.${p.field}`, message: p.message })));
    const results = await ingestSupplierUpdates(db, request.auth.retailerId, parsed.updates, undefined, { heldLimit });
    // `at` serves supplier documents (the 997 names the element); the API's reason already says it.
    return { results: results.map(({ index, result, reason }) => ({ index, result, reason })) };
  });
};

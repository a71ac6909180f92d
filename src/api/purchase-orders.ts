// The PO lifecycle API under /api/v2/purchase_orders (DESIGN section 3). Handlers turn the wire body into
// store input (money to cents, dates checked), call one store function and render the PO resource.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { isCalendarDate } from '../domain/dates.ts';
import { InvalidInputError, NotFoundError, type FieldProblem } from '../domain/errors.ts';
import { writtenNumber } from '../domain/json-numbers.ts';
import { parseAmount } from '../domain/money.ts';
import { parseTimestamp } from '../domain/timestamps.ts';
import { splitTrackingNumbers } from '../domain/tracking.ts';
import { textProblem } from '../domain/plain-text.ts';
import { toPurchaseOrder, toPurchaseOrderHeader } from '../domain/purchase-order-resource.ts';
import type { Db } from '../db/database.ts';
import type { RequireScope } from '../http/auth.ts';
import { registerIdempotency } from '../http/idempotency.ts';
import { pageLinks, requestedListPage } from '../http/pagination.ts';
import {
  changeStatus, createPurchaseOrder, findPurchaseOrder, listPurchaseOrders, receive, replaceDraft, updateShippingDetails,
  type ListFilters, type OnPoNumber, type PurchaseOrderInput,
} from '../store/purchase-order-lifecycle.ts';
import { ErrorBody } from './order-schemas.ts';
import {
  IdParams, ListQuery, PurchaseOrderBody, PurchaseOrderList, PurchaseOrderOut, ReceivesBody, ShippingDetailsBody, StatusBody, StatusOut,
} from './purchase-order-schemas.ts';

export interface PurchaseOrdersApiOptions {
  db: Db;
  requireScope: RequireScope;
  secret: string;
  publicUrl: string;
  /** Runs inside the writing transaction when a PO number appears (applies held supplier updates). */
  onPoNumber: OnPoNumber;
}

const CURSOR_PURPOSE = 'purchase_orders';

/** `2026-02-01` or `2026-02-01T…` → `2026-02-01` (the day as written), or a problem for what cannot be read. */
function calendarDate(value: string, field: string, problems: FieldProblem[]): string {
  const result = parseTimestamp(value, { zone: 'UTC' });
  if (!result.ok) problems.push({ field, message: result.reason });
  return value.trim().slice(0, 10);
}

/** A date-time of people's input (DESIGN 1): without an offset, in the retailer's time zone. */
function instant(value: string, zone: string, field: string, problems: FieldProblem[]): string {
  const result = parseTimestamp(value, { zone });
  if (result.ok) return result.instant;
  problems.push({ field, message: result.reason });
  return value;
}

function shippingInput(body: Static<typeof ShippingDetailsBody>, zone: string, problems: FieldProblem[]) {
  // Stored as sent, but one number only: a list (commas, slashes, white space between whole numbers) is refused.
  const numbers = body.tracking_number == null ? [] : splitTrackingNumbers(body.tracking_number);
  if (numbers.length > 1) {
    problems.push({ field: 'body.tracking_number', message: `holds ${numbers.length} tracking numbers (${numbers.join(', ')}): one per purchase order` });
  } else if (body.tracking_number != null) {
    // The schema lets tabs and line breaks through so that two numbers are named as such (above); one number
    // is stored as sent, so it is single-line text.
    const problem = textProblem(body.tracking_number);
    if (problem) problems.push({ field: 'body.tracking_number', message: problem });
  }
  return {
    ...body,
    order_date: body.order_date === undefined ? undefined : instant(body.order_date, zone, 'body.order_date', problems),
    expected_delivery_date: body.expected_delivery_date == null
      ? body.expected_delivery_date
      : calendarDate(body.expected_delivery_date, 'body.expected_delivery_date', problems),
  };
}

function purchaseOrderInput(body: Static<typeof PurchaseOrderBody>, zone: string): PurchaseOrderInput {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const products = body.products.map((product, i) => {
    // As written: `0.30000000000000001` has too many decimals, though its double is 0.3 (domain/json-numbers.ts).
    const cost = parseAmount(writtenNumber(product, 'cost'), body.currency_code ?? 'USD');
    if (!cost.ok) problems.push({ field: `body.products[${i}].cost`, message: cost.reason });
    const costCents = cost.ok ? cost.minor : null;
    if (seen.has(product.sku)) problems.push({ field: `body.products[${i}].sku`, message: `"${product.sku}" appears twice` });
    seen.add(product.sku);
    return {
      sku: product.sku, supplier_sku: product.supplier_sku ?? null, quantity: product.quantity, cost_cents: costCents ?? 0,
      product_name: product.product_name ?? null, description: product.description ?? null,
    };
  });
  const input: PurchaseOrderInput = {
    ...shippingInput(body, zone, problems),
    supplier_id: body.supplier_id,
    warehouse_id: body.warehouse_id,
    products,
    po_number: body.po_number?.trim(),
    request_date: body.request_date == null ? body.request_date : instant(body.request_date, zone, 'body.request_date', problems),
    ship_to: body.ship_to,
    drop_ship: body.drop_ship,
    customer_name: body.customer_name,
    customer_email: body.customer_email,
  };
  if (problems.length > 0) throw new InvalidInputError(problems);
  return input;
}

export const purchaseOrdersApi: FastifyPluginAsync<PurchaseOrdersApiOptions> = async (fastify, options) => {
  const { db, requireScope, secret, publicUrl, onPoNumber } = options;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireScope('write'));
  registerIdempotency(app, db);

  const tags = ['Purchase orders'];
  const security = [{ apiKey: [] }];
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

  async function render(retailerId: string, id: string) {
    const record = await findPurchaseOrder(db, retailerId, id);
    if (!record) throw new NotFoundError(`No purchase order "${id}".`);
    return toPurchaseOrder(record.po, record.supplierName, record.lines);
  }

  app.get('/purchase_orders', {
    schema: {
      summary: 'List purchase orders', tags, security, querystring: ListQuery, response: { 200: PurchaseOrderList, ...errors },
      description: 'Filters combine; follow links.next.href (its cursor keeps the filters and page size) until it is null.',
    },
  }, async (request) => {
    const state = requestedListPage<ListFilters>(secret, CURSOR_PURPOSE, request.query, (filters) => {
      const normalised: ListFilters = { ...filters };
      const problems: FieldProblem[] = [];
      const zone = request.auth.timezone;
      if (filters.po_number) normalised.po_number = filters.po_number.trim();
      if (filters.create_date_start) normalised.create_date_start = instant(filters.create_date_start, zone, 'query.create_date_start', problems);
      if (filters.modify_date_start) normalised.modify_date_start = instant(filters.modify_date_start, zone, 'query.modify_date_start', problems);
      if (problems.length > 0) throw new InvalidInputError(problems);
      return normalised;
    });
    const { records, total } = await listPurchaseOrders(db, request.auth.retailerId, state.filters, state.page, state.page_size);
    const pages = Math.ceil(total / state.page_size);
    return {
      purchase_orders: records.map((r) => toPurchaseOrderHeader(r.po, r.supplierName)),
      total, page: state.page, pages,
      links: pageLinks(`${publicUrl}/api/v2/purchase_orders`, secret, CURSOR_PURPOSE, state, pages),
    };
  });

  app.post('/purchase_orders', {
    schema: {
      summary: 'Create a purchase order (draft)', tags, security, body: PurchaseOrderBody, response: { 201: PurchaseOrderOut, ...errors },
      description: 'Always created as draft with a generated order_number MMDDYYYY-NN; po_number defaults to it. Honours Idempotency-Key.',
    },
  }, async (request, reply) => {
    const input = purchaseOrderInput(request.body, request.auth.timezone);
    const retailer = { id: request.auth.retailerId, timezone: request.auth.timezone };
    const id = await createPurchaseOrder(db, retailer, input, onPoNumber);
    return reply.code(201).send(await render(retailer.id, id));
  });

  app.get('/purchase_orders/:purchase_order_id', {
    schema: { summary: 'Get a purchase order', tags, security, params: IdParams, response: { 200: PurchaseOrderOut, ...errors } },
  }, async (request) => render(request.auth.retailerId, request.params.purchase_order_id));

  app.put('/purchase_orders/:purchase_order_id', {
    schema: {
      summary: 'Replace a draft purchase order', tags, security, params: IdParams, body: PurchaseOrderBody,
      response: { 200: PurchaseOrderOut, ...errors }, description: 'Draft only (409 otherwise); products are matched by sku.',
    },
  }, async (request) => {
    const id = request.params.purchase_order_id;
    await replaceDraft(db, request.auth.retailerId, id, purchaseOrderInput(request.body, request.auth.timezone), onPoNumber);
    return render(request.auth.retailerId, id);
  });

  app.post('/purchase_orders/:purchase_order_id/shipping_details', {
    schema: {
      summary: 'Update shipping details of an open purchase order', tags, security, params: IdParams, body: ShippingDetailsBody,
      response: { 200: PurchaseOrderOut, ...errors },
    },
  }, async (request) => {
    const id = request.params.purchase_order_id;
    const problems: FieldProblem[] = [];
    const input = shippingInput(request.body, request.auth.timezone, problems);
    if (problems.length > 0) throw new InvalidInputError(problems);
    await updateShippingDetails(db, request.auth.retailerId, id, input);
    return render(request.auth.retailerId, id);
  });

  app.post('/purchase_orders/:purchase_order_id/status', {
    schema: {
      summary: 'Move a purchase order to another status', tags, security, params: IdParams, body: StatusBody,
      response: { 200: StatusOut, ...errors },
      description: 'Legal moves: draft→open, draft→cancelled, open→cancelled, open→closed, receiving→closed, received→closed.',
    },
  }, async (request) => {
    const id = request.params.purchase_order_id;
    await changeStatus(db, request.auth.retailerId, id, request.body.status);
    return { purchase_order_id: id, status: request.body.status };
  });

  app.post('/purchase_orders/:purchase_order_id/receives', {
    schema: {
      summary: 'Receive products', tags, security, params: IdParams, body: ReceivesBody, response: { 200: StatusOut, ...errors },
      description: 'Partial receipts move an open PO to receiving; when every line is received or rejected it becomes received.',
    },
  }, async (request) => {
    const id = request.params.purchase_order_id;
    const problems: FieldProblem[] = [];
    const receives = request.body.product_receives.map((r, i) => ({
      sku: r.sku,
      inventory_location_id: r.inventory_location_id ?? null,
      received_quantity: r.received_quantity ?? 0,
      rejected_quantity: r.rejected_quantity ?? 0,
      lot: r.lot ?? null,
      expiration_date: r.expiration_date == null ? null : calendarDate(r.expiration_date, `body.product_receives[${i}].expiration_date`, problems),
    }));
    if (problems.length > 0) throw new InvalidInputError(problems);
    const status = await receive(db, request.auth.retailerId, id, receives);
    return { purchase_order_id: id, status };
  });
};

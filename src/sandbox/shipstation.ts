// A ShipStation v2 purchase-order API simulator (reference: shipstation-v2-purchase-orders-*.txt): the
// `api-key` header, the list with its filters and cursor links (headers only, no products), get by id with
// products, the write endpoints, ShipStation's error body on every error, and 200 requests a minute. The
// app is not listening: the caller listens (or injects).
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { isLegalMove, planReceipt } from '../domain/lifecycle.ts';
import { registerValidation } from '../http/validation.ts';
import { installSimulation, pickAdvanceable, resolveOptions, type ResolvedOptions, type SandboxControl, type SandboxOptions } from './common.ts';
import { DAY, isoSeconds, lowerBound, parseIsoInstant, rngFor, startOfUtcDay, wholeSeconds } from './random.ts';
import {
  SS_PAYMENT_STATUSES, SS_PAYMENT_TERMS, SS_STATUSES, SS_SUPPLIERS, SS_WAREHOUSES, advancePo, churnDraft, drawHeader,
  encodeCursor, generateHeader, generatePo, generatedReference, indexOfPoId, isTerminal, orderNumberFor, parseListQuery, parseOrderNumber,
  poIdOf, ssGenerator, statusCode, toDetail, toHeader, fullyReceived,
  type SsGenerator, type SsHeader, type SsListState, type SsPurchaseOrder, type SsStatus, type SsSupplier, type SsWarehouse,
} from './shipstation-data.ts';
import { LazyTable } from './table.ts';

export const SHIPSTATION_DEFAULT_API_KEY = 'sandbox-shipstation-key';
/** ShipStation's documented default: 200 requests a minute. */
export const SHIPSTATION_RATE_LIMIT = 200;

export interface ShipStationSandboxOptions extends SandboxOptions {
  /** The key clients must send in the `api-key` header. */
  apiKey?: string;
}

type ErrorType = 'validation' | 'security' | 'business_rules' | 'system';
type ErrorCode = 'invalid_field_value' | 'field_value_required' | 'request_body_required' | 'invalid_identifier' |
  'unauthorized' | 'invalid_status' | 'rate_limit_exceeded' | 'unspecified';

/** An error answered with ShipStation's body. */
export class ShipStationError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errors: { error_type: ErrorType; error_code: ErrorCode; message: string }[],
  ) {
    super(errors.map((e) => e.message).join(' '));
  }

  static one(statusCode: number, type: ErrorType, code: ErrorCode, message: string): ShipStationError {
    return new ShipStationError(statusCode, [{ error_type: type, error_code: code, message }]);
  }
}

export function shipStationErrorBody(errors: ShipStationError['errors']) {
  return { request_id: randomUUID(), errors: errors.map((e) => ({ error_source: 'shipstation', ...e })) };
}

// ------------------------------------------------------------------------------------------ state

const COLUMNS = ['created', 'modified', 'status', 'warehouse'] as const;
type Column = (typeof COLUMNS)[number];
const CHURN_SALT = 0xc4_0e;

export interface ShipStationState {
  /** How many POs exist. */
  readonly size: number;
  /** How many POs are held in memory (changed or created since start). */
  readonly heldCount: number;
  readonly suppliers: readonly SsSupplier[];
  readonly warehouses: readonly SsWarehouse[];
  /** Every PO id, in creation order. */
  ids(): string[];
  /** A copy of the PO, or undefined. */
  get(id: string): SsPurchaseOrder | undefined;
  /** Copies of every PO, in creation order (generates them all: for small sandboxes and tests). */
  all(): SsPurchaseOrder[];
  /** Changes a PO; modify_date moves to now unless `touch` is false. Returns a copy of the result. */
  update(id: string, change: (po: SsPurchaseOrder) => void, options?: { touch?: boolean }): SsPurchaseOrder;
  /** Creates a draft PO as churn would (fields may be overridden). */
  create(fields?: Partial<Omit<SsPurchaseOrder, 'purchase_order_id' | 'order_number' | 'create_date'>>): SsPurchaseOrder;
  /** Moves a PO one status on as churn would; null when it is closed or cancelled. */
  advance(id: string): SsPurchaseOrder | null;
}

class SsStore implements ShipStationState {
  readonly suppliers = SS_SUPPLIERS;
  readonly warehouses = SS_WAREHOUSES;
  private readonly g: SsGenerator;
  private readonly table: LazyTable<SsPurchaseOrder, Column>;
  private manualSteps = 0;

  constructor(private readonly options: ResolvedOptions) {
    const g = ssGenerator(options.seed, options.anchorMs, options.pos);
    this.g = g;
    this.table = new LazyTable<SsPurchaseOrder, Column>(
      options.pos,
      (i) => generatePo(g, i, this.firstOfDay(this.created[i])),
      (po) => ({
        created: Date.parse(po.create_date), modified: Date.parse(po.modify_date),
        status: statusCode(po.status), warehouse: SS_WAREHOUSES.findIndex((w) => w.warehouse_id === po.warehouse_id),
      }),
      COLUMNS,
      (i) => {
        const h = drawHeader(g, i);
        return { created: h.createdMs, modified: h.modifiedMs, status: statusCode(h.status), warehouse: h.warehouse };
      },
    );
  }

  private get created(): readonly number[] {
    return this.table.column('created');
  }

  get size(): number {
    return this.table.size;
  }

  get heldCount(): number {
    return this.table.heldCount;
  }

  private firstOfDay(createdMs: number): number {
    const created = this.created;
    return lowerBound(this.table.size, (i) => created[i], startOfUtcDay(createdMs));
  }

  /** Now, in whole seconds, never before the last creation (creation order is id order). */
  private stampForNew(): number {
    const last = this.size > 0 ? this.created[this.size - 1] : -Infinity;
    return Math.max(wholeSeconds(this.options.now()), last);
  }

  private stampFor(index: number): number {
    return Math.max(wholeSeconds(this.options.now()), this.created[index]);
  }

  indexOf(id: string): number | null {
    const index = indexOfPoId(id);
    return index !== null && index < this.size ? index : null;
  }

  find(id: string): { index: number; po: SsPurchaseOrder } {
    const index = this.indexOf(id);
    if (index === null) throw ShipStationError.one(404, 'validation', 'invalid_identifier', `Purchase order "${id}" was not found.`);
    return { index, po: this.table.get(index) };
  }

  ids(): string[] {
    return Array.from({ length: this.size }, (_, i) => poIdOf(i));
  }

  get(id: string): SsPurchaseOrder | undefined {
    const index = this.indexOf(id);
    return index === null ? undefined : structuredClone(this.table.get(index));
  }

  all(): SsPurchaseOrder[] {
    return Array.from({ length: this.size }, (_, i) => structuredClone(this.table.get(i)));
  }

  update(id: string, change: (po: SsPurchaseOrder) => void, options: { touch?: boolean } = {}): SsPurchaseOrder {
    const { index, po } = this.find(id);
    const next = structuredClone(po);
    change(next);
    if (options.touch !== false) next.modify_date = isoSeconds(this.stampFor(index));
    this.table.set(index, next);
    return structuredClone(next);
  }

  /** Adds a PO made by `make` from its id, order number and creation time. */
  private add(make: (id: string, orderNumber: string, createdMs: number) => SsPurchaseOrder): SsPurchaseOrder {
    const createdMs = this.stampForNew();
    const index = this.size;
    const orderNumber = orderNumberFor(createdMs, index - this.firstOfDay(createdMs) + 1);
    const po = make(poIdOf(index), orderNumber, createdMs);
    po.create_date = isoSeconds(createdMs);
    po.modify_date = isoSeconds(createdMs);
    this.table.push(po);
    return po;
  }

  create(fields: Partial<SsPurchaseOrder> = {}): SsPurchaseOrder {
    const rng = rngFor(this.options.seed, CHURN_SALT + 1, this.manualSteps++);
    const po = this.add((id, orderNumber, ms) => ({ ...churnDraft(rng, id, orderNumber, ms), ...fields, purchase_order_id: id, order_number: orderNumber }));
    return structuredClone(po);
  }

  advance(id: string): SsPurchaseOrder | null {
    const { index, po } = this.find(id);
    const next = advancePo(po, this.stampFor(index), rngFor(this.options.seed, CHURN_SALT + 2, this.manualSteps++));
    if (!next) return null;
    this.table.set(index, next);
    return structuredClone(next);
  }

  churn(step: number): { created: number; advanced: number } {
    const rng = rngFor(this.options.seed, CHURN_SALT, step);
    const status = this.table.column('status');
    const candidates = pickAdvanceable(rng, this.size, this.options.churnAdvance, (i) => !isTerminal(SS_STATUSES[status[i]]));
    let advanced = 0;
    for (const index of candidates) {
      const next = advancePo(this.table.get(index), this.stampFor(index), rng);
      if (next) {
        this.table.set(index, next);
        advanced++;
      }
    }
    for (let n = 0; n < this.options.churnCreate; n++) this.add((id, orderNumber, ms) => churnDraft(rng, id, orderNumber, ms));
    return { created: this.options.churnCreate, advanced };
  }

  private referenceAt(index: number): string | null {
    const held = this.table.heldAt(index);
    return held ? held.reference_number : generatedReference(this.options.seed, index);
  }

  /** The POs of one page in creation order, and how many match in all. */
  list(state: SsListState): { records: SsHeader[]; total: number } {
    const size = this.size;
    const created = this.created;
    const statuses = this.table.column('status');
    const warehouses = this.table.column('warehouse');
    const from = state.createDateStart === null ? 0 : lowerBound(size, (i) => created[i], Date.parse(state.createDateStart));
    const wantStatus = state.status === null ? -1 : statusCode(state.status);
    const wantWarehouse = state.warehouseId === null ? -1 : SS_WAREHOUSES.findIndex((w) => w.warehouse_id === state.warehouseId);
    const offset = (state.page - 1) * state.pageSize;
    if (state.warehouseId !== null && wantWarehouse < 0) return { records: [], total: 0 };

    let candidates: Iterable<number> | null = null;
    if (state.orderNumber !== null) {
      const parsed = parseOrderNumber(state.orderNumber);
      const index = parsed ? lowerBound(size, (i) => created[i], parsed.dayMs) + parsed.sequence - 1 : -1;
      const found = index >= from && index < size && created[index] < parsed!.dayMs + DAY &&
        this.table.get(index).order_number === state.orderNumber;
      candidates = found ? [index] : [];
    }
    const filtered = candidates !== null || wantStatus >= 0 || wantWarehouse >= 0 || state.referenceNumber !== null;
    if (!filtered) {
      const total = size - from;
      const indices: number[] = [];
      for (let i = from + offset; i < size && indices.length < state.pageSize; i++) indices.push(i);
      return { records: indices.map((i) => this.header(i)), total };
    }
    const matches = (i: number) =>
      (wantStatus < 0 || statuses[i] === wantStatus) &&
      (wantWarehouse < 0 || warehouses[i] === wantWarehouse) &&
      (state.referenceNumber === null || this.referenceAt(i) === state.referenceNumber);
    let total = 0;
    const indices: number[] = [];
    const visit = (i: number) => {
      if (!matches(i)) return;
      if (total >= offset && indices.length < state.pageSize) indices.push(i);
      total++;
    };
    if (candidates) for (const i of candidates) visit(i);
    else for (let i = from; i < size; i++) visit(i);
    return { records: indices.map((i) => this.header(i)), total };
  }

  /** The list header of PO i, generating only what the header needs. */
  private header(index: number): SsHeader {
    const held = this.table.heldAt(index);
    return held ? toHeader(held) : generateHeader(this.g, index, this.firstOfDay(this.created[index]));
  }

  /** Adds a PO from the create endpoint's body (checked): always a draft. */
  createFromBody(body: Static<typeof CreateBody>): SsPurchaseOrder {
    const supplier = checkSupplier(body.supplier_id);
    checkWarehouse(body.warehouse_id);
    const products = checkProducts(body.products);
    const shipping = shippingFields(body);
    return this.add((id, orderNumber, ms) => ({
      purchase_order_id: id, order_number: orderNumber, supplier_id: supplier.supplier_id, supplier_name: supplier.name,
      status: 'draft', order_date: shipping.order_date ?? null, expected_delivery_date: shipping.expected_delivery_date ?? null,
      create_date: isoSeconds(ms), modify_date: isoSeconds(ms),
      payment_terms: shipping.payment_terms ?? 'none', payment_status: shipping.payment_status ?? 'none',
      currency_code: shipping.currency_code ?? 'USD', shipping_carrier: shipping.shipping_carrier ?? null,
      tracking_number: shipping.tracking_number ?? null, reference_number: shipping.reference_number ?? null,
      warehouse_id: body.warehouse_id, note_to_supplier: shipping.note_to_supplier ?? null, products,
    }));
  }

  write(index: number, po: SsPurchaseOrder): SsPurchaseOrder {
    po.modify_date = isoSeconds(this.stampFor(index));
    this.table.set(index, po);
    return po;
  }
}

// ---------------------------------------------------------------------------------- body schemas

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const Enum = <const T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
const When = Type.String({ minLength: 10, maxLength: 40, description: 'ISO 8601 date-time (or date)' });

const ProductIn = Type.Object({
  sku: Text(100),
  supplier_sku: Text(100),
  quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  cost: Type.Number({ minimum: 0, maximum: 100_000_000 }),
});

const SHIPPING_FIELDS = {
  shipping_carrier: Type.Optional(Nullable(Text(100))),
  payment_terms: Type.Optional(Enum(SS_PAYMENT_TERMS)),
  payment_status: Type.Optional(Enum(SS_PAYMENT_STATUSES)),
  order_date: Type.Optional(Nullable(When)),
  expected_delivery_date: Type.Optional(Nullable(When)),
  note_to_supplier: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  tracking_number: Type.Optional(Nullable(Text(100))),
  currency_code: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', 'x-message': 'must be a three-letter upper-case currency code such as USD' })),
  reference_number: Type.Optional(Nullable(Text(100))),
};

const CreateBody = Type.Object({
  supplier_id: Text(64),
  warehouse_id: Text(64),
  products: Type.Array(ProductIn, { minItems: 1, maxItems: 500 }),
  ...SHIPPING_FIELDS,
});
const PutBody = Type.Object({
  supplier_id: Type.Optional(Text(64)),
  warehouse_id: Type.Optional(Text(64)),
  products: Type.Optional(Type.Array(ProductIn, { minItems: 1, maxItems: 500 })),
  ...SHIPPING_FIELDS,
});
/** Only these fields may change on an open PO: anything else is a 400 naming it. */
const ShippingBody = Type.Object(SHIPPING_FIELDS, { additionalProperties: false, minProperties: 1 });
const StatusBody = Type.Object({ status: Enum(SS_STATUSES) }, { additionalProperties: false });
const ReceivesBody = Type.Object({
  product_receives: Type.Array(Type.Object({
    sku: Text(100),
    inventory_location_id: Type.Optional(Nullable(Text(64))),
    received_quantity: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    rejected_quantity: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    lot: Type.Optional(Nullable(Text(100))),
    expiration_date: Type.Optional(Nullable(When)),
  }), { minItems: 1, maxItems: 500 }),
});

const invalid = (message: string) => ShipStationError.one(400, 'validation', 'invalid_field_value', message);

function checkSupplier(id: string): SsSupplier {
  const supplier = SS_SUPPLIERS.find((s) => s.supplier_id === id);
  if (!supplier) throw ShipStationError.one(400, 'validation', 'invalid_identifier', `supplier_id "${id}" is not a supplier of this account.`);
  return supplier;
}

function checkWarehouse(id: string): SsWarehouse {
  const warehouse = SS_WAREHOUSES.find((w) => w.warehouse_id === id);
  if (!warehouse) throw ShipStationError.one(400, 'validation', 'invalid_identifier', `warehouse_id "${id}" is not a warehouse of this account.`);
  return warehouse;
}

function checkProducts(products: Static<typeof ProductIn>[]) {
  const seen = new Set<string>();
  return products.map((p, i) => {
    if (seen.has(p.sku)) throw invalid(`products[${i}].sku: "${p.sku}" appears more than once.`);
    seen.add(p.sku);
    if (Math.abs(Math.round(p.cost * 100) - p.cost * 100) > 1e-6) throw invalid(`products[${i}].cost: at most two decimals.`);
    return { sku: p.sku, supplier_sku: p.supplier_sku, quantity: p.quantity, cost: p.cost, received_quantity: 0, rejected_quantity: 0 };
  });
}

/** The shipping fields of a body, dates checked and written as ShipStation writes them. */
function shippingFields(body: Partial<Static<typeof ShippingBody>>): Partial<SsPurchaseOrder> {
  const out: Partial<SsPurchaseOrder> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!(key in SHIPPING_FIELDS) || value === undefined) continue;
    if ((key === 'order_date' || key === 'expected_delivery_date') && value !== null) {
      const ms = parseIsoInstant(value as string);
      if (ms === null) throw invalid(`${key}: "${value}" is not an ISO 8601 date-time.`);
      out[key] = isoSeconds(ms);
    } else {
      (out as Record<string, unknown>)[key] = value;
    }
  }
  return out;
}

// ----------------------------------------------------------------------------------------- errors

function fieldPath(error: { instancePath: string; params?: Record<string, unknown> }): string {
  const path = error.instancePath.replace(/^\//, '').split('/').filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`)).join('').replace(/^\./, '');
  const missing = error.params?.missingProperty ?? error.params?.additionalProperty;
  return typeof missing === 'string' ? (path ? `${path}.${missing}` : missing) : path;
}

function validationErrors(error: FastifyError): ShipStationError['errors'] {
  return (error.validation ?? []).map((v) => {
    const field = fieldPath(v as unknown as { instancePath: string; params?: Record<string, unknown> });
    if (v.keyword === 'required') return { error_type: 'validation' as const, error_code: 'field_value_required' as const, message: `${field} is required.` };
    if (v.keyword === 'additionalProperties') {
      return { error_type: 'validation' as const, error_code: 'invalid_field_value' as const, message: `${field} cannot be changed here.` };
    }
    return { error_type: 'validation' as const, error_code: 'invalid_field_value' as const, message: `${field || 'request body'} ${v.message ?? 'is not valid'}.` };
  });
}

// -------------------------------------------------------------------------------------------- app

export type ShipStationSandbox = FastifyInstance & { sandbox: SandboxControl & { state: ShipStationState } };

export function createShipStationSandbox(input: ShipStationSandboxOptions = {}): ShipStationSandbox {
  const options = resolveOptions(input, { rateLimit: SHIPSTATION_RATE_LIMIT, rateLimitBurst: (rate) => rate });
  const apiKey = input.apiKey ?? SHIPSTATION_DEFAULT_API_KEY;
  const store = new SsStore(options);
  const app = Fastify({
    logger: options.logger, forceCloseConnections: true, bodyLimit: 1024 * 1024,
    // What Fastify refuses before routing (a malformed URL) still gets ShipStation's body.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      reply.code(400).send(shipStationErrorBody([{ error_type: 'validation', error_code: 'invalid_field_value', message: error.message }]));
    },
  });
  registerValidation(app);

  const control = installSimulation(app, options, {
    authenticate(request) {
      const given = request.headers['api-key'];
      if (given === undefined || given === '') {
        return { status: 401, body: shipStationErrorBody([{ error_type: 'security', error_code: 'unauthorized', message: 'The api-key header is missing. Send your API key in the api-key header.' }]) };
      }
      if (given !== apiKey) {
        return { status: 401, body: shipStationErrorBody([{ error_type: 'security', error_code: 'unauthorized', message: 'The API key is invalid. Check the api-key header.' }]) };
      }
      return null;
    },
    rateLimitedBody: (_request, seconds) => shipStationErrorBody([{
      error_type: 'system', error_code: 'rate_limit_exceeded',
      message: `You have exceeded the rate limit of ${options.rateLimit || 'the'} requests per minute. Retry after ${seconds} seconds.`,
    }]),
    serverErrorBody: () => shipStationErrorBody([{ error_type: 'system', error_code: 'unspecified', message: 'An unexpected error occurred. Please try again.' }]),
    rateHeaders: (limit, remaining, reset) => ({
      'X-Rate-Limit-Limit': String(limit), 'X-Rate-Limit-Remaining': String(remaining), 'X-Rate-Limit-Reset': String(reset),
    }),
    churn: (step) => store.churn(step),
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof ShipStationError) return reply.code(error.statusCode).send(shipStationErrorBody(error.errors));
    if (error.validation) return reply.code(400).send(shipStationErrorBody(validationErrors(error)));
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const empty = error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY';
      return reply.code(status).send(shipStationErrorBody([{
        error_type: 'validation', error_code: empty ? 'request_body_required' : 'invalid_field_value',
        message: empty ? 'A request body is required.' : error.message,
      }]));
    }
    reply.log.error(error);
    return reply.code(500).send(shipStationErrorBody([{ error_type: 'system', error_code: 'unspecified', message: 'An unexpected error occurred.' }]));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(shipStationErrorBody([{
    error_type: 'validation', error_code: 'unspecified', message: `No endpoint ${request.method} ${request.url.split('?')[0]}.`,
  }])));

  const baseUrl = (request: FastifyRequest) => options.publicUrl ?? `${request.protocol}://${request.host}`;
  type IdParams = { purchase_order_id: string };

  app.get('/v2/purchase_orders', async (request) => {
    const parsed = parseListQuery(request.query as Record<string, unknown>);
    if (!parsed.ok) {
      throw new ShipStationError(400, parsed.problems.map((p) => ({ error_type: 'validation', error_code: p.code, message: p.message })));
    }
    const { state } = parsed;
    const { records, total } = store.list(state);
    const pages = Math.ceil(total / state.pageSize);
    const link = (page: number) => ({ href: `${baseUrl(request)}/v2/purchase_orders?cursor=${encodeCursor({ ...state, page })}` });
    const last = Math.max(1, pages);
    return {
      purchase_orders: records,
      total,
      page: state.page,
      pages,
      links: {
        first: link(1),
        last: link(last),
        prev: state.page > 1 ? link(Math.min(state.page - 1, last)) : null,
        next: state.page < pages ? link(state.page + 1) : null,
      },
    };
  });

  app.get<{ Params: IdParams }>('/v2/purchase_orders/:purchase_order_id', async (request) =>
    toDetail(store.find(request.params.purchase_order_id).po));

  app.post<{ Body: Static<typeof CreateBody> }>('/v2/purchase_orders', { schema: { body: CreateBody } }, async (request, reply) =>
    reply.code(201).send(toDetail(store.createFromBody(request.body))));

  app.put<{ Params: IdParams; Body: Static<typeof PutBody> }>('/v2/purchase_orders/:purchase_order_id', { schema: { body: PutBody } }, async (request) => {
    const { index, po } = store.find(request.params.purchase_order_id);
    if (po.status !== 'draft') {
      throw ShipStationError.one(409, 'business_rules', 'invalid_status',
        `The purchase order is ${po.status}: only draft purchase orders can be updated. Use shipping_details for an open one.`);
    }
    const body = request.body;
    const next: SsPurchaseOrder = { ...structuredClone(po), ...shippingFields(body) };
    if (body.supplier_id !== undefined) {
      const supplier = checkSupplier(body.supplier_id);
      next.supplier_id = supplier.supplier_id;
      next.supplier_name = supplier.name;
    }
    if (body.warehouse_id !== undefined) next.warehouse_id = checkWarehouse(body.warehouse_id).warehouse_id;
    if (body.products !== undefined) next.products = checkProducts(body.products);
    return toDetail(store.write(index, next));
  });

  app.post<{ Params: IdParams; Body: Static<typeof ShippingBody> }>('/v2/purchase_orders/:purchase_order_id/shipping_details',
    { schema: { body: ShippingBody } }, async (request) => {
      const { index, po } = store.find(request.params.purchase_order_id);
      if (po.status !== 'open') {
        throw ShipStationError.one(409, 'business_rules', 'invalid_status',
          `The purchase order is ${po.status}: shipping details can be updated on open purchase orders only.`);
      }
      return toDetail(store.write(index, { ...structuredClone(po), ...shippingFields(request.body) }));
    });

  app.post<{ Params: IdParams; Body: Static<typeof StatusBody> }>('/v2/purchase_orders/:purchase_order_id/status',
    { schema: { body: StatusBody } }, async (request) => {
      const { index, po } = store.find(request.params.purchase_order_id);
      const to = request.body.status as SsStatus;
      if (!isLegalMove(po.status, to)) {
        throw ShipStationError.one(409, 'business_rules', 'invalid_status',
          `The purchase order is ${po.status}; it cannot move to ${to}.`);
      }
      store.write(index, { ...structuredClone(po), status: to });
      return { purchase_order_id: po.purchase_order_id, status: to };
    });

  app.post<{ Params: IdParams; Body: Static<typeof ReceivesBody> }>('/v2/purchase_orders/:purchase_order_id/receives',
    { schema: { body: ReceivesBody } }, async (request) => {
      const { index, po } = store.find(request.params.purchase_order_id);
      const receives = request.body.product_receives.map((r, i) => {
        if (r.inventory_location_id != null) {
          const known = SS_WAREHOUSES.find((w) => w.warehouse_id === po.warehouse_id)!.inventory_locations
            .some((l) => l.inventory_location_id === r.inventory_location_id);
          if (!known) {
            throw ShipStationError.one(400, 'validation', 'invalid_identifier',
              `product_receives[${i}].inventory_location_id "${r.inventory_location_id}" is not a location of warehouse ${po.warehouse_id}.`);
          }
        }
        if (r.expiration_date != null && parseIsoInstant(r.expiration_date) === null) {
          throw invalid(`product_receives[${i}].expiration_date: "${r.expiration_date}" is not an ISO 8601 date-time.`);
        }
        return { sku: r.sku, received_quantity: r.received_quantity ?? 0, rejected_quantity: r.rejected_quantity ?? 0 };
      });
      const plan = planReceipt(po.status, po.products.map((p) => ({
        id: p.sku, sku: p.sku, quantity: p.quantity, received_quantity: p.received_quantity, rejected_quantity: p.rejected_quantity, cancelled: false,
      })), receives);
      if (!plan.ok) {
        throw plan.conflict
          ? ShipStationError.one(409, 'business_rules', 'invalid_status', plan.message)
          : invalid(`${plan.field.replace(/^body\./, '')}: ${plan.message}`);
      }
      const next = structuredClone(po);
      for (const line of plan.lines) {
        const product = next.products.find((p) => p.sku === line.id)!;
        product.received_quantity = line.received_quantity;
        product.rejected_quantity = line.rejected_quantity;
      }
      next.status = fullyReceived(next.products) ? 'received' : 'receiving';
      store.write(index, next);
      return { purchase_order_id: po.purchase_order_id, status: next.status };
    });

  app.decorate('sandbox', { ...control, state: store as ShipStationState });
  return app as unknown as ShipStationSandbox;
}

// Suppliers of the PO lifecycle API (DESIGN section 3): list, create, get and update under /api/v2/suppliers.
// Also exports the pieces the warehouses module shares: the address schema, list paging and nullable text.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Address } from '../domain/address.ts';
import { renderInstant } from '../domain/dates.ts';
import type { Db } from '../db/database.ts';
import type { RequireScope } from '../http/auth.ts';
import { conflict, notFound, validationFailed, type ErrorDetail } from '../http/errors.ts';
import { registerIdempotency } from '../http/idempotency.ts';
import { pageLinks, readCursor, type PageState } from '../http/pagination.ts';
import { createSupplier, findSupplier, listSuppliers, updateSupplier, type Supplier, type SupplierWrite } from '../store/suppliers.ts';
import { ErrorBody } from './order-schemas.ts';

export interface ResourceApiOptions {
  db: Db;
  requireScope: RequireScope;
  /** Signs list cursors. */
  secret: string;
  /** Base of the absolute links in list responses. */
  publicUrl: string;
}

// ---- shared with warehouses.ts -------------------------------------------------------------------------

/** A string or null, as one JSON Schema type (one clear validation message instead of an anyOf's three). */
export const NullableText = (options: { maxLength?: number; format?: string; description?: string } = {}) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: 200, ...options });

export const Name = Type.String({ minLength: 1, maxLength: 200 });

const ADDRESS_FIELDS = ['name', 'company', 'line1', 'line2', 'city', 'state', 'postal_code', 'country'] as const;

const AddressObject = Type.Object({
  name: Type.Optional(NullableText()),
  company: Type.Optional(NullableText()),
  line1: Type.Optional(NullableText()),
  line2: Type.Optional(NullableText()),
  city: Type.Optional(NullableText()),
  state: Type.Optional(NullableText()),
  postal_code: Type.Optional(NullableText({ maxLength: 20 })),
  country: Type.Optional(NullableText({ maxLength: 100 })),
}, { additionalProperties: false });

/** A postal address in a request body, or null. */
export const AddressInput = Type.Unsafe<Address | null>({ ...AddressObject, type: ['object', 'null'] });

/** A postal address in a response: every field present, null when unknown; or null. */
export const AddressOutput = Type.Unsafe<Record<(typeof ADDRESS_FIELDS)[number], string | null> | null>({
  type: ['object', 'null'],
  properties: Object.fromEntries(ADDRESS_FIELDS.map((field) => [field, { type: ['string', 'null'] }])),
  required: [...ADDRESS_FIELDS],
});

export function renderAddress(address: Address | null): Record<(typeof ADDRESS_FIELDS)[number], string | null> | null {
  if (!address) return null;
  return Object.fromEntries(ADDRESS_FIELDS.map((field) => [field, address[field] ?? null])) as
    Record<(typeof ADDRESS_FIELDS)[number], string | null>;
}

export const DEFAULT_PAGE_SIZE = 50;

export const ListQuery = Type.Object({
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Results per page, 1–500 (default 50).' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'From a links.*.href of an earlier response; carries the filters.' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only those whose name contains this text (case-insensitive).' })),
}, { additionalProperties: false });

const Link = Type.Unsafe<{ href: string } | null>({
  type: ['object', 'null'], properties: { href: { type: 'string' } }, required: ['href'],
});
export const Links = Type.Object({ first: Link, last: Link, prev: Link, next: Link });

export interface ListFilters {
  name?: string;
}

/** The page a list request asks for: from its cursor, or from page_size and filters for page 1. */
export function requestedPage(
  secret: string, purpose: string, query: { page_size?: number; cursor?: string; name?: string },
): PageState<ListFilters> {
  if (query.cursor === undefined) {
    return { filters: query.name === undefined ? {} : { name: query.name }, page_size: query.page_size ?? DEFAULT_PAGE_SIZE, page: 1 };
  }
  const mixed: ErrorDetail[] = (['page_size', 'name'] as const).filter((field) => query[field] !== undefined)
    .map((field) => ({ field: `query.${field}`, message: 'cannot be combined with cursor (the cursor already carries it)' }));
  if (mixed.length > 0) throw validationFailed(mixed);
  return readCursor<ListFilters>(secret, purpose, query.cursor);
}

/** The paging part of a list response. */
export function listPaging(baseUrl: string, secret: string, purpose: string, state: PageState<ListFilters>, total: number) {
  const pages = Math.ceil(total / state.page_size);
  return { total, page: state.page, pages, links: pageLinks(baseUrl, secret, purpose, state, pages) };
}

/** `body.name` must have something besides spaces. */
export function requireVisibleName(name: string, field = 'body.name'): void {
  if (name.trim() === '') throw validationFailed([{ field, message: 'must not be blank' }]);
}

export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

// ---- suppliers -----------------------------------------------------------------------------------------

const SupplierBody = Type.Object({
  name: Name,
  contact_name: Type.Optional(NullableText()),
  contact_email: Type.Optional(NullableText({ format: 'email', maxLength: 254 })),
  phone: Type.Optional(NullableText({ maxLength: 50 })),
  address: Type.Optional(AddressInput),
}, { additionalProperties: false });

const SupplierParams = Type.Object({ supplier_id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

const Instant = Type.String({ description: 'ISO 8601 with offset' });

const SupplierResource = Type.Object({
  supplier_id: Type.String({ description: 'sup_…' }),
  name: Type.String(),
  contact_name: NullableText(),
  contact_email: NullableText(),
  phone: NullableText(),
  address: AddressOutput,
  create_date: Instant,
  modify_date: Instant,
});

const SupplierList = Type.Object({
  suppliers: Type.Array(SupplierResource),
  total: Type.Integer(),
  page: Type.Integer(),
  pages: Type.Integer(),
  links: Links,
});

function toResource(supplier: Supplier) {
  return {
    supplier_id: supplier.id,
    name: supplier.name,
    contact_name: supplier.contact_name,
    contact_email: supplier.contact_email,
    phone: supplier.phone,
    address: renderAddress(supplier.address),
    create_date: renderInstant(supplier.created_at)!,
    modify_date: renderInstant(supplier.updated_at)!,
  };
}

const LIST_PURPOSE = 'list:suppliers';

export const suppliersApi: FastifyPluginAsync<ResourceApiOptions> = async (fastify, { db, requireScope, secret, publicUrl }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireScope('write'));
  registerIdempotency(app, db);

  const tags = ['Suppliers'];
  const security = [{ apiKey: [] }];
  const listUrl = `${publicUrl.replace(/\/+$/, '')}/api/v2/suppliers`;

  function written(result: SupplierWrite, name: string, supplierId?: string) {
    if (result.ok) return toResource(result.supplier);
    if (result.reason === 'duplicate_name') throw conflict(`A supplier named "${name}" already exists.`);
    throw notFound(`No supplier with id "${supplierId}".`);
  }

  app.get('/api/v2/suppliers', {
    schema: {
      summary: 'List suppliers', tags, security,
      description: 'Suppliers in creation order, paged: follow links.next.href until it is null.',
      querystring: ListQuery, response: { 200: SupplierList, ...errorResponses },
    },
  }, async (request) => {
    const state = requestedPage(secret, LIST_PURPOSE, request.query);
    const { suppliers, total } = await listSuppliers(db, request.auth.retailerId, state.filters,
      { limit: state.page_size, offset: (state.page - 1) * state.page_size });
    return { suppliers: suppliers.map(toResource), ...listPaging(listUrl, secret, LIST_PURPOSE, state, total) };
  });

  app.post('/api/v2/suppliers', {
    schema: {
      summary: 'Create a supplier', tags, security,
      description: 'The name must be unique among your suppliers (409 otherwise). Honours an Idempotency-Key header.',
      body: SupplierBody, response: { 201: SupplierResource, ...errorResponses },
    },
  }, async (request, reply) => {
    requireVisibleName(request.body.name);
    const supplier = written(await createSupplier(db, request.auth.retailerId, request.body), request.body.name);
    return reply.code(201).header('Location', `${listUrl}/${supplier.supplier_id}`).send(supplier);
  });

  app.get('/api/v2/suppliers/:supplier_id', {
    schema: {
      summary: 'Get a supplier', tags, security, params: SupplierParams, response: { 200: SupplierResource, ...errorResponses },
    },
  }, async (request) => {
    const supplier = await findSupplier(db, request.auth.retailerId, request.params.supplier_id);
    if (!supplier) throw notFound(`No supplier with id "${request.params.supplier_id}".`);
    return toResource(supplier);
  });

  app.put('/api/v2/suppliers/:supplier_id', {
    schema: {
      summary: 'Update a supplier', tags, security,
      description: 'Replaces the supplier\'s fields: optional fields left out become null. A new name must be unique '
        + 'among your suppliers, and shows at once in the read API\'s records of this supplier\'s POs.',
      params: SupplierParams, body: SupplierBody, response: { 200: SupplierResource, ...errorResponses },
    },
  }, async (request) => {
    requireVisibleName(request.body.name);
    const { supplier_id: supplierId } = request.params;
    return written(await updateSupplier(db, request.auth.retailerId, supplierId, request.body), request.body.name, supplierId);
  });
};

// Warehouses of the PO lifecycle API (DESIGN section 3): list, create, get and update under /api/v2/warehouses,
// each with its inventory locations (where received goods are put; receipts name one).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { renderInstant } from '../domain/dates.ts';
import { conflict, notFound, validationFailed, type ErrorDetail } from '../http/errors.ts';
import { registerIdempotency } from '../http/idempotency.ts';
import { createWarehouse, findWarehouse, listWarehouses, updateWarehouse, type Warehouse, type WarehouseWrite } from '../store/warehouses.ts';
import {
  AddressInput, AddressOutput, Links, ListQuery, Name, errorResponses, listPaging, renderAddress, requestedPage,
  requireVisibleName, type ResourceApiOptions,
} from './suppliers.ts';

const MAX_LOCATIONS = 500;
const LocationId = Type.String({ minLength: 1, maxLength: 100, description: 'loc_…' });

const CreateBody = Type.Object({
  name: Name,
  address: Type.Optional(AddressInput),
  inventory_locations: Type.Optional(Type.Array(
    Type.Object({ name: Name }, { additionalProperties: false }),
    { maxItems: MAX_LOCATIONS, description: 'Locations to make, by name (unique within the warehouse).' },
  )),
}, { additionalProperties: false });

const UpdateBody = Type.Object({
  name: Name,
  address: Type.Optional(AddressInput),
  inventory_locations: Type.Optional(Type.Array(
    Type.Object({ inventory_location_id: Type.Optional(LocationId), name: Name }, { additionalProperties: false }),
    {
      maxItems: MAX_LOCATIONS,
      description: 'The complete list of locations: with an inventory_location_id an existing location (renamed when '
        + 'the name differs), without one a new location. Locations left out are removed, unless receipts refer to '
        + 'them (409). Leave the field out to keep the locations as they are.',
    },
  )),
}, { additionalProperties: false });

const WarehouseParams = Type.Object({ warehouse_id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

const Instant = Type.String({ description: 'ISO 8601 with offset' });

const WarehouseResource = Type.Object({
  warehouse_id: Type.String({ description: 'wh_…' }),
  name: Type.String(),
  address: AddressOutput,
  inventory_locations: Type.Array(Type.Object({ inventory_location_id: Type.String(), name: Type.String() })),
  create_date: Instant,
  modify_date: Instant,
});

const WarehouseList = Type.Object({
  warehouses: Type.Array(WarehouseResource),
  total: Type.Integer(),
  page: Type.Integer(),
  pages: Type.Integer(),
  links: Links,
});

function toResource(warehouse: Warehouse) {
  return {
    warehouse_id: warehouse.id,
    name: warehouse.name,
    address: renderAddress(warehouse.address),
    inventory_locations: warehouse.locations.map((l) => ({ inventory_location_id: l.id, name: l.name })),
    create_date: renderInstant(warehouse.created_at)!,
    modify_date: renderInstant(warehouse.updated_at)!,
  };
}

/** Location names must be visible and distinct, ids given at most once. */
function checkLocations(locations: { inventory_location_id?: string; name: string }[] | undefined): void {
  if (!locations) return;
  const problems: ErrorDetail[] = [];
  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  locations.forEach((location, i) => {
    const at = `body.inventory_locations[${i}]`;
    if (location.name.trim() === '') problems.push({ field: `${at}.name`, message: 'must not be blank' });
    const sameName = names.get(location.name);
    if (sameName !== undefined) problems.push({ field: `${at}.name`, message: `repeats the name of inventory_locations[${sameName}]` });
    else names.set(location.name, i);
    const id = location.inventory_location_id;
    if (id === undefined) return;
    const sameId = ids.get(id);
    if (sameId !== undefined) problems.push({ field: `${at}.inventory_location_id`, message: `repeats inventory_locations[${sameId}]` });
    else ids.set(id, i);
  });
  if (problems.length > 0) throw validationFailed(problems);
}

const LIST_PURPOSE = 'list:warehouses';

export const warehousesApi: FastifyPluginAsync<ResourceApiOptions> = async (fastify, { db, requireScope, secret, publicUrl }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', requireScope('write'));
  registerIdempotency(app, db);

  const tags = ['Warehouses'];
  const security = [{ apiKey: [] }];
  const listUrl = `${publicUrl.replace(/\/+$/, '')}/api/v2/warehouses`;

  function written(result: WarehouseWrite, name: string, warehouseId?: string) {
    if (result.ok) return toResource(result.warehouse);
    switch (result.reason) {
      case 'duplicate_name':
        throw conflict(`A warehouse named "${name}" already exists.`);
      case 'not_found':
        throw notFound(`No warehouse with id "${warehouseId}".`);
      case 'unknown_location':
        throw validationFailed([{
          field: `body.inventory_locations[${result.index}].inventory_location_id`, message: 'is not a location of this warehouse',
        }]);
      case 'location_in_use': {
        const named = result.locations.map((l) => `"${l.name}" (${l.id})`).join(', ');
        throw conflict(`Receipts refer to inventory location${result.locations.length > 1 ? 's' : ''} ${named}: `
          + 'keep them in inventory_locations (rename them if you like).');
      }
    }
  }

  app.get('/api/v2/warehouses', {
    schema: {
      summary: 'List warehouses', tags, security,
      description: 'Warehouses with their inventory locations, in creation order, paged: follow links.next.href until it is null.',
      querystring: ListQuery, response: { 200: WarehouseList, ...errorResponses },
    },
  }, async (request) => {
    const state = requestedPage(secret, LIST_PURPOSE, request.query);
    const { warehouses, total } = await listWarehouses(db, request.auth.retailerId, state.filters,
      { limit: state.page_size, offset: (state.page - 1) * state.page_size });
    return { warehouses: warehouses.map(toResource), ...listPaging(listUrl, secret, LIST_PURPOSE, state, total) };
  });

  app.post('/api/v2/warehouses', {
    schema: {
      summary: 'Create a warehouse', tags, security,
      description: 'The name must be unique among your warehouses (409 otherwise); inventory locations are given by name. '
        + 'Honours an Idempotency-Key header.',
      body: CreateBody, response: { 201: WarehouseResource, ...errorResponses },
    },
  }, async (request, reply) => {
    const { name, address, inventory_locations: locations = [] } = request.body;
    requireVisibleName(name);
    checkLocations(locations);
    const result = await createWarehouse(db, request.auth.retailerId, { name, address, locations: locations.map((l) => l.name) });
    const warehouse = written(result, name);
    return reply.code(201).header('Location', `${listUrl}/${warehouse.warehouse_id}`).send(warehouse);
  });

  app.get('/api/v2/warehouses/:warehouse_id', {
    schema: {
      summary: 'Get a warehouse', tags, security, params: WarehouseParams, response: { 200: WarehouseResource, ...errorResponses },
    },
  }, async (request) => {
    const warehouse = await findWarehouse(db, request.auth.retailerId, request.params.warehouse_id);
    if (!warehouse) throw notFound(`No warehouse with id "${request.params.warehouse_id}".`);
    return toResource(warehouse);
  });

  app.put('/api/v2/warehouses/:warehouse_id', {
    schema: {
      summary: 'Update a warehouse', tags, security,
      description: 'Replaces the name and address (an address left out becomes null). inventory_locations, when given, is '
        + 'the complete list: existing locations by inventory_location_id (renamed when the name differs), new ones by '
        + 'name alone; locations left out are removed unless receipts refer to them (409).',
      params: WarehouseParams, body: UpdateBody, response: { 200: WarehouseResource, ...errorResponses },
    },
  }, async (request) => {
    const { name, address, inventory_locations: locations } = request.body;
    requireVisibleName(name);
    checkLocations(locations);
    const { warehouse_id: warehouseId } = request.params;
    const result = await updateWarehouse(db, request.auth.retailerId, warehouseId, {
      name, address, locations: locations?.map((l) => ({ id: l.inventory_location_id, name: l.name })),
    });
    return written(result, name, warehouseId);
  });
};

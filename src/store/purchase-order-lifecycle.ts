// Data access of the PO lifecycle API: list, create, read, edit, status moves and receipts. Every write is
// one transaction that records status events and re-renders the PO's read records before it commits.
import { sql } from 'kysely';
import type { Address } from '../domain/address.ts';
import { ConflictError, InvalidInputError, NotFoundError, type FieldProblem } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { illegalMoveMessage, isLegalMove, planReceipt, type LifecycleStatus } from '../domain/lifecycle.ts';
import { formatOrderNumber, orderNumberDay, type PoHeaderRow, type PoLineRow } from '../domain/purchase-order-resource.ts';
import type { FulfilmentStatus } from '../domain/statuses.ts';
import type { Db } from '../db/database.ts';
import { insertPurchaseOrders, refreshPoViews, supplierNamesOf } from './purchase-orders.ts';
import { noteChangedFields } from './events.ts';
import { changeLifecycleStatus, changeLineStatuses } from './status-events.ts';

export interface ProductInput {
  sku: string;
  supplier_sku: string | null;
  quantity: number;
  cost_cents: number;
  product_name: string | null;
  description: string | null;
}

/** Fields a client may set on a PO; products and both references are required on create and replace. */
export interface PurchaseOrderInput {
  supplier_id: string;
  warehouse_id: string;
  products: ProductInput[];
  po_number?: string;
  order_date?: string;
  request_date?: string | null;
  expected_delivery_date?: string | null;
  payment_terms?: string;
  payment_status?: string;
  currency_code?: string;
  shipping_carrier?: string | null;
  tracking_number?: string | null;
  reference_number?: string | null;
  note_to_supplier?: string | null;
  ship_to?: Address | null;
  drop_ship?: boolean;
  customer_name?: string | null;
  customer_email?: string | null;
}

/** The nine fields POST …/shipping_details may change on an open PO. */
export interface ShippingDetailsInput {
  shipping_carrier?: string | null;
  payment_terms?: string;
  payment_status?: string;
  order_date?: string;
  expected_delivery_date?: string | null;
  note_to_supplier?: string | null;
  tracking_number?: string | null;
  currency_code?: string;
  reference_number?: string | null;
}

export interface ListFilters {
  order_number?: string;
  po_number?: string;
  status?: string;
  warehouse_id?: string;
  supplier_id?: string;
  reference_number?: string;
  create_date_start?: string;
  modify_date_start?: string;
}

export interface PurchaseOrderRecord {
  po: PoHeaderRow;
  supplierName: string | null;
  lines: (PoLineRow & { id: string })[];
}

/** Hook run inside the creating transaction once a PO exists under a number (held supplier updates). */
export type OnPoNumber = (db: Db, retailerId: string, poNumber: string) => Promise<unknown>;

async function requireReferences(db: Db, retailerId: string, input: { supplier_id: string; warehouse_id: string }): Promise<void> {
  const problems: FieldProblem[] = [];
  const [supplier, warehouse] = await Promise.all([
    db.selectFrom('suppliers').select('id').where('retailer_id', '=', retailerId).where('id', '=', input.supplier_id).executeTakeFirst(),
    db.selectFrom('warehouses').select('id').where('retailer_id', '=', retailerId).where('id', '=', input.warehouse_id).executeTakeFirst(),
  ]);
  if (!supplier) problems.push({ field: 'body.supplier_id', message: `no supplier "${input.supplier_id}"` });
  if (!warehouse) problems.push({ field: 'body.warehouse_id', message: `no warehouse "${input.warehouse_id}"` });
  if (problems.length > 0) throw new InvalidInputError(problems);
}

async function poNumberTaken(db: Db, retailerId: string, poNumber: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('purchase_orders').select('id').where('retailer_id', '=', retailerId).where('po_number', '=', poNumber);
  if (exceptId) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** The next number of the retailer's day; the upsert's row lock keeps concurrent creates apart. */
async function nextOrderNumber(db: Db, retailerId: string, day: string): Promise<string> {
  const row = await db.insertInto('order_number_counters')
    .values({ retailer_id: retailerId, day, last_value: 1 })
    .onConflict((oc) => oc.columns(['retailer_id', 'day']).doUpdateSet({ last_value: sql`order_number_counters.last_value + 1` }))
    .returning('last_value')
    .executeTakeFirstOrThrow();
  return formatOrderNumber(day, Number(row.last_value));
}

function headerFields(input: Partial<PurchaseOrderInput>) {
  const fields: Record<string, unknown> = {};
  const copy = ['request_date', 'expected_delivery_date', 'payment_terms', 'payment_status', 'shipping_carrier', 'tracking_number',
    'reference_number', 'note_to_supplier', 'customer_name', 'customer_email', 'supplier_id', 'warehouse_id', 'order_date'] as const;
  for (const key of copy) if (input[key] !== undefined) fields[key] = input[key];
  if (input.currency_code !== undefined) fields.currency = input.currency_code;
  if (input.ship_to !== undefined) fields.ship_to = input.ship_to ? JSON.stringify(input.ship_to) : null;
  if (input.drop_ship !== undefined) fields.drop_ship = input.drop_ship ? 1 : 0;
  return fields;
}

/** API names of the stored header columns headerFields writes, where they differ. */
const API_FIELD: Record<string, string> = { currency: 'currency_code' };

/**
 * Notes (for the PO's `purchase_order.updated` event) the header fields this write changes, by their API names;
 * the v2 record shows only some of them. Call before writing `fields`.
 */
async function noteHeaderChanges(trx: Db, id: string, fields: Record<string, unknown>): Promise<void> {
  const current = await trx.selectFrom('purchase_orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const changed = Object.entries(fields)
    .filter(([column, value]) => (current as Record<string, unknown>)[column] !== value)
    .map(([column]) => API_FIELD[column] ?? column);
  if (changed.length > 0) noteChangedFields(trx, id, changed);
}

export async function createPurchaseOrder(
  db: Db, retailer: { id: string; timezone: string }, input: PurchaseOrderInput, onPoNumber: OnPoNumber, now = new Date(),
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    await requireReferences(trx, retailer.id, input);
    if (input.po_number !== undefined && (await poNumberTaken(trx, retailer.id, input.po_number))) {
      throw new ConflictError(`A purchase order with po_number "${input.po_number}" already exists.`);
    }
    const day = orderNumberDay(now, retailer.timezone);
    let orderNumber = await nextOrderNumber(trx, retailer.id, day);
    // A client may have used a generated-looking number as its own po_number: skip past it.
    while (input.po_number === undefined && (await poNumberTaken(trx, retailer.id, orderNumber))) {
      orderNumber = await nextOrderNumber(trx, retailer.id, day);
    }
    const stamp = now.toISOString();
    const poId = newId('po');
    const poNumber = input.po_number ?? orderNumber;
    const lines = input.products.map((product, i) => ({
      id: newId('ln'), retailer_id: retailer.id, po_id: poId, line_no: i + 1, supplier_id: null,
      sku: product.sku, supplier_sku: product.supplier_sku, product_name: product.product_name ?? product.sku,
      description: product.description, quantity: product.quantity, unit_cost_cents: product.cost_cents,
      received_quantity: 0, rejected_quantity: 0, fulfilment_status: 'pending', estimated_delivery_date: null,
    }));
    const event = (lineId: string | null, axis: string, to: string) => ({
      id: newId('evt'), retailer_id: retailer.id, po_id: poId, line_id: lineId, axis, from_status: null, to_status: to,
      source: 'api', occurred_at: stamp,
    });
    await insertPurchaseOrders(trx, [{
      po: {
        id: poId, retailer_id: retailer.id, po_number: poNumber, order_number: orderNumber, source: 'ordersync', source_id: null,
        status: 'draft', order_date: input.order_date ?? stamp, request_date: input.request_date ?? null,
        expected_delivery_date: input.expected_delivery_date ?? null, ship_to: input.ship_to ? JSON.stringify(input.ship_to) : null,
        drop_ship: input.drop_ship ? 1 : 0, customer_name: input.customer_name ?? null, customer_email: input.customer_email ?? null,
        supplier_id: input.supplier_id, warehouse_id: input.warehouse_id, currency: input.currency_code ?? 'USD',
        payment_terms: input.payment_terms ?? 'none', payment_status: input.payment_status ?? 'unpaid',
        reference_number: input.reference_number ?? null, note_to_supplier: input.note_to_supplier ?? null,
        shipping_carrier: input.shipping_carrier ?? null, tracking_number: input.tracking_number ?? null,
        created_at: stamp, updated_at: stamp,
      },
      lines,
      supplierOrders: [], shipments: [], invoices: [],
      events: [event(null, 'lifecycle', 'draft'), ...lines.map((line) => event(line.id, 'fulfilment', 'pending'))],
    }], await supplierNamesOf(trx, retailer.id));
    await onPoNumber(trx, retailer.id, poNumber);
    return poId;
  });
}

export async function findPurchaseOrder(db: Db, retailerId: string, id: string): Promise<PurchaseOrderRecord | undefined> {
  const po = await db.selectFrom('purchase_orders as po')
    .leftJoin('suppliers as s', 's.id', 'po.supplier_id')
    .selectAll('po').select('s.name as supplier_name')
    .where('po.retailer_id', '=', retailerId).where('po.id', '=', id)
    .executeTakeFirst();
  if (!po) return undefined;
  const lines = await db.selectFrom('po_lines')
    .select(['id', 'sku', 'supplier_sku', 'product_name', 'description', 'quantity', 'unit_cost_cents', 'received_quantity',
      'rejected_quantity', 'fulfilment_status'])
    .where('po_id', '=', id).orderBy('line_no').execute();
  const { supplier_name, view_v2: _view, ...header } = po;
  return { po: header, supplierName: supplier_name, lines };
}

async function requirePo(db: Db, retailerId: string, id: string) {
  const po = await db.selectFrom('purchase_orders').select(['id', 'status', 'po_number'])
    .where('retailer_id', '=', retailerId).where('id', '=', id).executeTakeFirst();
  if (!po) throw new NotFoundError(`No purchase order "${id}".`);
  return { ...po, status: po.status as LifecycleStatus };
}

export async function listPurchaseOrders(
  db: Db, retailerId: string, filters: ListFilters, page: number, pageSize: number,
): Promise<{ records: PurchaseOrderRecord[]; total: number }> {
  let query = db.selectFrom('purchase_orders as po').where('po.retailer_id', '=', retailerId);
  if (filters.order_number !== undefined) query = query.where('po.order_number', '=', filters.order_number);
  if (filters.po_number !== undefined) query = query.where('po.po_number', '=', filters.po_number);
  if (filters.status !== undefined) query = query.where('po.status', '=', filters.status);
  if (filters.warehouse_id !== undefined) query = query.where('po.warehouse_id', '=', filters.warehouse_id);
  if (filters.supplier_id !== undefined) query = query.where('po.supplier_id', '=', filters.supplier_id);
  if (filters.reference_number !== undefined) query = query.where('po.reference_number', '=', filters.reference_number);
  if (filters.create_date_start !== undefined) query = query.where('po.created_at', '>=', filters.create_date_start);
  if (filters.modify_date_start !== undefined) query = query.where('po.updated_at', '>=', filters.modify_date_start);
  const [count, rows] = await Promise.all([
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    query.leftJoin('suppliers as s', 's.id', 'po.supplier_id').selectAll('po').select('s.name as supplier_name')
      .orderBy('po.created_at').orderBy('po.id').limit(pageSize).offset((page - 1) * pageSize).execute(),
  ]);
  return {
    total: Number(count.n),
    records: rows.map(({ supplier_name, view_v2: _view, ...po }) => ({ po, supplierName: supplier_name, lines: [] })),
  };
}

/** PUT: replaces the editable fields and the products of a draft PO (matched by sku). */
export async function replaceDraft(
  db: Db, retailerId: string, id: string, input: PurchaseOrderInput, onPoNumber: OnPoNumber, now = new Date(),
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const po = await requirePo(trx, retailerId, id);
    if (po.status !== 'draft') {
      throw new ConflictError(`The purchase order is ${po.status}; only draft purchase orders can be replaced (use shipping_details while open).`);
    }
    await requireReferences(trx, retailerId, input);
    const poNumber = input.po_number ?? po.po_number;
    if (poNumber !== po.po_number && (await poNumberTaken(trx, retailerId, poNumber, id))) {
      throw new ConflictError(`A purchase order with po_number "${poNumber}" already exists.`);
    }
    const existing = await trx.selectFrom('po_lines').select(['id', 'sku', 'line_no']).where('po_id', '=', id).execute();
    const wanted = new Map(input.products.map((p) => [p.sku, p]));
    const gone = existing.filter((line) => !wanted.has(line.sku));
    for (const line of gone) {
      const [covered, shipped] = await Promise.all([
        trx.selectFrom('supplier_order_lines').select('line_id').where('line_id', '=', line.id).executeTakeFirst(),
        trx.selectFrom('shipment_lines').select('line_id').where('line_id', '=', line.id).executeTakeFirst(),
      ]);
      if (covered || shipped) {
        throw new ConflictError(`Product "${line.sku}" already has supplier orders or shipments and cannot be removed.`);
      }
      await trx.deleteFrom('status_events').where('line_id', '=', line.id).execute();
      await trx.deleteFrom('po_lines').where('id', '=', line.id).execute();
    }
    const bySku = new Map(existing.map((line) => [line.sku, line]));
    let lineNo = Math.max(0, ...existing.map((line) => line.line_no));
    const stamp = now.toISOString();
    for (const product of input.products) {
      const fields = {
        supplier_sku: product.supplier_sku, quantity: product.quantity, unit_cost_cents: product.cost_cents,
        product_name: product.product_name ?? product.sku, description: product.description,
      };
      const line = bySku.get(product.sku);
      if (line) {
        await trx.updateTable('po_lines').set(fields).where('id', '=', line.id).execute();
        continue;
      }
      const lineId = newId('ln');
      await trx.insertInto('po_lines').values({
        id: lineId, retailer_id: retailerId, po_id: id, line_no: ++lineNo, supplier_id: null, sku: product.sku, ...fields,
        received_quantity: 0, rejected_quantity: 0, fulfilment_status: 'pending', estimated_delivery_date: null, view_v1: '{}',
      }).execute();
      await trx.insertInto('status_events').values({
        id: newId('evt'), retailer_id: retailerId, po_id: id, line_id: lineId, axis: 'fulfilment', from_status: null,
        to_status: 'pending', source: 'api', occurred_at: stamp,
      }).execute();
    }
    await noteHeaderChanges(trx, id, { ...headerFields(input), po_number: poNumber });
    await trx.updateTable('purchase_orders')
      .set({ ...headerFields(input), po_number: poNumber, updated_at: stamp })
      .where('id', '=', id).execute();
    await refreshPoViews(trx, retailerId, id);
    if (poNumber !== po.po_number) await onPoNumber(trx, retailerId, poNumber);
  });
}

export async function updateShippingDetails(
  db: Db, retailerId: string, id: string, input: ShippingDetailsInput, now = new Date(),
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const po = await requirePo(trx, retailerId, id);
    if (po.status !== 'open') {
      throw new ConflictError(`The purchase order is ${po.status}; shipping details can be changed only while it is open.`);
    }
    await noteHeaderChanges(trx, id, headerFields(input));
    await trx.updateTable('purchase_orders').set({ ...headerFields(input), updated_at: now.toISOString() }).where('id', '=', id).execute();
    await refreshPoViews(trx, retailerId, id);
  });
}

/** What a lifecycle move does to the lines: opening submits them, cancelling cancels them, closing completes delivered ones. */
function lineMoves(to: LifecycleStatus, status: string): FulfilmentStatus | null {
  if (to === 'open' && status === 'pending') return 'submitted';
  if (to === 'cancelled' && status !== 'cancelled') return 'cancelled';
  if (to === 'closed' && status === 'delivered') return 'complete';
  return null;
}

export async function changeStatus(db: Db, retailerId: string, id: string, to: LifecycleStatus, now = new Date()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const po = await requirePo(trx, retailerId, id);
    if (!isLegalMove(po.status, to)) throw new ConflictError(illegalMoveMessage(po.status, to));
    const lines = await trx.selectFrom('po_lines').select(['id', 'fulfilment_status']).where('po_id', '=', id).execute();
    const changes = lines.flatMap((line) => {
      const next = lineMoves(to, line.fulfilment_status);
      return next ? [{ lineId: line.id, from: line.fulfilment_status, to: next }] : [];
    });
    await changeLineStatuses(trx, retailerId, id, changes, 'api', now);
    await changeLifecycleStatus(trx, retailerId, id, po.status, to, 'api', now);
    await refreshPoViews(trx, retailerId, id);
  });
}

export interface ReceiveInput {
  sku: string;
  inventory_location_id: string | null;
  received_quantity: number;
  rejected_quantity: number;
  lot: string | null;
  expiration_date: string | null;
}

/** Records receipts; the PO moves to receiving, or received once every line is accounted for. */
export async function receive(
  db: Db, retailerId: string, id: string, receives: ReceiveInput[], now = new Date(),
): Promise<LifecycleStatus> {
  return db.transaction().execute(async (trx) => {
    const po = await requirePo(trx, retailerId, id);
    const locationIds = [...new Set(receives.map((r) => r.inventory_location_id).filter((l): l is string => l !== null))];
    if (locationIds.length > 0) {
      const known = new Set((await trx.selectFrom('inventory_locations').select('id')
        .where('retailer_id', '=', retailerId).where('id', 'in', locationIds).execute()).map((l) => l.id));
      const problems = receives.flatMap((r, i) => (r.inventory_location_id !== null && !known.has(r.inventory_location_id)
        ? [{ field: `body.product_receives[${i}].inventory_location_id`, message: `no inventory location "${r.inventory_location_id}"` }]
        : []));
      if (problems.length > 0) throw new InvalidInputError(problems);
    }
    const lines = await trx.selectFrom('po_lines')
      .select(['id', 'sku', 'quantity', 'received_quantity', 'rejected_quantity', 'fulfilment_status'])
      .where('po_id', '=', id).execute();
    const plan = planReceipt(po.status, lines.map((line) => ({ ...line, cancelled: line.fulfilment_status === 'cancelled' })), receives);
    if (!plan.ok) {
      if (plan.conflict) throw new ConflictError(plan.message);
      throw new InvalidInputError([{ field: plan.field, message: plan.message }]);
    }
    const stamp = now.toISOString();
    const lineIdBySku = new Map(lines.map((line) => [line.sku, line.id]));
    await trx.insertInto('receipts').values(receives.map((r) => ({
      id: newId('rcp'), retailer_id: retailerId, po_id: id, line_id: lineIdBySku.get(r.sku)!,
      inventory_location_id: r.inventory_location_id, received_quantity: r.received_quantity, rejected_quantity: r.rejected_quantity,
      lot: r.lot, expiration_date: r.expiration_date, received_at: stamp,
    }))).execute();
    for (const line of plan.lines) {
      await trx.updateTable('po_lines').set({ received_quantity: line.received_quantity, rejected_quantity: line.rejected_quantity })
        .where('id', '=', line.id).execute();
    }
    if (plan.status !== po.status) await changeLifecycleStatus(trx, retailerId, id, po.status, plan.status, 'api', now);
    else await trx.updateTable('purchase_orders').set({ updated_at: stamp }).where('id', '=', id).execute();
    await refreshPoViews(trx, retailerId, id);
    return plan.status;
  });
}

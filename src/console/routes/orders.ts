// Console pages for POs: search, the filtered list, one PO's page, its lifecycle actions and summary PDFs.
// Every read and write goes through the same store functions as the API (store/po-browse.ts for the console's
// reads, store/purchase-order-lifecycle.ts for status moves and receipts) under the session's retailer.
import type { FastifyPluginAsync } from 'fastify';
import { renderOrderSummary } from '../../documents/order-summary.ts';
import { renderReceivedSummary } from '../../documents/received-summary.ts';
import { dayRange } from '../../domain/dates.ts';
import { InvalidInputError, NotFoundError, type FieldProblem } from '../../domain/errors.ts';
import { LIFECYCLE_STATUSES, type LifecycleStatus } from '../../domain/lifecycle.ts';
import { isPoDocumentAvailable, poDocumentFilename, poDocumentUnavailableMessage, PO_DOCUMENT_KINDS, type PoDocumentKind } from '../../domain/po-documents.ts';
import { summarisePo, type V2RecordView } from '../../domain/po-summary.ts';
import { V2_STATUSES } from '../../domain/statuses.ts';
import { conflict } from '../../http/errors.ts';
import {
  findSupplierChoice, listPoRecords, loadPoPage, searchPurchaseOrders, supplierNameSuggestions, type PoListCursor, type PoListFilters,
} from '../../store/po-browse.ts';
import { loadPoDocumentData } from '../../store/po-documents.ts';
import { changeStatus, receive } from '../../store/purchase-order-lifecycle.ts';
import { checkQuery, PageQuery } from '../params.ts';
import { listScope, placeParameters, readPlace, type ListPlace } from '../places.ts';
import type { ConsoleContext } from '../plugin.ts';
import { poPageView } from '../po-view.ts';
import { renderFragment, renderPage } from '../render.ts';
import { can, requireSession } from '../session.ts';

const PAGE_SIZE = 25;
/** Supplier names offered by the list's supplier field at once (the rest are found by typing: /orders/supplier-options). */
const SUPPLIER_SUGGESTIONS = 50;
/** Longest supplier name or id the list's `supplier` takes. */
const SUPPLIER_MAX = 200;
/** Longest search term: PO numbers and supplier order ids are at most 100 characters; tracking numbers typed with
 * spaces a little more. */
const SEARCH_MAX = 200;

/** The list's orders (`sort`), the first the default. */
const SORTS = ['newest', 'oldest'] as const;
/** What the PO list's query takes. */
const LIST_PARAMETERS = ['status', 'supplier', 'from', 'to', 'sort', 'page', 'after', 'before'];
/** The PO list's name in its places' signatures (console/places.ts). */
const PO_LIST = 'orders';
const placeOf = (cursor: PoListCursor): ListPlace => ({ at: cursor.orderDate, id: cursor.id });

/**
 * The receive form carries a SKU and a quantity for every line still to receive: for a PO of 500 lines (the API's
 * most) with SKUs of 100 characters, percent-encoded, over 100 KB, past the 64 KB of the other console forms. It
 * takes 1 MB, what the API's receives endpoint takes for the same request.
 */
const RECEIVE_FORM_LIMIT = 1024 * 1024;

/** What `?done=` may report on a PO page (the redirects after its actions). */
const DONE = [...LIFECYCLE_STATUSES, 'received'] as const;

const summaries = (records: string[]) => records.map((text) => summarisePo(JSON.parse(text) as V2RecordView));

/** The list's query → store request; a value that cannot be read is a 400 naming its field (params.ts). */
function readListQuery(query: unknown, zone: string, chosen: { id: string; name: string } | undefined, secret: string) {
  const params = new PageQuery(query, LIST_PARAMETERS);
  const filters: PoListFilters = {};
  filters.status = params.oneOf('status', V2_STATUSES, 'a status');
  // By name (the form's field) or by id (the list's own links, which carry the id so a rename keeps them working).
  const given = params.text('supplier', SUPPLIER_MAX);
  if (given !== undefined && chosen === undefined) params.add('supplier', 'is not one of your suppliers (type its name as the suggestions show it)');
  const supplier = given === undefined ? undefined : chosen?.id;
  filters.supplierId = supplier;
  const from = params.date('from');
  const to = params.date('to');
  if (from !== undefined && to !== undefined && to < from) params.add('to', 'must not be before from');
  const sort = params.oneOf('sort', SORTS, 'an order') ?? 'newest';
  const form = { status: filters.status ?? '', supplier: supplier ?? '', from: from ?? '', to: to ?? '', sort: sort === 'newest' ? '' : sort };
  // The page number is a label carried by the pager's links beside the place it stands for, signed with it and
  // the filters (console/places.ts): pages are found by place (store/po-browse.ts), never by counting POs.
  const place = readPlace(params, query, secret, PO_LIST, listScope(form));
  params.done();
  // Calendar days in the retailer's time zone, as by-date reads them (DESIGN 2.2).
  if (from !== undefined) filters.from = dayRange(from, from, zone).from;
  if (to !== undefined) filters.to = dayRange(to, to, zone).to;
  const cursor = (at: ListPlace | undefined): PoListCursor | undefined => (at === undefined ? undefined : { orderDate: at.at, id: at.id });
  return { filters, sort, page: place.page, after: cursor(place.after), before: cursor(place.before), form };
}

const RENDERERS = { order_summary: renderOrderSummary, received_summary: renderReceivedSummary };

export const consoleOrders: FastifyPluginAsync<ConsoleContext> = async (app, { db, secret }) => {
  const read = requireSession('read');
  const write = requireSession('write');

  app.get('/search', { preHandler: read }, async (request, reply) => {
    const params = new PageQuery(request.query, ['q']);
    const q = params.text('q', SEARCH_MAX) ?? '';
    params.done();
    const records = q ? summaries(await searchPurchaseOrders(db, request.consoleSession!.retailerId, q)) : [];
    if (records.length === 1) return reply.redirect(`/console/orders/${encodeURIComponent(records[0].id)}`, 303);
    return renderPage(reply, 'search', { title: q ? `Search: ${q}` : 'Search', q, records });
  });

  app.get('/orders', { preHandler: read }, async (request, reply) => {
    const session = request.consoleSession!;
    const given = (request.query as Record<string, unknown> | null)?.supplier;
    const chosen = typeof given === 'string' && given.trim() !== '' && given.trim().length <= SUPPLIER_MAX
      ? await findSupplierChoice(db, session.retailerId, given.trim()) : undefined;
    const { filters, sort, page, after, before, form } = readListQuery(request.query, session.timezone, chosen, secret);
    const suppliers = await supplierNameSuggestions(db, session.retailerId, '', SUPPLIER_SUGGESTIONS);
    const list = await listPoRecords(db, session.retailerId, { filters, order: sort, after, before, limit: PAGE_SIZE });
    const shown = list.first ? 1 : page;
    // Only the filters that are set, so a link reads as what it shows.
    const link = (place: Record<string, string>) => {
      const query = new URLSearchParams(Object.entries({ ...form, ...place }).filter(([, v]) => v !== ''));
      return `/console/orders${query.size > 0 ? `?${query}` : ''}`;
    };
    const scope = listScope(form);
    const firstRecord = list.records[0];
    const lastRecord = list.records.at(-1);
    return renderPage(reply, 'orders', {
      title: 'Purchase orders', records: summaries(list.records.map((r) => r.view)), suppliers, supplierName: chosen?.name ?? '',
      statuses: V2_STATUSES, form, page: shown,
      prev: shown <= 1 ? null : shown === 2 || !firstRecord ? link({})
        : link(placeParameters(secret, PO_LIST, scope, 'before', placeOf(firstRecord.cursor), shown - 1)),
      next: list.hasNext && lastRecord ? link(placeParameters(secret, PO_LIST, scope, 'after', placeOf(lastRecord.cursor), shown + 1)) : null,
    });
  });

  // The supplier field's suggestions as the person types (htmx swaps them into its datalist): names starting with
  // what is typed, at most SUPPLIER_SUGGESTIONS, however many suppliers there are.
  app.get('/orders/supplier-options', { preHandler: read }, async (request, reply) => {
    const params = new PageQuery(request.query, ['supplier']);
    const prefix = params.text('supplier', SUPPLIER_MAX) ?? '';
    params.done();
    const names = await supplierNameSuggestions(db, request.consoleSession!.retailerId, prefix, SUPPLIER_SUGGESTIONS);
    return renderFragment(reply, 'supplier-options', { names });
  });

  async function poPage(retailerId: string, id: string) {
    const page = await loadPoPage(db, retailerId, id);
    if (!page) throw new NotFoundError(`No purchase order "${id}".`);
    return page;
  }

  app.get<{ Params: { id: string } }>('/orders/:id', { preHandler: read }, async (request, reply) => {
    const session = request.consoleSession!;
    const params = new PageQuery(request.query, ['done']);
    const done = params.oneOf('done', DONE, 'an action of this page') ?? null;
    params.done();
    const po = poPageView(await poPage(session.retailerId, request.params.id), secret, can(session, 'write'));
    return renderPage(reply, 'po', { title: `PO ${po.po_number}`, po, done });
  });

  app.post<{ Params: { id: string }; Body: { status?: string } }>('/orders/:id/status', {
    preHandler: [app.csrfProtection, write],
  }, async (request, reply) => {
    const to = request.body?.status;
    if (!(LIFECYCLE_STATUSES as readonly string[]).includes(to ?? '')) {
      throw new InvalidInputError([{ field: 'status', message: 'is not a lifecycle status' }]);
    }
    // The store checks legality again inside its transaction (domain/lifecycle.ts): a stale page gets a 409 page.
    await changeStatus(db, request.consoleSession!.retailerId, request.params.id, to as LifecycleStatus);
    return reply.redirect(`/console/orders/${encodeURIComponent(request.params.id)}?done=${encodeURIComponent(to!)}`, 303);
  });

  app.post<{ Params: { id: string }; Body: Record<string, string | string[]> }>('/orders/:id/receive', {
    preHandler: [app.csrfProtection, write], bodyLimit: RECEIVE_FORM_LIMIT,
  }, async (request, reply) => {
    const body = request.body ?? {};
    const list = (name: string) => { const v = body[name]; return v === undefined ? [] : Array.isArray(v) ? v : [v]; };
    const skus = list('sku');
    const quantities = list('received_quantity');
    const problems: FieldProblem[] = [];
    const receives = skus.flatMap((sku, i) => {
      const text = (quantities[i] ?? '').trim() || '0';
      if (!/^[0-9]{1,6}$/.test(text)) {
        problems.push({ field: `received_quantity[${i}]`, message: `"${text}" is not a whole number` });
        return [];
      }
      const quantity = Number(text);
      return quantity > 0
        ? [{ sku, received_quantity: quantity, rejected_quantity: 0, inventory_location_id: null, lot: null, expiration_date: null }]
        : [];
    });
    if (problems.length === 0 && receives.length === 0) problems.push({ field: 'received_quantity', message: 'enter at least one quantity above 0' });
    if (problems.length > 0) throw new InvalidInputError(problems);
    await receive(db, request.consoleSession!.retailerId, request.params.id, receives);
    return reply.redirect(`/console/orders/${encodeURIComponent(request.params.id)}?done=received`, 303);
  });

  // The API serves these to keys with the write scope; so does the console.
  app.get<{ Params: { id: string; kind: string } }>('/orders/:id/documents/:kind', { preHandler: write }, async (request, reply) => {
    checkQuery(request.query);
    const kind = request.params.kind as PoDocumentKind;
    if (!(PO_DOCUMENT_KINDS as readonly string[]).includes(kind)) throw new NotFoundError(`No document "${kind}".`);
    const data = await loadPoDocumentData(db, request.consoleSession!.retailerId, request.params.id);
    if (!data) throw new NotFoundError(`No purchase order "${request.params.id}".`);
    if (!isPoDocumentAvailable(kind, data.po.status)) throw conflict(poDocumentUnavailableMessage(kind, data.po.status));
    const pdf = await RENDERERS[kind](data);
    return reply.type('application/pdf')
      .header('Content-Disposition', `inline; filename="${poDocumentFilename(kind, data.po.po_number)}"`)
      .send(pdf);
  });
};

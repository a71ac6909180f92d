// Console pages for POs: search, the filtered list, one PO's page, its lifecycle actions and summary PDFs.
// Every read and write goes through the same store functions as the API (store/po-browse.ts for the console's
// reads, store/purchase-order-lifecycle.ts for status moves and receipts) under the session's retailer.
import type { FastifyPluginAsync } from 'fastify';
import { renderOrderSummary } from '../../documents/order-summary.ts';
import { renderReceivedSummary } from '../../documents/received-summary.ts';
import { dayRange, isCalendarDate } from '../../domain/dates.ts';
import { InvalidInputError, NotFoundError, type FieldProblem } from '../../domain/errors.ts';
import { LIFECYCLE_STATUSES, type LifecycleStatus } from '../../domain/lifecycle.ts';
import { isPoDocumentAvailable, poDocumentFilename, poDocumentUnavailableMessage, PO_DOCUMENT_KINDS, type PoDocumentKind } from '../../domain/po-documents.ts';
import { summarisePo, type V2RecordView } from '../../domain/po-summary.ts';
import { V2_STATUSES } from '../../domain/statuses.ts';
import { conflict } from '../../http/errors.ts';
import { listPoRecords, loadPoPage, searchPurchaseOrders, supplierChoices, type PoListFilters } from '../../store/po-browse.ts';
import { loadPoDocumentData } from '../../store/po-documents.ts';
import { changeStatus, receive } from '../../store/purchase-order-lifecycle.ts';
import type { ConsoleContext } from '../plugin.ts';
import { poPageView } from '../po-view.ts';
import { renderPage } from '../render.ts';
import { can, requireSession } from '../session.ts';

const PAGE_SIZE = 25;

interface ListQuery {
  status?: string;
  supplier?: string;
  from?: string;
  to?: string;
  page?: string;
}

const summaries = (records: string[]) => records.map((text) => summarisePo(JSON.parse(text) as V2RecordView));

/** The list's query → store filters; a value that cannot be read is a 400 naming its field. */
function readListQuery(query: ListQuery, zone: string, supplierIds: Set<string>) {
  const problems: FieldProblem[] = [];
  const filters: PoListFilters = {};
  // A field sent twice (`?status=a&status=b`, a hand-edited or stale link) arrives as an array: said, not guessed.
  const value = (field: keyof ListQuery) => {
    const v: unknown = query[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      problems.push({ field, message: 'was given more than once: give one value' });
      return undefined;
    }
    return v.trim() === '' ? undefined : v.trim();
  };
  const status = value('status');
  if (status !== undefined) {
    if ((V2_STATUSES as readonly string[]).includes(status)) filters.status = status;
    else problems.push({ field: 'status', message: `"${status}" is not a status` });
  }
  const supplier = value('supplier');
  if (supplier !== undefined) {
    if (supplierIds.has(supplier)) filters.supplierId = supplier;
    else problems.push({ field: 'supplier', message: 'is not one of your suppliers' });
  }
  const from = value('from');
  const to = value('to');
  if (from !== undefined && !isCalendarDate(from)) problems.push({ field: 'from', message: `"${from}" is not a date (YYYY-MM-DD)` });
  if (to !== undefined && !isCalendarDate(to)) problems.push({ field: 'to', message: `"${to}" is not a date (YYYY-MM-DD)` });
  if (from !== undefined && to !== undefined && to < from) problems.push({ field: 'to', message: 'must not be before from' });
  const pageText = value('page') ?? '1';
  const page = /^[1-9][0-9]{0,5}$/.test(pageText) ? Number(pageText) : 0;
  if (page === 0 && !problems.some((p) => p.field === 'page')) problems.push({ field: 'page', message: 'must be a whole number from 1' });
  if (problems.length > 0) throw new InvalidInputError(problems);
  // Calendar days in the retailer's time zone, as by-date reads them (DESIGN 2.2).
  if (from !== undefined) filters.from = dayRange(from, from, zone).from;
  if (to !== undefined) filters.to = dayRange(to, to, zone).to;
  return { filters, page, form: { status: status ?? '', supplier: supplier ?? '', from: from ?? '', to: to ?? '' } };
}

const RENDERERS = { order_summary: renderOrderSummary, received_summary: renderReceivedSummary };

export const consoleOrders: FastifyPluginAsync<ConsoleContext> = async (app, { db, secret }) => {
  const read = requireSession('read');
  const write = requireSession('write');

  app.get<{ Querystring: { q?: string } }>('/search', { preHandler: read }, async (request, reply) => {
    const q = typeof request.query.q === 'string' ? request.query.q.trim() : '';
    const records = q ? summaries(await searchPurchaseOrders(db, request.consoleSession!.retailerId, q)) : [];
    if (records.length === 1) return reply.redirect(`/console/orders/${encodeURIComponent(records[0].id)}`, 303);
    return renderPage(reply, 'search', { title: q ? `Search: ${q}` : 'Search', q, records });
  });

  app.get<{ Querystring: ListQuery }>('/orders', { preHandler: read }, async (request, reply) => {
    const session = request.consoleSession!;
    const suppliers = await supplierChoices(db, session.retailerId);
    const { filters, page, form } = readListQuery(request.query, session.timezone, new Set(suppliers.map((s) => s.id)));
    const { records, hasMore } = await listPoRecords(db, session.retailerId, filters, page, PAGE_SIZE);
    const link = (p: number) => `/console/orders?${new URLSearchParams({ ...form, page: String(p) })}`;
    return renderPage(reply, 'orders', {
      title: 'Purchase orders', records: summaries(records), suppliers, statuses: V2_STATUSES, form, page,
      prev: page > 1 ? link(page - 1) : null, next: hasMore ? link(page + 1) : null,
    });
  });

  async function poPage(retailerId: string, id: string) {
    const page = await loadPoPage(db, retailerId, id);
    if (!page) throw new NotFoundError(`No purchase order "${id}".`);
    return page;
  }

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/orders/:id', { preHandler: read }, async (request, reply) => {
    const session = request.consoleSession!;
    const po = poPageView(await poPage(session.retailerId, request.params.id), secret, can(session, 'write'));
    const done = typeof request.query.done === 'string' ? request.query.done.slice(0, 40) : null;
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
    preHandler: [app.csrfProtection, write],
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

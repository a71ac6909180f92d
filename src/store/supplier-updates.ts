// Supplier updates: matching each update to its PO, holding the unmatched, and writing what the rules in
// domain/supplier-updates.ts decide. A batch is one transaction; every PO it touches has its read renderings
// refreshed before the transaction ends, so the read API shows the update at once.
import { PostgresAdapter } from 'kysely';
import { newId } from '../domain/ids.ts';
import type { FulfilmentStatus } from '../domain/statuses.ts';
import {
  diffSnapshots, parseSupplierUpdate, planUpdate, type Change, type FieldProblem, type ParsedUpdate, type PlanContext,
  type PoSnapshot,
} from '../domain/supplier-updates.ts';
import type { Db } from '../db/database.ts';
import { saveDocument } from './documents.ts';
import { countHeldSupplierUpdates, DEFAULT_HELD_UPDATE_LIMIT, heldLimitReason } from './held-supplier-updates.ts';
import { recordEvent } from './events.ts';
import { loadPoAggregate, refreshPoViews, supplierNamesOf, type PoAggregate } from './purchase-orders.ts';
import { changeLineStatuses } from './status-events.ts';

export const SUPPLIER_UPDATE_SOURCE = 'supplier_update';

export type UpdateResultKind = 'applied' | 'unchanged' | 'unmatched' | 'rejected';

export interface UpdateResult {
  index: number;
  result: UpdateResultKind;
  reason: string | null;
}

/** Runs `work` in the caller's transaction when given one, else in a new one. */
async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute((trx) => work(trx));
}

function toSnapshot(aggregate: PoAggregate, documentSha: ReadonlyMap<string, string>): PoSnapshot {
  const { po } = aggregate;
  return {
    po_id: po.id,
    po_number: po.po_number,
    currency: po.currency,
    supplier_id: po.supplier_id,
    lines: [...aggregate.lines].sort((a, b) => a.line_no - b.line_no).map((line) => ({
      id: line.id, sku: line.sku, quantity: line.quantity, status: line.fulfilment_status as FulfilmentStatus,
      supplier_id: line.supplier_id ?? po.supplier_id, estimated_delivery_date: line.estimated_delivery_date,
    })),
    supplierOrders: [...aggregate.supplierOrders].sort((a, b) => (a.order.created_at + a.order.id < b.order.created_at + b.order.id ? -1 : 1))
      .map(({ order, lines }) => ({
        id: order.id, supplier_order_id: order.supplier_order_id, supplier_id: order.supplier_id, status: order.status,
        lines: lines.map((c) => ({ ...c })),
      })),
    shipments: [...aggregate.shipments].sort((a, b) => (a.shipment.created_at + a.shipment.id < b.shipment.created_at + b.shipment.id ? -1 : 1))
      .map(({ shipment, lines, checkpoints }) => ({
        id: shipment.id, supplier_order_pk: shipment.supplier_order_pk, tracking_number: shipment.tracking_number,
        carrier: shipment.carrier, carrier_source: shipment.carrier_source, tracking_url: shipment.tracking_url,
        status: shipment.status, shipped_at: shipment.shipped_at, estimated_delivery_date: shipment.estimated_delivery_date,
        delivered_at: shipment.delivered_at, lines: lines.map((c) => ({ ...c })),
        checkpoints: checkpoints.map((c) => ({ id: c.id, status: c.status, message: c.message, location: c.location, occurred_at: c.occurred_at })),
      })),
    invoices: aggregate.invoices.map((invoice) => ({
      id: invoice.id, invoice_number: invoice.invoice_number, supplier_id: invoice.supplier_id,
      supplier_order_id: invoice.supplier_order_id, invoice_date: invoice.invoice_date, due_date: invoice.due_date,
      payment_terms: invoice.payment_terms, subtotal_cents: Number(invoice.subtotal_cents), tax_cents: Number(invoice.tax_cents),
      shipping_cents: Number(invoice.shipping_cents), total_cents: Number(invoice.total_cents), currency: invoice.currency,
      status: invoice.status, document_id: invoice.document_id,
      document_sha256: invoice.document_id ? documentSha.get(invoice.document_id) ?? null : null,
    })),
  };
}

/** Safe in a file name: the invoice number with anything unusual replaced. */
function invoiceFilename(invoiceNumber: string): string {
  return `invoice-${invoiceNumber.replace(/[^A-Za-z0-9._-]+/g, '_')}.pdf`;
}

/**
 * One batch's work inside one transaction: POs looked up (and on PostgreSQL locked) once, their state kept in
 * memory between updates, and their renderings refreshed at the end.
 */
class IngestSession {
  private readonly poIds = new Map<string, string | null>();
  private readonly snapshots = new Map<string, PoSnapshot>();
  private readonly touched = new Set<string>();
  private supplierNames: Map<string, string> | undefined;
  private readonly now = new Date();
  private readonly nowText = this.now.toISOString();
  private readonly lockRows: boolean;
  /** Fingerprints applied before or during this batch, and those held (unmatched) before it. */
  private readonly applied = new Set<string>();
  private readonly held = new Set<string>();
  private readonly newlyApplied: { retailer_id: string; fingerprint: string; po_id: string; applied_at: string }[] = [];
  /** Unexpired held updates of the retailer, counted once per batch (then kept up to date by hold()). */
  private heldCount: number | undefined;

  constructor(private readonly trx: Db, private readonly retailerId: string, private readonly source: string,
    private readonly heldLimit = DEFAULT_HELD_UPDATE_LIMIT) {
    this.lockRows = trx.getExecutor().adapter instanceof PostgresAdapter;
  }

  /**
   * Looks up (and on PostgreSQL locks) the batch's POs in one statement, in PO-number order: concurrent batches
   * for the same POs take turns instead of interleaving, and cannot deadlock on each other.
   */
  async lockPurchaseOrders(poNumbers: readonly string[]): Promise<void> {
    const wanted = [...new Set(poNumbers)].filter((n) => !this.poIds.has(n)).sort();
    for (let i = 0; i < wanted.length; i += 500) {
      const chunk = wanted.slice(i, i + 500);
      let query = this.trx.selectFrom('purchase_orders').select(['id', 'po_number'])
        .where('retailer_id', '=', this.retailerId).where('po_number', 'in', chunk).orderBy('po_number');
      if (this.lockRows) query = query.forUpdate();
      const rows = await query.execute();
      for (const n of chunk) this.poIds.set(n, null);
      for (const row of rows) this.poIds.set(row.po_number, row.id);
    }
  }

  private async poIdOf(poNumber: string): Promise<string | null> {
    if (this.poIds.has(poNumber)) return this.poIds.get(poNumber)!;
    let query = this.trx.selectFrom('purchase_orders').select('id')
      .where('retailer_id', '=', this.retailerId).where('po_number', '=', poNumber);
    // Concurrent writers of one PO take turns (SQLite runs one writer at a time anyway).
    if (this.lockRows) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    this.poIds.set(poNumber, row?.id ?? null);
    return row?.id ?? null;
  }

  private async snapshotOf(poId: string): Promise<PoSnapshot> {
    const cached = this.snapshots.get(poId);
    if (cached) return cached;
    const aggregate = await loadPoAggregate(this.trx, this.retailerId, poId);
    if (!aggregate) throw new Error(`purchase order ${poId} vanished during the transaction`);
    const documentIds = aggregate.invoices.map((i) => i.document_id).filter((id): id is string => id !== null);
    const documents = documentIds.length === 0 ? [] : await this.trx.selectFrom('documents').select(['id', 'sha256'])
      .where('id', 'in', documentIds).execute();
    const snapshot = toSnapshot(aggregate, new Map(documents.map((d) => [d.id, d.sha256])));
    this.snapshots.set(poId, snapshot);
    return snapshot;
  }

  private async context(): Promise<PlanContext> {
    this.supplierNames ??= await supplierNamesOf(this.trx, this.retailerId);
    return { supplierNames: this.supplierNames, newId: (prefix) => newId(prefix) };
  }

  /** Which of the batch's fingerprints are already applied, or held: two look-ups for the whole batch. */
  async prefetchFingerprints(fingerprints: readonly string[]): Promise<void> {
    const wanted = [...new Set(fingerprints)];
    for (let i = 0; i < wanted.length; i += 500) {
      const chunk = wanted.slice(i, i + 500);
      const applied = await this.trx.selectFrom('applied_supplier_updates').select('fingerprint')
        .where('retailer_id', '=', this.retailerId).where('fingerprint', 'in', chunk).execute();
      for (const row of applied) this.applied.add(row.fingerprint);
      const held = await this.trx.selectFrom('held_supplier_updates').select('fingerprint')
        .where('retailer_id', '=', this.retailerId).where('fingerprint', 'in', chunk).where('expired_at', 'is', null).execute();
      for (const row of held) this.held.add(row.fingerprint);
    }
  }

  private recordApplied(fingerprint: string, poId: string): void {
    this.applied.add(fingerprint);
    this.newlyApplied.push({ retailer_id: this.retailerId, fingerprint, po_id: poId, applied_at: this.nowText });
  }

  /**
   * Holds an update for a PO number not seen yet, unless the retailer already holds HELD_UPDATE_LIMIT of them:
   * then the update is refused with the reason (a flood from a misconfigured feed must not grow the database
   * without bound, and nothing held is ever dropped to make room). Returns the refusal, or null once held.
   * An expired copy of the same update, sent again, is held again from now.
   */
  private async hold(parsed: ParsedUpdate): Promise<string | null> {
    this.heldCount ??= await countHeldSupplierUpdates(this.trx, this.retailerId);
    if (this.heldCount >= this.heldLimit) return heldLimitReason(this.heldLimit);
    await this.trx.insertInto('held_supplier_updates').values({
      id: newId('hld'), retailer_id: this.retailerId, po_number: parsed.update.po_number, fingerprint: parsed.fingerprint,
      payload: parsed.canonical, received_at: this.nowText, expired_at: null,
    }).onConflict((oc) => oc.columns(['retailer_id', 'fingerprint'])
      .doUpdateSet({ received_at: this.nowText, expired_at: null }).where('held_supplier_updates.expired_at', 'is not', null)).execute();
    this.heldCount++;
    return null;
  }

  /** One update: matched, planned and written, or held, or rejected. */
  async ingest(parsed: ParsedUpdate, holdUnmatched = true): Promise<Omit<UpdateResult, 'index'>> {
    const poId = await this.poIdOf(parsed.update.po_number);
    if (this.applied.has(parsed.fingerprint)) return { result: 'unchanged', reason: null };
    if (poId === null) {
      if (holdUnmatched && !this.held.has(parsed.fingerprint)) {
        const refused = await this.hold(parsed);
        if (refused) return { result: 'rejected', reason: refused };
        await recordEvent(this.trx, this.retailerId, 'supplier_update.unmatched',
          { po_number: parsed.update.po_number, update: JSON.parse(parsed.canonical) }, this.now);
      }
      this.held.add(parsed.fingerprint);
      return {
        result: 'unmatched',
        reason: `No purchase order ${parsed.update.po_number} yet; the update is held and applied when it appears.`,
      };
    }
    const before = await this.snapshotOf(poId);
    const plan = planUpdate(before, parsed.update, await this.context());
    if (!plan.ok) return { result: 'rejected', reason: plan.reason };
    const changes = diffSnapshots(before, plan.next);
    if (changes.length > 0) {
      await this.write(poId, changes, parsed);
      // A saved document's id is only known now: reload that state rather than keep the planned one.
      if (changes.some((c) => c.kind === 'invoice_document')) this.snapshots.delete(poId);
      else this.snapshots.set(poId, plan.next);
      this.touched.add(poId);
    }
    this.recordApplied(parsed.fingerprint, poId);
    return { result: changes.length > 0 ? 'applied' : 'unchanged', reason: null };
  }

  private async write(poId: string, changes: Change[], parsed: ParsedUpdate): Promise<void> {
    const { trx, retailerId, nowText: now } = this;
    const statusChanges = changes.flatMap((c) => (c.kind === 'line_status' ? [{ lineId: c.line_id, from: c.from, to: c.to }] : []));
    // Rows inserted by this update already carry updated_at = now.
    const inserted = new Set(changes.flatMap((c) =>
      c.kind === 'supplier_order_insert' ? [c.order.id] : c.kind === 'shipment_insert' ? [c.shipment.id] : []));
    for (const change of changes) {
      switch (change.kind) {
        case 'line_status':
          break; // below, with their status events
        case 'line_estimated_delivery':
          await trx.updateTable('po_lines').set({ estimated_delivery_date: change.estimated_delivery_date })
            .where('id', '=', change.line_id).execute();
          break;
        case 'supplier_order_insert':
          await trx.insertInto('supplier_orders').values({
            ...change.order, retailer_id: retailerId, po_id: poId, created_at: now, updated_at: now,
          }).execute();
          break;
        case 'supplier_order_status':
          await trx.updateTable('supplier_orders').set({ status: change.status, updated_at: now }).where('id', '=', change.id).execute();
          break;
        case 'supplier_order_line':
          if (change.insert) {
            await trx.insertInto('supplier_order_lines')
              .values({ supplier_order_pk: change.supplier_order_pk, line_id: change.line_id, quantity: change.quantity }).execute();
          } else {
            await trx.updateTable('supplier_order_lines').set({ quantity: change.quantity })
              .where('supplier_order_pk', '=', change.supplier_order_pk).where('line_id', '=', change.line_id).execute();
          }
          if (!inserted.has(change.supplier_order_pk)) {
            await trx.updateTable('supplier_orders').set({ updated_at: now }).where('id', '=', change.supplier_order_pk).execute();
          }
          break;
        case 'shipment_insert':
          await trx.insertInto('shipments').values({
            ...change.shipment, retailer_id: retailerId, po_id: poId, created_at: now, updated_at: now,
          }).execute();
          break;
        case 'shipment_update':
          await trx.updateTable('shipments').set({ ...change.fields, updated_at: now }).where('id', '=', change.id).execute();
          break;
        case 'shipment_line':
          if (change.insert) {
            await trx.insertInto('shipment_lines')
              .values({ shipment_id: change.shipment_id, line_id: change.line_id, quantity: change.quantity }).execute();
          } else {
            await trx.updateTable('shipment_lines').set({ quantity: change.quantity })
              .where('shipment_id', '=', change.shipment_id).where('line_id', '=', change.line_id).execute();
          }
          if (!inserted.has(change.shipment_id)) {
            await trx.updateTable('shipments').set({ updated_at: now }).where('id', '=', change.shipment_id).execute();
          }
          break;
        case 'checkpoint_insert':
          await trx.insertInto('checkpoints').values({ ...change.checkpoint, retailer_id: retailerId, shipment_id: change.shipment_id })
            .execute();
          await trx.updateTable('shipments').set({ updated_at: now }).where('id', '=', change.shipment_id).execute();
          break;
        case 'invoice_insert':
          await trx.insertInto('invoices').values({
            ...change.invoice, retailer_id: retailerId, po_id: poId, document_id: null, created_at: now, updated_at: now,
          }).execute();
          break;
        case 'invoice_update':
          await trx.updateTable('invoices').set({ ...change.fields, updated_at: now }).where('id', '=', change.id).execute();
          break;
        case 'invoice_document': {
          const update = parsed.update;
          if (update.type !== 'invoice' || !update.document) throw new Error('an invoice document change without a document');
          const documentId = await saveDocument(trx, retailerId, {
            content_type: 'application/pdf', filename: invoiceFilename(update.invoice_number), bytes: update.document.bytes,
          });
          await trx.updateTable('invoices').set({ document_id: documentId, updated_at: now }).where('id', '=', change.invoice_id).execute();
          break;
        }
      }
    }
    await changeLineStatuses(trx, retailerId, poId, statusChanges, this.source, this.now);
  }

  /** PO numbers this session changed. */
  touchedPoNumbers(): string[] {
    return [...this.poIds].filter(([, id]) => id !== null && this.touched.has(id)).map(([number]) => number);
  }

  /**
   * Records the fingerprints applied (a held copy of one is done with too), and keeps purchase_orders.updated_at
   * and the stored renderings of every PO the batch changed current.
   */
  async finish(): Promise<void> {
    for (let i = 0; i < this.newlyApplied.length; i += 500) {
      await this.trx.insertInto('applied_supplier_updates').values(this.newlyApplied.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['retailer_id', 'fingerprint']).doNothing()).execute();
    }
    const doneHeld = this.newlyApplied.map((row) => row.fingerprint).filter((f) => this.held.has(f));
    for (let i = 0; i < doneHeld.length; i += 500) {
      await this.trx.deleteFrom('held_supplier_updates')
        .where('retailer_id', '=', this.retailerId).where('fingerprint', 'in', doneHeld.slice(i, i + 500)).execute();
    }
    for (const poId of this.touched) {
      await this.trx.updateTable('purchase_orders').set({ updated_at: this.nowText }).where('id', '=', poId).execute();
      await refreshPoViews(this.trx, this.retailerId, poId);
    }
  }
}

/**
 * Applies a validated batch for one retailer in one transaction (the caller's, when `db` is one); results in
 * request order. Each update is idempotent by its fingerprint; updates for PO numbers the retailer does not have
 * are held, up to `options.heldLimit` unexpired held updates per retailer (HELD_UPDATE_LIMIT; over it: `rejected`
 * with the reason). `source` is what the status events record as their cause (a supplier document names itself).
 */
export async function ingestSupplierUpdates(
  db: Db, retailerId: string, updates: readonly ParsedUpdate[], source = SUPPLIER_UPDATE_SOURCE,
  options: { heldLimit?: number } = {},
): Promise<UpdateResult[]> {
  return inTransaction(db, async (trx) => {
    const session = new IngestSession(trx, retailerId, source, options.heldLimit);
    await session.lockPurchaseOrders(updates.map((u) => u.update.po_number));
    await session.prefetchFingerprints(updates.map((u) => u.fingerprint));
    const results: UpdateResult[] = [];
    for (const [index, parsed] of updates.entries()) results.push({ index, ...(await session.ingest(parsed)) });
    await session.finish();
    // What this batch brought (a shipment, a supplier order) may be what an update held earlier was waiting for.
    const touched = session.touchedPoNumbers();
    for (let i = 0; i < touched.length; i += 500) {
      const waiting = await trx.selectFrom('held_supplier_updates').select('po_number').distinct()
        .where('retailer_id', '=', retailerId).where('po_number', 'in', touched.slice(i, i + 500)).execute();
      for (const { po_number: poNumber } of waiting) await applyHeldSupplierUpdates(trx, retailerId, poNumber);
    }
    return results;
  });
}

/** Replay order: what an update depends on first (DESIGN 3: order → shipment → tracking_event / invoice). */
const DEPENDENCY_RANK: Record<string, number> = { order: 0, shipment: 1, tracking_event: 2, invoice: 2 };

/**
 * Applies the updates held for `poNumber` (oldest first) now that the retailer has a PO with that number, and
 * deletes those that applied (or turned out to change nothing). Updates the PO still cannot take (a sku it
 * does not have) stay held, and are tried again the next time this runs for the PO. Call it inside the
 * transaction that creates or syncs the PO: it then uses that transaction and opens none of its own.
 * Returns how many held updates changed the PO.
 */
export async function applyHeldSupplierUpdates(db: Db, retailerId: string, poNumber: string, source = SUPPLIER_UPDATE_SOURCE):
  Promise<number> {
  return inTransaction(db, async (trx) => {
    const rows = await trx.selectFrom('held_supplier_updates').selectAll()
      .where('retailer_id', '=', retailerId).where('po_number', '=', poNumber).where('expired_at', 'is', null)
      .orderBy('received_at').orderBy('id').execute();
    if (rows.length === 0) return 0;
    const held = rows.map((row) => {
      const problems: FieldProblem[] = [];
      // Validated when received; kept (not dropped) if the rules have since become stricter.
      const parsed = parseSupplierUpdate(JSON.parse(row.payload), 'held', problems);
      return { row, parsed: parsed ? { ...parsed, fingerprint: row.fingerprint } : undefined };
    }).filter((h) => h.parsed !== undefined)
      .sort((a, b) => DEPENDENCY_RANK[a.parsed!.update.type] - DEPENDENCY_RANK[b.parsed!.update.type]);
    const session = new IngestSession(trx, retailerId, source);
    await session.prefetchFingerprints(held.map((h) => h.row.fingerprint));
    let applied = 0;
    // Until a pass applies nothing: an update that failed for want of another one held behind it gets its turn.
    for (let pending = held, progress = true; pending.length > 0 && progress;) {
      progress = false;
      const left: typeof held = [];
      for (const item of pending) {
        const { result } = await session.ingest(item.parsed!, false);
        if (result === 'unmatched') return applied; // no such PO (yet): nothing to do
        if (result === 'applied' || result === 'unchanged') {
          if (result === 'applied') applied++;
          progress = true;
          await trx.deleteFrom('held_supplier_updates').where('id', '=', item.row.id).execute();
        } else {
          left.push(item);
        }
      }
      pending = left;
    }
    await session.finish();
    return applied;
  });
}

// One batch of supplier updates inside one transaction (store/supplier-updates.ts runs it for a request or a
// document batch, store/held-update-replay.ts for the updates held for a PO that just appeared): POs looked up and
// loaded once, each update planned in memory by the rules in domain/supplier-updates.ts, the net change written once.
import { PostgresAdapter } from 'kysely';
import { newId } from '../domain/ids.ts';
import type { FulfilmentStatus } from '../domain/statuses.ts';
import {
  diffSnapshots, planUpdate, type Change, type ParsedUpdate, type PlanContext, type PoSnapshot,
} from '../domain/supplier-updates.ts';
import type { Db } from '../db/database.ts';
import { countHeldSupplierUpdates, DEFAULT_HELD_UPDATE_LIMIT, heldLimitReason } from './held-supplier-updates.ts';
import { recordEvent } from './events.ts';
import { loadPoAggregates, refreshViewsOf, supplierNamesOf, type PoAggregate } from './purchase-orders.ts';
import { insertRows } from './bulk-insert.ts';
import {
  applyNetRows, invoiceFilename, netRowsOf, writeNetRows, type PendingDocument, type StatusEventRow,
} from './supplier-update-writes.ts';
import type { UpdateResult } from './supplier-updates.ts';

/**
 * The X12 transaction set an update came from (DESIGN 3: a set is applied whole or not at all), kept by the
 * update when it is held, so the set's held updates are replayed together (store/held-update-replay.ts).
 */
export interface HeldSetTag {
  /** `<document id>#<set ordinal in the file>`. */
  set: string;
  /** The set as its results name it: `ST 0001 (856)`. */
  source: string;
  /** The update field → X12 element map of the entry (ingest/types.ts X12Place), to name the element at fault. */
  origin: Readonly<Record<string, unknown>> | null;
}

/** What status events record as the cause of a supplier update sent through the API. */
export const SUPPLIER_UPDATE_SOURCE = 'supplier_update';

/** Runs `work` in the caller's transaction when given one, else in a new one. */
export async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
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
      id: line.id, sku: line.sku, supplier_sku: line.supplier_sku, quantity: line.quantity, status: line.fulfilment_status as FulfilmentStatus,
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

/**
 * One batch's work inside one transaction: POs looked up (and on PostgreSQL locked) and loaded once, each update
 * planned against their state in memory (pure domain code), and at the end each PO's net change written and its
 * renderings refreshed once (store/supplier-update-writes.ts), with a status event for every move an update made.
 */
export class IngestSession {
  private readonly poIds = new Map<string, string | null>();
  /** leadingZerosHint per unmatched PO number of digits. */
  private readonly zeroPadded = new Map<string, string>();
  /** Each loaded PO's state at the start of the batch, and after the updates planned so far. */
  private readonly initial = new Map<string, PoSnapshot>();
  private readonly snapshots = new Map<string, PoSnapshot>();
  /** Each loaded PO as stored at the start of the batch; finish() applies the batch's writes to it and renders it. */
  private readonly aggregates = new Map<string, PoAggregate>();
  private readonly touched = new Set<string>();
  /** Per touched PO: the changes of its only update so far, or null once a second update changed it. */
  private readonly onlyChanges = new Map<string, Change[] | null>();
  private readonly statusEvents: StatusEventRow[] = [];
  private readonly documents = new Map<string, PendingDocument>();
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

  /**
   * For an unmatched PO number of digits (`4521`), when the retailer has the same number with leading zeros
   * (`0004521`): a spreadsheet read the PO number as a number and dropped them, the commonest way a CSV row misses
   * its PO. The update is still held (the PO `4521` may yet appear), but the reason names the likely PO and the fix;
   * nothing is matched by guess. One indexed look-up per such number (cached), none for other PO numbers.
   */
  private async leadingZerosHint(poNumber: string): Promise<string> {
    if (!/^[1-9]\d{0,19}$/.test(poNumber)) return '';
    if (this.zeroPadded.has(poNumber)) return this.zeroPadded.get(poNumber)!;
    const padded = Array.from({ length: 8 }, (_, i) => `${'0'.repeat(i + 1)}${poNumber}`);
    const row = await this.trx.selectFrom('purchase_orders').select('po_number')
      .where('retailer_id', '=', this.retailerId).where('po_number', 'in', padded).orderBy('po_number', 'desc').executeTakeFirst();
    const hint = row ? ` Purchase order ${row.po_number} exists: if that is the one, a spreadsheet dropped the PO number's ` +
      'leading zeros; send it as written (as text, or as ="' + row.po_number + '" in a CSV).' : '';
    this.zeroPadded.set(poNumber, hint);
    return hint;
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

  /** Loads the state of the batch's matched POs not loaded yet: a few statements for all of them. */
  async loadSnapshots(poIds: readonly string[]): Promise<void> {
    const wanted = [...new Set(poIds)].filter((id) => !this.snapshots.has(id));
    if (wanted.length === 0) return;
    const aggregates = await loadPoAggregates(this.trx, this.retailerId, wanted);
    const documentIds = [...aggregates.values()].flatMap((a) => a.invoices.map((i) => i.document_id))
      .filter((id): id is string => id !== null);
    const documentSha = new Map<string, string>();
    for (let i = 0; i < documentIds.length; i += 500) {
      const rows = await this.trx.selectFrom('documents').select(['id', 'sha256']).where('id', 'in', documentIds.slice(i, i + 500)).execute();
      for (const row of rows) documentSha.set(row.id, row.sha256);
    }
    for (const [poId, aggregate] of aggregates) {
      this.aggregates.set(poId, aggregate);
      const snapshot = toSnapshot(aggregate, documentSha);
      this.initial.set(poId, snapshot);
      this.snapshots.set(poId, snapshot);
    }
  }

  private async snapshotOf(poId: string): Promise<PoSnapshot> {
    if (!this.snapshots.has(poId)) await this.loadSnapshots([poId]);
    const snapshot = this.snapshots.get(poId);
    if (!snapshot) throw new Error(`purchase order ${poId} vanished during the transaction`);
    return snapshot;
  }

  /** The matched POs of these PO numbers (after lockPurchaseOrders). */
  matchedPoIds(poNumbers: readonly string[]): string[] {
    return poNumbers.map((n) => this.poIds.get(n)).filter((id): id is string => typeof id === 'string');
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
        .where('retailer_id', '=', this.retailerId).where('fingerprint', 'in', chunk).where('expired_at', 'is', null)
        .where('rejected_at', 'is', null).execute();
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
  private async hold(parsed: ParsedUpdate, tag: HeldSetTag | null): Promise<string | null> {
    this.heldCount ??= await countHeldSupplierUpdates(this.trx, this.retailerId);
    if (this.heldCount >= this.heldLimit) return heldLimitReason(this.heldLimit);
    const set = { document_set: tag?.set ?? null, set_entry: tag ? JSON.stringify({ source: tag.source, origin: tag.origin }) : null };
    await this.trx.insertInto('held_supplier_updates').values({
      id: newId('hld'), retailer_id: this.retailerId, po_number: parsed.update.po_number, fingerprint: parsed.fingerprint,
      payload: parsed.canonical, received_at: this.nowText, expired_at: null, source: this.source, ...set, rejected_at: null, reason: null,
    }).onConflict((oc) => oc.columns(['retailer_id', 'fingerprint'])
      .doUpdateSet({ received_at: this.nowText, expired_at: null, source: this.source, ...set, rejected_at: null, reason: null })
      .where((eb) => eb.or([eb('held_supplier_updates.expired_at', 'is not', null), eb('held_supplier_updates.rejected_at', 'is not', null)])))
      .execute();
    this.heldCount++;
    return null;
  }

  /**
   * One update: matched and planned (written by finish()), or held, or rejected. `source`: what its status events
   * record as their cause (default: the session's); `tag`: the X12 set it came from, kept when it is held.
   */
  async ingest(parsed: ParsedUpdate, holdUnmatched = true, source = this.source, tag: HeldSetTag | null = null):
    Promise<Omit<UpdateResult, 'index'>> {
    const poId = await this.poIdOf(parsed.update.po_number);
    if (poId === null) {
      if (this.applied.has(parsed.fingerprint)) return { result: 'unchanged', reason: null };
      if (holdUnmatched && !this.held.has(parsed.fingerprint)) {
        const refused = await this.hold(parsed, tag);
        if (refused) return { result: 'rejected', reason: refused };
        await recordEvent(this.trx, this.retailerId, 'supplier_update.unmatched',
          { po_number: parsed.update.po_number, update: JSON.parse(parsed.canonical) }, this.now);
      } else if (holdUnmatched) {
        // Held already, and sent again: it is now the latest of what is held for that PO (held updates apply in the
        // order received), so a correction back (12-01, 12-15, 12-01) ends where the supplier's last word does. Later
        // than every other held for the PO, even those received in this same instant (one batch).
        // The latest found here, not by max(): with an aggregate, SQLite's planner (no statistics) walks the retailer's
        // (retailer_id, received_at) index instead of seeking the PO number (test/store/query-plans.test.ts).
        const held = await this.trx.selectFrom('held_supplier_updates').select('received_at')
          .where('retailer_id', '=', this.retailerId).where('po_number', '=', parsed.update.po_number).where('expired_at', 'is', null)
          .execute();
        const after = held.reduce((latest, row) => Math.max(latest, Date.parse(row.received_at) + 1), 0);
        const receivedAt = new Date(Math.max(this.now.getTime(), after)).toISOString();
        await this.trx.updateTable('held_supplier_updates').set({ received_at: receivedAt, source: this.source })
          .where('retailer_id', '=', this.retailerId).where('fingerprint', '=', parsed.fingerprint).where('expired_at', 'is', null).execute();
      }
      this.held.add(parsed.fingerprint);
      return {
        result: 'unmatched',
        reason: `No purchase order ${parsed.update.po_number} yet; the update is held and applied when it appears.` +
          (await this.leadingZerosHint(parsed.update.po_number)),
      };
    }
    // An update applied before is planned again all the same, not skipped by its fingerprint: sent again after other
    // updates changed the PO, it is the supplier's latest word (a date moved back, an invoice corrected back), and the
    // rules make a plain replay change nothing (the state already holds it).
    const before = await this.snapshotOf(poId);
    const plan = planUpdate(before, parsed.update, await this.context());
    if (!plan.ok) return plan.at === undefined ? { result: 'rejected', reason: plan.reason } : { result: 'rejected', reason: plan.reason, at: plan.at };
    const changes = diffSnapshots(before, plan.next);
    if (changes.length > 0) {
      this.snapshots.set(poId, plan.next);
      this.touched.add(poId);
      // A PO one update changed has that update's changes as its net change: finish() need not diff it again.
      this.onlyChanges.set(poId, this.onlyChanges.has(poId) ? null : changes);
      for (const change of changes) {
        if (change.kind === 'line_status') {
          this.statusEvents.push({
            id: newId('evt'), retailer_id: this.retailerId, po_id: poId, line_id: change.line_id, axis: 'fulfilment',
            from_status: change.from, to_status: change.to, source, occurred_at: this.nowText,
          });
        } else if (change.kind === 'invoice_document' && parsed.update.type === 'invoice' && parsed.update.document) {
          this.documents.set(change.sha256, { bytes: parsed.update.document.bytes, filename: invoiceFilename(parsed.update.invoice_number) });
        }
      }
    }
    this.recordApplied(parsed.fingerprint, poId);
    // Notes: what the update asked that was not done (e.g. a cancellation of a line with shipped units).
    return { result: changes.length > 0 ? 'applied' : 'unchanged', reason: plan.notes?.join(' ') ?? null };
  }

  /**
   * The planned state now, and a function that puts it back: what ingest() planned after this call is forgotten
   * (nothing is written before finish()), so a unit that must apply whole (an X12 set) can be tried and dropped.
   */
  mark(): () => void {
    const snapshots = new Map(this.snapshots);
    const touched = new Set(this.touched);
    const onlyChanges = new Map(this.onlyChanges);
    const documents = new Map(this.documents);
    const applied = new Set(this.applied);
    const [statusEvents, newlyApplied] = [this.statusEvents.length, this.newlyApplied.length];
    const restore = <K, V>(target: Map<K, V>, from: Map<K, V>) => { target.clear(); for (const [k, v] of from) target.set(k, v); };
    return () => {
      restore(this.snapshots, snapshots);
      restore(this.onlyChanges, onlyChanges);
      restore(this.documents, documents);
      this.touched.clear(); for (const id of touched) this.touched.add(id);
      this.applied.clear(); for (const f of applied) this.applied.add(f);
      this.statusEvents.length = statusEvents;
      this.newlyApplied.length = newlyApplied;
    };
  }

  /** PO numbers this session changed. */
  touchedPoNumbers(): string[] {
    return [...this.poIds].filter(([, id]) => id !== null && this.touched.has(id)).map(([number]) => number);
  }

  /**
   * Writes each changed PO's net change and the status events, records the fingerprints applied (a held copy of one
   * is done with too), and keeps purchase_orders.updated_at and the stored renderings of every changed PO current.
   */
  async finish(): Promise<void> {
    const perPo = [...this.touched].map((poId) => ({
      poId, changes: this.onlyChanges.get(poId) ?? diffSnapshots(this.initial.get(poId)!, this.snapshots.get(poId)!),
    }));
    const net = netRowsOf(this.retailerId, this.nowText, perPo, this.statusEvents);
    await writeNetRows(this.trx, this.retailerId, net, this.documents);
    await insertRows(this.trx, 'applied_supplier_updates', this.newlyApplied, { skipConflictsOn: ['retailer_id', 'fingerprint'] });
    const doneHeld = this.newlyApplied.map((row) => row.fingerprint).filter((f) => this.held.has(f));
    for (let i = 0; i < doneHeld.length; i += 500) {
      await this.trx.deleteFrom('held_supplier_updates')
        .where('retailer_id', '=', this.retailerId).where('fingerprint', 'in', doneHeld.slice(i, i + 500)).execute();
    }
    // The touched POs as they now are: their state at the start of the batch with the batch's rows applied.
    const touched = new Map([...this.touched].map((poId) => [poId, this.aggregates.get(poId)!]));
    const changedLines = applyNetRows(touched, net);
    await refreshViewsOf(this.trx, this.retailerId, touched, this.supplierNames, { updatedAt: this.nowText, changedLines });
  }
}

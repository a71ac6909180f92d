// A PO's state as the supplier-update rules see it (a PoSnapshot), and the helpers every kind's planner shares.
// Planners take a snapshot and return the next one (or a rejection); they never change the one given.
import type { InvoiceFields } from '../invoice.ts';
import { derivePoStatus, type FulfilmentStatus } from '../statuses.ts';
import { advanceStatus, statusFromShipments } from './rules.ts';

export interface LineCover {
  line_id: string;
  quantity: number;
}

export interface SnapshotLine {
  id: string;
  sku: string;
  /** The supplier's own part number for the line (an X12 VP part id), when the PO has it. */
  supplier_sku?: string | null;
  quantity: number;
  status: FulfilmentStatus;
  /** The line's supplier: its own, else the PO's; null when unknown. */
  supplier_id: string | null;
  estimated_delivery_date: string | null;
}

export interface SnapshotSupplierOrder {
  id: string;
  supplier_order_id: string;
  supplier_id: string | null;
  status: string;
  lines: LineCover[];
}

export interface SnapshotCheckpoint {
  id: string;
  status: string;
  message: string | null;
  location: string | null;
  occurred_at: string;
}

export interface SnapshotShipment {
  id: string;
  supplier_order_pk: string | null;
  tracking_number: string;
  carrier: string | null;
  carrier_source: string | null;
  tracking_url: string | null;
  status: string;
  shipped_at: string | null;
  estimated_delivery_date: string | null;
  delivered_at: string | null;
  lines: LineCover[];
  checkpoints: SnapshotCheckpoint[];
}

export interface SnapshotInvoice extends InvoiceFields {
  id: string;
  supplier_id: string | null;
  supplier_order_id: string | null;
  /** Null with a `document_sha256` set: a new document the store must save. */
  document_id: string | null;
  document_sha256: string | null;
}

export interface PoSnapshot {
  po_id: string;
  po_number: string;
  currency: string;
  /** The PO's supplier. */
  supplier_id: string | null;
  lines: SnapshotLine[];
  supplierOrders: SnapshotSupplierOrder[];
  shipments: SnapshotShipment[];
  invoices: SnapshotInvoice[];
}

export interface PlanContext {
  /** The retailer's suppliers: id → name. */
  supplierNames: ReadonlyMap<string, string>;
  newId: (prefix: 'so' | 'shp' | 'chk' | 'inv') => string;
}

/**
 * A planner's answer: the next state (with `notes`: what the update asked that was not done, and why, e.g. a
 * cancellation left standing on a line with shipped units), or why the update cannot apply at all.
 */
export type Plan = { ok: true; next: PoSnapshot; notes?: string[] } | { ok: false; reason: string; at?: string };

/**
 * Why an update cannot apply. `at`: the update field at fault when one is (`lines[1].sku`, `lines[0].quantity`,
 * `total_amount`), so a supplier document can name the segment and element it came from (the 997's AK3/AK4).
 */
export const reject = (reason: string, at?: string): Plan => (at === undefined ? { ok: false, reason } : { ok: false, reason, at });
export const sumOf = (covers: readonly LineCover[], lineId: string) =>
  covers.reduce((sum, cover) => (cover.line_id === lineId ? sum + cover.quantity : sum), 0);

export function setCover(covers: LineCover[], lineId: string, quantity: number): void {
  const existing = covers.find((c) => c.line_id === lineId);
  if (existing) existing.quantity = quantity;
  else covers.push({ line_id: lineId, quantity });
}

/**
 * The PO lines a supplier's part id names, in line order: those with that sku, else those with that supplier_sku
 * (suppliers often identify items only by their own part number: X12 LIN/PO1/IT1 `VP`, or a UPC they also use as
 * their part number). The PO stores no UPC of its own, so a UPC matches only through one of these.
 */
export function linesForPart(s: PoSnapshot, part: string): SnapshotLine[] {
  const bySku = s.lines.filter((l) => l.sku === part);
  return bySku.length > 0 ? bySku : s.lines.filter((l) => l.supplier_sku != null && l.supplier_sku === part);
}

/**
 * The PO lines a line of an update names, and the part id that named them: its sku (linesForPart), else the first of
 * its other part ids (`also`, a document's LIN/PO1/IT1 naming the item by several qualifiers, best first) that names
 * any. A retailer may key a line by the UPC while the supplier's best id is its own part number, or a buyer's part
 * number the PO does not know. `missing`: why none does, in words to follow the PO number.
 */
export function partLines(s: PoSnapshot, line: { sku: string; also?: string[] }): { candidates: SnapshotLine[]; sku: string } {
  for (const part of [line.sku, ...(line.also ?? [])]) {
    const candidates = linesForPart(s, part);
    if (candidates.length > 0) return { candidates, sku: part };
  }
  return { candidates: [], sku: line.sku };
}

/** Why no PO line is named by a line (partLines found none): `SKU "X" is not on PO P.`, naming its other part ids too. */
export function notOnPo(s: PoSnapshot, line: { sku: string; also?: string[] }): string {
  const others = (line.also ?? []).filter((id) => id !== line.sku);
  return others.length === 0 ? `SKU "${line.sku}" is not on PO ${s.po_number}.`
    : `SKU "${line.sku}" is not on PO ${s.po_number}, nor are the line's other part ids (${others.map((id) => `"${id}"`).join(', ')}).`;
}

/**
 * Why two lines of one update name the same PO line (a document's line by its sku, another by its UPC or supplier
 * part): counted twice, it would ship, confirm or bill that line twice over. Null when `first` (line index → the PO
 * line id it named) holds no earlier line naming `lineId`; else records it.
 */
export function namedTwice(first: Map<string, number>, lineId: string, i: number, lines: readonly { sku: string }[]): string | null {
  const earlier = first.get(lineId);
  if (earlier === undefined) {
    first.set(lineId, i);
    return null;
  }
  return `"${lines[i].sku}" names the same PO line as lines[${earlier}] ("${lines[earlier].sku}"): list each line once.`;
}

/** Words that end a company's legal name (and a country it trades in) but do not tell two suppliers apart. */
const LEGAL_WORDS = new Set([
  'inc', 'incorporated', 'llc', 'llp', 'lp', 'ltd', 'limited', 'corp', 'corporation', 'co', 'company', 'gmbh', 'ag', 'sa',
  'plc', 'bv', 'nv', 'pty', 'kk', 'usa', 'us', 'na', 'america', 'americas',
]);

/** A name as words: lower case, punctuation as spaces, the legal-form and country words at its end left off. */
function nameWords(name: string): string[] {
  const words = name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ').filter((w) => w !== '');
  while (words.length > 1 && LEGAL_WORDS.has(words[words.length - 1])) words.pop();
  return words;
}

/**
 * Supplier ids a supplier's own name for itself (`supplier_name`, an X12 N1 name, a CSV column) means: those whose
 * name matches with case and surrounding space ignored; else, since suppliers put their legal name in documents,
 * those whose name matches once punctuation and legal-form words are left off ("MIZUNO USA, INC." is "Mizuno");
 * else the one whose name is the most of its first words ("TAYLORMADE GOLF EQUIPMENT" is "TaylorMade Golf" before
 * "TaylorMade"), when no other is as long. Empty when none.
 */
export function suppliersNamed(name: string, ctx: PlanContext): string[] {
  const wanted = name.trim().toLowerCase();
  const exact = [...ctx.supplierNames].filter(([, n]) => n.trim().toLowerCase() === wanted).map(([id]) => id);
  if (exact.length > 0) return exact;
  const words = nameWords(name);
  if (words.length === 0) return [];
  const candidates = [...ctx.supplierNames].map(([id, n]) => ({ id, words: nameWords(n) })).filter((c) => c.words.length > 0);
  const same = candidates.filter((c) => c.words.join(' ') === words.join(' '));
  if (same.length > 0) return same.map((c) => c.id);
  const leading = candidates.filter((c) => c.words.length < words.length && c.words.every((w, i) => w === words[i]));
  const longest = Math.max(0, ...leading.map((c) => c.words.length));
  const best = leading.filter((c) => c.words.length === longest);
  return best.length === 1 ? [best[0].id] : [];
}

export function supplierLabel(id: string | null, ctx: PlanContext): string {
  return id === null ? 'an unknown supplier' : `"${ctx.supplierNames.get(id) ?? id}"`;
}

export function poSuppliersText(s: PoSnapshot, ctx: PlanContext): string {
  const names = [...new Set(s.lines.map((l) => l.supplier_id).filter((id): id is string => id !== null))]
    .map((id) => `"${ctx.supplierNames.get(id) ?? id}"`);
  return names.length > 0 ? ` (its lines are supplied by ${names.join(', ')})` : '';
}

/** Units of a line that shipments carry (shipped, in transit or delivered). */
export const shippedUnits = (s: PoSnapshot, lineId: string) =>
  s.shipments.reduce((sum, shipment) => sum + sumOf(shipment.lines, lineId), 0);

/** A copy the planner may change; checkpoints are never changed once made, so they are shared. */
export const clone = (s: PoSnapshot): PoSnapshot => ({
  ...s,
  lines: s.lines.map((line) => ({ ...line })),
  supplierOrders: s.supplierOrders.map((order) => ({ ...order, lines: order.lines.map((c) => ({ ...c })) })),
  shipments: s.shipments.map((shipment) => ({
    ...shipment, lines: shipment.lines.map((c) => ({ ...c })), checkpoints: [...shipment.checkpoints],
  })),
  invoices: s.invoices.map((invoice) => ({ ...invoice })),
});

/** Lines whose status follows their shipments, recomputed after a shipment or checkpoint. */
export function settleLines(s: PoSnapshot, lineIds: Iterable<string>): void {
  for (const lineId of new Set(lineIds)) {
    const line = s.lines.find((l) => l.id === lineId);
    if (!line) continue;
    const parts = s.shipments.flatMap((shipment) => shipment.lines.filter((c) => c.line_id === lineId)
      .map((c) => ({ quantity: c.quantity, shipmentStatus: shipment.status })));
    const target = statusFromShipments(line.quantity, parts);
    if (target) line.status = advanceStatus(line.status, target);
  }
}

/** Supplier orders show the state of the lines they cover; refreshed for those touching changed lines. */
export function settleSupplierOrders(before: PoSnapshot, s: PoSnapshot, touched: ReadonlySet<string>): void {
  const changedLines = new Set(s.lines.filter((line) => before.lines.find((b) => b.id === line.id)?.status !== line.status)
    .map((line) => line.id));
  for (const order of s.supplierOrders) {
    if (!touched.has(order.id) && !order.lines.some((c) => changedLines.has(c.line_id))) continue;
    const statuses = order.lines.map((c) => s.lines.find((l) => l.id === c.line_id)?.status)
      .filter((status): status is FulfilmentStatus => status !== undefined);
    if (statuses.length > 0) order.status = derivePoStatus(statuses);
  }
}

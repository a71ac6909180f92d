// Planning an `order` update (a supplier's acknowledgement): which lines its supplier order covers and where their
// statuses go (DESIGN section 3).
import { advanceStatus, rankOf } from './rules.ts';
import {
  clone, namedTwice, notOnPo, partLines, reject, setCover, settleLines, shippedUnits, settleSupplierOrders, sumOf, supplierLabel, suppliersNamed, poSuppliersText,
  type LineCover, type Plan, type PlanContext, type PoSnapshot, type SnapshotLine,
} from './snapshot.ts';
import type { OrderUpdate } from './types.ts';

/**
 * The supplier an order update without a supplier name speaks for: the PO's, else the only supplier of its lines;
 * a string: why it cannot be told.
 */
function unnamedSupplier(s: PoSnapshot, ctx: PlanContext): string | { reason: string } {
  const lineSuppliers = new Set(s.lines.map((l) => l.supplier_id).filter((id): id is string => id !== null));
  const id = s.supplier_id ?? (lineSuppliers.size === 1 ? [...lineSuppliers][0] : null);
  if (id === null) {
    return { reason: `The acknowledgement names no supplier and PO ${s.po_number} has no supplier of its own` +
      `${poSuppliersText(s, ctx)}: name it (N1*SU, or ?supplier_name=).` };
  }
  return ctx.supplierNames.get(id) ?? id;
}

export function planOrder(s: PoSnapshot, given: OrderUpdate, ctx: PlanContext): Plan {
  let u = given;
  if (u.supplier_name === null) {
    const supplier = unnamedSupplier(s, ctx);
    if (typeof supplier !== 'string') return reject(supplier.reason);
    u = { ...u, supplier_name: supplier };
  }
  const supplierName = u.supplier_name!;
  const named = suppliersNamed(supplierName, ctx);
  const fromSupplier = (line: SnapshotLine) => line.supplier_id === null || named.includes(line.supplier_id);
  if (!s.lines.some(fromSupplier)) {
    return reject(`Supplier "${u.supplier_name}" supplies no line of PO ${s.po_number}${poSuppliersText(s, ctx)}.`, 'supplier_name');
  }
  const existing = s.supplierOrders.find((o) => o.supplier_order_id === u.supplier_order_id);
  if (existing?.supplier_id && !named.includes(existing.supplier_id)) {
    return reject(`Supplier order ${u.supplier_order_id} on PO ${s.po_number} belongs to ${supplierLabel(existing.supplier_id, ctx)}, ` +
      `not "${u.supplier_name}".`, 'supplier_order_id');
  }
  const coveredByOthers = (lineId: string) =>
    s.supplierOrders.filter((o) => o !== existing).reduce((sum, o) => sum + sumOf(o.lines, lineId), 0);

  const targets: LineCover[] = [];
  if (u.lines) {
    const named = new Map<string, number>();
    for (const [i, { quantity, ...part }] of u.lines.entries()) {
      const { candidates, sku } = partLines(s, part);
      if (candidates.length === 0) return reject(notOnPo(s, part), `lines[${i}].sku`);
      const twice = namedTwice(named, candidates[0].id, i, u.lines);
      if (twice) return reject(twice, `lines[${i}].sku`);
      const line = candidates.find(fromSupplier);
      if (!line) {
        return reject(`SKU "${sku}" on PO ${s.po_number} is supplied by ${supplierLabel(candidates[0].supplier_id, ctx)}, ` +
          `not "${u.supplier_name}".`, `lines[${i}].sku`);
      }
      if (line.status === 'cancelled' && u.status !== 'cancelled') return reject(`SKU "${sku}" is cancelled on PO ${s.po_number}.`, `lines[${i}].sku`);
      const others = coveredByOthers(line.id);
      if (quantity + others > line.quantity) {
        return reject(`SKU "${sku}": ${quantity} exceeds the ${line.quantity - others} of ${line.quantity} ordered ` +
          'not covered by other supplier orders.', `lines[${i}].quantity`);
      }
      targets.push({ line_id: line.id, quantity });
    }
  } else {
    for (const cover of existing?.lines ?? []) targets.push({ ...cover });
    for (const line of s.lines) {
      if (!fromSupplier(line) || line.status === 'cancelled' || targets.some((t) => t.line_id === line.id)) continue;
      const remaining = line.quantity - coveredByOthers(line.id);
      if (remaining > 0) targets.push({ line_id: line.id, quantity: remaining });
    }
    if (targets.length === 0) {
      return reject(`No line of supplier "${u.supplier_name}" on PO ${s.po_number} is left to cover ` +
        '(all are cancelled or covered by other supplier orders).');
    }
  }

  const next = clone(s);
  let order = next.supplierOrders.find((o) => o.supplier_order_id === u.supplier_order_id);
  if (!order) {
    const lineSuppliers = targets.map((t) => s.lines.find((l) => l.id === t.line_id)!.supplier_id);
    order = {
      id: ctx.newId('so'), supplier_order_id: u.supplier_order_id,
      supplier_id: named.find((id) => lineSuppliers.includes(id)) ?? named[0] ?? null, status: u.status, lines: [],
    };
    next.supplierOrders.push(order);
  }
  const notes: string[] = [];
  for (const target of targets) {
    setCover(order.lines, target.line_id, target.quantity);
    const line = next.lines.find((l) => l.id === target.line_id)!;
    // Shipped units are never un-shipped (DESIGN 3): a cancellation or rejection of a line that shipments already
    // carry leaves the line where its shipments put it, and the result says so.
    const shipped = shippedUnits(s, line.id);
    if ((u.status === 'cancelled' || u.status === 'invalid') && shipped > 0 && line.status !== 'cancelled') {
      notes.push(`SKU "${line.sku}" has ${shipped} of ${line.quantity} units shipped on PO ${s.po_number}; not ` +
        `${u.status === 'cancelled' ? 'cancelled' : 'marked invalid'}.`);
      continue;
    }
    line.status = advanceStatus(line.status, u.status);
    if (u.estimated_delivery_date && line.status !== 'cancelled' && rankOf(line.status) < 7) {
      line.estimated_delivery_date = u.estimated_delivery_date;
    }
  }
  settleSupplierOrders(s, next, new Set([order.id]));
  return notes.length > 0 ? { ok: true, next, notes } : { ok: true, next };
}

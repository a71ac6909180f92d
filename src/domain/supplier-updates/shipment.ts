// Planning a `shipment` update (DESIGN section 3): which lines (and quantities) a tracking number carries, the
// supplier order it belongs to (created when new: "PO X shipped, tracking T" is enough), its carrier and link.
import { detectCarrier, normalizeTrackingNumber, trackingUrl } from '../tracking.ts';
import {
  clone, namedTwice, notOnPo, partLines, reject, setCover, settleLines, settleSupplierOrders, sumOf, supplierLabel, suppliersNamed, poSuppliersText,
  type LineCover, type Plan, type PlanContext, type PoSnapshot, type SnapshotLine,
} from './snapshot.ts';
import type { ShipmentUpdate } from './types.ts';

/**
 * The not-yet-shipped part of each line a bare shipment (no lines, no known supplier order) covers: the lines of
 * the PO's supplier (or, without one, of the PO's only supplier), less what other shipments carry. A string:
 * why there is no such set.
 */
function bareShipmentParts(s: PoSnapshot, shippedElsewhere: (lineId: string) => number): LineCover[] | string {
  const suppliers = new Set(s.lines.map((l) => l.supplier_id).filter((id) => id !== null));
  const supplier = s.supplier_id ?? (suppliers.size === 1 ? [...suppliers][0] : null);
  if (supplier === null && suppliers.size > 1) {
    return `PO ${s.po_number} has lines from several suppliers: name the supplier order (supplier_order_id) or list ` +
      'the lines this shipment carries.';
  }
  const parts: LineCover[] = [];
  for (const line of s.lines) {
    if (line.status === 'cancelled' || (supplier !== null && line.supplier_id !== null && line.supplier_id !== supplier)) continue;
    const remaining = line.quantity - shippedElsewhere(line.id);
    if (remaining > 0) parts.push({ line_id: line.id, quantity: remaining });
  }
  if (parts.length === 0) return `PO ${s.po_number} has nothing left to ship (every line is shipped or cancelled).`;
  return parts;
}

export function planShipment(s: PoSnapshot, u: ShipmentUpdate, ctx: PlanContext): Plan {
  const existing = s.shipments.find((sh) => normalizeTrackingNumber(sh.tracking_number) === u.tracking_number);
  // Without a supplier order id, a known shipment keeps its own supplier order.
  const existingOrder = u.supplier_order_id !== null
    ? s.supplierOrders.find((o) => o.supplier_order_id === u.supplier_order_id)
    : s.supplierOrders.find((o) => o.id === existing?.supplier_order_pk);
  if (u.supplier_order_id !== null && existing?.supplier_order_pk && existing.supplier_order_pk !== existingOrder?.id) {
    const owner = s.supplierOrders.find((o) => o.id === existing.supplier_order_pk);
    return reject(`Tracking number ${u.tracking_number} is already a shipment of supplier order ${owner?.supplier_order_id ?? '?'} ` +
      `on PO ${s.po_number}.`, 'tracking_number');
  }
  const shippedElsewhere = (lineId: string) =>
    s.shipments.filter((sh) => sh !== existing).reduce((sum, sh) => sum + sumOf(sh.lines, lineId), 0);
  const orderSupplier = existingOrder?.supplier_id ?? null;

  let parts: LineCover[] | null = null;
  if (u.lines) {
    parts = [];
    const named = new Map<string, number>();
    for (const [i, { quantity, ...part }] of u.lines.entries()) {
      const { candidates, sku } = partLines(s, part);
      if (candidates.length === 0) return reject(notOnPo(s, part), `lines[${i}].sku`);
      const twice = namedTwice(named, candidates[0].id, i, u.lines);
      if (twice) return reject(twice, `lines[${i}].sku`);
      const line = candidates.find((l) => existingOrder?.lines.some((c) => c.line_id === l.id))
        ?? candidates.find((l) => orderSupplier === null || l.supplier_id === null || l.supplier_id === orderSupplier);
      if (!line) {
        return reject(`SKU "${sku}" on PO ${s.po_number} is supplied by ${supplierLabel(candidates[0].supplier_id, ctx)}, ` +
          `not by ${supplierLabel(orderSupplier, ctx)} of supplier order ${u.supplier_order_id}.`, `lines[${i}].sku`);
      }
      if (line.status === 'cancelled') return reject(`SKU "${sku}" is cancelled on PO ${s.po_number}; it cannot ship.`, `lines[${i}].sku`);
      const elsewhere = shippedElsewhere(line.id);
      if (elsewhere + quantity > line.quantity) {
        return reject(`SKU "${sku}": shipping ${quantity} would make ${elsewhere + quantity} shipped of the ${line.quantity} ordered.`, `lines[${i}].quantity`);
      }
      parts.push({ line_id: line.id, quantity });
    }
  } else if (!existing && existingOrder) {
    parts = [];
    const orderShipments = s.shipments.filter((sh) => sh.supplier_order_pk === existingOrder.id);
    for (const cover of existingOrder.lines) {
      const line = s.lines.find((l) => l.id === cover.line_id);
      if (!line || line.status === 'cancelled') continue;
      const shippedInOrder = orderShipments.reduce((sum, sh) => sum + sumOf(sh.lines, line.id), 0);
      const remaining = Math.min(cover.quantity - shippedInOrder, line.quantity - shippedElsewhere(line.id));
      if (remaining > 0) parts.push({ line_id: line.id, quantity: remaining });
    }
    if (parts.length === 0) return reject(`Supplier order ${existingOrder.supplier_order_id} on PO ${s.po_number} has nothing left to ship.`);
  } else if (!existing) {
    const bare = bareShipmentParts(s, shippedElsewhere);
    if (typeof bare === 'string') return reject(bare);
    parts = bare;
  }

  const next = clone(s);
  let order = existingOrder ? next.supplierOrders.find((o) => o.id === existingOrder.id) : undefined;
  if (!order && u.supplier_order_id !== null) {
    // "PO X shipped, tracking T" is how a supplier order often first shows itself (DESIGN 3).
    const suppliers = new Set((parts ?? []).map((p) => s.lines.find((l) => l.id === p.line_id)!.supplier_id));
    order = {
      id: ctx.newId('so'), supplier_order_id: u.supplier_order_id,
      supplier_id: suppliers.size === 1 ? [...suppliers][0] : s.supplier_id, status: 'submitted', lines: [],
    };
    next.supplierOrders.push(order);
  }
  let shipment = next.shipments.find((sh) => normalizeTrackingNumber(sh.tracking_number) === u.tracking_number);
  if (!shipment) {
    const carrier = u.carrier ?? detectCarrier(u.tracking_number);
    shipment = {
      id: ctx.newId('shp'), supplier_order_pk: order?.id ?? null, tracking_number: u.tracking_number, carrier,
      carrier_source: u.carrier ? 'supplied' : carrier ? 'detected' : null, tracking_url: trackingUrl(carrier, u.tracking_number),
      status: 'shipped', shipped_at: u.shipped_at, estimated_delivery_date: u.estimated_delivery_date, delivered_at: null,
      lines: [], checkpoints: [],
    };
    next.shipments.push(shipment);
  } else {
    shipment.supplier_order_pk ??= order?.id ?? null;
    if (u.carrier && u.carrier !== shipment.carrier) {
      shipment.carrier = u.carrier;
      shipment.carrier_source = 'supplied';
      shipment.tracking_url = trackingUrl(u.carrier, shipment.tracking_number);
    } else if (u.carrier) {
      shipment.carrier_source = 'supplied';
    }
    if (u.shipped_at) shipment.shipped_at = u.shipped_at;
    if (u.estimated_delivery_date) shipment.estimated_delivery_date = u.estimated_delivery_date;
  }
  for (const part of parts ?? []) {
    setCover(shipment.lines, part.line_id, part.quantity);
    if (!order) continue;
    // The supplier order covers at least what its shipments carry.
    const shippedInOrder = next.shipments.filter((sh) => sh.supplier_order_pk === order.id)
      .reduce((sum, sh) => sum + sumOf(sh.lines, part.line_id), 0);
    if (sumOf(order.lines, part.line_id) < shippedInOrder) setCover(order.lines, part.line_id, shippedInOrder);
  }
  settleLines(next, shipment.lines.map((c) => c.line_id));
  settleSupplierOrders(s, next, new Set(order ? [order.id] : []));
  return { ok: true, next };
}

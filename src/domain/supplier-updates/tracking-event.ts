// Planning a `tracking_event` update (DESIGN section 3): a carrier checkpoint on a known shipment, which may move
// the shipment and its lines on (in transit, delivered).
import { normalizeTrackingNumber } from '../tracking.ts';
import { shipmentStatusFromCheckpoints } from './rules.ts';
import {
  clone, reject, setCover, settleLines, settleSupplierOrders, sumOf, supplierLabel, suppliersNamed, poSuppliersText,
  type LineCover, type Plan, type PlanContext, type PoSnapshot, type SnapshotLine,
} from './snapshot.ts';
import type { TrackingEventUpdate } from './types.ts';

export function planTrackingEvent(s: PoSnapshot, u: TrackingEventUpdate, ctx: PlanContext): Plan {
  const index = s.shipments.findIndex((sh) => normalizeTrackingNumber(sh.tracking_number) === u.tracking_number);
  if (index < 0) return reject(`No shipment of PO ${s.po_number} has tracking number ${u.tracking_number}.`);
  const same = s.shipments[index].checkpoints.some((c) => c.status === u.status && c.occurred_at === u.occurred_at
    && c.message === u.message && c.location === u.location);
  if (same) return { ok: true, next: s };
  const next = clone(s);
  const shipment = next.shipments[index];
  shipment.checkpoints.push({
    id: ctx.newId('chk'), status: u.status, message: u.message, location: u.location, occurred_at: u.occurred_at,
  });
  Object.assign(shipment, shipmentStatusFromCheckpoints(shipment, shipment.checkpoints));
  settleLines(next, shipment.lines.map((c) => c.line_id));
  settleSupplierOrders(s, next, new Set());
  return { ok: true, next };
}

// Planning one supplier update against a PO's state: the kind's planner decides.
import { planInvoice } from './invoice.ts';
import { planOrder } from './order.ts';
import { planShipment } from './shipment.ts';
import type { Plan, PlanContext, PoSnapshot } from './snapshot.ts';
import { planTrackingEvent } from './tracking-event.ts';
import type { SupplierUpdate } from './types.ts';

/** The PO's state after `update`, or why it cannot apply. The snapshot given is not changed. */
export function planUpdate(s: PoSnapshot, update: SupplierUpdate, ctx: PlanContext): Plan {
  switch (update.type) {
    case 'order': return planOrder(s, update, ctx);
    case 'shipment': return planShipment(s, update, ctx);
    case 'tracking_event': return planTrackingEvent(s, update, ctx);
    case 'invoice': return planInvoice(s, update, ctx);
  }
}

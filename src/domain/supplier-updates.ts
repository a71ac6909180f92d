// Supplier updates (DESIGN section 3, "Supplier updates (ingest)"): what suppliers tell us about a PO —
// acknowledgements (order), shipments, carrier checkpoints (tracking_event) and invoices. Pure, one module per
// job under supplier-updates/:
// - parse.ts validates a whole batch (TypeBox schemas in schemas.ts) and names every bad index and field;
// - plan.ts turns one update and a PO's current state (a PoSnapshot) into its next state, or a rejection, with
//   one planner per kind (order.ts, shipment.ts, tracking-event.ts, invoice.ts) and the status rules (rules.ts);
// - diff.ts lists the writes between two states, which the store carries out.
export * from './supplier-updates/types.ts';
export { canonicalJson, fingerprintOf } from './supplier-updates/canonical.ts';
export { invoiceTotalProblem, normalizePaymentTerms, parseSupplierUpdate, parseSupplierUpdates, SUPPLIER_UPDATE_ZONE } from './supplier-updates/parse.ts';
export { advanceStatus, shipmentStatusFromCheckpoints, statusFromShipments } from './supplier-updates/rules.ts';
export type {
  LineCover, Plan, PlanContext, PoSnapshot, SnapshotCheckpoint, SnapshotInvoice, SnapshotLine, SnapshotShipment, SnapshotSupplierOrder,
} from './supplier-updates/snapshot.ts';
export { planUpdate } from './supplier-updates/plan.ts';
export { diffSnapshots, type Change } from './supplier-updates/diff.ts';
/** The one tracking-number normaliser lives in domain/tracking.ts; re-exported for the modules that import it here. */
export { normalizeTrackingNumber } from './tracking.ts';

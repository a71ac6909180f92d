// The fields a PO header, a PO line and a shipment carry wherever they travel: the stored rows (db/schema.ts), the lifecycle
// API's view (purchase-order-resource.ts), the read renderings' state (render.ts) and synced upstream POs
// (sync/connectors/types.ts). Written once here so that a field added or renamed changes every carrier at once.

/**
 * A PO header's money, terms and shipping notes, as stored and as synced. `currency`: ISO 4217 (amounts of the PO
 * are minor units of it); `payment_terms` and `payment_status`: the codes of DESIGN 3's enums.
 */
export interface PoTermsFields {
  currency: string;
  payment_terms: string;
  payment_status: string;
  reference_number: string | null;
  note_to_supplier: string | null;
  shipping_carrier: string | null;
  tracking_number: string | null;
}

/** A line's product, ordered quantity and price. `unit_cost_cents`: minor units of the PO's currency (DESIGN 1). */
export interface LineProductFields {
  sku: string;
  supplier_sku: string | null;
  product_name: string;
  description: string | null;
  /** Units ordered, a whole number ≥ 1. */
  quantity: number;
  unit_cost_cents: number;
}

/** What the retailer received of a line (DESIGN 3, receives): whole units. */
export interface LineReceiptFields {
  received_quantity: number;
  rejected_quantity: number;
}

/** A shipment's carrier, tracking and dates. Instants are ISO 8601 UTC text; dates `YYYY-MM-DD`. */
export interface ShipmentFields {
  carrier: string | null;
  /** Normalised (no white space, upper case): domain/tracking.ts. */
  tracking_number: string;
  tracking_url: string | null;
  /** shipped, in transit, delivered, exception. */
  status: string;
  shipped_at: string | null;
  estimated_delivery_date: string | null;
  delivered_at: string | null;
}

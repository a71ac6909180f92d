// An invoice's own fields, one definition for every place that carries one: the read rendering
// (domain/render.ts), supplier updates (domain/supplier-updates.ts) and synced upstream POs (sync/connectors).

export interface InvoiceFields {
  invoice_number: string;
  invoice_date: string | null;
  due_date: string | null;
  /** A payment_terms code (`net_60`) when recognised, else the supplier's text. */
  payment_terms: string | null;
  subtotal_cents: number;
  tax_cents: number;
  shipping_cents: number;
  total_cents: number;
  currency: string;
  status: string;
}

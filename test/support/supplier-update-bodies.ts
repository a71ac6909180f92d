// Bodies of POST /api/v2/supplier_updates for the tests of field rules and messages: one update of a kind for a PO
// number, the least it needs (DESIGN 3 wire shape), with `extra` fields laid over it.

type Fields = Record<string, unknown>;

/** `{updates: [one update]}` builders of the order, shipment and invoice kinds, for `poNumber`. */
export function supplierUpdateBodies(poNumber: string) {
  return {
    order: (extra: Fields) =>
      ({ updates: [{ type: 'order', po_number: poNumber, supplier_order_id: 'SO-1', supplier_name: 'Acme', status: 'confirmed', ...extra }] }),
    shipment: (extra: Fields) =>
      ({ updates: [{ type: 'shipment', po_number: poNumber, tracking_number: '1Z999AA10123456784', shipped_date: '2026-11-20', ...extra }] }),
    invoice: (extra: Fields) => ({
      updates: [{ type: 'invoice', po_number: poNumber, invoice_number: 'INV-1', invoice_date: '2026-11-20', subtotal_amount: 10,
        total_amount: 10, currency: 'USD', ...extra }],
    }),
  };
}

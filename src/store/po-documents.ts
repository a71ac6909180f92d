// What the PO documents show, read in three queries: the PO with its retailer, supplier and warehouse;
// its lines; its receipts with the names of the inventory locations received into.
import type { Address } from '../domain/address.ts';
import type { Db } from '../db/database.ts';
import { poDocumentTotals, type PoDocumentData, type PoDocumentLine } from '../documents/po-document-data.ts';

function parseAddress(text: string | null): Address | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Address) : null;
  } catch {
    return null;
  }
}

/** The document data of one PO of this retailer, or undefined when the retailer has no such PO. */
export async function loadPoDocumentData(
  db: Db, retailerId: string, poId: string, now: Date = new Date(),
): Promise<PoDocumentData | undefined> {
  const header = await db.selectFrom('purchase_orders as po')
    .innerJoin('retailers as r', 'r.id', 'po.retailer_id')
    .leftJoin('suppliers as s', (join) => join.onRef('s.id', '=', 'po.supplier_id').onRef('s.retailer_id', '=', 'po.retailer_id'))
    .leftJoin('warehouses as w', (join) => join.onRef('w.id', '=', 'po.warehouse_id').onRef('w.retailer_id', '=', 'po.retailer_id'))
    .select([
      'r.name as retailer_name', 'r.timezone',
      'po.order_number', 'po.po_number', 'po.status', 'po.order_date', 'po.expected_delivery_date', 'po.payment_terms',
      'po.currency', 'po.reference_number', 'po.note_to_supplier', 'po.ship_to',
      's.id as supplier_id', 's.name as supplier_name', 's.contact_name as supplier_contact_name',
      's.contact_email as supplier_contact_email', 's.phone as supplier_phone', 's.address as supplier_address',
      'w.id as warehouse_id', 'w.name as warehouse_name', 'w.address as warehouse_address',
    ])
    .where('po.retailer_id', '=', retailerId)
    .where('po.id', '=', poId)
    .executeTakeFirst();
  if (!header) return undefined;

  const [lineRows, receiptRows] = await Promise.all([
    db.selectFrom('po_lines')
      .select(['line_no', 'sku', 'supplier_sku', 'product_name', 'quantity', 'unit_cost_cents', 'received_quantity',
        'rejected_quantity', 'fulfilment_status'])
      .where('retailer_id', '=', retailerId).where('po_id', '=', poId)
      .orderBy('line_no')
      .execute(),
    db.selectFrom('receipts as rc')
      .innerJoin('po_lines as l', 'l.id', 'rc.line_id')
      .leftJoin('inventory_locations as loc', 'loc.id', 'rc.inventory_location_id')
      .select(['l.sku', 'l.product_name', 'loc.name as location_name', 'rc.received_quantity', 'rc.rejected_quantity',
        'rc.lot', 'rc.expiration_date', 'rc.received_at'])
      .where('rc.retailer_id', '=', retailerId).where('rc.po_id', '=', poId)
      .orderBy('rc.received_at').orderBy('rc.id')
      .execute(),
  ]);

  const lines: PoDocumentLine[] = lineRows.map((line) => ({
    line_no: Number(line.line_no),
    sku: line.sku,
    supplier_sku: line.supplier_sku,
    product_name: line.product_name,
    quantity: Number(line.quantity),
    unit_cost_cents: Number(line.unit_cost_cents),
    total_cents: Number(line.quantity) * Number(line.unit_cost_cents),
    received_quantity: Number(line.received_quantity),
    rejected_quantity: Number(line.rejected_quantity),
    cancelled: line.fulfilment_status === 'cancelled',
  }));

  return {
    retailer_name: header.retailer_name,
    timezone: header.timezone,
    supplier: header.supplier_id === null ? null : {
      name: header.supplier_name ?? '',
      contact_name: header.supplier_contact_name,
      contact_email: header.supplier_contact_email,
      phone: header.supplier_phone,
      address: parseAddress(header.supplier_address),
    },
    warehouse: header.warehouse_id === null ? null : {
      name: header.warehouse_name ?? '',
      address: parseAddress(header.warehouse_address),
    },
    po: {
      order_number: header.order_number,
      po_number: header.po_number,
      status: header.status,
      order_date: header.order_date,
      expected_delivery_date: header.expected_delivery_date,
      payment_terms: header.payment_terms,
      currency: header.currency,
      reference_number: header.reference_number,
      note_to_supplier: header.note_to_supplier,
      ship_to: parseAddress(header.ship_to),
    },
    lines,
    totals: poDocumentTotals(lines),
    receipts: receiptRows.map((receipt) => ({
      sku: receipt.sku,
      product_name: receipt.product_name,
      inventory_location: receipt.location_name,
      received_quantity: Number(receipt.received_quantity),
      rejected_quantity: Number(receipt.rejected_quantity),
      lot: receipt.lot,
      expiration_date: receipt.expiration_date,
      received_at: receipt.received_at,
    })),
    generated_at: now.toISOString(),
  };
}

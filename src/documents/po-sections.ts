// What both PO documents show above their tables: the PO's key fields and who is involved.
import { renderPaymentTerms } from '../domain/money.ts';
import { addressLines, formatInstant, formatInstantDate, type DocumentMeta, type HeaderField, type PartyBlock } from './layout.ts';
import type { PoDocumentData } from './po-document-data.ts';

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function poHeaderFields(data: PoDocumentData): HeaderField[] {
  const { po } = data;
  const fields: HeaderField[] = [{ label: 'PO number', value: po.po_number }];
  if (po.order_number && po.order_number !== po.po_number) fields.push({ label: 'Order number', value: po.order_number });
  fields.push(
    { label: 'Status', value: capitalised(po.status) },
    { label: 'Order date', value: formatInstantDate(po.order_date, data.timezone) },
    { label: 'Expected delivery', value: po.expected_delivery_date ?? 'Not set' },
    { label: 'Payment terms', value: renderPaymentTerms(po.payment_terms) ?? 'None' },
    { label: 'Currency', value: po.currency },
  );
  if (po.reference_number) fields.push({ label: 'Reference', value: po.reference_number });
  return fields;
}

/** Supplier, warehouse and (when the PO has its own) ship-to address. */
export function poPartyBlocks(data: PoDocumentData): PartyBlock[] {
  const { supplier, warehouse } = data;
  const blocks: PartyBlock[] = [];
  blocks.push({
    heading: 'Supplier',
    lines: supplier
      ? [
        supplier.name,
        ...(supplier.contact_name ? [`Attn: ${supplier.contact_name}`] : []),
        ...addressLines(supplier.address),
        ...(supplier.phone ? [`Phone: ${supplier.phone}`] : []),
        ...(supplier.contact_email ? [`Email: ${supplier.contact_email}`] : []),
      ]
      : ['No supplier assigned'],
  });
  blocks.push({
    heading: 'Warehouse',
    lines: warehouse ? [warehouse.name, ...addressLines(warehouse.address)] : ['No warehouse assigned'],
  });
  const shipTo = addressLines(data.po.ship_to);
  if (shipTo.length > 0) blocks.push({ heading: 'Ship to', lines: shipTo });
  return blocks;
}

/** Title, metadata and footer of a PO document. */
export function poDocumentMeta(data: PoDocumentData, kind: string): DocumentMeta {
  const title = `${kind} ${data.po.po_number}`;
  return {
    title,
    author: data.retailer_name,
    subject: `${kind} of purchase order ${data.po.po_number} for ${data.retailer_name}`,
    footer: `${data.retailer_name} · ${title} · Generated ${formatInstant(data.generated_at, data.timezone)}`,
    createdAt: data.generated_at,
  };
}

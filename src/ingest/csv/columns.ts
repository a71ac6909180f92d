// CSV columns found by name (DESIGN 3, "CSV"): case and punctuation ignored, with the header names suppliers'
// portals export. A header is reduced to lower-case letters and digits, and a trailing "number", "no", "num",
// "nbr" or "#" is dropped, so `PO #`, `PO No.` and `PO Number` all read as `po`.

/** The update fields a CSV column can feed. */
export type CsvField =
  | 'po_number' | 'tracking_number' | 'sku' | 'quantity' | 'shipped_date' | 'carrier' | 'supplier_order_id'
  | 'estimated_delivery_date' | 'invoice_number' | 'invoice_date' | 'due_date' | 'total_amount' | 'subtotal_amount'
  | 'tax_amount' | 'shipping_amount' | 'currency' | 'payment_terms' | 'supplier_name' | 'status';

/** Reduced header names per field (a field may be found under several: see ColumnMap). */
const ALIASES: Record<CsvField, readonly string[]> = {
  po_number: ['po', 'purchaseorder', 'custpo', 'customerpo', 'buyerpo', 'yourpo', 'ponumber'],
  tracking_number: ['tracking', 'track', 'trackingid', 'trackingcode', 'trackingnumbers', 'waybill'],
  // A UPC, EAN or GTIN column identifies the item too: matched like any item, so one the PO does not list is refused.
  sku: ['item', 'sku', 'part', 'style', 'itemcode', 'productcode', 'buyerpart', 'vendorpart', 'model', 'upc', 'ean', 'gtin',
    'upccode', 'upca', 'upcean', 'ean13', 'eancode', 'gtin12', 'gtin13', 'gtin14', 'barcode'],
  quantity: ['qty', 'qtyshipped', 'quantity', 'quantityshipped', 'shippedqty', 'shippedquantity', 'qtyconfirmed',
    'quantityconfirmed', 'qtyordered', 'quantityordered', 'units'],
  shipped_date: ['shipdate', 'shipped', 'shippeddate', 'dateshipped', 'shippedon'],
  carrier: ['carrier', 'shipvia', 'carriername', 'shipper', 'shipmethod', 'scac'],
  supplier_order_id: ['order', 'salesorder', 'so', 'supplierorder', 'supplierorderid', 'orderid', 'confirmation', 'ack',
    'acknowledgement'],
  estimated_delivery_date: ['eta', 'estdelivery', 'estimateddelivery', 'estimateddeliverydate', 'estdeliverydate',
    'expecteddelivery', 'expecteddeliverydate', 'deliverydate'],
  invoice_number: ['invoice', 'inv'],
  invoice_date: ['invoicedate', 'invdate'],
  due_date: ['duedate', 'paymentdue', 'datedue'],
  total_amount: ['amount', 'total', 'invoicetotal', 'invoiceamount', 'totalamount', 'amountdue'],
  subtotal_amount: ['subtotal', 'merchandise', 'merchandisetotal', 'merchandiseamount'],
  tax_amount: ['tax', 'salestax', 'taxamount'],
  shipping_amount: ['freight', 'shipping', 'shippingamount', 'freightamount', 'shippingcharge', 'freightcharge'],
  currency: ['currency', 'curr', 'currencycode'],
  payment_terms: ['terms', 'paymentterms'],
  supplier_name: ['supplier', 'vendor', 'suppliername', 'vendorname'],
  status: ['status', 'orderstatus', 'linestatus', 'itemstatus'],
};

const FIELD_OF = new Map<string, CsvField>(
  (Object.entries(ALIASES) as [CsvField, readonly string[]][]).flatMap(([field, names]) => names.map((n) => [n, field] as const)),
);

/** `PO #` → `po`, `Order No.` → `order`, `Est. Delivery` → `estdelivery`. */
export function reduceHeader(header: string): string {
  const plain = header.normalize('NFKD').toLowerCase().replace(/#/g, ' number').replace(/[^a-z0-9]+/g, '');
  const stripped = plain.replace(/(number|num|nbr|no)$/, '');
  return stripped === '' ? plain : stripped;
}

/**
 * Where each known field is in a row, and the header text it was found under (to name it in reasons). A field
 * found under more than one header (`Tracking #` and `Tracking Number`) has the first in `index`/`header` and the
 * others in `more`: a row's value is whichever of them is filled, and two different values are that row's problem.
 */
export interface ColumnMap {
  index: Partial<Record<CsvField, number>>;
  header: Partial<Record<CsvField, string>>;
  more: Partial<Record<CsvField, { index: number; header: string }[]>>;
}

/** Whether `cell` is a header name some field is found under (`PO #`, `qty`): a cheap look before mapColumns. */
export function isHeaderName(cell: string): boolean {
  return FIELD_OF.has(reduceHeader(cell));
}

export function mapColumns(headers: readonly string[]): ColumnMap {
  const map: ColumnMap = { index: {}, header: {}, more: {} };
  headers.forEach((header, i) => {
    const field = FIELD_OF.get(reduceHeader(header));
    if (!field) return;
    if (map.index[field] === undefined) {
      map.index[field] = i;
      map.header[field] = header.trim();
    } else {
      (map.more[field] ??= []).push({ index: i, header: header.trim() });
    }
  });
  return map;
}

/** Fields read as dates. */
const DATE_FIELDS: ReadonlySet<CsvField> = new Set(['shipped_date', 'estimated_delivery_date', 'invoice_date', 'due_date']);

/**
 * Whether a header names a column of dates: one read as a date (`Ship Date`, `ETA`, `Invoice Date`), or one not read
 * whose name says it holds dates (`Order Date`, `PO Date`, `Requested Delivery Date`, `Lieferdatum`). Only such
 * columns show how a file writes its dates (reader.ts FileSigns); a free-text column (`Notes`, `Description`) may
 * hold `Rev 2.10.2024` or `ship 3.4.2026`, which say nothing of the file's own dates.
 */
export function isDateColumn(header: string): boolean {
  const field = FIELD_OF.get(reduceHeader(header));
  if (field !== undefined) return DATE_FIELDS.has(field);
  return /date|datum|fecha/i.test(header);
}

/** The headers DESIGN names for a PO-number column, for the message when none is found. */
export const PO_HEADER_EXAMPLES = ['PO', 'PO #', 'PO Number', 'Purchase Order'];

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
  /** Per column index, the currency its header names (`Amount (USD)`, `Total [€]`): each of its cells is written in it. */
  currency: Partial<Record<number, string>>;
  /** Per field, a header that names it in a unit it does not take (`Qty (CS)`), not read: to say why. */
  unread: Partial<Record<CsvField, { header: string; unit: string }>>;
}

const AMOUNT_FIELDS: ReadonlySet<CsvField> = new Set(['total_amount', 'subtotal_amount', 'tax_amount', 'shipping_amount']);
/** A unit in brackets after a header's name: `Amount (USD)`, `Total [€]`, `Qty Shipped (EA)`. */
const HEADER_UNIT = /^(.*\S)\s*[([]\s*([^()[\]]{1,12}?)\s*[)\]]\s*$/;
/** Units that count single items, as a quantity does (a case, a dozen or a kilogram is no unit). */
export const EACH_UNITS: ReadonlySet<string> = new Set(['ea', 'each', 'pc', 'pcs', 'piece', 'pieces', 'unit', 'units', 'qty', 'eaches']);
/** A currency mark: three letters (checked as a code where the row's currency is decided) or a symbol. */
const CURRENCY_MARK = /^(?:[A-Za-z]{3}|(?:US|CA|AU|NZ|HK|MX|NT|[CASR])\$|[$€¥￥円元£₹₩₽₺₪₱฿₫₦₴₸]|zł)$/;

/**
 * The field a header names, and the currency its unit names: `Amount (USD)` is the total in USD, `Qty Shipped (EA)`
 * a quantity in eaches. A unit that a field does not take (`Qty (CS)`: cases; `Amount (%)`) leaves the header
 * unread, as an unknown name is, never read as if it were not there.
 */
function fieldOf(header: string): { field: CsvField; currency?: string; unread?: string } | null {
  const unit = HEADER_UNIT.exec(header);
  const named = unit ? FIELD_OF.get(reduceHeader(unit[1])) : undefined;
  if (unit && named !== undefined) {
    if (AMOUNT_FIELDS.has(named)) {
      // `Total [$]` is written in dollars: a mark as `$` in each cell would be (a symbol alone reduced to `total` before).
      if (CURRENCY_MARK.test(unit[2])) return { field: named, currency: /^[A-Za-z]{3}$/.test(unit[2]) ? unit[2].toUpperCase() : unit[2] };
      return { field: named, unread: unit[2] };
    }
    if (named === 'quantity') return EACH_UNITS.has(unit[2].toLowerCase()) ? { field: named } : { field: named, unread: unit[2] };
  }
  const field = FIELD_OF.get(reduceHeader(header));
  return field === undefined ? null : { field };
}

/** Whether `cell` is a header name some field is found under (`PO #`, `qty`): a cheap look before mapColumns. */
export function isHeaderName(cell: string): boolean {
  return FIELD_OF.has(reduceHeader(cell));
}

export function mapColumns(headers: readonly string[]): ColumnMap {
  const map: ColumnMap = { index: {}, header: {}, more: {}, currency: {}, unread: {} };
  headers.forEach((header, i) => {
    const found = fieldOf(header);
    if (!found) return;
    const { field } = found;
    if (found.unread !== undefined) {
      map.unread[field] ??= { header: header.trim(), unit: found.unread };
      return;
    }
    if (found.currency !== undefined) map.currency[i] = found.currency;
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
  const found = fieldOf(header);
  const field = found?.unread === undefined ? found?.field : undefined;
  if (field !== undefined) return DATE_FIELDS.has(field);
  // By its words (`Order Date`, `PODate`, `Lieferdatum`), so `Update Notes` or `Candidate` is no date column.
  const words = header.split(/[^A-Za-z]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/).map((word) => word.toLowerCase());
  return words.some((word) => word === 'date' || word === 'dated' || word === 'fecha' || word.endsWith('datum'));
}

/** The headers DESIGN names for a PO-number column, for the message when none is found. */
export const PO_HEADER_EXAMPLES = ['PO', 'PO #', 'PO Number', 'Purchase Order'];

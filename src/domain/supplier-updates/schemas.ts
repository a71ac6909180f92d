// The wire shapes of the four supplier-update kinds as TypeBox schemas (DESIGN section 3), checked by Ajv as
// the rest of the API's bodies are. What a schema cannot say (timestamps, amounts, tracking numbers, base64
// PDFs) is read by parse.ts with the project's one parser of each.
import { Type, type TSchema } from 'typebox';
import { INVOICE_STATUSES, MAX_LINES_PER_UPDATE, MAX_QUANTITY, ORDER_STATUSES, TRACKING_STATUSES, UPDATE_TYPES } from './types.ts';

/** A string or null/absent; blank is refused (`x-message` words the pattern's failure). */
const OptionalText = (max: number, extra: Record<string, unknown> = {}) => Type.Optional(Type.Unsafe<string | null>({
  type: ['string', 'null'], minLength: 1, maxLength: max, pattern: '\\S', 'x-message': 'must not be blank', ...extra,
}));
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S', 'x-message': 'must not be blank' });
/** Any white space separates tracking numbers (domain/tracking.ts): the reader names a field holding two. */
const TrackingNumberText = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', 'x-message': 'must not be blank', 'x-text': 'multiline' });
const OptionalEnum = (values: readonly string[]) => Type.Optional(Type.Unsafe<string | null>({ enum: [...values, null] }));
/** Amounts: JSON numbers ≥ 0; decimals and the cap are the money parser's (they depend on the currency). */
const Amount = Type.Number({ minimum: 0, 'x-message': 'must be a number' });
const OptionalAmount = Type.Optional(Type.Unsafe<number | null>({ type: ['number', 'null'], minimum: 0 }));
const CalendarDate = OptionalText(40);
const Timestamp = (required: boolean) => (required ? Text(40) : OptionalText(40));

const Lines = Type.Optional(Type.Unsafe<{ sku: string; quantity: number }[] | null>({
  type: ['array', 'null'], minItems: 1, maxItems: MAX_LINES_PER_UPDATE,
  items: Type.Object({
    sku: Text(100),
    quantity: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }),
  }, { additionalProperties: false }),
}));

/**
 * A supplier document's lines: as Lines, each with `also`, the other part ids its X12 LIN, PO1 or IT1 names (types.ts
 * LineQuantity). At most 12 (a LIN has up to 15 pairs; the ids OrderSync reads are 10 qualifiers).
 */
const DocumentLines = Type.Optional(Type.Unsafe<{ sku: string; quantity: number; also?: string[] }[] | null>({
  type: ['array', 'null'], minItems: 1, maxItems: MAX_LINES_PER_UPDATE,
  items: Type.Object({
    sku: Text(100),
    quantity: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }),
    also: Type.Optional(Type.Array(Text(100), { maxItems: 12 })),
  }, { additionalProperties: false }),
}));

const common = { type: Type.String(), po_number: Text(100) };

/**
 * An `order` read from a supplier document: its supplier may go unnamed (an 855 without N1 and no ?supplier_name=),
 * and is then the PO's (domain/supplier-updates/order.ts). The JSON API keeps supplier_name required.
 */
export const documentOrderSchema = (): TSchema => Type.Object({
  ...common,
  supplier_order_id: Text(100),
  supplier_name: OptionalText(200),
  status: Type.Unsafe<string>({ enum: [...ORDER_STATUSES] }),
  lines: DocumentLines,
  estimated_delivery_date: CalendarDate,
}, { additionalProperties: false });

/** A `shipment` read from a supplier document: as the JSON API's, its lines with their other part ids (DocumentLines). */
export const documentShipmentSchema = (): TSchema => {
  const shipment = UPDATE_SCHEMAS.shipment as unknown as { properties: Record<string, TSchema> };
  return Type.Object({ ...shipment.properties, lines: DocumentLines }, { additionalProperties: false });
};

/**
 * An `invoice` read from a supplier document: as the JSON API's, with the lines it bills (an 810's IT1 loops), so
 * that each is checked against the PO when applied (a part on the PO, no more than ordered; DESIGN 3).
 */
export const documentInvoiceSchema = (): TSchema => {
  const invoice = UPDATE_SCHEMAS.invoice as unknown as { properties: Record<string, TSchema> };
  return Type.Object({ ...invoice.properties, lines: DocumentLines }, { additionalProperties: false });
};

export const UPDATE_SCHEMAS: Record<(typeof UPDATE_TYPES)[number], TSchema> = {
  order: Type.Object({
    ...common,
    supplier_order_id: Text(100),
    supplier_name: Text(200),
    status: Type.Unsafe<string>({ enum: [...ORDER_STATUSES] }),
    lines: Lines,
    estimated_delivery_date: CalendarDate,
  }, { additionalProperties: false }),
  shipment: Type.Object({
    ...common,
    supplier_order_id: OptionalText(100),
    tracking_number: TrackingNumberText,
    carrier: OptionalText(40, { pattern: '^\\s*[A-Za-z0-9][A-Za-z0-9_.-]{0,39}\\s*$',
      'x-message': 'must be a carrier code such as "ups", "fedex", "usps" or "dhl" (letters, digits, "_", "-", ".")' }),
    shipped_date: Timestamp(false),
    estimated_delivery_date: CalendarDate,
    lines: Lines,
  }, { additionalProperties: false }),
  tracking_event: Type.Object({
    ...common,
    tracking_number: TrackingNumberText,
    status: Type.Unsafe<string>({ enum: [...TRACKING_STATUSES] }),
    message: OptionalText(500),
    location: OptionalText(200),
    timestamp: Timestamp(true),
  }, { additionalProperties: false }),
  invoice: Type.Object({
    ...common,
    supplier_order_id: OptionalText(100),
    supplier_name: OptionalText(200),
    invoice_number: Text(100),
    invoice_date: CalendarDate,
    due_date: CalendarDate,
    payment_terms: OptionalText(100),
    subtotal_amount: Amount,
    tax_amount: OptionalAmount,
    shipping_amount: OptionalAmount,
    total_amount: Amount,
    currency: OptionalText(3, { pattern: '^[A-Za-z]{3}$',
      'x-message': 'must be a three-letter ISO 4217 code such as "USD"' }),
    status: OptionalEnum(INVOICE_STATUSES),
    // Base64 may be wrapped in lines (MIME style): multi-line for the free-text rule.
    document_pdf_base64: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'], 'x-text': 'multiline' })),
  }, { additionalProperties: false }),
};

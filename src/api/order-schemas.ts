// TypeBox schemas of the OrderSync read API: requests are validated with them; responses are documented
// with them in /openapi.json (the handlers send stored renderings, so the test suite checks the shapes).
import { Type } from 'typebox';
import { Nullable, StringEnum } from './schema-helpers.ts';
import { V1_STATUSES, V2_STATUSES } from '../domain/statuses.ts';

const Text = Type.String();
const Instant = Type.String({ description: 'ISO 8601 with offset, e.g. 2025-12-03T09:35:23.961+00:00' });

/** Look-ups trim what they are given (PO numbers are stored trimmed), so tabs and line breaks may surround it. */
export const PoNumber = Type.String({ minLength: 1, maxLength: 100, 'x-text': 'trimmed' });

export const ByPoParams = Type.Object({ po_number: PoNumber }, { additionalProperties: false });
export const BySupplierOrderParams = Type.Object(
  { supplier_order_id: Type.String({ minLength: 1, maxLength: 100, 'x-text': 'trimmed' }) }, { additionalProperties: false },
);
export const BulkBody = Type.Object({
  po_numbers: Type.Array(PoNumber, { minItems: 1, maxItems: 100, description: 'Up to 100 PO numbers.' }),
}, { additionalProperties: false });

/** Highest page number a paged query takes (a page past the last is empty; one past this is a 400 naming the limit). */
export const MAX_PAGE = 1_000_000;

/** A real calendar day (`format: date` is domain/dates.ts isCalendarDate; a 400 says `"20261101" is not a calendar date`). */
const CalendarDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
export const ByDateQuery = Type.Object({
  start_date: CalendarDate,
  end_date: Type.Optional(CalendarDate),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
}, { additionalProperties: false });

export const Meta = Type.Object({
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer(),
  has_more: Type.Boolean(),
  not_found: Type.Optional(Type.Array(Text, { description: 'Bulk only: requested PO numbers with no record.' })),
});

export const V1Record = Type.Object({
  order_id: Text,
  order_status_id: Nullable(Text),
  supplier_order_id: Nullable(Text),
  order_date: Instant,
  po_number: Text,
  item: Text,
  customer: Nullable(Text),
  customer_email: Nullable(Text),
  supplier: Nullable(Text),
  status: StringEnum(V1_STATUSES),
  carrier: Nullable(Text),
  tracking_number: Nullable(Text),
  tracking_url: Nullable(Text),
  eta: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
  delivery_date: Nullable(Instant),
});

const Tracking = Nullable(Type.Object({
  tracking_number: Text,
  tracking_url: Nullable(Text),
  carrier: Nullable(Text),
  shipped_date: Nullable(Instant),
  actual_delivery_date: Nullable(Instant),
  latest_checkpoint: Nullable(Type.Object({ message: Nullable(Text), location: Nullable(Text), timestamp: Instant })),
}));

const V2Status = StringEnum(V2_STATUSES);

export const V2Record = Type.Object({
  id: Text,
  po_number: Text,
  order_date: Instant,
  request_date: Nullable(Instant),
  status: V2Status,
  customer_name: Nullable(Text),
  customer_email: Nullable(Text),
  shipping_address: Nullable(Text),
  suppliers: Type.Array(Text),
  total: Type.Number({ description: 'Σ price × quantity of lines not cancelled; no shipping or tax.' }),
  quantity: Type.Integer(),
  drop_ship: Type.Boolean(),
  items: Type.Array(Type.Object({
    supplier_order_id: Nullable(Text),
    product_name: Text,
    product_details: Type.Object({ sku: Text, supplier_sku: Nullable(Text), description: Nullable(Text) }),
    quantity: Type.Integer(),
    status: V2Status,
    backordered: Type.Boolean(),
    supplier_name: Nullable(Text),
    price: Type.Number(),
    total: Type.Number(),
    estimated_delivery_date: Nullable(Type.String({ description: 'MM/DD/YYYY' })),
    tracking: Tracking,
  })),
  fulfilled_items: Type.Array(Type.Object({
    supplier_order_id: Nullable(Text),
    product_name: Text,
    sku: Text,
    quantity: Type.Integer(),
    status: V2Status,
    tracking: Tracking,
  })),
  invoices: Type.Array(Type.Object({
    invoice_number: Text,
    supplier_order_id: Nullable(Text),
    invoice_date: Nullable(Instant),
    due_date: Nullable(Instant),
    payment_terms: Nullable(Text),
    subtotal_amount: Type.Number(),
    tax_amount: Type.Number(),
    shipping_amount: Type.Number(),
    total_amount: Type.Number(),
    currency: Text,
    status: Text,
    supplier_name: Nullable(Text),
    updated_at: Instant,
    download_url: Nullable(Type.String({ description: 'Signed, expiring link to the invoice PDF.' })),
  })),
  updated_at: Instant,
});

export const ErrorBody = Type.Object({
  error: Type.String({ description: 'snake_case name, e.g. validation_failed' }),
  errorCode: Type.Integer({ description: 'The HTTP status' }),
  message: Text,
  request_id: Text,
  details: Type.Optional(Type.Array(Type.Object({ field: Text, message: Text }))),
});

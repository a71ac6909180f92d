// TypeBox schemas of the PO lifecycle API (DESIGN section 3, shaped after ShipStation's v2 purchase orders).
import { Type } from 'typebox';
import { Nullable, StringEnum } from './schema-helpers.ts';
import { AddressInput } from './suppliers.ts';
import { LIFECYCLE_STATUSES } from '../domain/lifecycle.ts';
import { CURRENCY_CODE_PROBLEM, PAYMENT_TERMS } from '../domain/money.ts';

export const PAYMENT_STATUSES = ['none', 'unpaid', 'partially_paid', 'paid', 'refunded', 'credit_issued', 'other'] as const;

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
/** A PO number: surrounding white space is dropped, so it must hold something else. */
const PoNumber = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', 'x-message': 'must not be blank', 'x-text': 'trimmed' });
const Instant = Type.String({
  format: 'date-time',
  description: 'RFC 3339 date-time (2026-01-15T09:30:00Z, …-05:00, …-0500); without an offset, in the retailer\'s time zone; ' +
    'a bare date (2026-01-15) is its midnight there',
  'x-message': 'must be an RFC 3339 date-time such as 2026-01-15T09:30:00Z or 2026-01-15T09:30:00-05:00, or a date (2026-01-15)',
});
/** A day (its date is kept): what the one timestamp parser reads, whose reason a 400 gives. */
const DateOrInstant = Type.String({ format: 'date-time', description: 'YYYY-MM-DD or an RFC 3339 date-time (its date is kept)' });
const LifecycleStatus = StringEnum(LIFECYCLE_STATUSES);

const Product = Type.Object({
  sku: Text(100),
  supplier_sku: Type.Optional(Nullable(Text(100))),
  quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  cost: Type.Number({ minimum: 0, description: 'Unit cost, with at most the decimals of currency_code (USD 2, JPY 0, KWD 3)' }),
  product_name: Type.Optional(Text(200)),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000, 'x-text': 'multiline' }))),
}, { additionalProperties: false });

const shippingFields = {
  shipping_carrier: Type.Optional(Nullable(Text(100))),
  payment_terms: Type.Optional(StringEnum(PAYMENT_TERMS)),
  payment_status: Type.Optional(StringEnum(PAYMENT_STATUSES)),
  order_date: Type.Optional(Instant),
  expected_delivery_date: Type.Optional(Nullable(DateOrInstant)),
  note_to_supplier: Type.Optional(Nullable(Type.String({ maxLength: 2000, 'x-text': 'multiline' }))),
  // Any white space separates tracking numbers (domain/tracking.ts), so two numbers are named as such.
  tracking_number: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100, 'x-text': 'multiline' }))),
  currency_code: Type.Optional(Type.String({
    format: 'currency-code', description: 'ISO 4217 code in use, upper case, e.g. USD', 'x-message': CURRENCY_CODE_PROBLEM,
  })),
  reference_number: Type.Optional(Nullable(Text(100))),
};

export const PurchaseOrderBody = Type.Object({
  supplier_id: Text(64),
  warehouse_id: Text(64),
  products: Type.Array(Product, { minItems: 1, maxItems: 500 }),
  po_number: Type.Optional(PoNumber),
  request_date: Type.Optional(Nullable(Instant)),
  ship_to: Type.Optional(AddressInput),
  drop_ship: Type.Optional(Type.Boolean()),
  customer_name: Type.Optional(Nullable(Text(200))),
  customer_email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
  ...shippingFields,
}, { additionalProperties: false });

export const ShippingDetailsBody = Type.Object(shippingFields, { additionalProperties: false, minProperties: 1 });

export const StatusBody = Type.Object({ status: LifecycleStatus }, { additionalProperties: false });

export const ReceivesBody = Type.Object({
  product_receives: Type.Array(Type.Object({
    sku: Text(100),
    inventory_location_id: Type.Optional(Nullable(Text(64))),
    received_quantity: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    rejected_quantity: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    lot: Type.Optional(Nullable(Text(100))),
    expiration_date: Type.Optional(Nullable(DateOrInstant)),
  }, { additionalProperties: false }), { minItems: 1, maxItems: 500 }),
}, { additionalProperties: false });

export const IdParams = Type.Object({ purchase_order_id: Text(64) }, { additionalProperties: false });

export const ListQuery = Type.Object({
  order_number: Type.Optional(Text(100)),
  po_number: Type.Optional(Text(100)),
  status: Type.Optional(LifecycleStatus),
  warehouse_id: Type.Optional(Text(64)),
  supplier_id: Type.Optional(Text(64)),
  reference_number: Type.Optional(Text(100)),
  create_date_start: Type.Optional(Instant),
  modify_date_start: Type.Optional(Instant),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: 'From links.*.href; carries the filters' })),
}, { additionalProperties: false });

const ProductOut = Type.Object({
  sku: Type.String(), supplier_sku: Nullable(Type.String()), product_name: Type.String(), description: Nullable(Type.String()),
  quantity: Type.Integer(), cost: Type.Number(), received_quantity: Type.Integer(), rejected_quantity: Type.Integer(),
  fulfilment_status: Type.String(),
});

const headerOut = {
  purchase_order_id: Type.String(), order_number: Nullable(Type.String()), po_number: Type.String(), source: Type.String(),
  supplier_id: Nullable(Type.String()), supplier_name: Nullable(Type.String()), status: LifecycleStatus,
  order_date: Type.String(), request_date: Nullable(Type.String()), expected_delivery_date: Nullable(Type.String()),
  create_date: Type.String(), modify_date: Type.String(), payment_terms: Type.String(), payment_status: Type.String(),
  currency_code: Type.String(), shipping_carrier: Nullable(Type.String()), tracking_number: Nullable(Type.String()),
  reference_number: Nullable(Type.String()), warehouse_id: Nullable(Type.String()), note_to_supplier: Nullable(Type.String()),
  drop_ship: Type.Boolean(), customer_name: Nullable(Type.String()), customer_email: Nullable(Type.String()),
  ship_to: Nullable(Type.Object({}, { additionalProperties: true })),
};

export const PurchaseOrderOut = Type.Object({ ...headerOut, products: Type.Array(ProductOut) });

const Link = Nullable(Type.Object({ href: Type.String() }));
export const PurchaseOrderList = Type.Object({
  purchase_orders: Type.Array(Type.Object(headerOut)),
  total: Type.Integer(), page: Type.Integer(), pages: Type.Integer(),
  links: Type.Object({ first: Link, last: Link, prev: Link, next: Link }),
});

export const StatusOut = Type.Object({ purchase_order_id: Type.String(), status: LifecycleStatus });

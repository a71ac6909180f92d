// Reading supplier updates (DESIGN section 3): each update's wire shape is checked by its TypeBox schema
// (schemas.ts, with Ajv as every API body is), then its values are read with the project's one parser of each
// kind: timestamps (domain/timestamps.ts, UTC when no offset is given: suppliers' systems), amounts
// (domain/money.ts), tracking numbers (domain/tracking.ts). Numbers are read as their senders wrote them
// (domain/json-numbers.ts): an amount by its text, a quantity judged on its written value. A batch is validated
// whole; every problem names its index and field (`updates[3].shipped_date`).
import { createHash } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import { isCalendarDate } from '../dates.ts';
import { addExactNumberKeyword, withExactNumbers, writtenNumber } from '../json-numbers.ts';
import { anyCurrencyProblem, CURRENCY_CODE_PROBLEM, decimalOf, isCurrencyCode, parseAmount, PAYMENT_TERMS, unitsToText } from '../money.ts';
import { addTextKeyword, quoted, visible, withTextRule } from '../plain-text.ts';
import { problemsFromAjv, uncoveredRules, type AjvIssue } from '../schema-problems.ts';
import { parseTimestamp } from '../timestamps.ts';
import { splitTrackingNumbers } from '../tracking.ts';
import { canonicalJson, fingerprintOf } from './canonical.ts';
import { documentInvoiceSchema, documentOrderSchema, documentShipmentSchema, UPDATE_SCHEMAS } from './schemas.ts';
import {
  MAX_DOCUMENT_BYTES, UPDATE_TYPES, type FieldProblem, type InvoiceDocument, type InvoiceStatus, type LineQuantity,
  type OrderStatus, type ParsedUpdate, type SupplierUpdate, type TrackingStatus, type UpdateType,
} from './types.ts';

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
// Every text field is free text under the one rule (domain/plain-text.ts), as in every API body; `trimmed`, as
// Reader.text trims every value.
addTextKeyword(ajv);
// Quantities are judged on the value written (`2.0000000000000001` is no whole number), as in every API body.
addExactNumberKeyword(ajv);
const ruled = (schema: object) => withExactNumbers(withTextRule(schema, 'trimmed'));
// Their findings reach suppliers through problemsFromAjv: a pattern or format it would show as a regex stops the
// module loading instead (domain/schema-problems.ts uncoveredRules).
const uncovered = [...Object.values(UPDATE_SCHEMAS), documentOrderSchema(), documentInvoiceSchema(), documentShipmentSchema()].flatMap((schema) => uncoveredRules(schema));
if (uncovered.length > 0) throw new Error(`supplier update schemas: ${uncovered.join('; ')}`);
const validators = Object.fromEntries(UPDATE_TYPES.map((type) => [type, ajv.compile(ruled(UPDATE_SCHEMAS[type]))])) as
  Record<UpdateType, ValidateFunction>;
const validateDocumentOrder = ajv.compile(ruled(documentOrderSchema()));
const validateDocumentInvoice = ajv.compile(ruled(documentInvoiceSchema()));
const validateDocumentShipment = ajv.compile(ruled(documentShipmentSchema()));
const validateHead = ajv.compile(withTextRule({
  type: 'object',
  properties: { type: { enum: [...UPDATE_TYPES] }, po_number: (UPDATE_SCHEMAS.order as { properties: Record<string, unknown> }).properties.po_number },
  required: ['type', 'po_number'],
}, 'trimmed'));

/** The zone of a timestamp without an offset from a supplier's system (DESIGN 1: UTC for machine sources). */
export const SUPPLIER_UPDATE_ZONE = 'UTC';

/** Payment terms as the read API shows them (`Net 60 Days`) or as codes (`net_60`) → code; other text kept. */
export function normalizePaymentTerms(value: string): string {
  const text = value.trim();
  const lower = text.toLowerCase();
  if ((PAYMENT_TERMS as readonly string[]).includes(lower)) return lower;
  const net = /^net\s*(\d{1,3})(\s*days?)?$/i.exec(text);
  if (net) return `net_${Number(net[1])}`;
  const words: Record<string, string> = {
    'cash on delivery': 'cash_on_delivery', 'payment on receipt': 'payment_on_receipt', 'payment in advance': 'payment_in_advance',
  };
  return words[lower.replace(/\s+/g, ' ')] ?? text;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const PDF_MAGIC = Buffer.from('%PDF-');
const TRACKING_NUMBER = /^[A-Z0-9]{1,64}$/;
const MB = MAX_DOCUMENT_BYTES / (1024 * 1024);

/**
 * Values of one schema-valid update, read into their stored forms; problems go to `problem(field, message)`.
 * `received`: the update as parsed (`raw` may be a copy without the fields its schema faulted), whose numbers'
 * texts as written domain/json-numbers.ts keeps.
 */
class Reader {
  constructor(private readonly raw: Record<string, unknown>, private readonly problem: (field: string, message: string) => void,
    private readonly received: object = raw) {}

  text(name: string): string | null {
    const value = this.raw[name];
    return typeof value === 'string' ? value.trim() : null;
  }

  date(name: string): string | null {
    const value = this.text(name);
    if (value !== null && !isCalendarDate(value)) this.problem(name, `"${value}" is not a calendar date (YYYY-MM-DD, years 0001–9999)`);
    return value;
  }

  instant(name: string): string | null {
    const value = this.text(name);
    if (value === null) return null;
    const result = parseTimestamp(value, { zone: SUPPLIER_UPDATE_ZONE });
    if (!result.ok) {
      this.problem(name, `${result.reason}; an ISO 8601 / RFC 3339 date-time, UTC unless it has an offset`);
      return null;
    }
    return result.instant;
  }

  trackingNumber(): string | null {
    // Absent only when the schema already named it (missing, or left out as malformed).
    const value = this.text('tracking_number');
    if (value === null) return null;
    // A number a script or spreadsheet wrote as a float (`789012345678.0`, pandas' way with a numeric column): its dot
    // is no formatting, and dropping it makes another parcel's number (FedEx 7890123456780). CSV cells meet the same
    // rule before this reader (ingest/csv/excel-cells.ts); JSON and X12 meet it here.
    if (/^\d+[.,]0+$/.test(value.trim())) {
      this.problem('tracking_number', `${quoted(value)} is written as a number with decimals, as a script writes a number it read as a ` +
        'float (its dot is no formatting: dropped, it gives another parcel\'s number); send the number as the carrier prints it');
      return null;
    }
    const numbers = splitTrackingNumbers(value);
    if (numbers.length > 1) {
      this.problem('tracking_number', `holds ${numbers.length} tracking numbers (${numbers.join(', ')}): send one update per tracking number`);
      return null;
    }
    if (numbers.length === 0 || !TRACKING_NUMBER.test(numbers[0])) {
      this.problem('tracking_number', 'must be 1–64 letters, digits (spaces, dashes and dots are formatting and ignored)');
      return null;
    }
    // Every carrier's number has digits; a word is what exports write for a parcel not shipped yet (`Pending`, `TBD`,
    // `NA`, `None`), which would otherwise become a shipment of that name carrying the row's items.
    if (!/\d/.test(numbers[0])) {
      this.problem('tracking_number', `${quoted(value)} is no tracking number (it has no digit): a parcel not shipped yet has none; leave it out`);
      return null;
    }
    return numbers[0];
  }

  lines(): LineQuantity[] | null {
    const value = this.raw.lines as LineQuantity[] | null | undefined;
    if (!value) return null;
    const seen = new Set<string>();
    return value.map(({ sku, quantity, also }, i) => {
      const trimmed = sku.trim();
      if (seen.has(trimmed)) this.problem(`lines[${i}].sku`, `"${trimmed}" appears more than once in lines`);
      seen.add(trimmed);
      // A document line's other part ids (types.ts LineQuantity), kept only when it has some.
      const others = also?.map((id) => id.trim()).filter((id) => id !== trimmed);
      return others && others.length > 0 ? { sku: trimmed, quantity, also: others } : { sku: trimmed, quantity };
    });
  }

  /**
   * An amount's exact decimal text, read from the number as written (`1e-400`, never the 0 its double is): with a
   * currency, checked against its decimals and cap; without one (the PO's, known when applied), against every
   * currency's, so what no currency can hold (`100.00000000000000001`) is refused now, never held in another form.
   */
  amount(name: string, currency: string | null): string {
    if (this.raw[name] === undefined || this.raw[name] === null) return '0';
    const written = writtenNumber(this.received, name);
    // A currency that is no code in use is named at its own field: its decimals are not known, so only what no
    // currency can hold is said here.
    const result = currency !== null && isCurrencyCode(currency) ? parseAmount(written, currency) : null;
    const problem = result && !result.ok ? result.reason : anyCurrencyProblem(written);
    if (problem !== null) this.problem(name, problem);
    const decimal = problem === null ? decimalOf(written as number | string) : null;
    return decimal ? unitsToText(decimal.units, decimal.scale) : '0';
  }

  /** `document_pdf_base64`: base64 (line breaks allowed, an optional data: prefix) of a PDF file. */
  pdf(): InvoiceDocument | null {
    const name = 'document_pdf_base64';
    const raw = this.raw[name];
    if (typeof raw !== 'string') return null;
    const fail = (message: string) => {
      this.problem(name, message);
      return null;
    };
    const text = raw.replace(/^data:application\/pdf;base64,/i, '').replace(/\s+/g, '');
    if (text.length === 0) return fail('must not be empty');
    if (text.length % 4 !== 0 || !BASE64.test(text)) return fail('is not valid base64');
    if ((text.length / 4) * 3 > MAX_DOCUMENT_BYTES + 2) return fail(`decodes to more than ${MB} MB`);
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length > MAX_DOCUMENT_BYTES) return fail(`decodes to more than ${MB} MB`);
    if (bytes.length < PDF_MAGIC.length || !bytes.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) {
      return fail('is not a PDF (the decoded bytes must start with %PDF-)');
    }
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
}

/**
 * Exact sum check of decimal texts (BigInt at the largest scale; a part may be negative): total = the parts' sum
 * (an invoice's subtotal + tax + shipping; an X12 810's TDS01 against its lines, charges and tax, ingest/x12).
 */
export function sumMatches(parts: string[], total: string): { ok: boolean; sum: string } {
  const scale = Math.max(...[...parts, total].map((p) => (p.split('.')[1] ?? '').length));
  const units = (p: string) => BigInt(p.replace('.', '') + '0'.repeat(scale - (p.split('.')[1] ?? '').length));
  const sum = parts.reduce((s, p) => s + units(p), 0n);
  // The sum's exact text with at least two decimals: a JSON number such as 5e-324 has hundreds of them, more than
  // Number#toFixed takes (it threw, a 500), and a float would round what must be shown exactly.
  const shown = Math.max(2, scale);
  return { ok: sum === units(total), sum: unitsToText(sum * 10n ** BigInt(shown - scale), shown) };
}

/**
 * The one check of an invoice's total against its parts, and its one wording, for every format that carries one
 * (the JSON API's update, a CSV invoice row): null when `total` is the exact sum of `parts` (decimal texts, see
 * sumMatches), else `must equal subtotal_amount + tax_amount + shipping_amount (105.00), not 105.01`. Each part
 * and the total are named and shown as their sender wrote them (JSON fields and numbers; CSV columns as the file
 * spells them and cells quoted), so the reason speaks the sender's words; the sum is exact, at least 2 decimals.
 */
export function invoiceTotalProblem(parts: readonly { name: string; amount: string }[], total: { amount: string; shown: string }):
  string | null {
  const check = sumMatches(parts.map((part) => part.amount), total.amount);
  // Cut as every quoted value is (60 characters): 5e-324 written out has 324 decimals.
  return check.ok ? null : `must equal ${parts.map((part) => part.name).join(' + ')} (${visible(check.sum, 60)}), not ${total.shown}`;
}

/**
 * One update's values in their stored forms, problems to `problem`. `malformed`: fields its schema faulted, left out
 * of `raw`; checks that need one of them (the invoice's sum) are skipped, as the fault is already named.
 */
function readUpdate(type: UpdateType, raw: Record<string, unknown>, problem: (field: string, message: string) => void,
  malformed: ReadonlySet<string>, received: object): SupplierUpdate {
  const r = new Reader(raw, problem, received);
  const po_number = r.text('po_number')!;
  switch (type) {
    case 'order':
      return {
        type, po_number, supplier_order_id: r.text('supplier_order_id')!, supplier_name: r.text('supplier_name'),
        status: raw.status as OrderStatus, lines: r.lines(), estimated_delivery_date: r.date('estimated_delivery_date'),
      };
    case 'shipment':
      return {
        type, po_number, supplier_order_id: r.text('supplier_order_id'), tracking_number: r.trackingNumber() ?? '',
        carrier: r.text('carrier')?.toLowerCase() ?? null, shipped_at: r.instant('shipped_date'),
        estimated_delivery_date: r.date('estimated_delivery_date'), lines: r.lines(),
      };
    case 'tracking_event':
      return {
        type, po_number, tracking_number: r.trackingNumber() ?? '', status: raw.status as TrackingStatus, message: r.text('message'),
        location: r.text('location'), occurred_at: r.instant('timestamp') ?? '',
      };
    case 'invoice': {
      const currency = r.text('currency')?.toUpperCase() ?? null;
      // Any three letters are not a currency (`ZZZ`): refused here, so CSV and X12 invoices (read into these
      // updates) reject that row or set with the same reason.
      if (currency !== null && !isCurrencyCode(currency)) problem('currency', `${CURRENCY_CODE_PROBLEM}, not "${currency}"`);
      const invoice_date = r.date('invoice_date');
      const due_date = r.date('due_date');
      // Compared only when both are calendar dates (a date that is not was already named).
      if (invoice_date && due_date && isCalendarDate(invoice_date) && isCalendarDate(due_date) && due_date < invoice_date) {
        problem('due_date', 'must not be before invoice_date');
      }
      let amountProblems = 0;
      const counted = (field: string, message: string) => {
        amountProblems++;
        problem(field, message);
      };
      const amountReader = new Reader(raw, counted, received);
      const amounts = {
        subtotal: amountReader.amount('subtotal_amount', currency), tax: amountReader.amount('tax_amount', currency),
        shipping: amountReader.amount('shipping_amount', currency), total: amountReader.amount('total_amount', currency),
      };
      const summed = ['subtotal_amount', 'tax_amount', 'shipping_amount', 'total_amount'];
      const required = ['subtotal_amount', 'total_amount'];
      // A sum with a faulted or missing part would blame total_amount for another field's fault.
      if (amountProblems === 0 && !summed.some((f) => malformed.has(f)) && required.every((f) => typeof raw[f] === 'number')) {
        const mismatch = invoiceTotalProblem([{ name: 'subtotal_amount', amount: amounts.subtotal }, { name: 'tax_amount', amount: amounts.tax },
          { name: 'shipping_amount', amount: amounts.shipping }], { amount: amounts.total, shown: visible(amounts.total, 60) });
        if (mismatch !== null) problem('total_amount', mismatch);
      }
      const terms = r.text('payment_terms');
      return {
        type, po_number, supplier_order_id: r.text('supplier_order_id'), supplier_name: r.text('supplier_name'),
        invoice_number: r.text('invoice_number')!, invoice_date, due_date, payment_terms: terms ? normalizePaymentTerms(terms) : null,
        amounts, currency, status: (raw.status as InvoiceStatus | null | undefined) ?? null, document: r.pdf(),
        // Only a document's invoice has lines (documentInvoiceSchema); the JSON API's schema refuses them.
        ...(raw.lines != null ? { lines: r.lines() } : {}),
      };
    }
  }
}

/** The top-level fields of an update that its schema found at fault (`/lines/2/quantity` → `lines`). */
function malformedFields(issues: readonly AjvIssue[]): Set<string> {
  const fields = new Set<string>();
  for (const issue of issues) {
    const first = issue.instancePath.split('/')[1];
    if (first !== undefined && first !== '') fields.add(first.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return fields;
}

const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);

/**
 * One update (`path` names it in problems, e.g. `updates[3]`); undefined when it has problems.
 * `options.fromDocument`: read from a supplier document (or held from one), where an `order` may leave its supplier
 * unnamed (the PO's supplier then: an 855 without N1); the JSON API requires supplier_name.
 */
export function parseSupplierUpdate(raw: unknown, path: string, problems: FieldProblem[], options: { fromDocument?: boolean } = {}):
  ParsedUpdate | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ field: path, message: `must be an object, not ${kindOf(raw)}` });
    return undefined;
  }
  const record = raw as Record<string, unknown>;
  // Without a known type there is no schema to check the rest by; with one, its schema also checks po_number.
  if (!(UPDATE_TYPES as readonly unknown[]).includes(record.type)) {
    validateHead(record);
    problems.push(...problemsFromAjv((validateHead.errors ?? []) as AjvIssue[], path));
    return undefined;
  }
  const type = record.type as UpdateType;
  const validate = !options.fromDocument ? validators[type] : type === 'order' ? validateDocumentOrder :
    type === 'invoice' ? validateDocumentInvoice : type === 'shipment' ? validateDocumentShipment : validators[type];
  const wellFormed = validate(record);
  if (!wellFormed) problems.push(...problemsFromAjv(validate.errors as AjvIssue[], path));
  // The checks after the schema (dates, instants, amounts, tracking numbers, the PDF) run even when it found faults,
  // on the fields it passed, so one 400 lists every fault of the update instead of one round each (DESIGN 3: a
  // malformed batch is one 400 naming each bad index and field). A field the schema faulted is left out of them.
  const malformed = wellFormed ? new Set<string>() : malformedFields(validate.errors as AjvIssue[]);
  const readable = malformed.size === 0 ? record : Object.fromEntries(Object.entries(record).filter(([name]) => !malformed.has(name)));
  const before = problems.length;
  const update = readUpdate(type, readable, (field, message) => problems.push({ field: `${path}.${field}`, message }), malformed, record);
  if (!wellFormed || problems.length > before) return undefined;
  const canonical = canonicalJson(record);
  return { update, canonical, fingerprint: fingerprintOf(canonical) };
}

/** A whole batch: every update, or every problem (fields named `updates[i].field`). */
export function parseSupplierUpdates(raw: readonly unknown[]):
  { ok: true; updates: ParsedUpdate[] } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const updates: ParsedUpdate[] = [];
  raw.forEach((item, index) => {
    const parsed = parseSupplierUpdate(item, `updates[${index}]`, problems);
    if (parsed) updates.push(parsed);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, updates };
}

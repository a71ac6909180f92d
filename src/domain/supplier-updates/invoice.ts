// Planning an `invoice` update (DESIGN section 3 and 2.5): the invoice's fields, its amounts read into minor
// units of its currency (else the PO's: DESIGN 1), and its PDF when one came.
import { quoted } from '../plain-text.ts';
import { currencyExponent, isCurrencyCode, parseAmount, unknownDecimalsProblem } from '../money.ts';
import {
  clone, namedTwice, notOnPo, partLines, reject, setCover, settleLines, settleSupplierOrders, sumOf, supplierLabel, suppliersNamed, poSuppliersText,
  type LineCover, type Plan, type PlanContext, type PoSnapshot, type SnapshotLine,
} from './snapshot.ts';
import type { InvoiceUpdate } from './types.ts';

export function planInvoice(s: PoSnapshot, u: InvoiceUpdate, ctx: PlanContext): Plan {
  const order = u.supplier_order_id ? s.supplierOrders.find((o) => o.supplier_order_id === u.supplier_order_id) : undefined;
  let supplierId: string | null;
  if (u.supplier_name) {
    const named = suppliersNamed(u.supplier_name, ctx);
    const onPo = named.find((id) => s.lines.some((l) => l.supplier_id === id));
    if (onPo) supplierId = onPo;
    else if (s.lines.some((l) => l.supplier_id === null)) supplierId = named[0] ?? null;
    else return reject(`Supplier "${u.supplier_name}" supplies no line of PO ${s.po_number}${poSuppliersText(s, ctx)}.`, 'supplier_name');
  } else {
    supplierId = order?.supplier_id ?? s.supplier_id;
  }
  // Each line billed (an 810's IT1) is a line of the PO, billed no more than ordered (DESIGN 3): a line bills
  // units of the PO line, so beyond its quantity is a wrong invoice, refused naming the element (IT102, IT107).
  const named = new Map<string, number>();
  for (const [i, { quantity, ...part }] of (u.lines ?? []).entries()) {
    const { candidates, sku } = partLines(s, part);
    if (candidates.length === 0) return reject(notOnPo(s, part), `lines[${i}].sku`);
    const twice = namedTwice(named, candidates[0].id, i, u.lines!);
    if (twice) return reject(twice, `lines[${i}].sku`);
    const ordered = candidates.reduce((sum, l) => sum + l.quantity, 0);
    if (quantity > ordered) {
      return reject(`SKU "${sku}": invoicing ${quantity} is more than the ${ordered} ordered on PO ${s.po_number}.`, `lines[${i}].quantity`);
    }
  }
  // Amounts are minor units of the invoice's currency, else of the PO's (DESIGN 1): only now is that known.
  const currency = u.currency ?? s.invoices.find((i) => i.invoice_number === u.invoice_number)?.currency ?? s.currency;
  // A CSV amount written `$5` on a EUR PO is not euros: the symbol must be one the currency is written with.
  const mark = u.currencyMark;
  if (mark && u.currency === null && !mark.currencies.includes(currency)) {
    return reject(`${mark.column}: ${quoted(mark.text)} is written in ${mark.symbol} (${mark.currencies.slice(0, 4).join(', ')}` +
      `${mark.currencies.length > 4 ? ', …' : ''}), not PO ${s.po_number}'s currency ${currency}: add a Currency column naming the invoice's currency.`,
    'currency');
  }
  // The row's other cells named one currency (`C$5`), and this symbol (`$5`) reads as the PO's currency, another one.
  if (mark && u.currency !== null && mark.currencies.includes(s.currency) && s.currency !== u.currency) {
    return reject(`${mark.column}: ${quoted(mark.text)} is written in ${mark.symbol}, which on PO ${s.po_number} is its currency ` +
      `${s.currency}, but the row's other amounts are in ${u.currency}: one invoice has one currency (or add a Currency column).`, 'currency');
  }
  // The PO's currency (a synced PO keeps what its upstream said) may be no code whose decimals are known (`XAU`):
  // its amounts are never read as if it had two.
  if (u.currency === null && !isCurrencyCode(currency)) {
    const source = u.amountSources?.total ?? u.amountSources?.subtotal;
    return reject(`${source ? `${source.name}: ${quoted(source.text)}` : `total_amount ${u.amounts.total}`} ${unknownDecimalsProblem(currency)}, ` +
      `the currency of PO ${s.po_number}${u.amountSources ? ': add a Currency column naming the invoice\'s currency' : ': send the invoice\'s currency'}.`, 'currency');
  }
  const minor: Record<keyof InvoiceUpdate['amounts'], number> = { subtotal: 0, tax: 0, shipping: 0, total: 0 };
  // Amounts a document's reader found in its own cells are checked first: a derived one (a CSV subtotal worked out
  // from its total) is at fault only through them, and the reason should name the cell the supplier wrote. Every
  // amount at fault is named, so the sender fixes them in one pass.
  const keys = (['subtotal', 'tax', 'shipping', 'total'] as const).slice()
    .sort((a, b) => Number(!u.amountSources?.[a]) - Number(!u.amountSources?.[b]));
  const faults: { reason: string; at: string }[] = [];
  for (const key of keys) {
    const source = u.amountSources?.[key];
    if (faults.length > 0 && !source) break;
    // `12.345` in a CSV without a currency: the decimal mark in a three-decimal currency (KWD), else either reading.
    if (source?.ambiguous && currencyExponent(currency) !== 3) {
      faults.push({ reason: `${source.name}: ${source.ambiguous} (PO ${s.po_number}'s currency ${currency} has ` +
        `${currencyExponent(currency)} decimals; in a currency with three, such as KWD, it reads as decimals)`, at: `${key}_amount` });
      continue;
    }
    const result = parseAmount(u.amounts[key], currency);
    if (!result.ok) {
      faults.push({ reason: source ? `${source.name}: ${quoted(source.text)} ${result.reason}` : `${key}_amount ${u.amounts[key]} ${result.reason}`,
        at: `${key}_amount` });
      continue;
    }
    minor[key] = result.minor;
  }
  if (faults.length > 0) return reject(`${faults.map((f) => f.reason).join('; ')}.`, faults[0].at);
  const existing = s.invoices.find((i) => i.invoice_number === u.invoice_number);
  const next = clone(s);
  const fields = {
    supplier_id: supplierId,
    supplier_order_id: u.supplier_order_id ?? existing?.supplier_order_id ?? null,
    invoice_date: u.invoice_date ?? existing?.invoice_date ?? null,
    due_date: u.due_date ?? existing?.due_date ?? null,
    payment_terms: u.payment_terms ?? existing?.payment_terms ?? null,
    subtotal_cents: minor.subtotal,
    tax_cents: minor.tax,
    shipping_cents: minor.shipping,
    total_cents: minor.total,
    currency: u.currency ?? existing?.currency ?? s.currency,
    status: u.status ?? existing?.status ?? 'open',
  };
  const document = u.document && u.document.sha256 !== existing?.document_sha256
    ? { document_id: null, document_sha256: u.document.sha256 }
    : { document_id: existing?.document_id ?? null, document_sha256: existing?.document_sha256 ?? null };
  if (existing) {
    Object.assign(next.invoices.find((i) => i.id === existing.id)!, fields, document);
  } else {
    next.invoices.push({ id: ctx.newId('inv'), invoice_number: u.invoice_number, ...fields, ...document });
  }
  return { ok: true, next };
}

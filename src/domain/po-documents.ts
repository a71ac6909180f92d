// Which PO documents exist in which lifecycle status (DESIGN section 3): the order summary once the PO has
// been sent (open onward, not cancelled), the received summary once something has been received.
import type { LifecycleStatus } from './lifecycle.ts';

export const PO_DOCUMENT_KINDS = ['order_summary', 'received_summary'] as const;
export type PoDocumentKind = (typeof PO_DOCUMENT_KINDS)[number];

const AVAILABLE_IN: Record<PoDocumentKind, readonly LifecycleStatus[]> = {
  order_summary: ['open', 'receiving', 'received', 'closed'],
  received_summary: ['receiving', 'received', 'closed'],
};

const NAMES: Record<PoDocumentKind, string> = { order_summary: 'order summary', received_summary: 'received summary' };

export function isPoDocumentAvailable(kind: PoDocumentKind, status: string): boolean {
  return (AVAILABLE_IN[kind] as readonly string[]).includes(status);
}

/** The sentence a 409 gives: names the current status and the statuses that have the document. */
export function poDocumentUnavailableMessage(kind: PoDocumentKind, status: string): string {
  const statuses = AVAILABLE_IN[kind];
  return `The purchase order is ${status}; its ${NAMES[kind]} is available only when it is ` +
    `${statuses.slice(0, -1).join(', ')} or ${statuses.at(-1)}.`;
}

/** `PO-1001-order-summary.pdf`: the PO number kept to characters safe in any file name. */
export function poDocumentFilename(kind: PoDocumentKind, poNumber: string): string {
  const safe = poNumber.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 100) || 'purchase-order';
  return `${safe}-${kind.replace('_', '-')}.pdf`;
}

// The retailer's side of a PO (DESIGN section 3): draft → open → receiving → received → closed, or cancelled.
// Pure rules: which moves are legal, and what a receipt does to the lines and the status.

export const LIFECYCLE_STATUSES = ['draft', 'open', 'receiving', 'received', 'closed', 'cancelled'] as const;
export type LifecycleStatus = (typeof LIFECYCLE_STATUSES)[number];

/** Moves a client may ask for with POST …/status; receiving and received are reached by receipts only. */
const LEGAL_MOVES: Record<LifecycleStatus, readonly LifecycleStatus[]> = {
  draft: ['open', 'cancelled'],
  open: ['cancelled', 'closed'],
  receiving: ['closed'],
  received: ['closed'],
  closed: [],
  cancelled: [],
};

export function isLegalMove(from: LifecycleStatus, to: LifecycleStatus): boolean {
  return LEGAL_MOVES[from].includes(to);
}

/** The statuses a client may move a PO to from `from` (the console offers exactly these). */
export function legalMoves(from: LifecycleStatus): readonly LifecycleStatus[] {
  return LEGAL_MOVES[from];
}

/** Receipts are accepted while a PO is open or part-received. */
const RECEIVABLE: readonly LifecycleStatus[] = ['open', 'receiving'];

export function canReceive(status: LifecycleStatus): boolean {
  return RECEIVABLE.includes(status);
}

/** The sentence a 409 gives for an illegal move. */
export function illegalMoveMessage(from: LifecycleStatus, to: LifecycleStatus): string {
  const allowed = LEGAL_MOVES[from];
  return `The purchase order is ${from}; it cannot move to ${to}` +
    (allowed.length ? ` (from ${from} it can move to ${allowed.join(' or ')}).` : ` (${from} is final).`);
}

export interface ReceivableLine {
  id: string;
  sku: string;
  quantity: number;
  received_quantity: number;
  rejected_quantity: number;
  cancelled: boolean;
}

export interface ReceiveRequest {
  sku: string;
  received_quantity: number;
  rejected_quantity: number;
}

export type ReceivePlan =
  | { ok: true; lines: { id: string; received_quantity: number; rejected_quantity: number }[]; status: LifecycleStatus }
  | { ok: false; conflict: boolean; field: string; message: string };

/**
 * Applies receipts to the lines: every sku must be on the PO, nothing may take a line past its ordered
 * quantity (received + rejected ≤ ordered), and the PO becomes received when every live line is accounted for.
 */
export function planReceipt(status: LifecycleStatus, lines: ReceivableLine[], receives: ReceiveRequest[]): ReceivePlan {
  if (!canReceive(status)) {
    return { ok: false, conflict: true, field: 'status', message: `The purchase order is ${status}; only open or receiving purchase orders can be received.` };
  }
  const next = new Map(lines.map((line) => [line.sku, { ...line }]));
  for (const [index, receive] of receives.entries()) {
    const line = next.get(receive.sku);
    const field = `body.product_receives[${index}]`;
    if (!line) return { ok: false, conflict: false, field: `${field}.sku`, message: `"${receive.sku}" is not a product of this purchase order` };
    if (line.cancelled) return { ok: false, conflict: true, field: `${field}.sku`, message: `"${receive.sku}" is cancelled and cannot be received` };
    if (receive.received_quantity + receive.rejected_quantity <= 0) {
      return { ok: false, conflict: false, field, message: 'received_quantity or rejected_quantity must be greater than 0' };
    }
    line.received_quantity += receive.received_quantity;
    line.rejected_quantity += receive.rejected_quantity;
    const accounted = line.received_quantity + line.rejected_quantity;
    if (accounted > line.quantity) {
      return {
        ok: false, conflict: true, field,
        message: `"${receive.sku}": ${accounted} would be received or rejected but only ${line.quantity} were ordered`,
      };
    }
  }
  const changed = [...next.values()];
  const complete = changed.every((line) => line.cancelled || line.received_quantity + line.rejected_quantity >= line.quantity);
  return {
    ok: true,
    lines: changed.map(({ id, received_quantity, rejected_quantity }) => ({ id, received_quantity, rejected_quantity })),
    status: complete ? 'received' : 'receiving',
  };
}

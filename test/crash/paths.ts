// The write paths the kill harness drives (harness.ts). Each client walks its path step by step, one request at
// a time, and `check` compares the database with what the client was told.
//
// Adding a path (supplier documents, webhook endpoints and deliveries, …): write a CrashPath — `setup` for what it
// needs, `next` for the client's next request from its state, `acknowledged` to advance that state after a 2xx,
// `check` returning one sentence per broken expectation — and add it to CRASH_PATHS. Every request it makes is
// retried after kills and replayed at the end by the harness; invariants.ts checks the whole database after.
import type { Db } from '../../src/db/database.ts';
import type { Ack, ClientState, CrashPath, HarnessContext, Op } from './harness.ts';
import { supplierDocumentsPath } from './paths-documents.ts';
import { webhookDeliveriesPath, type WebhookReceiver } from './paths-webhooks.ts';

export interface PathDatabase {
  db: Db;
}

const SKUS = ['GT2-9', 'PROV1', 'TP5X', 'CHR-3', 'SPN-58'];

export function postJson(context: HarnessContext, url: string, body: unknown, key: string): Promise<Response> {
  return fetch(`${context.baseUrl}${url}`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'x-api-key': context.apiKey, 'content-type': 'application/json', 'idempotency-key': key },
  });
}

/** PO lifecycle: create (1–3 lines), open, receive part, receive the rest, close; then the next PO. */
interface LifecyclePo {
  id: string;
  reference: string;
  products: { sku: string; quantity: number }[];
  status: string;
  received: Record<string, number>;
}

const LIFECYCLE_STEPS = ['create', 'open', 'receive part', 'receive rest', 'close'] as const;

export function lifecyclePath(db: Db): CrashPath {
  return {
    name: 'lifecycle',
    next(state, context) {
      const pos = (state.pos ??= []) as LifecyclePo[];
      const step = (state.step ?? 0) as number;
      const n = pos.length - (step === 0 ? 0 : 1);
      const key = `life-${state.client}-${n}-${step}`;
      if (step === 0) {
        const count = 1 + Math.floor(context.random() * 3);
        const products = SKUS.slice(0, count).map((sku) => ({ sku, supplier_sku: `S-${sku}`, quantity: 2 + Math.floor(context.random() * 4), cost: 12.5 }));
        return {
          key, url: '/api/v2/purchase_orders',
          body: { supplier_id: context.fixtures.supplierId, warehouse_id: context.fixtures.warehouseId, products, reference_number: `L-${state.client}-${n}` },
        };
      }
      const po = pos[pos.length - 1];
      const base = `/api/v2/purchase_orders/${po.id}`;
      if (step === 1) return { key, url: `${base}/status`, body: { status: 'open' } };
      if (step === 2) return { key, url: `${base}/receives`, body: { product_receives: [{ sku: po.products[0].sku, received_quantity: 1 }] } };
      if (step === 3) {
        const rest = po.products.map((p) => ({ sku: p.sku, received_quantity: p.quantity - (po.received[p.sku] ?? 0) }))
          .filter((r) => r.received_quantity > 0);
        return { key, url: `${base}/receives`, body: { product_receives: rest } };
      }
      return { key, url: `${base}/status`, body: { status: 'closed' } };
    },
    acknowledged(state, op: Op, ack: Ack) {
      const pos = state.pos as LifecyclePo[];
      const step = (state.step ?? 0) as number;
      if (step === 0) {
        const body = op.body as { reference_number: string; products: { sku: string; quantity: number }[] };
        pos.push({ id: ack.body.purchase_order_id, reference: body.reference_number, products: body.products, status: 'draft', received: {} });
      } else {
        const po = pos[pos.length - 1];
        if (step === 2 || step === 3) {
          for (const r of (op.body as { product_receives: { sku: string; received_quantity: number }[] }).product_receives) {
            po.received[r.sku] = (po.received[r.sku] ?? 0) + r.received_quantity;
          }
        }
        po.status = ack.body.status;
      }
      state.step = (step + 1) % LIFECYCLE_STEPS.length;
    },
    async check(states) {
      const problems: string[] = [];
      for (const state of states) {
        for (const po of (state.pos ?? []) as LifecyclePo[]) {
          const twins = await db.selectFrom('purchase_orders').select(['id', 'status']).where('reference_number', '=', po.reference).execute();
          if (twins.length !== 1) {
            problems.push(`lifecycle: ${twins.length} POs with reference ${po.reference} (one was acknowledged)`);
            continue;
          }
          if (twins[0].id !== po.id) problems.push(`lifecycle: ${po.reference} is ${twins[0].id}, the client was told ${po.id}`);
          if (twins[0].status !== po.status) problems.push(`lifecycle: ${po.id} is ${twins[0].status}, acknowledged ${po.status}`);
          const lines = await db.selectFrom('po_lines').select(['sku', 'quantity', 'received_quantity']).where('po_id', '=', po.id).orderBy('line_no').execute();
          const want = po.products.map((p) => [p.sku, p.quantity, po.received[p.sku] ?? 0]);
          const have = lines.map((l) => [l.sku, l.quantity, l.received_quantity]);
          if (JSON.stringify(have) !== JSON.stringify(want)) problems.push(`lifecycle: ${po.id} lines ${JSON.stringify(have)}, acknowledged ${JSON.stringify(want)}`);
          const receipts = await db.selectFrom('receipts').select((eb) => eb.fn.sum<number>('received_quantity').as('n')).where('po_id', '=', po.id).executeTakeFirst();
          const received = Object.values(po.received).reduce((a, b) => a + b, 0);
          if (Number(receipts?.n ?? 0) !== received) problems.push(`lifecycle: ${po.id} receipts sum ${receipts?.n}, acknowledged ${received}`);
        }
      }
      const created = states.reduce((n, s) => n + ((s.pos ?? []) as LifecyclePo[]).length, 0);
      const all = await db.selectFrom('purchase_orders').select('id').where('reference_number', 'like', 'L-%').execute();
      if (all.length !== created) problems.push(`lifecycle: ${all.length} POs in the database, ${created} creates acknowledged`);
      return problems;
    },
  };
}

/** Supplier updates: one PO per client; each step ships one unit under a new tracking number with a checkpoint. */
export function supplierUpdatesPath(db: Db, clients: number): CrashPath {
  const poNumber = (client: number) => `SU-${client}`;
  return {
    name: 'supplier updates',
    async setup(context) {
      for (let client = 0; client < clients; client++) {
        const created = await postJson(context, '/api/v2/purchase_orders', {
          supplier_id: context.fixtures.supplierId, warehouse_id: context.fixtures.warehouseId, po_number: poNumber(client),
          products: [{ sku: 'SU-1', supplier_sku: 'S-SU-1', quantity: 100_000, cost: 1 }],
        }, `setup-su-${client}`);
        if (created.status !== 201) throw new Error(`setup: ${created.status} ${await created.text()}`);
        const { purchase_order_id: id } = await created.json() as { purchase_order_id: string };
        const opened = await postJson(context, `/api/v2/purchase_orders/${id}/status`, { status: 'open' }, `setup-su-open-${client}`);
        if (opened.status !== 200) throw new Error(`setup: ${opened.status} ${await opened.text()}`);
      }
    },
    next(state) {
      const k = (state.k ?? 0) as number;
      const tracking = `CRASH${state.client}X${k}`;
      return {
        key: `su-${state.client}-${k}`, url: '/api/v2/supplier_updates',
        body: { updates: [
          { type: 'shipment', po_number: poNumber(state.client), supplier_order_id: `SO-${state.client}`, tracking_number: tracking,
            carrier: 'fedex', shipped_date: '2026-11-20T15:04:00Z', estimated_delivery_date: '2026-11-25', lines: [{ sku: 'SU-1', quantity: 1 }] },
          { type: 'tracking_event', po_number: poNumber(state.client), tracking_number: tracking, status: 'in transit',
            message: `Departed ${k}`, location: 'Memphis, TN', timestamp: '2026-11-21T10:00:00Z' },
        ] },
      };
    },
    acknowledged(state, _op, ack) {
      const results = (ack.body.results as { result: string }[]).map((r) => r.result);
      if (results.some((r) => r !== 'applied')) state.problems.push(`supplier updates: step ${state.k} answered ${results.join(', ')}`);
      state.k = ((state.k ?? 0) as number) + 1;
    },
    async check(states) {
      const problems: string[] = [];
      for (const state of states) {
        const po = await db.selectFrom('purchase_orders').select('id').where('po_number', '=', poNumber(state.client)).executeTakeFirstOrThrow();
        const shipments = await db.selectFrom('shipments').select(['id', 'tracking_number']).where('po_id', '=', po.id).execute();
        const acked = (state.k ?? 0) as number;
        if (shipments.length !== acked) problems.push(`supplier updates: ${po.id} has ${shipments.length} shipments, ${acked} acknowledged`);
        if (new Set(shipments.map((s) => s.tracking_number)).size !== shipments.length) problems.push(`supplier updates: ${po.id} has a tracking number twice`);
        for (const shipment of shipments) {
          const [checkpoints, lines] = await Promise.all([
            db.selectFrom('checkpoints').select('id').where('shipment_id', '=', shipment.id).execute(),
            db.selectFrom('shipment_lines').select('quantity').where('shipment_id', '=', shipment.id).execute(),
          ]);
          if (checkpoints.length !== 1 || lines.length !== 1 || lines[0].quantity !== 1) {
            problems.push(`supplier updates: shipment ${shipment.tracking_number} has ${checkpoints.length} checkpoints and lines ${JSON.stringify(lines)}`);
          }
        }
      }
      return problems;
    },
  };
}

/** Held updates: an order acknowledgement for a PO number not yet known (held), then that PO created (applied). */
export function heldUpdatesPath(db: Db): CrashPath {
  const poNumber = (state: ClientState, n: number) => `HD-${state.client}-${n}`;
  return {
    name: 'held updates',
    next(state, context) {
      const n = (state.n ?? 0) as number;
      const step = (state.step ?? 0) as number;
      if (step === 0) {
        return {
          key: `held-${state.client}-${n}-0`, url: '/api/v2/supplier_updates',
          body: { updates: [{ type: 'order', po_number: poNumber(state, n), supplier_order_id: `HSO-${state.client}-${n}`,
            supplier_name: context.fixtures.supplierName, status: 'confirmed' }] },
        };
      }
      return {
        key: `held-${state.client}-${n}-1`, url: '/api/v2/purchase_orders',
        body: { supplier_id: context.fixtures.supplierId, warehouse_id: context.fixtures.warehouseId, po_number: poNumber(state, n),
          products: [{ sku: 'H-1', supplier_sku: 'S-H-1', quantity: 2, cost: 3 }, { sku: 'H-2', supplier_sku: 'S-H-2', quantity: 1, cost: 4 }] },
      };
    },
    acknowledged(state, _op, ack) {
      const step = (state.step ?? 0) as number;
      if (step === 0) {
        const result = ack.body.results[0].result;
        if (result !== 'unmatched') state.problems.push(`held updates: the update for a new PO number was ${result}`);
        state.step = 1;
      } else {
        state.step = 0;
        state.n = ((state.n ?? 0) as number) + 1;
      }
    },
    async check(states) {
      const problems: string[] = [];
      for (const state of states) {
        const created = (state.n ?? 0) as number;
        const heldOnly = state.step === 1 ? 1 : 0;
        for (let n = 0; n < created + heldOnly; n++) {
          const number = poNumber(state, n);
          const held = await db.selectFrom('held_supplier_updates').select('id').where('po_number', '=', number).execute();
          const po = await db.selectFrom('purchase_orders').select('id').where('po_number', '=', number).executeTakeFirst();
          if (n === created) {
            if (po || held.length !== 1) problems.push(`held updates: ${number} acknowledged as held only, found PO ${po?.id} and ${held.length} held`);
            continue;
          }
          if (!po) {
            problems.push(`held updates: ${number} was acknowledged created and is missing`);
            continue;
          }
          if (held.length > 0) problems.push(`held updates: ${number} exists and still has ${held.length} held updates`);
          const orders = await db.selectFrom('supplier_orders').select('id').where('po_id', '=', po.id).execute();
          const lines = await db.selectFrom('po_lines').select('fulfilment_status').where('po_id', '=', po.id).execute();
          if (orders.length !== 1 || lines.length !== 2 || lines.some((l) => l.fulfilment_status !== 'confirmed')) {
            problems.push(`held updates: ${number} has ${orders.length} supplier orders and lines ${JSON.stringify(lines)}`);
          }
        }
      }
      return problems;
    },
  };
}

/**
 * Every path the harness runs; add new ones here. The webhook path comes first: its endpoint must exist before
 * the other paths' setup makes events, so that every event of a type it takes has a delivery.
 */
export function crashPaths(db: Db, clientsPerPath: number, receiver: WebhookReceiver): CrashPath[] {
  return [
    webhookDeliveriesPath(db, receiver), lifecyclePath(db), supplierUpdatesPath(db, clientsPerPath), heldUpdatesPath(db),
    supplierDocumentsPath(db, clientsPerPath),
  ];
}

// The supplier documents path of the kill harness (harness.ts): POST /api/v2/supplier_documents with X12 856 and
// CSV bodies, each shipping units of the client's PO under new tracking numbers (two shipments per document).
// Two documents in three carry an Idempotency-Key (the document is applied in the request's transaction: all or
// nothing); every third is sent without one, so a kill can leave it stored and `processing` (its bytes are
// committed before it is applied) and the retry with the same bytes must complete it. At the end every document's
// bytes are sent again with a new key: the first document comes back, processed, and nothing is applied twice.
import type { Db } from '../../src/db/database.ts';
import type { ClientState, CrashPath, HarnessContext, Op } from './harness.ts';
import { postJson } from './paths.ts';

const SKU = 'D-1';
const poNumber = (client: number) => `DOC-${client}`;
const tracking = (client: number, k: number, n: number) => `DOCX${client}X${k}X${n}`;

/** An 856 ship notice, one transaction set per shipment (FedEx Ground by SCAC, one unit of D-1 in each). */
export function x12ShipNotice(po: string, supplier: string, trackingNumbers: string[], control: number): string {
  const isa = `ISA*00*          *00*          *ZZ*CRASHSUP       *ZZ*CRASHRET       *261120*1504*U*00401*${String(control).padStart(9, '0')}*0*P*>~`;
  const sets = trackingNumbers.map((number, i) => {
    const st = String(i + 1).padStart(4, '0');
    const body = [
      `ST*856*${st}`, `BSN*00*SHP${control}X${i}*20261120*1504`, 'HL*1**S', 'TD5**2*FDEG', 'DTM*011*20261120*1504*UT',
      'HL*2*1*O', `PRF*${po}`, `REF*VN*SO-${po}`, `N1*SU*${supplier}`, 'HL*3*2*P', `MAN*CP*${number}`, 'HL*4*3*I', `LIN**BP*${SKU}`, 'SN1**1*EA',
    ];
    return [...body, `SE*${body.length + 1}*${st}`].map((segment) => `${segment}~`).join('\n');
  });
  return [isa, `GS*SH*CRASHSUP*CRASHRET*20261120*1504*${control}*X*004010~`, ...sets,
    `GE*${sets.length}*${control}~`, `IEA*1*${String(control).padStart(9, '0')}~`, ''].join('\n');
}

/** The same shipments as a supplier portal's CSV export. */
export function csvShipNotice(po: string, supplier: string, trackingNumbers: string[]): string {
  return ['PO #,Order No.,Tracking #,Carrier,SKU,Qty,Ship Date,Supplier',
    ...trackingNumbers.map((number) => `${po},SO-${po},${number},FedEx,${SKU},1,2026-11-20,${supplier}`), ''].join('\n');
}

interface SentDocument {
  op: Op;
  documentId: string;
  tracking: string[];
}

export function supplierDocumentsPath(db: Db, clients: number): CrashPath {
  return {
    name: 'supplier documents',
    async setup(context) {
      for (let client = 0; client < clients; client++) {
        const created = await postJson(context, '/api/v2/purchase_orders', {
          supplier_id: context.fixtures.supplierId, warehouse_id: context.fixtures.warehouseId, po_number: poNumber(client),
          products: [{ sku: SKU, supplier_sku: `S-${SKU}`, quantity: 100_000, cost: 1 }],
        }, `setup-doc-${client}`);
        if (created.status !== 201) throw new Error(`setup: ${created.status} ${await created.text()}`);
        const { purchase_order_id: id } = await created.json() as { purchase_order_id: string };
        const opened = await postJson(context, `/api/v2/purchase_orders/${id}/status`, { status: 'open' }, `setup-doc-open-${client}`);
        if (opened.status !== 200) throw new Error(`setup: ${opened.status} ${await opened.text()}`);
      }
    },
    next(state, context) {
      const k = (state.k ?? 0) as number;
      const numbers = [tracking(state.client, k, 0), tracking(state.client, k, 1)];
      const x12 = k % 2 === 0;
      const supplier = context.fixtures.supplierName;
      return {
        key: `doc-${state.client}-${k}`,
        url: `/api/v2/supplier_documents?filename=crash-${state.client}-${k}.${x12 ? 'edi' : 'csv'}`,
        body: x12 ? x12ShipNotice(poNumber(state.client), supplier, numbers, 1000 * (state.client + 1) + k) : csvShipNotice(poNumber(state.client), supplier, numbers),
        contentType: x12 ? 'application/edi-x12' : 'text/csv',
        withoutKey: k % 3 === 2,
      };
    },
    acknowledged(state, op, ack) {
      const k = (state.k ?? 0) as number;
      const results = (ack.body.results as { result: string; reason: string | null }[]);
      if (ack.body.status !== 'processed' || results.length !== 2 || results.some((r) => r.result !== 'applied')) {
        state.problems.push(`supplier documents: ${op.key} answered ${ack.status} ${ack.body.status} ${JSON.stringify(results)}`);
      }
      const sent = (state.sent ??= []) as SentDocument[];
      sent.push({ op, documentId: ack.body.document_id, tracking: [tracking(state.client, k, 0), tracking(state.client, k, 1)] });
      state.k = k + 1;
    },
    async settle(states, context) {
      // The same bytes again, with a new key: the first document, processed; nothing applied again (check()).
      const problems: string[] = [];
      for (const state of states as ClientState[]) {
        for (const { op, documentId } of (state.sent ?? []) as SentDocument[]) {
          const response = await fetch(`${context.baseUrl}${op.url}`, {
            method: 'POST', body: String(op.body),
            headers: { 'x-api-key': context.apiKey, 'content-type': op.contentType!, 'idempotency-key': `${op.key}-again` },
          });
          const body = await response.json() as { document_id: string; status: string };
          if (response.status !== 200 || body.document_id !== documentId || body.status !== 'processed') {
            problems.push(`supplier documents: ${op.key}'s bytes again answered ${response.status} ${body.document_id} ${body.status}, first ${documentId}`);
          }
        }
      }
      return problems;
    },
    async check(states) {
      const problems: string[] = [];
      for (const state of states) {
        const sent = (state.sent ?? []) as SentDocument[];
        const po = await db.selectFrom('purchase_orders').select('id').where('po_number', '=', poNumber(state.client)).executeTakeFirstOrThrow();
        const shipments = await db.selectFrom('shipments').select(['id', 'tracking_number']).where('po_id', '=', po.id).execute();
        const want = sent.flatMap((d) => d.tracking).sort();
        const have = shipments.map((s) => s.tracking_number).sort();
        if (JSON.stringify(have) !== JSON.stringify(want)) {
          problems.push(`supplier documents: ${poNumber(state.client)} has shipments ${have.join(' ')}, acknowledged ${want.join(' ')}`);
        }
        for (const shipment of shipments) {
          const lines = await db.selectFrom('shipment_lines').select('quantity').where('shipment_id', '=', shipment.id).execute();
          if (lines.length !== 1 || lines[0].quantity !== 1) problems.push(`supplier documents: shipment ${shipment.tracking_number} has lines ${JSON.stringify(lines)}`);
        }
        const docs = await db.selectFrom('supplier_documents').select(['id', 'status']).where('filename', 'like', `crash-${state.client}-%`).execute();
        if (docs.length !== sent.length) problems.push(`supplier documents: client ${state.client} has ${docs.length} documents stored, ${sent.length} acknowledged`);
        for (const doc of docs) if (doc.status !== 'processed') problems.push(`supplier documents: ${doc.id} is ${doc.status}`);
      }
      return problems;
    },
  };
}

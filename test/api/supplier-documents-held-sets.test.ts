// An X12 transaction set held for a PO that does not exist yet is replayed whole when the PO appears (README
// "Feeding supplier data": a set is applied whole or not at all), on SQLite and PostgreSQL: a set the new PO
// refuses (packs over-shipping together, a part not on the PO, an 855 line the PO lacks) applies nothing, and each
// of its held updates ends `rejected` with the set's reason in GET /api/v2/supplier_updates/held; a good set applies
// whole; the same when the PO arrives by sync. (Retest report of issue 7, item 1: held.edi, c86, c95.)
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { postDocument, postX12 } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import { TEST_CONFIG } from '../support/world.ts';
import { makeConnection, run, shipStation } from '../sync/support.ts';

const databases = TestDatabases.create();
const UPS_1 = '1Z999AA10123456784';
const UPS_2 = '1Z999AA10123456793';

/** One interchange holding one set (segments without terminators); SE counts computed. */
function interchange(control: number, groupCode: string, code: string, segments: string[]): string {
  const isa13 = String(control).padStart(9, '0');
  const set = [`ST*${code}*0001`, ...segments];
  return `ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*ACMEGOLF       *261120*1504*U*00401*${isa13}*0*P*:~` +
    `GS*${groupCode}*SUPPLIER*ACMEGOLF*20261120*1504*${control}*X*004010~${[...set, `SE*${set.length + 1}*0001`].join('~')}~` +
    `GE*1*${control}~IEA*1*${isa13}~`;
}

/** An 856 of one package per tracking number (held.edi, c86-856-partialset.edi of the report). */
const ship856 = (control: number, poNumber: string, packs: { tracking: string; sku: string; quantity: number }[]) =>
  interchange(control, 'SH', '856', [
    'BSN*00*HELD1*20261121*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', `PRF*${poNumber}`, 'REF*VN*SO-HELD',
    ...packs.flatMap((p, i) => [`HL*${3 + 2 * i}*2*P`, `MAN*CP*${p.tracking}`, `HL*${4 + 2 * i}*${3 + 2 * i}*I`,
      `LIN**BP*${p.sku}`, `SN1**${p.quantity}*EA`]),
  ]);

const ak5 = (acknowledgement: string) => acknowledgement.split('~').map((s) => s.trim()).filter((s) => s.startsWith('AK5*'))
  .map((s) => s.split(acknowledgement[3])[1]);

describe.each(databases.eachSupportedId())('X12 sets held for a PO not there yet are replayed whole on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let key: string;
  let supplierId: string;
  let warehouseId: string;

  const postEdi = (body: string) => postX12(app, key, body);
  /** A PO created through the API (mkpo of the report: SKU-A x10, SKU-B x4, SKU-C x2). */
  const createPo = async (poNumber: string) => {
    const response = await app.inject({
      method: 'POST', url: '/api/v2/purchase_orders', headers: { 'x-api-key': key },
      payload: { po_number: poNumber, supplier_id: supplierId, warehouse_id: warehouseId, products: [
        { sku: 'SKU-A', quantity: 10, cost: 5 }, { sku: 'SKU-B', quantity: 4, cost: 5 }, { sku: 'SKU-C', quantity: 2, cost: 5 },
      ] },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().purchase_order_id as string;
  };
  const held = async (poNumber: string) => {
    const response = await app.inject({
      method: 'GET', url: `/api/v2/supplier_updates/held?po_number=${encodeURIComponent(poNumber)}`, headers: { 'x-api-key': key },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().data as { status: string; reason: string | null; rejected_at: string | null }[];
  };
  const written = async (poId: string) => ({
    shipments: (await db.selectFrom('shipments').select('tracking_number').where('po_id', '=', poId).execute()).map((s) => s.tracking_number).sort(),
    supplierOrders: (await db.selectFrom('supplier_orders').select('id').where('po_id', '=', poId).execute()).length,
    statuses: (await db.selectFrom('po_lines').select('fulfilment_status').where('po_id', '=', poId).execute()).map((l) => l.fulfilment_status),
  });
  /** Posted before the PO exists: every entry held (`unmatched`) and the set answered AK5*A, as at receipt. */
  const postHeld = async (body: string) => {
    const document = await postEdi(body);
    expect(document.results.map((r: any) => r.result).every((r: string) => r === 'unmatched'), JSON.stringify(document.results)).toBe(true);
    expect(ak5(document.acknowledgement)).toEqual(['A']);
    return document;
  };
  /** Nothing of the set written and each of its held updates final, `rejected` with the set's reason. */
  const expectRefused = async (poId: string, poNumber: string, count: number, reason: RegExp) => {
    const state = await written(poId);
    expect(state.shipments).toEqual([]);
    expect(state.supplierOrders).toBe(0);
    expect(state.statuses.every((s) => s === 'pending' || s === 'submitted'), state.statuses.join()).toBe(true);
    const listed = await held(poNumber);
    expect(listed).toHaveLength(count);
    for (const update of listed) {
      expect(update).toMatchObject({ status: 'rejected', rejected_at: expect.any(String) });
      expect(update.reason).toMatch(/^ST 0001 \((856|855)\) rejected: /);
      expect(update.reason).toMatch(reason);
    }
    const filtered = await app.inject({
      method: 'GET', url: `/api/v2/supplier_updates/held?status=held&po_number=${encodeURIComponent(poNumber)}`, headers: { 'x-api-key': key },
    });
    expect(filtered.json().data).toEqual([]);
    const rejected = await app.inject({
      method: 'GET', url: `/api/v2/supplier_updates/held?status=rejected&po_number=${encodeURIComponent(poNumber)}`, headers: { 'x-api-key': key },
    });
    expect(rejected.json().data).toHaveLength(count);
  };
  /** The feed's events of these types about `poNumber`. */
  const eventsOf = async (types: string, poNumber: string) => {
    const response = await app.inject({ method: 'GET', url: `/api/v2/events?type=${types}&limit=500`, headers: { 'x-api-key': key } });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().data as { type: string; data: Record<string, any> }[]).filter((e) => e.data.po_number === poNumber);
  };

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    const { retailer } = await ensureRetailer(db, 'held-sets');
    key = (await createApiKey(db, retailer.id, 'edi', ['read', 'write'])).secret;
    supplierId = await ensureSupplier(db, retailer.id, { name: 'Supplier' });
    warehouseId = await ensureWarehouse(db, retailer.id, { name: 'Main', address: null, locations: [] });
    app = await buildApp({ config: TEST_CONFIG, db, logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('held.edi: two packs over-shipping together, held, then the PO is created → nothing applied, both rejected with why', async () => {
    const document = await postHeld(ship856(951, 'PO-HELD-R', [{ tracking: UPS_1, sku: 'SKU-A', quantity: 6 }, { tracking: UPS_2, sku: 'SKU-A', quantity: 6 }]));
    const poId = await createPo('PO-HELD-R');
    await expectRefused(poId, 'PO-HELD-R', 2, /SN102 "6" \(HL 6\): SKU "SKU-A": shipping 6 would make 12 shipped of the 10 ordered/);
    // Subscribers are told: a supplier_update.rejected event per held update, and no shipment event.
    const events = await eventsOf('supplier_update.rejected,shipment.created', 'PO-HELD-R');
    expect(events.map((e) => e.type)).toEqual(['supplier_update.rejected', 'supplier_update.rejected']);
    for (const event of events) {
      expect(event.data).toMatchObject({ document_id: document.document_id, reason: expect.stringMatching(/^ST 0001 \(856\) rejected: SN102/) });
      expect(event.data.update).toMatchObject({ type: 'shipment', po_number: 'PO-HELD-R' });
    }
    // Final: another replay (a later batch for the PO) leaves them as they are.
    const ship = await app.inject({
      method: 'POST', url: '/api/v2/supplier_updates', headers: { 'x-api-key': key },
      payload: { updates: [{ type: 'order', po_number: 'PO-HELD-R', supplier_order_id: 'SO-JSON', supplier_name: 'Supplier', status: 'confirmed' }] },
    });
    expect(ship.statusCode, ship.body).toBe(200);
    expect(ship.json().results[0].result).toBe('applied');
    expect((await held('PO-HELD-R')).map((u) => u.status)).toEqual(['rejected', 'rejected']);
    expect((await written(poId)).shipments).toEqual([]);
  });

  it('c86: one pack with a part not on the PO → the set refused whole, naming LIN03', async () => {
    await postHeld(ship856(861, 'PO-Q2', [{ tracking: UPS_1, sku: 'SKU-A', quantity: 2 }, { tracking: UPS_2, sku: 'NOT-ON-PO', quantity: 1 }]));
    const poId = await createPo('PO-Q2');
    await expectRefused(poId, 'PO-Q2', 2, /LIN03 "NOT-ON-PO" \(HL 6\): SKU "NOT-ON-PO" is not on PO PO-Q2/);
  });

  it('c95: an 855 with an unknown UPC line → none of its lines confirmed, every held update rejected', async () => {
    const document = await postHeld(interchange(1801, 'PR', '855', [
      'BAK*00*AC*PO-U*20261120****SU-1', 'PO1*1*10*EA*5**BP*SKU-A', 'ACK*IA*6*EA*068*20261201', 'ACK*IB*4*EA*068*20270101',
      'PO1*2*4*EA*5**UP*012345678905', 'ACK*IA*4*EA', 'PO1*3*2*EA*5**BP*SKU-C',
    ]));
    const poId = await createPo('PO-U');
    await expectRefused(poId, 'PO-U', document.results.length, /PO107 "012345678905" \(PO1 2\): SKU "012345678905" is not on PO PO-U/);
  });

  it('a good held set applies whole when the PO appears, and nothing stays held', async () => {
    await postHeld(ship856(952, 'PO-HELD-OK', [{ tracking: UPS_1, sku: 'SKU-A', quantity: 6 }, { tracking: UPS_2, sku: 'SKU-A', quantity: 4 }]));
    const poId = await createPo('PO-HELD-OK');
    expect((await written(poId)).shipments).toEqual([UPS_1, UPS_2]);
    expect(await held('PO-HELD-OK')).toEqual([]);
  });

  it('a held set whose PO arrives by sync is replayed whole: refused, nothing applied', async () => {
    const sandbox = await shipStation({ pos: 20 });
    afterAll(sandbox.close);
    const connection = await makeConnection(db, 'shipstation', sandbox.url, 'held-sets-sync');
    const syncKey = (await createApiKey(db, connection.retailer_id, 'edi', ['read', 'write'])).secret;
    const target = sandbox.app.sandbox.state.all().find((po) => po.status === 'open' && !po.tracking_number)
      ?? sandbox.app.sandbox.state.all().find((po) => po.status === 'draft')!;
    const product = target.products[0];
    const body = ship856(953, target.order_number, [
      { tracking: UPS_1, sku: product.sku, quantity: 1 }, { tracking: UPS_2, sku: product.sku, quantity: product.quantity },
    ]);
    const posted = await postDocument(app, syncKey, body, { contentType: 'application/edi-x12' });
    expect(posted.statusCode, posted.body).toBe(201);
    expect(posted.json().results.map((r: any) => r.result)).toEqual(['unmatched', 'unmatched']);
    await run(db, connection);
    const po = await db.selectFrom('purchase_orders').select('id').where('retailer_id', '=', connection.retailer_id)
      .where('po_number', '=', target.order_number).executeTakeFirstOrThrow();
    const shipments = await db.selectFrom('shipments').select('tracking_number').where('po_id', '=', po.id).execute();
    expect(shipments.map((s) => s.tracking_number)).not.toContain(UPS_1);
    const rows = await db.selectFrom('held_supplier_updates').select(['rejected_at', 'reason'])
      .where('retailer_id', '=', connection.retailer_id).where('po_number', '=', target.order_number).execute();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.rejected_at).not.toBeNull();
      expect(row.reason).toMatch(/^ST 0001 \(856\) rejected: /);
    }
  });
});

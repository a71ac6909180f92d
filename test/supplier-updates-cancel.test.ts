// Contract tests on SQLite and PostgreSQL: shipped units are never un-shipped. A supplier's cancellation (JSON
// `order` update, an X12 855 with BAK02=RJ, or a CSV row) of a line that shipments already carry leaves that line where its
// shipments put it, says so in the result's reason, and still cancels the PO's other, unshipped lines (README
// "Supplier updates"; DESIGN 2.3 derives the PO status from the lines). A cancellation before any shipment still cancels.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.ts';
import { createApiKey } from '../src/store/api-keys.ts';
import { addPo, postDocument, readV2 } from './support/supplier-documents.ts';
import { TestDatabases } from './support/test-database.ts';
import { createWorld, type World } from './support/world.ts';

const databases = TestDatabases.create();
const UPS = '1Z999AA10123456784';
const UPS_2 = '1Z12345E0205271688';

/** An X12 interchange holding one 855 set of `segments` (without terminators); SE count computed. */
function x12With855(control: number, segments: string[]): string {
  const isa13 = String(control).padStart(9, '0');
  const set = ['ST*855*0001', ...segments];
  return `ISA*00*          *00*          *ZZ*ACUSHNET       *ZZ*ACMEGOLF       *261120*1504*U*00401*${isa13}*0*P*>~\n` +
    `GS*PR*ACUSHNET*ACMEGOLF*20261120*1504*${control}*X*004010~\n${[...set, `SE*${set.length + 1}*0001`].join('~\n')}~\n` +
    `GE*1*${control}~\nIEA*1*${isa13}~\n`;
}

const TEN_DRIVERS = { product_name: 'Titleist GT2 Driver 9', sku: 'TIT-GT2-9', quantity: 10, unit_cost_cents: 50000, status: 'submitted' as const };
const FIVE_BALLS = { product_name: 'Titleist Pro V1 (dozen)', sku: 'TIT-PRO-V1', quantity: 5, unit_cost_cents: 5000, status: 'submitted' as const };

describe.each(databases.eachSupportedId())('cancelling lines with shipped units on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;

  const send = async (updates: unknown[]) => {
    const response = await app.inject({ method: 'POST', url: '/api/v2/supplier_updates', payload: { updates }, headers: { 'x-api-key': writeKey } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().results as { index: number; result: string; reason: string | null }[];
  };
  const ship = (poNumber: string, quantity: number, tracking = UPS) => ({
    type: 'shipment', po_number: poNumber, supplier_order_id: `SO-${poNumber}`, tracking_number: tracking,
    lines: [{ sku: 'TIT-GT2-9', quantity }],
  });
  const cancel = (poNumber: string, status = 'cancelled', lines?: { sku: string; quantity: number }[]) => ({
    type: 'order', po_number: poNumber, supplier_order_id: `SO-${poNumber}`, supplier_name: 'Acushnet', status,
    ...(lines ? { lines } : {}),
  });
  const item = (record: Record<string, any>, sku: string) => record.items.find((i: any) => i.product_details.sku === sku);
  const shippedUnits = (record: Record<string, any>) =>
    record.fulfilled_items.map((f: any) => [f.quantity, f.tracking.tracking_number]);

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    world = await createWorld(db);
    app = world.app;
    writeKey = (await createApiKey(db, world.retailerA, 'supplier feed', ['write'])).secret;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('JSON cancel after a partial shipment of the only line: unchanged, with the reason; the line and PO stay uncancelled', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-CXL-PART', [TEN_DRIVERS]);
    expect(await send([ship('PO-CXL-PART', 6)])).toEqual([{ index: 0, result: 'applied', reason: null }]);
    const before = await readV2(app, world.keys.a, 'PO-CXL-PART');

    const [result] = await send([cancel('PO-CXL-PART')]);
    expect(result.result).toBe('unchanged');
    expect(result.reason).toContain('TIT-GT2-9');
    expect(result.reason).toContain('6 of 10 units shipped');

    const record = await readV2(app, world.keys.a, 'PO-CXL-PART');
    expect(item(record, 'TIT-GT2-9').status).not.toBe('cancelled');
    expect(item(record, 'TIT-GT2-9').status).toBe(item(before, 'TIT-GT2-9').status);
    expect(record.status).not.toBe('cancelled');
    expect(record.status).toBe(before.status);
    expect(shippedUnits(record)).toEqual([[6, UPS]]);
  });

  it('JSON cancel after a partial shipment cancels the unshipped line only: applied, the reason names the shipped one', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-CXL-MIX', [TEN_DRIVERS, FIVE_BALLS]);
    await send([cancel('PO-CXL-MIX', 'confirmed'), ship('PO-CXL-MIX', 6)]);

    const [result] = await send([cancel('PO-CXL-MIX')]);
    expect(result.result).toBe('applied');
    expect(result.reason).toMatch(/TIT-GT2-9.*6 of 10 units shipped.*not cancelled/);
    expect(result.reason).not.toContain('TIT-PRO-V1');

    const record = await readV2(app, world.keys.a, 'PO-CXL-MIX');
    expect(item(record, 'TIT-PRO-V1').status).toBe('cancelled');
    expect(item(record, 'TIT-GT2-9').status).toBe('confirmed');
    // DESIGN 2.3: cancelled lines are ignored, so the PO shows its live (partly shipped) line's status.
    expect(record.status).toBe('confirmed');
    expect(shippedUnits(record)).toEqual([[6, UPS]]);
  });

  it('JSON cancel or invalid of a line named with its quantity, after a partial shipment, leaves it as it is', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-CXL-LINES', [TEN_DRIVERS]);
    await send([ship('PO-CXL-LINES', 6)]);
    const before = item(await readV2(app, world.keys.a, 'PO-CXL-LINES'), 'TIT-GT2-9').status;
    const results = await send([
      cancel('PO-CXL-LINES', 'cancelled', [{ sku: 'TIT-GT2-9', quantity: 10 }]),
      cancel('PO-CXL-LINES', 'invalid', [{ sku: 'TIT-GT2-9', quantity: 10 }]),
    ]);
    // The first records the supplier order's cover of 10 (a change), the second changes nothing: neither moves the line.
    expect(results.map((r) => r.result)).toEqual(['applied', 'unchanged']);
    expect(results[0].reason).toMatch(/TIT-GT2-9.*6 of 10 units shipped.*not cancelled/);
    expect(results[1].reason).toMatch(/TIT-GT2-9.*not marked invalid/);
    const record = await readV2(app, world.keys.a, 'PO-CXL-LINES');
    expect(item(record, 'TIT-GT2-9').status).toBe(before);
    expect(record.status).toBe(before);
  });

  it('JSON cancel after a full shipment: unchanged, with the reason; the line and PO stay shipped', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-CXL-FULL', [TEN_DRIVERS]);
    await send([ship('PO-CXL-FULL', 6), ship('PO-CXL-FULL', 4, UPS_2)]);

    const [result] = await send([cancel('PO-CXL-FULL')]);
    expect(result).toMatchObject({ result: 'unchanged' });
    expect(result.reason).toMatch(/TIT-GT2-9.*10 of 10 units shipped.*not cancelled/);

    const record = await readV2(app, world.keys.a, 'PO-CXL-FULL');
    expect(item(record, 'TIT-GT2-9').status).toBe('shipped');
    expect(record.status).toBe('shipped');
    expect(shippedUnits(record).sort()).toEqual([[4, UPS_2], [6, UPS]].sort());
  });

  it('an X12 855 with BAK02=RJ after a partial shipment does not cancel the shipped line', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-CXL-855', [TEN_DRIVERS, FIVE_BALLS]);
    await send([ship('PO-CXL-855', 6)]);
    const before = item(await readV2(app, world.keys.a, 'PO-CXL-855'), 'TIT-GT2-9').status;

    const response = await postDocument(app, writeKey, x12With855(601, [
      'BAK*00*RJ*PO-CXL-855*20261120****SO-PO-CXL-855', 'N1*SU*ACUSHNET',
      'PO1*1*10*EA*500**BP*TIT-GT2-9', 'PO1*2*5*EA*50**BP*TIT-PRO-V1', 'CTT*2',
    ]), { contentType: 'application/edi-x12' });
    expect(response.statusCode, response.body).toBe(201);
    const document = response.json();
    expect(document.summary.rejected, JSON.stringify(document.results)).toBe(0);
    expect(JSON.stringify(document.results)).toMatch(/TIT-GT2-9.*6 of 10 units shipped.*not cancelled/);

    const record = await readV2(app, world.keys.a, 'PO-CXL-855');
    expect(item(record, 'TIT-GT2-9').status).toBe(before);
    expect(item(record, 'TIT-PRO-V1').status).toBe('cancelled');
    expect(record.status).not.toBe('cancelled');
    expect(shippedUnits(record)).toEqual([[6, UPS]]);
  });

  it('a CSV row cancelling a partly shipped line leaves it as it is; a row for the unshipped line cancels it', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-CXL-CSV', [TEN_DRIVERS, FIVE_BALLS]);
    await send([ship('PO-CXL-CSV', 6)]);
    const before = item(await readV2(app, world.keys.a, 'PO-CXL-CSV'), 'TIT-GT2-9').status;

    const csv = 'PO #,Order No.,Supplier,Status,Item #,Qty\r\n' +
      'PO-CXL-CSV,SO-PO-CXL-CSV,Acushnet,Cancelled,TIT-GT2-9,10\r\nPO-CXL-CSV,SO-PO-CXL-CSV,Acushnet,Cancelled,TIT-PRO-V1,5\r\n';
    const response = await postDocument(app, writeKey, csv, { query: { filename: 'acushnet-cancel.csv' } });
    expect(response.statusCode, response.body).toBe(201);
    const document = response.json();
    expect(document.summary.rejected, JSON.stringify(document.results)).toBe(0);
    expect(JSON.stringify(document.results)).toMatch(/TIT-GT2-9.*6 of 10 units shipped.*not cancelled/);

    const record = await readV2(app, world.keys.a, 'PO-CXL-CSV');
    expect(item(record, 'TIT-GT2-9').status).toBe(before);
    expect(item(record, 'TIT-PRO-V1').status).toBe('cancelled');
    expect(record.status).toBe(before);
    expect(shippedUnits(record)).toEqual([[6, UPS]]);
  });

  it('a cancel before any shipment still cancels the line and the PO (JSON and 855 RJ)', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-CXL-NONE', [TEN_DRIVERS]);
    expect(await send([cancel('PO-CXL-NONE')])).toEqual([{ index: 0, result: 'applied', reason: null }]);
    const record = await readV2(app, world.keys.a, 'PO-CXL-NONE');
    expect(item(record, 'TIT-GT2-9').status).toBe('cancelled');
    expect(record.status).toBe('cancelled');
    expect(record.fulfilled_items).toEqual([]);

    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-CXL-NONE-855', [TEN_DRIVERS]);
    const response = await postDocument(app, writeKey, x12With855(602, [
      'BAK*00*RJ*PO-CXL-NONE-855*20261120****SO-NONE-855', 'N1*SU*ACUSHNET', 'PO1*1*10*EA*500**BP*TIT-GT2-9', 'CTT*1',
    ]), { contentType: 'application/edi-x12' });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().summary).toMatchObject({ applied: 1, rejected: 0 });
    const rejected = await readV2(app, world.keys.a, 'PO-CXL-NONE-855');
    expect(item(rejected, 'TIT-GT2-9').status).toBe('cancelled');
    expect(rejected.status).toBe('cancelled');
  });
});

// A tracking number written as a float (`789012345678.0`, as pandas writes a numeric column) is refused by every way
// in, naming the field, and nothing is shipped: its dot is no formatting, and dropped it gives another parcel's
// number (FedEx 7890123456780). CSV cells meet the rule in ingest/csv/excel-cells.ts, JSON supplier updates and X12
// documents in the shared supplier-update reader (domain/supplier-updates/parse.ts). SQLite and PostgreSQL.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { addPo, openDocumentWorld, postX12, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';

const databases = TestDatabases.create();
const FLOATS = ['789012345678.0', '789012345678.00', '794612345678,0', ' 123456789012.000 '];

/** An 856 for `po` whose one pack carries `tracking` in MAN*GM. */
function ship856(po: string, tracking: string, control: number): string {
  const segments = ['ST*856*0001', 'BSN*00*SHP-1*20261120*1504', 'HL*1**S', 'TD5**2*FDEG', 'HL*2*1*O', `PRF*${po}`, 'REF*VN*SO-1',
    'HL*3*2*P', `MAN*GM*${tracking}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**1*EA'];
  const isa13 = String(control).padStart(9, '0');
  return [`ISA*00*          *00*          *ZZ*ACUSHNET       *ZZ*ACMEGOLF       *261120*1504*U*00401*${isa13}*0*P*>`,
    `GS*SH*ACUSHNET*ACMEGOLF*20261120*1504*${control}*X*004010`, ...segments, `SE*${segments.length + 1}*0001`,
    `GE*1*${control}`, `IEA*1*${isa13}`].join('~\n') + '~\n';
}

describe.each(databases.eachSupportedId())('tracking numbers written as floats on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each(FLOATS.map((tracking, i) => [tracking, `PO-FLOAT-JSON-${i}`]))('JSON shipment and tracking event %j: 400 naming tracking_number, nothing written', async (tracking, po) => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, po);
    const before = await tableCounts(db);
    const response = await app.inject({ method: 'POST', url: '/api/v2/supplier_updates', headers: { 'x-api-key': world.keys.aAll },
      payload: { updates: [
        { type: 'shipment', po_number: po, tracking_number: tracking, carrier: 'fedex' },
        { type: 'tracking_event', po_number: po, tracking_number: tracking, status: 'in transit', timestamp: '2026-11-21T10:00:00Z' },
      ] } });
    expect(response.statusCode, response.body).toBe(400);
    const details = response.json().details;
    expect(details.map((d: any) => d.field)).toEqual(['body.updates[0].tracking_number', 'body.updates[1].tracking_number']);
    expect(details[0].message).toContain('is written as a number with decimals');
    expect(await tableCounts(db)).toEqual(before);
  });

  it('JSON: a tracking number with dots as formatting (1Z.999.AA1…) is still read, the dots dropped', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-DOTS-JSON');
    const response = await app.inject({ method: 'POST', url: '/api/v2/supplier_updates', headers: { 'x-api-key': world.keys.aAll },
      payload: { updates: [{ type: 'shipment', po_number: 'PO-DOTS-JSON', tracking_number: '1Z.999.AA1.01.2345.6784' }] } });
    expect(response.statusCode, response.body).toBe(200);
    expect((await readV2(app, world.keys.a, 'PO-DOTS-JSON')).fulfilled_items.map((f: any) => f.tracking.tracking_number))
      .toEqual(expect.arrayContaining(['1Z999AA10123456784']));
    expect(new Set((await readV2(app, world.keys.a, 'PO-DOTS-JSON')).fulfilled_items.map((f: any) => f.tracking.tracking_number)))
      .toEqual(new Set(['1Z999AA10123456784']));
  });

  it('X12 856 with MAN*GM*789012345678.0: the set is rejected naming the tracking number, nothing shipped', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-FLOAT-X12');
    const document = await postX12(app, writeKey, ship856('PO-FLOAT-X12', '789012345678.0', 811));
    expect(document.results).toHaveLength(1);
    expect(document.results[0].result).toBe('rejected');
    expect(document.results[0].reason).toContain('"789012345678.0" is written as a number with decimals');
    expect((await readV2(app, world.keys.a, 'PO-FLOAT-X12')).fulfilled_items).toEqual([]);
  });
});

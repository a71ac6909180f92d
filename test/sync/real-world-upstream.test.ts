// Issue 8 through a real ShipStation sync (sandbox + engine) on SQLite and PostgreSQL: dates without an offset
// read as UTC (never 1970), a record that cannot be read is failed with its reason (never stored), two tracking
// numbers in one field are two shipments, a cancelled PO keeps its tracking visible, 3-decimal costs round half-up.
import { afterAll, describe, expect, it } from 'vitest';
import { mapShipStationPo, type ShipStationDetail } from '../../src/sync/connectors/shipstation-mapping.ts';
import { mapStockyPo, type StockyPo } from '../../src/sync/connectors/stocky-mapping.ts';
import { mapRecords, UnreadableRecordError } from '../../src/sync/connectors/types.ts';
import { TestDatabases } from '../support/test-database.ts';
import { makeConnection, run, shipStation } from './support.ts';

const databases = TestDatabases.create();

const DETAIL: ShipStationDetail = {
  purchase_order_id: 'se-1', order_number: ' 02162026-02 ', status: 'open', create_date: '2026-01-14T10:30:00Z',
  modify_date: '2026-01-14T10:30:00Z', order_date: '2026-01-15T15:00:00.000', currency_code: 'USD',
  products: [{ sku: 'A', quantity: 1, cost: 1.005 }],
};

describe('mapping upstream records', () => {
  it('reads a ShipStation date without an offset as UTC, trims the PO number, rounds a 3-decimal cost half-up', () => {
    const po = mapShipStationPo(DETAIL, 'Acme');
    expect(po).toMatchObject({ order_date: '2026-01-15T15:00:00.000Z', po_number: '02162026-02' });
    expect(po.lines[0].unit_cost_cents).toBe(101);
    expect(mapShipStationPo({ ...DETAIL, order_date: '2026-01-15T15:00:00+0000' }, 'Acme').order_date).toBe('2026-01-15T15:00:00.000Z');
    expect(mapShipStationPo({ ...DETAIL, order_date: '2016-12-31T23:59:60Z' }, 'Acme').order_date).toBe('2016-12-31T23:59:59.000Z');
  });

  it('a record it cannot read is rejected with its reason, never stored as 1970', () => {
    expect(() => mapShipStationPo({ ...DETAIL, order_date: 'next tuesday' }, 'Acme')).toThrow(UnreadableRecordError);
    expect(() => mapShipStationPo({ ...DETAIL, order_date: null, create_date: '' }, 'Acme')).toThrow(/neither order_date nor create_date/);
    const { records, rejected } = mapRecords([DETAIL, { ...DETAIL, purchase_order_id: 'se-2', order_date: '2026-02-30T00:00:00Z' }],
      (d) => mapShipStationPo(d, 'Acme'));
    expect(records.map((r) => r.upstream_id)).toEqual(['se-1']);
    expect(rejected).toEqual([{ upstream_id: 'se-2', message: expect.stringMatching(/^PO se-2: order_date "2026-02-30T00:00:00Z": 2026-02-30 is not a calendar date/) }]);
  });

  it('two tracking numbers in ShipStation\'s PO-level field are two shipments, never glued', () => {
    const po = mapShipStationPo({ ...DETAIL, tracking_number: '1Z999AA10123456784, 1Z999AA10123456793' }, 'Acme');
    expect(po.shipments.map((s) => [s.tracking_number, s.carrier])).toEqual([['1Z999AA10123456784', 'ups'], ['1Z999AA10123456793', 'ups']]);
    expect(mapShipStationPo({ ...DETAIL, tracking_number: '1Z999AA10123456784 1Z999AA10123456793' }, 'Acme').shipments).toHaveLength(2);
    expect(mapShipStationPo({ ...DETAIL, tracking_number: '1Z-999-AA1-01-2345-6784' }, 'Acme').shipments.map((s) => s.tracking_number))
      .toEqual(['1Z999AA10123456784']);
    // White space between numbers that each stand alone is a list even when one fails its check digit.
    for (const [field, numbers] of [
      ['1Z999AA10123456784 1Z999AA10123456791', ['1Z999AA10123456784', '1Z999AA10123456791']],
      ['1Z999AA10123456784  9400111899223197428490', ['1Z999AA10123456784', '9400111899223197428490']],
      ['1Z999AA10123456784\t1Z999AA10123456791', ['1Z999AA10123456784', '1Z999AA10123456791']],
      ['1Z 999 AA1 01 2345 6784', ['1Z999AA10123456784']], ['9400 1000 0000 0000 0000 00', ['9400100000000000000000']],
      ['7489 4793 8820', ['748947938820']],
    ] as const) {
      expect(mapShipStationPo({ ...DETAIL, tracking_number: field }, 'Acme').shipments.map((s) => s.tracking_number), field).toEqual(numbers);
    }
  });

  it('Stocky: 3-decimal costs round half-up (1.005 → 1.01); amounts by the currency\'s exponent', () => {
    const stockyPo = {
      id: 9, number: 9, sequential_id: 9, created_at: '2021-02-09T00:23:25Z', updated_at: '2021-02-09T00:24:13Z', ordered_at: null,
      archived: false, supplier_name: 'Brothers', currency: 'JPY', paid: false,
      purchase_items: [{ id: 1, sku: 'S', product_title: 'S', variant_title: 'Default', quantity: 1, status: 'not delivered',
        cost_price: '1500.4', supplier_cost_price: null, received_at: null, updated_at: '09/02/2021 00:23' }],
    } as unknown as StockyPo;
    expect(mapStockyPo(stockyPo).lines[0].unit_cost_cents).toBe(1500);
    const usd = { ...stockyPo, currency: 'USD', purchase_items: [{ ...stockyPo.purchase_items![0], cost_price: '1.005' }] } as StockyPo;
    expect(mapStockyPo(usd).lines[0].unit_cost_cents).toBe(101);
  });
});

describe.each(databases.eachSupportedId())('ShipStation sync of real-world records on %s', (databaseId) => {
  it('no-offset dates, unreadable records, two tracking numbers, and a cancelled PO whose tracking stays visible', async () => {
    const { db } = await databases.init(databaseId);
    const sandbox = await shipStation({ pos: 12 });
    afterAll(sandbox.close);
    const state = sandbox.app.sandbox.state;
    const ids = state.all().map((po) => po.purchase_order_id);
    const edit = (i: number, change: (po: ReturnType<typeof state.all>[number]) => void) => state.update(ids[i], change);
    const noOffset = edit(0, (po) => { po.order_date = '2026-01-15T15:00:00.000'; });
    const unreadable = edit(1, (po) => { po.order_date = 'sometime in 2026'; });
    const twoNumbers = edit(2, (po) => { Object.assign(po, { tracking_number: '1Z999AA10123456784, 1Z999AA10123456793', shipping_carrier: null }); });
    const cancelled = edit(3, (po) => { Object.assign(po, { status: 'cancelled', tracking_number: '1Z999AA10123456784' }); });
    const closedShort = edit(4, (po) => {
      Object.assign(po, { status: 'closed', tracking_number: '9400111899223856470215' });
      for (const product of po.products ?? []) Object.assign(product, { received_quantity: 0, rejected_quantity: 0 });
    });

    const connection = await makeConnection(db, 'shipstation', sandbox.url);
    const result = await run(db, connection);
    expect(result.counts).toMatchObject({ fetched: 12, created: 11, failed: 1 });
    expect(result.error).toContain(`PO ${unreadable.purchase_order_id}: order_date "sometime in 2026"`);
    expect(await db.selectFrom('purchase_orders').select('id').where('po_number', '=', unreadable.order_number).execute()).toEqual([]);

    const view = async (poNumber: string) => JSON.parse((await db.selectFrom('purchase_orders').select('view_v2')
      .where('po_number', '=', poNumber).executeTakeFirstOrThrow()).view_v2);
    expect((await view(noOffset.order_number)).order_date).toBe('2026-01-15T15:00:00.000+00:00');
    const dates = await db.selectFrom('purchase_orders').select('order_date').execute();
    expect(dates.filter((d) => d.order_date.startsWith('1970'))).toEqual([]);

    const two = await view(twoNumbers.order_number);
    expect([...new Set(two.fulfilled_items.map((f: any) => f.tracking.tracking_number))].sort())
      .toEqual(['1Z999AA10123456784', '1Z999AA10123456793']);

    for (const [po, number] of [[cancelled, '1Z999AA10123456784'], [closedShort, '9400111899223856470215']] as const) {
      const record = await view(po.order_number);
      expect(record.fulfilled_items.length, po.status).toBeGreaterThan(0);
      expect(record.fulfilled_items.every((f: any) => f.tracking.tracking_number === number)).toBe(true);
      expect(record.items.every((i: any) => i.tracking?.tracking_number === number)).toBe(true);
    }
  });
});

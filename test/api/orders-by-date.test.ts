// Contract: GET /api/{v1,v2}/orders/by-date (DESIGN 2.2): calendar days in the retailer's time zone, both ends
// inclusive, end_date defaulting to start_date, paging with total/has_more, order date then a stable id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, expectEnvelope, VERSIONS, type Version } from '../support/contract.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, type World } from '../support/world.ts';

const databases = TestDatabases.create();

/** A range holding every seeded PO (seeded order dates fall in the two years before 2026-11-01). */
const SEEDED_RANGE = { start_date: '2024-10-01', end_date: '2026-11-30' };
const SEEDED_POS = 150;

describe.each(databases.eachSupportedId())('by-date on %s', (databaseId) => {
  let world: World;

  beforeAll(async () => {
    const { db } = await databases.init(databaseId);
    world = await createWorld(db, { seedA: SEEDED_POS, seedB: 20 });
  });
  afterAll(async () => {
    await world?.app.close();
  });

  const byDate = (version: Version, query: Record<string, string | number>, key = world.keys.a) =>
    endpoints(world.app, version, key).byDate(query);

  describe("days are calendar days in the retailer's time zone (A: America/Los_Angeles)", () => {
    it('v2: 15 June holds the POs ordered from 07:00Z on 15 June to 06:59:59.999Z on 16 June', async () => {
      const body = expectEnvelope(await byDate('v2', { start_date: '2027-06-15' }), 'v2');
      // PO-A-EARLY (06:59:59.999Z on the 15th) is still the 14th in Los Angeles; PO-A-LATE (06:30Z on the 16th) is the 15th.
      expect(body.data.map((r) => r.po_number)).toEqual(['PO-A1001', 'PO-A1002', 'PO-A-LATE']);
      expect(body.meta).toEqual({ total: 3, page: 1, limit: 50, has_more: false });
    });

    it('v2: the PO at local midnight belongs to the day it starts, the one a millisecond before to the day before', async () => {
      const sixteenth = expectEnvelope(await byDate('v2', { start_date: '2027-06-16' }), 'v2');
      expect(sixteenth.data.map((r) => r.po_number)).toEqual(['PO-A-MIDNIGHT']);
      const fourteenth = expectEnvelope(await byDate('v2', { start_date: '2027-06-14' }), 'v2');
      expect(fourteenth.data.map((r) => r.po_number)).toEqual(['PO-A-EARLY']);
    });

    it('v1: one record per line of the POs of that day, in order date then line order', async () => {
      const body = expectEnvelope(await byDate('v1', { start_date: '2027-06-15' }), 'v1');
      const { a1, a2, late } = world.po;
      expect(body.data.map((r) => r.order_id)).toEqual([...a1.lines, ...a2.lines, ...late.lines].map((l) => l.id));
      expect(body.meta).toEqual({ total: 9, page: 1, limit: 50, has_more: false });
    });

    it('the same instants fall on other days for a retailer in UTC (B)', async () => {
      // B's PO-B0001 is at 12:00Z on the 15th; A's POs are invisible to B whatever the day.
      const body = expectEnvelope(await byDate('v2', { start_date: '2027-06-15' }, world.keys.b), 'v2');
      expect(body.data.map((r) => r.po_number)).toEqual(['PO-B0001']);
    });
  });

  describe.each(VERSIONS)('%s', (version) => {
    it('includes both ends of the range', async () => {
      const body = expectEnvelope(await byDate(version, { start_date: '2027-06-14', end_date: '2027-06-16' }), version);
      const numbers = [...new Set(body.data.map((r) => r.po_number))];
      expect(numbers).toEqual(['PO-A-EARLY', 'PO-A1001', 'PO-A1002', 'PO-A-LATE', 'PO-A-MIDNIGHT']);
    });

    it('end_date defaults to start_date (one day)', async () => {
      const one = expectEnvelope(await byDate(version, { start_date: '2027-06-16' }), version);
      const same = expectEnvelope(await byDate(version, { start_date: '2027-06-16', end_date: '2027-06-16' }), version);
      expect(one.data).toEqual(same.data);
      expect(one.meta).toEqual(same.meta);
    });

    it('breaks ties on the order date by a stable id', async () => {
      const body = expectEnvelope(await byDate(version, { start_date: '2027-06-20' }), version);
      // Both POs have the same order date; PO-A-TIE-2 was created first and has the smaller id.
      expect(body.data.map((r) => r.po_number)).toEqual(['PO-A-TIE-2', 'PO-A-TIE-1']);
      const again = expectEnvelope(await byDate(version, { start_date: '2027-06-20' }), version);
      expect(again.data).toEqual(body.data);
    });

    it('answers an empty page, not an error, for a day without POs', async () => {
      const body = expectEnvelope(await byDate(version, { start_date: '2001-01-01' }), version);
      expect(body).toEqual({ data: [], meta: { total: 0, page: 1, limit: 50, has_more: false } });
    });

    it('pages through the seeded POs: total, has_more, no gaps or repeats, ascending order date', async () => {
      const limit = 40;
      const first = expectEnvelope(await byDate(version, { ...SEEDED_RANGE, limit }), version);
      const total = first.meta.total;
      if (version === 'v2') expect(total).toBe(SEEDED_POS);
      else expect(total).toBeGreaterThan(SEEDED_POS); // POs have one or more lines
      const pages = Math.ceil(total / limit);
      const records = [...first.data];
      expect(first.meta).toEqual({ total, page: 1, limit, has_more: true });
      for (let page = 2; page <= pages + 1; page++) {
        const body = expectEnvelope(await byDate(version, { ...SEEDED_RANGE, limit, page }), version);
        expect(body.meta).toEqual({ total, page, limit, has_more: page * limit < total });
        expect(body.data.length).toBe(Math.max(0, Math.min(limit, total - (page - 1) * limit)));
        records.push(...body.data);
      }
      expect(records).toHaveLength(total);
      const keys = records.map((r) => (version === 'v1' ? r.order_id : r.po_number));
      expect(new Set(keys).size).toBe(total);
      const times = records.map((r) => Date.parse(r.order_date));
      for (let i = 1; i < times.length; i++) expect(times[i], `record ${i} is not older than ${i - 1}`).toBeGreaterThanOrEqual(times[i - 1]);
      // The seeded POs of A only: none of B's, none of the fixtures (2027).
      expect(records.every((r) => r.po_number.startsWith('PO-42'))).toBe(true);
    });

    it('has_more is false on a last page that is exactly full, and past the end', async () => {
      const day = { start_date: '2027-06-15' };
      const { total } = expectEnvelope(await byDate(version, day), version).meta;
      expect(total).toBeGreaterThan(1);
      const whole = expectEnvelope(await byDate(version, { ...day, limit: total }), version);
      expect(whole.meta).toEqual({ total, page: 1, limit: total, has_more: false });
      const last = expectEnvelope(await byDate(version, { ...day, limit: 1, page: total }), version);
      expect(last.meta).toEqual({ total, page: total, limit: 1, has_more: false });
      expect(last.data).toHaveLength(1);
      const before = expectEnvelope(await byDate(version, { ...day, limit: 1, page: total - 1 }), version);
      expect(before.meta.has_more).toBe(true);
      const beyond = expectEnvelope(await byDate(version, { ...day, limit: 1, page: total + 1 }), version);
      expect(beyond).toEqual({ data: [], meta: { total, page: total + 1, limit: 1, has_more: false } });
    });

    it('defaults to page 1 and limit 50', async () => {
      const body = expectEnvelope(await byDate(version, SEEDED_RANGE), version);
      expect(body.meta.page).toBe(1);
      expect(body.meta.limit).toBe(50);
      expect(body.data).toHaveLength(50);
      expect(body.meta.has_more).toBe(true);
    });

    it('accepts limit 1 and limit 100', async () => {
      const one = expectEnvelope(await byDate(version, { ...SEEDED_RANGE, limit: 1, page: 3 }), version);
      expect(one.data).toHaveLength(1);
      expect(one.meta).toMatchObject({ page: 3, limit: 1, has_more: true });
      const hundred = expectEnvelope(await byDate(version, { ...SEEDED_RANGE, limit: 100 }), version);
      expect(hundred.data).toHaveLength(100);
      expect(hundred.data[2]).toEqual(one.data[0]);
    });
  });

  it('v1 and v2 agree: v1 has one record per item of the v2 records', async () => {
    const v2 = expectEnvelope(await byDate('v2', { ...SEEDED_RANGE, limit: 100 }), 'v2');
    const v2rest = expectEnvelope(await byDate('v2', { ...SEEDED_RANGE, limit: 100, page: 2 }), 'v2');
    const items = [...v2.data, ...v2rest.data].reduce((n, r) => n + r.items.length, 0);
    const v1 = expectEnvelope(await byDate('v1', { ...SEEDED_RANGE, limit: 1 }), 'v1');
    expect(v1.meta.total).toBe(items);
  });

  it('seeded records use every documented status of each version and the backordered flag', async () => {
    const v1Statuses = new Set<string>();
    const v2Statuses = new Set<string>();
    let backordered = 0;
    for (let page = 1; ; page++) {
      const body = expectEnvelope(await byDate('v1', { ...SEEDED_RANGE, limit: 100, page }), 'v1');
      for (const r of body.data) v1Statuses.add(r.status);
      if (!body.meta.has_more) break;
    }
    for (let page = 1; ; page++) {
      const body = expectEnvelope(await byDate('v2', { ...SEEDED_RANGE, limit: 100, page }), 'v2');
      for (const r of body.data) {
        for (const item of r.items) {
          v2Statuses.add(item.status);
          if (item.backordered) backordered++;
        }
      }
      if (!body.meta.has_more) break;
    }
    // Every record passed the vocabulary checks in expectEnvelope; the mappings show up in the data:
    expect(v1Statuses.has('review')).toBe(false);
    expect(v1Statuses.has('confirmed')).toBe(false);
    expect(v1Statuses.has('processing')).toBe(false);
    expect(v2Statuses.has('backorder')).toBe(false);
    expect(v1Statuses.has('backorder')).toBe(true);
    expect(backordered).toBeGreaterThan(0);
  });
});

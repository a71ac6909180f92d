// Whole-database invariants the kill harness checks after its last restart: whatever was killed mid-write, no
// row may be half-written. Each returns one sentence per violation.
//
// Adding one (when the work lands): the per-day counts agree with count(*) per retailer and day; every change
// has its outbox event and every event its change; every supplier document's summary matches its results and
// rows; every webhook delivery refers to an event and no event is delivered out of its at-least-once contract.
// Write it as an Invariant and add it to INVARIANTS.
import type { Db } from '../../src/db/database.ts';
import { renderV1Lines, renderV2 } from '../../src/domain/render.ts';
import { loadPoAggregate, supplierNamesOf, toPoState } from '../../src/store/purchase-orders.ts';

export interface Invariant {
  name: string;
  check(db: Db, retailerId: string): Promise<string[]>;
}

/** Stored renderings (read API) equal a fresh render of the rows; every PO has lines and a lifecycle event. */
const renderingsMatchRows: Invariant = {
  name: 'stored renderings equal a fresh render of the rows',
  async check(db, retailerId) {
    const problems: string[] = [];
    const names = await supplierNamesOf(db, retailerId);
    const pos = await db.selectFrom('purchase_orders').select(['id', 'view_v2']).where('retailer_id', '=', retailerId).execute();
    for (const { id, view_v2: stored } of pos) {
      const aggregate = await loadPoAggregate(db, retailerId, id);
      if (!aggregate || aggregate.lines.length === 0) {
        problems.push(`PO ${id} has no lines`);
        continue;
      }
      const state = toPoState(aggregate, names);
      if (renderV2(state) !== stored) problems.push(`PO ${id}: stored v2 rendering differs from its rows`);
      const v1 = renderV1Lines(state);
      const storedV1 = new Map((await db.selectFrom('po_lines').select(['id', 'view_v1']).where('po_id', '=', id).execute())
        .map((line) => [line.id, line.view_v1]));
      state.lines.forEach((line, i) => {
        if (storedV1.get(line.id) !== v1[i]) problems.push(`PO ${id} line ${line.id}: stored v1 rendering differs from its rows`);
      });
      const lifecycle = await db.selectFrom('status_events').select('id').where('po_id', '=', id).where('axis', '=', 'lifecycle').execute();
      if (lifecycle.length === 0) problems.push(`PO ${id} has no lifecycle status event`);
    }
    return problems;
  },
};

/** A held update never outlives the arrival of its PO (they are applied in the PO's creating transaction). */
const noHeldUpdateForKnownPo: Invariant = {
  name: 'no held update for a PO number that exists',
  async check(db, retailerId) {
    const rows = await db.selectFrom('held_supplier_updates as h')
      .innerJoin('purchase_orders as po', (join) => join.onRef('po.retailer_id', '=', 'h.retailer_id').onRef('po.po_number', '=', 'h.po_number'))
      .select(['h.id', 'h.po_number']).where('h.retailer_id', '=', retailerId).where('h.expired_at', 'is', null).execute();
    return rows.map((row) => `held update ${row.id} for ${row.po_number}, which exists`);
  },
};

/** An Idempotency-Key row is only ever stored with its response. */
const keysHaveResponses: Invariant = {
  name: 'every stored Idempotency-Key has its response',
  async check(db, retailerId) {
    const rows = await db.selectFrom('idempotency_keys').select('key').where('retailer_id', '=', retailerId)
      .where((eb) => eb.or([eb('status_code', 'is', null), eb('response_body', 'is', null)])).execute();
    return rows.map((row) => `Idempotency-Key ${row.key} stored without a response`);
  },
};

export const INVARIANTS: Invariant[] = [renderingsMatchRows, noHeldUpdateForKnownPo, keysHaveResponses];

// Whole-database invariants the kill harness checks after its last restart: whatever was killed mid-write, no
// row may be half-written. Each returns one sentence per violation.
//
// Here: stored renderings equal a fresh render; no held update outlives its PO; every key has its response; the
// per-day counts (migration 0009's triggers) equal count(*) per day; the event outbox agrees with the rows; every
// supplier document keeps its bytes and its summary agrees with its results. Webhook deliveries are checked by
// their path (paths-webhooks.ts), which owns the receiver. Write a new one as an Invariant and add it to INVARIANTS.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { readCsv } from '../../src/ingest/csv/reader.ts';
import { carrierOfScac, readX12 } from '../../src/ingest/x12/index.ts';
import { sequenceEvents } from '../../src/store/events.ts';
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

/** po_day_counts (kept by triggers, migration 0009) equals a count(*) of POs and of lines grouped by UTC day. */
const dayCountsMatchRows: Invariant = {
  name: 'per-day counts equal count(*) per day',
  async check(db, retailerId) {
    const counted = await sql<{ day: string; pos: number; lines: number }>`
      select substr(po.order_date, 1, 10) as day, count(*) as pos, coalesce(sum(l.n), 0) as lines
      from purchase_orders po left join (select po_id, count(*) as n from po_lines group by po_id) l on l.po_id = po.id
      where po.retailer_id = ${retailerId} group by substr(po.order_date, 1, 10)`.execute(db);
    const kept = await db.selectFrom('po_day_counts').select(['day', 'pos', 'lines']).where('retailer_id', '=', retailerId).execute();
    const want = new Map(counted.rows.map((r) => [r.day, `${Number(r.pos)} POs, ${Number(r.lines)} lines`]));
    // A day whose POs are all gone may keep a row of zeros; any other difference is a count out of step.
    const have = new Map(kept.filter((r) => Number(r.pos) !== 0 || Number(r.lines) !== 0)
      .map((r) => [r.day, `${Number(r.pos)} POs, ${Number(r.lines)} lines`]));
    const problems: string[] = [];
    for (const day of new Set([...want.keys(), ...have.keys()])) {
      if (want.get(day) !== have.get(day)) problems.push(`po_day_counts ${day}: kept ${have.get(day) ?? 'nothing'}, the rows have ${want.get(day) ?? 'nothing'}`);
    }
    return problems;
  },
};

/** po_line_counts (kept by triggers, migration 0020) holds each PO's line count at the PO's order date. */
const lineCountsMatchRows: Invariant = {
  name: 'per-PO line counts equal count(*) per PO',
  async check(db, retailerId) {
    const counted = await sql<{ po_id: string; order_date: string; lines: number }>`
      select po.id as po_id, po.order_date, count(*) as lines from purchase_orders po join po_lines l on l.po_id = po.id
      where po.retailer_id = ${retailerId} group by po.id, po.order_date`.execute(db);
    const kept = await db.selectFrom('po_line_counts').select(['po_id', 'order_date', 'lines'])
      .where('retailer_id', '=', retailerId).where('lines', '<>', 0).execute();
    const want = new Map(counted.rows.map((r) => [r.po_id, `${Number(r.lines)} lines at ${r.order_date}`]));
    const have = new Map(kept.map((r) => [r.po_id, `${Number(r.lines)} lines at ${r.order_date}`]));
    const problems: string[] = [];
    for (const po of new Set([...want.keys(), ...have.keys()])) {
      if (want.get(po) !== have.get(po)) problems.push(`po_line_counts ${po}: kept ${have.get(po) ?? 'nothing'}, the rows have ${want.get(po) ?? 'nothing'}`);
    }
    return problems;
  },
};

/** po_suppliers (kept by triggers, migration 0022) holds each PO's suppliers (its header's and its lines'). */
const poSuppliersMatchRows: Invariant = {
  name: 'each PO\'s kept suppliers equal its header\'s and lines\' suppliers',
  async check(db, retailerId) {
    const counted = await sql<{ po_id: string; supplier_id: string; on_header: number; lines: number }>`
      select po_id, supplier_id, max(on_header) as on_header, sum(lines) as lines
      from (select id as po_id, supplier_id, 1 as on_header, 0 as lines from purchase_orders where retailer_id = ${retailerId} and supplier_id is not null
            union all select po_id, supplier_id, 0, 1 from po_lines where retailer_id = ${retailerId} and supplier_id is not null) pairs
      group by po_id, supplier_id`.execute(db);
    const kept = await db.selectFrom('po_suppliers').select(['po_id', 'supplier_id', 'on_header', 'lines']).where('retailer_id', '=', retailerId).execute();
    const shown = (r: { on_header: unknown; lines: unknown }) => `header ${Number(r.on_header)}, ${Number(r.lines)} lines`;
    const want = new Map(counted.rows.map((r) => [`${r.po_id} ${r.supplier_id}`, shown(r)]));
    const have = new Map(kept.map((r) => [`${r.po_id} ${r.supplier_id}`, shown(r)]));
    const problems: string[] = [];
    for (const pair of new Set([...want.keys(), ...have.keys()])) {
      if (want.get(pair) !== have.get(pair)) problems.push(`po_suppliers ${pair}: kept ${have.get(pair) ?? 'nothing'}, the rows have ${want.get(pair) ?? 'nothing'}`);
    }
    return problems;
  },
};

/**
 * The event outbox agrees with the rows. What can be checked honestly from the database alone (nothing in the
 * service deletes a PO, and events are pruned only after their retention, far beyond a test run):
 * - every PO has exactly one purchase_order.created event, naming its id and number;
 * - no event names a PO that does not exist (an event from a rolled-back write);
 * - once sequenced, positions are unique, and each PO's created event comes before its other events;
 * - the last event carrying a PO's record carries the record as stored now (a change committed without its
 *   event, or an event of a change that was rolled back, would show here).
 */
const outboxMatchesRows: Invariant = {
  name: 'the event outbox agrees with the rows',
  async check(db, retailerId) {
    await sequenceEvents(db);
    const problems: string[] = [];
    const events = await db.selectFrom('events').select(['id', 'type', 'payload', 'position']).where('retailer_id', '=', retailerId)
      .orderBy('position').execute();
    const unsequenced = events.filter((e) => e.position === null).length;
    if (unsequenced > 0) problems.push(`${unsequenced} committed events have no position after sequencing`);
    const positions = events.map((e) => Number(e.position));
    if (new Set(positions).size !== positions.length) problems.push('two events share a position');
    const pos = new Map((await db.selectFrom('purchase_orders').select(['id', 'po_number', 'view_v2']).where('retailer_id', '=', retailerId)
      .execute()).map((po) => [po.id, po]));
    const created = new Map<string, number>();
    const lastRecord = new Map<string, { event: string; record: string }>();
    const firstPosition = new Map<string, { type: string; id: string }>();
    for (const event of events) {
      const data = (JSON.parse(event.payload) as { data: { po_number?: string; purchase_order?: { id: string; po_number: string } } }).data;
      const record = data.purchase_order;
      if (!record) continue;
      const po = pos.get(record.id);
      if (!po) {
        problems.push(`event ${event.id} (${event.type}) names PO ${record.id}, which does not exist`);
        continue;
      }
      if (!firstPosition.has(po.id)) firstPosition.set(po.id, { type: event.type, id: event.id });
      if (event.type === 'purchase_order.created') {
        created.set(po.id, (created.get(po.id) ?? 0) + 1);
        if (record.po_number !== po.po_number) problems.push(`event ${event.id}: created ${record.po_number}, the PO is ${po.po_number}`);
      }
      lastRecord.set(po.id, { event: event.id, record: JSON.stringify(record) });
    }
    for (const po of pos.values()) {
      const n = created.get(po.id) ?? 0;
      if (n !== 1) problems.push(`PO ${po.id} (${po.po_number}) has ${n} purchase_order.created events`);
      const first = firstPosition.get(po.id);
      if (first && first.type !== 'purchase_order.created') problems.push(`PO ${po.id}: its first event is ${first.type} (${first.id}), not its creation`);
      const last = lastRecord.get(po.id);
      if (last && last.record !== JSON.stringify(JSON.parse(po.view_v2))) {
        problems.push(`PO ${po.id}: its last event ${last.event} carries a record other than the stored one`);
      }
    }
    return problems;
  },
};

/**
 * Every supplier document keeps its bytes (as many as size_bytes, hashing to sha256); a processed one has a
 * result for every entry it read (indexes 0…n-1, n = next_entry) and its summary counts equal its results'.
 */
const supplierDocumentsWhole: Invariant = {
  name: 'supplier documents keep their bytes and their summaries agree with their results',
  async check(db, retailerId) {
    const problems: string[] = [];
    // The bytes live in a table of their own (migration 0014); a document without its row there has lost them.
    const documents = await db.selectFrom('supplier_documents as d')
      .leftJoin('supplier_document_contents as c', 'c.document_id', 'd.id')
      .selectAll('d').select('c.content').where('d.retailer_id', '=', retailerId).execute();
    for (const doc of documents) {
      const bytes = doc.content ? Buffer.from(doc.content as Uint8Array) : null;
      if (!bytes || bytes.length !== doc.size_bytes || createHash('sha256').update(bytes).digest('hex') !== doc.sha256) {
        problems.push(`supplier document ${doc.id}: its bytes are missing or differ from size_bytes/sha256`);
      }
      const results = await db.selectFrom('supplier_document_results').select(['idx', 'result']).where('document_id', '=', doc.id)
        .orderBy('idx').execute();
      if (results.some((r, i) => r.idx !== i)) problems.push(`supplier document ${doc.id}: result indexes are not 0…${results.length - 1}`);
      if (results.length !== doc.next_entry) problems.push(`supplier document ${doc.id}: ${results.length} results, next_entry ${doc.next_entry}`);
      const count = (kind: string) => results.filter((r) => r.result === kind).length;
      const summary = { applied: doc.applied, unchanged: doc.unchanged, unmatched: doc.unmatched, rejected: doc.rejected };
      const counted = { applied: count('applied'), unchanged: count('unchanged'), unmatched: count('unmatched'), rejected: count('rejected') };
      if (JSON.stringify(summary) !== JSON.stringify(counted)) {
        problems.push(`supplier document ${doc.id}: summary ${JSON.stringify(summary)}, results ${JSON.stringify(counted)}`);
      }
      if (doc.status === 'processed' && bytes) {
        // Every entry the file holds (read again with the ingest's own readers) has its result.
        const entries = doc.format === 'csv'
          ? readCsv(bytes, { supplierName: doc.supplier_name, scacCarrier: carrierOfScac })
          : readX12(bytes, { supplierName: doc.supplier_name }).entries();
        let n = 0;
        for await (const _entry of entries) n++;
        if (n !== results.length) problems.push(`supplier document ${doc.id}: processed, ${n} entries in the file, ${results.length} results`);
      }
      if (doc.status === 'processed' && !doc.processed_at) problems.push(`supplier document ${doc.id}: processed without processed_at`);
    }
    return problems;
  },
};

export const INVARIANTS: Invariant[] = [
  renderingsMatchRows, noHeldUpdateForKnownPo, keysHaveResponses, dayCountsMatchRows, lineCountsMatchRows, poSuppliersMatchRows,
  outboxMatchesRows, supplierDocumentsWhole,
];

// An X12 transaction set is one unit (DESIGN 3, issue 7 fresh-user report items 1, 3 and 14): applied whole or not
// at all, and the 997 says which. A set refused while mapped (SN102 "-3") or applied (a part not on the PO, an
// over-shipment) writes nothing, each of its results is `rejected` naming the set and the element at fault, and the
// 997 answers it AK3/AK4/AK5 R; AK9 counts the sets taken. Batches never split a set, also when resumed after a
// crash. On SQLite and PostgreSQL.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { ingestDocument } from '../../src/ingest/pipeline.ts';
import { addPo, openDocumentWorld, postDocument, postX12, readAcknowledgement, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';

const databases = TestDatabases.create();
const UPS = ['1Z999AA10123457149', '1Z999AA10123457150', '1Z999AA10123456813', '1Z999AA10123456824', '1Z999AA10123456835'];

/** An interchange of one group around `sets` (each a list of segments without ST/SE); SE counts computed. */
function interchange(control: number, groupCode: string, sets: { code: string; segments: string[] }[]): string {
  const isa13 = String(control).padStart(9, '0');
  const body = sets.map((set, i) => {
    const st = String(i + 1).padStart(4, '0');
    const segments = [`ST*${set.code}*${st}`, ...set.segments];
    return [...segments, `SE*${segments.length + 1}*${st}`].join('~\n');
  }).join('~\n');
  return `ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*ACMEGOLF       *261120*1504*U*00401*${isa13}*0*P*:~\n` +
    `GS*${groupCode}*SUPPLIER*ACMEGOLF*20261120*1504*${control}*X*004010~\n${body}~\nGE*${sets.length}*${control}~\n` +
    `IEA*1*${isa13}~\n`;
}

/** An 856 of one order with one pack per [tracking number, sku, SN102]: SN1 of pack k is segment 12 + 5k. */
const ship856 = (poNumber: string, packs: [string, string, string][]) => ({
  code: '856', segments: [
    'BSN*00*E1*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', `PRF*${poNumber}`, 'REF*VN*TM-1',
    ...packs.flatMap(([tracking, sku, quantity], k) => [
      `HL*${3 + 2 * k}*2*P`, `MAN*CP*${tracking}`, `HL*${4 + 2 * k}*${3 + 2 * k}*I`, `LIN**BP*${sku}`, `SN1**${quantity}*EA`,
    ]),
  ],
});

/** Segments of X12 text as arrays of elements. */
const segmentsOf = (text: string): string[][] =>
  text.split('~').map((s) => s.trim()).filter(Boolean).map((s) => s.split('*'));

/** The 997's segments between ST and SE of its one set (AK1 … AK9). */
const ackBody = (text: string) => {
  const segments = segmentsOf(text);
  return segments.slice(segments.findIndex((s) => s[0] === 'AK1'), segments.findIndex((s) => s[0] === 'AK9') + 1);
};

describe.each(databases.eachSupportedId())('X12 transaction sets applied whole or not at all on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;
  let control = 900;

  const post = (body: string) => postX12(app, writeKey, body);
  const ack = (documentId: string) => readAcknowledgement(app, world.keys.a, documentId);
  /** A PO of SKU-A ×10, SKU-B ×4, SKU-C ×2 (as the report's `mkpo`). */
  const po = (poNumber: string) => addPo(db, world.retailerA, world.suppliers.acushnet, poNumber, [
    { product_name: 'A', sku: 'SKU-A', quantity: 10, unit_cost_cents: 500, status: 'submitted' },
    { product_name: 'B', sku: 'SKU-B', quantity: 4, unit_cost_cents: 2550, status: 'submitted' },
    { product_name: 'C', sku: 'SKU-C', quantity: 2, unit_cost_cents: 10000, status: 'submitted' },
  ]);
  const read = (poNumber: string) => readV2(app, world.keys.a, poNumber);
  const statuses = async (poNumber: string) =>
    Object.fromEntries((await read(poNumber)).items.map((i: any) => [i.product_details.sku, i.status]));
  const supplierOrders = async (poNumber: string) => (await db.selectFrom('supplier_orders as o')
    .innerJoin('purchase_orders as p', 'p.id', 'o.po_id').select('o.supplier_order_id')
    .where('p.po_number', '=', poNumber).where('p.retailer_id', '=', world.retailerA).execute()).map((r) => r.supplier_order_id);
  const shipmentsOf = async (poNumber: string) => (await db.selectFrom('shipments as s')
    .innerJoin('purchase_orders as p', 'p.id', 's.po_id').select('s.tracking_number')
    .where('p.po_number', '=', poNumber).execute()).map((r) => r.tracking_number);

  beforeAll(async () => {
    ({ db, world, app, writeKey } = await openDocumentWorld(databases, databaseId));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('SN102 too long, negative, fractional, zero or beyond the order: each set rejected, AK3 SN1 / AK4 2*382 in its 997', async () => {
    await po('PO-QTY');
    const quantities = ['99999999999999999999', '-3', '1.5', '0', '11'];
    const document = await post(interchange(++control, 'SH', quantities.map((q, i) => ship856('PO-QTY', [[UPS[i], 'SKU-A', q]]))));
    expect(document.results.map((r: any) => r.result)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    for (const [i, r] of document.results.entries()) {
      expect(r.reason).toMatch(new RegExp(`^ST 000${i + 1} \\(856\\) rejected: .*SN102 "${quantities[i].replace('.', '\\.')}"`));
    }
    expect(await shipmentsOf('PO-QTY')).toEqual([]);
    // AK403: 5 too long (SN102 has at most 10 digits), 6 invalid character (a sign, a fraction), 7 a value not taken.
    const codes = ['5', '6', '6', '7', '7'];
    expect(ackBody(await ack(document.document_id))).toEqual([
      ['AK1', 'SH', String(control)],
      ...quantities.flatMap((q, i) => [
        ['AK2', '856', `000${i + 1}`], ['AK3', 'SN1', '12', 'HL', '8'], ['AK4', '2', '382', codes[i], q], ['AK5', 'R', '5'],
      ]),
      ['AK9', 'R', '5', '5', '0'],
    ]);
  });

  it('an 856 with two packs, one of a part not on the PO: nothing of the set is written, both results name LIN03, 997 R', async () => {
    await po('PO-PART');
    const before = await tableCounts(db);
    const document = await post(interchange(++control, 'SH', [ship856('PO-PART', [[UPS[0], 'SKU-A', '2'], [UPS[1], 'NOT-ON-PO', '1']])]));
    const reason = 'ST 0001 (856) rejected: LIN03 "NOT-ON-PO" (HL 6): SKU "NOT-ON-PO" is not on PO PO-PART.';
    expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['rejected', reason], ['rejected', reason]]);
    expect(document.summary).toEqual({ applied: 0, unchanged: 0, unmatched: 0, rejected: 2 });
    const after = await tableCounts(db);
    for (const table of ['shipments', 'shipment_lines', 'supplier_orders', 'status_events', 'applied_supplier_updates'] as const) {
      expect(after[table], table).toBe(before[table]);
    }
    expect(await statuses('PO-PART')).toEqual({ 'SKU-A': 'submitted', 'SKU-B': 'submitted', 'SKU-C': 'submitted' });
    expect(ackBody(await ack(document.document_id))).toEqual([
      ['AK1', 'SH', String(control)], ['AK2', '856', '0001'], ['AK3', 'LIN', '16', 'HL', '8'], ['AK4', '3', '234', '7', 'NOT-ON-PO'],
      ['AK5', 'R', '5'], ['AK9', 'R', '1', '1', '0'],
    ]);
  });

  it('an 855 with an unknown UPC line and an ACK-less line rejects the set naming the PO1 line; no line changes', async () => {
    await po('PO-UPC');
    const document = await post(interchange(++control, 'PR', [{ code: '855', segments: [
      'BAK*00*AC*PO-UPC*20261120****SY-1', 'PO1*1*4*EA*5**UP*012345678905', 'ACK*IA*4*EA', 'PO1*2*2*EA*5**BP*SKU-C',
    ] }]));
    expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([
      ['rejected', 'ST 0001 (855) rejected: PO107 "012345678905" (PO1 1): SKU "012345678905" is not on PO PO-UPC.'],
    ]);
    expect(await statuses('PO-UPC')).toEqual({ 'SKU-A': 'submitted', 'SKU-B': 'submitted', 'SKU-C': 'submitted' });
    expect(await supplierOrders('PO-UPC')).toEqual([]);
    expect(ackBody(await ack(document.document_id))).toEqual([
      ['AK1', 'PR', String(control)], ['AK2', '855', '0001'], ['AK3', 'PO1', '3', 'PO1', '8'], ['AK4', '7', '234', '7', '012345678905'],
      ['AK5', 'R', '5'], ['AK9', 'R', '1', '1', '0'],
    ]);
  });

  it('an 855 split by ACK codes with one unknown line: no group of it applies (the IB group is not written alone)', async () => {
    await po('PO-SPLIT');
    const document = await post(interchange(++control, 'PR', [{ code: '855', segments: [
      'BAK*00*AC*PO-SPLIT*20261120****SU-1', 'PO1*1*10*EA*5**BP*SKU-A', 'ACK*IA*6*EA*068*20261201', 'ACK*IB*4*EA*068*20270101',
      'PO1*2*4*EA*5**UP*012345678905', 'ACK*IA*4*EA', 'PO1*3*2*EA*5**BP*SKU-C',
    ] }]));
    expect(document.results).toHaveLength(3);
    for (const r of document.results) {
      expect(r.result).toBe('rejected');
      expect(r.reason).toBe('ST 0001 (855) rejected: PO107 "012345678905" (PO1 2): SKU "012345678905" is not on PO PO-SPLIT.');
    }
    expect(await statuses('PO-SPLIT')).toEqual({ 'SKU-A': 'submitted', 'SKU-B': 'submitted', 'SKU-C': 'submitted' });
    expect(await supplierOrders('PO-SPLIT')).toEqual([]);
    expect(ackBody(await ack(document.document_id))).toContainEqual(['AK5', 'R', '5']);
  });

  it('an 855 without BAK08 or REF*VN applies, its supplier order named by the PO number (BAK03); 997 A', async () => {
    await po('PO-NO-BAK08');
    const document = await post(interchange(++control, 'PR', [{ code: '855', segments: [
      'BAK*00*AC*PO-NO-BAK08*20261120', 'PO1*1*10*EA*5**BP*SKU-A', 'ACK*IA*10*EA',
    ] }]));
    expect(document.results.map((r: any) => [r.result, r.reason])).toEqual([['applied', null]]);
    expect(await supplierOrders('PO-NO-BAK08')).toEqual(['PO-NO-BAK08']);
    expect((await statuses('PO-NO-BAK08'))['SKU-A']).toBe('confirmed');
    expect(ackBody(await ack(document.document_id))).toEqual([
      ['AK1', 'PR', String(control)], ['AK2', '855', '0001'], ['AK5', 'A'], ['AK9', 'A', '1', '1', '1'],
    ]);
  });

  it('810s with CUR02 ZZZ, TDS01 -1000, a TDS01 too long, fractional yen are answered R at CUR02 (100) and TDS01 (610)', async () => {
    await po('PO-INV');
    const invoice = (n: number, cur: string[], tds: string, price = '5') => ({ code: '810', segments: [
      `BIG*20261120*INV-${n}**PO-INV`, ...cur, `IT1*1*2*EA*${price}**BP*SKU-A`, `TDS*${tds}`,
    ] });
    const document = await post(interchange(++control, 'IN', [
      invoice(1, ['CUR*SE*ZZZ'], '1000'), invoice(2, [], '-1000'), invoice(3, [], '1000'),
      invoice(4, [], '99999999999999999999999'), invoice(5, ['CUR*SE*JPY'], '100050', '500.25'),
    ]));
    expect(document.results.map((r: any) => r.result)).toEqual(['rejected', 'rejected', 'applied', 'rejected', 'rejected']);
    expect(document.results[0].reason).toMatch(/^ST 0001 \(810\) rejected: CUR02 "ZZZ": /);
    expect(document.results[1].reason).toMatch(/^ST 0002 \(810\) rejected: TDS01 "-1000"/);
    const body = ackBody(await ack(document.document_id));
    expect(body).toContainEqual(['AK3', 'CUR', '3', '', '8']);
    expect(body).toContainEqual(['AK4', '2', '100', '7', 'ZZZ']);
    expect(body).toContainEqual(['AK4', '1', '610', '6', '-1000']);
    // TDS01 has at most 15 digits; 1000.50 yen is a fraction of the currency's unit.
    expect(body).toContainEqual(['AK4', '1', '610', '5', '99999999999999999999999']);
    expect(body).toContainEqual(['AK4', '1', '610', '7', '100050']);
    expect(body.filter((s) => s[0] === 'AK5')).toEqual([['AK5', 'R', '5'], ['AK5', 'R', '5'], ['AK5', 'A'], ['AK5', 'R', '5'], ['AK5', 'R', '5']]);
    expect(body.at(-1)).toEqual(['AK9', 'P', '5', '5', '1']);
  });

  it('a mixed file: the good sets apply (one held for a PO not there yet), the refused one writes nothing; AK9 P', async () => {
    await po('PO-MIX');
    const document = await post(interchange(++control, 'SH', [
      ship856('PO-MIX', [[UPS[0], 'SKU-A', '2']]),
      ship856('PO-MIX', [[UPS[1], 'SKU-B', '1'], [UPS[2], 'SKU-C', '3']]),
      ship856('PO-MIX-LATER', [[UPS[3], 'SKU-A', '1']]),
      ship856('PO-MIX', [[UPS[4], 'SKU-B', '4']]),
    ]));
    expect(document.results.map((r: any) => r.result)).toEqual(['applied', 'rejected', 'rejected', 'unmatched', 'applied']);
    expect(document.results[1].reason).toBe(
      'ST 0002 (856) rejected: SN102 "3" (HL 6): SKU "SKU-C": shipping 3 would make 3 shipped of the 2 ordered.');
    expect((await shipmentsOf('PO-MIX')).sort()).toEqual([UPS[0], UPS[4]].sort());
    // SKU-B shipped whole by set 4 (set 2's unit of SKU-B not counted against it); SKU-C untouched.
    expect(await statuses('PO-MIX')).toMatchObject({ 'SKU-B': 'shipped', 'SKU-C': 'submitted' });
    expect(ackBody(await ack(document.document_id))).toEqual([
      ['AK1', 'SH', String(control)],
      ['AK2', '856', '0001'], ['AK5', 'A'],
      ['AK2', '856', '0002'], ['AK3', 'SN1', '17', 'HL', '8'], ['AK4', '2', '382', '7', '3'], ['AK5', 'R', '5'],
      ['AK2', '856', '0003'], ['AK5', 'A'],
      ['AK2', '856', '0004'], ['AK5', 'A'],
      ['AK9', 'P', '4', '4', '3'],
    ]);
  });

  it('posted with an Idempotency-Key (applied in the request\'s transaction), a refused set still writes nothing', async () => {
    await po('PO-KEYED');
    const before = await tableCounts(db);
    const body = interchange(++control, 'SH', [
      ship856('PO-KEYED', [[UPS[0], 'SKU-A', '2'], [UPS[1], 'NOT-ON-PO', '1']]), ship856('PO-KEYED', [[UPS[2], 'SKU-B', '1']]),
    ]);
    const response = await postDocument(app, writeKey, body, { contentType: 'application/edi-x12', headers: { 'idempotency-key': 'sets-1' } });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().results.map((r: any) => r.result)).toEqual(['rejected', 'rejected', 'applied']);
    expect(await shipmentsOf('PO-KEYED')).toEqual([UPS[2]]);
    const after = await tableCounts(db);
    expect(after.shipments - before.shipments).toBe(1);
    expect(after.applied_supplier_updates - before.applied_supplier_updates).toBe(1);
  });

  it('a set is never split across batches: with batchSize 1 a two-pack set is one batch, applied none when one pack is refused', async () => {
    await po('PO-BATCH');
    const bytes = Buffer.from(interchange(++control, 'SH', [
      ship856('PO-BATCH', [[UPS[0], 'SKU-A', '1'], [UPS[1], 'SKU-B', '1']]),
      ship856('PO-BATCH', [[UPS[2], 'SKU-A', '1'], [UPS[3], 'NOT-ON-PO', '1']]),
    ]));
    const starts: number[] = [];
    const outcome = await ingestDocument(db, world.retailerA, { bytes, format: 'x12', content_type: 'application/edi-x12' }, {
      batchSize: 1, beforeBatch: (from) => { starts.push(from); },
    });
    expect(starts).toEqual([0, 2]);
    expect(outcome.document).toMatchObject({ status: 'processed', applied: 2, rejected: 2 });
    expect((await shipmentsOf('PO-BATCH')).sort()).toEqual([UPS[0], UPS[1]].sort());
    expect(ackBody(outcome.document.acknowledgement!).at(-1)).toEqual(['AK9', 'P', '2', '2', '1']);
  });

  it('an apply killed between sets resumes at the next set; the 997 still answers the set refused before the kill', async () => {
    await po('PO-KILL');
    const bytes = Buffer.from(interchange(++control, 'SH', [
      ship856('PO-KILL', [[UPS[0], 'SKU-A', '1'], [UPS[1], 'NOT-ON-PO', '1']]),
      ship856('PO-KILL', [[UPS[2], 'SKU-A', '1'], [UPS[3], 'SKU-B', '1']]),
    ]));
    const input = { bytes, format: 'x12' as const, content_type: 'application/edi-x12' };
    await expect(ingestDocument(db, world.retailerA, input, {
      batchSize: 1, beforeBatch: (from) => { if (from === 2) throw new Error('the process died'); },
    })).rejects.toThrow('the process died');
    const cut = await db.selectFrom('supplier_documents').select(['id', 'status', 'next_entry', 'rejected'])
      .where('retailer_id', '=', world.retailerA).orderBy('received_at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(cut).toMatchObject({ status: 'processing', next_entry: 2, rejected: 2 });
    expect(await shipmentsOf('PO-KILL')).toEqual([]);

    const resumed = await ingestDocument(db, world.retailerA, input, { batchSize: 1 });
    expect(resumed).toMatchObject({ created: false, resumed: true });
    expect(resumed.document).toMatchObject({ status: 'processed', applied: 2, rejected: 2 });
    expect((await shipmentsOf('PO-KILL')).sort()).toEqual([UPS[2], UPS[3]].sort());
    expect(ackBody(resumed.document.acknowledgement!)).toEqual([
      ['AK1', 'SH', String(control)],
      ['AK2', '856', '0001'], ['AK3', 'LIN', '16', 'HL', '8'], ['AK4', '3', '234', '7', 'NOT-ON-PO'], ['AK5', 'R', '5'],
      ['AK2', '856', '0002'], ['AK5', 'A'],
      ['AK9', 'P', '2', '2', '1'],
    ]);
  });
});

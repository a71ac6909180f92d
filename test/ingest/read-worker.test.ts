// A large supplier document is read in a worker thread while the batches already read are applied
// (src/ingest/read-batches.ts). Read there or here, a document gives the same batches, the same 997, the same
// break where a file stops being readable, and the same resume from an entry; through the pipeline, a document
// read in the worker applies as one read here does, and an apply cut off mid-way still completes on re-sending.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { ingestDocument } from '../../src/ingest/pipeline.ts';
import { readBatches, WORKER_THRESHOLD_BYTES, type ReadRequest } from '../../src/ingest/read-batches.ts';
import { UnreadableDocumentError } from '../../src/ingest/types.ts';
import { generate856 } from '../../src/ingest/x12/generate.ts';
import { SUPPLIERS } from '../../src/seed/catalog.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { addPo, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, type World } from '../support/world.ts';

/** An 856 of `count` shipments whose third set has a wrong SE01 count: rejected by its 997, the rest accepted. */
function x12WithOneBadSet(count: number, poNumber?: (i: number) => string): Buffer {
  let seen = 0;
  const text = generate856(count, { poNumber }).replace(/\nSE\*(\d+)\*/g, (whole) => (++seen === 3 ? '\nSE*999*' : whole));
  return Buffer.from(text);
}

async function readAll(request: ReadRequest, inWorker: boolean) {
  const reading = readBatches(request, inWorker);
  const batches: unknown[][] = [];
  let error: unknown = null;
  try {
    for await (const batch of reading.batches) batches.push(batch);
  } catch (caught) {
    error = caught;
  }
  const now = new Date('2026-11-30T10:00:00Z');
  const ack = reading.acknowledgement();
  return { batches, error, ack: ack && { interchanges: ack.interchanges, text: ack.render(41, new Map(), now) } };
}

describe('reading a document in a worker thread', () => {
  it('gives the same batches and the same 997 as reading it here, a rejected set included', async () => {
    const request: ReadRequest = { format: 'x12', bytes: x12WithOneBadSet(23), supplierName: null, from: 0, batchSize: 5 };
    const here = await readAll(request, false);
    const there = await readAll(request, true);
    expect(here.error).toBeNull();
    expect(here.batches.map((b) => b.length)).toEqual([5, 5, 5, 5, 3]);
    expect(there).toEqual(here);
    const entries = here.batches.flat() as { parsed: unknown; reason: string | null }[];
    expect(entries[2].parsed).toBeNull();
    expect(entries[2].reason).toMatch(/SE/);
    expect(here.ack?.interchanges).toBe(1);
    expect(here.ack?.text).toMatch(/AK5\*R/);
    expect(here.ack?.text).toMatch(/ISA\*(.*)\*000000041\*/);
  });

  it('resumes from an entry: the entries before it are skipped, the 997 still answers every set', async () => {
    const request: ReadRequest = { format: 'x12', bytes: x12WithOneBadSet(12), supplierName: null, from: 7, batchSize: 4 };
    const here = await readAll(request, false);
    expect(here.batches.map((b) => b.length)).toEqual([4, 1]);
    expect(await readAll(request, true)).toEqual(here);
    expect((await readAll({ ...request, from: 0 }, false)).ack).toEqual(here.ack);
  });

  it('gives the same error, with its line, for a CSV that breaks near its end, and no batch before it', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => `PO-W-${i},SO-W,1Z999AA10123456784,TIT-GT2-9,1`);
    const csv = Buffer.from(`PO #,Order #,Tracking #,Item #,Qty Shipped\n${rows.join('\n')}\nPO-W-9,"SO-W,1Z,TIT,1\n`);
    const request: ReadRequest = { format: 'csv', bytes: csv, supplierName: 'Acushnet', from: 0, batchSize: 3 };
    const here = await readAll(request, false);
    const there = await readAll(request, true);
    expect(here.error).toBeInstanceOf(UnreadableDocumentError);
    expect(there.error).toBeInstanceOf(UnreadableDocumentError);
    const describe = (e: unknown) => { const u = e as UnreadableDocumentError; return [u.message, u.line, u.column]; };
    expect(describe(there.error)).toEqual(describe(here.error));
    expect(there.batches).toEqual([]);
    expect(here.batches).toEqual([]);
    expect(there.ack).toBeNull();
  });

  it('an X12 file that cannot be read fails before any batch, in the worker as here', async () => {
    const request: ReadRequest = { format: 'x12', bytes: Buffer.from('GS*SH*A*B*20261120*0600*1*X*004010~'), supplierName: null, from: 0, batchSize: 5 };
    const there = await readAll(request, true);
    expect(there.batches).toEqual([]);
    expect(there.error).toBeInstanceOf(UnreadableDocumentError);
    expect((there.error as Error).message).toBe(((await readAll(request, false)).error as Error).message);
  });

  it('stops the worker when the reader is closed early', async () => {
    const reading = readBatches({ format: 'x12', bytes: x12WithOneBadSet(40), supplierName: null, from: 0, batchSize: 2 }, true);
    for await (const _ of reading.batches) break;
    await reading.close();
    expect(reading.acknowledgement()).toBeNull();
  });

  it('is chosen for documents from WORKER_THRESHOLD_BYTES on', () => {
    expect(WORKER_THRESHOLD_BYTES).toBe(1024 * 1024);
  });
});

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('the pipeline reading in a worker on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  const poNumber = (i: number) => `PO-WRK-${i}`;

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    world = await createWorld(db);
    app = world.app;
  });
  afterAll(async () => { await app.close(); });

  it('applies a document read in the worker as one read here, and completes an apply cut off mid-way', async () => {
    const count = 9;
    // Shipment i of the generated file comes from the seed catalogue's supplier i (mod their number), with some of
    // its products: each PO from that supplier, holding all of them.
    const text = x12WithOneBadSet(count, poNumber).toString();
    for (let i = 0; i < count; i++) {
      const supplier = SUPPLIERS[i % SUPPLIERS.length];
      const supplierId = await ensureSupplier(db, world.retailerA, { name: supplier.name });
      await addPo(db, world.retailerA, supplierId, poNumber(i), supplier.products.map((p) => ({
        product_name: p.name, sku: p.sku, quantity: 10, unit_cost_cents: p.costCents, status: 'submitted' as const,
      })));
    }
    const bytes = Buffer.from(text);
    const before = await tableCounts(db);
    await expect(ingestDocument(db, world.retailerA, { bytes, format: 'x12', content_type: 'application/edi-x12' }, {
      readInWorker: true, batchSize: 2, beforeBatch: (from) => { if (from === 4) throw new Error('the process died'); },
    })).rejects.toThrow('the process died');
    const middle = await tableCounts(db);
    expect(middle.supplier_document_results - before.supplier_document_results).toBe(4);

    const { document } = await ingestDocument(db, world.retailerA, { bytes, format: 'x12', content_type: 'application/edi-x12' },
      { readInWorker: true, batchSize: 2 });
    expect(document.status).toBe('processed');
    expect({ applied: document.applied, unmatched: document.unmatched, rejected: document.rejected })
      .toEqual({ applied: count - 1, unmatched: 0, rejected: 1 });
    expect(document.acknowledgement).toMatch(/AK5\*R/);
    const after = await tableCounts(db);
    expect(after.shipments - before.shipments).toBe(count - 1);
    expect(after.supplier_document_results - before.supplier_document_results).toBe(count);
    const shipped = await readV2(app, world.keys.a, poNumber(0));
    expect(shipped.items.every((item: { status: string }) => item.status !== 'open')).toBe(true);
  });
});

describe.each(databases.eachSupportedId())('the event loop during a document on %s', (databaseId) => {
  it('takes its turn between batches: a timer set during the first batch runs before the last one', async () => {
    const { db } = await databases.init(databaseId);
    const world = await createWorld(db);
    const rows = Array.from({ length: 40 }, (_, i) => `PO-LOOP-${i},SO-LOOP,1Z999AA10123456784,TIT-GT2-9,1`);
    const bytes = Buffer.from(`PO #,Order #,Tracking #,Item #,Qty\n${rows.join('\n')}\n`);
    let current = -1;
    let timerRanAt: number | null = null;
    await ingestDocument(db, world.retailerA, { bytes, format: 'csv', content_type: 'text/csv', supplier_name: 'Acushnet' }, {
      readInWorker: false, batchSize: 10,
      beforeBatch: (from) => {
        current = from;
        if (from === 0) setTimeout(() => { timerRanAt = current; }, 0);
      },
    });
    // Without a turn of the loop between batches the timer would run after the last batch (from 30), or later.
    expect(timerRanAt).not.toBeNull();
    expect(timerRanAt!).toBeLessThan(30);
    await world.app.close();
  });
});

describe.each(databases.eachSupportedId())('stopping a document on %s', (databaseId) => {
  it('an aborted signal stops the apply between batches; the document stays processing and the same bytes complete it', async () => {
    const { db } = await databases.init(databaseId);
    const world = await createWorld(db);
    const rows = Array.from({ length: 40 }, (_, i) => `PO-STOP-${i},SO-STOP,1Z999AA10123456784,TIT-GT2-9,1`);
    const input = { bytes: Buffer.from(`PO #,Order #,Tracking #,Item #,Qty\n${rows.join('\n')}\n`), format: 'csv' as const,
      content_type: 'text/csv', supplier_name: 'Acushnet' };
    const stopping = new AbortController();
    const stopped = await ingestDocument(db, world.retailerA, input, {
      batchSize: 10, signal: stopping.signal, beforeBatch: (from) => { if (from === 10) stopping.abort(); },
    });
    expect(stopped.document).toMatchObject({ status: 'processing', next_entry: 20 });
    const again = await ingestDocument(db, world.retailerA, input, { batchSize: 10 });
    expect(again).toMatchObject({ created: false, resumed: true });
    expect(again.document).toMatchObject({ id: stopped.document.id, status: 'processed', next_entry: 40, unmatched: 40 });
    await world.app.close();
  });
});

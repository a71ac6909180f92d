// The same bytes sent twice at once, or again while the start's resume completes a cut-off apply (DESIGN 3: a
// document is applied whole, once): the request that finds another apply holding the document waits for it and
// answers with the finished document (200), instead of a 503 asking for the bytes once more.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { openDocumentWorld, postDocument } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import type { World } from '../support/world.ts';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('the same document sent twice at once on %s', (databaseId) => {
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

  it('both requests answer the finished document, applied once', async () => {
    // Enough rows that the apply runs in several batches, so the second request arrives while the first applies.
    const rows = Array.from({ length: 3000 }, (_, i) => `PO-CONC-${i},1Z999AA1${String(i).padStart(10, '0')},SKU-${i},1`);
    const csv = ['PO #,Tracking #,Item #,Qty', ...rows].join('\n');
    const send = () => postDocument(app, writeKey, csv, { query: { supplier_name: 'Acushnet', filename: 'twice.csv' } });
    const [first, second] = await Promise.all([send(), send()]);
    expect([first.statusCode, second.statusCode].sort(), `${first.body.slice(0, 300)} ${second.body.slice(0, 300)}`).toEqual([200, 201]);
    const [a, b] = [first.json(), second.json()];
    expect(a.document_id).toBe(b.document_id);
    for (const document of [a, b]) {
      expect(document.status).toBe('processed');
      expect(document.summary).toEqual({ applied: 0, unchanged: 0, unmatched: 3000, rejected: 0 });
    }
    const held = await db.selectFrom('held_supplier_updates').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('retailer_id', '=', world.retailerA).where('po_number', 'like', 'PO-CONC-%').executeTakeFirstOrThrow();
    expect(Number(held.n)).toBe(3000);
  });
});

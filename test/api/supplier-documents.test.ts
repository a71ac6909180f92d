// Contract tests of /api/v2/supplier_documents (DESIGN 3, "Supplier documents (X12 EDI and CSV)") on SQLite and
// PostgreSQL: every route, scopes, retailer isolation, the same bytes twice, 413/415/422, cursor paging and filters,
// Idempotency-Key, and the document's history source.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { buildApp } from '../../src/app.ts';
import { createApiKey } from '../../src/store/api-keys.ts';
import { expectError, expectInstant, expectValidationError } from '../support/contract.ts';
import { addPo, postDocument, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, TEST_CONFIG, type World } from '../support/world.ts';

const databases = TestDatabases.create();
const UPS = '1Z999AA10123456784';

const shipmentCsv = (poNumber: string, extra = '') =>
  'PO #,Order No.,Tracking #,Ship Via,Item #,Qty Shipped,Ship Date\r\n' +
  `${poNumber},SO-${poNumber},${UPS},UPS Ground,TIT-GT2-9,2,11/20/2026\r\n${extra}`;

const DOCUMENT_FIELDS = ['document_id', 'format', 'filename', 'received_at', 'sha256', 'status', 'summary', 'results', 'acknowledgement', 'error'];

describe.each(databases.eachSupportedId())('/api/v2/supplier_documents on %s', (databaseId) => {
  let db: Db;
  let world: World;
  let app: FastifyInstance;
  let writeKey: string;
  let writeKeyB: string;

  const get = (url: string, key: string | null = world.keys.a) =>
    app.inject({ method: 'GET', url, headers: key === null ? {} : { 'x-api-key': key } });

  beforeAll(async () => {
    ({ db } = await databases.init(databaseId));
    world = await createWorld(db);
    app = world.app;
    writeKey = (await createApiKey(db, world.retailerA, 'supplier feed', ['write'])).secret;
    writeKeyB = (await createApiKey(db, world.retailerB, 'supplier feed', ['read', 'write'])).secret;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('POST a CSV: 201 with the document, its results per row, the PO updated and history naming the document', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-DOC-1');
    const body = shipmentCsv('PO-DOC-1');
    const response = await postDocument(app, writeKey, body, { query: { filename: 'acushnet-ship.csv' } });
    expect(response.statusCode, response.body).toBe(201);
    const document = response.json();
    for (const field of DOCUMENT_FIELDS) expect(document, field).toHaveProperty(field);
    expect(document).toMatchObject({
      format: 'csv', filename: 'acushnet-ship.csv', status: 'processed', acknowledgement: null, error: null,
      summary: { applied: 1, unchanged: 0, unmatched: 0, rejected: 0 },
      results: [{ index: 0, source: 'row 2', type: 'shipment', po_number: 'PO-DOC-1', result: 'applied', reason: null }],
    });
    expect(document.document_id).toMatch(/^sdoc_/);
    expect(document.sha256).toMatch(/^[0-9a-f]{64}$/);
    expectInstant(document.received_at, 'received_at');

    const record = await readV2(app, world.keys.a, 'PO-DOC-1');
    const item = record.items.find((i: any) => i.product_details.sku === 'TIT-GT2-9');
    expect(item.status).toBe('shipped');
    expect(item.supplier_order_id).toBe('SO-PO-DOC-1');
    expect(item.tracking).toMatchObject({ tracking_number: UPS, carrier: 'ups' });
    const events = await db.selectFrom('status_events').select(['source', 'to_status']).where('po_id', '=', (await db
      .selectFrom('purchase_orders').select('id').where('po_number', '=', 'PO-DOC-1').executeTakeFirstOrThrow()).id)
      .where('to_status', '=', 'shipped').execute();
    expect(events).toEqual([{ source: `supplier_document:${document.document_id}`, to_status: 'shipped' }]);

    // GET one, with the same results; the original bytes exactly; CSV has no 997.
    const one = await get(`/api/v2/supplier_documents/${document.document_id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(document);
    const content = await get(`/api/v2/supplier_documents/${document.document_id}/content`);
    expect(content.statusCode).toBe(200);
    expect(content.headers['content-type']).toBe('text/csv');
    expect(content.headers['content-disposition']).toBe('attachment; filename="acushnet-ship.csv"');
    expect(content.rawPayload.equals(Buffer.from(body))).toBe(true);
    expectError(await get(`/api/v2/supplier_documents/${document.document_id}/acknowledgement`), 404, 'not_found');

    // DESIGN 4b: the feed tells of the document, with its summary.
    const feed = (await get('/api/v2/events?type=supplier_document.processed&limit=500')).json().data;
    expect(feed.find((e: any) => e.data.document_id === document.document_id)?.data).toMatchObject({
      document_id: document.document_id, summary: { applied: 1, unchanged: 0, unmatched: 0, rejected: 0 },
    });
  });

  it('a ship date with a time of day keeps it: without an offset it is UTC, as the JSON path reads it', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-DOC-TIME');
    const body = 'PO #,Order No.,Tracking #,Ship Via,Item #,Qty Shipped,Ship Date\r\n'
      + `PO-DOC-TIME,SO-T,${UPS},UPS Ground,TIT-GT2-9,2,2026-11-30 10:15\r\n`;
    const response = await postDocument(app, writeKey, body, { query: { filename: 'times.csv' } });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().summary).toMatchObject({ applied: 1, rejected: 0 });
    const record = await readV2(app, world.keys.a, 'PO-DOC-TIME');
    const item = record.items.find((i: any) => i.product_details.sku === 'TIT-GT2-9');
    expect(Date.parse(item.tracking.shipped_date)).toBe(Date.parse('2026-11-30T10:15:00Z'));
  });

  it('the same bytes again: 200 with the first document, nothing applied twice', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-DOC-2');
    const body = shipmentCsv('PO-DOC-2');
    const first = await postDocument(app, writeKey, body);
    expect(first.statusCode).toBe(201);
    const before = await tableCounts(db);
    const again = await postDocument(app, writeKey, body, { query: { filename: 'other-name.csv' } });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await tableCounts(db)).toEqual(before);
  });

  it('the same bytes from another retailer are that retailer\'s own document (unmatched there)', async () => {
    const body = shipmentCsv('PO-DOC-3');
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-DOC-3');
    const a = await postDocument(app, writeKey, body);
    const b = await postDocument(app, writeKeyB, body);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json().document_id).not.toBe(a.json().document_id);
    expect(b.json().results.map((r: any) => r.result)).toEqual(['unmatched']);
    expect(a.json().results.map((r: any) => r.result)).toEqual(['applied']);
  });

  it('keeps retailers apart on every route: another retailer\'s document is a 404, and lists show only one\'s own', async () => {
    const mine = (await postDocument(app, writeKey, shipmentCsv('PO-ISO-1'))).json().document_id;
    for (const suffix of ['', '/content', '/acknowledgement']) {
      expectError(await get(`/api/v2/supplier_documents/${mine}${suffix}`, writeKeyB), 404, 'not_found');
    }
    const listB = (await get('/api/v2/supplier_documents?page_size=500', writeKeyB)).json();
    expect(listB.supplier_documents.map((d: any) => d.document_id)).not.toContain(mine);
    const listA = (await get('/api/v2/supplier_documents?page_size=500')).json();
    expect(listA.supplier_documents.map((d: any) => d.document_id)).toContain(mine);
    expectError(await get('/api/v2/supplier_documents/sdoc_doesnotexist'), 404, 'not_found');
  });

  it('scopes: write to post, read to list and get; no key or a revoked key is 401', async () => {
    const body = shipmentCsv('PO-SCOPE');
    expectError(await postDocument(app, null, body), 401, 'unauthorized');
    expectError(await postDocument(app, world.keys.aRevoked, body), 401, 'unauthorized');
    expectError(await postDocument(app, world.keys.a, body), 403, 'forbidden');
    const id = (await postDocument(app, world.keys.aWriteOnly, body)).json().document_id;
    for (const url of ['/api/v2/supplier_documents', `/api/v2/supplier_documents/${id}`, `/api/v2/supplier_documents/${id}/content`,
      `/api/v2/supplier_documents/${id}/acknowledgement`]) {
      expectError(await get(url, null), 401, 'unauthorized');
      expectError(await get(url, world.keys.aWriteOnly), 403, 'forbidden');
    }
  });

  it('a file that cannot be read: 422 unprocessable_document with its document_id; kept, listed failed, bytes downloadable', async () => {
    const garbage = Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x42, 0x2c, 0x43, 0x0a]);
    const response = await postDocument(app, writeKey, garbage);
    const error = expectError(response, 422, 'unprocessable_document');
    expect(error.document_id).toMatch(/^sdoc_/);
    expect(error.message).toContain('PO-number column');
    const document = (await get(`/api/v2/supplier_documents/${error.document_id}`)).json();
    expect(document).toMatchObject({ status: 'failed', summary: { applied: 0, unchanged: 0, unmatched: 0, rejected: 0 }, results: [] });
    expect(document.error).toMatch(/^line 1: The CSV has no PO-number column: no header row in the first 10 lines names one \(.*; the line read as the header row has .*"\)\.$/);
    const failed = (await get('/api/v2/supplier_documents?status=failed')).json();
    expect(failed.supplier_documents.map((d: any) => d.document_id)).toContain(error.document_id);
    expect(failed.supplier_documents.every((d: any) => d.status === 'failed')).toBe(true);
    const content = await get(`/api/v2/supplier_documents/${error.document_id}/content`);
    expect(content.rawPayload.equals(garbage)).toBe(true);
    // Sent again: the same stored document, still unprocessable.
    expect(expectError(await postDocument(app, writeKey, garbage), 422, 'unprocessable_document').document_id).toBe(error.document_id);
  });

  it('an 856 whose MAN*CP holds two space-separated tracking numbers is a rejected entry; a number printed with spaces is one', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-X12-TWO');
    const pack = (set: string, tracking: string, sku: string, quantity: number) => [
      `ST*856*${set}`, `BSN*00*${set}*20261120*1504`, 'HL*1**S', 'TD5**2*UPSN', 'HL*2*1*O', 'PRF*PO-X12-TWO', 'REF*VN*SO-X12',
      'HL*3*2*P', `MAN*CP*${tracking}`, 'HL*4*3*I', `LIN**VP*${sku}`, `SN1**${quantity}*EA`, `SE*13*${set}`,
    ];
    const isa = 'ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*ORDERSYNC      *261120*1504*U*00401*000000031*0*P*>';
    const body = [isa, 'GS*SH*SUPPLIER*ORDERSYNC*20261120*1504*31*X*004010',
      ...pack('0001', '1Z999AA10123456784 1Z999AA10123456791', 'TIT-GT2-9', 2),
      ...pack('0002', '1Z999AA10123456784  9400111899223197428490', 'TIT-GT2-9', 2),
      ...pack('0003', '1Z 999 AA1 01 2345 6784', 'TIT-PRO-V1', 5),
      'GE*3*31', 'IEA*1*000000031'].join('~\n') + '~\n';
    const response = await postDocument(app, writeKey, body, { contentType: 'application/octet-stream', query: { format: 'x12' } });
    expect(response.statusCode, response.body).toBe(201);
    const results = response.json().results;
    expect(results.map((r: any) => r.result), JSON.stringify(results)).toEqual(['rejected', 'rejected', 'applied']);
    for (const rejected of results.slice(0, 2)) expect(rejected.reason).toMatch(/MAN02 "1Z\S+ +\S+" holds 2 tracking numbers/);
    const shipments = await db.selectFrom('shipments as s').innerJoin('purchase_orders as p', 'p.id', 's.po_id')
      .select(['s.tracking_number', 's.carrier']).where('p.po_number', '=', 'PO-X12-TWO').execute();
    expect(shipments).toEqual([{ tracking_number: UPS, carrier: 'ups' }]);
  });

  it('an unknown format is 415, naming what to send; an unknown ?format= or query field is 400; an empty body is 400', async () => {
    const body = shipmentCsv('PO-415');
    for (const contentType of ['application/json', 'application/pdf', 'text/plain', null]) {
      const error = expectError(await postDocument(app, writeKey, body, { contentType }), 415, 'unsupported_media_type');
      expect(error.message).toContain('?format=');
      expect(error.details).toEqual([{ field: 'headers.content-type',
        message: 'must be "application/edi-x12", "application/edi", "text/csv", or the format named by query.format' }]);
    }
    const format = expectValidationError(await postDocument(app, writeKey, body, { query: { format: 'pdf' } }), 'query.format');
    expect(format.details).toEqual([{ field: 'query.format', message: 'must be one of "x12", "csv"' }]);
    expectValidationError(await postDocument(app, writeKey, body, { query: { colour: 'blue' } }), 'query.colour');
    for (const blank of ['', '   ']) {
      const supplier = expectValidationError(await postDocument(app, writeKey, body, { query: { supplier_name: blank } }), 'query.supplier_name');
      expect(supplier.details[0].field).toBe('query.supplier_name');
    }
    // An empty body sent nothing: 400 naming `body`, and nothing is stored (as the inbox and `ordersync ingest` store
    // nothing for an empty file), whatever its stated type.
    const before = await tableCounts(db);
    for (const contentType of ['text/csv', 'application/edi-x12']) {
      const empty = expectValidationError(await postDocument(app, writeKey, '', { contentType }), 'body');
      expect(empty.details).toEqual([{ field: 'body', message: 'is empty (0 bytes): nothing was sent, so no document was stored; send the file\'s bytes' }]);
    }
    // White space only, a UTF-8 BOM only, or both: as empty, under the same rule (no header row, no ISA to read).
    const BOM = '\ufeff';
    for (const contentType of ['text/csv', 'application/edi-x12']) {
      // And Excel's "Unicode Text" of an empty sheet: a UTF-16 BOM (LE or BE), with or without UTF-16 line breaks.
      for (const [body, what] of [[' \r\n\t\r\n', '6 bytes, only white space'], [BOM, '3 bytes, only a byte-order mark'],
        [`${BOM}\r\n  `, '7 bytes, only a byte-order mark and white space'], [Buffer.from([0xff, 0xfe]), '2 bytes, only a byte-order mark'],
        [Buffer.from([0xff, 0xfe, 0x0d, 0, 0x0a, 0, 0x09, 0]), '8 bytes, only a byte-order mark and white space'],
        [Buffer.from([0xfe, 0xff, 0, 0x0d, 0, 0x0a]), '6 bytes, only a byte-order mark and white space']] as [string | Buffer, string][]) {
        const blank = expectValidationError(await postDocument(app, writeKey, body, { contentType }), 'body');
        expect(blank.details).toEqual([{ field: 'body',
          message: `is empty (${what}): nothing to read was sent, so no document was stored; send the file's bytes` }]);
      }
    }
    expect((await tableCounts(db)).supplier_documents).toBe(before.supplier_documents);
    // Bytes of no stated kind are X12 when they start with ISA (and 415 otherwise, as above for the other types).
    const isa = 'ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*ORDERSYNC      *261120*1504*U*00401*000000077*0*P*>~' +
      'GS*SH*SUPPLIER*ORDERSYNC*20261120*1504*77*X*004010~GE*0*77~IEA*1*000000077~';
    const octets = await postDocument(app, writeKey, isa, { contentType: 'application/octet-stream' });
    expect(octets.statusCode, octets.body).toBe(201);
    expect(octets.json().format).toBe('x12');
    expectError(await postDocument(app, writeKey, body, { contentType: 'application/octet-stream' }), 415, 'unsupported_media_type');
    // X12 sent as CSV fails, saying what it looks like.
    const asCsv = expectError(await postDocument(app, writeKey, isa.replace('000000077', '000000078').replace('000000077', '000000078'),
      { contentType: 'text/csv' }), 422, 'unprocessable_document');
    expect(asCsv.message).toContain('It starts with ISA: it looks like X12; send it as application/edi-x12 or with ?format=x12.');
    // A header is quoted by its first 60 characters: an X12 file on one line is one "header" of the whole file.
    const long = `${isa.replace(/000000077/g, '000000079')}${'REF*ZZ*NOTE~'.repeat(5000)}`;
    const cut = expectError(await postDocument(app, writeKey, long, { contentType: 'text/csv' }), 422, 'unprocessable_document');
    expect(cut.message.length).toBeLessThan(600);
    expect(cut.message).toMatch(/"ISA\*00\*.{53}… \(\d+ characters\)"/);
    // ?format= overrides the media type.
    const forced = await postDocument(app, writeKey, body, { contentType: 'application/octet-stream', query: { format: 'csv' } });
    expect(forced.statusCode, forced.body).toBe(201);
    expect(forced.json().format).toBe('csv');
  });

  it('takes bodies over the API\'s 1 MB limit, and answers 413 naming DOCUMENT_MAX_BYTES above it', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-BIG');
    const big = `PO #,Order #,Tracking #,SKU,Qty,Notes\r\nPO-BIG,SO-BIG,${UPS},TIT-PRO-V1,1,${'x'.repeat(1_500_000)}\r\n`;
    const response = await postDocument(app, writeKey, big);
    expect(response.statusCode, response.body.slice(0, 300)).toBe(201);
    expect(response.json().summary.applied).toBe(1);

    const small = await buildApp({ config: { ...TEST_CONFIG, documentMaxBytes: 1000 }, db, logger: false });
    try {
      const error = expectError(await postDocument(small, writeKey, 'PO\r\n' + 'P,\r\n'.repeat(400)), 413, 'payload_too_large');
      // A limit under 1 MB is stated in bytes, never rounded to "0 MB".
      expect(error.message).toBe('The document is larger than this endpoint accepts: at most 1,000 bytes; DOCUMENT_MAX_BYTES.');
      // The rest of the API keeps its own 1 MB limit.
      const json = await small.inject({ method: 'POST', url: '/api/v2/purchase_orders', headers: { 'x-api-key': writeKey },
        payload: { po_number: 'x'.repeat(1_100_000) } });
      expectError(json, 413, 'payload_too_large');
    } finally {
      await small.close();
    }
  });

  it('lists newest first with cursor paging that keeps the filters; filters status, format and received_since', async () => {
    const fresh = (await createApiKey(db, world.retailerB, 'paging', ['read', 'write'])).secret;
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await postDocument(app, fresh, shipmentCsv(`PO-PAGE-${n}`, `#${Date.now()}-${n}\r\n`))).json().document_id);
    const since = new Date(Date.now() - 60_000).toISOString();
    const first = await get(`/api/v2/supplier_documents?page_size=2&format=csv&status=processed&received_since=${since}`, fresh);
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json();
    expect(page1.total).toBeGreaterThanOrEqual(3);
    expect(page1.supplier_documents).toHaveLength(2);
    expect(page1.supplier_documents[0]).not.toHaveProperty('results');
    const all: string[] = page1.supplier_documents.map((d: any) => d.document_id);
    let next = page1.links.next;
    expect(page1.links.prev).toBeNull();
    while (next) {
      const page = (await get(next.href.replace(TEST_CONFIG.publicUrl, ''), fresh)).json();
      all.push(...page.supplier_documents.map((d: any) => d.document_id));
      next = page.links.next;
    }
    expect(all.slice(0, 3)).toEqual([...ids].reverse());
    const received = (await get('/api/v2/supplier_documents?page_size=500', fresh)).json().supplier_documents.map((d: any) => d.received_at);
    expect([...received].sort().reverse()).toEqual(received);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await get(`/api/v2/supplier_documents?received_since=${future}`, fresh)).json()).toMatchObject({ total: 0, supplier_documents: [] });
    expect((await get('/api/v2/supplier_documents?format=x12', fresh)).json().supplier_documents).toEqual([]);
    expectValidationError(await get(`${page1.links.next.href.replace(TEST_CONFIG.publicUrl, '')}&format=csv`, fresh), 'query.cursor');
    expectValidationError(await get('/api/v2/supplier_documents?cursor=forged', fresh), 'query.cursor');
    expectValidationError(await get('/api/v2/supplier_documents?status=lost', fresh), 'query.status');
    expectValidationError(await get('/api/v2/supplier_documents?received_since=yesterday', fresh), 'query.received_since');
    expectValidationError(await get('/api/v2/supplier_documents?page_size=0', fresh), 'query.page_size');
  });

  it('honours Idempotency-Key: a repeat replays the first answer, the key with other bytes is a 409', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-IDEM');
    const headers = { 'idempotency-key': `doc-${databaseId}-1` };
    const first = await postDocument(app, writeKey, shipmentCsv('PO-IDEM'), { headers });
    expect(first.statusCode).toBe(201);
    const replay = await postDocument(app, writeKey, shipmentCsv('PO-IDEM'), { headers });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    expectError(await postDocument(app, writeKey, shipmentCsv('PO-IDEM', 'PO-IDEM,,,,,,\r\n'), { headers }), 409, 'conflict');
  });

  it('counts documents by format and result in /metrics', async () => {
    const withMetrics = await buildApp({ config: TEST_CONFIG, db, logger: false, metrics: { token: null } });
    try {
      const count = async (result: string) => {
        const scrape = (await withMetrics.inject({ method: 'GET', url: '/metrics' })).body;
        const line = scrape.split('\n').find((l) => l.startsWith(`ordersync_supplier_documents_total{format="csv",result="${result}"}`));
        return line ? Number(line.split(' ').pop()) : 0;
      };
      const [processed, failed] = [await count('processed'), await count('failed')];
      const body = shipmentCsv('PO-METRICS', `#${databaseId}\r\n`);
      expect((await postDocument(withMetrics, writeKey, body)).statusCode).toBe(201);
      expect((await postDocument(withMetrics, writeKey, body)).statusCode).toBe(200);
      expect((await postDocument(withMetrics, writeKey, `no po column ${databaseId}\r\n`)).statusCode).toBe(422);
      expect(await count('processed')).toBe(processed + 1);
      expect(await count('failed')).toBe(failed + 1);
    } finally {
      await withMetrics.close();
    }
  });
});

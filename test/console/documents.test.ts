// The console's supplier-documents pages over Fastify inject on SQLite and PostgreSQL (DESIGN 3 and 4c): uploading a
// CSV and an X12 856 through the multipart form (the same pipeline as the API), an unreadable file kept and shown as
// failed, DOCUMENT_MAX_BYTES, CSRF refusal, scope gating and retailer isolation on every route.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/database.ts';
import { addPo, readV2, tableCounts } from '../support/supplier-documents.ts';
import { TestDatabases } from '../support/test-database.ts';
import { buildTestApp, createWorld, TEST_CONFIG, type World } from '../support/world.ts';
import { ConsoleClient, pageText } from './support.ts';

const databases = TestDatabases.create();
const UPS = '1Z999AA10123456784';

const shipmentCsv = (poNumber: string) =>
  'PO #,Order No.,Tracking #,Ship Via,Item #,Qty Shipped,Ship Date\r\n' +
  `${poNumber},SO-${poNumber},${UPS},UPS Ground,TIT-GT2-9,2,11/20/2026\r\n` +
  'PO-NOWHERE-1,SO-X,,UPS Ground,TIT-GT2-9,1,11/20/2026\r\n';

/** An interchange with one 856 for `poNumber` (one package, one item). */
const x12Of856 = (poNumber: string) => {
  const set = ['ST*856*0001', 'BSN*00*SHP-1*20261120*1504', 'HL*1**S', 'TD5**2*UPSN', 'DTM*011*20261120',
    'HL*2*1*O', `PRF*${poNumber}`, 'REF*VN*SO-856-C', 'HL*3*2*P', `MAN*CP*${UPS}`, 'HL*4*3*I', 'LIN**BP*TIT-GT2-9', 'SN1**2*EA',
    'CTT*4'];
  return 'ISA*00*          *00*          *ZZ*ACUSHNET       *ZZ*ACMEGOLF       *261120*1504*U*00401*000000777*0*P*>~\n' +
    `GS*SH*ACUSHNET*ACMEGOLF*20261120*1504*777*X*004010~\n${[...set, `SE*${set.length + 1}*0001`].join('~\n')}~\n` +
    'GE*1*777~\nIEA*1*000000777~\n';
};

describe.each(databases.eachSupportedId())('console supplier documents on %s', (databaseId) => {
  let db: Db;
  let app: FastifyInstance;
  let world: World;

  beforeAll(async () => {
    db = (await databases.init(databaseId)).db;
    world = await createWorld(db);
    app = await buildTestApp(db);
  });
  afterAll(async () => {
    await app?.close();
  });

  const signedIn = async (key: string) => {
    const c = new ConsoleClient(app);
    expect((await c.signIn(key)).statusCode).toBe(303);
    return c;
  };
  /** Uploads from the list page's form and follows the redirect to the document page. */
  const upload = async (c: ConsoleClient, filename: string, contentType: string, bytes: string | Buffer, fields: Record<string, string> = {}) => {
    expect((await c.get('/console/documents')).statusCode).toBe(200);
    const posted = await c.upload('/console/documents', fields, { field: 'file', filename, contentType, bytes });
    expect(posted.statusCode, posted.body).toBe(303);
    const location = posted.headers.location as string;
    expect(location).toMatch(/^\/console\/documents\/sdoc_/);
    const page = await c.get(location);
    expect(page.statusCode).toBe(200);
    return { id: location.split('/').pop()!, page };
  };

  it('uploads a CSV: rows applied, per-row results with PO links, listed newest first, original bytes identical', async () => {
    const po = await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-CON-CSV');
    const c = await signedIn(world.keys.aAll);
    const list = await c.get('/console/documents');
    expect(list.body).toMatch(/<a href="\/console\/documents"[^>]*>Supplier documents<\/a>/);
    expect(list.body).toMatch(/<label for="doc-file">File \(X12 855, 856, 810 or CSV\)<\/label>/);
    expect(list.body).toMatch(/<input id="doc-file" name="file" type="file"/);
    expect(list.body).toMatch(/<label for="doc-supplier">Supplier name<\/label>/);
    expect(list.body).toContain('enctype="multipart/form-data"');

    const body = shipmentCsv('PO-CON-CSV');
    const { id, page } = await upload(c, 'acushnet-ship.csv', 'text/csv', body, { supplier_name: 'Acushnet' });
    const text = pageText(page.body);
    expect(page.body).toMatch(/<h1>acushnet-ship\.csv<\/h1>/);
    expect(text).toContain('Status processed');
    expect(text).toContain('applied 1, unchanged 0, unmatched (held until the PO appears) 1, rejected 0');
    expect(text).toMatch(/1 row 2 shipment PO-CON-CSV applied/);
    expect(text).toMatch(/2 row 3 order PO-NOWHERE-1 unmatched No purchase order PO-NOWHERE-1 yet/);
    expect(page.body).toContain(`<a href="/console/orders/${po.po.id}">PO-CON-CSV</a>`);
    expect(page.body).not.toContain('/acknowledgement"');
    expect((await readV2(app, world.keys.a, 'PO-CON-CSV')).items.find((i: any) => i.product_details.sku === 'TIT-GT2-9').status)
      .toBe('shipped');

    const original = await c.get(`/console/documents/${id}/content`);
    expect(original.statusCode).toBe(200);
    expect(original.headers['content-type']).toBe('text/csv');
    expect(original.headers['content-disposition']).toBe('attachment; filename="acushnet-ship.csv"');
    expect(original.rawPayload.equals(Buffer.from(body))).toBe(true);
    expect((await c.get(`/console/documents/${id}/acknowledgement`)).statusCode).toBe(404);

    const listed = pageText((await c.get('/console/documents')).body);
    expect(listed).toMatch(/acushnet-ship\.csv CSV .+ processed 1 0 1 0/);
  });

  it('uploads an X12 856: applied, its 997 downloadable, the original bytes identical', async () => {
    await addPo(db, world.retailerA, world.suppliers.acushnet, 'PO-CON-856');
    const c = await signedIn(world.keys.aAll);
    const body = x12Of856('PO-CON-856');
    // Browsers send .edi files as application/octet-stream: the format comes from the bytes (ISA) or the name.
    const { id, page } = await upload(c, 'acushnet.856.edi', 'application/octet-stream', body);
    const text = pageText(page.body);
    expect(text).toContain('Status processed');
    expect(text).toMatch(/1 ST 0001 \(856\) .*PO-CON-856 applied/);
    expect(page.body).toContain(`href="/console/documents/${id}/acknowledgement"`);
    const ack = await c.get(`/console/documents/${id}/acknowledgement`);
    expect(ack.statusCode).toBe(200);
    expect(ack.headers['content-type']).toBe('application/edi-x12');
    expect(ack.headers['content-disposition']).toBe(`attachment; filename="${id}.997.edi"`);
    expect(ack.body).toMatch(/^ISA\*/);
    expect(ack.body).toContain('AK2*856*0001');
    const original = await c.get(`/console/documents/${id}/content`);
    expect(original.headers['content-type']).toBe('application/edi-x12');
    expect(original.headers['content-disposition']).toBe('attachment; filename="acushnet.856.edi"');
    expect(original.rawPayload.equals(Buffer.from(body))).toBe(true);
  });

  it('pages a document\'s results 200 at a time, in file order', async () => {
    const c = await signedIn(world.keys.aAll);
    const rows = Array.from({ length: 201 }, (_, i) => `PO-CON-MANY-${i + 1},SO-M,,UPS Ground,TIT-GT2-9,1,11/20/2026\r\n`);
    const { id, page } = await upload(c, 'many.csv', 'text/csv', `PO #,Order No.,Tracking #,Ship Via,Item #,Qty Shipped,Ship Date\r\n${rows.join('')}`);
    expect(page.body.match(/<th scope="row">\d+<\/th>/g)).toHaveLength(200);
    expect(page.body).toContain(`<a href="/console/documents/${id}?page=2" rel="next">Next results</a>`);
    const second = await c.get(`/console/documents/${id}?page=2`);
    expect(second.body.match(/<th scope="row">\d+<\/th>/g)).toEqual(['<th scope="row">201</th>']);
    // A row for a PO not there yet is held, with the reason; without a Supplier name field it will apply to the
    // PO's own supplier when the PO appears.
    expect(pageText(second.body)).toContain('201 row 202 order PO-CON-MANY-201 unmatched No purchase order PO-CON-MANY-201 yet; the update is held');
    expect(second.body).not.toContain('rel="next"');
  });

  it('an unreadable file is stored, shown as failed with its error, and its bytes kept', async () => {
    const c = await signedIn(world.keys.aAll);
    const garbage = Buffer.from('ISA*this is not an interchange\u0000\u0001\u0002');
    const { id, page } = await upload(c, 'garbage.edi', 'application/octet-stream', garbage);
    expect(pageText(page.body)).toContain('Status failed');
    expect(page.body).toMatch(/<p class="error" role="alert">This file could not be read: [^<]+<\/p>/);
    const row = await db.selectFrom('supplier_documents').select(['status', 'error']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(pageText(page.body)).toContain(row.error!.slice(0, 30));
    const original = await c.get(`/console/documents/${id}/content`);
    expect(original.rawPayload.equals(garbage)).toBe(true);
    expect((await c.get(`/console/documents/${id}/acknowledgement`)).statusCode).toBe(404);
    expect(pageText((await c.get('/console/documents')).body)).toMatch(/garbage\.edi X12 .+ failed/);
  });

  it('an empty file (0 bytes, or only white space and a BOM) is a 400 naming the file field, and nothing is stored', async () => {
    const c = await signedIn(world.keys.aAll);
    await c.get('/console/documents');
    const before = await tableCounts(db);
    for (const bytes of ['', ' \r\n', '\ufeff', '\ufeff\n\t']) {
      const response = await c.upload('/console/documents', {}, { field: 'file', filename: 'empty.csv', contentType: 'text/csv', bytes });
      expect(response.statusCode, JSON.stringify(bytes)).toBe(400);
      expect(pageText(response.body)).toContain('file: choose a file that is not empty');
    }
    expect(await tableCounts(db)).toEqual(before);
  });

  it('a file over DOCUMENT_MAX_BYTES is a 413 with a clear message, and nothing is stored', async () => {
    const small = await buildApp({ config: { ...TEST_CONFIG, documentMaxBytes: 100 }, db, logger: false });
    try {
      const c = new ConsoleClient(small);
      await c.signIn(world.keys.aAll);
      expect(pageText((await c.get('/console/documents')).body)).toContain('At most 100 bytes.');
      const before = await tableCounts(db);
      const response = await c.upload('/console/documents', {}, { field: 'file', filename: 'big.csv', contentType: 'text/csv', bytes: 'x'.repeat(101) });
      expect(response.statusCode).toBe(413);
      expect(pageText(response.body)).toContain('The file is larger than OrderSync accepts: at most 100 bytes');
      expect(await tableCounts(db)).toEqual(before);
    } finally {
      await small.close();
    }
  });

  it('refuses an upload without a valid CSRF token and writes nothing', async () => {
    const c = await signedIn(world.keys.aAll);
    await c.get('/console/documents');
    const before = await tableCounts(db);
    const file = { field: 'file', filename: 'x.csv', contentType: 'text/csv', bytes: shipmentCsv('PO-CON-CSRF') };
    for (const token of [null, 'not-a-token']) {
      const response = await c.upload('/console/documents', {}, file, token);
      expect(response.statusCode).toBe(403);
      expect(pageText(response.body)).toContain('Form expired');
    }
    expect(await tableCounts(db)).toEqual(before);
  });

  it('a read-only key sees the list but no upload form, and its upload is refused', async () => {
    const c = await signedIn(world.keys.a);
    const list = await c.get('/console/documents');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('<h1>Supplier documents</h1>');
    expect(list.body).not.toContain('type="file"');
    expect(list.body).not.toContain('Upload a file');
    const before = await tableCounts(db);
    const response = await c.upload('/console/documents', {}, { field: 'file', filename: 'x.csv', contentType: 'text/csv', bytes: shipmentCsv('PO-CON-RO') });
    expect(response.statusCode).toBe(403);
    expect(pageText(response.body)).toContain('lacks the "write" scope');
    expect(await tableCounts(db)).toEqual(before);
    // Signed out: the sign-in page, nothing stored.
    const anonymous = new ConsoleClient(app);
    await anonymous.get('/console/sign-in');
    const refused = await anonymous.upload('/console/documents', {}, { field: 'file', filename: 'x.csv', contentType: 'text/csv', bytes: 'a' });
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toMatch(/^\/console\/sign-in/);
    expect(await tableCounts(db)).toEqual(before);
  });

  it('another retailer\'s document is a 404 on every route and absent from the list', async () => {
    const a = await signedIn(world.keys.aAll);
    const { id } = await upload(a, 'isolation.csv', 'text/csv', shipmentCsv('PO-CON-ISO'));
    const b = await signedIn(world.keys.b);
    for (const suffix of ['', '/content', '/acknowledgement']) {
      const response = await b.get(`/console/documents/${id}${suffix}`);
      expect(response.statusCode, suffix).toBe(404);
      expect(response.body).not.toContain('PO-CON-ISO');
    }
    expect((await b.get('/console/documents')).body).not.toContain(id);
    expect((await a.get('/console/documents')).body).toContain(id);
  });

  // The list was counted and paged by OFFSET (a scan growing with the documents, DESIGN 7): now it seeks from the
  // place its Next and Previous links carry, and the page number beside the place is signed with it.
  it('the list pages by place: Next to the end and Previous back give each document once, newest first; an edited link is a 400', async () => {
    const { retailer } = await import('../../src/store/retailers.ts').then((m) => m.ensureRetailer(db, 'documents-paging'));
    const key = await import('../../src/store/api-keys.ts').then((m) => m.createApiKey(db, retailer.id, 'paging', ['read']));
    // 60 documents, several received in the same millisecond (the id breaks the tie).
    const rows = Array.from({ length: 60 }, (_, i) => ({
      id: `sdoc_page${String(i).padStart(3, '0')}`, retailer_id: retailer.id, format: 'csv', content_type: 'text/csv', filename: `f${i}.csv`,
      supplier_name: null, sha256: `${i}`.padStart(64, '0'), size_bytes: 1, received_at: new Date(Date.UTC(2026, 10, 1, 0, 0, Math.floor(i / 3))).toISOString(),
      status: 'processed', next_entry: 0, applied: 0, unchanged: 0, unmatched: 0, rejected: 0, acknowledgement: null, error: null, processed_at: null,
    }));
    await db.insertInto('supplier_documents').values(rows).execute();
    const want = [...rows].sort((a, b) => (a.received_at === b.received_at ? (a.id < b.id ? 1 : -1) : a.received_at < b.received_at ? 1 : -1)).map((r) => r.id);
    const c = await signedIn(key.secret);
    const readPage = (html: string) => ({
      ids: [...html.matchAll(/<a href="\/console\/documents\/(sdoc_page\d+)">/g)].map((m) => m[1]),
      next: /<a href="([^"]+)" rel="next">/.exec(html)?.[1].replace(/&amp;/g, '&'),
      prev: /<a href="([^"]+)" rel="prev">/.exec(html)?.[1].replace(/&amp;/g, '&'),
      page: Number(/<span>Page (\d+)<\/span>/.exec(html)?.[1]),
    });
    const forward: string[][] = [];
    let at: string | undefined = '/console/documents';
    let last = at;
    while (at !== undefined) {
      const response = await c.get(at);
      expect(response.statusCode, at).toBe(200);
      const page = readPage(response.body);
      expect(page.page).toBe(forward.length + 1);
      forward.push(page.ids);
      last = at;
      at = page.next;
    }
    expect(forward.map((ids) => ids.length)).toEqual([25, 25, 10]);
    expect(forward.flat()).toEqual(want);
    const backward: string[][] = [];
    for (let back: string | undefined = last; back !== undefined;) {
      const page = readPage((await c.get(back)).body);
      backward.unshift(page.ids);
      back = page.prev;
    }
    expect(backward).toEqual(forward);

    // Edited links: another page number beside a place, a place made by hand, a page number without a place.
    const second = readPage((await c.get('/console/documents')).body).next!;
    const place = new URLSearchParams(second.split('?')[1]).get('after')!;
    for (const [query, problem] of [
      [`after=${encodeURIComponent(place)}&page=7`, 'after: was made for another page number or other filters than these (page 7)'],
      [`after=${encodeURIComponent(place.replace(/~[^~]+$/, '~AAAAAAAAAAAAAAAAAAAAAA'))}&page=2`, 'after: was made for another page number'],
      [`after=${encodeURIComponent(place.split('~').slice(0, 2).join('~'))}&page=2`, 'after: is not a place in this list'],
      ['page=3', 'page: pages after the first are opened with the Next page link'],
      [`after=${encodeURIComponent(place)}`, 'after: comes with the page number the list\'s links carry'],
    ]) {
      const response = await c.get(`/console/documents?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(pageText(response.body), query).toContain(problem);
    }
  });
});

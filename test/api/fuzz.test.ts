// Issue 8 "done means": no body, query or path parameter produces a 500. Every route of the OpenAPI document is
// fed generated bad values (fast-check): bodies of any JSON shape and each field replaced by a wrong-typed,
// too-long or odd value, query parameters and path parameters as arbitrary text (percent signs, very long,
// unicode). Each answer must be below 500, and a 400 must name the part at fault (body/query/params…).
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDatabases } from '../support/test-database.ts';
import { createWorld, type World } from '../support/world.ts';

const databases = TestDatabases.create();

interface Operation {
  method: string;
  path: string;
  body?: { properties?: Record<string, unknown> };
  query: string[];
  params: string[];
}

function operationsOf(app: FastifyInstance): Operation[] {
  const spec = (app as unknown as { swagger(): { paths: Record<string, Record<string, any>> } }).swagger();
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = (op.parameters ?? []) as { in: string; name: string }[];
      operations.push({
        method: method.toUpperCase(), path, body: op.requestBody?.content?.['application/json']?.schema,
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        params: parameters.filter((p) => p.in === 'path').map((p) => p.name),
      });
    }
  }
  return operations;
}

const oddText = fc.oneof(
  fc.string({ maxLength: 40 }), fc.constant('%'), fc.constant('%E0%A4%A'), fc.constant('x'.repeat(3000)),
  fc.constantFrom('0', '-1', '1e309', 'NaN', 'null', 'true', '9999-12-31', '0000-00-00', '2016-12-31T23:59:60Z', ' ', '\u0000'),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const oddJson = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 1e308, 0.001, 1.005, '', ' ', 'x'.repeat(5000), [], {}, null, true),
);

describe.each(databases.eachSupportedId().slice(0, 1))('fuzzing every route\'s schema on %s', (databaseId) => {
  let world: World;
  let app: FastifyInstance;
  let operations: Operation[];

  beforeAll(async () => {
    const { db } = await databases.init(databaseId);
    world = await createWorld(db);
    app = world.app;
    operations = operationsOf(app).filter((op) => op.path.startsWith('/api/'));
  });
  afterAll(async () => {
    await app?.close();
  });

  const check = async (method: string, url: string, payload?: unknown) => {
    const response = await app.inject({
      method: method as 'GET', url, headers: { 'x-api-key': world.keys.aAll, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    expect(response.statusCode, `${method} ${url.slice(0, 200)} ${JSON.stringify(payload)?.slice(0, 200)}: ${response.body.slice(0, 300)}`)
      .toBeLessThan(500);
    if (response.statusCode === 400) {
      const body = response.json();
      expect(body.details?.length, response.body).toBeGreaterThan(0);
      for (const detail of body.details) expect(detail.field, response.body).toMatch(/^(body|query|params|headers)\b/);
    }
    return response.statusCode;
  };

  const fill = (path: string, values: Record<string, string>) =>
    path.replace(/\{(\w+)\}/g, (_, name: string) => (name in values ? values[name] : 'x_unknown'));

  it('covers the API', () => {
    expect(operations.length).toBeGreaterThan(20);
    expect(operations.filter((o) => o.body).length).toBeGreaterThan(8);
  });

  it('supplier updates: each kind with odd field values is a 400 naming updates[i].field, never a 500', async () => {
    const kinds = {
      order: ['po_number', 'supplier_order_id', 'supplier_name', 'status', 'lines', 'estimated_delivery_date'],
      shipment: ['po_number', 'supplier_order_id', 'tracking_number', 'carrier', 'shipped_date', 'estimated_delivery_date', 'lines'],
      tracking_event: ['po_number', 'tracking_number', 'status', 'message', 'location', 'timestamp'],
      invoice: ['po_number', 'invoice_number', 'invoice_date', 'due_date', 'subtotal_amount', 'tax_amount', 'total_amount', 'currency', 'status',
        'document_pdf_base64'],
    };
    for (const [type, fields] of Object.entries(kinds)) {
      await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom(...fields), fc.oneof(oddJson, oddText), { minKeys: 1 }), async (update) => {
        const status = await check('POST', '/api/v2/supplier_updates', { updates: [{ type, ...update }] });
        return status === 200 || status === 400;
      }), { numRuns: 40 });
    }
  });

  it('bad path parameters and query strings: never a 500, a 400 names its field', async () => {
    for (const op of operations) {
      await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom(...op.params, 'x'), oddText), fc.dictionary(fc.constantFrom(...op.query, 'extra'), oddText),
        async (params, query) => {
          const encoded = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Math.random() < 0.8 ? encodeURIComponent(v) : v.replace(/[/?#\s]/g, '')]));
          const search = new URLSearchParams(query).toString();
          const status = await check(op.method, `${fill(op.path, encoded)}${search ? `?${search}` : ''}`,
            op.body ? {} : undefined);
          return status < 500;
        }), { numRuns: 8 });
    }
  });

  it('bad bodies — any JSON, and each field replaced by an odd value: never a 500, a 400 names its field', async () => {
    for (const op of operations.filter((o) => o.body)) {
      const fields = Object.keys(op.body!.properties ?? {});
      await fc.assert(fc.asyncProperty(oddJson, async (body) => (await check(op.method, fill(op.path, {}), body)) < 500), { numRuns: 6 });
      if (fields.length === 0) continue;
      await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom(...fields), oddJson, { minKeys: 1 }),
        async (body) => (await check(op.method, fill(op.path, {}), body)) < 500), { numRuns: 10 });
    }
  });
});

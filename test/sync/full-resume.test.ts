// A full run (`POST /api/v2/connections/:id/sync {"full": true}`) SIGKILLed with the real server, which is then
// started again: the run that resumes it (the scheduler's, which asks for an incremental one) must finish the full
// re-read (DESIGN 4: a run killed at any instant and started again ends as one uninterrupted run). Each case edits
// the upstream so that only a full re-read can see the change (ShipStation: a closed PO, which no incremental
// listing shows; Stocky: a PO changed without its updated_at moving), so a resumed incremental run leaves it stale.
// Killed before the full run's first page committed (nothing of it stored: the resumed run starts it over) and after
// its first page committed (the resumed run goes on from the next page: it fetches only the rest).
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/database.ts';
import { createShipStationSandbox, SHIPSTATION_DEFAULT_API_KEY } from '../../src/sandbox/shipstation.ts';
import { createStockySandbox, STOCKY_DEFAULT_API_KEY, STOCKY_DEFAULT_STORE_NAME } from '../../src/sandbox/stocky.ts';
import type { SandboxControl } from '../../src/sandbox/common.ts';
import { SECRET_LINE, run as ordersync, startServer, tempDir, waitForHealth, type Served } from '../support/cli-process.ts';

const randomPort = () => 8400 + Math.floor(Math.random() * 600);

interface Run {
  id: string;
  status: string;
  full: boolean;
  counts: { fetched: number };
  error: string | null;
}

/** The sandboxes read their latency at every answer: raised so that a run is surely in flight when killed. */
function setLatency(control: SandboxControl, ms: number): void {
  (control.options as { latencyMs: number }).latencyMs = ms;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

class Service {
  served: Served | undefined;
  readonly base: string;
  readonly env: Record<string, string>;
  key = '';

  constructor(dir: string) {
    const port = randomPort();
    this.base = `http://127.0.0.1:${port}`;
    this.env = { DATABASE_URL: `sqlite:${join(dir, 'ordersync.db')}`, PORT: String(port), HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '0' };
  }

  async start(): Promise<void> {
    this.served = startServer(this.env);
    await waitForHealth(this.base, this.served);
  }

  async kill(): Promise<void> {
    this.served!.child.kill('SIGKILL');
    await this.served!.exit;
  }

  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.base}${path}`, {
      method, headers: { 'x-api-key': this.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  async runs(connectionId: string): Promise<Run[]> {
    return (await this.api('GET', `/api/v2/connections/${connectionId}/runs?page_size=50`)).body.runs;
  }
}

interface Case {
  kind: 'shipstation' | 'stocky';
  pos: number;
  /** Kill once the full run has committed this many records (0: before its first page commits). */
  killAfterFetched: number;
}

describe('a full sync run SIGKILLed with the server is finished as a full run after the restart (SQLite)', () => {
  it.each<Case>([
    { kind: 'shipstation', pos: 60, killAfterFetched: 0 },
    { kind: 'stocky', pos: 60, killAfterFetched: 0 },
    { kind: 'stocky', pos: 600, killAfterFetched: 250 },
  ])('$kind, $pos POs, killed after $killAfterFetched records stored', async ({ kind, pos, killAfterFetched }) => {
    // The sandbox announces a high limit (ShipStation's X-Rate-Limit-Limit header) so the run is not held to 200/min.
    const options = { pos, seed: 11, rateLimit: 60_000, rateLimitBurst: 60_000 };
    const sandbox = kind === 'shipstation' ? createShipStationSandbox(options) : createStockySandbox(options);
    await sandbox.listen({ port: randomPort(), host: '127.0.0.1' });
    afterAll(() => sandbox.close());
    const address = sandbox.server.address() as { port: number };
    const upstream = `http://127.0.0.1:${address.port}`;

    const service = new Service(tempDir());
    const created = await ordersync(['keys', 'create', '--retailer', 'full-resume', '--scope', 'read,write,admin'], service.env);
    expect(created.code, created.stderr).toBe(0);
    service.key = created.stdout.split('\n').find((line) => SECRET_LINE.test(line))!;
    await service.start();
    afterAll(() => service.kill().catch(() => {}));

    const credentials = kind === 'shipstation' ? { api_key: SHIPSTATION_DEFAULT_API_KEY }
      : { store_name: STOCKY_DEFAULT_STORE_NAME, api_key: STOCKY_DEFAULT_API_KEY };
    const connection = await service.api('POST', '/api/v2/connections',
      { kind, name: 'resume', base_url: upstream, credentials, schedule_minutes: 1440 });
    expect(connection.status, JSON.stringify(connection.body)).toBe(201);
    const connectionId: string = connection.body.id;
    // A new connection is due at once: the scheduler's first run (full: nothing stored yet).
    await until('the first run', async () => (await service.runs(connectionId)).find((r) => r.status === 'succeeded'));

    // Changes only a full re-read sees, in the PO the full sweep reaches last (after the kill point).
    let check: (db: ReturnType<typeof openDatabase>['db']) => Promise<unknown>;
    if (kind === 'shipstation') {
      const state = (sandbox as ReturnType<typeof createShipStationSandbox>).sandbox.state;
      const closed = state.all().filter((po) => po.status === 'closed').at(-1)!;
      state.update(closed.purchase_order_id, (po) => { po.reference_number = 'CHANGED-UPSTREAM'; });
      check = async (db) => (await db.selectFrom('purchase_orders').select('reference_number')
        .where('po_number', '=', closed.order_number).executeTakeFirstOrThrow()).reference_number;
    } else {
      const state = (sandbox as ReturnType<typeof createStockySandbox>).sandbox.state;
      const oldest = state.all().reduce((a, b) => (a.id < b.id ? a : b));
      state.update(oldest.id, (po) => { po.purchase_items[0].product_title = 'CHANGED-UPSTREAM'; }, { touch: false });
      check = async (db) => (await db.selectFrom('po_lines').innerJoin('purchase_orders as po', 'po.id', 'po_lines.po_id')
        .select('po_lines.product_name').where('po.po_number', '=', String(oldest.number))
        .where('po_lines.source_line_id', '=', String(oldest.purchase_items[0].id)).executeTakeFirstOrThrow()).product_name;
    }

    setLatency(sandbox.sandbox, 1500);
    const started = await service.api('POST', `/api/v2/connections/${connectionId}/sync`, { full: true });
    expect(started.status).toBe(202);
    const killedRunId: string = started.body.run_id;
    await until('the kill point', async () => {
      const { body } = await service.api('GET', `/api/v2/sync_runs/${killedRunId}`);
      expect(body.status).toBe('running');
      return body.counts.fetched >= killAfterFetched ? true : undefined;
    });
    if (killAfterFetched === 0) await new Promise((resolve) => setTimeout(resolve, 300));
    await service.kill();

    setLatency(sandbox.sandbox, 0);
    await service.start();
    const runs = await until('the resumed run', async () => {
      const all = await service.runs(connectionId);
      return all.length >= 3 && all[0].status === 'succeeded' ? all : undefined;
    });
    const [resumed, killed] = runs;
    expect(killed.id).toBe(killedRunId);
    expect(killed.status).toBe('failed');
    expect(killed.error).toMatch(/^interrupted/);
    expect(killed.counts.fetched).toBe(killAfterFetched);
    const database = openDatabase({ kind: 'sqlite', file: service.env.DATABASE_URL.slice('sqlite:'.length) });
    try {
      // What only the full re-read could have brought in.
      expect(await check(database.db)).toBe('CHANGED-UPSTREAM');
      const row = await database.db.selectFrom('connections').select('sync_state').where('id', '=', connectionId).executeTakeFirstOrThrow();
      expect(JSON.parse(row.sync_state!).sweep).toBeNull();
    } finally {
      await database.close();
    }
    expect(resumed.full).toBe(true);
    // From where it stopped: the pages stored before the kill are not read again.
    expect(resumed.counts.fetched).toBe(pos - killAfterFetched);
  }, 240_000);
});

// A Stocky v2 API simulator (reference: stocky-v2-purchase-orders.txt): the `Store-Name` and
// `Authorization: API KEY=<key>` headers, the purchase-order list with confirmed_since, updated_since, status,
// limit, offset and since_id (ids below since_id, newest first), one PO by id with its 404, and the
// suppliers. Stocky is read-only. The app is not listening: the caller listens (or injects).
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { installSimulation, pickAdvanceable, resolveOptions, type ResolvedOptions, type SandboxControl, type SandboxOptions } from './common.ts';
import { isoMillis, lowerBound, rngFor, wholeSeconds } from './random.ts';
import {
  advancePo, churnDraft, drawHeader, generatePo, indexOfPoId, invalidParameter, listSuppliers, parsePoListQuery,
  parseSupplierListQuery, passesStatus, poIdAt, stockyGenerator, stockySuppliers,
  type StockyGenerator, type StockyListQuery, type StockyPurchaseOrder, type StockySupplier,
} from './stocky-data.ts';
import { LazyTable } from './table.ts';

export const STOCKY_DEFAULT_STORE_NAME = 'fairway-pro-shop.myshopify.com';
export const STOCKY_DEFAULT_API_KEY = 'sandbox-stocky-key';
/**
 * Stocky documents no rate limit; the sandbox uses Shopify's REST shape: a bucket of 40 requests refilled
 * at 2 a second (120 a minute).
 */
export const STOCKY_RATE_LIMIT = 120;
export const STOCKY_RATE_LIMIT_BURST = 40;
/** The reference gives no maximum for `limit`; the sandbox takes Stocky's suppliers maximum (250). */
export const STOCKY_MAX_LIMIT = 250;

export interface StockySandboxOptions extends SandboxOptions {
  /** The shop clients must name in `Store-Name`. */
  storeName?: string;
  /** The key clients must send as `Authorization: API KEY=<key>`. */
  apiKey?: string;
  /** Largest `limit` accepted (a larger one is a 400). Default 250. */
  maxLimit?: number;
}

/** An error answered with Stocky's body, `{"errors": "<message>"}`. */
export class StockyError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

export const stockyErrorBody = (message: string) => ({ errors: message });

// ------------------------------------------------------------------------------------------ state

const COLUMNS = ['created', 'updated', 'ordered', 'archived'] as const;
type Column = (typeof COLUMNS)[number];
const CHURN_SALT = 0x5c_4e;

export interface StockyState {
  readonly size: number;
  readonly heldCount: number;
  readonly suppliers: readonly StockySupplier[];
  /** Every PO id, oldest first. */
  ids(): number[];
  get(id: number): StockyPurchaseOrder | undefined;
  /** Copies of every PO, oldest first (generates them all: for small sandboxes and tests). */
  all(): StockyPurchaseOrder[];
  /** Changes a PO; updated_at moves to now unless `touch` is false. Returns a copy of the result. */
  update(id: number, change: (po: StockyPurchaseOrder) => void, options?: { touch?: boolean }): StockyPurchaseOrder;
  /** Creates a draft PO as churn would (fields may be overridden). */
  create(fields?: Partial<Omit<StockyPurchaseOrder, 'id' | 'created_at'>>): StockyPurchaseOrder;
  /** Moves a PO one step on as churn would; null when it is archived. */
  advance(id: number): StockyPurchaseOrder | null;
}

class StockyStore implements StockyState {
  readonly suppliers: readonly StockySupplier[];
  private readonly g: StockyGenerator;
  private readonly table: LazyTable<StockyPurchaseOrder, Column>;
  private manualSteps = 0;

  constructor(private readonly options: ResolvedOptions) {
    const g = stockyGenerator(options.seed, options.anchorMs, options.pos);
    this.g = g;
    this.suppliers = stockySuppliers(options.anchorMs);
    this.table = new LazyTable<StockyPurchaseOrder, Column>(
      options.pos,
      (i) => generatePo(g, i),
      (po) => ({
        created: Date.parse(po.created_at), updated: Date.parse(po.updated_at),
        ordered: po.ordered_at === null ? -1 : Date.parse(po.ordered_at), archived: po.archived ? 1 : 0,
      }),
      COLUMNS,
      (i) => {
        const h = drawHeader(g, i);
        return {
          created: h.createdMs, updated: h.updatedMs, ordered: h.orderedMs ?? -1,
          archived: h.stage === 'archived' || h.stage === 'cancelled' ? 1 : 0,
        };
      },
    );
  }

  get size(): number {
    return this.table.size;
  }

  get heldCount(): number {
    return this.table.heldCount;
  }

  private idAt(index: number): number {
    return poIdAt(this.options.seed, index);
  }

  private stampFor(index: number): number {
    return Math.max(wholeSeconds(this.options.now()), this.table.column('created')[index]);
  }

  indexOf(id: number): number | null {
    const index = indexOfPoId(this.options.seed, id);
    return index !== null && index < this.size ? index : null;
  }

  find(id: number): { index: number; po: StockyPurchaseOrder } | null {
    const index = this.indexOf(id);
    return index === null ? null : { index, po: this.table.get(index) };
  }

  ids(): number[] {
    return Array.from({ length: this.size }, (_, i) => this.idAt(i));
  }

  get(id: number): StockyPurchaseOrder | undefined {
    const found = this.find(id);
    return found ? structuredClone(found.po) : undefined;
  }

  all(): StockyPurchaseOrder[] {
    return Array.from({ length: this.size }, (_, i) => structuredClone(this.table.get(i)));
  }

  private mustFind(id: number) {
    const found = this.find(id);
    if (!found) throw new RangeError(`no Stocky purchase order ${id}`);
    return found;
  }

  update(id: number, change: (po: StockyPurchaseOrder) => void, options: { touch?: boolean } = {}): StockyPurchaseOrder {
    const { index, po } = this.mustFind(id);
    const next = structuredClone(po);
    change(next);
    if (options.touch !== false) next.updated_at = isoMillis(this.stampFor(index));
    this.table.set(index, next);
    return structuredClone(next);
  }

  private add(rng: ReturnType<typeof rngFor>, fields: Partial<StockyPurchaseOrder> = {}): StockyPurchaseOrder {
    const index = this.size;
    const created = this.table.column('created');
    const ms = Math.max(wholeSeconds(this.options.now()), index > 0 ? created[index - 1] : -Infinity);
    const id = this.idAt(index);
    const po = { ...churnDraft(rng, id, index, ms), ...fields, id, created_at: isoMillis(ms) };
    this.table.push(po);
    return po;
  }

  create(fields: Partial<StockyPurchaseOrder> = {}): StockyPurchaseOrder {
    return structuredClone(this.add(rngFor(this.options.seed, CHURN_SALT + 1, this.manualSteps++), fields));
  }

  advance(id: number): StockyPurchaseOrder | null {
    const { index, po } = this.mustFind(id);
    const next = advancePo(po, this.stampFor(index), rngFor(this.options.seed, CHURN_SALT + 2, this.manualSteps++));
    if (!next) return null;
    this.table.set(index, next);
    return structuredClone(next);
  }

  churn(step: number): { created: number; advanced: number } {
    const rng = rngFor(this.options.seed, CHURN_SALT, step);
    const archived = this.table.column('archived');
    const candidates = pickAdvanceable(rng, this.size, this.options.churnAdvance, (i) => archived[i] === 0);
    let advanced = 0;
    for (const index of candidates) {
      const next = advancePo(this.table.get(index), this.stampFor(index), rng);
      if (next) {
        this.table.set(index, next);
        advanced++;
      }
    }
    for (let n = 0; n < this.options.churnCreate; n++) this.add(rng);
    return { created: this.options.churnCreate, advanced };
  }

  /**
   * Newest first (id descending). since_id: only ids below it, and offset is then ignored; otherwise offset
   * skips that many matching POs. At most `limit`.
   */
  list(q: StockyListQuery): StockyPurchaseOrder[] {
    const updated = this.table.column('updated');
    const ordered = this.table.column('ordered');
    const archived = this.table.column('archived');
    const top = q.sinceId === null ? this.size - 1 : lowerBound(this.size, (i) => this.idAt(i), q.sinceId) - 1;
    let skip = q.sinceId === null ? q.offset : 0;
    const out: StockyPurchaseOrder[] = [];
    for (let i = top; i >= 0 && out.length < q.limit; i--) {
      if (q.updatedSince !== null && updated[i] < q.updatedSince) continue;
      if (q.confirmedSince !== null && (ordered[i] < 0 || ordered[i] < q.confirmedSince)) continue;
      if (q.status !== null && !passesStatus(q.status, ordered[i] >= 0, archived[i] === 1)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(this.table.get(i));
    }
    return out;
  }
}

// -------------------------------------------------------------------------------------------- app

export type StockySandbox = FastifyInstance & { sandbox: SandboxControl & { state: StockyState } };

export function createStockySandbox(input: StockySandboxOptions = {}): StockySandbox {
  const options = resolveOptions(input, { rateLimit: STOCKY_RATE_LIMIT, rateLimitBurst: (rate) => Math.min(rate, STOCKY_RATE_LIMIT_BURST) });
  const storeName = (input.storeName ?? STOCKY_DEFAULT_STORE_NAME).toLowerCase();
  const apiKey = input.apiKey ?? STOCKY_DEFAULT_API_KEY;
  const maxLimit = input.maxLimit ?? STOCKY_MAX_LIMIT;
  if (!Number.isInteger(maxLimit) || maxLimit < 1) throw new RangeError(`maxLimit must be a whole number ≥ 1, got ${input.maxLimit}`);
  const store = new StockyStore(options);
  const app = Fastify({
    logger: options.logger, forceCloseConnections: true,
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      reply.code(400).send(stockyErrorBody(error.message));
    },
  });

  const control = installSimulation(app, options, {
    authenticate(request) {
      const shop = request.headers['store-name'];
      const authorization = request.headers.authorization;
      if (typeof shop !== 'string' || shop === '') {
        return { status: 401, body: stockyErrorBody('Missing Store-Name header: send your shop\'s .myshopify.com domain.') };
      }
      if (typeof authorization !== 'string' || !authorization.startsWith('API KEY=')) {
        return { status: 401, body: stockyErrorBody('Missing or malformed Authorization header: send "API KEY=" followed by your Stocky API key.') };
      }
      if (shop.trim().toLowerCase() !== storeName || authorization.slice('API KEY='.length) !== apiKey) {
        return { status: 401, body: stockyErrorBody('Invalid API key or store name.') };
      }
      return null;
    },
    rateLimitedBody: (_request, seconds) => stockyErrorBody(`Too many requests: retry after ${seconds} seconds.`),
    serverErrorBody: () => stockyErrorBody('Internal Server Error'),
    churn: (step) => store.churn(step),
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof StockyError) return reply.code(error.statusCode).send(stockyErrorBody(error.message));
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send(stockyErrorBody(error.message));
    reply.log.error(error);
    return reply.code(500).send(stockyErrorBody('Internal Server Error'));
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(stockyErrorBody('Not Found')));

  /** `{id}.json` → the id; throws Stocky's 400 for an id that is not a number, 404 for no `.json`. */
  const idFrom = (file: string): number => {
    const match = /^(.*)\.json$/.exec(file);
    if (!match) throw new StockyError(404, 'Not Found');
    if (!/^\d{1,15}$/.test(match[1])) throw new StockyError(400, invalidParameter('id', match[1], 'Must be a number.'));
    return Number(match[1]);
  };

  app.get('/api/v2/purchase_orders.json', async (request) => {
    const parsed = parsePoListQuery(request.query as Record<string, unknown>, maxLimit);
    if (!parsed.ok) throw new StockyError(400, parsed.message);
    return { purchase_orders: store.list(parsed.query) };
  });

  app.get<{ Params: { file: string } }>('/api/v2/purchase_orders/:file', async (request) => {
    const found = store.find(idFrom(request.params.file));
    if (!found) throw new StockyError(404, 'No purchase orders found');
    return found.po;
  });

  app.get('/api/v2/suppliers.json', async (request) => {
    const parsed = parseSupplierListQuery(request.query as Record<string, unknown>);
    if (!parsed.ok) throw new StockyError(400, parsed.message);
    return { suppliers: listSuppliers(store.suppliers, parsed.query) };
  });

  app.get<{ Params: { file: string } }>('/api/v2/suppliers/:file', async (request) => {
    const id = idFrom(request.params.file);
    const supplier = store.suppliers.find((s) => s.id === id);
    if (!supplier) throw new StockyError(404, 'No supplier found');
    return supplier;
  });

  app.decorate('sandbox', { ...control, state: store as StockyState });
  return app as unknown as StockySandbox;
}

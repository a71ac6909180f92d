// Stocky v2 connector (DESIGN 4). Shopify sunset Stocky on 2026-08-31; this connector works against any server
// that speaks Stocky's v2 purchase-order API (the sandbox, an archive of a shop's data, a replacement service).
//
// A sweep lists /api/v2/purchase_orders.json?updated_since=<watermark − overlap>&limit=250 (no updated_since on a
// first or full sweep), newest first, paging with since_id = the smallest id of the previous page (the reference:
// ids below since_id). The list carries whole POs with their items, so there is no per-PO request; unchanged POs
// are skipped by content hash. New POs get higher ids and so cannot slip between pages; a PO updated while the
// sweep runs is listed by the next sweep, whose updated_since reaches back to before this one started: the new
// watermark is the earlier of the latest updated_at seen and the server's Date at the sweep's first page.
import { randomUUID } from 'node:crypto';
import { instantOf } from './shipstation-mapping.ts';
import { mapStockyPo, type StockyPo } from './stocky-mapping.ts';
import { mapRecords, type Connector, type ConnectorContext, type SyncPage } from './types.ts';

/** The reference sets no maximum for `limit`; 250 is the most servers speaking it (and the sandbox) accept. */
export const STOCKY_PAGE_SIZE = 250;

export interface StockySweep {
  id: string;
  mode: 'full' | 'incremental';
  /** updated_since of this sweep (null: everything). */
  since: string | null;
  /** since_id for the next page (null: the first page). */
  sinceId: number | null;
  done: boolean;
  /** Latest updated_at seen, and the server's clock at the first page. */
  maxUpdated: string | null;
  startedAt: string | null;
}

export interface StockyState {
  kind: 'stocky';
  v: 1;
  watermark: string | null;
  sweep: StockySweep | null;
}

export interface StockyConnectorOptions {
  overlapMs: number;
  pageSize?: number;
}

const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);
const earlier = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b);

export class StockyConnector implements Connector<StockyState> {
  private readonly pageSize: number;

  constructor(private readonly options: StockyConnectorOptions) {
    this.pageSize = options.pageSize ?? STOCKY_PAGE_SIZE;
  }

  initialState(stored: unknown, full: boolean): StockyState {
    const previous = isStockyState(stored) ? stored : null;
    const watermark = previous?.watermark ?? null;
    if (previous?.sweep && (!full || previous.sweep.mode === 'full')) return previous;
    const mode = full || watermark === null ? 'full' : 'incremental';
    const since = mode === 'full' ? null : new Date(Date.parse(watermark!) - this.options.overlapMs).toISOString();
    return {
      kind: 'stocky', v: 1, watermark,
      sweep: { id: randomUUID(), mode, since, sinceId: null, done: false, maxUpdated: null, startedAt: null },
    };
  }

  canReadAhead(): boolean {
    return true;
  }

  finish(state: StockyState): StockyState {
    const sweep = state.sweep;
    const reached = sweep ? earlier(sweep.maxUpdated, sweep.startedAt) : null;
    return { ...state, watermark: reached ?? state.watermark, sweep: null };
  }

  async nextPage(state: StockyState, ctx: ConnectorContext): Promise<SyncPage<StockyState> | null> {
    const sweep = state.sweep;
    if (!sweep || sweep.done) return null;
    const query = new URLSearchParams({ limit: String(this.pageSize) });
    if (sweep.since) query.set('updated_since', sweep.since);
    if (sweep.sinceId !== null) query.set('since_id', String(sweep.sinceId));
    const response = (await ctx.client.getJson<{ purchase_orders: StockyPo[] }>(`/api/v2/purchase_orders.json?${query}`))!;
    const pos = response.body.purchase_orders ?? [];
    const next: StockySweep = { ...sweep };
    if (sweep.sinceId === null && next.startedAt === null) {
      const date = response.headers.get('date');
      next.startedAt = date && !Number.isNaN(Date.parse(date)) ? new Date(Date.parse(date)).toISOString() : null;
    }
    for (const po of pos) next.maxUpdated = later(next.maxUpdated, instantOf(po.updated_at));
    const smallest = pos.reduce((min, po) => Math.min(min, Number(po.id)), Number.POSITIVE_INFINITY);
    if (pos.length < this.pageSize || !Number.isFinite(smallest)) next.done = true;
    else next.sinceId = smallest;
    return { ...mapRecords(pos, mapStockyPo), current: [], gone: [], sweep: sweep.id, state: { ...state, sweep: next } };
  }
}

function isStockyState(value: unknown): value is StockyState {
  return typeof value === 'object' && value !== null && (value as StockyState).kind === 'stocky' && (value as StockyState).v === 1;
}

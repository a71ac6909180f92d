// ShipStation v2 connector (DESIGN 4). The list carries headers only and has no "modified since" filter, so a
// sweep is:
//   1. created: /v2/purchase_orders?create_date_start=<watermark − overlap>&page_size=500 (everything on a first
//      or full sweep), following links.next.href;
//   2. status (incremental sweeps only): the same list with status=draft, open, receiving, received in turn — the
//      POs that can still change;
//   3. re-check (incremental only): stored POs that were open but no status listing showed this sweep (they became
//      closed or cancelled since), fetched by id.
// For every header, the PO is fetched by id only when its modify_date differs from the stored one: at ShipStation's
// 200 requests a minute those GETs are the budget. The resume state (phase, next link, re-check cursor) is stored
// with each page, so a run that stops anywhere picks up at the page after the last one committed.
import { randomUUID } from 'node:crypto';
import type { JsonResponse } from '../http-client.ts';
import {
  SHIPSTATION_OPEN_STATUSES, instantOf, mapShipStationPo, type ShipStationDetail, type ShipStationHeader, type ShipStationListPage,
} from './shipstation-mapping.ts';
import { mapRecords, type Connector, type ConnectorContext, type RejectedRecord, type SyncPage, type SyncedPo } from './types.ts';

export const SHIPSTATION_PAGE_SIZE = 500;

export interface ShipStationSweep {
  id: string;
  mode: 'full' | 'incremental';
  phase: 'created' | 'status' | 'recheck' | 'done';
  /** Index into SHIPSTATION_OPEN_STATUSES in the status phase. */
  status: number;
  /** The next list URL of the current phase (links.next.href), or null at the phase's start. */
  next: string | null;
  /** The re-check's cursor: the last upstream id re-checked. */
  recheckAfter: string | null;
  /** create_date_start of the created phase (null: from the beginning). */
  since: string | null;
  /** The latest create_date seen in the created phase. */
  maxCreated: string | null;
}

export interface ShipStationState {
  kind: 'shipstation';
  v: 1;
  /** The latest create_date of the last finished sweep; the next lists from it minus the overlap. */
  watermark: string | null;
  sweep: ShipStationSweep | null;
}

export interface ShipStationConnectorOptions {
  overlapMs: number;
  concurrency: number;
  pageSize?: number;
  recheckBatch?: number;
}

const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

export class ShipStationConnector implements Connector<ShipStationState> {
  private readonly pageSize: number;
  /**
   * The next list page of the current phase, asked for as soon as its link is known (while this page's GETs by id
   * are made): when the engine reads the page after ahead, its list is there already and its GETs by id can be asked
   * for at once, before the write of the page before starts. Only the same GET made earlier: the resume state is
   * untouched (a run that stops leaves at most this one request unused).
   */
  private prefetched: { url: string; response: Promise<JsonResponse<ShipStationListPage> | null> } | null = null;

  constructor(private readonly options: ShipStationConnectorOptions) {
    this.pageSize = options.pageSize ?? SHIPSTATION_PAGE_SIZE;
  }

  initialState(stored: unknown, full: boolean): ShipStationState {
    const previous = isShipStationState(stored) ? stored : null;
    const watermark = previous?.watermark ?? null;
    // An unfinished sweep is resumed, unless a full one is asked for and that one was not full.
    if (previous?.sweep && (!full || previous.sweep.mode === 'full')) return previous;
    const mode = full || watermark === null ? 'full' : 'incremental';
    const since = mode === 'full' ? null : new Date(Date.parse(watermark!) - this.options.overlapMs).toISOString();
    return {
      kind: 'shipstation', v: 1, watermark,
      sweep: { id: randomUUID(), mode, phase: 'created', status: 0, next: null, recheckAfter: null, since, maxCreated: null },
    };
  }

  canReadAhead(state: ShipStationState): boolean {
    return state.sweep?.phase !== 'recheck';
  }

  finish(state: ShipStationState): ShipStationState {
    return { ...state, watermark: later(state.watermark, state.sweep?.maxCreated ?? null), sweep: null };
  }

  async nextPage(state: ShipStationState, ctx: ConnectorContext): Promise<SyncPage<ShipStationState> | null> {
    const sweep = state.sweep;
    if (!sweep || sweep.phase === 'done') return null;
    if (sweep.phase === 'recheck') return this.recheckPage(state, sweep, ctx);

    const url = sweep.next ?? this.firstUrl(sweep);
    const prefetched = this.prefetched?.url === url ? this.prefetched.response : null;
    this.prefetched = null;
    const response = await (prefetched ?? ctx.client.getJson<ShipStationListPage>(url));
    const headers = response!.body.purchase_orders ?? [];
    const nextHref = response!.body.links?.next?.href ?? null;
    const next: ShipStationSweep = { ...sweep };
    if (sweep.phase === 'created') {
      for (const h of headers) next.maxCreated = later(next.maxCreated, instantOf(h.create_date));
    }
    if (nextHref) {
      next.next = nextHref;
      const ahead = ctx.client.getJson<ShipStationListPage>(nextHref);
      ahead.catch(() => {}); // surfaces when the next page awaits it; dropped if the run stops first
      this.prefetched = { url: nextHref, response: ahead };
    } else if (sweep.mode === 'full') Object.assign(next, { phase: 'done', next: null });
    else if (sweep.phase === 'created') Object.assign(next, { phase: 'status', status: 0, next: null });
    else if (sweep.status + 1 < SHIPSTATION_OPEN_STATUSES.length) Object.assign(next, { status: sweep.status + 1, next: null });
    else Object.assign(next, { phase: 'recheck', next: null, recheckAfter: null });

    const { records, rejected, current } = await this.readHeaders(headers, sweep.id, ctx);
    return { records, rejected, current, gone: [], sweep: sweep.id, state: { ...state, sweep: next } };
  }

  private firstUrl(sweep: ShipStationSweep): string {
    const query = new URLSearchParams({ page_size: String(this.pageSize) });
    if (sweep.phase === 'created' && sweep.since) query.set('create_date_start', sweep.since);
    if (sweep.phase === 'status') query.set('status', SHIPSTATION_OPEN_STATUSES[sweep.status]);
    return `/v2/purchase_orders?${query}`;
  }

  /** Headers → the POs to read in full (modify_date differs from the stored one) and those already current. */
  private async readHeaders(headers: ShipStationHeader[], sweep: string, ctx: ConnectorContext):
    Promise<{ records: SyncedPo[]; rejected: RejectedRecord[]; current: string[] }> {
    const stored = await ctx.lookup(headers.map((h) => h.purchase_order_id));
    const current: string[] = [];
    const toRead: ShipStationHeader[] = [];
    const seen = new Set<string>();
    for (const h of headers) {
      if (seen.has(h.purchase_order_id)) continue;
      seen.add(h.purchase_order_id);
      const known = stored.get(h.purchase_order_id);
      const same = known !== undefined && known.upstream_modified === instantOf(h.modify_date);
      if (same && known.listed_sweep === sweep) continue; // already counted in this sweep (listed twice)
      if (same) current.push(h.purchase_order_id);
      else toRead.push(h);
    }
    const asked = ctx.client.getJsonMany<ShipStationDetail>(toRead.map((h) => detailPath(h.purchase_order_id)),
      { allowNotFound: true, concurrency: this.options.concurrency });
    ctx.requested?.();
    const details = await asked;
    // null: gone between list and get
    const read = mapRecords(toRead, (h, i) => (details[i] ? mapShipStationPo(details[i].body, h.supplier_name ?? null) : null));
    return { ...read, current };
  }

  private async recheckPage(state: ShipStationState, sweep: ShipStationSweep, ctx: ConnectorContext):
    Promise<SyncPage<ShipStationState>> {
    const ids = await ctx.unlisted(sweep.id, sweep.recheckAfter, this.options.recheckBatch ?? 100);
    if (ids.length === 0) return { records: [], current: [], gone: [], sweep: sweep.id, state: { ...state, sweep: { ...sweep, phase: 'done' } } };
    const asked = ctx.client.getJsonMany<ShipStationDetail>(ids.map(detailPath), { allowNotFound: true, concurrency: this.options.concurrency });
    ctx.requested?.();
    const details = await asked;
    const gone = ids.filter((_, i) => details[i] === null);
    // The detail has no supplier name: the stored PO keeps its supplier. (Always so, whatever headers this run has
    // seen, so that a resumed run writes exactly what an uninterrupted one would.)
    const read = mapRecords(details, (got) => (got ? mapShipStationPo(got.body, undefined) : null));
    return {
      ...read, current: [], gone, sweep: sweep.id,
      state: { ...state, sweep: { ...sweep, recheckAfter: ids[ids.length - 1] } },
    };
  }
}

const detailPath = (id: string) => `/v2/purchase_orders/${encodeURIComponent(id)}`;

function isShipStationState(value: unknown): value is ShipStationState {
  return typeof value === 'object' && value !== null && (value as ShipStationState).kind === 'shipstation' && (value as ShipStationState).v === 1;
}

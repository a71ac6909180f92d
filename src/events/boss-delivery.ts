// Webhook delivery on PostgreSQL (DESIGN 4b: "deliveries run on pg-boss"), in `serve` and in every
// `ordersync worker`: any of them delivers, and they share the work through pg-boss.
//
// The deliveries stay rows (store/webhook-deliveries.ts), written with their event: a restart or a crash loses
// none. pg-boss carries one job per endpoint, a *drain*: whoever holds it sends that endpoint's due deliveries,
// at most `perEndpoint` requests at once, until none is due (or DRAIN_BUDGET_MS has passed, so other endpoints get
// their turn), then completes it. The queue's `stately` policy keyed by endpoint id admits one active drain per
// endpoint across every process (and one queued behind it), so:
// - the per-endpoint bound holds across processes, not only inside one;
// - an endpoint is never sent two deliveries of one event at once (each delivery is also claimed with a lease,
//   SKIP LOCKED, so a lapsed job cannot double a send either);
// - a slow receiver holds one drain, one of each process's `drains` slots, and the others go on.
//
// Each process runs a relay: every `pollMs` it looks for endpoints with due, unclaimed deliveries (a partial
// index, migration 0016), inserts a drain job for each (pg-boss drops the duplicates) and fetches as many jobs as
// it has free drain slots.
//
// A process that dies: its drains' jobs are noted in owned_jobs and its claims name it (src/process-owner.ts).
// Once it is found dead (the pid gone on this machine: at once, at a restart or within a second; silence from
// another machine: PROCESS_STALE_MS) its claims are due again and every process's next beat fails its drain jobs,
// so the endpoint's next drain can start; pg-boss's expiry (DRAIN_EXPIRE_SECONDS) and the lease are what is left
// for a process alive but stuck.
import { setTimeout as sleep } from 'node:timers/promises';
import { PgBoss, type Job } from 'pg-boss';
import { bossSchemaFor } from '../sync/scheduler.ts';
import { claimEndpointDeliveries, endpointsWithDueDeliveries, releaseDeliveries, type ClaimedDelivery } from '../store/webhook-deliveries.ts';
import { AttemptRunner, type AttemptOptions } from './attempts.ts';
import { processOwner, type ProcessOwner } from '../process-owner.ts';
import { forgetOwnedJobs, noteOwnedJob, orphanedJobs } from '../store/service-processes.ts';

export const WEBHOOK_QUEUE = 'ordersync-webhook-drains';

interface DrainJob {
  endpoint_id: string;
}

export interface BossDeliveryOptions extends AttemptOptions {
  /** The PostgreSQL URL pg-boss connects to (DATABASE_URL). */
  url: string;
  /** pg-boss's schema; default the one beside the service's (sync/scheduler.ts bossSchemaFor). */
  bossSchema?: string;
  /** How often the relay looks for due deliveries. Default 200 ms. */
  pollMs?: number;
  /** HTTP requests in flight to one endpoint at once, across every process (default 10). */
  perEndpoint?: number;
  /** Endpoints this process drains at once (default 32). */
  drains?: number;
}

/** A drain hands its endpoint back after this long, so endpoints with long backlogs take turns. */
const DRAIN_BUDGET_MS = 15_000;
/** pg-boss fails a drain active this long (its process died): longer than the budget plus a 10 s attempt. */
const DRAIN_EXPIRE_SECONDS = 120;
/** While some attempts are in flight, a drain looks for newly due deliveries this often. */
const DRAIN_POLL_MS = 25;
/** Claimed per endpoint, in flight and waiting: this many times `perEndpoint` (each claim takes a batch). */
const QUEUE_FACTOR = 3;
/** Endpoints the relay queues drains for in one look. */
const RELAY_BATCH = 500;
/** With nothing due here, still fetch jobs other processes queued this often. */
const IDLE_FETCH_MS = 1_000;

export class BossDelivery {
  private readonly controller = new AbortController();
  private readonly runner: AttemptRunner;
  /** Endpoint id → its drain running in this process. */
  private readonly draining = new Map<string, Promise<void>>();
  private boss: PgBoss | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private owner: ProcessOwner | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  /** Counts the times this process was taken for dead while alive: a drain begun before stops and drops its claims. */
  private generation = 0;

  constructor(private readonly options: BossDeliveryOptions) {
    this.runner = new AttemptRunner(options);
  }

  private get perEndpoint(): number {
    return this.options.perEndpoint ?? 10;
  }

  /** Starts pg-boss and the relay; returns at once (`started()` waits for pg-boss). */
  start(): this {
    this.loop ??= this.run();
    return this;
  }

  private async startBoss(): Promise<PgBoss> {
    const { db, url, log } = this.options;
    const boss = new PgBoss({
      connectionString: url, schema: this.options.bossSchema ?? await bossSchemaFor(db), max: 3,
      application_name: 'ordersync-webhooks', schedule: false,
    });
    boss.on('error', (err) => log.error({ err }, 'pg-boss error (webhooks)'));
    await boss.start();
    await boss.createQueue(WEBHOOK_QUEUE, {
      policy: 'stately', retryLimit: 0, expireInSeconds: DRAIN_EXPIRE_SECONDS, retentionSeconds: 3600, deleteAfterSeconds: 3600,
    });
    return boss;
  }

  private async run(): Promise<void> {
    const { signal } = this.controller;
    const owner = processOwner(this.options.db, { log: this.options.log });
    await Promise.race([owner.ready, new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
    if (signal.aborted) return;
    this.owner = owner;
    try {
      this.boss = await this.startBoss();
    } catch (err) {
      this.options.log.error({ err }, 'webhooks: could not start pg-boss; nothing is delivered by this process');
      return;
    }
    this.unsubscribe.push(owner.onBeat(() => this.failOrphanedDrains()), owner.onLost(() => this.generation++));
    await this.failOrphanedDrains();
    let lastFetch = 0;
    while (!signal.aborted) {
      try {
        const due = (await endpointsWithDueDeliveries(this.options.db, RELAY_BATCH, this.runner.now()))
          .filter((id) => !this.draining.has(id)); // a drain here picks those up itself
        if (due.length > 0) {
          await this.boss.insert(WEBHOOK_QUEUE, due.map((id) => ({ data: { endpoint_id: id } satisfies DrainJob, singletonKey: id })));
        }
        const free = (this.options.drains ?? 32) - this.draining.size;
        if (free > 0 && (due.length > 0 || Date.now() - lastFetch >= IDLE_FETCH_MS)) {
          lastFetch = Date.now();
          for (const job of await this.boss.fetch<DrainJob>(WEBHOOK_QUEUE, { batchSize: free })) this.startDrain(job);
        }
        await this.runner.pruneNowAndThen();
      } catch (err) {
        this.options.log.error({ err }, 'webhooks: could not queue or fetch drains');
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        sleep(this.options.pollMs ?? 200, undefined, { signal, ref: false }).catch(() => undefined).finally(resolve);
      });
      this.wake = undefined;
    }
  }

  /**
   * Fails the drain jobs of processes found dead (owned_jobs whose owner is no longer registered): pg-boss admits
   * one active drain per endpoint, and a dead process's would hold its endpoint until DRAIN_EXPIRE_SECONDS.
   */
  private async failOrphanedDrains(): Promise<void> {
    const { db, log } = this.options;
    try {
      const orphaned = await orphanedJobs(db, WEBHOOK_QUEUE);
      if (orphaned.length === 0 || !this.boss) return;
      await this.boss.fail(WEBHOOK_QUEUE, orphaned, { error: 'the process draining this endpoint died' });
      await forgetOwnedJobs(db, WEBHOOK_QUEUE, orphaned);
      this.wake?.(); // their endpoints may be drained now
    } catch (err) {
      log.error({ err }, 'webhooks: could not fail the drains of a process that died (pg-boss expires them)');
    }
  }

  private startDrain(job: Job<DrainJob>): void {
    const endpointId = job.data.endpoint_id;
    const { db } = this.options;
    const drain = noteOwnedJob(db, WEBHOOK_QUEUE, job.id, this.owner!.id)
      .then(() => this.drain(endpointId))
      .catch((err) => this.options.log.error({ err, endpoint_id: endpointId }, 'webhooks: drain failed'))
      .then(() => this.boss!.complete(WEBHOOK_QUEUE, { id: job.id, retryCount: job.retryCount }))
      .catch((err) => this.options.log.error({ err, endpoint_id: endpointId }, 'webhooks: could not complete a drain job'))
      .then(() => forgetOwnedJobs(db, WEBHOOK_QUEUE, [job.id]))
      .catch((err) => this.options.log.error({ err, endpoint_id: endpointId }, 'webhooks: could not forget a drain job'))
      .then(() => {
        this.draining.delete(endpointId);
        this.wake?.(); // a slot is free: fetch again now
      });
    this.draining.set(endpointId, drain);
  }

  /** Sends the endpoint's due deliveries, `perEndpoint` at a time, until none is due, the budget is spent or stop(). */
  private async drain(endpointId: string): Promise<void> {
    const { signal } = this.controller;
    const until = Date.now() + DRAIN_BUDGET_MS;
    const generation = this.generation;
    const waiting: ClaimedDelivery[] = [];
    const inFlight = new Set<Promise<void>>();
    let exhausted = false;
    let lastClaim = 0;
    try {
      for (;;) {
        // Taken for dead while alive: the claims waiting here were released and may be another's now.
        if (generation !== this.generation) waiting.length = 0;
        const claiming = !signal.aborted && Date.now() < until && generation === this.generation;
        // Claim in batches: when the local queue is down to one round, or (nothing was due) after a poll interval.
        if (claiming && waiting.length <= this.perEndpoint && (!exhausted || Date.now() - lastClaim >= DRAIN_POLL_MS)) {
          const want = QUEUE_FACTOR * this.perEndpoint - waiting.length;
          const claimed = await claimEndpointDeliveries(this.options.db, endpointId, want, this.runner.now(), this.owner!.id);
          waiting.push(...claimed);
          exhausted = claimed.length < want;
          lastClaim = Date.now();
        }
        while (inFlight.size < this.perEndpoint && waiting.length > 0 && !signal.aborted) {
          const attempt: Promise<void> = this.runner.send(waiting.shift()!).finally(() => inFlight.delete(attempt));
          inFlight.add(attempt);
        }
        // Done: nothing in flight, and nothing left to send (stopping: nothing more is started).
        if (inFlight.size === 0 && (waiting.length === 0 || signal.aborted) && (exhausted || !claiming)) break;
        await Promise.race([...inFlight, sleep(DRAIN_POLL_MS, undefined, { ref: false })]);
      }
    } finally {
      // Stopping: what was claimed and not started is due again at once for any process.
      await releaseDeliveries(this.options.db, waiting.splice(0));
      await Promise.allSettled([...inFlight]);
    }
  }

  /**
   * Stops fetching, lets the drains finish the attempts in flight (each ends within its timeout), hands back what
   * they had claimed and not started, records everything and completes their jobs, then stops pg-boss.
   */
  async stop(): Promise<void> {
    this.controller.abort();
    this.wake?.();
    await this.loop;
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    await Promise.allSettled([...this.draining.values()]);
    await this.runner.settled();
    this.runner.close();
    await this.boss?.stop({ graceful: true, timeout: 5_000 });
  }
}

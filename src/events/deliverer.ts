// The in-process webhook deliverer (DESIGN 4b): on SQLite, `serve` claims due deliveries, signs and POSTs them and
// records each attempt (events/attempts.ts). PostgreSQL delivers through pg-boss instead (events/boss-delivery.ts).
//
// Per endpoint at most `perEndpoint` attempts are in flight in a process (and as many claimed, waiting), so a slow
// receiver uses its own slots and never those of the others; the process as a whole keeps at most `maxInFlight`.
//
// Claims are made under this process's owner id (src/process-owner.ts): when the process dies (SIGKILL, a crash)
// the next start, or any other process within a second, releases them at once instead of after their lease.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { claimDueDeliveries, releaseDeliveries, type ClaimedDelivery } from '../store/webhook-deliveries.ts';
import { AttemptRunner, type AttemptOptions } from './attempts.ts';
import { processOwner, type ProcessOwner } from '../process-owner.ts';

export interface DelivererOptions extends AttemptOptions {
  /** How often to look for due deliveries when there were none. Default 200 ms. */
  pollMs?: number;
  /** HTTP requests in flight to one endpoint at once (default 10). */
  perEndpoint?: number;
  maxInFlight?: number;
}

/** While claims return work, claim again after this: each claim then takes a batch, not one freed slot. */
const CLAIM_EVERY_MS = 25;
/**
 * Claimed per endpoint, in flight and waiting: this many times `perEndpoint`. Waiting ones must start within their
 * lease (60 s): with 10 s attempts, two rounds of waiting is 20 s at worst.
 */
const QUEUE_FACTOR = 3;

export class WebhookDeliverer {
  private readonly controller = new AbortController();
  private readonly runner: AttemptRunner;
  private readonly inFlight = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  /** Claimed deliveries waiting for a slot of their endpoint, oldest first. */
  private readonly queued = new Map<string, ClaimedDelivery[]>();
  private queuedTotal = 0;
  private total = 0;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private wakeWhenDrained: (() => void) | undefined;
  /** An attempt ended since the last claim: claim again at once rather than wait for the poll. */
  private freed = false;
  private owner: ProcessOwner | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: DelivererOptions) {
    this.runner = new AttemptRunner(options);
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  private now(): Date {
    return this.runner.now();
  }

  /** This process's owner, registered (waits while the database cannot be reached); undefined once stopping. */
  private async registered(): Promise<ProcessOwner | undefined> {
    const owner = processOwner(this.options.db, { log: this.options.log });
    const stopped = new Promise<void>((resolve) => this.controller.signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([owner.ready, stopped]);
    if (this.controller.signal.aborted) return undefined;
    // Taken for dead while alive: the claims waiting here were released, and others may take them; drop them.
    this.unsubscribe = owner.onLost(() => this.dropQueued());
    return owner;
  }

  private dropQueued(): void {
    this.queued.clear();
    this.queuedTotal = 0;
  }

  private async run(): Promise<void> {
    const { signal } = this.controller;
    this.owner = await this.registered();
    while (!signal.aborted) {
      // SQLite answers synchronously, and an attempt refused before any network (an address the guard refuses)
      // ends at once: without a turn of the event loop here, a backlog of such deliveries would be claimed, tried
      // and recorded round after round in one turn, and the process would answer no request meanwhile.
      await nextTurn();
      let claimed = 0;
      try {
        claimed = await this.tick();
        await this.runner.pruneNowAndThen();
      } catch (err) {
        this.options.log.error({ err }, 'webhooks: could not claim due deliveries');
      }
      if (claimed > 0 && this.queuedTotal > 0) {
        // Claims come in batches: the attempts go on from the local queue meanwhile, until it runs dry.
        await new Promise<void>((resolve) => {
          this.wakeWhenDrained = resolve;
          sleep(CLAIM_EVERY_MS, undefined, { signal, ref: false }).catch(() => undefined).finally(resolve);
        });
        this.wakeWhenDrained = undefined;
      } else if (claimed === 0 && !this.freed) {
        // Nothing due, or no room: until an attempt ends or the poll interval passes.
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          sleep(this.options.pollMs ?? 200, undefined, { signal, ref: false }).catch(() => undefined).finally(resolve);
        });
        this.wake = undefined;
      }
      this.freed = false;
    }
  }

  private get perEndpoint(): number {
    return this.options.perEndpoint ?? 10;
  }

  private get maxInFlight(): number {
    return this.options.maxInFlight ?? 200;
  }

  /**
   * Claims due deliveries for the room this process has (for each endpoint: what it may have in flight, and as
   * many again waiting in the local queue), queues them and starts what may start. Returns how many it claimed.
   */
  async tick(): Promise<number> {
    const room = QUEUE_FACTOR * this.maxInFlight - this.total - this.queuedTotal;
    if (room <= 0) return 0;
    const claimed = await claimDueDeliveries(this.options.db, room, (endpointId) =>
      QUEUE_FACTOR * this.perEndpoint - (this.inFlight.get(endpointId) ?? 0) - (this.queued.get(endpointId)?.length ?? 0), this.now(),
      this.owner?.id ?? null);
    for (const delivery of claimed) {
      const queue = this.queued.get(delivery.endpoint_id) ?? [];
      queue.push(delivery);
      this.queued.set(delivery.endpoint_id, queue);
      this.queuedTotal++;
    }
    this.pump();
    return claimed.length;
  }

  /** Starts queued attempts while their endpoint and the process have room. */
  private pump(): void {
    for (const [endpointId, queue] of this.queued) {
      while (queue.length > 0 && (this.inFlight.get(endpointId) ?? 0) < this.perEndpoint && this.total < this.maxInFlight) {
        this.begin(queue.shift()!);
        this.queuedTotal--;
      }
      if (queue.length === 0) this.queued.delete(endpointId);
    }
    if (this.queuedTotal === 0) this.wakeWhenDrained?.();
  }

  private begin(delivery: ClaimedDelivery): void {
    this.inFlight.set(delivery.endpoint_id, (this.inFlight.get(delivery.endpoint_id) ?? 0) + 1);
    this.total++;
    // The slot is free once the exchange ends; the record follows in a batch (the delivery stays claimed till then).
    const attempt = this.runner.send(delivery)
      .finally(() => {
        this.inFlight.set(delivery.endpoint_id, this.inFlight.get(delivery.endpoint_id)! - 1);
        if (this.inFlight.get(delivery.endpoint_id) === 0) this.inFlight.delete(delivery.endpoint_id);
        this.total--;
        this.running.delete(attempt);
        if (!this.controller.signal.aborted) this.pump();
        this.freed = true;
        this.wake?.();
      });
    this.running.add(attempt);
  }

  /**
   * Stops claiming, hands back the deliveries claimed but not started (due again at once for any process), and
   * waits for the attempts in flight to be recorded (each ends within the 10 s timeout).
   */
  async stop(): Promise<void> {
    this.controller.abort();
    this.wake?.();
    await this.loop;
    this.unsubscribe?.();
    const waiting = [...this.queued.values()].flat();
    this.dropQueued();
    await releaseDeliveries(this.options.db, waiting);
    await Promise.allSettled([...this.running]);
    await this.runner.settled();
    this.runner.close();
  }
}

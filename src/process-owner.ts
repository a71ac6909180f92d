// This process as an owner of work (migration 0023): what it claims — webhook deliveries, sync runs, pg-boss jobs —
// names its row in service_processes, which it beats every PROCESS_HEARTBEAT_MS. Every owner also looks, at its
// start and at each beat, for registered processes that are dead (domain/process-liveness.ts: a pid gone on this
// machine, a previous incarnation with this process's pid, silence from another machine) and releases what they
// held at once: their webhook claims are due again, their sync runs are marked interrupted (and their connections
// due, so the next run resumes), their pg-boss jobs are failed by whoever holds that queue (listeners of onBeat).
// Without this a SIGKILLed process's claims waited out their 60 s lease, and its runs showed `running` as long.
//
// The cluster's primary calls reap() when a worker exits; a restarted service finds its previous incarnation dead
// at its first reap. A process found dead while alive (another machine judged it silent) learns it at its next
// beat: it takes a new id and tells its listeners (onLost) to drop what they held, which others may now take.
import cluster from 'node:cluster';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { onDatabaseClose, type Db } from './db/database.ts';
import { newId } from './domain/ids.ts';
import { deathOf, PROCESS_HEARTBEAT_MS, type ProcessRow } from './domain/process-liveness.ts';
import { outsideRequestTransaction } from './db/request-transaction.ts';
import { beatProcess, listProcesses, registerProcess, removeProcess } from './store/service-processes.ts';
import { interruptOrphanedRuns, interruptRunsOf, type InterruptedRun } from './store/sync-runs.ts';
import { releaseOrphanedClaims } from './store/webhook-deliveries.ts';

/** Where an owner tells what it released and why its heartbeats fail (a pino logger, or less). */
export interface OwnerLog {
  warn?(object: object, message: string): void;
  error(object: object, message: string): void;
}

const silent: OwnerLog = { error() {} };

/** What one reap found and released. */
export interface Reaped {
  /** The dead processes' rows, each with why it is dead. */
  dead: { row: ProcessRow; why: string }[];
  /** Webhook deliveries due again at once. */
  deliveries: number;
  /** Sync runs marked interrupted (their connections are due now). */
  runs: InterruptedRun[];
}

/** This machine and PID namespace: two processes with the same node see each other's pids. */
function nodeIdentity(): string {
  const parts = [hostname()];
  try {
    parts.push(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  } catch { /* not Linux: the host name alone */ }
  try {
    parts.push(readlinkSync('/proc/self/ns/pid'));
  } catch { /* no PID namespaces */ }
  return parts.join(' ');
}

const NODE = nodeIdentity();

/** Whether a process with `pid` runs on this node: a zombie (exited, not yet reaped by its parent) does not. */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // another user's process: it exists
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2)); // the state, after "pid (comm) "
  } catch (error) {
    // Gone since kill(0); else no /proc here, and kill(0) has the last word.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync('/proc/self/stat');
  }
}

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux this runs on). */
const CLOCK_TICKS = 100;

/** When the process with `pid` started (Linux: /proc), ms since the epoch rounded down; null where it cannot be read. */
function pidStartedAtMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) ": field 3 onwards
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    const ticks = Number(fields[19]); // field 22, starttime
    return Number.isFinite(bootSeconds) && Number.isFinite(ticks) ? (bootSeconds + ticks / CLOCK_TICKS) * 1000 : null;
  } catch {
    return null;
  }
}

function defaultRole(): string {
  if (cluster.isWorker) return 'serve (HTTP worker)';
  const command = process.argv[2];
  return command && /^[a-z]+$/.test(command) ? command : 'process';
}

export class ProcessOwner {
  private currentId: string;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  private stopped = false;
  private beatingSinceMs: number | null = null;
  private log: OwnerLog = silent;
  private readonly beatListeners = new Set<() => Promise<void> | void>();
  private readonly lostListeners = new Set<(oldId: string) => void>();
  private readonly reapListeners = new Set<(reaped: Reaped) => void>();
  /** Resolves once the row is registered and the first reap is done (a database down at start: once it is back). */
  readonly ready: Promise<void>;

  private registered = false;
  private markReady: () => void = () => {};

  constructor(private readonly db: Db, private readonly role = defaultRole(), private readonly now = () => new Date()) {
    this.currentId = newId('proc');
    this.ready = new Promise((resolve) => { this.markReady = resolve; });
    this.beating = this.beat().finally(() => this.schedule());
  }

  /** Whether the row is registered (claims may name it). */
  get isRegistered(): boolean {
    return this.registered;
  }

  /** The id claims are made under now (it changes when this process was found dead while alive). */
  get id(): string {
    return this.currentId;
  }

  setLog(log: OwnerLog): void {
    if (this.log === silent) this.log = log;
  }

  /** After every beat (and its reap): the pg-boss users fail jobs of processes gone (store/service-processes.ts orphanedJobs). */
  onBeat(listener: () => Promise<void> | void): () => void {
    this.beatListeners.add(listener);
    return () => this.beatListeners.delete(listener);
  }

  /** When this process's row was gone (found dead while alive): what it held may be taken by others; drop it. */
  onLost(listener: (oldId: string) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** When a reap released something: a scheduler resumes interrupted runs at once. */
  onReaped(listener: (reaped: Reaped) => void): () => void {
    this.reapListeners.add(listener);
    return () => this.reapListeners.delete(listener);
  }

  private row(at: Date): ProcessRow {
    const stamp = at.toISOString();
    return { id: this.currentId, node: NODE, host: hostname(), pid: process.pid, role: this.role, started_at: stamp, heartbeat_at: stamp };
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.beating = this.beat().finally(() => this.schedule());
    }, PROCESS_HEARTBEAT_MS).unref();
  }

  /** Registers (the first time, or again after being found dead), beats, reaps, and tells the beat listeners. */
  private async beat(): Promise<void> {
    if (this.stopped) return;
    try {
      const at = this.now();
      if (!this.registered) {
        await registerProcess(this.db, this.row(at));
        this.registered = true;
      } else if (!(await beatProcess(this.db, this.currentId, at))) {
        if (this.stopped) return;
        // Registered under the new id before claims may name it.
        const oldId = this.currentId;
        const fresh = { ...this.row(at), id: newId('proc') };
        await registerProcess(this.db, fresh);
        this.currentId = fresh.id;
        this.log.error({ old_owner: oldId, owner: this.currentId },
          'this process was taken for dead (no heartbeat went through in time): what it held was released; it goes on as a new owner');
        for (const listener of this.lostListeners) listener(oldId);
      }
      this.beatingSinceMs ??= at.getTime();
      await this.reap();
      this.markReady();
      for (const listener of this.beatListeners) await listener();
    } catch (err) {
      this.beatingSinceMs = null;
      if (!this.stopped) this.log.error({ err }, 'process heartbeat failed (tried again in a second)');
    }
  }

  /**
   * Finds the registered processes that are dead and releases what they held (see the file's comment). Safe to
   * call from any process at any time; several reaping at once release each thing once.
   */
  async reap(): Promise<Reaped> {
    return outsideRequestTransaction(async () => {
      const now = this.now();
      const reaped: Reaped = { dead: [], deliveries: 0, runs: [] };
      for (const row of await listProcesses(this.db)) {
        if (row.id === this.currentId) continue;
        const why = deathOf(row, {
          node: NODE, pid: process.pid, startedAtMs: performance.timeOrigin, beatingSinceMs: this.beatingSinceMs,
          pidExists, pidStartedAtMs, nowMs: now.getTime(),
        });
        if (why === null) continue;
        reaped.dead.push({ row, why });
        reaped.runs.push(...await interruptRunsOf(this.db, row.id, `the process running it (${why})`, now));
        await removeProcess(this.db, row.id);
      }
      // Whatever names a process no longer registered: the ones just removed, and any another reaper removed.
      reaped.deliveries = await releaseOrphanedClaims(this.db);
      reaped.runs.push(...await interruptOrphanedRuns(this.db, now));
      if (reaped.dead.length > 0 || reaped.deliveries > 0 || reaped.runs.length > 0) {
        (this.log.warn ?? this.log.error).call(this.log, {
          dead: reaped.dead.map((d) => ({ owner: d.row.id, pid: d.row.pid, host: d.row.host, role: d.row.role, why: d.why })),
          deliveries_released: reaped.deliveries, runs_interrupted: reaped.runs.map((r) => r.id),
        }, 'released the work of processes that died');
        for (const listener of this.reapListeners) listener(reaped);
      }
      return reaped;
    });
  }

  /** Stops beating and removes the row (what the process held is released by its own shutdown first). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.beating;
    if (this.registered) await removeProcess(this.db, this.currentId).catch(() => undefined);
  }
}

const owners = new WeakMap<Db, ProcessOwner>();

/**
 * This process's owner on `db`, registered at the first call (and removed when the database closes). `log`: where
 * its reaps and heartbeat failures are told (the first caller to give one). Await `ready` before claiming under it.
 */
export function processOwner(db: Db, options: { log?: OwnerLog; role?: string } = {}): ProcessOwner {
  let owner = owners.get(db);
  if (!owner) {
    owner = outsideRequestTransaction(() => new ProcessOwner(db, options.role));
    owners.set(db, owner);
    onDatabaseClose(db, () => owner!.stop());
  }
  if (options.log) owner.setLog(options.log);
  return owner;
}

/** The owner already registered on `db`, if any (the cluster's primary reaps with it when a worker exits). */
export function existingProcessOwner(db: Db): ProcessOwner | undefined {
  return owners.get(db);
}

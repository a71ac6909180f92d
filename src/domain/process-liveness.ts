// Whether a registered process (service_processes, migration 0023) is dead, so that what it claimed can be taken
// over at once (DESIGN 4b: an event delivered ≤ 2 s after its change; 4: a run interrupted is shown so, not running).
// Pure: the caller says which pids exist.
//
// Certain on the same node (machine and PID namespace): a process whose pid is gone is dead, and so is a row with
// the caller's own pid registered before the caller started (its previous incarnation: a restarted container gets
// the same pid), and one whose pid now belongs to a process started after the row was registered (pid reuse). A live pid on the same node is alive however late its heartbeat (a busy event loop is no death,
// and taking its claims then could send one delivery twice at once); its claims still lapse with their leases.
// On another node only the heartbeat tells: dead once it is older than `staleMs`, judged only by a caller whose own
// heartbeats have gone through for that long (after a database outage nobody's beat went through: none is dead).

/** Heartbeat interval of a registered process, ms. */
export const PROCESS_HEARTBEAT_MS = 1_000;
/** A process on another node is dead when its heartbeat is older than this, ms (fifteen missed beats). */
export const PROCESS_STALE_MS = 15_000;

/** A registered process: the row of service_processes (db/schema.ts ServiceProcessesTable is this). */
export interface ProcessRow {
  /** `proc_…` */
  id: string;
  /** Host name, boot id and PID namespace: processes of one node see each other's pids. */
  node: string;
  /** Host name, for messages. */
  host: string;
  pid: number;
  /** serve, primary, http worker, worker, cli */
  role: string;
  /** ISO UTC instants. */
  started_at: string;
  heartbeat_at: string;
}

export interface Judge {
  /** The caller's node, pid and start (ms since the epoch). */
  node: string;
  pid: number;
  startedAtMs: number;
  /** Since when the caller's own heartbeats have gone through without a failure (ms since the epoch), or null. */
  beatingSinceMs: number | null;
  /** Whether a pid exists on the caller's node. */
  pidExists: (pid: number) => boolean;
  /** When the process with this pid started (ms since the epoch, never later than the truth), or null: unknown. */
  pidStartedAtMs?: (pid: number) => number | null;
  nowMs: number;
  staleMs?: number;
}

/** Why `row`'s process is dead, or null while it may be alive. */
export function deathOf(row: ProcessRow, judge: Judge): string | null {
  const who = `${row.role} process ${row.pid} on ${row.host}`;
  if (row.node === judge.node) {
    if (row.pid === judge.pid) {
      return Date.parse(row.started_at) < judge.startedAtMs ? `${who} was restarted (this process has its pid now)` : null;
    }
    if (!judge.pidExists(row.pid)) return `${who} has exited`;
    // A process started after the row was registered cannot be the one that registered it (2 s: clock rounding).
    const started = judge.pidStartedAtMs?.(row.pid) ?? null;
    return started !== null && started > Date.parse(row.started_at) + 2_000 ? `${who} has exited (its pid is another process's now)` : null;
  }
  const staleMs = judge.staleMs ?? PROCESS_STALE_MS;
  if (judge.beatingSinceMs === null || judge.nowMs - judge.beatingSinceMs < staleMs) return null;
  const silentMs = judge.nowMs - Date.parse(row.heartbeat_at);
  return silentMs > staleMs ? `${who} has not been heard from for ${Math.round(silentMs / 1000)} s` : null;
}

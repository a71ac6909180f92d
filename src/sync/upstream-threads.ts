// The worker threads of WorkerUpstreamClient (worker-client.ts): started on demand, and one idle thread kept for the
// next run for a while. Why keep one: a thread's start costs about 0.3 s of CPU (tsx's loader, undici), which a
// first sync of thousands of POs does not notice but a re-sync of unchanged data (a few list pages, DESIGN 7: ≥ 10×
// faster than the first) would; the scheduler and the bench run syncs back to back in one process.
//
// A kept thread is unref'd (it never holds the process open) and ends after IDLE_MS; a thread whose run was aborted
// or failed with requests pending is terminated, never kept (its GETs may still be going on).
import { Worker } from 'node:worker_threads';

/** How long an idle thread is kept for the next run. */
export const IDLE_MS = 60_000;

// Listeners are added and removed one by one, never with removeAllListeners(): Worker listens to its own events
// (it refs its message port while 'message' has listeners), and clearing those leaves the port deaf.
let idle: { worker: Worker; timer: NodeJS.Timeout; onError: () => void } | null = null;
const live = new Set<Worker>();

/** A thread ready for an `init` message: the idle one, or a new one. Unref'd: the caller refs it while it waits. */
export function takeThread(): Worker {
  if (idle) {
    const { worker, timer, onError } = idle;
    idle = null;
    clearTimeout(timer);
    worker.off('error', onError);
    return worker;
  }
  const worker = new Worker(new URL('./upstream-worker.js', import.meta.url), { execArgv: withoutTsx(process.execArgv) });
  worker.unref();
  live.add(worker);
  worker.on('exit', () => {
    live.delete(worker);
    if (idle?.worker === worker) {
      clearTimeout(idle.timer);
      idle = null;
    }
  });
  return worker;
}

/** Keeps `worker` (its run done, nothing pending, its client reset) for the next run; ends it if one is kept already. */
export function parkThread(worker: Worker): void {
  worker.unref();
  if (idle || !live.has(worker)) {
    void endThread(worker);
    return;
  }
  const onError = () => void endThread(worker);
  worker.on('error', onError);
  idle = { worker, onError, timer: setTimeout(() => void endThread(worker), IDLE_MS).unref() };
}

/** Terminates `worker` (a no-op once it has ended). */
export async function endThread(worker: Worker): Promise<void> {
  if (idle?.worker === worker) {
    clearTimeout(idle.timer);
    idle = null;
  }
  await worker.terminate().catch(() => {});
}

/** Threads started and not yet ended (tests: an aborted run leaves none running but the idle one). */
export function upstreamThreads(): { live: number; idle: number } {
  return { live: live.size, idle: idle ? 1 : 0 };
}

/** Ends the idle thread now (tests; a process that wants no thread left behind). */
export async function endIdleThread(): Promise<void> {
  if (idle) await endThread(idle.worker);
}

/**
 * The process's node flags without `--import tsx`: the thread's entry (upstream-worker.js) registers tsx itself, as it
 * must when the process registered it in-process (bin/ordersync.js) or runs under vitest; loading it twice over
 * costs the thread's start about a tenth of a second.
 */
function withoutTsx(flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    if ((flags[i] === '--import' || flags[i] === '--loader' || flags[i] === '--require') && /^tsx(\/|$)/.test(flags[i + 1] ?? '')) i++;
    else if (/^--(import|loader|require)=tsx(\/|$)/.test(flags[i])) continue;
    else out.push(flags[i]);
  }
  return out;
}

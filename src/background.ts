// Background work of `ordersync serve`: what must run in exactly one process however many HTTP workers serve
// (DESIGN 4d): the sync scheduler, and (as they arrive) the inbox watcher and webhook delivery.
//
// A capability registers its work once, at import time, with registerBackgroundWork; serve starts every
// registered task after the database is migrated — in the HTTP process itself with one worker, in the cluster's
// primary with several (src/cluster.ts) — and stops them on shutdown, newest first.
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { RunLog } from './sync/runner.ts';

export interface BackgroundContext {
  config: Config;
  /** The process's own database handle (not shared with the HTTP workers). */
  db: Db;
  /** pino logger of the process (an object first, then the message, as Fastify's). */
  log: RunLog & { debug(object: object, message: string): void };
}

export interface BackgroundTask {
  /** For logs: what runs ("sync scheduler"). */
  name: string;
  /** Starts the work; resolves once it runs. `stop` ends it, finishing or recording what is in flight. */
  start(context: BackgroundContext): Promise<{ stop(): Promise<void> }>;
}

const tasks: BackgroundTask[] = [];

/** Adds work that serve runs in exactly one process. Call at module level (import time), once per task. */
export function registerBackgroundWork(task: BackgroundTask): void {
  if (tasks.some((t) => t.name === task.name)) throw new Error(`background work "${task.name}" is registered twice`);
  tasks.push(task);
}

/** Starts every registered task in registration order; the returned stop ends them newest first. */
export async function startBackgroundWork(context: BackgroundContext): Promise<{ stop(): Promise<void> }> {
  const running: { stop(): Promise<void> }[] = [];
  for (const task of tasks) {
    running.push(await task.start(context));
    context.log.info({ task: task.name }, 'background work started');
  }
  return {
    async stop() {
      for (const task of running.reverse()) await task.stop();
    },
  };
}

// WAL checkpoints off the event loop (SQLite). By default SQLite copies the WAL into the database file
// (a checkpoint, with an fsync) inside whichever commit takes the WAL past 1,000 pages: that commit's caller, on
// the event loop, pays for every page written since the last one. A batch of 500 shipments of an 856 writes about
// 10 MB of WAL; checkpointing it held the loop for tens of milliseconds per batch (about 1.3 s of the 20,000-shipment
// benchmark's 13 s, measured by turning automatic checkpoints off: npm run bench:ingest).
// Here a worker thread with its own connection checkpoints every INTERVAL_MS instead, on another core, without
// waiting for or blocking the writer (PASSIVE). The writer's own automatic checkpoint stays as a backstop at
// BACKSTOP_BYTES of WAL, for when the thread cannot keep up or is gone, so the WAL stays bounded either way.
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

const INTERVAL_MS = 100;
/** The writer checkpoints itself only past this much WAL (counted in pages of the database's page size). */
const BACKSTOP_BYTES = 40 * 1024 * 1024;
/** SQLite's own automatic checkpoint, in bytes: 1,000 pages of its default 4 KiB. */
const DEFAULT_BYTES = 1000 * 4096;

export interface Checkpointer {
  /** Stops the thread after its current checkpoint and closes its connection. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `file` (a WAL-mode database `sqlite` has open) from a worker thread, and raises `sqlite`'s
 * automatic checkpoint to the backstop. The thread never keeps the process alive.
 */
export function startCheckpointer(sqlite: SQLite.Database, file: string): Checkpointer {
  const pageSize = Number(sqlite.pragma('page_size', { simple: true }));
  const pages = (bytes: number) => Math.max(1, Math.round(bytes / pageSize));
  sqlite.pragma(`wal_autocheckpoint = ${pages(BACKSTOP_BYTES)}`);
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { file, intervalMs: INTERVAL_MS } });
  worker.unref();
  // A thread that fails (the file removed under it) leaves the writer's own checkpoints, as SQLite does by default.
  worker.on('error', () => sqlite.open && sqlite.pragma(`wal_autocheckpoint = ${pages(DEFAULT_BYTES)}`));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.ref(); // the caller waits for the thread to end: keep the process alive until it has
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 2_000).unref();
      await exited;
      clearTimeout(timeout);
    },
  };
}

// Helpers for the sync runner, scheduler and connections tests: a test double of the sync engine
// (sync/engine.ts executeSyncRun) and a second handle onto a test database, as another process would have.
import type { Db } from '../../src/db/database.ts';
import { openDatabase } from '../../src/db/database.ts';
import type { ExecuteSyncRun } from '../../src/sync/runner.ts';
import type { SyncConnection, SyncCounts, SyncRunOptions } from '../../src/sync/types.ts';
import type { TestDatabase } from './test-database.ts';

export const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';

export interface EngineCall {
  connection: SyncConnection;
  options: SyncRunOptions;
}

export interface FakeEngine {
  execute: ExecuteSyncRun;
  calls: EngineCall[];
  /** Runs in progress right now, per connection id, and the most ever seen at once. */
  active: Map<string, number>;
  maxActivePerConnection: number;
  maxActive: number;
}

export interface FakeBehaviour {
  /** Progress reports, each after `stepMs`; the last is the result unless `fail` is set. */
  pages?: SyncCounts[];
  stepMs?: number;
  /** Thrown after the pages. */
  fail?: string;
  /** SyncResult.error of a run that succeeded with records it could not sync. */
  notSynced?: string;
  /** Waited for before the pages (lets a test hold a run open). */
  gate?: Promise<void>;
}

export const counts = (fetched: number, created = 0, updated = 0, unchanged = 0, failed = 0): SyncCounts =>
  ({ fetched, created, updated, unchanged, failed });

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/** A stand-in for executeSyncRun: reports pages of counts, honours the abort signal, records what it saw. */
export function fakeEngine(behaviour: FakeBehaviour | ((connection: SyncConnection) => FakeBehaviour) = {}): FakeEngine {
  const engine: FakeEngine = {
    calls: [], active: new Map(), maxActivePerConnection: 0, maxActive: 0,
    async execute(_db: Db, connection: SyncConnection, options: SyncRunOptions) {
      engine.calls.push({ connection, options });
      const { pages = [counts(2, 2), counts(5, 4, 1)], stepMs = 0, fail, gate, notSynced } =
        typeof behaviour === 'function' ? behaviour(connection) : behaviour;
      const now = (engine.active.get(connection.id) ?? 0) + 1;
      engine.active.set(connection.id, now);
      engine.maxActivePerConnection = Math.max(engine.maxActivePerConnection, now);
      engine.maxActive = Math.max(engine.maxActive, [...engine.active.values()].reduce((a, b) => a + b, 0));
      try {
        if (gate) await Promise.race([gate, wait(60_000, options.signal)]);
        for (const page of pages) {
          await wait(stepMs, options.signal);
          await options.onProgress?.(page);
        }
        if (fail) throw new Error(fail);
        return { counts: pages.at(-1) ?? counts(0), error: notSynced ?? null };
      } finally {
        engine.active.set(connection.id, (engine.active.get(connection.id) ?? 1) - 1);
      }
    },
  };
  return engine;
}

/** A second, independent handle onto the same database (its own pool or SQLite connection). */
export function secondHandle(database: TestDatabase): { db: Db; close(): Promise<void> } {
  if (database.id === 'SQLITE') return openDatabase({ kind: 'sqlite', file: database.url.slice('sqlite:'.length) });
  return openDatabase({ kind: 'postgres', url: database.url }, { searchPath: database.schema, poolSize: 4 });
}

/** A promise and the function that resolves it. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Polls `check` until it holds (or fails the test after `timeoutMs`). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

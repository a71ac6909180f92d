// The kill harness (issue 9): runs the real server (`node bin/ordersync.js serve`) as a child process, drives
// it with concurrent clients along every path of test/crash/paths.ts, SIGKILLs it at seeded random instants,
// starts it again, and at the end checks the database against what the clients were told (invariants.ts).
//
// A client behaves as a careful real one: every request carries an Idempotency-Key, and a request that got no
// answer (the server died) is sent again, with the same key and body, once the server is back. So each
// operation must end acknowledged exactly once in effect, whatever instant the kill hit.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from '../../src/seed/prng.ts';

const START_TIMEOUT_MS = 300_000;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A small seeded PRNG (the seed module's mulberry32), so a failing run can be replayed with KILL_SEED. */
export const seededRandom = prng;

export interface Op {
  key: string;
  url: string;
  /** JSON, or with `contentType` the raw text sent as it is (a supplier document's bytes). */
  body: unknown;
  contentType?: string;
  /**
   * Sent without the Idempotency-Key header (`key` then only names the op): for writes that must be safe to
   * repeat without one (a supplier document is identified by its bytes). Not replayed at the end.
   */
  withoutKey?: boolean;
}

export interface Ack {
  status: number;
  body: any;
  text: string;
  replayed: boolean;
}

/** One request; null when no answer came (the server died before or while answering). */
export async function send(baseUrl: string, apiKey: string, op: Op): Promise<Ack | null> {
  try {
    const response = await fetch(`${baseUrl}${op.url}`, {
      method: 'POST',
      headers: {
        'x-api-key': apiKey, 'content-type': op.contentType ?? 'application/json', ...(op.withoutKey ? {} : { 'idempotency-key': op.key }),
      },
      body: op.contentType ? String(op.body) : JSON.stringify(op.body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    return { status: response.status, text, body: text ? JSON.parse(text) : null, replayed: response.headers.get('idempotent-replayed') === 'true' };
  } catch {
    return null;
  }
}

/**
 * The service as a child process on one port and database; with `worker`, an `ordersync worker` beside it
 * (PostgreSQL: the process that delivers webhooks), started after the server and killed with it.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private worker: ChildProcess | undefined;
  readonly baseUrl: string;

  constructor(private readonly env: Record<string, string>, readonly port: number, private readonly options: { worker?: boolean } = {}) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  private spawn(command: string, env: Record<string, string>): ChildProcess {
    return spawn(process.execPath, [join(ROOT, 'bin', 'ordersync.js'), command], {
      cwd: ROOT,
      // Rate limits off: the clients are one key sending as fast as the server answers.
      env: { ...process.env, ...this.env, LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }

  /** Starts `serve` and waits until /healthz answers. */
  async start(): Promise<void> {
    const child = this.spawn('serve', { PORT: String(this.port), HOST: '127.0.0.1' });
    let stderr = '';
    child.stderr!.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
    this.child = child;
    // Generous: on a loaded shared 2-core machine a start has taken over 90 s; a slow start is no crash fault.
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) while starting: ${stderr}`);
      try {
        const response = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (response.ok) {
          // Not waited for: it claims due deliveries whenever it is up, and a kill may come before that.
          if (this.options.worker) this.worker = this.spawn('worker', {});
          return;
        }
      } catch { /* not listening yet */ }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.kill();
    throw new Error(`the server did not start within ${START_TIMEOUT_MS / 1000} s: ${stderr}`);
  }

  /** The pid of `serve` (with WEB_CONCURRENCY > 1 the cluster's primary), or undefined when it is not running. */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** SIGKILL: no shutdown hook runs, whatever was in flight is cut off. */
  async kill(): Promise<void> {
    await Promise.all([this.child, this.worker].map(async (child) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }));
  }
}

/** What one client of a path keeps between requests; paths add their own fields. */
export interface ClientState {
  path: string;
  client: number;
  /** The request sent without an answer: sent again, same key and body, before anything else. */
  pending: Op | null;
  /** Every acknowledged request, with its first answer. */
  acked: { op: Op; ack: Ack }[];
  /** Answers that broke the contract (a non-2xx for a request that should succeed). */
  problems: string[];
  [field: string]: unknown;
}

/**
 * A write path the harness drives. `next` gives a client's next request from its state (null when it is done),
 * `acknowledged` advances the state after a 2xx; `check` compares the database with what was acknowledged.
 */
export interface CrashPath {
  name: string;
  /** Once, with the server up and before the first kill: what the path needs (keys, suppliers, POs). */
  setup?(context: HarnessContext): Promise<void>;
  next(state: ClientState, context: HarnessContext): Op | null;
  acknowledged(state: ClientState, op: Op, ack: Ack): void;
  /**
   * After the last start and the replays, with the server (and worker) still up: what needs the running service
   * (background work to finish, requests sent once more); returns one sentence per broken expectation.
   */
  settle?(states: ClientState[], context: HarnessContext): Promise<string[]>;
  check(states: ClientState[], context: HarnessContext): Promise<string[]>;
}

export interface HarnessContext {
  baseUrl: string;
  apiKey: string;
  retailerId: string;
  /** Values setup() made for the paths (supplier and warehouse ids). */
  fixtures: Record<string, string>;
  random: () => number;
}

/** Runs a client until its path is done or the server stops answering. */
async function runClient(path: CrashPath, state: ClientState, context: HarnessContext, stop: { at: number }): Promise<void> {
  while (Date.now() < stop.at) {
    const op = state.pending ?? path.next(state, context);
    if (!op) return;
    state.pending = op;
    const ack = await send(context.baseUrl, context.apiKey, op);
    if (!ack) return; // the server died: this op stays pending
    state.pending = null;
    if (ack.status < 200 || ack.status >= 300) {
      state.problems.push(`${path.name} client ${state.client}: ${op.url} (${op.key}) answered ${ack.status}: ${ack.text.slice(0, 300)}`);
      return;
    }
    state.acked.push({ op, ack });
    path.acknowledged(state, op, ack);
  }
}

export interface KillRunOptions {
  paths: CrashPath[];
  clientsPerPath: number;
  killPoints: number;
  /** Longest time the clients run before the kill. */
  maxRunMs: number;
  server: ServerProcess;
  context: HarnessContext;
}

export interface KillRunReport {
  /** Where the time went, ms: starting the server, clients running, the last retries and the replays. */
  timings: { starting: number; running: number; replaying: number };
  kills: number;
  acked: number;
  retriedAfterKill: number;
  replays: number;
  states: ClientState[];
  problems: string[];
}

/**
 * `killPoints` times: start the server, let every path's clients run for a random time, SIGKILL it. Then a last
 * start: every pending request is sent again until answered, and every acknowledged request is sent again with
 * its key, which must replay the very same answer. The server is left running; the caller kills it.
 */
export async function runKills(options: KillRunOptions): Promise<KillRunReport> {
  const { paths, clientsPerPath, killPoints, maxRunMs, server, context } = options;
  const states: ClientState[] = [];
  const byState = new Map<ClientState, CrashPath>();
  for (const path of paths) {
    for (let client = 0; client < clientsPerPath; client++) {
      const state: ClientState = { path: path.name, client, pending: null, acked: [], problems: [] };
      states.push(state);
      byState.set(state, path);
    }
  }
  let retriedAfterKill = 0;
  const timings = { starting: 0, running: 0, replaying: 0 };
  const timed = async <T>(phase: keyof typeof timings, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      timings[phase] += Date.now() - started;
    }
  };
  for (let kill = 0; kill < killPoints; kill++) {
    await timed('starting', () => server.start());
    const started = Date.now();
    const runMs = 100 + Math.floor(context.random() * maxRunMs);
    const stop = { at: Date.now() + runMs + 60_000 };
    retriedAfterKill += states.filter((s) => s.pending).length;
    const clients = states.map((state) => runClient(byState.get(state)!, state, context, stop));
    await new Promise((resolve) => setTimeout(resolve, runMs));
    await server.kill();
    stop.at = 0;
    await Promise.all(clients);
    timings.running += Date.now() - started;
    if (process.env.KILL_VERBOSE) console.log(`kill ${kill + 1}/${killPoints} after ${runMs} ms; ${JSON.stringify(timings)}`);
  }
  // The last start: send what is pending once more (the client's retry), then replay everything.
  await timed('starting', () => server.start());
  const replayStarted = Date.now();
  for (const state of states) {
    if (!state.pending) continue;
    retriedAfterKill++;
    const op = state.pending;
    const ack = await send(context.baseUrl, context.apiKey, op);
    if (!ack) continue;
    state.pending = null;
    if (ack.status < 200 || ack.status >= 300) {
      state.problems.push(`${state.path} client ${state.client}: ${op.url} (${op.key}) answered ${ack.status}: ${ack.text.slice(0, 300)}`);
      continue;
    }
    state.acked.push({ op, ack });
    byState.get(state)!.acknowledged(state, op, ack);
  }
  const problems = states.flatMap((s) => s.problems);
  for (const state of states) if (state.pending) problems.push(`${state.path} client ${state.client}: ${state.pending.url} never answered`);
  let replays = 0;
  for (const state of states) {
    for (const { op, ack } of state.acked) {
      if (op.withoutKey) continue; // nothing to replay; the path's check sends it again itself
      const again = await send(context.baseUrl, context.apiKey, op);
      replays++;
      if (!again || again.status !== ack.status || again.text !== ack.text || !again.replayed) {
        problems.push(`${state.path}: ${op.url} (${op.key}) sent again did not replay its answer: ${again?.status} ${again?.text.slice(0, 200)}`);
      }
    }
  }
  const acked = states.reduce((n, s) => n + s.acked.length, 0);
  timings.replaying = Date.now() - replayStarted;
  return { timings, kills: killPoints, acked, retriedAfterKill, replays, states, problems };
}

// The `ordersync` command as a user runs it: spawned from bin/ordersync.js with a clean environment, against
// temporary directories removed after the file's tests.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

export const BIN = resolve(import.meta.dirname, '../../bin/ordersync.js');
export const SECRET_LINE = /^pk_live_[0-9A-Za-z]{32,}$/;
const CONFIG_VARIABLES = ['PORT', 'HOST', 'DATABASE_URL', 'ORDERSYNC_SECRET', 'PUBLIC_URL', 'LOG_LEVEL',
  'RATE_LIMIT_PER_MINUTE', 'REDIS_URL', 'METRICS_TOKEN'];

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

const directories: string[] = [];
/** A temporary directory, removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-cli-'));
  if (directories.length === 0) {
    afterAll(() => {
      for (const made of directories) rmSync(made, { recursive: true, force: true });
    });
  }
  directories.push(dir);
  return dir;
}

/** The environment a user would have: none of our variables unless given. */
export function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete env[name];
  // Node's on-disk compile cache makes each start of the command cheaper after the first.
  return { ...env, NODE_COMPILE_CACHE: join(tmpdir(), 'ordersync-test-compile-cache'), LOG_LEVEL: 'warn', ...extra };
}

export function run(args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: environment(env), timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface Served {
  child: ChildProcess;
  /** stdout and stderr together, for messages. */
  output: () => string;
  stdout: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startServer(env: Record<string, string>): Served {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: environment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })));
  return { child, output: () => output, stdout: () => stdout, exit };
}

/** Polls GET /healthz until the server answers (or the process ends). */
export async function waitForHealth(base: string, served: Served): Promise<Response> {
  let exited = false;
  void served.exit.then(() => (exited = true));
  for (let attempt = 0; attempt < 300 && !exited; attempt++) {
    try {
      return await fetch(`${base}/healthz`);
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`the server did not come up:\n${served.output()}`);
}

// `ordersync serve` with several HTTP workers (DESIGN 4d, node:cluster): both workers answer on the one port, the
// background work (the sync scheduler) runs in the primary only, /metrics sums every process, a killed worker is replaced, SIGTERM drains every
// worker and exits 0; a bad worker count is refused naming its variable.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestDatabases, type TestDatabaseId } from '../support/test-database.ts';
import { freePort } from '../support/cli-process.ts';

const BIN = resolve(import.meta.dirname, '../../bin/ordersync.js');
const dir = mkdtempSync(join(tmpdir(), 'ordersync-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const databases = TestDatabases.create();

/** DATABASE_URL (and secret) of a fresh migrated database: SQLite file, or a PostgreSQL schema of its own. */
async function databaseEnv(id: TestDatabaseId): Promise<Record<string, string>> {
  const database = await databases.init(id);
  if (!database.schema) return { DATABASE_URL: database.url };
  const url = new URL(database.url);
  url.searchParams.set('options', `-c search_path=${database.schema}`);
  return { DATABASE_URL: url.toString(), ORDERSYNC_SECRET: 'workers-test-secret-0123456789abcdefghijklmnop' };
}

function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['PORT', 'HOST', 'DATABASE_URL', 'ORDERSYNC_SECRET', 'PUBLIC_URL', 'LOG_LEVEL', 'WEB_CONCURRENCY']) delete env[name];
  return { ...env, NODE_COMPILE_CACHE: join(tmpdir(), 'ordersync-test-compile-cache'), ...extra };
}


/** GET on a new connection each time (no keep-alive), so the cluster hands each to a worker in turn. */
function getStatus(port: number, path: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.once('end', () => done(res.statusCode ?? 0));
    });
    req.once('error', fail);
    req.end();
  });
}

/** GET on a new connection: the body. */
function getBody(port: number, path: string): Promise<string> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.once('end', () => done(body));
    });
    req.once('error', fail);
    req.end();
  });
}

const logLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

async function until<T>(what: string, output: () => string, check: () => T | undefined | false, timeoutMs = 45_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const value = check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}:\n${output()}`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.each(databases.eachSupportedId())('ordersync serve with workers on %s', (databaseId) => {
  it('WEB_CONCURRENCY=2: two workers answer, the scheduler runs once, a killed worker is replaced, SIGTERM exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: environment({ ...(await databaseEnv(databaseId)), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', WEB_CONCURRENCY: '2' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    child.stdout!.on('data', (chunk) => { stdout += chunk; output += chunk; });
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exit = new Promise<{ code: number | null; signal: string | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    const lines = () => logLines(stdout);
    const workerPids = () => lines().filter((l) => l.msg === 'worker started').map((l) => l.worker_pid as number);
    try {
      // As a client would: the moment the primary says it is listening, a request must be answered.
      const said = await until('the primary saying it listens', () => output,
        () => lines().some((l) => l.role === 'primary' && /^listening on /.test(l.msg)));
      expect(said).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const listening = () => new Set(lines().filter((l) => /listening/i.test(l.msg) && l.role !== 'primary').map((l) => l.pid as number));
      const first = await until('two workers listening', () => output, () => listening().size >= 2 && workerPids());
      expect(new Set(first).size).toBe(2);
      // The primary said it was listening only once the workers were: by then, a request is answered.
      expect(lines().some((l) => l.role === 'primary' && /^listening on /.test(l.msg))).toBe(true);

      const statuses = [];
      for (let i = 0; i < 12; i++) statuses.push(await getStatus(port, '/healthz'));
      expect(statuses.every((s) => s === 200)).toBe(true);
      const answered = await until('request logs', () => output, () => {
        // The one log line per request (src/http/request-log.ts) carries the worker's pid, as every line does.
        const pids = new Set(lines().filter((l) => l.reqId && l.url === '/healthz' && l.status === 200).map((l) => l.pid as number));
        return pids.size >= 2 && pids;
      });
      expect([...answered].sort()).toEqual([...first].sort());

      // /metrics on either worker counts the requests every worker served (the primary sums them).
      for (let i = 0; i < 4; i++) {
        const scrape = await getBody(port, '/metrics');
        const line = scrape.split('\n').find((l) => l.startsWith('ordersync_http_request_duration_seconds_count{')
          && l.includes('route="/healthz"') && l.includes('status_code="200"'));
        expect(Number(line?.split(' ').at(-1)), scrape.slice(0, 500)).toBeGreaterThanOrEqual(12);
      }

      // Every registered background task (the sync scheduler among them) starts once, in the primary.
      const background = lines().filter((l) => l.msg === 'background work started');
      expect(background.map((l) => l.task)).toContain('sync scheduler');
      expect(new Set(background.map((l) => l.task)).size).toBe(background.length);
      expect(background.every((l) => l.pid === child.pid)).toBe(true);

      process.kill(first[0], 'SIGKILL');
      const replacement = await until('a replacement worker', () => output, () => workerPids().find((pid) => !first.includes(pid)));
      await until('the replacement listening', () => output,
        () => lines().some((l) => /listening/i.test(l.msg) && l.pid === replacement));
      expect(await getStatus(port, '/healthz')).toBe(200);
      expect(lines().filter((l) => l.msg === 'background work started')).toHaveLength(background.length);

      child.kill('SIGTERM');
      expect(await exit).toEqual({ code: 0, signal: null });
      expect(alive(first[1])).toBe(false);
      expect(alive(replacement)).toBe(false);
      expect(lines().filter((l) => /draining requests/.test(l.msg)).map((l) => l.pid).sort()).toEqual([first[1], replacement].sort());
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});

describe('ordersync serve worker counts', () => {
  it.each([['--workers', '0'], ['WEB_CONCURRENCY', 'many']])('refuses %s=%s with one line naming it', async (name, value) => {
    const args = name === '--workers' ? ['serve', '--workers', value] : ['serve'];
    const env = environment({ DATABASE_URL: `sqlite:${join(dir, 'bad.db')}`, PORT: '0', ...(name === 'WEB_CONCURRENCY' ? { WEB_CONCURRENCY: value } : {}) });
    const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
      execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (error, _stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr }));
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(name);
  }, 60_000);
});

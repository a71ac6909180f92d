// The processes a benchmark loads: bench/servers/*.ts children (the service, the bare routes) that report their
// port, CPU time and event-loop delay over IPC, and the real `ordersync serve --workers N`.
import { fork, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { benchDir, children, HOST, root } from './common.ts';

export interface EventLoopDelay {
  /** ms */
  p99: number;
  max: number;
}

export interface Server {
  name: string;
  url: string;
  /** CPU time the server process has used so far, in µs (user + system); null when it cannot say. */
  cpu(): Promise<number | null>;
  /** For a server of several processes: the CPU time each has used so far, in µs, by pid. */
  cpuByProcess?(): Promise<Record<string, number>>;
  /** Starts a fresh event-loop delay histogram in the server (perf_hooks.monitorEventLoopDelay). */
  resetEventLoopDelay(): Promise<void>;
  /** The histogram since the last reset; null when the server does not keep one. */
  eventLoopDelay(): Promise<EventLoopDelay | null>;
  stop(): Promise<void>;
}

/** A bench/servers script in its own process; it sends {ready, port} once listening. */
export function startServer(name: string, script: string, env: Record<string, string>, execArgv: string[] = []): Promise<Server> {
  const child = fork(script.startsWith('/') ? script : join(root, 'bench', 'servers', script), [], {
    env: { ...process.env, ...env },
    execArgv: ['--import', 'tsx', ...execArgv],
    // The service's log lines (stdout) go to a file, as they would in production; its stderr shows here.
    stdio: ['ignore', openSync(join(benchDir, `${name}-server.log`), 'w'), 'inherit', 'ipc'],
  });
  children.add(child);
  const ask = <T>(question: string, key: string) => new Promise<T>((done) => {
    const listener = (reply: Record<string, unknown>) => {
      if (!(key in reply)) return;
      child.off('message', listener);
      done(reply[key] as T);
    };
    child.on('message', listener);
    child.send(question);
  });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${name} server did not start within 120 s`)); }, 120_000);
    child.once('exit', (code) => { clearTimeout(timer); children.delete(child); reject(new Error(`${name} server exited (code ${code}) before it was ready`)); });
    child.once('message', (message: { ready: boolean; port: number }) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.once('exit', () => children.delete(child));
      resolvePromise({
        name,
        url: `http://${HOST}:${message.port}`,
        cpu: async () => {
          const cpu = await ask<NodeJS.CpuUsage>('cpu', 'cpu');
          return cpu.user + cpu.system;
        },
        resetEventLoopDelay: async () => { await ask('eld-reset', 'eldReset'); },
        eventLoopDelay: () => ask<EventLoopDelay | null>('eld', 'eld'),
        stop: () => new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => { clearTimeout(force); done(); });
          child.send('stop');
        }),
      });
    });
  });
}

/** Linux clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat's CPU times. */
const TICKS_PER_SECOND = 100;

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * CPU time (user + system, µs) of `rootPid` and each of its child processes, from /proc (Linux); {} elsewhere.
 * Keyed "primary", "worker <pid>" (a child running ordersync.js: a node:cluster worker) and "other <pid>".
 */
export function processTreeCpu(rootPid: number): Record<string, number> {
  const result: Record<string, number> = {};
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return result;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // Fields after the parenthesised command: state ppid … utime (14th field) stime (15th).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    if (Number(pid) !== rootPid && ppid !== rootPid) continue;
    // Children other than the node:cluster workers (tsx's esbuild service) are named apart.
    const name = Number(pid) === rootPid ? 'primary'
      : /ordersync\.js/.test(safeRead(`/proc/${pid}/cmdline`)) ? `worker ${pid}` : `other ${pid}`;
    result[name] = (Number(fields[11]) + Number(fields[12])) * (1_000_000 / TICKS_PER_SECOND);
  }
  return result;
}

/** The X-Request-Id of GET /healthz on a new connection (the cluster hands each connection to a worker in turn). */
function requestIdOnNewConnection(port: number): Promise<string | null> {
  return new Promise((done) => {
    const req = request({ host: HOST, port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      res.once('end', () => done(typeof res.headers['x-request-id'] === 'string' ? res.headers['x-request-id'] : null));
    });
    req.once('error', () => done(null));
    req.end();
  });
}

/**
 * `ordersync serve --workers N` as a user starts it, on `port`; ready once N workers answer. Request ids carry a
 * random prefix per process and a 6-character counter (src/app.ts), so N distinct prefixes are N workers.
 */
export async function startCli(name: string, workers: number, port: number, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [join(root, 'bin', 'ordersync.js'), 'serve', '--workers', String(workers)], {
    env: { ...process.env, PORT: String(port), HOST, ...env },
    stdio: ['ignore', openSync(join(benchDir, `${name}-server.log`), 'w'), 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = `http://${HOST}:${port}`;
  const deadline = Date.now() + 180_000;
  const processes = new Set<string>();
  while (processes.size < workers) {
    if (child.exitCode !== null) throw new Error(`${name}: ordersync serve exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${name}: ${processes.size} of ${workers} workers answered within 180 s`);
    const id = await requestIdOnNewConnection(port);
    if (id) processes.add(id.slice(0, -6));
    else await new Promise((r) => setTimeout(r, 200));
  }
  const pid = child.pid!;
  return {
    name, url,
    // The primary and its workers together (the primary's share is its background work and handing out connections).
    cpu: async () => {
      const parts = Object.values(processTreeCpu(pid));
      return parts.length > 0 ? parts.reduce((a, b) => a + b, 0) : null;
    },
    cpuByProcess: async () => processTreeCpu(pid),
    resetEventLoopDelay: async () => {},
    eventLoopDelay: async () => null,
    stop: () => new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', () => { clearTimeout(force); done(); });
      child.kill('SIGTERM');
    }),
  };
}

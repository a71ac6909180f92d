// The processes a benchmark loads: bench/servers/*.ts children (the service, the bare routes) that report their
// port, CPU time and event-loop delay over IPC, and the real `ordersync serve --workers N`.
import { fork, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
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

/** `ordersync serve --workers N` as a user starts it, on `port`; ready once /healthz answers and `settleMs` passed. */
export async function startCli(name: string, workers: number, port: number, env: Record<string, string>, settleMs = 3_000): Promise<Server> {
  const child = spawn(process.execPath, [join(root, 'bin', 'ordersync.js'), 'serve', '--workers', String(workers)], {
    env: { ...process.env, PORT: String(port), HOST, ...env },
    stdio: ['ignore', openSync(join(benchDir, `${name}-server.log`), 'w'), 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = `http://${HOST}:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name}: ordersync serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch { /* not yet listening */ }
    if (Date.now() > deadline) throw new Error(`${name}: ordersync serve did not answer within 120 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // Every worker starts on its own; give the later ones time to listen too.
  await new Promise((r) => setTimeout(r, settleMs));
  return {
    name, url,
    cpu: async () => null,
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

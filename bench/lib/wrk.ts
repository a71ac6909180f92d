// wrk (https://github.com/wg/wrk, Debian package `wrk`) as the load generator of a row where autocannon's own CPU
// use would decide the result: `serve --workers 2` on a 2-core machine. autocannon (JavaScript) spends ~50 µs of
// CPU per by-po request and so takes most of a core at 15,000 requests/s: the second worker would have no core to
// run on. wrk (C) with pipelined requests (bench/lib/wrk-requests.lua) took 0.36–0.41 of a core in the same row.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, children, root } from './common.ts';

const SCRIPT = join(root, 'bench', 'lib', 'wrk-requests.lua');

/** True when `wrk` is on the PATH. */
export function wrkInstalled(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

export interface WrkLoad {
  url: string;
  /** Request paths, drawn once before the round (wrk cycles through them). */
  paths: string[];
  headers: Record<string, string>;
  connections: number;
  /** Requests written back to back on a connection before their responses are read. */
  pipelining: number;
  seconds: number;
}

export interface WrkResult {
  seconds: number;
  responses: number;
  bytes: number;
  /** Connect, read, write and timeout errors. */
  errors: number;
  /** Responses with a status over 399 (wrk counts 4xx and 5xx). */
  non2xx: number;
  /** [latency in µs, how many responses took it]. */
  latencies: [number, number][];
  /** CPU time wrk used, user + system, in µs. */
  cpuMicros: number;
}

/** Runs wrk (one thread) for `load.seconds`; rejects when it fails or prints no summary. */
export function runWrk(load: WrkLoad): Promise<WrkResult> {
  const pathsFile = join(benchDir, `wrk-paths-${process.pid}.txt`);
  writeFileSync(pathsFile, load.paths.join('\n') + '\n');
  const headerArgs = Object.entries(load.headers).map(([name, value]) => `${name}: ${value}`);
  // bash's `times` prints the CPU time of the shell's children (wrk) on its second line.
  const child = spawn('bash', ['-c', 'wrk "$@"; code=$?; times; exit $code', 'wrk',
    '-t1', `-c${load.connections}`, `-d${load.seconds}s`, '--timeout', '10s', '-s', SCRIPT, load.url,
    '--', pathsFile, String(load.pipelining), ...headerArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
  return new Promise((resolveRun, rejectRun) => {
    child.once('error', rejectRun);
    child.once('close', (code) => {
      children.delete(child);
      rmSync(pathsFile, { force: true });
      const lines = out.trimEnd().split('\n');
      const summary = lines.find((line) => line.startsWith('summary '))?.split(' ').map(Number);
      const cpu = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines.at(-1) ?? '');
      if (code !== 0 || !summary || !cpu) {
        rejectRun(new Error(`wrk exited with ${code} without a summary:\n${out.slice(0, 2000)}`));
        return;
      }
      const [, duration, responses, bytes, errors, non2xx] = summary;
      resolveRun({
        seconds: duration / 1e6, responses, bytes, errors, non2xx,
        latencies: lines.filter((line) => line.startsWith('latency ')).map((line) => {
          const [, us, n] = line.split(' ').map(Number);
          return [us, n] as [number, number];
        }),
        cpuMicros: (Number(cpu[1]) * 60 + Number(cpu[2]) + Number(cpu[3]) * 60 + Number(cpu[4])) * 1e6,
      });
    });
  });
}

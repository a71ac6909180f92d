// Shared by the benchmarks: environment numbers, paths, output, and the child processes to clean up.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function intFromEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}: expected a whole number ≥ ${min}, got "${raw}"`);
  return n;
}

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const benchDir = join(root, 'data', 'bench');
export const HOST = '127.0.0.1';

export const log = (line = '') => process.stdout.write(line + '\n');
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
export const fmt = (n: number, digits: number) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const pct = (share: number) => `${(share * 100).toFixed(0)}%`;

/** Every child process a benchmark starts, killed when it ends however it ends. */
export const children = new Set<ChildProcess>();
export function killChildren(): void {
  for (const child of children) child.kill('SIGTERM');
}
process.once('SIGINT', () => { killChildren(); process.exit(130); });
process.once('SIGTERM', () => { killChildren(); process.exit(143); });
process.once('exit', killChildren);

/**
 * Runs `work` under the V8 CPU profiler and writes the profile (.cpuprofile, for Chrome's DevTools) to `file`, making
 * its folder; `what` names the run in the line printed.
 */
export async function profiled<T>(file: string, what: string, work: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`  (CPU profile of ${what} written to ${file})`);
  }
}

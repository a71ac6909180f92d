// Shared by the benchmarks: environment numbers, paths, output, and the child processes to clean up.
import type { ChildProcess } from 'node:child_process';
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

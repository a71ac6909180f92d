// `ordersync sandbox shipstation|stocky`: prints the base URL and credentials, serves until SIGTERM/SIGINT,
// exits 0; a bad argument exits non-zero with a one-line reason.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNNER = 'test/sandbox/support/run-sandbox-cli.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function start(args: string[], entry: string[] = ['--import', 'tsx', RUNNER]) {
  const child = spawn(process.execPath, [...entry, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => { stdout += chunk; });
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = () => ({ stdout, stderr });
  /** Resolves with stdout once it contains `text` (or rejects when the process ends first). */
  const waitFor = (text: string) => new Promise<string>((resolve, reject) => {
    const check = () => { if (stdout.includes(text)) resolve(stdout); };
    child.stdout!.on('data', check);
    check();
    exited.then(() => reject(new Error(`exited before printing "${text}": ${stdout}${stderr}`)));
  });
  return { child, exited, output, waitFor };
}

describe('ordersync sandbox', () => {
  it('stocky: prints the base URL, Store-Name and Authorization; serves them; stops on SIGTERM', async () => {
    const run = start(['sandbox', 'stocky', '--port', '0', '--pos', '12', '--seed', '3', '--store-name', 'demo.myshopify.com', '--api-key', 'k1']);
    const stdout = await run.waitFor('Ctrl-C to stop.');
    const base = /base URL\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1];
    expect(stdout).toContain('Store-Name     demo.myshopify.com');
    expect(stdout).toContain('Authorization  API KEY=k1');
    const res = await fetch(`${base}/api/v2/purchase_orders.json?limit=3`, { headers: { 'Store-Name': 'demo.myshopify.com', Authorization: 'API KEY=k1' } });
    expect(res.status).toBe(200);
    expect((await res.json()).purchase_orders).toHaveLength(3);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('shipstation through bin/ordersync.js: api-key printed, faults and rate limit applied, SIGINT stops it', async () => {
    const run = start(['sandbox', 'shipstation', '--port', '0', '--pos', '5', '--rate-limit', '6', '--rate-limit-burst', '2', '--faults', '500:0'],
      ['bin/ordersync.js']);
    const stdout = await run.waitFor('Ctrl-C to stop.');
    const base = /base URL\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1];
    expect(stdout).toContain('api-key     sandbox-shipstation-key');
    expect(stdout).toContain('6 requests/minute (token bucket of 2)');
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await fetch(`${base}/v2/purchase_orders`, { headers: { 'api-key': 'sandbox-shipstation-key' } })).status);
    expect(codes).toEqual([200, 200, 429]);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('refuses an unknown kind and a bad fault spec with a one-line reason', async () => {
    const kind = start(['sandbox', 'acme']);
    expect(await kind.exited).not.toBe(0);
    expect(kind.output().stderr).toMatch(/shipstation, stocky/);
    const faults = start(['sandbox', 'shipstation', '--faults', 'slow:0.5']);
    expect(await faults.exited).not.toBe(0);
    expect(faults.output().stderr).toMatch(/unknown fault "slow"/);
  });
});

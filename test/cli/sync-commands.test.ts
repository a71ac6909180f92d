// `ordersync connections add|list|remove`, `ordersync sync` and `ordersync worker` (DESIGN 5) against a temporary
// SQLite file and the ShipStation sandbox: the commands run in this process (spawning the CLI costs seconds per
// command), and one `ordersync sync` is spawned through bin/ as a user runs it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SHIPSTATION_DEFAULT_API_KEY } from '../../src/sandbox/shipstation.ts';
import { registerSyncCommands } from '../../src/sync/cli.ts';
import { shipStation } from '../sync/support.ts';

const BIN = resolve(import.meta.dirname, '../../bin/ordersync.js');
const CONFIG_VARIABLES = ['PORT', 'HOST', 'DATABASE_URL', 'ORDERSYNC_SECRET', 'PUBLIC_URL', 'LOG_LEVEL'];
const CONNECTION_ID = /^conn_[0-9a-z]{22}$/;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe('ordersync connections, sync and worker (SQLite)', () => {
  let dir: string;
  let env: Record<string, string>;
  let sandbox: Awaited<ReturnType<typeof shipStation>>;
  const saved: Record<string, string | undefined> = {};
  const outputs: Result[] = [];

  /** Runs one command line in this process, with the environment a user would have, as the CLI reports it. */
  async function ordersync(...args: string[]): Promise<Result> {
    const program = new Command('ordersync').exitOverride();
    registerSyncCommands(program);
    const stdout: string[] = [];
    const stderr: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...parts) => void stdout.push(parts.join(' ')));
    const error = vi.spyOn(console, 'error').mockImplementation((...parts) => void stderr.push(parts.join(' ')));
    const table = vi.spyOn(console, 'table').mockImplementation((rows) => void stdout.push(JSON.stringify(rows)));
    let code = 0;
    try {
      await program.parseAsync(args, { from: 'user' });
    } catch (err) {
      code = 1;
      stderr.push(`ordersync: ${(err as Error).message}`); // what src/cli.ts prints
    } finally {
      log.mockRestore();
      error.mockRestore();
      table.mockRestore();
    }
    const result = { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
    outputs.push(result);
    return result;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ordersync-sync-cli-'));
    env = { DATABASE_URL: `sqlite:${join(dir, 'ordersync.db')}`, LOG_LEVEL: 'warn' };
    for (const name of CONFIG_VARIABLES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    Object.assign(process.env, env);
    // Few POs: the list and the GETs fit in the engine's request budget at ShipStation's rate.
    sandbox = await shipStation({ pos: 4 });
  });

  afterAll(async () => {
    for (const name of CONFIG_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let connectionId: string;

  it('connections add prints the new connection\'s id on stdout and stores the credentials encrypted', async () => {
    const added = await ordersync('connections', 'add', '--retailer', 'pro-shop', '--kind', 'shipstation', '--name', 'Sandbox',
      '--base-url', sandbox.url, '--api-key', SHIPSTATION_DEFAULT_API_KEY, '--schedule-minutes', '30');
    expect(added.code, added.stderr).toBe(0);
    connectionId = added.stdout.trim();
    expect(connectionId).toMatch(CONNECTION_ID);
    expect(added.stderr).toMatch(/stored encrypted/);
    const raw = readdirSync(dir).filter((f) => f.startsWith('ordersync.db')).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('');
    expect(raw).toContain(connectionId);
    expect(raw).not.toContain(SHIPSTATION_DEFAULT_API_KEY);
  });

  it.each([
    [['--kind', 'stocky', '--name', 'No key', '--store-name', 'x.myshopify.com'], '--api-key is required for a stocky connection'],
    [['--kind', 'shipstation', '--name', 'Extra', '--api-key', 'k', '--store-name', 'x.myshopify.com'], '--store-name is not used by a shipstation connection'],
    [['--kind', 'shipstation', '--name', 'Every 0', '--api-key', 'k', '--schedule-minutes', '0'], '--schedule-minutes must be a whole number of minutes from 1 to 1440'],
    [['--kind', 'shipstation', '--name', 'FTP', '--api-key', 'k', '--base-url', 'ftp://x'], '--base-url must be an http or https URL'],
    [['--kind', 'shipstation', '--name', 'Sandbox', '--api-key', 'k'], 'retailer "pro-shop" already has a connection named "Sandbox"'],
  ])('connections add %j fails with a one-line reason', async (args, reason) => {
    const result = await ordersync('connections', 'add', '--retailer', 'pro-shop', ...args);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`ordersync: ${reason}`);
  });

  it('connections list shows the connection, never its credentials', async () => {
    const listed = await ordersync('connections', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    for (const text of [connectionId, 'pro-shop', 'shipstation', 'Sandbox', sandbox.url, '30']) expect(listed.stdout).toContain(text);
  });

  it('sync runs the connection in the foreground and prints its counts', async () => {
    const synced = await ordersync('sync', '--connection', connectionId);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toMatch(new RegExp(`^${connectionId} Sandbox \\(shipstation\\): succeeded \\(run run_[0-9a-z]+\\) — fetched 4, created 4, updated 0, unchanged 0, failed 0$`));
  });

  it('sync and remove of an unknown connection fail with a one-line reason; worker needs PostgreSQL', async () => {
    expect((await ordersync('sync', '--connection', 'conn_nope')).stderr).toBe('ordersync: no connection with id "conn_nope"');
    expect((await ordersync('connections', 'remove', 'conn_nope')).stderr).toBe('ordersync: no connection with id "conn_nope"');
    const worker = await ordersync('worker');
    expect(worker.code).toBe(1);
    expect(worker.stderr).toMatch(/^ordersync: worker: needs PostgreSQL/);
  });

  it('through bin/ordersync.js, as a user runs it: a second sync finds nothing new', async () => {
    const base = { ...process.env };
    const result = await new Promise<Result>((done) => {
      execFile(process.execPath, [BIN, 'sync'], { env: { ...base, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
        done({ code: error ? Number(error.code) : 0, stdout, stderr });
      });
    });
    outputs.push(result);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Sandbox \(shipstation\): succeeded .* fetched 4, created 0, updated 0, unchanged 4, failed 0/);
  });

  it('connections remove deletes it', async () => {
    const removed = await ordersync('connections', 'remove', connectionId);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe(`Removed ${connectionId}.`);
    expect((await ordersync('connections', 'list')).stdout).toBe('No connections.');
  });

  it('no command ever printed the credentials', () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const output of outputs) expect(output.stdout + output.stderr).not.toContain(SHIPSTATION_DEFAULT_API_KEY);
  });
});

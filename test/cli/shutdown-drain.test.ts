// SIGTERM drains (DESIGN 4d, README "Configuration"), but a client that stalls mid-request cannot hold the stop. Found with a client that sent a POST's headers and half its body, then
// nothing: `serve` logged "draining requests" and stayed up for as long as the client kept the socket open
// (a Kubernetes or systemd stop then ends in SIGKILL, the database unclosed). Now SHUTDOWN_TIMEOUT_SECONDS.
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort, SECRET_LINE, startServer, tempDir, waitForHealth, type Served } from '../support/cli-process.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

describe('serve: SIGTERM with a request in flight that never finishes', () => {
  let served: Served | undefined;
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets) s.destroy();
    if (served && served.child.exitCode === null) served.child.kill('SIGKILL');
  });

  it('closes a request stalled mid-body at SHUTDOWN_TIMEOUT_SECONDS and exits 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    served = startServer({
      DATABASE_URL: `sqlite:${join(tempDir(), 'ordersync.db')}`, PORT: String(port), HOST: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '0', SHUTDOWN_TIMEOUT_SECONDS: '2',
    });
    await waitForHealth(base, served);
    const key = served.stdout().split('\n').map((l) => l.trim()).find((l) => SECRET_LINE.test(l))!;

    // A client that sends half a body and then nothing.
    const stalled = connect(port, '127.0.0.1');
    sockets.push(stalled);
    await new Promise<void>((done) => stalled.once('connect', () => done()));
    stalled.write(`POST /api/v2/suppliers HTTP/1.1\r\nHost: x\r\nX-API-Key: ${key}\r\nContent-Type: application/json\r\n`
      + 'Content-Length: 100\r\n\r\n{"name":');
    // The service still answers others meanwhile.
    expect((await fetch(`${base}/api/v2/orders/by-date?start_date=2027-01-01`, { headers: { 'X-API-Key': key } })).status).toBe(200);
    const stoppedAt = Date.now();
    served.child.kill('SIGTERM');

    const exit = await Promise.race([served.exit, new Promise((r) => setTimeout(() => r('still running after 20 s'), 20_000))]);
    expect(exit, served.output().slice(-2000)).toEqual({ code: 0, signal: null });
    const seconds = (Date.now() - stoppedAt) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(1.5);
    expect(served.output()).toMatch(/requests still in flight after the timeout/);
  });
});

// Kill tests for every write path (issue 9), on SQLite and PostgreSQL (one test file each, so CI runs them side
// by side): the real server as a child process,
// concurrent clients on the lifecycle API, supplier updates and held updates being applied, SIGKILLed at
// KILL_POINTS seeded random instants and started again. Then: every acknowledged write present and whole, nothing
// half-written (invariants.ts), and every request sent again with its Idempotency-Key replays its first answer.
//
// KILL_POINTS (default 20: every path is under way at every kill, so each path gets 20 kill points; a start of
// the server costs about a second, which keeps the file near a minute on a 2-core CI machine) and KILL_SEED
// (printed, to replay a failing run) tune it: `KILL_POINTS=200 npx vitest run test/crash` for a deeper run.
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { ensureSupplier } from '../../src/store/suppliers.ts';
import { ensureWarehouse } from '../../src/store/warehouses.ts';
import { TestDatabases, type TestDatabaseId } from '../support/test-database.ts';
import { runKills, seededRandom, ServerProcess } from './harness.ts';
import { INVARIANTS } from './invariants.ts';
import { crashPaths } from './paths.ts';
import { webhookReceiver } from './paths-webhooks.ts';
import { freePort } from '../support/cli-process.ts';

const KILL_POINTS = Number(process.env.KILL_POINTS ?? 20);
const CLIENTS_PER_PATH = 2;
/** A server start can take tens of seconds on a loaded 2-core machine: the time allowed grows with the kills. */
const TIMEOUT_MS = 600_000 + KILL_POINTS * 90_000;
const SECRET = 'kill-harness-secret-0123456789abcdefghijklmnop';
const s = (ms: number) => (ms / 1000).toFixed(1);


/** The kill test on one database; call it at the top level of a test file. */
export function describeKillHarness(databaseId: TestDatabaseId): void {
  const databases = TestDatabases.create({ ids: [databaseId] });
  describe.each(databases.eachSupportedId())('kill harness on %s', () => {
    it(`acknowledged writes survive ${KILL_POINTS} SIGKILLs whole and exactly once`, async () => {
      const seed = Number(process.env.KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
      console.log(`kill harness on ${databaseId}: KILL_SEED=${seed} KILL_POINTS=${KILL_POINTS}`);
      const database = await databases.init(databaseId);
      const { db } = database;
      const { retailer } = await ensureRetailer(db, 'crash');
      const apiKey = (await createApiKey(db, retailer.id, 'harness', ['read', 'write', 'admin'])).secret;
      const supplierName = 'Crash Supplier';
      const supplierId = await ensureSupplier(db, retailer.id, { name: supplierName });
      const warehouseId = await ensureWarehouse(db, retailer.id, { name: 'Crash Warehouse', address: null, locations: [] });
      const url = database.schema
        ? `${database.url}${database.url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${database.schema}`)}`
        : database.url;
      // The webhook receiver is on 127.0.0.1. PostgreSQL: webhooks are delivered by `ordersync worker`, killed with serve.
      const server = new ServerProcess({ DATABASE_URL: url, ORDERSYNC_SECRET: SECRET, WEBHOOKS_ALLOW_PRIVATE_URLS: 'true' }, await freePort(),
        { worker: databaseId === 'POSTGRES' });
      onTestFinished(() => server.kill());
      const context = {
        baseUrl: server.baseUrl, apiKey, retailerId: retailer.id, random: seededRandom(seed),
        fixtures: { supplierId, warehouseId, supplierName },
      };
      const receiver = webhookReceiver(seed);
      onTestFinished(() => receiver.close());
      const paths = crashPaths(db, CLIENTS_PER_PATH, receiver);
      await server.start();
      for (const path of paths) await path.setup?.(context);
      await server.kill();

      const report = await runKills({ paths, clientsPerPath: CLIENTS_PER_PATH, killPoints: KILL_POINTS, maxRunMs: 1000, server, context });
      const problems = [...report.problems];
      const settleStarted = Date.now();
      for (const path of paths) problems.push(...((await path.settle?.(report.states.filter((s) => s.path === path.name), context)) ?? []));
      const settling = Date.now() - settleStarted;
      if (process.env.KILL_VERBOSE) console.log(`settled in ${s(settling)} s`);
      await server.kill();
      const checkStarted = Date.now();
      for (const path of paths) {
        problems.push(...(await path.check(report.states.filter((s) => s.path === path.name), context)));
      }
      for (const invariant of INVARIANTS) problems.push(...(await invariant.check(db, retailer.id)));
      const checking = Date.now() - checkStarted;
      const perPath = Object.fromEntries(paths.map((p) => [p.name, report.states.filter((s) => s.path === p.name).reduce((n, s) => n + s.acked.length, 0)]));
      console.log(`kill harness on ${databaseId}: ${report.kills} kills, ${report.acked} acknowledged writes ${JSON.stringify(perPath)}, `
        + `${report.retriedAfterKill} requests retried after a kill, ${report.replays} replays checked, ${problems.length} problems; `
        + `seconds: starting ${s(report.timings.starting)}, running ${s(report.timings.running)}, replaying ${s(report.timings.replaying)}, `
        + `settling ${s(settling)}, checking ${s(checking)}`);
      expect(problems, `KILL_SEED=${seed}`).toEqual([]);
      // Each path did real work, and kills cut requests off (they were sent again after the restart).
      for (const path of paths) expect(perPath[path.name], path.name).toBeGreaterThan(0);
      expect(report.retriedAfterKill).toBeGreaterThanOrEqual(KILL_POINTS);
    }, TIMEOUT_MS);
  });
}

import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Creates (or finds) the run's PostgreSQL database; see test/support/test-database.ts.
    globalSetup: ['test/support/global-setup.ts'],
    // Much of the suite waits on databases and child processes: one worker more than the cores keeps them busy.
    maxWorkers: availableParallelism() + 1,
    // Contract tests talk to real databases and the CLI tests start processes: allow for a slow machine.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});

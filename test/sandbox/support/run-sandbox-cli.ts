// Runs `ordersync sandbox …` through a commander program of its own, for the CLI test: the command and its
// signal handling, without depending on the rest of src/cli.ts.
import { Command } from 'commander';
import { registerSandboxCommand } from '../../../src/sandbox/cli.ts';

const program = new Command('ordersync').exitOverride();
registerSandboxCommand(program);
try {
  await program.parseAsync();
} catch (error) {
  const code = (error as { exitCode?: number }).exitCode;
  if (code === undefined) console.error(`ordersync: ${(error as Error).message}`);
  process.exit(code ?? 1);
}

// The kill harness (test/crash/kill-suite.ts) on POSTGRES.
import { describeKillHarness } from './kill-suite.ts';

describeKillHarness('POSTGRES');

// The kill harness (test/crash/kill-suite.ts) on SQLITE.
import { describeKillHarness } from './kill-suite.ts';

describeKillHarness('SQLITE');

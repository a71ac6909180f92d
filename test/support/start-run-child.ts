// A separate process for the racing tests on SQLite: opens the database file, says "ready", and on "go"
// (a line on stdin) tries startRun once and prints the result as JSON.
import { createInterface } from 'node:readline';
import { openDatabase } from '../../src/db/database.ts';
import { startRun } from '../../src/store/sync-runs.ts';

const [file, connectionId] = process.argv.slice(2);
const database = openDatabase({ kind: 'sqlite', file });
await database.db.selectFrom('connections').select('id').where('id', '=', connectionId).execute();
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line !== 'go') continue;
  const result = await startRun(database.db, connectionId, { full: false });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  break;
}
lines.close();
await database.close();

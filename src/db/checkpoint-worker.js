// The WAL checkpointer's thread (checkpointer.ts): its own connection to the database file, copying committed WAL
// frames into the database every `intervalMs` (PRAGMA wal_checkpoint(PASSIVE): it never waits for, nor blocks,
// the writer or the readers). Plain JavaScript: it needs nothing of the service but better-sqlite3.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const { file, intervalMs } = workerData;
const db = new SQLite(file, { fileMustExist: true });
let timer = null;

function checkpoint() {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY (another checkpoint under way) or a database being replaced: the next round tries again.
  }
  timer = setTimeout(checkpoint, intervalMs);
}

parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
checkpoint();

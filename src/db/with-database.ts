// The CLI commands' way to the database: the configured one (config.ts), migrated first, closed afterwards.
import { loadConfig, type Config } from '../config.ts';
import { openDatabase, type OpenDatabase } from './database.ts';
import { migrateToLatest } from './migrate.ts';

/** Runs `work` against the configured database (migrated first), closing it afterwards, whatever happens. */
export async function withDatabase<T>(work: (database: OpenDatabase, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    return await work(database, config);
  } finally {
    await database.close();
  }
}

// Test databases after Backstage's TestDatabases: a test file calls `TestDatabases.create()` at top level,
// runs its cases with `describe.each(databases.eachSupportedId())`, and asks `databases.init(id)` for a fresh,
// migrated database. SQLite: a file in a temporary directory. PostgreSQL: a schema of its own inside the run's
// database (see global-setup.ts). Everything made is closed and dropped after the file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { MigrationResultSet } from 'kysely/migration';
import { afterAll, inject } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import './provided.ts';

export const DATABASE_IDS = ['SQLITE', 'POSTGRES'] as const;
export type TestDatabaseId = (typeof DATABASE_IDS)[number];

export interface TestDatabase {
  id: TestDatabaseId;
  db: Db;
  /** What DATABASE_URL would say to reach the same data (PostgreSQL: plus the schema, see `schema`). */
  url: string;
  /** PostgreSQL only: the schema this database lives in. */
  schema?: string;
}

export class TestDatabases {
  private readonly cleanups: (() => Promise<void>)[] = [];
  private readonly postgresUrl: string | null;
  private readonly ids: readonly TestDatabaseId[];

  private constructor(ids: readonly TestDatabaseId[]) {
    this.postgresUrl = inject('postgresUrl');
    this.ids = ids;
  }

  /** Call at the top level of a test file: registers the clean-up after all of the file's tests. */
  static create(options: { ids?: readonly TestDatabaseId[] } = {}): TestDatabases {
    const databases = new TestDatabases(options.ids ?? DATABASE_IDS);
    afterAll(async () => {
      // Newest first; keep going on errors so one failure does not leave the rest behind.
      const errors: unknown[] = [];
      for (const cleanup of databases.cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw errors[0];
    });
    return databases;
  }

  supports(id: TestDatabaseId): boolean {
    return this.ids.includes(id) && (id !== 'POSTGRES' || this.postgresUrl !== null);
  }

  /** The ids usable here, as rows for `describe.each` / `it.each`. */
  eachSupportedId(): [TestDatabaseId][] {
    return this.ids.filter((id) => this.supports(id)).map((id) => [id]);
  }

  /** A fresh database with every migration applied. */
  async init(id: TestDatabaseId): Promise<TestDatabase> {
    if (!this.supports(id)) throw new Error(`test database ${id} is not available in this run`);
    return id === 'SQLITE' ? this.initSqlite() : this.initPostgres();
  }

  /** Applies pending migrations to a database made by `init`. */
  async migrate(database: TestDatabase): Promise<MigrationResultSet> {
    return migrateToLatest(database.db);
  }

  private async initSqlite(): Promise<TestDatabase> {
    const dir = mkdtempSync(join(tmpdir(), 'ordersync-test-'));
    const file = join(dir, 'ordersync.db');
    const database = openDatabase({ kind: 'sqlite', file });
    this.cleanups.push(async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await migrateToLatest(database.db);
    return { id: 'SQLITE', db: database.db, url: `sqlite:${file}` };
  }

  private async initPostgres(): Promise<TestDatabase> {
    const url = this.postgresUrl!;
    const schema = `t_${process.pid}_${randomBytes(5).toString('hex')}`;
    await withClient(url, (client) => client.query(`create schema ${schema}`));
    const database = openDatabase({ kind: 'postgres', url }, { searchPath: schema, poolSize: 4 });
    this.cleanups.push(async () => {
      await database.close();
      await withClient(url, (client) => client.query(`drop schema if exists ${schema} cascade`));
    });
    // Other files drop their schemas meanwhile: the migrator looks at this schema alone (src/db/migrate.ts).
    await migrateToLatest(database.db);
    return { id: 'POSTGRES', db: database.db, url, schema };
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

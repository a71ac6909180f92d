// The benchmark databases: SQLite at data/bench/ordersync.db with BENCH_POS seeded POs, and (for the PostgreSQL row)
// the database `ordersync_bench` on BENCH_PG_URL's server with BENCH_PG_POS POs. Seeding resumes where it stopped,
// so a size is seeded once; an API key with the read scope is made for each run and revoked afterwards.
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { seedDatabase } from '../../src/seed/seed.ts';
import { createApiKey, revokeApiKey } from '../../src/store/api-keys.ts';
import { ensureRetailer } from '../../src/store/retailers.ts';
import { benchDir, log, seconds } from './common.ts';

export const RETAILER = 'bench';
export const SEED = 1;
/** BENCH_SQLITE_FILE chooses another file (a quick run on a small database beside the reference one). */
export const SQLITE_FILE = process.env.BENCH_SQLITE_FILE || join(benchDir, 'ordersync.db');

export function sqliteBytes(): number {
  return ['', '-wal', '-shm'].reduce((sum, suffix) => sum + (existsSync(SQLITE_FILE + suffix) ? statSync(SQLITE_FILE + suffix).size : 0), 0);
}

export interface Prepared {
  url: string;
  secret: string;
  prefix: string;
  seeded: { created: number; ms: number };
  revoke(): Promise<void>;
}

/** Makes sure `pos` POs are seeded, and makes the run's key. */
export async function prepareDatabase(config: DatabaseConfig, url: string, pos: number): Promise<Prepared> {
  mkdirSync(benchDir, { recursive: true });
  const database = openDatabase(config);
  try {
    await migrateToLatest(database.db);
    log(`Database ${config.kind === 'sqlite' ? config.file : url.replace(/\/\/[^@]*@/, '//')}: ensuring ${pos.toLocaleString('en-US')} POs of retailer "${RETAILER}" (seed ${SEED}); an interrupted seeding resumes.`);
    const began = Date.now();
    const ticker = process.stderr.isTTY ? null : setInterval(() => {
      void sql<{ n: number }>`select count(*) as n from purchase_orders`.execute(database.db).then(({ rows }) =>
        process.stderr.write(`seeding: ${Number(rows[0]?.n ?? 0).toLocaleString('en-US')} POs stored after ${seconds(Date.now() - began)}\n`));
    }, 30_000);
    let result;
    try {
      result = await seedDatabase(database.db, { retailer: RETAILER, pos, seed: SEED, progress: true });
    } finally {
      if (ticker) clearInterval(ticker);
    }
    const ms = Date.now() - began;
    if (result.created > 0) log(`Seeded ${result.created.toLocaleString('en-US')} POs in ${seconds(ms)}; ${result.skipped.toLocaleString('en-US')} were already there.`);
    const { retailer } = await ensureRetailer(database.db, RETAILER);
    const key = await createApiKey(database.db, retailer.id, 'bench', ['read']);
    return {
      url, secret: key.secret, prefix: key.prefix, seeded: { created: result.created, ms },
      revoke: async () => {
        const again = openDatabase(config);
        try {
          await revokeApiKey(again.db, key.prefix);
        } finally {
          await again.close();
        }
      },
    };
  } finally {
    await database.close(); // SQLite: checkpoints the WAL into the database file
  }
}

/** Creates the database `name` on the server of `serverUrl` when it is missing; returns its URL. */
export async function ensurePostgresDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Reads the SQLite file once so the OS page cache holds it, as it would on a service that has been running. */
export function warmPageCache(): number {
  const began = Date.now();
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  const fd = openSync(SQLITE_FILE, 'r');
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0) { /* read through */ }
  } finally {
    closeSync(fd);
  }
  return Date.now() - began;
}

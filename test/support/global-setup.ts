// Once per `vitest run`: find PostgreSQL and give the run a database of its own (Backstage's test-database
// pattern). TEST_DATABASE_URL, when set, names a database made for this run (.ci/run does so) and is used as
// it is; otherwise a fresh database is created on postgres://postgres@127.0.0.1:5432 and dropped at the end.
// PostgreSQL unreachable: with CI set the run fails; otherwise its cases are skipped with one warning.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import './provided.ts';

const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** The URL without its password, for messages. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

const RUN_DATABASE_PREFIX = 'ordersync_test_';
const ABANDONED_AFTER_MS = 6 * 60 * 60 * 1000;

/**
 * A run that was killed never reached its teardown: drop run databases made more than six hours ago (their names
 * carry the time they were made), so that they do not pile up on a developer's server.
 */
async function dropAbandonedDatabases(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    'select datname from pg_database where starts_with(datname, $1)', [RUN_DATABASE_PREFIX]);
  for (const { datname } of rows) {
    const made = parseInt(datname.slice(RUN_DATABASE_PREFIX.length).split('_')[0], 36);
    if (!Number.isFinite(made) || Date.now() - made < ABANDONED_AFTER_MS) continue;
    await admin.query(`drop database if exists "${datname}" with (force)`).catch(() => {});
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const given = process.env.TEST_DATABASE_URL || undefined;
  const serverUrl = given ?? DEFAULT_SERVER_URL;

  let admin: pg.Client;
  try {
    admin = await connect(serverUrl);
  } catch (error) {
    const reason = error instanceof Error ? error.message || error.constructor.name : String(error);
    if (isCi()) {
      throw new Error(
        `PostgreSQL is not reachable at ${shown(serverUrl)} (${reason}). CI runs every test on PostgreSQL too: ` +
        'start it on 127.0.0.1:5432 (user postgres) or set TEST_DATABASE_URL.',
      );
    }
    console.warn(
      `\n[test databases] WARNING: PostgreSQL is not reachable at ${shown(serverUrl)} (${reason}).\n` +
      '[test databases] The PostgreSQL cases are SKIPPED; only SQLite runs. Start PostgreSQL on 127.0.0.1:5432 ' +
      '(user postgres) or set TEST_DATABASE_URL to run them (with CI set, this is an error).\n',
    );
    project.provide('postgresUrl', null);
    return;
  }

  if (given) {
    await admin.end();
    project.provide('postgresUrl', given);
    return;
  }

  const name = `${RUN_DATABASE_PREFIX}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  try {
    await dropAbandonedDatabases(admin);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  project.provide('postgresUrl', url.toString());

  return async () => {
    const client = await connect(serverUrl);
    try {
      await client.query(`drop database if exists ${name} with (force)`);
    } finally {
      await client.end();
    }
  };
}

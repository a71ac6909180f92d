// Versioned migrations, applied at start and by `ordersync migrate`.
import {
  PostgresAdapter, sql, type DatabaseIntrospector, type SchemaMetadata, type TableMetadata,
} from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import type { Db } from './database.ts';
import * as m0001 from './migrations/0001_initial.ts';
import * as m0002 from './migrations/0002_lifecycle.ts';
import * as m0003 from './migrations/0003_po_list_index.ts';
import * as m0004 from './migrations/0004_connections.ts';
import * as m0005 from './migrations/0005_sync_records.ts';
import * as m0007 from './migrations/0007_supplier_documents.ts';
import * as m0008 from './migrations/0008_crash_safety.ts';
import * as m0009 from './migrations/0009_po_day_counts.ts';
import * as m0010 from './migrations/0010_supplier_rerenders.ts';
import * as m0011 from './migrations/0011_events.ts';
import * as m0012 from './migrations/0012_console_sessions.ts';
import * as m0013 from './migrations/0013_operations.ts';
import * as m0014 from './migrations/0014_supplier_document_storage.ts';
import * as m0016 from './migrations/0016_webhook_drains.ts';
import * as m0017 from './migrations/0017_query_plan_indexes.ts';
import * as m0018 from './migrations/0018_x12_set_faults.ts';
import * as m0019 from './migrations/0019_held_update_sets.ts';
import * as m0020 from './migrations/0020_po_line_counts.ts';
import * as m0021 from './migrations/0021_po_v2_status_index.ts';
import * as m0022 from './migrations/0022_po_suppliers.ts';
import * as m0023 from './migrations/0023_process_ownership.ts';
import * as m0024 from './migrations/0024_key_rotation.ts';
import * as m0025 from './migrations/0025_supplier_name_lower.ts';
import * as m0026 from './migrations/0026_events_by_type.ts';

const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_lifecycle': m0002,
  '0003_po_list_index': m0003,
  '0004_connections': m0004,
  '0005_sync_records': m0005,
  '0007_supplier_documents': m0007,
  '0008_crash_safety': m0008,
  '0009_po_day_counts': m0009,
  '0010_supplier_rerenders': m0010,
  '0011_events': m0011,
  '0012_console_sessions': m0012,
  '0013_operations': m0013,
  '0014_supplier_document_storage': m0014,
  '0016_webhook_drains': m0016,
  '0017_query_plan_indexes': m0017,
  '0018_x12_set_faults': m0018,
  '0019_held_update_sets': m0019,
  '0020_po_line_counts': m0020,
  '0021_po_v2_status_index': m0021,
  '0022_po_suppliers': m0022,
  '0023_process_ownership': m0023,
  '0024_key_rotation': m0024,
  '0025_supplier_name_lower': m0025,
  '0026_events_by_type': m0026,
};

/** The names of the migrations this code knows, in order (a restored database may hold no others). */
export function migrationNames(): string[] {
  return Object.keys(migrations).sort();
}

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  // PostgreSQL: Kysely looks for its bookkeeping tables in every schema, so one in another schema of the
  // database (another schema's OrderSync, another tool's schema_migrations) would be taken for ours and the
  // migrations would fail or be skipped. Pin them to the schema the migrations write to.
  const schema = db.getExecutor().adapter instanceof PostgresAdapter
    ? (await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)).rows[0]?.schema ?? undefined
    : undefined;
  const migrator = new Migrator({
    db: schema === undefined ? db : withIntrospectionOf(db, schema),
    migrationTableSchema: schema,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    // Migrations are numbered as features are planned and may land out of number order (0013 before 0006); each
    // is independent of the others' tables, so a database that has a later one still takes an earlier one.
    allowUnorderedMigrations: true,
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

/**
 * `db` as the migrator sees it (PostgreSQL): its introspection looks at `schema` alone. Kysely's own lists the
 * tables of every schema with functions that take names (has_schema_privilege, pg_get_serial_sequence), and those
 * fail outright when another client drops a schema or a table during the listing (invalid_schema_name,
 * undefined_table: seen in CI, where test files drop their schemas while others migrate). The catalogue read by
 * oid, filtered to one schema, cannot meet another schema's objects. The migrator only asks whether our schema and
 * its bookkeeping tables exist.
 */
function withIntrospectionOf(db: Db, schema: string): Db {
  const introspection: DatabaseIntrospector = {
    async getSchemas(): Promise<SchemaMetadata[]> {
      const rows = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db);
      return rows.rows.map(({ name }) => ({ name }));
    },
    async getTables(): Promise<TableMetadata[]> {
      const rows = await sql<{ name: string; kind: string }>`select c.relname as name, c.relkind as kind from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v', 'f')`.execute(db);
      return rows.rows.map(({ name, kind }) => ({ name, schema, isView: kind === 'v', isForeign: kind === 'f', columns: [] }));
    },
  };
  // Every other member is the real instance's, called on it (Kysely keeps its state in private fields).
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

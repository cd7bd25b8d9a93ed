import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import * as core from './0001-core.ts';
import * as costing from './0003-costing.ts';
import * as sales from './0005-sales.ts';

/**
 * Every migration, in order. They are listed here rather than read from disk so the compiled
 * build and the test runner see the same set; a new migration adds its file and one line here.
 */
const migrations: Record<string, Migration> = {
  '0001-core': core,
  '0003-costing': costing,
  '0005-sales': sales,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

/**
 * `schema` names the PostgreSQL schema that holds the migration bookkeeping; without it Kysely
 * may find another schema's bookkeeping table and skip creating its own.
 */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(), ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

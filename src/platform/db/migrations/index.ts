import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { DialectName } from '../database.ts';
import * as core from './0001-core.ts';
import * as access from './0002-access.ts';
import * as costing from './0003-costing.ts';
import * as purchasing from './0004-purchasing.ts';
import * as sales from './0005-sales.ts';
import * as reorderPoints from './0006-reorder-points.ts';

/**
 * Every migration, in order. They are listed here rather than read from disk so the compiled
 * build and the test runner see the same set; a new migration adds its file and one line here.
 * A migration whose SQL must differ per dialect (triggers) receives the dialect's name.
 */
type StockroomMigration = { up(db: Kysely<any>, dialect: DialectName): Promise<void>; down(): Promise<void> };

const migrations: Record<string, StockroomMigration> = {
  '0001-core': core,
  '0002-access': access,
  '0003-costing': costing,
  '0004-purchasing': purchasing,
  '0005-sales': sales,
  '0006-reorder-points': reorderPoints,
};

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(migrations).map(([name, m]) => [name, { up: (db: Kysely<any>) => m.up(db, this.dialect), down: () => m.down() }]),
    );
  }
}

/**
 * `schema` names the PostgreSQL schema that holds the migration bookkeeping; without it Kysely
 * may find another schema's bookkeeping table and skip creating its own.
 */
export async function migrateToLatest(db: Kysely<any>, options: { dialect: DialectName; schema?: string | undefined }): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(options.dialect),
    ...(options.schema ? { migrationTableSchema: options.schema } : {}),
  });
  for (let attempt = 1; ; attempt += 1) {
    const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    // Kysely's PostgreSQL introspection walks every schema of the database; one dropped meanwhile
    // (by another program sharing the database) fails the walk. Nothing was applied: try again.
    if (attempt < 5 && (error as { code?: unknown }).code === '3F000') continue;
    throw error instanceof Error ? error : new Error(String(error));
  }
}

import { sql, type DatabaseIntrospector, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';

/**
 * Kysely's PostgreSQL introspector reads every column of every table in every schema of the
 * database, with a sequence lookup per column. Its migrator calls it several times per run, so
 * on a database shared by many schemas (each test file has its own) every migration paid for all
 * of them, and a test run slowed down as it went. These read one schema's table names only.
 */
export async function tablesInSchema(db: Kysely<any>, schema: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select tablename as name from pg_catalog.pg_tables where schemaname = ${schema} order by tablename`.execute(db);
  return rows.map((r) => r.name);
}

class SchemaIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<any>,
    private readonly schema: string,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${this.schema}`.execute(this.db);
    return rows;
  }

  /** Names only: the migrator asks whether its bookkeeping tables exist, nothing more. */
  async getTables(): Promise<TableMetadata[]> {
    return (await tablesInSchema(this.db, this.schema)).map((name) => ({ name, schema: this.schema, isView: false, columns: [] }));
  }

  async getMetadata(): Promise<{ tables: TableMetadata[] }> {
    return { tables: await this.getTables() };
  }
}

/** The same Kysely instance, but its `introspection` looks at one PostgreSQL schema. */
export function withSchemaIntrospection(db: Kysely<any>, schema: string): Kysely<any> {
  const introspection = new SchemaIntrospector(db, schema);
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, property, target);
      // Kysely keeps its state in private fields, which only the real instance can reach.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

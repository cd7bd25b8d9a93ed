import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';

export const benchPostgresUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  dialect: 'sqlite' | 'postgres';
  /** What `stockroom serve --db` takes to reach the same data. */
  url: string;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

export function sqliteBenchDatabase(name: string): BenchDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stockroom-bench-${name}-`));
  const file = path.join(dir, 'bench.db');
  return {
    dialect: 'sqlite',
    url: file,
    open: () => openDatabase({ url: file }),
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export async function postgresBenchDatabase(name: string, poolSize = 16): Promise<BenchDatabase> {
  const schema = `bench_${name.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: benchPostgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(benchPostgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    dialect: 'postgres',
    url: url.toString(),
    open: () => openDatabase({ url: benchPostgresUrl, schema, poolSize }),
    drop: async () => {
      const client = new pg.Client({ connectionString: benchPostgresUrl });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: benchPostgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { systemActor, type Actor, type ServiceContext } from '../../src/platform/context.ts';
import { openDatabase, type Database, type DialectName } from '../../src/platform/db/database.ts';
import { dropSchema, testPostgresUrl } from './postgres.ts';

const allDialects: readonly DialectName[] = ['sqlite', 'postgres'];

/**
 * The dialects service tests run on: both, unless STOCKROOM_TEST_DIALECTS names fewer
 * (comma-separated). Mutation runs set `sqlite`, because the PostgreSQL half doubles their time;
 * CI refuses a narrowed list (see global-setup.ts), so it always runs both.
 */
export function selectedDialects(setting = process.env.STOCKROOM_TEST_DIALECTS): readonly DialectName[] {
  if (setting === undefined || setting.trim() === '') return allDialects;
  const names = setting.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !allDialects.includes(name as DialectName));
  if (unknown.length) throw new Error(`STOCKROOM_TEST_DIALECTS names ${unknown.join(', ')}; it takes ${allDialects.join(', ')}.`);
  return allDialects.filter((dialect) => names.includes(dialect));
}

export const dialects: readonly DialectName[] = selectedDialects();

export interface TestDatabase {
  db: Database;
  dialect: DialectName;
  /** Opens another connection (pool or SQLite handle) to the same data. */
  openAnother(): Promise<Database>;
}

export async function createTestDatabase(dialect: DialectName, options: { poolSize?: number } = {}): Promise<TestDatabase & { destroy(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-test-'));
    const file = path.join(dir, 'test.db');
    // NORMAL keeps the suite quick; the durability of FULL is what the crash tests exercise.
    const db = await openDatabase({ url: file, synchronous: 'normal' });
    const others: Database[] = [];
    return {
      db,
      dialect,
      openAnother: async () => {
        const other = await openDatabase({ url: file, synchronous: 'normal', migrate: false });
        others.push(other);
        return other;
      },
      destroy: async () => {
        for (const other of others) await other.close();
        await db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  // Schemas of a run are dropped together when it ends (see global-setup.ts); without a run id, at once.
  const runId = process.env.STOCKROOM_TEST_RUN;
  const schema = runId ? `t_${runId}_${randomBytes(5).toString('hex')}` : `t_${randomBytes(6).toString('hex')}`;
  const db = await openDatabase({ url: testPostgresUrl, schema, poolSize: options.poolSize ?? 8 });
  const others: Database[] = [];
  return {
    db,
    dialect,
    openAnother: async () => {
      const other = await openDatabase({ url: testPostgresUrl, schema, poolSize: options.poolSize ?? 8, migrate: false });
      others.push(other);
      return other;
    },
    destroy: async () => {
      for (const other of others) await other.close();
      await db.close();
      if (!runId) await dropSchema(schema);
    },
  };
}

export function postgresEnabled(): boolean {
  return process.env.STOCKROOM_TEST_POSTGRES !== '0' && dialects.includes('postgres');
}

/**
 * Runs a suite once on SQLite and once on PostgreSQL, each with a fresh database. The suite
 * receives a getter because the database exists only once `beforeAll` has run.
 */
export function describeEachDatabase(name: string, suite: (get: () => TestDatabase, dialect: DialectName) => void, options: { poolSize?: number } = {}): void {
  for (const dialect of dialects) {
    const run = dialect === 'postgres' && !postgresEnabled() ? describe.skip : describe;
    run(`${name} [${dialect}]`, () => {
      let current: (TestDatabase & { destroy(): Promise<void> }) | undefined;
      beforeAll(async () => {
        current = await createTestDatabase(dialect, options);
      });
      afterAll(async () => {
        await current?.destroy();
      });
      suite(() => {
        if (!current) throw new Error('the test database is not open yet');
        return current;
      }, dialect);
    });
  }
}

export function serviceContext(db: Database, clock = new ManualClock(Date.UTC(2026, 10, 2, 9)), actor: Actor = systemActor): ServiceContext & { clock: ManualClock } {
  return { db, clock, actor };
}

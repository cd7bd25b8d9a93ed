import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase, connectionArg, DatabaseInUseError, pgEnv, restoreDatabase } from '../src/platform/db/backup.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { exportDatabase, importDatabase } from '../src/platform/db/transfer.ts';
import { systemClock } from '../src/platform/clock.ts';
import { systemActor } from '../src/platform/context.ts';
import { createUser, preparePassword } from '../src/modules/access/index.ts';

/**
 * `stockroom restore` on SQLite must never lose committed data and never pull a file from under a
 * running server; pg_dump and pg_restore must never see the password on their command line.
 */
describe('restore on SQLite', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-restore-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const rows = (file: string) => {
    const db = new BetterSqlite3(file, { readonly: true });
    try {
      return (db.prepare('select count(*) as n from notes').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  /** A separate process commits rows to the write-ahead log and dies without a checkpoint, as a crash would leave it. */
  function crashAfterWriting(file: string, count: number): void {
    const script = `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new Database(${JSON.stringify(file)});
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.exec('create table if not exists notes (id integer primary key, text text)');
      const insert = db.prepare('insert into notes (text) values (?)');
      for (let i = 0; i < ${count}; i += 1) insert.run('sale ' + i);
      process.exit(0);`;
    execFileSync(process.execPath, ['-e', script]);
  }

  it('keeps every committed row of the replaced database, including those only in its write-ahead log', async () => {
    const backup = path.join(dir, 'backup.db');
    const seed = new BetterSqlite3(backup);
    seed.exec("create table notes (id integer primary key, text text); insert into notes (text) values ('from the backup')");
    seed.close();

    const live = path.join(dir, 'live.db');
    crashAfterWriting(live, 250);
    expect(fs.existsSync(`${live}-wal`)).toBe(true);
    expect(fs.statSync(`${live}-wal`).size).toBeGreaterThan(0);

    const result = await restoreDatabase(live, backup);
    expect(result.keptAside).toBeDefined();
    expect(rows(result.keptAside!)).toBe(250);
    expect(rows(live)).toBe(1);
    expect(fs.existsSync(`${live}-wal`)).toBe(false);
  });

  it('refuses while a server has the database open, and changes nothing', async () => {
    const live = path.join(dir, 'served.db');
    const server = await openDatabase({ url: live });
    const backup = path.join(dir, 'served-backup.db');
    try {
      await server.kysely.insertInto('settings').values({ key: 'shop.name', value: 'Served' }).execute();
      await backupDatabase(live, backup);
      await server.kysely.updateTable('settings').set({ value: 'After the backup' }).where('key', '=', 'shop.name').execute();
      await expect(restoreDatabase(live, backup)).rejects.toThrow(DatabaseInUseError);
      expect(fs.readdirSync(dir).filter((f) => f.startsWith('served.db.before-restore'))).toEqual([]);
      const row = await server.kysely.selectFrom('settings').select('value').where('key', '=', 'shop.name').executeTakeFirst();
      expect(row?.value).toBe('After the backup');
    } finally {
      await server.close();
    }
    // Once it is stopped, the restore goes ahead and the replaced file keeps the later change.
    const result = await restoreDatabase(live, backup);
    const kept = new BetterSqlite3(result.keptAside!, { readonly: true });
    expect((kept.prepare("select value from settings where key = 'shop.name'").get() as { value: string }).value).toBe('After the backup');
    kept.close();
    const restored = new BetterSqlite3(live, { readonly: true });
    expect((restored.prepare("select value from settings where key = 'shop.name'").get() as { value: string }).value).toBe('Served');
    restored.close();
  });
});

describe('export and import', () => {
  it('carry every table, the sign-in addresses among them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-export-'));
    const source = await openDatabase({ url: path.join(dir, 'source.db') });
    const target = await openDatabase({ url: path.join(dir, 'target.db') });
    try {
      const ctx = { db: source, clock: systemClock, actor: systemActor };
      const user = await createUser(ctx, { email: 'export@example.test', name: 'Export', role: 'owner', sites: 'all', passwordHash: await preparePassword('plum-tractor-lantern-42') });
      await source.kysely.insertInto('sign_in_addresses').values({ user_id: user.id, ip: '10.1.2.3', last_signed_in_at: 5 }).execute();
      const file = path.join(dir, 'shop.jsonl');
      const counts = await exportDatabase(source, file);
      expect(counts.sign_in_addresses).toBe(1);
      await importDatabase(target, file);
      expect(await target.kysely.selectFrom('sign_in_addresses').selectAll().execute()).toEqual([{ user_id: user.id, ip: '10.1.2.3', last_signed_in_at: 5 }]);
    } finally {
      await source.close();
      await target.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pg_dump and pg_restore credentials', () => {
  let bin: string;
  let out: string;
  let savedPath: string | undefined;
  beforeAll(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-pgbin-'));
    out = path.join(bin, 'calls');
    // Stand-ins that record what they were given, where the real tools would take it.
    for (const tool of ['pg_dump', 'pg_restore']) {
      fs.writeFileSync(
        path.join(bin, tool),
        `#!/bin/sh\nprintf '%s\\n' "${tool} $*" "PGPASSWORD=$PGPASSWORD" >> ${JSON.stringify(out)}\nfor a in "$@"; do case "$a" in --file=*) : > "\${a#--file=}";; esac; done\n`,
        { mode: 0o755 },
      );
    }
    savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath}`;
  });
  afterAll(() => {
    process.env.PATH = savedPath;
    fs.rmSync(bin, { recursive: true, force: true });
  });

  it('passes the password in the environment, never as an argument', async () => {
    const url = 'postgres://shop:s3cr%40t-pw@db.example:5432/stockroom?sslmode=require&options=-c%20search_path%3Dshop';
    expect(connectionArg(url)).not.toContain('s3cr');
    expect(connectionArg(url)).toContain('sslmode=require');
    expect(pgEnv(url, {}).PGPASSWORD).toBe('s3cr@t-pw');
    expect(pgEnv('postgres://shop@db.example/stockroom', {}).PGPASSWORD).toBeUndefined();

    const target = path.join(bin, 'dump.pgc');
    await backupDatabase(url, target);
    await restoreDatabase(url, target);
    const calls = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(calls.filter((l) => l.startsWith('pg_'))).toHaveLength(2);
    for (const line of calls.filter((l) => l.startsWith('pg_'))) {
      expect(line).not.toContain('s3cr');
      expect(line).toContain('shop@db.example:5432/stockroom');
    }
    expect(calls.filter((l) => l === 'PGPASSWORD=s3cr@t-pw')).toHaveLength(2);
  });
});

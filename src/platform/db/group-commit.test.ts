import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.ts';
import { transact, type Trx } from './transaction.ts';

/** Group commit on SQLite: several commands in one transaction, each after the first in its own savepoint. */

let dir: string;
let db: Database;

// The time cap is lifted (a busy test machine could split a group by it); the count cap stays.
async function open(groupCommit: boolean = true): Promise<Database> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-group-'));
  db = await openDatabase({ url: path.join(dir, 'g.db'), groupCommit: groupCommit && { maxMs: 60_000 }, migrate: false });
  await sql`create table probe (name text primary key)`.execute(db.kysely);
  return db;
}

afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const insert = (name: string) => (trx: Trx) => sql`insert into probe (name) values (${name})`.execute(trx).then(() => name);

/** What another process would see: a separate handle on the same file, reading only committed rows. */
function committedNames(): string[] {
  const other = new BetterSqlite3(path.join(dir, 'g.db'), { readonly: true });
  try {
    return (other.prepare('select name from probe order by name').all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    other.close();
  }
}

describe('group commit', () => {
  it('commits its neighbours and leaves a failing command out, each answering its own result', async () => {
    await open();
    const results = await Promise.allSettled([
      transact(db, insert('a')),
      transact(db, async (trx) => {
        await insert('b')(trx);
        throw new Error('b changed its mind');
      }),
      // A constraint error inside a savepoint is rolled back alone too.
      transact(db, insert('a')),
      transact(db, insert('c')),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'a',
      'b changed its mind',
      expect.stringMatching(/UNIQUE constraint failed/),
      'c',
    ]);
    expect(committedNames()).toEqual(['a', 'c']);
    // All four shared one transaction (one commit, one fsync).
    expect(db.groupCommit!.stats).toMatchObject({ groups: 1, commands: 4, largest: 4 });
  });

  it('rolls a failing first command back with its transaction, and commits the rest in the next group', async () => {
    await open();
    const results = await Promise.allSettled([
      // The first of a group runs without a savepoint: its failure undoes the transaction itself.
      transact(db, async (trx) => {
        await insert('first')(trx);
        throw new Error('first changed its mind');
      }),
      transact(db, insert('x')),
      transact(db, insert('y')),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['first changed its mind', 'x', 'y']);
    expect(committedNames()).toEqual(['x', 'y']);
    expect(db.groupCommit!.stats).toMatchObject({ groups: 1, commands: 2 });
  });

  it('answers a command only once its group is on disk', async () => {
    await open();
    const seen: string[][] = [];
    await Promise.all(['x', 'y', 'z'].map((name) => transact(db, insert(name)).then(() => seen.push(committedNames()))));
    for (const names of seen) expect(names).toEqual(['x', 'y', 'z']);
  });

  it('gives a command run alone its own group, and a later one the next group', async () => {
    await open();
    await transact(db, insert('first'));
    await transact(db, insert('second'));
    expect(db.groupCommit!.stats).toMatchObject({ groups: 2, commands: 2, largest: 1 });
    expect(committedNames()).toEqual(['first', 'second']);
  });

  it('splits a long queue into groups of at most the cap, so the event loop gets turns', async () => {
    await open();
    const names = Array.from({ length: 150 }, (_, i) => `n${String(i).padStart(3, '0')}`);
    await Promise.all(names.map((name) => transact(db, insert(name))));
    expect(db.groupCommit!.stats.largest).toBeLessThanOrEqual(32);
    expect(db.groupCommit!.stats.commands).toBe(150);
    expect(committedNames()).toEqual(names);
  });

  it('keeps reads outside transactions and readers working between groups', async () => {
    await open();
    const writes = Promise.all(['p', 'q'].map((name) => transact(db, insert(name))));
    const count = await db.kysely.selectFrom('probe' as never).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    await writes;
    expect([0, 2]).toContain(Number((count as { n: number }).n));
  });

  it('runs a command again after a retryable error, without what its first attempt wrote', async () => {
    await open();
    let attempts = 0;
    const flaky = async (trx: Trx) => {
      attempts += 1;
      await insert(`try-${attempts}`)(trx);
      if (attempts === 1) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      return 'flaky';
    };
    expect(await Promise.all([transact(db, insert('before')), transact(db, flaky), transact(db, insert('after'))])).toEqual(['before', 'flaky', 'after']);
    expect(attempts).toBe(2);
    expect(committedNames()).toEqual(['after', 'before', 'try-2']);
  });

  it('pins a COMMIT that fails on the member that caused it, and commits the others', async () => {
    await open();
    // A deferred foreign key is checked at COMMIT, after every savepoint was released: the whole
    // group fails there, so each member runs again alone to find whose it was.
    await sql`create table parent (id text primary key)`.execute(db.kysely);
    await sql`create table child (id text primary key, parent_id text references parent (id) deferrable initially deferred)`.execute(db.kysely);
    await sql`insert into parent (id) values ('p')`.execute(db.kysely);
    const child = (id: string, parent: string) => (trx: Trx) => sql`insert into child (id, parent_id) values (${id}, ${parent})`.execute(trx).then(() => id);
    const results = await Promise.allSettled([transact(db, child('c1', 'p')), transact(db, child('c2', 'nobody')), transact(db, child('c3', 'p'))]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['c1', expect.stringMatching(/FOREIGN KEY constraint failed/), 'c3']);
    const rows = await sql<{ id: string }>`select id from child order by id`.execute(db.kysely);
    expect(rows.rows.map((r) => r.id)).toEqual(['c1', 'c3']);
  });

  it('can be turned off: every transaction commits on its own', async () => {
    await open(false);
    expect(db.groupCommit).toBeUndefined();
    const results = await Promise.allSettled([transact(db, insert('a')), transact(db, insert('a')), transact(db, insert('b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committedNames()).toEqual(['a', 'b']);
  });
});

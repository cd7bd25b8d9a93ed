import { Writable } from 'node:stream';
import type pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { watchPostgresQueries } from '../../../test/support/postgres-round-trips.ts';
import { CompiledQuery } from 'kysely';
import { insertRowSets } from './insert-rows.ts';
import { coalesceWrites, sendAhead } from './pg-pipeline.ts';

// Round trips at the client; installed before the suites open their pools.
const trips = { counting: false, count: 0, sent: [] as string[] };
afterAll(
  watchPostgresQueries((text, startsTrip) => {
    if (!trips.counting) return;
    trips.sent.push(text.split(' ')[0]!.toLowerCase());
    if (startsTrip) trips.count += 1;
  }),
);

function countTrips(): { trips: () => number; sent: string[]; restore: () => void } {
  Object.assign(trips, { counting: true, count: 0, sent: [] });
  return { trips: () => trips.count, sent: trips.sent, restore: () => void (trips.counting = false) };
}

describeEachDatabase('pipelined transactions', (get, dialect) => {
  let counter: ReturnType<typeof countTrips> | null = null;
  afterEach(() => counter?.restore());
  const row = (item_id: string) => ({ item_id, last_seq: 1 });
  const stored = async (ids: string[]) =>
    (await get().db.kysely.selectFrom('outbox_sequences').select('item_id').where('item_id', 'in', ids).orderBy('item_id').execute()).map((r) => r.item_id);

  it('runs the first statement inside the transaction, on the begin’s trip, so a failure after it leaves nothing', async () => {
    counter = countTrips();
    const failed = get().db.kysely.transaction().execute(async (trx) => {
      await trx.insertInto('outbox_sequences').values(row('itm_pipe_a')).execute();
      throw new Error('after the first statement');
    });
    await expect(failed).rejects.toThrow('after the first statement');
    counter.restore();
    expect(await stored(['itm_pipe_a'])).toEqual([]);
    if (dialect === 'postgres') {
      expect(counter.sent).toEqual(['begin', 'insert', 'rollback']);
      // The begin and the insert on one trip, the rollback on another.
      expect(counter.trips()).toBe(2);
    }
  });

  it('answers the last blind write with the commit, on one trip, and commits it', async () => {
    counter = countTrips();
    await get().db.kysely.transaction().execute(async (trx) => {
      await trx.insertInto('outbox_sequences').values(row('itm_pipe_b')).execute();
      await insertRowSets(trx, [{ table: 'outbox_sequences', rows: [row('itm_pipe_c')] }], { lastBeforeCommit: true });
    });
    counter.restore();
    expect(await stored(['itm_pipe_b', 'itm_pipe_c'])).toEqual(['itm_pipe_b', 'itm_pipe_c']);
    if (dialect === 'postgres') {
      expect(counter.sent).toEqual(['begin', 'insert', 'insert', 'commit']);
      expect(counter.trips()).toBe(2);
    }
  });

  it('runs a marked write outside a transaction as any other, answering its own error', async () => {
    const db = get().db.kysely;
    await insertRowSets(db, [{ table: 'outbox_sequences', rows: [row('itm_pipe_f')] }], { lastBeforeCommit: true });
    expect(await stored(['itm_pipe_f'])).toEqual(['itm_pipe_f']);
    await expect(insertRowSets(db, [{ table: 'outbox_sequences', rows: [row('itm_pipe_f')] }], { lastBeforeCommit: true })).rejects.toThrow(/unique|duplicate/i);
  });

  it('fails the commit with the last write’s own error, keeping nothing of the transaction', async () => {
    await get().db.kysely.insertInto('outbox_sequences').values(row('itm_pipe_taken')).execute();
    const failed = get().db.kysely.transaction().execute(async (trx) => {
      await trx.insertInto('outbox_sequences').values(row('itm_pipe_d')).execute();
      await insertRowSets(trx, [{ table: 'outbox_sequences', rows: [row('itm_pipe_taken')] }], { lastBeforeCommit: true });
    });
    await expect(failed).rejects.toThrow(/unique|duplicate/i);
    expect(await stored(['itm_pipe_d'])).toEqual([]);
    // The connection goes back to the pool able to work.
    await get().db.kysely.transaction().execute(async (trx) => {
      await insertRowSets(trx, [{ table: 'outbox_sequences', rows: [row('itm_pipe_e')] }], { lastBeforeCommit: true });
    });
    expect(await stored(['itm_pipe_e'])).toEqual(['itm_pipe_e']);
  });

  const insertQuery = (item_id: string) => CompiledQuery.raw('insert into outbox_sequences (item_id, last_seq) values (' + (dialect === 'postgres' ? '$1' : '?') + ', 1)', [item_id]);

  it('sends a statement ahead on the next one’s trip, and hands back its answer', async () => {
    counter = countTrips();
    await get().db.kysely.transaction().execute(async (trx) => {
      const { answer } = await sendAhead(trx, insertQuery('itm_pipe_g'));
      await trx.insertInto('outbox_sequences').values(row('itm_pipe_h')).execute();
      expect((await answer).numAffectedRows).toBe(1n);
    });
    counter.restore();
    expect(await stored(['itm_pipe_g', 'itm_pipe_h'])).toEqual(['itm_pipe_g', 'itm_pipe_h']);
    if (dialect === 'postgres') {
      expect(counter.sent).toEqual(['begin', 'insert', 'insert', 'commit']);
      // Begin, the statement sent ahead and the next one on one trip; the commit on another.
      expect(counter.trips()).toBe(2);
    }
  });

  it('fails the next statement with the refused statement’s error, and commits nothing', async () => {
    await get().db.kysely.insertInto('outbox_sequences').values(row('itm_pipe_i')).execute();
    const failed = get().db.kysely.transaction().execute(async (trx) => {
      await sendAhead(trx, insertQuery('itm_pipe_i'));
      await trx.insertInto('outbox_sequences').values(row('itm_pipe_j')).execute();
    });
    await expect(failed).rejects.toThrow(/unique|duplicate/i);
    expect(await stored(['itm_pipe_j'])).toEqual([]);
  });

  it('fails the commit with the refused statement’s error when no statement followed it', async () => {
    await get().db.kysely.insertInto('outbox_sequences').values(row('itm_pipe_k')).execute();
    const failed = get().db.kysely.transaction().execute(async (trx) => {
      await trx.insertInto('outbox_sequences').values(row('itm_pipe_l')).execute();
      await sendAhead(trx, insertQuery('itm_pipe_k'));
    });
    await expect(failed).rejects.toThrow(/unique|duplicate/i);
    expect(await stored(['itm_pipe_l'])).toEqual([]);
  });
});

describe('writes coalesced per turn of the event loop', () => {
  /** A client whose query writes one message, corked as node-postgres corks each query; the socket counts its writes. */
  function fakeClient() {
    const writes: number[] = [];
    const stream = new Writable({
      write(_chunk, _encoding, done) {
        writes.push(1);
        done();
      },
      writev(chunks, done) {
        writes.push(chunks.length);
        done();
      },
    });
    const client = {
      connection: { stream },
      query(text: string) {
        stream.cork();
        stream.write(Buffer.from(text));
        stream.uncork();
      },
    };
    return { client, writes };
  }

  it('sends the queries of one turn in one write, and the next turn’s in another', async () => {
    const { client, writes } = fakeClient();
    coalesceWrites(client as unknown as pg.PoolClient);
    client.query('begin');
    await Promise.resolve();
    client.query('insert');
    client.query('select');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([3]);
    client.query('commit');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([3, 1]);
  });

  it('is what makes them one: uncoalesced, each query is a write of its own', async () => {
    const { client, writes } = fakeClient();
    client.query('begin');
    client.query('insert');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([1, 1]);
  });
});

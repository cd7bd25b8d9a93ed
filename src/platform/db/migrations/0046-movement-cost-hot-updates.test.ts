import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { postMovements } from '../../../modules/ledger/index.ts';
import { createLocation, VIRTUAL_LOCATION_IDS } from '../../../modules/locations/index.ts';
import { describeEachDatabase, serviceContext } from '../../../../test/support/databases.ts';
import { makeItem } from '../../../../test/support/fixtures.ts';

/**
 * Migration 0046: on PostgreSQL no index of `movements` holds a cost, and its new pages keep room,
 * so re-costing rewrites a movement's cost as a heap-only (HOT) update; SQLite's covering indexes
 * stay as they were.
 */
describeEachDatabase('movement costs rewritten in place', (get, dialect) => {
  it('keeps the cost out of PostgreSQL’s indexes of movements, and in SQLite’s', async () => {
    const db = get().db.kysely;
    const names = ['movements_document_line', 'movements_sales_time'];
    if (dialect === 'postgres') {
      const indexes = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = 'movements'`.execute(db);
      expect(indexes.rows.map((r) => r.indexname)).toEqual(expect.arrayContaining(names));
      for (const index of indexes.rows) expect(index.indexdef, index.indexname).not.toMatch(/value_micros|unit_cost_micros/);
      const options = await sql<{ reloptions: string[] | null }>`select reloptions from pg_class where oid = 'movements'::regclass`.execute(db);
      expect(options.rows[0]!.reloptions).toEqual(['fillfactor=80']);
    } else {
      const indexes = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where type = 'index' and name in (${sql.join(names)}) order by name`.execute(db);
      expect(indexes.rows.map((r) => r.name)).toEqual(names);
      for (const index of indexes.rows) expect(index.sql, index.name).toMatch(/value_micros/);
    }
  });

  it.runIf(dialect === 'postgres')('rewrites the costs of a back-dated receipt’s later sales as HOT updates', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    const site = await createLocation(ctx, { kind: 'site', code: 'HOT', name: 'HOT updates', site_type: 'store' });
    const bin = site.default_bin_id!;
    const itemId = (await makeItem(ctx, { costing_method: 'fifo' })).id;
    const at = (hoursAgo: number) => ctx.clock.now() - hoursAgo * 3_600_000;
    await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'hot-r1', effectiveAt: at(100), movements: [{ itemId, fromLocationId: VIRTUAL_LOCATION_IDS.vendor, toLocationId: bin, qty: 10_000, unitCostMicros: 1_000_000 }] });
    for (let n = 0; n < 5; n += 1) {
      await postMovements(ctx, { kind: 'sale', documentType: 'test', documentId: `hot-s${n}`, effectiveAt: at(90 - n), movements: [{ itemId, fromLocationId: bin, toLocationId: VIRTUAL_LOCATION_IDS.customer, qty: 1000 }] });
    }
    await db.kysely.transaction().execute(async (trx) => {
      // Received before everything at another cost: the five sales draw it instead, at a new cost each.
      await postMovements({ ...ctx, trx }, { kind: 'receipt', documentType: 'test', documentId: 'hot-r0', effectiveAt: at(110), movements: [{ itemId, fromLocationId: VIRTUAL_LOCATION_IDS.vendor, toLocationId: bin, qty: 10_000, unitCostMicros: 3_000_000 }] });
      // This transaction's own counts, so other work on the server does not show.
      const counts = await sql<{ n_tup_upd: string; n_tup_hot_upd: string }>`select n_tup_upd, n_tup_hot_upd from pg_stat_xact_user_tables where relid = 'movements'::regclass`.execute(trx);
      expect([Number(counts.rows[0]!.n_tup_upd), Number(counts.rows[0]!.n_tup_hot_upd)]).toEqual([5, 5]);
    });
    const sales = await db.kysely.selectFrom('movements').select('value_micros').where('item_id', '=', itemId).where('kind', '=', 'sale').execute();
    expect(sales.map((s) => s.value_micros)).toEqual([3_000_000, 3_000_000, 3_000_000, 3_000_000, 3_000_000]);
  });
});

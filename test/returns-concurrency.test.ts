import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { createReturn } from '../src/modules/sales/index.ts';
import { createReturnBody } from '../src/modules/sales/sales.schema.ts';
import type { Database } from '../src/platform/db/database.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem, makeShop } from './support/fixtures.ts';
import { $, q, sell } from './support/shop.ts';

/**
 * Two clerks take back different lines of one sale at the same moment. Each return counts its own
 * line; the second to finish must see the first's line when it works out the sale's status, or a
 * sale with every line back stays "partially returned". On PostgreSQL the second return is made to
 * start while the first holds its transaction open; on SQLite it queues for the single writer.
 */

/** True once the PostgreSQL backend `pid` waits on another transaction's lock. */
async function waitsOnALock(db: Database, pid: number): Promise<boolean> {
  const row = await sql<{ n: number }>`select cardinality(pg_blocking_pids(${pid}::int)) as n`.execute(db.kysely);
  return Number(row.rows[0]!.n) > 0;
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2000; i += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`gave up waiting until ${what}`);
}

describeEachDatabase('returns under concurrency', (get, dialect) => {
  it('two returns of different lines of one sale at once leave the sale returned', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const mug = await makeItem(ctx, { price: $('16.00') });
    const candle = await makeItem(ctx, { price: $('18.00') });
    await createAdjustment(ctx, {
      location_id: shop.store.id,
      reason: 'opening_balance',
      lines: [
        { item_id: mug.id, qty: q(5), unit_cost: $('4.90') },
        { item_id: candle.id, qty: q(5), unit_cost: $('5.60') },
      ],
    });
    const sale = await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: mug.id, qty: 1 }, { item_id: candle.id, qty: 1 }], payments: [{ tender: 'cash', amount: '34.00' }] });
    const returnOf = (lineId: string) => createReturnBody.parse({ sale_id: sale.sale.id, reason: 'gift receipt', lines: [{ line_id: lineId, qty: 1, condition: 'restockable' }] });
    const [first, second] = sale.lines;

    let secondDone: Promise<unknown> | undefined;
    let secondPid: number | undefined;
    await get().db.kysely.transaction().execute(async (trx) => {
      await createReturn({ ...ctx, trx }, returnOf(first!.id));
      secondDone = get().db.kysely.transaction().execute(async (other) => {
        if (dialect === 'postgres') secondPid = Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(other)).rows[0]!.pid);
        return createReturn({ ...ctx, trx: other }, returnOf(second!.id));
      });
      // The first commits only once the second is under way and waiting for it.
      if (dialect === 'postgres') await until(async () => secondPid !== undefined && (await waitsOnALock(get().db, secondPid)), 'the second return waits for the first');
    });
    await secondDone;

    const row = await get().db.kysely.selectFrom('sales').select(['status', 'refunded_micros']).where('id', '=', sale.sale.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'returned', refunded_micros: $('34.00') });
  });
});

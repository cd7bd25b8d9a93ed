import { describe, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../test/support/databases.ts';
import { makeShop } from '../../test/support/fixtures.ts';
import { TouchedRecords, inTransaction, reader, type ServiceContext } from './context.ts';
import type { Trx } from './db/transaction.ts';

describe('TouchedRecords', () => {
  it('keeps each (type, id) once, in the order first touched', () => {
    const touched = new TouchedRecords();
    touched.add('item', 'itm_A');
    touched.add('location', 'itm_A'); // the same id under another type is another record
    touched.add('item', 'itm_A');
    touched.add('item', 'itm_B');
    expect(touched.records).toEqual([
      { type: 'item', id: 'itm_A' },
      { type: 'location', id: 'itm_A' },
      { type: 'item', id: 'itm_B' },
    ]);
  });

  it('starts empty', () => {
    expect(new TouchedRecords().records).toEqual([]);
  });
});

describe('the executor a service uses', () => {
  // Stand-ins: these two functions only pass the objects on.
  const trx = { name: 'the caller’s transaction' } as unknown as Trx;
  const pool = { name: 'the pool' };
  const ctx = (withTrx: boolean) => ({ db: { kysely: pool }, ...(withTrx ? { trx } : {}) }) as unknown as ServiceContext;

  it('reads in the caller’s transaction when there is one, else from the pool', () => {
    expect(reader(ctx(true))).toBe(trx);
    expect(reader(ctx(false))).toBe(pool);
  });

  it('runs work in the caller’s transaction without opening another', async () => {
    await expect(inTransaction(ctx(true), async (given) => given)).resolves.toBe(trx);
  });
});

describeEachDatabase('inTransaction without a caller’s transaction', (get) => {
  it('opens one, and rolls it back when the work fails', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    expect(await inTransaction(ctx, async (trx) => trx.isTransaction)).toBe(true);
    const failing = inTransaction(ctx, async (trx) => {
      await trx.insertInto('site_grants').values({ principal_id: 'usr_rolled_back', site_id: shop.store.id }).execute();
      throw new Error('the work failed');
    });
    await expect(failing).rejects.toThrow('the work failed');
    const left = await get().db.kysely.selectFrom('site_grants').selectAll().where('principal_id', '=', 'usr_rolled_back').execute();
    expect(left).toEqual([]);
  });
});

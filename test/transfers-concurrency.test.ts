import { expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { balanceAt, checkLedger } from '../src/modules/ledger/index.ts';
import { checkTransit, createTransfer, moveBetweenBins, pickTransfer, shipTransfer } from '../src/modules/transfers/index.ts';
import { createTransferBody } from '../src/modules/transfers/transfers.schema.ts';
import { systemClock } from '../src/platform/clock.ts';
import { systemActor, type ServiceContext } from '../src/platform/context.ts';
import { AppError } from '../src/platform/errors.ts';
import { describeEachDatabase } from './support/databases.ts';
import { makeItem, makeShop } from './support/fixtures.ts';
import { $, q } from './support/shop.ts';

/**
 * Many people sending stock out of one strict bin at once. On PostgreSQL each call runs in its
 * own transaction on its own pooled connection; on SQLite the calls queue for the single writer,
 * all on one connection. Either way the reservation and the guarded
 * write keep the bin from going below zero, and nothing is lost.
 */
describeEachDatabase(
  'transfers under concurrency',
  (get, dialect) => {
    // On SQLite a second connection only waits on the file lock by polling; the calls share one
    // connection there and queue in its writer hand-off, as the checkout's do.
    const connections = async () => (dialect === 'postgres' ? [get().db, await get().openAnother()] : [get().db]);

    it('30 transfers and bin moves racing for 10 units of a strict warehouse: no bin goes negative and every unit is accounted for', async () => {
      const contexts: ServiceContext[] = (await connections()).map((db) => ({ db, clock: systemClock, actor: systemActor }));
      const ctx = contexts[0]!;
      const shop = await makeShop(ctx);
      const item = await makeItem(ctx);
      const [bin, face] = shop.warehouseBins as [string, string];
      await createAdjustment(ctx, { location_id: bin, reason: 'opening_balance', lines: [{ item_id: item.id, qty: q(10), unit_cost: $('2.00') }] });

      const results = await Promise.allSettled(
        Array.from({ length: 30 }, async (_, i) => {
          const c = contexts[i % contexts.length]!;
          if (i % 3 === 2) return moveBetweenBins(c, { from_location_id: bin, to_location_id: face, reason: 'replenish', lines: [{ item_id: item.id, qty: q(1) }] });
          const t = await createTransfer(c, createTransferBody.parse({ source_site_id: shop.warehouse.id, destination_site_id: shop.store.id, lines: [{ item_id: item.id, qty: 1 }] }));
          return shipTransfer(c, t.transfer.id, {});
        }),
      );
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const r of refused) {
        expect(r.reason).toBeInstanceOf(AppError);
        expect(r.reason).toMatchObject({ code: 'insufficient_stock', status: 409 });
      }
      // Units moved to the pick face may ship on a later transfer, so more than 10 calls can succeed;
      // but every shipped transfer holds one unit in transit and no bin is ever below zero.
      const shipped = results.filter((r, i) => r.status === 'fulfilled' && i % 3 !== 2).length;
      const moved = results.filter((r, i) => r.status === 'fulfilled' && i % 3 === 2).length;
      expect(refused.length).toBeGreaterThan(0);
      const [left, onFace, inTransit] = await Promise.all([bin, face, 'loc_transit'].map((loc) => balanceAt(get().db.kysely, item.id, loc)));
      expect(left!.onHand).toBeGreaterThanOrEqual(0);
      expect(onFace!.onHand).toBeGreaterThanOrEqual(0);
      expect(inTransit!.onHand).toBe(q(shipped));
      expect(left!.onHand + onFace!.onHand + inTransit!.onHand).toBe(q(10));
      expect(q(10) - left!.onHand).toBeLessThanOrEqual(q(shipped + moved));
      expect(left!.reserved + onFace!.reserved).toBe(0);
      expect([...(await checkLedger(get().db)).invariants, ...(await checkTransit(get().db))].filter((i) => !i.ok)).toEqual([]);
    });

    it('two pickers scanning one transfer at once lose no scan and never pick more than was allocated', async () => {
      const contexts: ServiceContext[] = (await connections()).map((db) => ({ db, clock: systemClock, actor: systemActor }));
      const ctx = contexts[0]!;
      const shop = await makeShop(ctx);
      const item = await makeItem(ctx);
      await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', lines: [{ item_id: item.id, qty: q(12), unit_cost: $('1.00') }] });
      const t = await createTransfer(ctx, createTransferBody.parse({ source_site_id: shop.warehouse.id, destination_site_id: shop.store.id, lines: [{ item_id: item.id, qty: 8 }] }));
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => pickTransfer(contexts[i % contexts.length]!, t.transfer.id, { code: item.sku })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(8);
      for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) expect(r.reason).toMatchObject({ code: 'transfer_pick_invalid' });
      const picked = await get().db.kysely.selectFrom('transfer_allocations').select(['qty', 'qty_picked']).where('transfer_id', '=', t.transfer.id).execute();
      expect(picked.reduce((s, a) => s + a.qty_picked, 0)).toBe(q(8));
    });
  },
  { poolSize: 20 },
);

import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { transact } from '../../platform/db/transaction.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { balanceAt, listMovementsOfDocuments, PostingBatch, postMovements } from './index.ts';

const { customer, vendor } = VIRTUAL_LOCATION_IDS;
const HOUR = 3_600_000;

describeEachDatabase('a posting batch', (get) => {
  it('moves balances at once, holds movements and costs back until the flush, then costs them in order', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const bin = shop.storeBin;
    const receive = (id: string, qty: number, unitCostMicros: number) =>
      postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: id, movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: bin, qty, unitCostMicros }] });
    await receive('in-1', 2000, 1_000_000);
    ctx.clock.advance(HOUR);
    await receive('in-2', 2000, 3_000_000);

    await transact(get().db, async (trx) => {
      const batch = new PostingBatch();
      const batchCtx = { ...ctx, trx, postingBatch: batch };
      const sell = (id: string) =>
        postMovements(batchCtx, { kind: 'sale', documentType: 'test', documentId: id, movements: [{ itemId: item.id, fromLocationId: bin, toLocationId: customer, qty: 1500 }] });
      ctx.clock.advance(HOUR);
      const first = await sell('s1');
      ctx.clock.advance(HOUR);
      const second = await sell('s2');
      ctx.clock.advance(HOUR);
      // The third takes the store below zero: its sale hears so at once, as one by one.
      const third = await sell('s3');
      expect(third.negativeBalances).toEqual([{ itemId: item.id, locationId: bin, lotId: '', onHand: -500 }]);
      expect(await balanceAt(trx, item.id, bin)).toEqual({ onHand: -500, reserved: 0 });
      expect(batch.pending).toBe(3);
      expect(await listMovementsOfDocuments(trx, ['s1', 's2', 's3'])).toEqual([]);
      expect(first.movements[0]!.value_micros).toBeNull();

      await batch.flush(trx);
      expect(batch.pending).toBe(0);
      // FIFO in the order stamped: 1.5 at 1.00; 0.5 at 1.00 and 1.0 at 3.00; 1.0 at 3.00 and 0.5 short at the last cost.
      expect([first, second, third].map((p) => p.movements[0]!.value_micros)).toEqual([1_500_000, 3_500_000, 4_500_000]);
      const stored = await listMovementsOfDocuments(trx, ['s1', 's2', 's3']);
      expect(stored.map((m) => [m.document_id, Number(m.value_micros), Number(m.effective_at)])).toEqual(
        [first, second, third].map((p) => [p.movements[0]!.document_id, p.movements[0]!.value_micros, p.effectiveAt]),
      );
    });
  });

  it('flushes what it holds before a posting that is valued at once (a back-dated receipt)', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const bin = shop.storeBin;
    await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'in-1', movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: bin, qty: 1000, unitCostMicros: 2_000_000 }] });
    ctx.clock.advance(2 * HOUR);
    await transact(get().db, async (trx) => {
      const batch = new PostingBatch();
      const batchCtx = { ...ctx, trx, postingBatch: batch };
      await postMovements(batchCtx, { kind: 'sale', documentType: 'test', documentId: 'late-sale', movements: [{ itemId: item.id, fromLocationId: bin, toLocationId: customer, qty: 1000 }] });
      // Received an hour before the sale: the sale must be on the books (and costed, FIFO, from the
      // first receipt) before this re-costs the item's history after its instant.
      await postMovements(batchCtx, {
        kind: 'receipt',
        documentType: 'test',
        documentId: 'late-in',
        effectiveAt: ctx.clock.now() - HOUR,
        movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: bin, qty: 1000, unitCostMicros: 1_000_000 }],
      });
      expect(batch.pending).toBe(0);
      const [sale] = await listMovementsOfDocuments(trx, ['late-sale']);
      expect(Number(sale!.value_micros)).toBe(2_000_000);
    });
  });
});

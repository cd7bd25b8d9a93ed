import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { newId } from '../../platform/ids.ts';
import { checkLedger, postMovements } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { getItemCosts } from './cost-layers.service.ts';

const { vendor, customer, adjustment } = VIRTUAL_LOCATION_IDS;
const u = (n: number) => Math.round(n * 1000);
const $ = (n: number) => Math.round(n * 1_000_000);

describeEachDatabase('costing by lot', (get) => {
  const setup = async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const bin = shop.warehouseBins[0]!;
    const item = await makeItem(ctx, { tracking: 'lot' });
    const lots = { A: newId('lot'), B: newId('lot') };
    await get()
      .db.kysely.insertInto('lots')
      .values(Object.entries(lots).map(([code, id]) => ({ id, item_id: item.id, code, kind: 'lot' as const, expires_on: null, created_at: ctx.clock.now() })))
      .execute();
    const post = async (kind: 'receipt' | 'sale' | 'adjustment', lotId: string, qty: number, cost?: number) => {
      ctx.clock.advance(1000);
      const [from, to] = kind === 'receipt' ? [vendor, bin] : kind === 'sale' ? [bin, customer] : [adjustment, bin];
      const posted = await postMovements(ctx, { kind, documentType: 'test', documentId: kind, movements: [{ itemId: item.id, lotId, fromLocationId: from, toLocationId: to, qty: u(qty), unitCostMicros: cost === undefined ? null : $(cost) }] });
      return posted.movements[0]!;
    };
    return { ctx, item, lots, post };
  };

  it('draws only the sold lot’s layers when posting in order, and settles the lots apart', async () => {
    const { ctx, item, lots, post } = await setup();
    await post('receipt', lots.A, 3, 1.4);
    await post('receipt', lots.A, 3, 1.5);
    await post('receipt', lots.B, 5, 1.6);
    // 4 of lot B: its one layer, 4 × 1.60, though lot A's two layers are older.
    expect((await post('sale', lots.B, 4)).value_micros).toBe($(6.4));
    // 4 of lot A: 3 × 1.40 + 1 × 1.50.
    expect((await post('sale', lots.A, 4)).value_micros).toBe($(5.7));
    const costs = await getItemCosts(ctx, item.id, 'fifo');
    expect(costs.layers.map((l) => [l.lotId, l.qtyRemaining, l.valueRemaining])).toEqual([
      [lots.A, u(2), $(3)],
      [lots.B, u(1), $(1.6)],
    ]);
    expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
  });

  it('values stock of a lot found without a cost at that lot’s open layers', async () => {
    const { lots, post } = await setup();
    await post('receipt', lots.A, 10, 1.4);
    await post('receipt', lots.B, 10, 1.6);
    // Found: 1 of lot B, at lot B's 1.60 (the item's average would say 1.50).
    expect((await post('adjustment', lots.B, 1)).value_micros).toBe($(1.6));
    expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
  });
});

import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { $, makeCafe, q, sell } from '../../../test/support/shop.ts';
import type { Actor } from '../../platform/context.ts';
import { itemSales } from './item-sales.service.ts';

describeEachDatabase('what an item sold', (get) => {
  const day = '2026-11-02';

  it('shows a non-stocked latte selling daily and the beans, milk and cups its sales took, with costs only for those who see them', async () => {
    const ctx = serviceContext(get().db);
    const cafe = await makeCafe(ctx);
    const oat = cafe.milkGroup.modifiers[0]!.id;
    await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.latte.id, qty: 2 }], payments: [{ tender: 'card', amount: '8.40' }] });
    await sell(ctx, { location_id: cafe.store.id, lines: [{ item_id: cafe.latte.id, qty: 1, modifiers: [oat] }, { item_id: cafe.mug.id, qty: 1 }], payments: [{ tender: 'cash', amount: '100.00' }] });

    const owner = await itemSales(ctx, cafe.latte.id, { from: day, to: day });
    expect(owner.days).toEqual([{ date: day, qty: q(3), lines: 2, revenueMicros: $('13.10') }]);
    const consumed = Object.fromEntries(owner.consumed.map((c) => [c.itemId, c]));
    // 3 × 18 g of beans, 2 × 0.2 l of whole milk, 0.2 l of oat milk, 3 cups; the mug sold beside it is not the latte's.
    expect(Object.fromEntries(Object.entries(consumed).map(([id, c]) => [id, c.qty]))).toEqual({ [cafe.beans.id]: q(54), [cafe.milk.id]: q(0.4), [cafe.oat.id]: q(0.2), [cafe.cup.id]: q(3) });
    expect(consumed[cafe.cup.id]!.costMicros).toBe($('0.21'));

    const staff: Actor = { kind: 'user', id: 'usr_staff', label: 'staff', role: 'staff', sites: new Set([cafe.store.id]) };
    const asStaff = await itemSales({ ...ctx, actor: staff }, cafe.latte.id, { from: day, to: day });
    expect(asStaff.days[0]!.qty).toBe(q(3));
    expect(asStaff.consumed.every((c) => c.costMicros === null)).toBe(true);

    const elsewhere: Actor = { ...staff, sites: new Set(['loc_elsewhere']) };
    const asOther = await itemSales({ ...ctx, actor: elsewhere }, cafe.latte.id, { from: day, to: day });
    expect(asOther.days).toEqual([{ date: day, qty: 0, lines: 0, revenueMicros: 0 }]);
    expect(asOther.consumed).toEqual([]);
  });

  it('lists every day of the range, quiet ones with zeros, and refuses a range the wrong way round', async () => {
    const ctx = serviceContext(get().db);
    const cafe = await makeCafe(ctx);
    const result = await itemSales(ctx, cafe.latte.id, { from: '2026-10-31', to: '2026-11-02' });
    expect(result.days.map((d) => [d.date, d.qty])).toEqual([
      ['2026-10-31', 0],
      ['2026-11-01', 0],
      ['2026-11-02', 0],
    ]);
    await expect(itemSales(ctx, cafe.latte.id, { from: '2026-11-02', to: '2026-11-01' })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(itemSales(ctx, cafe.latte.id, { from: '0001-01-01', to: '9999-12-31' })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(itemSales(ctx, cafe.latte.id, { from: '9999-12-31', to: '9999-12-31' })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(itemSales(ctx, cafe.latte.id, { from: '2200-12-31', to: '2200-12-31' })).resolves.toMatchObject({ days: [{ date: '2200-12-31', qty: 0 }] });
  });
});

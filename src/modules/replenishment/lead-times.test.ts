import { expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { closePurchaseOrder, createPurchaseOrder, createReceipt, createVendor, postReceipt, sendPurchaseOrder, setVendorItem } from '../purchasing/index.ts';
import { leadTimeOf, measuredLeadTimes } from './demand.service.ts';

const DAY = 86_400_000;

it('averages the lead times to whole days rounded up (to the hour first), with their spread', () => {
  expect(leadTimeOf([6, 4])).toEqual({ days: 5, source: 'measured', sdDays: Math.SQRT2 });
  expect(leadTimeOf([9 + 60_000 / DAY])).toMatchObject({ days: 9, sdDays: 0 });
  expect(leadTimeOf([9.5])).toMatchObject({ days: 10 });
});

/**
 * One vendor, two orders. The first (10 sent on day 0) came as 4 on day 3 and the other 6 on day 6:
 * it took 6 days, not 3. The second (10 sent on day 10) came as 7 on day 14 and was closed short:
 * 4 days, and it counts although it was never received in full. Average 5, spread √2. An order
 * still open (partly received) is not over yet and does not count.
 */
describeEachDatabase('measured lead times', (get) => {
  it('measure each finished order to its last receipt, short-closed orders included', async () => {
    const start = Date.UTC(2026, 5, 1, 9);
    const ctx = serviceContext(get().db, new ManualClock(start));
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const vendor = await createVendor(ctx, { name: `Lead ${Date.now()}`, lead_time_days: 2 } as never);
    await setVendorItem(ctx, vendor.id, item.id, { unit_cost: 1_000_000, preferred: true } as never);
    const at = (day: number) => (ctx.clock as ManualClock).set(start + day * DAY);
    const order = async (day: number) => {
      at(day);
      const po = await createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: shop.store.id, lines: [{ item_id: item.id, qty: 10_000 }] });
      return sendPurchaseOrder(ctx, po.id);
    };
    const receive = async (po: { id: string; lines: Array<{ id: string }> }, day: number, qty: number) => {
      at(day);
      const receipt = await createReceipt(ctx, { purchase_order_id: po.id, lines: [{ purchase_order_line_id: po.lines[0]!.id, qty }] } as never);
      await postReceipt(ctx, receipt.id);
    };
    const first = await order(0);
    await receive(first, 3, 4000);
    await receive(first, 6, 6000);
    const second = await order(10);
    await receive(second, 14, 7000);
    await closePurchaseOrder(ctx, second.id);
    const open = await order(15);
    await receive(open, 16, 1000);
    at(20);
    expect((await measuredLeadTimes(ctx)).get(vendor.id)).toEqual({ days: 5, source: 'measured', sdDays: Math.SQRT2 });
  }, 60_000);
});

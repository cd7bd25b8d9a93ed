import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { setItemStatus } from '../catalog/index.ts';
import { needsCount } from '../counts/index.ts';
import { balanceAt, checkLedger, listMovements, postMovements } from '../ledger/index.ts';
import { updateLocation, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { OfflineError } from '../offline/index.ts';
import { updateSettings } from '../settings/index.ts';
import { saleBody } from '../../../test/support/shop.ts';
import { createSale, getSale } from './index.ts';
import { toSaleJson } from './sales.mapper.ts';
import { shortfalls } from './offline-shortage.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const u = (n: number) => Math.round(n * 1000);
const $ = (n: number) => Math.round(n * 1_000_000);
const iso = (ms: number) => new Date(ms).toISOString();

async function refusal(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as { code: string; status: number },
  );
}

describeEachDatabase('offline sales (occurred_at)', (get) => {
  const setup = async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { costing_method: 'fifo', price: $(5) });
    const receive = (qty: number, cost: number, at: number, to = shop.storeBin) =>
      postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'rcpt', effectiveAt: at, movements: [{ itemId: item.id, fromLocationId: VIRTUAL_LOCATION_IDS.vendor, toLocationId: to, qty: u(qty), unitCostMicros: $(cost) }] });
    const sale = (qty: number, extra: Record<string, unknown> = {}, locationId: string = shop.store.id) =>
      createSale(ctx, saleBody({ location_id: locationId, lines: [{ item_id: item.id, qty, unit_price: '5.00' }], payments: [{ tender: 'card', amount: (qty * 5).toFixed(2) }], ...extra }));
    const healthy = async () => expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
    return { ctx, shop, item, receive, sale, healthy };
  };

  it('values a back-dated sale that lands between two receipts at the first layer, and re-costs the later sale', async () => {
    const { ctx, item, receive, sale, healthy } = await setup();
    const start = ctx.clock.now();
    await receive(10, 1.0, start - 5 * HOUR);
    await receive(10, 2.0, start - 1 * HOUR);
    // Online, now: 8 units take 8 of the first layer.
    const online = await sale(8);
    expect(online.lines[0]!.movements[0]!.value_micros).toBe($(8));
    // The till was offline three hours ago and sold 5: at that moment only the first layer existed.
    ctx.clock.advance(10 * 60 * 1000);
    const offline = await sale(5, { occurred_at: iso(start - 3 * HOUR) });
    expect(offline.sale.created_at).toBe(start - 3 * HOUR);
    expect(offline.lines[0]!.movements[0]).toMatchObject({ effective_at: start - 3 * HOUR, recorded_at: ctx.clock.now(), value_micros: $(5) });
    // The online sale is re-costed: 5 left of the first layer at 1.00, 3 of the second at 2.00.
    const moves = await listMovements(ctx, { itemId: item.id, limit: 50 });
    expect(moves.lines.find((m) => m.id === online.lines[0]!.movements[0]!.id)!.value_micros).toBe($(5 + 6));
    // The receipt number is the till's own next number, whatever the moment.
    expect(Number(offline.sale.number.split('-').pop())).toBe(Number(online.sale.number.split('-').pop()) + 1);
    await healthy();
  });

  it('refuses a moment older than the shop’s window or in the future beyond clock skew, and follows the window setting', async () => {
    const { ctx, receive, sale } = await setup();
    const now = ctx.clock.now();
    await receive(10, 1.0, now - 20 * DAY);
    const old = await refusal(sale(1, { occurred_at: iso(now - 8 * DAY) }));
    expect([old.code, old.status]).toEqual(['occurred_at_too_old', 422]);
    expect(old).toBeInstanceOf(OfflineError);
    const ahead = await refusal(sale(1, { occurred_at: iso(now + 10 * 60 * 1000) }));
    expect([ahead.code, ahead.status]).toEqual(['occurred_at_in_future', 422]);
    // Two minutes ahead is a till's clock drifting: it is taken as now.
    const skewed = await sale(1, { occurred_at: iso(now + 2 * 60 * 1000) });
    expect(skewed.sale.created_at).toBe(now);
    await updateSettings(ctx, { offline_window_days: 10 });
    try {
      const accepted = await sale(1, { occurred_at: iso(now - 8 * DAY) });
      expect(accepted.sale.created_at).toBe(now - 8 * DAY);
    } finally {
      await updateSettings(ctx, { offline_window_days: 7 });
    }
  });

  it('posts an offline sale at a strict site that the records cannot cover: the shortfall is booked as shortage and flagged for a count', async () => {
    const { ctx, shop, item, receive, sale, healthy } = await setup();
    await updateLocation(ctx, shop.store.id, { negative_stock: 'strict' });
    await receive(2, 1.0, ctx.clock.now() - 2 * HOUR);
    // Online, the strict store refuses to oversell.
    expect((await refusal(sale(5))).code).toBe('insufficient_stock');
    ctx.clock.advance(60_000);
    const offline = await sale(5, { occurred_at: iso(ctx.clock.now() - HOUR) });
    expect(offline.offlineShortages).toEqual([{ itemId: item.id, locationId: shop.storeBin, lotId: '', qty: u(3) }]);
    expect((await balanceAt(get().db.kysely, item.id, shop.storeBin)).onHand).toBe(0);
    // The shortfall came in at the item's cost then (1.00), so the sale's cost of goods is whole: 5 × 1.00.
    expect(offline.lines[0]!.movements.reduce((sum, m) => sum + (m.value_micros ?? 0), 0)).toBe($(5));
    const json = toSaleJson(offline, { costs: true });
    expect(json.warnings).toEqual([{ code: 'offline_shortage', item_id: item.id, location_id: shop.storeBin, lot_id: null, qty: 3 }]);
    // Read back later, the receipt still says so.
    expect(toSaleJson(await getSale(ctx, offline.sale.id), { costs: true }).warnings).toEqual(json.warnings);
    const shortage = (await listMovements(ctx, { itemId: item.id, limit: 50 })).lines.filter((m) => m.reason === 'offline_shortage');
    expect(shortage).toMatchObject([{ kind: 'adjustment', qty: u(3), from_location_id: VIRTUAL_LOCATION_IDS.adjustment, to_location_id: shop.storeBin, document_id: offline.sale.id }]);
    const needs = await needsCount(ctx, shop.store.id);
    expect(needs.shortages).toMatchObject([{ item_id: item.id, location_id: shop.storeBin, qty: u(3), sale_id: offline.sale.id, occurred_at: ctx.clock.now() - HOUR }]);
    // A strict site never goes below zero: the ledger's own invariants hold.
    await healthy();
  });

  it('keeps a sale as rung up when its item was archived before the queue replayed', async () => {
    const { ctx, item, sale } = await setup();
    await setItemStatus(ctx, item.id, 'archived');
    expect((await refusal(sale(1))).code).toBe('sale_line_invalid');
    const offline = await sale(1, { occurred_at: iso(ctx.clock.now() - HOUR) });
    expect(offline.lines[0]).toMatchObject({ item_id: item.id, unit_price_micros: $(5) });
    // An allow-negative store: it posts and flags the negative balance, as any counter sale would.
    expect(offline.negativeBalances).toHaveLength(1);
  });

  it('dates an adjustment a scanner made offline, within the same window', async () => {
    const { ctx, shop, item } = await setup();
    const at = ctx.clock.now() - 2 * HOUR;
    const adj = await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'found', occurred_at: at, lines: [{ item_id: item.id, qty: u(1) }] } as never);
    expect(adj.effective_at).toBe(at);
    const old = await refusal(createAdjustment(ctx, { location_id: shop.storeBin, reason: 'found', occurred_at: ctx.clock.now() - 30 * DAY, lines: [{ item_id: item.id, qty: u(1) }] } as never));
    expect(old.code).toBe('occurred_at_too_old');
  });
});

it('computes the shortfall beyond what is available, and none where stock covers the need', () => {
  expect(shortfalls([{ itemId: 'a', lotId: '', qty: 5000, available: 2000 }])).toEqual([{ itemId: 'a', lotId: '', qty: 3000 }]);
  expect(shortfalls([{ itemId: 'a', lotId: '', qty: 2000, available: 2000 }])).toEqual([]);
  expect(shortfalls([{ itemId: 'a', lotId: '', qty: 1000, available: -4000 }])).toEqual([{ itemId: 'a', lotId: '', qty: 1000 }]);
});

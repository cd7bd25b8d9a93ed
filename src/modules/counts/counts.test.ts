import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { balanceAt, checkLedger, listMovements } from '../ledger/index.ts';
import { approveCount, submitCount } from './count-approval.service.ts';
import { enterCountLines, scanIntoCount } from './count-lines.service.ts';
import { defaultCountSettings, exceedsThresholds } from './count-settings.service.ts';
import { createCount, getCount } from './counts.service.ts';
import { classifyAbc } from './cycle-counts.service.ts';
import './index.ts';

describe('count thresholds', () => {
  const settings = { ...defaultCountSettings('loc_x'), qty_pct_threshold: 100_000, value_abs_threshold_micros: 50_000_000, qty_abs_threshold: 5_000 };
  it('routes a variance beyond any threshold to approval and lets one within all of them through', () => {
    expect(exceedsThresholds(settings, { expectedQty: 100_000, varianceQty: -5_000, unitCostMicros: 1_000_000 })).toBe(false);
    expect(exceedsThresholds(settings, { expectedQty: 100_000, varianceQty: -6_000, unitCostMicros: 1_000_000 })).toBe(true);
    expect(exceedsThresholds(settings, { expectedQty: 10_000, varianceQty: 2_000, unitCostMicros: 1_000_000 })).toBe(true);
    expect(exceedsThresholds(settings, { expectedQty: 1_000_000, varianceQty: 1_000, unitCostMicros: 60_000_000 })).toBe(true);
    expect(exceedsThresholds(settings, { expectedQty: 0, varianceQty: 1_000, unitCostMicros: null })).toBe(true);
    expect(exceedsThresholds(settings, { expectedQty: 0, varianceQty: 0, unitCostMicros: null })).toBe(false);
  });
});

describe('ABC classes', () => {
  it('classes the items making the first 80% of cost of goods sold A, the next 15% B and the rest C', () => {
    const classes = classifyAbc([
      { itemId: 'a', cogsMicros: 700 },
      { itemId: 'b', cogsMicros: 150 },
      { itemId: 'c', cogsMicros: 100 },
      { itemId: 'd', cogsMicros: 50 },
      { itemId: 'e', cogsMicros: 0 },
    ]);
    expect(Object.fromEntries(classes)).toEqual({ a: 'A', b: 'A', c: 'B', d: 'C', e: 'C' });
  });
});

describeEachDatabase('counts', (get, dialect) => {
  it('reconciles a lot-tracked item per lot, with GS1 scans filling lot and expiry', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { tracking: 'lot', tracks_expiry: true, barcodes: ['09501101530003'] });
    await createAdjustment(ctx, {
      location_id: shop.storeBin,
      reason: 'opening_balance',
      lines: [
        { item_id: item.id, qty: 3000, lot_code: 'L1', expires_on: '2027-01-01', unit_cost: 1_000_000 },
        { item_id: item.id, qty: 2000, lot_code: 'L2', expires_on: '2027-02-01', unit_cost: 1_000_000 },
      ],
    });
    ctx.clock.advance(60_000);
    const count = await createCount(ctx, { site_id: shop.store.id, kind: 'spot', mode: 'blind', scope: { item_ids: [item.id] } });
    expect(count.lines.map((l) => l.lot_code)).toEqual(['L1', 'L2']);
    ctx.clock.advance(60_000);
    for (let i = 0; i < 3; i += 1) await scanIntoCount(ctx, count.count.id, { location_id: shop.storeBin, code: '(01)09501101530003(17)270101(10)L1' });
    const found = await scanIntoCount(ctx, count.count.id, { location_id: shop.storeBin, code: '(01)09501101530003(17)270301(10)L3' });
    expect(found.line).toMatchObject({ lot_code: 'L3', found: 1, counted_qty: 1000 });
    expect(found.scan).toMatchObject({ lotCode: 'L3', expiresOn: '2027-03-01' });
    await enterCountLines(ctx, count.count.id, [{ location_id: shop.storeBin, item_id: item.id, lot_code: 'L2', qty: 1000 }]);
    const submitted = await submitCount(ctx, count.count.id, 'error');
    expect(submitted.count.status).toBe('submitted');
    const posted = await approveCount(ctx, count.count.id, undefined);
    expect(posted.count.status).toBe('posted');
    const byLot = Object.fromEntries(posted.lines.map((l) => [l.lot_code, l.variance_qty]));
    expect(byLot).toEqual({ L1: 0, L2: -1000, L3: 1000 });
    const lots = Object.fromEntries(posted.lines.map((l) => [l.lot_code, l.lot_id]));
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin, lots.L2)).toMatchObject({ onHand: 1000 });
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin, lots.L3)).toMatchObject({ onHand: 1000 });
    const moves = await listMovements(ctx, { documentId: count.count.id, limit: 10 });
    expect(moves.lines).toHaveLength(2);
    expect((await checkLedger(get().db)).ok).toBe(true);
  });

  it('loses no scan when two counters scan the same bin at the same time', async () => {
    const ctx = serviceContext(get().db, new ManualClock(Date.UTC(2026, 10, 3, 9)));
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 40_000, unit_cost: 1_000_000 }] });
    const count = await createCount(ctx, { site_id: shop.warehouse.id, kind: 'cycle', mode: 'blind', scope: { item_ids: [item.id] } });
    // Two pools on PostgreSQL; on SQLite one handle (better-sqlite3 blocks the process while it
    // waits for a lock another handle of the same process holds), whose transactions interleave.
    const second = dialect === 'postgres' ? { ...ctx, db: await get().openAnother() } : ctx;
    const beeps = Array.from({ length: 40 }, (_, i) => scanIntoCount(i % 2 ? ctx : second, count.count.id, { location_id: shop.warehouseBins[0]!, code: item.sku }));
    await Promise.all(beeps);
    const after = await getCount(ctx, count.count.id);
    expect(after.lines.filter((l) => l.status !== 'superseded').map((l) => l.counted_qty)).toEqual([40_000]);
  });

  it('lets stockroom check catch a posted count whose variance the ledger did not move', async () => {
    const ctx = serviceContext(get().db, new ManualClock(Date.UTC(2026, 10, 4, 9)));
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 5000, unit_cost: 1_000_000 }] });
    const count = await createCount(ctx, { site_id: shop.store.id, kind: 'spot', mode: 'guided', scope: { item_ids: [item.id] } });
    await enterCountLines(ctx, count.count.id, [{ location_id: shop.storeBin, item_id: item.id, qty: 4900 }]);
    const posted = await submitCount(ctx, count.count.id, 'error');
    expect(posted.count.status).toBe('posted');
    expect((await checkLedger(get().db)).ok).toBe(true);
    const line = posted.lines[0]!;
    await get().db.kysely.updateTable('count_lines').set({ variance_qty: -200 }).where('id', '=', line.id).execute();
    const report = await checkLedger(get().db);
    expect(report.invariants.find((i) => i.name === 'count_variances_posted')).toMatchObject({ ok: false });
    await get().db.kysely.updateTable('count_lines').set({ variance_qty: line.variance_qty }).where('id', '=', line.id).execute();
    await get().db.kysely.updateTable('count_lines').set({ status: 'approved' }).where('id', '=', line.id).execute();
    expect((await checkLedger(get().db)).invariants.find((i) => i.name === 'posted_counts_complete')).toMatchObject({ ok: false });
    await get().db.kysely.updateTable('count_lines').set({ status: 'posted' }).where('id', '=', line.id).execute();
    expect((await checkLedger(get().db)).ok).toBe(true);
  });
});

import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { balanceAt, checkLedger, listMovements } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { createAdjustment, getAdjustment, listAdjustments, reverseAdjustment } from './adjustments.service.ts';

describeEachDatabase('adjustments', (get) => {
  it('posts opening stock into the site’s default bin at the cost given', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { units: [{ name: 'case', factor: 12_000 }] });
    const adj = await createAdjustment(ctx, {
      location_id: shop.store.id,
      reason: 'opening_balance',
      lines: [{ item_id: item.id, qty: 2000, unit: 'case', unit_cost: 1_500_000 }],
    });
    expect(adj.number).toMatch(/^ADJ-\d{6}$/);
    expect(adj.location_id).toBe(shop.storeBin);
    expect(adj.lines).toMatchObject([{ qty_delta: 24_000, unit_cost_micros: 1_500_000 }]);
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin)).toEqual({ onHand: 24_000, reserved: 0 });
    const moves = await listMovements(ctx, { documentId: adj.id, limit: 10 });
    expect(moves.lines).toMatchObject([{ from_location_id: VIRTUAL_LOCATION_IDS.adjustment, qty: 24_000, value_micros: 36_000_000, reason: 'opening_balance' }]);
  });

  it('sends damaged stock to scrap and refuses the wrong sign for a reason', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const bin = shop.warehouseBins[0]!;
    await createAdjustment(ctx, { location_id: bin, reason: 'found', lines: [{ item_id: item.id, qty: 5000 }] });
    const damaged = await createAdjustment(ctx, { location_id: bin, reason: 'damaged', note: 'Dropped', lines: [{ item_id: item.id, qty: -2000 }] });
    expect(await balanceAt(get().db.kysely, item.id, VIRTUAL_LOCATION_IDS.scrap)).toEqual({ onHand: 2000, reserved: 0 });
    expect(damaged.note).toBe('Dropped');
    await expect(createAdjustment(ctx, { location_id: bin, reason: 'theft', lines: [{ item_id: item.id, qty: 1000 }] })).rejects.toMatchObject({
      code: 'adjustment_line_invalid',
    });
    await expect(createAdjustment(ctx, { location_id: bin, reason: 'theft', lines: [{ item_id: item.id, qty: -4000 }] })).rejects.toMatchObject({
      code: 'insufficient_stock',
    });
  });

  it('creates lots with expiry on the way in and needs a known lot on the way out', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { tracking: 'lot', tracks_expiry: true });
    await expect(createAdjustment(ctx, { location_id: shop.storeBin, reason: 'found', lines: [{ item_id: item.id, qty: 1000, lot_code: 'B1' }] })).rejects.toMatchObject({
      code: 'adjustment_line_invalid',
    });
    const adj = await createAdjustment(ctx, {
      location_id: shop.storeBin,
      reason: 'found',
      lines: [{ item_id: item.id, qty: 3000, lot_code: 'B1', expires_on: '2027-02-01' }],
    });
    expect(adj.lines[0]!.lot_id).toMatch(/^lot_/);
    await expect(createAdjustment(ctx, { location_id: shop.storeBin, reason: 'expired', lines: [{ item_id: item.id, qty: -1000, lot_code: 'NOPE' }] })).rejects.toMatchObject({
      code: 'adjustment_line_invalid',
    });
    await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'expired', lines: [{ item_id: item.id, qty: -1000, lot_code: 'B1' }] });
    expect(await balanceAt(get().db.kysely, item.id, shop.storeBin, adj.lines[0]!.lot_id)).toEqual({ onHand: 2000, reserved: 0 });
  });

  it('is undone by one reversal, which puts stock back at the cost it left with', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const bin = shop.warehouseBins[1]!;
    const opening = await createAdjustment(ctx, { location_id: bin, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 4000, unit_cost: 2_000_000 }] });
    const theft = await createAdjustment(ctx, { location_id: bin, reason: 'theft', lines: [{ item_id: item.id, qty: -1000 }] });
    const reversal = await reverseAdjustment(ctx, theft.id, undefined);
    expect(reversal.reverses_id).toBe(theft.id);
    expect(reversal.lines).toMatchObject([{ qty_delta: 1000 }]);
    expect((await getAdjustment(ctx, theft.id)).reversed_by_id).toBe(reversal.id);
    await expect(reverseAdjustment(ctx, theft.id, undefined)).rejects.toMatchObject({ code: 'adjustment_already_reversed' });
    await expect(reverseAdjustment(ctx, reversal.id, undefined)).rejects.toMatchObject({ code: 'adjustment_already_reversed' });
    expect(await balanceAt(get().db.kysely, item.id, bin)).toEqual({ onHand: 4000, reserved: 0 });
    const listed = await listAdjustments(ctx, { locationId: shop.warehouse.id, limit: 10 });
    expect(listed.records.map((r) => r.id)).toEqual([reversal.id, theft.id, opening.id]);
    expect((await checkLedger(get().db)).ok).toBe(true);
  });

  it('records a back-dated adjustment at the instant it happened', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const yesterday = ctx.clock.now() - 86_400_000;
    const adj = await createAdjustment(ctx, { location_id: shop.storeBin, reason: 'found', effective_at: yesterday, lines: [{ item_id: item.id, qty: 1000 }] });
    expect(adj.effective_at).toBe(yesterday);
    expect(adj.posted_at).toBe(ctx.clock.now());
    await expect(
      createAdjustment(ctx, { location_id: shop.storeBin, reason: 'found', effective_at: ctx.clock.now() + 86_400_000, lines: [{ item_id: item.id, qty: 1000 }] }),
    ).rejects.toMatchObject({ code: 'movement_invalid' });
  });
});

import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { newId } from '../../platform/ids.ts';
import { postMovements } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { checkCosting } from './costing-check.service.ts';

const { vendor, customer } = VIRTUAL_LOCATION_IDS;
const u = (n: number) => Math.round(n * 1000);
const $ = (n: number) => Math.round(n * 1_000_000);

/*
 * Each costing invariant passes on a healthy database and names the damage when one table is
 * changed behind costing's back (undone after each step): a check that cannot fail checks nothing.
 */
describeEachDatabase('costing check', (get) => {
  it('passes a healthy ledger and fails each invariant on the damage it is about', async () => {
    const ctx = serviceContext(get().db);
    const k = get().db.kysely;
    const shop = await makeShop(ctx);
    const bin = shop.warehouseBins[0]!;
    const item = await makeItem(ctx, { tracking: 'lot' });
    const lot = { A: newId('lot'), B: newId('lot') };
    await k
      .insertInto('lots')
      .values(Object.entries(lot).map(([code, id]) => ({ id, item_id: item.id, code, kind: 'lot' as const, expires_on: null, created_at: ctx.clock.now() })))
      .execute();
    const post = async (kind: 'receipt' | 'sale', lotId: string, qty: number, cost?: number) => {
      ctx.clock.advance(1000);
      const posted = await postMovements(ctx, {
        kind,
        documentType: 'test',
        documentId: kind,
        movements: [{ itemId: item.id, lotId, fromLocationId: kind === 'receipt' ? vendor : bin, toLocationId: kind === 'receipt' ? bin : customer, qty: u(qty), unitCostMicros: cost === undefined ? null : $(cost) }],
      });
      return posted.movements[0]!;
    };
    const inA = await post('receipt', lot.A, 2, 1.0);
    const inB = await post('receipt', lot.B, 2, 3.0);
    const sale = await post('sale', lot.A, 1);
    expect(sale.value_micros).toBe($(1));

    const healthy = await checkCosting(get().db);
    expect(healthy.map((c) => [c.name, c.ok, c.violations])).toEqual(
      [
        'layers_match_consumptions',
        'value_on_hand_matches_layers',
        'costed_quantity_matches_stock',
        'value_matches_movements',
        'movement_cost_matches_consumptions',
        'draws_stay_in_their_lot',
        'costed_lot_quantity_matches_stock',
      ].map((name) => [name, true, []]),
    );
    for (const check of healthy) expect(check.description.length, check.name).toBeGreaterThan(40);

    const failing = async () => {
      const results = await checkCosting(get().db);
      for (const r of results) expect(r.ok, r.name).toBe(r.violations.length === 0);
      return Object.fromEntries(results.filter((r) => !r.ok).map((r) => [r.name, r.violations]));
    };
    const layer = (movementId: string, change: { qty?: number; value?: number }) =>
      k
        .updateTable('cost_layers')
        .set((eb) => ({ qty_remaining: eb('qty_remaining', '+', change.qty ?? 0), value_remaining_micros: eb('value_remaining_micros', '+', change.value ?? 0) }))
        .where('movement_id', '=', movementId)
        .execute();

    // A layer holding less than came in less what was drawn: the layer and the item's pool disagree.
    await layer(inA.id, { qty: -u(1) });
    expect(await failing()).toEqual({
      layers_match_consumptions: [{ movement_id: inA.id, item_id: item.id, qty_in: u(2), qty_remaining: 0, value_in_micros: $(2), value_remaining_micros: $(1) }],
      value_on_hand_matches_layers: [{ item_id: item.id, pool_qty: u(3), pool_value_micros: $(7), layers_qty: u(2), layers_value: $(7) }],
    });
    await layer(inA.id, { qty: u(1) });

    // The item's pool one unit over the stock it owns.
    await k.updateTable('item_costs').set((eb) => ({ pool_qty: eb('pool_qty', '+', u(1)) })).where('item_id', '=', item.id).execute();
    expect(Object.keys(await failing())).toEqual(['value_on_hand_matches_layers', 'costed_quantity_matches_stock']);
    expect((await failing()).costed_quantity_matches_stock).toEqual([{ item_id: item.id, pool_qty: u(4), shortfall_qty: 0, owned_qty: u(3) }]);
    await k.updateTable('item_costs').set((eb) => ({ pool_qty: eb('pool_qty', '-', u(1)) })).where('item_id', '=', item.id).execute();

    // A sale recorded at a cost other than what it drew.
    await k.updateTable('movements').set({ value_micros: $(1) + 1 }).where('id', '=', sale.id).execute();
    const cost = await failing();
    expect(Object.keys(cost)).toEqual(['value_matches_movements', 'movement_cost_matches_consumptions']);
    expect(cost.movement_cost_matches_consumptions).toEqual([{ id: sale.id, item_id: item.id, qty: u(1), value_micros: $(1) + 1, drawn_qty: u(1), drawn_value: $(1) }]);
    expect(cost.value_matches_movements).toEqual([{ item_id: item.id, pool_value_micros: $(7), shortfall_value: 0, movements_value: $(7) - 1 }]);
    await k.updateTable('movements').set({ value_micros: $(1) }).where('id', '=', sale.id).execute();

    // A draw of lot A recorded as lot B's.
    await k.updateTable('cost_consumptions').set({ lot_id: lot.B }).where('movement_id', '=', sale.id).execute();
    expect(await failing()).toEqual({ draws_stay_in_their_lot: [{ movement_id: sale.id, item_id: item.id, lot_id: lot.B, layer_movement_id: inA.id, layer_lot_id: lot.A }] });
    await k.updateTable('cost_consumptions').set({ lot_id: lot.A }).where('movement_id', '=', sale.id).execute();

    // A unit moved from lot B's layer to lot A's: the item adds up, its lots do not.
    await layer(inB.id, { qty: -u(1) });
    await layer(inA.id, { qty: u(1) });
    const lots = await failing();
    expect(Object.keys(lots)).toEqual(['layers_match_consumptions', 'costed_lot_quantity_matches_stock']);
    const byLot = (lots.costed_lot_quantity_matches_stock as Array<{ lot_id: string }>).sort((a, b) => (a.lot_id < b.lot_id ? -1 : 1));
    expect(byLot).toEqual(
      [
        { item_id: item.id, lot_id: lot.A, difference: u(1) },
        { item_id: item.id, lot_id: lot.B, difference: -u(1) },
      ].sort((a, b) => (a.lot_id < b.lot_id ? -1 : 1)),
    );
    await layer(inA.id, { qty: -u(1) });
    await layer(inB.id, { qty: u(1) });
    expect(await failing()).toEqual({});
  });
});

import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { up as migrateLotCosts } from '../../platform/db/migrations/0019-lot-costs.ts';
import { newId } from '../../platform/ids.ts';
import { checkLedger, postMovements } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { REPLAY_PENDING_AT } from './costing.service.ts';

const { vendor, customer } = VIRTUAL_LOCATION_IDS;
const u = (n: number) => Math.round(n * 1000);
const $ = (n: number) => Math.round(n * 1_000_000);

/**
 * Migration 0019 against a database as it stood before layers carried lots: the history is posted
 * today, then put back the way item-wide FIFO had left it (a sale of lot B drawing lot A's older
 * layer) and the lot columns dropped, before the migration runs again.
 */
describeEachDatabase('lot-costs migration', (get) => {
  it('stamps layers with their lot, keeps a lot-less layer lot-less, and re-costs by lot an item whose draws crossed lots', async () => {
    const ctx = serviceContext(get().db);
    const k = get().db.kysely;
    const shop = await makeShop(ctx);
    const bin = shop.warehouseBins[0]!;
    const milk = await makeItem(ctx, { tracking: 'lot' });
    const plain = await makeItem(ctx);
    const lotA = newId('lot');
    const lotB = newId('lot');
    await k
      .insertInto('lots')
      .values([
        { id: lotA, item_id: milk.id, code: 'A', kind: 'lot', expires_on: null, created_at: ctx.clock.now() },
        { id: lotB, item_id: milk.id, code: 'B', kind: 'lot', expires_on: null, created_at: ctx.clock.now() },
      ])
      .execute();
    const receive = (itemId: string, lotId: string, cost: number) =>
      postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: 'r', movements: [{ itemId, lotId, fromLocationId: vendor, toLocationId: bin, qty: u(10), unitCostMicros: $(cost) }] });
    const a = await receive(milk.id, lotA, 1.4);
    ctx.clock.advance(1000);
    const b = await receive(milk.id, lotB, 1.6);
    await receive(plain.id, '', 2);
    ctx.clock.advance(1000);
    const sale = await postMovements(ctx, { kind: 'sale', documentType: 'test', documentId: 's', movements: [{ itemId: milk.id, lotId: lotB, fromLocationId: bin, toLocationId: customer, qty: u(4) }] });
    const saleId = sale.movements[0]!.id;
    const layerA = a.movements[0]!.id;
    const layerB = b.movements[0]!.id;

    // Back to before 0019: the sale of lot B drew lot A's older layer (4 × 1.40), and no lot columns.
    await k.updateTable('cost_consumptions').set({ layer_id: layerA, value_micros: $(5.6) }).where('movement_id', '=', saleId).execute();
    await k.updateTable('cost_layers').set({ qty_remaining: u(6), value_remaining_micros: $(8.4) }).where('movement_id', '=', layerA).execute();
    await k.updateTable('cost_layers').set({ qty_remaining: u(10), value_remaining_micros: $(16) }).where('movement_id', '=', layerB).execute();
    await k.updateTable('item_costs').set({ pool_value_micros: $(24.4) }).where('item_id', '=', milk.id).execute();
    await k.updateTable('movements').set({ value_micros: $(5.6), unit_cost_micros: $(1.4) }).where('id', '=', saleId).execute();
    await k.schema.dropIndex('cost_layers_lot_open').execute();
    await k.schema.alterTable('cost_layers').dropColumn('lot_id').execute();
    await k.schema.alterTable('cost_consumptions').dropColumn('lot_id').execute();

    await migrateLotCosts(k);

    const layers = await k.selectFrom('cost_layers').select(['movement_id', 'lot_id']).where('item_id', 'in', [milk.id, plain.id]).orderBy('movement_id').execute();
    expect(layers.map((l) => l.lot_id).sort()).toEqual(['', lotA, lotB].sort());
    const marked = await k.selectFrom('item_costs').select(['item_id', 'last_effective_at']).where('item_id', 'in', [milk.id, plain.id]).execute();
    expect(Object.fromEntries(marked.map((m) => [m.item_id, Number(m.last_effective_at) === REPLAY_PENDING_AT]))).toEqual({ [milk.id]: true, [plain.id]: false });
    // Until its replay the marked item is left out of the lot invariants; everything else holds.
    expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);

    // The next posting of the item replays it by lot: the old sale now costs lot B's 4 × 1.60.
    ctx.clock.advance(1000);
    const next = await postMovements(ctx, { kind: 'sale', documentType: 'test', documentId: 's2', movements: [{ itemId: milk.id, lotId: lotA, fromLocationId: bin, toLocationId: customer, qty: u(1) }] });
    const values = await k.selectFrom('movements').select(['id', 'value_micros']).where('id', 'in', [saleId, next.movements[0]!.id]).execute();
    expect(Object.fromEntries(values.map((v) => [v.id, Number(v.value_micros)]))).toEqual({ [saleId]: $(6.4), [next.movements[0]!.id]: $(1.4) });
    const state = await k.selectFrom('item_costs').select(['pool_value_micros', 'last_effective_at']).where('item_id', '=', milk.id).executeTakeFirstOrThrow();
    // 9 of lot A at 1.40 and 6 of lot B at 1.60.
    expect(Number(state.pool_value_micros)).toBe($(12.6 + 9.6));
    expect(Number(state.last_effective_at)).toBeLessThan(REPLAY_PENDING_AT);
    expect((await checkLedger(get().db)).invariants.filter((i) => !i.ok)).toEqual([]);
  });
});

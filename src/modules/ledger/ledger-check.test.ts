import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext, type TestDatabase } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { checkLedger, findOrCreateLot, postMovements, registerDocumentCheck, reserveStock } from './index.ts';

const { customer, vendor } = VIRTUAL_LOCATION_IDS;

/**
 * Each test damages the database by hand, reads which invariants `checkLedger` names and with
 * which rows, then repairs it, so the next test starts from a sound ledger.
 */
describeEachDatabase('ledger check', (get) => {
  const k = () => get().db.kysely;
  const failing = async () => {
    const report = await checkLedger(get().db, 42);
    return { report, names: report.invariants.filter((i) => !i.ok).map((i) => i.name).sort(), violations: (name: string) => report.invariants.find((i) => i.name === name)!.violations };
  };

  async function setUp() {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const bin = shop.warehouseBins[0]!;
    await postMovements(ctx, { kind: 'receipt', documentType: 'test', documentId: `in-${item.id}`, movements: [{ itemId: item.id, fromLocationId: vendor, toLocationId: bin, qty: 3000, unitCostMicros: 1_000_000 }] });
    return { ctx, shop, item, bin };
  }
  const setBalance = (itemId: string, locationId: string, values: { on_hand?: number; reserved?: number }) =>
    k().updateTable('balances').set(values).where('item_id', '=', itemId).where('location_id', '=', locationId).execute();

  it('passes a sound ledger and counts its rows', async () => {
    const s = await setUp();
    await reserveStock(s.ctx, { itemId: s.item.id, locationId: s.bin, qty: 1000, documentType: 'order', documentId: 'o' });
    const { report } = await failing();
    expect(report.ok).toBe(true);
    expect(report.checkedAt).toBe(42);
    const count = async (table: 'movements' | 'balances' | 'reservations') => Number((await k().selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(report.counts).toEqual({ movements: await count('movements'), balances: await count('balances'), reservations: await count('reservations') });
    expect(report.counts.reservations).toBeGreaterThan(0);
    expect(report.invariants.slice(0, 8).map((i) => i.name)).toEqual([
      'conservation',
      'balances_match_ledger',
      'strict_not_negative',
      'reserved_within_on_hand',
      'reserved_matches_reservations',
      'serial_one_unit',
      'movements_well_formed',
      'transactions_have_movements',
    ]);
    expect(report.invariants.every((i) => i.ok && i.violations.length === 0 && i.description.length > 0)).toBe(true);
  });

  it('names a balance that no longer matches the ledger, and the item that no longer sums to zero', async () => {
    const s = await setUp();
    await setBalance(s.item.id, s.bin, { on_hand: 2500 });
    const { names, violations } = await failing();
    expect(names).toContain('conservation');
    expect(names).toContain('balances_match_ledger');
    expect(violations('conservation').map((v) => [v.item_id, Number(v.total)])).toEqual([[s.item.id, -500]]);
    expect(violations('balances_match_ledger').map((v) => [v.item_id, v.location_id, v.lot_id, Number(v.ledger_minus_balance)])).toEqual([[s.item.id, s.bin, '', 500]]);
    expect(names).not.toContain('strict_not_negative');
    await setBalance(s.item.id, s.bin, { on_hand: 3000 });
    expect((await failing()).report.ok).toBe(true);
  });

  it('names a strict bin below zero, but not an allow-negative store', async () => {
    const s = await setUp();
    await postMovements(s.ctx, { kind: 'sale', documentType: 'test', documentId: 'oversold', movements: [{ itemId: s.item.id, fromLocationId: s.shop.storeBin, toLocationId: customer, qty: 1000 }] });
    expect((await failing()).names).not.toContain('strict_not_negative');
    // Move the store's −1 into the strict bin: the sums still hold, the bin does not.
    await k().updateTable('movements').set({ from_location_id: s.bin }).where('document_id', '=', 'oversold').execute();
    await setBalance(s.item.id, s.shop.storeBin, { on_hand: 0 });
    await setBalance(s.item.id, s.bin, { on_hand: -1000 });
    await k().updateTable('movements').set({ to_location_id: customer }).where('document_id', '=', `in-${s.item.id}`).execute();
    const { names, violations } = await failing();
    expect(violations('strict_not_negative').map((v) => [v.item_id, v.location_id, v.lot_id, Number(v.on_hand)])).toEqual([[s.item.id, s.bin, '', -1000]]);
    expect(names).toContain('strict_not_negative');
    await k().updateTable('movements').set({ to_location_id: s.bin }).where('document_id', '=', `in-${s.item.id}`).execute();
    await k().updateTable('movements').set({ from_location_id: s.shop.storeBin }).where('document_id', '=', 'oversold').execute();
    await setBalance(s.item.id, s.shop.storeBin, { on_hand: -1000 });
    await setBalance(s.item.id, s.bin, { on_hand: 3000 });
    expect((await failing()).report.ok).toBe(true);
  });

  it('names promises beyond what a strict bin holds, and promises without a reservation', async () => {
    const s = await setUp();
    await reserveStock(s.ctx, { itemId: s.item.id, locationId: s.bin, qty: 3000, documentType: 'order', documentId: 'all' });
    expect((await failing()).report.ok).toBe(true);
    await k().updateTable('reservations').set({ qty: 3500 }).where('document_id', '=', 'all').where('item_id', '=', s.item.id).execute();
    await setBalance(s.item.id, s.bin, { reserved: 3500 });
    let check = await failing();
    expect(check.names).toEqual(['reserved_within_on_hand']);
    expect(check.violations('reserved_within_on_hand').map((v) => [v.item_id, v.location_id, Number(v.on_hand), Number(v.reserved)])).toEqual([[s.item.id, s.bin, 3000, 3500]]);

    await setBalance(s.item.id, s.bin, { reserved: 2000 });
    check = await failing();
    expect(check.names).toEqual(['reserved_matches_reservations']);
    expect(check.violations('reserved_matches_reservations').map((v) => [v.item_id, v.location_id, v.lot_id, Number(v.reservations_minus_reserved)])).toEqual([[s.item.id, s.bin, '', 1500]]);

    // At an allow-negative store promising more than is there is allowed. (A negative promise is
    // refused by the table's check constraint before this check could see it.)
    await k().updateTable('reservations').set({ qty: 3000 }).where('document_id', '=', 'all').where('item_id', '=', s.item.id).execute();
    await setBalance(s.item.id, s.bin, { reserved: 3000 });
    await k().insertInto('balances').values({ item_id: s.item.id, location_id: s.shop.storeBin, lot_id: '', on_hand: 0, reserved: 2000, updated_at: 1 }).execute();
    expect((await failing()).names).toEqual(['reserved_matches_reservations']);
    await k().deleteFrom('balances').where('item_id', '=', s.item.id).where('location_id', '=', s.shop.storeBin).execute();
    expect((await failing()).report.ok).toBe(true);
  });

  it('names a serial number on hand twice, but not once', async () => {
    const s = await setUp();
    const serial = await makeItem(s.ctx, { tracking: 'serial' });
    const sn = await k().transaction().execute((trx) => findOrCreateLot(trx, serial.id, 'serial', { code: 'SN-77' }, s.ctx.clock.now()));
    await postMovements(s.ctx, { kind: 'receipt', documentType: 'test', documentId: 'sn', movements: [{ itemId: serial.id, lotId: sn.id, fromLocationId: vendor, toLocationId: s.bin, qty: 1000, unitCostMicros: 1 }] });
    expect((await failing()).report.ok).toBe(true);
    await k().insertInto('balances').values({ item_id: serial.id, location_id: s.shop.storeBin, lot_id: sn.id, on_hand: 1000, reserved: 0, updated_at: 1 }).execute();
    await k().insertInto('balances').values({ item_id: serial.id, location_id: customer, lot_id: sn.id, on_hand: -1000, reserved: 0, updated_at: 1 }).execute();
    const { names, violations } = await failing();
    expect(names).toContain('serial_one_unit');
    expect(violations('serial_one_unit').map((v) => [v.item_id, v.lot_id, v.code, Number(v.on_hand)])).toEqual([[serial.id, sn.id, 'SN-77', 2000]]);
    await k().deleteFrom('balances').where('item_id', '=', serial.id).where('location_id', 'in', [s.shop.storeBin, customer]).execute();
    expect((await failing()).report.ok).toBe(true);
  });

  it('names a movement of an unstocked item, and a transaction without movements', async () => {
    const s = await setUp();
    const movement = await k().selectFrom('movements').selectAll().where('item_id', '=', s.item.id).executeTakeFirstOrThrow();
    const wellFormed = async () => (await failing()).violations('movements_well_formed').map((v) => v.id);
    // (A movement of nothing, or from a location to itself, is refused by the table's check constraints.)
    expect(await wellFormed()).toEqual([]);
    await k().updateTable('items').set({ stocked: 0 }).where('id', '=', s.item.id).execute();
    expect(await wellFormed()).toEqual([movement.id]);
    await k().updateTable('items').set({ stocked: 1 }).where('id', '=', s.item.id).execute();
    expect((await failing()).report.ok).toBe(true);

    await k().insertInto('ledger_transactions').values({ id: 'txn_empty', kind: 'adjustment', document_type: 'test', document_id: 'nothing', effective_at: 1, recorded_at: 1, actor_id: null }).execute();
    const { names, violations } = await failing();
    expect(names).toEqual(['transactions_have_movements']);
    expect(violations('transactions_have_movements')).toEqual([{ id: 'txn_empty', document_type: 'test', document_id: 'nothing' }]);
    await k().deleteFrom('ledger_transactions').where('id', '=', 'txn_empty').execute();
  });

  it('adds the checks other modules register, once per name', async () => {
    await setUp();
    const ran: string[] = [];
    const check = (ok: boolean) => ({
      name: 'test_document_check',
      check: async () => {
        ran.push('x');
        return [{ name: 'test_documents', description: 'A test.', ok, violations: ok ? [] : [{ id: 'doc' }] }];
      },
    });
    registerDocumentCheck(check(true));
    registerDocumentCheck(check(false));
    const { report, names } = await failing();
    expect(ran).toEqual(['x']);
    expect(names).toEqual(['test_documents']);
    expect(report.ok).toBe(false);
    expect(report.invariants.at(-1)).toEqual({ name: 'test_documents', description: 'A test.', ok: false, violations: [{ id: 'doc' }] });
    registerDocumentCheck(check(true));
    expect((await failing()).report.ok).toBe(true);
  });
});

import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { expectLedgerError } from '../../../test/support/ledger-errors.ts';
import { makeItem, makeShop, type Shop } from '../../../test/support/fixtures.ts';
import { QTY_MAX } from '../../platform/quantity.ts';
import { setItemStatus } from '../catalog/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { findOrCreateLot, LedgerError, MAX_MOVEMENTS_PER_TRANSACTION, postMovements, reserveStock, type MovementInput, type PostInput } from './index.ts';

/**
 * Each refusal the ledger makes before writing a posting (`validate()` in movements.service.ts):
 * the code a client branches on, the field error that names the offending line, and a posting
 * just inside each boundary that goes through. One bad line per posting, so a check that stops
 * firing, or fires on the wrong line or field, changes what the caller is told.
 */
const { adjustment, customer, scrap, transit, vendor } = VIRTUAL_LOCATION_IDS;
const NOW = Date.UTC(2026, 10, 2, 9);
const FIVE_MINUTES = 5 * 60 * 1000;

let docs = 0;
function posting(movements: MovementInput[], extra: Partial<PostInput> = {}): PostInput {
  docs += 1;
  return { kind: 'adjustment', documentType: 'test', documentId: `validate-${docs}`, movements, ...extra };
}

describeEachDatabase('ledger postings refused before writing', (get) => {
  const ctx = () => serviceContext(get().db);
  let shopMemo: Shop | undefined;
  const shop = async () => (shopMemo ??= await makeShop(ctx()));
  const lotOf = (itemId: string, tracking: 'lot' | 'serial', code: string) =>
    get().db.kysely.transaction().execute((trx) => findOrCreateLot(trx, itemId, tracking, { code }, NOW));
  /** One line, posted alone: the line's field errors are the whole answer. */
  const line = async (m: Partial<MovementInput> & { itemId: string }, extra: Partial<PostInput> = {}) =>
    postMovements(ctx(), posting([{ fromLocationId: adjustment, toLocationId: (await shop()).storeBin, qty: 1000, ...m }], extra));
  const fieldErrors = (error: LedgerError) => error.errors?.map((e) => `${e.field}:${e.code}`);

  it('holds 1 to 5,000 movements in a posting', async () => {
    const empty = await expectLedgerError(postMovements(ctx(), posting([])), 'movement_invalid');
    expect(empty.message).toBe('A ledger transaction holds 1 to 5000 movements, not 0.');
    const notStocked = await makeItem(ctx(), { stocked: false });
    const bin = (await shop()).storeBin;
    const many = (n: number) => Array.from({ length: n }, () => ({ itemId: notStocked.id, fromLocationId: adjustment, toLocationId: bin, qty: 1000 }));
    expect(MAX_MOVEMENTS_PER_TRANSACTION).toBe(5000);
    const tooMany = await expectLedgerError(postMovements(ctx(), posting(many(5001))), 'movement_invalid');
    expect(tooMany.message).toBe('A ledger transaction holds 1 to 5000 movements, not 5001.');
    // 5,000 passes the count and reaches the per-line checks (which refuse the item).
    const atLimit = await expectLedgerError(postMovements(ctx(), posting(many(5000))), 'item_not_stockable');
    expect(atLimit.errors).toHaveLength(5000);
  });

  it('takes a date up to five minutes ahead of the clock, and none later, at or before the epoch or fractional', async () => {
    const item = await makeItem(ctx());
    const dated = async (effectiveAt: number) => {
      const error = await expectLedgerError(line({ itemId: item.id }, { effectiveAt }), 'movement_invalid');
      expect(error.message).toBe('A movement cannot be dated in the future.');
      expect(error.errors).toBeUndefined();
    };
    await dated(NOW + FIVE_MINUTES + 1);
    await dated(0);
    await dated(-1);
    await dated(NOW + 0.5);
    await dated(Number.MAX_SAFE_INTEGER + 2);
    expect((await line({ itemId: item.id }, { effectiveAt: NOW + FIVE_MINUTES })).effectiveAt).toBe(NOW + FIVE_MINUTES);
    expect((await line({ itemId: item.id }, { effectiveAt: 1 })).effectiveAt).toBe(1);
    expect((await line({ itemId: item.id })).effectiveAt).toBe(NOW);
  });

  it('moves a whole positive quantity up to the maximum', async () => {
    const item = await makeItem(ctx());
    for (const qty of [0, -1000, 1500.5, QTY_MAX + 1]) {
      const error = await expectLedgerError(line({ itemId: item.id, qty }), 'movement_invalid');
      expect(error.message).toBe('quantity must be positive and within range');
      expect(error.errors).toEqual([{ field: 'movements.0.qty', code: 'out_of_range', message: 'quantity must be positive and within range' }]);
    }
    await line({ itemId: item.id, qty: 1 });
    await line({ itemId: item.id, qty: QTY_MAX });
  });

  it('moves between two locations that hold stock', async () => {
    const item = await makeItem(ctx());
    const { store, storeBin, warehouse } = await shop();
    const same = await expectLedgerError(line({ itemId: item.id, fromLocationId: storeBin, toLocationId: storeBin }), 'movement_invalid');
    expect(same.errors).toEqual([{ field: 'movements.0.to_location_id', code: 'same_location', message: 'a movement goes from one location to another' }]);
    const fromSite = await expectLedgerError(line({ itemId: item.id, fromLocationId: store.id }), 'movement_invalid');
    expect(fromSite.errors).toEqual([{ field: 'movements.0.from_location_id', code: 'not_stockable', message: `${store.id} is not a bin or virtual location` }]);
    const toSite = await expectLedgerError(line({ itemId: item.id, toLocationId: warehouse.id }), 'movement_invalid');
    expect(toSite.errors).toEqual([{ field: 'movements.0.to_location_id', code: 'not_stockable', message: `${warehouse.id} is not a bin or virtual location` }]);
    const nowhere = await expectLedgerError(line({ itemId: item.id, fromLocationId: 'loc_nowhere', toLocationId: 'loc_elsewhere' }), 'movement_invalid');
    expect(fieldErrors(nowhere)).toEqual(['movements.0.from_location_id:not_stockable', 'movements.0.to_location_id:not_stockable']);
    // A missing location on one side of a virtual one is refused as missing, not taken for a write-off.
    for (const [from, to, field] of [
      [vendor, 'loc_nowhere', 'to_location_id'],
      [transit, 'loc_nowhere', 'to_location_id'],
      ['loc_nowhere', scrap, 'from_location_id'],
    ] as const) {
      const error = await expectLedgerError(line({ itemId: item.id, fromLocationId: from, toLocationId: to }), 'movement_invalid');
      expect(error.errors).toEqual([{ field: `movements.0.${field}`, code: 'not_stockable', message: 'loc_nowhere is not a bin or virtual location' }]);
    }
  });

  it('writes goods off on arrival straight to scrap (or lost in transit), but never otherwise between two virtual locations', async () => {
    const item = await makeItem(ctx());
    for (const [from, to] of [
      [vendor, scrap],
      [customer, scrap],
      [transit, scrap],
      [transit, adjustment],
    ] as const) {
      await line({ itemId: item.id, fromLocationId: from, toLocationId: to, unitCostMicros: 1_000_000 });
    }
    for (const [from, to] of [
      [vendor, customer],
      [vendor, adjustment],
      [customer, adjustment],
      [adjustment, scrap],
      [transit, customer],
      [scrap, transit],
    ] as const) {
      const error = await expectLedgerError(line({ itemId: item.id, fromLocationId: from, toLocationId: to }), 'movement_invalid');
      expect(error.errors).toEqual([{ field: 'movements.0.to_location_id', code: 'virtual_only', message: 'one side must be a physical bin' }]);
    }
    // A bin on either side is always fine.
    const { storeBin } = await shop();
    await line({ itemId: item.id, fromLocationId: vendor, toLocationId: storeBin, unitCostMicros: 0 });
    await line({ itemId: item.id, fromLocationId: storeBin, toLocationId: scrap });
  });

  it('takes a unit cost of zero or more, in whole micros, or none', async () => {
    const item = await makeItem(ctx());
    for (const unitCostMicros of [-1, 0.5]) {
      const error = await expectLedgerError(line({ itemId: item.id, unitCostMicros }), 'movement_invalid');
      expect(error.errors).toEqual([{ field: 'movements.0.unit_cost', code: 'out_of_range', message: 'unit cost must be a non-negative amount' }]);
    }
    await line({ itemId: item.id, unitCostMicros: 0 });
    await line({ itemId: item.id, unitCostMicros: null });
  });

  it('moves only an item that exists, is stocked and is active, unless a replayed sale allows it archived', async () => {
    const missing = await expectLedgerError(line({ itemId: 'itm_missing' }), 'movement_invalid');
    expect(missing.errors).toEqual([{ field: 'movements.0.item_id', code: 'not_found', message: 'no item itm_missing' }]);
    const service = await makeItem(ctx(), { stocked: false });
    const notStocked = await expectLedgerError(line({ itemId: service.id }), 'item_not_stockable');
    expect(notStocked.errors).toEqual([{ field: 'movements.0.item_id', code: 'not_stocked', message: `${service.sku} is not a stocked item` }]);
    const old = await makeItem(ctx());
    await setItemStatus(ctx(), old.id, 'archived');
    const archived = await expectLedgerError(line({ itemId: old.id }), 'item_not_stockable');
    expect(archived.errors).toEqual([{ field: 'movements.0.item_id', code: 'archived', message: `${old.sku} is archived` }]);
    await expectLedgerError(line({ itemId: old.id }, { allowArchived: false }), 'item_not_stockable');
    await line({ itemId: old.id }, { allowArchived: true });
    const both = await makeItem(ctx(), { stocked: false });
    await setItemStatus(ctx(), both.id, 'archived');
    const twice = await expectLedgerError(line({ itemId: both.id }, { allowArchived: true }), 'item_not_stockable');
    expect(fieldErrors(twice)).toEqual(['movements.0.item_id:not_stocked']);
  });

  it('takes a lot for a tracked item, of that item, and none for an untracked one', async () => {
    const plain = await makeItem(ctx());
    const lotted = await makeItem(ctx(), { tracking: 'lot' });
    const other = await makeItem(ctx(), { tracking: 'lot' });
    const lot = await lotOf(lotted.id, 'lot', 'L1');
    const othersLot = await lotOf(other.id, 'lot', 'L1');

    const untracked = await expectLedgerError(line({ itemId: plain.id, lotId: lot.id }), 'lot_invalid');
    expect(untracked.errors).toEqual([{ field: 'movements.0.lot_id', code: 'not_tracked', message: `${plain.sku} is not tracked by lot` }]);
    await line({ itemId: plain.id, lotId: '' });
    const required = await expectLedgerError(line({ itemId: lotted.id }), 'lot_required');
    expect(required.errors).toEqual([{ field: 'movements.0.lot_id', code: 'required', message: `${lotted.sku} is tracked by lot; give the lot` }]);
    const unknown = await expectLedgerError(line({ itemId: lotted.id, lotId: 'lot_missing' }), 'lot_invalid');
    expect(unknown.errors).toEqual([{ field: 'movements.0.lot_id', code: 'not_found', message: `no lot lot_missing of ${lotted.sku}` }]);
    const wrongItem = await expectLedgerError(line({ itemId: lotted.id, lotId: othersLot.id }), 'lot_invalid');
    expect(fieldErrors(wrongItem)).toEqual(['movements.0.lot_id:not_found']);
    await line({ itemId: lotted.id, lotId: lot.id, qty: 2500 });
  });

  it('moves a serial number one unit at a time', async () => {
    const serial = await makeItem(ctx(), { tracking: 'serial' });
    const sn = await lotOf(serial.id, 'serial', 'SN-1');
    const required = await expectLedgerError(line({ itemId: serial.id }), 'lot_required');
    expect(required.errors?.[0]?.message).toBe(`${serial.sku} is tracked by serial; give the serial`);
    const two = await expectLedgerError(line({ itemId: serial.id, lotId: sn.id, qty: 2000 }), 'movement_invalid');
    expect(two.errors).toEqual([{ field: 'movements.0.qty', code: 'serial_qty', message: 'a serial number moves one unit at a time' }]);
    await line({ itemId: serial.id, lotId: sn.id, qty: 1000 });
  });

  it('fulfils a reservation only with its own item, bin and lot, and no more than it holds', async () => {
    const { warehouseBins } = await shop();
    const [bin, otherBin] = warehouseBins as [string, string];
    const item = await makeItem(ctx());
    const otherItem = await makeItem(ctx());
    const lotted = await makeItem(ctx(), { tracking: 'lot' });
    const lot = await lotOf(lotted.id, 'lot', 'L1');
    const lot2 = await lotOf(lotted.id, 'lot', 'L2');
    for (const [id, lotId] of [[item.id, undefined], [otherItem.id, undefined], [lotted.id, lot.id], [lotted.id, lot2.id]] as const) {
      for (const to of [bin, otherBin]) await line({ itemId: id, lotId, fromLocationId: adjustment, toLocationId: to, qty: 10_000 });
    }
    const held = await reserveStock(ctx(), { itemId: item.id, locationId: bin, qty: 3000, documentType: 'order', documentId: 'held' });
    const heldLot = await reserveStock(ctx(), { itemId: lotted.id, locationId: bin, lotId: lot.id, qty: 3000, documentType: 'order', documentId: 'held-lot' });
    const ship = (m: Partial<MovementInput> & { itemId: string }) => ({ fromLocationId: bin, toLocationId: customer, qty: 1000, reservationId: held.id, ...m });

    const missing = await expectLedgerError(postMovements(ctx(), posting([ship({ itemId: item.id, reservationId: 'res_missing' })])), 'reservation_invalid');
    expect(missing.errors).toEqual([{ field: 'movements.0.reservation_id', code: 'not_found', message: 'no reservation res_missing' }]);
    const mismatch = [{ field: 'movements.0.reservation_id', code: 'mismatch', message: 'the reservation is for another item, location or lot' }];
    for (const wrong of [
      ship({ itemId: otherItem.id }),
      ship({ itemId: item.id, fromLocationId: otherBin }),
      ship({ itemId: lotted.id, lotId: lot2.id, reservationId: heldLot.id }),
      ship({ itemId: item.id, reservationId: heldLot.id }),
    ]) {
      expect((await expectLedgerError(postMovements(ctx(), posting([wrong])), 'reservation_invalid')).errors).toEqual(mismatch);
    }
    // Two lines of one posting draw on the reservation together.
    const over = await expectLedgerError(postMovements(ctx(), posting([ship({ itemId: item.id, qty: 2000 }), ship({ itemId: item.id, qty: 1001 })])), 'reservation_invalid');
    expect(over.errors).toEqual([{ field: 'movements.1.qty', code: 'exceeds_reservation', message: 'more than the reservation holds' }]);
    await postMovements(ctx(), posting([ship({ itemId: lotted.id, lotId: lot.id, reservationId: heldLot.id, qty: 3000 })]));
    await postMovements(ctx(), posting([ship({ itemId: item.id, qty: 2000 }), ship({ itemId: item.id, qty: 1000 })]));
  });

  it('names the first refusal in the code and lists them all, in order, in the field errors', async () => {
    const item = await makeItem(ctx());
    const lotted = await makeItem(ctx(), { tracking: 'lot' });
    const { storeBin } = await shop();
    const error = await expectLedgerError(
      postMovements(
        ctx(),
        posting([
          { itemId: item.id, fromLocationId: adjustment, toLocationId: storeBin, qty: 1000 },
          { itemId: lotted.id, fromLocationId: adjustment, toLocationId: storeBin, qty: 1000, lotId: 'lot_missing' },
          { itemId: lotted.id, fromLocationId: adjustment, toLocationId: storeBin, qty: 1000 },
          { itemId: item.id, fromLocationId: storeBin, toLocationId: customer, qty: 1000, reservationId: 'res_missing' },
          { itemId: item.id, fromLocationId: adjustment, toLocationId: storeBin, qty: 0 },
        ]),
      ),
      'lot_invalid',
    );
    expect(error.message).toBe(`no lot lot_missing of ${lotted.sku}`);
    expect(fieldErrors(error)).toEqual(['movements.1.lot_id:not_found', 'movements.2.lot_id:required', 'movements.3.reservation_id:not_found', 'movements.4.qty:out_of_range']);
  });
});

import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem } from '../../../test/support/fixtures.ts';
import { findLots, findLotsByCode, findOrCreateLot, LedgerError, listLotsOfItem, NO_LOT } from './index.ts';

describeEachDatabase('lots', (get) => {
  const k = () => get().db.kysely;
  const lot = (itemId: string, code: string, expiresOn?: string | null, kind: 'lot' | 'serial' = 'lot') =>
    k().transaction().execute((trx) => findOrCreateLot(trx, itemId, kind, { code, expiresOn }, 1000));

  it('creates a lot once, keeps its expiry, learns one it lacked, and refuses another', async () => {
    const ctx = serviceContext(get().db);
    const item = await makeItem(ctx, { tracking: 'lot', tracks_expiry: true });
    const first = await lot(item.id, 'L1', '2027-01-31');
    expect(first).toMatchObject({ item_id: item.id, code: 'L1', kind: 'lot', expires_on: '2027-01-31', created_at: 1000 });
    expect(await lot(item.id, 'L1')).toEqual(first);
    expect(await lot(item.id, 'L1', '2027-01-31')).toEqual(first);
    const error = await lot(item.id, 'L1', '2027-02-28').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({ code: 'lot_invalid', extra: { lot_id: first.id } });

    const open = await lot(item.id, 'L2');
    expect(open.expires_on).toBeNull();
    expect(open.id).toMatch(/^lot_/);
    // Asked again without an expiry, a lot without one is left as it is.
    expect(await lot(item.id, 'L2')).toEqual(open);
    const dated = await lot(item.id, 'L2', '2026-12-01');
    expect(dated).toEqual({ ...open, expires_on: '2026-12-01' });
    expect((await k().selectFrom('lots').select('expires_on').where('id', '=', open.id).executeTakeFirstOrThrow()).expires_on).toBe('2026-12-01');
    // The same code on another item is another lot.
    const other = await makeItem(ctx, { tracking: 'serial' });
    const serial = await lot(other.id, 'L1', null, 'serial');
    expect(serial.id).not.toBe(first.id);
    expect(serial.kind).toBe('serial');
  });

  it('finds lots by id and by code, and lists an item’s lots by expiry then code', async () => {
    const ctx = serviceContext(get().db);
    const item = await makeItem(ctx, { tracking: 'lot' });
    const other = await makeItem(ctx, { tracking: 'lot' });
    const late = await lot(item.id, 'A-LATE', '2027-06-01');
    const soonB = await lot(item.id, 'B-SOON', '2026-12-01');
    const soonA = await lot(item.id, 'A-SOON', '2026-12-01');
    const theirs = await lot(other.id, 'A-SOON');
    const ids = (await listLotsOfItem(k(), item.id)).map((l) => l.id);
    expect(ids.slice(0, 3)).toEqual([soonA.id, soonB.id, late.id]);
    expect(ids).toHaveLength(3);

    const byId = await findLots(k(), [late.id, NO_LOT, late.id, theirs.id]);
    expect([...byId.keys()].sort()).toEqual([late.id, theirs.id].sort());
    expect(byId.get(late.id)).toEqual(late);
    expect(await findLots(k(), [NO_LOT])).toEqual(new Map());

    const byCode = await findLotsByCode(k(), [
      { itemId: item.id, code: 'A-SOON' },
      { itemId: other.id, code: 'A-SOON' },
      { itemId: other.id, code: 'NOPE' },
    ]);
    // Codes are per item: the other item's A-SOON is a lot of its own; a code that names no lot is left out.
    expect(byCode.get(`${item.id}\u0000A-SOON`)).toEqual(soonA);
    expect(byCode.get(`${other.id}\u0000A-SOON`)).toEqual(theirs);
    expect(byCode.has(`${other.id}\u0000NOPE`)).toBe(false);
    expect(await findLotsByCode(k(), [])).toEqual(new Map());
  });
});

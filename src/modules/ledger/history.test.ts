import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { systemActor } from '../../platform/context.ts';
import { encodeCursor } from '../../platform/http/pagination.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { listMovements, postMovements, type MovementQuery } from './index.ts';

const { customer, vendor } = VIRTUAL_LOCATION_IDS;

/**
 * One item: received into the warehouse (t0), moved to the store and a second receipt at the
 * same instant (t1), sold at the store (t2). Each query is checked by the document ids it returns.
 */
describeEachDatabase('movement history', (get) => {
  async function history() {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx);
    const bin = shop.warehouseBins[0]!;
    const post = (kind: 'receipt' | 'transfer' | 'sale', documentType: string, documentId: string, from: string, to: string, qty: number) =>
      postMovements(ctx, { kind, documentType, documentId, movements: [{ itemId: item.id, fromLocationId: from, toLocationId: to, qty, unitCostMicros: from === vendor ? 1_000_000 : undefined }] });
    const t0 = ctx.clock.now();
    await post('receipt', 'receipt', 'r1', vendor, bin, 5000);
    ctx.clock.advance(1000);
    const t1 = ctx.clock.now();
    await post('transfer', 'transfer', 't1', bin, shop.storeBin, 2000);
    await post('receipt', 'receipt', 'r2', vendor, bin, 1000);
    ctx.clock.advance(1000);
    const t2 = ctx.clock.now();
    await post('sale', 'sale', 's1', shop.storeBin, customer, 500);
    const list = async (q: Partial<MovementQuery>, sites: 'all' | string[] = 'all') => {
      const asked = { ...ctx, actor: { ...systemActor, sites: sites === 'all' ? ('all' as const) : new Set(sites) } };
      const page = await listMovements(asked, { itemId: item.id, limit: 20, ...q });
      return { ...page, docs: page.lines.map((l) => `${l.document_id}:${l.direction ?? '-'}`) };
    };
    return { ctx, shop, item, bin, t0, t1, t2, list };
  }

  it('filters by document, kind and time, newest first', async () => {
    const h = await history();
    // r2 and t1 share an instant: the later id comes first.
    expect((await h.list({})).docs).toEqual(['s1:-', 'r2:-', 't1:-', 'r1:-']);
    expect((await h.list({ documentId: 'r2' })).docs).toEqual(['r2:-']);
    expect((await h.list({ documentType: 'receipt' })).docs).toEqual(['r2:-', 'r1:-']);
    expect((await h.list({ kind: 'transfer' })).docs).toEqual(['t1:-']);
    expect((await h.list({ from: h.t1 })).docs).toEqual(['s1:-', 'r2:-', 't1:-']);
    expect((await h.list({ to: h.t1 })).docs).toEqual(['r1:-']);
    expect((await h.list({ from: h.t1, to: h.t2 })).docs).toEqual(['r2:-', 't1:-']);
    expect((await h.list({ itemId: undefined, documentId: 'r1', documentType: 'receipt' })).docs).toContain('r1:-');
  });

  it('says in or out relative to the location asked about', async () => {
    const h = await history();
    expect((await h.list({ locationId: h.bin })).docs).toEqual(['r2:in', 't1:out', 'r1:in']);
    expect((await h.list({ locationId: h.shop.store.id })).docs).toEqual(['s1:out', 't1:in']);
    // Asked about a site, the move to the store leaves it.
    expect((await h.list({ locationId: h.shop.warehouse.id, kind: 'transfer' })).docs).toEqual(['t1:out']);
  });

  it('shows a caller only movements touching the sites it may see', async () => {
    const h = await history();
    expect((await h.list({}, [h.shop.store.id])).docs).toEqual(['s1:-', 't1:-']);
    expect((await h.list({}, [h.shop.warehouse.id])).docs).toEqual(['r2:-', 't1:-', 'r1:-']);
    expect((await h.list({}, [])).docs).toEqual([]);
  });

  it('pages through movements at the same instant by id', async () => {
    const h = await history();
    const all = await h.list({});
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 6; i += 1) {
      const page = await h.list({ limit: 1, cursor });
      seen.push(...page.docs);
      if (!page.nextCursor) break;
      expect(page.nextCursor).toBe(encodeCursor([page.lines[0]!.effective_at, page.lines[0]!.id]));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(all.docs);
    const two = await h.list({ limit: 2 });
    expect(two.docs).toEqual(all.docs.slice(0, 2));
    expect((await h.list({ limit: 4 })).nextCursor).toBeNull();
    expect((await h.list({ limit: 3 })).nextCursor).not.toBeNull();
  });
});

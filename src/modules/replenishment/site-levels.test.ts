import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { q } from '../../../test/support/shop.ts';
import { putLevel } from './levels.service.ts';
import { levelsAtSites, siteLevelKey } from './site-levels.ts';

/**
 * The minimums the stock alerts read on every sale: a site's own level, else the shop-wide
 * reorder point, both read in one statement (the levels joined to the items).
 */
describeEachDatabase('levels at sites', (get) => {
  it("gives a site's own level before the item's reorder point, the reorder point at the other sites, and nothing for an item with neither", async () => {
    const ctx = serviceContext(get().db);
    const [a, b] = [await makeShop(ctx), await makeShop(ctx)];
    const both = await makeItem(ctx, { reorder_point: q(5) });
    const ownOnly = await makeItem(ctx);
    const pointOnly = await makeItem(ctx, { reorder_point: q(7) });
    const neither = await makeItem(ctx);
    await putLevel(ctx, both.id, a.store.id, { min: q(2), max: q(8) });
    await putLevel(ctx, ownOnly.id, b.store.id, { min: q(1), max: q(3), delivered_daily: true });
    // A bin's level is not the site's: the alerts compare the site's sum with the site's level.
    await putLevel(ctx, pointOnly.id, a.storeBin, { min: q(4), max: q(6) });

    const levels = await levelsAtSites(get().db.kysely, [both.id, ownOnly.id, pointOnly.id, neither.id], [a.store.id, b.store.id]);
    expect(Object.fromEntries([...levels].sort(([x], [y]) => (x < y ? -1 : 1)))).toEqual(
      Object.fromEntries(
        [
          [siteLevelKey(both.id, a.store.id), { min: q(2), max: q(8), deliveredDaily: false }],
          [siteLevelKey(both.id, b.store.id), { min: q(5), max: null, deliveredDaily: false }],
          [siteLevelKey(ownOnly.id, b.store.id), { min: q(1), max: q(3), deliveredDaily: true }],
          [siteLevelKey(pointOnly.id, a.store.id), { min: q(7), max: null, deliveredDaily: false }],
          [siteLevelKey(pointOnly.id, b.store.id), { min: q(7), max: null, deliveredDaily: false }],
        ].sort(([x], [y]) => ((x as string) < (y as string) ? -1 : 1)),
      ),
    );
    // Asked about one site only, the other site's level is not there.
    expect([...(await levelsAtSites(get().db.kysely, [ownOnly.id, both.id], [a.store.id]))]).toEqual([[siteLevelKey(both.id, a.store.id), { min: q(2), max: q(8), deliveredDaily: false }]]);
  });
});

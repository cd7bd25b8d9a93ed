import { describe, expect, it } from 'vitest';
import { canSeeCosts, canSeeSite, type Actor } from '../../platform/context.ts';
import { transact } from '../../platform/db/transaction.ts';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeShop } from '../../../test/support/fixtures.ts';
import { assertSitesExist, intersectSites, loadGrantedSites, normalizeSites, replaceGrantedSites, sitesCover, toActorSites, toSiteGrant } from './grants.service.ts';

const actor = (role: Actor['role'], sites: Actor['sites']): Actor => ({ kind: 'user', id: 'usr_1', label: 'u', role, sites });

describe('site grants', () => {
  it('spells a grant one way: all, or the sites sorted without repeats', () => {
    expect(normalizeSites('all')).toBe('all');
    expect(normalizeSites(['loc_b', 'loc_a', 'loc_b'])).toEqual(['loc_a', 'loc_b']);
    expect(normalizeSites([])).toEqual([]);
  });

  it('lets a holder hand on only sites it has', () => {
    expect(sitesCover('all', 'all')).toBe(true);
    expect(sitesCover('all', ['loc_a'])).toBe(true);
    expect(sitesCover(new Set(['loc_a', 'loc_b']), 'all')).toBe(false);
    expect(sitesCover(new Set(['loc_a', 'loc_b']), ['loc_a', 'loc_b'])).toBe(true);
    expect(sitesCover(new Set(['loc_a']), ['loc_a', 'loc_b'])).toBe(false);
    expect(sitesCover(new Set(), [])).toBe(true);
  });

  it('narrows a token to the sites its person still holds', () => {
    expect(intersectSites('all', 'all')).toBe('all');
    expect([...(intersectSites('all', new Set(['loc_a'])) as Set<string>)]).toEqual(['loc_a']);
    expect([...(intersectSites(new Set(['loc_b']), 'all') as Set<string>)]).toEqual(['loc_b']);
    expect([...(intersectSites(new Set(['loc_a', 'loc_b']), new Set(['loc_b', 'loc_c'])) as Set<string>)]).toEqual(['loc_b']);
  });

  it('reads stored grants back', () => {
    expect(toActorSites(true, ['loc_a'])).toBe('all');
    expect([...(toActorSites(false, ['loc_a']) as Set<string>)]).toEqual(['loc_a']);
    expect(toSiteGrant(1, ['loc_a'])).toBe('all');
    expect(toSiteGrant(0, ['loc_a'])).toEqual(['loc_a']);
  });

  it('shows a site only to those granted it, and nothing without a site to those with grants', () => {
    expect(canSeeSite(actor('owner', 'all'), 'loc_a')).toBe(true);
    expect(canSeeSite(actor('owner', 'all'), null)).toBe(true);
    expect(canSeeSite(actor('staff', new Set(['loc_a'])), 'loc_a')).toBe(true);
    expect(canSeeSite(actor('staff', new Set(['loc_a'])), 'loc_b')).toBe(false);
    expect(canSeeSite(actor('staff', new Set(['loc_a'])), null)).toBe(false);
  });

  it('hides costs from staff only', () => {
    expect(canSeeCosts(actor('staff', 'all'))).toBe(false);
    for (const role of ['owner', 'manager', 'viewer'] as const) expect(canSeeCosts(actor(role, 'all'))).toBe(true);
  });
});

describeEachDatabase('stored site grants', (get) => {
  it('replaces a principal’s grants, reads them back sorted without repeats, and stores none for all sites', async () => {
    const ctx = serviceContext(get().db);
    const one = await makeShop(ctx);
    const two = await makeShop(ctx);
    const [low, high] = [one.store.id, two.store.id].sort();
    const db = get().db;
    await transact(db, (trx) => replaceGrantedSites(trx, 'usr_G1', [high!, low!, high!]));
    await transact(db, (trx) => replaceGrantedSites(trx, 'tok_G2', [one.warehouse.id]));
    const read = await loadGrantedSites(db.kysely, ['usr_G1', 'usr_G0', 'usr_G1']);
    expect(Object.fromEntries(read)).toEqual({ usr_G1: [low, high], usr_G0: [] });
    expect(await loadGrantedSites(db.kysely, [])).toEqual(new Map());

    // Replacing drops the old grants; 'all' and [] store no rows (every site is all_sites = 1).
    await transact(db, (trx) => replaceGrantedSites(trx, 'usr_G1', [low!]));
    expect((await loadGrantedSites(db.kysely, ['usr_G1'])).get('usr_G1')).toEqual([low]);
    await transact(db, (trx) => replaceGrantedSites(trx, 'usr_G1', 'all'));
    expect((await loadGrantedSites(db.kysely, ['usr_G1'])).get('usr_G1')).toEqual([]);
    await transact(db, (trx) => replaceGrantedSites(trx, 'usr_G1', []));
    expect(Object.fromEntries(await loadGrantedSites(db.kysely, ['usr_G1', 'tok_G2']))).toEqual({ usr_G1: [], tok_G2: [one.warehouse.id] });
  });

  it('accepts grants of active sites only, naming the first entry that is not one', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const closed = await makeShop(ctx);
    await get().db.kysely.updateTable('locations').set({ status: 'archived' }).where('id', '=', closed.store.id).execute();
    const db = get().db.kysely;
    await expect(assertSitesExist(db, 'all')).resolves.toBeUndefined();
    await expect(assertSitesExist(db, [shop.store.id, shop.warehouse.id])).resolves.toBeUndefined();
    await expect(assertSitesExist(db, [])).resolves.toBeUndefined();
    const zone = (await db.selectFrom('locations').select('id').where('parent_id', '=', shop.warehouse.id).where('kind', '=', 'zone').executeTakeFirstOrThrow()).id;
    for (const [bad, at] of [[zone, 1], [closed.store.id, 1], ['loc_00000000000000000000000000', 1], [shop.warehouseBins[0]!, 0]] as const) {
      const sites = at === 0 ? [bad] : [shop.store.id, bad];
      const refused = await assertSitesExist(db, sites).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused, bad).toMatchObject({
        code: 'grant_invalid',
        status: 422,
        message: `${bad} is not a site; grants name sites, and cover their bins.`,
        errors: [{ field: `body.sites.${at}`, code: 'not_a_site', message: `${bad} is not an active site` }],
      });
    }
  });
});

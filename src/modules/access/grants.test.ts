import { describe, expect, it } from 'vitest';
import { canSeeCosts, canSeeSite, type Actor } from '../../platform/context.ts';
import { intersectSites, normalizeSites, sitesCover, toActorSites, toSiteGrant } from './grants.service.ts';

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

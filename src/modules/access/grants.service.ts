import type { Actor } from '../../platform/context.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { findLocation } from '../locations/index.ts';
import { AccessError } from './access.errors.ts';

/**
 * Site grants: where a user or token may act. A grant names a site and covers every zone and
 * bin below it. `'all'` covers every site, including those created later (owners always).
 */
export type SiteGrant = 'all' | string[];

export const MAX_GRANTED_SITES = 100;

/** One spelling per grant: 'all', or the site ids sorted without repeats (as they are read back). */
export function normalizeSites(sites: SiteGrant): SiteGrant {
  return sites === 'all' ? 'all' : [...new Set(sites)].sort();
}

/** The sites granted to each principal (user or token) asked about. */
export async function loadGrantedSites(db: Executor, principalIds: readonly string[]): Promise<Map<string, string[]>> {
  const grants = new Map<string, string[]>(principalIds.map((id) => [id, []]));
  if (principalIds.length === 0) return grants;
  const rows = await db
    .selectFrom('site_grants')
    .select(['principal_id', 'site_id'])
    .where('principal_id', 'in', [...new Set(principalIds)])
    .execute();
  for (const row of rows) grants.get(row.principal_id)?.push(row.site_id);
  // Sorted here rather than by the database, whose collation may differ from normalizeSites'.
  for (const sites of grants.values()) sites.sort();
  return grants;
}

export async function replaceGrantedSites(trx: Trx, principalId: string, sites: SiteGrant): Promise<void> {
  await trx.deleteFrom('site_grants').where('principal_id', '=', principalId).execute();
  if (sites === 'all' || sites.length === 0) return;
  await trx
    .insertInto('site_grants')
    .values([...new Set(sites)].map((site_id) => ({ principal_id: principalId, site_id })))
    .execute();
}

/** Refuses grants of anything but existing, active sites. */
export async function assertSitesExist(db: Executor, sites: SiteGrant): Promise<void> {
  if (sites === 'all') return;
  for (const [i, id] of sites.entries()) {
    const row = await findLocation(db, id);
    if (!row || row.kind !== 'site' || row.status !== 'active') {
      throw new AccessError('grant_invalid', `${id} is not a site; grants name sites, and cover their bins.`, {
        errors: [{ field: `body.sites.${i}`, code: 'not_a_site', message: `${id} is not an active site` }],
      });
    }
  }
}

/** True when `holder` may hand `sites` on: nobody grants a site they do not have themselves. */
export function sitesCover(holder: Actor['sites'], sites: SiteGrant): boolean {
  if (holder === 'all') return true;
  if (sites === 'all') return false;
  return sites.every((s) => holder.has(s));
}

export function toActorSites(allSites: boolean, sites: readonly string[]): Actor['sites'] {
  return allSites ? 'all' : new Set(sites);
}

export function toSiteGrant(allSites: number, sites: readonly string[]): SiteGrant {
  return allSites === 1 ? 'all' : [...sites];
}

/** The sites both hold: what a token may reach when the person it acts for has fewer sites now. */
export function intersectSites(a: Actor['sites'], b: Actor['sites']): Actor['sites'] {
  if (a === 'all') return b;
  if (b === 'all') return a;
  return new Set([...a].filter((s) => b.has(s)));
}

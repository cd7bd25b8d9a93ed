import { sql, type RawBuilder } from 'kysely';
import type { Actor, ServiceContext } from '../../platform/context.ts';
import type { LocationRow } from '../../platform/db/schema.ts';
import { getLocation } from '../locations/index.ts';

/**
 * Which locations a stock query covers: a location and everything below it (a site's stock is
 * the stock of its bins), limited to the sites the actor may see.
 */
export interface StockScope {
  /** Path prefix of the requested location, or null for everywhere. */
  pathPrefix: string | null;
  /** The requested location is a single stock-holding location. */
  exactId: string | null;
  /** The requested location is a site. */
  siteId: string | null;
  sites: Actor['sites'];
}

export async function resolveStockScope(ctx: ServiceContext, locationId: string | undefined): Promise<StockScope> {
  if (!locationId) return { pathPrefix: null, exactId: null, siteId: null, sites: ctx.actor.sites };
  const location: LocationRow = await getLocation(ctx, locationId);
  const leaf = location.kind === 'bin' || location.kind === 'virtual';
  return { pathPrefix: leaf ? null : location.path, exactId: leaf ? location.id : null, siteId: location.kind === 'site' ? location.id : null, sites: ctx.actor.sites };
}

/** A condition that the location id in `column` is inside the scope and visible to the actor. */
export function inScope(scope: StockScope, column: string): RawBuilder<boolean> {
  const ref = sql.ref(column);
  if (scope.exactId) return sql<boolean>`${ref} = ${scope.exactId}`;
  const conditions: RawBuilder<unknown>[] = [];
  if (scope.pathPrefix) conditions.push(sql`path like ${`${scope.pathPrefix}%`}`);
  if (scope.sites !== 'all') {
    const sites = [...scope.sites];
    conditions.push(sites.length ? sql`site_id in (${sql.join(sites)})` : sql`1 = 0`);
  }
  if (conditions.length === 0) return sql<boolean>`1 = 1`;
  return sql<boolean>`${ref} in (select id from locations where ${sql.join(conditions, sql` and `)})`;
}

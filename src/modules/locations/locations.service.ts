import { canSeeSite, inTransaction, reader, type Actor, type ServiceContext } from '../../platform/context.ts';
import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { isUniqueViolation } from '../../platform/db/dialect.ts';
import type { LocationRow, NegativeStockPolicy, SiteType, VirtualType } from '../../platform/db/schema.ts';
import { PlatformError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { LocationError } from './locations.errors.ts';
import type { CreateLocationInput, UpdateLocationInput } from './locations.schema.ts';

/**
 * Locations form a tree: sites (a store, a warehouse) hold zones and bins; only bins hold stock.
 * Each site gets a default bin when it is created, so a shop with no bins to speak of still has
 * a place for its stock. Virtual locations are the other side of every movement. Every physical
 * row carries its site's negative-stock policy, so the ledger reads a policy in one lookup.
 */

export const VIRTUAL_LOCATION_IDS = {
  vendor: 'loc_vendor',
  customer: 'loc_customer',
  adjustment: 'loc_adjustment',
  scrap: 'loc_scrap',
  production: 'loc_production',
  transit: 'loc_transit',
} as const satisfies Record<VirtualType, string>;

export const defaultPolicyBySiteType = { store: 'allow', warehouse: 'strict' } as const satisfies Record<SiteType, NegativeStockPolicy>;

export function holdsStock(row: Pick<LocationRow, 'kind'>): boolean {
  return row.kind === 'bin' || row.kind === 'virtual';
}

export function isVisibleTo(actor: Actor, row: Pick<LocationRow, 'kind' | 'site_id'>): boolean {
  return row.kind === 'virtual' || canSeeSite(actor, row.site_id);
}

export async function findLocation(db: Executor, id: string): Promise<LocationRow | undefined> {
  return db.selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A site by its code (MAIN, WH), in any letter case. */
export async function findSiteByCode(db: Executor, code: string): Promise<LocationRow | undefined> {
  return db.selectFrom('locations').selectAll().where('full_code_key', '=', code.trim().toUpperCase()).where('kind', '=', 'site').executeTakeFirst();
}

export async function findLocations(db: Executor, ids: readonly string[]): Promise<Map<string, LocationRow>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('locations').selectAll().where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** The location, if it exists and the actor may see it; an invisible one is as good as missing. */
export async function getLocation(ctx: ServiceContext, id: string): Promise<LocationRow> {
  const row = await findLocation(reader(ctx), id);
  if (!row || !isVisibleTo(ctx.actor, row)) throw new LocationError('location_not_found', `No location ${id}.`, { location_id: id });
  return row;
}

export async function createLocation(ctx: ServiceContext, input: CreateLocationInput): Promise<LocationRow> {
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    if (input.kind === 'site') {
      // A new site is granted to nobody yet: only someone who covers every site may add one.
      if (ctx.actor.sites !== 'all') throw new PlatformError('forbidden', 'Only someone with access to every site can add a site.');
      const id = newId('loc');
      const binId = newId('loc');
      const policy = input.negative_stock ?? defaultPolicyBySiteType[input.site_type];
      await insertLocation(trx, {
        id,
        parent_id: null,
        site_id: id,
        path: `/${id}/`,
        kind: 'site',
        site_type: input.site_type,
        virtual_type: null,
        code: input.code,
        full_code: input.code,
        full_code_key: input.code.toUpperCase(),
        name: input.name,
        negative_stock: policy,
        default_bin_id: binId,
        pick_order: 0,
        purpose: 'stock',
        address: input.address ?? null,
        status: 'active',
        created_at: now,
        updated_at: now,
      });
      await insertLocation(trx, {
        id: binId,
        parent_id: id,
        site_id: id,
        path: `/${id}/${binId}/`,
        kind: 'bin',
        site_type: null,
        virtual_type: null,
        code: 'MAIN',
        full_code: `${input.code}/MAIN`,
        full_code_key: `${input.code}/MAIN`.toUpperCase(),
        name: 'Main stock',
        negative_stock: policy,
        default_bin_id: null,
        pick_order: 0,
        purpose: 'stock',
        address: null,
        status: 'active',
        created_at: now,
        updated_at: now,
      });
      return (await findLocation(trx, id))!;
    }

    const parent = await findLocation(trx, input.parent_id);
    if (!parent || !isVisibleTo(ctx.actor, parent)) {
      throw new LocationError('location_not_found', `No parent location ${input.parent_id}.`, { location_id: input.parent_id });
    }
    if (parent.kind !== 'site' && parent.kind !== 'zone') {
      throw new LocationError('location_parent_invalid', `A ${input.kind} goes inside a site or a zone, not a ${parent.kind}.`);
    }
    const id = newId('loc');
    const fullCode = `${parent.full_code}/${input.code}`;
    await insertLocation(trx, {
      id,
      parent_id: parent.id,
      site_id: parent.site_id,
      path: `${parent.path}${id}/`,
      kind: input.kind,
      site_type: null,
      virtual_type: null,
      code: input.code,
      full_code: fullCode,
      full_code_key: fullCode.toUpperCase(),
      name: input.name,
      negative_stock: parent.negative_stock,
      default_bin_id: null,
      pick_order: input.pick_order ?? 0,
      purpose: input.kind === 'bin' ? (input.purpose ?? 'stock') : 'stock',
      address: null,
      status: 'active',
      created_at: now,
      updated_at: now,
    });
    return (await findLocation(trx, id))!;
  });
}

async function insertLocation(trx: Trx, row: LocationRow): Promise<void> {
  try {
    await trx.insertInto('locations').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new LocationError('location_code_taken', `A location ${row.full_code} already exists.`, { full_code: row.full_code });
    }
    throw error;
  }
}

export async function updateLocation(ctx: ServiceContext, id: string, input: UpdateLocationInput): Promise<LocationRow> {
  return inTransaction(ctx, async (trx) => {
    const row = await findLocation(trx, id);
    if (!row || !isVisibleTo(ctx.actor, row)) throw new LocationError('location_not_found', `No location ${id}.`, { location_id: id });
    if (row.kind === 'virtual') throw new LocationError('location_parent_invalid', 'Virtual locations cannot be changed.');
    const now = ctx.clock.now();
    if (input.negative_stock !== undefined) {
      if (row.kind !== 'site') {
        throw new LocationError('location_policy_not_settable', 'The negative-stock policy is set on the site and covers its bins.');
      }
      if (input.negative_stock === 'strict' && (await hasNegativeBalance(trx, row.id))) {
        throw new LocationError('location_policy_not_settable', 'Some stock at this site is below zero; count it before making the site strict.');
      }
      // The policy is copied onto every location of the site so the ledger reads it in one lookup.
      await trx.updateTable('locations').set({ negative_stock: input.negative_stock, updated_at: now }).where('site_id', '=', row.id).execute();
    }
    if (input.default_bin_id !== undefined) {
      const bin = await findLocation(trx, input.default_bin_id);
      if (row.kind !== 'site' || !bin || bin.kind !== 'bin' || bin.site_id !== row.id) {
        throw new LocationError('location_parent_invalid', 'The default bin must be a bin of this site.');
      }
    }
    await trx
      .updateTable('locations')
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.pick_order !== undefined ? { pick_order: input.pick_order } : {}),
        ...(input.address !== undefined ? { address: input.address } : {}),
        ...(input.default_bin_id !== undefined ? { default_bin_id: input.default_bin_id } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    return (await findLocation(trx, id))!;
  });
}

/**
 * Whether any balance at the site is below zero. Read straight from the ledger's table: the
 * ledger depends on this module for policies, so asking it through its index would be circular.
 */
async function hasNegativeBalance(db: Executor, siteId: string): Promise<boolean> {
  const row = await db
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .select('b.item_id')
    .where('l.site_id', '=', siteId)
    .where('b.on_hand', '<', 0)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function listLocations(ctx: ServiceContext, options: { siteId?: string; includeVirtual: boolean }): Promise<LocationRow[]> {
  let query = reader(ctx).selectFrom('locations').selectAll().where('status', '=', 'active');
  if (options.siteId) query = query.where('site_id', '=', options.siteId);
  else if (!options.includeVirtual) query = query.where('kind', '<>', 'virtual');
  const rows = await query.orderBy('path').execute();
  return rows.filter((row) => isVisibleTo(ctx.actor, row));
}

/** What the ledger needs to know about each location a movement touches. */
export interface StockPolicy {
  id: string;
  kind: LocationRow['kind'];
  siteId: string | null;
  holdsStock: boolean;
  strict: boolean;
  /** Stock here is owned and carries value: a physical location, or goods in transit. */
  valued: boolean;
  virtualType: VirtualType | null;
}

export function isValuedLocation(row: Pick<LocationRow, 'kind' | 'virtual_type'>): boolean {
  return row.kind !== 'virtual' || row.virtual_type === 'transit';
}

type PolicyRow = Pick<LocationRow, 'id' | 'kind' | 'site_id' | 'negative_stock' | 'virtual_type' | 'status'>;

function stockPolicyOf(row: PolicyRow): StockPolicy {
  return {
    id: row.id,
    kind: row.kind,
    siteId: row.site_id,
    holdsStock: holdsStock(row) && row.status === 'active',
    strict: row.kind !== 'virtual' && row.negative_stock === 'strict',
    valued: isValuedLocation(row),
    virtualType: row.virtual_type,
  };
}

/** The virtual locations are written by the first migration and cannot be changed, so their policies need no query. */
const virtualPolicies = new Map<string, StockPolicy>(
  Object.entries(VIRTUAL_LOCATION_IDS).map(([type, id]) => [
    id,
    stockPolicyOf({ id, kind: 'virtual', site_id: null, negative_stock: 'allow', virtual_type: type as VirtualType, status: 'active' }),
  ]),
);

/**
 * The ledger's policy for each location. `known` holds rows the caller has read in the same
 * transaction (a sale's bin): they are as current as a second read, and spare one.
 */
export async function loadStockPolicies(db: Executor, ids: readonly string[], known: readonly PolicyRow[] = []): Promise<Map<string, StockPolicy>> {
  const policies = new Map<string, StockPolicy>();
  const knownById = new Map(known.map((row) => [row.id, row]));
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const row = knownById.get(id);
    const policy = row ? stockPolicyOf(row) : virtualPolicies.get(id);
    if (policy) policies.set(id, policy);
    else missing.push(id);
  }
  const rows = missing.length
    ? await db.selectFrom('locations').select(['id', 'kind', 'site_id', 'negative_stock', 'virtual_type', 'status']).where('id', 'in', missing).execute()
    : [];
  for (const row of rows) policies.set(row.id, stockPolicyOf(row));
  return policies;
}

/** The bins a location stands for: itself if it is a bin, else every bin below it. */
export async function descendantLocationIds(db: Executor, location: Pick<LocationRow, 'id' | 'kind' | 'path'>): Promise<string[]> {
  if (location.kind === 'bin' || location.kind === 'virtual') return [location.id];
  const rows = await db.selectFrom('locations').select('id').where('path', 'like', `${location.path}%`).execute();
  return rows.map((r) => r.id);
}

/** A location and, when it is a site, its default bin: the rows stockLocationFrom takes. */
export const locationAndDefaultBinRead = (db: Executor, args: { id: string }) =>
  db
    .selectFrom('locations')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', args.id), eb('id', '=', eb.selectFrom('locations as s').select('s.default_bin_id').where('s.id', '=', args.id))]));
const locationAndDefaultBinQuery = cachedQuery(locationAndDefaultBinRead);

/** Resolves where stock goes when a document names a site: its default bin. One query: the checkout calls it on every sale. */
export async function resolveStockLocation(ctx: ServiceContext, id: string): Promise<LocationRow> {
  return stockLocationFrom(ctx.actor, id, await locationAndDefaultBinQuery.execute(reader(ctx), { id }));
}

/** The bin stock goes to, from what locationAndDefaultBinRead found for `id`. */
export function stockLocationFrom(actor: Actor, id: string, rows: readonly LocationRow[]): LocationRow {
  const row = rows.find((r) => r.id === id);
  if (!row || !isVisibleTo(actor, row)) throw new LocationError('location_not_found', `No location ${id}.`, { location_id: id });
  if (holdsStock(row)) return row;
  const bin = row.kind === 'site' ? rows.find((r) => r.id === row.default_bin_id) : undefined;
  if (bin && isVisibleTo(actor, bin)) return bin;
  throw new LocationError('location_not_stockable', `${row.full_code} is a ${row.kind}; stock is kept in bins.`, { location_id: id });
}

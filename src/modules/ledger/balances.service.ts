import { sql } from 'kysely';
import { reader, type ServiceContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { NO_LOT } from './lots.service.ts';
import { inScope, resolveStockScope, type StockScope } from './stock-scope.ts';

/**
 * Balances now and as of any past instant. The past is the present minus what moved since, or,
 * per item at a site or everywhere, the reports module's daily snapshot plus what moved after it
 * (given through `answerSiteStockAsOfWith`, as the ledger may not import it). Both are exact.
 */

export interface BalanceQuery {
  itemId?: string;
  locationId?: string;
  asOf?: number;
  groupBy: 'none' | 'item';
  includeVirtual: boolean;
  limit: number;
  cursor?: string;
}

export interface BalanceLine {
  itemId: string;
  locationId: string | null;
  lotId: string;
  onHand: number;
  /** Null for a past instant: promises are not kept as history. */
  reserved: number | null;
}

export interface BalancePage {
  lines: BalanceLine[];
  nextCursor: string | null;
}

/** A page of on hand per item at some sites (their physical locations) as of a past instant, or null when it cannot answer. */
export type SiteStockAsOfReader = (
  db: Executor,
  query: { asOf: number; sites: 'all' | readonly string[]; itemId?: string; after?: string; limit: number },
) => Promise<{ lines: Array<{ itemId: string; onHand: number }>; nextAfter: string | null } | null>;

let siteStockAsOf: SiteStockAsOfReader | null = null;

/** Per item as of a past instant at a site or everywhere, `listBalances` asks this first. */
export function answerSiteStockAsOfWith(answer: SiteStockAsOfReader): void {
  siteStockAsOf = answer;
}

export async function listBalances(ctx: ServiceContext, query: BalanceQuery): Promise<BalancePage> {
  const db = reader(ctx);
  const scope = await resolveStockScope(ctx, query.locationId);
  const byItem = query.groupBy === 'item';
  const keyShape = byItem ? (['string'] as const) : (['string', 'string', 'string'] as const);
  const after = decodeCursor(query.cursor, keyShape);
  const physicalOnly = !query.includeVirtual && !scope.exactId;
  if (query.asOf !== undefined && byItem && physicalOnly && (scope.siteId || !query.locationId)) {
    const page = await fromSnapshots(db, scope, { ...query, asOf: query.asOf }, after?.[0] as string | undefined);
    if (page) return page;
  }

  // As of a past instant promises are not known, so today's must not keep a line that then stood at zero.
  const reserved = query.asOf === undefined ? sql<number>`b.reserved` : sql<number>`0`;
  let current = db
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .select(['b.item_id', 'b.location_id', 'b.lot_id', 'b.on_hand as qty', reserved.as('reserved')])
    .where(inScope(scope, 'b.location_id'));
  if (query.itemId) current = current.where('b.item_id', '=', query.itemId);
  if (physicalOnly) current = current.where('l.kind', '<>', 'virtual');

  let rows = current;
  // As of a past instant, per item: the page's items come first, from the balances (every item
  // that ever moved at a location keeps a row there), and only those items' movements since then
  // are summed. Without this each page would regroup every movement of the site since that
  // instant. A page may then hold fewer lines than the limit (items that stood at zero are left
  // out) while more follow.
  let pageEnd: { last: string; more: boolean } | undefined;
  if (query.asOf !== undefined && byItem && !query.itemId) {
    let items = db
      .selectFrom('balances as b')
      .innerJoin('locations as l', 'l.id', 'b.location_id')
      .select('b.item_id')
      .distinct()
      .where(inScope(scope, 'b.location_id'));
    if (physicalOnly) items = items.where('l.kind', '<>', 'virtual');
    if (after) items = items.where('b.item_id', '>', after[0] as string);
    const ids = await items.orderBy('b.item_id').limit(query.limit + 1).execute();
    if (ids.length === 0) return { lines: [], nextCursor: null };
    pageEnd = { last: ids[Math.min(ids.length, query.limit) - 1]!.item_id, more: ids.length > query.limit };
    current = current.where('b.item_id', '<=', pageEnd.last);
    if (after) current = current.where('b.item_id', '>', after[0] as string);
  }
  if (query.asOf !== undefined) {
    let inbound = db
      .selectFrom('movements as m')
      .innerJoin('locations as l', 'l.id', 'm.to_location_id')
      .select(['m.item_id', 'm.to_location_id as location_id', 'm.lot_id', sql<number>`0 - m.qty`.as('qty'), sql<number>`0`.as('reserved')])
      .where('m.effective_at', '>', query.asOf)
      .where(inScope(scope, 'm.to_location_id'));
    let outbound = db
      .selectFrom('movements as m')
      .innerJoin('locations as l', 'l.id', 'm.from_location_id')
      .select(['m.item_id', 'm.from_location_id as location_id', 'm.lot_id', 'm.qty as qty', sql<number>`0`.as('reserved')])
      .where('m.effective_at', '>', query.asOf)
      .where(inScope(scope, 'm.from_location_id'));
    if (query.itemId) {
      inbound = inbound.where('m.item_id', '=', query.itemId);
      outbound = outbound.where('m.item_id', '=', query.itemId);
    }
    if (pageEnd) {
      const first = after ? (after[0] as string) : '';
      inbound = inbound.where('m.item_id', '>', first).where('m.item_id', '<=', pageEnd.last);
      outbound = outbound.where('m.item_id', '>', first).where('m.item_id', '<=', pageEnd.last);
    }
    if (physicalOnly) {
      inbound = inbound.where('l.kind', '<>', 'virtual');
      outbound = outbound.where('l.kind', '<>', 'virtual');
    }
    rows = current.unionAll(inbound).unionAll(outbound);
  }

  let outer = db.selectFrom(rows.as('u'));
  if (after) {
    outer = outer.where((eb) =>
      byItem
        ? eb('u.item_id', '>', after[0] as string)
        : eb.or([
            eb('u.item_id', '>', after[0] as string),
            eb.and([eb('u.item_id', '=', after[0] as string), eb('u.location_id', '>', after[1] as string)]),
            eb.and([eb('u.item_id', '=', after[0] as string), eb('u.location_id', '=', after[1] as string), eb('u.lot_id', '>', after[2] as string)]),
          ]),
    );
  }
  const sumQty = sql<number>`sum(u.qty)`;
  const sumReserved = sql<number>`sum(u.reserved)`;
  const grouped = byItem
    ? outer
        .select(['u.item_id', sql<string>`''`.as('location_id'), sql<string>`''`.as('lot_id'), sumQty.as('on_hand'), sumReserved.as('reserved')])
        .groupBy('u.item_id')
        .orderBy('u.item_id')
    : outer
        .select(['u.item_id', 'u.location_id', 'u.lot_id', sumQty.as('on_hand'), sumReserved.as('reserved')])
        .groupBy(['u.item_id', 'u.location_id', 'u.lot_id'])
        .orderBy('u.item_id')
        .orderBy('u.location_id')
        .orderBy('u.lot_id');
  const result = await grouped
    .having((eb) => eb.or([eb(sumQty, '<>', 0), eb(sumReserved, '<>', 0)]))
    .limit(query.limit + 1)
    .execute();

  if (pageEnd) {
    return {
      lines: result.map((r) => ({ itemId: r.item_id, locationId: null, lotId: r.lot_id, onHand: Number(r.on_hand), reserved: null })),
      nextCursor: pageEnd.more ? encodeCursor([pageEnd.last]) : null,
    };
  }
  const more = result.length > query.limit;
  const page = more ? result.slice(0, query.limit) : result;
  const last = page[page.length - 1];
  return {
    lines: page.map((r) => ({
      itemId: r.item_id,
      locationId: byItem ? null : r.location_id,
      lotId: r.lot_id,
      onHand: Number(r.on_hand),
      reserved: query.asOf === undefined ? Number(r.reserved) : null,
    })),
    nextCursor: more && last ? encodeCursor(byItem ? [last.item_id] : [last.item_id, last.location_id, last.lot_id]) : null,
  };
}

/** Per item at a site or everywhere as of a past instant, from the snapshots; null when they cannot answer. */
async function fromSnapshots(db: Executor, scope: StockScope, query: BalanceQuery & { asOf: number }, after: string | undefined): Promise<BalancePage | null> {
  if (!siteStockAsOf) return null;
  const granted = (siteId: string) => scope.sites === 'all' || scope.sites.has(siteId);
  const sites = scope.siteId ? (granted(scope.siteId) ? [scope.siteId] : []) : scope.sites === 'all' ? 'all' : [...scope.sites];
  const page = await siteStockAsOf(db, { asOf: query.asOf, sites, itemId: query.itemId, after, limit: query.limit });
  if (!page) return null;
  return {
    lines: page.lines.map((l) => ({ itemId: l.itemId, locationId: null, lotId: '', onHand: l.onHand, reserved: null })),
    nextCursor: page.nextAfter === null ? null : encodeCursor([page.nextAfter]),
  };
}

/** Whether any physical balance of the item is not zero; the catalog refuses to archive such an item. */
export async function hasPhysicalStock(db: Executor, itemId: string): Promise<boolean> {
  const row = await db
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .select('b.location_id')
    .where('b.item_id', '=', itemId)
    .where('l.kind', '<>', 'virtual')
    .where((eb) => eb.or([eb('b.on_hand', '<>', 0), eb('b.reserved', '<>', 0)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** One balance row, now: what a scanner shows after a beep. */
export async function balanceAt(db: Executor, itemId: string, locationId: string, lotId = NO_LOT): Promise<{ onHand: number; reserved: number }> {
  const row = await db
    .selectFrom('balances')
    .select(['on_hand', 'reserved'])
    .where('item_id', '=', itemId)
    .where('location_id', '=', locationId)
    .where('lot_id', '=', lotId)
    .executeTakeFirst();
  return { onHand: row?.on_hand ?? 0, reserved: row?.reserved ?? 0 };
}

/**
 * On-hand per item over the sellable stock (bins, not quarantine) in the scope: a site, a zone,
 * a bin, or everything the actor may see. One grouped query.
 */
export async function onHandByItem(ctx: ServiceContext, options: { locationId?: string; itemIds?: readonly string[] }): Promise<Map<string, number>> {
  if (options.itemIds?.length === 0) return new Map();
  const scope = await resolveStockScope(ctx, options.locationId);
  let query = reader(ctx)
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .select(['b.item_id', sql<number>`sum(b.on_hand)`.as('on_hand')])
    .where('l.kind', '<>', 'virtual')
    .where('l.purpose', '=', 'stock')
    .where(inScope(scope, 'b.location_id'));
  if (options.itemIds) query = query.where('b.item_id', 'in', options.itemIds);
  const rows = await query.groupBy('b.item_id').execute();
  return new Map(rows.map((r) => [r.item_id, Number(r.on_hand)]));
}

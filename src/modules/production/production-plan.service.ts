import { canSeeSite, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { findItems } from '../catalog/index.ts';
import { findLocation } from '../locations/index.ts';
import { levelsAtSites, siteLevelKey } from '../replenishment/index.ts';
import { findActiveBom, getBom, PPM } from './boms.service.ts';
import { ProductionError } from './production.errors.ts';
import { createProductionOrder, expectedGood, type ProductionOrderRecord } from './production-orders.service.ts';

/**
 * The daily production plan of a site: for every item with a bill of materials and a minimum,
 * what the site has and what open orders will still make; at or below the minimum, make up to
 * the maximum in whole batches ("bake 24 croissants tomorrow"). One call turns the plan into
 * orders. Levels are read through `productionLevels` alone, so per-site levels (and later the
 * forecast) replace the catalog's reorder point in one place.
 */

export interface Levels {
  min: number;
  /** Null when only a minimum is known: the plan then makes one batch's good output above it. */
  max: number | null;
}

/** Min/max per item at a site: the site's level (replenishment), else the item's old reorder point as min. */
export async function productionLevels(db: Executor, siteId: string, itemIds: readonly string[]): Promise<Map<string, Levels>> {
  const atSite = await levelsAtSites(db, itemIds, [siteId]);
  const levels = new Map<string, Levels>();
  for (const itemId of itemIds) {
    const level = atSite.get(siteLevelKey(itemId, siteId));
    if (level) levels.set(itemId, { min: level.min, max: level.max });
  }
  return levels;
}

export interface PlanLine {
  itemId: string;
  sku: string;
  name: string;
  bomId: string;
  batchQty: number;
  onHand: number;
  plannedOpen: number;
  min: number;
  max: number;
  qty: number;
  reason: string;
}

export function tomorrowOf(now: number): string {
  return new Date(now + 86_400_000).toISOString().slice(0, 10);
}

export async function productionPlan(ctx: ServiceContext, siteId: string, date?: string): Promise<{ siteId: string; date: string; lines: PlanLine[] }> {
  const db = reader(ctx);
  const site = await findLocation(db, siteId);
  if (!site || site.kind !== 'site' || !canSeeSite(ctx.actor, site.id)) {
    throw new ProductionError('production_order_invalid', `${siteId} is not a site you may produce at.`, { errors: [{ field: 'site_id', code: 'not_found', message: 'no such site' }] });
  }
  const boms = await db
    .selectFrom('boms as b')
    .innerJoin('items as i', 'i.id', 'b.item_id')
    .select(['b.id', 'b.item_id'])
    .where('b.status', '=', 'active')
    .where('i.status', '=', 'active')
    .orderBy('i.sku')
    .limit(500)
    .execute();
  const itemIds = boms.map((b) => b.item_id);
  const [levels, items, onHand, open] = await Promise.all([
    productionLevels(db, site.id, itemIds),
    findItems(db, itemIds),
    itemIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('balances as b')
          .innerJoin('locations as l', 'l.id', 'b.location_id')
          .select(['b.item_id', (eb) => eb.fn.sum<number | string>('b.on_hand').as('qty')])
          .where('l.site_id', '=', site.id)
          .where('b.item_id', 'in', itemIds)
          .groupBy('b.item_id')
          .execute(),
    db
      .selectFrom('production_orders as o')
      .innerJoin('boms as b', 'b.id', 'o.bom_id')
      .select(['o.item_id', 'o.qty_planned', 'o.qty_produced', 'b.yield_ppm'])
      .where('o.site_id', '=', site.id)
      .where('o.status', 'in', ['planned', 'started'])
      .execute(),
  ]);
  const onHandBy = new Map(onHand.map((r) => [r.item_id, Number(r.qty ?? 0)]));
  const openBy = new Map<string, number>();
  for (const o of open) openBy.set(o.item_id, (openBy.get(o.item_id) ?? 0) + Math.max(0, mulDiv(o.qty_planned, o.yield_ppm, PPM) - o.qty_produced));
  const lines: PlanLine[] = [];
  for (const b of boms) {
    const level = levels.get(b.item_id);
    if (!level) continue;
    const record = await getBom(db, b.id);
    const perBatch = expectedGood(record.bom, record.bom.batch_qty);
    if (perBatch <= 0) continue;
    const have = onHandBy.get(b.item_id) ?? 0;
    const coming = openBy.get(b.item_id) ?? 0;
    const max = level.max ?? level.min + perBatch;
    const item = items.get(b.item_id)!;
    if (have + coming > level.min) continue;
    const needed = max - have - coming;
    const batches = Math.max(1, Math.ceil(needed / perBatch));
    lines.push({
      itemId: b.item_id,
      sku: item.sku,
      name: item.name,
      bomId: b.id,
      batchQty: record.bom.batch_qty,
      onHand: have,
      plannedOpen: coming,
      min: level.min,
      max,
      qty: batches * record.bom.batch_qty,
      reason: `${have / 1000} on hand${coming ? ` and ${coming / 1000} coming` : ''} is at or below the minimum of ${level.min / 1000}: ${batches} batch${batches === 1 ? '' : 'es'} to reach ${max / 1000}`,
    });
  }
  return { siteId: site.id, date: date ?? tomorrowOf(ctx.clock.now()), lines };
}

/** One click: the plan (or the lines given) becomes production orders for the day. */
export async function createPlannedOrders(
  ctx: ServiceContext,
  input: { site_id: string; date?: string | undefined; lines?: Array<{ item_id: string; qty: number }> | undefined; start?: boolean | undefined },
): Promise<ProductionOrderRecord[]> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const plan = input.lines ? null : await productionPlan(tctx, input.site_id, input.date);
    const date = input.date ?? plan?.date ?? tomorrowOf(ctx.clock.now());
    const wanted = input.lines ?? plan!.lines.map((l) => ({ item_id: l.itemId, qty: l.qty }));
    const made: ProductionOrderRecord[] = [];
    for (const line of wanted) {
      if (!(await findActiveBom(trx, line.item_id))) {
        throw new ProductionError('production_order_invalid', `${line.item_id} has no bill of materials.`, { errors: [{ field: 'body.lines', code: 'no_bom', message: 'no bill of materials' }] });
      }
      made.push(await createProductionOrder(tctx, { item_id: line.item_id, site_id: input.site_id, qty: line.qty, planned_for: date, start: input.start }));
    }
    return made;
  });
}

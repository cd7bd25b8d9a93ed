import { sql } from 'kysely';
import { reader, type ServiceContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { getLocation, LocationError } from '../locations/index.ts';
import { readCountSettings, type CountSettings } from './count-settings.service.ts';

/**
 * What needs counting. Every balance below zero needs a count; so does every item whose last
 * count at the site is older than its cycle. Cycles follow ABC classes by annual cost of goods
 * sold at the site: the items making the first 80% of it are A (counted monthly by default), the
 * next 15% B (quarterly), the rest C (yearly). Today's plan spreads each class over its cycle,
 * so every item comes round once a cycle without a day of counting everything.
 */

export type AbcClass = 'A' | 'B' | 'C';
const dayMs = 86_400_000;
export const ABC_SHARES = { A: 0.8, B: 0.95 } as const;

export interface ItemCycle {
  itemId: string;
  sku: string;
  name: string;
  abcClass: AbcClass;
  annualCogsMicros: number;
  lastCountedAt: number | null;
  dueAt: number | null;
}

/** Classifies items by their share of cost of goods sold, largest first. Pure. */
export function classifyAbc(cogs: ReadonlyArray<{ itemId: string; cogsMicros: number }>): Map<string, AbcClass> {
  const sorted = [...cogs].sort((a, b) => b.cogsMicros - a.cogsMicros || (a.itemId < b.itemId ? -1 : 1));
  const total = sorted.reduce((sum, r) => sum + Math.max(0, r.cogsMicros), 0);
  const result = new Map<string, AbcClass>();
  let before = 0;
  for (const row of sorted) {
    const share = total === 0 ? 1 : before / total;
    result.set(row.itemId, row.cogsMicros <= 0 ? 'C' : share < ABC_SHARES.A ? 'A' : share < ABC_SHARES.B ? 'B' : 'C');
    before += Math.max(0, row.cogsMicros);
  }
  return result;
}

export function cycleDaysOf(settings: CountSettings, abcClass: AbcClass): number {
  return abcClass === 'A' ? settings.cycle_a_days : abcClass === 'B' ? settings.cycle_b_days : settings.cycle_c_days;
}

async function siteOf(ctx: ServiceContext, siteId: string) {
  const site = await getLocation(ctx, siteId);
  if (site.kind !== 'site') throw new LocationError('location_not_found', `${site.full_code} is a ${site.kind}, not a site.`, { location_id: siteId });
  return site;
}

/** Every stocked item kept at the site with its class, last count and when its next count is due. */
export async function itemCycles(db: Executor, siteId: string, now: number): Promise<ItemCycle[]> {
  const settings = await readCountSettings(db, siteId);
  const [items, cogs, counted] = await Promise.all([
    db
      .selectFrom('items as i')
      .select(['i.id', 'i.sku', 'i.name'])
      .where('i.status', '=', 'active')
      .where('i.stocked', '=', 1)
      .where((eb) =>
        eb.exists(eb.selectFrom('balances as b').innerJoin('locations as l', 'l.id', 'b.location_id').select('b.item_id').whereRef('b.item_id', '=', 'i.id').where('l.site_id', '=', siteId).where('l.kind', '=', 'bin')),
      )
      .orderBy('i.sku')
      .execute(),
    db
      .selectFrom('movements as m')
      .innerJoin('locations as l', 'l.id', 'm.from_location_id')
      .select(['m.item_id', sql<number>`sum(coalesce(m.value_micros, 0))`.as('cogs')])
      .where('l.site_id', '=', siteId)
      .where('m.kind', 'in', ['sale', 'consumption'])
      .where('m.effective_at', '>', now - 365 * dayMs)
      .groupBy('m.item_id')
      .execute(),
    db
      .selectFrom('count_lines as c')
      .innerJoin('counts as k', 'k.id', 'c.count_id')
      .select(['c.item_id', sql<number>`max(c.counted_at)`.as('last')])
      .where('k.site_id', '=', siteId)
      .where('c.status', '=', 'posted')
      .groupBy('c.item_id')
      .execute(),
  ]);
  const cogsByItem = new Map(cogs.map((r) => [r.item_id, Number(r.cogs)]));
  const classes = classifyAbc(items.map((i) => ({ itemId: i.id, cogsMicros: cogsByItem.get(i.id) ?? 0 })));
  const last = new Map(counted.map((r) => [r.item_id, Number(r.last)]));
  return items.map((i) => {
    const abcClass = classes.get(i.id) ?? 'C';
    const lastCountedAt = last.get(i.id) ?? null;
    return {
      itemId: i.id,
      sku: i.sku,
      name: i.name,
      abcClass,
      annualCogsMicros: cogsByItem.get(i.id) ?? 0,
      lastCountedAt,
      dueAt: lastCountedAt === null ? null : lastCountedAt + cycleDaysOf(settings, abcClass) * dayMs,
    };
  });
}

export interface NeedsCount {
  siteId: string;
  negative: Array<{ item_id: string; sku: string; name: string; location_id: string; location_code: string; lot_id: string; on_hand: number }>;
  overdue: ItemCycle[];
  /** Stock replayed offline sales took beyond a strict site's records (booked as `offline_shortage`), not counted since. */
  shortages: Array<{ item_id: string; sku: string; name: string; location_id: string; location_code: string; lot_id: string; qty: number; sale_id: string; occurred_at: number }>;
}

export async function needsCount(ctx: ServiceContext, siteId: string): Promise<NeedsCount> {
  await siteOf(ctx, siteId);
  const db = reader(ctx);
  const now = ctx.clock.now();
  const negative = await db
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .innerJoin('items as i', 'i.id', 'b.item_id')
    .select(['b.item_id', 'i.sku', 'i.name', 'b.location_id', 'l.full_code as location_code', 'b.lot_id', 'b.on_hand'])
    .where('l.site_id', '=', siteId)
    .where('l.kind', '=', 'bin')
    .where('b.on_hand', '<', 0)
    .orderBy('i.sku')
    .limit(1000)
    .execute();
  const overdue = (await itemCycles(db, siteId, now)).filter((c) => c.dueAt === null || c.dueAt <= now);
  const shortages = await uncountedShortages(db, siteId);
  return { siteId, negative: negative.map((n) => ({ ...n, on_hand: Number(n.on_hand) })), overdue: overdue.slice(0, 1000), shortages };
}

/**
 * Offline sales that took more than a strict site's records held, whose item has not been counted
 * at the site since the shortage was booked: the shelf and the records disagree until someone looks.
 */
async function uncountedShortages(db: Executor, siteId: string): Promise<NeedsCount['shortages']> {
  const rows = await db
    .selectFrom('movements as m')
    .innerJoin('locations as l', 'l.id', 'm.to_location_id')
    .innerJoin('items as i', 'i.id', 'm.item_id')
    .select(['m.item_id', 'i.sku', 'i.name', 'm.to_location_id as location_id', 'l.full_code as location_code', 'm.lot_id', 'm.qty', 'm.document_id as sale_id', 'm.effective_at as occurred_at'])
    .where('l.site_id', '=', siteId)
    .where('m.kind', '=', 'adjustment')
    .where('m.reason', '=', 'offline_shortage')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('count_lines as c')
            .innerJoin('counts as k', 'k.id', 'c.count_id')
            .select('c.item_id')
            .whereRef('c.item_id', '=', 'm.item_id')
            .where('k.site_id', '=', siteId)
            .where('c.status', '=', 'posted')
            .whereRef('c.counted_at', '>', 'm.recorded_at'),
        ),
      ),
    )
    .orderBy('m.recorded_at')
    .limit(1000)
    .execute();
  return rows.map((r) => ({ ...r, qty: Number(r.qty), occurred_at: Number(r.occurred_at) }));
}

export interface CyclePlan {
  siteId: string;
  date: string;
  classes: Record<AbcClass, number>;
  items: ItemCycle[];
}

/** Today's share of each class's cycle, most overdue (never counted first), plus everything below zero. */
export async function cyclePlan(ctx: ServiceContext, siteId: string): Promise<CyclePlan> {
  await siteOf(ctx, siteId);
  const db = reader(ctx);
  const now = ctx.clock.now();
  const settings = await readCountSettings(db, siteId);
  const cycles = await itemCycles(db, siteId, now);
  const classes: Record<AbcClass, number> = { A: 0, B: 0, C: 0 };
  for (const c of cycles) classes[c.abcClass] += 1;
  const negative = new Set(
    (
      await db
        .selectFrom('balances as b')
        .innerJoin('locations as l', 'l.id', 'b.location_id')
        .select('b.item_id')
        .where('l.site_id', '=', siteId)
        .where('l.kind', '=', 'bin')
        .where('b.on_hand', '<', 0)
        .execute()
    ).map((r) => r.item_id),
  );
  const planned: ItemCycle[] = cycles.filter((c) => negative.has(c.itemId));
  for (const abcClass of ['A', 'B', 'C'] as const) {
    const quota = Math.ceil(classes[abcClass] / cycleDaysOf(settings, abcClass));
    const due = cycles
      .filter((c) => c.abcClass === abcClass && !negative.has(c.itemId) && (c.dueAt === null || c.dueAt <= now))
      .sort((a, b) => (a.lastCountedAt ?? 0) - (b.lastCountedAt ?? 0) || (a.sku < b.sku ? -1 : 1));
    planned.push(...due.slice(0, quota));
  }
  return { siteId, date: new Date(now).toISOString().slice(0, 10), classes, items: planned };
}

export async function cyclePlanItemIds(ctx: ServiceContext, siteId: string): Promise<string[]> {
  return (await cyclePlan(ctx, siteId)).items.map((i) => i.itemId);
}

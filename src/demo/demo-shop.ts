import { ManualClock } from '../platform/clock.ts';
import type { ServiceContext } from '../platform/context.ts';
import { transact, type Trx } from '../platform/db/transaction.ts';
import { runForecasts } from '../modules/forecasting/index.ts';
import { createVendor, setVendorItem } from '../modules/purchasing/index.ts';
import { BASE_PRODUCTS, RECIPES, VENDORS, rangeProducts, type DemoVendor, type VendorKey } from './demo-catalog.ts';
import { DemandCalendar } from './demand.ts';
import { emptyTally, type DayEvent, type Tally } from './day-events.ts';
import { Replenishment, vendorSku, type DemoPurchasing } from './demo-replenishment.ts';
import type { WarehousePlanning } from '../modules/replenishment/index.ts';
import { DemoCounts } from './demo-counts.ts';
import { DemoProduction } from './demo-production.ts';
import { setUpDemoShop } from './demo-store.ts';
import { DemoTransfers } from './demo-transfers.ts';
import { Trading } from './demo-trading.ts';
import { Random } from './random.ts';
import { HARBOUR, MAIN, ShopModel } from './shop-model.ts';
import { putLevel } from '../modules/replenishment/index.ts';
import { PostingBatch } from '../modules/ledger/index.ts';

const DAY_MS = 86_400_000;
/** Fifteen months: a full year to compare against, and two winters of glove sales. */
export const DEFAULT_DEMO_DAYS = 456;
export const DEFAULT_DEMO_SEED = 20261127;
/** Items per unit of scale: scale 100 carries thirty thousand. */
export const ITEMS_PER_SCALE = 300;
/** With Stockroom buying: the day its levels are first suggested (four weeks of history) and its proposals take over. */
const STOCKROOM_FROM_DAY = 28;

export interface DemoShopOptions {
  seed?: number;
  /** N times the items (and so the trade) of the small shop. */
  scale?: number;
  days?: number;
  onProgress?: (progress: { phase: 'catalog' | 'history'; done: number; total: number }) => void;
  /** Who buys: the simulator's own logic (the default), or Stockroom's proposals (bench/replenishment-demo.ts). */
  purchasing?: DemoPurchasing;
  /** With Stockroom buying: max = min + a review period's demand (default), or max = min. */
  levelsMaxCover?: 'review' | 'none';
  /** With Stockroom buying: how the warehouse plans for its stores (`echelon`, the product's rule, or `two_level`, the rule before). */
  warehousePlanning?: WarehousePlanning;
  /** Measure stock-out days and average stock value at each day's end (off by default: it costs a pass over every item each day). */
  measureStock?: boolean;
  /**
   * Post each run of counter sales as one batch (the default; ledger/posting-batch.ts), or each
   * sale on its own as the API does. Both build the same shop; the batch builds it faster.
   */
  batchPosting?: boolean;
  /** Called after each simulated day with the model (the bench's diagnostics read stock and levels there). */
  afterDay?: (day: number, model: ShopModel) => Promise<void>;
}

/** Stock measured at the end of every simulated day, over the items sold at each site (bakes, delivered daily, left out). */
export interface DemoStockFigures {
  /** Site-item-days that ended with less than one unit of an item the site sells. */
  stockOutDays: number;
  /** The stock's value at purchase cost, averaged over the days' ends, in micros. */
  averageStockValueMicros: number;
  /** The same per site (in the order of the shop's sites), to see where stock or stock-outs sit. */
  bySite: Array<{ stockOutDays: number; averageStockValueMicros: number }>;
  /** The same per category and vendor ("Accessories/knit"), each with its sites, to see which goods hold the stock. */
  byGroup: Array<{ group: string; bySite: Array<{ stockOutDays: number; averageStockValueMicros: number }> }>;
}

export interface DemoShopSummary extends Tally {
  seed: number;
  scale: number;
  days: number;
  from: string;
  to: string;
  sites: number;
  items: number;
  vendors: number;
  movements: number;
  stock?: DemoStockFigures;
}

/** Days of simulated trade a transaction commits, when no caller reads between days. */
const DAYS_PER_COMMIT = 7;

/**
 * One simulated day's events in order. Runs of counter sales post as one batch; an event that may
 * read what a batch holds back flushes it first.
 */
async function simulateDay(dayCtx: ServiceContext & { trx: Trx }, clock: ManualClock, events: readonly DayEvent[], batchPosting: boolean): Promise<void> {
  const batch = batchPosting ? new PostingBatch() : null;
  const saleCtx = batch ? { ...dayCtx, postingBatch: batch } : dayCtx;
  for (const event of events) {
    clock.set(Math.max(event.at, clock.now()));
    // Run in the batch's context: should such an event post after all, the ledger defers it or flushes first.
    if (event.batchable || event.passesBatch) {
      await event.run(saleCtx);
      continue;
    }
    await batch?.flush(dayCtx.trx);
    await event.run(dayCtx);
  }
  await batch?.flush(dayCtx.trx);
}

/**
 * A shop with a past: the demo shop opened `days` ago and traded every day since, up to last
 * night, through the same services the API calls. A seed gives the same shop every time (ids and
 * times aside, which come from the clock). Whole days are committed together, so a run that is
 * stopped leaves whole days behind it.
 */
export async function loadDemoShop(ctx: ServiceContext, options: DemoShopOptions = {}): Promise<DemoShopSummary> {
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const scale = options.scale ?? 1;
  const days = options.days ?? DEFAULT_DEMO_DAYS;
  if (!Number.isInteger(scale) || scale < 1 || scale > 1000) throw new RangeError('scale is a whole number from 1 to 1000');
  if (!Number.isInteger(days) || days < 1 || days > 3660) throw new RangeError('days is a whole number from 1 to 3660');
  const random = new Random(seed);
  const today = Math.floor(ctx.clock.now() / DAY_MS) * DAY_MS;
  const start = today - days * DAY_MS;
  const clock = new ManualClock(start + 6 * 3_600_000);
  const simCtx: ServiceContext = { ...ctx, clock };

  const named = BASE_PRODUCTS.length + RECIPES.length + 1;
  const products = [...BASE_PRODUCTS, ...rangeProducts(Math.max(0, scale * ITEMS_PER_SCALE - named), random)];
  const progress = options.onProgress ?? (() => {});
  const layout = await setUpDemoShop(simCtx, products, (done) => progress({ phase: 'catalog', done, total: products.length }));
  const model = new ShopModel(products, layout, new DemandCalendar(start, days));
  const vendors = await setUpVendors(simCtx, model);
  // The bakery delivers every morning: at the stores, bakes sold out at closing are not out of stock.
  for (const product of model.products.filter((p) => p.bakedDaily)) {
    for (const site of [MAIN, HARBOUR]) {
      const max = Math.ceil((product.demand[site] ?? 0) * 1.2) * 1000;
      if (max > 0) await putLevel(simCtx, product.id, model.siteIds[site]!, { min: 0, max, delivered_daily: true });
    }
  }

  const tally = emptyTally();
  const trading = new Trading(model, random, tally, layout.modifiers.oatMilk, layout.modifiers.extraShot, layout.webShop);
  const buying = new Replenishment(model, random, tally, vendors, options.purchasing ?? 'simulator', options.levelsMaxCover ?? 'review', options.warehousePlanning);
  const figures = { stockOutDays: 0, valueSum: 0, bySite: model.siteIds.map(() => ({ stockOutDays: 0, valueSum: 0 })), byGroup: new Map<string, StockTally[]>() };
  // An item counts at a site when the site ever sells it, itself or as an ingredient.
  const sells = options.measureStock ? model.products.map((p) => model.siteIds.map((_, site) => model.forecast(site, p.index, 0, days) > 0)) : [];
  const transfers = new DemoTransfers(model, seed, options.purchasing === 'stockroom' ? STOCKROOM_FROM_DAY : null);
  // Its own stream of chance, so adding counts leaves the rest of a seed's history as it was.
  const counting = new DemoCounts(model, new Random(seed + 0x636e74), tally);
  const baking = new DemoProduction(model, new Random(seed + 0x70726f64), tally);
  await baking.setUp(simCtx);
  const planDay = (day: number, dayStart: number): DayEvent[] => {
    const events = [
      ...buying.planDay(day, dayStart),
      ...trading.planDay(day, dayStart),
      ...transfers.planDay(day, dayStart),
      ...counting.planDay(day, dayStart),
      ...baking.planDay(day, dayStart),
    ];
    // Stable sort: events at the same instant keep their planned order, so a seed replays exactly.
    return events.sort((a, b) => a.at - b.at);
  };
  // Days are committed a week at a time: each commit writes the pages its days dirtied, and the
  // same balances, costs and indexes are dirtied every day. A caller that reads between days gets
  // a transaction a day.
  const daysPerCommit = options.afterDay ? 1 : DAYS_PER_COMMIT;
  for (let first = 0; first < days; first += daysPerCommit) {
    const last = Math.min(days, first + daysPerCommit);
    let attempts = 0;
    await transact(ctx.db, async (trx) => {
      // The model has already moved with these days' postings: a retried transaction would count them twice.
      if ((attempts += 1) > 1) throw new Error('a simulated day was retried; load the demo into an empty database again');
      for (let day = first; day < last; day += 1) {
        await simulateDay({ ...simCtx, trx }, clock, planDay(day, start + day * DAY_MS), options.batchPosting !== false);
        if (options.measureStock) measureStock(model, sells, figures);
        progress({ phase: 'history', done: day + 1, total: days });
      }
    });
    if (options.afterDay) await options.afterDay(first, model);
  }

  // Last night's forecast run, as the server's daily job would have made it: the item pages and
  // the forecast-accuracy report open with figures.
  if (days > 0) await runForecasts(ctx, { trigger: 'demo' });

  const counted = await ctx.db.kysely.selectFrom('movements').select((eb) => eb.fn.countAll().as('movements')).executeTakeFirstOrThrow();
  return {
    ...tally,
    seed,
    scale,
    days,
    from: new Date(start).toISOString().slice(0, 10),
    to: new Date(today - DAY_MS).toISOString().slice(0, 10),
    sites: layout.sites.length,
    items: layout.items.size,
    vendors: vendors.size,
    movements: Number(counted.movements),
    ...(options.measureStock
      ? {
          stock: {
            stockOutDays: figures.stockOutDays,
            averageStockValueMicros: Math.round(figures.valueSum / days),
            bySite: figures.bySite.map((s) => ({ stockOutDays: s.stockOutDays, averageStockValueMicros: Math.round(s.valueSum / days) })),
            byGroup: [...figures.byGroup]
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([group, sites]) => ({ group, bySite: sites.map((s) => ({ stockOutDays: s.stockOutDays, averageStockValueMicros: Math.round(s.valueSum / days) })) })),
          },
        }
      : {}),
  };
}

interface StockTally {
  stockOutDays: number;
  valueSum: number;
}

function measureStock(model: ShopModel, sells: boolean[][], figures: StockTally & { bySite: StockTally[]; byGroup: Map<string, StockTally[]> }): void {
  for (const product of model.products) {
    if (product.bakedDaily) continue;
    const groupKey = `${product.category}/${product.vendor}`;
    let group = figures.byGroup.get(groupKey);
    if (!group) figures.byGroup.set(groupKey, (group = model.siteIds.map(() => ({ stockOutDays: 0, valueSum: 0 }))));
    for (let site = 0; site < model.siteIds.length; site += 1) {
      const stock = model.stock[site]![product.index]!;
      const out = sells[product.index]![site] && stock < 1000 ? 1 : 0;
      const value = stock > 0 ? (stock * product.purchaseCostMicros) / product.perPurchase : 0;
      figures.stockOutDays += out;
      figures.valueSum += value;
      figures.bySite[site]!.stockOutDays += out;
      figures.bySite[site]!.valueSum += value;
      group[site]!.stockOutDays += out;
      group[site]!.valueSum += value;
    }
  }
}

async function setUpVendors(ctx: ServiceContext, model: ShopModel): Promise<Map<VendorKey, { vendor: DemoVendor; id: string }>> {
  const vendors = new Map<VendorKey, { vendor: DemoVendor; id: string }>();
  for (const vendor of VENDORS) {
    const row = await createVendor(ctx, {
      name: vendor.name,
      email: vendor.email,
      payment_terms: vendor.terms,
      lead_time_days: vendor.leadDays,
      over_receipt_tolerance: 5_000,
      notes: vendor.late.chance > 0.5 ? 'Often late and short: order early for the winter.' : null,
    });
    vendors.set(vendor.key, { vendor, id: row.id });
  }
  for (let start = 0; start < model.products.length; start += 500) {
    await transact(ctx.db, async (trx) => {
      for (const product of model.products.slice(start, start + 500)) {
        const { vendor, id } = vendors.get(product.vendor)!;
        await setVendorItem({ ...ctx, trx }, id, product.id, {
          vendor_sku: vendorSku(vendor, product),
          purchase_unit: product.purchaseUnit,
          unit_cost: product.purchaseCostMicros,
          preferred: true,
        });
      }
    });
  }
  return vendors;
}


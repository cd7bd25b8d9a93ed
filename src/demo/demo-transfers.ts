import type { ServiceContext } from '../platform/context.ts';
import { sumPickableBySite } from '../modules/ledger/index.ts';
import { proposeReplenishment } from '../modules/replenishment/index.ts';
import { createTransfer, receiveTransfer, shipTransfer } from '../modules/transfers/index.ts';
import { at, type DayEvent } from './day-events.ts';
import { Random } from './random.ts';
import { HARBOUR, MAIN, WAREHOUSE, type ShopModel, type SimProduct } from './shop-model.ts';

/** Monday: the van leaves the warehouse in the morning and is unloaded at the stores in the afternoon. */
const TRANSFER_WEEKDAY = 1;
const LINES_PER_TRANSFER = 20;
/** The warehouse keeps two weeks of its own (online) demand before it sends anything to the stores. */
const WAREHOUSE_KEEPS_DAYS = 14;
/** A store is topped up to a week and a half of its demand. */
const STORE_COVER_DAYS = 10;

/**
 * The demo shop's weekly warehouse-to-store transfers: every Monday, for each store, the goods
 * it will run short of in the coming days and the warehouse has to spare are allocated, shipped
 * in the morning and received in the afternoon, now and then with a unit broken on the way (to
 * scrap, flagged damaged). Perishables are left to the vendors' direct deliveries. The quantities
 * come from the simulation's model and are capped by what the warehouse can actually pick, so a
 * transfer never fails mid-day. Its own random stream keeps the rest of the simulation's draws
 * where they were.
 */
export class DemoTransfers {
  readonly #random: Random;
  /** Shipped this morning, by store: unloaded in the afternoon. */
  readonly #onTheVan = new Map<number, { transferId: string; lines: Array<{ lineId: string; index: number; qty: number }> }>();

  constructor(
    private readonly model: ShopModel,
    seed: number,
    /** With Stockroom buying, the van carries Stockroom's transfer proposals (from the day its levels are set). */
    private readonly stockroomFrom: number | null = null,
  ) {
    this.#random = new Random(seed ^ 0x7a3f);
  }

  planDay(day: number, dayStart: number): DayEvent[] {
    if (new Date(dayStart).getUTCDay() !== TRANSFER_WEEKDAY) return [];
    return [MAIN, HARBOUR].flatMap((site, i) => [
      { at: at(dayStart, 7.5 + i * 0.25), run: (ctx: ServiceContext) => this.#send(ctx, day, dayStart, site) },
      { at: at(dayStart, 14 + i), run: (ctx: ServiceContext) => this.#unload(ctx, site) },
    ]);
  }

  async #send(ctx: ServiceContext, day: number, dayStart: number, site: number): Promise<void> {
    if (this.stockroomFrom !== null && day >= this.stockroomFrom) return this.#sendProposed(ctx, day, dayStart, site);
    const { model } = this;
    const candidates = model.products.filter((p) => !p.shelfLifeDays && this.#need(p, site, day) >= 1000 && this.#spare(p, day) >= 1000);
    if (candidates.length === 0) return;
    const warehouseId = model.siteIds[WAREHOUSE]!;
    const today = new Date(dayStart).toISOString().slice(0, 10);
    const pickable = new Map(
      (await sumPickableBySite(ctx.trx ?? ctx.db.kysely, { itemIds: candidates.map((p) => p.id), siteIds: [warehouseId], today })).map((r) => [r.itemId, r.available]),
    );
    const lines = candidates
      .map((p) => {
        const keep = model.forecast(WAREHOUSE, p.index, day, day + WAREHOUSE_KEEPS_DAYS);
        const units = Math.floor(Math.min(this.#need(p, site, day), this.#spare(p, day), (pickable.get(p.id) ?? 0) - keep) / 1000);
        return { product: p, units };
      })
      .filter((l) => l.units > 0)
      .sort((a, b) => b.units * b.product.priceMicros - a.units * a.product.priceMicros)
      .slice(0, LINES_PER_TRANSFER);
    if (lines.length === 0) return;
    await this.#ship(ctx, site, lines);
  }

  /** Stockroom's proposed moves from the warehouse to this store, as proposed, capped by what the warehouse can pick. */
  async #sendProposed(ctx: ServiceContext, day: number, dayStart: number, site: number): Promise<void> {
    const { model } = this;
    const warehouseId = model.siteIds[WAREHOUSE]!;
    const proposals = await proposeReplenishment(ctx, { siteId: model.siteIds[site]! });
    const group = proposals.transfer.find((g) => g.sourceSiteId === warehouseId && g.destinationSiteId === model.siteIds[site]);
    if (!group) return;
    const today = new Date(dayStart).toISOString().slice(0, 10);
    const pickable = new Map(
      (await sumPickableBySite(ctx.trx ?? ctx.db.kysely, { itemIds: group.lines.map((l) => l.itemId), siteIds: [warehouseId], today })).map((r) => [r.itemId, r.available]),
    );
    const lines = group.lines
      .map((l) => ({ product: model.products[model.indexById.get(l.itemId)!]!, units: Math.floor(Math.min(l.qty, pickable.get(l.itemId) ?? 0) / 1000) }))
      .filter((l) => l.units > 0);
    if (lines.length === 0) return;
    await this.#ship(ctx, site, lines);
  }

  async #ship(ctx: ServiceContext, site: number, lines: Array<{ product: SimProduct; units: number }>): Promise<void> {
    const { model } = this;
    const created = await createTransfer(ctx, {
      source_site_id: model.siteIds[WAREHOUSE]!,
      destination_site_id: model.siteIds[site]!,
      note: 'Weekly store top-up',
      lines: lines.map((l) => ({ item_id: l.product.id, qty: l.units * 1000 })),
    });
    const shipped = await shipTransfer(ctx, created.transfer.id, {});
    for (const l of lines) model.add(WAREHOUSE, l.product.index, -l.units * 1000);
    this.#onTheVan.set(site, {
      transferId: created.transfer.id,
      lines: shipped.lines.map((line, i) => ({ lineId: line.id, index: lines[i]!.product.index, qty: line.qty_shipped })),
    });
  }

  /** The store counts what came off the van; about one line in forty has a broken unit, which goes to scrap. */
  async #unload(ctx: ServiceContext, site: number): Promise<void> {
    const van = this.#onTheVan.get(site);
    if (!van) return;
    this.#onTheVan.delete(site);
    const receipt = van.lines.map((line) => {
      const damaged = line.qty >= 2000 && this.#random.chance(0.025) ? 1000 : 0;
      return { line_id: line.lineId, qty: line.qty - damaged, damaged_qty: damaged };
    });
    await receiveTransfer(ctx, van.transferId, { lines: receipt, close: true });
    for (const [i, line] of van.lines.entries()) this.model.add(site, line.index, receipt[i]!.qty);
  }

  /** What the store will be short of over the next days, beyond its stock and what it has on order. */
  #need(p: SimProduct, site: number, day: number): number {
    const { model } = this;
    return model.forecast(site, p.index, day, day + STORE_COVER_DAYS) - model.stock[site]![p.index]! - model.onOrder[site]![p.index]!;
  }

  /** What the warehouse holds beyond two weeks of its own demand. */
  #spare(p: SimProduct, day: number): number {
    const { model } = this;
    return model.stock[WAREHOUSE]![p.index]! - model.forecast(WAREHOUSE, p.index, day, day + WAREHOUSE_KEEPS_DAYS);
  }
}

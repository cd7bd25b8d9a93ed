import type { ServiceContext } from '../platform/context.ts';
import { completeProductionOrder, createBomVersion, createProductionOrder } from '../modules/production/index.ts';
import { BAKES, type DemoBake } from './demo-catalog.ts';
import { money, qty } from './demo-store.ts';
import { at, type DayEvent, type Tally } from './day-events.ts';
import type { Random } from './random.ts';
import { MAIN, type ShopModel, type SimPart, type SimProduct } from './shop-model.ts';

interface Bake {
  recipe: DemoBake;
  product: SimProduct;
  /** Thousandths of each ingredient one item takes. */
  parts: SimPart[];
}

/**
 * Main Street's kitchen. Every morning before opening it bakes what the day is expected to sell
 * (plus a margin, as the bakery used to deliver), each bake a production order from the item's
 * bill of materials, completed at once with what really happened: a little more or less flour
 * and butter than the recipe says, now and then a tray edge burnt and thrown away. What is left
 * at closing still goes in the bin (Trading). Its own stream of chance keeps the rest of a seed's
 * history as it was.
 */
export class DemoProduction {
  readonly #bakes: Bake[];

  constructor(
    readonly model: ShopModel,
    readonly random: Random,
    readonly tally: Tally,
  ) {
    this.#bakes = BAKES.map((recipe) => ({
      recipe,
      product: model.bySku.get(recipe.sku)!,
      parts: recipe.parts.map(([sku, grams]) => ({ index: model.bySku.get(sku)!.index, qty: qty(grams) })),
    }));
  }

  /** The recipes, as bills of materials of a tray each. */
  async setUp(ctx: ServiceContext): Promise<void> {
    for (const { recipe, product, parts } of this.#bakes) {
      await createBomVersion(ctx, product.id, {
        batch_qty: qty(recipe.tray),
        yield: Math.round(Number(recipe.yieldPct) * 10_000),
        labour: money(recipe.labourPerTray),
        labour_basis: 'batch',
        overhead: money(recipe.ovenPerTray),
        overhead_basis: 'batch',
        note: 'Main Street kitchen, one tray',
        lines: parts.map((p) => ({ item_id: this.model.products[p.index]!.id, qty: p.qty * recipe.tray })),
      });
    }
  }

  planDay(day: number, dayStart: number): DayEvent[] {
    return [{ at: at(dayStart, 5.5), run: (ctx) => this.#bake(ctx, day, dayStart) }];
  }

  async #bake(ctx: ServiceContext, day: number, dayStart: number): Promise<void> {
    const model = this.model;
    const planned = new Date(dayStart).toISOString().slice(0, 10);
    for (const { product, parts } of this.#bakes) {
      const wanted = Math.ceil((model.forecast(MAIN, product.index, day, day + 1) * 1.15) / 1000);
      const units = Math.min(wanted, model.available(MAIN, parts));
      if (units <= 0) continue;
      const order = await createProductionOrder(ctx, { item_id: product.id, site_id: model.siteIds[MAIN]!, qty: qty(units), planned_for: planned });
      // The hands and the oven: usage within a few percent of the recipe, sometimes a burnt one or two.
      const burnt = units > 2 && this.random.chance(0.3) ? this.random.int(1, Math.min(2, units - 1)) : 0;
      const used = parts.map((p) => {
        const plannedQty = p.qty * units;
        const actual = Math.round(plannedQty * (0.97 + this.random.next() * 0.06));
        return { index: p.index, qty: Math.max(0, Math.min(actual, model.stock[MAIN]![p.index]!)) };
      });
      await completeProductionOrder(ctx, order.order.id, {
        qty_produced: qty(units - burnt),
        qty_scrapped: qty(burnt),
        lines: used.map((u) => ({ item_id: model.products[u.index]!.id, qty_consumed: u.qty })),
      });
      for (const u of used) model.add(MAIN, u.index, -u.qty);
      model.add(MAIN, product.index, qty(units - burnt));
      this.tally.productionOrders += 1;
    }
  }
}

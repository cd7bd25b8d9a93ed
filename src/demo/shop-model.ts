import { BAKES, EXTRA_SHOT_GRAMS, EXTRA_SHOT_SHARE, GIFT_BASKET, OAT_MILK_SHARE, RECIPES, type DemoProduct, type DemoRecipe, type Season, type WEEKDAYS } from './demo-catalog.ts';
import type { DemandCalendar } from './demand.ts';
import type { DemoLayout } from './demo-store.ts';
import { money, qty } from './demo-store.ts';

export const MAIN = 0;
export const HARBOUR = 1;
export const WAREHOUSE = 2;
export const SITE_COUNT = 3;

export interface SimProduct extends DemoProduct {
  index: number;
  id: string;
  priceMicros: number;
  /** Cost per purchase unit in the vendor's terms, as it drifts. */
  purchaseCostMicros: number;
  purchaseUnit: string;
  /** Base thousandths in one purchase unit. */
  perPurchase: number;
}

export interface SimPart {
  index: number;
  /** Thousandths of the part in one unit sold. */
  qty: number;
}

export interface SimRecipe extends DemoRecipe {
  id: string;
  priceMicros: number;
  parts: SimPart[];
}

export interface SimBasket {
  id: string;
  priceMicros: number;
  parts: SimPart[];
}

/** Something that draws on an item's stock: its own sales, or a drink or basket it goes into. */
interface DemandSource {
  /** Units a day at Main Street, Harbour and online (the warehouse). */
  base: readonly [number, number, number];
  season: Season;
  weekday: keyof typeof WEEKDAYS;
  /** Thousandths of the item used per unit of the source. */
  perUnit: number;
}

/**
 * What the simulation knows of the shop: its products, and the stock it believes each site holds
 * and has on order (base thousandths). The ledger is the truth; this model mirrors every posting
 * the simulation makes, so it can decide what sells and what to reorder without asking the
 * database, and a shopper never buys what the shelf does not hold.
 */
export class ShopModel {
  readonly products: SimProduct[];
  readonly recipes: SimRecipe[];
  readonly basket: SimBasket;
  readonly stock: Float64Array[];
  readonly onOrder: Float64Array[];
  readonly siteIds: readonly string[];
  readonly bySku = new Map<string, SimProduct>();
  readonly indexById = new Map<string, number>();
  readonly #sources: DemandSource[][];

  constructor(
    products: readonly DemoProduct[],
    readonly layout: DemoLayout,
    readonly calendar: DemandCalendar,
  ) {
    this.siteIds = layout.sites;
    this.products = products.map((p, index) => {
      const perPurchase = qty(p.purchase?.per ?? 1);
      return {
        ...p,
        index,
        id: layout.items.get(p.sku)!,
        priceMicros: money(p.price),
        purchaseCostMicros: Math.round((money(p.cost) * perPurchase) / 1000),
        purchaseUnit: p.purchase?.unit ?? p.unit,
        perPurchase,
      };
    });
    for (const p of this.products) {
      this.bySku.set(p.sku, p);
      this.indexById.set(p.id, p.index);
    }
    const part = (sku: string, units: number): SimPart => ({ index: this.bySku.get(sku)!.index, qty: qty(units) });
    this.recipes = RECIPES.map((r) => ({ ...r, id: layout.items.get(r.sku)!, priceMicros: money(r.price), parts: r.components.map(([sku, units]) => part(sku, units)) }));
    this.basket = { id: layout.items.get(GIFT_BASKET.sku)!, priceMicros: money(GIFT_BASKET.price), parts: GIFT_BASKET.components.map(([sku, units]) => part(sku, units)) };
    this.stock = Array.from({ length: SITE_COUNT }, () => new Float64Array(products.length));
    this.onOrder = Array.from({ length: SITE_COUNT }, () => new Float64Array(products.length));
    for (const p of this.products) p.opening.forEach((units, site) => (this.stock[site]![p.index] = qty(units)));

    this.#sources = this.products.map((p) => [{ base: [p.demand[0], p.demand[1], p.online], season: p.season, weekday: p.weekday, perUnit: 1000 }]);
    const oat = this.bySku.get('MILK-OAT')!.index;
    const whole = this.bySku.get('MILK-WHOLE')!.index;
    const beans = this.bySku.get('BEAN-ESP-1KG')!.index;
    for (const recipe of this.recipes) {
      const source = (perUnit: number): DemandSource => ({ base: [recipe.demand[0], recipe.demand[1], 0], season: recipe.season, weekday: 'cafe', perUnit });
      for (const { index, qty: perUnit } of recipe.parts) {
        const swapped = recipe.modifiers && index === whole;
        this.#sources[index]!.push(source(swapped ? perUnit * (1 - OAT_MILK_SHARE) : perUnit));
        if (swapped) this.#sources[oat]!.push(source(perUnit * OAT_MILK_SHARE));
      }
      if (recipe.modifiers) this.#sources[beans]!.push(source(qty(EXTRA_SHOT_GRAMS) * EXTRA_SHOT_SHARE));
    }
    // Main Street bakes its own: the kitchen's ingredients are drawn down by what it sells.
    for (const bake of BAKES) {
      const product = this.bySku.get(bake.sku)!;
      for (const [sku, grams] of bake.parts) {
        this.#sources[this.bySku.get(sku)!.index]!.push({ base: [product.demand[0], 0, 0], season: product.season, weekday: product.weekday, perUnit: qty(grams) * 1.15 });
      }
    }
    for (const { index, qty: perUnit } of this.basket.parts) {
      this.#sources[index]!.push({ base: [GIFT_BASKET.demand[0], GIFT_BASKET.demand[1], GIFT_BASKET.online], season: GIFT_BASKET.season, weekday: 'shop', perUnit });
    }
  }

  /** Expected use of a product at a site over days [from, to), in base thousandths. */
  forecast(site: number, index: number, from: number, to: number): number {
    let total = 0;
    for (const source of this.#sources[index]!) {
      const base = source.base[site]!;
      if (base > 0) total += base * source.perUnit * this.calendar.window(source.season, source.weekday, from, to);
    }
    return total;
  }

  has(site: number, parts: readonly SimPart[], units: number): boolean {
    return parts.every((p) => this.stock[site]![p.index]! >= p.qty * units);
  }

  /** How many whole units of something made of `parts` the site can give. */
  available(site: number, parts: readonly SimPart[]): number {
    let units = Infinity;
    for (const p of parts) units = Math.min(units, Math.floor(this.stock[site]![p.index]! / p.qty));
    return units;
  }

  take(site: number, parts: readonly SimPart[], units: number): void {
    for (const p of parts) this.add(site, p.index, -p.qty * units);
  }

  /** Moves the model's stock of one product at one site. */
  add(site: number, index: number, delta: number): void {
    const row = this.stock[site]!;
    row[index] = row[index]! + delta;
  }

  addOnOrder(site: number, index: number, delta: number): void {
    const row = this.onOrder[site]!;
    row[index] = row[index]! + delta;
  }

  partsOf(product: SimProduct): SimPart[] {
    return [{ index: product.index, qty: 1000 }];
  }
}

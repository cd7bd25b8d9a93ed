import type { ServiceContext } from '../platform/context.ts';
import { transact } from '../platform/db/transaction.ts';
import { gtinCheckDigit } from '../modules/catalog/index.ts';
import { createItem, createModifierGroup, setItemModifierGroups } from '../modules/catalog/index.ts';
import { createLocation } from '../modules/locations/index.ts';
import { createAdjustment } from '../modules/adjustments/index.ts';
import { createChannel } from '../modules/sales/index.ts';
import { updateSettings } from '../modules/settings/index.ts';
import { createTaxRate, setTaxRule } from '../modules/tax/index.ts';
import { localDate } from '../platform/clock.ts';
import { parseMoney } from '../platform/money.ts';
import { BASE_PRODUCTS, EXTRA_SHOT_GRAMS, EXTRA_SHOT_PRICE, GIFT_BASKET, OAT_MILK_PRICE, RECIPES, type DemoProduct } from './demo-catalog.ts';

/**
 * The shop as it opens: two stores, a warehouse with bins, the catalog with barcodes and opening
 * stock, a gift basket sold as a bundle, coffees made to recipes (with oat milk and extra shots as
 * modifiers) and a web shop selling from the warehouse, then the Harbour store. Everything goes
 * through the same services the API uses. `loadDemoStore` stops here; `loadDemoShop` opens this
 * shop fifteen months ago and trades it up to today.
 */

export interface DemoSummary {
  sites: number;
  items: number;
  adjustments: number;
}

export interface DemoLayout {
  /** Main Street (the bakery-café), Harbour (the gift shop), the warehouse. */
  sites: readonly [string, string, string];
  warehouseBins: readonly string[];
  /** Item id by SKU, for products, recipes and the basket. */
  items: Map<string, string>;
  modifiers: { oatMilk: string; extraShot: string };
  webShop: string;
  adjustments: number;
}

/** EAN-13 in the 200–299 in-store range, with a correct check digit. */
export function demoBarcode(n: number): string {
  const body = `200${String(1_000_000_000 + n).slice(1)}`;
  return body + String(gtinCheckDigit(body));
}

export function money(text: string): number {
  const parsed = parseMoney(text);
  if (!parsed.ok) throw new Error(`bad demo amount ${text}`);
  return parsed.value;
}

/** Base units to the ledger's thousandths. */
export const qty = (units: number) => Math.round(units * 1000);

const DAY_MS = 86_400_000;
const CHUNK = 250;

/** The lot code and use-by date a delivery of a perishable gets. */
export function lotOf(product: DemoProduct, deliveredAt: number): { lot_code: string; expires_on: string } | null {
  if (!product.shelfLifeDays) return null;
  const day = localDate(deliveredAt, 'UTC');
  return { lot_code: `L${day.replaceAll('-', '')}`, expires_on: localDate(deliveredAt + product.shelfLifeDays * DAY_MS, 'UTC') };
}

export async function loadDemoStore(ctx: ServiceContext): Promise<DemoSummary> {
  const layout = await setUpDemoShop(ctx, BASE_PRODUCTS);
  return { sites: 3, items: layout.items.size, adjustments: layout.adjustments };
}

export async function setUpDemoShop(ctx: ServiceContext, products: readonly DemoProduct[], onItems?: (done: number) => void): Promise<DemoLayout> {
  await updateSettings(ctx, { shop_name: 'Main Street Bakery & Harbour Gifts' });
  const site = (code: string, name: string, site_type: 'store' | 'warehouse', address: string) => createLocation(ctx, { kind: 'site', code, name, site_type, address });
  const main = await site('MAIN', 'Main Street store', 'store', '12 Main Street');
  const harbour = await site('HARB', 'Harbour store', 'store', '3 Quay Road');
  const warehouse = await site('WH', 'Warehouse', 'warehouse', 'Unit 7, Mill Lane');
  const bins: string[] = [];
  for (const [z, zone] of ['A', 'B'].entries()) {
    const zoneRow = await createLocation(ctx, { kind: 'zone', parent_id: warehouse.id, code: zone, name: `Aisle ${zone}`, pick_order: z * 100 });
    for (let b = 1; b <= 4; b += 1) {
      const bin = await createLocation(ctx, { kind: 'bin', parent_id: zoneRow.id, code: `0${b}`, name: `Aisle ${zone}, shelf ${b}`, pick_order: z * 100 + b });
      bins.push(bin.id);
    }
  }

  const items = new Map<string, string>();
  for (let start = 0; start < products.length; start += CHUNK) {
    await transact(ctx.db, async (trx) => {
      const tctx = { ...ctx, trx };
      for (const [offset, product] of products.slice(start, start + CHUNK).entries()) {
        const n = start + offset;
        const row = await createItem(tctx, {
          sku: product.sku,
          name: product.name,
          category: product.category,
          base_unit: product.unit,
          tracking: product.shelfLifeDays ? 'lot' : 'none',
          tracks_expiry: product.shelfLifeDays !== undefined,
          costing_method: 'fifo',
          price: money(product.price),
          stocked: true,
          units: product.purchase ? [{ name: product.purchase.unit, factor: qty(product.purchase.per) }] : [],
          barcodes: [demoBarcode(n + 1)],
          components: [],
          reorder_point: reorderPointOf(product),
        });
        items.set(product.sku, row.id);
      }
    });
    onItems?.(Math.min(products.length, start + CHUNK));
  }
  const id = (sku: string) => items.get(sku)!;

  for (const recipe of RECIPES) {
    const row = await createItem(ctx, {
      sku: recipe.sku,
      name: recipe.name,
      category: 'Café drinks',
      base_unit: 'ea',
      tracking: 'none',
      tracks_expiry: false,
      costing_method: 'fifo',
      price: money(recipe.price),
      stocked: false,
      units: [],
      barcodes: [],
      components: recipe.components.map(([sku, perUnit]) => ({ item_id: id(sku), qty: qty(perUnit) })),
    });
    items.set(recipe.sku, row.id);
  }
  const basket = await createItem(ctx, {
    sku: GIFT_BASKET.sku,
    name: GIFT_BASKET.name,
    category: 'Gifts',
    base_unit: 'ea',
    tracking: 'none',
    tracks_expiry: false,
    costing_method: 'fifo',
    price: money(GIFT_BASKET.price),
    stocked: false,
    units: [],
    barcodes: [demoBarcode(999_999_999)],
    components: GIFT_BASKET.components.map(([sku, perUnit]) => ({ item_id: id(sku), qty: qty(perUnit) })),
  });
  items.set(GIFT_BASKET.sku, basket.id);

  const milk = await createModifierGroup(ctx, {
    name: 'Milk',
    selection: 'single',
    required: false,
    modifiers: [{ name: 'Oat milk', price_delta: money(OAT_MILK_PRICE), components: [{ item_id: id('MILK-OAT'), replaces_item_id: id('MILK-WHOLE') }] }],
  });
  const extras = await createModifierGroup(ctx, {
    name: 'Extras',
    selection: 'multiple',
    required: false,
    max: 3,
    modifiers: [{ name: 'Extra shot', price_delta: money(EXTRA_SHOT_PRICE), components: [{ item_id: id('BEAN-ESP-1KG'), qty: qty(EXTRA_SHOT_GRAMS) }] }],
  });
  for (const recipe of RECIPES.filter((r) => r.modifiers)) await setItemModifierGroups(ctx, id(recipe.sku), [milk.id, extras.id]);
  // The web shop sells the shop's goods, not the café's: its assortment is the categories of what
  // sells online, and the gift basket's. Espresso beans and paper cups stay off its list.
  const webCategories = [...new Set([...products.filter((p) => p.online > 0).map((p) => p.category), 'Gifts'])].sort();
  await setUpDemoTax(ctx, harbour.id);
  const webShop = await createChannel(ctx, { name: 'Web shop', kind: 'online', site_ids: [warehouse.id, harbour.id], backorder_policy: 'refuse', reservation_ttl_minutes: 60, categories: webCategories });

  // Opening stock: counted into each store, and spread over the warehouse's bins a few items per bin.
  const now = ctx.clock.now();
  const lines = (site: number, only: (index: number) => boolean = () => true) =>
    products
      .filter((p, index) => p.opening[site]! > 0 && only(index))
      .map((p) => ({ item_id: id(p.sku), qty: qty(p.opening[site]!), unit_cost: money(p.cost), ...(lotOf(p, now) ?? {}) }));
  let adjustments = 0;
  const count = async (locationId: string, countLines: ReturnType<typeof lines>) => {
    for (let start = 0; start < countLines.length; start += 500) {
      await createAdjustment(ctx, { location_id: locationId, reason: 'opening_balance', note: 'Opening stock count', lines: countLines.slice(start, start + 500) });
      adjustments += 1;
    }
  };
  await count(main.id, lines(0));
  await count(harbour.id, lines(1));
  for (const [b, bin] of bins.entries()) await count(bin, lines(2, (index) => homeBinIndex(index, bins.length) === b));

  const [oatMilk] = milk.modifiers;
  const [extraShot] = extras.modifiers;
  return {
    sites: [main.id, harbour.id, warehouse.id],
    warehouseBins: bins,
    items,
    modifiers: { oatMilk: oatMilk!.id, extraShot: extraShot!.id },
    webShop: webShop.id,
    adjustments,
  };
}

/** Where a product lives in the warehouse: its opening stock is counted there and deliveries are put away there. */
export function homeBinIndex(productIndex: number, binCount: number): number {
  return productIndex % binCount;
}

/** About a week and a half of the busier store's sales: where the stock alerts start to speak up. */
function reorderPointOf(product: DemoProduct): number | undefined {
  const perDay = Math.max(product.demand[0], product.demand[1]);
  if (perDay <= 0 || product.bakedDaily) return undefined;
  return qty(Math.max(1, Math.ceil(perDay * 10)));
}

/**
 * The demo's tax, set up once as a shop in Britain would: shelf prices include VAT; the standard
 * rate by default, food (the bakery's bakes and its ingredients, the pantry) zero-rated, and the
 * Harbour store's café drinks — a takeaway kiosk — at the reduced rate. Every counter sale and
 * web order of the demo takes its rate from these rules.
 */
async function setUpDemoTax(ctx: ServiceContext, harbourId: string): Promise<void> {
  await updateSettings(ctx, { prices_include_tax: true });
  const standard = await createTaxRate(ctx, { name: 'VAT standard', rate: 200_000 });
  const reduced = await createTaxRate(ctx, { name: 'VAT reduced', rate: 50_000 });
  const zero = await createTaxRate(ctx, { name: 'VAT zero', rate: 0 });
  await setTaxRule(ctx, { site_id: null, category: null, tax_rate_id: standard.id });
  for (const category of ['Bakery', 'Bakery ingredients', 'Pantry']) await setTaxRule(ctx, { site_id: null, category, tax_rate_id: zero.id });
  await setTaxRule(ctx, { site_id: harbourId, category: 'Café drinks', tax_rate_id: reduced.id });
}

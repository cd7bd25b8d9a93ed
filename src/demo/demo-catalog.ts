import type { Random } from './random.ts';

/**
 * What the demo shop sells, who supplies it and how it sells: the data behind both the small
 * opening shop (`loadDemoStore`) and the simulated history (`loadDemoShop`). Demand is in units a
 * day at an average weekday in an average month; the season and weekday shape it from there.
 */

export type Season = 'flat' | 'cafe' | 'winter' | 'rain' | 'gift' | 'summer';

/** Demand multipliers, January to December. */
export const SEASONS: Record<Season, readonly number[]> = {
  flat: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  cafe: [1.2, 1.15, 1.05, 0.95, 0.9, 0.85, 0.8, 0.85, 0.95, 1.05, 1.1, 1.25],
  winter: [2.2, 1.5, 0.6, 0.2, 0.08, 0.04, 0.04, 0.08, 0.35, 1.0, 2.0, 2.9],
  rain: [0.6, 0.7, 1.6, 2.2, 1.8, 0.9, 0.6, 0.6, 1.0, 1.3, 0.9, 0.6],
  gift: [0.6, 0.9, 0.8, 0.85, 1.0, 0.85, 0.8, 0.8, 0.9, 1.0, 1.5, 2.9],
  summer: [0.2, 0.3, 0.6, 1.0, 1.5, 2.2, 2.5, 2.2, 1.2, 0.5, 0.2, 0.2],
};

/** Demand multipliers, Sunday to Saturday: the café has its commuters, the gift shop its Saturdays. */
export const WEEKDAYS = {
  cafe: [0.8, 1.0, 1.0, 1.0, 1.0, 1.05, 1.3],
  shop: [1.1, 0.75, 0.75, 0.8, 0.85, 1.05, 1.75],
} as const;

export type VendorKey = 'roast' | 'dairy' | 'bakery' | 'pack' | 'knit' | 'brolly' | 'wick' | 'kiln' | 'larder' | 'paper' | 'tide';

export interface DemoVendor {
  key: VendorKey;
  name: string;
  email: string;
  terms: string;
  leadDays: number;
  /** Weekdays (0 = Sunday) the shop orders from this vendor. */
  orderDays: readonly number[];
  /** How often a delivery is late, and by up to how many days. */
  late: { chance: number; maxDays: number };
  /** How often a line arrives short, and by up to what fraction. */
  short: { chance: number; maxFraction: number };
}

export const VENDORS: readonly DemoVendor[] = [
  { key: 'roast', name: 'Roastworks Coffee', email: 'orders@roastworks.example', terms: 'Net 14', leadDays: 3, orderDays: [1], late: { chance: 0.05, maxDays: 2 }, short: { chance: 0.02, maxFraction: 0.2 } },
  { key: 'dairy', name: 'Valley Dairy', email: 'dispatch@valleydairy.example', terms: 'Net 7', leadDays: 1, orderDays: [1, 3, 5], late: { chance: 0.02, maxDays: 1 }, short: { chance: 0.03, maxFraction: 0.25 } },
  { key: 'bakery', name: 'Dawn Bakery', email: 'standing@dawnbakery.example', terms: 'Weekly statement', leadDays: 1, orderDays: [0, 1, 2, 3, 4, 5, 6], late: { chance: 0, maxDays: 0 }, short: { chance: 0, maxFraction: 0 } },
  { key: 'pack', name: 'PackRight Supplies', email: 'sales@packright.example', terms: 'Net 30', leadDays: 5, orderDays: [2], late: { chance: 0.05, maxDays: 3 }, short: { chance: 0.02, maxFraction: 0.2 } },
  // The late one: its deliveries slip by days and often arrive short, in the middle of glove season.
  { key: 'knit', name: 'Northwind Knitwear', email: 'trade@northwind-knit.example', terms: 'Net 30', leadDays: 14, orderDays: [1], late: { chance: 0.65, maxDays: 12 }, short: { chance: 0.45, maxFraction: 0.4 } },
  { key: 'brolly', name: 'Brolly & Co', email: 'orders@brolly.example', terms: 'Net 30', leadDays: 10, orderDays: [3], late: { chance: 0.08, maxDays: 4 }, short: { chance: 0.03, maxFraction: 0.2 } },
  { key: 'wick', name: 'Wick & Wax Candles', email: 'hello@wickandwax.example', terms: 'Net 30', leadDays: 7, orderDays: [2], late: { chance: 0.05, maxDays: 3 }, short: { chance: 0.03, maxFraction: 0.2 } },
  { key: 'kiln', name: 'Kiln Street Pottery', email: 'studio@kilnstreet.example', terms: 'Net 45', leadDays: 12, orderDays: [4], late: { chance: 0.1, maxDays: 5 }, short: { chance: 0.05, maxFraction: 0.2 } },
  { key: 'larder', name: 'Larder Fine Foods', email: 'trade@larderfoods.example', terms: 'Net 14', leadDays: 5, orderDays: [1, 4], late: { chance: 0.04, maxDays: 2 }, short: { chance: 0.04, maxFraction: 0.25 } },
  { key: 'paper', name: 'Paper Lantern Stationery', email: 'orders@paperlantern.example', terms: 'Net 30', leadDays: 6, orderDays: [3], late: { chance: 0.05, maxDays: 3 }, short: { chance: 0.03, maxFraction: 0.2 } },
  { key: 'tide', name: 'Tidewater Imports', email: 'accounts@tidewater.example', terms: '50% deposit, balance on delivery', leadDays: 21, orderDays: [1], late: { chance: 0.2, maxDays: 7 }, short: { chance: 0.05, maxFraction: 0.2 } },
];

export interface DemoProduct {
  sku: string;
  name: string;
  category: string;
  /** Base unit: ea, g (bought by the kilo) or l. */
  unit: 'ea' | 'g' | 'l';
  price: string;
  /** Cost per base unit. */
  cost: string;
  /** Opening stock at Main Street, Harbour and the warehouse, in base units. */
  opening: readonly [number, number, number];
  /** The unit it is bought in and how many base units it holds. */
  purchase?: { unit: string; per: number };
  vendor: VendorKey;
  /** Units a day at Main Street and at Harbour; ingredients have none of their own. */
  demand: readonly [number, number];
  /** Units a day on the web shop, shipped from the warehouse. */
  online: number;
  season: Season;
  weekday: keyof typeof WEEKDAYS;
  /** Lot-tracked with a use-by date this many days after delivery. */
  shelfLifeDays?: number;
  /** Delivered every morning by the bakery; what is left at closing goes in the bin. */
  bakedDaily?: boolean;
}

const ingredient = (p: Omit<DemoProduct, 'demand' | 'online' | 'season' | 'weekday'>): DemoProduct => ({ ...p, demand: [0, 0], online: 0, season: 'flat', weekday: 'cafe' });
const baked = (sku: string, name: string, price: string, cost: string, demand: [number, number]): DemoProduct => ({
  sku,
  name,
  category: 'Bakery',
  unit: 'ea',
  price,
  cost,
  opening: [Math.ceil(demand[0] * 1.2), Math.ceil(demand[1] * 1.2), 0],
  vendor: 'bakery',
  demand,
  online: 0,
  season: 'flat',
  weekday: 'cafe',
  bakedDaily: true,
});
const gift = (
  sku: string,
  name: string,
  category: string,
  price: string,
  cost: string,
  vendor: VendorKey,
  season: Season,
  demand: [number, number],
  online: number,
  opening: [number, number, number],
  caseOf?: number,
): DemoProduct => ({ sku, name, category, unit: 'ea', price, cost, opening, vendor, demand, online, season, weekday: 'shop', ...(caseOf ? { purchase: { unit: 'case', per: caseOf } } : {}) });

/**
 * The named products of the shop; the web app's tours and the browser tests know them by SKU, and
 * their barcodes by position (the first is 2000000000015), so new ones go at the end.
 */
export const BASE_PRODUCTS: readonly DemoProduct[] = [
  ingredient({ sku: 'BEAN-ESP-1KG', name: 'Espresso beans', category: 'Café ingredients', unit: 'g', price: '0.04', cost: '0.018', opening: [4000, 3000, 0], purchase: { unit: 'kg', per: 1000 }, vendor: 'roast' }),
  ingredient({ sku: 'MILK-WHOLE', name: 'Whole milk', category: 'Café ingredients', unit: 'l', price: '1.90', cost: '0.95', opening: [12, 10, 0], purchase: { unit: 'crate', per: 12 }, vendor: 'dairy', shelfLifeDays: 10 }),
  ingredient({ sku: 'MILK-OAT', name: 'Oat milk', category: 'Café ingredients', unit: 'l', price: '2.60', cost: '1.40', opening: [6, 6, 0], purchase: { unit: 'case', per: 6 }, vendor: 'dairy', shelfLifeDays: 30 }),
  ingredient({ sku: 'CUP-12OZ', name: 'Paper cup 12 oz', category: 'Café supplies', unit: 'ea', price: '0.20', cost: '0.07', opening: [300, 250, 0], purchase: { unit: 'case', per: 50 }, vendor: 'pack' }),
  baked('CROIS-BUT', 'Butter croissant', '2.80', '0.70', [12, 4]),
  baked('MUFF-BLU', 'Blueberry muffin', '3.20', '0.85', [6, 3]),
  baked('BREAD-SOUR', 'Sourdough loaf', '6.50', '1.90', [5, 1]),
  baked('COOK-CHOC', 'Chocolate chip cookie', '2.20', '0.45', [8, 4]),
  gift('GLOVE-WOOL-M', 'Wool gloves, medium', 'Accessories', '29.00', '11.50', 'knit', 'winter', [0.5, 0.9], 0.4, [14, 10, 80], 10),
  gift('GLOVE-WOOL-L', 'Wool gloves, large', 'Accessories', '29.00', '11.50', 'knit', 'winter', [0.4, 0.7], 0.3, [10, 8, 60], 10),
  gift('GLOVE-LEATH', 'Leather gloves', 'Accessories', '59.00', '24.00', 'knit', 'winter', [0.15, 0.4], 0.2, [6, 4, 30]),
  gift('SCARF-CASH', 'Cashmere scarf', 'Accessories', '89.00', '38.00', 'knit', 'winter', [0.1, 0.3], 0.15, [5, 5, 25]),
  gift('BEANIE-KNIT', 'Knitted beanie', 'Accessories', '24.00', '8.20', 'knit', 'winter', [0.4, 0.7], 0.3, [12, 9, 70]),
  gift('UMB-COMPACT', 'Compact umbrella', 'Rain', '19.00', '6.40', 'brolly', 'rain', [0.4, 0.8], 0.3, [8, 12, 90], 12),
  gift('UMB-GOLF', 'Golf umbrella', 'Rain', '34.00', '12.80', 'brolly', 'rain', [0.1, 0.3], 0.15, [4, 6, 40]),
  gift('CANDLE-PEACH', 'Peach candle', 'Home', '18.00', '5.60', 'wick', 'gift', [0.4, 0.9], 0.4, [20, 16, 120], 12),
  gift('CANDLE-VAN', 'Vanilla candle', 'Home', '18.00', '5.60', 'wick', 'gift', [0.4, 0.8], 0.35, [18, 14, 110], 12),
  gift('CANDLE-STRAW', 'Strawberry candle', 'Home', '18.00', '5.60', 'wick', 'gift', [0.3, 0.6], 0.3, [12, 10, 96], 12),
  gift('MUG-STONE', 'Stoneware mug', 'Home', '16.00', '4.90', 'kiln', 'gift', [0.6, 0.8], 0.4, [24, 20, 150], 6),
  gift('TEA-EARL', 'Earl Grey tea, 100 g', 'Pantry', '9.50', '3.10', 'larder', 'gift', [0.5, 0.4], 0.3, [15, 12, 80]),
  gift('CHOC-DARK', 'Dark chocolate bar', 'Pantry', '4.50', '1.35', 'larder', 'gift', [1.2, 0.8], 0.3, [40, 30, 300], 24),
  gift('JAM-STRAW', 'Strawberry jam', 'Pantry', '7.20', '2.40', 'larder', 'gift', [0.5, 0.3], 0.15, [16, 12, 96]),
  gift('HONEY-WILD', 'Wildflower honey', 'Pantry', '11.00', '4.20', 'larder', 'gift', [0.3, 0.2], 0.1, [10, 8, 60]),
  gift('CARD-BDAY', 'Birthday card', 'Stationery', '4.00', '0.90', 'paper', 'flat', [1.0, 1.2], 0.2, [60, 40, 400], 20),
  gift('CARD-BLANK10', 'Blank cards, box of 10', 'Stationery', '12.00', '3.80', 'paper', 'gift', [0.2, 0.3], 0.1, [20, 15, 120]),
  gift('NOTE-LINEN', 'Linen notebook', 'Stationery', '15.00', '4.70', 'paper', 'flat', [0.3, 0.4], 0.2, [18, 14, 100]),
  gift('PEN-BRASS', 'Brass pen', 'Stationery', '22.00', '7.90', 'paper', 'gift', [0.1, 0.2], 0.1, [10, 8, 50]),
  gift('WRAP-KRAFT', 'Kraft gift wrap', 'Stationery', '3.50', '0.80', 'paper', 'gift', [0.5, 0.8], 0.1, [50, 40, 300]),
  gift('TOTE-CANVAS', 'Canvas tote bag', 'Accessories', '14.00', '3.90', 'pack', 'summer', [0.3, 0.5], 0.2, [25, 20, 150]),
  gift('SOCK-WOOL', 'Wool socks', 'Accessories', '16.00', '5.10', 'knit', 'winter', [0.4, 0.6], 0.3, [20, 16, 120]),
  gift('BASKET-WICK', 'Wicker basket', 'Home', '12.00', '4.00', 'kiln', 'gift', [0.1, 0.2], 0.05, [10, 8, 60]),
  ingredient({ sku: 'COCOA-PWD', name: 'Drinking chocolate powder', category: 'Café ingredients', unit: 'g', price: '0.03', cost: '0.012', opening: [1500, 1000, 0], purchase: { unit: 'kg', per: 1000 }, vendor: 'roast' }),
  // What Main Street's kitchen bakes with (see BAKES); bought from the larder by the sack and the block.
  ingredient({ sku: 'FLOUR-T55', name: 'Bread flour T55', category: 'Bakery ingredients', unit: 'g', price: '0.01', cost: '0.0012', opening: [50000, 0, 0], purchase: { unit: 'sack', per: 25000 }, vendor: 'larder' }),
  ingredient({ sku: 'BUTTER-BLK', name: 'Butter block', category: 'Bakery ingredients', unit: 'g', price: '0.02', cost: '0.008', opening: [10000, 0, 0], purchase: { unit: 'kg', per: 1000 }, vendor: 'dairy' }),
  ingredient({ sku: 'SUGAR-CST', name: 'Caster sugar', category: 'Bakery ingredients', unit: 'g', price: '0.01', cost: '0.0015', opening: [5000, 0, 0], purchase: { unit: 'kg', per: 1000 }, vendor: 'larder' }),
  ingredient({ sku: 'BLUEBERRY', name: 'Blueberries', category: 'Bakery ingredients', unit: 'g', price: '0.03', cost: '0.012', opening: [3000, 0, 0], purchase: { unit: 'kg', per: 1000 }, vendor: 'larder' }),
  ingredient({ sku: 'CHOC-CHIP', name: 'Chocolate chips', category: 'Bakery ingredients', unit: 'g', price: '0.03', cost: '0.01', opening: [3000, 0, 0], purchase: { unit: 'kg', per: 1000 }, vendor: 'larder' }),
];

/**
 * Main Street's morning bakes: a tray's yield, what one item takes (grams), and a tray's labour
 * and oven. Harbour still buys its bakes in from Dawn Bakery.
 */
export interface DemoBake {
  sku: string;
  tray: number;
  yieldPct: string;
  parts: ReadonlyArray<readonly [string, number]>;
  labourPerTray: string;
  ovenPerTray: string;
}

export const BAKES: readonly DemoBake[] = [
  { sku: 'CROIS-BUT', tray: 12, yieldPct: '95', parts: [['FLOUR-T55', 60], ['BUTTER-BLK', 35], ['SUGAR-CST', 8]], labourPerTray: '3.00', ovenPerTray: '0.60' },
  { sku: 'MUFF-BLU', tray: 12, yieldPct: '98', parts: [['FLOUR-T55', 50], ['BUTTER-BLK', 20], ['SUGAR-CST', 25], ['BLUEBERRY', 30]], labourPerTray: '2.00', ovenPerTray: '0.50' },
  { sku: 'BREAD-SOUR', tray: 6, yieldPct: '97', parts: [['FLOUR-T55', 500]], labourPerTray: '3.50', ovenPerTray: '0.90' },
  { sku: 'COOK-CHOC', tray: 24, yieldPct: '96', parts: [['FLOUR-T55', 30], ['BUTTER-BLK', 20], ['SUGAR-CST', 20], ['CHOC-CHIP', 15]], labourPerTray: '1.50', ovenPerTray: '0.40' },
];

export interface DemoRecipe {
  sku: string;
  name: string;
  price: string;
  /** Component SKUs and base units per drink. */
  components: ReadonlyArray<readonly [string, number]>;
  demand: readonly [number, number];
  season: Season;
  /** Offered oat milk and extra shots. */
  modifiers: boolean;
}

export const RECIPES: readonly DemoRecipe[] = [
  { sku: 'LATTE', name: 'Caffè latte', price: '4.20', components: [['BEAN-ESP-1KG', 18], ['MILK-WHOLE', 0.2], ['CUP-12OZ', 1]], demand: [14, 5], season: 'cafe', modifiers: true },
  { sku: 'CAPPUCCINO', name: 'Cappuccino', price: '4.00', components: [['BEAN-ESP-1KG', 18], ['MILK-WHOLE', 0.15], ['CUP-12OZ', 1]], demand: [8, 3], season: 'cafe', modifiers: true },
  { sku: 'AMERICANO', name: 'Americano', price: '3.20', components: [['BEAN-ESP-1KG', 18], ['CUP-12OZ', 1]], demand: [6, 2], season: 'flat', modifiers: false },
  { sku: 'HOT-CHOC', name: 'Hot chocolate', price: '3.80', components: [['COCOA-PWD', 30], ['MILK-WHOLE', 0.25], ['CUP-12OZ', 1]], demand: [3, 2], season: 'winter', modifiers: false },
];

/** The gift basket: a bundle whose stock is its parts'. */
export const GIFT_BASKET = {
  sku: 'BASKET-GIFT',
  name: 'Gift basket: candle, mug and chocolate',
  price: '45.00',
  components: [
    ['CANDLE-PEACH', 1],
    ['MUG-STONE', 1],
    ['CHOC-DARK', 2],
    ['BASKET-WICK', 1],
  ] as ReadonlyArray<readonly [string, number]>,
  demand: [0.15, 0.35] as const,
  online: 0.25,
  season: 'gift' as Season,
};

/** Share of milk drinks with oat milk, and of coffees with an extra shot. */
export const OAT_MILK_SHARE = 0.2;
export const EXTRA_SHOT_SHARE = 0.12;
/** What the modifiers cost and what an extra shot takes. */
export const OAT_MILK_PRICE = '0.50';
export const EXTRA_SHOT_PRICE = '0.60';
export const EXTRA_SHOT_GRAMS = 9;

interface RangeFamily {
  prefix: string;
  category: string;
  nouns: readonly string[];
  attributes: readonly string[];
  price: readonly [number, number];
  season: Season;
  vendor: VendorKey;
  caseOf?: number;
}

const colours = ['Sage', 'Ochre', 'Navy', 'Charcoal', 'Rose', 'Teal', 'Cream', 'Rust', 'Forest', 'Plum', 'Sky', 'Mustard', 'Slate', 'Coral', 'Ivory', 'Moss'];
const scents = ['Fig', 'Cedar', 'Lavender', 'Sea salt', 'Orange blossom', 'Pine', 'Tonka', 'Rhubarb', 'Amber', 'Jasmine', 'Mint', 'Cinnamon', 'Bergamot', 'Rose'];
const occasions = ['Birthday', 'Thank you', 'Wedding', 'New baby', 'Sympathy', 'Congratulations', 'Anniversary', 'Get well', 'Christmas', 'Good luck'];
const patterns = ['Striped', 'Polka dot', 'Tartan', 'Floral', 'Plain', 'Check', 'Wave', 'Leaf', 'Star', 'Herringbone'];
const flavours = ['Earl Grey', 'Sencha', 'Rooibos', 'Strawberry', 'Apricot', 'Blackcurrant', 'Sea salt', 'Hazelnut', 'Ginger', 'Orange', 'Wildflower', 'Heather'];

const FAMILIES: readonly RangeFamily[] = [
  { prefix: 'CND', category: 'Home', nouns: ['candle', 'tealight set', 'reed diffuser'], attributes: scents, price: [8, 32], season: 'gift', vendor: 'wick', caseOf: 6 },
  { prefix: 'CER', category: 'Home', nouns: ['mug', 'espresso cup', 'bowl', 'vase'], attributes: colours, price: [9, 38], season: 'gift', vendor: 'kiln', caseOf: 6 },
  { prefix: 'CRD', category: 'Stationery', nouns: ['card', 'gift tag set', 'postcard set'], attributes: occasions, price: [3, 7], season: 'gift', vendor: 'paper', caseOf: 12 },
  { prefix: 'NTB', category: 'Stationery', nouns: ['notebook', 'journal', 'sketchbook', 'planner'], attributes: colours, price: [8, 28], season: 'flat', vendor: 'paper' },
  { prefix: 'KNT', category: 'Accessories', nouns: ['gloves', 'mittens', 'scarf', 'beanie', 'wrist warmers'], attributes: colours, price: [15, 70], season: 'winter', vendor: 'knit' },
  { prefix: 'RAN', category: 'Rain', nouns: ['umbrella', 'rain poncho', 'rain hat'], attributes: patterns, price: [12, 40], season: 'rain', vendor: 'brolly' },
  { prefix: 'PNT', category: 'Pantry', nouns: ['tea', 'jam', 'chocolate bar', 'shortbread'], attributes: flavours, price: [4, 14], season: 'gift', vendor: 'larder', caseOf: 12 },
  { prefix: 'SUN', category: 'Accessories', nouns: ['sunglasses', 'sun hat', 'beach towel'], attributes: colours, price: [12, 45], season: 'summer', vendor: 'tide' },
  { prefix: 'TOY', category: 'Toys', nouns: ['wooden puzzle', 'plush fox', 'kite', 'card game'], attributes: colours, price: [9, 35], season: 'gift', vendor: 'tide' },
];

const cents = (units: number) => (Math.round(units * 100) / 100).toFixed(2);

/**
 * The long tail a bigger shop carries: `count` generated products in nine families, each with its
 * own price, margin, season and (mostly small) demand. Deterministic for a given random source.
 */
export function rangeProducts(count: number, random: Random): DemoProduct[] {
  const products: DemoProduct[] = [];
  const seen = new Map<string, number>();
  for (let n = 0; n < count; n += 1) {
    const family = FAMILIES[n % FAMILIES.length]!;
    const base = `${random.pick(family.attributes)} ${random.pick(family.nouns)}`;
    const times = (seen.get(base) ?? 0) + 1;
    seen.set(base, times);
    const price = Math.round(random.logUniform(family.price[0], family.price[1]) * 2) / 2 - 0.01;
    const margin = 0.35 + random.next() * 0.25;
    const harbour = random.logUniform(0.01, 0.5);
    const demand: [number, number] = [harbour * (0.2 + random.next() * 0.4), harbour];
    const online = harbour * random.next() * 0.5;
    const opening = (perDay: number, days: number) => Math.ceil(perDay * days);
    products.push({
      sku: `${family.prefix}-${String(n + 1).padStart(5, '0')}`,
      name: times === 1 ? base : `${base}, style ${times}`,
      category: family.category,
      unit: 'ea',
      price: cents(price),
      cost: cents(price * (1 - margin)),
      opening: [opening(demand[0], 21), opening(demand[1], 21), opening(online, 30)],
      vendor: family.vendor,
      demand,
      online,
      season: family.season,
      weekday: 'shop',
      ...(family.caseOf && harbour > 0.15 ? { purchase: { unit: 'case', per: family.caseOf } } : {}),
    });
  }
  return products;
}

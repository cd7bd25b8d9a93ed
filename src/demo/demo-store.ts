import type { ServiceContext } from '../platform/context.ts';
import { gtinCheckDigit } from '../modules/catalog/index.ts';
import { createItem, createModifierGroup, setItemModifierGroups } from '../modules/catalog/index.ts';
import { createLocation } from '../modules/locations/index.ts';
import { createAdjustment } from '../modules/adjustments/index.ts';
import { createChannel } from '../modules/sales/index.ts';
import { parseMoney } from '../platform/money.ts';

/**
 * A small shop to look at on first start: two stores, a warehouse with bins, a few dozen items
 * with barcodes and opening stock, a gift basket sold as a bundle, a latte made to a recipe (with
 * oat milk as a modifier) and a web shop channel selling from the warehouse, then the Harbour store.
 * Everything goes through the same services the API uses.
 */

interface DemoItem {
  sku: string;
  name: string;
  category: string;
  unit?: string;
  price: string;
  cost: string;
  /** Opening stock per store, then in the warehouse. */
  stock: [number, number, number];
  case?: number;
}

const items: DemoItem[] = [
  { sku: 'BEAN-ESP-1KG', name: 'Espresso beans', category: 'Café ingredients', unit: 'g', price: '0.04', cost: '0.018', stock: [4000, 3000, 20000] },
  { sku: 'MILK-WHOLE', name: 'Whole milk', category: 'Café ingredients', unit: 'l', price: '1.90', cost: '0.95', stock: [12, 10, 60], case: 12 },
  { sku: 'MILK-OAT', name: 'Oat milk', category: 'Café ingredients', unit: 'l', price: '2.60', cost: '1.40', stock: [6, 6, 36], case: 6 },
  { sku: 'CUP-12OZ', name: 'Paper cup 12 oz', category: 'Café supplies', price: '0.20', cost: '0.07', stock: [300, 250, 2000], case: 50 },
  { sku: 'CROIS-BUT', name: 'Butter croissant', category: 'Bakery', price: '2.80', cost: '0.70', stock: [24, 18, 0] },
  { sku: 'MUFF-BLU', name: 'Blueberry muffin', category: 'Bakery', price: '3.20', cost: '0.85', stock: [18, 12, 0] },
  { sku: 'BREAD-SOUR', name: 'Sourdough loaf', category: 'Bakery', price: '6.50', cost: '1.90', stock: [10, 8, 0] },
  { sku: 'COOK-CHOC', name: 'Chocolate chip cookie', category: 'Bakery', price: '2.20', cost: '0.45', stock: [30, 24, 0] },
  { sku: 'GLOVE-WOOL-M', name: 'Wool gloves, medium', category: 'Accessories', price: '29.00', cost: '11.50', stock: [14, 10, 80], case: 10 },
  { sku: 'GLOVE-WOOL-L', name: 'Wool gloves, large', category: 'Accessories', price: '29.00', cost: '11.50', stock: [10, 8, 60], case: 10 },
  { sku: 'GLOVE-LEATH', name: 'Leather gloves', category: 'Accessories', price: '59.00', cost: '24.00', stock: [6, 4, 30] },
  { sku: 'SCARF-CASH', name: 'Cashmere scarf', category: 'Accessories', price: '89.00', cost: '38.00', stock: [5, 5, 25] },
  { sku: 'BEANIE-KNIT', name: 'Knitted beanie', category: 'Accessories', price: '24.00', cost: '8.20', stock: [12, 9, 70] },
  { sku: 'UMB-COMPACT', name: 'Compact umbrella', category: 'Rain', price: '19.00', cost: '6.40', stock: [8, 12, 90], case: 12 },
  { sku: 'UMB-GOLF', name: 'Golf umbrella', category: 'Rain', price: '34.00', cost: '12.80', stock: [4, 6, 40] },
  { sku: 'CANDLE-PEACH', name: 'Peach candle', category: 'Home', price: '18.00', cost: '5.60', stock: [20, 16, 120], case: 12 },
  { sku: 'CANDLE-VAN', name: 'Vanilla candle', category: 'Home', price: '18.00', cost: '5.60', stock: [18, 14, 110], case: 12 },
  { sku: 'CANDLE-STRAW', name: 'Strawberry candle', category: 'Home', price: '18.00', cost: '5.60', stock: [12, 10, 96], case: 12 },
  { sku: 'MUG-STONE', name: 'Stoneware mug', category: 'Home', price: '16.00', cost: '4.90', stock: [24, 20, 150], case: 6 },
  { sku: 'TEA-EARL', name: 'Earl Grey tea, 100 g', category: 'Pantry', price: '9.50', cost: '3.10', stock: [15, 12, 80] },
  { sku: 'CHOC-DARK', name: 'Dark chocolate bar', category: 'Pantry', price: '4.50', cost: '1.35', stock: [40, 30, 300], case: 24 },
  { sku: 'JAM-STRAW', name: 'Strawberry jam', category: 'Pantry', price: '7.20', cost: '2.40', stock: [16, 12, 96] },
  { sku: 'HONEY-WILD', name: 'Wildflower honey', category: 'Pantry', price: '11.00', cost: '4.20', stock: [10, 8, 60] },
  { sku: 'CARD-BDAY', name: 'Birthday card', category: 'Stationery', price: '4.00', cost: '0.90', stock: [60, 40, 400], case: 20 },
  { sku: 'CARD-BLANK10', name: 'Blank cards, box of 10', category: 'Stationery', price: '12.00', cost: '3.80', stock: [20, 15, 120] },
  { sku: 'NOTE-LINEN', name: 'Linen notebook', category: 'Stationery', price: '15.00', cost: '4.70', stock: [18, 14, 100] },
  { sku: 'PEN-BRASS', name: 'Brass pen', category: 'Stationery', price: '22.00', cost: '7.90', stock: [10, 8, 50] },
  { sku: 'WRAP-KRAFT', name: 'Kraft gift wrap', category: 'Stationery', price: '3.50', cost: '0.80', stock: [50, 40, 300] },
  { sku: 'TOTE-CANVAS', name: 'Canvas tote bag', category: 'Accessories', price: '14.00', cost: '3.90', stock: [25, 20, 150] },
  { sku: 'SOCK-WOOL', name: 'Wool socks', category: 'Accessories', price: '16.00', cost: '5.10', stock: [20, 16, 120] },
  { sku: 'BASKET-WICK', name: 'Wicker basket', category: 'Home', price: '12.00', cost: '4.00', stock: [10, 8, 60] },
];

/** EAN-13 in the 200–299 in-store range, with a correct check digit. */
function demoBarcode(n: number): string {
  const body = `200${String(1_000_000_000 + n).slice(1)}`;
  return body + String(gtinCheckDigit(body));
}

function money(text: string): number {
  const parsed = parseMoney(text);
  if (!parsed.ok) throw new Error(`bad demo amount ${text}`);
  return parsed.value;
}

export interface DemoSummary {
  sites: number;
  items: number;
  adjustments: number;
}

export async function loadDemoStore(ctx: ServiceContext): Promise<DemoSummary> {
  const main = await createLocation(ctx, { kind: 'site', code: 'MAIN', name: 'Main Street store', site_type: 'store', address: '12 Main Street' });
  const harbour = await createLocation(ctx, { kind: 'site', code: 'HARB', name: 'Harbour store', site_type: 'store', address: '3 Quay Road' });
  const warehouse = await createLocation(ctx, { kind: 'site', code: 'WH', name: 'Warehouse', site_type: 'warehouse', address: 'Unit 7, Mill Lane' });
  const bins: string[] = [];
  for (const [z, zone] of ['A', 'B'].entries()) {
    const zoneRow = await createLocation(ctx, { kind: 'zone', parent_id: warehouse.id, code: zone, name: `Aisle ${zone}`, pick_order: z * 100 });
    for (let b = 1; b <= 4; b += 1) {
      const bin = await createLocation(ctx, { kind: 'bin', parent_id: zoneRow.id, code: `0${b}`, name: `Aisle ${zone}, shelf ${b}`, pick_order: z * 100 + b });
      bins.push(bin.id);
    }
  }

  const created = new Map<string, string>();
  for (const [n, item] of items.entries()) {
    const row = await createItem(ctx, {
      sku: item.sku,
      name: item.name,
      category: item.category,
      base_unit: item.unit ?? 'ea',
      tracking: 'none',
      tracks_expiry: false,
      costing_method: 'fifo',
      price: money(item.price),
      stocked: true,
      units: item.case ? [{ name: 'case', factor: item.case * 1000 }] : [],
      barcodes: [demoBarcode(n + 1)],
      components: [],
    });
    created.set(item.sku, row.id);
  }
  const id = (sku: string) => created.get(sku)!;

  const latte = await createItem(ctx, {
    sku: 'LATTE',
    name: 'Caffè latte',
    category: 'Café drinks',
    base_unit: 'ea',
    tracking: 'none',
    tracks_expiry: false,
    costing_method: 'fifo',
    price: money('4.20'),
    stocked: false,
    units: [],
    barcodes: [],
    // 18 g of beans, 0.2 l of milk and a cup per latte.
    components: [
      { item_id: id('BEAN-ESP-1KG'), qty: 18_000 },
      { item_id: id('MILK-WHOLE'), qty: 200 },
      { item_id: id('CUP-12OZ'), qty: 1000 },
    ],
  });
  await createItem(ctx, {
    sku: 'BASKET-GIFT',
    name: 'Gift basket: candle, mug and chocolate',
    category: 'Gifts',
    base_unit: 'ea',
    tracking: 'none',
    tracks_expiry: false,
    costing_method: 'fifo',
    price: money('45.00'),
    stocked: false,
    units: [],
    barcodes: [demoBarcode(900)],
    components: [
      { item_id: id('CANDLE-PEACH'), qty: 1000 },
      { item_id: id('MUG-STONE'), qty: 1000 },
      { item_id: id('CHOC-DARK'), qty: 2000 },
      { item_id: id('BASKET-WICK'), qty: 1000 },
    ],
  });

  const milk = await createModifierGroup(ctx, {
    name: 'Milk',
    selection: 'single',
    required: false,
    modifiers: [{ name: 'Oat milk', price_delta: money('0.50'), components: [{ item_id: id('MILK-OAT'), replaces_item_id: id('MILK-WHOLE') }] }],
  });
  const extras = await createModifierGroup(ctx, {
    name: 'Extras',
    selection: 'multiple',
    required: false,
    max: 3,
    modifiers: [{ name: 'Extra shot', price_delta: money('0.60'), components: [{ item_id: id('BEAN-ESP-1KG'), qty: 9_000 }] }],
  });
  await setItemModifierGroups(ctx, latte.id, [milk.id, extras.id]);
  await createChannel(ctx, { name: 'Web shop', kind: 'online', site_ids: [warehouse.id, harbour.id], backorder_policy: 'refuse', reservation_ttl_minutes: 60 });

  const opening = (site: number) =>
    items
      .filter((item) => item.stock[site]! > 0)
      .map((item) => ({ item_id: id(item.sku), qty: item.stock[site]! * 1000, unit_cost: money(item.cost) }));
  let adjustments = 0;
  for (const [site, location] of [main, harbour].entries()) {
    await createAdjustment(ctx, { location_id: location.id, reason: 'opening_balance', note: 'Opening stock count', lines: opening(site) });
    adjustments += 1;
  }
  // The warehouse keeps its stock spread over its bins, a few items per bin.
  const warehouseLines = opening(2);
  for (const [b, bin] of bins.entries()) {
    const lines = warehouseLines.filter((_, i) => i % bins.length === b);
    if (lines.length === 0) continue;
    await createAdjustment(ctx, { location_id: bin, reason: 'opening_balance', note: 'Opening stock count', lines });
    adjustments += 1;
  }
  return { sites: 3, items: items.length + 2, adjustments };
}

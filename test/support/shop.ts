import type { ServiceContext } from '../../src/platform/context.ts';
import type { ItemRow } from '../../src/platform/db/schema.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createModifierGroup, setItemModifierGroups, type ModifierGroupRecord } from '../../src/modules/catalog/index.ts';
import { createSale, type CreateSaleInput } from '../../src/modules/sales/index.ts';
import { createSaleBody } from '../../src/modules/sales/sales.schema.ts';
import { makeItem, makeShop, type Shop } from './fixtures.ts';

/** Money and quantities as the API writes them, for tests that read like receipts. */
export const $ = (text: string): number => {
  const [whole, fraction = ''] = text.split('.');
  const sign = whole!.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 1_000_000 + Number(fraction.padEnd(6, '0')));
};
export const q = (units: number): number => Math.round(units * 1000);

export interface Cafe extends Shop {
  beans: ItemRow;
  milk: ItemRow;
  oat: ItemRow;
  cup: ItemRow;
  latte: ItemRow;
  candle: ItemRow;
  mug: ItemRow;
  choc: ItemRow;
  basket: ItemRow;
  milkGroup: ModifierGroupRecord;
  extras: ModifierGroupRecord;
}

/**
 * A café and gift shop with opening stock in the store (and the warehouse's first bin):
 * beans 1 000 g at 0.018/g, whole milk 20 l at 0.95/l, oat milk 10 l at 1.40/l, 100 cups at 0.07,
 * 10 candles at 5.60, 10 mugs at 4.90, 20 chocolate bars at 1.35. A latte (4.20) is 18 g of beans,
 * 0.2 l of milk and a cup; its milk group offers oat milk (+0.50) in place of whole milk; its
 * extras group offers an extra shot (+0.60, 9 g of beans). A gift basket (45.00) is a candle, a mug
 * and two bars.
 */
export async function makeCafe(ctx: ServiceContext): Promise<Cafe> {
  const shop = await makeShop(ctx);
  const beans = await makeItem(ctx, { name: 'Espresso beans', base_unit: 'g', price: $('0.04') });
  const milk = await makeItem(ctx, { name: 'Whole milk', base_unit: 'l', price: $('1.90') });
  const oat = await makeItem(ctx, { name: 'Oat milk', base_unit: 'l', price: $('2.60') });
  const cup = await makeItem(ctx, { name: 'Cup', price: $('0.20') });
  const latte = await makeItem(ctx, {
    name: 'Latte',
    price: $('4.20'),
    stocked: false,
    components: [
      { item_id: beans.id, qty: q(18) },
      { item_id: milk.id, qty: q(0.2) },
      { item_id: cup.id, qty: q(1) },
    ],
  });
  const candle = await makeItem(ctx, { name: 'Peach candle', price: $('18.00'), barcodes: [] });
  const mug = await makeItem(ctx, { name: 'Mug', price: $('16.00') });
  const choc = await makeItem(ctx, { name: 'Dark chocolate', price: $('4.50') });
  const basket = await makeItem(ctx, {
    name: 'Gift basket',
    price: $('45.00'),
    stocked: false,
    components: [
      { item_id: candle.id, qty: q(1) },
      { item_id: mug.id, qty: q(1) },
      { item_id: choc.id, qty: q(2) },
    ],
  });
  const milkGroup = await createModifierGroup(ctx, {
    name: 'Milk',
    selection: 'single',
    required: false,
    modifiers: [{ name: 'Oat milk', price_delta: $('0.50'), components: [{ item_id: oat.id, replaces_item_id: milk.id }] }],
  });
  const extras = await createModifierGroup(ctx, {
    name: 'Extras',
    selection: 'multiple',
    required: false,
    max: 3,
    modifiers: [{ name: 'Extra shot', price_delta: $('0.60'), components: [{ item_id: beans.id, qty: q(9) }] }],
  });
  await setItemModifierGroups(ctx, latte.id, [milkGroup.id, extras.id]);
  const opening = [
    { item_id: beans.id, qty: q(1000), unit_cost: $('0.018') },
    { item_id: milk.id, qty: q(20), unit_cost: $('0.95') },
    { item_id: oat.id, qty: q(10), unit_cost: $('1.40') },
    { item_id: cup.id, qty: q(100), unit_cost: $('0.07') },
    { item_id: candle.id, qty: q(10), unit_cost: $('5.60') },
    { item_id: mug.id, qty: q(10), unit_cost: $('4.90') },
    { item_id: choc.id, qty: q(20), unit_cost: $('1.35') },
  ];
  await createAdjustment(ctx, { location_id: shop.store.id, reason: 'opening_balance', lines: opening });
  await createAdjustment(ctx, { location_id: shop.warehouseBins[0]!, reason: 'opening_balance', lines: opening });
  return { ...shop, beans, milk, oat, cup, latte, candle, mug, choc, basket, milkGroup, extras };
}

/** A sale written as the API takes it (decimals, money strings), through the same schema. */
export function saleBody(body: Record<string, unknown>): CreateSaleInput {
  return createSaleBody.parse({ register: 'T1', ...body });
}

export function sell(ctx: ServiceContext, body: Record<string, unknown>) {
  return createSale(ctx, saleBody(body));
}

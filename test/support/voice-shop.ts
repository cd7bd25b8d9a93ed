import type { ServiceContext } from '../../src/platform/context.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { createVendor, setVendorItem } from '../../src/modules/purchasing/index.ts';
import { putLevel } from '../../src/modules/replenishment/index.ts';
import { makeItem } from './fixtures.ts';
import { $, q } from './shop.ts';

let n = 0;

/** A shop of two stores with unique names per database, so every spoken name resolves to one record. */
export async function voiceShop(ctx: ServiceContext) {
  const tag = `${process.pid % 1000}${(n += 1)}`;
  const main = await createLocation(ctx, { kind: 'site', code: `MS${tag}`, name: 'Main Street', site_type: 'store' });
  const harbour = await createLocation(ctx, { kind: 'site', code: `HB${tag}`, name: 'Harbour store', site_type: 'store' });
  const oat = await makeItem(ctx, { name: 'Oat milk', base_unit: 'l', units: [{ name: 'case', factor: q(6) }], price: $('2.60') });
  const beans = await makeItem(ctx, { name: 'Coffee beans', base_unit: 'kg', units: [{ name: 'case', factor: q(6) }], price: $('24.00') });
  const croissant = await makeItem(ctx, { name: 'Butter croissant', price: $('2.80') });
  // Delivered every morning: out of it at the end of a day is normal, never "low".
  const milk = await makeItem(ctx, { name: 'Whole milk', base_unit: 'l', price: $('1.90') });
  const roasters = await createVendor(ctx, { name: 'Harbour Roasters', payment_terms: 'Net 14', lead_time_days: 2 });
  await setVendorItem(ctx, roasters.id, beans.id, { purchase_unit: 'case', unit_cost: $('90'), preferred: true });
  await createAdjustment(ctx, {
    location_id: main.id,
    reason: 'opening_balance',
    lines: [
      { item_id: oat.id, qty: q(6), unit_cost: $('1.40') },
      { item_id: beans.id, qty: q(2.5), unit_cost: $('15') },
      { item_id: croissant.id, qty: q(30), unit_cost: $('0.70') },
    ],
  });
  await createAdjustment(ctx, { location_id: harbour.id, reason: 'opening_balance', lines: [{ item_id: oat.id, qty: q(1), unit_cost: $('1.40') }] });
  await putLevel(ctx, oat.id, harbour.id, { min: q(4), max: q(12) });
  await putLevel(ctx, croissant.id, harbour.id, { min: q(6), max: q(20) });
  await putLevel(ctx, oat.id, main.id, { min: q(2), max: q(12) });
  await putLevel(ctx, milk.id, harbour.id, { min: q(4), max: q(10), delivered_daily: true });
  return { main, harbour, oat, beans, croissant, milk, roasters };
}


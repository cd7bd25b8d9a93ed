import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { createItem } from '../src/modules/catalog/index.ts';
import { createLocation } from '../src/modules/locations/index.ts';
import { createChannel, createOrder, confirmOrder } from '../src/modules/sales/index.ts';
import { createOrderBody } from '../src/modules/sales/orders.schema.ts';
import { createPickLists, markPicked, packShipment, shipShipment, deliverShipment } from '../src/modules/fulfillment/index.ts';
import { systemClock } from '../src/platform/clock.ts';
import { systemActor } from '../src/platform/context.ts';
import { openDatabase } from '../src/platform/db/database.ts';

/**
 * `tsx bench/order-statements.ts`: the SQL statements one 2-line web order sends through the
 * services on SQLite, step by step (take, confirm, pick, mark picked, pack, ship, deliver), BEGIN
 * and COMMIT included. The first order warms the caches; figures are the average of the next five.
 * `--list` prints them by kind; `STEP=shipShipment` counts one step only.
 */

const kinds = new Map<string, number>();
let counting = false;
const probe = new BetterSqlite3(':memory:');
const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...a: unknown[]) => unknown>;
probe.close();
for (const m of ['run', 'all', 'get', 'iterate']) {
  const orig = proto[m]!;
  proto[m] = function (this: { source: string }, ...a: unknown[]) {
    if (counting) { const w = this.source.replace(/\s+/g, ' ').trim().slice(0, 110); kinds.set(w, (kinds.get(w) ?? 0) + 1); }
    return orig.apply(this, a);
  };
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ord-'));
const db = await openDatabase({ url: path.join(dir, 's.db'), groupCommit: false });
const ctx = { db, clock: systemClock, actor: systemActor };
const site = await createLocation(ctx, { kind: 'site', code: 'W', name: 'Warehouse', site_type: 'warehouse' });
const items: string[] = [];
for (let i = 0; i < 2; i++) items.push((await createItem(ctx, { sku: `O-${i}`, name: `Item ${i}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', price: 2_500_000, stocked: true, units: [], barcodes: [], components: [] })).id);
await createAdjustment(ctx, { location_id: site.id, reason: 'opening_balance', lines: items.map((item_id) => ({ item_id, qty: 1_000_000, unit_cost: 1_000_000 })) });
const web = await createChannel(ctx, { name: 'Web', kind: 'online', site_ids: [site.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
const N = 5;
const steps = new Map<string, number>();
const only = process.env.STEP;
const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
  const was = counting;
  if (only && name !== only) counting = false;
  const before = [...kinds.values()].reduce((a, b) => a + b, 0);
  const r = await f();
  steps.set(name, (steps.get(name) ?? 0) + [...kinds.values()].reduce((a, b) => a + b, 0) - before);
  counting = was;
  return r;
};
for (let n = 0; n <= N; n++) {
  counting = n > 0;
  const { record } = await step('createOrder', () => createOrder(ctx, createOrderBody.parse({ channel_id: web.id, channel_order_id: `o${n}`, lines: items.map((item_id) => ({ item_id, qty: 1, unit_price: '5.00' })) })));
  await step('confirmOrder', () => confirmOrder(ctx, record.order.id));
  const [list] = await step('createPickLists', () => createPickLists(ctx, record.order.id));
  await step('markPicked', () => markPicked(ctx, list!.list.id));
  const packed = await step('packShipment', () => packShipment(ctx, list!.list.id, { packages: [{ weight_g: 500_000, lines: list!.lines.map((l) => ({ order_line_id: l.order_line_id, qty: l.qty })) }] }));
  await step('shipShipment', () => shipShipment(ctx, packed.shipment.id, { carrier: 'C', service: 'S', packages: packed.packages.map((p) => ({ package_id: p.id, tracking_number: `T${n}` })) }));
  await step('deliverShipment', () => deliverShipment(ctx, packed.shipment.id));
  if (n === 0) { kinds.clear(); steps.clear(); }
}
let total = 0;
for (const [k, v] of steps) { console.log(`${(v / N).toFixed(1).padStart(6)}  ${k}`); total += v; }
console.log(`${(total / N).toFixed(1).padStart(6)}  total per 2-line order`);
if (process.argv.includes('--list')) for (const [k, v] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`${(v / N).toFixed(1).padStart(6)}  ${k}`);
await db.close();
fs.rmSync(dir, { recursive: true, force: true });

import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import { systemClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createUser, preparePassword } from '../../src/modules/access/index.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createSubscription, setWebhookSubscriberFinder } from '../../src/modules/alerts/index.ts';
import { stockAlertObserver } from '../../src/modules/alerts/stock-alerts.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { registerStockObserver } from '../../src/modules/ledger/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { createSale } from '../../src/modules/sales/index.ts';
import { createSaleBody } from '../../src/modules/sales/sales.schema.ts';
import { postgresBenchDatabase, sqliteBenchDatabase, type BenchDatabase } from '../lib/databases.ts';
import type { BenchRow } from '../lib/report.ts';
import { timeLoop } from '../lib/timing.ts';
import type { BenchContext } from './context.ts';

/**
 * What alert rules cost the checkout: 3-line counter sales through the service with the stock
 * alert observer on and three people subscribed by email, text and in-app (plus two webhook
 * subscriptions), beside the same sales with the observer replaced by one that does nothing.
 * Two cases: the usual sale, which crosses no threshold, and a sale whose every line takes an
 * item to its minimum (each writes three alerts: 3 × (3 emails + 1 text + 3 notifications + 2
 * webhooks) rows in the outbox and notifications).
 */

const noObserver = { name: stockAlertObserver.name, stockChanged: async () => {} };
/** Sales in each "crossing" run: a fixed number, since each takes three fresh items to their minimum. */
const crossingSalesFor = (quick: boolean) => (quick ? 100 : 400);

/** Runs `op` `count` times back to back; ops per second and latencies. */
async function timeCount(count: number, op: () => Promise<unknown>) {
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const t = performance.now();
    await op();
    latencies.push(performance.now() - t);
  }
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { opsPerSec: (count / elapsed) * 1000, p50: latencies[Math.floor(count * 0.5)]!, p99: latencies[Math.min(count - 1, Math.floor(count * 0.99))]! };
}

async function seed(db: Database, crossingItems: number) {
  const ctx: ServiceContext = { db, clock: systemClock, actor: systemActor };
  const store = await createLocation(ctx, { kind: 'site', code: 'ALRT', name: 'Alert store', site_type: 'store' });
  const make = async (sku: string, reorderPoint: number) =>
    (await createItem(ctx, { sku, name: sku, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', price: 2_500_000, stocked: true, units: [], barcodes: [], components: [], reorder_point: reorderPoint })).id;
  const calm: string[] = [];
  for (let i = 0; i < 30; i += 1) calm.push(await make(`CALM-${i}`, 5_000));
  // In one transaction: thousands of items, one commit.
  const crossing = await db.kysely.transaction().execute(async (trx) => {
    const ids: string[] = [];
    const inTrx = { ...ctx, trx };
    for (let i = 0; i < crossingItems; i += 1) ids.push((await createItem(inTrx, { sku: `CROSS-${i}`, name: `CROSS-${i}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', price: 2_500_000, stocked: true, units: [], barcodes: [], components: [], reorder_point: 5_000 })).id);
    return ids;
  });
  await createAdjustment(ctx, { location_id: store.id, reason: 'opening_balance', lines: calm.map((item_id) => ({ item_id, qty: 10_000_000, unit_cost: 1_000_000 })) });
  for (let i = 0; i < crossing.length; i += 500) {
    // Six on hand, minimum five: selling one crosses.
    await createAdjustment(ctx, { location_id: store.id, reason: 'opening_balance', lines: crossing.slice(i, i + 500).map((item_id) => ({ item_id, qty: 6_000, unit_cost: 1_000_000 })) });
  }
  const passwordHash = await preparePassword('bench-alerts-walnut-77');
  for (let p = 0; p < 3; p += 1) {
    const user = await createUser(ctx, { email: `bench.alerts.${p}@example.test`, name: `Bench ${p}`, role: 'manager', sites: [store.id], passwordHash });
    await ctx.db.kysely.updateTable('users').set({ phone: `+1555010${p}` }).where('id', '=', user.id).execute();
    for (const channel of ['email', 'sms', 'in_app'] as const) await createSubscription(ctx, { user_id: user.id, rule: 'low_stock', site_id: store.id, channel });
  }
  return { ctx, storeId: store.id, calm, crossing };
}

export async function benchAlerts(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const databases: BenchDatabase[] = [sqliteBenchDatabase('alerts')];
  if (ctx.postgres) databases.push(await postgresBenchDatabase('alerts'));
  setWebhookSubscriberFinder(async () => [{ id: 'whs_bench_a' }, { id: 'whs_bench_b' }]);
  try {
    for (const bench of databases) {
      const db = await bench.open();
      try {
        const crossingSales = crossingSalesFor(ctx.quick);
        const shop = await seed(db, crossingSales * 3 * 2);
        const sale = (items: string[]) => createSale(shop.ctx, createSaleBody.parse({ register: 'B', location_id: shop.storeId, lines: items.map((item_id) => ({ item_id, qty: 1 })), payments: [{ tender: 'card', amount: '7.50' }] }));
        const calmSale = (n: number) => sale([0, 1, 2].map((k) => shop.calm[(n * 3 + k) % shop.calm.length]!));
        let next = 0;
        const crossingSale = () => {
          const items = shop.crossing.slice(next, next + 3);
          next += 3;
          if (items.length < 3) throw new Error('the crossing run used up its items; seed more crossing items');
          return sale(items);
        };
        ctx.log(`alert rules on the checkout, ${bench.dialect}`);
        registerStockObserver(noObserver);
        const calmOff = await timeLoop(ctx.seconds * 1000, calmSale);
        const crossOff = await timeCount(crossingSales, crossingSale);
        registerStockObserver(stockAlertObserver);
        const calmOn = await timeLoop(ctx.seconds * 1000, calmSale);
        const crossOn = await timeCount(crossingSales, crossingSale);
        const base = { database: bench.dialect, clients: 1, unit: 'ops/s' as const };
        rows.push({ ...base, scenario: 'counter sale, alert rules on, no crossing', value: calmOn.opsPerSec, p50Ms: calmOn.p50, p99Ms: calmOn.p99, ceiling: { name: 'same sales, no alert rules', value: calmOff.opsPerSec, p50Ms: calmOff.p50, p99Ms: calmOff.p99 } });
        rows.push({
          ...base,
          scenario: 'counter sale, every line crosses its minimum',
          value: crossOn.opsPerSec,
          p50Ms: crossOn.p50,
          p99Ms: crossOn.p99,
          ceiling: { name: 'same sales, no alert rules', value: crossOff.opsPerSec, p50Ms: crossOff.p50, p99Ms: crossOff.p99 },
          note: '3 subscribers × email, text, in-app; 2 webhooks',
        });
      } finally {
        await db.close();
        await bench.drop();
      }
    }
  } finally {
    setWebhookSubscriberFinder(null);
    registerStockObserver(stockAlertObserver);
  }
  return rows;
}

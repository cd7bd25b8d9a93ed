import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import { systemClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { buildApp } from '../../src/server/app.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { createChannel } from '../../src/modules/sales/index.ts';
import { createConnection, pushLevels, refreshCatalogue, shopifyAdapter } from '../../src/modules/integrations/index.ts';
import { startShopifyFake } from '../../test/fakes/shopify.ts';
import { postgresBenchDatabase, sqliteBenchDatabase, type BenchDatabase } from '../lib/databases.ts';
import type { BenchRow } from '../lib/report.ts';
import type { BenchContext } from './context.ts';

/**
 * The connectors' two speeds, against the local Shopify fake:
 *
 * - webhook intake per second: signed `orders/create` deliveries (each a distinct event) posted
 *   through the HTTP stack to the receiver, which verifies the HMAC on the raw body, de-duplicates
 *   and writes the event durably before answering; beside the ceiling of the same HTTP stack
 *   answering GET /healthz (nothing verified, nothing written).
 * - push latency: from a stock change committed (a 1-unit adjustment at the channel's warehouse)
 *   to the new level set upstream by the push job (availability read, compare-and-set call to the
 *   fake); beside the ceiling of the platform call alone (the same `inventorySetQuantities`).
 */
async function seed(db: Database, products: number) {
  const ctx: ServiceContext = { db, clock: systemClock, actor: systemActor };
  // A bucket wide enough that the platform's rate limit never enters the figures: they time our side.
  const fake = await startShopifyFake({ startAt: Date.now() - 60 * 60_000, bucket: { max: 1e9, restorePerSecond: 1e9 } });
  const warehouse = await createLocation(ctx, { kind: 'site', code: 'CONW', name: 'Connector warehouse', site_type: 'warehouse' });
  const channel = await createChannel(ctx, { name: 'Bench web shop', kind: 'online', site_ids: [warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
  const items: string[] = [];
  const refs: string[] = [];
  for (let i = 0; i < products; i += 1) {
    const item = await createItem(ctx, { sku: `CON-${i}`, name: `Connector ${i}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', price: 10_000_000, stocked: true, units: [], barcodes: [], components: [] });
    items.push(item.id);
    refs.push(fake.addProduct({ title: `Connector ${i}`, sku: `CON-${i}`, barcode: null, price: '10.00', stock: 100_000 }));
  }
  await createAdjustment(ctx, { location_id: warehouse.default_bin_id ?? warehouse.id, reason: 'opening_balance', lines: items.map((item_id) => ({ item_id, qty: 100_000_000, unit_cost: 1_000_000 })) });
  const connection = await createConnection(ctx, { channel_id: channel.id, platform: 'shopify', credentials: fake.credentials, base_url: fake.baseUrl });
  await refreshCatalogue(ctx, connection.id);
  await pushLevels(ctx, { intervalMs: 0 });
  return { ctx, fake, warehouse, items, refs, connection };
}

function stats(latencies: number[], elapsedMs: number) {
  latencies.sort((a, b) => a - b);
  return { opsPerSec: (latencies.length / elapsedMs) * 1000, p50: latencies[Math.floor(latencies.length * 0.5)]!, p99: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!, mean: latencies.reduce((s, l) => s + l, 0) / latencies.length };
}

async function timeEach(count: number, op: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const t = performance.now();
    await op(i);
    latencies.push(performance.now() - t);
  }
  return stats(latencies, performance.now() - started);
}

export async function benchConnectors(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const databases: BenchDatabase[] = [sqliteBenchDatabase('connectors')];
  if (ctx.postgres) databases.push(await postgresBenchDatabase('connectors'));
  const deliveries = ctx.quick ? 300 : 2000;
  const pushes = ctx.quick ? 30 : 200;
  for (const bench of databases) {
    const db = await bench.open();
    const shop = await seed(db, 20);
    const app = await buildApp({ db, rateLimit: false });
    try {
      ctx.log(`connectors: webhook intake and push latency, ${bench.dialect}`);
      for (let i = 0; i < deliveries; i += 1) shop.fake.createOrder([{ variantRef: shop.refs[i % shop.refs.length]!, quantity: 1, price: '10.00' }]);
      const hooks = shop.fake.takeWebhooks();
      const url = `/api/v1/integrations/${shop.connection.id}/webhooks`;
      const intake = await timeEach(hooks.length, (i) => app.inject({ method: 'POST', url, headers: hooks[i]!.headers, payload: hooks[i]!.body }));
      const empty = await timeEach(hooks.length, () => app.inject({ method: 'GET', url: '/healthz' }));
      // The durable part alone: the same event row inserted directly, one transaction each.
      const raw = await timeEach(hooks.length, (i) =>
        db.kysely.transaction().execute((trx) =>
          trx
            .insertInto('channel_events')
            .values({ id: `cev_RAW${i}`, connection_id: shop.connection.id, event_id: `raw-${i}`, topic: 'orders/create', fired_at: 0, received_at: 0, order_ref: null, payload: hooks[i]!.body, status: 'done', attempts: 0, next_attempt_at: 0, lease_until: null, last_error: null, done_at: 0 })
            .execute(),
        ),
      );
      const intakeRow = { scenario: 'webhook intake (signed, de-duplicated, durable)', database: bench.dialect, clients: 1, unit: 'ops/s' as const, value: intake.opsPerSec, p50Ms: intake.p50, p99Ms: intake.p99 };
      rows.push({ ...intakeRow, ceiling: { name: 'GET /healthz, same HTTP stack', value: empty.opsPerSec, p50Ms: empty.p50, p99Ms: empty.p99 } });
      rows.push({ ...intakeRow, ceiling: { name: 'the same row inserted directly', value: raw.opsPerSec, p50Ms: raw.p50, p99Ms: raw.p99 } });

      const push = await timeEach(pushes, async (i) => {
        await createAdjustment(shop.ctx, { location_id: shop.warehouse.default_bin_id ?? shop.warehouse.id, reason: 'damaged', lines: [{ item_id: shop.items[i % shop.items.length]!, qty: -1000 }] });
        // The fake's orders above sold upstream too: a first compare-and-set may find upstream changed and set on the next round.
        for (let round = 0; (await pushLevels(shop.ctx, { intervalMs: 0 })) !== 1; round += 1) if (round > 3) throw new Error('the sale was not pushed');
      });
      const link = { baseUrl: shop.fake.baseUrl, fetch, now: () => Date.now(), timeoutMs: 10_000 };
      const call = await timeEach(pushes, (i) => shopifyAdapter.setLevels(shop.fake.credentials, link, [{ ref: shop.refs[i % shop.refs.length]!, qty: 5_000_000, expected: null }], `bench-${i}`));
      rows.push({ scenario: 'push latency, stock change to upstream level', database: bench.dialect, clients: 1, unit: 'ms', value: push.mean, p50Ms: push.p50, p99Ms: push.p99, ceiling: { name: 'the platform call alone', value: call.mean, p50Ms: call.p50, p99Ms: call.p99 }, note: 'adjustment + push job (availability read, compare-and-set)' });
    } finally {
      await app.close();
      await shop.fake.close();
      await db.close();
      await bench.drop();
    }
  }
  return rows;
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import { systemClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { createWebhookSubscription, DeliveryWorker, updateWebhookSubscription, writeNotificationSettings } from '../../src/modules/notifications/index.ts';
import { createSale } from '../../src/modules/sales/index.ts';
import { createSaleBody } from '../../src/modules/sales/sales.schema.ts';
import { postgresBenchDatabase, sqliteBenchDatabase, type BenchDatabase } from '../lib/databases.ts';
import type { BenchRow } from '../lib/report.ts';
import { timeLoop } from '../lib/timing.ts';
import type { BenchContext } from './context.ts';

/**
 * Outbound webhooks, in one run per database:
 * - the sale path (a 3-line counter sale through the service) without any webhook subscription —
 *   the ceiling — and with one subscription to `stock.level_changed`, so every sale also writes its
 *   deliveries in its transaction;
 * - the delivery worker draining those deliveries to a local receiver (signing each, recording
 *   each attempt), beside the ceiling of plain HTTP POSTs to the same receiver at the same concurrency.
 */

const CONCURRENCY = 8;

async function startReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

async function seed(db: Database) {
  const ctx: ServiceContext = { db, clock: systemClock, actor: systemActor };
  const store = await createLocation(ctx, { kind: 'site', code: 'HOOK', name: 'Webhook store', site_type: 'store' });
  const itemIds: string[] = [];
  for (let i = 0; i < 30; i += 1) {
    const item = await createItem(ctx, { sku: `HOOK-${i}`, name: `Hook item ${i}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', price: 2_500_000, stocked: true, units: [], barcodes: [], components: [] });
    itemIds.push(item.id);
  }
  await createAdjustment(ctx, { location_id: store.id, reason: 'opening_balance', lines: itemIds.map((item_id) => ({ item_id, qty: 10_000_000, unit_cost: 1_000_000 })) });
  const sell = (n: number) =>
    createSale(
      ctx,
      createSaleBody.parse({
        location_id: store.id,
        register: 'HOOK',
        lines: [0, 1, 2].map((k) => ({ item_id: itemIds[(n * 3 + k) % itemIds.length], qty: 1 })),
        payments: [{ tender: 'card', amount: '7.50' }],
      }),
    );
  return { ctx, sell };
}

async function postPlain(url: string, total: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const body = JSON.stringify({ type: 'stock.level_changed', timestamp: new Date().toISOString(), data: { item_id: 'itm_x', on_hand: 1 } });
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < total) {
      next += 1;
      await new Promise<void>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => (res.resume(), res.on('end', resolve)));
        req.on('error', reject);
        req.end(body);
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  agent.destroy();
  return (total / (performance.now() - started)) * 1000;
}

async function benchOne(context: BenchContext, bench: BenchDatabase): Promise<BenchRow[]> {
  const db = await bench.open();
  const receiver = await startReceiver();
  try {
    const { ctx, sell } = await seed(db);
    const ms = context.seconds * 1000;
    await writeNotificationSettings(db.kysely, { webhooks_allow_private: true });
    const { subscription } = await createWebhookSubscription(ctx, { url: receiver.url, event_types: ['stock.level_changed'], active: false });
    // Alternate the two phases (subscription off, on, off, on) so warm-up and a noisy neighbour fall on both alike.
    const phases = { off: [] as Awaited<ReturnType<typeof timeLoop>>[], on: [] as Awaited<ReturnType<typeof timeLoop>>[] };
    let n = 0;
    for (const round of [1, 2]) {
      for (const active of [false, true]) {
        await updateWebhookSubscription(ctx, subscription.id, { active });
        context.log(`${bench.dialect}: sales with the subscription ${active ? 'on' : 'off'} (round ${round})`);
        phases[active ? 'on' : 'off'].push(await timeLoop(ms / 2, () => sell((n += 1))));
      }
    }
    const merge = (runs: Awaited<ReturnType<typeof timeLoop>>[]) => ({
      opsPerSec: runs.reduce((sum, r) => sum + r.opsPerSec, 0) / runs.length,
      p50: Math.max(...runs.map((r) => r.p50)),
      p99: Math.max(...runs.map((r) => r.p99)),
    });
    const without = merge(phases.off);
    const withHook = merge(phases.on);

    const pending = Number((await db.kysely.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow()).n);
    context.log(`${bench.dialect}: draining ${pending} deliveries`);
    // Ordering keys (item and site) hold one in flight per key; 30 items give the worker room for 8 at once.
    const worker = new DeliveryWorker({ db, clock: systemClock, concurrency: CONCURRENCY, perDestinationMax: CONCURRENCY });
    const started = performance.now();
    let delivered = 0;
    for (let round = 0; round < 100_000 && delivered < pending; round += 1) {
      const n = await worker.runOnce();
      if (n === 0) break;
      delivered += n;
    }
    const deliveriesPerSec = (delivered / (performance.now() - started)) * 1000;
    const plainPerSec = await postPlain(receiver.url, Math.max(200, Math.min(delivered, 2000)));
    return [
      {
        scenario: 'sale with a webhook subscription',
        database: bench.dialect,
        clients: 1,
        value: withHook.opsPerSec,
        unit: 'ops/s',
        p50Ms: withHook.p50,
        p99Ms: withHook.p99,
        ceiling: { name: 'the same sale, subscription off', value: without.opsPerSec, p50Ms: without.p50, p99Ms: without.p99 },
        note: '3 lines; each sale writes 3 stock.level_changed deliveries; p50/p99 the worse of two rounds',
      },
      {
        scenario: 'webhook deliveries to a local receiver',
        database: bench.dialect,
        clients: CONCURRENCY,
        value: deliveriesPerSec,
        unit: 'ops/s',
        ceiling: { name: 'plain POSTs to that receiver', value: plainPerSec },
        note: `${delivered} signed, claimed and logged; ordered per item`,
      },
    ];
  } finally {
    await receiver.close();
    await db.close();
    await bench.drop();
  }
}

export async function benchDeliveries(context: BenchContext): Promise<BenchRow[]> {
  const rows = await benchOne(context, sqliteBenchDatabase('deliveries'));
  if (context.postgres) rows.push(...(await benchOne(context, await postgresBenchDatabase('deliveries'))));
  return rows;
}

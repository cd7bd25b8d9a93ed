import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { createToken } from '../../src/modules/access/index.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { balanceAt } from '../../src/modules/ledger/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { createChannel } from '../../src/modules/sales/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { startEmptyServer, startStockroom, type ChildServer } from '../../test/support/child-server.ts';
import { postgresBenchDatabase, sqliteBenchDatabase, type BenchDatabase } from '../lib/databases.ts';
import { runLoad } from '../lib/http-load.ts';
import type { BenchRow } from '../lib/report.ts';
import type { BenchContext } from './context.ts';

/**
 * Online orders that reserve stock at a strict warehouse, through HTTP, 8 clients, on SQLite and
 * PostgreSQL, beside an empty Fastify route. Two phases: throughput on plenty of stock, then a
 * rush on the last units of a few items, where the figure that matters is that nothing is
 * promised twice: what was accepted never exceeds the stock, and the database's reservations
 * match the answers. An oversell stops the benchmark.
 */

const CLIENTS = 8;
/** The rush: this many items with this many units each, ordered 1–3 at a time until each is gone. */
const RUSH_ITEMS = 5;
const RUSH_STOCK = 40;

interface OrderShop {
  channelId: string;
  warehouseBin: string;
  plentiful: string[];
  rush: string[];
  token: string;
}

async function seed(db: Database): Promise<OrderShop> {
  const ctx: ServiceContext = { db, clock: systemClock, actor: systemActor };
  const warehouse = await createLocation(ctx, { kind: 'site', code: 'WEB', name: 'Web warehouse', site_type: 'warehouse', negative_stock: 'strict' });
  const channel = await createChannel(ctx, { name: 'Web shop', kind: 'online', site_ids: [warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
  const stocked = async (tag: string, count: number, units: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const item = await createItem(ctx, { sku: `${tag}-${i}`, name: `${tag} item ${i}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', price: 5_000_000, stocked: true, units: [], barcodes: [], components: [] });
      ids.push(item.id);
    }
    await createAdjustment(ctx, { location_id: warehouse.id, reason: 'opening_balance', lines: ids.map((item_id) => ({ item_id, qty: units * 1000, unit_cost: 2_000_000 })) });
    return ids;
  };
  const plentiful = await stocked('WEB', 30, 10_000_000);
  const rush = await stocked('RUSH', RUSH_ITEMS, RUSH_STOCK);
  const { secret } = await createToken(ctx, { name: 'bench', role: 'owner', sites: 'all' });
  return { channelId: channel.id, warehouseBin: warehouse.default_bin_id!, plentiful, rush, token: secret };
}

/** Two different items per order, rotating over the plentiful ones. */
function orderBody(shop: OrderShop, run: string, n: number): string {
  const lines = [0, 1].map((k) => ({ item_id: shop.plentiful[(n * 2 + k) % shop.plentiful.length], qty: 1, unit_price: '5.00' }));
  return JSON.stringify({ channel_id: shop.channelId, channel_order_id: `bench-${run}-${n}`, lines });
}

export async function benchOrders(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const databases: BenchDatabase[] = [sqliteBenchDatabase('orders')];
  if (ctx.postgres) databases.push(await postgresBenchDatabase('orders'));
  const empty = await startEmptyServer();
  try {
    for (const bench of databases) {
      const db = await bench.open();
      try {
        const shop = await seed(db);
        const server = await startStockroom(bench.url, { LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000000' });
        try {
          rows.push(...(await throughput(ctx, bench, shop, server, empty)));
          rows.push(await rush(ctx, bench, db, shop, server));
        } finally {
          await server.stop();
        }
      } finally {
        await db.close();
      }
    }
  } finally {
    await empty.stop();
    for (const bench of databases) await bench.drop();
  }
  return rows;
}

async function throughput(ctx: BenchContext, bench: BenchDatabase, shop: OrderShop, server: ChildServer, empty: ChildServer): Promise<BenchRow[]> {
  ctx.log(`online orders reserving at a strict warehouse on ${bench.dialect}, ${CLIENTS} clients`);
  const run = randomBytes(3).toString('hex');
  const auth = { authorization: `Bearer ${shop.token}` };
  const http = await runLoad({ origin: server.origin, concurrency: CLIENTS, durationMs: ctx.seconds * 1000, request: (n) => ({ method: 'POST', path: '/api/v1/orders', body: orderBody(shop, run, n), headers: auth }) });
  const ceiling = await runLoad({ origin: empty.origin, concurrency: CLIENTS, durationMs: ctx.seconds * 1000, request: (n) => ({ method: 'POST', path: '/empty', body: orderBody(shop, run, n) }) });
  return [
    {
      scenario: 'online order, 2 lines, reserving at a strict site, HTTP',
      database: bench.dialect,
      clients: CLIENTS,
      value: http.opsPerSec,
      unit: 'ops/s',
      p50Ms: http.p50,
      p99Ms: http.p99,
      ceiling: { name: 'empty Fastify route', value: ceiling.opsPerSec, p50Ms: ceiling.p50, p99Ms: ceiling.p99 },
    },
  ];
}

/** Every client orders the rush items until every one is refused; then the promises are counted. */
async function rush(ctx: BenchContext, bench: BenchDatabase, db: Database, shop: OrderShop, server: ChildServer): Promise<BenchRow> {
  ctx.log(`rush on the last ${RUSH_STOCK} units of ${RUSH_ITEMS} items on ${bench.dialect}, ${CLIENTS} clients`);
  const run = randomBytes(3).toString('hex');
  const accepted = new Map(shop.rush.map((id) => [id, 0]));
  const soldOut = new Set<string>();
  const statuses: Record<number, number> = {};
  let n = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (soldOut.size < shop.rush.length) {
        const k = n++;
        const itemId = shop.rush[k % shop.rush.length]!;
        const qty = 1 + (k % 3);
        const response = await request(`${server.origin}/api/v1/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${shop.token}` },
          body: JSON.stringify({ channel_id: shop.channelId, channel_order_id: `rush-${run}-${k}`, lines: [{ item_id: itemId, qty, unit_price: '5.00' }] }),
        });
        await response.body.dump();
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
        if (response.statusCode === 201) accepted.set(itemId, accepted.get(itemId)! + qty);
        // An item is sold out once a single unit is refused.
        else if (response.statusCode === 409 && qty === 1) soldOut.add(itemId);
        else if (response.statusCode !== 409) throw new Error(`rush on ${bench.dialect}: HTTP ${response.statusCode}`);
      }
    }),
  );
  const elapsed = performance.now() - started;
  let oversold = 0;
  let promised = 0;
  for (const [itemId, qty] of accepted) {
    const balance = await balanceAt(db.kysely, itemId, shop.warehouseBin);
    // Every unit promised once: more is an oversell, fewer a unit lost to a refusal that was not due.
    if (qty !== RUSH_STOCK || balance.reserved !== qty * 1000 || balance.reserved > balance.onHand) oversold += 1;
    promised += qty;
  }
  if (oversold > 0) throw new Error(`rush on ${bench.dialect}: ${oversold} item(s) promised other than their stock, or disagreeing with the database (${JSON.stringify([...accepted])})`);
  const requests = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    scenario: `rush on the last units: ${RUSH_ITEMS} items × ${RUSH_STOCK}, orders of 1–3`,
    database: bench.dialect,
    clients: CLIENTS,
    value: (requests / elapsed) * 1000,
    unit: 'ops/s',
    note: `${promised} of ${RUSH_ITEMS * RUSH_STOCK} units promised, 0 oversold; ${statuses[201] ?? 0} accepted, ${statuses[409] ?? 0} refused 409`,
  };
}

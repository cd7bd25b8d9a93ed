import { randomBytes } from 'node:crypto';
import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import { systemClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createToken } from '../../src/modules/access/index.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { postgresBenchDatabase, sqliteBenchDatabase, type BenchDatabase } from '../lib/databases.ts';
import { runLoad } from '../lib/http-load.ts';
import { postgresRawWriter, sqliteRawWriter, timeConcurrent, type RawStatement, type RawWriter } from '../lib/raw-writer.ts';
import type { BenchRow } from '../lib/report.ts';
import { startEmptyServer, startStockroom, type ChildServer } from '../../test/support/child-server.ts';
import type { BenchContext } from './context.ts';

/**
 * Counter sales of 3 lines through HTTP, at 1 and 16 clients, on SQLite and PostgreSQL, each
 * beside an empty Fastify route and beside the raw database writing the same rows.
 */

export interface Shop {
  storeId: string;
  binId: string;
  itemIds: string[];
  token: string;
}

export async function seed(db: Database): Promise<Shop> {
  const ctx: ServiceContext = { db, clock: systemClock, actor: systemActor };
  const store = await createLocation(ctx, { kind: 'site', code: 'SALE', name: 'Bench store', site_type: 'store' });
  const itemIds: string[] = [];
  for (let i = 0; i < 30; i += 1) {
    const item = await createItem(ctx, { sku: `SALE-${i}`, name: `Sale item ${i}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', price: 2_500_000, stocked: true, units: [], barcodes: [], components: [] });
    itemIds.push(item.id);
  }
  await createAdjustment(ctx, { location_id: store.id, reason: 'opening_balance', lines: itemIds.map((item_id) => ({ item_id, qty: 10_000_000, unit_cost: 1_000_000 })) });
  const { secret } = await createToken(ctx, { name: 'bench', role: 'owner', sites: 'all' });
  return { storeId: store.id, binId: store.default_bin_id!, itemIds, token: secret };
}

/**
 * Three different items per sale, rotating through ten sets of three: sixteen clients at once meet on
 * some rows, as tills selling the same goods do. (With 96 items, so that they never meet, PostgreSQL
 * sold no faster beyond the noise, and neither did the raw writer.)
 */
export function saleBody(shop: Shop, n: number): string {
  const lines = [0, 1, 2].map((k) => ({ item_id: shop.itemIds[(n * 3 + k) % shop.itemIds.length], qty: 1 }));
  return JSON.stringify({ location_id: shop.storeId, register: `R${n % 16}`, lines, payments: [{ tender: 'card', amount: '7.50' }] });
}

/** The rows one 3-line counter sale writes, as the service writes them. */
export function saleRows(shop: Shop, n: number, tag: string): RawStatement[] {
  const now = Date.now();
  const sale = `bsal_${tag}_${n}`;
  const txn = `btxn_${tag}_${n}`;
  const items = [0, 1, 2].map((k) => shop.itemIds[(n * 3 + k) % shop.itemIds.length]!);
  const rows: RawStatement[] = [
    ['insert into sale_registers (register_key, last_number) values (?, 1) on conflict (register_key) do update set last_number = sale_registers.last_number + 1', [`raw-${tag}-${n % 16}`]],
    [
      "insert into sales (id, number, register, location_id, site_id, channel_id, currency, status, subtotal_micros, discount_micros, tax_micros, total_micros, paid_micros, change_micros, refunded_micros, employee, note, exchange_id, actor_id, created_at) values (?, ?, 'R', ?, ?, null, 'USD', 'completed', 7500000, 0, 0, 7500000, 7500000, 0, 0, null, null, null, 'bench', ?)",
      [sale, `RAW-${tag}-${n}`, shop.binId, shop.storeId, now],
    ],
    ...items.map(
      (item, k): RawStatement => [
        "insert into sale_lines (id, sale_id, line_no, item_id, lot_id, qty, base_unit_price_micros, unit_price_micros, gross_micros, line_discount_micros, sale_discount_micros, net_micros, tax_rate_ppm, tax_micros, total_micros, qty_returned, refunded_micros) values (?, ?, ?, ?, '', 1000, 2500000, 2500000, 2500000, 0, 0, 2500000, 0, 0, 2500000, 0, 0)",
        [`bsll_${tag}_${n}_${k}`, sale, k + 1, item],
      ],
    ),
    ["insert into payments (id, document_type, document_id, direction, tender, amount_micros, reference, created_at) values (?, 'sale', ?, 'in', 'card', 7500000, null, ?)", [`bpay_${tag}_${n}`, sale, now]],
    ["insert into ledger_transactions (id, kind, document_type, document_id, effective_at, recorded_at, actor_id) values (?, 'sale', 'sale', ?, ?, ?, 'bench')", [txn, sale, now, now]],
  ];
  for (const [k, item] of items.entries()) {
    const mov = `bmov_${tag}_${n}_${k}`;
    rows.push(
      ["insert into balances (item_id, location_id, lot_id, on_hand, reserved, updated_at) values (?, ?, '', -1000, 0, ?) on conflict (item_id, location_id, lot_id) do update set on_hand = balances.on_hand + excluded.on_hand, updated_at = excluded.updated_at", [item, shop.binId, now]],
      ["insert into balances (item_id, location_id, lot_id, on_hand, reserved, updated_at) values (?, 'loc_customer', '', 1000, 0, ?) on conflict (item_id, location_id, lot_id) do update set on_hand = balances.on_hand + excluded.on_hand, updated_at = excluded.updated_at", [item, now]],
      ['update item_costs set pool_qty = pool_qty - 1000, pool_value_micros = pool_value_micros - 1000000, last_effective_at = ?, last_movement_id = ?, updated_at = ? where item_id = ?', [now, mov, now, item]],
      ["insert into cost_consumptions (movement_id, layer_id, item_id, effective_at, qty, value_micros) values (?, 'raw-layer', ?, ?, 1000, 1000000)", [mov, item, now]],
      [
        "insert into movements (id, txn_id, item_id, lot_id, from_location_id, to_location_id, qty, unit_cost_micros, value_micros, kind, reason, effective_at, recorded_at, document_type, document_id, document_line_id, actor_id) values (?, ?, ?, '', ?, 'loc_customer', 1000, 1000000, 1000000, 'sale', null, ?, ?, 'sale', ?, ?, 'bench')",
        [mov, txn, item, shop.binId, now, now, sale, `bsll_${tag}_${n}_${k}`],
      ],
    );
  }
  return rows;
}

async function rawWriterFor(bench: BenchDatabase, connections: number): Promise<RawWriter> {
  if (bench.dialect === 'sqlite') return sqliteRawWriter(bench.url);
  const schema = new URL(bench.url).searchParams.get('options')!.replace('-c search_path=', '');
  return postgresRawWriter(schema, connections);
}

export async function benchSales(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const databases: BenchDatabase[] = [sqliteBenchDatabase('sales')];
  if (ctx.postgres) databases.push(await postgresBenchDatabase('sales'));
  const empty = await startEmptyServer();
  try {
    for (const bench of databases) {
      const db = await bench.open();
      const shop = await seed(db);
      await db.close();
      // SQLite runs twice, with group commit (the default) and without, so the table shows what it gives.
      for (const groupCommit of bench.dialect === 'sqlite' ? (['on', 'off'] as const) : (['on'] as const)) {
        rows.push(...(await benchOneServer(ctx, bench, shop, empty, groupCommit)));
      }
    }
  } finally {
    await empty.stop();
    for (const bench of databases) await bench.drop();
  }
  return rows;
}

async function benchOneServer(ctx: BenchContext, bench: BenchDatabase, shop: Shop, empty: ChildServer, groupCommit: 'on' | 'off'): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const server = await startStockroom(bench.url, { LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000000', STOCKROOM_GROUP_COMMIT: groupCommit });
  try {
    for (const clients of [1, 16]) {
      ctx.log(`counter sales on ${bench.dialect}, ${clients} clients${groupCommit === 'off' ? ', group commit off' : ''}`);
      const run = randomBytes(3).toString('hex');
      // A load balancer's probe of /healthz runs beside the sales: it must stay quick under load.
      // It asks fifty times a second (a balancer asks every few seconds; this many gives a p99), not
      // back to back: a probe in a tight loop took the server's time from the sales it measures.
      const [http, health] = await Promise.all([
        runLoad({
          origin: server.origin,
          concurrency: clients,
          durationMs: ctx.seconds * 1000,
          request: (n) => ({ method: 'POST', path: '/api/v1/sales', body: saleBody(shop, n), headers: { authorization: `Bearer ${shop.token}`, 'idempotency-key': `bench-${run}-${n}` } }),
        }),
        runLoad({ origin: server.origin, concurrency: 1, durationMs: ctx.seconds * 1000, paceMs: 20, request: () => ({ method: 'GET', path: '/healthz' }) }),
      ]);
      const ceiling = await runLoad({ origin: empty.origin, concurrency: clients, durationMs: ctx.seconds * 1000, request: (n) => ({ method: 'POST', path: '/empty', body: saleBody(shop, n) }) });
      const writer = await rawWriterFor(bench, clients);
      // SQLite has one writer however many clients ask; PostgreSQL writes on as many connections.
      const raw = await timeConcurrent(ctx.seconds * 1000, bench.dialect === 'sqlite' ? 1 : clients, (n) => writer.write(saleRows(shop, n, `${run}${groupCommit}${clients}`)));
      await writer.close();
      const scenario = groupCommit === 'off' ? 'counter sale, 3 lines, HTTP, group commit off' : 'counter sale, 3 lines, HTTP';
      const base = { scenario, database: bench.dialect, clients, value: http.opsPerSec, unit: 'ops/s' as const, p50Ms: http.p50, p99Ms: http.p99 };
      rows.push({ ...base, ceiling: { name: 'empty Fastify route', value: ceiling.opsPerSec, p50Ms: ceiling.p50, p99Ms: ceiling.p99 } });
      rows.push({ ...base, ceiling: { name: 'raw db, same writes', value: raw.opsPerSec } });
      rows.push({
        scenario: `/healthz p99 beside ${scenario.replace('counter sale, 3 lines, HTTP', 'counter sales')}`,
        database: bench.dialect,
        clients,
        value: health.p99,
        unit: 'ms',
        p50Ms: health.p50,
        p99Ms: health.p99,
        ceiling: { name: 'empty Fastify route, p99', value: ceiling.p99, p50Ms: ceiling.p50, p99Ms: ceiling.p99 },
      });
    }
  } finally {
    await server.stop();
  }
  return rows;
}

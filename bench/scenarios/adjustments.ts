import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import { systemClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createToken } from '../../src/modules/access/index.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { benchPostgresUrl, postgresBenchDatabase, sqliteBenchDatabase, type BenchDatabase } from '../lib/databases.ts';
import { runLoad } from '../lib/http-load.ts';
import type { BenchRow } from '../lib/report.ts';
import { startEmptyServer, startStockroom } from '../../test/support/child-server.ts';
import { timeLoop } from '../lib/timing.ts';
import type { BenchContext } from './context.ts';

/**
 * Posting a 3-line stock adjustment (with costs): through the service, and through HTTP,
 * each beside its ceiling — the raw database doing the same inserts and updates, and an empty
 * Fastify route.
 */

async function seed(db: Database): Promise<{ binId: string; siteId: string; itemIds: string[]; token: string }> {
  const ctx: ServiceContext = { db, clock: systemClock, actor: systemActor };
  const site = await createLocation(ctx, { kind: 'site', code: 'BENCH', name: 'Bench store', site_type: 'store' });
  const itemIds = [];
  for (let i = 0; i < 3; i += 1) {
    const item = await createItem(ctx, { sku: `BENCH-${i}`, name: `Bench item ${i}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', stocked: true, units: [], barcodes: [], components: [] });
    itemIds.push(item.id);
  }
  const { secret } = await createToken(ctx, { name: 'bench', role: 'owner', sites: 'all' });
  return { binId: site.default_bin_id!, siteId: site.id, itemIds, token: secret };
}

function adjustmentBody(binId: string, itemIds: string[]) {
  return { location_id: binId, reason: 'found' as const, lines: itemIds.map((item_id) => ({ item_id, qty: 1000, unit_cost: 1_250_000 })) };
}

/** The same rows the service writes for one 3-line adjustment, as plain prepared statements. */
function rawSqliteWriter(file: string, binId: string, itemIds: string[]) {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 10000');
  const s = {
    begin: db.prepare('begin immediate'),
    commit: db.prepare('commit'),
    txn: db.prepare("insert into ledger_transactions (id, kind, document_type, document_id, effective_at, recorded_at, actor_id) values (?, 'adjustment', 'adjustment', ?, ?, ?, 'system')"),
    balance: db.prepare("insert into balances (item_id, location_id, lot_id, on_hand, reserved, updated_at) values (?, ?, '', ?, 0, ?) on conflict (item_id, location_id, lot_id) do update set on_hand = on_hand + excluded.on_hand, updated_at = excluded.updated_at"),
    itemCost: db.prepare('insert into item_costs (item_id, pool_qty, pool_value_micros, last_unit_cost_micros, last_effective_at, last_movement_id, updated_at) values (?, ?, ?, ?, ?, ?, ?) on conflict (item_id) do update set pool_qty = pool_qty + excluded.pool_qty, pool_value_micros = pool_value_micros + excluded.pool_value_micros, last_effective_at = excluded.last_effective_at, last_movement_id = excluded.last_movement_id'),
    inbound: db.prepare('insert into inbound_costs (movement_id, item_id, unit_cost_micros, landed_micros) values (?, ?, ?, 0)'),
    layer: db.prepare('insert into cost_layers (movement_id, item_id, effective_at, qty_in, value_in_micros, qty_remaining, value_remaining_micros) values (?, ?, ?, ?, ?, ?, ?)'),
    movement: db.prepare("insert into movements (id, txn_id, item_id, lot_id, from_location_id, to_location_id, qty, unit_cost_micros, value_micros, kind, reason, effective_at, recorded_at, document_type, document_id, document_line_id, actor_id) values (?, ?, ?, '', 'loc_adjustment', ?, ?, ?, ?, 'adjustment', 'found', ?, ?, 'adjustment', ?, ?, 'system')"),
    counter: db.prepare("insert into counters (name, value) values ('raw', 1) on conflict (name) do update set value = value + 1"),
    adjustment: db.prepare("insert into adjustments (id, number, location_id, reason, note, effective_at, posted_at, actor_id, txn_id, reverses_id) values (?, ?, ?, 'found', null, ?, ?, 'system', ?, null)"),
    line: db.prepare("insert into adjustment_lines (id, adjustment_id, line_no, item_id, lot_id, qty_delta, unit_cost_micros) values (?, ?, ?, ?, '', ?, ?)"),
  };
  return {
    write(n: number) {
      const now = Date.now();
      const doc = `raw_adj_${n}`;
      s.begin.run();
      s.txn.run(`raw_txn_${n}`, doc, now, now);
      itemIds.forEach((item, i) => {
        const mov = `raw_mov_${n}_${i}`;
        s.balance.run(item, binId, 1000, now);
        s.balance.run(item, 'loc_adjustment', -1000, now);
        s.itemCost.run(item, 1000, 1_250_000, 1_250_000, now, mov, now);
        s.inbound.run(mov, item, 1_250_000);
        s.layer.run(mov, item, now, 1000, 1_250_000, 1000, 1_250_000);
        s.movement.run(mov, `raw_txn_${n}`, item, binId, 1000, 1_250_000, 1_250_000, now, now, doc, `raw_line_${n}_${i}`);
      });
      s.counter.run();
      s.adjustment.run(doc, `RAW-${n}`, binId, now, now, `raw_txn_${n}`);
      itemIds.forEach((item, i) => s.line.run(`raw_line_${n}_${i}`, doc, i + 1, item, 1000, 1_250_000));
      s.commit.run();
    },
    close: () => db.close(),
  };
}

async function rawPostgresWriter(schema: string, binId: string, itemIds: string[]) {
  const client = new pg.Client({ connectionString: benchPostgresUrl, options: `-c search_path=${schema}` });
  await client.connect();
  return {
    async write(n: number) {
      const now = Date.now();
      const doc = `raw_adj_${n}`;
      await client.query('begin');
      await client.query("insert into ledger_transactions (id, kind, document_type, document_id, effective_at, recorded_at, actor_id) values ($1, 'adjustment', 'adjustment', $2, $3, $3, 'system')", [`raw_txn_${n}`, doc, now]);
      for (const [i, item] of itemIds.entries()) {
        const mov = `raw_mov_${n}_${i}`;
        for (const [location, qty] of [[binId, 1000], ['loc_adjustment', -1000]] as const) {
          await client.query("insert into balances (item_id, location_id, lot_id, on_hand, reserved, updated_at) values ($1, $2, '', $3, 0, $4) on conflict (item_id, location_id, lot_id) do update set on_hand = balances.on_hand + excluded.on_hand, updated_at = excluded.updated_at", [item, location, qty, now]);
        }
        await client.query('insert into item_costs (item_id, pool_qty, pool_value_micros, last_unit_cost_micros, last_effective_at, last_movement_id, updated_at) values ($1, 1000, 1250000, 1250000, $2, $3, $2) on conflict (item_id) do update set pool_qty = item_costs.pool_qty + excluded.pool_qty, pool_value_micros = item_costs.pool_value_micros + excluded.pool_value_micros, last_effective_at = excluded.last_effective_at, last_movement_id = excluded.last_movement_id', [item, now, mov]);
        await client.query('insert into inbound_costs (movement_id, item_id, unit_cost_micros, landed_micros) values ($1, $2, 1250000, 0)', [mov, item]);
        await client.query('insert into cost_layers (movement_id, item_id, effective_at, qty_in, value_in_micros, qty_remaining, value_remaining_micros) values ($1, $2, $3, 1000, 1250000, 1000, 1250000)', [mov, item, now]);
        await client.query("insert into movements (id, txn_id, item_id, lot_id, from_location_id, to_location_id, qty, unit_cost_micros, value_micros, kind, reason, effective_at, recorded_at, document_type, document_id, document_line_id, actor_id) values ($1, $2, $3, '', 'loc_adjustment', $4, 1000, 1250000, 1250000, 'adjustment', 'found', $5, $5, 'adjustment', $6, $7, 'system')", [mov, `raw_txn_${n}`, item, binId, now, doc, `raw_line_${n}_${i}`]);
      }
      await client.query("insert into counters (name, value) values ('raw', 1) on conflict (name) do update set value = counters.value + 1");
      await client.query("insert into adjustments (id, number, location_id, reason, note, effective_at, posted_at, actor_id, txn_id, reverses_id) values ($1, $2, $3, 'found', null, $4, $4, 'system', $5, null)", [doc, `RAW-${n}`, binId, now, `raw_txn_${n}`]);
      for (const [i, item] of itemIds.entries()) {
        await client.query("insert into adjustment_lines (id, adjustment_id, line_no, item_id, lot_id, qty_delta, unit_cost_micros) values ($1, $2, $3, $4, '', 1000, 1250000)", [`raw_line_${n}_${i}`, doc, i + 1, item]);
      }
      await client.query('commit');
    },
    close: () => client.end(),
  };
}

export async function benchAdjustments(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const databases: BenchDatabase[] = [sqliteBenchDatabase('adjustments')];
  if (ctx.postgres) databases.push(await postgresBenchDatabase('adjustments'));
  const empty = await startEmptyServer();
  try {
    for (const bench of databases) {
      ctx.log(`adjustments on ${bench.dialect}: service and raw`);
      const db = await bench.open();
      const { binId, itemIds, token } = await seed(db);
      const service = await timeLoop(ctx.seconds * 1000, () =>
        createAdjustment({ db, clock: systemClock, actor: systemActor }, adjustmentBody(binId, itemIds)),
      );
      await db.close();
      let raw;
      if (bench.dialect === 'sqlite') {
        const writer = rawSqliteWriter(bench.url, binId, itemIds);
        raw = await timeLoop(ctx.seconds * 1000, (n) => writer.write(n));
        writer.close();
      } else {
        const schema = new URL(bench.url).searchParams.get('options')!.replace('-c search_path=', '');
        const writer = await rawPostgresWriter(schema, binId, itemIds);
        raw = await timeLoop(ctx.seconds * 1000, (n) => writer.write(n));
        await writer.close();
      }
      rows.push({
        scenario: 'adjustment, 3 lines, service',
        database: bench.dialect,
        clients: 1,
        value: service.opsPerSec,
        unit: 'ops/s',
        p50Ms: service.p50,
        p99Ms: service.p99,
        ceiling: { name: 'raw db, same writes', value: raw.opsPerSec, p50Ms: raw.p50, p99Ms: raw.p99 },
      });

      ctx.log(`adjustments on ${bench.dialect}: HTTP`);
      const server = await startStockroom(bench.url, { LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000000' });
      try {
        const body = JSON.stringify({ location_id: binId, reason: 'found', lines: itemIds.map((item_id) => ({ item_id, qty: 1, unit_cost: '1.25' })) });
        const http = await runLoad({ origin: server.origin, concurrency: 1, durationMs: ctx.seconds * 1000, request: () => ({ method: 'POST', path: '/api/v1/adjustments', body, headers: { authorization: `Bearer ${token}` } }) });
        const ceiling = await runLoad({ origin: empty.origin, concurrency: 1, durationMs: ctx.seconds * 1000, request: () => ({ method: 'POST', path: '/empty', body }) });
        rows.push({
          scenario: 'adjustment, 3 lines, HTTP',
          database: bench.dialect,
          clients: 1,
          value: http.opsPerSec,
          unit: 'ops/s',
          p50Ms: http.p50,
          p99Ms: http.p99,
          ceiling: { name: 'empty Fastify route', value: ceiling.opsPerSec, p50Ms: ceiling.p50, p99Ms: ceiling.p99 },
        });
      } finally {
        await server.stop();
      }
    }
  } finally {
    await empty.stop();
    for (const bench of databases) await bench.drop();
  }
  return rows;
}

import { randomBytes } from 'node:crypto';
import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import { systemClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createToken } from '../../src/modules/access/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { postMovements, readValuedHistory } from '../../src/modules/ledger/index.ts';
import { createLocation, VIRTUAL_LOCATION_IDS } from '../../src/modules/locations/index.ts';
import { postgresBenchDatabase, sqliteBenchDatabase, type BenchDatabase } from '../lib/databases.ts';
import { runLoad } from '../lib/http-load.ts';
import { postgresRawWriter, sqliteRawWriter, timeConcurrent, type RawStatement } from '../lib/raw-writer.ts';
import type { BenchRow } from '../lib/report.ts';
import { timeLoop } from '../lib/timing.ts';
import { startStockroom } from '../../test/support/child-server.ts';
import type { BenchContext } from './context.ts';

/** A 20-line quick receipt through HTTP beside the raw database writing the same rows; re-costing a long history. */

interface Shop {
  siteId: string;
  binId: string;
  itemIds: string[];
  token: string;
}

async function seed(db: Database): Promise<Shop> {
  const ctx: ServiceContext = { db, clock: systemClock, actor: systemActor };
  const site = await createLocation(ctx, { kind: 'site', code: 'RCV', name: 'Bench warehouse', site_type: 'warehouse' });
  const itemIds: string[] = [];
  for (let i = 0; i < 20; i += 1) {
    const item = await createItem(ctx, { sku: `RCV-${i}`, name: `Received item ${i}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', stocked: true, units: [], barcodes: [], components: [] });
    itemIds.push(item.id);
  }
  const { secret } = await createToken(ctx, { name: 'bench', role: 'owner', sites: 'all' });
  return { siteId: site.id, binId: site.default_bin_id!, itemIds, token: secret };
}

function receiptRows(shop: Shop, n: number, tag: string): RawStatement[] {
  const now = Date.now();
  const receipt = `brcp_${tag}_${n}`;
  const txn = `btxn_${tag}_${n}`;
  const rows: RawStatement[] = [
    ["insert into ledger_transactions (id, kind, document_type, document_id, effective_at, recorded_at, actor_id) values (?, 'receipt', 'receipt', ?, ?, ?, 'bench')", [txn, receipt, now, now]],
    ["insert into counters (name, value) values ('raw-receipt', 1) on conflict (name) do update set value = counters.value + 1", []],
  ];
  for (const [k, item] of shop.itemIds.entries()) {
    const mov = `bmov_${tag}_${n}_${k}`;
    rows.push(
      ["insert into balances (item_id, location_id, lot_id, on_hand, reserved, updated_at) values (?, ?, '', 5000, 0, ?) on conflict (item_id, location_id, lot_id) do update set on_hand = balances.on_hand + excluded.on_hand, updated_at = excluded.updated_at", [item, shop.binId, now]],
      ["insert into balances (item_id, location_id, lot_id, on_hand, reserved, updated_at) values (?, 'loc_vendor', '', -5000, 0, ?) on conflict (item_id, location_id, lot_id) do update set on_hand = balances.on_hand + excluded.on_hand, updated_at = excluded.updated_at", [item, now]],
      ["insert into item_costs (item_id, pool_qty, pool_value_micros, last_unit_cost_micros, last_effective_at, last_movement_id, updated_at) values (?, 5000, 7500000, 1500000, ?, ?, ?) on conflict (item_id) do update set pool_qty = item_costs.pool_qty + 5000, pool_value_micros = item_costs.pool_value_micros + 7500000, last_effective_at = excluded.last_effective_at, last_movement_id = excluded.last_movement_id", [item, now, mov, now]],
      ['insert into inbound_costs (movement_id, item_id, unit_cost_micros, landed_micros) values (?, ?, 1500000, 0)', [mov, item]],
      ['insert into cost_layers (movement_id, item_id, effective_at, qty_in, value_in_micros, qty_remaining, value_remaining_micros) values (?, ?, ?, 5000, 7500000, 5000, 7500000)', [mov, item, now]],
      [
        "insert into movements (id, txn_id, item_id, lot_id, from_location_id, to_location_id, qty, unit_cost_micros, value_micros, kind, reason, effective_at, recorded_at, document_type, document_id, document_line_id, actor_id) values (?, ?, ?, '', 'loc_vendor', ?, 5000, 1500000, 7500000, 'receipt', null, ?, ?, 'receipt', ?, null, 'bench')",
        [mov, txn, item, shop.binId, now, now, receipt],
      ],
    );
  }
  return rows;
}

export async function benchReceipts(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const databases: BenchDatabase[] = [sqliteBenchDatabase('receipts')];
  if (ctx.postgres) databases.push(await postgresBenchDatabase('receipts'));
  try {
    for (const bench of databases) {
      ctx.log(`20-line receipts on ${bench.dialect}`);
      const db = await bench.open();
      const shop = await seed(db);
      await db.close();
      const server = await startStockroom(bench.url, { LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000000' });
      const run = randomBytes(3).toString('hex');
      const body = JSON.stringify({ site_id: shop.siteId, post: true, lines: shop.itemIds.map((item_id) => ({ item_id, qty: 5, unit_cost: '1.50' })) });
      let http;
      try {
        http = await runLoad({
          origin: server.origin,
          concurrency: 1,
          durationMs: ctx.seconds * 1000,
          request: (n) => ({ method: 'POST', path: '/api/v1/receipts', body, headers: { authorization: `Bearer ${shop.token}`, 'idempotency-key': `rcv-${run}-${n}` } }),
        });
      } finally {
        await server.stop();
      }
      const writer = bench.dialect === 'sqlite' ? sqliteRawWriter(bench.url) : await postgresRawWriter(new URL(bench.url).searchParams.get('options')!.replace('-c search_path=', ''));
      const raw = await timeConcurrent(ctx.seconds * 1000, 1, (n) => writer.write(receiptRows(shop, n, run)));
      await writer.close();
      rows.push({
        scenario: 'receipt, 20 lines, HTTP',
        database: bench.dialect,
        clients: 1,
        value: http.opsPerSec,
        unit: 'ops/s',
        p50Ms: http.p50,
        p99Ms: http.p99,
        ceiling: { name: 'raw db, same writes', value: raw.opsPerSec },
      });
    }
  } finally {
    for (const bench of databases) await bench.drop();
  }
  return rows;
}

/**
 * Re-costing: one item with a long history (receipts and sales alternating, in postings of 2,000
 * movements about eight days apart), then receipts back-dated by a day, into the last stretch of
 * it. Costing replays the item from its last checkpoint before that instant: about 1,000 to 3,000
 * movements, whatever the history's length. Beside it, the floor of a replay from the first
 * movement: reading the item's valued history once. (A receipt back-dated before all of the
 * history changes the cost of every sale after it, and re-costs them all.)
 */
export async function benchRecost(ctx: BenchContext): Promise<BenchRow[]> {
  const movements = ctx.quick ? 20_000 : 100_000;
  const rows: BenchRow[] = [];
  const databases: BenchDatabase[] = [sqliteBenchDatabase('recost')];
  if (ctx.postgres) databases.push(await postgresBenchDatabase('recost'));
  try {
    for (const bench of databases) {
      ctx.log(`re-costing an item with ${movements} movements on ${bench.dialect}`);
      const db = await bench.open();
      const serviceCtx: ServiceContext = { db, clock: systemClock, actor: systemActor };
      const site = await createLocation(serviceCtx, { kind: 'site', code: 'RC', name: 'Recost store', site_type: 'store' });
      const item = await createItem(serviceCtx, { sku: 'RECOST', name: 'Long history', base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', stocked: true, units: [], barcodes: [], components: [] });
      const start = Date.now() - 400 * 86_400_000;
      const perBatch = 2000;
      for (let done = 0; done < movements; done += perBatch) {
        const at = start + Math.floor((done / movements) * 390 * 86_400_000);
        const batch = Array.from({ length: perBatch / 2 }, (_, i) => [
          { itemId: item.id, fromLocationId: VIRTUAL_LOCATION_IDS.vendor, toLocationId: site.default_bin_id!, qty: 2000, unitCostMicros: 1_000_000 + ((done + i) % 97) * 1000 },
          { itemId: item.id, fromLocationId: site.default_bin_id!, toLocationId: VIRTUAL_LOCATION_IDS.customer, qty: 2000 },
        ]).flat();
        await postMovements(serviceCtx, { kind: 'receipt', documentType: 'bench', documentId: `hist-${done}`, effectiveAt: at, movements: batch });
      }
      const lastAt = start + Math.floor(((movements - perBatch) / movements) * 390 * 86_400_000);
      const floor = await timeLoop(1000, () => db.kysely.transaction().execute((trx) => readValuedHistory(trx, item.id)), 0);
      let late = 0;
      const lateReceipt = () =>
        postMovements(serviceCtx, {
          kind: 'receipt',
          documentType: 'bench',
          documentId: `late-${late}`,
          effectiveAt: lastAt - 86_400_000 + late++,
          movements: [{ itemId: item.id, fromLocationId: VIRTUAL_LOCATION_IDS.vendor, toLocationId: site.default_bin_id!, qty: 1000, unitCostMicros: 500_000 }],
        });
      // Once without checkpoints (as before they existed): the replay starts from the first
      // movement, and writes the item's checkpoints again as it goes.
      await db.kysely.deleteFrom('cost_checkpoints').where('item_id', '=', item.id).execute();
      const full = await timeLoop(1, lateReceipt, 0);
      const recost = await timeLoop(1000, lateReceipt, 0);
      await db.close();
      rows.push({
        scenario: `receipt back-dated a day, item with ${movements / 1000}k movements, no checkpoints`,
        database: bench.dialect,
        value: full.p50,
        unit: 'ms',
        ceiling: { name: 'read the item’s history once', value: floor.p50 },
        note: `${full.count} run`,
      });
      rows.push({
        scenario: `receipt back-dated a day, item with ${movements / 1000}k movements`,
        database: bench.dialect,
        value: recost.p50,
        unit: 'ms',
        ceiling: { name: 'read the item’s history once', value: floor.p50 },
        note: `${recost.count} runs`,
      });
    }
  } finally {
    for (const bench of databases) await bench.drop();
  }
  return rows;
}

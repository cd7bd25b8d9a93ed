import BetterSqlite3 from 'better-sqlite3';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import { csvText } from '../../src/platform/csv.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { bufferSource, runImport } from '../../src/modules/imports/index.ts';
import { ean13 } from '../../test/support/catalog-files.ts';
import { sqliteBenchDatabase } from '../lib/databases.ts';
import type { BenchRow } from '../lib/report.ts';
import type { BenchContext } from './context.ts';

/**
 * A catalogue import of N items, each with a barcode and opening stock at one store (the file in
 * Stockroom's layout), beside its ceiling measured in the same run: the same rows written into an
 * empty database of the same schema by plain prepared statements, 500 rows per transaction — the
 * items, barcodes, and per batch one adjustment with its ledger transaction, movements, balances
 * and cost layers. The import also validates every row first (its dry run), keeping the parsed
 * rows for the apply.
 */

const batch = 500;

function catalogueCsv(n: number, siteCode: string): Buffer {
  const rows: string[][] = [['SKU', 'Name', 'Base unit', 'Price', 'Barcodes', 'Cost', `Stock ${siteCode}`]];
  for (let i = 0; i < n; i += 1) rows.push([`BULK-${i}`, `Bulk item ${i}`, 'ea', `${(i % 90) + 1}.99`, ean13(i, '21'), `${(i % 40) + 1}.25`, String((i % 12) + 1)]);
  return Buffer.from(csvText(rows));
}

async function seedSite(open: () => Promise<ServiceContext['db']>): Promise<{ siteCode: string; binId: string }> {
  const db = await open();
  const ctx: ServiceContext = { db, clock: systemClock, actor: systemActor };
  const site = await createLocation(ctx, { kind: 'site', code: 'BULK', name: 'Bulk store', site_type: 'store' });
  await db.close();
  return { siteCode: 'BULK', binId: site.default_bin_id! };
}

/** The ceiling: the import's rows written with prepared statements and nothing else. */
function rawBulkInsert(file: string, n: number, binId: string): number {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const now = Date.now();
  const s = {
    item: db.prepare("insert into items (id, sku, sku_key, name, description, category, base_unit, tracking, tracks_expiry, costing_method, price_micros, unit_weight_mg, reorder_point, stocked, status, units_json, barcodes_json, components_json, search_text, created_at, updated_at) values (?, ?, ?, ?, null, null, 'ea', 'none', 0, 'fifo', ?, null, null, 1, 'active', '[]', ?, '[]', ?, ?, ?)"),
    barcode: db.prepare("insert into item_barcodes (code_key, code, kind, item_id) values (?, ?, 'gtin', ?)"),
    txn: db.prepare("insert into ledger_transactions (id, kind, document_type, document_id, effective_at, recorded_at, actor_id) values (?, 'adjustment', 'adjustment', ?, ?, ?, 'system')"),
    balance: db.prepare("insert into balances (item_id, location_id, lot_id, on_hand, reserved, updated_at) values (?, ?, '', ?, 0, ?) on conflict (item_id, location_id, lot_id) do update set on_hand = on_hand + excluded.on_hand, updated_at = excluded.updated_at"),
    itemCost: db.prepare('insert into item_costs (item_id, pool_qty, pool_value_micros, last_unit_cost_micros, last_effective_at, last_movement_id, updated_at) values (?, ?, ?, ?, ?, ?, ?)'),
    inbound: db.prepare('insert into inbound_costs (movement_id, item_id, unit_cost_micros, landed_micros) values (?, ?, ?, 0)'),
    layer: db.prepare('insert into cost_layers (movement_id, item_id, effective_at, qty_in, value_in_micros, qty_remaining, value_remaining_micros) values (?, ?, ?, ?, ?, ?, ?)'),
    movement: db.prepare("insert into movements (id, txn_id, item_id, lot_id, from_location_id, to_location_id, qty, unit_cost_micros, value_micros, kind, reason, effective_at, recorded_at, document_type, document_id, document_line_id, actor_id) values (?, ?, ?, '', 'loc_adjustment', ?, ?, ?, ?, 'adjustment', 'opening_balance', ?, ?, 'adjustment', ?, ?, 'system')"),
    adjustment: db.prepare("insert into adjustments (id, number, location_id, reason, note, effective_at, posted_at, actor_id, txn_id, reverses_id) values (?, ?, ?, 'opening_balance', null, ?, ?, 'system', ?, null)"),
    line: db.prepare("insert into adjustment_lines (id, adjustment_id, line_no, item_id, lot_id, qty_delta, unit_cost_micros) values (?, ?, ?, ?, '', ?, ?)"),
  };
  const started = performance.now();
  for (let first = 0; first < n; first += batch) {
    const doc = `raw_adj_${first}`;
    const txn = `raw_txn_${first}`;
    db.transaction(() => {
      s.txn.run(txn, doc, now, now);
      s.adjustment.run(doc, `RAW-${first}`, binId, now, now, txn);
      for (let i = first; i < Math.min(n, first + batch); i += 1) {
        const id = `itm_raw${i}`;
        const code = ean13(i, '21');
        const price = ((i % 90) + 1) * 1_000_000 + 990_000;
        const cost = ((i % 40) + 1) * 1_000_000 + 250_000;
        const qty = ((i % 12) + 1) * 1000;
        const mov = `raw_mov_${i}`;
        s.item.run(id, `BULK-${i}`, `BULK-${i}`, `Bulk item ${i}`, price, JSON.stringify([{ code, kind: 'gtin' }]), `bulk-${i} bulk item ${i} ${code}`, now, now);
        s.barcode.run(code.padStart(14, '0'), code, id);
        s.balance.run(id, binId, qty, now);
        s.balance.run(id, 'loc_adjustment', -qty, now);
        s.itemCost.run(id, qty, (cost * qty) / 1000, cost, now, mov, now);
        s.inbound.run(mov, id, cost);
        s.layer.run(mov, id, now, qty, (cost * qty) / 1000, qty, (cost * qty) / 1000);
        s.movement.run(mov, txn, id, binId, qty, cost, (cost * qty) / 1000, now, now, doc, `raw_line_${i}`);
        s.line.run(`raw_line_${i}`, doc, i - first + 1, id, qty, cost);
      }
    })();
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return n / seconds;
}

export async function benchImports(ctx: BenchContext): Promise<BenchRow[]> {
  const n = ctx.quick ? 10_000 : 100_000;
  const service = sqliteBenchDatabase('imports');
  const raw = sqliteBenchDatabase('imports-raw');
  try {
    const site = await seedSite(service.open);
    const rawSite = await seedSite(raw.open);
    const file = catalogueCsv(n, site.siteCode);
    ctx.log(`imports on sqlite: ${n} items with barcodes and opening stock`);
    const db = await service.open();
    const started = performance.now();
    const job = await runImport({ db, clock: systemClock, actor: systemActor }, bufferSource(file), { format: 'csv', dryRun: false });
    const seconds = (performance.now() - started) / 1000;
    await db.close();
    if (job.status !== 'done' || job.created_count !== n) throw new Error(`bench import did not finish: ${job.status} ${job.failure ?? ''} ${job.errors_json.slice(0, 300)}`);
    ctx.log('imports on sqlite: the raw bulk insert of the same rows');
    const ceiling = rawBulkInsert(raw.url, n, rawSite.binId);
    return [{ scenario: `import ${n} items + barcodes + opening stock`, database: 'sqlite', value: n / seconds, unit: 'ops/s', ceiling: { name: 'raw bulk insert, same rows', value: ceiling }, note: 'rows per second; target ≥ 30 % of the ceiling' }];
  } finally {
    await service.drop();
    await raw.drop();
  }
}

import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import { systemClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createToken } from '../../src/modules/access/index.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { postgresBenchDatabase, sqliteBenchDatabase, type BenchDatabase } from '../lib/databases.ts';
import { postgresRawWriter, sqliteRawWriter, type RawStatement, type RawWriter } from '../lib/raw-writer.ts';
import type { BenchRow } from '../lib/report.ts';
import { summarize } from '../lib/stats.ts';
import { startStockroom } from '../../test/support/child-server.ts';
import type { BenchContext } from './context.ts';

/**
 * A 2,000-line stocktake over HTTP, start to finish: the count is created (its lines laid out
 * from the balances), the counters' lines arrive in four batches of 500, it is submitted (every
 * line measured against the ledger at its instant) and approved, posting one variance in ten.
 * Beside it, the raw database doing the same writes in the same transactions: the count and its
 * lines inserted, the counted quantities set, the lines measured, the ledger transaction with its
 * movements and balances, the lines and the count marked posted.
 */

const LINES = 2000;
const BATCH = 500;

async function seed(db: Database): Promise<{ siteId: string; binId: string; itemIds: string[]; token: string }> {
  const ctx: ServiceContext = { db, clock: systemClock, actor: systemActor };
  const site = await createLocation(ctx, { kind: 'site', code: 'CNTB', name: 'Counted store', site_type: 'store' });
  const itemIds: string[] = [];
  for (let i = 0; i < LINES; i += 1) {
    const item = await createItem(ctx, { sku: `COUNT-${i}`, name: `Counted item ${i}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', stocked: true, units: [], barcodes: [], components: [] });
    itemIds.push(item.id);
  }
  for (let i = 0; i < LINES; i += BATCH) {
    await createAdjustment(ctx, { location_id: site.id, reason: 'opening_balance', lines: itemIds.slice(i, i + BATCH).map((item_id) => ({ item_id, qty: 50_000, unit_cost: 1_000_000 })) });
  }
  const { secret } = await createToken(ctx, { name: 'bench', role: 'owner', sites: 'all' });
  return { siteId: site.id, binId: site.default_bin_id!, itemIds, token: secret };
}

async function call(origin: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Every tenth line is one short; the rest are as the ledger says (quantities in base units, as JSON). */
const countedOf = (i: number) => (i % 10 === 0 ? 49 : 50);

async function stocktakeOverHttp(origin: string, token: string, siteId: string): Promise<number> {
  const started = performance.now();
  const count = await call(origin, token, 'POST', '/api/v1/counts', { site_id: siteId, kind: 'full', mode: 'blind' });
  if (count.lines.length !== LINES) throw new Error(`the count laid out ${count.lines.length} lines, not ${LINES}`);
  for (let i = 0; i < LINES; i += BATCH) {
    const lines = count.lines.slice(i, i + BATCH).map((l: any, j: number) => ({ location_id: l.location_id, item_id: l.item_id, qty: countedOf(i + j) }));
    await call(origin, token, 'POST', `/api/v1/counts/${count.id}/lines`, { lines });
  }
  const submitted = await call(origin, token, 'POST', `/api/v1/counts/${count.id}/submit`, {});
  const posted = submitted.status === 'posted' ? submitted : await call(origin, token, 'POST', `/api/v1/counts/${count.id}/approve`, {});
  if (posted.status !== 'posted') throw new Error(`the stocktake ended ${posted.status}`);
  return performance.now() - started;
}

/** The same rows, as plain statements, in the same five kinds of transaction. */
async function stocktakeRaw(writer: RawWriter, run: number, siteId: string, binId: string, itemIds: string[]): Promise<number> {
  const started = performance.now();
  const now = Date.now();
  const countId = `raw_cnt_${run}`;
  const lineId = (i: number) => `raw_cnl_${run}_${i}`;
  await writer.write([
    ["insert into counters (name, value) values ('raw_count', 1) on conflict (name) do update set value = counters.value + 1", []],
    [
      "insert into counts (id, number, site_id, kind, mode, scope_json, status, note, created_by, created_at, submitted_by, submitted_at, posted_by, posted_at, updated_at) values (?, ?, ?, 'full', 'blind', '{}', 'counting', null, 'system', ?, null, null, null, null, ?)",
      [countId, `RAW-${run}`, siteId, now, now],
    ],
    ["insert into count_sheets (id, count_id, sheet_no, name, location_ids_json, counter_id, created_at) values (?, ?, 1, 'All', '[]', null, ?)", [`raw_cnh_${run}`, countId, now]],
    ...itemIds.map(
      (item, i): RawStatement => [
        "insert into count_lines (id, count_id, sheet_id, line_no, location_id, item_id, lot_id, round, status, found, counted_qty, counted_at, counted_by, expected_qty, variance_qty, unit_cost_micros, variance_value_micros, needs_approval, decided_by, decided_at, decision, decision_reason, edited_from_qty, txn_id, posted_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, '', 1, 'open', 0, null, null, null, null, null, null, null, 0, null, null, null, null, null, null, null, ?, ?)",
        [lineId(i), countId, `raw_cnh_${run}`, i + 1, binId, item, now, now],
      ],
    ),
  ]);
  for (let i = 0; i < LINES; i += BATCH) {
    await writer.write(
      itemIds.slice(i, i + BATCH).map((_, j): RawStatement => ['update count_lines set counted_qty = ?, counted_at = ?, counted_by = ?, updated_at = ? where id = ?', [countedOf(i + j) * 1000, now, 'system', now, lineId(i + j)]]),
    );
  }
  await writer.write([
    ...itemIds.map(
      (_, i): RawStatement => [
        "update count_lines set expected_qty = 50000, variance_qty = ?, unit_cost_micros = 1000000, variance_value_micros = ?, needs_approval = 0, status = 'approved', decision = 'approved', updated_at = ? where id = ?",
        [(countedOf(i) - 50) * 1000, (countedOf(i) - 50) * 1_000_000, now, lineId(i)],
      ],
    ),
    ["update counts set status = 'submitted', submitted_by = 'system', submitted_at = ?, updated_at = ? where id = ?", [now, now, countId]],
  ]);
  const short = itemIds.flatMap((item, i) => (countedOf(i) < 50 ? [{ item, i }] : []));
  await writer.write([
    ["insert into ledger_transactions (id, kind, document_type, document_id, effective_at, recorded_at, actor_id) values (?, 'count', 'count', ?, ?, ?, 'system')", [`raw_txn_c${run}`, countId, now, now]],
    ...short.flatMap(({ item, i }): RawStatement[] => [
      ['update balances set on_hand = on_hand - 1000, updated_at = ? where item_id = ? and location_id = ? and lot_id = ?', [now, item, binId, '']],
      ["insert into balances (item_id, location_id, lot_id, on_hand, reserved, updated_at) values (?, 'loc_adjustment', '', 1000, 0, ?) on conflict (item_id, location_id, lot_id) do update set on_hand = balances.on_hand + excluded.on_hand, updated_at = excluded.updated_at", [item, now]],
      ['update item_costs set pool_qty = pool_qty - 1000, pool_value_micros = pool_value_micros - 1000000, updated_at = ? where item_id = ?', [now, item]],
      [
        "insert into movements (id, txn_id, item_id, lot_id, from_location_id, to_location_id, qty, unit_cost_micros, value_micros, kind, reason, effective_at, recorded_at, document_type, document_id, document_line_id, actor_id) values (?, ?, ?, '', ?, 'loc_adjustment', 1000, 1000000, 1000000, 'count', 'count_variance', ?, ?, 'count', ?, ?, 'system')",
        [`raw_mov_c${run}_${i}`, `raw_txn_c${run}`, item, binId, now, now, countId, lineId(i)],
      ],
    ]),
    ...itemIds.map((_, i): RawStatement => ["update count_lines set status = 'posted', txn_id = ?, posted_at = ?, updated_at = ? where id = ?", [`raw_txn_c${run}`, now, now, lineId(i)]]),
    ["update counts set status = 'posted', posted_by = 'system', posted_at = ?, updated_at = ? where id = ?", [now, now, countId]],
  ]);
  return performance.now() - started;
}

export async function benchCounts(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const runs = ctx.quick ? 1 : 3;
  const databases: BenchDatabase[] = [sqliteBenchDatabase('counts')];
  if (ctx.postgres) databases.push(await postgresBenchDatabase('counts'));
  try {
    for (const bench of databases) {
      ctx.log(`counts on ${bench.dialect}: seeding ${LINES} items`);
      const db = await bench.open();
      const { siteId, binId, itemIds, token } = await seed(db);
      await db.close();
      ctx.log(`counts on ${bench.dialect}: ${runs} stocktakes over HTTP`);
      const server = await startStockroom(bench.url, { LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000000' });
      const http: number[] = [];
      try {
        for (let run = 0; run < runs; run += 1) http.push(await stocktakeOverHttp(server.origin, token, siteId));
      } finally {
        await server.stop();
      }
      ctx.log(`counts on ${bench.dialect}: the same writes, raw`);
      const writer = bench.dialect === 'sqlite' ? sqliteRawWriter(bench.url) : await postgresRawWriter(new URL(bench.url).searchParams.get('options')!.replace('-c search_path=', ''));
      const raw: number[] = [];
      try {
        for (let run = 0; run < runs; run += 1) raw.push(await stocktakeRaw(writer, run, siteId, binId, itemIds));
      } finally {
        await writer.close();
      }
      const h = summarize(http);
      const r = summarize(raw);
      rows.push({
        scenario: `stocktake, ${LINES} lines, HTTP (create, 4×500 lines, submit, approve)`,
        database: bench.dialect,
        clients: 1,
        value: h.p50,
        unit: 'ms',
        ceiling: { name: 'raw db, same writes', value: r.p50 },
        note: `${runs} run${runs === 1 ? '' : 's'}, median`,
      });
    }
  } finally {
    for (const bench of databases) await bench.drop();
  }
  return rows;
}

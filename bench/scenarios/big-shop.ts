import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { loadDemoShop, type DemoShopSummary } from '../../src/demo/demo-shop.ts';
import { createToken } from '../../src/modules/access/index.ts';
import { listBalances } from '../../src/modules/ledger/index.ts';
import { inventoryValuation } from '../../src/modules/reports/index.ts';
import '../../src/modules/sales/index.ts';
import '../../src/modules/fulfillment/index.ts';
import { runLoad } from '../lib/http-load.ts';
import type { BenchRow } from '../lib/report.ts';
import { timeLoop } from '../lib/timing.ts';
import { startEmptyServer, startStockroom } from '../../test/support/child-server.ts';
import type { BenchContext } from './context.ts';

const cacheDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../.cache');
const DAY_MS = 86_400_000;

/**
 * Reports and start-up on a shop with history: the simulated demo shop at `ctx.shopScale` with
 * `ctx.shopDays` days of trade, generated once through the services and kept in bench/.cache, since
 * a big one takes a while to build. SQLite only: the shop is generated on SQLite.
 */
export async function benchBigShop(ctx: BenchContext): Promise<BenchRow[]> {
  const { file, summary } = await cachedShop(ctx);
  const label = `scale-${summary.scale} shop (${summary.items} items, ${(summary.movements / 1e6).toFixed(2)}M movements)`;
  const db = await openDatabase({ url: file });
  const rows: BenchRow[] = [];
  try {
    rows.push(...(await reports(ctx, db, label)));
  } finally {
    await db.close();
  }
  rows.push(...(await serverFigures(ctx, file, label)));
  return rows;
}

export async function cachedShop(ctx: BenchContext): Promise<{ file: string; summary: DemoShopSummary }> {
  const days = ctx.shopDays;
  const file = path.join(cacheDir, `demo-scale-${ctx.shopScale}-days-${days}.db`);
  const marker = `${file}.done`;
  if (fs.existsSync(marker) && fs.existsSync(file)) return { file, summary: JSON.parse(fs.readFileSync(marker, 'utf8')) as DemoShopSummary };
  fs.mkdirSync(cacheDir, { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
  ctx.log(`generating the scale-${ctx.shopScale} demo shop (${days} days) into ${path.relative(process.cwd(), file)}; kept for later runs`);
  const db = await openDatabase({ url: file });
  const started = Date.now();
  let lastLog = 0;
  const summary = await loadDemoShop(
    { db, clock: systemClock, actor: systemActor },
    {
      scale: ctx.shopScale,
      days,
      onProgress: ({ phase, done, total }) => {
        if (Date.now() - lastLog < 10_000 && done !== total) return;
        lastLog = Date.now();
        ctx.log(`${phase} ${done}/${total} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      },
    },
  );
  await db.close();
  ctx.log(`generated ${summary.movements} movements in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  fs.writeFileSync(marker, JSON.stringify({ ...summary, generationMs: Date.now() - started }, null, 2));
  return { file, summary };
}

async function reports(ctx: BenchContext, db: Database, label: string): Promise<BenchRow[]> {
  const service: ServiceContext = { db, clock: systemClock, actor: systemActor };
  const warehouse = await db.kysely.selectFrom('locations').select('id').where('kind', '=', 'site').where('code', '=', 'WH').executeTakeFirstOrThrow();
  const monthAgo = Date.now() - 30 * DAY_MS;
  const seconds = Math.max(1, ctx.seconds);

  ctx.log('stock on hand at the warehouse, 30 days ago');
  const asOf = await timeLoop(seconds * 1000, async () => {
    let cursor: string | undefined;
    do {
      const page = await listBalances(service, { locationId: warehouse.id, asOf: monthAgo, groupBy: 'item', includeVirtual: false, limit: 500, cursor });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  });
  // The ceiling: the same answer from one hand-written query (today's balances less what moved since).
  const asOfRaw = await timeLoop(seconds * 1000, () =>
    sql`select item_id, sum(q) as on_hand from (
          select b.item_id, b.on_hand as q from balances b join locations l on l.id = b.location_id where l.site_id = ${warehouse.id} and l.kind <> 'virtual'
          union all select m.item_id, 0 - m.qty from movements m join locations l on l.id = m.to_location_id where l.site_id = ${warehouse.id} and l.kind <> 'virtual' and m.effective_at > ${monthAgo}
          union all select m.item_id, m.qty from movements m join locations l on l.id = m.from_location_id where l.site_id = ${warehouse.id} and l.kind <> 'virtual' and m.effective_at > ${monthAgo}
        ) u group by item_id having sum(q) <> 0`.execute(db.kysely),
  );

  ctx.log('inventory valuation, today and 30 days ago');
  const valuationNow = await timeLoop(seconds * 1000, () => inventoryValuation(service, {}));
  const valuationPast = await timeLoop(seconds * 1000, () => inventoryValuation(service, { asOf: monthAgo }));
  const costsRaw = await timeLoop(seconds * 1000, () => sql`select item_id, pool_qty, pool_value_micros from item_costs`.execute(db.kysely));

  const rawCeiling = (name: string, run: { p50: number }) => ({ name, value: run.p50 });
  return [
    { scenario: `stock at a site as of 30 days ago, ${label}`, database: 'sqlite', value: asOf.p50, unit: 'ms', p99Ms: asOf.p99, ceiling: rawCeiling('raw SQL: the same, one query', asOfRaw) },
    { scenario: `inventory valuation today, ${label}`, database: 'sqlite', value: valuationNow.p50, unit: 'ms', p99Ms: valuationNow.p99, ceiling: rawCeiling('raw SQL: read every item cost pool', costsRaw) },
    { scenario: `inventory valuation 30 days ago, ${label}`, database: 'sqlite', value: valuationPast.p50, unit: 'ms', p99Ms: valuationPast.p99, ceiling: rawCeiling('raw SQL: read every item cost pool', costsRaw) },
  ];
}

async function serverFigures(ctx: BenchContext, file: string, label: string): Promise<BenchRow[]> {
  const db = await openDatabase({ url: file });
  const busiest = await sql<{ item_id: string; n: number }>`select item_id, count(*) as n from movements group by item_id order by n desc limit 1`.execute(db.kysely);
  const itemId = busiest.rows[0]!.item_id;
  const { secret: token } = await createToken({ db, clock: systemClock, actor: systemActor }, { name: 'bench', role: 'owner', sites: 'all' });
  await db.close();

  const empty = await startEmptyServer();
  const emptyStart = await timeEmptyStart();
  const server = await startStockroom(file, { LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000000' });
  const rows: BenchRow[] = [];
  try {
    const headers = { authorization: `Bearer ${token}` };
    const first = `/api/v1/movements?item_id=${itemId}&limit=50`;
    // A deep page: the cursor of page 40 (the 2,000th movement back).
    let deep = first;
    for (let page = 0; page < 40; page += 1) {
      const response = await fetch(`${server.origin}${deep}`, { headers });
      const body = (await response.json()) as { next_cursor: string | null };
      if (!body.next_cursor) break;
      deep = `${first}&cursor=${encodeURIComponent(body.next_cursor)}`;
    }
    const duration = ctx.seconds * 1000;
    const ceiling = await runLoad({ origin: empty.origin, concurrency: 1, durationMs: duration, request: () => ({ method: 'GET', path: '/empty' }) });
    for (const [name, pathname] of [
      ['movement history of the busiest item, first page', first],
      ['movement history of the busiest item, page 40', deep],
    ] as const) {
      ctx.log(name);
      const run = await runLoad({ origin: server.origin, concurrency: 1, durationMs: duration, request: () => ({ method: 'GET', path: pathname, headers }) });
      rows.push({
        scenario: `${name}, HTTP, ${label}`,
        database: 'sqlite',
        clients: 1,
        value: run.opsPerSec,
        unit: 'ops/s',
        p50Ms: run.p50,
        p99Ms: run.p99,
        ceiling: { name: 'empty Fastify route', value: ceiling.opsPerSec, p50Ms: ceiling.p50, p99Ms: ceiling.p99 },
      });
    }
    rows.push({ scenario: `server start to listening, ${label}`, database: 'sqlite', value: server.startMs, unit: 'ms', ceiling: { name: 'empty Fastify server', value: emptyStart } });
    rows.push({ scenario: `server resident memory after these requests, ${label}`, database: 'sqlite', value: server.rssMiB(), unit: 'MiB', ceiling: { name: 'empty Fastify server', value: empty.rssMiB() } });
  } finally {
    await server.stop();
    await empty.stop();
  }
  return rows;
}

async function timeEmptyStart(): Promise<number> {
  const started = performance.now();
  const server = await startEmptyServer();
  const ms = performance.now() - started;
  await server.stop();
  return ms;
}

import { systemActor } from '../../src/platform/context.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { loadDemoStore } from '../../src/demo/demo-store.ts';
import { createToken } from '../../src/modules/access/index.ts';
import { sqliteBenchDatabase } from '../lib/databases.ts';
import { runLoad } from '../lib/http-load.ts';
import type { BenchRow } from '../lib/report.ts';
import { startEmptyServer, startStockroom } from '../../test/support/child-server.ts';
import type { BenchContext } from './context.ts';

/** A scanner's look-up by barcode through HTTP, beside an empty Fastify route, at 1 and 16 clients. */
export async function benchBarcodeLookup(ctx: BenchContext): Promise<BenchRow[]> {
  const bench = sqliteBenchDatabase('barcode');
  const db = await bench.open();
  await loadDemoStore({ db, clock: systemClock, actor: systemActor });
  const codes = (await db.kysely.selectFrom('item_barcodes').select('code').execute()).map((r) => r.code);
  const { secret: token } = await createToken({ db, clock: systemClock, actor: systemActor }, { name: 'bench', role: 'owner', sites: 'all' });
  await db.close();
  const server = await startStockroom(bench.url, { LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000000' });
  const empty = await startEmptyServer();
  const rows: BenchRow[] = [];
  try {
    for (const clients of [1, 16]) {
      ctx.log(`barcode look-ups, ${clients} clients`);
      const http = await runLoad({
        origin: server.origin,
        concurrency: clients,
        durationMs: ctx.seconds * 1000,
        request: (n) => ({ method: 'GET', path: `/api/v1/items/by-barcode/${codes[n % codes.length]}`, headers: { authorization: `Bearer ${token}` } }),
      });
      const ceiling = await runLoad({ origin: empty.origin, concurrency: clients, durationMs: ctx.seconds * 1000, request: () => ({ method: 'GET', path: '/empty' }) });
      rows.push({
        scenario: 'barcode look-up, HTTP',
        database: 'sqlite',
        clients,
        value: http.opsPerSec,
        unit: 'ops/s',
        p50Ms: http.p50,
        p99Ms: http.p99,
        ceiling: { name: 'empty Fastify route', value: ceiling.opsPerSec, p50Ms: ceiling.p50, p99Ms: ceiling.p99 },
      });
    }
  } finally {
    await server.stop();
    await empty.stop();
    await bench.drop();
  }
  return rows;
}

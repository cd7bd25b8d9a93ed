import { randomBytes } from 'node:crypto';
import { runLoad } from '../lib/http-load.ts';
import { sqliteBenchDatabase, type BenchDatabase } from '../lib/databases.ts';
import { sqliteRawWriter, timeConcurrent } from '../lib/raw-writer.ts';
import type { BenchRow } from '../lib/report.ts';
import { startStockroom, type ChildServer } from '../../test/support/child-server.ts';
import type { BenchContext } from './context.ts';
import { saleBody, saleRows, seed, type Shop } from './sales.ts';

/**
 * Group commit on SQLite, on against off, on a machine too busy for back-to-back phases to be
 * compared: two servers (each on its own copy of the shop) and the raw writer take turns in short
 * slices, in rotating order, so a burst of load elsewhere falls on all three alike.
 */

interface Contender {
  name: string;
  ops: number;
  ms: number;
  latencies: number[];
}

export async function benchGroupCommit(ctx: BenchContext): Promise<BenchRow[]> {
  const rounds = ctx.quick ? 2 : 6;
  const sliceMs = 1000;
  const benches: BenchDatabase[] = [sqliteBenchDatabase('gc-on'), sqliteBenchDatabase('gc-off'), sqliteBenchDatabase('gc-raw')];
  const shops: Shop[] = [];
  for (const bench of benches) {
    const db = await bench.open();
    shops.push(await seed(db));
    await db.close();
  }
  const servers: ChildServer[] = [];
  const rows: BenchRow[] = [];
  try {
    servers.push(await startStockroom(benches[0]!.url, { LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000000', STOCKROOM_GROUP_COMMIT: 'on' }));
    servers.push(await startStockroom(benches[1]!.url, { LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000000', STOCKROOM_GROUP_COMMIT: 'off' }));
    const writer = sqliteRawWriter(benches[2]!.url);
    for (const clients of [1, 16]) {
      ctx.log(`group commit on and off, ${clients} clients, ${rounds} rounds`);
      const run = randomBytes(3).toString('hex');
      const on: Contender = { name: 'on', ops: 0, ms: 0, latencies: [] };
      const off: Contender = { name: 'off', ops: 0, ms: 0, latencies: [] };
      const raw: Contender = { name: 'raw', ops: 0, ms: 0, latencies: [] };
      const slices: Array<() => Promise<void>> = [0, 1].map((i) => async () => {
        const server = servers[i]!;
        const shop = shops[i]!;
        const result = await runLoad({
          origin: server.origin,
          concurrency: clients,
          durationMs: sliceMs,
          warmupMs: 100,
          request: (n) => ({ method: 'POST', path: '/api/v1/sales', body: saleBody(shop, n), headers: { authorization: `Bearer ${shop.token}`, 'idempotency-key': `gc-${run}-${i}-${randomBytes(6).toString('hex')}` } }),
        });
        const into = i === 0 ? on : off;
        into.ops += (result.opsPerSec * result.elapsedMs) / 1000;
        into.ms += result.elapsedMs;
      });
      let rawN = 0;
      slices.push(async () => {
        const started = performance.now();
        const result = await timeConcurrent(sliceMs, 1, () => writer.write(saleRows(shops[2]!, rawN++, `${run}${clients}`)));
        const ms = performance.now() - started;
        raw.ops += (result.opsPerSec * ms) / 1000;
        raw.ms += ms;
      });
      for (let round = 0; round < rounds; round += 1) {
        for (let k = 0; k < slices.length; k += 1) await slices[(round + k) % slices.length]!();
      }
      const rate = (c: Contender) => (c.ops / c.ms) * 1000;
      rows.push({ scenario: 'counter sale, HTTP, group commit on (interleaved)', database: 'sqlite', clients, value: rate(on), unit: 'ops/s', ceiling: { name: 'raw db, same writes', value: rate(raw) } });
      rows.push({ scenario: 'counter sale, HTTP, group commit off (interleaved)', database: 'sqlite', clients, value: rate(off), unit: 'ops/s', ceiling: { name: 'raw db, same writes', value: rate(raw) } });
      rows.push({ scenario: 'counter sale, HTTP, group commit on (interleaved)', database: 'sqlite', clients, value: rate(on), unit: 'ops/s', ceiling: { name: 'group commit off', value: rate(off) } });
    }
    await writer.close();
  } finally {
    for (const server of servers) await server.stop();
    for (const bench of benches) await bench.drop();
  }
  return rows;
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { createToken } from '../src/modules/access/index.ts';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { createItem } from '../src/modules/catalog/index.ts';
import { createLocation } from '../src/modules/locations/index.ts';
import { systemClock } from '../src/platform/clock.ts';
import { systemActor } from '../src/platform/context.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { buildApp } from '../src/server/app.ts';
import { postgresBenchDatabase } from './lib/databases.ts';
import { watchPostgresQueries } from '../test/support/postgres-round-trips.ts';

/**
 * `tsx bench/sale-statements.ts`: the SQL statements one 3-line counter sale sends, counted by
 * kind, through the whole HTTP path (authentication, idempotency, the sale, the audit log). The
 * first sale warms the caches; the figure is the average of the next ten. `--list` prints them.
 * `--postgres` counts on PostgreSQL instead, at the client, with the round trips: there a
 * statement waits for its answer unless it was sent behind another, and some statements that are
 * several on SQLite are one (insertRowSets).
 */

/** Counts every statement better-sqlite3 runs (BEGIN and COMMIT included), by its first words. */
class Counter {
  counting = false;
  readonly kinds = new Map<string, number>();
  install(): void {
    const probe = new BetterSqlite3(':memory:');
    const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
    probe.close();
    for (const method of ['run', 'all', 'get', 'iterate']) {
      const original = proto[method]!;
      const counter = this;
      proto[method] = function (this: { source: string }, ...args: unknown[]) {
        if (counter.counting) counter.kinds.set(describe(this.source), (counter.kinds.get(describe(this.source)) ?? 0) + 1);
        return original.apply(this, args);
      };
    }
  }
}

function describe(source: string): string {
  const words = source.replace(/\s+/g, ' ').trim().toLowerCase();
  // Several tables' inserts as one statement (insertRowSets, PostgreSQL): named by all of them.
  if (words.startsWith('with ') && words.includes(' as (insert into ')) return `insert ${[...words.matchAll(/insert into "?(\w+)"?/g)].map((m) => m[1]).join(' + ')}`;
  const table = /^(?:insert into|update|delete from) "?(\w+)"?/.exec(words)?.[1] ?? / from "?(\w+)"?/.exec(outerLevel(words))?.[1] ?? / from "?(\w+)"?/.exec(words)?.[1] ?? '';
  return `${words.split(' ')[0]} ${table}`.trim();
}

/** The text outside parentheses, so a select is named by its own table, not a subquery's (`exists (select … from x)`). */
function outerLevel(words: string): string {
  let depth = 0;
  let out = '';
  for (const c of words) {
    if (c === '(') depth += 1;
    if (depth === 0) out += c;
    if (c === ')') depth -= 1;
  }
  return out;
}

/** Counts every query node-postgres sends, by the same kinds, and the round trips they wait. */
class PostgresCounter {
  counting = false;
  trips = 0;
  readonly kinds = new Map<string, number>();
  install(): void {
    watchPostgresQueries((text, startsTrip) => {
      if (!this.counting) return;
      this.kinds.set(describe(text), (this.kinds.get(describe(text)) ?? 0) + 1);
      if (startsTrip) this.trips += 1;
    });
  }
}

const onPostgres = process.argv.includes('--postgres');
// Installed first: each pool connection binds the client's query method when it connects.
const counter = onPostgres ? new PostgresCounter() : new Counter();
counter.install();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-statements-'));
const bench = onPostgres ? await postgresBenchDatabase('statements', 4) : null;
// Without group commit, so every sale has its own BEGIN and COMMIT (with it, several share them).
const db = bench ? await bench.open() : await openDatabase({ url: path.join(dir, 's.db'), groupCommit: false });
const ctx = { db, clock: systemClock, actor: systemActor };
const store = await createLocation(ctx, { kind: 'site', code: 'S', name: 'Store', site_type: 'store' });
const items: string[] = [];
for (let i = 0; i < 3; i += 1) {
  const item = await createItem(ctx, { sku: `S-${i}`, name: `Item ${i}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', price: 2_500_000, stocked: true, units: [], barcodes: [], components: [] });
  items.push(item.id);
}
await createAdjustment(ctx, { location_id: store.id, reason: 'opening_balance', lines: items.map((item_id) => ({ item_id, qty: 1_000_000, unit_cost: 1_000_000 })) });
const { secret } = await createToken(ctx, { name: 'count', role: 'owner', sites: 'all' });

const app = await buildApp({ db, clock: systemClock, rateLimit: false });
const sell = (n: number) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/sales',
    headers: { authorization: `Bearer ${secret}`, 'idempotency-key': `count-${n}`, 'content-type': 'application/json' },
    payload: { location_id: store.id, register: 'R1', lines: items.map((item_id) => ({ item_id, qty: 1 })), payments: [{ tender: 'card', amount: '7.50' }] },
  });
if ((await sell(0)).statusCode !== 201) throw new Error('the first sale failed');
counter.counting = true;
const sales = 10;
for (let n = 1; n <= sales; n += 1) if ((await sell(n)).statusCode !== 201) throw new Error(`sale ${n} failed`);
const total = [...counter.kinds.values()].reduce((a, b) => a + b, 0);
console.log(`statements per 3-line counter sale${onPostgres ? ' on PostgreSQL' : ''}: ${(total / sales).toFixed(1)}`);
if (counter instanceof PostgresCounter) console.log(`round trips per sale: ${(counter.trips / sales).toFixed(1)}`);
if (process.argv.includes('--list')) for (const [kind, n] of [...counter.kinds].sort((a, b) => b[1] - a[1])) console.log(`${(n / sales).toFixed(1).padStart(5)}  ${kind}`);
await app.close();
await db.close();
await bench?.drop();
fs.rmSync(dir, { recursive: true, force: true });

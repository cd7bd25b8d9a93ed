import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/modules/access/index.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { balanceAt, checkLedger } from '../../src/modules/ledger/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { createChannel } from '../../src/modules/sales/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { CONTROLS_CONFIRMATION, type StockGuardMode } from '../../src/platform/test-controls.ts';
import { startStockroom, type ChildServer } from '../support/child-server.ts';
import { postgresEnabled } from '../support/databases.ts';
import { dropSchema, testPostgresUrl } from '../support/postgres.ts';

/**
 * Oversell: rounds of 200 requests of 1–3 units at concurrency 32, through HTTP, against stock
 * S (0–20) at a strict location (SQLite: two server processes on one file; PostgreSQL: a pool of
 * 16), on two paths:
 * - counter checkouts at a strict store, which post movements (and, being valued, also wait on
 *   the item's cost row, so they would hide a broken guard on PostgreSQL);
 * - online orders at a strict warehouse, which only reserve: nothing but the guard stands
 *   between two orders and the last unit.
 * What is accepted never exceeds S, every refusal is 409 insufficient_stock, no 5xx, no busy or
 * serialization error reaches a client. At an allow-negative store every sale posts and no
 * update is lost.
 *
 * The negative control is the same product with its stock guard broken through the test-only
 * switch (src/platform/test-controls.ts), run through the same harness, which must catch it
 * promising more than there is. On PostgreSQL the guard becomes a read-then-write; on SQLite,
 * where BEGIN IMMEDIATE serialises every writer across processes so a read-then-write inside one
 * transaction is still correct, the check is dropped instead.
 *
 * OVERSELL_SEED replays a run; OVERSELL_ROUNDS (default 8) sets the rounds per path;
 * `npm run test:nightly` runs many more.
 */

const seed = Number(process.env.OVERSELL_SEED ?? Date.now() % 2 ** 31);
const rounds = Number(process.env.OVERSELL_ROUNDS ?? 8);
/** The control stops at its first caught round; this many uncaught rounds in a row fail it. */
const controlRoundsMax = 10;
/**
 * How the control breaks the guard, and on which path it must be caught. PostgreSQL: a
 * read-then-write, on the reserving path, where no other lock hides it (on the checkout path the
 * item's cost-row lock would serialise the broken writers). SQLite: the check dropped, on the
 * checkout path; an order's allocation plans from a read that SQLite's single writer keeps exact,
 * so it refuses what is not there even without the guard.
 */
const control: Record<'sqlite' | 'postgres', { mode: Exclude<StockGuardMode, 'guarded'>; path: number }> = {
  sqlite: { mode: 'unchecked', path: 0 },
  postgres: { mode: 'read-then-write', path: 1 },
};

let state = seed >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

interface Outcome {
  acceptedQty: number;
  statuses: Record<string, number>;
  codes: Record<string, number>;
}

type Send = (origin: string, qty: number, n: number) => Promise<{ status: number; code?: string }>;

/** 200 requests at concurrency 32, spread over the servers given. */
async function storm(origins: string[], send: Send): Promise<Outcome> {
  const plan = Array.from({ length: 200 }, () => 1 + Math.floor(random() * 3));
  const outcome: Outcome = { acceptedQty: 0, statuses: {}, codes: {} };
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < plan.length) {
        const n = next++;
        const qty = plan[n]!;
        const { status, code } = await send(origins[n % origins.length]!, qty, n);
        outcome.statuses[status] = (outcome.statuses[status] ?? 0) + 1;
        if (code) outcome.codes[code] = (outcome.codes[code] ?? 0) + 1;
        if (status >= 200 && status < 300) outcome.acceptedQty += qty;
      }
    }),
  );
  return outcome;
}

async function postJson(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; code?: string }> {
  const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.body.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status: response.statusCode, code };
}

/** A shop with a strict store, a strict warehouse behind an online channel that refuses backorders, and a counter store. */
interface Shop {
  db: Database;
  origins: string[];
  auth: Record<string, string>;
  strictStoreId: string;
  strictStoreBin: string;
  warehouseId: string;
  warehouseBin: string;
  looseStoreId: string;
  looseStoreBin: string;
  channelId: string;
  /** A fresh item with `stock` units at `locationId`. */
  stockedItem(tag: string, locationId: string, stock: number): Promise<string>;
}

type Dialect = 'sqlite' | 'postgres';

async function openShop(dialect: Dialect, env: Record<string, string>, cleanups: Array<() => Promise<void>>): Promise<Shop> {
  let url: string;
  let db: Database;
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-oversell-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    url = path.join(dir, 'shop.db');
    db = await openDatabase({ url });
  } else {
    const schema = `oversell_${randomBytes(5).toString('hex')}`;
    const u = new URL(testPostgresUrl);
    u.searchParams.set('options', `-c search_path=${schema}`);
    cleanups.push(() => dropSchema(schema));
    url = u.toString();
    db = await openDatabase({ url: testPostgresUrl, schema, poolSize: 4 });
  }
  cleanups.push(() => db.close());
  const ctx = { db, clock: systemClock, actor: systemActor };
  const strictStore = await createLocation(ctx, { kind: 'site', code: 'STRICT', name: 'Strict store', site_type: 'store', negative_stock: 'strict' });
  const warehouse = await createLocation(ctx, { kind: 'site', code: 'WH', name: 'Warehouse', site_type: 'warehouse' });
  const looseStore = await createLocation(ctx, { kind: 'site', code: 'LOOSE', name: 'Counter store', site_type: 'store' });
  const channel = await createChannel(ctx, { name: 'Web shop', kind: 'online', site_ids: [warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
  const { secret } = await createToken(ctx, { name: 'oversell', role: 'owner', sites: 'all' });

  const serverEnv = { LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0', ...env };
  const servers: ChildServer[] = dialect === 'sqlite' ? [await startStockroom(url, serverEnv), await startStockroom(url, serverEnv)] : [await startStockroom(url, serverEnv)];
  cleanups.push(async () => {
    for (const s of servers) await s.stop();
  });
  let items = 0;
  return {
    db,
    origins: servers.map((s) => s.origin),
    auth: { authorization: `Bearer ${secret}` },
    strictStoreId: strictStore.id,
    strictStoreBin: strictStore.default_bin_id!,
    warehouseId: warehouse.id,
    warehouseBin: warehouse.default_bin_id!,
    looseStoreId: looseStore.id,
    looseStoreBin: looseStore.default_bin_id!,
    channelId: channel.id,
    async stockedItem(tag, locationId, stock) {
      items += 1;
      const item = await createItem(ctx, { sku: `${tag}-${items}-${randomBytes(3).toString('hex')}`, name: `Last units ${items}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', price: 5_000_000, stocked: true, units: [], barcodes: [], components: [] });
      if (stock > 0) await createAdjustment(ctx, { location_id: locationId, reason: 'found', lines: [{ item_id: item.id, qty: stock * 1000, unit_cost: 2_000_000 }] });
      return item.id;
    },
  };
}

/** The two paths under test: what one request of `qty` units sends, and where the stock sits. */
interface Path {
  name: string;
  location(shop: Shop): string;
  send(shop: Shop, itemId: string, round: number): Send;
}

const paths: Path[] = [
  {
    name: 'checkout at a strict store',
    location: (shop) => shop.strictStoreId,
    send: (shop, itemId, round) => (origin, qty, n) =>
      postJson(`${origin}/api/v1/sales`, { location_id: shop.strictStoreId, register: `T${n % 4}`, lines: [{ item_id: itemId, qty }], payments: [{ tender: 'card', amount: `${qty * 5}.00` }] }, { ...shop.auth, 'idempotency-key': `os-${seed}-${itemId}-${round}-${n}` }),
  },
  {
    name: 'online order reserving at a strict warehouse',
    location: (shop) => shop.warehouseId,
    send: (shop, itemId, round) => (origin, qty, n) =>
      postJson(`${origin}/api/v1/orders`, { channel_id: shop.channelId, channel_order_id: `${itemId}-${round}-${n}`, lines: [{ item_id: itemId, qty, unit_price: '5.00' }] }, shop.auth),
  },
];

/** What a round promised beyond the stock there was: sold or reserved, by the answers and by the database. */
async function overpromised(shop: Shop, path: Path, itemId: string, stock: number, outcome: Outcome): Promise<{ byAnswers: number; byDatabase: number }> {
  const bin = path.location(shop) === shop.warehouseId ? shop.warehouseBin : shop.strictStoreBin;
  const balance = await balanceAt(shop.db.kysely, itemId, bin);
  const reservations = await shop.db.kysely.selectFrom('reservations').select((eb) => eb.fn.sum<number>('qty').as('qty')).where('item_id', '=', itemId).executeTakeFirst();
  const promised = stock * 1000 - balance.onHand + Number(reservations?.qty ?? 0);
  return { byAnswers: outcome.acceptedQty - stock, byDatabase: promised / 1000 - stock };
}

describe.each(['sqlite', 'postgres'] as const)('oversell [%s]', (dialect) => {
  const run = dialect === 'postgres' && !postgresEnabled() ? it.skip : it;
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  run(`never sells or promises more than there is over ${rounds} rounds per path (seed ${seed})`, async () => {
    console.log(`oversell [${dialect}] seed ${seed} (OVERSELL_SEED=${seed} replays it)`);
    const shop = await openShop(dialect, {}, cleanups);
    const started = performance.now();
    let requests = 0;
    let accepted = 0;
    for (const path of paths) {
      const pathStarted = performance.now();
      for (let round = 0; round < rounds; round += 1) {
        const stock = Math.floor(random() * 21);
        const itemId = await shop.stockedItem('OS', path.location(shop), stock);
        const outcome = await storm(shop.origins, path.send(shop, itemId, round));
        requests += 200;
        accepted += outcome.acceptedQty;
        const where = `${path.name}, round ${round}, stock ${stock}, statuses ${JSON.stringify(outcome.statuses)} codes ${JSON.stringify(outcome.codes)}`;
        expect(Object.keys(outcome.statuses).filter((s) => s !== '201' && s !== '409'), where).toEqual([]);
        expect(Object.keys(outcome.codes).filter((c) => c !== 'insufficient_stock'), where).toEqual([]);
        expect(await overpromised(shop, path, itemId, stock, outcome), where).toEqual({ byAnswers: outcome.acceptedQty - stock, byDatabase: outcome.acceptedQty - stock });
        expect(outcome.acceptedQty, where).toBeLessThanOrEqual(stock);
        // Whatever is left is less than the largest request that was refused: stock was sold, not lost.
        expect(stock - outcome.acceptedQty, where).toBeLessThan(3);
      }
      console.log(`oversell [${dialect}] ${path.name}: ${rounds} rounds in ${((performance.now() - pathStarted) / 1000).toFixed(1)} s`);
    }
    expect(accepted, 'some requests must succeed, or the rounds prove nothing').toBeGreaterThan(0);

    // At an allow-negative store every sale posts and no update is lost.
    const busy = await shop.stockedItem('LOOSE', shop.looseStoreId, 10);
    const loose = await storm(shop.origins, (origin, qty, n) =>
      postJson(`${origin}/api/v1/sales`, { location_id: shop.looseStoreId, register: `L${n % 4}`, lines: [{ item_id: busy, qty }], payments: [{ tender: 'cash', amount: `${qty * 5}.00` }] }, { ...shop.auth, 'idempotency-key': `loose-${seed}-${n}` }),
    );
    expect(loose.statuses).toEqual({ 201: 200 });
    expect((await balanceAt(shop.db.kysely, busy, shop.looseStoreBin)).onHand).toBe((10 - loose.acceptedQty) * 1000);

    expect((await checkLedger(shop.db)).invariants.filter((i) => !i.ok)).toEqual([]);
    console.log(`oversell [${dialect}]: ${rounds} rounds per path, ${requests + 200} requests, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }, Math.max(900_000, rounds * paths.length * 60_000));

  run(`negative control: the same harness catches the server with its stock guard ${control[dialect].mode} (${paths[control[dialect].path]!.name}, seed ${seed})`, async () => {
    const mode = control[dialect].mode;
    const shop = await openShop(dialect, { NODE_ENV: 'test', STOCKROOM_TEST_DISABLE_STOCK_GUARD: mode, STOCKROOM_TEST_CONTROLS_CONFIRM: CONTROLS_CONFIRMATION }, cleanups);
    const broken = paths[control[dialect].path]!;
    let caughtAt = -1;
    for (let round = 0; round < controlRoundsMax && caughtAt < 0; round += 1) {
      const stock = Math.floor(random() * 21);
      const itemId = await shop.stockedItem('NV', broken.location(shop), stock);
      const outcome = await storm(shop.origins, broken.send(shop, itemId, round));
      const over = await overpromised(shop, broken, itemId, stock, outcome);
      if (over.byAnswers > 0) caughtAt = round;
      // The database agrees the broken server promised what it did not have, or lost the count of it.
      if (over.byAnswers > 0) expect(over.byDatabase > 0 || (await checkLedger(shop.db)).ok === false).toBe(true);
    }
    console.log(`oversell [${dialect}] control (stock guard ${mode}): caught ${caughtAt >= 0 ? `in round ${caughtAt}` : 'never'}`);
    expect(caughtAt, `with the stock guard ${mode}, the harness must see an oversell within ${controlRoundsMax} rounds`).toBeGreaterThanOrEqual(0);
  }, 900_000);
});

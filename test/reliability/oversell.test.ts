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
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { startScript, startStockroom, type ChildServer } from '../support/child-server.ts';
import { postgresEnabled } from '../support/databases.ts';
import { dropSchema, testPostgresUrl } from '../support/postgres.ts';

/**
 * Oversell: rounds of 200 checkouts of 1–3 units at concurrency 32, through HTTP, against stock
 * S (0–20) at a strict location (SQLite: two server processes on one file; PostgreSQL: a pool of
 * 16). The accepted quantity never exceeds S, every refusal is 409 insufficient_stock, no 5xx,
 * no busy or serialization error reaches a client. A negative control runs the same harness
 * against a naive read-then-write checkout, which must be caught overselling. At an
 * allow-negative store every sale posts and no update is lost.
 */

const seed = Number(process.env.OVERSELL_SEED ?? Date.now() % 2 ** 31);
const rounds = Number(process.env.OVERSELL_ROUNDS ?? 20);
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

/** 200 checkouts at concurrency 32, spread over the servers given. */
async function storm(origins: string[], send: (origin: string, qty: number, n: number) => Promise<{ status: number; code?: string }>): Promise<Outcome> {
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

describe.each(['sqlite', 'postgres'] as const)('oversell [%s]', (dialect) => {
  const run = dialect === 'postgres' && !postgresEnabled() ? it.skip : it;
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  run(`never sells more than there is over ${rounds} rounds, and the naive path is caught (seed ${seed})`, async () => {
    console.log(`oversell [${dialect}] seed ${seed}`);
    // The real shop, and a second database the naive control may corrupt as it likes.
    const makeDatabase = (): { url: string; open: () => Promise<Database> } => {
      if (dialect === 'sqlite') {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-oversell-'));
        const file = path.join(dir, 'shop.db');
        cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
        return { url: file, open: () => openDatabase({ url: file }) };
      }
      const schema = `oversell_${randomBytes(5).toString('hex')}`;
      const u = new URL(testPostgresUrl);
      u.searchParams.set('options', `-c search_path=${schema}`);
      cleanups.push(() => dropSchema(schema));
      return { url: u.toString(), open: () => openDatabase({ url: testPostgresUrl, schema, poolSize: 4 }) };
    };
    const shop = makeDatabase();
    const controlShop = makeDatabase();
    const url = shop.url;
    const db = await shop.open();
    const controlDb = await controlShop.open();
    const controlCtx = { db: controlDb, clock: systemClock, actor: systemActor };
    const controlStore = await createLocation(controlCtx, { kind: 'site', code: 'NAIVE', name: 'Naive store', site_type: 'store', negative_stock: 'strict' });
    const ctx = { db, clock: systemClock, actor: systemActor };
    const strictStore = await createLocation(ctx, { kind: 'site', code: 'STRICT', name: 'Strict store', site_type: 'store', negative_stock: 'strict' });
    const looseStore = await createLocation(ctx, { kind: 'site', code: 'LOOSE', name: 'Counter store', site_type: 'store' });
    const { secret } = await createToken(ctx, { name: 'oversell', role: 'owner', sites: 'all' });
    const auth = { authorization: `Bearer ${secret}` };

    const env = { LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' };
    const servers: ChildServer[] = dialect === 'sqlite' ? [await startStockroom(url, env), await startStockroom(url, env)] : [await startStockroom(url, env)];
    const naive: ChildServer[] =
      dialect === 'sqlite'
        ? [await startScript('test/support/naive-checkout-server.ts', { NAIVE_DB_URL: controlShop.url }), await startScript('test/support/naive-checkout-server.ts', { NAIVE_DB_URL: controlShop.url })]
        : [await startScript('test/support/naive-checkout-server.ts', { NAIVE_DB_URL: controlShop.url })];
    cleanups.push(async () => {
      for (const s of [...servers, ...naive]) await s.stop();
    });
    const origins = servers.map((s) => s.origin);

    let checkouts = 0;
    let naiveCaught = 0;
    const started = performance.now();
    for (let round = 0; round < rounds; round += 1) {
      const stock = Math.floor(random() * 21);
      const item = await createItem(ctx, { sku: `OS-${round}-${randomBytes(3).toString('hex')}`, name: `Last units ${round}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', price: 5_000_000, stocked: true, units: [], barcodes: [], components: [] });
      if (stock > 0) await createAdjustment(ctx, { location_id: strictStore.id, reason: 'found', lines: [{ item_id: item.id, qty: stock * 1000, unit_cost: 2_000_000 }] });

      const outcome = await storm(origins, (origin, qty, n) =>
        postJson(`${origin}/api/v1/sales`, { location_id: strictStore.id, register: `T${n % 4}`, lines: [{ item_id: item.id, qty }], payments: [{ tender: 'card', amount: `${qty * 5}.00` }] }, { ...auth, 'idempotency-key': `os-${seed}-${round}-${n}` }),
      );
      checkouts += 200;
      expect(outcome.acceptedQty, `round ${round}: accepted vs stock ${stock}`).toBeLessThanOrEqual(stock);
      expect(Object.keys(outcome.statuses).sort(), `round ${round}: statuses ${JSON.stringify(outcome.statuses)}`).toEqual(
        Object.keys(outcome.statuses).filter((s) => s === '201' || s === '409').sort(),
      );
      expect(Object.keys(outcome.codes).filter((c) => c !== 'insufficient_stock'), `round ${round}: codes ${JSON.stringify(outcome.codes)}`).toEqual([]);
      const left = await balanceAt(db.kysely, item.id, strictStore.default_bin_id!);
      expect(left.onHand).toBe((stock - outcome.acceptedQty) * 1000);
      // Whatever is left is less than the largest request that was refused.
      expect(stock - outcome.acceptedQty).toBeLessThan(3);

      // The negative control, on the same stock, through the naive read-then-write checkout.
      const control = await createItem(controlCtx, { sku: `NV-${round}-${randomBytes(3).toString('hex')}`, name: `Naive ${round}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', stocked: true, units: [], barcodes: [], components: [] });
      if (stock > 0) await createAdjustment(controlCtx, { location_id: controlStore.id, reason: 'found', lines: [{ item_id: control.id, qty: stock * 1000 }] });
      const naiveOutcome = await storm(
        naive.map((s) => s.origin),
        (origin, qty) => postJson(`${origin}/naive-sale`, { item_id: control.id, location_id: controlStore.default_bin_id, qty }, {}),
      );
      if (naiveOutcome.acceptedQty > stock) naiveCaught += 1;
    }
    expect(naiveCaught, 'the harness must be able to see an oversell').toBeGreaterThan(0);

    // At an allow-negative store every sale posts and no update is lost.
    const busy = await createItem(ctx, { sku: `LOOSE-${randomBytes(3).toString('hex')}`, name: 'Counter item', base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', price: 3_000_000, stocked: true, units: [], barcodes: [], components: [] });
    await createAdjustment(ctx, { location_id: looseStore.id, reason: 'found', lines: [{ item_id: busy.id, qty: 10_000, unit_cost: 1_000_000 }] });
    const loose = await storm(origins, (origin, qty, n) =>
      postJson(`${origin}/api/v1/sales`, { location_id: looseStore.id, register: `L${n % 4}`, lines: [{ item_id: busy.id, qty }], payments: [{ tender: 'cash', amount: `${qty * 3}.00` }] }, { ...auth, 'idempotency-key': `loose-${seed}-${n}` }),
    );
    expect(loose.statuses).toEqual({ 201: 200 });
    expect((await balanceAt(db.kysely, busy.id, looseStore.default_bin_id!)).onHand).toBe((10 - loose.acceptedQty) * 1000);

    expect((await checkLedger(db)).invariants.filter((i) => !i.ok)).toEqual([]);
    await db.close();
    await controlDb.close();
    console.log(
      `oversell [${dialect}]: ${rounds} rounds, ${checkouts + 200} checkouts, naive path caught overselling in ${naiveCaught} of ${rounds} rounds, ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 900_000);
});

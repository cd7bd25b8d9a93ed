import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/modules/access/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { checkLedger } from '../../src/modules/ledger/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import type { FaultPoint } from '../../src/platform/fault.ts';
import { startStockroom } from '../support/child-server.ts';
import { postgresEnabled } from '../support/databases.ts';
import { dropSchema, testPostgresUrl } from '../support/postgres.ts';

/**
 * Crash: the server runs as a child process under writes from several clients, which journal
 * every key they sent and every one acknowledged; it is killed with SIGKILL at random moments
 * (and, separately, at named fault points inside the write path). After each restart every
 * acknowledged write is there exactly once, every unacknowledged one posts at most once when
 * retried, the ledger checks out and SQLite's integrity_check is ok.
 */

const seed = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);
const cycles = { sqlite: Number(process.env.CRASH_CYCLES_SQLITE ?? 30), postgres: Number(process.env.CRASH_CYCLES_POSTGRES ?? 15) };
const faultPoints: FaultPoint[] = ['after_movement_insert', 'after_balance_update', 'before_commit', 'after_commit_before_reply'];
const clients = 4;

let rngState = seed >>> 0;
function random(): number {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

interface Target {
  dialect: 'sqlite' | 'postgres';
  url: string;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

async function makeTarget(dialect: 'sqlite' | 'postgres'): Promise<Target> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-crash-'));
    const file = path.join(dir, 'shop.db');
    return { dialect, url: file, open: () => openDatabase({ url: file }), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `crash_${randomBytes(5).toString('hex')}`;
  const url = new URL(testPostgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { dialect, url: url.toString(), open: () => openDatabase({ url: testPostgresUrl, schema, poolSize: 4 }), drop: () => dropSchema(schema) };
}

interface Journal {
  sent: Map<string, string>;
  acked: Set<string>;
}

/** The writes under test: a stock adjustment whose note carries its key, so it can be counted. */
function adjustmentBody(binId: string, itemId: string, key: string): string {
  return JSON.stringify({ location_id: binId, reason: 'found', note: key, lines: [{ item_id: itemId, qty: 1, unit_cost: '2.00' }] });
}

let bearer = '';

async function post(origin: string, key: string, body: string): Promise<number | 'failed'> {
  try {
    const response = await request(`${origin}/api/v1/adjustments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: `Bearer ${bearer}` },
      body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    await response.body.dump();
    return response.statusCode;
  } catch {
    return 'failed';
  }
}

async function postedCounts(db: Database, keys: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db.kysely
      .selectFrom('adjustments')
      .select((eb) => ['note', eb.fn.countAll<number>().as('n')])
      .where('note', 'in', keys.slice(i, i + 500))
      .groupBy('note')
      .execute();
    for (const r of rows) counts.set(r.note!, Number(r.n));
  }
  return counts;
}

describe.each(['sqlite', 'postgres'] as const)('crash [%s]', (dialect) => {
  const run = dialect === 'postgres' && !postgresEnabled() ? it.skip : it;
  const targets: Target[] = [];
  afterAll(async () => {
    for (const t of targets) await t.drop();
  });

  run(`loses no acknowledged write over ${cycles[dialect]} kills and ${faultPoints.length} fault points (seed ${seed})`, async () => {
    console.log(`crash [${dialect}] seed ${seed}`);
    const target = await makeTarget(dialect);
    targets.push(target);
    const setupDb = await target.open();
    const ctx = { db: setupDb, clock: systemClock, actor: systemActor };
    const site = await createLocation(ctx, { kind: 'site', code: 'CRASH', name: 'Crash store', site_type: 'store' });
    const item = await createItem(ctx, { sku: 'CRASH-1', name: 'Crash item', base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', stocked: true, units: [], barcodes: [], components: [] });
    bearer = (await createToken(ctx, { name: 'crash clients', role: 'owner', sites: 'all' })).secret;
    await setupDb.close();

    const journal: Journal = { sent: new Map(), acked: new Set() };
    let kills = 0;
    let requests = 0;
    const started = performance.now();
    const plan: Array<{ fault?: FaultPoint }> = [...Array.from({ length: cycles[dialect] }, () => ({})), ...faultPoints.map((fault) => ({ fault }))];

    for (const [cycle, step] of plan.entries()) {
      const env: Record<string, string> = { LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' };
      if (step.fault) env.STOCKROOM_FAULT = `${step.fault}@${3 + Math.floor(random() * 20)}`;
      const server = await startStockroom(target.url, env);

      // What was sent but never acknowledged is retried first, with the same key and body.
      // A fault point may fire during the retries too; then this cycle's crash came early.
      const pending = [...journal.sent.keys()].filter((k) => !journal.acked.has(k));
      let died = false;
      for (const key of pending) {
        const status = await post(server.origin, key, journal.sent.get(key)!);
        requests += 1;
        if (status === 201) journal.acked.add(key);
        else if (status === 'failed') {
          died = true;
          break;
        } else throw new Error(`retrying ${key} answered ${status}`);
      }

      let stop = died;
      const workers = Array.from({ length: clients }, async (_, c) => {
        while (!stop) {
          const key = `c${cycle}-${c}-${randomBytes(6).toString('hex')}`;
          const body = adjustmentBody(site.default_bin_id!, item.id, key);
          journal.sent.set(key, body);
          const status = await post(server.origin, key, body);
          requests += 1;
          if (status === 201) journal.acked.add(key);
          else if (status === 'failed') break;
          else throw new Error(`${key} answered ${status}`);
        }
      });
      if (died) {
        await server.kill();
      } else if (step.fault) {
        // The server kills itself at the fault point; give it the time to get there.
        await Promise.race([server.exited, new Promise((r) => setTimeout(r, 20_000))]);
        stop = true;
        await server.kill();
      } else {
        await new Promise((r) => setTimeout(r, 100 + random() * 600));
        stop = true;
        await server.kill();
      }
      await Promise.all(workers);
      kills += 1;

      const db = await target.open();
      try {
        const keys = [...journal.sent.keys()];
        const counts = await postedCounts(db, keys);
        for (const key of keys) {
          const n = counts.get(key) ?? 0;
          if (journal.acked.has(key)) expect(n, `acknowledged ${key} after cycle ${cycle}`).toBe(1);
          else expect(n, `unacknowledged ${key} after cycle ${cycle}`).toBeLessThanOrEqual(1);
        }
        const report = await checkLedger(db);
        expect(report.invariants.filter((i) => !i.ok), `ledger after cycle ${cycle}`).toEqual([]);
      } finally {
        await db.close();
      }
      if (dialect === 'sqlite') {
        const native = new BetterSqlite3(target.url);
        expect(native.pragma('integrity_check', { simple: true })).toBe('ok');
        native.close();
      }
    }

    // Finally every key sent has posted exactly once.
    const server = await startStockroom(target.url, { LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' });
    for (const key of [...journal.sent.keys()].filter((k) => !journal.acked.has(k))) {
      expect(await post(server.origin, key, journal.sent.get(key)!)).toBe(201);
      journal.acked.add(key);
    }
    await server.stop();
    const db = await target.open();
    const counts = await postedCounts(db, [...journal.sent.keys()]);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.size).toBe(journal.sent.size);
    await db.close();
    console.log(`crash [${dialect}]: ${kills} kills, ${requests} requests, ${journal.sent.size} writes, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }, 900_000);
});

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
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
 * Crash: the server runs as a child process under counter sales, receipts and adjustments from
 * several clients, which journal
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

/** What was sent under each key: where, and the body, so a retry sends exactly the same. */
interface Sent {
  workload: Workload;
  body: string;
}

interface Journal {
  sent: Map<string, Sent>;
  acked: Set<string>;
}

/**
 * The writes under test, each carrying its key in a note so it can be counted after a crash:
 * counter sales, quick receipts from a vendor, and stock adjustments.
 */
interface Workload {
  name: string;
  path: string;
  body(key: string): string;
  table: 'sales' | 'receipts' | 'adjustments';
  noteColumn: 'note' | 'notes';
}

function workloads(storeId: string, binId: string, itemId: string): Workload[] {
  return [
    {
      name: 'sale',
      path: '/api/v1/sales',
      table: 'sales',
      noteColumn: 'note',
      body: (key) => JSON.stringify({ location_id: storeId, register: 'CRASH', note: key, lines: [{ item_id: itemId, qty: 1, unit_price: '3.00' }], payments: [{ tender: 'cash', amount: '3.00' }] }),
    },
    {
      name: 'receipt',
      path: '/api/v1/receipts',
      table: 'receipts',
      noteColumn: 'notes',
      body: (key) => JSON.stringify({ site_id: storeId, notes: key, post: true, lines: [{ item_id: itemId, qty: 2, unit_cost: '1.50' }] }),
    },
    {
      name: 'adjustment',
      path: '/api/v1/adjustments',
      table: 'adjustments',
      noteColumn: 'note',
      body: (key) => JSON.stringify({ location_id: binId, reason: 'found', note: key, lines: [{ item_id: itemId, qty: 1, unit_cost: '2.00' }] }),
    },
  ];
}

let bearer = '';

async function post(origin: string, key: string, sent: Sent): Promise<number | 'failed'> {
  try {
    const response = await request(`${origin}${sent.workload.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: `Bearer ${bearer}` },
      body: sent.body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    await response.body.dump();
    return response.statusCode;
  } catch {
    return 'failed';
  }
}

/** How many documents each key posted, looked up in the workload's own table. */
async function postedCounts(db: Database, journal: Journal): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const byTable = new Map<Workload, string[]>();
  for (const [key, sent] of journal.sent) byTable.set(sent.workload, [...(byTable.get(sent.workload) ?? []), key]);
  for (const [workload, keys] of byTable) {
    for (let i = 0; i < keys.length; i += 500) {
      const note = sql.ref(workload.noteColumn);
      const rows = await db.kysely
        .selectFrom(sql.table(workload.table).as('d'))
        .select([note.as('k'), sql<number>`count(*)`.as('n')])
        .where(note, 'in', keys.slice(i, i + 500))
        .groupBy(note)
        .execute();
      for (const r of rows as Array<{ k: string; n: number }>) counts.set(r.k, Number(r.n));
    }
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
    const writes = workloads(site.id, site.default_bin_id!, item.id);

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
        if (status === 201 || status === 200) journal.acked.add(key);
        else if (status === 'failed') {
          died = true;
          break;
        } else throw new Error(`retrying ${key} answered ${status}`);
      }

      let stop = died;
      const workers = Array.from({ length: clients }, async (_, c) => {
        while (!stop) {
          const key = `c${cycle}-${c}-${randomBytes(6).toString('hex')}`;
          const workload = writes[Math.floor(random() * writes.length)]!;
          const sent = { workload, body: workload.body(key) };
          journal.sent.set(key, sent);
          const status = await post(server.origin, key, sent);
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
        const counts = await postedCounts(db, journal);
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
    const counts = await postedCounts(db, journal);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.size).toBe(journal.sent.size);
    await db.close();
    console.log(`crash [${dialect}]: ${kills} kills, ${requests} requests, ${journal.sent.size} writes, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }, 900_000);
});

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
import { CONTROLS_CONFIRMATION } from '../../src/platform/test-controls.ts';
import { startStockroom, type ChildExit } from '../support/child-server.ts';
import { postgresEnabled } from '../support/databases.ts';
import { dropSchema, testPostgresUrl } from '../support/postgres.ts';

/**
 * Crash: the server runs as a child process under counter sales, receipts and adjustments from
 * several clients, which journal every key they sent and every one acknowledged; it is killed
 * with SIGKILL at random moments, and, separately, kills itself at named fault points inside the
 * write path. After each restart every acknowledged write is there exactly once, every
 * unacknowledged one posts at most once when retried, the ledger checks out and SQLite's
 * integrity_check is ok. A fault cycle must end with the server dead at its fault point (its
 * marker written, SIGKILL) with the write that reached it unanswered; the negative control runs
 * the server with its fault points made inert and the harness must notice it did not die.
 *
 * CRASH_SEED replays a run; CRASH_CYCLES_SQLITE and CRASH_CYCLES_POSTGRES set the random kills.
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

interface Answer {
  status: number | 'failed';
  /** The server answered from its idempotency record: the work did not run again. */
  replayed: boolean;
}

async function post(origin: string, key: string, sent: Sent): Promise<Answer> {
  try {
    const response = await request(`${origin}${sent.workload.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: `Bearer ${bearer}` },
      body: sent.body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    await response.body.dump();
    return { status: response.statusCode, replayed: response.headers['idempotent-replayed'] === 'true' };
  } catch {
    return { status: 'failed', replayed: false };
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

/** What one server life under load came to. */
interface Cycle {
  /** How the server ended: by itself (a fault point) or killed by the harness. */
  exit: ChildExit;
  /** The fault point that wrote its marker before the process died, if one did. */
  marker: string | null;
  /** The fault was armed for its k-th arrival and k writes ran their work without the server dying. */
  faultOverdue: boolean;
  /** Keys in flight, sent and never answered, when the server went. */
  unacknowledged: string[];
}

/**
 * Starts the server, retries what earlier cycles left unacknowledged, then has `clients` clients
 * write until the server goes. Without a fault, the harness kills it at a random moment. With
 * one armed for its k-th arrival, the harness waits for the server to die by itself; every write
 * that ran its work (a 2xx not replayed from the idempotency record) passed the point once, so
 * k of them without a death mean the fault point did not fire: the cycle ends, and says so.
 */
async function runCycle(target: Target, journal: Journal, writes: Workload[], cycle: number, fault: { point: FaultPoint; at: number } | null, env: Record<string, string> = {}): Promise<Cycle> {
  const markerFile = path.join(os.tmpdir(), `stockroom-fault-${process.pid}-${cycle}-${randomBytes(3).toString('hex')}`);
  const serverEnv: Record<string, string> = { LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0', ...env };
  if (fault) Object.assign(serverEnv, { NODE_ENV: 'test', STOCKROOM_FAULT: `${fault.point}@${fault.at}`, STOCKROOM_FAULT_MARKER: markerFile });
  const server = await startStockroom(target.url, serverEnv);
  const inFlight = new Set<string>();
  let workRan = 0;
  let stop = false;
  let overdue: () => void = () => {};
  const faultOverdue = new Promise<'overdue'>((resolve) => (overdue = () => resolve('overdue')));
  const send = async (key: string): Promise<Answer> => {
    inFlight.add(key);
    const answer = await post(server.origin, key, journal.sent.get(key)!);
    if (answer.status !== 'failed') inFlight.delete(key);
    if (answer.status === 200 || answer.status === 201) {
      journal.acked.add(key);
      if (!answer.replayed) workRan += 1;
      if (fault && workRan >= fault.at) overdue();
    } else if (answer.status !== 'failed') {
      throw new Error(`${key} answered ${answer.status}`);
    }
    return answer;
  };

  const clientsDone = (async () => {
    // What was sent but never acknowledged is retried first, with the same key and body.
    for (const key of [...journal.sent.keys()].filter((k) => !journal.acked.has(k))) {
      if ((await send(key)).status === 'failed') return;
    }
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        while (!stop) {
          const key = `c${cycle}-${c}-${randomBytes(6).toString('hex')}`;
          const workload = writes[Math.floor(random() * writes.length)]!;
          journal.sent.set(key, { workload, body: workload.body(key) });
          if ((await send(key)).status === 'failed') return;
        }
      }),
    );
  })();

  let overdueSeen = false;
  if (fault) {
    overdueSeen = (await Promise.race([server.exited, faultOverdue])) === 'overdue';
  } else {
    // A crash at a random moment: this is the one place the harness picks the time.
    await new Promise((r) => setTimeout(r, 100 + random() * 600));
  }
  stop = true;
  await server.kill();
  await clientsDone;
  const exit = await server.exited;
  const marker = fs.existsSync(markerFile) ? fs.readFileSync(markerFile, 'utf8').trim() : null;
  fs.rmSync(markerFile, { force: true });
  return { exit, marker, faultOverdue: overdueSeen, unacknowledged: [...inFlight] };
}

async function makeShop(target: Target): Promise<Workload[]> {
  const setupDb = await target.open();
  const ctx = { db: setupDb, clock: systemClock, actor: systemActor };
  const site = await createLocation(ctx, { kind: 'site', code: 'CRASH', name: 'Crash store', site_type: 'store' });
  const item = await createItem(ctx, { sku: 'CRASH-1', name: 'Crash item', base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', stocked: true, units: [], barcodes: [], components: [] });
  bearer = (await createToken(ctx, { name: 'crash clients', role: 'owner', sites: 'all' })).secret;
  await setupDb.close();
  return workloads(site.id, site.default_bin_id!, item.id);
}

describe.each(['sqlite', 'postgres'] as const)('crash [%s]', (dialect) => {
  const run = dialect === 'postgres' && !postgresEnabled() ? it.skip : it;
  const targets: Target[] = [];
  afterAll(async () => {
    for (const t of targets) await t.drop();
  });

  run(`loses no acknowledged write over ${cycles[dialect]} kills and ${faultPoints.length} fault points (seed ${seed})`, async () => {
    console.log(`crash [${dialect}] seed ${seed} (CRASH_SEED=${seed} replays it)`);
    const target = await makeTarget(dialect);
    targets.push(target);
    const writes = await makeShop(target);

    const journal: Journal = { sent: new Map(), acked: new Set() };
    let kills = 0;
    let unacknowledgedAtRandomKills = 0;
    const started = performance.now();
    const plan: Array<{ fault?: FaultPoint }> = [...Array.from({ length: cycles[dialect] }, () => ({})), ...faultPoints.map((fault) => ({ fault }))];

    for (const [cycle, step] of plan.entries()) {
      const fault = step.fault ? { point: step.fault, at: 3 + Math.floor(random() * 20) } : null;
      const outcome = await runCycle(target, journal, writes, cycle, fault);
      kills += 1;

      const db = await target.open();
      try {
        const counts = await postedCounts(db, journal);
        for (const key of journal.sent.keys()) {
          const n = counts.get(key) ?? 0;
          if (journal.acked.has(key)) expect(n, `acknowledged ${key} after cycle ${cycle}`).toBe(1);
          else expect(n, `unacknowledged ${key} after cycle ${cycle}`).toBeLessThanOrEqual(1);
        }
        if (fault) {
          // The server died by itself, at the point it was told, and not because the harness killed it.
          const where = `cycle ${cycle}, ${fault.point}@${fault.at}: ${JSON.stringify(outcome)}`;
          expect(outcome.faultOverdue, `${where}: ${fault.at} writes ran and the fault point never fired`).toBe(false);
          expect(outcome.marker?.split(' ')[0], where).toBe(fault.point);
          expect(outcome.exit.signal, where).toBe('SIGKILL');
          // The write that reached the point was never answered; whether it is in the database
          // depends on which side of the commit the point lies.
          expect(outcome.unacknowledged.length, where).toBeGreaterThan(0);
          const posted = outcome.unacknowledged.map((key) => counts.get(key) ?? 0);
          if (fault.point === 'after_commit_before_reply') expect(posted, `${where}: a committed write went unanswered`).toContain(1);
          else expect(posted, `${where}: a write died before its commit`).toContain(0);
        } else {
          unacknowledgedAtRandomKills += outcome.unacknowledged.length;
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
    // Random kills that always landed between requests would test nothing.
    if (cycles[dialect] > 0) expect(unacknowledgedAtRandomKills, 'writes in flight at the random kills').toBeGreaterThan(0);

    // Finally every key sent has posted exactly once.
    const server = await startStockroom(target.url, { LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' });
    for (const key of [...journal.sent.keys()].filter((k) => !journal.acked.has(k))) {
      expect((await post(server.origin, key, journal.sent.get(key)!)).status).toBe(201);
      journal.acked.add(key);
    }
    await server.stop();
    const db = await target.open();
    const counts = await postedCounts(db, journal);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.size).toBe(journal.sent.size);
    await db.close();
    console.log(`crash [${dialect}]: ${kills} kills, ${journal.sent.size} writes, ${unacknowledgedAtRandomKills} in flight at the random kills, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }, Math.max(900_000, (cycles[dialect] + faultPoints.length) * 60_000));

  run('negative control: with the fault points made inert, the harness sees the server outlive its fault point', async () => {
    const target = await makeTarget(dialect);
    targets.push(target);
    const writes = await makeShop(target);
    const journal: Journal = { sent: new Map(), acked: new Set() };
    const controls = { STOCKROOM_TEST_DISABLE_FAULT_POINTS: 'inert', STOCKROOM_TEST_CONTROLS_CONFIRM: CONTROLS_CONFIRMATION };
    const outcome = await runCycle(target, journal, writes, 0, { point: 'before_commit', at: 3 }, controls);
    expect(outcome.faultOverdue).toBe(true);
    expect(outcome.marker).toBeNull();
    // The harness killed it, not the fault point.
    expect(outcome.exit.signal).toBe('SIGKILL');
  }, 120_000);
});

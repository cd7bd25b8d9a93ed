import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/modules/access/index.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { balanceAt, checkLedger } from '../../src/modules/ledger/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { createWebhookSubscription, WEBHOOK_EVENT_TYPES, writeNotificationSettings } from '../../src/modules/notifications/index.ts';
import { createChannel } from '../../src/modules/sales/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { CONTROLS_CONFIRMATION } from '../../src/platform/test-controls.ts';
import { attempt, Cluster, jobOverlaps, ranTwiceInATick, readJobRuns, type Answer, type JobRunRecord } from '../support/cluster.ts';
import { postgresEnabled } from '../support/databases.ts';
import { dropSchema, testPostgresUrl } from '../support/postgres.ts';

/**
 * Instances: the way a growing shop scales out. INSTANCES_COUNT (3) server processes on ONE
 * PostgreSQL database; requests go to a random live instance (as a load balancer would send
 * them), and every one to three seconds a random instance is killed with SIGKILL and restarted
 * under the same instance id. For INSTANCES_SECONDS (40) at once:
 * - oversell rounds: 60 checkouts at a strict store or online orders reserving at a strict
 *   warehouse, at concurrency 12, against 0–20 units;
 * - writers: counter sales, receipts and adjustments, each carrying its key in a note;
 * - a replayer: an acknowledged request sent again, with its key, to another instance.
 * A request whose instance died under it is sent again with the same Idempotency-Key and body to
 * another live instance until one answers (what a client that retries does).
 *
 * Pass: nothing sold or promised beyond the stock, by the answers and by the database; every
 * acknowledged write is in the database exactly once; every replay, on whichever instance, answers
 * the first answer's status and body, marked replayed; the housekeeping jobs (every 400 ms here,
 * each run holding its lease 150 ms longer, a deliberately slow job) never ran twice at once and
 * ran once per tick, by their record in `job_runs`; kills hit requests in flight and lease holders;
 * the ledger checks out. The negative control runs the instances with the job lease unchecked
 * (STOCKROOM_TEST_DISABLE_JOB_LEASES) and the same reading of `job_runs` must find overlaps.
 *
 * INSTANCES_SEED replays the choices (not the timing); `npm run test:nightly` runs it for ten minutes.
 *
 * Checks that join later (the delivery worker's "every event delivered at least once, and
 * exactly once by event id") go in `laterChecks` below: see docs/reliability.md.
 */

const seed = Number(process.env.INSTANCES_SEED ?? Date.now() % 2 ** 31);
const seconds = Number(process.env.INSTANCES_SECONDS ?? 40);
const instanceCount = Number(process.env.INSTANCES_COUNT ?? 3);
const job = { everyMs: 400, leaseMs: 2_000, holdMs: 150 };

let rngState = seed >>> 0;
function random(): number {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Shop {
  db: Database;
  url: string;
  schema: string;
  bearer: string;
  strictStoreId: string;
  strictStoreBin: string;
  warehouseId: string;
  warehouseBin: string;
  channelId: string;
  crashStoreId: string;
  crashBin: string;
  crashItemId: string;
  receiver: Receiver;
  stockedItem(tag: string, locationId: string, stock: number): Promise<string>;
}

async function openShop(cleanups: Array<() => Promise<void>>): Promise<Shop> {
  const schema = `inst_${randomBytes(5).toString('hex')}`;
  const u = new URL(testPostgresUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  cleanups.push(() => dropSchema(schema));
  const db = await openDatabase({ url: testPostgresUrl, schema, poolSize: 4 });
  cleanups.push(() => db.close());
  const ctx = { db, clock: systemClock, actor: systemActor };
  const strictStore = await createLocation(ctx, { kind: 'site', code: 'STRICT', name: 'Strict store', site_type: 'store', negative_stock: 'strict' });
  const warehouse = await createLocation(ctx, { kind: 'site', code: 'WH', name: 'Warehouse', site_type: 'warehouse' });
  const crashStore = await createLocation(ctx, { kind: 'site', code: 'CRASH', name: 'Counter store', site_type: 'store' });
  const channel = await createChannel(ctx, { name: 'Web shop', kind: 'online', site_ids: [warehouse.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
  const crashItem = await createItem(ctx, { sku: 'CRASH-1', name: 'Crash item', base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', stocked: true, units: [], barcodes: [], components: [] });
  const { secret } = await createToken(ctx, { name: 'instances', role: 'owner', sites: 'all' });
  // Every event goes to a receiver on loopback, which the shop must be told to allow.
  const receiver = await startReceiver();
  cleanups.push(() => receiver.close());
  await writeNotificationSettings(db.kysely, { webhooks_allow_private: true });
  await createWebhookSubscription(ctx, { url: receiver.url, event_types: Object.keys(WEBHOOK_EVENT_TYPES).filter((t) => t !== 'webhook.test') as never });
  let items = 0;
  return {
    db,
    url: u.toString(),
    schema,
    bearer: secret,
    strictStoreId: strictStore.id,
    strictStoreBin: strictStore.default_bin_id!,
    warehouseId: warehouse.id,
    warehouseBin: warehouse.default_bin_id!,
    channelId: channel.id,
    crashStoreId: crashStore.id,
    crashBin: crashStore.default_bin_id!,
    crashItemId: crashItem.id,
    receiver,
    async stockedItem(tag, locationId, stock) {
      items += 1;
      const item = await createItem(ctx, { sku: `${tag}-${items}-${randomBytes(3).toString('hex')}`, name: `Last units ${items}`, base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', price: 5_000_000, stocked: true, units: [], barcodes: [], components: [] });
      if (stock > 0) await createAdjustment(ctx, { location_id: locationId, reason: 'found', lines: [{ item_id: item.id, qty: stock * 1000, unit_cost: 2_000_000 }] });
      return item.id;
    },
  };
}

function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    LOG_LEVEL: 'error',
    RATE_LIMIT_PER_MINUTE: '0',
    NODE_ENV: 'test',
    STOCKROOM_TEST_JOB_EVERY_MS: String(job.everyMs),
    STOCKROOM_TEST_JOB_LEASE_MS: String(job.leaseMs),
    STOCKROOM_TEST_JOB_HOLD_MS: String(job.holdMs),
    ...extra,
  };
}

/** A request as first sent, and its first answer: what a replay must answer again. */
interface Sent {
  path: string;
  body: string;
  answer: Answer;
}

interface Run {
  shop: Shop;
  cluster: Cluster;
  /** Every acknowledged (2xx) request by its Idempotency-Key. */
  acked: Map<string, Sent>;
  /** Keys of the writers' documents (sales, receipts, adjustments), each carrying its key in a note. */
  noted: Map<string, 'sales' | 'receipts' | 'adjustments'>;
  problems: string[];
  stats: { requests: number; failedAttempts: number; replays: number; kills: number; rounds: number; restartMs: number[] };
}

/**
 * Sends until an instance answers. A connection that fails (the instance was killed under it, or
 * was down) sends the same key and body again to another live instance.
 */
async function sendUntilAnswered(run: Run, path: string, body: string, key: string): Promise<Answer> {
  const deadline = Date.now() + 120_000;
  run.stats.requests += 1;
  for (let tries = 0; Date.now() < deadline; tries += 1) {
    const slot = run.cluster.pick();
    if (!slot?.server) {
      await sleep(50);
      continue;
    }
    const answer = await attempt(slot.server.origin, path, body, { authorization: `Bearer ${run.shop.bearer}`, 'idempotency-key': key });
    if (answer) return { ...answer, slot: slot.id };
    run.stats.failedAttempts += 1;
    await sleep(30 + random() * 150);
  }
  throw new Error(`${key}: no instance answered within two minutes`);
}

function codeOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

/** Oversell rounds until `stop()`: after each, nothing was sold or promised beyond the stock. */
async function oversellRounds(run: Run, until: () => boolean): Promise<void> {
  const { shop } = run;
  for (let round = 0; !until(); round += 1) {
    const reserving = round % 2 === 1;
    const stock = Math.floor(random() * 21);
    const locationId = reserving ? shop.warehouseId : shop.strictStoreId;
    const itemId = await shop.stockedItem('OS', locationId, stock);
    const plan = Array.from({ length: 60 }, () => 1 + Math.floor(random() * 3));
    let next = 0;
    let acceptedQty = 0;
    const statuses: Record<string, number> = {};
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < plan.length) {
          const n = next++;
          const qty = plan[n]!;
          const key = `os-${seed}-${round}-${n}`;
          const [path, body] = reserving
            ? ['/api/v1/orders', JSON.stringify({ channel_id: shop.channelId, channel_order_id: `${itemId}-${n}`, lines: [{ item_id: itemId, qty, unit_price: '5.00' }] })]
            : ['/api/v1/sales', JSON.stringify({ location_id: shop.strictStoreId, register: `T${n % 4}`, lines: [{ item_id: itemId, qty }], payments: [{ tender: 'card', amount: `${qty * 5}.00` }] })];
          const answer = await sendUntilAnswered(run, path, body, key);
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (answer.status === 201) {
            acceptedQty += qty;
            run.acked.set(key, { path, body, answer });
          } else if (answer.status !== 409 || codeOf(answer.body) !== 'insufficient_stock') {
            run.problems.push(`oversell round ${round}: ${key} answered ${answer.status} ${answer.body.slice(0, 200)}`);
          }
        }
      }),
    );
    const bin = reserving ? shop.warehouseBin : shop.strictStoreBin;
    const balance = await balanceAt(shop.db.kysely, itemId, bin);
    const reserved = await shop.db.kysely.selectFrom('reservations').select((eb) => eb.fn.sum<number>('qty').as('qty')).where('item_id', '=', itemId).executeTakeFirst();
    const promisedByDatabase = (stock * 1000 - balance.onHand + Number(reserved?.qty ?? 0)) / 1000;
    const where = `oversell round ${round} (${reserving ? 'reserving' : 'checkout'}), stock ${stock}, statuses ${JSON.stringify(statuses)}`;
    if (acceptedQty > stock) run.problems.push(`${where}: accepted ${acceptedQty}`);
    if (promisedByDatabase !== acceptedQty) run.problems.push(`${where}: the answers accepted ${acceptedQty}, the database promised ${promisedByDatabase}`);
    if (stock - acceptedQty >= 3) run.problems.push(`${where}: ${stock - acceptedQty} units left unsold although requests were refused`);
    run.stats.rounds += 1;
  }
}

/** A writer: counter sales, receipts and adjustments at the counter store, each noting its key. */
async function writer(run: Run, w: number, until: () => boolean): Promise<void> {
  const { shop } = run;
  for (let n = 0; !until(); n += 1) {
    const key = `w${w}-${n}-${randomBytes(4).toString('hex')}`;
    const pick = Math.floor(random() * 3);
    const [path, table, body] =
      pick === 0
        ? (['/api/v1/sales', 'sales', { location_id: shop.crashStoreId, register: `W${w}`, note: key, lines: [{ item_id: shop.crashItemId, qty: 1, unit_price: '3.00' }], payments: [{ tender: 'cash', amount: '3.00' }] }] as const)
        : pick === 1
          ? (['/api/v1/receipts', 'receipts', { site_id: shop.crashStoreId, notes: key, post: true, lines: [{ item_id: shop.crashItemId, qty: 2, unit_cost: '1.50' }] }] as const)
          : (['/api/v1/adjustments', 'adjustments', { location_id: shop.crashBin, reason: 'found', note: key, lines: [{ item_id: shop.crashItemId, qty: 1, unit_cost: '2.00' }] }] as const);
    const text = JSON.stringify(body);
    run.noted.set(key, table);
    const answer = await sendUntilAnswered(run, path, text, key);
    if (answer.status === 201 || answer.status === 200) run.acked.set(key, { path, body: text, answer });
    else run.problems.push(`writer ${key} answered ${answer.status} ${answer.body.slice(0, 200)}`);
  }
}

/** Sends an acknowledged request again to another instance: it must answer what the first did. */
async function replayOn(run: Run, key: string, sent: Sent): Promise<void> {
  for (let tries = 0; tries < 200; tries += 1) {
    const slot = run.cluster.pick(sent.answer.slot);
    if (!slot?.server) {
      await sleep(50);
      continue;
    }
    const again = await attempt(slot.server.origin, sent.path, sent.body, { authorization: `Bearer ${run.shop.bearer}`, 'idempotency-key': key });
    if (!again) {
      await sleep(50);
      continue;
    }
    run.stats.replays += 1;
    if (again.status !== sent.answer.status || again.body !== sent.answer.body || !again.replayed) {
      run.problems.push(`replay of ${key} on ${slot.id} (first answered by ${sent.answer.slot}): ${again.status} replayed=${again.replayed} ${again.body.slice(0, 120)} vs ${sent.answer.status} ${sent.answer.body.slice(0, 120)}`);
    }
    return;
  }
  run.problems.push(`replay of ${key}: no instance answered`);
}

async function replayer(run: Run, until: () => boolean): Promise<void> {
  while (!until()) {
    const keys = [...run.acked.keys()];
    if (keys.length === 0) {
      await sleep(100);
      continue;
    }
    const key = keys[Math.floor(random() * keys.length)]!;
    await replayOn(run, key, run.acked.get(key)!);
  }
}

/**
 * Every one to three seconds a random instance is killed (never the last one alive) and restarted
 * after a moment, in the background: a slow start on a busy machine does not hold up the next kill.
 */
async function chaos(run: Run, until: () => boolean): Promise<void> {
  const restarts: Array<Promise<void>> = [];
  while (!until()) {
    await sleep(1_000 + random() * 2_000);
    if (until()) break;
    const live = run.cluster.live();
    if (live.length < 2) continue;
    // Every other kill aims at an instance holding a job's lease at that moment, so kills land in
    // the middle of job runs as surely as in the middle of requests.
    const holders = random() < 0.5 ? await leaseHolders(run.shop.db) : [];
    const aimed = live.filter((s) => holders.includes(s.id));
    const victim = aimed.length > 0 ? aimed[Math.floor(random() * aimed.length)]! : live[Math.floor(random() * live.length)]!;
    await run.cluster.kill(victim);
    run.stats.kills += 1;
    const pause = 200 + random() * 1_000;
    restarts.push(
      (async () => {
        await sleep(pause);
        const started = performance.now();
        await run.cluster.start(victim);
        run.stats.restartMs.push(performance.now() - started);
      })(),
    );
  }
  await Promise.all(restarts);
}

async function leaseHolders(db: Database): Promise<string[]> {
  const rows = await db.kysely.selectFrom('job_leases').select('holder').where('lease_until', '>', Date.now()).where('holder', 'is not', null).execute();
  return rows.map((r) => r.holder!);
}

/** How many documents each writer key posted, looked up in its table by its note. */
async function postedCounts(db: Database, noted: Map<string, string>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const table of ['sales', 'receipts', 'adjustments'] as const) {
    const column = table === 'receipts' ? 'notes' : 'note';
    const keys = [...noted].filter(([, t]) => t === table).map(([k]) => k);
    for (let i = 0; i < keys.length; i += 500) {
      const note = sql.ref(column);
      const rows = await db.kysely
        .selectFrom(sql.table(table).as('d'))
        .select([note.as('k'), sql<number>`count(*)`.as('n')])
        .where(note, 'in', keys.slice(i, i + 500))
        .groupBy(note)
        .execute();
      for (const r of rows as Array<{ k: string; n: number }>) counts.set(r.k, Number(r.n));
    }
  }
  return counts;
}

/** What the runs of the housekeeping jobs must show, as findings (empty when all is well). */
function jobFindings(runs: readonly JobRunRecord[]): string[] {
  return [...jobOverlaps(runs), ...ranTwiceInATick(runs, job.everyMs)];
}

/** A webhook receiver: what arrived, by `webhook-id` (the event id, the same on every retry). */
interface Receiver {
  url: string;
  arrivals: Map<string, number>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const arrivals = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id'] ?? '');
      if (id) arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, arrivals, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Every webhook event written during the storm reaches the receiver at least once (the receiver
 * de-duplicates by event id to exactly once), none is lost or dead-lettered, and sends claimed by
 * a killed instance were taken over once their claim ran out.
 */
async function everyEventDelivered(r: Run): Promise<void> {
  await r.cluster.startAll();
  const until = Date.now() + 90_000;
  let pending = Infinity;
  while (Date.now() < until) {
    const row = await r.shop.db.kysely.selectFrom('deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('channel', '=', 'webhook').where('status', 'not in', ['delivered', 'dead']).executeTakeFirstOrThrow();
    pending = Number(row.n);
    if (pending === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await r.cluster.stopAll();
  expect(pending, 'webhook deliveries still waiting after the instances came back').toBe(0);
  const rows = await r.shop.db.kysely.selectFrom('deliveries').select(['event_id', 'status', 'attempts']).where('channel', '=', 'webhook').execute();
  expect(rows.length, 'the storm wrote webhook events').toBeGreaterThan(0);
  expect(rows.filter((x) => x.status !== 'delivered'), 'dead-lettered').toEqual([]);
  const arrivals = r.shop.receiver.arrivals;
  const missing = rows.filter((x) => !arrivals.has(x.event_id)).map((x) => x.event_id);
  expect(missing, 'events never received').toEqual([]);
  const unknown = [...arrivals.keys()].filter((id) => !rows.some((x) => x.event_id === id));
  expect(unknown, 'received events Stockroom never wrote').toEqual([]);
  const twice = [...arrivals.values()].filter((n) => n > 1).length;
  console.log(`instances: ${rows.length} webhook events delivered, ${twice} of them more than once (a kill between send and record), de-duplicated by id`);
}

/** Checks run after the storm with every instance stopped gracefully. */
const laterChecks: Array<(run: Run) => Promise<void>> = [everyEventDelivered];

const run = postgresEnabled() ? it : it.skip;

describe(`instances: ${instanceCount} servers on one PostgreSQL`, () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  run(`no oversell, no lost or doubled write, replays answer alike and no job runs twice at once, under kill -9 for ${seconds} s (seed ${seed})`, async () => {
    console.log(`instances: seed ${seed} (INSTANCES_SEED=${seed} replays the choices), ${instanceCount} instances, ${seconds} s`);
    const shop = await openShop(cleanups);
    const cluster = new Cluster(shop.url, serverEnv(), instanceCount, random);
    cleanups.push(() => cluster.stopAll());
    const started = performance.now();
    await cluster.startAll();
    const r: Run = { shop, cluster, acked: new Map(), noted: new Map(), problems: [], stats: { requests: 0, failedAttempts: 0, replays: 0, kills: 0, rounds: 0, restartMs: [] } };
    const ends = Date.now() + seconds * 1000;
    const until = () => Date.now() >= ends;
    await Promise.all([oversellRounds(r, until), writer(r, 0, until), writer(r, 1, until), writer(r, 2, until), replayer(r, until), chaos(r, until)]);

    // Every instance back, then a last replay of a sample of what was acknowledged.
    await cluster.startAll();
    const sample = [...r.acked.entries()].filter(() => random() < Math.min(1, 150 / Math.max(1, r.acked.size)));
    for (const [key, sent] of sample) await replayOn(r, key, sent);
    await cluster.stopAll();

    expect(r.problems, r.problems.slice(0, 20).join('\n')).toEqual([]);
    const counts = await postedCounts(shop.db, r.noted);
    const wrong = [...r.noted.keys()].filter((k) => (counts.get(k) ?? 0) !== 1).map((k) => `${k}: ${counts.get(k) ?? 0} (acknowledged: ${r.acked.has(k)})`);
    expect(wrong, 'every write, acknowledged and then retried to an answer, is in the database exactly once').toEqual([]);
    expect(r.noted.size).toBeGreaterThan(0);

    const runs = await readJobRuns(shop.db);
    const findings = jobFindings(runs);
    expect(findings, findings.slice(0, 10).join('\n')).toEqual([]);
    const orphaned = runs.filter((x) => x.finished_at === null);
    const byName = new Map<string, number>();
    for (const x of runs) byName.set(x.name, (byName.get(x.name) ?? 0) + 1);
    console.log(`instances: job runs ${JSON.stringify(Object.fromEntries(byName))}, ${orphaned.length} left by killed holders and taken over`);
    // Every job kept running through the kills: at least an eighth of its ticks (a busy machine
    // stretches runs over several ticks, each of which the run's lease then skips).
    const ticks = (seconds * 1000) / job.everyMs;
    for (const name of ['expire_orders', 'release_expired_reservations', 'purge_idempotency_keys', 'purge_ended_sessions', 'purge_sign_in_throttles', 'purge_job_runs']) {
      expect(byName.get(name) ?? 0, `${name} ran`).toBeGreaterThanOrEqual(Math.floor(ticks / 8));
    }
    // Each run a killed holder left was taken over once its lease ran out.
    for (const dead of orphaned) {
      expect(runs.some((x) => x.name === dead.name && x.started_at >= dead.lease_until && x.finished_at !== null), `${dead.name} taken over after ${dead.holder} died`).toBe(true);
    }

    const ledger = await checkLedger(shop.db);
    expect(ledger.invariants.filter((i) => !i.ok)).toEqual([]);
    for (const check of laterChecks) await check(r);

    console.log(
      `instances: ${r.stats.kills} kills, ${r.stats.requests} requests (${r.stats.failedAttempts} attempts cut off by a kill and sent again), ` +
        `${r.stats.rounds} oversell rounds, ${r.noted.size} writes, ${r.stats.replays} replays across instances, ` +
        `restarts took ${r.stats.restartMs.length ? (r.stats.restartMs.reduce((a, b) => a + b, 0) / r.stats.restartMs.length / 1000).toFixed(1) : '-'} s on average, ${((performance.now() - started) / 1000).toFixed(1)} s in all`,
    );
    // Kills that always fell between requests, or never on a lease holder, would test nothing.
    if (seconds >= 20) {
      expect(r.stats.kills, 'kills').toBeGreaterThanOrEqual(2);
      expect(r.stats.failedAttempts, 'requests in flight at the kills').toBeGreaterThan(0);
      expect(orphaned.length, 'kills of an instance in the middle of a job run').toBeGreaterThan(0);
    }
  }, Math.max(600_000, seconds * 4_000));

  run('negative control: with the job lease unchecked, the same reading of job_runs finds a job run twice at once', async () => {
    const shop = await openShop(cleanups);
    const cluster = new Cluster(shop.url, serverEnv({ STOCKROOM_TEST_DISABLE_JOB_LEASES: 'unchecked', STOCKROOM_TEST_CONTROLS_CONFIRM: CONTROLS_CONFIRMATION }), instanceCount, random);
    cleanups.push(() => cluster.stopAll());
    await cluster.startAll();
    let findings: string[] = [];
    const deadline = Date.now() + 30_000;
    while (findings.length === 0 && Date.now() < deadline) {
      await sleep(1_000);
      findings = jobOverlaps(await readJobRuns(shop.db));
    }
    await cluster.stopAll();
    console.log(`instances control (job lease unchecked): ${findings.length} overlaps, e.g. ${findings[0] ?? 'none'}`);
    expect(findings.length).toBeGreaterThan(0);
  }, 180_000);
});

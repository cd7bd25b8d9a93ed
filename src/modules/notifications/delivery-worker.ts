import { randomBytes } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { lockSkippingLocked } from '../../platform/db/dialect.ts';
import type { DeliveryTable } from '../../platform/db/schema.ts';
import { transact, type Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff.ts';
import { errorText, type Channel, type SendOutcome } from './channels/channel.ts';
import { emailChannel } from './channels/email.channel.ts';
import { smsChannel } from './channels/sms.channel.ts';
import { webhookChannel } from './channels/webhook.channel.ts';
import { onDeliveryEnqueued } from './enqueue.ts';
import { readNotificationSettings, type NotificationSettings } from './notification-settings.ts';

/**
 * The delivery worker: runs in every server process after commit, never inside a request's
 * transaction. It claims due rows in one short transaction (status `sending`, its id, a lease),
 * commits, sends each with no transaction open, and records the outcome in a second short
 * transaction. On PostgreSQL the claim skips rows other instances hold (`FOR UPDATE SKIP LOCKED`);
 * a claim whose lease ran out — its instance died mid-send — is taken over by any worker. On
 * SQLite one process holds the write lock while claiming, so the same code path is safe.
 *
 * Delivery is at least once: an instance killed after the far side accepted but before the
 * outcome committed sends again after the lease. Every message carries its event id (the
 * `webhook-id`, the Message-ID) so receivers de-duplicate.
 *
 * Fairness: at most `perDestinationMax` sends per destination are in flight in one worker, and a
 * send never waits for another, so a receiver that hangs holds a slot or two until its timeout,
 * never the whole worker. Ordering: of the rows sharing an ordering key, only the oldest not yet
 * delivered or dead may be claimed, so they go out one at a time in id order.
 */
export type ChannelName = 'email' | 'sms' | 'webhook';

export interface DeliveryWorkerOptions {
  db: Database;
  clock: Clock;
  /** Names this worker in claims and the attempt log; random by default. */
  workerId?: string;
  channels?: Partial<Record<ChannelName, Channel>>;
  concurrency?: number;
  perDestinationMax?: number;
  leaseMs?: number;
  /** How often the loop looks for due rows when nothing wakes it. */
  pollMs?: number;
  timeoutMs?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  env?: NodeJS.ProcessEnv;
  log?: { error(obj: object, msg: string): void; info?(obj: object, msg: string): void };
}

export const DEFAULT_LEASE_MS = 60_000;
const excerptCap = 500;

type Delivered = (trx: Trx, delivery: DeliveryTable, outcome: SendOutcome, now: number) => Promise<void>;
const deliveredHooks = new Map<string, Delivered[]>();

/** Runs in the transaction that records a delivery of `eventType` as delivered (the purchase order records its message id). */
export function onDelivered(eventType: string, hook: Delivered): void {
  deliveredHooks.set(eventType, [...(deliveredHooks.get(eventType) ?? []), hook]);
}

type DeadLettered = (trx: Trx, delivery: DeliveryTable, error: string, now: number) => Promise<void>;
const deadHooks: DeadLettered[] = [];

/**
 * Runs in the transaction that dead-letters any delivery (an alert rule on failed deliveries can
 * queue its own message here; it must not fail, or the outcome is not recorded and the lease
 * runs out).
 */
export function onDeadLettered(hook: DeadLettered): void {
  deadHooks.push(hook);
}

export class DeliveryWorker {
  readonly id: string;
  private readonly channels: Record<ChannelName, Channel>;
  private readonly inFlight = new Map<string, { destination: string; done: Promise<void> }>();
  private readonly options: Required<Omit<DeliveryWorkerOptions, 'workerId' | 'channels' | 'log'>> & Pick<DeliveryWorkerOptions, 'log'>;
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private wakeAgain = false;
  private stopped = true;
  private unsubscribe: (() => void) | null = null;
  private readonly outcomes: Array<PendingOutcome & { resolve(): void; reject(error: unknown): void }> = [];
  private recording: Promise<void> | null = null;

  constructor(options: DeliveryWorkerOptions) {
    this.id = options.workerId ?? `wkr_${randomBytes(6).toString('hex')}`;
    this.channels = { email: emailChannel, sms: smsChannel, webhook: webhookChannel, ...options.channels };
    this.options = {
      db: options.db,
      clock: options.clock,
      concurrency: options.concurrency ?? 8,
      perDestinationMax: options.perDestinationMax ?? 2,
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      pollMs: options.pollMs ?? 1000,
      timeoutMs: options.timeoutMs ?? 10_000,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      random: options.random ?? Math.random,
      env: options.env ?? process.env,
      log: options.log,
    };
  }

  /** Starts the loop: woken by enqueues in this process and by a timer for the rest. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = onDeliveryEnqueued(() => this.wake());
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops claiming and waits for sends in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.loop;
    await this.drain();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.loop) {
      this.wakeAgain = true;
      return;
    }
    this.loop = (async () => {
      try {
        do {
          this.wakeAgain = false;
          const claimed = await this.fill();
          if (claimed > 0) this.wakeAgain = true;
        } while (this.wakeAgain && !this.stopped && this.inFlight.size < this.options.concurrency);
      } catch (error) {
        this.options.log?.error({ err: error, worker: this.id }, 'delivery claim failed; trying again at the next tick');
      } finally {
        this.loop = null;
      }
    })();
  }

  /** Claims what is due and sends it all, waiting for every send: one pass, for tests and the CLI. */
  async runOnce(): Promise<number> {
    const claimed = await this.fill();
    await this.drain();
    return claimed;
  }

  /** Claims up to the free slots and starts each send without waiting for it. */
  private async fill(): Promise<number> {
    const free = this.options.concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    const busy = new Map<string, number>();
    for (const { destination } of this.inFlight.values()) busy.set(destination, (busy.get(destination) ?? 0) + 1);
    const full = [...busy].filter(([, n]) => n >= this.options.perDestinationMax).map(([d]) => d);
    const rows = await claimDeliveries(this.options.db, { workerId: this.id, now: this.options.clock.now(), limit: free, leaseMs: this.options.leaseMs, excludeDestinations: full, perDestinationMax: this.options.perDestinationMax, busy });
    // One read of the channel settings per claim, not per message.
    const settings = rows.length ? await readNotificationSettings(this.options.db.kysely, this.options.env).catch(() => null) : null;
    for (const row of rows) {
      const done = this.deliver(row, settings).finally(() => {
        this.inFlight.delete(row.id);
        this.wake();
      });
      this.inFlight.set(row.id, { destination: row.destination, done });
    }
    return rows.length;
  }

  private async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()].map((f) => f.done));
  }

  /**
   * Outcomes that finish while another batch is being written wait for the next one, so a burst
   * of sends commits in a few transactions (one fsync each on SQLite) rather than one apiece.
   */
  private record(entry: PendingOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.outcomes.push({ ...entry, resolve, reject });
      if (!this.recording) this.recording = this.flushOutcomes().finally(() => (this.recording = null));
    });
  }

  private async flushOutcomes(): Promise<void> {
    while (this.outcomes.length > 0) {
      const batch = this.outcomes.splice(0, 100);
      try {
        await transact(this.options.db, async (trx) => {
          for (const o of batch) await recordOutcomeIn(trx, o.row, o.outcome, o.ctx);
        });
        for (const o of batch) o.resolve();
      } catch (error) {
        for (const o of batch) o.reject(error);
      }
    }
  }

  private async deliver(row: DeliveryTable, known: NotificationSettings | null): Promise<void> {
    const { db, clock } = this.options;
    const startedAt = clock.now();
    const started = performance.now();
    let outcome: SendOutcome;
    try {
      const channel = this.channels[row.channel as ChannelName];
      if (!channel) {
        outcome = { ok: false, permanent: true, error: `no channel named ${row.channel}` };
      } else {
        const settings = known ?? (await readNotificationSettings(db.kysely, this.options.env));
        outcome = await channel.send(row, { db, settings, now: startedAt, timeoutMs: this.options.timeoutMs, env: this.options.env });
      }
    } catch (error) {
      outcome = { ok: false, error: errorText(error) };
    }
    const latencyMs = Math.max(0, Math.round(performance.now() - started));
    try {
      await this.record({ row, outcome, ctx: { workerId: this.id, startedAt, latencyMs, now: clock.now(), backoff: this.options.backoff, random: this.options.random } });
    } catch (error) {
      // The lease runs out and another pass sends it again: at least once.
      this.options.log?.error({ err: error, delivery: row.id }, 'recording a delivery attempt failed');
    }
  }
}

interface ClaimRequest {
  workerId: string;
  now: number;
  limit: number;
  leaseMs: number;
  excludeDestinations?: string[];
  perDestinationMax?: number;
  busy?: Map<string, number>;
}

/** Claims due deliveries for one worker: pending and due, or sending with a lapsed lease; not paused; first of their ordering key. */
export async function claimDeliveries(db: Database, request: ClaimRequest): Promise<DeliveryTable[]> {
  if (request.limit <= 0) return [];
  const { now } = request;
  return transact(db, async (trx) => {
    let query = trx
      .selectFrom('deliveries as d')
      .select(['d.id', 'd.destination'])
      .where((eb) =>
        eb.or([
          eb.and([eb('d.status', '=', 'pending'), eb('d.next_attempt_at', '<=', now)]),
          eb.and([eb('d.status', '=', 'sending'), eb('d.lease_until', '<=', now)]),
        ]),
      )
      .where((eb) => eb.not(eb.exists(eb.selectFrom('paused_destinations as p').select('p.destination').whereRef('p.destination', '=', 'd.destination'))))
      .where((eb) =>
        eb.or([
          eb('d.ordering_key', 'is', null),
          eb.not(
            eb.exists(
              eb
                .selectFrom('deliveries as e')
                .select('e.id')
                .whereRef('e.ordering_key', '=', 'd.ordering_key')
                .whereRef('e.id', '<', 'd.id')
                .where('e.status', 'in', ['pending', 'sending']),
            ),
          ),
        ]),
      )
      .orderBy('d.next_attempt_at')
      .orderBy('d.id')
      // Look a little further than the free slots, so one destination's backlog cannot fill them.
      .limit(request.limit * 4);
    if (request.excludeDestinations?.length) query = query.where('d.destination', 'not in', request.excludeDestinations);
    const candidates = await lockSkippingLocked(db.dialect, query).execute();
    const perDestination = new Map(request.busy ?? []);
    const max = request.perDestinationMax ?? Number.MAX_SAFE_INTEGER;
    const chosen: string[] = [];
    for (const c of candidates) {
      if (chosen.length >= request.limit) break;
      const n = perDestination.get(c.destination) ?? 0;
      if (n >= max) continue;
      perDestination.set(c.destination, n + 1);
      chosen.push(c.id);
    }
    if (chosen.length === 0) return [];
    return trx
      .updateTable('deliveries')
      .set((eb) => ({ status: 'sending', claimed_by: request.workerId, lease_until: now + request.leaseMs, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', chosen)
      .returningAll()
      .execute();
  });
}

interface PendingOutcome {
  row: DeliveryTable;
  outcome: SendOutcome;
  ctx: OutcomeContext;
}

interface OutcomeContext {
  workerId: string;
  startedAt: number;
  latencyMs: number;
  now: number;
  backoff: BackoffPolicy;
  random: () => number;
}

/** Logs the attempt and moves the delivery on: delivered, back to pending later, or dead. Only the claim's holder moves it. */
export async function recordOutcome(db: Database, row: DeliveryTable, outcome: SendOutcome, ctx: OutcomeContext): Promise<void> {
  await transact(db, (trx) => recordOutcomeIn(trx, row, outcome, ctx));
}

async function recordOutcomeIn(trx: Trx, row: DeliveryTable, outcome: SendOutcome, ctx: OutcomeContext): Promise<void> {
  const dead = !outcome.ok && (outcome.permanent === true || row.attempts >= ctx.backoff.maxAttempts);
  const result = outcome.ok ? 'delivered' : dead ? 'dead' : 'retry';
  {
    await trx
      .insertInto('delivery_attempts')
      .values({
        id: newId('dla', ctx.now),
        delivery_id: row.id,
        attempt: row.attempts,
        worker: ctx.workerId,
        started_at: ctx.startedAt,
        latency_ms: ctx.latencyMs,
        outcome: result,
        status_code: outcome.statusCode ?? null,
        response_excerpt: outcome.excerpt?.slice(0, excerptCap + 1) ?? null,
        error: outcome.error?.slice(0, excerptCap) ?? null,
      })
      .execute();
    const base = trx.updateTable('deliveries').where('id', '=', row.id).where('status', '=', 'sending').where('claimed_by', '=', ctx.workerId);
    if (outcome.ok) {
      const moved = await base
        .set({ status: 'delivered', delivered_at: ctx.now, claimed_by: null, lease_until: null, last_error: null, provider_ref: outcome.providerRef ?? null })
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 1) for (const hook of deliveredHooks.get(row.event_type) ?? []) await hook(trx, row, outcome, ctx.now);
      return;
    }
    const error = (outcome.error ?? `answered ${outcome.statusCode}`).slice(0, excerptCap);
    if (dead) {
      const moved = await base.set({ status: 'dead', claimed_by: null, lease_until: null, last_error: error }).executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 1) for (const hook of deadHooks) await hook(trx, row, error, ctx.now);
      return;
    }
    const delay = retryDelayMs(ctx.backoff, row.attempts, ctx.random, outcome.retryAfterMs);
    await base.set({ status: 'pending', next_attempt_at: ctx.now + delay, claimed_by: null, lease_until: null, last_error: error }).execute();
  }
}

/**
 * Deletes delivered deliveries (and their attempt logs) older than `keepMs`, in bounded batches;
 * dead letters stay until someone redelivers or the shop clears them. Returns how many went.
 */
export async function purgeDeliveredDeliveries(db: Database, now: number, keepMs = 30 * 24 * 60 * 60_000, batch = 1000): Promise<number> {
  let total = 0;
  for (let round = 0; round < 100; round += 1) {
    const doomed = await db.kysely.selectFrom('deliveries').select('id').where('status', '=', 'delivered').where('delivered_at', '<', now - keepMs).limit(batch).execute();
    if (doomed.length === 0) break;
    const ids = doomed.map((d) => d.id);
    await transact(db, async (trx) => {
      await trx.deleteFrom('delivery_attempts').where('delivery_id', 'in', ids).execute();
      await trx.deleteFrom('deliveries').where('id', 'in', ids).where('status', '=', 'delivered').execute();
    });
    total += ids.length;
  }
  return total;
}

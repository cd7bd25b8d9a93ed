import { request } from 'undici';
import type { Database } from '../../src/platform/db/database.ts';
import { tickStart } from '../../src/platform/jobs/lease.ts';
import { startStockroom, type ChildExit, type ChildServer } from './child-server.ts';

/**
 * Several real server processes (the built `stockroom serve`) on one database, for the instances
 * suite: requests go to a random live instance, instances are killed with SIGKILL and restarted
 * under the same instance id, and what every housekeeping job did is read back from `job_runs`.
 */

export interface Slot {
  id: string;
  server: (ChildServer & { exited: Promise<ChildExit> }) | null;
  kills: number;
}

export class Cluster {
  readonly slots: Slot[];
  constructor(
    private readonly url: string,
    private readonly env: Record<string, string>,
    count: number,
    private readonly random: () => number,
  ) {
    this.slots = Array.from({ length: count }, (_, n) => ({ id: `i${n}`, server: null, kills: 0 }));
  }

  async start(slot: Slot): Promise<void> {
    slot.server = await startStockroom(this.url, { ...this.env, STOCKROOM_INSTANCE_ID: slot.id });
  }

  async startAll(): Promise<void> {
    await Promise.all(this.slots.filter((s) => !s.server).map((s) => this.start(s)));
  }

  live(): Slot[] {
    return this.slots.filter((s) => s.server !== null);
  }

  /** A random live instance, other than `avoid` when another is live. */
  pick(avoid?: string): Slot | null {
    const live = this.live();
    const others = live.filter((s) => s.id !== avoid);
    const from = others.length > 0 ? others : live;
    return from.length === 0 ? null : from[Math.floor(this.random() * from.length)]!;
  }

  /** SIGKILL: nothing finishes, no lease is released. */
  async kill(slot: Slot): Promise<void> {
    const server = slot.server;
    slot.server = null;
    slot.kills += 1;
    await server?.kill();
  }

  /** SIGTERM: in-flight requests and job runs finish, leases are released. */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.slots.map(async (s) => {
        const server = s.server;
        s.server = null;
        await server?.stop();
      }),
    );
  }
}

export interface Answer {
  status: number;
  body: string;
  replayed: boolean;
  /** The instance that answered. */
  slot: string;
}

/** One attempt at one instance; null when the connection failed (the instance died, or was dead). */
export async function attempt(origin: string, path: string, body: string, headers: Record<string, string>): Promise<Omit<Answer, 'slot'> | null> {
  try {
    const response = await request(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      headersTimeout: 20_000,
      bodyTimeout: 20_000,
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: text, replayed: response.headers['idempotent-replayed'] === 'true' };
  } catch {
    return null;
  }
}

/** What one run of a job left in `job_runs`. */
export interface JobRunRecord {
  id: string;
  name: string;
  holder: string;
  started_at: number;
  finished_at: number | null;
  lease_until: number;
  outcome: string | null;
}

export async function readJobRuns(db: Database): Promise<JobRunRecord[]> {
  return db.kysely.selectFrom('job_runs').select(['id', 'name', 'holder', 'started_at', 'finished_at', 'lease_until', 'outcome']).orderBy('name').orderBy('started_at').orderBy('id').execute();
}

/**
 * Runs of one job that overlapped an earlier run of the same job. A run that never finished (its
 * holder was killed) held the job until its lease, as last renewed, ran out.
 */
export function jobOverlaps(runs: readonly JobRunRecord[]): string[] {
  const found: string[] = [];
  const byName = groupBy(runs, (r) => r.name);
  for (const [name, list] of byName) {
    const sorted = [...list].sort((a, b) => a.started_at - b.started_at || a.id.localeCompare(b.id));
    let heldUntil = -Infinity;
    let heldBy = '';
    for (const run of sorted) {
      if (run.started_at < heldUntil) found.push(`${name}: ${run.holder} started at ${run.started_at} while ${heldBy} held it until ${heldUntil}`);
      const end = run.finished_at ?? run.lease_until;
      if (end > heldUntil) {
        heldUntil = end;
        heldBy = `${run.holder} (run ${run.id})`;
      }
    }
  }
  return found;
}

/**
 * Ticks in which a job started more than once although the earlier run finished: a job runs
 * once per tick across instances, and again within the tick only when its holder died.
 */
export function ranTwiceInATick(runs: readonly JobRunRecord[], everyMs: number): string[] {
  const found: string[] = [];
  const byTick = groupBy(runs, (r) => `${r.name}@${tickStart(r.started_at, everyMs)}`);
  for (const [tick, list] of byTick) {
    const sorted = [...list].sort((a, b) => a.started_at - b.started_at || a.id.localeCompare(b.id));
    for (const run of sorted.slice(0, -1)) {
      if (run.finished_at !== null && run.outcome !== 'lease_lost') found.push(`${tick}: ${run.holder} finished a run and ${sorted.length - 1} more started in the same tick`);
    }
  }
  return found;
}

// Map.groupBy arrived in Node 21; the project supports Node 20.
function groupBy<T>(list: readonly T[], keyOf: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of list) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/**
 * Negative controls: switches that break the product on purpose, so the reliability suites can
 * prove they notice. The oversell suite runs the real server with the stock guard broken and
 * must see it oversell; the crash suite runs it with the fault points inert and must see the
 * server fail to die where it was told to.
 *
 * They are read once, when the process starts, and frozen. A shop must never run with one, so
 * switching one on takes three things no deployment sets by accident: `NODE_ENV=test`, the
 * control's own `STOCKROOM_TEST_DISABLE_*` variable with one of its named values, and
 * `STOCKROOM_TEST_CONTROLS_CONFIRM` set to the sentence below. Anything less is not ignored but
 * refused: the process stops at start with the reason, so a control left in a production
 * environment file keeps the server from starting rather than letting it oversell.
 */

/**
 * How the stock guard behaves. `guarded` is the product: one conditional UPDATE per balance.
 * `read-then-write` reads the balance, checks it, and writes back what it computed: the bug every
 * inventory system grows, which oversells under concurrency wherever nothing else serialises the
 * writers (PostgreSQL without a row lock taken earlier). `unchecked` drops the check altogether;
 * on SQLite, where BEGIN IMMEDIATE serialises every writer so a read-then-write inside one
 * transaction cannot go wrong, it is the broken guard that the suite can see.
 */
export type StockGuardMode = 'guarded' | 'read-then-write' | 'unchecked';

/**
 * How a housekeeping job's lease is claimed (platform/jobs/lease.ts). `guarded` is the product: a
 * conditional UPDATE that takes the lease only when it is free (or expired) and the job is due.
 * `unchecked` takes it whatever it finds, so two instances run one job at the same time: the bug
 * the instances suite and the lease tests must be able to see.
 */
export type JobLeaseMode = 'guarded' | 'unchecked';

/**
 * Test-only timings for the housekeeping jobs, so a suite can see many ticks in a minute:
 * STOCKROOM_TEST_JOB_EVERY_MS (every job's interval), STOCKROOM_TEST_JOB_LEASE_MS (their lease,
 * and the delivery worker's claims)
 * and STOCKROOM_TEST_JOB_HOLD_MS (each run holds its lease this much longer: a deliberately slow
 * job, so overlaps would show). They break nothing, but they are refused outside NODE_ENV=test.
 */
export interface JobTimings {
  everyMs?: number;
  leaseMs?: number;
  holdMs?: number;
}

export interface TestControls {
  readonly stockGuard: StockGuardMode;
  /** When false, `faultPoint` never fires even when STOCKROOM_FAULT names a point. */
  readonly faultPoints: boolean;
  /** STOCKROOM_FAULT (which kills the process on purpose) is a test tool too, allowed under NODE_ENV=test only. */
  readonly faultsAllowed: boolean;
  readonly jobLeases: JobLeaseMode;
  readonly jobTimings: Readonly<JobTimings>;
}

export const CONTROLS_CONFIRMATION = 'i-know-this-breaks-the-ledger';

const stockGuardModes: readonly StockGuardMode[] = ['read-then-write', 'unchecked'];

const jobTimingVariables = { everyMs: 'STOCKROOM_TEST_JOB_EVERY_MS', leaseMs: 'STOCKROOM_TEST_JOB_LEASE_MS', holdMs: 'STOCKROOM_TEST_JOB_HOLD_MS' } as const;

function readJobTimings(env: NodeJS.ProcessEnv, isTest: boolean): JobTimings {
  const timings: JobTimings = {};
  for (const [field, name] of Object.entries(jobTimingVariables) as Array<[keyof JobTimings, string]>) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (!isTest) throw new TestControlRefused(`${name} changes the housekeeping schedule for tests and is refused unless NODE_ENV=test.`);
    if (!/^\d{1,9}$/.test(raw)) throw new TestControlRefused(`${name} is a whole number of milliseconds, not "${raw}".`);
    timings[field] = Number(raw);
  }
  return timings;
}

export class TestControlRefused extends Error {}

/** Pure, for its own test: what an environment switches on, or why it is refused. */
export function readTestControls(env: NodeJS.ProcessEnv): TestControls {
  const guard = env.STOCKROOM_TEST_DISABLE_STOCK_GUARD;
  const faults = env.STOCKROOM_TEST_DISABLE_FAULT_POINTS;
  const leases = env.STOCKROOM_TEST_DISABLE_JOB_LEASES;
  const isTest = env.NODE_ENV === 'test';
  const requested = [
    guard !== undefined ? 'STOCKROOM_TEST_DISABLE_STOCK_GUARD' : null,
    faults !== undefined ? 'STOCKROOM_TEST_DISABLE_FAULT_POINTS' : null,
    leases !== undefined ? 'STOCKROOM_TEST_DISABLE_JOB_LEASES' : null,
  ].filter((name): name is string => name !== null);
  const jobTimings = readJobTimings(env, isTest);
  if (env.STOCKROOM_FAULT !== undefined && !isTest) {
    throw new TestControlRefused('STOCKROOM_FAULT kills the server on purpose and is for tests only; it is refused unless NODE_ENV=test.');
  }
  if (requested.length === 0) return { stockGuard: 'guarded', faultPoints: true, faultsAllowed: isTest, jobLeases: 'guarded', jobTimings };
  if (!isTest) throw new TestControlRefused(`${requested.join(' and ')} break the ledger on purpose and are refused unless NODE_ENV=test.`);
  if (env.STOCKROOM_TEST_CONTROLS_CONFIRM !== CONTROLS_CONFIRMATION) {
    throw new TestControlRefused(`${requested.join(' and ')} also need STOCKROOM_TEST_CONTROLS_CONFIRM=${CONTROLS_CONFIRMATION}.`);
  }
  if (guard !== undefined && !stockGuardModes.includes(guard as StockGuardMode)) {
    throw new TestControlRefused(`STOCKROOM_TEST_DISABLE_STOCK_GUARD is one of ${stockGuardModes.join(', ')}, not "${guard}".`);
  }
  if (faults !== undefined && faults !== 'inert') {
    throw new TestControlRefused(`STOCKROOM_TEST_DISABLE_FAULT_POINTS is "inert", not "${faults}".`);
  }
  if (leases !== undefined && leases !== 'unchecked') {
    throw new TestControlRefused(`STOCKROOM_TEST_DISABLE_JOB_LEASES is "unchecked", not "${leases}".`);
  }
  return {
    stockGuard: (guard as StockGuardMode | undefined) ?? 'guarded',
    faultPoints: faults === undefined,
    faultsAllowed: true,
    jobLeases: leases === undefined ? 'guarded' : 'unchecked',
    jobTimings,
  };
}

export const testControls: TestControls = Object.freeze(readTestControls(process.env));

/** What is switched off, for the warning a server logs at start; empty in a real shop. */
export function activeTestControls(): string[] {
  const active: string[] = [];
  if (testControls.stockGuard !== 'guarded') active.push(`stock guard: ${testControls.stockGuard}`);
  if (!testControls.faultPoints) active.push('fault points: inert');
  if (testControls.jobLeases !== 'guarded') active.push(`job leases: ${testControls.jobLeases}`);
  return active;
}

import type { Clock } from '../platform/clock.ts';
import { systemActor } from '../platform/context.ts';
import type { Database } from '../platform/db/database.ts';
import { purgeExpiredIdempotencyKeys } from '../platform/http/command.ts';
import { purgeJobRuns } from '../platform/jobs/lease.ts';
import { runJobs, type Job, type JobLog, type JobRunner } from '../platform/jobs/runner.ts';
import { testControls } from '../platform/test-controls.ts';
import { purgeEndedSessions, purgeStaleThrottles } from '../modules/access/index.ts';
import { purgeEndedOauth } from '../modules/oauth/index.ts';
import { runForecastsIfDue } from '../modules/forecasting/index.ts';
import { evaluateTimedAlerts, sendDigests } from '../modules/alerts/index.ts';
import { releaseExpiredReservations } from '../modules/ledger/index.ts';
import { expireOrders } from '../modules/sales/index.ts';
import { runScheduledDrafts } from '../modules/replenishment/index.ts';
import { purgeDeliveredDeliveries } from '../modules/notifications/index.ts';
import { runDueSchedules, takeStockSnapshots } from '../modules/reports/index.ts';
import { pollOrders, processChannelEvents, purgeAppliedEvents, pushLevels, reconcileAll } from '../modules/integrations/index.ts';
import { qboConfigFromEnv, runQuickbooksSyncIfDue } from '../modules/integrations/quickbooks/index.ts';
import { GOOGLE_PUSH_INTERVAL_MS, pushGoogleMerchant } from '../modules/integrations/google/index.ts';

// The runner and its leases live in platform/jobs/ so a module (the delivery worker) can define
// jobs too; this file only lists the server's own.
export { runJobs, type Job, type JobLog, type JobRun, type JobRunner, type JobPlacement } from '../platform/jobs/runner.ts';

/** How long the job runs of `job_runs` are kept. */
export const JOB_RUNS_KEPT_MS = 7 * 24 * 60 * 60_000;

/** The server's housekeeping jobs: each runs once per tick across every instance sharing the database. */
export function serverJobs(db: Database, clock: Clock): Job[] {
  const ctx = { db, clock, actor: systemActor };
  return [
    // Orders first: closing an unconfirmed order releases its reservations and cancels what did not ship.
    { name: 'expire_orders', everyMs: 60_000, run: () => expireOrders(ctx) },
    { name: 'release_expired_reservations', everyMs: 60_000, run: () => releaseExpiredReservations(ctx) },
    { name: 'purge_idempotency_keys', everyMs: 60 * 60_000, run: () => purgeExpiredIdempotencyKeys(db, clock.now()) },
    { name: 'purge_ended_sessions', everyMs: 60 * 60_000, run: () => purgeEndedSessions(db, clock.now()) },
    { name: 'purge_ended_oauth', everyMs: 60 * 60_000, run: () => purgeEndedOauth(db, clock.now()) },
    { name: 'purge_sign_in_throttles', everyMs: 15 * 60_000, run: () => purgeStaleThrottles(db, clock.now()) },
    { name: 'purge_delivered_deliveries', everyMs: 60 * 60_000, run: () => purgeDeliveredDeliveries(db, clock.now()) },
    // Once a day, after the shop's midnight: every item's demand forecast from yesterday's history.
    { name: 'forecast_demand', everyMs: 15 * 60_000, run: () => runForecastsIfDue(ctx) },
    // Alerts that depend on time (expiring lots, late POs, …); stock alerts fire with the movement itself.
    { name: 'evaluate_alerts', everyMs: 5 * 60_000, run: () => evaluateTimedAlerts(ctx) },
    { name: 'send_alert_digests', everyMs: 5 * 60_000, run: () => sendDigests(ctx) },
    // Off until the owner turns it on (PUT /api/v1/replenishment/schedule); once a day; drafts only, never sent.
    { name: 'replenishment_drafts', everyMs: 60 * 60_000, run: () => runScheduledDrafts(ctx) },
    // Sales-platform connectors: webhooks taken in are applied; every instance works the queue (events are leased one by one).
    { name: 'apply_channel_events', everyMs: 2_000, placement: 'every-instance', run: ({ signal }) => processChannelEvents(ctx, { signal }) },
    // Coalesced: a variant is pushed at most once per PUSH_INTERVAL_MS, with its latest level.
    { name: 'push_channel_levels', everyMs: 5_000, run: ({ signal }) => pushLevels(ctx, { signal }) },
    // Catches webhooks that never came.
    { name: 'poll_channel_orders', everyMs: 5 * 60_000, run: ({ signal }) => pollOrders(ctx, { signal }) },
    { name: 'reconcile_channel_levels', everyMs: 6 * 60 * 60_000, run: () => reconcileAll(ctx) },
    { name: 'purge_channel_events', everyMs: 60 * 60_000, run: () => purgeAppliedEvents(ctx) },
    // Once a day (and hourly while postings wait for a retry): the stock journal and bills into QuickBooks Online, when connected.
    { name: 'quickbooks_sync', everyMs: 60 * 60_000, run: () => runQuickbooksSyncIfDue(ctx, qboConfigFromEnv()) },
    // When a service account is set: product inputs and local inventory that changed since the last push, to Google's Merchant API.
    { name: 'google_merchant_push', everyMs: GOOGLE_PUSH_INTERVAL_MS, run: async ({ signal }) => { const r = await pushGoogleMerchant(ctx, { signal }); return r.products + r.localInventories; } },
    { name: 'purge_job_runs', everyMs: 60 * 60_000, run: () => purgeJobRuns(db, clock.now() - JOB_RUNS_KEPT_MS) },
    // Saved reports emailed on a schedule: due ones queue their emails (the file is made when sent).
    { name: 'send_scheduled_reports', everyMs: 5 * 60_000, run: () => runDueSchedules(ctx) },
    // Yesterday's stock per item and site and each cost pool, for as-of questions; retakes days a back-dated entry made stale.
    { name: 'take_stock_snapshots', everyMs: 15 * 60_000, run: async () => (await takeStockSnapshots(ctx)).length },
  ];
}

/**
 * Starts the jobs under this instance's id. Tests may shorten every interval and lease and make
 * each run hold its lease longer (STOCKROOM_TEST_JOB_*, refused outside NODE_ENV=test).
 */
export function startJobs(db: Database, clock: Clock, log: JobLog, instanceId: string, jobs: readonly Job[] = serverJobs(db, clock)): JobRunner {
  const timings = testControls.jobTimings;
  const scheduled = timings.everyMs ? jobs.map((job) => ({ ...job, everyMs: timings.everyMs! })) : jobs;
  return runJobs(scheduled, log, {
    db,
    clock,
    holder: instanceId,
    ...(timings.leaseMs ? { leaseMs: timings.leaseMs } : {}),
    ...(timings.holdMs ? { holdMs: timings.holdMs } : {}),
  });
}

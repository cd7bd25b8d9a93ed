import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../platform/clock.ts';
import { systemActor } from '../platform/context.ts';
import type { Database } from '../platform/db/database.ts';
import { purgeExpiredIdempotencyKeys } from '../platform/http/command.ts';
import { purgeEndedSessions, purgeStaleThrottles } from '../modules/access/index.ts';
import { releaseExpiredReservations } from '../modules/ledger/index.ts';
import { expireOrders } from '../modules/sales/index.ts';

/** Housekeeping that runs inside the server process on timers; each run is bounded. */
export function startJobs(db: Database, clock: Clock, log: FastifyBaseLogger): () => void {
  const ctx = { db, clock, actor: systemActor };
  const every = (ms: number, name: string, job: () => Promise<number>) => {
    const timer = setInterval(() => {
      job()
        .then((n) => n > 0 && log.info({ job: name, count: n }, 'housekeeping'))
        .catch((err: unknown) => log.error({ err, job: name }, 'housekeeping failed'));
    }, ms);
    timer.unref();
    return timer;
  };
  const timers = [
    // Orders first: closing an unconfirmed order releases its reservations and cancels what did not ship.
    every(60_000, 'expire_orders', () => expireOrders(ctx)),
    every(60_000, 'release_expired_reservations', () => releaseExpiredReservations(ctx)),
    every(60 * 60_000, 'purge_idempotency_keys', () => purgeExpiredIdempotencyKeys(db, clock.now())),
    every(60 * 60_000, 'purge_ended_sessions', () => purgeEndedSessions(db, clock.now())),
    every(15 * 60_000, 'purge_sign_in_throttles', () => purgeStaleThrottles(db, clock.now())),
  ];
  return () => timers.forEach((t) => clearInterval(t));
}

import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { transact, type Executor, type Trx } from '../../platform/db/transaction.ts';

/**
 * Sign-in throttling, per account and per network address. Failures are counted in a window;
 * reaching the limit locks the key for a while, during which attempts are refused before any
 * password is checked (so a flood costs no argon2 time). Accounts that do not exist are counted
 * like those that do, so the lock does not tell an attacker which emails are real.
 */
interface ThrottleRule {
  failuresMax: number;
  windowMs: number;
  lockMs: number;
}

const minute = 60 * 1000;

export const ACCOUNT_THROTTLE: ThrottleRule = { failuresMax: 10, windowMs: 60 * minute, lockMs: 15 * minute };
export const ADDRESS_THROTTLE: ThrottleRule = { failuresMax: 50, windowMs: 15 * minute, lockMs: 15 * minute };

const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
const addressKey = (ip: string) => `ip:${ip}`;

export type SignInGate = { allowed: true } | { allowed: false; locked: 'account' | 'address'; retryAfterMs: number };

export async function checkSignInGate(db: Executor, email: string, ip: string, now: number): Promise<SignInGate> {
  const rows = await db
    .selectFrom('login_throttle')
    .select(['key', 'locked_until'])
    .where('key', 'in', [accountKey(email), addressKey(ip)])
    .execute();
  for (const row of rows) {
    if (row.locked_until !== null && row.locked_until > now) {
      return { allowed: false, locked: row.key.startsWith('ip:') ? 'address' : 'account', retryAfterMs: row.locked_until - now };
    }
  }
  return { allowed: true };
}

export interface FailureOutcome {
  /** Set when this failure locked the account. */
  accountLockedUntil: number | null;
  addressLockedUntil: number | null;
}

/** Counts one failed sign-in against the account and the address; locks either that reaches its limit. */
export async function recordSignInFailure(db: Database, email: string, ip: string, now: number): Promise<FailureOutcome> {
  return transact(db, async (trx) => ({
    accountLockedUntil: await countFailure(trx, accountKey(email), ACCOUNT_THROTTLE, now),
    addressLockedUntil: await countFailure(trx, addressKey(ip), ADDRESS_THROTTLE, now),
  }));
}

/** One atomic increment (no read-then-write), then a lock when the count reached the limit. */
async function countFailure(trx: Trx, key: string, rule: ThrottleRule, now: number): Promise<number | null> {
  const stale = sql<boolean>`(login_throttle.window_started_at <= ${now - rule.windowMs} or (login_throttle.locked_until is not null and login_throttle.locked_until <= ${now}))`;
  const counted = await trx
    .insertInto('login_throttle')
    .values({ key, failures: 1, window_started_at: now, locked_until: null, updated_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql<number>`case when ${stale} then 1 else login_throttle.failures + 1 end`,
        window_started_at: sql<number>`case when ${stale} then ${now} else login_throttle.window_started_at end`,
        locked_until: sql<number | null>`case when ${stale} then null else login_throttle.locked_until end`,
        updated_at: now,
      }),
    )
    .returning(['failures', 'locked_until'])
    .executeTakeFirstOrThrow();
  if (counted.failures < rule.failuresMax || counted.locked_until !== null) return null;
  const lockedUntil = now + rule.lockMs;
  await trx.updateTable('login_throttle').set({ locked_until: lockedUntil }).where('key', '=', key).where('locked_until', 'is', null).execute();
  return lockedUntil;
}

/** A successful sign-in or a password reset starts the account's count afresh; the address keeps its count. */
export async function clearAccountThrottle(db: Executor, email: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', accountKey(email)).execute();
}

/** Forgets failure counts whose window and lock have both passed; returns how many. */
export async function purgeStaleThrottles(db: Database, now: number): Promise<number> {
  const windowMax = Math.max(ACCOUNT_THROTTLE.windowMs, ADDRESS_THROTTLE.windowMs);
  const result = await db.kysely
    .deleteFrom('login_throttle')
    .where('window_started_at', '<', now - windowMax)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

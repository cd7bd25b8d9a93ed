import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { transact, type Executor } from '../../platform/db/transaction.ts';

/**
 * Sign-in throttling, as OWASP advises: growing delays rather than a lock anyone can trigger.
 *
 * Three keys slow guessing down, each allowing a few attempts freely and then one attempt per
 * delay, the delay doubling with every further attempt up to a ceiling:
 * - the address (`ip:`): many accounts tried from one place;
 * - the account at that address (`pair:`): one account guessed from one place;
 * - the account from anywhere (`account:`): one account guessed from many places. This key is
 *   skipped at an address the person has signed in from before, so a flood from elsewhere (ten
 *   wrong passwords from an attacker included) never keeps the owner out at her own till.
 *
 * An attempt is counted before its password is checked, in one statement per key, and an
 * attempt past the free ones must claim the key's next slot with a conditional UPDATE: of sixty
 * concurrent wrong passwords at most the free attempts plus one are checked, and the rest are
 * refused before any argon2 time is spent. A successful sign-in takes its attempt back.
 * Emails without an account are counted like real ones, so the delays do not tell which exist.
 */
export interface ThrottleRule {
  /** Attempts in a quiet window that are checked without delay. */
  freeAttempts: number;
  /** The first delay, doubled for every attempt after it. */
  delayMs: number;
  delayMaxMs: number;
  /** After this long without an attempt the count starts afresh. */
  quietMs: number;
}

const second = 1000;
const minute = 60 * second;

export const ADDRESS_THROTTLE: ThrottleRule = { freeAttempts: 50, delayMs: second, delayMaxMs: 15 * minute, quietMs: 15 * minute };
export const ACCOUNT_ADDRESS_THROTTLE: ThrottleRule = { freeAttempts: 5, delayMs: second, delayMaxMs: 15 * minute, quietMs: 60 * minute };
export const ACCOUNT_THROTTLE: ThrottleRule = { freeAttempts: 20, delayMs: second, delayMaxMs: 15 * minute, quietMs: 60 * minute };
/** Addresses a person signed in from stay known this long. */
export const KNOWN_ADDRESS_MS = 90 * 24 * 60 * minute;

const normalEmail = (email: string) => email.trim().toLowerCase();
const addressKey = (ip: string) => `ip:${ip}`;
const pairKey = (email: string, ip: string) => `pair:${normalEmail(email)}|${ip}`;
const accountKey = (email: string) => `account:${normalEmail(email)}`;

export type ThrottleScope = 'address' | 'account_address' | 'account';
export type SignInGate = { allowed: true; counted: string[] } | { allowed: false; limited: ThrottleScope; retryAfterMs: number };

/** The delay after the nth attempt (n past the free ones: 1 → delayMs, 2 → twice that, …), capped. */
export function throttleDelayMs(rule: ThrottleRule, attempts: number): number {
  const over = attempts - rule.freeAttempts;
  if (over <= 0) return 0;
  return Math.min(rule.delayMaxMs, rule.delayMs * 2 ** Math.min(over - 1, 30));
}

type Claim = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Counts one attempt against a key and says whether it may be checked now; atomic under concurrency. */
async function claimAttempt(db: Executor, key: string, rule: ThrottleRule, now: number): Promise<Claim> {
  const quiet = sql<boolean>`(login_throttle.updated_at <= ${now - rule.quietMs} and (login_throttle.locked_until is null or login_throttle.locked_until <= ${now}))`;
  const counted = await db
    .insertInto('login_throttle')
    .values({ key, failures: 1, window_started_at: now, locked_until: null, updated_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql<number>`case when ${quiet} then 1 else login_throttle.failures + 1 end`,
        window_started_at: sql<number>`case when ${quiet} then ${now} else login_throttle.window_started_at end`,
        locked_until: sql<number | null>`case when ${quiet} then null else login_throttle.locked_until end`,
        updated_at: now,
      }),
    )
    .returning(['failures', 'locked_until'])
    .executeTakeFirstOrThrow();
  const attempts = Number(counted.failures);
  if (attempts <= rule.freeAttempts) return { allowed: true };
  const lockedUntil = counted.locked_until === null ? null : Number(counted.locked_until);
  if (lockedUntil !== null && lockedUntil > now) return { allowed: false, retryAfterMs: lockedUntil - now };
  // Past the free attempts: one attempt per delay. Of concurrent attempts only one takes the slot.
  const next = now + throttleDelayMs(rule, attempts);
  const claimed = await db
    .updateTable('login_throttle')
    .set({ locked_until: next })
    .where('key', '=', key)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 1) return { allowed: true };
  const row = await db.selectFrom('login_throttle').select('locked_until').where('key', '=', key).executeTakeFirst();
  return { allowed: false, retryAfterMs: Math.max(1, Number(row?.locked_until ?? now + 1) - now) };
}

/**
 * Counts a sign-in attempt against the address, the account at the address and (unless the
 * person has signed in from this address before) the account, in that order, stopping at the
 * first that refuses. Call it before checking the password; on success call `forgiveSignIn`.
 */
export async function gateSignIn(db: Executor, input: { email: string; ip: string; userId: string | null; now: number }): Promise<SignInGate> {
  const counted: string[] = [];
  const steps: Array<{ key: string; rule: ThrottleRule; scope: ThrottleScope }> = [
    { key: addressKey(input.ip), rule: ADDRESS_THROTTLE, scope: 'address' },
    { key: pairKey(input.email, input.ip), rule: ACCOUNT_ADDRESS_THROTTLE, scope: 'account_address' },
  ];
  if (!(input.userId && (await isKnownAddress(db, input.userId, input.ip, input.now)))) {
    steps.push({ key: accountKey(input.email), rule: ACCOUNT_THROTTLE, scope: 'account' });
  }
  for (const step of steps) {
    const claim = await claimAttempt(db, step.key, step.rule, input.now);
    counted.push(step.key);
    if (!claim.allowed) return { allowed: false, limited: step.scope, retryAfterMs: claim.retryAfterMs };
  }
  return { allowed: true, counted };
}

async function isKnownAddress(db: Executor, userId: string, ip: string, now: number): Promise<boolean> {
  const row = await db
    .selectFrom('sign_in_addresses')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('ip', '=', ip)
    .where('last_signed_in_at', '>', now - KNOWN_ADDRESS_MS)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * After a successful sign-in: the account's counts start afresh, the address remembers it was
 * this person's, and the address's count takes this attempt back (it was not a failure).
 */
export async function forgiveSignIn(db: Executor, input: { email: string; ip: string; userId: string; now: number }): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', 'in', [pairKey(input.email, input.ip), accountKey(input.email)]).execute();
  await db
    .updateTable('login_throttle')
    .set({ failures: sql<number>`case when failures > 0 then failures - 1 else 0 end` })
    .where('key', '=', addressKey(input.ip))
    .execute();
  await db
    .insertInto('sign_in_addresses')
    .values({ user_id: input.userId, ip: input.ip, last_signed_in_at: input.now })
    .onConflict((oc) => oc.columns(['user_id', 'ip']).doUpdateSet({ last_signed_in_at: input.now }))
    .execute();
}

/** A password reset by an owner starts the account's counts afresh everywhere; addresses keep theirs. */
export async function clearAccountThrottle(db: Executor, email: string): Promise<void> {
  // A prefix compared with substr, not LIKE: an email may hold `_` or `%`.
  const pairs = pairKey(email, '');
  await db
    .deleteFrom('login_throttle')
    .where((eb) => eb.or([eb('key', '=', accountKey(email)), eb(sql<string>`substr(key, 1, ${pairs.length})`, '=', pairs)]))
    .execute();
}

/** Forgets counts that have been quiet for their window with no delay pending, and addresses not used for long; returns how many. */
export async function purgeStaleThrottles(db: Database, now: number): Promise<number> {
  const quietMax = Math.max(ADDRESS_THROTTLE.quietMs, ACCOUNT_ADDRESS_THROTTLE.quietMs, ACCOUNT_THROTTLE.quietMs);
  return transact(db, async (trx) => {
    const counts = await trx
      .deleteFrom('login_throttle')
      .where('updated_at', '<', now - quietMax)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .executeTakeFirst();
    const addresses = await trx.deleteFrom('sign_in_addresses').where('last_signed_in_at', '<', now - KNOWN_ADDRESS_MS).executeTakeFirst();
    return Number(counts.numDeletedRows) + Number(addresses.numDeletedRows);
  });
}

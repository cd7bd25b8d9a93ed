import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import type { PasswordHash } from './passwords.ts';
import { createUser } from './users.service.ts';
import {
  ACCOUNT_ADDRESS_THROTTLE,
  ACCOUNT_THROTTLE,
  ADDRESS_THROTTLE,
  clearAccountThrottle,
  forgiveSignIn,
  gateSignIn,
  KNOWN_ADDRESS_MS,
  purgeStaleThrottles,
  throttleDelayMs,
  type ThrottleRule,
} from './throttle.service.ts';

/**
 * Sign-in throttling at service level: the counts per key, the doubling delays, the quiet
 * window, the known-address exemption, forgiveness and the purge. test/http/sign-in-throttle.test.ts
 * checks the same through the API, with concurrency; these run in a second, for mutation testing.
 */
describeEachDatabase('sign-in throttle', (get) => {
  let n = 0;
  const fresh = () => {
    n += 1;
    return { email: `Person${n}_%@Example.com`, ip: `10.7.${n}.1` };
  };
  const row = async (key: string) => get().db.kysely.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  const t0 = Date.UTC(2026, 10, 2, 9);
  /** A user to remember addresses for (sign_in_addresses refers to users). */
  const userId = async () =>
    (await createUser(serviceContext(get().db), { email: `u${(n += 1)}-${Math.random()}@example.com`, name: 'U', role: 'staff', sites: [], passwordHash: 'x' as PasswordHash })).id;

  it('doubles the delay for each attempt past the free ones, up to the ceiling', () => {
    const rule: ThrottleRule = { freeAttempts: 3, delayMs: 1000, delayMaxMs: 10_000, quietMs: 60_000 };
    expect([0, 3, 4, 5, 6, 7, 8, 100].map((a) => throttleDelayMs(rule, a))).toEqual([0, 0, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    // The exponent is capped, so a huge count does not overflow to Infinity or NaN.
    expect(throttleDelayMs({ ...rule, delayMaxMs: Number.MAX_SAFE_INTEGER }, 10_000)).toBe(1000 * 2 ** 30);
  });

  it('lets the free attempts through, then one attempt per delay, and names the key that refused', async () => {
    const { email, ip } = fresh();
    const db = get().db.kysely;
    const free = ACCOUNT_ADDRESS_THROTTLE.freeAttempts;
    for (let i = 0; i < free; i += 1) expect(await gateSignIn(db, { email, ip, userId: null, now: t0 })).toMatchObject({ allowed: true });
    // The free attempts set no delay at all.
    expect((await row(`pair:${email.toLowerCase()}|${ip}`))!.locked_until).toBeNull();
    expect(await gateSignIn(db, { email, ip, userId: null, now: t0 })).toEqual({
      allowed: true,
      counted: [`ip:${ip}`, `pair:${email.toLowerCase()}|${ip}`, `account:${email.toLowerCase()}`],
    });
    // The sixth claimed the slot for a second; the seventh waits for it.
    expect(await gateSignIn(db, { email, ip, userId: null, now: t0 + 1 })).toEqual({ allowed: false, limited: 'account_address', retryAfterMs: 999 });
    expect(await gateSignIn(db, { email, ip, userId: null, now: t0 + 1000 })).toMatchObject({ allowed: true });
    // Refused attempts count too: the eighth is the third past the free ones, so it holds the next for 4 s.
    expect(await gateSignIn(db, { email, ip, userId: null, now: t0 + 1001 })).toEqual({ allowed: false, limited: 'account_address', retryAfterMs: 3999 });
    expect(await gateSignIn(db, { email, ip, userId: null, now: t0 + 4999 })).toEqual({ allowed: false, limited: 'account_address', retryAfterMs: 1 });
    expect(await gateSignIn(db, { email, ip, userId: null, now: t0 + 5000 })).toMatchObject({ allowed: true });
    const pair = (await row(`pair:${email.toLowerCase()}|${ip}`))!;
    expect([Number(pair.failures), Number(pair.window_started_at), Number(pair.locked_until)]).toEqual([11, t0, t0 + 5000 + 32_000]);
    // Every attempt counts against the address, refused or not; the account key only those the pair let through.
    expect(Number((await row(`ip:${ip}`))!.failures)).toBe(11);
    expect(Number((await row(`account:${email.toLowerCase()}`))!.failures)).toBe(8);
  });

  it('starts afresh after a quiet window with no delay pending, and not before', async () => {
    const { email, ip } = fresh();
    const db = get().db.kysely;
    const quiet = ACCOUNT_ADDRESS_THROTTLE.quietMs;
    for (let i = 0; i <= ACCOUNT_ADDRESS_THROTTLE.freeAttempts; i += 1) await gateSignIn(db, { email, ip, userId: null, now: t0 });
    const key = `pair:${email.toLowerCase()}|${ip}`;
    expect(await gateSignIn(db, { email, ip, userId: null, now: t0 + quiet - 1 })).toMatchObject({ allowed: true });
    expect(Number((await row(key))!.failures)).toBe(7);
    // Quiet from t0 + quiet - 1 for a whole window: the count is 1 again, with no delay.
    const later = t0 + 2 * quiet - 1;
    expect(await gateSignIn(db, { email, ip, userId: null, now: later })).toMatchObject({ allowed: true });
    const after = (await row(key))!;
    expect([Number(after.failures), Number(after.window_started_at), after.locked_until]).toEqual([1, later, null]);
    // A delay still pending keeps the count, however long the quiet (no rule here sets one past its window, but a stricter one could).
    await get().db.kysely.updateTable('login_throttle').set({ failures: 10, locked_until: later + 10 * quiet }).where('key', '=', key).execute();
    expect(await gateSignIn(db, { email, ip, userId: null, now: later + 2 * quiet })).toEqual({ allowed: false, limited: 'account_address', retryAfterMs: 8 * quiet });
    expect(Number((await row(key))!.failures)).toBe(11);
  });

  it('refuses from the address key after 50 attempts from one place, for any account', async () => {
    const { ip } = fresh();
    const db = get().db.kysely;
    for (let i = 0; i < ADDRESS_THROTTLE.freeAttempts; i += 1) {
      expect(await gateSignIn(db, { email: `x${i}@example.com`, ip, userId: null, now: t0 })).toMatchObject({ allowed: true });
    }
    expect(await gateSignIn(db, { email: 'y@example.com', ip, userId: null, now: t0 })).toMatchObject({ allowed: true });
    expect(await gateSignIn(db, { email: 'z@example.com', ip, userId: null, now: t0 })).toEqual({ allowed: false, limited: 'address', retryAfterMs: 1000 });
  });

  it('skips the account key at an address the person signed in from in the last 90 days', async () => {
    const db = get().db.kysely;
    const { email } = fresh();
    const home = '10.8.0.1';
    const known = await userId();
    await forgiveSignIn(db, { email, ip: home, userId: known, now: t0 });
    // From many places, the account key fills up: 20 free, the 21st claims a slot, the 22nd waits.
    for (let i = 0; i <= ACCOUNT_THROTTLE.freeAttempts; i += 1) await gateSignIn(db, { email, ip: `10.6.${n}.${i}`, userId: known, now: t0 });
    expect(await gateSignIn(db, { email, ip: '10.5.0.1', userId: known, now: t0 })).toEqual({ allowed: false, limited: 'account', retryAfterMs: 1000 });
    // At home she is not held up by it, until the address is 90 days old.
    expect(await gateSignIn(db, { email, ip: home, userId: known, now: t0 })).toEqual({ allowed: true, counted: [`ip:${home}`, `pair:${email.toLowerCase()}|${home}`] });
    // An unknown email at the same address gets no exemption.
    expect(await gateSignIn(db, { email, ip: home, userId: null, now: t0 + 1 })).toMatchObject({ allowed: false, limited: 'account' });
    expect(await gateSignIn(db, { email, ip: home, userId: known, now: t0 + KNOWN_ADDRESS_MS - 1 })).toMatchObject({ allowed: true, counted: { length: 2 } });
    expect((await gateSignIn(db, { email, ip: home, userId: known, now: t0 + KNOWN_ADDRESS_MS })).allowed).toBe(true);
  });

  it('forgives a successful sign-in: the account counts go, the address takes one attempt back', async () => {
    const db = get().db.kysely;
    const { email, ip } = fresh();
    const other = fresh();
    const forgiven = await userId();
    for (let i = 0; i < 3; i += 1) await gateSignIn(db, { email, ip, userId: null, now: t0 });
    await gateSignIn(db, { email: other.email, ip: other.ip, userId: null, now: t0 });
    await forgiveSignIn(db, { email: `  ${email.toUpperCase()} `, ip, userId: forgiven, now: t0 + 5 });
    expect(await row(`pair:${email.toLowerCase()}|${ip}`)).toBeUndefined();
    expect(await row(`account:${email.toLowerCase()}`)).toBeUndefined();
    expect(Number((await row(`ip:${ip}`))!.failures)).toBe(2);
    expect(Number((await row(`account:${other.email.toLowerCase()}`))!.failures)).toBe(1);
    const seen = await db.selectFrom('sign_in_addresses').selectAll().where('user_id', '=', forgiven).execute();
    expect(seen.map((s) => [s.ip, Number(s.last_signed_in_at)])).toEqual([[ip, t0 + 5]]);
    await forgiveSignIn(db, { email, ip, userId: forgiven, now: t0 + 9 });
    await forgiveSignIn(db, { email, ip, userId: forgiven, now: t0 + 10 });
    expect(Number((await row(`ip:${ip}`))!.failures)).toBe(0);
    expect((await db.selectFrom('sign_in_addresses').select('last_signed_in_at').where('user_id', '=', forgiven).execute()).map((s) => Number(s.last_signed_in_at))).toEqual([t0 + 10]);
  });

  it("clears an account's counts at every address, not the addresses' or another account's, even with _ and % in the email", async () => {
    const db = get().db.kysely;
    const { email, ip } = fresh();
    const lookalike = email.replace('_%', 'xy');
    await gateSignIn(db, { email, ip, userId: null, now: t0 });
    await gateSignIn(db, { email, ip: '10.4.0.2', userId: null, now: t0 });
    await gateSignIn(db, { email: lookalike, ip, userId: null, now: t0 });
    await clearAccountThrottle(db, email);
    expect(await row(`pair:${email.toLowerCase()}|${ip}`)).toBeUndefined();
    expect(await row(`pair:${email.toLowerCase()}|10.4.0.2`)).toBeUndefined();
    expect(await row(`account:${email.toLowerCase()}`)).toBeUndefined();
    expect(await row(`pair:${lookalike.toLowerCase()}|${ip}`)).toBeDefined();
    expect(await row(`account:${lookalike.toLowerCase()}`)).toBeDefined();
    expect(Number((await row(`ip:${ip}`))!.failures)).toBe(2);
  });

  it('purges counts quiet for the longest window with no delay pending, and addresses unused for 90 days', async () => {
    const db = get().db;
    const t1 = t0 + 1000 * 24 * 60 * 60_000;
    const quietMax = Math.max(ADDRESS_THROTTLE.quietMs, ACCOUNT_ADDRESS_THROTTLE.quietMs, ACCOUNT_THROTTLE.quietMs);
    // Everything from earlier tests is long stale by t1.
    await purgeStaleThrottles(db, t1);
    const { email, ip } = fresh();
    const purged = await userId();
    await gateSignIn(db.kysely, { email, ip, userId: null, now: t1 });
    await forgiveSignIn(db.kysely, { email: 'other@example.com', ip: '10.3.0.1', userId: purged, now: t1 });
    expect(await purgeStaleThrottles(db, t1 + quietMax)).toBe(0);
    // Three counts: the address, the pair and the account.
    expect(await purgeStaleThrottles(db, t1 + quietMax + 1)).toBe(3);
    expect(await purgeStaleThrottles(db, t1 + KNOWN_ADDRESS_MS)).toBe(0);
    expect(await purgeStaleThrottles(db, t1 + KNOWN_ADDRESS_MS + 1)).toBe(1);
    // A delay still pending keeps the count past the quiet window.
    const held = fresh();
    await gateSignIn(db.kysely, { ...held, userId: null, now: t1 });
    const key = `pair:${held.email.toLowerCase()}|${held.ip}`;
    await db.kysely.updateTable('login_throttle').set({ locked_until: t1 + 2 * quietMax }).where('key', '=', key).execute();
    expect(await purgeStaleThrottles(db, t1 + 2 * quietMax)).toBe(2);
    expect(await row(key)).toBeDefined();
    expect(await purgeStaleThrottles(db, t1 + 2 * quietMax + 1)).toBe(1);
    expect(await row(key)).toBeUndefined();
  });
});

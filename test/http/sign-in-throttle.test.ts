import { beforeAll, expect, it } from 'vitest';
import { ACCOUNT_ADDRESS_THROTTLE, ACCOUNT_THROTTLE, ADDRESS_THROTTLE, purgeStaleThrottles, throttleDelayMs } from '../../src/modules/access/index.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { makeUser, TEST_PASSWORD, uniqueEmail } from '../support/access.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

let addressCounter = 0;
/** Each test signs in from its own addresses, so the per-address count of one does not touch another. */
const newAddress = () => `10.9.${Math.floor(addressCounter / 250)}.${(addressCounter++ % 250) + 1}`;

describeEachDatabase('sign-in throttling', (get) => {
  let api: TestApi;
  beforeAll(async () => {
    // A clock that stands still unless told: "one attempt per delay" must not depend on how fast this machine is.
    api = await buildTestApi(get().db, { clock: new ManualClock(Date.now()) });
  });

  const attempt = (email: string, password: string, remoteAddress: string) =>
    api.as(null).request('POST', '/api/v1/session', { body: { email, password }, remoteAddress });
  const free = ACCOUNT_ADDRESS_THROTTLE.freeAttempts;

  it('checks at most the free attempts plus one of 60 concurrent wrong passwords, and the owner still signs in from elsewhere', async () => {
    const { email, user } = await makeUser(api, 'owner');
    const attacker = newAddress();
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => attempt(email, `wrong-guess-${i}-xyz`, attacker)));
    const checked = results.filter((r) => r.status === 401).length;
    expect(checked).toBeGreaterThanOrEqual(free);
    expect(checked).toBeLessThanOrEqual(free + 1);
    expect(results.filter((r) => r.status === 429).length).toBe(60 - checked);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The right password from the attacker's address waits too: it is not checked during the delay.
    expect((await attempt(email, TEST_PASSWORD, attacker)).status).toBe(429);
    // From her own address she is not locked out.
    expect((await attempt(email, TEST_PASSWORD, newAddress())).status).toBe(200);

    const events = (await api.get(`/api/v1/audit-events?target_id=${user.id}&route=/api/v1/session&limit=100`)).body.data;
    expect(events.filter((e: any) => e.status === 401)).toHaveLength(checked);
    expect(events.some((e: any) => e.status === 429 && /throttled \(account_address\)/.test(e.note ?? ''))).toBe(true);
  });

  it('slows one account at one address with delays that double, and never locks it for longer than the ceiling', async () => {
    const { email } = await makeUser(api, 'staff', []);
    const address = newAddress();
    for (let i = 0; i < free; i += 1) expect((await attempt(email, `wrong-guess-${i}-xyz`, address)).status).toBe(401);
    const waits: number[] = [];
    for (let n = 1; n <= 4; n += 1) {
      expect((await attempt(email, `wrong-guess-x${n}`, address)).status).toBe(401);
      const held = await attempt(email, TEST_PASSWORD, address);
      expect(held.status).toBe(429);
      waits.push(Number(held.headers['retry-after']));
      api.clock.advance(throttleDelayMs(ACCOUNT_ADDRESS_THROTTLE, free + 2 * n) + 1);
    }
    // Each refused attempt counts too, so the delays double twice per round here.
    expect(waits).toEqual([1, 4, 16, 64]);
    expect(throttleDelayMs(ACCOUNT_ADDRESS_THROTTLE, 1000)).toBe(ACCOUNT_ADDRESS_THROTTLE.delayMaxMs);
    expect((await attempt(email, TEST_PASSWORD, address)).status).toBe(200);
    // A success starts the count afresh.
    for (let i = 0; i < free; i += 1) expect((await attempt(email, `wrong-again-${i}-xyz`, address)).status).toBe(401);
    expect((await attempt(email, TEST_PASSWORD, address)).status).toBe(200);
  });

  it('slows an account guessed from many addresses, except at an address its owner has signed in from', async () => {
    const { email } = await makeUser(api, 'owner');
    const home = newAddress();
    expect((await attempt(email, TEST_PASSWORD, home)).status).toBe(200);
    for (let i = 0; i < ACCOUNT_THROTTLE.freeAttempts + 1; i += 1) expect((await attempt(email, `wrong-guess-${i}-xyz`, newAddress())).status).toBe(401);
    const elsewhere = await attempt(email, `wrong-guess-more`, newAddress());
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.body.detail).toMatch(/for this account;/);
    expect((await attempt(email, TEST_PASSWORD, newAddress())).status).toBe(429);
    expect((await attempt(email, TEST_PASSWORD, home)).status).toBe(200);
  });

  it('treats an email that has no account the same way, so the delays do not tell which emails exist', async () => {
    const email = uniqueEmail('ghost');
    const address = newAddress();
    for (let i = 0; i < free + 1; i += 1) expect((await attempt(email, `wrong-guess-${i}-xyz`, address)).status).toBe(401);
    expect((await attempt(email, 'anything-at-all-1', address)).status).toBe(429);
  });

  it('lifts the account’s delays when an owner sets a new password', async () => {
    const { email, user } = await makeUser(api, 'viewer', []);
    const address = newAddress();
    for (let i = 0; i < free + 1; i += 1) await attempt(email, `wrong-guess-${i}-xyz`, address);
    expect((await attempt(email, TEST_PASSWORD, address)).status).toBe(429);
    expect((await api.post(`/api/v1/users/${user.id}/password`, { password: 'copper-kettle-meadow' })).status).toBe(200);
    expect((await attempt(email, 'copper-kettle-meadow', address)).status).toBe(200);
  });

  it('slows an address that tries many accounts, but not other addresses', async () => {
    const address = newAddress();
    for (let i = 0; i < ADDRESS_THROTTLE.freeAttempts + 1; i += 1) {
      expect((await attempt(uniqueEmail('spray'), 'spray-password-1', address)).status).toBe(401);
    }
    const { email } = await makeUser(api, 'staff', []);
    const throttled = await attempt(email, TEST_PASSWORD, address);
    expect(throttled.status).toBe(429);
    expect(throttled.body.detail).toMatch(/from this address/);
    expect((await attempt(email, TEST_PASSWORD, newAddress())).status).toBe(200);
    api.clock.advance(throttleDelayMs(ADDRESS_THROTTLE, ADDRESS_THROTTLE.freeAttempts + 2) + 1);
    expect((await attempt(email, TEST_PASSWORD, address)).status).toBe(200);
  });

  it('forgets counts once they have been quiet for their window', async () => {
    const address = newAddress();
    const email = uniqueEmail('forget');
    await attempt(email, 'wrong-guess-1-xyz', address);
    const keys = async () => (await get().db.kysely.selectFrom('login_throttle').select('key').execute()).map((r) => r.key);
    expect(await keys()).toContain(`ip:${address}`);
    await purgeStaleThrottles(get().db, api.clock.now());
    expect(await keys()).toContain(`ip:${address}`);
    api.clock.advance(ACCOUNT_THROTTLE.quietMs + 1);
    await purgeStaleThrottles(get().db, api.clock.now());
    expect(await keys()).not.toContain(`ip:${address}`);
    expect(await keys()).not.toContain(`account:${email}`);
  });
});

import { beforeAll, expect, it } from 'vitest';
import { ACCOUNT_THROTTLE, ADDRESS_THROTTLE, purgeStaleThrottles } from '../../src/modules/access/index.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { makeUser, TEST_PASSWORD, uniqueEmail } from '../support/access.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

let addressCounter = 0;
/** Each test signs in from its own address, so the per-address count of one does not touch another. */
const newAddress = () => `10.9.${Math.floor(addressCounter / 250)}.${(addressCounter++ % 250) + 1}`;

describeEachDatabase('sign-in throttling', (get) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi(get().db);
  });

  const attempt = (email: string, password: string, remoteAddress: string) =>
    api.as(null).request('POST', '/api/v1/session', { body: { email, password }, remoteAddress });

  it('locks an account after ten failures, refuses even the right password, logs it, and lets go after fifteen minutes', async () => {
    expect(ACCOUNT_THROTTLE).toMatchObject({ failuresMax: 10, lockMs: 15 * 60 * 1000 });
    const { email, user } = await makeUser(api, 'staff', []);
    const address = newAddress();
    for (let i = 0; i < ACCOUNT_THROTTLE.failuresMax; i += 1) {
      expect((await attempt(email, `wrong-guess-${i}-xyz`, address)).status).toBe(401);
    }
    // From another address too: the lock is on the account.
    const locked = await attempt(email, TEST_PASSWORD, newAddress());
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('rate_limited');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);

    const events = (await api.get(`/api/v1/audit-events?target_id=${user.id}&route=/api/v1/session`)).body.data;
    expect(events.filter((e: any) => e.status === 401)).toHaveLength(ACCOUNT_THROTTLE.failuresMax);
    expect(events.some((e: any) => /account locked until/.test(e.note ?? ''))).toBe(true);
    const refused = (await api.get('/api/v1/audit-events?route=/api/v1/session&outcome=failure&limit=50')).body.data;
    expect(refused.some((e: any) => e.status === 429 && e.problem_code === 'rate_limited' && e.note === `sign-in as ${email}`)).toBe(true);

    api.clock.advance(ACCOUNT_THROTTLE.lockMs - 60_000);
    expect((await attempt(email, TEST_PASSWORD, address)).status).toBe(429);
    api.clock.advance(60_001);
    expect((await attempt(email, TEST_PASSWORD, address)).status).toBe(200);
  });

  it('starts the count afresh after a successful sign-in', async () => {
    const { email } = await makeUser(api, 'staff', []);
    const address = newAddress();
    for (let i = 0; i < ACCOUNT_THROTTLE.failuresMax - 1; i += 1) await attempt(email, `wrong-guess-${i}-xyz`, address);
    expect((await attempt(email, TEST_PASSWORD, address)).status).toBe(200);
    for (let i = 0; i < ACCOUNT_THROTTLE.failuresMax - 1; i += 1) await attempt(email, `wrong-guess-${i}-xyz`, address);
    expect((await attempt(email, TEST_PASSWORD, address)).status).toBe(200);
  });

  it('locks an email that has no account the same way, so the lock does not tell which emails exist', async () => {
    const email = uniqueEmail('ghost');
    const address = newAddress();
    for (let i = 0; i < ACCOUNT_THROTTLE.failuresMax; i += 1) expect((await attempt(email, `wrong-guess-${i}-xyz`, address)).status).toBe(401);
    expect((await attempt(email, 'anything-at-all-1', address)).status).toBe(429);
  });

  it('lifts the lock when an owner sets a new password', async () => {
    const { email, user } = await makeUser(api, 'viewer', []);
    const address = newAddress();
    for (let i = 0; i < ACCOUNT_THROTTLE.failuresMax; i += 1) await attempt(email, `wrong-guess-${i}-xyz`, address);
    expect((await attempt(email, TEST_PASSWORD, address)).status).toBe(429);
    expect((await api.post(`/api/v1/users/${user.id}/password`, { password: 'copper-kettle-meadow' })).status).toBe(200);
    expect((await attempt(email, 'copper-kettle-meadow', address)).status).toBe(200);
  });

  it('throttles an address that fails across many accounts, but not other addresses', async () => {
    const address = newAddress();
    for (let i = 0; i < ADDRESS_THROTTLE.failuresMax; i += 1) {
      expect((await attempt(uniqueEmail('spray'), 'spray-password-1', address)).status).toBe(401);
    }
    const { email } = await makeUser(api, 'staff', []);
    const throttled = await attempt(email, TEST_PASSWORD, address);
    expect(throttled.status).toBe(429);
    expect(throttled.body.detail).toMatch(/address/);
    expect((await attempt(email, TEST_PASSWORD, newAddress())).status).toBe(200);
    api.clock.advance(ADDRESS_THROTTLE.lockMs + 1);
    expect((await attempt(email, TEST_PASSWORD, address)).status).toBe(200);
  });

  it('forgets failure counts once their window and any lock have passed', async () => {
    const address = newAddress();
    const email = uniqueEmail('forget');
    await attempt(email, 'wrong-guess-1-xyz', address);
    const keys = async () => (await get().db.kysely.selectFrom('login_throttle').select('key').execute()).map((r) => r.key);
    expect(await keys()).toContain(`ip:${address}`);
    await purgeStaleThrottles(get().db, api.clock.now());
    expect(await keys()).toContain(`ip:${address}`);
    api.clock.advance(ACCOUNT_THROTTLE.windowMs + 1);
    await purgeStaleThrottles(get().db, api.clock.now());
    expect(await keys()).not.toContain(`ip:${address}`);
    expect(await keys()).not.toContain(`account:${email}`);
  });
});

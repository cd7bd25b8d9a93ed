import { systemActor, type Role } from '../../src/platform/context.ts';
import { createToken, createUser, preparePassword, SESSION_COOKIE, type SiteGrant, type UserRecord } from '../../src/modules/access/index.ts';
import type { TestApi } from './http.ts';

let counter = 0;
export const uniqueEmail = (tag = 'user') => `${tag}.${process.pid}.${Date.now().toString(36)}.${(counter += 1)}@example.test`;

export const TEST_PASSWORD = 'plum-tractor-lantern-42';

/** A token of the given role and sites, made through the service as the system would. */
export async function makeToken(api: TestApi, role: Role, sites: SiteGrant = 'all', extra: { expiresAt?: number; name?: string } = {}): Promise<{ id: string; secret: string }> {
  const made = await createToken(
    { db: api.db, clock: api.clock, actor: systemActor },
    { name: extra.name ?? `${role} test token`, role, sites, expiresAt: extra.expiresAt ?? null },
  );
  return { id: made.token.id, secret: made.secret };
}

export async function makeUser(
  api: TestApi,
  role: Role,
  sites: SiteGrant = 'all',
  options: { email?: string; password?: string; name?: string } = {},
): Promise<{ user: UserRecord; email: string; password: string }> {
  const email = options.email ?? uniqueEmail(role);
  const password = options.password ?? TEST_PASSWORD;
  const passwordHash = await preparePassword(password);
  const user = await createUser({ db: api.db, clock: api.clock, actor: systemActor }, { email, name: options.name ?? `Test ${role}`, role, sites, passwordHash });
  return { user, email, password };
}

export interface SignedIn {
  session: string;
  csrf: string;
  body: any;
}

/** Signs in through the API; returns the cookie's secret and the CSRF token the session answer carries. */
export async function signIn(api: TestApi, email: string, password: string, remoteAddress?: string): Promise<SignedIn> {
  const response = await api.as(null).request('POST', '/api/v1/session', { body: { email, password }, ...(remoteAddress ? { remoteAddress } : {}) });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(response.body)}`);
  const session = response.cookies[SESSION_COOKIE];
  if (!session) throw new Error('sign-in set no session cookie');
  return { session, csrf: response.body.csrf_token, body: response.body };
}

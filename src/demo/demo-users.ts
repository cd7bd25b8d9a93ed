import type { Role, ServiceContext } from '../platform/context.ts';
import { countUsers, createToken, createUser, findUserByEmail, listTokens, preparePassword, revokeToken } from '../modules/access/index.ts';
import { findSiteByCode } from '../modules/locations/index.ts';

/**
 * One demo person per role, with passwords everybody knows: for trying the shop out, never
 * for a real one. A fresh owner token is made at every demo start (the previous one revoked),
 * so the printed `curl` line always works.
 */
export interface DemoUser {
  role: Role;
  email: string;
  name: string;
  password: string;
  /** Site codes, or 'all'. */
  sites: 'all' | string[];
  where: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { role: 'owner', email: 'owner@demo.test', name: 'Olive Owner', password: 'demo-owner-pass', sites: 'all', where: 'every site' },
  { role: 'manager', email: 'manager@demo.test', name: 'Max Manager', password: 'demo-manager-pass', sites: ['MAIN', 'WH'], where: 'Main Street store and the warehouse' },
  { role: 'staff', email: 'staff@demo.test', name: 'Sam Staff', password: 'demo-staff-pass', sites: ['MAIN'], where: 'Main Street store' },
  { role: 'viewer', email: 'viewer@demo.test', name: 'Vera Viewer', password: 'demo-viewer-pass', sites: ['HARB'], where: 'Harbour store' },
];

export const DEMO_TOKEN_NAME = 'demo start (owner)';

export type DemoUsersState = 'created' | 'present' | 'not_demo';

/**
 * Creates the demo users when the database has the demo shop and nobody yet; says 'present'
 * when they exist already, and 'not_demo' when the database holds someone else's users or shop.
 */
export async function ensureDemoUsers(ctx: ServiceContext): Promise<DemoUsersState> {
  if (await findUserByEmail(ctx.db.kysely, DEMO_USERS[0]!.email)) return 'present';
  if ((await countUsers(ctx.db.kysely)) > 0) return 'not_demo';
  const grants = new Map<string, string>();
  for (const code of ['MAIN', 'WH', 'HARB']) {
    const site = await findSiteByCode(ctx.db.kysely, code);
    if (!site) return 'not_demo';
    grants.set(code, site.id);
  }
  for (const person of DEMO_USERS) {
    const passwordHash = await preparePassword(person.password, { email: person.email, name: person.name });
    const sites = person.sites === 'all' ? 'all' : person.sites.map((code) => grants.get(code)!);
    await createUser(ctx, { email: person.email, name: person.name, role: person.role, sites, passwordHash });
  }
  return 'created';
}

/** Revokes the token printed at the previous demo start and makes a new one. */
export async function freshDemoToken(ctx: ServiceContext): Promise<string> {
  const open = await listTokens(ctx, { includeRevoked: false, limit: 500 });
  for (const token of open.records.filter((t) => t.name === DEMO_TOKEN_NAME)) await revokeToken(ctx, token.id);
  const made = await createToken(ctx, { name: DEMO_TOKEN_NAME, role: 'owner', sites: 'all' });
  return made.secret;
}

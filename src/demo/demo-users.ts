import type { Role, ServiceContext } from '../platform/context.ts';
import { countUsers, createToken, createUser, findUserByEmail, listTokens, preparePassword, revokeToken, userActor } from '../modules/access/index.ts';
import { findSiteByCode } from '../modules/locations/index.ts';
import { createSubscription, notifyRecentAlerts, type AlertRule } from '../modules/alerts/index.ts';

/**
 * One demo person per role, with passwords everybody knows: for trying the shop out, never
 * for a real one. A fresh owner token is made at every demo start (the previous one revoked),
 * so the printed `curl` line always works. The token acts for the demo owner, so it dies with
 * her account; and neither token nor passwords are printed once the database holds anyone
 * else — a shop that started as a demo and took on real people is a real shop.
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

/**
 * What each demo person hears about: the manager watches low stock and expiring lots in the app
 * and gets low stock as a morning digest; the owner hears of negative stock, late purchase
 * orders and failed deliveries; the staff member of the Main Street store hears of negative
 * stock there (it asks for a count). Site codes as in DEMO_USERS; null: every granted site.
 */
const DEMO_SUBSCRIPTIONS: ReadonlyArray<{ email: string; rule: AlertRule; channel: 'email' | 'in_app'; site?: string; digest?: boolean }> = [
  { email: 'manager@demo.test', rule: 'low_stock', channel: 'in_app' },
  { email: 'manager@demo.test', rule: 'low_stock', channel: 'email', digest: true },
  { email: 'manager@demo.test', rule: 'lot_expiring', channel: 'in_app' },
  { email: 'owner@demo.test', rule: 'negative_stock', channel: 'in_app' },
  { email: 'owner@demo.test', rule: 'po_late', channel: 'in_app' },
  { email: 'owner@demo.test', rule: 'delivery_failed', channel: 'in_app' },
  { email: 'staff@demo.test', rule: 'negative_stock', channel: 'in_app', site: 'MAIN' },
];

/** The demo's bells show the latest alerts of the simulated last day, as if everyone had been subscribed all along. */
const DEMO_BELL_DAYS = 1;
const DEMO_BELL_ALERTS = 40;

export const DEMO_TOKEN_NAME = 'demo start (owner)';

export type DemoUsersState = 'created' | 'present' | 'not_demo';

/**
 * Creates the demo users when the database has the demo shop and nobody yet; says 'present'
 * when they exist already, and 'not_demo' when the database holds someone else's users or shop.
 */
export async function ensureDemoUsers(ctx: ServiceContext): Promise<DemoUsersState> {
  const users = await ctx.db.kysely.selectFrom('users').select(['email', 'status']).execute();
  if (users.length > 0) {
    const demoEmails = new Set(DEMO_USERS.map((u) => u.email));
    const onlyDemo = users.every((u) => demoEmails.has(u.email.toLowerCase()));
    const owner = users.find((u) => u.email.toLowerCase() === DEMO_USERS[0]!.email);
    return onlyDemo && owner?.status === 'active' ? 'present' : 'not_demo';
  }
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
  for (const sub of DEMO_SUBSCRIPTIONS) {
    const user = (await findUserByEmail(ctx.db.kysely, sub.email))!;
    await createSubscription(ctx, { user_id: user.id, rule: sub.rule, channel: sub.channel, site_id: sub.site ? grants.get(sub.site)! : null, digest: sub.digest ?? false });
  }
  const newest = await ctx.db.kysely.selectFrom('alerts').select((eb) => eb.fn.max('created_at').as('at')).executeTakeFirst();
  if (newest?.at != null) await notifyRecentAlerts(ctx, Number(newest.at) - DEMO_BELL_DAYS * 86_400_000, DEMO_BELL_ALERTS);
  return 'created';
}

/**
 * Revokes the token printed at the previous demo start and makes a new one, acting for the demo
 * owner (so it is refused once she is disabled). Call it only when `ensureDemoUsers` said the
 * demo users are the only users.
 */
export async function freshDemoToken(ctx: ServiceContext): Promise<string> {
  const owner = await findUserByEmail(ctx.db.kysely, DEMO_USERS[0]!.email);
  if (!owner || owner.role !== 'owner' || owner.status !== 'active') throw new Error('the demo owner is missing or disabled; no demo token is made');
  const asOwner: ServiceContext = { ...ctx, actor: userActor(owner, []) };
  const open = await listTokens(asOwner, { includeRevoked: false, limit: 500 });
  for (const token of open.records.filter((t) => t.name === DEMO_TOKEN_NAME)) await revokeToken(asOwner, token.id);
  const made = await createToken(asOwner, { name: DEMO_TOKEN_NAME, role: 'owner', sites: 'all' });
  return made.secret;
}

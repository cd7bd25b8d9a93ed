import type { Role } from '../../platform/context.ts';

/**
 * The permission catalogue and what each role holds. Every route names one of these (or says it
 * is public); registering a route that names anything else fails at start-up, so a typo cannot
 * open or close a door silently. Routes still to come pick their names from here.
 *
 * Permissions say *what* an actor may do; site grants say *where*. A permission on a route
 * that takes a location applies only at the sites the actor is granted, and services hide
 * documents at other sites (404).
 */
export const PERMISSIONS = {
  'account.read': 'See who you are signed in as, your role, sites and permissions.',
  'account.write': 'Sign out and change your own password.',
  'items.read': 'Read the catalogue: items, barcodes, units, components.',
  'items.write': 'Create, change, archive and delete items.',
  'locations.read': 'Read the location tree of the granted sites.',
  'locations.write': 'Create zones and bins and change locations at granted sites (a new site needs access to every site).',
  'stock.read': 'Read balances, movements, lots and reservations at granted sites.',
  'costs.read': 'See unit costs, stock values and margins in responses (without it they are left out).',
  'adjustments.read': 'Read stock adjustments at granted sites.',
  'adjustments.write': 'Post and reverse stock adjustments at granted sites.',
  'purchasing.read': 'Read vendors, purchase orders and receipts.',
  'purchasing.write': 'Create and change vendors and purchase orders.',
  'purchasing.approve': 'Approve purchase orders.',
  'receiving.write': 'Receive goods against purchase orders at granted sites.',
  'sales.read': 'Read sales at granted sites.',
  'sales.write': 'Sell at the counter, take payments, void open sales.',
  'orders.read': 'Read customer and channel orders.',
  'orders.write': 'Create and change orders (a sales channel’s token needs this).',
  'channels.write': 'Set up sales channels: the sites they sell from, buffers, back-order and expiry rules.',
  'fulfillment.write': 'Pick, pack and ship orders from granted sites.',
  'returns.write': 'Accept returns at granted sites.',
  'transfers.write': 'Move stock between granted sites.',
  'counts.write': 'Count stock at granted sites.',
  'production.write': 'Run production orders (start, complete with actual quantities, close) and disassemblies at granted sites.',
  'counts.approve': 'Approve count variances.',
  'reports.read': 'Read reports and dashboards of granted sites.',
  'reports.manage': 'Save, share and schedule reports made with the report builder.',
  'users.manage': 'Create users, change their roles and grants, disable them, reset passwords.',
  'tokens.manage': 'Create, list and revoke API tokens.',
  'audit.read': 'Read the audit log.',
  'settings.write': 'Change shop-wide settings.',
  'tax.write': 'Set up tax: rates, the rules that give them to sites and categories, exempt items.',
  'webhooks.manage': 'Create, change, rotate and test webhook subscriptions (shop-wide: needs every site).',
  'deliveries.manage': 'Read the delivery log of emails, texts and webhooks; redeliver; pause and resume destinations.',
} as const satisfies Record<string, string>;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export const ROLES = ['owner', 'manager', 'staff', 'viewer'] as const satisfies readonly Role[];

const everyRole: Permission[] = ['account.read', 'account.write', 'items.read', 'locations.read', 'stock.read', 'adjustments.read'];

const staff: Permission[] = [
  ...everyRole,
  'adjustments.write',
  'purchasing.read',
  'receiving.write',
  'sales.read',
  'sales.write',
  'orders.read',
  'orders.write',
  'fulfillment.write',
  'returns.write',
  'transfers.write',
  'counts.write',
  'production.write',
];

/**
 * owner: everything. manager: everything at granted sites except shop-wide settings; manages
 * staff and viewers of their own sites only. staff: the counter and the stockroom floor, never
 * costs, no approvals. viewer: reads stock and reports (with costs: an accountant) and changes
 * nothing.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  owner: new Set<Permission>(ALL_PERMISSIONS),
  manager: new Set<Permission>(ALL_PERMISSIONS.filter((p) => p !== 'settings.write')),
  staff: new Set(staff),
  viewer: new Set<Permission>([...everyRole, 'costs.read', 'reports.read']),
};

export const ROLE_DESCRIPTIONS = {
  owner: 'Everything, at every site, including users, tokens, the audit log and settings.',
  manager: 'Everything at the granted sites: purchasing, approvals, reports, costs and the audit log; manages staff and viewers of those sites.',
  staff: 'Sells, receives, counts, transfers and adjusts stock at the granted sites; never sees costs or margins; approves nothing.',
  viewer: 'Reads stock and reports (costs included) at the granted sites; changes nothing.',
} as const satisfies Record<Role, string>;

export function isPermission(name: string): name is Permission {
  return Object.hasOwn(PERMISSIONS, name);
}

export function roleHas(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

export function permissionsOf(role: Role): Permission[] {
  return ALL_PERMISSIONS.filter((p) => ROLE_PERMISSIONS[role].has(p));
}

/** True when every permission of `granted` is also held by `granter`: one cannot hand out more than one has. */
export function roleCovers(granter: Role, granted: Role): boolean {
  for (const p of ROLE_PERMISSIONS[granted]) if (!ROLE_PERMISSIONS[granter].has(p)) return false;
  return true;
}

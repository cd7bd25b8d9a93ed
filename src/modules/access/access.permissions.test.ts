import { describe, expect, it } from 'vitest';
import { canSeeCosts, type Actor } from '../../platform/context.ts';
import { assertRouteAccess } from './access.http.ts';
import { ALL_PERMISSIONS, PERMISSIONS, ROLE_PERMISSIONS, ROLES, isPermission, permissionsOf, roleCovers, roleHas } from './access.permissions.ts';

describe('the permission catalogue and role table', () => {
  it('names every permission a route uses today, and the ones routes to come will need', () => {
    for (const name of ['locations.read', 'locations.write', 'items.read', 'items.write', 'stock.read', 'adjustments.read', 'adjustments.write']) {
      expect(isPermission(name)).toBe(true);
    }
    for (const name of ['purchasing.read', 'purchasing.write', 'purchasing.approve', 'receiving.write', 'sales.write', 'sales.read', 'orders.read', 'orders.write', 'fulfillment.write', 'returns.write', 'transfers.write', 'counts.write', 'reports.read', 'costs.read', 'users.manage', 'tokens.manage', 'audit.read', 'settings.write']) {
      expect(isPermission(name)).toBe(true);
      expect(PERMISSIONS[name as keyof typeof PERMISSIONS].length).toBeGreaterThan(10);
    }
    expect(isPermission('item.read')).toBe(false);
    expect(isPermission('toString')).toBe(false);
  });

  it('gives the owner everything and the manager everything but shop-wide settings', () => {
    expect(permissionsOf('owner')).toEqual(ALL_PERMISSIONS);
    expect(ALL_PERMISSIONS.filter((p) => !roleHas('manager', p))).toEqual(['settings.write']);
  });

  it('lets staff work the counter and the floor, without costs, approvals or administration', () => {
    for (const p of ['sales.write', 'receiving.write', 'counts.write', 'transfers.write', 'adjustments.write', 'items.read', 'stock.read'] as const) expect(roleHas('staff', p)).toBe(true);
    for (const p of ['costs.read', 'reports.read', 'purchasing.approve', 'counts.approve', 'users.manage', 'tokens.manage', 'audit.read', 'settings.write', 'items.write'] as const) {
      expect(roleHas('staff', p)).toBe(false);
    }
  });

  it('lets viewers read stock and reports and change nothing but their own sign-in', () => {
    const writes = permissionsOf('viewer').filter((p) => !p.endsWith('.read'));
    expect(writes).toEqual(['account.write']);
    expect(roleHas('viewer', 'reports.read')).toBe(true);
    expect(roleHas('viewer', 'stock.read')).toBe(true);
  });

  it('agrees with canSeeCosts, which the mappers use to leave costs out', () => {
    for (const role of ROLES) {
      const actor: Actor = { kind: 'user', id: 'usr_X', label: 'x', role, sites: 'all' };
      expect(canSeeCosts(actor), role).toBe(roleHas(role, 'costs.read'));
    }
  });

  it('knows who can hand on which role', () => {
    expect(roleCovers('owner', 'owner')).toBe(true);
    expect(roleCovers('manager', 'owner')).toBe(false);
    expect(roleCovers('manager', 'staff')).toBe(true);
    expect(roleCovers('manager', 'viewer')).toBe(true);
    expect(roleCovers('staff', 'viewer')).toBe(false);
    for (const role of ROLES) for (const p of ROLE_PERMISSIONS[role]) expect(ALL_PERMISSIONS).toContain(p);
  });
});

describe('route declarations', () => {
  it('accepts a known permission or a public route with a reason, and nothing else', () => {
    expect(() => assertRouteAccess('GET', '/x', { permission: 'items.read' })).not.toThrow();
    expect(() => assertRouteAccess('GET', '/x', { public: true, reason: 'health probes' })).not.toThrow();
    expect(() => assertRouteAccess('GET', '/x', undefined)).toThrow(/declares no access/);
    expect(() => assertRouteAccess('GET', '/x', { permission: 'items.reed' })).toThrow(/unknown permission/);
    expect(() => assertRouteAccess('GET', '/x', { public: true, reason: '' })).toThrow(/why it is public/);
  });
});

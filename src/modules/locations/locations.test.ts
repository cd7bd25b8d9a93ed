import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { systemActor } from '../../platform/context.ts';
import { LocationError } from './locations.errors.ts';
import { toLocationTree } from './locations.mapper.ts';
import { createLocation, getLocation, listLocations, loadStockPolicies, resolveStockLocation, updateLocation, VIRTUAL_LOCATION_IDS } from './locations.service.ts';

describeEachDatabase('locations', (get) => {
  it('gives each site a default bin and its negative-stock policy by type', async () => {
    const ctx = serviceContext(get().db);
    const store = await createLocation(ctx, { kind: 'site', code: 'ST1', name: 'Store', site_type: 'store' });
    const wh = await createLocation(ctx, { kind: 'site', code: 'WH1', name: 'Warehouse', site_type: 'warehouse' });
    expect(store.negative_stock).toBe('allow');
    expect(wh.negative_stock).toBe('strict');
    const bin = await resolveStockLocation(ctx, store.id);
    expect(bin).toMatchObject({ kind: 'bin', parent_id: store.id, full_code: 'ST1/MAIN', negative_stock: 'allow' });
  });

  it('nests zones and bins, refuses duplicates and bins inside bins', async () => {
    const ctx = serviceContext(get().db);
    const wh = await createLocation(ctx, { kind: 'site', code: 'WH2', name: 'Warehouse', site_type: 'warehouse' });
    const zone = await createLocation(ctx, { kind: 'zone', parent_id: wh.id, code: 'A', name: 'Aisle A' });
    const bin = await createLocation(ctx, { kind: 'bin', parent_id: zone.id, code: '01', name: 'Shelf 1' });
    expect(bin.full_code).toBe('WH2/A/01');
    await expect(createLocation(ctx, { kind: 'bin', parent_id: zone.id, code: '01', name: 'again' })).rejects.toMatchObject({ code: 'location_code_taken' });
    await expect(createLocation(ctx, { kind: 'bin', parent_id: bin.id, code: 'X', name: 'x' })).rejects.toMatchObject({ code: 'location_parent_invalid' });
    await expect(resolveStockLocation(ctx, zone.id)).rejects.toBeInstanceOf(LocationError);
    const tree = toLocationTree(await listLocations(ctx, { siteId: wh.id, includeVirtual: false }));
    expect(tree).toHaveLength(1);
    expect(tree[0]!.children.map((c) => c.code)).toEqual(['A', 'MAIN']);
    expect(tree[0]!.children[0]!.children.map((c) => c.full_code)).toEqual(['WH2/A/01']);
  });

  it('copies a changed policy onto every bin of the site', async () => {
    const ctx = serviceContext(get().db);
    const store = await createLocation(ctx, { kind: 'site', code: 'ST3', name: 'Store', site_type: 'store' });
    await updateLocation(ctx, store.id, { negative_stock: 'strict' });
    const policies = await loadStockPolicies(get().db.kysely, [store.default_bin_id!]);
    expect(policies.get(store.default_bin_id!)?.strict).toBe(true);
    await expect(updateLocation(ctx, store.default_bin_id!, { negative_stock: 'allow' })).rejects.toMatchObject({ code: 'location_policy_not_settable' });
  });

  it('knows the virtual locations without reading them, and takes a row read in the same transaction as read', async () => {
    const db = get().db.kysely;
    const virtual = Object.values(VIRTUAL_LOCATION_IDS);
    const rows = await db.selectFrom('locations').select(['id', 'kind', 'site_id', 'negative_stock', 'virtual_type', 'status']).where('kind', '=', 'virtual').execute();
    expect(rows.map((r) => r.id).sort()).toEqual([...virtual].sort());
    // The fixed policies are what the migration's rows give when passed in as read.
    expect(await loadStockPolicies(db, virtual)).toEqual(await loadStockPolicies(db, virtual, rows));
    expect((await loadStockPolicies(db, [VIRTUAL_LOCATION_IDS.transit])).get(VIRTUAL_LOCATION_IDS.transit)).toMatchObject({ valued: true, strict: false, holdsStock: true });
    const ctx = serviceContext(get().db);
    const store = await createLocation(ctx, { kind: 'site', code: 'ST4', name: 'Store', site_type: 'store' });
    const bin = await resolveStockLocation(ctx, store.id);
    expect((await loadStockPolicies(db, [bin.id], [{ ...bin, negative_stock: 'strict' }])).get(bin.id)?.strict).toBe(true);
    expect((await loadStockPolicies(db, [bin.id, 'loc_missing'])).get(bin.id)?.strict).toBe(false);
    expect((await loadStockPolicies(db, ['loc_missing'])).has('loc_missing')).toBe(false);
  });

  it('hides the sites an actor is not granted, as if they did not exist', async () => {
    const ctx = serviceContext(get().db);
    const a = await createLocation(ctx, { kind: 'site', code: 'VA', name: 'A', site_type: 'store' });
    const b = await createLocation(ctx, { kind: 'site', code: 'VB', name: 'B', site_type: 'store' });
    const limited = { ...ctx, actor: { ...systemActor, id: 'usr_x', role: 'staff' as const, sites: new Set([a.id]) } };
    expect((await getLocation(limited, a.id)).id).toBe(a.id);
    await expect(getLocation(limited, b.id)).rejects.toMatchObject({ code: 'location_not_found' });
    const visible = await listLocations(limited, { includeVirtual: false });
    expect(visible.every((l) => l.site_id === a.id)).toBe(true);
  });
});

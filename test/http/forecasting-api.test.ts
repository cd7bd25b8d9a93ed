import { beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor, type ServiceContext } from '../../src/platform/context.ts';
import { postMovements } from '../../src/modules/ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../../src/modules/locations/index.ts';
import { makeToken } from '../support/access.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { makeItem, makeShop, type Shop } from '../support/fixtures.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

const DAY = 86_400_000;

describeEachDatabase('forecasting API', (get) => {
  let api: TestApi;
  let shop: Shop;
  let itemId: string;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const ctx: ServiceContext = { db: api.db, clock: systemClock, actor: systemActor };
    shop = await makeShop(ctx);
    itemId = (await makeItem(ctx)).id;
    // Sixty days ago both sites got 200; since then the store sold 2 a day and the warehouse 1.
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    const at = (daysAgo: number) => today - daysAgo * DAY + 12 * 3_600_000;
    const move = (kind: 'receipt' | 'sale', from: string, to: string, units: number, daysAgo: number) =>
      postMovements(ctx, { kind, documentType: kind, documentId: `${kind}-${daysAgo}-${from}`, effectiveAt: at(daysAgo), movements: [{ itemId, fromLocationId: from, toLocationId: to, qty: units * 1000, ...(kind === 'receipt' ? { unitCostMicros: 2_000_000 } : {}) }] });
    await move('receipt', VIRTUAL_LOCATION_IDS.vendor, shop.storeBin, 200, 60);
    await move('receipt', VIRTUAL_LOCATION_IDS.vendor, shop.warehouseBins[0]!, 200, 60);
    for (let d = 60; d >= 1; d -= 1) {
      await move('sale', shop.storeBin, VIRTUAL_LOCATION_IDS.customer, 2, d);
      await move('sale', shop.warehouseBins[0]!, VIRTUAL_LOCATION_IDS.customer, 1, d);
    }
  }, 120_000);

  it('answers history and forecast per site, with intervals', async () => {
    const res = await api.get(`/api/v1/items/${itemId}/forecast?history_days=7&days=3`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const bySite = new Map(res.body.sites.map((s: any) => [s.site_id, s]));
    const store: any = bySite.get(shop.store.id);
    const warehouse: any = bySite.get(shop.warehouse.id);
    expect(store.history.map((h: any) => h.qty)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect(warehouse.history.map((h: any) => h.qty)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    // Under eight weeks of usable days after the first (censored: it started empty): a new item at its recent level.
    expect(store.demand_class).toBe('new');
    expect(store.forecast.map((f: any) => f.mean)).toEqual([2, 2, 2]);
    expect(warehouse.forecast.map((f: any) => f.mean)).toEqual([1, 1, 1]);
    for (const f of store.forecast) expect(f.upper_95).toBeGreaterThanOrEqual(f.upper_80);
  });

  it('shows a caller only the sites it is granted, and refuses a filter on another site (403, as every site filter does)', async () => {
    const staff = await makeToken(api, 'staff', [shop.warehouse.id]);
    const as = api.as({ bearer: staff.secret });
    const mine = await as.get(`/api/v1/items/${itemId}/forecast`);
    expect(mine.status).toBe(200);
    expect(mine.body.sites.map((s: any) => s.site_id)).toEqual([shop.warehouse.id]);
    const other = await as.get(`/api/v1/items/${itemId}/forecast?site_id=${shop.store.id}`);
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('forbidden');
  });

  it('reports accuracy (empty until forecasts are backtested) and scopes it by site', async () => {
    const res = await api.get('/api/v1/reports/forecast-accuracy');
    expect(res.status).toBe(200);
    expect(res.body.benchmark).toBe('seasonal_naive_weekly');
    expect(res.body.overall.forecasts).toBe(0);
    const manager = await makeToken(api, 'manager', [shop.warehouse.id]);
    const other = await api.as({ bearer: manager.secret }).get(`/api/v1/reports/forecast-accuracy?site_id=${shop.store.id}`);
    expect(other.status).toBe(403);
  });
});

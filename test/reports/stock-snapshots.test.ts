import { afterEach, beforeAll, expect, it } from 'vitest';
import { decodeTime } from 'ulid';
import { localDate, startOfLocalDay } from '../../src/platform/clock.ts';
import { newId } from '../../src/platform/ids.ts';
import { systemActor, type Actor } from '../../src/platform/context.ts';
import { inventoryValuation } from '../../src/modules/reports/index.ts';
import { stockValueHistory } from '../../src/modules/reports/stock-status.service.ts';
import { snapshotDayValues } from '../../src/modules/reports/stock-snapshots.service.ts';
import { listBalances } from '../../src/modules/ledger/index.ts';
import { stockSnapshotSettings, takeStockSnapshots, usableSnapshot } from '../../src/modules/reports/index.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * Stock and valuation as of past instants read the same with and without the daily snapshots:
 * for the whole shop, one site, and a caller granted one site (valuation, and balances per item,
 * a line a page at one site), at noon of every day, at each
 * snapshot's very instant and the millisecond after, and again after a back-dated receipt and a
 * landed cost land before snapshots already taken — before the job has repaired them (readers
 * must then not use the stale days) and after (the job retook them). The dashboard's stock value
 * by day (each past day's total kept on its snapshot) is held beside its ledger answer the same way,
 * and through a void and a return of sales the snapshots had already counted.
 */
describeEachDatabase('daily stock snapshots answer as-of questions exactly as the ledger does', (get) => {
  let api: TestApi;
  let sites: any[];
  let items: any[];
  let vendor: any;
  let start: number;
  const tag = `SN${Date.now().toString(36)}`;
  const tz = 'UTC';

  const ctxAs = (actor: Actor = systemActor) => ({ db: api.db, clock: api.clock, actor });
  afterEach(() => {
    stockSnapshotSettings.use = true;
  });

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    await api.request('PATCH', '/api/v1/settings', { body: { time_zone: tz } });
    // Ten days of trade from 10:00 of a day after every id made so far: ids are ULIDs made from
    // the clock, and an id stamped later than the clock would read as recorded after a snapshot.
    const latest = decodeTime(newId('itm').slice(4));
    start = startOfLocalDay(localDate(Math.max(latest, api.clock.now()) + DAY, tz), tz) + 10 * HOUR;
    api.clock.advance(start - api.clock.now());
    sites = [];
    for (const code of ['A', 'B']) sites.push((await api.post('/api/v1/locations', { kind: 'site', code: `${tag}${code}`, name: `Shop ${code}`, site_type: 'store' })).body);
    items = [];
    for (const sku of ['TEA', 'JAM']) items.push((await api.post('/api/v1/items', { sku: `${tag}-${sku}`, name: sku })).body);
    vendor = (await api.post('/api/v1/vendors', { name: `Vendor ${tag}` })).body;
    const opening = async (site: any, lines: Array<[any, number, string]>) =>
      expect((await api.post('/api/v1/adjustments', { location_id: site.id, reason: 'opening_balance', lines: lines.map(([item, qty, cost]) => ({ item_id: item.id, qty, unit_cost: cost })) })).status).toBe(201);
    await opening(sites[0], [[items[0], 40, '2.00'], [items[1], 20, '3.00']]);
    await opening(sites[1], [[items[0], 12, '2.50']]);
    for (let d = 1; d < 10; d += 1) {
      api.clock.advance(DAY);
      const sale = await api.post('/api/v1/sales', { location_id: sites[d % 2].id, register: 'R1', lines: [{ item_id: items[0].id, qty: 1 + (d % 3), unit_price: '5.00' }], payments: [{ tender: 'cash', amount: `${5 * (1 + (d % 3))}.00` }] }, { 'idempotency-key': `${tag}-s${d}` });
      expect(sale.status, JSON.stringify(sale.body)).toBe(201);
      if (d === 5) {
        // An item first stocked between a snapshot and the noon asked about: in no snapshot yet.
        items.push((await api.post('/api/v1/items', { sku: `${tag}-NEW`, name: 'NEW', category: `${tag}-C` })).body);
        await opening(sites[0], [[items[2], 6, '4.00']]);
      }
      if (d % 4 === 0) {
        const moved = await api.post('/api/v1/adjustments', { location_id: sites[0].id, reason: 'damaged', lines: [{ item_id: items[1].id, qty: -1 }] });
        expect(moved.status, JSON.stringify(moved.body)).toBe(201);
      }
    }
    api.clock.advance(DAY);
  });

  /** The instants asked about: noon of every day, each day's last millisecond and the next. */
  function instants(): number[] {
    const out: number[] = [];
    for (let d = 0; d <= 10; d += 1) {
      const midnight = startOfLocalDay(localDate(start + d * DAY, tz), tz);
      out.push(midnight + 12 * HOUR, midnight + DAY - 1, midnight + DAY);
    }
    return out.filter((t) => t < api.clock.now());
  }

  async function answers(use: boolean): Promise<string[]> {
    stockSnapshotSettings.use = use;
    const oneSite: Actor = { kind: 'token', id: 'tok_SNAP', label: 'one site', role: 'manager', sites: new Set([sites[1].id]) };
    const twoSites: Actor = { ...oneSite, sites: new Set([sites[0].id, sites[1].id]) };
    const out: string[] = [];
    for (const asOf of instants()) {
      const shop = await inventoryValuation(ctxAs(), { asOf });
      const siteA = await inventoryValuation(ctxAs(), { asOf, locationId: sites[0].id });
      const granted = await inventoryValuation(ctxAs(oneSite), { asOf });
      const both = await inventoryValuation(ctxAs(twoSites), { asOf });
      const category = await inventoryValuation(ctxAs(), { asOf, category: `${tag}-C` });
      const mine = (r: typeof shop) => r.lines.filter((l) => items.some((i) => i.id === l.itemId)).map((l) => `${l.sku}:${l.qty}:${l.unitCost}:${l.value}`);
      // Balances at the snapshot instants and the millisecond after (not noon), to keep the test short.
      const balances = new Date(asOf).getUTCHours() === 12 ? '' : await balancesAsOf(asOf, oneSite);
      out.push(`${asOf} shop ${shop.totalValue} ${mine(shop)} | A ${mine(siteA)} | B ${mine(granted)} | AB ${mine(both)} | C ${mine(category)} | ${balances}`);
    }
    // The dashboard's value by day: each past day's from its snapshot, the rest back from now.
    out.push(`value by day ${JSON.stringify(await stockValueHistory(ctxAs(), 8))}`);
    stockSnapshotSettings.use = true;
    return out;
  }

  /** GET /balances?as_of=…&group_by=item: at site A a line a page, for the granted caller, and one item everywhere. */
  async function balancesAsOf(asOf: number, oneSite: Actor): Promise<string> {
    const pages = async (actor: Actor, query: { locationId?: string; itemId?: string }, limit = 1) => {
      const out: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listBalances(ctxAs(actor), { ...query, asOf, groupBy: 'item', includeVirtual: false, limit, cursor });
        out.push(...page.lines.map((l) => `${l.itemId}:${l.onHand}`));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return out.join(',');
    };
    return [await pages(systemActor, { locationId: sites[0].id }), await pages(oneSite, {}, 10), await pages(systemActor, { itemId: items[0].id })].join(' ; ');
  }

  async function snapshotsInUse(): Promise<number> {
    let used = 0;
    for (const asOf of instants()) if (await usableSnapshot(api.db.kysely, asOf)) used += 1;
    return used;
  }

  it('takes a snapshot for every day since the first movement, and answers as the ledger does', async () => {
    const days = await takeStockSnapshots(ctxAs());
    expect(days.length).toBeGreaterThanOrEqual(10);
    expect(days).toContain(localDate(start, tz));
    expect(await takeStockSnapshots(ctxAs())).toEqual([]); // nothing more to take today
    expect(await snapshotsInUse()).toBeGreaterThan(20);
    expect(await answers(true)).toEqual(await answers(false));
    // An item renamed and moved to another category after the snapshots: its lines (and the
    // category's) show it as the catalog does now, though the snapshot rows carry the old facts.
    const renamed = await api.patch(`/api/v1/items/${items[1].id}`, { sku: `${tag}-JAM2`, name: 'JAM2', category: `${tag}-C` });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    items[1] = renamed.body;
    expect(await answers(true)).toEqual(await answers(false));
  });

  it('pages balances per item at noon (a snapshot plus the morning\'s movements) as the ledger does, each page adding its own items\' movements alone', async () => {
    const noons = instants().filter((t) => new Date(t).getUTCHours() === 12);
    const paged = async (use: boolean) => {
      stockSnapshotSettings.use = use;
      const out: string[] = [];
      for (const asOf of noons) {
        for (const [query, limit] of [[{ locationId: sites[0].id }, 1], [{ locationId: sites[0].id }, 2], [{}, 1]] as const) {
          const lines: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await listBalances(ctxAs(), { ...query, asOf, groupBy: 'item', includeVirtual: false, limit, cursor });
            lines.push(...page.lines.map((l) => `${l.itemId}:${l.onHand}`));
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          out.push(`${asOf} ${limit} ${lines.filter((l) => items.some((i) => l.startsWith(`${i.id}:`))).join(',')}`);
        }
      }
      stockSnapshotSettings.use = true;
      return out;
    };
    const withSnapshots = await paged(true);
    expect(withSnapshots).toEqual(await paged(false));
    // The morning's sales at shop A moved tea, and the new item was first stocked there on day 5's
    // morning: in no snapshot yet, it comes from the movements since, on its own page.
    expect(withSnapshots.filter((l) => l.includes(`${items[2].id}:6000`)).length).toBeGreaterThan(0);
  });

  it('stays exact after a back-dated receipt lands before the snapshots, before and after the job retakes them', async () => {
    const before = await answers(false);
    // Goods received five days ago, entered today.
    const receivedAt = start + 5 * DAY + 2 * HOUR;
    const po = await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: sites[0].id, lines: [{ item_id: items[0].id, qty: 30, unit_price: '1.00' }] });
    expect(po.status, JSON.stringify(po.body)).toBe(201);
    expect((await api.post(`/api/v1/purchase-orders/${po.body.id}/send`)).status).toBe(200);
    const receipt = await api.post('/api/v1/receipts', { purchase_order_id: po.body.id, received_at: new Date(receivedAt).toISOString(), lines: [{ purchase_order_line_id: po.body.lines[0].id, qty: 30 }] });
    expect(receipt.status, JSON.stringify(receipt.body)).toBe(201);
    expect((await api.post(`/api/v1/receipts/${receipt.body.id}/post`)).status).toBe(200);

    const withoutRepair = await answers(true);
    expect(withoutRepair).toEqual(await answers(false));
    expect(withoutRepair).not.toEqual(before); // the receipt shows from its day on
    // The stale days are not used until the job retakes them: only those before the receipt are.
    const usable = await snapshotsInUse();
    expect(usable).toBeGreaterThan(0);
    expect(usable).toBeLessThan(instants().length - 3);

    // The job runs a while later (a movement recorded in the few minutes before a snapshot starts
    // is taken as possibly missed, for transactions still open then).
    api.clock.advance(6 * 60_000);
    const retaken = await takeStockSnapshots(ctxAs());
    expect(retaken[0]).toBe(localDate(receivedAt, tz));
    expect(await answers(true)).toEqual(await answers(false));
    expect(await snapshotsInUse()).toBeGreaterThan(20);

    // A landed cost on that receipt rewrites its value (and what was sold from it) back then.
    const landed = await api.post(`/api/v1/receipts/${receipt.body.id}/landed-costs`, { charges: [{ kind: 'freight', amount: '6.00' }] });
    expect(landed.status, JSON.stringify(landed.body)).toBe(201);
    expect(await answers(true)).toEqual(await answers(false));
    expect(await snapshotsInUse()).toBeLessThan(instants().length - 3);
    api.clock.advance(6 * 60_000);
    await takeStockSnapshots(ctxAs());
    expect(await answers(true)).toEqual(await answers(false));
    expect(await snapshotsInUse()).toBeGreaterThan(20);
  });

  it('re-values at a site an item received back-dated there before the snapshots, and one edited since, as the ledger does', async () => {
    // Jam was only ever at shop A: received at shop B three days ago at another cost, entered now.
    const receivedAt = start + 7 * DAY + 3 * HOUR;
    const po = await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: sites[1].id, lines: [{ item_id: items[1].id, qty: 8, unit_price: '4.70' }] });
    expect(po.status, JSON.stringify(po.body)).toBe(201);
    expect((await api.post(`/api/v1/purchase-orders/${po.body.id}/send`)).status).toBe(200);
    const receipt = await api.post('/api/v1/receipts', { purchase_order_id: po.body.id, received_at: new Date(receivedAt).toISOString(), lines: [{ purchase_order_line_id: po.body.lines[0].id, qty: 8 }] });
    expect(receipt.status, JSON.stringify(receipt.body)).toBe(201);
    expect((await api.post(`/api/v1/receipts/${receipt.body.id}/post`)).status).toBe(200);
    // Tea renamed and recategorised after the snapshots: shops A and B show it as the catalog does now.
    const renamed = await api.patch(`/api/v1/items/${items[0].id}`, { sku: `${tag}-TEA2`, name: 'TEA2', category: `${tag}-C` });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    items[0] = renamed.body;
    expect(await answers(true)).toEqual(await answers(false));

    api.clock.advance(6 * 60_000);
    const retaken = await takeStockSnapshots(ctxAs());
    expect(retaken[0]).toBe(localDate(receivedAt, tz));
    expect(await snapshotsInUse()).toBeGreaterThan(20);
    const after = await answers(true);
    expect(after).toEqual(await answers(false));
    // Shop B holds jam from the receipt's day on, at a cost pooled with shop A's: the figures moved.
    const lastNoon = after[after.length - 3]!;
    expect(lastNoon).toContain(`${tag}-JAM2:8000:`);
    expect(lastNoon).toContain(`${tag}-TEA2:`);
  });
  it('charts stock value by day from the snapshots as the ledger does, through a void and a return of sales already in them', async () => {
    api.clock.advance(6 * 60_000);
    await takeStockSnapshots(ctxAs());
    const before = await answers(true);
    expect(before).toEqual(await answers(false));
    const series = (lines: string[]) => JSON.parse(lines[lines.length - 1]!.slice('value by day '.length)) as Array<{ date: string; value: number }>;
    // Every past day in the chart has a snapshot to answer from, and its figure is the valuation's at the day's end.
    const days = series(before);
    expect(days).toHaveLength(8);
    const yesterday = days[days.length - 2]!;
    const endOfYesterday = startOfLocalDay(localDate(api.clock.now(), tz), tz) - 1;
    expect(yesterday.value).toBe((await inventoryValuation(ctxAs(), { asOf: endOfYesterday })).totalValue);
    expect(days[days.length - 1]!.value).toBe((await inventoryValuation(ctxAs(), {})).totalValue);

    // A sale today, voided; a sale of an earlier day returned: both bring stock back today, not then.
    const sale = await api.post('/api/v1/sales', { location_id: sites[0].id, register: 'R1', lines: [{ item_id: items[0].id, qty: 2, unit_price: '5.00' }], payments: [{ tender: 'cash', amount: '10.00' }] }, { 'idempotency-key': `${tag}-void` });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    const voided = await api.post(`/api/v1/sales/${sale.body.id}/void`, { reason: 'rung up twice' });
    expect(voided.status, JSON.stringify(voided.body)).toBe(201);
    const earlier = await api.get(`/api/v1/sales?location_id=${sites[1].id}&limit=1`);
    const old = earlier.body.data[earlier.body.data.length - 1];
    const full = (await api.get(`/api/v1/sales/${old.id}`)).body;
    const back = await api.post('/api/v1/returns', { sale_id: full.id, reason: 'changed mind', lines: [{ line_id: full.lines[0].id, qty: 1, condition: 'restockable' }] }, { 'idempotency-key': `${tag}-ret` });
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    const after = await answers(true);
    expect(after).toEqual(await answers(false));
    const moved = series(after);
    expect(moved.slice(0, -1)).toEqual(days.slice(0, -1)); // the past stands
    expect((await snapshotDayValues(api.db.kysely, moved.map((d) => d.date))).size).toBe(7); // and the snapshots still answer it
    expect(moved[moved.length - 1]!.value).toBeGreaterThan(days[days.length - 1]!.value); // the returned unit is back in stock today
  });
});

import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { loadDemoShop } from '../../src/demo/demo-shop.ts';
import { systemActor } from '../../src/platform/context.ts';
import { channelAvailability, createChannel, setChannelBuffer } from '../../src/modules/sales/index.ts';
import { LIMITED_AT_UNITS, LOCAL_INVENTORY_COLUMNS } from '../../src/modules/integrations/google/index.ts';

/**
 * The done-when for Google: every demo store's local inventory feed validates against Merchant
 * Center's documented field rules for tab-delimited local product inventory, and advertises exactly
 * the store's available-to-sell (buffers and bundles included).
 */
const AVAILABILITY = new Set(['in_stock', 'limited_availability', 'on_display_to_order', 'out_of_stock']);
const PRICE = /^\d+(\.\d+)? [A-Z]{3}$/;

/** The documented rules, one message per broken rule. */
function fieldProblems(tsv: string): string[] {
  // The file ends with a line break; trimming more would eat a last row's empty cells.
  if (!tsv.endsWith('\n')) return ['the file does not end with a line break'];
  const [header, ...rows] = tsv.slice(0, -1).split('\n');
  const problems: string[] = [];
  const columns = header!.split('\t');
  for (const required of ['store code', 'id', 'quantity', 'availability']) if (!columns.includes(required)) problems.push(`no "${required}" column`);
  for (const name of columns) if (name.includes('_')) problems.push(`"${name}": tab-delimited files name attributes with spaces`);
  const at = (cells: string[], name: string) => cells[columns.indexOf(name)] ?? '';
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const cells = row.split('\t');
    if (cells.length !== columns.length) problems.push(`row ${i + 2}: ${cells.length} cells`);
    const store = at(cells, 'store code');
    const id = at(cells, 'id');
    if (store === '' || store.length > 64) problems.push(`row ${i + 2}: store code`);
    if (id === '' || id.length > 50) problems.push(`row ${i + 2}: id "${id}"`);
    if (seen.has(`${store}\u0000${id}`)) problems.push(`row ${i + 2}: ${id} twice`);
    seen.add(`${store}\u0000${id}`);
    if (!/^\d+$/.test(at(cells, 'quantity'))) problems.push(`row ${i + 2}: quantity "${at(cells, 'quantity')}"`);
    if (!AVAILABILITY.has(at(cells, 'availability'))) problems.push(`row ${i + 2}: availability "${at(cells, 'availability')}"`);
    const quantity = Number(at(cells, 'quantity'));
    if ((quantity === 0) !== (at(cells, 'availability') === 'out_of_stock')) problems.push(`row ${i + 2}: ${quantity} units but ${at(cells, 'availability')}`);
    for (const name of ['price', 'sale price']) if (at(cells, name) !== '' && !PRICE.test(at(cells, name))) problems.push(`row ${i + 2}: ${name} "${at(cells, name)}"`);
  });
  return problems;
}

describeEachDatabase('Google local inventory feeds of the demo stores', (get) => {
  let api: TestApi;
  let stores: Array<{ id: string; code: string; channelId: string }>;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const ctx = { db: get().db, clock: api.clock, actor: systemActor };
    await loadDemoShop(ctx, { days: 3 });
    const sites = await get().db.kysely.selectFrom('locations').select(['id', 'code']).where('kind', '=', 'site').where('site_type', '=', 'store').orderBy('code').execute();
    stores = [];
    for (const site of sites) {
      const channel = await createChannel(ctx, { name: `Google ${site.code}`, kind: 'online', site_ids: [site.id], backorder_policy: 'refuse', reservation_ttl_minutes: null, categories: null });
      stores.push({ ...site, channelId: channel.id });
    }
  }, 600_000);

  it('serves each store its feed at a secret address, valid by the documented rules and equal to its available-to-sell', { timeout: 120_000 }, async () => {
    expect(stores.length).toBeGreaterThanOrEqual(2);
    const ctx = { db: get().db, clock: api.clock, actor: systemActor };
    // A buffer held back for the counter must come off what Google is told.
    const first = await channelAvailability(ctx, stores[0]!.channelId, { limit: 50 });
    const buffered = first.lines.find((l) => l.available >= 5000)!;
    await setChannelBuffer(ctx, stores[0]!.channelId, buffered.itemId, 2000);
    for (const store of stores) {
      const made = await api.post('/api/v1/google/local-feeds', { site_id: store.id, store_code: `GBP-${store.code}`, channel_id: store.channelId });
      expect(made.status, JSON.stringify(made.body)).toBe(200);
      const feed = await api.as(null).get(made.body.feed_path);
      expect(feed.status, JSON.stringify(feed.body)).toBe(200);
      const tsv = String(feed.body);
      expect(tsv.split('\n')[0]).toBe(LOCAL_INVENTORY_COLUMNS.join('\t'));
      expect(fieldProblems(tsv), store.code).toEqual([]);
      const advertised = new Map(tsv.slice(0, -1).split('\n').slice(1).map((row) => { const c = row.split('\t'); return [c[1]!, { quantity: Number(c[2]), availability: c[4]! }]; }));
      const expected = [];
      for (let cursor: string | undefined, page; (page = await channelAvailability(ctx, store.channelId, { limit: 500, ...(cursor ? { cursor } : {}) })); ) {
        expected.push(...page.lines);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(advertised.size).toBeGreaterThan(5);
      for (const line of expected) {
        const units = Math.floor(line.available / 1000);
        expect(advertised.get(line.sku)?.quantity, `${store.code} ${line.sku}`).toBe(units);
        if (units > LIMITED_AT_UNITS) expect(advertised.get(line.sku)?.availability).toBe('in_stock');
      }
      if (store === stores[0]) expect(advertised.get(buffered.sku)!.quantity).toBe(Math.floor((buffered.available - 2000) / 1000));
    }
  });

  it('refuses a channel that sells from other sites too, and forgets an address once a new one is issued', async () => {
    const [a, b] = stores;
    const wrong = await api.post('/api/v1/google/local-feeds', { site_id: a!.id, store_code: 'X', channel_id: b!.channelId });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('google_feed_invalid');
    const old = await api.post('/api/v1/google/local-feeds', { site_id: a!.id, store_code: 'GBP-A', channel_id: a!.channelId });
    const renewed = await api.post('/api/v1/google/local-feeds', { site_id: a!.id, store_code: 'GBP-A', channel_id: a!.channelId });
    expect((await api.as(null).get(old.body.feed_path)).status).toBe(404);
    expect((await api.as(null).get(renewed.body.feed_path)).status).toBe(200);
    expect((await api.get('/api/v1/google/local-feeds')).body.data.map((f: any) => f.store_code)).toContain('GBP-A');
  });
});

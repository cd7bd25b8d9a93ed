import { beforeAll, expect, it } from 'vitest';
import type { RegisteredRoute } from '../../src/modules/access/index.ts';
import { findSiteByCode } from '../../src/modules/locations/index.ts';
import { loadDemoShop } from '../../src/demo/demo-shop.ts';
import { systemActor } from '../../src/platform/context.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { makeToken, makeUser } from '../support/access.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { pdfText } from '../support/pdf.ts';
import { registeredRoutes } from '../support/routes.ts';
import { idempotent, ok, unique } from '../support/site-documents.ts';

/**
 * The cost scan: a staff member of the demo shop's Main Street store walks every GET route the
 * server has, with real ids of their store in the path, and nothing that comes back — JSON, CSV
 * or PDF — carries a cost, a value, a margin or a price paid to a vendor, as a field or as a
 * figure. The routes come from the route table; a GET route with an id prefix `idFinders` does
 * not know, or a required query parameter `queries` does not fill, fails the scan.
 *
 * A new GET route: give its id prefix a finder (a record of the staff member's store, made here
 * when the demo has none) and its required query parameters a value, and the scan covers it.
 */

const DAYS = 3;
/** What the shop pays on the purchase order made for the scan. */
const PAID = { first: '3.3317', revised: '3.4423', shipping: '9.5071', reshipped: '9.6183' };

/** Field names that carry what staff must not see, anywhere. */
const costField = /cost|margin|value|cogs|valuation|price_paid|landed/i;
/** Field names that match the above but say how, not how much (a product option's `values` are its sizes and colours). */
const notAFigure = new Set(['costing_method', 'values']);
/** On what the shop buys, prices and totals are what it pays: those fields are costs too. */
const purchasingRoute = /purchase-orders|receipts|vendors|vendor-returns|landed-costs/;
const purchaseField = /price|subtotal|total|tax|shipping|amount|variance|credit/i;
/** Words a cost column or line of a CSV or PDF would be headed with. */
const costWord = /\b(cost|costs|margin|value|valuation|unit price|subtotal|total|shipping)\b/i;

interface Scope {
  db: Database;
  api: TestApi;
  /** The staff member's token; requests go through `inject` so a PDF's bytes arrive intact. */
  staffSecret: string;
  mainId: string;
}

type Finder = (scope: Scope) => Promise<string | undefined>;

/**
 * Routes about one person that answer 404 to anyone but that person and an owner. The scan's staff
 * caller is a token, no person, so it is always refused; src/modules/oauth/oauth.http.test.ts
 * reads them as their person.
 */
const personal = new Set(['GET /api/v1/users/:id/linked-apps']);

async function first(rows: Promise<Array<{ id: string }>>): Promise<string | undefined> {
  return (await rows)[0]?.id;
}

/** Fills the staff member's store with what the demo's few days may not have made there. */
async function makeMissingDocuments(scope: Scope): Promise<void> {
  const { api, db, mainId } = scope;
  // An item the adjustments below can move without naming a lot; in id order, so both databases pick the same one.
  const item = await db.kysely
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .innerJoin('items as i', 'i.id', 'b.item_id')
    .select('b.item_id as id')
    .where('l.site_id', '=', mainId)
    .where('b.on_hand', '>', 1000)
    .where('i.tracking', '=', 'none')
    .orderBy('b.item_id')
    .limit(1)
    .executeTakeFirstOrThrow();
  const channel = ok(await api.post('/api/v1/channels', { name: unique('Main web '), kind: 'online', site_ids: [mainId], backorder_policy: 'allow' }), 201);
  const order = ok(await api.post('/api/v1/orders', { channel_id: channel.id, channel_order_id: unique('SCAN-'), lines: [{ item_id: item.id, qty: 1 }] }, idempotent()), 201);
  const [list] = ok(await api.post(`/api/v1/orders/${order.id}/pick-lists`, {}), 201).data;
  ok(await api.post(`/api/v1/pick-lists/${list.id}/picked`, {}));
  ok(await api.post(`/api/v1/pick-lists/${list.id}/shipments`, { packages: [{ weight_g: 200, lines: [{ order_line_id: order.lines[0].id, qty: 1 }] }] }), 201);
  ok(await api.post('/api/v1/adjustments', { location_id: mainId, reason: 'damaged', lines: [{ item_id: item.id, qty: -1 }] }), 201);
  const sale = ok(await api.post('/api/v1/sales', { location_id: mainId, register: 'SCAN', lines: [{ item_id: item.id, qty: 1 }, { item_id: item.id, qty: 1 }], payments: [{ tender: 'cash', amount: '500.00' }] }, idempotent()), 201);
  ok(await api.post('/api/v1/returns', { sale_id: sale.id, reason: 'scan', lines: [{ line_id: sale.lines[0].id, qty: 1, condition: 'restockable' }] }), 201);
  ok(
    await api.post('/api/v1/exchanges', {
      return: { sale_id: sale.id, reason: 'scan', lines: [{ line_id: sale.lines[1].id, qty: 1, condition: 'restockable' }] },
      sale: { location_id: mainId, register: 'SCAN', lines: [{ item_id: item.id, qty: 1 }], payments: [{ tender: 'cash', amount: '500.00' }] },
    }),
    201,
  );
  // A webhook subscription and a delivery to it (the delivery log and subscriptions are owner and manager only).
  const hook = ok(await api.post('/api/v1/webhook-subscriptions', { url: 'https://hooks.example.com/stockroom', event_types: ['order.created'] }), 201);
  ok(await api.post(`/api/v1/webhook-subscriptions/${hook.id}/test`, {}), 202);
  const vendor = await db.kysely.selectFrom('vendors').select('id').limit(1).executeTakeFirstOrThrow();
  // Prices no sale in the demo has (four decimals), so finding one in an answer means it leaked.
  const po = ok(await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: mainId, shipping: PAID.shipping, lines: [{ item_id: item.id, qty: 4, unit_price: PAID.first }] }), 201);
  ok(await api.post(`/api/v1/purchase-orders/${po.id}/send`));
  ok(await api.patch(`/api/v1/purchase-orders/${po.id}/lines/${po.lines[0].id}`, { unit_price: PAID.revised }));
  ok(await api.patch(`/api/v1/purchase-orders/${po.id}`, { shipping: PAID.reshipped }));
  const received = ok(await api.post('/api/v1/receipts', { purchase_order_id: po.id, lines: [{ purchase_order_line_id: po.lines[0].id, qty: 2 }], post: true }), 201);
  // One of them back to the vendor: its credit is the price paid, its value the ledger's cost.
  ok(await api.post('/api/v1/vendor-returns', { receipt_id: received.id, reason: 'defective', lines: [{ receipt_line_id: received.lines[0].id, qty: 1 }], post: true }), 201);
  await makeUser(api, 'staff', [mainId]);

  // A count of the store, its variance posted (so the variance reports hold a value to hide), and a
  // transfer out of it, shipped in part (so it is in transit, with a packing slip).
  const count = ok(await api.post('/api/v1/counts', { site_id: mainId, kind: 'spot', mode: 'guided', scope: { item_ids: [item.id] } }), 201);
  for (const line of count.lines) ok(await api.post(`/api/v1/counts/${count.id}/lines`, { lines: [{ location_id: line.location_id, item_id: item.id, ...(line.lot_code ? { lot_code: line.lot_code } : {}), qty: Math.max(0, line.expected_qty - 1) }] }));
  // A variance within the site's thresholds posts on submit; one beyond them waits for approval.
  const submitted = ok(await api.post(`/api/v1/counts/${count.id}/submit`, { uncounted: 'zero' }));
  const posted = submitted.status === 'posted' ? submitted : ok(await api.post(`/api/v1/counts/${count.id}/approve`, {}));
  expect(posted.status).toBe('posted');
  const other = await db.kysely.selectFrom('locations').select('id').where('kind', '=', 'site').where('id', '!=', mainId).limit(1).executeTakeFirstOrThrow();
  const transfer = ok(await api.post('/api/v1/transfers', { source_site_id: mainId, destination_site_id: other.id, lines: [{ item_id: item.id, qty: 3 }] }), 201);
  ok(await api.post(`/api/v1/transfers/${transfer.id}/ship`, { lines: [{ line_id: transfer.lines[0].id, qty: 1 }] }));

  // A bill of materials on the item (so its tree has costs to hide), a bake at the store completed
  // in part, and one of what it made taken apart again.
  const bake = ok(await api.post('/api/v1/items', { sku: unique('SCANBAKE'), name: 'Scan bake', barcodes: [] }), 201);
  ok(await api.post(`/api/v1/items/${item.id}/boms`, { batch_qty: 1, labour: '0.25', lines: [{ item_id: bake.id, qty: 1 }] }), 201);
  const kit = ok(await api.post('/api/v1/items', { sku: unique('SCANKIT'), name: 'Scan kit', barcodes: [] }), 201);
  ok(await api.post(`/api/v1/items/${kit.id}/boms`, { batch_qty: 2, labour: '0.50', overhead: '0.10', lines: [{ item_id: item.id, qty: 1 }] }), 201);
  const bakeOrder = ok(await api.post('/api/v1/production-orders', { item_id: kit.id, site_id: mainId, qty: 4, start: true }), 201);
  ok(await api.post(`/api/v1/production-orders/${bakeOrder.id}/complete`, { qty_produced: 2, final: false }));
  ok(await api.post('/api/v1/disassemblies', { item_id: kit.id, site_id: mainId, qty: 1, lines: [{ item_id: bake.id, qty: 1 }] }), 201);
  // A saved report of nothing but costs, shared with staff: a staff run must drop them all.
  ok(
    await api.post('/api/v1/saved-reports', {
      name: 'Scan margins',
      definition: { dataset: 'sales_lines', dimensions: ['item'], measures: ['quantity', 'revenue', 'cost', 'margin'] },
      last_days: DAYS + 1,
      shared_with: ['staff'],
    }),
    201,
  );

  // The Alexa skill registered for account linking, so the consent check has a client to describe.
  ok(await api.post('/api/v1/oauth/clients', { name: 'Scan skill', redirect_uris: ['https://layla.amazon.com/api/skill/link/M2SCAN'] }), 201);

  // A channel of the store connected to its platform, one upstream variant mapped to the item (never called).
  const connection = ok(
    await api.post('/api/v1/integrations/connections', {
      channel_id: channel.id,
      platform: 'shopify',
      credentials: { shop_domain: 'scan.myshopify.com', location_id: 'gid://shopify/Location/1', access_token: 'shpat_scan', webhook_secret: 'scan-secret' },
    }),
    201,
  );
  await db.kysely
    .insertInto('channel_variant_maps')
    .values({ connection_id: connection.id, variant_ref: 'gid://shopify/InventoryItem/1', parent_ref: null, title: 'Scan', sku: null, barcode: null, price: '9.99', item_id: item.id, matched_by: 'manual', dirty_gen: 0, pushed_gen: 0, pushed_qty: 1000, pushed_at: 0, upstream_qty: 1000, updated_at: 0 })
    .execute();
  // A product with variants, and a dry run of a one-row catalogue file, for their GET routes.
  ok(await api.post('/api/v1/products', { name: 'Scan gloves', handle: unique('scan-gloves').toLowerCase().replace(/[^a-z0-9-]/g, '-'), price: '4.00', options: [{ name: 'Size', values: ['M'] }] }), 201);
  ok(await api.request('POST', '/api/v1/imports/items', { rawBody: `SKU,Name\r\n${unique('SCANIMP')},Scan import\r\n`, headers: { 'content-type': 'text/csv' } }));
}

/** A record of the staff member's store (or one shared by every site) for each id prefix a GET route takes. */
const idFinders: Record<string, Finder> = {
  loc: async (s) => s.mainId,
  itm: ({ db, mainId }) => first(db.kysely.selectFrom('sale_lines as l').innerJoin('sales as s', 's.id', 'l.sale_id').select('l.item_id as id').where('s.site_id', '=', mainId).orderBy('s.created_at', 'desc').limit(1).execute()),
  adj: ({ db, mainId }) =>
    first(db.kysely.selectFrom('adjustments as a').innerJoin('locations as l', 'l.id', 'a.location_id').select('a.id').where('l.site_id', '=', mainId).orderBy('a.id', 'desc').limit(1).execute()),
  po: ({ db, mainId }) => first(db.kysely.selectFrom('purchase_orders').select('id').where('delivery_site_id', '=', mainId).where('revision', '>', 1).orderBy('id', 'desc').limit(1).execute()),
  rcp: ({ db, mainId }) => first(db.kysely.selectFrom('receipts').select('id').where('site_id', '=', mainId).where('status', '=', 'posted').orderBy('id', 'desc').limit(1).execute()),
  ven: ({ db }) => first(db.kysely.selectFrom('vendors').select('id').limit(1).execute()),
  vrt: ({ db, mainId }) => first(db.kysely.selectFrom('vendor_returns').select('id').where('site_id', '=', mainId).where('status', '=', 'posted').orderBy('id', 'desc').limit(1).execute()),
  con: ({ db, mainId }) => first(db.kysely.selectFrom('channel_connections as c').innerJoin('channel_sites as s', 's.channel_id', 'c.channel_id').select('c.id').where('s.site_id', '=', mainId).orderBy('c.id', 'desc').limit(1).execute()),
  chn: ({ db, mainId }) => first(db.kysely.selectFrom('channel_sites').select('channel_id as id').where('site_id', '=', mainId).limit(1).execute()),
  ord: ({ db, mainId }) => first(db.kysely.selectFrom('orders as o').innerJoin('channel_sites as c', 'c.channel_id', 'o.channel_id').select('o.id').where('c.site_id', '=', mainId).orderBy('o.id', 'desc').limit(1).execute()),
  pck: ({ db, mainId }) => first(db.kysely.selectFrom('pick_lists').select('id').where('site_id', '=', mainId).limit(1).execute()),
  shp: ({ db, mainId }) => first(db.kysely.selectFrom('shipments').select('id').where('site_id', '=', mainId).limit(1).execute()),
  sal: ({ db, mainId }) => first(db.kysely.selectFrom('sales').select('id').where('site_id', '=', mainId).where('status', '=', 'returned').orderBy('id', 'desc').limit(1).execute()),
  ret: ({ db, mainId }) => first(db.kysely.selectFrom('returns as r').innerJoin('sales as s', 's.id', 'r.sale_id').select('r.id').where('s.site_id', '=', mainId).orderBy('r.id', 'desc').limit(1).execute()),
  exc: ({ db, mainId }) => first(db.kysely.selectFrom('exchanges as e').innerJoin('sales as s', 's.id', 'e.sale_id').select('e.id').where('s.site_id', '=', mainId).limit(1).execute()),
  mgr: ({ db }) => first(db.kysely.selectFrom('modifier_groups').select('id').limit(1).execute()),
  usr: ({ db, mainId }) => first(db.kysely.selectFrom('site_grants as g').innerJoin('users as u', 'u.id', 'g.principal_id').select('u.id').where('g.site_id', '=', mainId).limit(1).execute()),
  tok: ({ db }) => first(db.kysely.selectFrom('api_tokens').select('id').limit(1).execute()),
  cnt: ({ db, mainId }) => first(db.kysely.selectFrom('counts').select('id').where('site_id', '=', mainId).where('status', '=', 'posted').orderBy('id', 'desc').limit(1).execute()),
  whs: ({ db }) => first(db.kysely.selectFrom('webhook_subscriptions').select('id').limit(1).execute()),
  dlv: ({ db }) => first(db.kysely.selectFrom('deliveries').select('id').orderBy('id').limit(1).execute()),
  trf: ({ db, mainId }) => first(db.kysely.selectFrom('transfers').select('id').where('source_site_id', '=', mainId).where('status', '=', 'in_transit').orderBy('id', 'desc').limit(1).execute()),
  bom: ({ db }) => first(db.kysely.selectFrom('boms').select('id').where('labour_micros', '>', 0).orderBy('id', 'desc').limit(1).execute()),
  prd: ({ db, mainId }) => first(db.kysely.selectFrom('production_orders').select('id').where('site_id', '=', mainId).where('qty_produced', '>', 0).orderBy('id', 'desc').limit(1).execute()),
  pdt: ({ db }) => first(db.kysely.selectFrom('products').select('id').orderBy('id', 'desc').limit(1).execute()),
  imp: ({ db }) => first(db.kysely.selectFrom('import_jobs').select('id').orderBy('id', 'desc').limit(1).execute()),
  dis: ({ db, mainId }) => first(db.kysely.selectFrom('disassemblies').select('id').where('site_id', '=', mainId).orderBy('id', 'desc').limit(1).execute()),
  srp: ({ db }) => first(db.kysely.selectFrom('saved_reports').select('id').where('name', '=', 'Scan margins').limit(1).execute()),
  oac: ({ db }) => first(db.kysely.selectFrom('oauth_clients').select('id').where('name', '=', 'Scan skill').limit(1).execute()),
};

/** Path parameters that are not ids, by name. */
const paramFinders: Record<string, Finder> = {
  code: async (s) => {
    const item = await idFinders.itm!(s);
    return (await s.db.kysely.selectFrom('item_barcodes').select('code as id').where('item_id', '=', item!).limit(1).execute())[0]?.id ?? (await first(s.db.kysely.selectFrom('item_barcodes').select('code as id').limit(1).execute()));
  },
};

/** Values for required query parameters, by route. */
function queries(now: number, itemId: string, siteId: string, oauthClientId: string): Record<string, string> {
  const day = (offset: number) => new Date(now + offset * 86_400_000).toISOString().slice(0, 10);
  const instant = (offset: number) => new Date(now + offset * 86_400_000).toISOString();
  return {
    'GET /api/v1/reports/sales-by-day': `from=${day(-DAYS - 1)}&to=${day(0)}`,
    'GET /api/v1/tax-table': `site_id=${siteId}`,
    'GET /api/v1/reports/vendor-performance': `from=${day(-DAYS - 1)}&to=${day(0)}`,
    'GET /api/v1/reports/modifier-sales': `from=${instant(-DAYS - 1)}&to=${instant(1)}`,
    'GET /api/v1/lots': `item_id=${itemId}`,
    'GET /api/v1/items/:id/sales': `from=${day(-DAYS - 1)}&to=${day(0)}`,
    'GET /api/v1/counts/needs-count': `site_id=${siteId}`,
    'GET /api/v1/counts/cycle-plan': `site_id=${siteId}`,
    'GET /api/v1/production/plan': `site_id=${siteId}`,
    'GET /api/v1/reports/count-variances': `from=${day(-DAYS - 1)}&to=${day(1)}`,
    'GET /api/v1/accounting/journal': `from=${day(-DAYS - 1)}&to=${day(0)}`,
    'GET /api/v1/accounting/journal/export': `from=${day(-DAYS - 1)}&to=${day(0)}&format=csv`,
    'GET /api/v1/quickbooks/authorize-url': 'state=scan-state-0123456789abcdef',
    'GET /api/v1/oauth/authorize': new URLSearchParams({
      response_type: 'code',
      client_id: oauthClientId,
      redirect_uri: 'https://layla.amazon.com/api/skill/link/M2SCAN',
      scope: 'voice',
      state: 'scan',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString(),
    'GET /api/v1/reports/shrinkage': `from=${day(-DAYS - 1)}&to=${day(1)}`,
    ...Object.fromEntries(
      ['profitability', 'sales', 'abc', 'sell-through', 'losses', 'discounts', 'inventory-change'].flatMap((name) => [
        [`GET /api/v1/reports/${name}`, `from=${day(-DAYS - 1)}&to=${day(0)}`],
        [`GET /api/v1/reports/${name}/export`, `from=${day(-DAYS - 1)}&to=${day(0)}`],
      ]),
    ),
  };
}

/** Every field name, with its path, in a JSON answer. */
function fieldsOf(value: unknown, path = ''): Array<{ path: string; key: string }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => fieldsOf(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => [{ path: `${path}.${key}`, key }, ...fieldsOf(v, `${path}.${key}`)]);
}

/** A finder for an id prefix (`po`) or a named parameter that is not an id (`:code`). */
function finderOf(prefix: string): Finder | undefined {
  return prefix.startsWith(':') ? paramFinders[prefix.slice(1)] : idFinders[prefix];
}

interface GetRoute {
  route: RegisteredRoute;
  key: string;
  ids: Array<{ name: string; prefix: string }>;
  requiredQuery: string[];
}

function getRoutes(routes: RegisteredRoute[], doc: any): GetRoute[] {
  return routes
    .filter((r) => r.method === 'GET' && !('public' in r.access))
    .map((route) => {
      const operation = doc.paths[route.url.replace(/:([a-z_]+)/g, '{$1}')]?.get ?? { parameters: [] };
      const parameters: any[] = operation.parameters ?? [];
      const ids = parameters
        .filter((p) => p.in === 'path')
        .map((p) => ({ name: p.name as string, prefix: /^\^([a-z]+)_/.exec(p.schema?.pattern ?? '')?.[1] ?? `:${p.name}` }));
      const requiredQuery = parameters.filter((p) => p.in === 'query' && p.required).map((p) => p.name as string);
      return { route, key: `GET ${route.url}`, ids, requiredQuery };
    });
}

describeEachDatabase('cost scan: nothing staff can GET shows a cost', (get) => {
  let scope: Scope;
  let routes: GetRoute[];
  let priceFigures: string[];

  beforeAll(async () => {
    const db = get().db;
    const api = await buildTestApi(db);
    await loadDemoShop({ db, clock: api.clock, actor: systemActor }, { days: DAYS });
    const main = (await findSiteByCode(db.kysely, 'MAIN'))!;
    scope = { db, api, staffSecret: (await makeToken(api, 'staff', [main.id])).secret, mainId: main.id };
    await makeMissingDocuments(scope);
    routes = getRoutes(registeredRoutes(api.app), (await api.get('/api/openapi.json')).body);
    // What the shop pays, as written on its purchase orders: no staff answer may carry these figures in text.
    const po = await idFinders.po!(scope);
    const owner = ok(await api.get(`/api/v1/purchase-orders/${po}`));
    const shown = [owner.shipping, owner.subtotal, owner.total, ...owner.lines.flatMap((l: any) => [l.unit_price, l.subtotal])];
    priceFigures = [...new Set([...Object.values(PAID), ...shown.filter((f: string) => /\.\d{3,}/.test(f))])];
  }, 600_000);

  it('can fill every GET route', async () => {
    const problems: string[] = [];
    const known = queries(scope.api.clock.now(), (await idFinders.itm!(scope))!, scope.mainId, (await idFinders.oac!(scope))!);
    for (const r of routes) {
      for (const id of r.ids) if (!finderOf(id.prefix)) problems.push(`${r.key}: no finder for ${id.prefix} (add one to idFinders, or paramFinders for a parameter that is not an id)`);
      if (r.requiredQuery.length && known[r.key] === undefined) problems.push(`${r.key}: required query ${r.requiredQuery.join(', ')} (add it to queries)`);
    }
    expect(problems).toEqual([]);
    for (const [prefix, find] of Object.entries({ ...idFinders, ...paramFinders })) expect(await find(scope), `a ${prefix} record for the scan`).toBeTruthy();
  });

  it('finds no cost, value, margin or price paid in any JSON, CSV or PDF answer to staff', { timeout: 300_000 }, async () => {
    const leaks: string[] = [];
    const known = queries(scope.api.clock.now(), (await idFinders.itm!(scope))!, scope.mainId, (await idFinders.oac!(scope))!);
    let answered = 0;
    for (const r of routes) {
      if (r.ids.some((id) => !finderOf(id.prefix)) || (r.requiredQuery.length && known[r.key] === undefined)) continue;
      const ids: Record<string, string> = {};
      for (const id of r.ids) ids[id.name] = encodeURIComponent((await finderOf(id.prefix)!(scope))!);
      const query = known[r.key] ? `?${known[r.key]}` : '';
      const url = r.route.url.replace(/:([a-z_]+)/g, (_, name: string) => ids[name]!) + query;
      const response = await scope.api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${scope.staffSecret}` } });
      if (response.statusCode === 403) continue; // staff may not read it at all
      if (response.statusCode === 404 && personal.has(r.key)) continue;
      if (response.statusCode !== 200) {
        leaks.push(`${url}: expected 200 or 403, got ${response.statusCode} ${response.body.slice(0, 200)}`);
        continue;
      }
      answered += 1;
      const type = String(response.headers['content-type']);
      if (type.includes('json')) {
        const purchasing = purchasingRoute.test(r.route.url);
        for (const field of fieldsOf(JSON.parse(response.body))) {
          if (notAFigure.has(field.key)) continue;
          if (costField.test(field.key) || (purchasing && purchaseField.test(field.key))) leaks.push(`${url}: field ${field.path.replace(/\[\d+\]/g, '[]')}`);
        }
        // A field named in a value (a revision's `"field": "unit_price"`) leaks as surely as a key.
        for (const named of response.body.matchAll(/"([a-z]+(?:_[a-z]+)+|cost|value|margin|shipping)"/g)) {
          const name = named[1]!;
          if (!notAFigure.has(name) && (costField.test(name) || (purchasing && purchaseField.test(name))) && !response.body.includes(`"${name}":`)) {
            leaks.push(`${url}: names the field ${name}`);
          }
        }
        for (const figure of priceFigures) if (response.body.includes(`"${figure}"`)) leaks.push(`${url}: shows the figure ${figure}`);
        continue;
      }
      const text = type.includes('pdf') ? pdfText(response.rawPayload) : response.body;
      if (!type.includes('pdf') && !type.startsWith('text/')) {
        leaks.push(`${url}: answers ${type}, which the scan cannot read; teach it`);
        continue;
      }
      const header = type.includes('csv') ? (text.split('\n')[0] ?? '') : text;
      if (costWord.test(header)) leaks.push(`${url}: ${type} shows "${costWord.exec(header)![0]}"`);
      for (const figure of priceFigures) if (text.includes(figure)) leaks.push(`${url}: ${type} shows the figure ${figure}`);
    }
    expect([...new Set(leaks)]).toEqual([]);
    expect(answered).toBeGreaterThan(30);
  });
});


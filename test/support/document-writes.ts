import { expect } from 'vitest';
import type { TestApi } from './http.ts';
import { makeSiteDocuments, ok, unique, type SiteDocuments } from './site-documents.ts';

/**
 * One of every document at a site, with the id of each by prefix and a body that passes
 * validation for each write about it: what the object-level access matrix tries to reach from
 * another site, and what the fuzz walks so that every write answers 2xx at least once.
 */

/**
 * Documents of the counts and transfers modules, made at site A beside `makeSiteDocuments`'s: a
 * transfer from A to a third site C (neither granted to the callers), shipped in part so it is in
 * transit and its ship, pick, receive and close could all still happen; and a count of A still
 * counting, holding one unknown scan a manager could resolve.
 */
export interface ExtraDocuments {
  webhook: any;
  deliveryId: string;
  transfer: any;
  count: any;
  unknownScanId: string;
  alertSubscription: any;
  bom: any;
  productionOrder: any;
  disassembly: any;
  connection: any;
  savedReport: any;
  vendorReturn: any;
  taxRate: any;
}

export type Documents = SiteDocuments & ExtraDocuments;

export async function extraDocuments(api: TestApi, d: SiteDocuments): Promise<ExtraDocuments> {
  const siteC = ok(await api.post('/api/v1/locations', { kind: 'site', code: unique('OC'), name: 'Site C', site_type: 'store' }), 201);
  const draft = ok(await api.post('/api/v1/transfers', { source_site_id: d.site.id, destination_site_id: siteC.id, lines: [{ item_id: d.item.id, qty: 3 }] }), 201);
  const transfer = ok(await api.post(`/api/v1/transfers/${draft.id}/ship`, { lines: [{ line_id: draft.lines[0].id, qty: 1 }] }));
  expect(transfer.status).toBe('in_transit');
  const count = ok(await api.post('/api/v1/counts', { site_id: d.site.id, kind: 'full' }), 201);
  const scan = ok(await api.post(`/api/v1/counts/${count.id}/scans`, { location_id: d.bin.id, code: 'MATRIX-UNKNOWN-CODE' }));
  expect(scan.result).toBe('held');
  // Shop-wide records: a webhook subscription and a delivery, seen only by those granted every site.
  const webhook = ok(await api.post('/api/v1/webhook-subscriptions', { url: 'https://hooks.example.com/matrix', event_types: ['order.created'] }), 201);
  const test = ok(await api.post(`/api/v1/webhook-subscriptions/${webhook.id}/test`, {}), 202);
  // A user's alert subscription: someone else's reads as absent to everyone but an owner.
  const alertSubscription = ok(await api.post('/api/v1/alert-subscriptions', { user_id: d.user.id, rule: 'low_stock', channel: 'in_app' }), 201);
  // A kit made from the mug at A by a production order completed in part (still started, so its
  // start, complete, close and cancel could all still be asked for), and one kit taken apart again.
  const kit = ok(await api.post('/api/v1/items', { sku: unique('KIT'), name: 'Mug kit', barcodes: [] }), 201);
  const bom = ok(await api.post(`/api/v1/items/${kit.id}/boms`, { batch_qty: 1, lines: [{ item_id: d.item.id, qty: 1 }] }), 201);
  const planned = ok(await api.post('/api/v1/production-orders', { item_id: kit.id, site_id: d.site.id, qty: 3, start: true }), 201);
  const productionOrder = ok(await api.post(`/api/v1/production-orders/${planned.id}/complete`, { qty_produced: 2, final: false }));
  expect(productionOrder.status).toBe('started');
  const disassembly = ok(await api.post('/api/v1/disassemblies', { item_id: kit.id, site_id: d.site.id, qty: 1 }), 201);
  // A sales-platform connection of the channel at A (never called: every refusal comes before the platform).
  const connection = ok(
    await api.post('/api/v1/integrations/connections', {
      channel_id: d.channel.id,
      platform: 'shopify',
      credentials: { shop_domain: 'matrix.myshopify.com', location_id: 'gid://shopify/Location/1', access_token: 'shpat_matrix', webhook_secret: 'matrix-secret' },
    }),
    201,
  );
  // A saved report about site A, shared with every role and scheduled: shop-wide records, but one
  // that names a site is hidden from those not granted it.
  const saved = ok(await api.post('/api/v1/saved-reports', { name: 'Matrix A', definition: { dataset: 'balances', measures: ['count'], filters: { site_id: d.site.id } }, shared_with: ['manager', 'staff', 'viewer'] }), 201);
  const schedule = ok(await api.post(`/api/v1/saved-reports/${saved.id}/schedules`, { frequency: 'daily', hour: 6, recipients: ['matrix@shop.example'] }), 201);
  const savedReport = { ...saved, schedules: [schedule] };
  // A draft return of one mug to the vendor from A (so it could still be posted or cancelled).
  const vendorReturn = ok(await api.post('/api/v1/vendor-returns', { vendor_id: d.vendor.id, site_id: d.site.id, reason: 'defective', lines: [{ item_id: d.item.id, qty: 1 }] }), 201);
  // A tax rate no rule uses yet (shop-wide, like the catalogue), so it could still be deleted.
  const taxRate = ok(await api.post('/api/v1/tax-rates', { name: unique('Matrix tax '), rate: '5' }), 201);
  return { transfer, count, unknownScanId: scan.unknown_scan_id, alertSubscription, webhook, deliveryId: test.delivery_id, bom, productionOrder, disassembly, savedReport, connection, vendorReturn, taxRate };
}

export interface PrefixEntry {
  /** The id of the record of this kind made at site A. */
  id: (d: Documents) => string;
  /** Set when records of this kind are shared by every site, saying why; such a route is not expected to refuse. */
  shared?: string;
}

export const byPrefix: Record<string, PrefixEntry> = {
  loc: { id: (d) => d.bin.id },
  adj: { id: (d) => d.adjustment.id },
  po: { id: (d) => d.purchaseOrder.id },
  pol: { id: (d) => d.purchaseOrder.lines[0].id },
  rcp: { id: (d) => d.receipt.id },
  rcl: { id: (d) => d.receipt.lines[0].id },
  vrt: { id: (d) => d.vendorReturn.id },
  vrl: { id: (d) => d.vendorReturn.lines[0].id },
  chn: { id: (d) => d.channel.id },
  ord: { id: (d) => d.order.id },
  pck: { id: (d) => d.pickList.id },
  shp: { id: (d) => d.shipment.id },
  sal: { id: (d) => d.sale.id },
  ret: { id: (d) => d.return.id },
  exc: { id: (d) => d.exchange.id },
  usr: { id: (d) => d.user.id },
  tok: { id: (d) => d.token.id },
  itm: { id: (d) => d.item.id, shared: 'the catalogue is shared by every site; what an item’s routes show per site is filtered (site-findings.test.ts)' },
  ven: { id: (d) => d.vendor.id, shared: 'vendors are shared by every site' },
  mgr: { id: () => 'mgr_UNUSED', shared: 'modifier groups belong to the shared catalogue' },
  trf: { id: (d) => d.transfer.id },
  cnt: { id: (d) => d.count.id },
  cnu: { id: (d) => d.unknownScanId },
  whs: { id: (d) => d.webhook.id },
  dlv: { id: (d) => d.deliveryId },
  asb: { id: (d) => d.alertSubscription.id },
  bom: { id: (d) => d.bom.id, shared: 'bills of materials belong to the shared catalogue' },
  prd: { id: (d) => d.productionOrder.id },
  dis: { id: (d) => d.disassembly.id },
  con: { id: (d) => d.connection.id },
  srp: { id: (d) => d.savedReport.id },
  rsc: { id: (d) => d.savedReport.schedules[0].id },
  pdt: { id: () => 'pdt_UNUSED', shared: 'products belong to the shared catalogue' },
  txr: { id: (d) => d.taxRate.id, shared: 'tax rates are shared by every site; rules name the site they are for' },
  oac: { id: () => 'oac_UNUSED', shared: 'OAuth clients are shop-wide, managed by owners only (settings.write)' },
  oag: {
    id: () => 'oag_UNUSED',
    shared: 'a linked app belongs to a person, not a site: only that person or an owner sees or revokes it (src/modules/oauth/oauth.http.test.ts asks as another manager)',
  },
  imp: { id: () => 'imp_UNUSED', shared: 'an import is shown only to who ran it, or to those granted every site (imports.service.ts)' },
};

/** Bodies that pass validation, so the call reaches the handler and its site check. */
export const bodies: Record<string, (d: Documents) => unknown> = {
  'PATCH /api/v1/locations/:id': () => ({ name: 'Renamed' }),
  'POST /api/v1/adjustments/:id/reverse': () => ({ note: 'matrix' }),
  'PATCH /api/v1/purchase-orders/:id': () => ({ notes: 'matrix' }),
  'POST /api/v1/purchase-orders/:id/lines': (d) => ({ lines: [{ item_id: d.item.id, qty: 1, unit_price: '1.00' }] }),
  'PATCH /api/v1/purchase-orders/:id/lines/:line_id': () => ({ qty: 3 }),
  'PATCH /api/v1/receipts/:id': () => ({ notes: 'matrix' }),
  'POST /api/v1/receipts/:id/lines': (d) => ({ lines: [{ item_id: d.item.id, qty: 1 }] }),
  'PATCH /api/v1/receipts/:id/lines/:line_id': () => ({ qty: 1 }),
  'POST /api/v1/receipts/:id/scans': (d) => ({ code: d.item.sku }),
  'POST /api/v1/receipts/:id/landed-costs': () => ({ charges: [{ kind: 'freight', amount: '5.00' }] }),
  'PATCH /api/v1/channels/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/v1/integrations/connections/:id': () => ({ status: 'paused' }),
  'POST /api/v1/integrations/connections/:id/mappings': () => ({ variant_ref: 'gid://shopify/InventoryItem/1', item_id: null }),
  'POST /api/v1/integrations/connections/:id/match': () => ({}),
  'POST /api/v1/integrations/connections/:id/import': () => ({ variant_refs: ['gid://shopify/InventoryItem/1'] }),
  'POST /api/v1/integrations/connections/:id/reconcile': () => ({}),
  'PUT /api/v1/channels/:id/buffers/:item_id': () => ({ qty: 1 }),
  'POST /api/v1/orders/:id/cancel': () => ({ reason: 'matrix' }),
  'POST /api/v1/orders/:id/pick-lists': () => ({}),
  'POST /api/v1/pick-lists/:id/picked': () => ({}),
  'POST /api/v1/pick-lists/:id/shipments': (d) => ({ packages: [{ weight_g: 100, lines: [{ order_line_id: d.order.lines[0].id, qty: 1 }] }] }),
  'POST /api/v1/shipments/:id/ship': (d) => ({ carrier: 'Post', service: 'Standard', packages: d.shipment.packages.map((p: any) => ({ package_id: p.id, tracking_number: 'T1' })) }),
  'POST /api/v1/shipments/:id/delivered': () => ({}),
  'POST /api/v1/shipments/:id/cancel': () => ({}),
  'POST /api/v1/sales/:id/void': () => ({ reason: 'matrix' }),
  'PATCH /api/v1/users/:id': () => ({ name: 'Renamed' }),
  'POST /api/v1/users/:id/password': () => ({ password: 'matrix-walnut-harbour-91' }),
  'PATCH /api/v1/count-settings/:id': () => ({ require_second_person: true }),
  'PATCH /api/v1/saved-reports/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/v1/saved-reports/:id/schedules/:schedule_id': () => ({ hour: 7 }),
  'POST /api/v1/saved-reports/:id/schedules': () => ({ frequency: 'daily', hour: 6, recipients: ['matrix@shop.example'] }),
  'POST /api/v1/transfers/:id/picks': (d) => ({ item_id: d.item.id, qty: 1 }),
  'POST /api/v1/transfers/:id/ship': () => ({}),
  'POST /api/v1/transfers/:id/receive': () => ({}),
  'POST /api/v1/transfers/:id/close': () => ({}),
  'POST /api/v1/transfers/:id/cancel': () => ({}),
  'POST /api/v1/transfers/:id/accept': () => ({}),
  'POST /api/v1/counts/:id/lines': (d) => ({ lines: [{ location_id: d.bin.id, item_id: d.item.id, qty: 1 }] }),
  'POST /api/v1/counts/:id/scans': (d) => ({ location_id: d.bin.id, code: d.item.sku }),
  'POST /api/v1/counts/:id/unknown-scans/:scan_id/resolve': (d) => ({ item_id: d.item.id }),
  'POST /api/v1/counts/:id/submit': () => ({ uncounted: 'zero' }),
  'POST /api/v1/counts/:id/approve': () => ({}),
  'POST /api/v1/counts/:id/cancel': () => ({}),
  'PATCH /api/v1/webhook-subscriptions/:id': () => ({ description: 'matrix' }),
  'POST /api/v1/webhook-subscriptions/:id/rotate-secret': () => ({}),
  'POST /api/v1/webhook-subscriptions/:id/test': () => ({}),
  'POST /api/v1/deliveries/:id/redeliver': () => ({}),
  'POST /api/v1/production-orders/:id/start': () => ({}),
  'POST /api/v1/production-orders/:id/complete': () => ({ qty_produced: 1 }),
  'POST /api/v1/production-orders/:id/close': () => ({}),
  'POST /api/v1/production-orders/:id/cancel': () => ({}),
  'PUT /api/v1/stock-levels/:item_id/:location_id': () => ({ min: 1, max: 2 }),
  'PUT /api/v1/items/:id/listing': () => ({ google: true, brand: 'Matrix', link_url: 'https://shop.example/matrix' }),
  'PATCH /api/v1/tax-rates/:id': () => ({ name: 'Renamed tax' }),
  'PUT /api/v1/items/:id/tax': () => ({ exempt: false }),
};

/** One of every document at a fresh site, the extra modules' included. */
export async function makeDocuments(api: TestApi, tag: string): Promise<Documents> {
  const site = await makeSiteDocuments(api, tag);
  return { ...site, ...(await extraDocuments(api, site)) };
}

/**
 * Bodies for writes on collections that name the documents above, built to succeed for an owner:
 * the fuzz sends them when its generated requests never got one of these writes through.
 */
export const collectionBodies: Record<string, (d: Documents, api: TestApi) => unknown> = {
  'POST /api/v1/products/:id/option-values': () => ({ option: 'Size', value: 'XL' }),
  'POST /api/v1/oauth/clients': () => ({ name: 'Fuzz skill', redirect_uris: ['https://layla.amazon.com/api/skill/link/M2FUZZ'] }),
  'POST /api/v1/products/:id/row-price': () => ({ option: 'Size', value: 'M', price: '5.00' }),
  'POST /api/v1/sales': (d) => ({ location_id: d.site.id, register: 'FZ', lines: [{ item_id: d.item.id, qty: 1 }], payments: [{ tender: 'cash', amount: '100.00' }] }),
  'POST /api/v1/returns': (d) => ({ sale_id: d.sale.id, reason: 'fuzz', lines: [{ line_id: d.sale.lines[0].id, qty: 1, condition: 'restockable' }] }),
  'POST /api/v1/exchanges': (d) => ({
    return: { sale_id: d.sale.id, reason: 'fuzz', lines: [{ line_id: d.sale.lines[0].id, qty: 1, condition: 'restockable' }] },
    sale: { location_id: d.site.id, register: 'FZ', lines: [{ item_id: d.item.id, qty: 1 }], payments: [{ tender: 'cash', amount: '20.00' }] },
  }),
  'POST /api/v1/vendor-returns': (d) => ({ vendor_id: d.vendor.id, site_id: d.site.id, reason: 'other', lines: [{ item_id: d.item.id, qty: 1 }] }),
  'POST /api/v1/landed-costs': async (d, api) => {
    ok(await api.post(`/api/v1/receipts/${d.receipt.id}/post`, {}));
    return { receipt_ids: [d.receipt.id], charges: [{ kind: 'freight', amount: '5.00' }] };
  },
  'POST /api/v1/bin-moves': (d) => ({ from_location_id: d.bin.id, to_location_id: d.site.default_bin_id, lines: [{ item_id: d.item.id, qty: 1 }] }),
  'POST /api/v1/production-orders': (d) => ({ item_id: d.bom.item_id, site_id: d.site.id, qty: 1 }),
  'POST /api/v1/disassemblies': (d) => ({ item_id: d.bom.item_id, site_id: d.site.id, qty: 1 }),
  'POST /api/v1/stock-levels/bulk': (d) => ({ location_id: d.site.id, item_ids: [d.item.id], min: 2, max: 8 }),
  'POST /api/v1/stock-levels/suggest': (d) => ({ site_id: d.site.id, item_ids: [d.item.id] }),
  // The report builder's fields must fit its dataset, which random enum picks rarely manage.
  'POST /api/v1/reports/custom/run': (d) => ({ dataset: 'balances', dimensions: ['item'], measures: ['quantity'], filters: { site_id: d.site.id } }),
  'POST /api/v1/reports/custom/export': (d) => ({ dataset: 'balances', dimensions: ['item'], measures: ['quantity'], filters: { site_id: d.site.id } }),
  'POST /api/v1/replenishment/purchase-orders': (d) => ({ lines: [{ item_id: d.item.id, site_id: d.site.id, vendor_id: d.vendor.id, qty: 5 }] }),
  'POST /api/v1/items/:id/boms': async (_d, api) => {
    const part = ok(await api.post('/api/v1/items', { sku: unique('PART-'), name: 'Part', barcodes: [] }), 201);
    return { batch_qty: 1, lines: [{ item_id: part.id, qty: 2 }] };
  },
  'POST /api/v1/replenishment/transfers': (d) => ({ lines: [{ item_id: d.item.id, source_site_id: d.site.id, destination_site_id: d.transfer.destination_site.id, qty: 1 }] }),
  'POST /api/v1/pricing/preview': (d) => ({ selection: { item_ids: [d.item.id] }, method: 'markup', percent: '60', cost_basis: 'last' }),
  'POST /api/v1/pricing/apply': (d) => ({ selection: { item_ids: [d.item.id] }, method: 'markup', percent: '60', cost_basis: 'last', reason: 'fuzz' }),
  'POST /api/v1/labels': (d) => ({ source: { kind: 'bins', bin_ids: [d.bin.id] } }),
  'POST /api/v1/tax-rates': () => ({ name: unique('Fuzz tax '), rate: '7.5' }),
  'PUT /api/v1/tax-rules': async (d, api) => {
    const rate = ok(await api.post('/api/v1/tax-rates', { name: unique('Fuzz rule tax '), rate: '2' }), 201);
    return { site_id: d.site.id, category: unique('Fuzz category '), tax_rate_id: rate.id };
  },
  'POST /api/v1/google/local-feeds': (d) => ({ site_id: d.site.id, store_code: `store-${d.site.code}`, channel_id: d.channel.id }),
  'PUT /api/v1/products/:id/listing': () => ({ brand: 'Fuzz', image_url: 'https://shop.example/fuzz.jpg' }),
  'PUT /api/v1/items/:id/listing': () => ({ google: true, condition: 'used' }),
};

/** A product of one option (Size: M) for the writes that name one of its options. */
async function fuzzProduct(api: TestApi): Promise<{ id: string }> {
  const handle = unique('fuzz-gloves-').toLowerCase();
  return ok(await api.post('/api/v1/products', { name: 'Fuzz gloves', handle, sku_prefix: handle.toUpperCase(), options: [{ name: 'Size', values: ['M'] }] }), 201);
}

/**
 * Writes whose documents above sit in the wrong state for them (the purchase order is already
 * sent, the production order started): each moves a fresh set into the state the write needs,
 * returning the ids, by prefix, to use instead of the documents' own.
 */
export const walkStates: Record<string, (d: Documents, api: TestApi) => Promise<Record<string, string> | void>> = {
  'POST /api/v1/products/:id/option-values': async (_d, api) => ({ pdt: (await fuzzProduct(api)).id }),
  'POST /api/v1/products/:id/row-price': async (_d, api) => ({ pdt: (await fuzzProduct(api)).id }),
  'PUT /api/v1/products/:id/listing': async (_d, api) => ({ pdt: (await fuzzProduct(api)).id }),
  // The generated requests reach this only when the random draws happen to name a live client.
  'DELETE /api/v1/oauth/clients/:id': async (_d, api) => ({ oac: ok(await api.post('/api/v1/oauth/clients', collectionBodies['POST /api/v1/oauth/clients']!(_d, api)), 201).id }),
  'DELETE /api/v1/vendors/:id/items/:item_id': async (d, api) => {
    ok(await api.request('PUT', `/api/v1/vendors/${d.vendor.id}/items/${d.item.id}`, { body: { unit_cost: '4.00' } }));
  },
  'DELETE /api/v1/purchase-orders/:id/lines/:line_id': async (d, api) => {
    const draft = ok(await api.post('/api/v1/purchase-orders', { vendor_id: d.vendor.id, delivery_site_id: d.site.id, lines: [{ item_id: d.item.id, qty: 1, unit_price: '1.00' }] }), 201);
    return { po: draft.id, pol: draft.lines[0].id };
  },
  'POST /api/v1/replenishment/purchase-orders': async (d, api) => {
    ok(await api.request('PUT', `/api/v1/vendors/${d.vendor.id}/items/${d.item.id}`, { body: { unit_cost: '4.00' } }));
  },
  'POST /api/v1/purchase-orders/:id/send': async (d, api) => {
    const draft = ok(await api.post('/api/v1/purchase-orders', { vendor_id: d.vendor.id, delivery_site_id: d.site.id, lines: [{ item_id: d.item.id, qty: 1, unit_price: '1.00' }] }), 201);
    return { po: draft.id };
  },
  'POST /api/v1/purchase-orders/:id/close': async (d, api) => {
    ok(await api.post(`/api/v1/receipts/${d.receipt.id}/post`, {}));
  },
  'POST /api/v1/receipts/:id/landed-costs': async (d, api) => {
    ok(await api.post(`/api/v1/receipts/${d.receipt.id}/post`, {}));
  },
  'POST /api/v1/receipts/:id/approve': (d, api) => awaitingApproval(d, api),
  'POST /api/v1/vendor-returns/:id/post': (d, api) => draftVendorReturn(d, api),
  'POST /api/v1/vendor-returns/:id/cancel': (d, api) => draftVendorReturn(d, api),
  'POST /api/v1/receipts/:id/reject': (d, api) => awaitingApproval(d, api),
  'POST /api/v1/shipments/:id/delivered': async (d, api) => {
    ok(await api.post(`/api/v1/shipments/${d.shipment.id}/ship`, bodies['POST /api/v1/shipments/:id/ship']!(d)));
  },
  'POST /api/v1/transfers/:id/accept': async (d, api) => {
    const requested = ok(await api.post('/api/v1/transfers', { source_site_id: d.site.id, destination_site_id: d.transfer.destination_site.id, request: true, lines: [{ item_id: d.item.id, qty: 1 }] }), 201);
    return { trf: requested.id };
  },
  'POST /api/v1/counts/:id/approve': async (d, api) => {
    ok(await api.post(`/api/v1/counts/${d.count.id}/submit`, bodies['POST /api/v1/counts/:id/submit']!(d)));
  },
  'DELETE /api/v1/tax-rates/:id': async (_d, api) => ({ txr: ok(await api.post('/api/v1/tax-rates', { name: unique('Fuzz unused tax '), rate: '1' }), 201).id }),
  'POST /api/v1/production-orders/:id/start': (d, api) => plannedProduction(d, api),
  'POST /api/v1/production-orders/:id/cancel': (d, api) => plannedProduction(d, api),
};

/** The receipt over the vendor's tolerance (twice what was ordered), so posting stops for approval. */
async function awaitingApproval(d: Documents, api: TestApi): Promise<void> {
  ok(await api.patch(`/api/v1/receipts/${d.receipt.id}/lines/${d.receipt.lines[0].id}`, { qty: 20 }));
  const submitted = ok(await api.post(`/api/v1/receipts/${d.receipt.id}/post`, {}));
  expect(submitted.status).toBe('awaiting_approval');
}

/** A fresh draft return to vendor, whatever the fuzz did to the shared one. */
async function draftVendorReturn(d: Documents, api: TestApi): Promise<Record<string, string>> {
  const draft = ok(await api.post('/api/v1/vendor-returns', { vendor_id: d.vendor.id, site_id: d.site.id, reason: 'other', lines: [{ item_id: d.item.id, qty: 1 }] }), 201);
  return { vrt: draft.id };
}

async function plannedProduction(d: Documents, api: TestApi): Promise<Record<string, string>> {
  const planned = ok(await api.post('/api/v1/production-orders', { item_id: d.bom.item_id, site_id: d.site.id, qty: 1 }), 201);
  return { prd: planned.id };
}

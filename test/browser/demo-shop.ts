import { apiClient, demoToken } from './api.ts';
import { startWebServer, type WebServer } from './server.ts';

/**
 * The demo shop (`stockroom demo`, two months of simulated trade) with a little more trading
 * added through the API, so the pages show what a shop in use looks like: a vendor with terms,
 * purchase orders partly delivered, late and draft, an adjustment, two counter sales (a latte
 * with oat milk and a discounted mug; two candles), web orders waiting to ship and one shipped.
 * Shared by the browser tests that look at the demo's pages.
 */

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export interface DemoShop {
  server: WebServer;
  api: ReturnType<typeof apiClient>;
  ids: Record<string, string>;
}

export async function startDemoShop(): Promise<DemoShop> {
  // Two months of simulated trade: enough history for every page, in seconds rather than minutes.
  const server = await startWebServer('demo', undefined, ['--days', '60']);
  const api = apiClient(server.origin, demoToken(await server.waitForOutput(/STOCKROOM_TOKEN=/)));
  const ids: Record<string, string> = {};
  try {
    await arrange(api, ids);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { server, api, ids };
}

async function arrange(api: ReturnType<typeof apiClient>, ids: Record<string, string>): Promise<void> {
  const item = async (sku: string) => (await api.get(`/api/v1/items?q=${sku}`)).data.find((i: { sku: string }) => i.sku === sku);
  const mug = await item('MUG-STONE');
  const candle = await item('CANDLE-STRAW');
  const tea = await item('TEA-EARL');
  ids.mug = mug.id;
  const sites = (await api.get('/api/v1/locations')).data as Array<{ id: string; code: string; site_type: string }>;
  const warehouse = sites.find((s) => s.site_type === 'warehouse')!;
  const main = sites.find((s) => s.code === 'MAIN')!;
  const vendor = await api.post('/api/v1/vendors', { name: 'Harbour Supplies', email: 'orders@harbour.example', payment_terms: 'Net 30', lead_time_days: 5, over_receipt_tolerance_percent: 5 });
  await api.put(`/api/v1/vendors/${vendor.id}/items/${mug.id}`, { vendor_sku: 'HS-MUG', unit_cost: '4.90', preferred: true });
  await api.put(`/api/v1/vendors/${vendor.id}/items/${candle.id}`, { vendor_sku: 'HS-CAN-12', purchase_unit: 'case', unit_cost: '64.00' });
  await api.put(`/api/v1/vendors/${vendor.id}/items/${tea.id}`, { vendor_sku: 'HS-TEA', unit_cost: '3.05' });
  // One order partly delivered (short on mugs), one late, one draft.
  const po1 = await api.post('/api/v1/purchase-orders', {
    vendor_id: vendor.id,
    delivery_site_id: warehouse.id,
    expected_on: isoDay(-3),
    tax_rate_percent: 10,
    shipping: '15.00',
    lines: [
      { item_id: mug.id, qty: 40 },
      { item_id: candle.id, qty: 2 },
    ],
  });
  await api.post(`/api/v1/purchase-orders/${po1.id}/send`);
  const posted = await api.post('/api/v1/receipts', { purchase_order_id: po1.id, post: true, lines: [{ item_id: mug.id, qty: 30 }, { item_id: candle.id, qty: 2 }] });
  ids.postedReceipt = posted.id;
  ids.po = po1.id;
  const po2 = await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: main.id, expected_on: isoDay(-1), lines: [{ item_id: tea.id, qty: 24 }] });
  await api.post(`/api/v1/purchase-orders/${po2.id}/send`);
  const draft = await api.post('/api/v1/receipts', { purchase_order_id: po2.id, lines: [{ item_id: tea.id, qty: 20 }] });
  ids.receipt = draft.id;
  await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: main.id, expected_on: isoDay(7), lines: [{ item_id: candle.id, qty: 1 }] });
  await api.post('/api/v1/adjustments', { location_id: main.id, reason: 'damaged', note: 'dropped a box', lines: [{ item_id: mug.id, qty: -2 }] });
  ids.vendor = vendor.id;

  // Selling: two counter sales (one with oat milk in a latte and a discount), web orders
  // waiting to ship and one shipped.
  const latte = await item('LATTE');
  const groups = (await api.get(`/api/v1/items/${latte.id}/modifier-groups`)).data as Array<{ modifiers: Array<{ id: string; name: string }> }>;
  const oat = groups.flatMap((g) => g.modifiers).find((m) => m.name === 'Oat milk')!;
  const sale = await api.post(
    '/api/v1/sales',
    {
      location_id: main.id,
      register: 'T1',
      tax_rate: '8',
      lines: [
        { item_id: latte.id, qty: 2, modifiers: [oat.id] },
        { item_id: mug.id, qty: 1, discount: { percent: '10', reason: 'chipped' } },
      ],
      payments: [{ tender: 'cash', amount: '30.00' }],
    },
    { 'idempotency-key': 'demo-pages-sale-1' },
  );
  ids.sale = sale.id;
  const plain = await api.post('/api/v1/sales', { location_id: main.id, register: 'T2', lines: [{ item_id: candle.id, qty: 2 }], payments: [{ tender: 'cash', amount: '40.00' }] }, { 'idempotency-key': 'demo-pages-sale-2' });
  ids.plainSale = plain.id;
  ids.latte = latte.id;
  ids.main = main.id;
  const channel = (await api.get('/api/v1/channels')).data.find((c: { kind: string }) => c.kind !== 'pos');
  const order = async (n: string, qty: number) =>
    api.post('/api/v1/orders', { channel_id: channel.id, channel_order_id: n, customer: { name: 'Ada Buyer', email: 'ada@example.com' }, ship_to: '1 Harbour Road', lines: [{ item_id: mug.id, qty }, { item_id: tea.id, qty: 1 }] }, { 'idempotency-key': `demo-pages-${n}` });
  const waiting = await order('WEB-2001', 2);
  ids.order = waiting.id;
  await order('WEB-2002', 1);
  const shipped = await order('WEB-2000', 1);
  await api.post(`/api/v1/orders/${shipped.id}/confirm`);
  const picks = (await api.post(`/api/v1/orders/${shipped.id}/pick-lists`)).data as Array<{ id: string; lines: Array<{ order_line_id: string; qty: number }> }>;
  for (const pick of picks) {
    await api.post(`/api/v1/pick-lists/${pick.id}/picked`);
    const shipment = await api.post(`/api/v1/pick-lists/${pick.id}/shipments`, { packages: [{ weight_g: 800, lines: pick.lines.map((l) => ({ order_line_id: l.order_line_id, qty: l.qty })) }] });
    await api.post(`/api/v1/shipments/${shipment.id}/ship`, { carrier: 'Parcel Co', service: 'Standard', packages: shipment.packages.map((p: { id: string }, i: number) => ({ package_id: p.id, tracking_number: `PC-DEMO-${i + 1}` })) });
  }
  const pickWaiting = (await api.post(`/api/v1/orders/${waiting.id}/pick-lists`)).data as Array<{ id: string }>;
  await api.post(`/api/v1/pick-lists/${pickWaiting[0]!.id}/picked`);
}

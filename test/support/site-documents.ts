import { expect } from 'vitest';
import { makeToken, makeUser } from './access.ts';
import type { ApiResponse, TestApi } from './http.ts';

/**
 * One of every document at a site, made through the API as an owner: what the object-level
 * access tests try to reach from another site. Writes are left where they can still happen (the
 * purchase order is sent, not received; the receipt a draft; the shipment packed, not shipped), so
 * a site check that is missing shows as a change, not as a refused transition.
 */
export interface SiteDocuments {
  site: any;
  bin: any;
  item: any;
  vendor: any;
  adjustment: any;
  purchaseOrder: any;
  receipt: any;
  channel: any;
  order: any;
  pickList: any;
  shipment: any;
  sale: any;
  return: any;
  exchange: any;
  user: any;
  token: { id: string; secret: string };
}

let counter = 0;
export const unique = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-5).toUpperCase()}${(counter += 1)}`;
export const idempotent = () => ({ 'idempotency-key': unique('key-') });

export function ok<T = any>(response: ApiResponse<T>, status = 200): T {
  expect(response.status, `${JSON.stringify(response.body)}`).toBe(status);
  return response.body;
}

/** A store with a bin, selling and buying, and one of every document there. */
export async function makeSiteDocuments(api: TestApi, tag: string): Promise<SiteDocuments> {
  const site = ok(await api.post('/api/v1/locations', { kind: 'site', code: unique(tag), name: `Site ${tag}`, site_type: 'store' }), 201);
  const bin = ok(await api.post('/api/v1/locations', { kind: 'bin', parent_id: site.id, code: 'B1', name: 'Back room', pick_order: 1 }), 201);
  const item = ok(await api.post('/api/v1/items', { sku: unique(`${tag}-MUG-`), name: 'Mug', price: '16.00' }), 201);
  const other = ok(await api.post('/api/v1/items', { sku: unique(`${tag}-CUP-`), name: 'Cup', price: '3.00' }), 201);
  const adjustment = ok(
    await api.post('/api/v1/adjustments', {
      location_id: bin.id,
      reason: 'opening_balance',
      lines: [
        { item_id: item.id, qty: 50, unit_cost: '4.90' },
        { item_id: other.id, qty: 50, unit_cost: '1.10' },
      ],
    }),
    201,
  );

  const vendor = ok(await api.post('/api/v1/vendors', { name: unique(`Vendor ${tag} `) }), 201);
  const draftPo = ok(
    await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.id, shipping: '12.00', lines: [{ item_id: item.id, qty: 10, unit: 'ea', unit_price: '4.80' }] }),
    201,
  );
  ok(await api.post(`/api/v1/purchase-orders/${draftPo.id}/send`));
  // Revised after sending, so the revision history holds a price and a shipping change.
  ok(await api.patch(`/api/v1/purchase-orders/${draftPo.id}/lines/${draftPo.lines[0].id}`, { unit_price: '4.95' }));
  ok(await api.patch(`/api/v1/purchase-orders/${draftPo.id}`, { shipping: '14.00' }));
  const purchaseOrder = ok(await api.post(`/api/v1/purchase-orders/${draftPo.id}/lines`, { lines: [{ item_id: other.id, qty: 5, unit_price: '1.20' }] }));
  const receipt = ok(await api.post('/api/v1/receipts', { purchase_order_id: purchaseOrder.id, lines: [{ purchase_order_line_id: purchaseOrder.lines[0].id, qty: 2 }] }), 201);

  const channel = ok(await api.post('/api/v1/channels', { name: `Web ${tag}`, kind: 'online', site_ids: [site.id] }), 201);
  const order = ok(await api.post('/api/v1/orders', { channel_id: channel.id, channel_order_id: unique('WEB-'), lines: [{ item_id: item.id, qty: 2 }] }, idempotent()), 201);
  const [pickList] = ok(await api.post(`/api/v1/orders/${order.id}/pick-lists`, {}), 201).data;
  ok(await api.post(`/api/v1/pick-lists/${pickList.id}/picked`, {}));
  const shipment = ok(await api.post(`/api/v1/pick-lists/${pickList.id}/shipments`, { packages: [{ weight_g: 500, lines: [{ order_line_id: order.lines[0].id, qty: 1 }] }] }), 201);

  const saleBody = (items: string[]) => ({
    location_id: site.id,
    register: 'T1',
    lines: items.map((id) => ({ item_id: id, qty: 1 })),
    payments: [{ tender: 'cash', amount: '100.00' }],
  });
  const sale = ok(await api.post('/api/v1/sales', saleBody([item.id, other.id, item.id]), idempotent()), 201);
  const ret = ok(await api.post('/api/v1/returns', { sale_id: sale.id, reason: 'changed mind', lines: [{ line_id: sale.lines[1].id, qty: 1, condition: 'restockable' }] }), 201);
  const exchange = ok(
    await api.post('/api/v1/exchanges', {
      return: { sale_id: sale.id, reason: 'wrong colour', lines: [{ line_id: sale.lines[2].id, qty: 1, condition: 'restockable' }] },
      sale: saleBody([other.id]),
    }),
    201,
  );

  const user = (await makeUser(api, 'staff', [site.id])).user;
  const token = await makeToken(api, 'staff', [site.id], { name: `staff at ${tag}` });
  return { site, bin, item, vendor, adjustment, purchaseOrder, receipt, channel, order, pickList, shipment, sale, return: ret, exchange, user, token };
}
